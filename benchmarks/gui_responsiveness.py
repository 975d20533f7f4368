"""Does the window stay responsive while it indexes 500 photos in the background?

    flock /tmp/photoface-cpu.lock .venv/bin/python -m benchmarks.gui_responsiveness [--photos 500]

Copies shared photos with faces (cycling through them) into
``benchmarks/work/gui_responsiveness/photos``, opens the real main window
offscreen on a new library there, adds the folder as a user does, and runs a
10 ms timer on the GUI thread until indexing and grouping are done. A long
gap between ticks is a frozen window. Target: the longest gap under 100 ms.
Never run as a test.
"""

import argparse
import os
import shutil
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from photoface.evaluation.datasets import shared_data_dir  # noqa: E402

WORK = Path(__file__).resolve().parent / "work" / "gui_responsiveness"
SOURCES = ("knn", "deepface", "dlib", "exif")  # folders of ordinary photos with faces
TICK_MS = 10
LONG_GAP_S = 0.1


def make_photos(folder: Path, count: int) -> None:
    if folder.exists() and len(list(folder.iterdir())) == count:
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    photos = shared_data_dir() / "photos"
    sources = sorted(p for name in SOURCES for p in (photos / name).rglob("*.jpg"))
    for i in range(count):
        source = sources[i % len(sources)]
        shutil.copyfile(source, folder / f"{i:04d}-{source.name}")


def measure(photos: Path, library_dir: Path) -> None:
    from PySide6.QtCore import QTimer

    from photoface.gui.app import application
    from photoface.gui.main_window import MainWindow

    app = application()
    window = MainWindow(library_dir)
    window.show()
    gaps: list[float] = []
    gaps_once_loaded: list[float] = []  # once the first photo was stored: the models had loaded
    last = [time.perf_counter()]
    long_gaps: list[str] = []
    loaded = [False]  # when, and what the status bar said: where the window froze

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        if loaded[0]:
            gaps_once_loaded.append(gaps[-1])
        loaded[0] = loaded[0] or window.progress.bar.value() > 0
        if gaps[-1] > LONG_GAP_S:
            long_gaps.append(f"{gaps[-1] * 1000:.0f} ms at {now - start:.1f} s ({window.progress.label.text()!r})")
        last[0] = now

    timer = QTimer(interval=TICK_MS, timeout=tick)
    start = time.perf_counter()
    timer.start()
    window.add_folder(photos)
    while window.job is not None or window.waiting_roots:
        app.processEvents()
        time.sleep(0.001)
    timer.stop()
    seconds = time.perf_counter() - start
    status = window.library.status()
    gaps.sort()
    print(f"indexed {status['photos']['indexed']:,} photos ({status['faces']:,} faces) and grouped them"
          f" in {seconds:.0f} s ({status['photos']['indexed'] / seconds:.2f} photos/s)")
    print(f"GUI timer ticks: {len(gaps):,}; gap median {gaps[len(gaps) // 2] * 1000:.0f} ms,"
          f" 99th percentile {gaps[int(len(gaps) * 0.99)] * 1000:.0f} ms,"
          f" longest {gaps[-1] * 1000:.0f} ms (target < 100 ms); once the first photo was stored, longest"
          f" {max(gaps_once_loaded, default=0) * 1000:.0f} ms")
    for gap in long_gaps:
        print(f"  gap of {gap}")
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=500)
    args = parser.parse_args()
    photos = WORK / "photos"
    make_photos(photos, args.photos)
    library_dir = WORK / "library"
    shutil.rmtree(library_dir, ignore_errors=True)
    measure(photos, library_dir)


if __name__ == "__main__":
    main()
