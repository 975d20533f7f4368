"""People: operations, undo, re-clustering and re-indexing on a real library of synthetic faces.

Faces are blobs on the sphere (one centre per identity), saved through
``Library.save_indexed_photo``; no model runs.
"""

import json
import sqlite3
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlite_utils import Database

from benchmarks.docs_screenshots import build
from photoface.cli import cli
from photoface.cluster.agglomerative import LEVELS, UNSORTED, cluster_embeddings
from photoface.errors import PhotofaceError
from photoface.library_settings import cluster_level, set_cluster_level
from photoface.people import operations as ops
from photoface.people import queries
from photoface.people.recluster import MIN_SUGGESTION_VOTES, SUGGESTION_NEIGHBOURS, recluster
from photoface.photos.orientation import box_to_stored
from photoface.store.library import Library
from photoface.store.migrations import migrate
from photoface.store.records import FaceRecord, PhotoRecord

MODEL = "test-model"
DIM = 32
SPREAD = 0.15  # noise per coordinate around a centre: same identity ~0.7 apart (squared), others ~2


def centre(identity: int) -> np.ndarray:
    vector = np.random.default_rng(1000 + identity).standard_normal(DIM)
    return vector / np.linalg.norm(vector)


def embedding(identity: int, seed: int) -> np.ndarray:
    noise = np.random.default_rng(seed).standard_normal(DIM) * SPREAD / np.sqrt(DIM) * 4
    vector = centre(identity) + noise
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def face(identity: int, slot: int, seed: int, quality: float = 0.9) -> FaceRecord:
    """A face of ``identity`` at horizontal ``slot`` of its photo (slots never overlap)."""
    return FaceRecord(
        box=(10.0 + 200 * slot, 20.0, 100.0, 120.0),
        landmarks=[(0.0, 0.0)] * 5, det_score=0.99, quality=quality, sharpness=50.0,
        thumbnail=b"jpeg", embedding=embedding(identity, seed),
    )


def bridge(first: int, second: int, at: float, seed: int) -> np.ndarray:
    """A face ``at`` (0..1) of the way from ``first``'s centre to ``second``'s: new photos that join two clusters."""
    vector = (1 - at) * centre(first) + at * centre(second)
    vector = vector + np.random.default_rng(seed).standard_normal(DIM) * 0.05
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def save_bridges(library: Library, first: int, second: int, count: int, name: str = "bridge") -> None:
    """``count`` photos of one face each, evenly spaced between two identities."""
    for i in range(count):
        record = PhotoRecord(f"/photos/{name}{i}.jpg", 1, 1, f"hash-{name}{i}", width=1000, height=800)
        between = replace(face(first, 0, 0), embedding=bridge(first, second, (i + 1) / (count + 1), seed=500 + i))
        library.save_indexed_photo(record, [between], MODEL)


def save_photo(library: Library, name: str, identities: list[int], seed: int = 0, **photo) -> int:
    record = PhotoRecord(f"/photos/{name}.jpg", 1, 1, f"hash-{name}", **{"width": 1000, "height": 800, **photo})
    faces = [face(identity, slot, seed * 100 + slot + 7919 * identity) for slot, identity in enumerate(identities)]
    return library.save_indexed_photo(record, faces, MODEL)


@pytest.fixture
def library(tmp_path):
    with Library.open(tmp_path / "lib") as library:
        library.register_model(MODEL, DIM)
        yield library


def family(library: Library, photos: int = 6) -> None:
    """Identities 0 and 1 in every photo together, 2 alone in every other one."""
    for i in range(photos):
        save_photo(library, f"p{i}", [0, 1] + ([2] if i % 2 else []), seed=i)


def one_person_a_photo(library: Library, counts: tuple[int, ...] = (6, 3)) -> None:
    """``counts[i]`` photos of identity i alone: nothing keeps the people apart but their faces."""
    for identity, count in enumerate(counts):
        for i in range(count):
            save_photo(library, f"alone{identity}-{i}", [identity], seed=i)


def faces_by_identity(library: Library) -> dict[int, set[int]]:
    """Face ids per identity, read back from the embeddings (nearest centre)."""
    ids, vectors = library.embedding_matrix(MODEL)
    nearest = np.argmax(vectors @ np.stack([centre(i) for i in range(5)]).T, axis=1)
    return {identity: set(ids[nearest == identity].tolist()) for identity in set(nearest.tolist())}


def person_with(library: Library, face_id: int) -> dict | None:
    return next((p for p in queries.people(library) if face_id in p["face_ids"]), None)


def tables(library: Library) -> dict:
    """Everything people-related, for exact before/after comparisons."""
    db = library.db
    return {
        "persons": db.execute("SELECT id, name, hidden, created_at FROM persons ORDER BY id").fetchall(),
        "face_people": db.execute("SELECT * FROM face_people ORDER BY face_id").fetchall(),
        "rejections": db.execute("SELECT * FROM rejections ORDER BY 1, 2").fetchall(),
        "cannot_links": db.execute("SELECT * FROM cannot_links ORDER BY 1, 2").fetchall(),
        "suggestions": db.execute("SELECT * FROM suggestions ORDER BY 1, 2").fetchall(),
        "hidden": db.execute("SELECT id FROM faces WHERE hidden = 1 ORDER BY id").fetchall(),
        "operations": db.execute("SELECT * FROM operations ORDER BY id").fetchall(),
    }


# --- schema -----------------------------------------------------------------------------------


def test_v1_library_upgrades_to_v2_keeping_its_faces(tmp_path):
    db = Database(tmp_path / "old.db")
    migrate(db, target=1)
    db.execute("INSERT INTO photos (id, path, status) VALUES (1, '/a.jpg', 'indexed')")
    db.execute('INSERT INTO faces (id, photo_id, "left", top, width, height) VALUES (5, 1, 0, 0, 9, 9)')
    db.conn.commit()

    assert migrate(db, target=2) == 2
    assert db.execute("SELECT id, hidden FROM faces").fetchall() == [(5, 0)]
    assert {"persons", "face_people", "rejections", "suggestions", "operations"} <= set(db.table_names())
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("INSERT INTO persons (name) VALUES ('Anna')")
    with pytest.raises(sqlite3.IntegrityError):  # names are unique, whatever the case
        db.execute("INSERT INTO persons (name) VALUES ('anna')")
    with pytest.raises(sqlite3.IntegrityError):  # a face belongs to an existing person
        db.execute("INSERT INTO face_people (face_id, person_id) VALUES (5, 99)")


