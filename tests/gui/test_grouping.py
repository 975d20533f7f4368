"""Nothing left ungrouped (issue #17): a start groups faces an earlier run left ungrouped, and
Library > Group faces again groups on demand."""

import shutil

from photoface.folders import library_folders
from photoface.gui.jobs.clustering import ClusteringJob
from photoface.gui.main_window import MainWindow
from photoface.index.pipeline import Indexer
from photoface.people import queries
from photoface.store.library import Library

from ..conftest import PHOTOS
from .conftest import PEOPLE_PHOTOS
from .test_window import INDEXING_TIMEOUT_MS


def open_window(qtbot, library_dir, embedder) -> MainWindow:
    window = MainWindow(library_dir, embedder=embedder)
    qtbot.addWidget(window)
    window.show()
    return window


def test_a_start_groups_the_faces_a_closed_run_left_ungrouped(qtbot, tmp_path, embedder):
    # What closing the app between indexing and grouping leaves: a watched folder, its faces
    # indexed, none of them grouped.
    photos = shutil.copytree(PHOTOS / PEOPLE_PHOTOS, tmp_path / "photos")
    with Library.open(tmp_path / "library") as library:
        library_folders.add_folder(library, photos)
        Indexer(library, embedder=embedder).run([photos])
        assert not queries.people(library)

    window = open_window(qtbot, tmp_path / "library", embedder)
    qtbot.waitUntil(lambda: window.job is None, timeout=INDEXING_TIMEOUT_MS)
    assert queries.people(window.library), "the faces were grouped into people at start"
    assert window.people_model.tiles


def test_a_grouped_library_starts_without_grouping_again(qtbot, people_library, embedder):
    window = open_window(qtbot, people_library, embedder)
    assert window.job is None


def test_group_faces_again_from_the_library_menu(qtbot, people_library, embedder):
    window = open_window(qtbot, people_library, embedder)
    people = len(window.people_model.tiles)
    action = next(action for action in window.menuBar().actions()[0].menu().actions()
                  if action.text() == "Group faces again")
    action.trigger()
    assert isinstance(window.job, ClusteringJob)
    qtbot.waitUntil(lambda: window.job is None, timeout=INDEXING_TIMEOUT_MS)
    assert "groups of faces" in window.statusBar().currentMessage()
    assert len(window.people_model.tiles) == people, "the same faces make the same people"
