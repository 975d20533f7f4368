"""People together, the timeline, cover faces and export by dates in the app (issue #18).

One library of photos/knn, the README's (train named by folder, test indexed after, file times a month per
folder so that the timeline has several), built once per session with the real model.
"""

import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QAction, QImage

from benchmarks.docs_screenshots import build, date_by_folder
from photoface.cli import cli
from photoface.gui.main_window import MainWindow
from photoface.gui.models.people import PERSON_ID_ROLE
from photoface.gui.models.photos import MONTH_ROLE, PHOTO_ID_ROLE
from photoface.gui.screenshot import SIZE, VIEWS
from photoface.people import operations, queries

from ..conftest import PHOTOS


@pytest.fixture(scope="session")
def knn_library_template(tmp_path_factory, embedder) -> Path:
    root = tmp_path_factory.mktemp("knn-named")
    shutil.copytree(PHOTOS / "knn", root / "photos")
    date_by_folder(root / "photos")
    build(root / "library", root / "photos", embedder)
    return root / "library"


@pytest.fixture
def knn_window(qtbot, knn_library_template, tmp_path, embedder):
    window = MainWindow(Path(shutil.copytree(knn_library_template, tmp_path / "library")), embedder=embedder)
    qtbot.addWidget(window)
    window.show()
    return window


def person_named(window, name: str) -> int:
    return queries.person_named(window.library, name)


def shown_photos(window) -> list[str]:
    model = window.photos_view.model
    return [Path(row["path"]).name for row in model.rows if isinstance(row, dict)]


def select_people(window, *names: str) -> None:
    view = window.people_view
    wanted = {person_named(window, name) for name in names}
    for row in range(view.filter.rowCount()):
        index = view.filter.index(row, 0)
        if index.data(PERSON_ID_ROLE) in wanted:
            view.grid.selectionModel().select(index, QItemSelectionModel.SelectionFlag.Select)


def test_photos_together_from_selected_people_and_back_from_a_photo(qtbot, knn_window):
    select_people(knn_window, "Obama", "Biden")
    assert knn_window.people_view.together_button.isEnabled()
    menu = knn_window.people_view.people_menu()
    assert [action.text() for action in menu.actions()] == ["Photos together", "Merge…"]
    knn_window.people_view.together_button.click()
    assert knn_window.stack.currentWidget() is knn_window.photos_view
    assert shown_photos(knn_window) == ["obama_and_biden.jpg"]
    assert knn_window.photos_view.title.text() == "1 photo of Obama and Biden together"

    grid = knn_window.photos_view.grid
    index = next(grid.model().index(row, 0) for row in range(grid.model().rowCount())
                 if grid.model().index(row, 0).data(PHOTO_ID_ROLE) is not None)
    centre = grid.visualRect(index).center()
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert knn_window.stack.currentWidget() is knn_window.photo_view
    assert knn_window.photo_view.path_label.text().endswith("obama_and_biden.jpg")
    assert {"Obama", "Biden"} <= {frame.label for frame in knn_window.photo_view.canvas.frames}
    knn_window.photo_view.back.emit()
    assert knn_window.stack.currentWidget() is knn_window.photos_view
    qtbot.keyClick(grid, Qt.Key.Key_Backspace)
    assert knn_window.stack.currentWidget() is knn_window.people_view


def test_names_typed_in_the_filter_and_a_name_that_names_nobody(qtbot, knn_window):
    knn_window.show_timeline()
    view = knn_window.photos_view
    view.people_filter.setText("kit, rose")
    view.people_filter.returnPressed.emit()
    assert shown_photos(knn_window) == ["kit_with_rose.jpg"]
    assert view.people_filter.text() == "Kit Harington, Rose Leslie"

    view.people_filter.setText("Kit Harington, Zed")
    view.people_filter.returnPressed.emit()
    assert view.problem.isVisible() and view.problem.text() == "Nobody is called 'Zed'."
    assert shown_photos(knn_window) == ["kit_with_rose.jpg"], "nothing changes on a bad name"
    view.people_filter.clear()
    assert len(shown_photos(knn_window)) == 14 and not view.problem.isVisible()


def test_the_timeline_shows_months_newest_first_filtered_by_people(qtbot, knn_window):
    timeline = next(action for action in knn_window.findChildren(QAction) if action.text() == "Timeline")
    timeline.trigger()
    assert knn_window.stack.currentWidget() is knn_window.photos_view
    model = knn_window.photos_view.model
    months = [model.index(row, 0).data(MONTH_ROLE) for row in range(model.rowCount())
              if model.index(row, 0).data(MONTH_ROLE) is not None]
    taken = {photo["taken"].date().replace(day=1) for photo in queries.photos(knn_window.library)}
    assert months == sorted(taken, reverse=True) and months[0] == date(2024, 3, 1)
    assert date(2012, 12, 1) in months, "obama.jpg's camera date, not its file's"
    assert model.index(0, 0).data() == "March 2024"
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsSelectable

    knn_window.open_person(person_named(knn_window, "Obama"))
    knn_window.person_view.photos_button.click()
    shown = shown_photos(knn_window)
    assert sorted(shown[:2]) == ["obama1.jpg", "obama_and_biden.jpg"] and shown[2:] == ["obama.jpg", "obama2.jpg"]
    assert knn_window.photos_view.title.text() == "4 photos of Obama"

    model.thumbnails.wait()
    qtbot.waitUntil(lambda: not model.thumbnails._loading, timeout=5000)
    photo_row = next(row for row in range(model.rowCount()) if model.index(row, 0).data(PHOTO_ID_ROLE))
    pixmap = model.index(photo_row, 0).data(Qt.ItemDataRole.DecorationRole)
    assert (pixmap.width(), pixmap.height()) == (model.side, model.side)


