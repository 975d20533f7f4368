"""Whether grouping faces into people is due.

Triggers in the library (migration v5) raise ``grouping_due`` in
``library_settings``, a counter, whenever faces are added or removed, a photo
goes or comes back, or the active model changes. A completed re-cluster clears
the value it saw at its start, so changes made while it ran keep it due, and
an interrupted run (indexing or grouping) leaves it due for the next start.
"""

from photoface.store.library import Library

GROUPING_DUE = "grouping_due"


def grouping_due(library: Library) -> str | None:
    """A mark when faces changed since the last completed re-cluster, else None; give it to ``grouping_done``."""
    return library.setting(GROUPING_DUE)


def grouping_done(library: Library, mark: str | None) -> None:
    """Clear the mark read before grouping, unless faces changed since (then grouping stays due)."""
    library.db.execute("DELETE FROM library_settings WHERE key = ? AND value = ?", [GROUPING_DUE, mark])
