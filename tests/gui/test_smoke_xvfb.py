"""The real app in a real X window (Xvfb): `photoface FOLDER` on a new library, people appear, SIGTERM
closes it like Quit, exit status 0 and no traceback. The other GUI tests run offscreen; this one
catches what only a real display shows (Qt's xcb libraries, start-up, quitting with jobs running)."""

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from photoface.errors import PhotofaceError
from photoface.people import queries
from photoface.store.library import Library

from ..conftest import PHOTOS

PHOTOS_WITH_FACES = ["knn/train/biden/biden.jpg", "knn/train/biden/biden2.jpg", "knn/train/obama",
                     "knn/train/kit_harington/john1.jpeg", "knn/test/obama_and_biden.jpg"]  # 6 photos, 3 people
PEOPLE_TIMEOUT_S = 300  # a busy 2-core machine: loading torch, converting nothing, indexing 6 photos
QUIT_TIMEOUT_S = 60


@pytest.fixture
def display():
    """A virtual X display of its own (``Xvfb -displayfd`` picks a free number)."""
    if not shutil.which("Xvfb"):
        if os.environ.get("CI"):
            pytest.fail("Xvfb is missing: .ci/run installs it (apt-get install xvfb)")
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
                              pass_fds=[write], stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as numbers:
        number = numbers.readline().strip()
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def people_found(library_dir: Path) -> tuple[int, int]:
    """Photos indexed and people, read without disturbing the app (read-only, no lock)."""
    try:
        with Library.open(library_dir, read_only=True) as library:
            return library.status()["photos"]["indexed"], len(queries.people(library))
    except (PhotofaceError, sqlite3.Error):  # not made yet, or being made (its first migration)
        return 0, 0


def test_the_app_adds_a_folder_finds_people_and_quits_cleanly(display, tmp_path, data_dir, embedder):
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in PHOTOS_WITH_FACES:
        source = PHOTOS / name
        for photo in sorted(source.iterdir()) if source.is_dir() else [source]:
            shutil.copy2(photo, photos / photo.name)
    library_dir = tmp_path / "library"
    env = {key: value for key, value in os.environ.items() if key not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env |= {"DISPLAY": display, "PHOTOFACE_DATA_DIR": str(data_dir),  # the model converted once per session
            "PHOTOFACE_CONFIG_DIR": str(tmp_path / "config"), "PHOTOFACE_LIBRARY": str(library_dir)}
    app = subprocess.Popen([sys.executable, "-m", "photoface", str(photos)], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        expected = len(list(photos.iterdir()))
        deadline = time.monotonic() + PEOPLE_TIMEOUT_S
        while (found := people_found(library_dir)) != (expected, found[1]) or found[1] < 2:
            assert app.poll() is None, f"the app ended early: {app.communicate()}"
            assert time.monotonic() < deadline, f"{found} (photos, people) after {PEOPLE_TIMEOUT_S} s"
            time.sleep(1)
    finally:
        app.terminate()  # SIGTERM: the app closes as Quit does
        out, err = app.communicate(timeout=QUIT_TIMEOUT_S)
    assert "Traceback" not in err, err
    assert app.returncode == 0, (app.returncode, err)
    with Library.open(library_dir) as library:  # the lock was let go
        assert library.status()["photos"]["indexed"] == expected
