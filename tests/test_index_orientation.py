"""A photo saved with each EXIF orientation gives the same face, upright."""

import numpy as np
import pytest
from PIL import Image

from photoface.evaluation.metrics import iou
from photoface.index.pipeline import Indexer
from photoface.photos.orientation import box_to_upright
from photoface.store.library import Library

from .conftest import PHOTOS, stored_for_orientation

@pytest.fixture(scope="module")
def oriented(tmp_path_factory, embedder):
    folder = tmp_path_factory.mktemp("oriented")
    upright = Image.open(PHOTOS / "knn/train/rose_leslie/img2.jpg").convert("RGB")  # portrait, one face
    for orientation in range(1, 9):
        stored = stored_for_orientation(upright, orientation)
        exif = Image.Exif()
        exif[0x0112] = orientation
        stored.save(folder / f"orientation_{orientation}.jpg", quality=95, exif=exif)
    library = Library.open(tmp_path_factory.mktemp("library"))
    Indexer(library, embedder=embedder).run([folder])
    face_ids, vectors = library.embedding_matrix(embedder.model_id)
    row_of = {int(face_id): i for i, face_id in enumerate(face_ids)}
    faces = {}
    for face in library.faces():
        name = face["path"].rsplit("/", 1)[-1]
        box = box_to_upright(face["box"], (face["width"], face["height"]), face["orientation"])
        faces[int(name.split("_")[1][0])] = (box, vectors[row_of[face["id"]]], face)
    yield upright.size, faces
    library.close()


@pytest.mark.parametrize("orientation", range(1, 9))
def test_face_lands_on_the_upright_face(oriented, orientation):
    upright_size, faces = oriented
    assert sorted(faces) == list(range(1, 9)), "every orientation must yield exactly its one face"
    box, vector, face = faces[orientation]
    reference_box, reference_vector, _ = faces[1]
    assert face["orientation"] == orientation
    assert iou(box, reference_box) > 0.8
    assert float(np.dot(vector, reference_vector)) > 0.99