def test_v6_rejections_become_cannot_links_and_none_is_lost(tmp_path):
    db = Database(tmp_path / "old.db")
    migrate(db, target=6)
    db.execute("INSERT INTO photos (id, path, status) VALUES (1, '/a.jpg', 'indexed')")
    for face_id in range(1, 7):
        db.execute('INSERT INTO faces (id, photo_id, "left", top, width, height) VALUES (?, 1, 0, 0, 9, 9)', [face_id])
    db.execute("INSERT INTO persons (id, name) VALUES (1, NULL), (2, 'Anna'), (3, NULL)")
    db.execute("INSERT INTO face_people (face_id, person_id, confirmed) VALUES (1, 1, 0), (2, 1, 0), (3, 2, 1)")
    # 4 is not person 1 (faces 1, 2), nor Anna (face 3); 5 is not person 3, who holds no face.
    db.execute("INSERT INTO rejections (face_id, person_id) VALUES (4, 1), (4, 2), (5, 3)")
    db.conn.commit()

    assert migrate(db, target=7) == 7
    assert db.execute("SELECT * FROM rejections ORDER BY 1, 2").fetchall() == [(4, 1), (4, 2), (5, 3)]
    assert db.execute("SELECT * FROM cannot_links ORDER BY 1, 2").fetchall() == [(4, 1), (4, 2), (4, 3)]
    assert db.execute("SELECT count(*) FROM face_successors").fetchone()[0] == 0
    db.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.IntegrityError):  # a person named by a rejection is not deleted with it
        db.execute("DELETE FROM persons WHERE id = 3")
    db.execute("DELETE FROM faces WHERE id = 1")  # a face that goes takes its links along
    assert db.execute("SELECT * FROM cannot_links ORDER BY 1, 2").fetchall() == [(4, 2), (4, 3)]


# --- clustering -----------------------------------------------------------------------------


def test_cluster_finds_people_and_keeps_their_ids(library):
    family(library)
    report = recluster(library)
    truth = faces_by_identity(library)
    first = {p["id"]: set(p["face_ids"]) for p in queries.people(library)}
    assert set(map(frozenset, first.values())) == set(map(frozenset, truth.values()))
    assert report.people == 3 and report.unsorted == 0
    assert [p["face_count"] for p in queries.people(library)] == [6, 6, 3]  # by face count

    recluster(library)
    assert {p["id"]: set(p["face_ids"]) for p in queries.people(library)} == first

    save_photo(library, "new", [2, 0], seed=99)  # new photos: the same tiles grow
    recluster(library)
    after = {p["id"]: set(p["face_ids"]) for p in queries.people(library)}
    assert after.keys() == first.keys()
    assert all(first[i] <= after[i] for i in first)
    assert sum(len(after[i]) - len(first[i]) for i in first) == 2


def test_singletons_are_unsorted(library):
    family(library, photos=2)
    save_photo(library, "stranger", [4])
    recluster(library)
    stranger = faces_by_identity(library)[4]
    assert stranger <= set(queries.unsorted_faces(library))


def test_named_people_never_move_or_merge_when_clustering(library):
    family(library)
    recluster(library)
    truth = faces_by_identity(library)
    anna, ben = person_with(library, min(truth[0])), person_with(library, min(truth[1]))
    ops.name_person(library, anna["id"], "Anna")
    ops.name_person(library, ben["id"], "Ben")
    before = {p["id"]: (p["name"], p["face_ids"]) for p in queries.people(library) if p["name"]}

    recluster(library, threshold=4.0)  # would put every face in one cluster
    recluster(library, model_id=MODEL)
    after = {p["id"]: (p["name"], p["face_ids"]) for p in queries.people(library) if p["name"]}
    assert after == before
    confirmed = library.db.execute("SELECT count(*) FROM face_people WHERE confirmed = 1").fetchone()[0]
    assert confirmed == 12


def remove_first_face(library: Library, identity: int) -> tuple[dict[int, set[int]], int, int]:
    """Cluster, then "Not them" on the lowest face of ``identity``: (faces by identity, face, its person)."""
    recluster(library)
    truth = faces_by_identity(library)
    face_id = min(truth[identity])
    person_id = person_with(library, face_id)["id"]
    ops.remove_faces(library, person_id, [face_id])
    return truth, face_id, person_id


def test_rejected_face_never_returns_to_that_person(library):
    family(library)
    truth, face_id, person_id = remove_first_face(library, 0)
    for threshold in (1.1, 4.0):
        recluster(library, threshold=threshold)
        assert face_id not in queries.person(library, person_id)["face_ids"]
        assert all(s["face_id"] != face_id or s["person_id"] != person_id
                   for s in queries.suggestions(library))


def test_a_face_removed_from_an_unnamed_person_stays_apart_after_bridging_photos(library):
    """Issue #17: clustering gave person 2's faces to person 1, retired 2 and forgot the rejection."""
    one_person_a_photo(library)
    truth, removed, person_2 = remove_first_face(library, 1)
    taken_from = truth[1] - {removed}

    save_bridges(library, 0, 1, 4)  # new photos between the two people
    recluster(library, threshold=2.0)  # at which the bridges join them into one cluster
    merged = person_with(library, min(taken_from))
    assert truth[0] <= set(merged["face_ids"])  # the bridges did join them: person 2 was retired
    assert removed not in merged["face_ids"]
    holder = person_with(library, removed)
    assert holder is None or not taken_from & set(holder["face_ids"])
    assert all(s["face_id"] != removed or s["person_id"] != merged["id"] for s in queries.suggestions(library))


