"""Face detection with MTCNN (facenet-pytorch's networks; their weights ship in the wheel)."""

from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..photos.orientation import Box
from .cascade import Cascade


@dataclass
class DetectedFace:
    """A face in the pixel grid of the image it was found in."""

    box: Box  # left, top, width, height
    landmarks: np.ndarray  # (5, 2): left eye, right eye, nose, mouth left, mouth right
    score: float


class FaceDetector:
    """Finds every face in an RGB image.

    ``min_face_size`` is in pixels of the image handed to ``detect``; the
    pipeline picks the detection resolution, so this also sets the smallest
    face found in a full-size photo.
    """

    def __init__(self, min_face_size: int = 20, thresholds=(0.6, 0.7, 0.7), min_score: float = 0.9,
                 device: str = "cpu"):
        self.min_score = min_score
        self.min_face_size = min_face_size
        self._cascade = Cascade(min_face_size, tuple(thresholds), device)

    def detect(self, image: Image.Image) -> list[DetectedFace]:
        return self.detect_batch([image])[0]

    def detect_batch(self, images: list[Image.Image]) -> list[list[DetectedFace]]:
        """The faces of each image; images of one size share each stage's forward passes."""
        found: list[list[DetectedFace]] = [[] for _ in images]
        by_size: dict[tuple[int, int], list[int]] = {}
        for index, image in enumerate(images):
            if min(image.size) >= self.min_face_size:  # else MTCNN's image pyramid would be empty
                by_size.setdefault(image.size, []).append(index)
        for indices in by_size.values():
            for index, (boxes, scores, points) in zip(indices, self._cascade([images[i] for i in indices])):
                found[index] = self._faces(boxes, scores, points)
        return found

    def _faces(self, boxes: np.ndarray, scores: np.ndarray, points: np.ndarray) -> list[DetectedFace]:
        return [
            DetectedFace((float(x1), float(y1), float(x2 - x1), float(y2 - y1)), pts.astype(np.float32), float(score))
            for (x1, y1, x2, y2), score, pts in zip(boxes, scores, points)
            if score >= self.min_score and x2 > x1 and y2 > y1
        ]


def main_face_index(boxes: list[Box], image_size: tuple[int, int]) -> int | None:
    """The face a portrait is about: large and near the centre (as FaceNet's LFW alignment picks it)."""
    if not boxes:
        return None
    cx, cy = image_size[0] / 2, image_size[1] / 2

    def weight(box: Box) -> float:
        left, top, width, height = box
        offset_sq = (left + width / 2 - cx) ** 2 + (top + height / 2 - cy) ** 2
        return width * height - 2.0 * offset_sq

    return max(range(len(boxes)), key=lambda i: weight(boxes[i]))
