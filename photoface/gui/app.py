"""Starting the desktop app: one QApplication, one main window."""

import os
import signal
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from photoface import __version__
from photoface.errors import PhotofaceError
from photoface.paths import chosen_theme, library_location

from .main_window import MainWindow
from .settings import move_library_choice_out_of_qsettings
from .theme import apply_theme

SIGNAL_CHECK_MS = 200  # how soon a SIGTERM is seen while Qt's loop runs


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("photoface")
    app.setApplicationVersion(__version__)
    return app


def run_app(given_library: Path | None = None, folders: list[Path] = (), theme: str | None = None) -> int:
    """Open the main window on the library (``--library``, or as ``library_location`` chooses),
    add ``folders`` to it (``photoface FOLDER...``) and run until it closes; the exit status.
    ``theme``: colours for this run, else the user's choice."""
    _require_display()
    app = application()
    try:
        apply_theme(app, theme or chosen_theme())
        move_library_choice_out_of_qsettings()
        window = MainWindow(library_location(given_library))
    except PhotofaceError as error:  # e.g. a library folder that cannot be written
        QMessageBox.critical(None, "photoface", error.in_app)
        return 1
    window.show()
    for folder in folders:
        window.add_folder(Path(folder))
    _quit_on_signals(app)
    return app.exec()


def _quit_on_signals(app: QApplication) -> None:
    """A session logging out (or a test) sends SIGTERM, Ctrl+C in a terminal SIGINT: close as Quit
    does, background jobs stopped.

    Python runs a signal handler only between its own bytecodes, never inside Qt's loop: a
    timer hands it control now and then."""
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: QApplication.closeAllWindows())
    QTimer(app, interval=SIGNAL_CHECK_MS, timeout=lambda: None).start()


def _require_display() -> None:
    """Qt aborts the process when it finds no display; say so in one line first."""
    if not any(os.environ.get(name) for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")):
        raise PhotofaceError("No display to open the app on (DISPLAY and WAYLAND_DISPLAY are not set): "
                             "start it from your desktop, or use the commands (photoface --help).")
