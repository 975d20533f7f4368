"""People-grid and person-view actions over a clustered library: drag to merge, Move to, hide; settings."""

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLineEdit, QPushButton

from photoface.gui.models.people import PERSON_ID_ROLE
from photoface.gui.settings import OLD_LIBRARY_KEY, move_library_choice_out_of_qsettings
from photoface.gui.views.merge import MergeDialog
from photoface.library_settings import cluster_level, index_options
from photoface.paths import library_location
from photoface.people import operations, queries

from .test_window import tile_titles


def drop(model, dragged_row, target_row):
    data = model.mimeData([model.index(dragged_row, 0)])
    return model.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, model.index(target_row, 0))


def test_dropping_a_tile_on_another_asks_then_merges(people_window):
    model = people_window.people_model
    first, second = model.tiles[0], model.tiles[1]
    tiles = len(model.tiles)
    drop(model, 1, 0)
    dialog = people_window.findChild(MergeDialog)
    assert (dialog.keep.person_id, dialog.other.person_id) == (first.person_id, second.person_id)
    dialog.reject()
    assert len(model.tiles) == tiles, "cancelled: nothing merged"

    drop(model, 1, 0)
    next(d for d in people_window.findChildren(MergeDialog) if d.isVisible()).accept()
    assert len(model.tiles) == tiles - 1
    assert model.tiles[0].face_count == first.face_count + second.face_count
    assert drop(model, 0, 0) is False and not any(d.isVisible() for d in people_window.findChildren(MergeDialog))


def test_rename_a_tile_inline(qtbot, people_window):
    people_view = people_window.people_view
    index = people_view.filter.index(1, 0)
    person_id = index.data(PERSON_ID_ROLE)
    assert index.data(Qt.ItemDataRole.EditRole) == ""
    people_view.grid.setCurrentIndex(index)
    qtbot.keyClick(people_view.grid, Qt.Key.Key_F2)
    editor = people_view.grid.findChild(QLineEdit)
    editor.setText("Zoe")
    people_view.grid.commitData(editor)  # what Return or leaving the editor does
    assert queries.person(people_window.library, person_id)["name"] == "Zoe"
    assert "Zoe" in tile_titles(people_window)


def test_move_to_a_named_person_and_hide_a_person(qtbot, people_window):
    library = people_window.library
    target, source = (tile.person_id for tile in people_window.people_model.tiles[:2])
    operations.name_person(library, target, "Ann")
    people_window.open_person(source)
    person_view = people_window.person_view
    person_view.grid.setCurrentIndex(person_view.grid.model().index(0, 0))
    moved = person_view.selected_faces()
    person_view.move_menu.aboutToShow.emit()  # as when the menu opens
    action = next(a for a in person_view.move_menu.actions() if a.text() == "Ann")
    action.trigger()
    assert set(moved) <= set(queries.person(library, target)["face_ids"])

    qtbot.mouseClick(person_view.hide_button, Qt.MouseButton.LeftButton)
    assert person_view.hide_button.text() == "Show person"
    people_view = people_window.people_view
    shown = tile_titles(people_window)
    people_view.show_hidden.setChecked(True)
    assert len(tile_titles(people_window)) == len(shown) + 1, "hidden people are out of the way"
    people_view.search.setText("ann")
    assert tile_titles(people_window) == ["Ann"]


def test_keys_take_faces_out_and_go_back(qtbot, people_window):
    library, person_view = people_window.library, people_window.person_view
    person_id = people_window.people_model.tiles[0].person_id
    faces = len(queries.person(library, person_id)["face_ids"])
    people_window.open_person(person_id)
    qtbot.waitActive(people_window)
    person_view.grid.setFocus()
    qtbot.keyClick(person_view.grid, Qt.Key.Key_Delete)  # nothing selected: nothing happens
    assert len(queries.person(library, person_id)["face_ids"]) == faces
    person_view.grid.setCurrentIndex(person_view.grid.model().index(0, 0))
    qtbot.keyClick(person_view.grid, Qt.Key.Key_Delete)
    assert len(queries.person(library, person_id)["face_ids"]) == faces - 1

    qtbot.keyClick(person_view.grid, Qt.Key.Key_F2)  # F2 names; typing types, shortcut letters and Backspace too
    assert person_view.name_edit.hasFocus()
    qtbot.keyClicks(person_view.name_edit, "Ny")
    qtbot.keyClick(person_view.name_edit, Qt.Key.Key_Backspace)
    assert person_view.name_edit.text() == "N" and people_window.stack.currentWidget() is person_view
    person_view.grid.setFocus()
    qtbot.keyClick(person_view.grid, Qt.Key.Key_Backspace)
    assert people_window.stack.currentWidget() is people_window.people_view
    qtbot.keyClick(people_window.people_view.grid, Qt.Key.Key_Delete)  # the person view's keys sleep now
    assert len(queries.person(library, person_id)["face_ids"]) == faces - 1


