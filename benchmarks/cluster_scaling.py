"""Time and memory of face clustering from 1k to 200k faces (issue #3 asks: 100k in < 60 s, < 4 GB).

    .venv/bin/python -m benchmarks.cluster_scaling [--sizes 1000 5000 ...]

Each size runs in a fresh subprocess so that its peak RSS (``ru_maxrss``) is
its own. The faces are synthetic (``photoface.evaluation.synthetic``: people
with 2 to hundreds of faces at squared distances 0.6-1.0, 30 % singletons);
making them is not timed but is in the peak RSS. Also reports the pairwise and
BCubed F against the true identities (singletons count as unsorted), a check
that the clustering did its job, not a measure of accuracy on real faces.
The CPU seconds (all threads) say what the wall time would be on a quiet
machine, where a busy one stretches it. Writes ``benchmarks/results/cluster_scaling.json``.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results" / "cluster_scaling.json"
SIZES = [1_000, 5_000, 10_000, 50_000, 100_000, 200_000]


def measure(n_faces: int) -> dict:
    from photoface.cluster import neighbours
    from photoface.cluster.agglomerative import cluster_embeddings
    from photoface.evaluation.clustering import bcubed_prf, pairwise_prf
    from photoface.evaluation.synthetic import synthetic_faces

    vectors, identity = synthetic_faces(n_faces, seed=n_faces)
    started, started_cpu = time.perf_counter(), time.process_time()
    labels = cluster_embeddings(vectors)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - started_cpu
    truth = np.where(np.bincount(identity)[identity] > 1, identity, -1)
    return {
        "faces": n_faces,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "clusters": int(labels.max() + 1),
        "true_clusters": int(len(np.unique(truth[truth >= 0]))),
        "unsorted_fraction": round(float(np.mean(labels < 0)), 4),
        "pairwise_f": round(pairwise_prf(truth, labels)[2], 4),
        "bcubed_f": round(bcubed_prf(truth, labels)[2], 4),
        "exact_knn": n_faces <= neighbours.EXACT_LIMIT,
        "load_average": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # the child's job
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return
    print(f"{'faces':>8} {'seconds':>8} {'CPU s':>8} {'peak MB':>8} {'clusters':>9} {'true':>6} "
          f"{'unsorted':>9} {'pair F':>7} {'B3 F':>7} {'load':>5}")
    rows = []
    for n_faces in args.sizes:
        child = subprocess.run([sys.executable, "-m", "benchmarks.cluster_scaling",
                                "--one", str(n_faces)],
                               capture_output=True, text=True, check=True)
        row = json.loads(child.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(f"{row['faces']:>8} {row['seconds']:>8.2f} {row['cpu_seconds']:>8.2f} {row['peak_rss_mb']:>8} {row['clusters']:>9} "
              f"{row['true_clusters']:>6} {row['unsorted_fraction']:>9.3f} {row['pairwise_f']:>7.4f} "
              f"{row['bcubed_f']:>7.4f} {row['load_average']:>5.2f}", flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"cpu_count": os.cpu_count(), "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
