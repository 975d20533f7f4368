"""The library database, on real SQLite files in tmp_path."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from sqlite_utils import Database

from photoface.errors import PhotofaceError
from photoface.store import migrations
from photoface.store.library import DB_NAME, Library
from photoface.store.migrations import latest_version, migrate, schema_version
from photoface.store.records import FaceRecord, PhotoRecord

REPO_ROOT = Path(__file__).resolve().parents[1]
MODEL = "test-model"
DIM = 8


def unit_vector(seed: int, dim: int = DIM) -> np.ndarray:
    vector = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return vector / np.linalg.norm(vector)


def face_record(seed: int = 0) -> FaceRecord:
    return FaceRecord(
        box=(10.0 + seed, 20.0, 30.5, 40.0),
        landmarks=[(1.0, 2.0), (3.0, 4.0), (5.0, 6.0), (7.0, 8.0), (9.0, 10.5)],
        det_score=0.99,
        quality=0.5,
        sharpness=12.0,
        thumbnail=b"\xff\xd8jpeg" + bytes([seed % 256]),
        embedding=unit_vector(seed),
    )


def photo_record(path: str | Path, content_hash: str = "hash-1", **changes) -> PhotoRecord:
    fields = dict(size=1000, mtime_ns=1, width=640, height=480, orientation=6)
    return PhotoRecord(str(path), content_hash=content_hash, **{**fields, **changes})


def save(library: Library, path: str | Path, faces: list[FaceRecord], content_hash="hash-1") -> int:
    return library.save_indexed_photo(photo_record(path, content_hash), faces, MODEL)


@pytest.fixture
def library(tmp_path):
    with Library.open(tmp_path / "lib") as library:
        library.register_model(MODEL, DIM, "test vectors")
        yield library


def face_count(library: Library, photo_id: int) -> int:
    return library.db["faces"].count_where("photo_id = ?", [photo_id])


def table_sql(db_file: Path) -> list[str]:
    with sqlite3.connect(db_file) as conn:
        return [sql for (sql,) in conn.execute("SELECT sql FROM sqlite_master ORDER BY name")]


# --- migrations -----------------------------------------------------------


def test_new_library_is_at_latest_schema(tmp_path):
    with Library.open(tmp_path / "new" / "lib") as library:
        assert schema_version(library.db) == latest_version()
        assert {"models", "photos", "faces", "embeddings"} <= set(library.db.table_names())
        assert library.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert library.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert not list((tmp_path / "new" / "lib").glob("*.bak-*"))  # nothing to back up


def test_reopening_is_a_no_op(tmp_path):
    Library.open(tmp_path).close()
    before = table_sql(tmp_path / DB_NAME)
    with Library.open(tmp_path) as library:
        assert migrate(library.db) == latest_version()
    assert table_sql(tmp_path / DB_NAME) == before
    assert not list(tmp_path.glob("*.bak-*"))


def test_v3_library_upgrades_to_v4_keeping_its_models(tmp_path):
    db = Database(tmp_path / DB_NAME)
    migrate(db, target=3)
    db.execute("INSERT INTO models (id, dim) VALUES ('net', 4)")
    db.conn.commit()
    db.close()
    with Library.open(tmp_path) as library:  # upgrades, after a backup
        assert schema_version(library.db) == latest_version() and library.base_model("net") is None
        assert library.setting("active_model") is None, "no model chosen: recognition goes on as before"
        library.save_setting("active_model", "net")
        assert library.setting("active_model") == "net"
    assert (tmp_path / f"{DB_NAME}.bak-v3").is_file()


def test_v5_library_upgrades_to_v6_keeping_its_photos(tmp_path):
    db = Database(tmp_path / DB_NAME)
    migrate(db, target=5)
    db.execute("INSERT INTO models (id, dim) VALUES ('net', 4)")
    db.execute("INSERT INTO photos (path, status, content_hash) VALUES ('/p/1.jpg', 'indexed', 'h')")
    db.execute("INSERT INTO faces (photo_id, \"left\", top, width, height) VALUES (1, 1, 2, 3, 4)")
    db.conn.commit()
    db.close()
    with Library.open(tmp_path) as library:
        assert schema_version(library.db) >= 6
        photo = library.photo_by_path("/p/1.jpg")
        assert photo["copy_of"] is None and library.db["faces"].count == 1
        status = library.status()
        assert (status["photos"]["indexed"], status["copies"], status["skipped"]) == (1, 0, [])
    assert (tmp_path / f"{DB_NAME}.bak-v5").is_file()


def test_migrate_steps_to_a_target(tmp_path):
    db = Database(tmp_path / "steps.db")
    assert migrate(db, target=0) == 0
    assert db.table_names() == []
    assert migrate(db, target=1) == 1
    assert "photos" in db.table_names()
    assert migrate(db) == latest_version()
    with pytest.raises(ValueError):
        migrate(db, target=latest_version() + 1)


def _v_next_add_notes(db: Database) -> None:
    db.execute("ALTER TABLE photos ADD COLUMN note TEXT")


def test_upgrade_backs_up_the_old_library_first(tmp_path, monkeypatch):
    old = latest_version()
    with Library.open(tmp_path) as library:
        library.register_model(MODEL, DIM)
        save(library, "/p/1.jpg", [face_record(1)])

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, _v_next_add_notes])
    with Library.open(tmp_path) as library:
        assert schema_version(library.db) == old + 1
        assert library.photo_by_path("/p/1.jpg")["note"] is None
        assert len(list(library.faces())) == 1  # faces survived the upgrade

    with sqlite3.connect(tmp_path / f"{DB_NAME}.bak-v{old}") as backup:
        assert backup.execute("PRAGMA user_version").fetchone()[0] == old
        assert backup.execute("SELECT path FROM photos").fetchall() == [("/p/1.jpg",)]
        assert backup.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not list(tmp_path.glob("*.partial"))


def test_a_second_upgrade_from_the_same_version_keeps_the_first_backup(tmp_path):
    """A library restored from an older backup is upgraded again: the first upgrade's backup stays."""
    old = latest_version() - 1
    for path in ("/p/first.jpg", "/p/second.jpg"):
        (tmp_path / DB_NAME).unlink(missing_ok=True)
        db = Database(tmp_path / DB_NAME)
        migrate(db, target=old)
        db.execute("INSERT INTO photos (path, status) VALUES (?, 'indexed')", [path])
        db.conn.commit()
        db.close()
        Library.open(tmp_path).close()
    for name, path in ((f"{DB_NAME}.bak-v{old}", "/p/first.jpg"), (f"{DB_NAME}.bak-v{old}-2", "/p/second.jpg")):
        with sqlite3.connect(tmp_path / name) as backup:
            assert backup.execute("SELECT path FROM photos").fetchall() == [(path,)]


