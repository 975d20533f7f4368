"""Plain row types passed between the indexing pipeline and the library."""

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from ..photos.orientation import Box


@dataclass
class PhotoRecord:
    """A photo file as found on disk; sizes are of the image as stored (pre-EXIF)."""

    path: str  # absolute, resolved
    size: int  # bytes
    mtime_ns: int
    content_hash: str
    width: int = 0
    height: int = 0
    orientation: int = 1  # EXIF orientation 1..8 (a video's: its display rotation as one)
    taken: datetime | None = None  # when it was taken (EXIF), naive local time; None if the photo does not say
    media: str = "photo"  # or "video": width, height and orientation are its frames'


@dataclass
class FaceRecord:
    """One detected face; geometry in the stored frame at full resolution."""

    box: Box
    landmarks: list[tuple[float, float]]  # 5 points: eyes, nose, mouth corners
    det_score: float
    quality: float  # 0..1, higher is better (size and sharpness)
    sharpness: float
    thumbnail: bytes  # JPEG of the aligned crop, upright
    embedding: np.ndarray = field(repr=False)  # float32, L2-normalised
    time_ms: int | None = None  # in a video: the time of the frame it was found in
