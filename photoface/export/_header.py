"""Read what a photo's header says (size, EXIF, XMP) without decoding pixels."""

from pathlib import Path

from PIL import Image

from photoface.photos.loader import PILLOW_DECODERS  # importing it registers the HEIF opener with Pillow

# pillow-jxl-plugin decodes the whole image to open it: a JPEG XL's header is not read here (its embedded
# XMP and EXIF date are not; its sidecar is, sized by the regions' own AppliedToDimensions).
HEADER_DECODERS = tuple(name for name in PILLOW_DECODERS if name != "JXL")


def open_header(path: Path) -> Image.Image:
    """The photo opened lazily (Pillow reads pixels only on load()); use it in a with block."""
    return Image.open(path, formats=HEADER_DECODERS)
