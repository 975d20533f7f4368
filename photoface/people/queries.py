"""Reading people: everything a user interface shows, without SQL.

A face is visible when it is not hidden and its photo is not gone; counts and
face lists hold visible faces only.
"""

import itertools
import json
from collections.abc import Collection
from datetime import date, datetime

import numpy as np

from photoface.cluster.agglomerative import UNSORTED, cluster_embeddings
from photoface.errors import PhotofaceError
from photoface.face_model import active_model, model_vectors
from photoface.store.library import Library

from .sql import json_list, rows_where_in

_VISIBLE_FACES = (
    "(SELECT faces.id, faces.photo_id, faces.quality FROM faces"
    " JOIN photos ON photos.id = faces.photo_id"
    " WHERE faces.hidden = 0 AND photos.status != 'gone') AS visible"
)


def people(library: Library, include_hidden: bool = True) -> list[dict]:
    """Persons with a name or a visible face: most faces first, hidden ones last.

    Keys: id, name (None if unnamed), hidden (bool), face_count, face_ids, cover_face_id (the face
    chosen as cover, None for the default: the best face, ``person_faces``' first).
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
        " count(visible.id) AS face_count,"
        # A cover that left the person (moved, taken out, hidden) is no cover: the default shows.
        " max(CASE WHEN visible.id = persons.cover_face_id THEN visible.id END) AS cover_face_id"
        " FROM persons LEFT JOIN face_people ON face_people.person_id = persons.id"
        f" LEFT JOIN {_VISIBLE_FACES} ON visible.id = face_people.face_id"
        f" {one} GROUP BY persons.id"
        " HAVING persons.name IS NOT NULL OR count(visible.id) > 0"
        " ORDER BY persons.hidden, face_count DESC, persons.name IS NULL, persons.id",
        {"id": person_id},
    )


def person_named(library: Library, text: str) -> int:
    """The id of the person ``text`` names: an id, a name (any case) or the start of one name's words
    ("kit" for Kit Harington); PhotofaceError if none or several match."""
    text = " ".join(text.split())
    if text.isdigit():
        return person(library, int(text))["id"]
    named = [row for row in people(library) if row["name"]]
    for matches in ([row for row in named if row["name"].casefold() == text.casefold()],
                    [row for row in named if _starts_words(row["name"], text)]):
        if len(matches) == 1:
            return matches[0]["id"]
        if len(matches) > 1:
            names = ", ".join(row["name"] for row in matches[:5])
            raise PhotofaceError(f"{text!r} could be {names}{'…' if len(matches) > 5 else ''}: say which.")
    raise PhotofaceError(f"There is no person named {text!r}; `photoface people` lists them.",
                         in_app=f"Nobody is called {text!r}.")


def _starts_words(name: str, text: str) -> bool:
    """Each word of ``text`` starts the name's word at the same place: "ann s" for "Anna Smith"."""
    words, typed = name.casefold().split(), text.casefold().split()
    return bool(typed) and len(typed) <= len(words) and all(w.startswith(t) for w, t in zip(words, typed))


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
    ids, vectors = model_vectors(library, model_id, face_ids=list(photo_of))
    labels = cluster_embeddings(vectors, level=level, photo_ids=np.array([photo_of[int(face)] for face in ids]))
    return sorted(ids[labels == 0].tolist()) if (labels != UNSORTED).any() else []


def photos(library: Library, with_people: Collection[int] = ()) -> list[dict]:
    """Photos newest first; with ``with_people``, only those where every one of them has a visible face
    (confirmed or grouped). Keys: photo_id, path, taken (naive local datetime: the camera's date, else
    the file's time).

    A copy of another photo counts once and gone or unreadable photos are left out.
    """
    wanted = sorted({person(library, person_id)["id"] for person_id in with_people})  # unknown ids fail here
    together = (
        " AND photos.id IN (SELECT faces.photo_id FROM face_people JOIN faces ON faces.id = face_people.face_id"
        " WHERE faces.hidden = 0 AND face_people.person_id IN (SELECT value FROM json_each(:people))"
        " GROUP BY faces.photo_id"
        " HAVING count(DISTINCT face_people.person_id) = :count)"
    ) if wanted else ""
    rows = library.db.execute(
        f"SELECT photos.id, photos.path, {_TAKEN} AS taken FROM photos"
        f" WHERE photos.status = 'indexed' AND photos.copy_of IS NULL{together}"
        " ORDER BY taken DESC, photos.id DESC",
        {"people": json_list(wanted), "count": len(wanted)},
    )
    return [{"photo_id": photo_id, "path": path, "taken": datetime.fromisoformat(taken)}
            for photo_id, path, taken in rows]


# 'YYYY-MM-DD HH:MM:SS' local time: the camera's, else the file's (``photos.taken_at`` is '' or NULL then).
_TAKEN = ("coalesce(nullif(photos.taken_at, ''),"
          " datetime(coalesce(photos.mtime_ns, 0) / 1000000000, 'unixepoch', 'localtime'))")


def photo_path(library: Library, photo_id: int) -> str:
    """Where the photo is; PhotofaceError if the library no longer has it."""
    row = library.db.execute("SELECT path FROM photos WHERE id = ?", [photo_id]).fetchone()
    if row is None:
        raise PhotofaceError(f"There is no photo {photo_id}.", in_app="That photo is no longer there.")
    return row[0]


def by_month(listed: list[dict]) -> list[tuple[date, list[dict]]]:
    """``photos``' list in runs of one month each: (the month's first day, its photos), in their order."""
    return [(month, list(run)) for month, run in
            itertools.groupby(listed, key=lambda photo: photo["taken"].date().replace(day=1))]


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
        "cover_face_id": row["cover_face_id"],
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
