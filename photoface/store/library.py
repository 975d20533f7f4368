"""The library database: what was indexed, where it lives, and its faces.

A library is a folder holding ``library.db``. Every write is one immediate
transaction (``write_transaction``), so killing the process at any moment
leaves each photo wholly in its old state or wholly in its new one.

Photo status: 'indexed' (faces saved), 'error' (could not be read; ``error``
says why) or 'gone' (not found by the last scan of its folder). A gone photo
keeps its faces so that finding the file again, moved or not, restores them.
A photo whose content is in the library already under another path is a copy
(``copy_of``): it has no faces of its own, and takes over the faces of the
photo it copies when that one is gone, so no face is lost.
"""

import json
import os
import sqlite3
from collections import Counter
from collections.abc import Collection, Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path
from types import TracebackType

import numpy as np
from sqlite_utils import Database

from photoface.embed.quantize import quantize_int8
from photoface.errors import PhotofaceError
from photoface.photos.kinds import KIND_REASONS, kind
from photoface.photos.orientation import Box, box_to_upright, iou
from photoface.store import lock
from photoface.store.migrations import latest_version, migrate
from photoface.store.records import FaceRecord, PhotoRecord
from photoface.store.transaction import write_transaction

_KIND_PLACEHOLDERS = ", ".join("?" * len(KIND_REASONS))

DB_NAME = "library.db"
BUSY_TIMEOUT_S = 30.0
CARRY_OVER_IOU = 0.5  # an old and a new face of a re-indexed photo overlapping this much are one face

# Columns of user decisions naming a face, moved to its successor on re-indexing.
# Suggestions are not: the next cluster run recomputes them.
_PEOPLE_COLUMNS_CARRIED = (("face_people", "face_id"), ("rejections", "face_id"),
                           ("cannot_links", "face_id"), ("cannot_links", "other_face_id"),
                           ("persons", "cover_face_id"))  # a cover chosen on a face re-indexed

# The status a photo that is present on disk has, derived from its error.
_PRESENT_STATUS = "CASE WHEN error IS NULL THEN 'indexed' ELSE 'error' END"

_UPSERT_PHOTO = """
    INSERT INTO photos
        (path, size, mtime_ns, content_hash, width, height, orientation,
         status, error, copy_of, taken_at, media, indexed_at)
    VALUES
        (:path, :size, :mtime_ns, :content_hash, :width, :height, :orientation,
         :status, :error, :copy_of, :taken_at, :media, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ON CONFLICT (path) DO UPDATE SET
        size = excluded.size, mtime_ns = excluded.mtime_ns,
        content_hash = excluded.content_hash, width = excluded.width,
        height = excluded.height, orientation = excluded.orientation,
        status = excluded.status, error = excluded.error,
        copy_of = excluded.copy_of, taken_at = excluded.taken_at, media = excluded.media,
        indexed_at = excluded.indexed_at
    RETURNING id
"""


class LibraryReadOnly(PhotofaceError):
    """The library's disk or files cannot be written."""