def test_use_as_cover_shows_on_the_tile_and_undo_takes_it_back(qtbot, knn_window):
    obama = person_named(knn_window, "Obama")
    knn_window.open_person(obama)
    faces = knn_window.person_view.model.faces
    chosen = faces[-1]["face_id"]  # not the best: that one is the default
    menu = knn_window.person_view.face_menu(chosen)
    next(action for action in menu.actions() if action.text() == "Use as cover").trigger()
    tile = knn_window.people_model.tile(obama)
    assert tile.cover_face == chosen
    shown = knn_window.people_model.index(knn_window.people_model.row_of(obama), 0).data(
        Qt.ItemDataRole.DecorationRole)
    assert shown.toImage() == knn_window.people_model.thumbnails.pixmap(chosen).toImage()
    assert knn_window.statusBar().currentMessage() == "Cover chosen for Obama"
    faces_model = knn_window.person_view.model
    assert faces_model.index(len(faces) - 1, 0).data(Qt.ItemDataRole.ToolTipRole).endswith("(cover)")

    knn_window.undo()
    assert knn_window.statusBar().currentMessage() == "Undone: choosing a cover"
    tile = knn_window.people_model.tile(obama)
    knn_window.people_model.cover(tile)
    assert tile.cover_face == faces[0]["face_id"]  # the best face again


def test_export_albums_by_date_range(qtbot, knn_window, tmp_path):
    dialog = knn_window.show_export()
    dialog.choose_people([person_named(knn_window, "Obama")])
    dialog.folder.setText(str(tmp_path / "albums"))
    dialog.choose_days(date(2024, 3, 15), date(2024, 1, 1))  # either way round
    assert dialog.chosen_days() == (date(2024, 1, 1), date(2024, 3, 15))
    dialog.export()
    qtbot.waitUntil(lambda: dialog.job is None, timeout=20_000)
    assert sorted(p.name for p in (tmp_path / "albums" / "Obama").glob("*.jpg")) == ["obama1.jpg",
                                                                                    "obama_and_biden.jpg"]
    assert dialog.summary.added == 2


@pytest.mark.parametrize("view", ["unsorted", "timeline", "together"])
def test_screenshot_of_the_new_views(qapp, knn_library_template, tmp_path, view):
    png = tmp_path / f"{view}.png"
    result = CliRunner().invoke(cli, ["--library", str(knn_library_template), "--screenshot", str(png),
                                      "--view", view])
    assert result.exit_code == 0, result.output
    image = QImage(str(png))
    assert (image.width(), image.height()) == SIZE
    assert set(VIEWS) == {"people", "person", "photo", "unsorted", "timeline", "together"}


def test_the_timeline_stays_on_screen_and_follows_changes_to_people(knn_window):
    obama, biden = person_named(knn_window, "Obama"), person_named(knn_window, "Biden")
    knn_window.show_timeline([obama, biden])
    operations.name_person(knn_window.library, obama, "Barack Obama")
    knn_window.people_changed("Named Barack Obama")  # what a rename in the app ends with
    view = knn_window.photos_view
    assert knn_window.stack.currentWidget() is view
    assert view.people_filter.text() == "Barack Obama, Biden" and shown_photos(knn_window) == ["obama_and_biden.jpg"]
    view.people_filter.returnPressed.emit()  # the text as shown: nothing to look up again
    assert not view.problem.isVisible()
    knn_window.undo()
    assert view.people_filter.text() == "Obama, Biden"


def test_names_typed_in_the_people_search_show_the_photos_together(knn_window):
    view = knn_window.people_view
    view.search.setText("biden, obama")
    assert sorted(view.filter.index(row, 0).data(PERSON_ID_ROLE) for row in range(view.filter.rowCount())) == \
        sorted([person_named(knn_window, "Obama"), person_named(knn_window, "Biden")])
    assert view.together_button.isEnabled()
    view.together_button.click()
    assert knn_window.stack.currentWidget() is knn_window.photos_view
    assert shown_photos(knn_window) == ["obama_and_biden.jpg"]

    errors = []
    view.failed.connect(errors.append)
    view.search.setText("obama, zed")
    view.together_button.click()
    assert errors == ["Nobody is called 'zed'."]


def test_the_timeline_of_a_new_library_says_how_to_fill_it(window):
    window.show_timeline()
    assert window.photos_view.title.text() == "No photos yet: add a folder (Library > Add folder…)"
    assert window.photos_view.model.rowCount() == 0


def test_the_photo_viewer_steps_through_the_timeline_in_its_order(qtbot, knn_window):
    knn_window.open_person(person_named(knn_window, "Obama"))
    knn_window.person_view.photos_button.click()
    ordered = knn_window.photos_view.model.photo_ids()
    knn_window.open_photo(ordered[1])
    view = knn_window.photo_view
    assert view.count_label.text() == f"2 of {len(ordered)}" and view.face_id is None
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.photo_id == ordered[2]
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert knn_window.stack.currentWidget() is knn_window.photos_view