def test_a_retired_persons_rejections_become_links_to_the_faces_it_held(library):
    """Faces clustering gave the person after the rejection stay apart from the rejected face too."""
    one_person_a_photo(library)
    truth, removed, person_2 = remove_first_face(library, 1)
    save_photo(library, "later", [1], seed=9)  # joins person 2 after the rejection
    recluster(library)
    later = (faces_by_identity(library)[1] - truth[1]).pop()
    assert later in queries.person(library, person_2)["face_ids"]

    recluster(library, threshold=4.0)  # one cluster: person 2 is retired
    assert library.db.execute("SELECT count(*) FROM persons WHERE id = ?", [person_2]).fetchone()[0] == 0
    links = set(library.db.execute("SELECT face_id, other_face_id FROM cannot_links").fetchall())
    assert links == {(removed, face) for face in truth[1] - {removed} | {later}}
    assert removed in queries.unsorted_faces(library)


def test_a_person_named_by_a_rejection_cannot_be_deleted_silently(clustered):
    library, truth, (a, b, c) = clustered
    ops.reject_face(library, min(truth[0]), c)
    ops.split_person(library, c, sorted(truth[2]))  # c holds no face now
    with pytest.raises(sqlite3.IntegrityError):  # no cascade: the decision would go with it
        library.db.execute("DELETE FROM persons WHERE id = ?", [c])


def test_hidden_people_keep_their_faces_when_clustering(library):
    one_person_a_photo(library)
    recluster(library)
    truth = faces_by_identity(library)
    stranger = person_with(library, min(truth[1]))["id"]
    ops.hide_person(library, stranger)
    recluster(library, threshold=4.0)  # would give the stranger's faces to the other person
    assert set(queries.person(library, stranger)["face_ids"]) == truth[1]
    assert queries.person(library, stranger)["hidden"]
    assert [p["face_ids"] for p in queries.people(library, include_hidden=False)] == [sorted(truth[0])]


def test_clustering_never_labels_cannot_linked_faces_alike():
    vectors = np.stack([embedding(0, seed) for seed in range(6)] + [embedding(1, seed) for seed in range(4)])
    free = cluster_embeddings(vectors)
    assert len(set(free[:6].tolist())) == 1 and len(set(free[6:].tolist())) == 1
    linked = cluster_embeddings(vectors, cannot_link=np.array([[0, 1], [0, 2], [6, 7]]))
    assert linked[0] == UNSORTED and linked[6] == UNSORTED  # no other cluster is near enough
    assert np.array_equal(linked[[1, 2, 3, 4, 5]], free[[1, 2, 3, 4, 5]])
    assert linked[7] == linked[8] == linked[9] != UNSORTED
    everyone = cluster_embeddings(vectors, threshold=4.0, cannot_link=np.array([[0, 6]]))
    assert everyone[0] != everyone[6]


def test_decisions_made_while_clustering_runs_win(library, monkeypatch):
    from photoface.people import recluster as module

    family(library)
    recluster(library)
    truth = faces_by_identity(library)
    ben = person_with(library, min(truth[1]))["id"]
    cluster_embeddings = module.cluster_embeddings

    def user_acts_meanwhile(*args, **kwargs):
        ops.confirm_face(library, max(truth[0]), ben)  # a face of another photo
        save_photo(library, "p0", [0, 1], seed=0)  # re-indexed: its old face ids vanish
        return cluster_embeddings(*args, **kwargs)

    monkeypatch.setattr(module, "cluster_embeddings", user_acts_meanwhile)
    recluster(library)
    assert max(truth[0]) in queries.person(library, ben)["face_ids"]
    assert library.db.execute("PRAGMA foreign_key_check").fetchall() == []


# --- suggestions ------------------------------------------------------------------------------


def family_with_anna(library: Library) -> tuple[dict[int, set[int]], int]:
    """The family clustered, identity 0's person named Anna: (faces by identity, Anna's id)."""
    family(library)
    recluster(library)
    truth = faces_by_identity(library)
    anna = person_with(library, min(truth[0]))["id"]
    ops.name_person(library, anna, "Anna")
    return truth, anna


def test_new_faces_near_a_named_person_are_suggested_then_confirmed_or_rejected(library):
    truth, anna = family_with_anna(library)
    save_photo(library, "new1", [0], seed=50)
    save_photo(library, "new2", [0, 3], seed=51)
    recluster(library)
    new = sorted(faces_by_identity(library)[0] - truth[0])
    # They come in Anna, unconfirmed, and are asked about all the same.
    held = {row["face_id"]: row["confirmed"] for row in queries.person_faces(library, anna)}
    assert held == {**{face: True for face in truth[0]}, new[0]: False, new[1]: False}
    suggested = {(s["face_id"], s["person_id"], s["name"]) for s in queries.suggestions(library)}
    assert suggested == {(new[0], anna, "Anna"), (new[1], anna, "Anna")}
    assert all(0 < s["score"] <= 1 and s["distance"] < 1.0 for s in queries.suggestions(library))

    ops.confirm_face(library, new[0], anna)
    ops.reject_face(library, new[1], anna)
    recluster(library)
    assert new[0] in queries.person(library, anna)["face_ids"]
    assert new[1] not in queries.person(library, anna)["face_ids"]
    assert queries.suggestions(library) == []


def test_new_faces_of_a_named_person_join_them_but_a_face_rejected_from_them_never_does(library):
    truth, anna = family_with_anna(library)
    for i in range(3):
        save_photo(library, f"new{i}", [0], seed=70 + i)
    recluster(library)
    new = sorted(faces_by_identity(library)[0] - truth[0])
    assert set(new) <= set(queries.person(library, anna)["face_ids"])
    assert [p for p in queries.people(library) if p["name"] is None and set(p["face_ids"]) & set(new)] == []

    ops.remove_faces(library, anna, [new[0]])
    for level in LEVELS:
        recluster(library, level=level)
        assert new[0] not in queries.person(library, anna)["face_ids"]
    recluster(library)
    assert set(new[1:]) <= set(queries.person(library, anna)["face_ids"])
    save_photo(library, "later", [0], seed=80)  # whether it clusters with the rejected face or not
    recluster(library, threshold=4.0)
    assert new[0] not in queries.person(library, anna)["face_ids"]


