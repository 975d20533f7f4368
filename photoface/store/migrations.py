"""Versioned schema migrations for ``library.db``.

The schema version is ``PRAGMA user_version``: 0 is a new, empty file and N
means ``MIGRATIONS[:N]`` have been applied. ``migrate`` applies the pending
ones in order, each in its own transaction together with the version bump, so
a crash leaves the library at the old version or the new one, never between.
Before the first pending step of a library that already holds data it copies
the whole database to ``library.db.bak-v<old version>``.

Adding a migration (v2, v3, ...)
--------------------------------
1. Write ``def _v2_people(db: Database) -> None`` below the others. Change the
   schema with ``db.execute(...)`` one statement at a time, or sqlite-utils
   helpers. Never COMMIT, ``executescript`` (it commits) or VACUUM: the runner
   owns the transaction.
2. Append it to ``MIGRATIONS``; its position is the version it produces.
   Never edit, reorder or remove a released migration: users' libraries have
   already run it.
3. Test the upgrade from the previous version with data in the database
   (``migrate(db, target=N - 1)`` builds it).

Foreign keys are off while migrations run, so rebuilding a table the SQLite
way (create new, copy rows, drop old, rename) does not cascade-delete faces;
``PRAGMA foreign_key_check`` must pass before a step commits.
"""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from photoface.errors import PhotofaceError
from photoface.store.copy import copy_database, unused_name
from photoface.store.transaction import write_transaction


def _v1_initial(db: Database) -> None:
    """The first release: photos, their faces, and face embeddings per model."""
    statements = [
        """CREATE TABLE models (
            id TEXT PRIMARY KEY,
            dim INTEGER NOT NULL,
            description TEXT,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        )""",
        """CREATE TABLE photos (
            id INTEGER PRIMARY KEY,
            path TEXT UNIQUE NOT NULL,
            size INTEGER,
            mtime_ns INTEGER,
            content_hash TEXT,
            width INTEGER,
            height INTEGER,
            orientation INTEGER,
            status TEXT NOT NULL CHECK (status IN ('indexed', 'error', 'gone')),
            error TEXT,
            indexed_at TEXT
        )""",
        "CREATE INDEX photos_content_hash ON photos (content_hash)",
        "CREATE INDEX photos_status ON photos (status)",
        # "left" is an SQL keyword: always write it quoted.
        """CREATE TABLE faces (
            id INTEGER PRIMARY KEY,
            photo_id INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
            "left" REAL NOT NULL,
            top REAL NOT NULL,
            width REAL NOT NULL,
            height REAL NOT NULL,
            landmarks TEXT,
            det_score REAL,
            quality REAL,
            sharpness REAL,
            thumbnail BLOB
        )""",
        "CREATE INDEX faces_photo_id ON faces (photo_id)",
        """CREATE TABLE embeddings (
            face_id INTEGER NOT NULL REFERENCES faces (id) ON DELETE CASCADE,
            model_id TEXT NOT NULL REFERENCES models (id),
            dim INTEGER NOT NULL,
            dtype TEXT NOT NULL CHECK (dtype IN ('f4', 'i1')),
            vector BLOB NOT NULL,
            PRIMARY KEY (face_id, model_id)
        )""",
    ]
    for statement in statements:
        db.execute(statement)


