"""What the user does to people; each is one transaction and one undoable log entry.

Every function checks its ids first (``PhotofaceError`` for unknown ones),
then ``touch``es the keys it is about to change (see ``undo_log``), changes
them and logs the operation.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlite_utils import Database

from photoface.errors import PhotofaceError
from photoface.store.library import Library
from photoface.store.transaction import write_transaction

from .constraints import link_rejected, unlink_grouped
from .queries import PERSON_GONE
from .sql import IN_JSON, delete_where_in, json_list
from .undo_log import FACE_TABLES, Operation, undo_last


@contextmanager
def _operation(library: Library, kind: str, summary: str) -> Iterator[Operation]:
    with write_transaction(library.db) as db:
        operation = Operation(db, kind, summary)
        yield operation
        operation.log()


def name_person(library: Library, person_id: int, name: str) -> None:
    """Name or rename a person; this confirms every face it has (the user saw them)."""
    name = _clean_name(name)
    with _operation(library, "name", f"Named person {person_id} {name!r}") as operation:
        db = operation.db
        _require_person(db, person_id)
        _refuse_taken_name(db, name, person_id)
        faces = _faces_of(db, person_id)
        operation.touch(person_ids=[person_id], face_ids=faces)
        db.execute("UPDATE persons SET name = ? WHERE id = ?", [name, person_id])
        db.execute("UPDATE face_people SET confirmed = 1 WHERE person_id = ?", [person_id])
        delete_where_in(db, "suggestions", "face_id", faces)


def merge_people(library: Library, keep_id: int, other_id: int) -> None:
    """Make two people one: ``other_id``'s faces join ``keep_id``, all confirmed.

    The kept person keeps its name and cover face, or takes the other's when it has none.
    """
    if keep_id == other_id:
        raise PhotofaceError(f"Cannot merge person {keep_id} with itself.")
    with _operation(library, "merge", f"Merged person {other_id} into {keep_id}") as operation:
        db = operation.db
        keep, other = _require_person(db, keep_id), _require_person(db, other_id)
        moving = _faces_referencing(db, other_id)
        operation.touch(person_ids=[keep_id, other_id], face_ids=moving + _faces_of(db, keep_id))
        _assign_confirmed(operation, keep_id, _faces_of(db, other_id) + _faces_of(db, keep_id))
        # "Not the other one" now means "not the merged one", unless the face is in it.
        db.execute(
            "INSERT OR IGNORE INTO rejections (face_id, person_id)"
            " SELECT face_id, ? FROM rejections WHERE person_id = ?"
            " AND face_id NOT IN (SELECT face_id FROM face_people WHERE person_id = ?)",
            [keep_id, other_id, keep_id],
        )
        for table in FACE_TABLES:
            db.execute(f"DELETE FROM {table} WHERE person_id = ?", [other_id])
        db.execute("DELETE FROM persons WHERE id = ?", [other_id])
        db.execute(
            "UPDATE persons SET name = coalesce(name, ?), hidden = ?, cover_face_id = coalesce(cover_face_id, ?)"
            " WHERE id = ?",
            [other["name"], keep["hidden"] and other["hidden"], other["cover_face_id"], keep_id],
        )


def split_person(library: Library, person_id: int, face_ids: Sequence[int],
                 into: int | None = None) -> int:
    """Move some faces of a person to person ``into`` or a new one; returns its id."""
    if into == person_id:
        raise PhotofaceError(f"The faces are already in person {person_id}.", in_app="The faces are already there.")
    with _operation(library, "split", _split_summary(person_id, face_ids, into)) as operation:
        db = operation.db
        _require_person(db, person_id)
        _require_members(db, person_id, face_ids)
        if into is None:
            into = db.execute("INSERT INTO persons DEFAULT VALUES").lastrowid
            operation.created_person(into)
        else:
            _require_person(db, into)
        # "These are someone else": kept against the faces left behind, so no later
        # run (joining named people included) brings the two groups back together.
        operation.touch(person_ids=[person_id], face_ids=face_ids)
        link_rejected(db, face_ids, person_id)
        _assign_confirmed(operation, into, face_ids)
    return into


def create_person(library: Library, face_ids: Sequence[int], name: str | None = None) -> int:
    """A new person holding these faces (from anywhere, unsorted included); returns its id."""
    name = None if name is None else _clean_name(name)
    summary = f"New person {name or ''} from faces {_id_list(face_ids)}"
    with _operation(library, "create", " ".join(summary.split())) as operation:
        db = operation.db
        _require_faces(db, face_ids)
        if name is not None:
            _refuse_taken_name(db, name, None)
        person_id = db.execute("INSERT INTO persons (name) VALUES (?)", [name]).lastrowid
        operation.created_person(person_id)
        _assign_confirmed(operation, person_id, face_ids)
    return person_id


def name_face(library: Library, face_id: int, name: str) -> int:
    """The face is the person called ``name`` (in any case): confirmed in them, or in a new person of
    that name; returns the person's id."""
    person_id = _person_named(library.db, _clean_name(name))
    if person_id is None:
        return create_person(library, [face_id], name)
    confirm_face(library, face_id, person_id)
    return person_id


