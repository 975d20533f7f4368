"""The real window over a real library, end to end; opening photos, pausing, closing, refreshing."""

import shutil
import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from photoface.gui.main_window import MainWindow
from photoface.gui.models.people import TITLE_ROLE
from photoface.gui.views.merge import MergeDialog
from photoface.people import queries

from ..conftest import PHOTOS
from .conftest import PEOPLE_PHOTOS

INDEXING_TIMEOUT_MS = 120_000


class LongestGap:
    """A 10 ms timer on the GUI thread; a long gap between ticks is a frozen window."""

    def __init__(self):
        self.longest = 0.0
        self._last = time.perf_counter()
        self.timer = QTimer(interval=10)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now


def tile_titles(window):
    model = window.people_view.grid.model()
    return [model.index(row, 0).data(TITLE_ROLE) for row in range(model.rowCount())]


def double_click(qtbot, grid, row):
    centre = grid.visualRect(grid.model().index(row, 0)).center()
    # A view opens an item on a double-click only where the press was.
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=centre)


def press_undo(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window.person_view.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def select_rows(qtbot, grid, rows):
    for row in rows:
        centre = grid.visualRect(grid.model().index(row, 0)).center()
        qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, centre)


def name_in_person_view(qtbot, person_view, name):
    person_view.name_edit.setFocus()
    person_view.name_edit.selectAll()
    qtbot.keyClicks(person_view.name_edit, name)
    qtbot.keyClick(person_view.name_edit, Qt.Key.Key_Return)


def wait_until_idle(qtbot, window):
    qtbot.waitUntil(lambda: window.job is None and not window.waiting_roots and bool(window.people_model.tiles),
                    timeout=INDEXING_TIMEOUT_MS)


