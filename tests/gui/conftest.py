"""GUI fixtures: Qt offscreen, and small real libraries (real photos, model, SQLite)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from photoface.gui.main_window import MainWindow  # noqa: E402
from photoface.index.pipeline import Indexer  # noqa: E402
from photoface.people.recluster import recluster  # noqa: E402
from photoface.store.library import Library  # noqa: E402

from ..conftest import PHOTOS  # noqa: E402

PEOPLE_PHOTOS = "knn/train"  # 5 people, 9 photos: a few seconds to index


@pytest.fixture(scope="session")
def people_library_template(tmp_path_factory, embedder) -> Path:
    """A library of knn/train, indexed and clustered once per session."""
    root = tmp_path_factory.mktemp("people-library")
    photos = root / "photos"
    shutil.copytree(PHOTOS / PEOPLE_PHOTOS, photos)
    with Library.open(root / "library") as library:
        Indexer(library, embedder=embedder).run([photos])
        recluster(library)
    return root / "library"


@pytest.fixture
def people_library(people_library_template, tmp_path) -> Path:
    """A private copy of the clustered library folder (tests change people)."""
    return Path(shutil.copytree(people_library_template, tmp_path / "library"))


@pytest.fixture
def window(qtbot, tmp_path, embedder):
    """The main window over a new, empty library."""
    window = MainWindow(tmp_path / "library", embedder=embedder)
    qtbot.addWidget(window)
    window.show()
    return window


@pytest.fixture
def people_window(qtbot, people_library, embedder):
    """The main window over a private copy of the clustered library."""
    window = MainWindow(people_library, embedder=embedder)
    qtbot.addWidget(window)
    window.show()
    return window