def add_drawn_face(library: Library, face_id: int, name: str | None = None) -> int | None:
    """Log a face the user drew, just stored in the caller's transaction, as one step that also names
    it (as ``name_face``); undo deletes the face. Returns its person's id (None when not named)."""
    name = None if name is None else _clean_name(name)
    summary = f"Drew face {face_id}" + (f" as {name!r}" if name else "")
    with _operation(library, "add_face", summary) as operation:
        operation.created_face(face_id)
        if name is None:
            return None
        person_id = _person_named(operation.db, name)
        if person_id is None:
            person_id = operation.db.execute("INSERT INTO persons (name) VALUES (?)", [name]).lastrowid
            operation.created_person(person_id)
        _assign_confirmed(operation, person_id, [face_id])
        return person_id


def remove_faces(library: Library, person_id: int, face_ids: Sequence[int]) -> None:
    """"Not this person": the faces leave the person and never come back to it."""
    summary = f"Removed faces {_id_list(face_ids)} from person {person_id}"
    with _operation(library, "remove", summary) as operation:
        _require_person(operation.db, person_id)
        _require_members(operation.db, person_id, face_ids)
        _reject(operation, face_ids, person_id)


def confirm_face(library: Library, face_id: int, person_id: int) -> None:
    """"Yes, this is them": the face joins the person for good."""
    confirm_faces(library, [face_id], person_id)


def confirm_faces(library: Library, face_ids: Sequence[int], person_id: int) -> None:
    """Several faces join the person for good, as one step (one undo)."""
    with _operation(library, "confirm", f"Confirmed faces {_id_list(face_ids)} as person {person_id}") as operation:
        _require_faces(operation.db, face_ids)
        _require_person(operation.db, person_id)
        _assign_confirmed(operation, person_id, face_ids)


def reject_face(library: Library, face_id: int, person_id: int) -> None:
    """"No, not them": remembered forever, whether or not the face is in the person now."""
    reject_faces(library, [face_id], person_id)


def reject_faces(library: Library, face_ids: Sequence[int], person_id: int) -> None:
    """Several faces are not the person, as one step (one undo)."""
    with _operation(library, "reject", f"Faces {_id_list(face_ids)} are not person {person_id}") as operation:
        _require_faces(operation.db, face_ids)
        _require_person(operation.db, person_id)
        _reject(operation, face_ids, person_id)


def hide_person(library: Library, person_id: int, hidden: bool = True) -> None:
    verb = "Hid" if hidden else "Showed"
    with _operation(library, "hide", f"{verb} person {person_id}") as operation:
        _require_person(operation.db, person_id)
        operation.touch(person_ids=[person_id])
        operation.db.execute("UPDATE persons SET hidden = ? WHERE id = ?", [int(hidden), person_id])


def set_cover(library: Library, person_id: int, face_id: int) -> None:
    """Show this face of the person on its tile ("Use as cover"); the best face shows again if it leaves."""
    with _operation(library, "cover", f"Face {face_id} is the cover of person {person_id}") as operation:
        db = operation.db
        _require_person(db, person_id)
        _require_members(db, person_id, [face_id])
        operation.touch(person_ids=[person_id])
        db.execute("UPDATE persons SET cover_face_id = ? WHERE id = ?", [face_id, person_id])


def hide_face(library: Library, face_id: int, hidden: bool = True) -> None:
    """A hidden face (a stranger, a poster) is left out of people and clustering."""
    verb = "Hid" if hidden else "Showed"
    with _operation(library, "hide", f"{verb} face {face_id}") as operation:
        _require_faces(operation.db, [face_id])
        operation.touch(face_ids=[face_id])
        operation.db.execute("UPDATE faces SET hidden = ? WHERE id = ?", [int(hidden), face_id])


def undo(library: Library) -> str:
    """Undo the newest operation; returns what it was."""
    with write_transaction(library.db) as db:
        return undo_last(db)


# --- shared steps ---------------------------------------------------------------


def _assign_confirmed(operation: Operation, person_id: int, face_ids: Sequence[int]) -> None:
    """Put faces in a person as the user's decision; clustering's faces of the same photos leave."""
    db = operation.db
    clashing = _unconfirmed_in_same_photos(db, person_id, face_ids)
    operation.touch(person_ids=[person_id], face_ids=[*face_ids, *clashing])
    delete_where_in(db, "face_people", "face_id", clashing)
    db["face_people"].upsert_all(
        [{"face_id": face, "person_id": person_id, "confirmed": 1} for face in face_ids], pk="face_id"
    )
    delete_where_in(db, "suggestions", "face_id", face_ids)
    db.execute(f"DELETE FROM rejections WHERE person_id = ? AND face_id {IN_JSON}",
               [person_id, json_list(face_ids)])
    unlink_grouped(db, face_ids, person_id)