def test_the_whole_window_end_to_end(qtbot, window, tmp_path):
    """Add a folder, name, split, merge, answer a suggestion, undo, export an album."""
    assert window.stack.currentWidget() is window.welcome
    assert window.welcome.button.isVisible(), "an empty library says what to do"
    photos = shutil.copytree(PHOTOS / PEOPLE_PHOTOS, tmp_path / "photos")

    gaps = LongestGap()
    window.add_folder(photos)  # what the "Add folder" button does once a folder is chosen
    assert window.progress.isVisible() and not window.welcome.button.isVisible()
    wait_until_idle(qtbot, window)
    gaps.timer.stop()
    print(f"\nlongest GUI-thread gap while indexing: {gaps.longest * 1000:.0f} ms")
    assert gaps.longest < 1.0
    assert window.stack.currentWidget() is window.people_view
    assert not window.progress.isVisible()
    assert tile_titles(window)[:3] == ["Unnamed"] * 3

    # Name a tile.
    double_click(qtbot, window.people_view.grid, 0)
    person_view = window.person_view
    assert window.stack.currentWidget() is person_view
    kit = person_view.person["id"]
    faces_before = len(person_view.model.faces)
    assert faces_before >= 2
    name_in_person_view(qtbot, person_view, "Kit")
    assert tile_titles(window)[0] == "Kit"
    assert person_view.not_button.text() == "Not Kit"

    # Split a face out, and undo it.
    person_view.grid.setCurrentIndex(person_view.grid.model().index(0, 0))
    assert person_view.new_person_button.isEnabled()
    tiles = len(tile_titles(window))
    qtbot.mouseClick(person_view.new_person_button, Qt.MouseButton.LeftButton)
    assert len(person_view.model.faces) == faces_before - 1
    assert len(tile_titles(window)) == tiles + 1
    press_undo(qtbot, window)
    assert len(person_view.model.faces) == faces_before
    assert len(tile_titles(window)) == tiles

    # Merge two tiles: select both, confirm in the dialog that shows both; then undo.
    qtbot.mouseClick(person_view.back_button, Qt.MouseButton.LeftButton)
    people_view = window.people_view
    select_rows(qtbot, people_view.grid, [1, 2])
    assert people_view.merge_button.isEnabled()
    qtbot.mouseClick(people_view.merge_button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(MergeDialog)
    assert {dialog.keep.title, dialog.other.title} == {"Unnamed"}
    dialog.accept()
    assert len(tile_titles(window)) == tiles - 1
    window.undo()
    assert len(tile_titles(window)) == tiles

    # A second person named, then new photos: "Is this Kit?" suggestions to answer.
    window.open_person(window.people_model.tiles[1].person_id)
    name_in_person_view(qtbot, person_view, "Rose")
    window.add_folder(shutil.copytree(PHOTOS / "knn/test", tmp_path / "more"))
    wait_until_idle(qtbot, window)
    suggested = queries.suggestions(window.library)
    assert suggested, "the new photos' faces are suggested for the named people"
    window.open_person(suggested[0]["person_id"])
    strip = person_view.suggestions
    asked = len(strip.faces)
    assert person_view.suggestion_grid.isVisible() and asked >= 1
    assert person_view.suggestion_label.text() == f"Is this {suggested[0]['name']}?"
    qtbot.mouseClick(person_view.no_button, Qt.MouseButton.LeftButton)
    assert len(strip.faces) == asked - 1
    press_undo(qtbot, window)
    assert len(strip.faces) == asked
    qtbot.keyClick(person_view.suggestion_grid, Qt.Key.Key_N)  # the likeliest face is chosen: N answers it
    assert len(strip.faces) == asked - 1
    press_undo(qtbot, window)

    # Export Kit's album, with XMP sidecars.
    export = window.show_export()
    export.choose_people([kit])
    export.folder.setText(str(tmp_path / "albums"))
    export.copy.setChecked(True)
    export.sidecars.setChecked(True)
    qtbot.mouseClick(export.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: export.summary is not None, timeout=30_000)
    album = tmp_path / "albums" / "Kit"
    kit_photos = {face["photo_id"] for face in queries.person_faces(window.library, kit)}
    assert len(list(album.glob("*.jpg"))) == export.summary.added == len(kit_photos)
    assert export.summary.sidecars == len(kit_photos) and list((album / "XMP").rglob("*.xmp"))
    assert f"{len(kit_photos)} photos written" in export.result.text()


def test_open_a_face_shows_its_photo(qtbot, people_library, embedder):
    window = MainWindow(people_library, embedder=embedder)
    qtbot.addWidget(window)
    window.show()
    window.open_person(window.people_model.tiles[0].person_id)
    double_click(qtbot, window.person_view.grid, 0)
    assert window.stack.currentWidget() is window.photo_view
    canvas = window.photo_view.canvas
    assert not canvas.pixmap.isNull() and canvas.chosen in [f.face_id for f in canvas.frames]


def test_pause_then_cancel_from_the_status_bar(qtbot, window, copy_photos):
    window.add_folder(copy_photos("knn/test"))
    progress = window.progress
    qtbot.mouseClick(progress.pause_button, Qt.MouseButton.LeftButton)
    assert progress.pause_button.text() == "Resume" and window.job.paused
    qtbot.wait(300)
    assert progress.label.text().startswith("Paused")
    qtbot.mouseClick(progress.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.job is None, timeout=INDEXING_TIMEOUT_MS)
    assert not progress.isVisible()
    assert window.library.status()["photos"]["indexed"] == 0
    assert window.stack.currentWidget() is window.welcome and window.welcome.button.isVisible()


def test_closing_while_indexing_stops_the_job(qtbot, window, copy_photos):
    window.add_folder(copy_photos("knn/test"))
    job = window.job
    window.close()
    assert job.isFinished()


def test_not_this_person_then_a_new_person_from_unsorted(qtbot, people_library, embedder):
    window = MainWindow(people_library, embedder=embedder)
    qtbot.addWidget(window)
    window.show()
    person_view = window.person_view
    window.open_person(window.people_model.tiles[0].person_id)
    faces = len(person_view.model.faces)
    person_view.grid.setCurrentIndex(person_view.grid.model().index(0, 0))
    moved = person_view.selected_faces()
    qtbot.mouseClick(person_view.not_button, Qt.MouseButton.LeftButton)
    assert len(person_view.model.faces) == faces - 1

    window.open_person(None)  # the Unsorted tile
    assert person_view.name_edit.isReadOnly() and not person_view.not_button.isVisible()
    unsorted = [face["face_id"] for face in person_view.model.faces]
    assert set(moved) <= set(unsorted)
    person_view.grid.setCurrentIndex(person_view.grid.model().index(unsorted.index(moved[0]), 0))
    tiles = len(tile_titles(window))
    qtbot.mouseClick(person_view.new_person_button, Qt.MouseButton.LeftButton)
    assert moved[0] not in [face["face_id"] for face in person_view.model.faces]
    assert len(tile_titles(window)) in (tiles, tiles + 1)  # the Unsorted tile goes when emptied
    assert any(tile.face_count == 1 and tile.person_id for tile in window.people_model.tiles)


def test_a_refresh_keeps_a_name_being_typed_and_a_taken_name_is_refused(qtbot, people_library, embedder):
    window = MainWindow(people_library, embedder=embedder)
    qtbot.addWidget(window)
    window.show()
    first, second = (tile.person_id for tile in window.people_model.tiles[:2])
    window.open_person(first)
    name_edit = window.person_view.name_edit
    name_edit.setFocus()
    qtbot.keyClicks(name_edit, "Ann")
    window.refresh()  # as when grouping ends in the background
    assert name_edit.text() == "Ann"
    qtbot.keyClick(name_edit, Qt.Key.Key_Return)

    window.open_person(second)
    name_edit.setFocus()
    qtbot.keyClicks(name_edit, "ann")
    qtbot.keyClick(name_edit, Qt.Key.Key_Return)
    assert name_edit.text() == "", "a refused name is put back"
    assert "already called 'Ann'" in window.findChild(QMessageBox).text()