def _v2_people(db: Database) -> None:
    """People (issue #3): who each face is, the user's decisions, and their undo log.

    ``face_people.confirmed`` = 1 marks a user decision, a hard constraint that
    clustering never changes; 0 rows are clustering's proposals. A rejection
    ("not this person") is kept forever. Persons use AUTOINCREMENT so that an id,
    once shown to the user, never comes back for someone else.
    """
    statements = [
        """CREATE TABLE persons (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT,
            hidden INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        )""",
        "CREATE UNIQUE INDEX persons_name ON persons (name COLLATE NOCASE)",
        # Deleting a person that still has faces is refused: it would lose user work.
        """CREATE TABLE face_people (
            face_id INTEGER PRIMARY KEY REFERENCES faces (id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL REFERENCES persons (id),
            confirmed INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX face_people_person_id ON face_people (person_id)",
        """CREATE TABLE rejections (
            face_id INTEGER NOT NULL REFERENCES faces (id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
            PRIMARY KEY (face_id, person_id)
        )""",
        "CREATE INDEX rejections_person_id ON rejections (person_id)",
        """CREATE TABLE suggestions (
            face_id INTEGER NOT NULL REFERENCES faces (id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
            score REAL NOT NULL,
            distance REAL NOT NULL,
            PRIMARY KEY (face_id, person_id)
        )""",
        "CREATE INDEX suggestions_person_id ON suggestions (person_id)",
        "ALTER TABLE faces ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0",
        """CREATE TABLE operations (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            kind TEXT NOT NULL,
            summary TEXT NOT NULL,
            undo TEXT NOT NULL
        )""",
    ]
    for statement in statements:
        db.execute(statement)


def _v3_folders(db: Database) -> None:
    """The folders a library watches (issue #4); a paused one is neither scanned nor watched."""
    db.execute(
        """CREATE TABLE folders (
            id INTEGER PRIMARY KEY,
            path TEXT UNIQUE NOT NULL,
            paused INTEGER NOT NULL DEFAULT 0,
            added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        )"""
    )


def _v4_improved_models(db: Database) -> None:
    """Improve recognition (issue #5): trained heads and the model the library recognises with.

    ``models.base_model_id`` names the model whose embeddings a trained head maps
    (NULL for a network); the head's weights are kept in the library folder.
    ``library_settings`` holds choices that belong to the library, one row per
    key; ``active_model`` is the model recognition uses.
    """
    db.execute("ALTER TABLE models ADD COLUMN base_model_id TEXT REFERENCES models (id)")
    db.execute("CREATE TABLE library_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def _v5_settings_and_grouping_due(db: Database) -> None:
    """One source of truth (issue #17): the app's ``settings.json`` moves into ``library_settings``,
    and the library records that grouping is due.

    ``index.*`` rows hold how to index (the file's sensitivity label becomes the
    detection side it stood for); the file stays, no longer read. Triggers raise
    ``grouping_due`` (a counter, so a re-cluster clears only what it saw) when
    faces are added or removed, a photo goes or comes back, or the active model
    changes; a library holding faces starts due, so faces left ungrouped by an
    interrupted run get grouped.
    """
    for key, value in _settings_file_rows(Path(_db_file(db)).parent if _db_file(db) else None):
        db.execute("INSERT OR IGNORE INTO library_settings (key, value) VALUES (?, ?)", [key, value])
    raise_due = ("INSERT INTO library_settings (key, value) VALUES ('grouping_due', '1')"
                 " ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1;")
    for name, event in [
        ("face_added", "AFTER INSERT ON faces"),
        ("face_removed", "AFTER DELETE ON faces"),
        ("photo_status_changed", "AFTER UPDATE OF status ON photos WHEN OLD.status IS NOT NEW.status"),
        ("model_chosen", "AFTER INSERT ON library_settings WHEN NEW.key = 'active_model'"),
    ]:
        db.execute(f"CREATE TRIGGER grouping_due_{name} {event} BEGIN {raise_due} END")
    if db.execute("SELECT 1 FROM faces LIMIT 1").fetchone():
        db.execute(raise_due.rstrip(";"))


def _settings_file_rows(folder: Path | None) -> list[tuple[str, str]]:
    """``settings.json``'s values as v5 ``library_settings`` rows: none for a missing or unreadable
    file, and values of the wrong type left out."""
    sides = {"Low (faster)": 640, "Normal": 960, "High (finds smaller faces)": 1440}
    kinds = {"model_id": str, "detect_side": int, "min_face_size": int, "workers": int}
    try:
        saved = json.loads((folder / "settings.json").read_text()) if folder else {}
    except (OSError, ValueError):
        return []
    if not isinstance(saved, dict):
        return []
    if saved.get("sensitivity") in sides:
        saved["detect_side"] = sides[saved["sensitivity"]]
    return [(f"index.{name}", str(saved[name])) for name, kind in kinds.items()
            if type(saved.get(name)) is kind]


def _v6_copies_and_skipped_files(db: Database) -> None:
    """Never lose or duplicate while indexing (issue #17).

    ``photos.copy_of``: a photo whose content is already in the library under
    another path (an album, a backup copy) records which photo it copies and
    has no faces of its own, so every face is shown and counted once.
    ``skipped_files``: what a scan left out under a root and why (FIFOs,
    dangling links, names that are not UTF-8, folders it may not read,
    photoface's own albums), for ``status``.
    """
    db.execute("ALTER TABLE photos ADD COLUMN copy_of INTEGER REFERENCES photos (id) ON DELETE SET NULL")
    db.execute("CREATE INDEX photos_copy_of ON photos (copy_of)")
    db.execute(
        """CREATE TABLE skipped_files (
            path TEXT PRIMARY KEY,
            reason TEXT NOT NULL,
            seen_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        )"""
    )


def _v7_cannot_links(db: Database) -> None:
    """Rejections survive re-clustering (issue #17; ``photoface.people.constraints`` says why).

    ``cannot_links`` (F, G): face F was rejected from a person that held face G,
    so nothing automatic ever groups them. Every existing rejection becomes
    links to the faces its person holds now, and stays as it was. Deleting a
    person no longer deletes its rejections (no ON DELETE CASCADE): re-clustering
    turns them into links before it retires a person. ``face_successors``:
    re-indexing made face ``new_id`` of face ``old_id`` (undo follows it; no
    foreign keys, the old face is gone).
    """
    db.execute(
        """CREATE TABLE cannot_links (
            face_id INTEGER NOT NULL REFERENCES faces (id) ON DELETE CASCADE,
            other_face_id INTEGER NOT NULL REFERENCES faces (id) ON DELETE CASCADE,
            PRIMARY KEY (face_id, other_face_id)
        )"""
    )
    db.execute("CREATE INDEX cannot_links_other_face_id ON cannot_links (other_face_id)")
    db.execute(
        """CREATE TABLE rejections_v5 (
            face_id INTEGER NOT NULL REFERENCES faces (id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL REFERENCES persons (id),
            PRIMARY KEY (face_id, person_id)
        )"""
    )
    db.execute("INSERT INTO rejections_v5 (face_id, person_id) SELECT face_id, person_id FROM rejections")
    db.execute("DROP TABLE rejections")
    db.execute("ALTER TABLE rejections_v5 RENAME TO rejections")
    db.execute("CREATE INDEX rejections_person_id ON rejections (person_id)")
    db.execute("CREATE TABLE face_successors (old_id INTEGER PRIMARY KEY, new_id INTEGER NOT NULL)")
    db.execute(
        "INSERT INTO cannot_links (face_id, other_face_id)"
        " SELECT rejections.face_id, face_people.face_id FROM rejections"
        " JOIN face_people ON face_people.person_id = rejections.person_id"
        " WHERE face_people.face_id != rejections.face_id"
    )


def _v8_covers_and_taken_dates(db: Database) -> None:
    """The timeline and cover faces (issue #18).

    ``persons.cover_face_id``: the face a person's tile shows, chosen by the user.
    NULL (the default) shows the person's best face, and so does a cover that is no
    longer a visible face of the person (the query checks): a cover never needs
    mending when faces move. A deleted face clears it.
    ``photos.taken_at``: when the photo was taken (EXIF DateTimeOriginal) as
    'YYYY-MM-DD HH:MM:SS', naive local time; '' when the photo has no date (the
    file's time stands in), NULL until read: the next scan reads it for photos
    indexed before.
    """
    db.execute("ALTER TABLE persons ADD COLUMN cover_face_id INTEGER REFERENCES faces (id) ON DELETE SET NULL")
    db.execute("ALTER TABLE photos ADD COLUMN taken_at TEXT")


def _v9_drawn_faces(db: Database) -> None:
    """Faces the user drew (issue #18): ``faces.drawn`` = 1 marks a face the detector missed and the
    user boxed by hand, a decision like a name, so re-indexing its photo never drops it."""
    db.execute("ALTER TABLE faces ADD COLUMN drawn INTEGER NOT NULL DEFAULT 0")


def _v10_videos(db: Database) -> None:
    """Videos (issue #20): a video is a photo row of ``media`` 'video', its faces the frames' faces
    kept (one per person), each with ``time_ms``, its time in the video (NULL for a photo's faces)."""
    db.execute("ALTER TABLE photos ADD COLUMN media TEXT NOT NULL DEFAULT 'photo'"
               " CHECK (media IN ('photo', 'video'))")
    db.execute("ALTER TABLE faces ADD COLUMN time_ms INTEGER")


Migration = Callable[[Database], None]

MIGRATIONS: list[Migration] = [
    _v1_initial,
    _v2_people,
    _v3_folders,
    _v4_improved_models,
    _v5_settings_and_grouping_due,
    _v6_copies_and_skipped_files,
    _v7_cannot_links,
    _v8_covers_and_taken_dates,
    _v9_drawn_faces,
    _v10_videos,
]


def latest_version() -> int:
    return len(MIGRATIONS)


def schema_version(db: Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: Database, target: int | None = None) -> int:
    """Bring the schema up to ``target`` (default: latest); returns the version.

    Safe to call on every open: with nothing pending it only reads.
    """
    target = latest_version() if target is None else target
    if not 0 <= target <= latest_version():
        raise ValueError(f"no schema version {target}; latest is {latest_version()}")
    current = schema_version(db)
    _refuse_unknown(db, current)
    if current >= target:
        return current
    if current > 0:
        _back_up(db, current)
    with _foreign_keys_off(db):
        for version in range(current + 1, target + 1):
            _apply(db, version)
    return schema_version(db)


def _refuse_unknown(db: Database, version: int) -> None:
    if version > latest_version():
        raise PhotofaceError(
            f"{_db_file(db)} was made by a newer photoface (library version "
            f"{version}; this one knows up to {latest_version()}). "
            "Update photoface to open it."
        )
    if version == 0 and db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise PhotofaceError(
            f"{_db_file(db)} is an SQLite database but not a photoface library; "
            "move it away or choose another folder."
        )


def _apply(db: Database, version: int) -> None:
    with write_transaction(db):
        # Another process may have migrated since we looked.
        if schema_version(db) >= version:
            return
        MIGRATIONS[version - 1](db)
        broken = db.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration to v{version} breaks references: {broken[:5]}")
        db.execute(f"PRAGMA user_version = {version}")


@contextmanager
def _foreign_keys_off(db: Database) -> Iterator[None]:
    """PRAGMA foreign_keys is ignored inside a transaction, so set it around them."""
    was_on = db.execute("PRAGMA foreign_keys").fetchone()[0]
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        db.execute(f"PRAGMA foreign_keys = {int(was_on)}")


def _back_up(db: Database, version: int) -> None:
    """Copy the database (WAL content included) to ``<file>.bak-v<version>`` (``-2``... if taken).

    Written under a temporary name and renamed, so a crash never leaves a
    half backup that looks whole; an earlier one (of a library restored since) stays.
    """
    db_file = _db_file(db)
    if not db_file:  # in-memory: nothing on disk to protect
        return
    copy_database(db.conn, unused_name(Path(db_file).parent, f"{Path(db_file).name}.bak-v{version}"))


def _db_file(db: Database) -> str:
    """Path of the main database file; empty for an in-memory one."""
    for _seq, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return file
    return ""
