"""The benchmark suite: photoface side by side with face_recognition (dlib), in one run on one machine.

    .venv/bin/python -m benchmarks all [--quick]      every row, then the table and charts
    .venv/bin/python -m benchmarks speed [--quick]    one row alone (lfw, detection, speed, clustering, cluster_home)
    .venv/bin/python -m benchmarks report [--quick]   table and charts again from the saved JSON
    .venv/bin/python -m benchmarks readme             the README's table and docs/performance-*.png from the full run

Results go to ``benchmarks/results/suite.json`` (``suite-quick.json`` for
``--quick``: subsets that finish in a few minutes); each row keeps the time
it was measured, so one row can be measured again (after a speed-up, say)
and the table regenerated. The peer needs ``pip install -e '.[peer]'``.
"""

import argparse
import json
import time
from datetime import datetime, timezone
from pathlib import Path

from photoface.errors import PhotofaceError

from . import charts, cluster_home, peer_dlib, versus

RESULTS = Path(__file__).parent / "results"
REPO = Path(__file__).parent.parent
README_BEGIN, README_END = "<!-- performance-table:begin -->", "<!-- performance-table:end -->"


class Settings:
    """What each row runs on: everything, or subsets for --quick."""

    def __init__(self, quick: bool, lfw_clustering: str = "all", lfw_pairs_per_fold: int | None = None,
                 libraries: Path = versus.WORK_DIR):
        self.quick = quick
        self.libraries = libraries  # photoface's incremental lfw/ and celeba/ libraries, shared with benchmarks/cluster_lfw.py
        self.lfw_clustering = "pairs" if quick else lfw_clustering  # all 13,233 photos, or those of the pairs
        # n same-person and n different-person pairs of each fold; None: all 6,000
        self.lfw_pairs_per_fold_and_kind = 10 if quick else lfw_pairs_per_fold
        self.celeba_people = 6 if quick else None  # of 40
        self.speed_photos = 12 if quick else 60
        self.peer_workers = 2
        self.cnn = not quick


def run_row(name: str, settings: Settings) -> dict:
    from photoface.evaluation.datasets import lfw_pairs, shared_data_dir

    pairs = lfw_pairs(shared_data_dir() / "lfw")
    if settings.lfw_pairs_per_fold_and_kind:
        pairs = versus.quick_pairs(pairs, settings.lfw_pairs_per_fold_and_kind)
    if name == "lfw":
        return versus.verification(pairs, settings.libraries / "lfw")
    if name == "detection":
        return versus.detection(cnn=settings.cnn)
    if name == "speed":
        return versus.throughput(settings.speed_photos, settings.peer_workers)
    if name == "clustering":
        subset = versus.lfw_images(pairs) if settings.lfw_clustering == "pairs" else None
        return versus.clustering(subset, settings.celeba_people, settings.libraries)
    if name == "cluster_home":
        return cluster_home.measure(("celeba_train", "photos_small") if settings.quick else None)
    raise ValueError(name)


ROWS = ("lfw", "speed", "clustering", "cluster_home", "detection")  # the CNN detector, slowest per photo, last


def results_path(quick: bool) -> Path:
    return RESULTS / ("suite-quick.json" if quick else "suite.json")


def load(quick: bool) -> dict:
    path = results_path(quick)
    return json.loads(path.read_text()) if path.exists() else {"quick": quick, "rows": {}}


def measure(names: tuple[str, ...], settings: Settings) -> dict:
    if not peer_dlib.available():
        raise SystemExit("the peer is not installed: .venv/bin/pip install -e '.[peer]'")
    suite = load(settings.quick)
    suite["machine"] = versus.machine()
    for name in names:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        row = run_row(name, settings)
        row["measured_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        row["run_seconds"] = round(time.perf_counter() - started, 1)
        suite["rows"][name] = row
        save(suite, settings.quick)  # each row kept as soon as it is done
    return suite


def save(suite: dict, quick: bool) -> None:
    RESULTS.mkdir(exist_ok=True)
    results_path(quick).write_text(json.dumps(suite, indent=2) + "\n")


def report(suite: dict, chart_dir: Path) -> tuple[str, list[Path]]:
    table = charts.markdown_table(suite)
    written = charts.render(suite, chart_dir)
    print(table)
    print("charts:", ", ".join(str(p) for p in written))
    return table, written


def update_readme(suite: dict) -> None:
    """Replace the README's generated performance table and charts (between its markers)."""
    readme = REPO / "README.md"
    text = readme.read_text()
    if README_BEGIN not in text or README_END not in text:
        raise SystemExit(f"README.md has no {README_BEGIN} ... {README_END} section")
    head, rest = text.split(README_BEGIN, 1)
    tail = rest.split(README_END, 1)[1]
    table, written = report(suite, REPO / "docs")
    block = "\n".join([README_BEGIN, charts.machine_line(suite), "", table, "", charts.chart_links(written, REPO), README_END])
    readme.write_text(head + block + tail)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("all", *ROWS, "report", "readme"))
    parser.add_argument("--quick", action="store_true", help="subsets that finish in a few minutes")
    parser.add_argument("--lfw-clustering", choices=("all", "pairs"), default="all",
                        help="cluster all 13,233 LFW photos (default) or those of the pairs measured")
    parser.add_argument("--lfw-pairs-per-fold", type=int, metavar="N",
                        help="LFW on the first N same-person and N different-person pairs of each fold (default: all 300)")
    parser.add_argument("--libraries", type=Path, default=versus.WORK_DIR,
                        help="where photoface's lfw/ and celeba/ libraries are kept (default: those of benchmarks/cluster_lfw.py)")
    args = parser.parse_args()
    if args.command == "readme":
        update_readme(load(quick=False))
        return
    if args.command == "report":
        report(load(args.quick), RESULTS / ("charts-quick" if args.quick else "charts"))
        return
    names = ROWS if args.command == "all" else (args.command,)
    try:
        suite = measure(names, Settings(args.quick, args.lfw_clustering, args.lfw_pairs_per_fold, args.libraries))
    except PhotofaceError as error:  # e.g. a benchmark library open in another photoface
        raise SystemExit(f"python -m benchmarks: {error}") from None
    report(suite, RESULTS / ("charts-quick" if args.quick else "charts"))


if __name__ == "__main__":
    main()
