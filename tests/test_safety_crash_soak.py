"""kill -9 at random moments, restart: nothing corrupted, duplicated or lost (benchmarks/crash_soak.py)."""

import pytest

from benchmarks.crash_soak import soak

ROUNDS = 4  # about 1.5 minutes on 2 cores; `python -m benchmarks.crash_soak` runs 100


@pytest.mark.slow
def test_kill_9_soak(tmp_path, copy_photos, embedder):
    photos = copy_photos("knn", "dlib")
    report = soak(photos, tmp_path, ROUNDS, seed=7, log=print)
    print(report)
    assert report.problems == []
    assert report.kills >= ROUNDS - 1, "the rounds end in a kill"
    assert report.people_operations >= 1 and report.named_faces >= 1
    assert report.faces >= 30
    assert report.xmp_names >= 5, "photos carry XMP names, none of them lost"
