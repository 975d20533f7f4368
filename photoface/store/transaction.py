"""The one way the library writes: an immediate transaction."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlite_utils import Database


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """Commit everything in the block, or nothing.

    BEGIN IMMEDIATE takes the write lock up front, so a second process (GUI
    beside an indexer) waits for it under the busy timeout instead of failing
    halfway through with "database is locked".
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.conn.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:  # a failed statement may have ended it already
            db.conn.execute("ROLLBACK")
        raise