def test_new_photos_of_named_people_come_in_them_not_in_an_unnamed_twin(tmp_path, copy_photos):
    """The README's library (issue #16): knn/train indexed and named, knn/test indexed, grouped again."""
    build(tmp_path / "library", copy_photos("knn/train", "knn/test"))
    with Library.open(tmp_path / "library") as library:
        where = {face["id"]: "/".join(Path(face["path"]).parts[-2:]) for face in library.faces()}
        people = {p["name"]: {where[face] for face in p["face_ids"]} for p in queries.people(library)}
    assert people.pop(None) == {"alex_lacamoire/img1.jpg", "test/alex_lacamoire1.jpg"}  # never named
    assert people == {
        "Biden": {"biden/biden.jpg", "biden/biden2.jpg", "test/obama_and_biden.jpg"},
        "Obama": {"obama/obama.jpg", "obama/obama2.jpg", "test/obama1.jpg", "test/obama_and_biden.jpg"},
        "Kit Harington": {"kit_harington/john1.jpeg", "kit_harington/john2.jpeg", "test/johnsnow_test1.jpg",
                          "test/kit_with_rose.jpg"},
        "Rose Leslie": {"rose_leslie/img1.jpg", "rose_leslie/img2.jpg", "test/kit_with_rose.jpg"},
    }


def test_suggestions_need_two_votes_and_come_likeliest_first(library):
    truth, anna = family_with_anna(library)
    for i in range(3):
        save_photo(library, f"new{i}", [0], seed=90 + i)
    # Duo holds one face of identity 1 and one of 2: identity 1's other faces get one vote of 5.
    duo = ops.create_person(library, [min(truth[1]), min(truth[2])], name="Duo")
    recluster(library)
    assert [s for s in queries.suggestions(library) if s["person_id"] == duo] == []
    asked = queries.person_suggestions(library, anna)
    assert asked and all(s["score"] >= MIN_SUGGESTION_VOTES / SUGGESTION_NEIGHBOURS for s in asked)
    assert asked == sorted(asked, key=lambda s: (-s["score"], s["distance"]))

    ops.undo(library)  # named from one face, a person can have one vote only: that one is enough
    uno = ops.create_person(library, [min(truth[1])], name="Uno")
    recluster(library)
    assert {s["face_id"] for s in queries.person_suggestions(library, uno)} <= truth[1] - {min(truth[1])}
    assert queries.person_suggestions(library, uno)


def test_no_suggestion_where_the_person_already_is_in_the_photo(library):
    _, anna = family_with_anna(library)
    photo = save_photo(library, "twins", [0, 0], seed=60)
    recluster(library)
    twins = [f["id"] for f in library.faces() if f["photo_id"] == photo]
    assert len({s["face_id"] for s in queries.suggestions(library)} & set(twins)) == 2
    assert len(set(twins) & set(queries.person(library, anna)["face_ids"])) <= 1
    ops.confirm_face(library, twins[0], anna)
    for threshold in (None, 4.0):
        recluster(library, threshold=threshold)
        assert [s for s in queries.suggestions(library) if s["face_id"] == twins[1]] == []
        assert twins[1] not in queries.person(library, anna)["face_ids"]  # the photo has Anna already


# --- operations and undo ------------------------------------------------------------------------


@pytest.fixture
def clustered(library):
    family(library)
    recluster(library)
    truth = faces_by_identity(library)
    ids = [person_with(library, min(truth[i]))["id"] for i in range(3)]
    return library, truth, ids


def check_undo(library: Library, operation) -> None:
    before = tables(library)
    operation()
    assert tables(library) != before
    ops.undo(library)
    assert tables(library) == before


def test_each_operation_is_undone_exactly(clustered):
    library, truth, (a, b, c) = clustered
    some = sorted(truth[0])[:2]
    check_undo(library, lambda: ops.name_person(library, a, "Anna"))
    check_undo(library, lambda: ops.merge_people(library, a, b))
    check_undo(library, lambda: ops.split_person(library, a, some))
    check_undo(library, lambda: ops.split_person(library, a, some, into=c))
    check_undo(library, lambda: ops.remove_faces(library, a, some))
    check_undo(library, lambda: ops.confirm_face(library, min(truth[1]), a))
    check_undo(library, lambda: ops.reject_face(library, min(truth[1]), c))
    check_undo(library, lambda: ops.confirm_faces(library, sorted(truth[1])[:3], a))  # several: one step
    check_undo(library, lambda: ops.reject_faces(library, sorted(truth[1])[:3], b))
    check_undo(library, lambda: ops.hide_person(library, c))
    check_undo(library, lambda: ops.hide_face(library, some[0]))


def test_confirming_a_rejected_face_ends_its_links_and_undo_brings_them_back(clustered):
    library, truth, (a, b, c) = clustered
    face = min(truth[0])
    ops.remove_faces(library, a, [face])
    linked = library.db.execute("SELECT other_face_id FROM cannot_links WHERE face_id = ? ORDER BY 1", [face])
    assert [other for (other,) in linked] == sorted(truth[0] - {face})
    check_undo(library, lambda: ops.confirm_face(library, face, a))
    ops.confirm_face(library, face, a)  # the user changed their mind: nothing keeps them apart
    assert library.db.execute("SELECT count(*) FROM cannot_links").fetchone()[0] == 0


def test_undoing_a_merge_after_clustering_keeps_every_rejection(library):
    one_person_a_photo(library, (6, 3, 3))
    recluster(library)
    truth = faces_by_identity(library)
    a, b, c = (person_with(library, min(truth[i]))["id"] for i in range(3))
    rejected = min(truth[2])
    ops.remove_faces(library, c, [rejected])
    ops.merge_people(library, b, c)
    recluster(library)
    ops.undo(library)
    assert rejected in queries.unsorted_faces(library)
    recluster(library, threshold=4.0)  # one cluster: c's faces go to a bigger person and c is retired
    holder = person_with(library, rejected)
    assert holder is None or not (truth[2] - {rejected}) & set(holder["face_ids"])