def test_settings_are_kept_in_the_library_and_the_choice_of_library_for_every_start(
        qtbot, people_window, tmp_path, monkeypatch):
    monkeypatch.setenv("PHOTOFACE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("PHOTOFACE_LIBRARY", raising=False)
    dialog = people_window.show_settings()
    dialog.sensitivity.setCurrentText("High (finds smaller faces)")
    dialog.min_face_size.setValue(40)
    dialog.workers.setValue(1)
    dialog.device.setCurrentIndex(dialog.device.findData("cpu"))
    dialog.library.setText(str(tmp_path / "elsewhere"))
    dialog.accept()
    options = index_options(people_window.library)  # what indexing, in the app or `photoface index`, uses
    assert (options.detect_side, options.min_face_size, options.workers, options.device) == (1440, 40, 1, "cpu")
    assert library_location() == tmp_path / "elsewhere"  # for the app and the commands alike
    reopened = people_window.show_settings()
    assert (reopened.sensitivity.currentText(), reopened.workers.value(), reopened.device.currentText()) == (
        "High (finds smaller faces)", 1, "CPU")
    reopened.reject()


def test_a_library_chosen_in_an_older_version_still_opens(tmp_path, monkeypatch, qapp):
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "qt"))
    monkeypatch.setenv("PHOTOFACE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("PHOTOFACE_LIBRARY", raising=False)
    QSettings().setValue(OLD_LIBRARY_KEY, str(tmp_path / "chosen"))
    move_library_choice_out_of_qsettings()
    assert library_location() == tmp_path / "chosen" and QSettings().value(OLD_LIBRARY_KEY) is None


def test_grouping_level_from_settings_is_kept_and_regroups(qtbot, people_window):
    before = len(queries.unsorted_faces(people_window.library))
    dialog = people_window.show_settings()
    assert dialog.grouping.currentText() == "Balanced (recommended)"
    dialog.grouping.setCurrentIndex(dialog.grouping.findData(2))
    dialog.accept()
    assert cluster_level(people_window.library) == 2
    qtbot.waitUntil(lambda: people_window.job is None, timeout=60_000)
    assert len(queries.unsorted_faces(people_window.library)) <= before
    assert people_window.show_settings().grouping.currentText() == "Most together"


def test_click_a_face_in_the_photo_to_name_or_correct_it(qtbot, people_window):
    library = people_window.library
    named, other = (tile.person_id for tile in people_window.people_model.tiles[:2])
    operations.name_person(library, named, "Ann")
    face = queries.person(library, other)["face_ids"][0]
    people_window.open_person(other)
    people_window.open_face(face)
    canvas = people_window.photo_view.canvas
    centre = canvas.to_widget(next(frame.box for frame in canvas.frames if frame.face_id == face)).center().toPoint()
    with qtbot.waitSignal(canvas.face_clicked) as clicked:
        qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=centre)
    assert clicked.args[0] == face

    popup = people_window.photo_view.name_popup(face)
    assert [button.text() for button in popup.findChildren(QPushButton)] == ["New person", "Not Unnamed"]
    popup.open_at(centre)
    qtbot.keyClicks(popup.edit, "ann")
    qtbot.keyClick(popup.edit, Qt.Key.Key_Return)
    assert face in queries.person(library, named)["face_ids"]
    assert "Ann" in [frame.label for frame in canvas.frames if frame.face_id == face]
