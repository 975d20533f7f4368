"""People while indexing (issue #19): new faces join existing people under the user's decisions.

Real photos (celeba_train), the real model, a real library: 3 people x 6 photos
indexed and grouped, then more photos of them indexed the way the app does it.
"""

import shutil
from pathlib import Path

import pytest
from PIL import Image

from photoface.index.pipeline import Indexer
from photoface.people import operations, queries
from photoface.people.incremental import FIRST_CHECKPOINT, PeopleAsIndexed, join_people
from photoface.people.recluster import recluster
from photoface.store.library import Library

from .conftest import NAMED_PEOPLE, copy_celeba, largest_faces

NEW_PHOTOS = slice(6, 9)


@pytest.fixture(scope="session")
def grouped_template(tmp_path_factory, embedder) -> Path:
    """Celeba photos of 3 people x 6, indexed and grouped into unnamed people."""
    root = tmp_path_factory.mktemp("grouped-library")
    copy_celeba(root / "photos", slice(0, 6))
    with Library.open(root / "library") as library:
        Indexer(library, embedder=embedder).run([root / "photos"])
        recluster(library)
    return root


@pytest.fixture
def library(grouped_template, tmp_path):
    shutil.copytree(grouped_template / "library", tmp_path / "library")
    with Library.open(tmp_path / "library") as library:
        yield library


def index_new(library, embedder, folder: Path, on_stored=None) -> list[int]:
    """Index ``folder`` as a pass does; the ids of the faces it stored."""
    stored = []

    def hear(face_ids):
        stored.extend(face_ids)
        if on_stored:
            on_stored(face_ids)

    Indexer(library, embedder=embedder, on_stored=hear).run([folder])
    return stored


def person_of(library) -> dict[int, int]:
    return {face: person["id"] for person in queries.people(library) for face in person["face_ids"]}


def assignments(library) -> set[tuple]:
    return set(library.db.execute("SELECT face_id, person_id, confirmed FROM face_people").fetchall())


def test_new_faces_join_the_person_of_their_identity(library, embedder, tmp_path):
    old = person_of(library)
    new = copy_celeba(tmp_path / "new", NEW_PHOTOS)
    stored = index_new(library, embedder, tmp_path / "new")
    assert not set(stored) & set(person_of(library)), "nobody joins before being asked"

    assert join_people(library, stored) > 0
    now = person_of(library)
    joined = 0
    for name, paths in new.items():
        for face in largest_faces(library, paths):
            if face in now:
                joined += 1
                same_identity = [f for f, p in old.items() if p == now[face]]
                assert same_identity, "joined a person holding faces from before"
    assert joined >= len(NAMED_PEOPLE) * 2, f"most new main faces join someone ({joined} of 9)"
    people_by_identity = {}
    for name, paths in new.items():
        people_by_identity[name] = {now[f] for f in largest_faces(library, paths) if f in now}
    for one in NAMED_PEOPLE:
        for other in NAMED_PEOPLE:
            if one != other:
                assert not people_by_identity[one] & people_by_identity[other], "two people never mixed"
    assert {face: person for face, person in now.items() if face in old} == old, "placed faces stay"


def test_a_rejected_face_never_joins_the_person_again(library):
    person = max(queries.people(library), key=lambda p: p["face_count"])
    rejected = person["face_ids"][0]
    operations.remove_faces(library, person["id"], [rejected])
    join_people(library, [rejected])
    assert rejected not in queries.person(library, person["id"])["face_ids"]
    # Nor any person holding a face it is linked to.
    linked = {other for (other,) in library.db.execute(
        "SELECT other_face_id FROM cannot_links WHERE face_id = ?", [rejected])}
    placed = person_of(library)
    assert placed.get(rejected) not in {placed.get(face) for face in linked}


def test_named_peoples_confirmed_faces_stay_and_checkpoints_keep_them(library, embedder, tmp_path):
    named = max(queries.people(library), key=lambda p: p["face_count"])
    operations.name_person(library, named["id"], "Ada")
    confirmed = {row for row in assignments(library) if row[2] == 1}
    copies = copy_celeba(tmp_path / "new", NEW_PHOTOS)
    changes = []
    people = PeopleAsIndexed(library, changed=lambda: changes.append(1), growth=1.1)
    first_checkpoint = people.next_checkpoint

    stored = index_new(library, embedder, tmp_path / "new", on_stored=people.faces_stored)

    assert people.next_checkpoint > first_checkpoint, "a checkpoint grouped the faces midway"
    assert changes, "people changed while the pass ran"
    assert confirmed <= assignments(library), "every confirmed face where the user put it"
    ada = queries.person(library, named["id"])
    assert ada["name"] == "Ada"
    # Checkpoints' cluster runs add her new photos' faces, unconfirmed, and nobody else's.
    added = set(ada["face_ids"]) - {face for face, _, _ in confirmed}
    assert all((face, named["id"], 0) in assignments(library) for face in added)
    identity = {path.name: name for photos in (copy_celeba(tmp_path / "old", slice(0, 6)), copies)
                for name, paths in photos.items() for path in paths}
    identity_of = {face["id"]: identity[Path(face["path"]).name] for face in library.faces()}
    assert {identity_of[face] for face in added} <= {identity_of[face] for face, _, _ in confirmed}
    assert set(stored) & set(person_of(library)), "new faces are in people before the final grouping"


def test_two_faces_of_one_photo_never_join_one_person(library, embedder, tmp_path):
    # One photo holding two photos of the same person, side by side (a collage).
    photos = copy_celeba(tmp_path / "collage-parts", NEW_PHOTOS)[NAMED_PEOPLE[0]]
    first, second = (Image.open(path).convert("RGB") for path in photos[:2])
    collage = Image.new("RGB", (first.width + second.width, max(first.height, second.height)))
    collage.paste(first, (0, 0))
    collage.paste(second, (first.width, 0))
    (tmp_path / "new").mkdir()
    collage.save(tmp_path / "new" / "collage.jpg", quality=95)

    stored = index_new(library, embedder, tmp_path / "new")
    assert len(stored) >= 2
    join_people(library, stored)
    placed = person_of(library)
    persons = [placed[face] for face in stored if face in placed]
    assert persons, "a face of the collage joins its person"
    assert len(persons) == len(set(persons)), "never two faces of the photo in one person"


def test_a_big_library_groups_again_only_once_its_faces_grew_by_a_factor(library, tmp_path):
    faces = library.db.execute("SELECT count(*) FROM faces").fetchone()[0]
    assert faces > 16
    assert PeopleAsIndexed(library).next_checkpoint > 1.5 * faces, "a few new photos wait for the final grouping"
    with Library.open(tmp_path / "new-library") as new_library:
        assert PeopleAsIndexed(new_library).next_checkpoint == FIRST_CHECKPOINT, "a new library groups at once"