def test_an_operation_logged_before_v7_is_undone_with_the_links_v5_made_of_it(clustered):
    library, truth, (a, b, c) = clustered
    ops.reject_face(library, min(truth[1]), c)  # an older rejection: its links stay
    kept = library.db.execute("SELECT * FROM cannot_links ORDER BY 1, 2").fetchall()
    face = min(truth[0])
    ops.remove_faces(library, a, [face])
    entry_id, undo = library.db.execute("SELECT id, undo FROM operations ORDER BY id DESC").fetchone()
    before_v7 = {key: value for key, value in json.loads(undo).items() if key != "cannot_links"}
    library.db.execute("UPDATE operations SET undo = ? WHERE id = ?", [json.dumps(before_v7), entry_id])

    ops.undo(library)
    assert face in queries.person(library, a)["face_ids"]
    assert library.db.execute("SELECT * FROM rejections").fetchall() == [(min(truth[1]), c)]
    assert library.db.execute("SELECT * FROM cannot_links ORDER BY 1, 2").fetchall() == kept


def test_undoing_a_merge_after_reindexing_restores_the_reindexed_faces(clustered):
    library, truth, (a, b, c) = clustered
    rejected = next(f["id"] for f in library.faces() if f["path"] == "/photos/p1.jpg" and f["box"][0] == 410.0)
    ops.reject_face(library, rejected, a)  # identity 2 of photo p1 is not person a
    ops.merge_people(library, a, c)  # the user's word: now it is
    save_photo(library, "p1", [0, 1, 2], seed=1)  # re-indexed: p1's faces get new ids
    now = next(f["id"] for f in library.faces() if f["path"] == "/photos/p1.jpg" and f["box"][0] == 410.0)
    assert now != rejected and now in queries.person(library, a)["face_ids"]

    assert ops.undo(library).startswith("Merged")
    assert now in queries.person(library, c)["face_ids"]
    assert library.db.execute("SELECT person_id FROM rejections WHERE face_id = ?", [now]).fetchall() == [(a,)]
    linked = {other for (other,) in library.db.execute(
        "SELECT other_face_id FROM cannot_links WHERE face_id = ?", [now])}
    assert linked == set(queries.person(library, a)["face_ids"])


def test_undo_is_a_stack(clustered):
    library, truth, (a, b, c) = clustered
    states = [tables(library)]
    ops.name_person(library, a, "Anna")
    states.append(tables(library))
    ops.name_person(library, b, "Ben")
    states.append(tables(library))
    ops.merge_people(library, a, b)
    for state in reversed(states):
        ops.undo(library)
        assert tables(library) == state
    with pytest.raises(PhotofaceError, match="Nothing to undo"):
        ops.undo(library)


def test_merge_keeps_a_name_and_confirms_everything(clustered):
    library, truth, (a, b, c) = clustered
    ops.name_person(library, b, "Ben")
    ops.merge_people(library, a, b)
    merged = queries.person(library, a)
    assert merged["name"] == "Ben" and set(merged["face_ids"]) == truth[0] | truth[1]
    assert [row["confirmed"] for row in queries.person_faces(library, a)] == [True] * 12
    with pytest.raises(PhotofaceError, match="no person"):
        queries.person(library, b)


def test_split_moves_faces_to_a_new_confirmed_person(clustered):
    library, truth, (a, b, c) = clustered
    moved = sorted(truth[0])[:2]
    new = ops.split_person(library, a, moved)
    assert queries.person(library, new)["face_ids"] == moved
    assert set(queries.person(library, a)["face_ids"]) == truth[0] - set(moved)
    recluster(library)
    assert queries.person(library, new)["face_ids"] == moved


def test_faces_split_off_and_named_never_take_back_the_rest(clustered):
    """A split says "these are someone else": naming them must not pull the rest in."""
    library, truth, (a, b, c) = clustered
    moved = sorted(truth[0])[:2]
    new = ops.split_person(library, a, moved)
    ops.name_person(library, new, "Anna")
    for level in LEVELS:
        recluster(library, level=level)
        assert queries.person(library, new)["face_ids"] == moved
    ops.undo(library)  # the name
    ops.undo(library)  # the split: its links go with it
    assert library.db.execute("SELECT count(*) FROM cannot_links").fetchone()[0] == 0


def test_a_taken_name_asks_for_a_merge(clustered):
    library, truth, (a, b, c) = clustered
    ops.name_person(library, a, "Anna")
    ops.name_person(library, a, "  Anna  ")  # the same person may keep or restyle its name
    with pytest.raises(PhotofaceError, match=f"merge {a} {b}"):
        ops.name_person(library, b, "anna")
    with pytest.raises(PhotofaceError, match="empty"):
        ops.name_person(library, b, " ")


def test_unknown_ids_are_refused(clustered):
    library, truth, (a, b, c) = clustered
    other = min(truth[1])
    for call, message in [
        (lambda: ops.name_person(library, 999, "X"), "no person 999"),
        (lambda: ops.merge_people(library, a, a), "itself"),
        (lambda: ops.split_person(library, a, [other]), f"no face {other}"),
        (lambda: ops.remove_faces(library, a, []), "at least one"),
        (lambda: ops.confirm_face(library, 12345, a), "no face 12345"),
        (lambda: ops.confirm_faces(library, [], a), "at least one"),
        (lambda: ops.hide_person(library, 999), "no person 999"),
    ]:
        before = tables(library)
        with pytest.raises(PhotofaceError, match=message):
            call()
        assert tables(library) == before


def test_hidden_people_come_last_and_hidden_faces_leave_lists(clustered):
    library, truth, (a, b, c) = clustered
    ops.hide_person(library, a)
    hidden_face = min(truth[1])
    ops.hide_face(library, hidden_face)
    listed = queries.people(library)
    assert listed[-1]["id"] == a and listed[-1]["hidden"]
    assert hidden_face not in queries.person(library, b)["face_ids"]
    assert queries.hidden_faces(library) == [hidden_face]
    assert a not in [p["id"] for p in queries.people(library, include_hidden=False)]
    recluster(library)
    assert hidden_face not in queries.unsorted_faces(library)


# --- re-indexing ------------------------------------------------------------------------------


