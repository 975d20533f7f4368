"""Copying an open library database to a file, consistently, for backups of every kind.

SQLite's online backup API gives a consistent copy even while another
process writes and includes what is still in the WAL file; the copy is
written under a temporary name and renamed, so a crash never leaves a half
copy that looks whole.
"""

import itertools
import os
import sqlite3
from contextlib import closing
from pathlib import Path


def copy_database(source: sqlite3.Connection, target: Path) -> None:
    """Copy the open database ``source`` to the file ``target`` (replaced if it exists)."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(partial)) as copy:
            source.backup(copy)
            # A rollback-journal file: reading it later (restore, --list) leaves no -wal or -shm beside it.
            copy.execute("PRAGMA journal_mode = DELETE")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def unused_name(folder: Path, name: str, suffix: str = "") -> Path:
    """``folder/<name><suffix>``, else the first free ``<name>-2<suffix>``, ``-3``...: never an earlier copy."""
    for number in itertools.count(1):
        path = folder / f"{name}{f'-{number}' if number > 1 else ''}{suffix}"
        if not path.exists():
            return path
