"""The person view over a clustered library: the "same person?" strip in Unsorted, suggestions, names."""

import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from photoface.people import operations, queries
from photoface.store.lock import LibraryInUse, acquire


@pytest.fixture
def no_exceptions(monkeypatch):
    """Exceptions raised in slots go to sys.excepthook (Qt prints them and carries on): collect them."""
    raised = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, error, trace: raised.append(error))
    return raised


def _unsort_a_person(library) -> list[int]:
    """Take every face of the biggest person out of it: unsorted faces of one person."""
    person = max(queries.people(library), key=lambda p: p["face_count"])
    operations.remove_faces(library, person["id"], person["face_ids"])
    return person["face_ids"]


def test_unsorted_asks_whether_a_likely_group_is_one_person_and_both_answers_work(
        qtbot, people_window, no_exceptions):
    library, view = people_window.library, people_window.person_view
    faces = _unsort_a_person(library)
    people_window.open_person(None)
    offered = view.selected_suggestions()
    assert view.suggestion_grid.isVisible() and len(offered) >= 2
    assert set(offered) <= set(faces), "only faces the clustering puts together, not several people"

    view.no_button.click()  # "No": they stay unsorted and are not offered together again
    assert set(offered) <= set(queries.unsorted_faces(library))
    assert not set(view.selected_suggestions()) & set(offered)

    view.suggestions.not_together.clear()
    people_window.open_person(None)
    offered = view.selected_suggestions()
    people_before = len(queries.people(library))
    qtbot.keyClick(view.grid, "y")  # "Yes": one new person
    assert len(queries.people(library)) == people_before + 1
    assert not set(offered) & set(queries.unsorted_faces(library))
    assert no_exceptions == []


def test_unsorted_hides_the_strip_when_no_faces_are_likely_one_person(people_window):
    people_window.open_person(None)
    view = people_window.person_view
    assert view.suggestion_grid.isVisible() == bool(view.suggestions.faces)
    if view.suggestions.faces:
        assert len(view.suggestions.faces) >= 2


def test_a_long_name_is_refused_in_one_line_and_a_100_character_one_fits_its_tile(qtbot, people_window):
    library, view = people_window.library, people_window.person_view
    tile = people_window.people_model.tiles[0]
    people_window.open_person(tile.person_id)
    width = people_window.width()
    errors = []
    view.failed.connect(errors.append)
    view.name_edit.setText("A" * 5000)
    view.name_edit.editingFinished.emit()
    assert errors == ["A name can have at most 100 characters; this one has 5,000."]
    assert queries.person(library, tile.person_id)["name"] is None

    name = " ".join(["Maximiliane Wilhelmina"] * 4) + " von Hohenzollern-Sigmaringen"[:100 - 91]
    view.name_edit.setText(name)
    view.name_edit.editingFinished.emit()
    assert queries.person(library, tile.person_id)["name"] == name
    qtbot.wait(50)
    assert people_window.width() == width, "a long name never widens the window"

    model = people_window.people_model
    index = model.index(model.row_of(tile.person_id), 0)
    title, count = index.data().split("\n")
    assert title.endswith("…") and name.startswith(title[:-1]) and count == f"{tile.face_count} faces"
    assert name in index.data(Qt.ItemDataRole.ToolTipRole)


def test_messages_speak_the_apps_words_not_commands_or_ids(qtbot, people_window):
    library, view = people_window.library, people_window.person_view
    anna, other = (tile.person_id for tile in people_window.people_model.tiles[:2])
    operations.name_person(library, anna, "Anna")
    people_window.open_person(other)
    errors = []
    view.failed.connect(errors.append)
    view.name_edit.setText("anna")
    view.name_edit.editingFinished.emit()
    assert errors == ["Someone is already called 'Anna'. If they are the same person, "
                      "merge them: select both people and press Merge…"]

    view.grid.setCurrentIndex(view.grid.model().index(0, 0))
    view.not_button.click()
    people_window.undo()
    assert people_window.statusBar().currentMessage() == "Undone: taking faces out"


def test_a_library_in_use_says_to_choose_another_in_settings(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from photoface.store.lock import acquire;"
                               f" acquire({str(tmp_path)!r}); print('held', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(LibraryInUse) as raised:
            acquire(tmp_path)
    finally:
        holder.kill()
        holder.wait()
    assert str(raised.value).endswith("Close that one first, or choose another library with --library.")
    assert raised.value.in_app.endswith("Close that one first, or choose another library in Settings.")


def test_the_merge_dialog_shows_long_and_odd_names_as_typed_and_short(people_window):
    library = people_window.library
    keep, other = (tile.person_id for tile in people_window.people_model.tiles[:2])
    name = "<i>Zoe</i> " + "x" * 80
    operations.name_person(library, keep, name)
    people_window.people_model.reload()
    dialog = people_window.people_view.ask_merge(keep, other)
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    assert any(text.startswith("<b>&lt;i&gt;Zoe&lt;/i&gt; xxx") and "…" in text for text in texts)
    assert dialog.sizeHint().width() < 800
    dialog.reject()
