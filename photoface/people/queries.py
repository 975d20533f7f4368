"""Reading people: everything a user interface shows, without SQL.

A face is visible when it is not hidden and its photo is not gone; counts and
face lists hold visible faces only.
"""

import json
from collections.abc import Collection

import numpy as np

from photoface.cluster.agglomerative import UNSORTED, cluster_embeddings
from photoface.errors import PhotofaceError
from photoface.face_model import active_model, model_vectors
from photoface.store.library import Library

from .sql import rows_where_in

_VISIBLE_FACES = (
    "(SELECT faces.id, faces.photo_id, faces.quality FROM faces"
    " JOIN photos ON photos.id = faces.photo_id"
    " WHERE faces.hidden = 0 AND photos.status != 'gone') AS visible"
)


def people(library: Library, include_hidden: bool = True) -> list[dict]:
    """Persons with a name or a visible face: most faces first, hidden ones last.

    Keys: id, name (None if unnamed), hidden (bool), face_count, face_ids.
    """
    rows = _people_rows(library)
    return [_person(row) for row in rows if include_hidden or not row["hidden"]]


def person(library: Library, person_id: int) -> dict:
    """One person, as in ``people``; PhotofaceError if unknown."""
    found = [_person(row) for row in _people_rows(library, person_id)]
    if not found:
        raise PhotofaceError(f"There is no person {person_id}.", in_app=PERSON_GONE)
    return found[0]


def _people_rows(library: Library, person_id: int | None = None):
    """All people, or only ``person_id`` (without reading everyone's faces: the app opens one often)."""
    one = "WHERE persons.id = :id" if person_id is not None else ""
    return library.db.query(
        "SELECT persons.id, persons.name, persons.hidden,"
        " json_group_array(visible.id) FILTER (WHERE visible.id IS NOT NULL) AS face_ids,"
        " count(visible.id) AS face_count"
        " FROM persons LEFT JOIN face_people ON face_people.person_id = persons.id"
        f" LEFT JOIN {_VISIBLE_FACES} ON visible.id = face_people.face_id"
        f" {one} GROUP BY persons.id"
        " HAVING persons.name IS NOT NULL OR count(visible.id) > 0"
        " ORDER BY persons.hidden, face_count DESC, persons.name IS NULL, persons.id",
        {"id": person_id},
    )


def person_faces(library: Library, person_id: int) -> list[dict]:
    """A person's visible faces: face_id, photo_id, confirmed (bool), best quality first."""
    rows = library.db.query(
        "SELECT visible.id AS face_id, visible.photo_id, face_people.confirmed"
        f" FROM face_people JOIN {_VISIBLE_FACES} ON visible.id = face_people.face_id"
        " WHERE face_people.person_id = ? ORDER BY visible.quality DESC, visible.id",
        [person_id],
    )
    return [{**row, "confirmed": bool(row["confirmed"])} for row in rows]


PERSON_GONE = "That person is no longer there (undone, merged or emptied)."  # "There is no person 3." in the app

LIKELY_GROUP_FACES = 2_000  # grouped in about 0.2 s on the 2-core dev machine (10,000 take 2.8 s)


def unsorted_faces(library: Library) -> list[int]:
    """Visible faces in no person: singletons, tiny clusters, rejected ones."""
    return _face_ids(library, f"SELECT visible.id FROM {_VISIBLE_FACES}"
                              " WHERE visible.id NOT IN (SELECT face_id FROM face_people)")


def likely_one_person(library: Library, level: int, excluding: Collection[int] = ()) -> list[int]:
    """The biggest group of unsorted faces (not ``excluding``) that the clustering's own cuts put
    together at grouping ``level``, all faces as seeds, never two of one photo: "The same person?" in
    Unsorted; [] if none. Only the ``LIKELY_GROUP_FACES`` best faces are weighed: the view waits for it."""
    model_id = active_model(library)
    unsorted = set(unsorted_faces(library)) - set(excluding)
    if model_id is None or len(unsorted) < 2:
        return []
    rows = rows_where_in(library.db, "faces", "id", sorted(unsorted), "id, photo_id, coalesce(quality, 0) AS q")
    rows = sorted(rows, key=lambda row: (-row["q"], row["id"]))[:LIKELY_GROUP_FACES]
    photo_of = {row["id"]: row["photo_id"] for row in rows}
    ids, vectors = model_vectors(library, model_id)
    keep = np.isin(ids, list(photo_of))
    ids, vectors = ids[keep], vectors[keep]
    labels = cluster_embeddings(vectors, level=level, photo_ids=np.array([photo_of[int(face)] for face in ids]))
    return sorted(ids[labels == 0].tolist()) if (labels != UNSORTED).any() else []


def hidden_faces(library: Library) -> list[int]:
    return _face_ids(library, "SELECT id FROM faces WHERE hidden = 1")


def suggestions(library: Library) -> list[dict]:
    """'Is this Anna?': face_id, person_id, name, score (0..1), distance; by person, likeliest first."""
    return list(library.db.query(
        "SELECT suggestions.face_id, suggestions.person_id, persons.name,"
        " suggestions.score, suggestions.distance"
        f" FROM suggestions JOIN {_VISIBLE_FACES} ON visible.id = suggestions.face_id"
        " JOIN persons ON persons.id = suggestions.person_id AND persons.hidden = 0"
        " ORDER BY persons.name, suggestions.score DESC, suggestions.distance, suggestions.face_id"
    ))


def recent_operations(library: Library, limit: int = 20) -> list[dict]:
    """The undo log, newest first: id, at, kind, summary."""
    return list(library.db.query(
        "SELECT id, at, kind, summary FROM operations ORDER BY id DESC LIMIT ?", [limit]))


def _person(row: dict) -> dict:
    return {
        "id": row["id"],
        "name": row["name"],
        "hidden": bool(row["hidden"]),
        "face_count": row["face_count"],
        "face_ids": sorted(json.loads(row["face_ids"])),
    }


def _face_ids(library: Library, sql: str) -> list[int]:
    return [face for (face,) in library.db.execute(f"{sql} ORDER BY 1")]


def person_suggestions(library: Library, person_id: int) -> list[dict]:
    """'Is this them?' for one person: face_id, score, distance; likeliest first."""
    return list(library.db.query(
        "SELECT suggestions.face_id, suggestions.score, suggestions.distance"
        f" FROM suggestions JOIN {_VISIBLE_FACES} ON visible.id = suggestions.face_id"
        " WHERE suggestions.person_id = ?"
        " ORDER BY suggestions.score DESC, suggestions.distance, suggestions.face_id",
        [person_id],
    ))