def _reject(operation: Operation, face_ids: Sequence[int], person_id: int) -> None:
    db = operation.db
    operation.touch(person_ids=[person_id], face_ids=face_ids)
    link_rejected(db, face_ids, person_id)
    for face_id in face_ids:
        db.execute("DELETE FROM face_people WHERE face_id = ? AND person_id = ?", [face_id, person_id])
        db.execute("DELETE FROM suggestions WHERE face_id = ? AND person_id = ?", [face_id, person_id])
        db.execute("INSERT OR IGNORE INTO rejections (face_id, person_id) VALUES (?, ?)",
                   [face_id, person_id])


# --- checks and lookups -----------------------------------------------------------


MAX_NAME_LENGTH = 100  # room for any real full name; longer text is a paste gone wrong


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise PhotofaceError("A name cannot be empty.")
    if len(name) > MAX_NAME_LENGTH:
        raise PhotofaceError(f"A name can have at most {MAX_NAME_LENGTH} characters; this one has {len(name):,}.")
    return name


def _refuse_taken_name(db: Database, name: str, person_id: int | None) -> None:
    other = db.execute(
        "SELECT id, name FROM persons WHERE name = ? COLLATE NOCASE AND id IS NOT ?", [name, person_id]
    ).fetchone()
    if other:
        how, in_app = ("confirm the faces as that person", "move the faces to them (Move to…)") \
            if person_id is None else (f"merge them: photoface merge {other[0]} {person_id}",
                                       "merge them: select both people and press Merge…")
        raise PhotofaceError(f"Person {other[0]} is already called {other[1]!r}. If they are the same person, {how}.",
                             in_app=f"Someone is already called {other[1]!r}. If they are the same person, {in_app}")


def _person_named(db: Database, name: str) -> int | None:
    row = db.execute("SELECT id FROM persons WHERE name = ? COLLATE NOCASE", [name]).fetchone()
    return row and row[0]


def _require_person(db: Database, person_id: int) -> dict:
    person = next(iter(db.query("SELECT * FROM persons WHERE id = ?", [person_id])), None)
    if person is None:
        raise PhotofaceError(f"There is no person {person_id}.", in_app=PERSON_GONE)
    return person


def _require_faces(db: Database, face_ids: Sequence[int]) -> None:
    if not face_ids:
        raise PhotofaceError("Choose at least one face.")
    for face_id in face_ids:
        if db.execute("SELECT 1 FROM faces WHERE id = ?", [face_id]).fetchone() is None:
            raise PhotofaceError(f"There is no face {face_id}.", in_app="A face is no longer there.")


def _require_members(db: Database, person_id: int, face_ids: Sequence[int]) -> None:
    if not face_ids:
        raise PhotofaceError("Choose at least one face.")
    members = set(_faces_of(db, person_id))
    strangers = [face for face in face_ids if face not in members]
    if strangers:
        raise PhotofaceError(f"Person {person_id} has no face {_id_list(strangers)}.",
                             in_app="Some of those faces are no longer in this person.")


def _faces_of(db: Database, person_id: int) -> list[int]:
    return [face for (face,) in db.execute(
        "SELECT face_id FROM face_people WHERE person_id = ? ORDER BY face_id", [person_id])]


def _faces_referencing(db: Database, person_id: int) -> list[int]:
    """Faces with any row naming the person: its faces, rejections and suggestions."""
    union = " UNION ".join(f"SELECT face_id FROM {table} WHERE person_id = :id" for table in FACE_TABLES)
    return [face for (face,) in db.execute(f"{union} ORDER BY face_id", {"id": person_id})]


def _unconfirmed_in_same_photos(db: Database, person_id: int, face_ids: Sequence[int]) -> list[int]:
    rows = db.execute(
        "SELECT face_people.face_id FROM face_people"
        " JOIN faces ON faces.id = face_people.face_id"
        " WHERE face_people.person_id = ? AND face_people.confirmed = 0"
        f" AND faces.photo_id IN (SELECT photo_id FROM faces WHERE id {IN_JSON})"
        f" AND faces.id NOT {IN_JSON}",
        [person_id, json_list(face_ids), json_list(face_ids)],
    )
    return [face for (face,) in rows]


def _split_summary(person_id: int, face_ids: Sequence[int], into: int | None) -> str:
    target = "a new person" if into is None else f"person {into}"
    return f"Moved faces {_id_list(face_ids)} from person {person_id} to {target}"


def _id_list(ids: Sequence[int]) -> str:
    return ", ".join(str(i) for i in ids)
