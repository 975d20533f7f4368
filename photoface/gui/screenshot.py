"""``photoface --screenshot FILE``: render a screen offscreen to a PNG, headless."""

import os
from pathlib import Path

from PySide6.QtCore import Qt

from photoface.errors import PhotofaceError
from photoface.paths import chosen_theme
from photoface.people import queries

VIEWS = ("people", "person", "photo")
SIZE = (1100, 760)


def save_screenshot(library_dir: Path, path: Path, view: str = "people", theme: str | None = None) -> None:
    """Render ``view`` of the library as it is now (the person: see ``_go_to``) in ``theme`` (else
    the user's choice); only reads it."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt starts
    from .app import application
    from .main_window import MainWindow
    from .theme import apply_theme

    app = application()
    apply_theme(app, theme or chosen_theme())
    window = MainWindow(library_dir, read_only=True)  # works while another photoface writes
    try:
        window.resize(*SIZE)
        _go_to(window, view)
        window.show()
        app.processEvents()
        if not window.grab().save(str(path), "PNG"):
            raise PhotofaceError(f"Cannot write the screenshot {path}.")
    finally:
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # nothing may read its closed library later
        window.close()


def _go_to(window, view: str) -> None:
    if view == "people":
        return
    people = [tile.person_id for tile in window.people_model.tiles if tile.person_id is not None]
    if not people:
        raise PhotofaceError(f"The library has no people yet to show in the {view} view.")
    # The biggest person with "Is this ...?" suggestions, so that the strip shows; else the biggest.
    suggested = {row["person_id"] for row in queries.suggestions(window.library)}
    window.open_person(next((person for person in people if person in suggested), people[0]))
    if view == "photo":
        window.open_face(window.person_view.model.faces[0]["face_id"])
