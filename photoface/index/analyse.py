"""One photo from file to face crops: decode, detect, crop (no database, no embedding)."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ..detect.crops import CROP_MARGIN, CROP_SIZE, face_crop, quality, sharpness, thumbnail_jpeg
from ..export import FaceRegion, photo_date, read_regions
from ..photos import PhotoError, load_photo
from ..photos.orientation import box_to_stored, point_to_stored
from ..store.records import FaceRecord, PhotoRecord
from .options import DETECT_SIDE

if TYPE_CHECKING:  # torch loads with the detector, not with this module
    from PIL import Image

    from ..detect.detector import DetectedFace


class Detects(Protocol):
    """A ``FaceDetector``, or something that hands the photo to one once it is loaded."""

    def detect(self, image: "Image.Image") -> list["DetectedFace"]: ...

# A crop is taken from a sharper decode when the face would otherwise be
# upsampled by more than this factor into the 160 px crop.
MAX_CROP_UPSAMPLING = 1.25


@dataclass
class PhotoAnalysis:
    record: PhotoRecord
    faces: list[FaceRecord] = field(default_factory=list)
    crops: np.ndarray | None = None  # (n_faces, 160, 160, 3) uint8, for the embedder
    error: str | None = None
    regions: list[FaceRegion] = field(default_factory=list)  # faces other programs named (XMP)


def analyse_photo(record: PhotoRecord, detector: Detects, detect_side: int = DETECT_SIDE) -> PhotoAnalysis:
    """Decode and detect; a bad file becomes an analysis with ``error`` set, never an exception."""
    try:
        photo = load_photo(Path(record.path), max_side=detect_side)
    except PhotoError as error:
        return PhotoAnalysis(record, error=error.reason)
    record.width, record.height = photo.stored_size
    record.orientation = photo.orientation
    record.taken = photo_date(Path(record.path))

    detect_image = photo.image
    if max(detect_image.size) > detect_side:
        detect_image = detect_image.copy()
        detect_image.thumbnail((detect_side, detect_side))
    to_full = photo.upright_size[0] / detect_image.width
    found = detector.detect(detect_image)
    if not found:
        return PhotoAnalysis(record, crops=np.zeros((0, CROP_SIZE, CROP_SIZE, 3), np.uint8))
    regions = [region for region in read_regions(Path(record.path)) if region.name]

    boxes = [tuple(v * to_full for v in face.box) for face in found]
    crop_source = _crop_source(record.path, photo, boxes)
    crop_scale = crop_source.image.width / photo.upright_size[0]
    crops, faces = [], []
    for face, box in zip(found, boxes):
        crop = face_crop(crop_source.image, tuple(v * crop_scale for v in box))
        crops.append(crop)
        landmarks = [(x * to_full, y * to_full) for x, y in face.landmarks]
        faces.append(face_record(box, landmarks, face.score, crop, photo))
    return PhotoAnalysis(record, faces, np.stack(crops), regions=regions)


def _crop_source(path: str, photo, boxes):
    """The reduced decode if it holds enough pixels for the smallest face, else a sharper one."""
    if photo.scale >= 1.0:
        return photo
    smallest = min(box[2] for box in boxes)
    wanted_scale = CROP_SIZE / (smallest * CROP_SIZE / (CROP_SIZE - CROP_MARGIN)) / MAX_CROP_UPSAMPLING
    if photo.scale >= min(wanted_scale, 1.0):
        return photo
    side = int(max(photo.upright_size) * min(wanted_scale, 1.0)) + 1
    try:
        return load_photo(Path(path), max_side=side)
    except PhotoError:  # decoded once already; keep what we have
        return photo


def face_record(box, landmarks, score: float, crop: np.ndarray, photo) -> FaceRecord:
    """A face of ``photo`` (box and landmarks upright, in full-resolution pixels), its embedding to come."""
    stored_size, orientation = photo.stored_size, photo.orientation
    landmarks = [point_to_stored(x, y, stored_size, orientation) for x, y in landmarks]
    sharp = sharpness(crop)
    return FaceRecord(
        box=box_to_stored(box, stored_size, orientation),
        landmarks=[(float(x), float(y)) for x, y in landmarks],
        det_score=score,
        quality=quality(box[2], sharp, score),
        sharpness=sharp,
        thumbnail=thumbnail_jpeg(crop),
        embedding=None,
    )
