"""Sort the faces nobody has decided about into people, and suggest names for them.

A cluster run clusters only faces without a confirmed person or a hidden
one (the user's decisions are never revisited: a hidden person keeps its
faces, so hiding is not undone by the next run) and keeps people stable: a
new cluster (or a good lone face) that the clustering would have merged with a
named, shown person's confirmed faces joins that person, unconfirmed, so new photos
of Anna come in Anna and the next run places them again; each other cluster
takes over the unnamed person most of its faces belonged to before, so tiles
do not reshuffle. Singletons and tiny clusters stay unsorted
(no person). Rejections hold across runs as cannot-links between faces
(``constraints``): before the result is written, rejections from unnamed
persons become links to their faces, so retiring an emptied person loses
nothing.

The expensive clustering runs outside any transaction; the result is written
in one write transaction that re-reads the decisions first, so an operation
the user made meanwhile always wins.
"""

from collections import Counter
from dataclasses import dataclass

import numpy as np
from sqlite_utils import Database

from photoface.cluster.agglomerative import UNSORTED, attach_to_groups, cluster_embeddings
from photoface.cluster.neighbours import nearest_neighbours, vote
from photoface.face_model import active_model, model_vectors
from photoface.store.grouping import grouping_done, grouping_due
from photoface.store.library import Library
from photoface.store.transaction import write_transaction

from .constraints import (cannot_link_indices, drop_unconfirmed_clashes, link_unnamed_rejections,
                          retire_emptied_persons, ruled_out)
from .sql import IN_JSON, delete_where_in, json_list, rows_where_in

MIN_SEED_QUALITY = 0.4
"""Faces below this quality (``detect.crops.quality``: size, sharpness, score) join clusters but never seed or bridge them.

0.4 is a sharp face about 35 px wide, or a blurred one about 65 px wide. Provisional.
"""

SUGGESTION_THRESHOLD = 1.0
"""Squared L2 distance (2 - 2 cos) within which a confirmed face votes for its person.

Calibrated on LFW pairs (benchmarks/lfw.py's vectors, deep-funneled): at 1.0
a single pair of photos of one person is accepted 93.9 % of the time and two
different people 0.07 % (1 in 1,400); the accuracy-optimal verification
threshold is 1.23 (98.6 % / 0.57 %). Suggestions ask the user, so they favour
precision; the k-NN vote over several confirmed faces adds to it.
"""

SUGGESTION_NEIGHBOURS = 5  # confirmed faces that vote on each undecided face

MIN_SUGGESTION_VOTES = 2
"""Votes a person needs before a face is asked about (score 0.4), or all of its confirmed faces' when it has
fewer. Measured on celeba_train (20 of 40 identities named, the others strangers, as at home): one vote for a
person with more confirmed faces was right 5 times in 14 with 6 named faces each and 40 in 48 with 2 each
(the "Is this Niall Horan?" over someone else at 0.2), two votes or more 234 in 234; a person named from one
face, whose only vote it is, 154 in 161."""


@dataclass
class ClusterReport:
    faces: int = 0  # visible faces with an embedding of the model
    undecided: int = 0  # of them, faces without a confirmed person: the ones clustered
    people: int = 0  # persons holding undecided faces after the run
    unsorted: int = 0  # undecided faces left without a person
    new_people: int = 0
    suggestions: int = 0


@dataclass
class _Faces:
    ids: np.ndarray
    vectors: np.ndarray
    quality: np.ndarray
    photo_ids: np.ndarray

    def where(self, mask: np.ndarray) -> "_Faces":
        return _Faces(self.ids[mask], self.vectors[mask], self.quality[mask], self.photo_ids[mask])


