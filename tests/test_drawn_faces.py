"""Faces the detector missed, drawn by the user (issue #18): stored, embedded, named, kept.

A real photo indexed twice: with the default detector (the reference) and with
a smallest face so large that two of its five faces are missed; the user draws
the reference's boxes of those in the second library.
"""

import json
import shutil

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image
from sqlite_utils import Database

from photoface.cli import cli
from photoface.errors import PhotofaceError
from photoface.face_model import KeptHead, kept_head_path, store_missing_vectors, use_model
from photoface.index.drawn import DRAWN_SCORE, add_face
from photoface.index.options import IndexOptions
from photoface.index.pipeline import Indexer
from photoface.people import operations, queries
from photoface.people.recluster import recluster
from photoface.photos.orientation import box_to_upright, iou
from photoface.store.library import Library
from photoface.store.migrations import MIGRATIONS, _v9_drawn_faces, migrate

from .conftest import PHOTOS, stored_for_orientation

SELFIE = "deepface/selfie-many-people.jpg"  # 600 x 604, five faces, two of them under 100 px wide
MISSING_SMALL_FACES = IndexOptions(min_face_size=160)  # finds the three big faces only
DRAWN_VERSION = MIGRATIONS.index(_v9_drawn_faces) + 1


def upright_boxes(library: Library) -> dict[int, tuple]:
    return {face["id"]: box_to_upright(face["box"], (face["width"], face["height"]), face["orientation"])
            for face in library.faces()}


def vector_of(library: Library, face_id: int, model_id: str) -> np.ndarray:
    ids, vectors = library.embedding_matrix(model_id)
    return vectors[list(ids).index(face_id)]


@pytest.fixture(scope="module")
def reference(tmp_path_factory, embedder):
    """The selfie indexed as usual: each face's box and embedding."""
    with Library.open(tmp_path_factory.mktemp("reference")) as library:
        Indexer(library, embedder=embedder).run([PHOTOS / SELFIE])
        boxes = upright_boxes(library)
        return {face: (box, vector_of(library, face, embedder.model_id)) for face, box in boxes.items()}


@pytest.fixture
def missed(reference, copy_photos, tmp_path, embedder):
    """A library of the selfie's copy where the detector missed two faces; and the boxes of those."""
    photo = copy_photos(SELFIE) / "selfie-many-people.jpg"
    library = Library.open(tmp_path / "library")
    Indexer(library, MISSING_SMALL_FACES, embedder=embedder).run([photo.parent])
    found = list(upright_boxes(library).values())
    missing = [(box, vector) for box, vector in reference.values()
               if all(iou(box, other) < 0.5 for other in found)]
    assert len(found) == 3 and len(missing) == 2
    yield library, photo, missing
    library.close()


def test_a_drawn_face_is_stored_named_and_embedded_like_a_detected_one(missed, embedder):
    library, photo, missing = missed
    (box, detected_vector), _ = missing
    added = add_face(library, photo, box, "Zoe", embedder=embedder)

    assert added.detected  # MTCNN found it in the region around the box
    assert float(vector_of(library, added.face_id, embedder.model_id) @ detected_vector) >= 0.9
    face = next(face for face in library.faces() if face["id"] == added.face_id)
    assert face["drawn"] and len(face["landmarks"]) == 5
    person = queries.person(library, added.person_id)
    assert person["name"] == "Zoe" and person["face_ids"] == [added.face_id]
    assert queries.person_faces(library, added.person_id)[0]["confirmed"]
    assert library.face_thumbnail(added.face_id)[:2] == b"\xff\xd8"  # a JPEG tile for the app