def _v_next_fails_halfway(db: Database) -> None:
    db.execute("CREATE TABLE people (id INTEGER PRIMARY KEY)")
    db.execute("DELETE FROM photos")
    raise RuntimeError("bug in a migration")


def test_failed_migration_leaves_the_old_version(tmp_path, monkeypatch):
    with Library.open(tmp_path) as library:
        library.save_failed_photo(photo_record("/p/1.jpg"), "unreadable")
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, _v_next_fails_halfway])

    with pytest.raises(RuntimeError, match="bug in a migration"):
        Library.open(tmp_path)

    db = Database(tmp_path / DB_NAME)
    assert schema_version(db) == latest_version() - 1
    assert "people" not in db.table_names()
    assert db["photos"].count == 1


def test_library_from_a_newer_photoface_is_refused(tmp_path):
    Library.open(tmp_path).close()
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    with pytest.raises(PhotofaceError, match="newer photoface"):
        Library.open(tmp_path)


def test_other_sqlite_database_is_refused(tmp_path):
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
    with pytest.raises(PhotofaceError, match="not a photoface library"):
        Library.open(tmp_path)


def test_garbage_file_is_refused(tmp_path):
    (tmp_path / DB_NAME).write_bytes(b"these are not the pages you are looking for" * 100)
    with pytest.raises(PhotofaceError, match="not an SQLite database"):
        Library.open(tmp_path)


