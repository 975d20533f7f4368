"""Does a person with 50,000 faces open and scroll smoothly in the app?

    .venv/bin/python -m benchmarks.gui_scroll [--faces 50000]

Builds (once, in ``benchmarks/work/gui_scroll``) a library of one-face
photos whose thumbnails are real face chips from ``photos/johns`` and whose
embeddings are random, puts every face in one person and, for the people
grid, a second set of people of 25 faces each. Then, offscreen, it times
opening the people grid and the big person, and each page of scrolling
through the big person's faces (paint included). Target: every step under
100 ms. Never run as a test.
"""

import argparse
import io
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from photoface.evaluation.datasets import shared_data_dir  # noqa: E402
from photoface.people import operations, queries  # noqa: E402
from photoface.store.library import Library  # noqa: E402
from photoface.store.records import FaceRecord, PhotoRecord  # noqa: E402

WORK = Path(__file__).resolve().parent / "work" / "gui_scroll"
MODEL, DIM = "benchmark-random", 8
SMALL_PERSON = 25


def chip_thumbnails() -> list[bytes]:
    chips = sorted((shared_data_dir() / "photos" / "johns").rglob("*.jpg"))
    thumbnails = []
    for chip in chips:
        buffer = io.BytesIO()
        Image.open(chip).convert("RGB").resize((160, 160)).save(buffer, "JPEG", quality=85)
        thumbnails.append(buffer.getvalue())
    return thumbnails


def build(folder: Path, faces: int) -> None:
    thumbnails = chip_thumbnails()
    vectors = np.random.default_rng(0).standard_normal((faces, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    with Library.open(folder) as library:
        library.register_model(MODEL, DIM)
        for i in range(faces):
            record = PhotoRecord(f"/benchmark/{i}.jpg", 1, 1, f"hash-{i}", width=400, height=400)
            face = FaceRecord((100.0, 100.0, 160.0, 160.0), [(0.0, 0.0)] * 5, 0.99, 0.8, 1.0,
                              thumbnails[i % len(thumbnails)], vectors[i])
            library.save_indexed_photo(record, [face], MODEL)
        face_ids = [face["id"] for face in library.faces()]
        half = len(face_ids) // 2
        operations.create_person(library, face_ids[:half], "Big Person")
        for start in range(half, len(face_ids), SMALL_PERSON):
            operations.create_person(library, face_ids[start:start + SMALL_PERSON])


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def measure(folder: Path) -> None:
    from photoface.gui.app import application
    from photoface.gui.main_window import MainWindow

    app = application()
    window = MainWindow(folder)
    window.resize(1100, 760)
    window.show()
    app.processEvents()
    print(f"people grid: {len(window.people_model.tiles):,} tiles,"
          f" shown in {timed(lambda: (window.refresh(), window.repaint())):.0f} ms")
    big = next(person for person in queries.people(window.library) if person["name"] == "Big Person")
    opening = timed(lambda: (window.open_person(big["id"]), window.repaint()))
    grid = window.person_view.grid
    print(f"person with {len(window.person_view.model.faces):,} faces opened in {opening:.0f} ms")
    bar = grid.verticalScrollBar()
    steps = []
    while bar.value() < bar.maximum():
        steps.append(timed(lambda: (bar.setValue(bar.value() + grid.viewport().height()),
                                    grid.viewport().repaint())))
    print(f"scrolling {len(steps):,} pages: median {statistics.median(steps):.1f} ms,"
          f" slowest {max(steps):.1f} ms (target < 100 ms)")
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--faces", type=int, default=50_000)
    args = parser.parse_args()
    folder = WORK / f"{args.faces}"
    if not (folder / "library.db").exists():
        print(f"building a library of {args.faces:,} faces in {folder}…")
        build(folder, args.faces)
    measure(folder)


if __name__ == "__main__":
    main()
