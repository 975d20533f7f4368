"""The library's settings, kept in its database: the one place the app and the commands read
and write them.

Each is a row of ``library_settings``: how to index (``index.*``) and the
clustering level. The folders a library watches (``photoface.folders``) and the
model recognition uses (``photoface.face_model``) are in the library too, each
read and written by its own module. Command-line flags override a setting for
one run and never save it.
"""

from .cluster.agglomerative import LEVELS
from .errors import PhotofaceError
from .index.options import IndexOptions
from .store.library import Library

INDEX_PREFIX = "index."  # + an IndexOptions field
INDEX_SAVED = {"model_id": str, "detect_side": int, "min_face_size": int, "workers": int,
               "device": str}  # a user's choices

CLUSTER_LEVEL = "cluster.level"
DEFAULT_CLUSTER_LEVEL = 0  # the benchmarks' choice; above groups more together, below more apart (cluster.LEVELS)


def index_options(library: Library, **overrides) -> IndexOptions:
    """How to index this library: the saved settings, with ``overrides`` that are not None on top."""
    saved = {name: kind(value) for name, kind in INDEX_SAVED.items()
             if (value := library.setting(INDEX_PREFIX + name)) is not None}
    chosen = {name: value for name, value in overrides.items() if value is not None}
    return IndexOptions(**saved | chosen)


def save_index_options(library: Library, options: IndexOptions) -> None:
    for name in INDEX_SAVED:
        library.save_setting(INDEX_PREFIX + name, str(getattr(options, name)))


def cluster_level(library: Library) -> int:
    saved = library.setting(CLUSTER_LEVEL)
    return DEFAULT_CLUSTER_LEVEL if saved is None else int(saved)


def set_cluster_level(library: Library, level: int) -> None:
    if level not in LEVELS:
        raise PhotofaceError(f"Grouping level {level} is out of range: use {LEVELS.start} (more apart) "
                             f"to {LEVELS.stop - 1} (more together).")
    library.save_setting(CLUSTER_LEVEL, str(int(level)))