def test_read_only_folder_is_refused(tmp_path):
    Library.open(tmp_path / "lib").close()
    for folder in (tmp_path / "lib", tmp_path / "empty"):
        folder.mkdir(exist_ok=True)
        folder.chmod(0o555)
    try:
        if os.access(tmp_path / "empty", os.W_OK):
            pytest.skip("chmod does not restrict this user (root)")
        for folder in (tmp_path / "lib", tmp_path / "empty", tmp_path / "empty" / "new"):
            with pytest.raises(PhotofaceError, match="Cannot|read-only"):
                Library.open(folder)
    finally:
        for folder in (tmp_path / "lib", tmp_path / "empty"):
            folder.chmod(0o755)


def test_folder_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "photos.txt").write_text("not a folder")
    with pytest.raises(PhotofaceError, match="Cannot create the library folder"):
        Library.open(tmp_path / "photos.txt")


# --- saving photos ----------------------------------------------------------


def test_saved_photo_has_its_faces_and_embeddings(library):
    faces = [face_record(1), face_record(2)]
    photo_id = library.save_indexed_photo(photo_record("/p/1.jpg"), faces, MODEL)

    photo = library.photo_by_path("/p/1.jpg")
    assert photo["id"] == photo_id
    assert (photo["status"], photo["error"], photo["orientation"]) == ("indexed", None, 6)
    listed = list(library.faces())
    assert [f["box"] for f in listed] == [face.box for face in faces]
    assert listed[0]["landmarks"] == faces[0].landmarks
    first = listed[0]
    assert (first["path"], first["width"], first["orientation"]) == ("/p/1.jpg", 640, 6)
    face_ids, matrix = library.embedding_matrix(MODEL)
    assert face_ids.dtype == np.int64 and matrix.dtype == np.float32
    assert face_ids.tolist() == [f["id"] for f in listed]
    np.testing.assert_array_equal(matrix, np.stack([face.embedding for face in faces]))
    assert library.face_thumbnail(listed[1]["id"]) == faces[1].thumbnail


def test_saving_again_replaces_the_faces(library):
    photo_id = save(library, "/p/1.jpg", [face_record(i) for i in range(3)])
    again = save(library, "/p/1.jpg", [face_record(9)], "hash-2")

    assert again == photo_id
    assert library.photo_by_path("/p/1.jpg")["content_hash"] == "hash-2"
    assert [f["box"] for f in library.faces()] == [face_record(9).box]
    assert len(library.embedding_matrix(MODEL)[0]) == 1
    assert library.db["embeddings"].count == 1  # the old ones went with their faces


def test_bad_embedding_saves_nothing(library):
    wrong_dim = face_record(1)
    wrong_dim.embedding = unit_vector(1, DIM + 1)
    with pytest.raises(ValueError, match="embedding has"):
        library.save_indexed_photo(photo_record("/p/1.jpg"), [face_record(0), wrong_dim], MODEL)
    with pytest.raises(ValueError, match="not registered"):
        library.save_indexed_photo(photo_record("/p/1.jpg"), [face_record(0)], "unknown")
    assert library.photo_by_path("/p/1.jpg") is None
    assert library.db["faces"].count == 0


def test_nested_write_transactions_commit_with_the_outer_one(library):
    from photoface.store.transaction import write_transaction

    with pytest.raises(RuntimeError):
        with write_transaction(library.db):
            save(library, "/p/1.jpg", [face_record(1)])
            with pytest.raises(ValueError):
                with write_transaction(library.db):  # a savepoint: its failure undoes only itself
                    save(library, "/p/2.jpg", [face_record(2)])
                    raise ValueError("inner")
            assert library.photo_by_path("/p/2.jpg") is None and library.photo_by_path("/p/1.jpg")
            raise RuntimeError("outer")  # undoes the inner blocks that succeeded too
    assert library.photo_by_path("/p/1.jpg") is None and library.db["faces"].count == 0
    with write_transaction(library.db):
        save(library, "/p/3.jpg", [face_record(3)])
    assert not library.db.conn.in_transaction and library.db["faces"].count == 1


