"""The user's "not this person" decisions as constraints that re-clustering cannot drop.

A rejection, "face F is not person P", is kept in two forms (issue #17):

- ``rejections`` (F, P), as the user said it. For a named person this is the
  person: F is never suggested for Anna, not even next to faces she gets later.
- ``cannot_links`` (F, G) for every face G that P held when the user said it.
  An unnamed person is nothing but its faces, and re-clustering hands them to
  other persons, retires the emptied ones and makes new ones, so a person id
  cannot carry the decision; a link between two faces can, wherever they go.
  Clustering (``cluster_embeddings``'s ``cannot_link``), the write of its
  result, suggestions and undo never put F and G in one person.

Links alone would forget "not Anna" for faces Anna gets later (or when she had
no other face); person rows alone are what #17 lost, when clustering gave P's
faces to another person and deleted P. Before a cluster run writes, each
rejection from an unnamed person becomes links to all the faces it holds
then (those clustering gave it after the rejection included), so when the
run empties and retires the person nothing is lost; since v7 deleting a
person that a rejection still names fails instead of cascading.

Only the user groups linked faces, and saying so ends the links between the
faces grouped: confirming F as P (split, merge, "Yes") unlinks F and P's faces.
"""

from collections.abc import Sequence

import numpy as np
from sqlite_utils import Database

from .sql import IN_JSON, delete_where_in, json_list, rows_where_in


def link_rejected(db: Database, face_ids: Sequence[int], person_id: int) -> None:
    """Each face is not the person: link it to every face the person holds (the rejected ones aside)."""
    db.execute(
        "INSERT OR IGNORE INTO cannot_links (face_id, other_face_id)"
        " SELECT rejected.value, face_people.face_id FROM json_each(?) AS rejected"
        f" JOIN face_people ON face_people.person_id = ? AND face_people.face_id NOT {IN_JSON}",
        [json_list(face_ids), person_id, json_list(face_ids)],
    )


def unlink_grouped(db: Database, face_ids: Sequence[int], person_id: int) -> None:
    """The user put these faces in the person: no link is left between them and its faces."""
    members = "(SELECT face_id FROM face_people WHERE person_id = :person)"
    db.execute(
        "DELETE FROM cannot_links WHERE"
        f" (face_id IN (SELECT value FROM json_each(:faces)) AND other_face_id IN {members})"
        f" OR (other_face_id IN (SELECT value FROM json_each(:faces)) AND face_id IN {members})",
        {"faces": json_list(face_ids), "person": person_id},
    )


def links_touching(db: Database, face_ids: Sequence[int]) -> list[dict]:
    """Links with either end among these faces (what undo keeps of them)."""
    return list(db.query(
        f"SELECT face_id, other_face_id FROM cannot_links WHERE face_id {IN_JSON} OR other_face_id {IN_JSON}",
        [json_list(face_ids), json_list(face_ids)]))


def restore_links(db: Database, face_ids: Sequence[int], links: list[dict]) -> None:
    """Put back the links undo kept for these faces.

    Only links rejecting one of these faces are cleared first: those are the
    ones the undone operation may have made. Others, made since from a
    retired person's rejections, stay. Links to faces deleted since are gone.
    """
    db.execute(f"DELETE FROM cannot_links WHERE face_id {IN_JSON}", [json_list(face_ids)])
    ends = {face for link in links for face in (link["face_id"], link["other_face_id"])}
    existing = {row["id"] for row in rows_where_in(db, "faces", "id", ends, columns="id")}
    db["cannot_links"].insert_all(
        [link for link in links if link["face_id"] in existing and link["other_face_id"] in existing],
        ignore=True,
    )


