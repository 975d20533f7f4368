"""The item models over a real clustered library, without a window."""

import pytest

from photoface.gui.jobs.indexing import ProgressMeter
from photoface.gui.models.faces import FACE_ID_ROLE, FacesModel
from photoface.gui.models.people import (HIDDEN_ROLE, PERSON_ID_ROLE, TITLE_ROLE, PeopleFilter,
                                         PeopleModel)
from photoface.gui.models.thumbnails import ThumbnailCache
from photoface.people import operations, queries
from photoface.store.library import Library
from PySide6.QtCore import Qt


@pytest.fixture
def library(people_library, qapp):
    with Library.open(people_library) as library:
        yield library


def people_model(library, cache_size=100):
    model = PeopleModel(library, ThumbnailCache(library, 64, size=cache_size))
    model.reload()
    return model


def column(model, role):
    return [model.index(row, 0).data(role) for row in range(model.rowCount())]


def test_people_tiles_biggest_first_with_unnamed_and_unsorted(library):
    model = people_model(library)
    people = [t for t in model.tiles if t.person_id is not None]
    counts = [t.face_count for t in people]
    assert len(people) >= 3 and counts == sorted(counts, reverse=True)
    titles = column(model, TITLE_ROLE)
    assert titles.count("Unnamed") == len(people)
    if queries.unsorted_faces(library):
        assert "Unsorted" in titles and column(model, PERSON_ID_ROLE)[titles.index("Unsorted")] is None
    first = model.index(0, 0)
    assert first.data(Qt.ItemDataRole.DisplayRole) == f"Unnamed\n{counts[0]} faces"
    pixmap = first.data(Qt.ItemDataRole.DecorationRole)
    assert not pixmap.isNull() and max(pixmap.width(), pixmap.height()) == 64


def test_search_and_hidden_people_are_filtered(library):
    people = queries.people(library)
    operations.name_person(library, people[0]["id"], "Anna Smith")
    operations.hide_person(library, people[1]["id"])
    model = people_model(library)
    shown = PeopleFilter()
    shown.setSourceModel(model)
    assert people[1]["id"] not in column(shown, PERSON_ID_ROLE)
    assert not any(column(shown, HIDDEN_ROLE))
    shown.set_show_hidden(True)
    assert column(shown, PERSON_ID_ROLE)[-1] == people[1]["id"], "hidden people come last"
    shown.setFilterFixedString("anna")
    assert column(shown, TITLE_ROLE) == ["Anna Smith"]


def test_thumbnails_are_decoded_lazily_and_the_cache_stays_bounded(library):
    model = people_model(library, cache_size=2)
    assert len(model.thumbnails._pixmaps) == 0, "nothing decoded before a view asks"
    for row in range(model.rowCount()):
        model.index(row, 0).data(Qt.ItemDataRole.DecorationRole)
    assert len(model.thumbnails._pixmaps) == 2


def test_faces_model_lists_a_persons_faces_best_first(library):
    person = queries.people(library)[0]
    model = FacesModel(library, ThumbnailCache(library, 64))
    model.show_person(person["id"])
    assert sorted(column(model, FACE_ID_ROLE)) == person["face_ids"]
    model.show_person(None)
    assert column(model, FACE_ID_ROLE) == queries.unsorted_faces(library)


def test_progress_text_gives_speed_and_time_left():
    meter = ProgressMeter()
    assert meter.text(0, 20_000, now=0.0) == "Indexing 0 / 20,000 photos"
    assert meter.text(1_234, 20_000, now=200.0) == (
        "Indexing 1,234 / 20,000 photos - 6.2 photos/s - 51 min left")
    meter.restart()
    assert meter.text(1_240, 20_000, now=900.0) == "Indexing 1,240 / 20,000 photos"
