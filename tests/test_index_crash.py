"""Killing the indexer at any moment leaves a consistent library; a re-run finishes it."""

import os
import signal
import sqlite3
import subprocess
import sys
import time



def index_command(library, photos):
    return [sys.executable, "-m", "photoface", "--library", str(library), "index", "--quiet", "--workers", "2", str(photos)]


def face_counts(library):
    with sqlite3.connect(library / "library.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute("SELECT p.path, COUNT(f.id) FROM photos p LEFT JOIN faces f ON f.photo_id = p.id GROUP BY p.id").fetchall()
        orphans = db.execute("SELECT COUNT(*) FROM faces f LEFT JOIN embeddings e ON e.face_id = f.id WHERE e.face_id IS NULL").fetchone()[0]
    assert orphans == 0, "every stored face has its embedding"
    return dict(rows)


def test_kill_during_index_then_resume(tmp_path, copy_photos, embedder):
    photos = copy_photos("dlib", "knn", "deepface")
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    rounds = 0
    for delay in (6.0, 9.0, 12.0):  # start-up takes a few seconds; kill mid-scan
        process = subprocess.Popen(index_command(killed, photos), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            rounds += 1
        process.wait()
        if (killed / "library.db").exists():
            face_counts(killed)
    assert rounds >= 1, "the indexer finished before it could be killed"
    subprocess.run(index_command(killed, photos), check=True, capture_output=True)
    subprocess.run(index_command(clean, photos), check=True, capture_output=True)
    assert face_counts(killed) == face_counts(clean)


# `photoface index` that SIGKILLs itself where a photo's XMP names are about to be imported.
KILLED_BEFORE_NAMES = """
import os, signal, sys
from photoface.index import pipeline
pipeline.import_named_regions = lambda *args: os.kill(os.getpid(), signal.SIGKILL)
from photoface.cli import main
sys.argv[0] = "photoface"
main()
"""


def test_a_kill_before_xmp_names_are_imported_loses_no_name(tmp_path, copy_photos, embedder):
    from photoface.export import FaceRegion, write_sidecar
    from photoface.index.pipeline import Indexer
    from photoface.people import queries
    from photoface.store.library import Library

    photos = copy_photos("knn/test/obama1.jpg")
    with Library.open(tmp_path / "scratch") as scratch:  # where the face is, to name it in a sidecar
        Indexer(scratch, embedder=embedder).run([photos])
        face = next(scratch.faces())
    write_sidecar(photos / "obama1.jpg", [FaceRegion("Barack Obama", face["box"])], (face["width"], face["height"]))

    library = tmp_path / "library"
    killed = subprocess.run([sys.executable, "-c", KILLED_BEFORE_NAMES, *index_command(library, photos)[3:]])
    assert killed.returncode == -signal.SIGKILL
    with Library.open(library) as opened:
        Indexer(opened, embedder=embedder).run([photos])  # the re-run a user makes
        names = [person["name"] for person in queries.people(opened)]
    assert names == ["Barack Obama"]
