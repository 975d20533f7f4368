"""The one way the library writes: an immediate transaction, or a savepoint inside one."""

import itertools
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlite_utils import Database

from photoface.errors import PhotofaceError

_savepoint_names = (f"photoface_{number}" for number in itertools.count())


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """Commit everything in the block, or nothing.

    BEGIN IMMEDIATE takes the write lock up front, so a second process (GUI
    beside an indexer) waits for it under the busy timeout instead of failing
    halfway through with "database is locked". Inside another write
    transaction the block is a SAVEPOINT: a failure undoes only the block,
    and nothing is committed before the outer transaction commits (a photo,
    its faces and the names imported with them are written together).
    """
    if db.conn.in_transaction:
        with _savepoint(db):
            yield db
        return
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.conn.execute("COMMIT")
        except BaseException:
            if db.conn.in_transaction:  # a failed statement may have ended it already
                db.conn.execute("ROLLBACK")
            raise
    except sqlite3.OperationalError as err:
        explained = _EXPLAINED.get(err.sqlite_errorcode & 0xFF)  # the primary code of an extended one
        if explained:
            raise PhotofaceError(explained) from err
        raise


@contextmanager
def _savepoint(db: Database) -> Iterator[None]:
    name = next(_savepoint_names)
    db.conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute(f"ROLLBACK TO {name}")
            db.conn.execute(f"RELEASE {name}")
        raise
    db.conn.execute(f"RELEASE {name}")


# Write failures the user can fix; the transaction was rolled back, so nothing is half-written.
_EXPLAINED = {
    sqlite3.SQLITE_FULL: "The disk holding the library is full. Nothing was lost: free some space and run again.",
    sqlite3.SQLITE_READONLY: "The library cannot be written (read-only disk or file). Nothing was lost.",
    sqlite3.SQLITE_IOERR: "The disk holding the library failed to write. Nothing was lost; check the disk.",
}
