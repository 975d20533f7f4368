"""The indexer and CLI over a real library: incremental runs, moves, deletions, bad files."""

import json
import shutil

import pytest
from click.testing import CliRunner

from photoface.cli import cli
from photoface.index.pipeline import Indexer
from photoface.store.library import Library

from .conftest import PHOTOS


@pytest.fixture
def photos(copy_photos):
    folder = copy_photos("knn/test", "broken/heif-empty.heic", "broken/heif-corrupted.heic")
    (folder / "notes.jpg").write_text("not a photo")
    (folder / "empty.png").write_bytes(b"")
    return folder


def run_cli(library, *args, env=None):
    result = CliRunner().invoke(cli, ["--library", str(library), *args], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def faces_json(library):
    return json.loads(run_cli(library, "faces", "--json"))


def test_index_then_nothing_to_do(tmp_path, photos, embedder):
    with Library.open(tmp_path / "lib") as library:
        first = Indexer(library, embedder=embedder).run([photos])
        second = Indexer(library, embedder=embedder).run([photos])
    assert first.files == 9 and first.failed == 4 and first.indexed == 5
    assert first.faces >= 7  # two photos hold two people each
    assert second.indexed == 0 and second.unchanged == 9 and second.faces == 0


def test_each_worker_runs_torch_on_its_share_of_the_cores_then_torch_gets_them_back(tmp_path, photos, embedder,
                                                                                   monkeypatch):
    import torch

    from photoface.detect.detector import FaceDetector
    from photoface.embed.models import Embedder
    from photoface.index.options import IndexOptions

    seen = {"detect": set(), "embed": set()}
    for cls, method, stage in ((FaceDetector, "detect", "detect"), (Embedder, "embed", "embed")):
        def watched(self, *args, _original=getattr(cls, method), _stage=stage, **kwargs):
            seen[_stage].add(torch.get_num_threads())
            return _original(self, *args, **kwargs)
        monkeypatch.setattr(cls, method, watched)
    before = torch.get_num_threads()
    with Library.open(tmp_path / "lib") as library:
        report = Indexer(library, IndexOptions(workers=2), embedder=embedder).run([photos])
    assert report.faces >= 7
    assert seen == {"detect": {max(1, before // 2)}, "embed": {max(1, before // 2)}}
    assert torch.get_num_threads() == before


def test_moved_photo_keeps_its_faces(tmp_path, photos, embedder):
    with Library.open(tmp_path / "lib") as library:
        Indexer(library, embedder=embedder).run([photos])
        before = {f["id"]: f["path"] for f in library.faces()}
        (photos / "sub").mkdir()
        shutil.move(photos / "test" / "obama1.jpg", photos / "sub" / "renamed.jpg")
        report = Indexer(library, embedder=embedder).run([photos])
        after = {f["id"]: f["path"] for f in library.faces()}
    assert report.moved == 1 and report.indexed == 0
    assert set(after) == set(before), "face ids survive a move"
    moved_ids = [i for i, path in before.items() if path.endswith("obama1.jpg")]
    assert moved_ids and all(after[i].endswith("sub/renamed.jpg") for i in moved_ids)


def test_deleted_photo_is_marked_gone_and_changed_photo_reindexed(tmp_path, photos, embedder):
    with Library.open(tmp_path / "lib") as library:
        Indexer(library, embedder=embedder).run([photos])
        (photos / "test" / "kit_with_rose.jpg").unlink()
        before = [f["id"] for f in library.faces() if f["path"].endswith("johnsnow_test1.jpg")]
        shutil.copy(PHOTOS / "misc/astronaut.png", photos / "test" / "johnsnow_test1.jpg")  # edited in place
        report = Indexer(library, embedder=embedder).run([photos])
        faces = list(library.faces())
    assert report.gone == 1 and report.indexed == 1
    assert not any(f["path"].endswith("kit_with_rose.jpg") for f in faces)
    edited = [f["id"] for f in faces if f["path"].endswith("johnsnow_test1.jpg")]
    assert len(edited) == 1 and not set(edited) & set(before), "an edited photo's faces are replaced"


def test_bad_files_are_recorded_with_a_reason(tmp_path, photos, embedder):
    library_dir = tmp_path / "lib"
    with Library.open(library_dir) as library:
        Indexer(library, embedder=embedder).run([photos])
        status = library.status()
    text = json.dumps(status)
    for name in ("notes.jpg", "empty.png", "heif-empty.heic", "heif-corrupted.heic"):
        assert name in text


def test_cli_contract(tmp_path, copy_photos):
    folder = copy_photos("knn/test/obama_and_biden.jpg", "nonfaces/coffee.png")
    library = tmp_path / "lib"
    output = run_cli(library, "index", "--quiet", str(folder))
    assert "2 photos" in output
    faces = faces_json(library)
    assert len(faces) == 3  # Obama, Biden, and a girl in the corner
    for face in faces:
        assert face["photo"] == str((folder / "obama_and_biden.jpg").resolve())
        left, top, width, height = face["box"]
        assert 0 <= left and 0 <= top and left + width <= 2000 and top + height <= 1428
        assert 0.9 <= face["score"] <= 1 and isinstance(face["face_id"], int)
    status = json.loads(run_cli(library, "status", "--json"))
    assert status["faces"] == 3
    # the library can come from the environment too
    assert json.loads(CliRunner().invoke(cli, ["faces", "--json"], env={"PHOTOFACE_LIBRARY": str(library)}).output) == faces


def test_cli_detect_side_trades_small_faces_for_speed(tmp_path, copy_photos):
    folder = copy_photos("knn/test/obama_and_biden.jpg")
    run_cli(tmp_path / "lib", "index", "--quiet", "--detect-side", "320", str(folder))
    assert len(faces_json(tmp_path / "lib")) == 2  # the girl in the corner is too small at 320 px


def test_cli_errors_are_one_line(tmp_path):
    not_a_db = tmp_path / "lib"
    not_a_db.mkdir()
    (not_a_db / "library.db").write_text("garbage")
    result = CliRunner().invoke(cli, ["--library", str(not_a_db), "status"])
    assert result.exit_code == 1
    assert "Error:" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(cli, ["--library", str(tmp_path / "x"), "index", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "does not exist" in result.output
