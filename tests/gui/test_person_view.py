"""The person view over a clustered library: the "same person?" strip in Unsorted, suggestions, names."""

import sys

import pytest

from photoface.gui.main_window import MainWindow
from photoface.people import operations, queries


@pytest.fixture
def people_window(qtbot, people_library, embedder):
    window = MainWindow(people_library, embedder=embedder)
    qtbot.addWidget(window)
    window.show()
    return window


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
