"""Starting the desktop app: one QApplication, one main window."""

import os
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from photoface import __version__
from photoface.errors import PhotofaceError
from photoface.paths import library_location

from .main_window import MainWindow
from .settings import move_library_choice_out_of_qsettings


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("photoface")
    app.setApplicationVersion(__version__)
    return app


def run_app(given_library: Path | None = None) -> int:
    """Open the main window on the library (``--library``, or as ``library_location`` chooses)
    and run until it closes; the exit status."""
    _require_display()
    app = application()
    try:
        move_library_choice_out_of_qsettings()
        window = MainWindow(library_location(given_library))
    except PhotofaceError as error:  # e.g. a library folder that cannot be written
        QMessageBox.critical(None, "photoface", error.in_app)
        return 1
    window.show()
    return app.exec()


def _require_display() -> None:
    """Qt aborts the process when it finds no display; say so in one line first."""
    if not any(os.environ.get(name) for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")):
        raise PhotofaceError("No display to open the app on (DISPLAY and WAYLAND_DISPLAY are not set): "
                             "start it from your desktop, or use the commands (photoface --help).")
