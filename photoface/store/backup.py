"""Backups of the library database on demand, and restoring one (the copying: ``store.copy``).

Copies use SQLite's online backup API, so they are consistent even while
another process writes, include what is still in the WAL file, and are
written under a temporary name and renamed: a crash never leaves a half copy
that looks whole.
"""

import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

from photoface.errors import PhotofaceError
from photoface.store import lock
from photoface.store.copy import copy_database
from photoface.store.library import DB_NAME
from photoface.store.migrations import latest_version

BACKUPS_DIR = "backups"


def back_up(folder: Path, target: Path | None = None) -> Path:
    """Copy the library in ``folder`` to ``target`` (default: ``backups/library-<time>.db`` inside it)."""
    folder = Path(folder)
    source = _existing_db(folder)
    if target is None:
        target = folder / BACKUPS_DIR / f"library-{datetime.now():%Y%m%d-%H%M%S}.db"
    target = Path(target).expanduser()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with closing(_read_only(source)) as db:
            copy_database(db, target)
    except (OSError, sqlite3.Error) as err:
        raise PhotofaceError(f"Could not back up {source} to {target}: {err}") from err
    return target


def restore(folder: Path, backup: Path) -> Path:
    """Replace the library in ``folder`` with ``backup``; returns where the replaced one was kept.

    The backup is checked first (an SQLite photoface library that passes
    integrity_check); the current database is kept as ``library.db.before-restore``.
    """
    folder, backup = Path(folder), Path(backup).expanduser()
    _check_backup(backup)
    key = lock.acquire(folder)  # nobody may have it open meanwhile
    try:
        current = folder / DB_NAME
        kept = current.with_name(DB_NAME + ".before-restore")
        if current.exists():
            with closing(_read_only(current)) as db:
                copy_database(db, kept)
        with closing(_read_only(backup)) as db:
            copy_database(db, current)
        for leftover in ("-wal", "-shm"):  # of the replaced database: never replay them onto the backup
            current.with_name(DB_NAME + leftover).unlink(missing_ok=True)
    except (OSError, sqlite3.Error) as err:
        raise PhotofaceError(f"Could not restore {backup} into {folder}: {err}") from err
    finally:
        lock.release(key)
    return kept


def _check_backup(backup: Path) -> None:
    if not backup.is_file():
        raise PhotofaceError(f"{backup} is not a file.")
    try:
        with closing(_read_only(backup)) as db:
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


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)
