"""The benchmark suite's plumbing on tiny real data: one LFW row for both systems, its table and chart,
and the memory measure. The figures themselves come from ``python -m benchmarks all``."""

import subprocess
import sys

import pytest

from benchmarks import charts, peer_dlib, versus
from photoface.evaluation.datasets import lfw_pairs

from .conftest import SHARED


def test_peak_rss_counts_the_whole_process_tree():
    child = "import time; block = bytearray(300 * 2**20); time.sleep(0.5)"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}], check=True)"
    measured = versus.run_measured([sys.executable, "-c", parent])
    assert measured["peak_rss_mb"] > 300 + 5  # the child's block plus both interpreters
    with pytest.raises(subprocess.CalledProcessError):
        versus.run_measured([sys.executable, "-c", "raise SystemExit(3)"])


@pytest.mark.skipif(not peer_dlib.available(), reason="the peer group is not installed (pip install -e '.[peer]')")
def test_lfw_row_for_both_systems_then_table_and_chart(tmp_path, monkeypatch, embedder):
    monkeypatch.setattr(peer_dlib, "WORK_DIR", tmp_path / "peer")
    pairs = versus.quick_pairs(lfw_pairs(SHARED / "lfw"), 1)  # one same and one different pair per fold

    row = versus.verification(pairs, tmp_path / "library")

    assert row["pairs"] == 20 and row["images"] == len(versus.lfw_images(pairs))
    for system in ("photoface", "peer"):
        assert 0.7 <= row[system]["accuracy"] <= 1.0 and 0.7 <= row[system]["auc"] <= 1.0
    assert 0.3 < row["peer"]["l2_threshold"] < 0.8  # dlib's descriptor space: same person under ~0.6
    cached = list((tmp_path / "peer").glob("lfw-hog-main/chunk-*.npz"))
    assert len(cached) == 1
    assert versus.verification(pairs, tmp_path / "library")["peer"] == row["peer"]  # the second time from the cache
    assert list((tmp_path / "peer").glob("lfw-hog-main/chunk-*.npz")) == cached

    suite = {"quick": True, "machine": versus.machine(), "rows": {"lfw": row}}
    table = charts.markdown_table(suite)
    assert f"{100 * row['photoface']['accuracy']:.2f} %" in table and charts.PEER in table
    assert charts.render(suite, tmp_path / "charts") == [tmp_path / "charts" / "performance-accuracy.png"]