def test_reindexing_carries_decisions_to_the_overlapping_face(clustered):
    library, truth, (a, b, c) = clustered
    ops.name_person(library, a, "Anna")
    photo = library.photo_by_path("/photos/p1.jpg")
    old = {f["box"][0]: f["id"] for f in library.faces() if f["photo_id"] == photo["id"]}
    ops.remove_faces(library, b, [old[210.0]])  # identity 1, slot 1
    ops.hide_face(library, old[410.0])  # identity 2, slot 2

    save_photo(library, "p1", [0, 1, 2], seed=1)  # re-detected: same boxes, new face ids
    new = {f["box"][0]: f["id"] for f in library.faces() if f["photo_id"] == photo["id"]}
    assert not set(new.values()) & set(old.values())
    assert new[10.0] in queries.person(library, a)["face_ids"]
    assert library.db.execute("SELECT face_id, person_id FROM rejections").fetchall() == [(new[210.0], b)]
    links = set(library.db.execute("SELECT face_id, other_face_id FROM cannot_links").fetchall())
    assert links == {(new[210.0], other) for other in truth[1] - {old[210.0]}}
    assert queries.hidden_faces(library) == [new[410.0]]

    recluster(library)
    assert new[210.0] not in queries.person(library, b)["face_ids"]


def test_reindexing_a_rotated_photo_matches_faces_upright(library):
    save_photo(library, "r", [0], orientation=1)
    face_id = next(library.faces())["id"]
    anna = ops.create_person(library, [face_id], "Anna")
    # The pixels were turned a quarter and tagged to show upright: the same face, a new stored box.
    stored_box = box_to_stored((10.0, 20.0, 100.0, 120.0), (800, 1000), 6)
    turned = FaceRecord(box=stored_box, landmarks=[(0.0, 0.0)] * 5, det_score=0.99, quality=0.9,
                        sharpness=50.0, thumbnail=b"jpeg", embedding=embedding(0, 1))
    record = PhotoRecord("/photos/r.jpg", 1, 2, "hash-r2", width=800, height=1000, orientation=6)
    library.save_indexed_photo(record, [turned], MODEL)
    assert queries.person(library, anna)["face_ids"] == [next(library.faces())["id"]] != [face_id]


# --- command line ---------------------------------------------------------------------------------


def run(library_dir: Path, *args: str):
    result = CliRunner().invoke(cli, ["--library", str(library_dir), *args])
    return result


def test_command_line_people_workflow(tmp_path):
    with Library.open(tmp_path) as library:
        library.register_model(MODEL, DIM)
        family(library)
    assert "3 people" in run(tmp_path, "cluster").output
    listed = json.loads(run(tmp_path, "people", "--json").output)
    assert [set(p) for p in listed] == [{"id", "name", "face_ids", "hidden", "face_count", "cover_face_id"}] * 3
    a, b = listed[0]["id"], listed[1]["id"]

    assert run(tmp_path, "name", str(a), "Anna").exit_code == 0
    assert run(tmp_path, "merge", str(a), str(b)).exit_code == 0
    merged = json.loads(run(tmp_path, "people", "--json").output)[0]
    assert (merged["id"], merged["name"], merged["face_count"]) == (a, "Anna", 12)
    split = run(tmp_path, "split", str(a), str(merged["face_ids"][0]))
    assert split.exit_code == 0 and "Faces moved to person" in split.output
    assert "Undone: Moved faces" in run(tmp_path, "undo").output
    assert "Undone: Merged" in run(tmp_path, "undo").output
    assert run(tmp_path, "remove", str(a), str(merged["face_ids"][0])).exit_code == 0
    assert run(tmp_path, "hide", str(b)).exit_code == 0
    assert run(tmp_path, "hide", "--face", str(merged["face_ids"][1])).exit_code == 0
    assert json.loads(run(tmp_path, "suggestions", "--json").output) == []

    created = run(tmp_path, "new", str(merged["face_ids"][0]), "--name", "Zoe")
    assert created.exit_code == 0 and "New person" in created.output
    failed = run(tmp_path, "name", "999", "Nobody")
    assert failed.exit_code == 1 and failed.output == "Error: There is no person 999.\n"
    assert run(tmp_path, "confirm", "999999", str(a)).exit_code == 1
    assert run(tmp_path, "reject", str(merged["face_ids"][0]), "999").exit_code == 1