class Library:
    """An open library; use ``Library.open(folder)``, ideally in a ``with``."""

    def __init__(self, db: Database, folder: Path, lock_key: Path | None = None):
        self.db = db
        self.folder = folder
        self._lock_key = lock_key

    @classmethod
    def open(cls, folder: Path, read_only: bool = False) -> "Library":
        """Open the library in ``folder``, creating and upgrading it as needed.

        Only one process at a time may open a library to write (``store.lock``);
        a second one gets ``LibraryInUse``, and a library that cannot be written
        ``LibraryReadOnly``. ``read_only`` is for what only reads: it takes no
        lock, so it works while another process writes (readers of SQLite's WAL
        never wait for the writer) and on a read-only disk; any write fails. A
        library that does not exist yet reads as an empty one.
        """
        folder = Path(folder)
        db_path = folder / DB_NAME
        if read_only:
            return cls(_connect_read_only(folder, db_path), folder)
        _make_writable_folder(folder)
        lock_key = lock.acquire(folder)
        try:
            db = _connect_explained(db_path)
        except BaseException:
            lock.release(lock_key)
            raise
        return cls(db, folder, lock_key)

    def close(self) -> None:
        self.db.close()
        if self._lock_key is not None:
            lock.release(self._lock_key)
            self._lock_key = None

    def __enter__(self) -> "Library":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- models ---------------------------------------------------------

    def register_model(self, model_id: str, dim: int, description: str = "",
                       base_model_id: str | None = None) -> None:
        """Record an embedding model (``base_model_id``: the model whose embeddings a trained
        head maps); re-registering updates its description."""
        with write_transaction(self.db):
            known = self.db.execute("SELECT dim FROM models WHERE id = ?", [model_id]).fetchone()
            if known is None:
                self.db["models"].insert({"id": model_id, "dim": dim, "description": description,
                                          "base_model_id": base_model_id})
            elif known[0] != dim:
                raise ValueError(f"model {model_id!r} is registered with dim {known[0]}, not {dim}")
            else:
                self.db.execute(
                    "UPDATE models SET description = ? WHERE id = ?", [description, model_id]
                )

    def base_model(self, model_id: str) -> str | None:
        """The model whose embeddings ``model_id`` maps, for a trained head (None for a network)."""
        row = self.db.execute("SELECT base_model_id FROM models WHERE id = ?", [model_id]).fetchone()
        return row[0] if row else None

    def delete_model(self, model_id: str) -> None:
        """Forget a model and every embedding it made (faces and people stay)."""
        with write_transaction(self.db):
            self.db.execute("DELETE FROM embeddings WHERE model_id = ?", [model_id])
            self.db.execute("DELETE FROM models WHERE id = ?", [model_id])

    # --- settings that belong to the library -------------------------------

    def setting(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM library_settings WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def save_setting(self, key: str, value: str) -> None:
        with write_transaction(self.db):
            self.db.execute("INSERT OR REPLACE INTO library_settings (key, value) VALUES (?, ?)", [key, value])

    # --- photos: lookups for the indexer ---------------------------------

    def photo_by_path(self, path: str) -> dict | None:
        return self._one("SELECT * FROM photos WHERE path = ?", [path])

    def moved_photo_candidate(self, content_hash: str, other_than: str | None = None) -> dict | None:
        """A known photo with this content whose recorded file (not ``other_than``) is no longer there."""
        # Gone ones first: a scan has already confirmed they are missing; then
        # the one holding the faces rather than a copy of it.
        rows = self.db.query(
            "SELECT * FROM photos WHERE content_hash = ? ORDER BY status != 'gone', copy_of IS NOT NULL, id",
            [content_hash],
        )
        moved = (p for p in rows
                 if p["path"] != other_than and (p["status"] == "gone" or not os.path.exists(p["path"])))
        return next(moved, None)

    def original_photo(self, content_hash: str, other_than: str) -> dict | None:
        """The indexed photo (not a copy) with this content at a path other than ``other_than``."""
        return self._one(
            "SELECT * FROM photos WHERE content_hash = ? AND status = 'indexed' AND copy_of IS NULL"
            " AND path != ? ORDER BY id LIMIT 1",
            [content_hash, other_than],
        )

    # --- photos: writes ---------------------------------------------------

    def move_photo(self, photo_id: int, record: PhotoRecord) -> None:
        """The same content found at a new path: keep its faces, revive it if gone.

        A stale row already at the new path (a file since replaced) gives way.
        """
        with write_transaction(self.db):
            self.db.execute(
                "DELETE FROM photos WHERE path = ? AND id != ?", [record.path, photo_id]
            )
            self.db.execute(
                f"UPDATE photos SET path = ?, size = ?, mtime_ns = ?, status = {_PRESENT_STATUS}"
                " WHERE id = ?",
                [record.path, record.size, record.mtime_ns, photo_id],
            )

    def update_file_stat(self, photo_id: int, size: int, mtime_ns: int) -> None:
        """The file was touched but its content is unchanged (also revives a gone photo)."""
        with write_transaction(self.db):
            self.db.execute(
                f"UPDATE photos SET size = ?, mtime_ns = ?, status = {_PRESENT_STATUS}"
                " WHERE id = ?",
                [size, mtime_ns, photo_id],
            )

    def save_indexed_photo(
        self, record: PhotoRecord, faces: list[FaceRecord], model_id: str
    ) -> int:
        """Store a photo with exactly these faces and their embeddings; returns its id.

        One transaction: previous faces of the photo are replaced, never mixed in.
        The user's decisions about an old face (its person, rejections, hidden
        flag) move to the new face whose box overlaps it (``CARRY_OVER_IOU``).
        Faces the user drew stay as they are, and a face found where one was
        drawn is left out: the drawn one stands for it.
        """
        with write_transaction(self.db):
            dim = self._model_dim(model_id)
            old_faces = self._upright_boxes_of(record.path)
            drawn = self._upright_boxes_of(record.path, drawn=True).values()
            photo_id = self._upsert_photo(record, status="indexed", error=None)
            found = [(face, _upright(face.box, record.width, record.height, record.orientation)) for face in faces]
            new_faces = {
                self._insert_face(photo_id, face, model_id, dim): box for face, box in found
                if not any(iou(box, mine) >= CARRY_OVER_IOU for mine in drawn)
            }
            self._carry_over_people(old_faces, new_faces)
            self.db.conn.executemany("DELETE FROM faces WHERE id = ?", [(i,) for i in old_faces])
        return photo_id

    def save_drawn_face(self, photo_id: int, face: FaceRecord, model_id: str) -> int:
        """Store a face the user drew on an indexed photo, with its embedding; returns its id."""
        with write_transaction(self.db):
            return self._insert_face(photo_id, face, model_id, self._model_dim(model_id), drawn=True)

    def save_copy(self, record: PhotoRecord, original_id: int) -> int:
        """Record the file at ``record.path`` as a copy of photo ``original_id``; returns its id.

        The copy has the original's size, orientation and kind and no faces of its own.
        """
        with write_transaction(self.db):
            original = self.db["photos"].get(original_id)
            record.width, record.height, record.orientation, record.media = (
                original["width"], original["height"], original["orientation"], original["media"])
            record.taken = datetime.fromisoformat(original["taken_at"]) if original["taken_at"] else None
            return self._upsert_photo(record, status="indexed", error=None, copy_of=original_id)

    def record_taken_dates(self, taken: dict[int, datetime | None]) -> None:
        """When these photos were taken (photo id -> date, None if they do not say), for photos indexed
        before the library kept it."""
        with write_transaction(self.db):
            self.db.conn.executemany("UPDATE photos SET taken_at = ? WHERE id = ?",
                                     [(_taken_text(date), photo_id) for photo_id, date in taken.items()])

    def save_failed_photo(self, record: PhotoRecord, reason: str) -> int:
        """Record a photo that could not be read; returns its id.

        Faces from an earlier successful run stay: a file that is unreadable for
        now (half synced, say) should not cost the user their named faces.
        """
        with write_transaction(self.db):
            return self._upsert_photo(record, status="error", error=reason)

    def mark_gone(self, root: str, seen_paths: set[str], spared: tuple[str, ...] = ()) -> int:
        """Mark photos under folder ``root`` that the scan did not see; returns how many.

        Photos under a ``spared`` folder (one the scan could not look into) stay
        as they are. A gone photo's faces go to a copy of it that is still there.
        """
        with write_transaction(self.db):
            present = self._present_under(root)
            missing = [(photo_id,) for photo_id, path in present
                       if path not in seen_paths and not _is_under(path, spared)]
            self.db.conn.executemany("UPDATE photos SET status = 'gone' WHERE id = ?", missing)
            self.hand_over_to_copies([photo_id for photo_id, in missing])
        return len(missing)

    def hand_over_to_copies(self, photo_ids: list[int]) -> None:
        """Each photo's faces (and so every decision about them) move to its first present copy
        outside ``photo_ids``, which becomes the photo the others copy, this one included.

        For photos about to be gone or forgotten, in the transaction that makes them so.
        """
        leaving = set(photo_ids)
        with write_transaction(self.db):
            for photo_id in photo_ids:
                copies = self.db.execute(
                    "SELECT id FROM photos WHERE copy_of = ? AND status != 'gone' ORDER BY id", [photo_id]).fetchall()
                heir = next((copy_id for copy_id, in copies if copy_id not in leaving), None)
                if heir is None:
                    continue
                self.db.execute("UPDATE faces SET photo_id = ? WHERE photo_id = ?", [heir, photo_id])
                self.db.execute("UPDATE photos SET copy_of = ? WHERE (copy_of = ? OR id = ?) AND id != ?",
                                [heir, photo_id, photo_id, heir])
                self.db.execute("UPDATE photos SET copy_of = NULL WHERE id = ?", [heir])

    def record_skipped(self, roots: list[str], skipped: dict[str, str]) -> None:
        """What the latest scan of ``roots`` left out (path -> reason), replacing what earlier scans said."""
        with write_transaction(self.db):
            for root in roots:
                self.db.execute("DELETE FROM skipped_files WHERE path = :root OR substr(path, 1, length(:prefix))"
                                " = :prefix", {"root": root, "prefix": _folder_prefix(root)})
            self.db.conn.executemany("INSERT OR REPLACE INTO skipped_files (path, reason) VALUES (?, ?)",
                                     list(skipped.items()))

    def present_photos_under(self, root: str) -> int:
        """How many photos under folder ``root`` are not gone."""
        return len(self._present_under(root))

    # --- reading ------------------------------------------------------------

    def status(self, error_limit: int = 50) -> dict:
        """Counts for a summary: photos by status (copies apart; videos among them), faces, errors, files
        skipped, models.

        Files skipped for their kind (videos, a .xyz) are counted per reason and
        extension in ``skipped_kinds``; ``skipped`` lists the others one by one.
        """
        by_status = dict.fromkeys(("indexed", "error", "gone"), 0)
        for status, count in self.db.execute(
                "SELECT status, count(*) FROM photos WHERE copy_of IS NULL GROUP BY status"):
            by_status[status] = count
        videos = dict(self.db.execute(
            "SELECT status, count(*) FROM photos WHERE copy_of IS NULL AND media = 'video' GROUP BY status"))
        copies = self.db.execute(
            "SELECT count(*) FROM photos WHERE copy_of IS NOT NULL AND status != 'gone'").fetchone()[0]
        skipped = list(self.db.query(
            f"SELECT path, reason FROM skipped_files WHERE reason NOT IN ({_KIND_PLACEHOLDERS})"
            " ORDER BY path LIMIT ?", [*KIND_REASONS, error_limit]))
        skipped_count = self.db.execute("SELECT count(*) FROM skipped_files").fetchone()[0]
        faces = self.db.execute(
            "SELECT count(*) FROM faces JOIN photos ON photos.id = faces.photo_id"
            " WHERE photos.status != 'gone'"
        ).fetchone()[0]
        errors = list(
            self.db.query(
                "SELECT path, error AS reason FROM photos WHERE status = 'error'"
                " ORDER BY path LIMIT ?",
                [error_limit],
            )
        )
        models = list(
            self.db.query(
                "SELECT models.id, models.dim, models.description,"
                " count(embeddings.face_id) AS embeddings"
                " FROM models LEFT JOIN embeddings ON embeddings.model_id = models.id"
                " GROUP BY models.id ORDER BY models.id"
            )
        )
        return {"photos": by_status, "videos": {status: videos.get(status, 0) for status in by_status},
                "copies": copies, "faces": faces, "errors": errors,
                "skipped": skipped, "skipped_count": skipped_count, "skipped_kinds": self._skipped_kinds(),
                "models": models}

    def _skipped_kinds(self) -> list[dict]:
        """How many files each kind-of-file reason left out, per extension, most first."""
        counts = Counter((reason, kind(path)) for path, reason in self.db.execute(
            f"SELECT path, reason FROM skipped_files WHERE reason IN ({_KIND_PLACEHOLDERS})", KIND_REASONS))
        return [{"reason": reason, "kind": extension, "count": count}
                for (reason, extension), count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]

    def faces(self, include_gone: bool = False, photo_id: int | None = None) -> Iterator[dict]:
        """Every face (or every face of one photo), ordered by id, with what is needed to draw it upright.

        Keys: id, photo_id, path, box, landmarks (stored frame), det_score,
        quality, sharpness, drawn (by the user), time_ms (in a video, else None), and the photo's
        stored width, height, orientation and media ("photo" or "video").
        """
        in_photo = "TRUE" if photo_id is None else "photos.id = :photo_id"
        rows = self.db.query(
            'SELECT faces.id, faces."left", faces.top, faces.width, faces.height,'
            " faces.landmarks, faces.det_score, faces.quality, faces.sharpness, faces.drawn, faces.time_ms,"
            " photos.id AS photo_id, photos.path, photos.width AS photo_width,"
            " photos.height AS photo_height, photos.orientation, photos.media"
            " FROM faces JOIN photos ON photos.id = faces.photo_id"
            f" WHERE {_photo_filter(include_gone)} AND {in_photo} ORDER BY faces.id",
            {"photo_id": photo_id},
        )
        for row in rows:
            yield {
                "id": row["id"],
                "photo_id": row["photo_id"],
                "path": row["path"],
                "box": (row["left"], row["top"], row["width"], row["height"]),
                "landmarks": [tuple(point) for point in json.loads(row["landmarks"])],
                "det_score": row["det_score"],
                "quality": row["quality"],
                "sharpness": row["sharpness"],
                "drawn": bool(row["drawn"]),
                "time_ms": row["time_ms"],
                "width": row["photo_width"],
                "height": row["photo_height"],
                "orientation": row["orientation"],
                "media": row["media"],
            }

    def embedding_matrix(
        self, model_id: str, include_gone: bool = False, lacking: str | None = None,
        face_ids: Collection[int] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Face ids (int64) and their L2-normalised float32 embeddings, one row each.

        ``lacking``: only the faces that model ``lacking`` has not embedded yet; ``face_ids``: only these.
        """
        dim = self._model_dim(model_id)
        not_yet = ("TRUE" if lacking is None else "NOT EXISTS (SELECT 1 FROM embeddings AS made"
                   " WHERE made.face_id = embeddings.face_id AND made.model_id = :lacking)")
        among = "TRUE" if face_ids is None else "embeddings.face_id IN (SELECT value FROM json_each(:ids))"
        rows = self.db.execute(
            "SELECT embeddings.face_id, embeddings.dtype, embeddings.vector FROM embeddings"
            " JOIN faces ON faces.id = embeddings.face_id"
            " JOIN photos ON photos.id = faces.photo_id"
            f" WHERE {_photo_filter(include_gone)} AND embeddings.model_id = :model AND {not_yet} AND {among}"
            " ORDER BY embeddings.face_id",
            {"model": model_id, "lacking": lacking, "ids": json.dumps([] if face_ids is None else list(face_ids))},
        ).fetchall()
        face_ids = np.array([face_id for face_id, _, _ in rows], dtype=np.int64)
        vectors = [_decode_vector(dtype, blob) for _, dtype, blob in rows]
        matrix = np.stack(vectors) if vectors else np.empty((0, dim), dtype=np.float32)
        return face_ids, matrix

    def save_embeddings(self, model_id: str, face_ids, vectors: np.ndarray, dtype: str = "f4") -> None:
        """Store (or replace) the embeddings ``model_id`` made of existing faces, in one transaction.

        ``dtype`` "i1" keeps each value in one byte (``embed.quantize``): 128 bytes for a 128-d face.
        """
        vectors = np.asarray(vectors, dtype=np.float32)
        rows = quantize_int8(vectors) if dtype == "i1" else vectors.astype("<f4")
        with write_transaction(self.db):
            dim = self._model_dim(model_id)
            if vectors.ndim != 2 or vectors.shape[1] != dim or len(vectors) != len(face_ids):
                raise ValueError(f"expected {len(face_ids)} embeddings of {dim} values, got shape {vectors.shape}")
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO embeddings (face_id, model_id, dim, dtype, vector) VALUES (?, ?, ?, ?, ?)",
                [(int(face_id), model_id, dim, dtype, row.tobytes()) for face_id, row in zip(face_ids, rows)],
            )

    def photo_of_face(self, face_id: int) -> int:
        """The id of the photo a face is in; KeyError for an unknown face."""
        row = self.db.execute("SELECT photo_id FROM faces WHERE id = ?", [face_id]).fetchone()
        if row is None:
            raise KeyError(face_id)
        return row[0]

    def face_thumbnail(self, face_id: int) -> bytes:
        """The face's JPEG crop; KeyError for an unknown face."""
        return self.face_tile(face_id)[0]

    def face_tile(self, face_id: int) -> tuple[bytes, int | None]:
        """The face's JPEG crop and when in its video it was seen (None for a photo's face), in one read;
        KeyError for an unknown face."""
        row = self.db.execute("SELECT thumbnail, time_ms FROM faces WHERE id = ?", [face_id]).fetchone()
        if row is None:
            raise KeyError(face_id)
        return row[0], row[1]

    # --- helpers -------------------------------------------------------------

    def _present_under(self, root: str) -> list[tuple[int, str]]:
        # substr, not LIKE, because paths may hold % and _.
        prefix = _folder_prefix(root)
        return self.db.execute(
            "SELECT id, path FROM photos"
            " WHERE status != 'gone' AND substr(path, 1, length(:prefix)) = :prefix",
            {"prefix": prefix},
        ).fetchall()

    def _one(self, sql: str, params: list) -> dict | None:
        return next(iter(self.db.query(sql, params)), None)

    def _model_dim(self, model_id: str) -> int:
        row = self.db.execute("SELECT dim FROM models WHERE id = ?", [model_id]).fetchone()
        if row is None:
            raise ValueError(f"model {model_id!r} is not registered")
        return row[0]

    def _upsert_photo(self, record: PhotoRecord, status: str, error: str | None,
                      copy_of: int | None = None) -> int:
        params = {
            "path": record.path,
            "size": record.size,
            "mtime_ns": record.mtime_ns,
            "content_hash": record.content_hash,
            "width": record.width or None,  # a photo that failed to decode has no size
            "height": record.height or None,
            "orientation": record.orientation,
            "status": status,
            "error": error,
            "copy_of": copy_of,
            "taken_at": _taken_text(record.taken),
            "media": record.media,
        }
        return self.db.execute(_UPSERT_PHOTO, params).fetchone()[0]

    def _upright_boxes_of(self, path: str, drawn: bool = False) -> dict[int, Box]:
        """The faces found (or, with ``drawn``, drawn) on the photo at ``path``: id -> box in its upright frame."""
        rows = self.db.query(
            'SELECT faces.id, faces."left", faces.top, faces.width, faces.height,'
            " photos.width AS photo_width, photos.height AS photo_height, photos.orientation"
            " FROM faces JOIN photos ON photos.id = faces.photo_id WHERE photos.path = ? AND faces.drawn = ?",
            [path, int(drawn)],
        )
        return {
            row["id"]: _upright(
                (row["left"], row["top"], row["width"], row["height"]),
                row["photo_width"], row["photo_height"], row["orientation"],
            )
            for row in rows
        }

    def _carry_over_people(self, old_faces: dict[int, Box], new_faces: dict[int, Box]) -> None:
        """Re-point people rows and the hidden flag from each old face to its matching new one.

        Matching is greedy by IoU in the upright frame, so rotating a photo
        (a new EXIF orientation) keeps every decision. ``face_successors``
        remembers each pair for the undo log, whose entries name old faces.
        """
        pairs = sorted(
            ((iou(old_box, new_box), old_id, new_id)
             for old_id, old_box in old_faces.items() for new_id, new_box in new_faces.items()),
            reverse=True,
        )
        matched_old, matched_new = set(), set()
        for overlap, old_id, new_id in pairs:
            if overlap < CARRY_OVER_IOU:
                break
            if old_id in matched_old or new_id in matched_new:
                continue
            matched_old.add(old_id)
            matched_new.add(new_id)
            self.db.execute("INSERT OR REPLACE INTO face_successors (old_id, new_id) VALUES (?, ?)",
                            [old_id, new_id])
            for table, column in _PEOPLE_COLUMNS_CARRIED:
                self.db.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", [new_id, old_id])
            self.db.execute(
                "UPDATE faces SET hidden = (SELECT hidden FROM faces WHERE id = ?) WHERE id = ?",
                [old_id, new_id],
            )

    def _insert_face(self, photo_id: int, face: FaceRecord, model_id: str, dim: int, drawn: bool = False) -> int:
        vector = np.asarray(face.embedding, dtype="<f4").ravel()
        if vector.size != dim:
            raise ValueError(f"embedding has {vector.size} values; model {model_id!r} makes {dim}")
        left, top, width, height = (float(v) for v in face.box)
        face_id = self.db["faces"].insert(
            {
                "photo_id": photo_id,
                "left": left,
                "top": top,
                "width": width,
                "height": height,
                "landmarks": json.dumps([[float(x), float(y)] for x, y in face.landmarks]),
                "det_score": float(face.det_score),
                "quality": float(face.quality),
                "sharpness": float(face.sharpness),
                "thumbnail": face.thumbnail,
                "drawn": int(drawn),
                "time_ms": face.time_ms,
            }
        ).last_pk
        self.db["embeddings"].insert(
            {
                "face_id": face_id,
                "model_id": model_id,
                "dim": dim,
                "dtype": "f4",
                "vector": vector.tobytes(),
            }
        )
        return face_id


def _upright(box: Box, width: int | None, height: int | None, orientation: int | None) -> Box:
    """``box`` in its photo's upright frame; as stored when the photo's size is unknown."""
    if not (width and height):
        return box
    return box_to_upright(box, (width, height), orientation or 1)


def _is_under(path: str, folders: tuple[str, ...]) -> bool:
    return any(path.startswith(_folder_prefix(folder)) for folder in folders)


def _folder_prefix(folder: str) -> str:
    """What paths under ``folder`` start with: "/a/b/", so that /a/b never claims /a/bc."""
    return folder.rstrip(os.sep) + os.sep


def _photo_filter(include_gone: bool) -> str:
    return "TRUE" if include_gone else "photos.status != 'gone'"


def _decode_vector(dtype: str, blob: bytes) -> np.ndarray:
    if dtype == "f4":
        return np.frombuffer(blob, dtype="<f4").astype(np.float32)
    # int8 rows keep only the direction of the vector: rescale to unit length.
    values = np.frombuffer(blob, dtype=np.int8).astype(np.float32)
    norm = np.linalg.norm(values)
    return values / norm if norm > 0 else values


def is_writable(folder: Path) -> bool:
    """Whether this process may write the library in ``folder`` (on a read-only disk not even root may)."""
    db_path = Path(folder) / DB_NAME
    return os.access(folder, os.W_OK) and (not db_path.exists() or os.access(db_path, os.W_OK))


def read_only_connection(db_path: Path) -> sqlite3.Connection:
    """A connection that cannot write the SQLite file ``db_path`` (a library or a copy of one).

    A file in WAL mode needs its WAL index (``-shm``), which SQLite cannot make
    on a read-only disk or in a folder this user may not write: there the file
    is read as immutable (it cannot change on a read-only disk).
    """
    uri = Path(db_path).absolute().as_uri()  # quotes what a URI cannot hold (?, #, %)
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        conn.execute("PRAGMA schema_version")  # SQLite opens the file on first use
    except sqlite3.OperationalError as err:
        conn.close()
        if err.sqlite_errorcode != sqlite3.SQLITE_CANTOPEN or os.access(Path(db_path).parent, os.W_OK):
            raise
        conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
    return conn


def check_writable(folder: Path) -> None:
    """``LibraryReadOnly`` if there is a library in ``folder`` that this process may not write."""
    if (Path(folder) / DB_NAME).exists() and not is_writable(folder):
        raise LibraryReadOnly(
            f"The library {folder} is read-only (a read-only disk, or files you may not write): "
            "commands that only read it work (status, people, faces, suggestions, export); "
            "to change it, make it writable."
        )


def _make_writable_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise PhotofaceError(f"Cannot create the library folder {folder}: {err.strerror}") from err
    check_writable(folder)
    if not is_writable(folder):
        raise PhotofaceError(
            f"Cannot write to {folder}: photoface keeps its library there. "
            "Choose a folder you can write to, or fix its permissions."
        )


def _connect_read_only(folder: Path, db_path: Path) -> Database:
    """A connection for reading only, at the latest format; an empty library if there is none yet."""
    if not db_path.exists():
        db = _connect(":memory:")  # nothing is made on disk
    else:
        try:
            if _older_format(db_path):
                _upgrade(folder)
            db = Database(read_only_connection(db_path), execute_plugins=False)
        except sqlite3.DatabaseError as err:
            raise _open_error(db_path, err) from err
    try:
        migrate(db)  # nothing pending, so it only reads: refuses a newer library or another database
    except BaseException:
        db.close()
        raise
    db.execute("PRAGMA query_only = ON")
    return db


def _older_format(db_path: Path) -> bool:
    with closing(read_only_connection(db_path)) as conn:
        return conn.execute("PRAGMA user_version").fetchone()[0] < latest_version()


def _upgrade(folder: Path) -> None:
    """Bring an older library to this photoface's format, as opening it to write always did."""
    try:
        Library.open(folder).close()
    except LibraryReadOnly as err:
        raise LibraryReadOnly(
            f"The library {folder} is in an older format that this photoface must upgrade before "
            "reading it, and it is read-only: make it writable once, or use the photoface that made it."
        ) from err


def _connect_explained(db_path: Path) -> Database:
    """``_connect``, with failures turned into errors a user can act on."""
    try:
        return _connect(db_path)
    except sqlite3.DatabaseError as err:
        raise _open_error(db_path, err) from err
    except OSError as err:  # the backup before an upgrade
        raise PhotofaceError(f"Cannot back up {db_path} before upgrading it: {err}") from err


def _connect(db_path: Path | str) -> Database:
    """Open, configure and migrate; closes the connection again if any step fails."""
    conn = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        db = Database(conn, execute_plugins=False)
        wal = db.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
        # With WAL, NORMAL survives any process kill and power loss costs at
        # most the last commits; without WAL (some network drives) only FULL does.
        db.execute(f"PRAGMA synchronous = {'NORMAL' if wal else 'FULL'}")
        db.execute("PRAGMA foreign_keys = ON")
        migrate(db)
    except BaseException:
        conn.close()
        raise
    return db


def _open_error(db_path: Path, err: sqlite3.DatabaseError) -> PhotofaceError:
    if err.sqlite_errorcode == sqlite3.SQLITE_NOTADB:
        return PhotofaceError(
            f"{db_path} is not a photoface library (not an SQLite database). "
            "Move it away or choose another folder."
        )
    return PhotofaceError(
        f"Cannot open the library {db_path}: {err}. Check that the folder is writable and not full."
    )


def _taken_text(taken: datetime | None) -> str:
    """``photos.taken_at``: sortable with SQLite's datetime(); '' for a photo that gives no date (read, unlike NULL)."""
    return "" if taken is None else taken.isoformat(sep=" ", timespec="seconds")
