"""Read what a photo's header says (size, EXIF, XMP) without decoding pixels."""

from pathlib import Path

from PIL import Image

from photoface.photos.loader import PILLOW_DECODERS  # importing it registers the HEIF opener with Pillow


def open_header(path: Path) -> Image.Image:
    """The photo opened lazily (Pillow reads pixels only on load()); use it in a with block."""
    return Image.open(path, formats=PILLOW_DECODERS)
