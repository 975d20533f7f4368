"""Face crops for the embedder, and how usable a face is."""

import io

import numpy as np
from PIL import Image, ImageFilter

from ..photos.orientation import Box

CROP_SIZE = 160
# Margin in pixels of the 160 px crop, as the model's LFW evaluation used it:
# the crop spans the box scaled by 160 / (160 - 32) = 1.25.
CROP_MARGIN = 32


def crop_box(box: Box, size: int = CROP_SIZE, margin: int = CROP_MARGIN) -> tuple[float, float, float, float]:
    """The region (x1, y1, x2, y2) around a face box, margin included, that becomes the crop."""
    left, top, width, height = box
    pad_x = margin * width / (size - margin) / 2
    pad_y = margin * height / (size - margin) / 2
    return (left - pad_x, top - pad_y, left + width + pad_x, top + height + pad_y)


def face_crop(image: Image.Image, box: Box, size: int = CROP_SIZE, margin: int = CROP_MARGIN) -> np.ndarray:
    """A (size, size, 3) uint8 crop; parts outside the photo are clamped away as in training."""
    x1, y1, x2, y2 = crop_box(box, size, margin)
    region = (
        int(max(x1, 0)),
        int(max(y1, 0)),
        int(min(x2, image.width)),
        int(min(y2, image.height)),
    )
    return np.asarray(image.crop(region).resize((size, size), Image.BILINEAR))


def sharpness(crop: np.ndarray) -> float:
    """Variance of the Laplacian of the grey crop: low for blurred faces."""
    grey = Image.fromarray(crop).convert("L")
    edges = np.asarray(grey.filter(ImageFilter.Kernel((3, 3), (0, 1, 0, 1, -4, 1, 0, 1, 0), scale=1, offset=128)))
    return float(edges.astype(np.float32).var())


def quality(face_width_px: float, sharpness_value: float, det_score: float) -> float:
    """0..1: faces under ~80 px or blurred make poor cluster seeds."""
    size_term = min(face_width_px / 80.0, 1.0)
    sharp_term = min(sharpness_value / 100.0, 1.0)
    return float(det_score * size_term * (0.5 + 0.5 * sharp_term))


def thumbnail_jpeg(crop: np.ndarray, quality_level: int = 85) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(crop).save(buffer, format="JPEG", quality=quality_level)
    return buffer.getvalue()