def recluster(library: Library, model_id: str | None = None,
              threshold: float | None = None, level: int = 0) -> ClusterReport:
    """Re-cluster undecided faces into people and recompute the suggestions; grouping is no longer due.

    Faces are grouped at ``level`` (the library's: ``library_settings.cluster_level``);
    ``threshold`` replaces it with one size-blind cut (``cluster_embeddings``).
    """
    due = grouping_due(library)  # before reading faces: later changes keep it due
    model_id = model_id or active_model(library)
    faces = _visible_faces(library, model_id)
    undecided = faces.ids[~np.isin(faces.ids, _decided_faces(library.db))]
    chosen = np.isin(faces.ids, undecided)
    seeds = faces.quality[chosen] >= MIN_SEED_QUALITY
    labels = cluster_embeddings(
        faces.vectors[chosen], level=level, threshold=threshold, seeds=seeds,
        photo_ids=faces.photo_ids[chosen], cannot_link=cannot_link_indices(library.db, undecided),
    )
    held_by = _join_known_persons(library.db, faces, chosen, labels, seeds, level, threshold)
    labels[held_by >= 0] = UNSORTED
    report = ClusterReport(faces=len(faces.ids), undecided=len(undecided))
    with write_transaction(library.db) as db:
        # What the user did while clustering ran wins: faces confirmed, hidden or
        # deleted since are left as they are now.
        faces = faces.where(np.isin(faces.ids, _visible_face_ids(db)))
        still = ~np.isin(undecided, _decided_faces(db)) & np.isin(undecided, faces.ids)
        link_unnamed_rejections(db)
        _assign(db, undecided[still], labels[still], held_by[still], report)
        retire_emptied_persons(db)
        report.suggestions = _suggest(db, faces)
        grouping_done(library, due)
    return report


# --- loading ----------------------------------------------------------------------


def _visible_faces(library: Library, model_id: str | None) -> _Faces:
    """Faces of present photos that are not hidden and have an embedding of the model."""
    if model_id is None:  # nothing indexed yet
        return _Faces(np.empty(0, np.int64), np.empty((0, 0), np.float32), np.empty(0), np.empty(0, np.int64))
    ids, vectors = model_vectors(library, model_id)
    info = {face_id: (quality, photo_id, hidden) for face_id, quality, photo_id, hidden in
            library.db.execute("SELECT id, coalesce(quality, 0), photo_id, hidden FROM faces")}
    rows = [info[int(face_id)] for face_id in ids]
    visible = np.array([not hidden for _, _, hidden in rows], dtype=bool)
    return _Faces(
        ids=ids[visible],
        vectors=vectors[visible],
        quality=np.array([quality for quality, _, _ in rows], dtype=np.float64)[visible],
        photo_ids=np.array([photo for _, photo, _ in rows], dtype=np.int64)[visible],
    )


def _confirmed_faces(db: Database) -> np.ndarray:
    return np.array([face for (face,) in db.execute(
        "SELECT face_id FROM face_people WHERE confirmed = 1")], dtype=np.int64)


def _decided_faces(db: Database) -> np.ndarray:
    """Faces clustering leaves where they are: confirmed ones and those of hidden persons."""
    return np.array([face for (face,) in db.execute(
        "SELECT face_id FROM face_people JOIN persons ON persons.id = face_people.person_id"
        " WHERE face_people.confirmed = 1 OR persons.hidden = 1")], dtype=np.int64)


def _visible_face_ids(db: Database) -> np.ndarray:
    return np.array([face for (face,) in db.execute("SELECT id FROM faces WHERE hidden = 0")],
                    dtype=np.int64)


# --- assigning clusters to persons ------------------------------------------------


