"""Read what a photo's header says (size, EXIF, XMP) without decoding pixels."""

from pathlib import Path

from PIL import Image

import photoface.photos  # noqa: F401  (registers the HEIF opener with Pillow)

# As in photos.loader: only these parsers may run on a user's file.
_FORMATS = ("JPEG", "PNG", "WEBP", "TIFF", "HEIF", "BMP", "GIF")


def open_header(path: Path) -> Image.Image:
    """The photo opened lazily (Pillow reads pixels only on load()); use it in a with block."""
    return Image.open(path, formats=_FORMATS)
