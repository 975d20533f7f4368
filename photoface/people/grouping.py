"""The library's "group faces: more apart ... more together" level (issue #16), kept in the library."""

from photoface.cluster.agglomerative import LEVELS
from photoface.errors import PhotofaceError
from photoface.store.library import Library

GROUPING_LEVEL = "grouping_level"  # the library setting


def grouping_level(library: Library) -> int:
    """The level the library's faces are grouped at (0, the default, until the user changes it)."""
    stored = library.setting(GROUPING_LEVEL)
    return int(stored) if stored is not None else 0


def save_grouping_level(library: Library, level: int) -> None:
    if level not in LEVELS:
        raise PhotofaceError(f"Grouping level {level} is out of range: use {LEVELS.start} (more apart) "
                             f"to {LEVELS.stop - 1} (more together).")
    library.save_setting(GROUPING_LEVEL, str(level))
