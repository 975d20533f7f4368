"""``photoface --screenshot FILE``: render a screen offscreen to a PNG, headless."""

import itertools
import os
from pathlib import Path

from PySide6.QtCore import Qt

from photoface.errors import PhotofaceError
from photoface.paths import chosen_theme
from photoface.people import queries

VIEWS = ("people", "person", "photo", "unsorted", "timeline", "together")
SIZE = (1100, 760)
TOGETHER_SEARCHED = 20  # the biggest people looked at for two in a photo together (190 pairs at most)


def save_screenshot(library_dir: Path, path: Path, view: str = "people", theme: str | None = None) -> None:
    """Render ``view`` of the library as it is now (which person or people: see ``_go_to``) in ``theme``
    (else the user's choice); only reads it."""
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
        window.grab()  # painting asks for the photos' thumbnails: wait for them, then paint again
        window.photos_view.model.thumbnails.wait()
        app.processEvents()
        if not window.grab().save(str(path), "PNG"):
            raise PhotofaceError(f"Cannot write the screenshot {path}.")
    finally:
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # nothing may read its closed library later
        window.close()


def _go_to(window, view: str) -> None:
    """person and photo: the biggest person with "Is this ...?" suggestions (so that the strip shows), else
    the biggest, and the photo of their best face; together: the first two people, biggest first, who
    are in a photo together; timeline: every photo."""
    if view == "unsorted":
        window.open_person(None)
    elif view == "timeline":
        window.show_timeline()
    elif view == "together":
        window.show_timeline(_first_two_together(window.library))
    elif view != "people":
        people = [tile.person_id for tile in window.people_model.tiles if tile.person_id is not None]
        if not people:
            raise PhotofaceError(f"The library has no people yet to show in the {view} view.")
        suggested = {row["person_id"] for row in queries.suggestions(window.library)}
        window.open_person(next((person for person in people if person in suggested), people[0]))
        if view == "photo":  # stepping through the person's faces
            faces = window.person_view.model.face_ids()
            window.open_face(faces[0], faces)


def _first_two_together(library) -> list[int]:
    people = [person["id"] for person in queries.people(library, include_hidden=False)][:TOGETHER_SEARCHED]
    for pair in itertools.combinations(people, 2):
        if queries.photos(library, pair):
            return list(pair)
    raise PhotofaceError(f"None of the {len(people)} biggest people of the library are in a photo together.")