def loose_family(library: Library) -> None:
    """6 people x 8 photos, each person's faces spread so that the grouping level matters."""
    centres = np.random.default_rng(5).standard_normal((6, DIM))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    noise = np.random.default_rng(6).standard_normal((48, DIM)) * 0.2
    for i in range(48):
        vector = centres[i // 8] + noise[i]
        record = PhotoRecord(f"/photos/loose{i}.jpg", 1, 1, f"hash-loose{i}", width=1000, height=800)
        library.save_indexed_photo(record, [FaceRecord(
            box=(10.0, 20.0, 100.0, 120.0), landmarks=[(0.0, 0.0)] * 5, det_score=0.99, quality=0.9,
            sharpness=50.0, thumbnail=b"jpeg", embedding=(vector / np.linalg.norm(vector)).astype(np.float32))], MODEL)


def test_grouping_level_is_kept_in_the_library_and_groups_more_together(tmp_path):
    with Library.open(tmp_path) as library:
        library.register_model(MODEL, DIM)
        loose_family(library)
        assert cluster_level(library) == 0
    apart = run(tmp_path, "cluster", "--level", "-2")
    assert apart.exit_code == 0 and "(grouping level -2)" in apart.output
    with Library.open(tmp_path) as library:
        assert cluster_level(library) == -2
        people_apart = len(queries.people(library))
        unsorted_apart = len(queries.unsorted_faces(library))
    together = run(tmp_path, "cluster", "--level", "2")
    assert together.exit_code == 0 and "(grouping level 2)" in run(tmp_path, "cluster").output  # kept
    with Library.open(tmp_path) as library:
        assert len(queries.unsorted_faces(library)) < unsorted_apart
        assert len(queries.people(library)) + len(queries.unsorted_faces(library)) < people_apart + unsorted_apart
        with pytest.raises(PhotofaceError):
            set_cluster_level(library, 3)
        assert cluster_level(library) == 2
    refused = run(tmp_path, "cluster", "--level", "7")
    assert refused.exit_code == 1 and refused.output.count("\n") == 1 and "more together" in refused.output


# --- random sequences never break a constraint ------------------------------------------------------

NAMES = ["Anna", "Ben", "Chloé", "anna"]


class PeopleMachine(RuleBasedStateMachine):
    """Random user operations, cluster runs, re-indexing and new photos; constraints hold and undo is exact.

    The machine keeps its own model of the rejections: ``apart`` holds pairs of
    faces (by photo and box, which re-indexing keeps) that the user separated,
    the rejected face and each face of the person it was rejected from. Only
    the user's own confirm, split, new person or merge may put such a pair in
    one person again; undo restores the pairs the undone operation changed.
    """

    def __init__(self):
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        self.library = Library.open(Path(self.folder.name))
        self.library.register_model(MODEL, DIM)
        for i in range(4):
            save_photo(self.library, f"p{i}", [0, 1, 3] if i % 2 else [1, 0], seed=i)
        one_person_a_photo(self.library, (2, 2, 0, 1))  # nothing but their faces keeps these apart
        recluster(self.library)
        self.undo_states: list[dict] = []  # tables before each operation since the last automatic step
        self.apart: set[tuple[tuple, tuple]] = set()
        self.apart_before: list[set] = []  # ``apart`` before each operation still in the undo log
        self.bridges = 0

    def teardown(self):
        self.library.close()
        self.folder.cleanup()

    # --- helpers

    def persons(self) -> list[dict]:
        return list(self.library.db.query("SELECT * FROM persons ORDER BY id"))

    def face_ids(self) -> list[int]:
        return [f["id"] for f in self.library.faces()]

    def face_keys(self) -> dict[int, tuple]:
        """Face id -> (photo path, box): what identifies a face across re-indexing."""
        return {f["id"]: (f["path"], f["box"]) for f in self.library.faces(include_gone=True)}

    def person_of_keys(self) -> dict[tuple, int]:
        keys = self.face_keys()
        return {keys[face]: person for face, person in self.library.db.execute(
            "SELECT face_id, person_id FROM face_people")}

    def held_by_named(self) -> set[tuple[int, int]]:
        """(face, person) where a named person holds a face unconfirmed."""
        return set(self.library.db.execute(
            "SELECT face_id, person_id FROM face_people JOIN persons ON persons.id = person_id"
            " WHERE persons.name IS NOT NULL AND confirmed = 0").fetchall())

    def user(self, operation, separates: tuple[list[int], int] | None = None, groups: bool = False) -> None:
        """Run a user operation; ``separates``: (faces, person) it rejects; ``groups``: it puts faces together."""
        before = tables(self.library)
        keys = self.face_keys()
        members = [] if separates is None else [
            face for (face,) in self.library.db.execute(
                "SELECT face_id FROM face_people WHERE person_id = ?", [separates[1]])]
        held = self.held_by_named()
        try:
            operation()
        except PhotofaceError:
            assert tables(self.library) == before
            return
        # Only cluster runs give a named person faces the user has not confirmed.
        assert self.held_by_named() <= held
        self.undo_states.append(before)
        self.apart_before.append(set(self.apart))
        if separates is not None:
            rejected = separates[0]
            self.apart |= {(keys[face], keys[other]) for face in rejected for other in members
                           if other not in rejected}
        if groups:  # the user's word wins over an older rejection
            person_of = self.person_of_keys()
            self.apart = {pair for pair in self.apart
                          if person_of.get(pair[0]) is None or person_of.get(pair[0]) != person_of.get(pair[1])}

    def automatic(self, step) -> None:
        """A cluster run, re-index or new photos: named people, their faces and all decisions survive.

        A rejection may go with the unnamed person a cluster run retires: it
        is then links to that person's faces (``apart`` checks what the user
        separated); links are never dropped.
        """
        before = self.decisions()
        step()
        after = self.decisions()
        for kept in ("named", "confirmed", "hidden people"):
            assert after[kept] == before[kept], kept
        assert set(after["linked"]) >= set(before["linked"])
        persons = {p["id"] for p in self.persons()}
        assert after["rejected"] == [(face, person) for face, person in before["rejected"] if person in persons]
        self.undo_states.clear()

    def decisions(self) -> dict:
        """Named persons, confirmed faces, rejections, links and hidden persons' faces, faces identified by photo and box."""
        where = self.face_keys()
        db = self.library.db
        return {
            "named": db.execute("SELECT id, name, hidden FROM persons WHERE name IS NOT NULL ORDER BY id").fetchall(),
            "confirmed": sorted((where[f], p) for f, p in db.execute(
                "SELECT face_id, person_id FROM face_people WHERE confirmed = 1")),
            "rejected": sorted((where[f], p) for f, p in db.execute("SELECT face_id, person_id FROM rejections")),
            "linked": sorted((where[f], where[g]) for f, g in db.execute("SELECT * FROM cannot_links")),
            "hidden people": sorted((where[f], p) for f, p in db.execute(
                "SELECT face_id, person_id FROM face_people JOIN persons ON persons.id = person_id"
                " WHERE persons.hidden = 1")),
        }

    # --- rules

    @rule(data=st.data(), name=st.sampled_from(NAMES))
    def name(self, data, name):
        person = data.draw(st.sampled_from([p["id"] for p in self.persons()] or [0]))
        self.user(lambda: ops.name_person(self.library, person, name))

    @rule(data=st.data())
    def merge(self, data):
        ids = [p["id"] for p in self.persons()] or [0]
        keep, other = data.draw(st.sampled_from(ids)), data.draw(st.sampled_from(ids))
        self.user(lambda: ops.merge_people(self.library, keep, other), groups=True)

    @rule(data=st.data(), new=st.booleans())
    def split(self, data, new):
        person = data.draw(st.sampled_from([p["id"] for p in self.persons()] or [0]))
        faces = [f for (f,) in self.library.db.execute(
            "SELECT face_id FROM face_people WHERE person_id = ?", [person])]
        chosen = data.draw(st.lists(st.sampled_from(faces), min_size=1, max_size=3)) if faces else [0]
        into = None if new else data.draw(st.sampled_from([p["id"] for p in self.persons()]))
        self.user(lambda: ops.split_person(self.library, person, chosen, into), groups=True)

    @rule(data=st.data(), kind=st.sampled_from(["remove", "reject", "confirm", "create"]))
    def face_decision(self, data, kind):
        face = data.draw(st.sampled_from(self.face_ids()))
        person = data.draw(st.sampled_from([p["id"] for p in self.persons()] or [0]))
        operation = {
            "remove": lambda: ops.remove_faces(self.library, person, [face]),
            "reject": lambda: ops.reject_face(self.library, face, person),
            "confirm": lambda: ops.confirm_face(self.library, face, person),
            "create": lambda: ops.create_person(self.library, [face]),
        }[kind]
        separating = kind in ("remove", "reject")
        self.user(operation, separates=([face], person) if separating else None, groups=not separating)

    @rule(data=st.data(), hidden=st.booleans())
    def hide(self, data, hidden):
        if data.draw(st.booleans()):
            face = data.draw(st.sampled_from(self.face_ids()))
            self.user(lambda: ops.hide_face(self.library, face, hidden))
        else:
            person = data.draw(st.sampled_from([p["id"] for p in self.persons()] or [0]))
            self.user(lambda: ops.hide_person(self.library, person, hidden))

    @rule(threshold=st.sampled_from([0.8, 1.1, 2.0, 4.0]))
    def cluster(self, threshold):
        self.automatic(lambda: recluster(self.library, threshold=threshold))

    @rule(level=st.sampled_from(LEVELS))
    def cluster_at_level(self, level):
        set_cluster_level(self.library, level)
        self.automatic(lambda: recluster(self.library, level=level))

    @rule(photo=st.integers(0, 3))
    def reindex(self, photo):
        self.automatic(lambda: save_photo(self.library, f"p{photo}", [0, 1, 3] if photo % 2 else [1, 0],
                                          seed=photo))

    @rule(first=st.sampled_from([0, 1, 3]), second=st.sampled_from([0, 1, 3]), count=st.integers(1, 4))
    def new_photos_bridging(self, first, second, count):
        """New photos whose faces lie between two people's: the next cluster run may join them."""
        self.bridges += 1
        self.automatic(lambda: save_bridges(self.library, first, second, count, name=f"bridge{self.bridges}-"))

    @rule()
    def undo(self):
        try:
            ops.undo(self.library)
        except PhotofaceError:
            return
        self.apart = self.apart_before.pop()
        if self.undo_states:
            assert tables(self.library) == self.undo_states.pop()

    # --- constraints

    @invariant()
    def constraints_hold(self):
        db = self.library.db
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        # No face sits in a person it was rejected from, nor with a face it is linked to.
        assert db.execute("SELECT count(*) FROM face_people JOIN rejections USING (face_id, person_id)"
                          ).fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM cannot_links"
                          " JOIN face_people AS a ON a.face_id = cannot_links.face_id"
                          " JOIN face_people AS b ON b.face_id = cannot_links.other_face_id"
                          " WHERE a.person_id = b.person_id").fetchone()[0] == 0
        # Two faces of one photo share a person only if the user put both there.
        assert db.execute(
            "SELECT count(*) FROM face_people AS a JOIN faces AS fa ON fa.id = a.face_id"
            " JOIN face_people AS b ON b.person_id = a.person_id AND b.face_id > a.face_id"
            " JOIN faces AS fb ON fb.id = b.face_id AND fb.photo_id = fa.photo_id"
            " WHERE a.confirmed = 0 OR b.confirmed = 0").fetchone()[0] == 0
        # Suggestions never propose a rejected pair or a confirmed face.
        assert db.execute("SELECT count(*) FROM suggestions JOIN rejections USING (face_id, person_id)"
                          ).fetchone()[0] == 0

    @invariant()
    def separated_faces_stay_apart(self):
        """A face rejected from a person is never again grouped with the faces it was rejected from."""
        person_of = self.person_of_keys()
        together = [pair for pair in self.apart
                    if person_of.get(pair[0]) is not None and person_of.get(pair[0]) == person_of.get(pair[1])]
        assert together == [], f"rejected faces grouped again with the faces they were rejected from: {together}"
        keys = self.face_keys()
        for face, person in self.library.db.execute("SELECT face_id, person_id FROM suggestions"):
            rejected_from = [other for rejected, other in self.apart if rejected == keys[face]]
            assert person not in {person_of.get(other) for other in rejected_from}, \
                f"face {face} suggested for person {person}, who holds faces it was rejected from"


