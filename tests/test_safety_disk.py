"""A full disk or a read-only library gives a clear error and loses nothing already stored."""

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from photoface.errors import PhotofaceError
from photoface.store.library import Library

from .test_store import MODEL, DIM, face_record, photo_record

BIG_THUMBNAIL = os.urandom(20_000)  # incompressible, so the disk fills after a few dozen photos


def fill(library: Library) -> tuple[int, PhotofaceError]:
    """Save photos until the library refuses; how many were saved, and the error."""
    for number in range(10_000):
        faces = [replace(face_record(number), thumbnail=BIG_THUMBNAIL)]
        try:
            library.save_indexed_photo(photo_record(f"/photos/{number}.jpg", f"hash-{number}"), faces, MODEL)
        except PhotofaceError as error:
            return number, error
    raise AssertionError("the library never filled up")


def assert_intact(folder, saved: int) -> None:
    with Library.open(folder) as library:
        assert library.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert library.status()["photos"]["indexed"] == saved
        assert library.status()["faces"] == saved


@contextmanager
def tmpfs(mount_point: Path, size: str) -> Iterator[Path]:
    """A filesystem of ``size`` ("2m") at ``mount_point`` (root may mount one); skips the test elsewhere."""
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)],
                             capture_output=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


@pytest.fixture
def tiny_disk(tmp_path):
    """A 2 MiB filesystem."""
    with tmpfs(tmp_path / "disk", "2m") as mount_point:
        yield mount_point


def test_a_full_disk_is_a_clear_error_and_the_library_survives(tiny_disk):
    folder = tiny_disk / "lib"
    (tiny_disk / "other-files").write_bytes(bytes(512 * 1024))
    with Library.open(folder) as library:
        library.register_model(MODEL, DIM)
        saved, error = fill(library)
    assert saved > 10 and "disk holding the library is full" in str(error)
    assert_intact(folder, saved)
    (tiny_disk / "other-files").unlink()  # the user frees some space: it goes on
    with Library.open(folder) as library:
        library.save_indexed_photo(photo_record("/photos/after.jpg", "hash-after"), [face_record()], MODEL)
    assert_intact(folder, saved + 1)


def test_a_library_limited_in_size_behaves_the_same(tmp_path):
    """The same check where no tmpfs can be mounted: SQLite's own size limit gives SQLITE_FULL."""
    with Library.open(tmp_path) as library:
        library.register_model(MODEL, DIM)
        pages = library.db.execute("PRAGMA page_count").fetchone()[0]
        library.db.execute(f"PRAGMA max_page_count = {pages + 100}")
        saved, error = fill(library)
    assert saved > 5 and "full" in str(error)
    assert_intact(tmp_path, saved)


def test_a_read_only_library_file_is_a_clear_error(tmp_path):
    with Library.open(tmp_path) as library:
        library.register_model(MODEL, DIM)
        library.save_indexed_photo(photo_record("/photos/a.jpg"), [face_record()], MODEL)
        # What a disk remounted read-only looks like to SQLite (root ignores chmod).
        library.db.execute("PRAGMA query_only = ON")
        with pytest.raises(PhotofaceError, match="cannot be written"):
            library.save_indexed_photo(photo_record("/photos/b.jpg", "hash-b"), [face_record(1)], MODEL)
    assert_intact(tmp_path, 1)
