"""Camera RAW files through LibRaw (rawpy): the embedded JPEG preview when it
is big enough for detection, else a half-size demosaic.

The stored frame of a RAW is LibRaw's processed image before its flip (the
size in ``sizes.width`` x ``sizes.height``); the flip becomes the EXIF
orientation, so boxes map between frames exactly as for a JPEG.
"""

import io
from pathlib import Path

import rawpy
from PIL import Image

RAW_EXTENSIONS = frozenset({".cr2", ".cr3", ".nef", ".arw", ".dng", ".raf", ".orf", ".rw2"})

# A preview this long (or longer) is detected on instead of demosaicing the sensor data.
MIN_PREVIEW_SIDE = 1500
# A preview whose shape differs more than this from the sensor image's is
# cropped or letterboxed: boxes found on it would not map back.
_MAX_ASPECT_DIFFERENCE = 0.01

# LibRaw's flip codes (as in its own EXIF conversion, "50132467") -> EXIF orientation.
_FLIP_TO_ORIENTATION = {0: 1, 1: 2, 2: 4, 3: 3, 4: 5, 5: 8, 6: 6, 7: 7}

# LibRaw's refusals, by what they say to a user; any other LibRawError is bad data.
_REASONS = (
    (rawpy.LibRawFileUnsupportedError, "not an image"),
    (rawpy.LibRawTooBigError, "decompression bomb"),
    (rawpy.LibRawUnsufficientMemoryError, "out of memory"),
    (rawpy.LibRawMemPoolOverflowError, "out of memory"),
)


class RawRefused(Exception):
    """LibRaw refused the file; ``reason`` is the loader's short reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def is_raw_name(name: str) -> bool:
    return name.lower().endswith(tuple(RAW_EXTENSIONS))


class RawPhoto:
    """An opened RAW file: its stored size and orientation, and an image decoded on request."""

    def __init__(self, path: Path):
        # By path, not file object: rawpy would read a file object whole into memory first.
        self._raw = rawpy.RawPy()
        try:
            self._raw.open_file(str(path))
            sizes = self._raw.sizes
            if min(sizes.width, sizes.height) < 1:
                raise RawRefused("truncated or corrupt")
        except rawpy.LibRawError as exc:
            self._raw.close()
            raise RawRefused(_reason(exc)) from exc
        except RawRefused:
            self._raw.close()
            raise
        self.stored_size = (sizes.width, sizes.height)
        self.orientation = _FLIP_TO_ORIENTATION.get(sizes.flip, 1)

    def __enter__(self) -> "RawPhoto":
        return self

    def __exit__(self, *exc_info) -> None:
        self._raw.close()

    def image(self, draft_size: tuple[int, int] | None = None) -> Image.Image:
        """The stored frame (not yet upright): the preview (JPEG-drafted to ``draft_size``) or a half-size demosaic."""
        try:
            return self._preview(draft_size) or self._demosaic()
        except rawpy.LibRawError as exc:
            raise RawRefused(_reason(exc)) from exc

    def _preview(self, draft_size: tuple[int, int] | None) -> Image.Image | None:
        try:
            thumb = self._raw.extract_thumb()
        except (rawpy.LibRawNoThumbnailError, rawpy.LibRawUnsupportedThumbnailError):
            return None
        if thumb.format != rawpy.ThumbFormat.JPEG:
            return None
        try:
            preview = Image.open(io.BytesIO(thumb.data), formats=("JPEG",))
            if not self._fits(preview.size):
                return None
            if draft_size:
                preview.draft("RGB", draft_size)
            preview.load()
        except Exception:  # a broken preview must not cost the photo: the sensor data may be fine
            return None
        return preview

    def _fits(self, size: tuple[int, int]) -> bool:
        """Big enough to detect on, no bigger than the sensor image, and of its shape (not cropped)."""
        width, height = self.stored_size
        if max(size) < MIN_PREVIEW_SIDE or size[0] * size[1] > width * height or min(size) < 1:
            return False
        return abs(size[0] / size[1] - width / height) <= _MAX_ASPECT_DIFFERENCE * width / height

    def _demosaic(self) -> Image.Image:
        pixels = self._raw.postprocess(half_size=True, use_camera_wb=True, user_flip=0, output_bps=8)
        return Image.fromarray(pixels)


def _reason(exc: Exception) -> str:
    return next((reason for kind, reason in _REASONS if isinstance(exc, kind)), "truncated or corrupt")
