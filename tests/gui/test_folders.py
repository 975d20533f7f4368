"""Watched folders in the real window: copies, moves and deletions reach the views; remove, pause."""

import shutil

from photoface.folders import library_folders as folder_list
from photoface.gui.main_window import MainWindow
from photoface.people import operations, queries

from ..conftest import PHOTOS
from .test_window import INDEXING_TIMEOUT_MS, tile_titles

WATCH_TIMEOUT_MS = 90_000


def faces_on_tiles(window) -> int:
    return sum(tile.face_count for tile in window.people_model.tiles)


def idle_with(window, faces: int) -> bool:
    return window.job is None and not window.waiting_roots and faces_on_tiles(window) == faces


def test_copy_move_and_delete_in_a_watched_folder_update_the_views(qtbot, window, tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    shutil.copy(PHOTOS / "knn/test/obama1.jpg", photos)
    window.add_folder(photos)
    qtbot.waitUntil(lambda: window.job is None and faces_on_tiles(window) == 1, timeout=INDEXING_TIMEOUT_MS)

    for name in ("kit_with_rose.jpg", "obama_and_biden.jpg"):
        shutil.copy(PHOTOS / "knn/test" / name, photos)
    qtbot.waitUntil(lambda: window.job is None and not window.waiting_roots
                    and window.library.status()["photos"]["indexed"] == 3, timeout=WATCH_TIMEOUT_MS)
    faces = faces_on_tiles(window)
    assert faces == window.library.status()["faces"] > 1

    (photos / "2024").mkdir()
    moved = (photos / "kit_with_rose.jpg").rename(photos / "2024" / "kit.jpg")
    qtbot.waitUntil(lambda: window.job is None
                    and (window.library.photo_by_path(str(moved.resolve())) or {}).get("status") == "indexed",
                    timeout=WATCH_TIMEOUT_MS)
    assert faces_on_tiles(window) == faces, "a moved photo keeps its faces"
    assert window.library.status()["photos"]["indexed"] == 3

    (photos / "obama1.jpg").unlink()
    qtbot.waitUntil(lambda: idle_with(window, faces - 1), timeout=WATCH_TIMEOUT_MS)


def test_remove_a_folder_keeps_the_names_and_pause_stops_watching(qtbot, people_library,
                                                                   people_library_template, embedder):
    photos = people_library_template.parent / "photos"
    window = MainWindow(people_library, embedder=embedder)
    qtbot.addWidget(window)
    for folder in sorted(photos.iterdir()):
        folder_list.add_folder(window.library, folder)  # as if added before (no indexing here)
    person = window.people_model.tiles[0].person_id
    operations.name_person(window.library, person, "Kit")
    window.refresh()
    before = faces_on_tiles(window)
    in_obama = sum(1 for face in window.library.faces() if "/obama/" in face["path"])

    window.folders_dialog.pause_requested.emit((photos / "obama").resolve(), True)
    assert (photos / "obama").resolve() not in folder_list.watched_paths(window.library)
    window.folders_dialog.remove_requested.emit((photos / "obama").resolve())
    assert faces_on_tiles(window) == before - in_obama
    assert "Kit" in tile_titles(window)
    assert queries.person(window.library, person)["name"] == "Kit"
    assert len(window.folders_dialog.folders) == 4
