"""Shared fixtures: real photos from ../shared/data, the real model, real SQLite."""

import os
import shutil
from pathlib import Path

import pytest
from PIL import Image

from photoface.evaluation.datasets import celeba_identities, shared_data_dir

SHARED = shared_data_dir()
PHOTOS = SHARED / "photos"


@pytest.fixture(scope="session", autouse=True)
def data_dir(tmp_path_factory) -> Path:
    """Keep converted models out of the user's home; subprocesses inherit it."""
    path = Path(os.environ.get("PHOTOFACE_TEST_DATA_DIR") or tmp_path_factory.mktemp("photoface-data"))
    os.environ["PHOTOFACE_DATA_DIR"] = str(path)
    return path


@pytest.fixture(scope="session", autouse=True)
def config_dir(tmp_path_factory) -> Path:
    """The user's library choice goes to a private folder, never the user's own config."""
    path = tmp_path_factory.mktemp("photoface-config")
    os.environ["PHOTOFACE_CONFIG_DIR"] = str(path)
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


CELEBA = SHARED / "celeba_train"
NAMED_PEOPLE = ("Ada", "Bea", "Cyd")  # celeba_train's first identities, in identity.txt's order
NAMED_PHOTOS = slice(0, 6)  # each person's photos in the named library; later ones are "new photos"


def copy_celeba(folder: Path, photos: slice) -> dict[str, list[Path]]:
    """Copy the ``photos`` of each NAMED_PEOPLE identity into ``folder``; name -> the copies."""
    folder.mkdir(parents=True, exist_ok=True)
    by_identity: dict[str, list[str]] = {}
    for image, identity in celeba_identities(CELEBA).items():
        by_identity.setdefault(identity, []).append(image)
    copies = {}
    for name, images in zip(NAMED_PEOPLE, by_identity.values()):
        copies[name] = [Path(shutil.copy2(CELEBA / image, folder / image)) for image in images[photos]]
    return copies


def largest_faces(library, paths: list[Path]) -> list[int]:
    """The id of the largest face in each of these photos."""
    faces = [face for face in library.faces() if Path(face["path"]).name in {path.name for path in paths}]
    largest = {}
    for face in faces:
        area = face["box"][2] * face["box"][3]
        if face["path"] not in largest or area > largest[face["path"]][0]:
            largest[face["path"]] = (area, face["id"])
    return [face_id for _, face_id in largest.values()]


@pytest.fixture(scope="session")
def named_library_template(tmp_path_factory, embedder) -> Path:
    """Celeba photos of 3 people x 6, indexed and clustered; each photo's main face named after its person."""
    from photoface.index.pipeline import Indexer
    from photoface.people import operations
    from photoface.people.recluster import recluster
    from photoface.store.library import Library

    root = tmp_path_factory.mktemp("named-library")
    photos = copy_celeba(root / "photos", NAMED_PHOTOS)
    with Library.open(root / "library") as library:
        Indexer(library, embedder=embedder).run([root / "photos"])
        for name, paths in photos.items():
            operations.create_person(library, largest_faces(library, paths), name)
        recluster(library)
    return root / "library"


@pytest.fixture
def named_library(named_library_template, tmp_path) -> Path:
    """A private copy of the named library folder (tests change it)."""
    return Path(shutil.copytree(named_library_template, tmp_path / "named-library"))