def unlink_restored(db: Database, face_ids: Sequence[int]) -> None:
    """Undo of an operation logged before v7 (it kept no links): the restored faces' rows win.

    Links between one of these faces and a face of its restored person go:
    v7 made them from the rejection being undone.
    """
    db.execute(
        "DELETE FROM cannot_links WHERE rowid IN (SELECT cannot_links.rowid FROM cannot_links"
        " JOIN face_people AS one ON one.face_id = cannot_links.face_id"
        " JOIN face_people AS other"
        "   ON other.face_id = cannot_links.other_face_id AND other.person_id = one.person_id"
        f" WHERE cannot_links.face_id {IN_JSON} OR cannot_links.other_face_id {IN_JSON})",
        [json_list(face_ids), json_list(face_ids)],
    )


def link_unnamed_rejections(db: Database) -> None:
    """Before a cluster run writes: a rejection from an unnamed person becomes links to all it holds now.

    The run may hand those faces (clustering's, given after the rejection
    included) to other persons and retire the person; the links go with them.
    """
    db.execute(
        "INSERT OR IGNORE INTO cannot_links (face_id, other_face_id)"
        " SELECT rejections.face_id, face_people.face_id FROM rejections"
        " JOIN persons ON persons.id = rejections.person_id AND persons.name IS NULL"
        " JOIN face_people ON face_people.person_id = rejections.person_id"
        " WHERE face_people.face_id != rejections.face_id"
    )


def retire_emptied_persons(db: Database) -> None:
    """Delete unnamed persons without faces, with their rejections (``link_unnamed_rejections`` kept them)."""
    emptied = [person for (person,) in db.execute(
        "SELECT id FROM persons WHERE name IS NULL AND id NOT IN (SELECT person_id FROM face_people)")]
    delete_where_in(db, "rejections", "person_id", emptied)
    delete_where_in(db, "persons", "id", emptied)  # their suggestions go with them


def ruled_out(db: Database) -> set[tuple[int, int]]:
    """(face, person) pairs that clustering and suggestions never make.

    The face was rejected from the person, or the person holds a face it is linked to.
    """
    return set(db.execute(
        "SELECT face_id, person_id FROM rejections"
        " UNION SELECT cannot_links.face_id, face_people.person_id FROM cannot_links"
        " JOIN face_people ON face_people.face_id = cannot_links.other_face_id"
        " UNION SELECT cannot_links.other_face_id, face_people.person_id FROM cannot_links"
        " JOIN face_people ON face_people.face_id = cannot_links.face_id"
    ).fetchall())


def cannot_link_indices(db: Database, face_ids: np.ndarray) -> np.ndarray:
    """(m, 2) positions in ``face_ids`` of linked pairs, the rejected face first."""
    position = {int(face): index for index, face in enumerate(face_ids.tolist())}
    pairs = [(position[face], position[other]) for face, other in db.execute(
        "SELECT face_id, other_face_id FROM cannot_links ORDER BY face_id, other_face_id")
        if face in position and other in position]
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def drop_unconfirmed_clashes(db: Database) -> None:
    """Unassign clustering's faces that share a person with a face of their photo or a linked face.

    Of one photo, a confirmed face, then the lower face id, keeps its place;
    of two linked faces, a confirmed one, then the one not rejected.
    """
    db.execute(
        """DELETE FROM face_people WHERE face_id IN (
            SELECT mine.face_id FROM face_people AS mine
            JOIN faces AS my_face ON my_face.id = mine.face_id
            JOIN face_people AS other
                ON other.person_id = mine.person_id AND other.face_id != mine.face_id
            JOIN faces AS other_face
                ON other_face.id = other.face_id AND other_face.photo_id = my_face.photo_id
            WHERE mine.confirmed = 0 AND (other.confirmed = 1 OR other.face_id < mine.face_id))"""
    )
    db.execute(
        """DELETE FROM face_people WHERE face_id IN (
            SELECT CASE WHEN rejected.confirmed = 0 THEN rejected.face_id ELSE other.face_id END
            FROM cannot_links
            JOIN face_people AS rejected ON rejected.face_id = cannot_links.face_id
            JOIN face_people AS other
                ON other.face_id = cannot_links.other_face_id AND other.person_id = rejected.person_id
            WHERE rejected.confirmed = 0 OR other.confirmed = 0)"""
    )
