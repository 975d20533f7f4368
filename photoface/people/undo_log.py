"""The operation log: each user operation records the rows it is about to change.

One mechanism serves every operation: before changing anything, an operation
``touch``es the keys it will change (person ids; face ids, which cover the
face's person, rejections, cannot-links, suggestions and hidden flag). The
rows found there are stored as JSON in ``operations.undo``; ``undo`` deletes
the current rows of those keys and puts the stored ones back, then drops the
log entry.

Undo pops the newest entry first, so the state it restores is exactly the one
before that operation unless a cluster run came between (cluster runs are not
logged); then the restored rows win and clustering's rows give way where they
would clash (``constraints.drop_unconfirmed_clashes``). A face re-indexed
since is restored on the face it became (``face_successors``).
"""

import json

from sqlite_utils import Database

from photoface.errors import PhotofaceError

from .constraints import drop_unconfirmed_clashes, links_touching, restore_links, unlink_restored
from .sql import IN_JSON, delete_where_in, json_list, rows_where_in, update_where_in

OPERATION_LOG_LENGTH = 100  # operations that can be undone, newest first

# Tables whose rows belong to one face each (keyed by face_id) and name a person.
FACE_TABLES = ("face_people", "rejections", "suggestions")


class Operation:
    """The before-image of one user operation, gathered key by key."""

    def __init__(self, db: Database, kind: str, summary: str):
        self.db = db
        self.kind = kind
        self.summary = summary
        self.person_ids: set[int] = set()
        self.face_ids: set[int] = set()
        self.persons: list[dict] = []
        self.faces: list[dict] = []
        self.rows: dict[str, list[dict]] = {table: [] for table in FACE_TABLES}
        self.links: set[tuple[int, int]] = set()
        self.created_faces: list[int] = []

    def touch(self, person_ids=(), face_ids=()) -> None:
        """Remember the current rows of these keys; call before changing them."""
        new_faces = sorted(set(face_ids) - self.face_ids)
        self.face_ids.update(new_faces)
        for table in FACE_TABLES:
            self.rows[table] += rows_where_in(self.db, table, "face_id", new_faces)
        self.links.update((link["face_id"], link["other_face_id"])
                          for link in links_touching(self.db, new_faces))
        self.faces += rows_where_in(self.db, "faces", "id", new_faces, columns="id, hidden")
        # Restoring a face's rows needs the persons they name, even if clustering
        # has deleted an emptied one since.
        named = {row["person_id"] for table in FACE_TABLES for row in self.rows[table]}
        new_persons = sorted((set(person_ids) | named) - self.person_ids)
        self.person_ids.update(new_persons)
        self.persons += rows_where_in(self.db, "persons", "id", new_persons)

    def created_person(self, person_id: int) -> None:
        """A person this operation made: undo deletes it."""
        self.person_ids.add(person_id)

    def created_face(self, face_id: int) -> None:
        """A face the user drew in this operation: undo deletes it."""
        self.created_faces.append(face_id)

    def log(self) -> None:
        undo = {
            "person_ids": sorted(self.person_ids),
            "face_ids": sorted(self.face_ids),
            "persons": self.persons,
            "faces": self.faces,
            **self.rows,
            "cannot_links": [{"face_id": face, "other_face_id": other} for face, other in sorted(self.links)],
            "created_faces": self.created_faces,
        }
        self.db.execute(
            "INSERT INTO operations (kind, summary, undo) VALUES (?, ?, ?)",
            [self.kind, self.summary, json.dumps(undo)],
        )
        self.db.execute(
            "DELETE FROM operations WHERE id <= (SELECT max(id) FROM operations) - ?",
            [OPERATION_LOG_LENGTH],
        )


def undo_last(db: Database) -> str:
    """Restore the rows the newest operation changed; returns its summary."""
    entry = db.execute("SELECT id, summary, undo FROM operations ORDER BY id DESC LIMIT 1").fetchone()
    if entry is None:
        raise PhotofaceError("Nothing to undo.")
    operation_id, summary, undo = entry
    _restore(db, json.loads(undo))
    db.execute("DELETE FROM operations WHERE id = ?", [operation_id])
    return summary


