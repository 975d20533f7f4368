"""Backups of the library database on demand, and restoring one (the copying: ``store.copy``).

Copies use SQLite's online backup API, so they are consistent even while
another process writes, include what is still in the WAL file, and are
written under a temporary name and renamed: a crash never leaves a half copy
that looks whole. A copy made under a new name never replaces an earlier one.
"""

import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from photoface.errors import PhotofaceError
from photoface.store import lock
from photoface.store.copy import copy_database, unused_name
from photoface.store.library import DB_NAME, check_writable, read_only_connection
from photoface.store.migrations import latest_version

BACKUPS_DIR = "backups"
SAFETY_COPY = DB_NAME + ".before-restore"  # + "-<UTC time>": what a restore replaced
# Copies in the library folder: safety copies (earlier versions kept one, unnumbered)
# and the backups made before an upgrade of the format (``migrations``).
_KEPT_IN_FOLDER = re.compile(re.escape(DB_NAME) + r"\.(before-restore(-\d{8}T\d{6}Z(-\d+)?)?|bak-v\d+(-\d+)?)")


@dataclass(frozen=True)
class Copy:
    """A file ``restore`` can bring back; counts are None where the file cannot be read."""

    path: Path
    kind: str  # "backup", "before restore" or "before upgrade"
    modified: datetime
    size: int
    faces: int | None
    people: int | None
    named: int | None


def back_up(folder: Path, target: Path | None = None) -> Path:
    """Copy the library in ``folder`` to ``target`` (default: ``backups/library-<UTC time>.db`` inside it)."""
    folder = Path(folder)
    source = _existing_db(folder)
    target = Path(target or default_backup_path(folder)).expanduser()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with closing(read_only_connection(source)) as db:
            copy_database(db, target)
    except (OSError, sqlite3.Error) as err:
        raise PhotofaceError(f"Could not back up {source} to {target}: {err}") from err
    return target


def default_backup_path(folder: Path) -> Path:
    """Where a backup goes unless told: ``backups/library-<UTC time>.db`` in the library ``folder``."""
    return _new_name(Path(folder) / BACKUPS_DIR, "library", ".db")


def restore(folder: Path, backup: Path) -> Path | None:
    """Replace the library in ``folder`` with ``backup``; returns where the replaced one was kept.

    The backup is checked first (an SQLite photoface library that passes
    integrity_check). The current database is kept as a new safety copy,
    ``library.db.before-restore-<UTC time>``, so that every earlier state can
    be restored in turn, safety copies included.
    """
    folder, backup = Path(folder), Path(backup).expanduser()
    _check_backup(backup)
    check_writable(folder)
    key = lock.acquire(folder)  # nobody may write it meanwhile, nor restore into it
    try:
        current = folder / DB_NAME
        kept = _new_name(folder, SAFETY_COPY) if current.exists() else None
        if kept:
            with closing(read_only_connection(current)) as db:
                copy_database(db, kept)
        with closing(read_only_connection(backup)) as db:
            copy_database(db, current)
        for leftover in ("-wal", "-shm"):  # of the replaced database: never replay them onto the backup
            current.with_name(DB_NAME + leftover).unlink(missing_ok=True)
    except (OSError, sqlite3.Error) as err:
        raise PhotofaceError(f"Could not restore {backup} into {folder}: {err}") from err
    finally:
        lock.release(key)
    return kept


def copy_files(folder: Path) -> dict[Path, str]:
    """The backups in ``backups/`` and the copies kept in the library folder: path -> kind."""
    folder = Path(folder)
    found = {path: "backup" for path in (folder / BACKUPS_DIR).glob("*.db")}
    found |= {path: "before upgrade" if ".bak-v" in path.name else "before restore"
              for path in folder.glob(DB_NAME + ".*") if _KEPT_IN_FOLDER.fullmatch(path.name)}
    return {path: kind for path, kind in found.items() if path.is_file()}


def restorable_copies(folder: Path) -> list[Copy]:
    """``copy_files`` with their dates, sizes and counts, newest first."""
    copies = [_describe(path, kind) for path, kind in copy_files(folder).items()]
    return sorted(copies, key=lambda copy: copy.modified, reverse=True)


def _describe(path: Path, kind: str) -> Copy:
    stat = path.stat()
    try:
        with closing(read_only_connection(path)) as db:
            faces, people, named = db.execute(
                "SELECT (SELECT count(*) FROM faces),"
                " count(*), count(name) FROM persons"
                " WHERE name IS NOT NULL OR id IN (SELECT person_id FROM face_people)"
            ).fetchone()
    except sqlite3.Error:  # not a library, damaged, or from before people (format v1)
        faces = people = named = None
    return Copy(path, kind, datetime.fromtimestamp(stat.st_mtime), stat.st_size, faces, people, named)


def _new_name(folder: Path, stem: str, suffix: str = "") -> Path:
    """``folder/<stem>-<UTC time><suffix>``, numbered if taken (twice in one second)."""
    return unused_name(folder, f"{stem}-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}", suffix)


def _check_backup(backup: Path) -> None:
    if not backup.is_file():
        raise PhotofaceError(f"{backup} is not a file.")
    try:
        with closing(read_only_connection(backup)) as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as err:
        raise PhotofaceError(f"{backup} is not a photoface library backup: {err}.") from err
    if not 1 <= version <= latest_version():
        raise PhotofaceError(f"{backup} is not a photoface library this version can open (version {version}).")
    if integrity != "ok":
        raise PhotofaceError(f"{backup} is damaged (integrity_check: {integrity}); choose another backup.")


def _existing_db(folder: Path) -> Path:
    source = folder / DB_NAME
    if not source.is_file():
        raise PhotofaceError(f"There is no library in {folder}.")
    return source
