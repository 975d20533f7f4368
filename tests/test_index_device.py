"""The compute device (issue #19): a library setting a run may override, a missing GPU said in one line
before any photo is read, and photos detected in batches (the GPU's way) finding what each photo alone finds."""

import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from photoface.cli import cli
from photoface.devices import available_devices, resolve_device
from photoface.embed.registry import DEFAULT_MODEL_ID
from photoface.errors import PhotofaceError
from photoface.evaluation.videos import letterboxed, still_scenes, write_video
from photoface.index import pipeline
from photoface.index.batches import analyses_in_batches as pipeline_batches
from photoface.index.options import IndexOptions
from photoface.index.pipeline import Indexer
from photoface.library_settings import index_options, save_index_options
from photoface.photos.orientation import iou
from photoface.store.library import Library

from .conftest import PHOTOS

MISSING_GPUS = [device for device in ("cuda", "mps") if device not in available_devices()]


def run_cli(library, *args):
    return CliRunner().invoke(cli, ["--library", str(library), *args])


def test_auto_takes_a_cuda_gpu_then_mps_then_the_cpu():
    expected = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert resolve_device("auto") == expected
    assert resolve_device("cpu") == "cpu"
    with pytest.raises(PhotofaceError, match="device must be one of auto, cpu, cuda, mps"):
        resolve_device("tpu")


@pytest.mark.parametrize("device", MISSING_GPUS)
def test_a_missing_gpu_is_one_line_before_any_photo_is_read(tmp_path, copy_photos, device):
    photos = copy_photos("knn/test")
    result = run_cli(tmp_path / "lib", "index", "--device", device, str(photos))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1 and "is available to this torch" in result.output
    with Library.open(tmp_path / "lib", read_only=True) as library:
        assert library.db.execute("SELECT count(*) FROM photos").fetchone()[0] == 0


def test_the_device_is_a_library_setting_a_run_overrides(tmp_path, copy_photos):
    if not MISSING_GPUS:
        pytest.skip("every kind of GPU is here")
    missing = MISSING_GPUS[0]
    photos = copy_photos("knn/test/obama_and_biden.jpg")
    with Library.open(tmp_path / "lib") as library:
        save_index_options(library, IndexOptions(device=missing))
        assert index_options(library).device == missing
        assert index_options(library, device="cpu").device == "cpu"
    refused = run_cli(tmp_path / "lib", "index", str(photos))
    assert refused.exit_code == 1 and "is available" in refused.output, "the setting applies"
    overridden = run_cli(tmp_path / "lib", "index", "--device", "cpu", "--quiet", str(photos))
    assert overridden.exit_code == 0 and "1 indexed (" in overridden.output, overridden.output
    with Library.open(tmp_path / "lib", read_only=True) as library:
        assert index_options(library).device == missing, "a flag is for one run only"


def test_doctor_says_which_devices_torch_sees_and_which_indexing_uses(tmp_path):
    result = run_cli(tmp_path / "lib", "doctor", "--json")
    devices = json.loads(result.output)["devices"]
    assert devices["seen"][-1] == "cpu" and devices["setting"] == "auto"
    assert devices["indexing_uses"] == resolve_device("auto")


def indexed_faces(library_dir, photos, options: IndexOptions, embedder=None) -> tuple[dict, dict]:
    """The run's counts, and each photo's faces as (box, embedding) pairs."""
    with Library.open(library_dir) as library:
        report = Indexer(library, options, embedder=embedder).run([photos])
        face_ids, vectors = library.embedding_matrix(DEFAULT_MODEL_ID)
        vector_of = dict(zip(face_ids.tolist(), vectors))
        faces: dict[str, list] = {}
        for face in library.faces():
            faces.setdefault(face["path"], []).append((face["box"], vector_of[face["id"]]))
    counts = (report.indexed, report.failed, report.faces)
    return counts, faces


def assert_same_faces(expected: dict, found: dict, min_iou: float, min_cosine: float) -> None:
    assert expected.keys() == found.keys()
    for path, faces in expected.items():
        assert len(found[path]) == len(faces), path
        for box, vector in faces:
            best_box, best_vector = max(found[path], key=lambda other: iou(box, other[0]))
            assert iou(box, best_box) >= min_iou, (path, box, best_box)
            assert float(np.dot(vector, best_vector)) >= min_cosine, path


@pytest.fixture
def mixed_photos(copy_photos):
    """Photos of many sizes, with and without faces, files that cannot be read, and a video (on the threads)."""
    folder = copy_photos("knn/test", "dlib", "odd", "misc", "exif/portrait_6.jpg", "broken/heif-corrupted.heic")
    couple, _, _ = letterboxed(Image.open(PHOTOS / "deepface" / "couple.jpg"), (640, 448))
    write_video(folder / "couple.mp4", still_scenes([(couple, 2)]))
    return folder


def test_photos_detected_in_batches_find_the_faces_each_photo_finds_alone(tmp_path, mixed_photos, embedder,
                                                                         monkeypatch):
    batches = []

    def seen(records, detector, detect_side, batch, should_stop):  # the real loop, only noted
        batches.append(batch)
        return pipeline_batches(records, detector, detect_side, batch, should_stop)

    monkeypatch.setattr(pipeline, "analyses_in_batches", seen)
    per_photo = indexed_faces(tmp_path / "one", mixed_photos, IndexOptions(device="cpu"), embedder)
    assert batches == [], "on the CPU each thread detects its own photo"
    batched = indexed_faces(tmp_path / "batched", mixed_photos, IndexOptions(device="cpu", photo_batch=4), embedder)
    assert batches == [4]
    assert batched[0] == per_photo[0] and per_photo[0][2] >= 30, "photos indexed, failed; faces"
    assert any(path.endswith("couple.mp4") for path in batched[1]), "the video's faces too"
    assert_same_faces(per_photo[1], batched[1], min_iou=0.99, min_cosine=0.9999)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_a_cuda_gpu_finds_and_embeds_the_faces_the_cpu_does(tmp_path, copy_photos, embedder):
    photos = copy_photos("dlib", "deepface", "knn", "odd", "misc", "heic", "exif")
    on_cpu = indexed_faces(tmp_path / "cpu", photos, IndexOptions(device="cpu"), embedder)
    on_gpu = indexed_faces(tmp_path / "gpu", photos, IndexOptions(device="cuda"))  # its own embedder, on the GPU
    assert on_gpu[0] == on_cpu[0]
    assert_same_faces(on_cpu[1], on_gpu[1], min_iou=0.95, min_cosine=0.999)