def _restore(db: Database, undo: dict) -> None:
    undo = _with_current_faces(db, undo)
    face_ids = undo["face_ids"]
    for table in FACE_TABLES:
        delete_where_in(db, table, "face_id", face_ids)
    delete_where_in(db, "faces", "id", undo.get("created_faces", []))  # none logged before drawn faces
    _restore_persons(db, undo["person_ids"], undo["persons"])
    db.conn.executemany(
        "UPDATE faces SET hidden = :hidden WHERE id = :id", undo["faces"]
    )
    # Faces deleted since (their photo re-indexed without them) have nothing to restore;
    # those re-indexed with a successor are restored on it.
    existing = {row["id"] for row in rows_where_in(db, "faces", "id", face_ids, columns="id")}
    for table in FACE_TABLES:
        db[table].insert_all([row for row in undo[table] if row["face_id"] in existing])
    if "cannot_links" in undo:
        restore_links(db, face_ids, undo["cannot_links"])
    else:  # logged before v7
        unlink_restored(db, face_ids)
    drop_unconfirmed_clashes(db)


def _with_current_faces(db: Database, undo: dict) -> dict:
    """The entry with each face re-indexed since replaced by the face it became."""
    links = undo.get("cannot_links", [])
    current = _successors(db, {*undo["face_ids"], *(link["other_face_id"] for link in links)})
    if not current:
        return undo

    def renamed(rows: list[dict], *columns: str) -> list[dict]:
        return [{**row, **{column: current.get(row[column], row[column]) for column in columns}} for row in rows]

    return {
        **undo,
        "face_ids": sorted(current.get(face, face) for face in undo["face_ids"]),
        "faces": renamed(undo["faces"], "id"),
        **{table: renamed(undo[table], "face_id") for table in FACE_TABLES},
        **({"cannot_links": renamed(undo["cannot_links"], "face_id", "other_face_id")}
           if "cannot_links" in undo else {}),
    }


def _successors(db: Database, face_ids: set[int]) -> dict[int, int]:
    """Old face -> the newest face re-indexing made of it, for those re-indexed since.

    A successor always has a higher id than its face, so following them ends.
    """
    current: dict[int, int] = {}
    newest = {face: face for face in face_ids}
    while newest:
        found = dict(db.execute(f"SELECT old_id, new_id FROM face_successors WHERE old_id {IN_JSON}",
                                [json_list(newest.values())]).fetchall())
        newest = {face: found[now] for face, now in newest.items() if now in found}
        current.update(newest)
    return current


def _restore_persons(db: Database, person_ids: list[int], persons: list[dict]) -> None:
    created = set(person_ids) - {person["id"] for person in persons}
    for table in FACE_TABLES:  # rows a cluster run has given a created person since
        delete_where_in(db, table, "person_id", sorted(created))
    delete_where_in(db, "persons", "id", sorted(created))
    # Clear the names first so that restoring them in any order never trips the unique index.
    update_where_in(db, "persons", "name = NULL", "id", [person["id"] for person in persons])
    db["persons"].upsert_all(_with_current_covers(db, persons), pk="id")


def _with_current_covers(db: Database, persons: list[dict]) -> list[dict]:
    """Persons whose cover face was re-indexed since get the face it became; one deleted, no cover."""
    covers = {person["cover_face_id"] for person in persons if person.get("cover_face_id") is not None}
    if not covers:
        return persons  # logged before covers, or none chosen
    successors = _successors(db, covers)
    existing = {row["id"] for row in rows_where_in(db, "faces", "id", [*covers, *successors.values()], columns="id")}

    def current(cover: int | None) -> int | None:
        cover = successors.get(cover, cover)
        return cover if cover in existing else None

    return [{**person, "cover_face_id": current(person["cover_face_id"])} if "cover_face_id" in person else person
            for person in persons]

