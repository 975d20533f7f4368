"""Shared fixtures: real photos from ../shared/data, the real model, real SQLite."""

import os
import shutil
from pathlib import Path

import pytest
from PIL import Image

from photoface.evaluation.datasets import shared_data_dir

SHARED = shared_data_dir()
PHOTOS = SHARED / "photos"


@pytest.fixture(scope="session", autouse=True)
def data_dir(tmp_path_factory) -> Path:
    """Keep converted models out of the user's home; subprocesses inherit it."""
    path = Path(os.environ.get("PHOTOFACE_TEST_DATA_DIR") or tmp_path_factory.mktemp("photoface-data"))
    os.environ["PHOTOFACE_DATA_DIR"] = str(path)
    return path


@pytest.fixture(scope="session")
def embedder(data_dir):
    from photoface.embed.models import load_embedder

    return load_embedder()


@pytest.fixture
def copy_photos(tmp_path):
    """Copies shared photos into a fresh folder (tests may move or delete them)."""

    def copy(*relative: str, to: str = "photos") -> Path:
        folder = tmp_path / to
        folder.mkdir(exist_ok=True)
        for name in relative:
            source = PHOTOS / name
            if source.is_dir():
                shutil.copytree(source, folder / source.name, dirs_exist_ok=True)
            else:
                shutil.copy2(source, folder / source.name)
        return folder

    return copy


# Pillow's inverse of what a viewer does for each EXIF orientation (upright -> stored).
TO_STORED = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def stored_for_orientation(upright: Image.Image, orientation: int) -> Image.Image:
    """The pixels a camera stores so that a viewer applying ``orientation`` shows ``upright``."""
    operation = TO_STORED[orientation]
    return upright if operation is None else upright.transpose(operation)