def test_failed_photo_records_why_and_keeps_earlier_faces(library):
    library.save_failed_photo(photo_record("/p/new.jpg", width=0, height=0), "cannot decode")
    failed = library.photo_by_path("/p/new.jpg")
    assert (failed["status"], failed["error"], failed["width"]) == ("error", "cannot decode", None)

    photo_id = save(library, "/p/1.jpg", [face_record(1)])
    assert library.save_failed_photo(photo_record("/p/1.jpg", "hash-2"), "truncated") == photo_id
    assert face_count(library, photo_id) == 1

    save(library, "/p/new.jpg", [])
    assert library.photo_by_path("/p/new.jpg")["error"] is None


def test_register_model_refuses_a_different_dim(library):
    library.register_model(MODEL, DIM, "new words")
    with pytest.raises(ValueError, match="dim"):
        library.register_model(MODEL, DIM * 2)
    assert library.status()["models"][0]["description"] == "new words"


# --- moved, touched and gone files -----------------------------------------


def test_moved_file_keeps_its_faces(library, tmp_path):
    old, new = tmp_path / "a.jpg", tmp_path / "b.jpg"
    old.write_bytes(b"photo")
    photo_id = save(library, old, [face_record(1), face_record(2)])
    assert library.moved_photo_candidate("hash-1") is None  # still in place: a copy, not a move

    old.rename(new)
    candidate = library.moved_photo_candidate("hash-1")
    assert candidate["id"] == photo_id
    library.move_photo(photo_id, photo_record(new, size=5, mtime_ns=7))

    moved = library.photo_by_path(str(new))
    assert moved["id"] == photo_id
    assert (moved["size"], moved["mtime_ns"], moved["status"]) == (5, 7, "indexed")
    assert library.photo_by_path(str(old)) is None
    assert face_count(library, photo_id) == 2
    assert library.moved_photo_candidate("hash-1") is None


def test_gone_photo_comes_back_with_its_status(library, tmp_path):
    indexed = save(library, tmp_path / "x/1.jpg", [face_record(1)], "h1")
    failed = library.save_failed_photo(photo_record(tmp_path / "x/2.jpg", "h2"), "broken")
    assert library.mark_gone(str(tmp_path / "x"), set()) == 2
    assert list(library.faces()) == []
    assert len(list(library.faces(include_gone=True))) == 1
    assert len(library.embedding_matrix(MODEL)[0]) == 0

    candidate = library.moved_photo_candidate("h1")
    library.move_photo(candidate["id"], photo_record(tmp_path / "y/1.jpg", "h1"))
    library.update_file_stat(failed, size=5, mtime_ns=9)
    assert library.photo_by_path(str(tmp_path / "y/1.jpg"))["status"] == "indexed"
    assert library.photo_by_path(str(tmp_path / "x/2.jpg"))["status"] == "error"
    assert face_count(library, indexed) == 1


def test_move_onto_a_stale_row_replaces_it(library, tmp_path):
    stale = save(library, tmp_path / "b.jpg", [face_record(3)], "old")
    library.mark_gone(str(tmp_path), set())
    moving = save(library, tmp_path / "a.jpg", [face_record(4)], "new")

    library.move_photo(moving, photo_record(tmp_path / "b.jpg", "new"))

    assert library.photo_by_path(str(tmp_path / "b.jpg"))["id"] == moving
    assert face_count(library, stale) == 0