def test_a_drawn_face_joins_the_person_of_that_name_and_undo_takes_it_away(missed, embedder):
    library, photo, missing = missed
    first = add_face(library, photo, missing[0][0], "Zoe", embedder=embedder)
    second = add_face(library, photo, missing[1][0], "zoe", embedder=embedder)  # any case: the same person
    assert second.person_id == first.person_id
    assert queries.person(library, first.person_id)["face_ids"] == [first.face_id, second.face_id]

    operations.undo(library)
    assert second.face_id not in {face["id"] for face in library.faces()}
    assert queries.person(library, first.person_id)["face_ids"] == [first.face_id]
    operations.undo(library)
    assert first.face_id not in {face["id"] for face in library.faces()}
    assert not [person for person in queries.people(library) if person["name"] == "Zoe"]


def test_a_drawn_face_survives_reindexing_and_reclustering(missed, embedder):
    library, photo, missing = missed
    named = add_face(library, photo, missing[0][0], "Zoe", embedder=embedder)
    unnamed = add_face(library, photo, missing[1][0], embedder=embedder)
    assert unnamed.person_id is None
    Image.open(photo).save(photo, quality=92)  # new content: the photo is analysed again
    report = Indexer(library, embedder=embedder).run([photo.parent])  # now finding every face

    assert report.indexed == 1
    faces = library.faces()
    assert sorted(face["id"] for face in faces if face["drawn"]) == [named.face_id, unnamed.face_id]
    assert len(list(library.faces())) == 5  # the faces found where they were drawn are left out
    recluster(library)
    person = queries.person(library, named.person_id)
    assert person["name"] == "Zoe" and named.face_id in person["face_ids"]


@pytest.mark.parametrize("orientation", [6, 3])
def test_a_box_drawn_upright_on_a_rotated_photo(reference, tmp_path, embedder, orientation):
    """The box is in the upright frame, as shown; the library keeps it in the stored one."""
    stored = stored_for_orientation(Image.open(PHOTOS / SELFIE).convert("RGB"), orientation)
    exif = Image.Exif()
    exif[0x0112] = orientation
    (tmp_path / "photos").mkdir()
    photo = tmp_path / "photos" / "rotated.jpg"
    stored.save(photo, quality=95, exif=exif)
    with Library.open(tmp_path / "library") as library:
        Indexer(library, MISSING_SMALL_FACES, embedder=embedder).run([photo.parent])
        found = list(upright_boxes(library).values())
        box, vector = next((box, vector) for box, vector in reference.values()
                           if all(iou(box, other) < 0.5 for other in found))
        added = add_face(library, photo, box, embedder=embedder)
        assert iou(upright_boxes(library)[added.face_id], box) > 0.7
        assert float(vector_of(library, added.face_id, embedder.model_id) @ vector) >= 0.9


def test_a_box_where_mtcnn_finds_no_face_is_cropped_as_drawn(missed, embedder):
    library, photo, _ = missed
    added = add_face(library, photo, (0, 0, 80, 80), embedder=embedder)  # a corner of the wall

    assert not added.detected and added.box == (0, 0, 80, 80) and added.person_id is None
    face = next(face for face in library.faces() if face["id"] == added.face_id)
    assert face["drawn"] and face["landmarks"] == [] and face["det_score"] == DRAWN_SCORE
    assert np.linalg.norm(vector_of(library, added.face_id, embedder.model_id)) == pytest.approx(1.0, abs=1e-4)
    assert added.face_id in queries.unsorted_faces(library)


def test_a_face_drawn_on_a_copy_goes_to_the_photo_holding_the_faces(missed, embedder):
    library, photo, missing = missed
    copy = photo.with_name("copy of selfie.jpg")
    shutil.copy2(photo, copy)
    assert Indexer(library, MISSING_SMALL_FACES, embedder=embedder).run([photo.parent]).copies == 1
    added = add_face(library, copy, missing[0][0], embedder=embedder)
    assert library.photo_of_face(added.face_id) == library.photo_by_path(str(photo))["id"]