TestPeopleMachine = PeopleMachine.TestCase
TestPeopleMachine.settings = settings(max_examples=25, stateful_step_count=20, deadline=None)


def test_names_are_one_line_of_at_most_100_characters(library):
    one_person_a_photo(library)
    recluster(library)
    person = queries.people(library)[0]["id"]
    with pytest.raises(PhotofaceError, match=r"^A name can have at most 100 characters; this one has 5,000\.$"):
        ops.name_person(library, person, "x" * 5000)
    with pytest.raises(PhotofaceError, match="at most 100"):
        ops.create_person(library, queries.people(library)[0]["face_ids"][:1], name="y" * 101)
    ops.name_person(library, person, "  Anna   " + "z" * 95 + " ")  # spaces squeezed first: 100 characters
    assert queries.person(library, person)["name"] == "Anna " + "z" * 95


def test_errors_name_ids_for_the_command_line_and_not_in_the_app(library):
    one_person_a_photo(library)
    recluster(library)
    person = queries.people(library)[0]
    for attempt in (lambda: ops.name_person(library, 999, "Anna"), lambda: queries.person(library, 999)):
        with pytest.raises(PhotofaceError) as raised:
            attempt()
        assert (str(raised.value), raised.value.in_app) == ("There is no person 999.", queries.PERSON_GONE)
    with pytest.raises(PhotofaceError) as raised:
        ops.remove_faces(library, person["id"], [123456])
    assert "123456" in str(raised.value) and "123456" not in raised.value.in_app
