"""LFW as photoface sees it: one embedding per image from an indexed library of LFW photos."""

from pathlib import Path

import numpy as np
from PIL import Image

from ..detect.detector import main_face_index
from ..index.pipeline import Indexer
from ..store.library import Library


def main_face_vectors(library: Library, indexer: Indexer, images: list[Path]):
    """One vector per image: its main face, or a centre crop where none was found."""
    face_ids, matrix = library.embedding_matrix(indexer.embedder.model_id)
    row_of = {int(face_id): row for row, face_id in enumerate(face_ids)}
    faces_by_photo: dict[str, list] = {}
    for face in library.faces():
        faces_by_photo.setdefault(face["path"], []).append(face)
    vectors = np.zeros((len(images), matrix.shape[1]), np.float32)
    missing = []
    for i, path in enumerate(images):
        faces = faces_by_photo.get(str(path.resolve()), [])
        if faces:
            best = faces[main_face_index([f["box"] for f in faces], (faces[0]["width"], faces[0]["height"]))]
            vectors[i] = matrix[row_of[best["id"]]]
        else:
            missing.append(str(path))
            vectors[i] = indexer.embedder.embed(centre_crop(path)[None], flip=indexer.options.flip)[0]
    return vectors, missing


def centre_crop(path: Path, size: int = 160) -> np.ndarray:
    image = Image.open(path).convert("RGB")
    side = min(image.size) * 0.6  # LFW faces fill about the middle 60 %
    left, top = (image.width - side) / 2, (image.height - side) / 2
    return np.asarray(image.resize((size, size), Image.BILINEAR, box=(left, top, left + side, top + side)))
