"""One photo from file to face crops: decode, detect, crop (no database, no embedding).

A video's sampled frames go the same way, and once its faces are embedded the
faces of one person across frames become that person's sharpest one.

``analyse_photo`` does it all for one photo or video. On a GPU a photo's steps
are apart (``index.batches``): ``decode_photo`` and ``analysis_of`` run in
processes, detection in batches of photos between them.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ..cluster.agglomerative import SINGLE_CUT
from ..detect.crops import CROP_MARGIN, CROP_SIZE, face_crop, quality, sharpness, thumbnail_jpeg
from ..export import FaceRegion, photo_date, read_regions
from ..photos import PhotoError, load_photo
from ..photos.kinds import is_video_name
from ..photos.loader import LoadedPhoto
from ..photos.orientation import box_to_stored, point_to_stored
from ..photos.video import sample_frames
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

    def keep_one_face_per_person(self) -> None:
        """Once embedded, a video's faces that are one person in several frames become the sharpest of them.

        Faces of one frame are never one person, as in a photo (whose faces stay as they are).
        """
        if self.record.media != "video" or len(self.faces) < 2:
            return
        people: list[list[FaceRecord]] = []
        for face in sorted(self.faces, key=lambda face: face.sharpness, reverse=True):
            distances = [(min(_distance(face, seen) for seen in person), index)
                         for index, person in enumerate(people)
                         if all(seen.time_ms != face.time_ms for seen in person)]
            distance, nearest = min(distances, default=(np.inf, None))
            if distance < SINGLE_CUT:
                people[nearest].append(face)
            else:
                people.append([face])
        self.faces = [person[0] for person in people]
        self.crops = None  # embedded already


@dataclass
class DecodedPhoto:
    """A photo decoded for detection (picklable: decoding processes hand it over)."""

    record: PhotoRecord
    photo: LoadedPhoto
    detect_image: "Image.Image | None"  # the photo reduced to the detection side; None once detected
    to_full: float  # detection pixels -> full-resolution pixels


def analyse_photo(record: PhotoRecord, detector: Detects, detect_side: int = DETECT_SIDE) -> PhotoAnalysis:
    """Decode and detect; a bad file becomes an analysis with ``error`` set, never an exception."""
    if is_video_name(record.path):
        return _analyse_video(record, detector, detect_side)
    decoded = decode_photo(record, detect_side)
    if isinstance(decoded, PhotoAnalysis):
        return decoded
    return analysis_of(decoded, detector.detect(decoded.detect_image))


def decode_photo(record: PhotoRecord, detect_side: int = DETECT_SIDE) -> "DecodedPhoto | PhotoAnalysis":
    """A photo (not a video) ready for detection, or an analysis with ``error`` set for a bad file."""
    try:
        photo = load_photo(Path(record.path), max_side=detect_side)
    except PhotoError as error:
        return PhotoAnalysis(record, error=error.reason)
    record.width, record.height = photo.stored_size
    record.orientation = photo.orientation
    record.taken = photo_date(Path(record.path))
    return DecodedPhoto(record, photo, *_detect_image(photo, detect_side))


def analysis_of(decoded: DecodedPhoto, found: list["DetectedFace"]) -> PhotoAnalysis:
    """The faces found in a decoded photo: crops for the embedder, records, and the names its XMP gives."""
    record, photo, to_full = decoded.record, decoded.photo, decoded.to_full
    if not found:
        return PhotoAnalysis(record, crops=_no_crops())
    regions = [region for region in read_regions(Path(record.path)) if region.name]
    boxes = [tuple(v * to_full for v in face.box) for face in found]
    crop_source = _crop_source(record.path, photo, boxes)
    faces, crops = _faces_and_crops(found, boxes, to_full, photo, crop_source)
    return PhotoAnalysis(record, faces, np.stack(crops), regions=regions)


def _analyse_video(record: PhotoRecord, detector: Detects, detect_side: int) -> PhotoAnalysis:
    """Every sampled frame's faces (each with its time), cropped from the full frame."""
    record.media = "video"
    faces, crops = [], []
    try:
        for frame in sample_frames(record.path):
            record.width, record.height = frame.photo.stored_size
            record.orientation = frame.photo.orientation
            found, to_full = _detect(frame.photo, detector, detect_side)
            boxes = [tuple(v * to_full for v in face.box) for face in found]
            frame_faces, frame_crops = _faces_and_crops(found, boxes, to_full, frame.photo, frame.photo)
            for face in frame_faces:
                face.time_ms = frame.time_ms
            faces += frame_faces
            crops += frame_crops
    except PhotoError as error:
        return PhotoAnalysis(record, error=error.reason)
    record.taken = photo_date(Path(record.path))  # its recording date
    return PhotoAnalysis(record, faces, np.stack(crops) if crops else _no_crops())


def _detect(photo: LoadedPhoto, detector: Detects, detect_side: int) -> tuple[list["DetectedFace"], float]:
    """The faces found in the photo reduced to ``detect_side``, and the factor to full resolution."""
    detect_image, to_full = _detect_image(photo, detect_side)
    return detector.detect(detect_image), to_full


def _detect_image(photo: LoadedPhoto, detect_side: int) -> tuple["Image.Image", float]:
    """The photo reduced to ``detect_side`` for the detector, and the factor from it to full resolution."""
    detect_image = photo.image
    if max(detect_image.size) > detect_side:
        detect_image = detect_image.copy()
        detect_image.thumbnail((detect_side, detect_side))
    return detect_image, photo.upright_size[0] / detect_image.width


def _faces_and_crops(found, boxes, to_full: float, photo: LoadedPhoto, crop_source: LoadedPhoto):
    crop_scale = crop_source.image.width / photo.upright_size[0]
    faces, crops = [], []
    for face, box in zip(found, boxes):
        crop = face_crop(crop_source.image, tuple(v * crop_scale for v in box))
        crops.append(crop)
        landmarks = [(x * to_full, y * to_full) for x, y in face.landmarks]
        faces.append(face_record(box, landmarks, face.score, crop, photo))
    return faces, crops


def _no_crops() -> np.ndarray:
    return np.zeros((0, CROP_SIZE, CROP_SIZE, 3), np.uint8)


def _distance(face: FaceRecord, other: FaceRecord) -> float:
    """Squared L2 distance of two unit embeddings, as clustering's cuts measure it."""
    return float(2 - 2 * np.dot(face.embedding, other.embedding))


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
