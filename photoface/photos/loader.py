"""Decode a photo into an upright RGB image, or say in a few words why not."""

import errno
import math
import os
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path

import pillow_heif
import pillow_jxl  # noqa: F401 (registers Pillow's JPEG XL opener)
from PIL import ExifTags, Image, UnidentifiedImageError

from photoface.errors import PhotofaceError
from photoface.photos import orientation as _orientation
from photoface.photos.jxl import NotJxlSize, claims_jxl, jxl_size
from photoface.photos.raw import RAW_EXTENSIONS, RawPhoto, RawRefused, is_raw_name

SUPPORTED_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".heic", ".heif", ".hif", ".bmp", ".gif", ".avif", ".jxl"}
) | RAW_EXTENSIONS
MAX_PIXELS = 100_000_000

# Pillow picks the decoder from the file's content, not its name: only these may
# decode, so a renamed EPS or PDF never reaches Ghostscript. RAW files (TIFF
# inside, most of them) go to LibRaw by their name instead.
PILLOW_DECODERS = ("JPEG", "PNG", "WEBP", "TIFF", "HEIF", "BMP", "GIF", "AVIF", "JXL")

# libheif applies HEIF's own irot/imir boxes while decoding and pillow-heif then
# resets the EXIF orientation to 1 (keeping the old value in
# info["original_orientation"], which must not be applied again): a decoded
# HEIF is already upright, so its stored frame is the upright one. So is a JPEG
# XL (libjxl applies the codestream's orientation, and the spec says to ignore
# Exif's), except one holding a recompressed JPEG: the plugin gives back that
# JPEG, stored as the camera stored it, EXIF orientation and all.
_DECODED_UPRIGHT = frozenset({"HEIF", "JXL"})

# What a viewer does to the stored image for each EXIF orientation (as in
# PIL.ImageOps.exif_transpose).
_TO_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

pillow_heif.register_heif_opener()


class PhotoError(PhotofaceError):
    """A photo that cannot be loaded; ``reason`` is short and fit for a user."""

    def __init__(self, path: str | Path, reason: str):
        super().__init__(path, reason)  # both in args, so it pickles across processes
        self.path = Path(path)
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class LoadedPhoto:
    image: Image.Image  # RGB, upright, possibly reduced
    stored_size: tuple[int, int]  # full resolution, as stored (before orientation)
    orientation: int  # EXIF orientation 1..8 relating stored_size to the upright image

    @property
    def upright_size(self) -> tuple[int, int]:
        return _orientation.upright_size(self.stored_size, self.orientation)

    @property
    def scale(self) -> float:
        """Image pixels per full-resolution upright pixel (1 unless reduced)."""
        return self.image.width / self.upright_size[0]


def load_photo(path: str | Path, max_side: int | None = None) -> LoadedPhoto:
    """Decode ``path`` upright in RGB; only PhotoError escapes.

    With ``max_side`` the image is reduced by the largest cheap factor that
    keeps its longest side >= max_side (JPEG decodes at 1/2, 1/4 or 1/8, then
    any format is box-reduced by an integer factor); it is never enlarged.
    """
    if max_side is not None and max_side < 1:
        raise ValueError(f"max_side must be at least 1, not {max_side}")
    path = Path(path)
    try:
        with warnings.catch_warnings():
            # Pillow warns from 89 MP on; MAX_PIXELS, checked next, is the limit here.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return _load(path, max_side)
    except PhotoError:
        raise
    except RawRefused as exc:
        raise PhotoError(path, exc.reason) from exc
    except Image.DecompressionBombError as exc:
        raise PhotoError(path, "decompression bomb") from exc
    except UnidentifiedImageError as exc:
        raise PhotoError(path, "not an image") from exc
    except MemoryError as exc:
        raise PhotoError(path, "out of memory") from exc
    except Exception as exc:  # decoders raise all sorts on bad data
        raise PhotoError(path, "truncated or corrupt") from exc


def raw_stored_size(path: str | Path) -> tuple[int, int] | None:
    """A camera RAW's stored size as ``load_photo`` gives it (LibRaw's, not its TIFF header's); None if unreadable."""
    try:
        with open_regular_file(Path(path)), RawPhoto(Path(path)) as raw:
            return raw.stored_size
    except (OSError, PhotoError, RawRefused):
        return None


