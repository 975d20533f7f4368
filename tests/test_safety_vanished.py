"""A folder that is not reachable (unplugged drive, unmounted share) pauses instead of losing its photos."""

import errno
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from photoface.cli import cli
from photoface.index.pipeline import Indexer
from photoface.photos import scan
from photoface.store.library import Library
from photoface.store.records import PhotoRecord
from .conftest import PHOTOS


@pytest.fixture
def indexed(tmp_path, copy_photos, embedder):
    """A library of a folder with photos at its top and in a subfolder; (library dir, folder, face count)."""
    folder = copy_photos("knn/test/obama1.jpg", "misc/astronaut.png", to="drive")
    (folder / "trip").mkdir()
    shutil.copy2(PHOTOS / "knn" / "test" / "johnsnow_test1.jpg", folder / "trip" / "again.jpg")
    with Library.open(tmp_path / "lib") as library:
        report = Indexer(library, embedder=embedder).run([folder])
        assert report.indexed == 3 and report.faces >= 3
    return tmp_path / "lib", folder.resolve(), report.faces


def index_again(library_dir: Path, folder: Path, embedder):
    with Library.open(library_dir) as library:
        report = Indexer(library, embedder=embedder).run([folder])
        return report, library.status()


def test_a_vanished_folder_is_paused(indexed, embedder):
    library_dir, folder, faces = indexed
    folder.rename(folder.with_name("unplugged"))
    report, status = index_again(library_dir, folder, embedder)
    assert report.paused == [folder] and report.gone == 0
    assert status["photos"]["gone"] == 0 and status["faces"] == faces


def test_an_empty_mount_point_is_paused(indexed, embedder):
    library_dir, folder, faces = indexed
    shutil.rmtree(folder)
    folder.mkdir()  # what an unmounted share's mount point looks like
    report, status = index_again(library_dir, folder, embedder)
    assert report.paused == [folder] and status["faces"] == faces


def test_a_folder_failing_mid_scan_pauses_its_root(indexed, embedder, monkeypatch):
    library_dir, folder, faces = indexed
    scandir = os.scandir

    def unplugged_during_scan(path):
        if Path(path) == folder / "trip":
            raise OSError(errno.EIO, "Input/output error", str(path))
        return scandir(path)

    monkeypatch.setattr(scan.os, "scandir", unplugged_during_scan)
    report, status = index_again(library_dir, folder, embedder)
    assert report.paused == [folder] and report.gone == 0
    assert status["photos"] == {"indexed": 3, "error": 0, "gone": 0}


def test_a_folder_we_may_not_read_says_so_and_does_not_pause_its_root(indexed, embedder, monkeypatch):
    library_dir, folder, faces = indexed
    scandir = os.scandir

    def denied(path):  # chmod cannot lock a folder away from root, who runs the tests
        if Path(path) == folder / "trip":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(scan.os, "scandir", denied)
    (folder / "astronaut.png").unlink()
    report, status = index_again(library_dir, folder, embedder)
    assert report.paused == [] and report.gone == 1, "the rest of the root goes on"
    assert status["photos"] == {"indexed": 2, "error": 0, "gone": 1}, "the photo in trip is not gone"
    assert status["skipped"] == [{"path": str(folder / "trip"), "reason": "permission denied"}]
    result = CliRunner().invoke(cli, ["--library", str(library_dir), "status"])
    assert f"skipped: {folder / 'trip'}: permission denied" in result.output


def test_a_root_we_may_not_read_is_not_taken_for_unplugged(indexed, embedder, monkeypatch):
    library_dir, folder, faces = indexed
    scandir = os.scandir

    def denied(path):
        if Path(path) == folder:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(scan.os, "scandir", denied)  # os.scandir itself, for the indexer too
    report, status = index_again(library_dir, folder, embedder)
    assert report.paused == [] and report.gone == 0 and status["faces"] == faces
    assert status["skipped"] == [{"path": str(folder), "reason": "permission denied"}]


def test_deleting_photos_still_marks_them_gone(indexed, embedder):
    library_dir, folder, _ = indexed
    shutil.rmtree(folder / "trip")
    report, status = index_again(library_dir, folder, embedder)
    assert report.paused == [] and report.gone == 1 and status["photos"]["gone"] == 1


def test_a_photo_unreadable_for_a_while_is_read_again(indexed, embedder):
    library_dir, folder, _ = indexed
    photo = folder / "astronaut.png"
    stat = photo.stat()
    with Library.open(library_dir) as library:  # what an I/O error mid-run leaves behind
        library.save_failed_photo(PhotoRecord(str(photo), stat.st_size, stat.st_mtime_ns, None),
                                  "cannot read: input/output error")
    report, status = index_again(library_dir, folder, embedder)
    assert report.indexed == 1 and status["photos"] == {"indexed": 3, "error": 0, "gone": 0}


def test_the_cli_says_which_folder_is_paused(indexed):
    library_dir, folder, _ = indexed
    shutil.rmtree(folder)
    folder.mkdir()
    result = CliRunner().invoke(cli, ["--library", str(library_dir), "index", "--quiet", str(folder)])
    assert result.exit_code == 0
    assert f"Paused {folder}: not reachable" in result.output