def _join_known_persons(db: Database, faces: _Faces, chosen: np.ndarray, labels: np.ndarray,
                        seeds: np.ndarray, level: int, threshold: float | None) -> np.ndarray:
    """Per undecided face, the named, shown person that its cluster joins, or -1.

    New photos of a named person go to that person (unconfirmed, so the next run
    places them again) where the clustering would have merged their cluster with
    the person's confirmed faces (``attach_to_groups``). A cluster holding a face
    the person is ruled out for (rejected, linked to a face of theirs, or in a
    photo where they have a confirmed face) stays out whole. Unnamed persons are
    no target: one made by splitting faces off a cluster would take the rest back.
    """
    confirmed = dict(db.execute(
        "SELECT face_people.face_id, face_people.person_id FROM face_people"
        " JOIN persons ON persons.id = face_people.person_id"
        " WHERE face_people.confirmed = 1 AND persons.name IS NOT NULL AND persons.hidden = 0").fetchall())
    in_group = np.isin(faces.ids, list(confirmed))
    group_of = np.array([confirmed[face] for face in faces.ids[in_group].tolist()], dtype=np.int64)
    undecided = faces.where(chosen)
    return attach_to_groups(undecided.vectors, labels, seeds, faces.vectors[in_group], group_of,
                            level=level, threshold=threshold, barred=_barred(db, undecided, set(group_of.tolist())))


def _barred(db: Database, undecided: _Faces, persons: set[int]) -> np.ndarray:
    """(face position, person) pairs the user's decisions rule out, of these persons."""
    position = {face: index for index, face in enumerate(undecided.ids.tolist())}
    photos_of: dict[int, list[int]] = {}
    for index, photo in enumerate(undecided.photo_ids.tolist()):
        photos_of.setdefault(photo, []).append(index)
    pairs = {(position[face], person) for face, person in ruled_out(db) if face in position and person in persons}
    pairs |= {(index, person) for person, photo in _confirmed_person_photos(db)
              if person in persons for index in photos_of.get(photo, [])}
    return np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)


def _assign(db: Database, face_ids: np.ndarray, labels: np.ndarray, held_by: np.ndarray,
            report: ClusterReport) -> None:
    """Write each undecided face's person: the known person it joins, else its cluster's,
    unless the user ruled it out."""
    previous = dict(db.execute(
        "SELECT face_people.face_id, face_people.person_id FROM face_people"
        " JOIN persons ON persons.id = face_people.person_id"
        " WHERE face_people.confirmed = 0 AND persons.name IS NULL"
    ).fetchall())
    person_of_label = _stable_persons(face_ids, labels, previous)
    for label in sorted(set(labels[labels != UNSORTED].tolist()) - person_of_label.keys()):
        person_of_label[label] = db.execute("INSERT INTO persons DEFAULT VALUES").lastrowid
        report.new_people += 1
    rows = [{"face_id": int(face), "person_id": person_of_label[int(label)], "confirmed": 0}
            for face, label in zip(face_ids.tolist(), labels.tolist()) if label != UNSORTED]
    shown = {person for (person,) in db.execute("SELECT id FROM persons WHERE hidden = 0")}
    rows += [{"face_id": int(face), "person_id": int(person), "confirmed": 0}  # none to a person merged away
             for face, person in zip(face_ids.tolist(), held_by.tolist()) if person in shown]
    delete_where_in(db, "face_people", "face_id", face_ids)
    db["face_people"].insert_all(_allowed(db, rows))
    # Faces outside this run (gone photos, other models) may keep clustering's rows that clash,
    # and a face may land beside one it is linked to.
    drop_unconfirmed_clashes(db)
    placed = rows_where_in(db, "face_people", "face_id", face_ids, columns="person_id")
    report.people = len({row["person_id"] for row in placed})
    report.unsorted = len(face_ids) - len(placed)


def _stable_persons(face_ids: np.ndarray, labels: np.ndarray, previous: dict[int, int]) -> dict[int, int]:
    """Cluster label -> unnamed person, greedy by how many of its faces the person had."""
    overlap = Counter(
        (label, previous[face])
        for face, label in zip(face_ids.tolist(), labels.tolist())
        if label != UNSORTED and face in previous
    )
    person_of_label: dict[int, int] = {}
    taken: set[int] = set()
    for (label, person), _count in sorted(overlap.items(), key=lambda item: (-item[1], item[0])):
        if label not in person_of_label and person not in taken:
            person_of_label[label] = person
            taken.add(person)
    return person_of_label


