"""The library's folder list and the watchdog watcher (real files, real events, no model)."""

import shutil
import threading
import time
from pathlib import Path

import pytest
from sqlite_utils import Database

from photoface.errors import PhotofaceError
from photoface.folders import (FolderChanges, FolderWatcher, add_folder, folders, indexer_roots,
                               remove_folder, set_paused, watched_paths)
from photoface.store.library import Library
from photoface.store.migrations import migrate

from .conftest import PHOTOS

EVENT_TIMEOUT_S = 20


@pytest.fixture
def library(tmp_path):
    with Library.open(tmp_path / "library") as library:
        yield library


def test_folders_are_kept_paused_and_removed(library, tmp_path):
    outer, inner, other = tmp_path / "a", tmp_path / "a" / "b", tmp_path / "c"
    for folder in (inner, other):
        folder.mkdir(parents=True)
    assert add_folder(library, inner) == inner.resolve()
    assert add_folder(library, other) == other.resolve()
    add_folder(library, outer)  # takes the place of the folder inside it
    assert [folder.path for folder in folders(library)] == [outer.resolve(), other.resolve()]
    with pytest.raises(PhotofaceError, match="already watched as part of"):
        add_folder(library, inner)
    with pytest.raises(PhotofaceError, match="is not a folder"):
        add_folder(library, tmp_path / "missing")

    set_paused(library, outer.resolve(), True)
    assert watched_paths(library) == [other.resolve()]
    assert folders(library)[0].paused
    remove_folder(library, other.resolve())
    assert watched_paths(library) == []
    with pytest.raises(PhotofaceError, match="not one of the library's folders"):
        remove_folder(library, other.resolve())


def test_removing_a_folder_leaves_its_faces_to_a_copy_kept_elsewhere(library, tmp_path):
    from .test_store import DIM, MODEL, face_record, photo_record

    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        add_folder(library, tmp_path / folder)
    library.register_model(MODEL, DIM)
    original = library.save_indexed_photo(photo_record(tmp_path.resolve() / "a" / "1.jpg"), [face_record(1)], MODEL)
    inside = library.save_copy(photo_record(tmp_path.resolve() / "a" / "again.jpg"), original)
    kept = library.save_copy(photo_record(tmp_path.resolve() / "b" / "1.jpg"), original)
    assert remove_folder(library, (tmp_path / "a").resolve()) == 2
    assert [face["photo_id"] for face in library.faces()] == [kept] and inside != kept
    assert library.photo_by_path(str(tmp_path.resolve() / "b" / "1.jpg"))["copy_of"] is None


def test_gone_paths_are_seen_by_scanning_the_folder_above_them(tmp_path):
    folder = tmp_path / "photos"
    (folder / "trip").mkdir(parents=True)
    (folder / "trip" / "kept.jpg").write_bytes(b"")
    changes = FolderChanges(changed={folder / "new.jpg"},
                            gone={folder / "trip" / "old.jpg", folder / "gone-folder" / "x.jpg"})
    assert indexer_roots(changes, [folder]) == [folder]  # the folder holds the rest
    only_in_trip = FolderChanges(gone={folder / "trip" / "old.jpg"})
    assert indexer_roots(only_in_trip, [folder]) == [folder / "trip"]
    (folder / "emptied").mkdir()
    last_one_gone = FolderChanges(gone={folder / "emptied" / "last.jpg"})
    assert indexer_roots(last_one_gone, [folder]) == [folder]
    whole_folder_gone = FolderChanges(gone={tmp_path / "elsewhere" / "x.jpg"})
    assert indexer_roots(whole_folder_gone, [tmp_path / "elsewhere"]) == []


def test_watcher_reports_copies_moves_and_deletions_once_quiet(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    kept = Path(shutil.copy(PHOTOS / "knn/test/obama1.jpg", folder / "kept.jpg"))
    reports: list[FolderChanges] = []
    arrived = threading.Event()

    def report(changes):
        reports.append(changes)
        arrived.set()

    watcher = FolderWatcher(report)
    try:
        watcher.watch([folder])
        for name in ("a.jpg", "b.jpg"):
            shutil.copy(PHOTOS / "knn/test/kit_with_rose.jpg", folder / name)
        (folder / "notes.txt").write_text("not a photo")
        (folder / "sub").mkdir()
        kept.rename(folder / "sub" / "kept.jpg")
        (folder / "b.jpg").unlink()
        assert arrived.wait(EVENT_TIMEOUT_S)
        time.sleep(2 * watcher.quiet_s)  # time for a second report, if there were one
    finally:
        watcher.stop()
    changed = set().union(*(r.changed for r in reports))
    gone = set().union(*(r.gone for r in reports))
    assert {folder / "a.jpg", folder / "sub" / "kept.jpg"} <= changed
    assert not any(path.suffix == ".txt" for path in changed)
    assert {folder / "kept.jpg", folder / "b.jpg"} <= gone
    assert len(reports) == 1, "a burst of events is reported once"


def test_a_missing_folder_is_reported_not_watched(tmp_path):
    watcher = FolderWatcher(lambda changes: None)
    try:
        assert watcher.watch([tmp_path, tmp_path / "unplugged"]) == [tmp_path / "unplugged"]
    finally:
        watcher.stop()


def test_v2_library_upgrades_to_v3_with_an_empty_folder_list(tmp_path):
    db = Database(tmp_path / "old.db")
    migrate(db, target=2)
    db.execute("INSERT INTO photos (id, path, status) VALUES (1, '/a.jpg', 'indexed')")
    db.conn.commit()
    assert migrate(db, target=3) == 3
    assert db.execute("SELECT count(*) FROM photos").fetchone() == (1,)
    assert db.execute("SELECT count(*) FROM folders").fetchone() == (0,)