def test_touched_file_keeps_its_faces(library):
    photo_id = save(library, "/p/1.jpg", [face_record(1)])
    library.update_file_stat(photo_id, size=2000, mtime_ns=99)
    photo = library.photo_by_path("/p/1.jpg")
    assert (photo["size"], photo["mtime_ns"], photo["status"]) == (2000, 99, "indexed")
    assert face_count(library, photo_id) == 1


def test_mark_gone_only_touches_photos_under_the_root(library):
    paths = ["/a/b/1.jpg", "/a/b/sub/2.jpg", "/a/bc/3.jpg", "/a/b_%/4.jpg", "/a/b.jpg", "/x/a/b/5"]
    for path in paths:
        save(library, path, [])

    assert library.mark_gone("/a/b/", {"/a/b/1.jpg"}) == 1
    assert library.mark_gone("/a/b", {"/a/b/1.jpg"}) == 0  # already gone
    gone = {p for p in paths if library.photo_by_path(p)["status"] == "gone"}
    assert gone == {"/a/b/sub/2.jpg"}
    assert library.mark_gone("/a/b_", set()) == 0  # LIKE wildcards mean nothing here
    assert library.mark_gone("/", set()) == len(paths) - 1


def test_a_copy_has_no_faces_and_takes_over_when_the_original_is_gone(library):
    original = save(library, "/a/1.jpg", [face_record(1)])
    confirmed = next(library.faces())["id"]
    library.db.execute("INSERT INTO persons (name) VALUES ('Ann')")
    library.db.execute("INSERT INTO face_people (face_id, person_id, confirmed) VALUES (?, 1, 1)", [confirmed])
    first = library.save_copy(photo_record("/b/1.jpg", width=0, height=0, orientation=1), original)
    second = library.save_copy(photo_record("/c/1.jpg"), original)
    assert library.photo_by_path("/b/1.jpg")["orientation"] == 6, "the original's size and orientation"
    assert [face["photo_id"] for face in library.faces()] == [original]
    assert library.status()["photos"]["indexed"] == 1 and library.status()["copies"] == 2
    assert library.original_photo("hash-1", "/b/1.jpg")["id"] == original

    assert library.mark_gone("/a", set()) == 1
    assert [(face["id"], face["photo_id"]) for face in library.faces()] == [(confirmed, first)]
    assert library.db.execute("SELECT face_id FROM face_people WHERE confirmed = 1").fetchall() == [(confirmed,)]
    copies = {row["id"]: row["copy_of"] for row in library.db.query("SELECT id, copy_of FROM photos")}
    assert copies == {original: first, first: None, second: first}
    assert library.moved_photo_candidate("hash-1")["id"] == original, "gone: it may come back, as a copy"


def test_skipped_files_are_replaced_by_the_next_scan_of_their_root(library):
    library.record_skipped(["/a", "/b"], {"/a/pipe.jpg": "a FIFO", "/b/x.jpg": "hidden", "/ab/y.jpg": "hidden"})
    library.record_skipped(["/a"], {"/a/sub": "permission denied"})
    assert library.status()["skipped"] == [
        {"path": "/a/sub", "reason": "permission denied"},
        {"path": "/ab/y.jpg", "reason": "hidden"},
        {"path": "/b/x.jpg", "reason": "hidden"},
    ]
    assert library.status()["skipped_count"] == 3


def test_mark_gone_spares_folders_the_scan_could_not_read(library):
    for path in ("/a/1.jpg", "/a/denied/2.jpg", "/a/denied-not/3.jpg"):
        save(library, path, [])
    assert library.mark_gone("/a", set(), spared=("/a/denied",)) == 2
    assert library.photo_by_path("/a/denied/2.jpg")["status"] == "indexed"


# --- reading -----------------------------------------------------------------