def _allowed(db: Database, rows: list[dict]) -> list[dict]:
    """Drop to unsorted the faces rejected from their person or clashing with a confirmed face.

    Links are checked on the result (``drop_unconfirmed_clashes``): they depend on
    where the other face goes.
    """
    rejected, confirmed_in_photo = _rejected_pairs(db), _confirmed_person_photos(db)
    photo_of = dict(db.execute(
        f"SELECT id, photo_id FROM faces WHERE id {IN_JSON}",
        [json_list(row["face_id"] for row in rows)]).fetchall())
    return [row for row in rows
            if (row["face_id"], row["person_id"]) not in rejected
            and (row["person_id"], photo_of[row["face_id"]]) not in confirmed_in_photo]


def _rejected_pairs(db: Database) -> set[tuple[int, int]]:
    """(face, person) pairs the user ruled out."""
    return set(db.execute("SELECT face_id, person_id FROM rejections").fetchall())


def _confirmed_person_photos(db: Database) -> set[tuple[int, int]]:
    """(person, photo) pairs where the person has a confirmed face: no second face joins there."""
    return set(db.execute(
        "SELECT face_people.person_id, faces.photo_id FROM face_people"
        " JOIN faces ON faces.id = face_people.face_id WHERE face_people.confirmed = 1"
    ).fetchall())


# --- suggestions ------------------------------------------------------------------


def _suggest(db: Database, faces: _Faces) -> int:
    """Recompute 'Is this Anna?' for each undecided face: a vote of its nearest confirmed faces.

    Voters are confirmed faces of named, shown persons within
    ``SUGGESTION_THRESHOLD``; a person the face was rejected from, who holds a
    face it is linked to, or who has a confirmed face in the same photo, gets
    no vote. Most votes win, then the smaller total distance; a winner with fewer than
    ``MIN_SUGGESTION_VOTES`` (or than its voters, when it has fewer) is not asked. ``score`` is the
    winner's share of the k votes.
    """
    db.execute("DELETE FROM suggestions")
    voter_person = dict(db.execute(
        "SELECT face_people.face_id, face_people.person_id FROM face_people"
        " JOIN persons ON persons.id = face_people.person_id"
        " WHERE face_people.confirmed = 1 AND persons.name IS NOT NULL AND persons.hidden = 0"
    ).fetchall())
    is_voter = np.isin(faces.ids, list(voter_person))
    is_asked = ~np.isin(faces.ids, _confirmed_faces(db))
    if not is_voter.any() or not is_asked.any():
        return 0
    neighbours, distances = nearest_neighbours(
        faces.vectors[is_voter], SUGGESTION_NEIGHBOURS, faces.vectors[is_asked])
    persons = np.array([voter_person[int(face)] for face in faces.ids[is_voter]])
    voters_of = Counter(persons.tolist())
    rejected, confirmed_in_photo = ruled_out(db), _confirmed_person_photos(db)
    asked, asked_photos = faces.ids[is_asked].tolist(), faces.photo_ids[is_asked].tolist()
    voter_labels = np.where(neighbours >= 0, persons[neighbours], -1)
    for row, (face, photo) in enumerate(zip(asked, asked_photos)):
        for column, person in enumerate(voter_labels[row].tolist()):
            if (face, person) in rejected or (person, photo) in confirmed_in_photo:
                voter_labels[row, column] = -1
    votes = vote(voter_labels, distances, SUGGESTION_THRESHOLD)
    rows = [{"face_id": face, "person_id": person, "score": count / SUGGESTION_NEIGHBOURS, "distance": total / count}
            for face, person, count, total in zip(asked, votes.label.tolist(), votes.votes.tolist(),
                                                  votes.total.tolist())
            if person >= 0 and count >= min(MIN_SUGGESTION_VOTES, voters_of[person])]
    db["suggestions"].insert_all(rows)
    return len(rows)
