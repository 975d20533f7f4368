"""Hostile and odd inputs through the loader and a whole index run: each is indexed or recorded with a reason.

Covered elsewhere and not repeated: broken/odd real files, CMYK JPEG, 16-bit grey
PNG, empty/EPS/text files, header-only PNG bombs (tests/test_photos.py), folder
symlink loops and unreadable folders (scan), hostile XMP packets (tests/test_xmp.py).
"""

import io
import os
import struct
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photoface.index.pipeline import Indexer
from photoface.photos import PhotoError, load_photo, loader
from photoface.store.library import Library

from .conftest import PHOTOS

REAL = PHOTOS / "knn" / "test" / "obama1.jpg"


def real_image(size=(96, 96)) -> Image.Image:
    with Image.open(REAL) as image:
        return image.convert("RGB").resize(size)


def save(image: Image.Image, path: Path, **options) -> Path:
    image.save(path, **options)
    return path


def jpeg_claiming(path: Path, width: int, height: int) -> Path:
    """A real JPEG whose frame header (SOF0) claims another size."""
    buffer = io.BytesIO()
    real_image().save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    path.write_bytes(bytes(data))
    return path


def tiff_claiming(path: Path, width: int, height: int) -> Path:
    """An uncompressed 8-bit grey TIFF that declares ``width`` x ``height`` but holds 64 bytes."""
    tags = [(256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
            (273, 4, 8 + 2 + 12 * 8 + 4), (278, 4, height), (279, 4, 64)]
    ifd = struct.pack("<H", len(tags)) + b"".join(struct.pack("<HHII", tag, kind, 1, value) for tag, kind, value in tags)
    path.write_bytes(b"II*\x00" + struct.pack("<I", 8) + ifd + b"\x00" * 4 + bytes(64))
    return path


def hostile_folder(root: Path) -> dict[str, str | None]:
    """Makes the files; returns name -> the reason expected (None: loads)."""
    root.mkdir()
    image = real_image()
    save(image.resize((1, 1)), root / "one-pixel.png")
    save(image.resize((1, 1)), root / "one-pixel.jpg")
    save(image.convert("CMYK"), root / "cmyk.tif", compression="tiff_lzw")
    save(Image.fromarray(np.asarray(image.convert("L"), dtype=np.uint16) * 257), root / "grey16.tif")
    frames = [image, image.rotate(90)]
    save(frames[0], root / "animated.webp", save_all=True, append_images=frames[1:], duration=100)
    save(frames[0], root / "animated.gif", save_all=True, append_images=frames[1:], duration=100)
    jpeg_claiming(root / "bomb.jpg", 30_000, 30_000)
    tiff_claiming(root / "bomb.tif", 30_000, 30_000)
    tiff_claiming(root / "huge.tif", 12_000, 9_000)
    save(image, root / "émile 😀 שלום\nnewline.jpg")
    save(image, root / "e\u0301mile-decomposed.jpg")
    (root / "album.jpg").mkdir()  # a folder named like a photo
    save(image, root / "album.jpg" / "inside.png")
    os.mkfifo(root / "pipe.jpg")  # would block a reader forever
    (root / "loop-a.jpg").symlink_to(root / "loop-b.jpg")
    (root / "loop-b.jpg").symlink_to(root / "loop-a.jpg")
    (root / "dangling.jpg").symlink_to(root / "nowhere.jpg")
    (root / "self").symlink_to(root)
    return {
        "one-pixel.png": None, "one-pixel.jpg": None, "cmyk.tif": None, "grey16.tif": None,
        "animated.webp": None, "animated.gif": None,
        "bomb.jpg": "decompression bomb", "bomb.tif": "decompression bomb",
        "huge.tif": "too large: 108 MP (limit 100 MP)",
        "émile 😀 שלום\nnewline.jpg": None, "e\u0301mile-decomposed.jpg": None, "album.jpg/inside.png": None,
    }


def test_each_hostile_file_loads_or_is_rejected_fast_with_its_reason(tmp_path):
    expected = hostile_folder(tmp_path / "photos")
    for name, reason in expected.items():
        started = time.perf_counter()
        try:
            photo = load_photo(tmp_path / "photos" / name, max_side=960)
            assert reason is None, f"{name} loaded"
            assert photo.image.mode == "RGB" and min(photo.image.size) >= 1
        except PhotoError as error:
            assert error.reason == reason, name
        assert time.perf_counter() - started < 2, name


def test_a_fifo_named_like_a_photo_is_refused_not_waited_for(tmp_path):
    os.mkfifo(tmp_path / "pipe.jpg")
    with pytest.raises(PhotoError, match="not a regular file"):
        load_photo(tmp_path / "pipe.jpg")


def test_an_unreadable_photo_is_rejected(tmp_path, monkeypatch):
    photo = save(real_image(), tmp_path / "locked.jpg")
    photo.chmod(0)
    if os.access(photo, os.R_OK):  # root reads anything: make open() fail as it would for a user
        real_open = os.open

        def refuse(path, *args, **kwargs):
            if Path(path) == photo:
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(loader.os, "open", refuse)
    with pytest.raises(PhotoError, match="cannot read: permission denied"):
        load_photo(photo)


def test_indexing_a_hostile_folder_records_every_file(tmp_path, embedder):
    expected = hostile_folder(tmp_path / "photos")
    non_utf8 = os.fsencode(tmp_path / "photos") + b"/latin1-\xe9t\xe9.jpg"  # not UTF-8: skipped with a warning
    save(real_image(), Path(os.fsdecode(non_utf8)))
    started = time.perf_counter()
    with Library.open(tmp_path / "lib") as library:
        report = Indexer(library, embedder=embedder).run([tmp_path / "photos", tmp_path / "photos" / "loop-a.jpg"])
        status = library.status()
        stored = {row["path"]: row["error"] for row in library.db.query("SELECT path, error FROM photos")}
    assert time.perf_counter() - started < 60
    root = (tmp_path / "photos").resolve()
    assert stored == {str(root / name): reason for name, reason in expected.items()}
    assert report.failed == 3 and status["photos"]["error"] == 3
    skipped = {row["path"]: row["reason"] for row in status["skipped"]}
    assert skipped == {
        str(root / "pipe.jpg"): "a FIFO",
        str(root / "dangling.jpg"): "link to nothing (its target is missing)",
        str(root / "loop-a.jpg"): "symlink loop",
        str(root / "loop-b.jpg"): "symlink loop",
        str(root / "latin1-\\udce9t\\udce9.jpg"): "name is not valid UTF-8: rename it to index it",
    }
