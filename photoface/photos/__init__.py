"""Photo files: finding and hashing them, decoding them upright, and mapping
coordinates between the stored and the upright frame."""

from photoface.photos.loader import (
    MAX_PIXELS,
    SUPPORTED_EXTENSIONS,
    LoadedPhoto,
    PhotoError,
    load_photo,
    read_orientation,
)
from photoface.photos.orientation import (
    ORIENTATIONS,
    box_to_stored,
    box_to_upright,
    point_to_stored,
    point_to_upright,
    upright_size,
)
from photoface.photos.scan import file_hash, is_photo_file, iter_photo_files

__all__ = [
    "MAX_PIXELS",
    "ORIENTATIONS",
    "SUPPORTED_EXTENSIONS",
    "LoadedPhoto",
    "PhotoError",
    "box_to_stored",
    "box_to_upright",
    "file_hash",
    "is_photo_file",
    "iter_photo_files",
    "load_photo",
    "point_to_stored",
    "point_to_upright",
    "read_orientation",
    "upright_size",
]
