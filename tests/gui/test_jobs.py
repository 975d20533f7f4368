"""The indexing job: a worker thread with its own connection; pause, resume, cancel."""

from photoface.gui.jobs.indexing import IndexingJob
from photoface.store.library import Library

JOB_TIMEOUT_MS = 60_000


def indexed_photos(library_dir) -> int:
    with Library.open(library_dir) as library:
        return library.status()["photos"]["indexed"]


def test_pause_holds_cancel_stops_and_resume_finishes(qtbot, tmp_path, copy_photos, embedder):
    photos = copy_photos("knn/test")
    library_dir = tmp_path / "library"

    paused = IndexingJob(library_dir, [photos], embedder)
    paused.pause()
    paused.start()
    qtbot.wait(500)
    assert indexed_photos(library_dir) == 0, "a paused job stores nothing"
    with qtbot.waitSignal(paused.succeeded, timeout=JOB_TIMEOUT_MS) as cancelled:
        paused.cancel()
    assert cancelled.args[0].interrupted and cancelled.args[0].indexed == 0
    paused.wait()

    resumed = IndexingJob(library_dir, [photos], embedder)
    steps = []
    resumed.progress.connect(lambda done, total: steps.append((done, total)))
    resumed.pause()
    resumed.start()
    qtbot.wait(300)
    with qtbot.waitSignal(resumed.succeeded, timeout=JOB_TIMEOUT_MS) as finished:
        resumed.resume()
    resumed.wait()
    report = finished.args[0]
    assert not report.interrupted and report.indexed == 5
    assert steps[-1] == (5, 5)
    assert indexed_photos(library_dir) == 5


def test_a_bad_library_is_reported_not_raised(qtbot, tmp_path, embedder):
    not_a_library = tmp_path / "library"
    not_a_library.mkdir()
    (not_a_library / "library.db").write_text("not a database")
    job = IndexingJob(not_a_library, [tmp_path], embedder)
    with qtbot.waitSignal(job.failed, timeout=JOB_TIMEOUT_MS) as failed:
        job.start()
    job.wait()
    assert "not a photoface library" in failed.args[0]


def test_a_job_signal_queued_before_the_window_closed_is_dropped(qtbot, window):
    window.close()
    # Each would re-read (or report into) the library the window has closed.
    window._clustering_done(None)
    window._indexing_done(None)
    window._job_failed("a late message")
