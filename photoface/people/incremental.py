"""People while indexing: new faces join existing people as they are stored, grouping at checkpoints.

A first pass over a big library takes hours; waiting for its end to group
anything shows nobody for hours. While a pass runs, each face stored joins
the unnamed person its nearest grouped faces vote for (``join_people``),
under the rules a cluster run obeys: never a person the face was rejected
from or that holds a face it is linked to (``constraints``), never one
holding another face of its photo, never a named or hidden person (named
people get new faces at checkpoints, from the cluster run), and faces
already placed (confirmed ones above all) are never touched. Faces joining
nobody wait for the next checkpoint: the full ``recluster``, run after the
first faces and then each time the face count has grown by a factor, which
never moves what the user decided either.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sqlite_utils import Database

from photoface.cluster.agglomerative import cuts_at
from photoface.cluster.neighbours import nearest_neighbours, vote
from photoface.face_model import active_model, model_vectors
from photoface.store.library import Library
from photoface.store.transaction import write_transaction

from .constraints import links_touching, ruled_out
from .recluster import recluster

JOIN_NEIGHBOURS = 5  # grouped faces that vote on each new face

FIRST_CHECKPOINT = 16  # faces stored before the first grouping: a small library groups at once
GROUP_EVERY_BATCH_UNDER = 500  # faces: grouping them all takes milliseconds, so every batch is grouped
CHECKPOINT_GROWTH = 1.5  # then each time the faces grew by this factor: a few runs for the whole pass


def join_people(library: Library, face_ids: Sequence[int], level: int = 0) -> int:
    """Put each of these faces nobody placed yet in the unnamed person its nearest grouped faces vote for.

    Grouped faces vote within the single-face cut of the grouping ``level``
    (the library's ``cluster_level``), as clustering's own vote for faces too
    poor to seed a cluster does. A person wins by most votes, then the smaller
    total distance, and only with at least two votes and more than half of
    those cast (one near face is how two people get mixed); a face whose
    winner it may not join stays unsorted. Returns how many joined.
    """
    model_id = active_model(library)
    person_of = _grouped(library.db)
    if model_id is None or not face_ids or not person_of:  # nobody to join yet: no vector read
        return 0
    ids, vectors = model_vectors(library, model_id)
    grouped = np.isin(ids, list(person_of))
    new = np.isin(ids, np.asarray(face_ids, dtype=np.int64)) & ~grouped
    if not grouped.any() or not new.any():
        return 0
    neighbours, distances = nearest_neighbours(vectors[grouped], JOIN_NEIGHBOURS, vectors[new])
    voter_person = np.array([person_of[int(face)] for face in ids[grouped]])
    votes = vote(np.where(neighbours >= 0, voter_person[neighbours], -1), distances, cuts_at(level)[0].single)
    clear = (votes.votes >= 2) & (2 * votes.votes > votes.cast)
    ruled = ruled_out(library.db)
    joined = 0
    with write_transaction(library.db) as db:
        for face, person in zip(ids[new][clear].tolist(), votes.label[clear].tolist()):
            if (face, person) not in ruled and _may_join(db, face, person):
                db["face_people"].insert({"face_id": face, "person_id": person, "confirmed": 0})
                joined += 1
                for link in links_touching(db, [face]):  # its partners in this batch may no longer join
                    ruled |= {(link["face_id"], person), (link["other_face_id"], person)}
    return joined


def _grouped(db: Database) -> dict[int, int]:
    """Face -> person, for every face in a person (the voters)."""
    return dict(db.execute("SELECT face_id, person_id FROM face_people").fetchall())


def _may_join(db: Database, face: int, person: int) -> bool:
    """The face is still unplaced and the person unnamed, shown and without a face of its photo."""
    return db.execute(
        "SELECT NOT EXISTS (SELECT 1 FROM face_people WHERE face_id = :face)"
        " AND EXISTS (SELECT 1 FROM persons WHERE id = :person AND name IS NULL AND hidden = 0)"
        " AND NOT EXISTS (SELECT 1 FROM face_people JOIN faces ON faces.id = face_people.face_id"
        "   WHERE face_people.person_id = :person"
        "   AND faces.photo_id = (SELECT photo_id FROM faces WHERE id = :face))",
        {"face": face, "person": person},
    ).fetchone()[0] == 1


@dataclass
class PeopleAsIndexed:
    """What an indexing pass calls with each batch's faces (``Indexer``'s ``on_stored``).

    Checkpoints come when the library's faces have grown by ``growth`` since
    the last grouping (or the start of the pass), and after every batch from
    ``first_checkpoint`` faces while the library is small (the first people
    come as soon as their faces are found); a few folders added to a big
    library wait for the grouping at the end instead of re-clustering it all
    midway. ``changed`` is called when faces joined people or a checkpoint
    grouped them (a user interface reloads its people then).
    """

    library: Library
    changed: Callable[[], None] = lambda: None
    level: int = 0  # the library's grouping level (``library_settings.cluster_level``)
    first_checkpoint: int = FIRST_CHECKPOINT
    growth: float = CHECKPOINT_GROWTH

    def __post_init__(self):
        self.faces = self.library.db.execute("SELECT count(*) FROM faces").fetchone()[0]
        self.next_checkpoint = max(self.first_checkpoint, int(self.faces * self.growth) + 1)

    def faces_stored(self, face_ids: Sequence[int]) -> None:
        self.faces += len(face_ids)
        if self.faces >= self.next_checkpoint or self.first_checkpoint <= self.faces < GROUP_EVERY_BATCH_UNDER:
            recluster(self.library, level=self.level)
            self.next_checkpoint = int(self.faces * self.growth) + 1
            self.changed()
        elif join_people(self.library, face_ids, self.level):
            self.changed()