def test_a_drawn_face_gets_the_active_trained_heads_vector_too(missed, embedder):
    import torch

    library, photo, missing = missed
    rng = np.random.default_rng(0)
    weight, bias = rng.normal(size=(128, 512)).astype(np.float32), np.zeros(128, np.float32)
    head = KeptHead("head-128", embedder.model_id, weight, bias)
    library.register_model(head.model_id, 128, "a head as Improve recognition keeps one", embedder.model_id)
    kept_head_path(library, head.model_id).parent.mkdir()
    torch.save({"head": {"linear.weight": torch.from_numpy(weight), "linear.bias": torch.from_numpy(bias)},
                "base_model_id": embedder.model_id}, kept_head_path(library, head.model_id))
    store_missing_vectors(library, head)
    use_model(library, head.model_id)

    added = add_face(library, photo, missing[0][0], embedder=embedder)
    expected = head.embed(vector_of(library, added.face_id, embedder.model_id)[np.newaxis])[0]
    assert float(vector_of(library, added.face_id, head.model_id) @ expected) > 0.99  # stored as int8


@pytest.mark.parametrize("box, message", [
    ((10, 10, 12, 40), "at least 20"),
    ((590, 600, 80, 80), "outside the photo"),
])
def test_a_box_too_small_or_off_the_photo_is_refused(missed, embedder, box, message):
    library, photo, _ = missed
    with pytest.raises(PhotofaceError, match=message):
        add_face(library, photo, box, embedder=embedder)


def test_a_box_over_a_known_face_or_a_photo_not_in_the_library_is_refused(missed, embedder, tmp_path):
    library, photo, _ = missed
    known = next(iter(upright_boxes(library).values()))
    with pytest.raises(PhotofaceError, match="is there already"):
        add_face(library, photo, known, embedder=embedder)
    with pytest.raises(PhotofaceError, match="not an indexed photo"):
        add_face(library, tmp_path / "elsewhere.jpg", (10, 10, 50, 50), embedder=embedder)


def test_add_face_command_and_its_errors(missed, embedder):
    library, photo, missing = missed
    folder = library.folder
    library.close()  # the command opens the library itself (closing twice is harmless)
    left, top, width, height = missing[0][0]

    def run(*args):
        return CliRunner().invoke(cli, ["--library", str(folder), "add-face", *map(str, args)])

    result = run(photo, "--box", f"{left},{top},{width},{height}", "--name", "Zoe", "--json")
    assert result.exit_code == 0, result.output
    added = json.loads(result.output)
    assert added["detected"] and added["name"] == "Zoe" and added["photo"] == str(photo)
    faces = json.loads(CliRunner().invoke(cli, ["--library", str(folder), "faces", "--json"]).output)
    assert [face["face_id"] for face in faces if face["drawn"]] == [added["face_id"]]

    for args, message in [((photo, "--box", "1,2,3"), "not four numbers"),
                          ((photo, "--box", "10,10,5,5"), "at least 20"),
                          ((photo, "--box", "5000,10,50,50"), "outside the photo"),
                          ((photo.with_name("other.jpg"), "--box", "10,10,50,50"), "not an indexed photo")]:
        result = run(*args)
        assert result.exit_code != 0 and message in result.output and "Traceback" not in result.output
        assert result.output.strip().splitlines()[-1].startswith("Error: ")  # one line (after click's usage)


def test_v8_library_upgrades_keeping_its_faces_as_detected(tmp_path):
    db = Database(tmp_path / "old.db")
    migrate(db, target=DRAWN_VERSION - 1)
    db.execute("INSERT INTO photos (id, path, status) VALUES (1, '/a.jpg', 'indexed')")
    db.execute('INSERT INTO faces (id, photo_id, "left", top, width, height) VALUES (5, 1, 0, 0, 9, 9)')
    db.conn.commit()

    assert migrate(db, target=DRAWN_VERSION) == DRAWN_VERSION
    assert db.execute("SELECT id, drawn FROM faces").fetchall() == [(5, 0)]
