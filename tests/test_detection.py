"""Detection through the real indexer on hand-labelled photos."""

import pytest

from photoface.evaluation.datasets import dlib_boxes
from photoface.evaluation.metrics import match_boxes
from photoface.index.pipeline import Indexer
from photoface.photos.orientation import box_to_upright
from photoface.store.library import Library

from .conftest import PHOTOS


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, embedder):
    library = Library.open(tmp_path_factory.mktemp("library"))
    Indexer(library, embedder=embedder).run([PHOTOS / "dlib", PHOTOS / "nonfaces"])
    faces = {}
    for face in library.faces():
        box = box_to_upright(face["box"], (face["width"], face["height"]), face["orientation"])
        faces.setdefault(face["path"], []).append(box)
    yield faces
    library.close()


def test_covers_nine_in_ten_hand_drawn_faces(indexed):
    truth = dlib_boxes(PHOTOS / "dlib")
    covered = sum(match_boxes(boxes, indexed.get(str(PHOTOS / "dlib" / name), [])) for name, boxes in truth.items())
    total = sum(len(boxes) for boxes in truth.values())
    print(f"dlib boxes covered: {covered} / {total}")
    assert covered / total >= 0.90


@pytest.mark.parametrize("photo", ["dlib/dogs.jpg", "nonfaces/chelsea.png", "nonfaces/coffee.png"])
def test_no_face_where_there_is_none(indexed, photo):
    assert indexed.get(str(PHOTOS / photo), []) == []
