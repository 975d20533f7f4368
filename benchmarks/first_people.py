"""The first wait (issue #19): how soon does the app show people while it indexes a new folder?

    flock /tmp/photoface-cpu.lock .venv/bin/python -m benchmarks.first_people [--photos 2000] [--seed 0]

Copies ``--photos`` shared photos into ``benchmarks/work/first_people/photos-<photos>-seed<N>``
(up to a third each from celeba_more and celeba_train, whole identities, and
the rest from LFW people folders with at least 6 photos, up to 8 each), opens the real main
window offscreen on a new library, adds the folder as a user does and
follows what the people view shows until indexing and grouping are done.

Reports the time until the first 10 people are shown against the time of the
whole indexing pass (target: within 10 %, process start excluded, model
loading included), and the BCubed F of the people shown at 25 %, 50 % and
100 % of the pass against the final grouping (over the faces indexed by
then; a face shown in no person counts as a cluster of its own). Never run
as a test.
"""

import argparse
import os
import random
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from photoface.evaluation.clustering import bcubed_prf  # noqa: E402
from photoface.evaluation.datasets import celeba_identities, shared_data_dir  # noqa: E402

WORK = Path(__file__).resolve().parent / "work" / "first_people"
FIRST_PEOPLE = 10
TARGET_SHARE = 0.10
FRACTIONS = (0.25, 0.50, 1.00)
LFW_MIN_PHOTOS, LFW_MAX_PHOTOS = 6, 8


def make_photos(folder: Path, count: int, seed: int = 0) -> None:
    """Whole celeba identities and LFW people, in folders as a library might hold them."""
    if folder.exists() and sum(1 for _ in folder.rglob("*.jpg")) == count:  # made by an earlier run
        return
    shutil.rmtree(folder, ignore_errors=True)
    rng = random.Random(seed)
    data = shared_data_dir()
    copied = 0
    for name in ("celeba_more", "celeba_train"):
        by_identity: dict[str, list[str]] = {}
        for image, identity in celeba_identities(data / name).items():
            by_identity.setdefault(identity, []).append(image)
        chosen = [image for images in rng.sample(list(by_identity.values()), len(by_identity)) for image in images]
        (folder / name).mkdir(parents=True)
        for image in chosen[:count // 3]:
            shutil.copy2(data / name / image, folder / name / image)
            copied += 1
    people = [person for person in sorted((data / "lfw").iterdir())
              if person.is_dir() and len(list(person.iterdir())) >= LFW_MIN_PHOTOS]
    left = count - copied  # LFW makes up for a celeba set smaller than its third (celeba_train has 480)
    for person in rng.sample(people, len(people)):
        if left <= 0:
            break
        photos = sorted(person.iterdir())[:min(LFW_MAX_PHOTOS, left)]
        (folder / "lfw" / person.name).mkdir(parents=True)
        for photo in photos:
            shutil.copy2(photo, folder / "lfw" / person.name / photo.name)
        left -= len(photos)


@dataclass
class Shown:
    """What the people view showed after one of the indexing job's updates."""

    seconds: float
    done: int
    total: int
    people: int
    person_of: dict[int, int] = field(default_factory=dict)  # face -> person, of the faces in people
    faces: list[int] = field(default_factory=list)  # every face indexed by then


def measure(photos: Path, library_dir: Path) -> None:
    from photoface.gui.app import application
    from photoface.gui.main_window import MainWindow
    from photoface.people import queries

    app = application()
    window = MainWindow(library_dir)
    window.show()
    progress = [(0, 1)]
    shown: list[Shown] = []
    pass_end: list[float] = []

    def snapshot() -> None:
        people = [person for person in queries.people(window.library, include_hidden=False) if person["face_ids"]]
        faces = [face for (face,) in window.library.db.execute("SELECT id FROM faces")]
        shown.append(Shown(time.perf_counter() - start, *progress[-1], len(people),
                           {face: person["id"] for person in people for face in person["face_ids"]}, faces))

    start = time.perf_counter()
    window.add_folder(photos)
    job = window.job
    job.progress.connect(lambda done, total: progress.append((done, total)))
    job.people_changed.connect(snapshot)  # after the window's own slot: the view has reloaded
    job.succeeded.connect(lambda _: (pass_end.append(time.perf_counter() - start), snapshot()))
    while window.job is not None or window.waiting_roots:
        app.processEvents()
        time.sleep(0.005)
    total_s = time.perf_counter() - start
    snapshot()  # the final grouping
    final = shown.pop()
    window.close()
    report(shown, final, pass_end[0], total_s)


def report(shown: list[Shown], final: Shown, pass_s: float, total_s: float) -> None:
    print(f"{final.total:,} photos, {len(final.faces):,} faces, {final.people} people at the end;"
          f" indexing pass {pass_s:.1f} s, with the final grouping {total_s:.1f} s")
    first = next((s for s in shown if s.people >= FIRST_PEOPLE), None)
    if first is None:
        print(f"never {FIRST_PEOPLE} people shown before the final grouping")
    else:
        share = first.seconds / pass_s
        verdict = "met" if share <= TARGET_SHARE else "MISSED"
        print(f"first {FIRST_PEOPLE} people shown after {first.seconds:.1f} s ({first.people} people,"
              f" {first.done:,} / {first.total:,} photos): {share:.1%} of the pass"
              f" (target <= {TARGET_SHARE:.0%}: {verdict})")
    for fraction in FRACTIONS:
        at = [s for s in shown if s.done <= fraction * final.total]
        if not at:
            print(f"{fraction:.0%} of the pass: no people shown yet")
            continue
        seen = at[-1]
        precision, recall, f = bcubed_prf(
            [final.person_of.get(face, -1) for face in seen.faces],
            [seen.person_of.get(face, -1) for face in seen.faces])
        print(f"{fraction:.0%} of the pass (shown at {seen.done:,} photos, {seen.seconds:.1f} s): {seen.people}"
              f" people; BCubed against the final grouping P {precision:.3f} R {recall:.3f} F {f:.3f}"
              f" over {len(seen.faces):,} faces")
    print("updates (s, photos done, people): " + ", ".join(
        f"{s.seconds:.0f}/{s.done}/{s.people}" for s in shown))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=2000, help="photos in the folder added (default 2000)")
    parser.add_argument("--seed", type=int, default=0, help="which identities and LFW people are copied")
    args = parser.parse_args()
    photos = WORK / f"photos-{args.photos}-seed{args.seed}"
    make_photos(photos, args.photos, args.seed)
    # a new user's library, its own: benchmarks/work may be shared by several checkouts
    with tempfile.TemporaryDirectory(prefix="library-", dir=WORK) as library:
        measure(photos, Path(library))


if __name__ == "__main__":
    main()
