"""Copying an open library database to a file, consistently, for backups of every kind.

SQLite's online backup API gives a consistent copy even while another
process writes and includes what is still in the WAL file; the copy is
written under a temporary name and renamed, so a crash never leaves a half
copy that looks whole.
"""

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
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
