"""Starting the desktop app: one QApplication, one main window."""

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from photoface import __version__
from photoface.errors import PhotofaceError
from photoface.paths import default_library_dir

from .main_window import MainWindow
from .settings import saved_library_location


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("photoface")
    app.setApplicationVersion(__version__)
    return app


def run_app(library_dir: Path) -> int:
    """Open the main window on the library and run until it closes; the exit status."""
    app = application()
    if library_dir == default_library_dir():  # not chosen on the command line: the settings' one
        library_dir = saved_library_location() or library_dir
    try:
        window = MainWindow(library_dir)
    except PhotofaceError as error:  # e.g. a library folder that cannot be written
        QMessageBox.critical(None, "photoface", str(error))
        return 1
    window.show()
    return app.exec()
