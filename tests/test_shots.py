"""The files of one shot (same folder and base name: RAW+JPEG, a live photo's
HEIC+MOV) are one photo: analysed once, counted once, exported together."""

import shutil

from click.testing import CliRunner
from PIL import Image

from photoface.cli import cli
from photoface.export import export_album
from photoface.index.pipeline import Indexer
from photoface.photos.kinds import shot_companions
from photoface.store.library import Library

from .conftest import PHOTOS
from .dng import write_dng


def test_a_shots_photo_is_its_processed_file_else_its_raw():
    names = ["IMG_1.CR2", "IMG_1.JPG", "IMG_2.HEIC", "IMG_2.MOV", "a.jpg", "a.png", "b.mov", "b.mp4",
             "c.nef", "c.mov", "e.txt", "e.jpg", ".IMG_1.xmp", "IMG_1.JPG.xmp"]
    assert shot_companions(names) == {"IMG_1.CR2": "IMG_1.JPG", "IMG_2.MOV": "IMG_2.HEIC", "c.mov": "c.nef"}


def test_a_shot_is_read_once_counted_once_and_exported_whole(tmp_path, embedder):
    folder = tmp_path / "camera"
    folder.mkdir()
    source = PHOTOS / "knn" / "test" / "obama1.jpg"
    shutil.copy2(source, folder / "IMG_0001.JPG")
    write_dng(folder / "IMG_0001.DNG", Image.open(source).convert("RGB"))
    shutil.copy2(PHOTOS / "misc" / "astronaut.png", folder / "IMG_0002.png")
    (folder / "IMG_0002.MOV").write_bytes(b"a live photo's video")
    (folder / "clip.webm").write_bytes(b"a video of its own, of a kind not read")
    with Library.open(tmp_path / "lib") as library:
        report = Indexer(library, embedder=embedder).run([folder])
        faces = list(library.faces())
    assert report.files == report.indexed == 2 and report.skipped == 3
    assert sorted(face["path"].rsplit("/", 1)[-1] for face in faces) == ["IMG_0001.JPG", "IMG_0002.png"]

    result = CliRunner().invoke(cli, ["--library", str(tmp_path / "lib"), "status"])
    assert result.exit_code == 0, repr(result.exception)
    status = result.output
    assert "  1 video (not read yet): 1 .webm\n" in status
    assert "  with their photo (one shot, read and counted once): 1 .dng, 1 .mov\n" in status

    album = tmp_path / "album"
    exported = export_album([(folder / "IMG_0001.JPG", None), (folder / "IMG_0002.png", None)], album)
    assert sorted(path.name for path in exported.added) == ["IMG_0001.DNG", "IMG_0001.JPG", "IMG_0002.MOV",
                                                             "IMG_0002.png"]