def read_orientation(image: Image.Image) -> int:
    """EXIF orientation 1..8 (Pillow falls back to XMP's); 1 if absent or invalid."""
    try:
        value = image.getexif().get(ExifTags.Base.Orientation)
    except Exception:  # a broken EXIF block must not cost the photo
        return 1
    return value if isinstance(value, int) and value in _orientation.ORIENTATIONS else 1


def _load(path: Path, max_side: int | None) -> LoadedPhoto:
    try:
        file = open_regular_file(path)
    except OSError as exc:
        raise PhotoError(path, f"cannot read: {exc.strerror or exc}".lower()) from exc
    # Our own file object: Pillow leaves it open, and closing it after load()
    # does not destroy the decoded image as Image.close() would.
    with file:
        if os.fstat(file.fileno()).st_size == 0:
            raise PhotoError(path, "empty file")
        decode = _decode_raw if is_raw_name(path.name) else _decode_with_pillow
        image, stored_size, orientation = decode(path, file, max_side)
    rgb = _to_rgb(image)
    if max_side:
        rgb = _reduce(rgb, max_side)
    return LoadedPhoto(upright(rgb, orientation), stored_size, orientation)


def upright(image: Image.Image, orientation: int) -> Image.Image:
    """The stored image as a viewer shows it with this EXIF orientation."""
    return image.transpose(_TO_UPRIGHT[orientation]) if orientation in _TO_UPRIGHT else image


def _decode_with_pillow(path: Path, file, max_side: int | None) -> tuple[Image.Image, tuple[int, int], int]:
    """The stored image (JPEG drafted towards ``max_side``), its full size and EXIF orientation."""
    _check_jxl_pixels(path, file)
    image = Image.open(file, formats=PILLOW_DECODERS)
    stored_size = image.size
    check_pixels(path, stored_size)
    if max_side:
        image.draft("RGB", _longest_side_at_least(stored_size, max_side))
    image.load()
    upright = image.format in _DECODED_UPRIGHT and not getattr(image, "jpeg", False)  # JXL's recompressed JPEG
    return image, stored_size, 1 if upright else read_orientation(image)


def _check_jxl_pixels(path: Path, file) -> None:
    """pillow-jxl-plugin decodes the whole image inside Image.open: a JPEG XL's size is checked before."""
    if not claims_jxl(file.read(12)):
        file.seek(0)
        return
    try:
        size = jxl_size(file)
    except NotJxlSize as exc:
        raise PhotoError(path, "truncated or corrupt") from exc
    file.seek(0)
    check_pixels(path, size)


def _decode_raw(path: Path, file, max_side: int | None) -> tuple[Image.Image, tuple[int, int], int]:
    """As ``_decode_with_pillow``, for a camera RAW: its preview or a half-size demosaic."""
    with RawPhoto(path) as raw:  # ``file`` proved it a regular file, not a FIFO that would block LibRaw
        check_pixels(path, raw.stored_size)
        draft_size = _longest_side_at_least(raw.stored_size, max_side) if max_side else None
        return raw.image(draft_size), raw.stored_size, raw.orientation


def open_regular_file(path: Path):
    """Open for reading; a FIFO or device named like a photo is refused instead of blocking forever."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(mode):
            raise PhotoError(path, "not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def check_pixels(path: Path, size: tuple[int, int]) -> None:
    """PhotoError for an image (or a video's frames) over MAX_PIXELS, before it is decoded."""
    pixels = size[0] * size[1]
    if pixels > MAX_PIXELS:
        megapixels = math.ceil(pixels / 1e6)
        raise PhotoError(path, f"too large: {megapixels} MP (limit {MAX_PIXELS // 1_000_000} MP)")


def _longest_side_at_least(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """The size to ask draft() for: it reduces while both sides stay >= this."""
    return (max_side, 1) if size[0] >= size[1] else (1, max_side)


def _reduce(image: Image.Image, max_side: int) -> Image.Image:
    factor = max(image.size) // max_side
    return image.reduce(factor) if factor >= 2 else image


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode == "I" or image.mode.startswith("I;16"):
        # convert() would clip 16-bit grey at 255 (white): scale it to 8 bits
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.has_transparency_data:
        # composite on white, as a viewer shows transparent areas
        rgba = image.convert("RGBA")
        return Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")
    return image.convert("RGB")