def test_status_counts(library):
    save(library, "/p/1.jpg", [face_record(1), face_record(2)])
    save(library, "/q/2.jpg", [face_record(3)])
    library.save_failed_photo(photo_record("/p/3.jpg"), "cannot decode")
    library.mark_gone("/q", set())

    status = library.status()
    assert status["photos"] == {"indexed": 1, "error": 1, "gone": 1}
    assert status["faces"] == 2
    assert status["errors"] == [{"path": "/p/3.jpg", "reason": "cannot decode"}]
    assert status["models"] == [
        {"id": MODEL, "dim": DIM, "description": "test vectors", "embeddings": 3}
    ]
    assert len(library.status(error_limit=0)["errors"]) == 0


def test_int8_embeddings_are_dequantised(library):
    save(library, "/p/1.jpg", [face_record(1), face_record(2)])
    face_ids, _ = library.embedding_matrix(MODEL)
    quantised = np.array([127, -64, 0, 0, 0, 0, 0, 0], dtype=np.int8)
    library.db.execute(
        "UPDATE embeddings SET dtype = 'i1', vector = ? WHERE face_id = ?",
        [quantised.tobytes(), int(face_ids[1])],
    )

    _, matrix = library.embedding_matrix(MODEL)
    expected = quantised / np.linalg.norm(quantised.astype(float))
    np.testing.assert_allclose(matrix[1], expected, rtol=1e-6)
    np.testing.assert_array_equal(matrix[0], face_record(1).embedding)


def test_empty_embedding_matrix_has_the_model_dim(library):
    face_ids, matrix = library.embedding_matrix(MODEL)
    assert face_ids.shape == (0,) and matrix.shape == (0, DIM)


def test_unknown_thumbnail_is_a_key_error(library):
    with pytest.raises(KeyError):
        library.face_thumbnail(12345)


def test_faces_of_one_photo_and_the_photo_of_a_face(library):
    first = save(library, "/p/1.jpg", [face_record(1), face_record(2)])
    second = save(library, "/p/2.jpg", [face_record(3)], "hash-2")
    in_first = [face["id"] for face in library.faces(photo_id=first)]
    assert len(in_first) == 2 and {face["photo_id"] for face in library.faces(photo_id=second)} == {second}
    assert [library.photo_of_face(face) for face in in_first] == [first, first]
    with pytest.raises(KeyError):
        library.photo_of_face(12345)


# --- crash safety --------------------------------------------------------------

# Saves photos whose hash says how many faces they must have, forever.
CRASH_CHILD = """
import sys
from pathlib import Path
import numpy as np
from photoface.store.library import Library
from photoface.store.records import FaceRecord, PhotoRecord

library = Library.open(Path(sys.argv[1]))
library.register_model("m", 16, "")
rng = np.random.default_rng(int(sys.argv[2]))
print("ready", flush=True)
while True:
    n = int(rng.integers(0, 6))
    path = f"/photos/{rng.integers(0, 20)}.jpg"
    record = PhotoRecord(path, 1, 1, f"faces={n}", 100, 100)
    faces = [
        FaceRecord((1.0, 2.0, 3.0, 4.0), [(0.0, 0.0)] * 5, 0.9, 0.5, 1.0,
                   bytes(4096), rng.standard_normal(16).astype(np.float32))
        for _ in range(n)
    ]
    library.save_indexed_photo(record, faces, "m")
"""


def test_killing_a_writer_never_leaves_a_half_photo(tmp_path):
    rng = random.Random(1234)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    for round_number in range(10):
        child = subprocess.Popen(
            [sys.executable, "-c", CRASH_CHILD, str(tmp_path), str(round_number)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.08))
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()

    with Library.open(tmp_path) as library:
        db = library.db
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        photos = db.execute(
            "SELECT id, content_hash FROM photos WHERE status = 'indexed'"
        ).fetchall()
        assert photos, "the writer never got to save anything"
        for photo_id, content_hash in photos:
            expected = int(content_hash.removeprefix("faces="))
            assert face_count(library, photo_id) == expected
            embeddings = db.execute(
                "SELECT count(*) FROM embeddings JOIN faces ON faces.id = embeddings.face_id"
                " WHERE faces.photo_id = ?",
                [photo_id],
            ).fetchone()[0]
            assert embeddings == expected
