"""Crash soak: kill -9 photoface at random moments, restart, and check nothing was lost.

Each round starts ``photoface index`` (or, every third round, ``cluster``) on
a library, kills it with SIGKILL at a random moment (mostly just after it
starts writing, a quarter of the rounds during start-up), then checks the
library: ``PRAGMA integrity_check`` is ok, no face is stored twice (same photo,
same box), every face has its embedding, and every user decision (confirmed
faces, names, rejections) is exactly what the last completed people operation
left, and no name from a photo's XMP is lost: about half the photos with faces
carry a sidecar naming their largest face (as digiKam writes it), and every
photo stored as indexed must have that name on a confirmed face, so kills land
while photos and their XMP names are being written. Between rounds a people
operation (name or merge a person) runs to completion. At the end the killed
library is finished with one more index run and must hold the same faces as a
library indexed once without kills (before the sidecars were written).

    python -m benchmarks.crash_soak --rounds 100 [--small]
    tests/test_safety_crash_soak.py                   # a few rounds in CI
"""

import argparse
import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from photoface.evaluation.datasets import shared_data_dir
from photoface.export import FaceRegion, write_sidecar
from photoface.photos.orientation import iou

RESULTS = Path(__file__).parent / "results"
MATCH_IOU = 0.7


@dataclass
class SoakReport:
    rounds: int = 0
    kills: int = 0  # SIGKILLs delivered to a running photoface
    kills_while_writing: int = 0  # ... in a round where the library changed
    kills_while_writing_xmp: int = 0  # ... in a round where photos carrying XMP names were stored
    xmp_names: int = 0  # names written into sidecars, each to be found on its photo's face
    people_operations: int = 0
    named_faces: int = 0
    faces: int = 0
    photos: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def survived(self) -> int:
        return self.kills if not self.problems else 0


def photoface(library: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "photoface", "--library", str(library), *args]


def run_checked(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[3:])} failed: {result.stderr.strip()}")
    return result.stdout


@contextmanager
def connect(library: Path) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(f"file:{library / 'library.db'}?mode=ro", uri=True)
    try:
        yield db
    finally:
        db.close()


def health_problems(library: Path) -> list[str]:
    """What is wrong with the library's database, if anything."""
    if not (library / "library.db").exists():
        return []
    with connect(library) as db:
        problems = []
        integrity = db.execute("PRAGMA integrity_check").fetchall()
        if integrity != [("ok",)]:
            problems.append(f"integrity_check: {integrity[:3]}")
    if not has_faces_table(library):
        return problems
    with connect(library) as db:
        if db.execute("PRAGMA foreign_key_check").fetchall():
            problems.append("foreign_key_check failed")
        duplicated = db.execute(
            'SELECT photo_id, "left", top, width, height FROM faces'
            ' GROUP BY photo_id, "left", top, width, height HAVING count(*) > 1').fetchall()
        if duplicated:
            problems.append(f"{len(duplicated)} faces stored twice")
        orphans = db.execute(
            "SELECT count(*) FROM faces LEFT JOIN embeddings ON embeddings.face_id = faces.id"
            " WHERE embeddings.face_id IS NULL").fetchone()[0]
        if orphans:
            problems.append(f"{orphans} faces without an embedding")
    return problems


def decisions(library: Path, xmp_names: dict[str, str] | None = None) -> dict:
    """Every user decision in the library: confirmed faces with their person's name, rejections.

    A face named as its photo's sidecar names it is left out: indexing imports
    those (``lost_xmp_names`` checks them).
    """
    if not (library / "library.db").exists():
        return {}
    with connect(library) as db:
        if not db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'face_people'").fetchone()[0]:
            return {}
        confirmed = [(face_id, person_id, name) for face_id, person_id, name, path in db.execute(
            "SELECT face_people.face_id, persons.id, persons.name, photos.path FROM face_people"
            " JOIN persons ON persons.id = face_people.person_id JOIN faces ON faces.id = face_people.face_id"
            " JOIN photos ON photos.id = faces.photo_id WHERE confirmed = 1")
            if (xmp_names or {}).get(path) != name]
        rejections = db.execute("SELECT face_id, person_id FROM rejections").fetchall()
    return {"confirmed": sorted(confirmed), "rejections": sorted(rejections)}


def faces_by_photo(library: Path) -> dict[str, list[tuple]]:
    """Each present photo's face boxes."""
    with connect(library) as db:
        rows = db.execute(
            'SELECT photos.path, faces."left", faces.top, faces.width, faces.height'
            " FROM photos LEFT JOIN faces ON faces.photo_id = photos.id WHERE photos.status != 'gone'").fetchall()
    found: dict[str, list[tuple]] = {}
    for path, *box in rows:
        found.setdefault(path, [])
        if box[0] is not None:
            found[path].append(tuple(box))
    return found


def lost_or_extra_faces(found: dict[str, list[tuple]], reference: dict[str, list[tuple]]) -> list[str]:
    """Photos whose faces do not pair up one to one (IoU >= MATCH_IOU) with the reference's.

    Boxes are compared by overlap, not equality: detection in batches of
    different sizes may move a box by a pixel.
    """
    different = []
    for path in sorted(set(found) | set(reference)):
        boxes, expected = found.get(path), reference.get(path)
        if boxes is None or expected is None or len(boxes) != len(expected):
            different.append(path)
        elif any(max((iou(box, other) for other in expected), default=0) < MATCH_IOU for box in boxes):
            different.append(path)
    return different


def changed_decisions(before: dict, after: dict) -> str:
    """A short description of how two ``decisions`` differ ('' when equal)."""
    parts = []
    for key in ("confirmed", "rejections"):
        lost = set(map(tuple, before.get(key, []))) - set(map(tuple, after.get(key, [])))
        added = set(map(tuple, after.get(key, []))) - set(map(tuple, before.get(key, [])))
        if lost or added:
            parts.append(f"{key}: lost {sorted(lost)[:3]}, added {sorted(added)[:3]}")
    return "; ".join(parts)


def name_in_sidecars(reference: Path, rng: random.Random) -> dict[str, str]:
    """Sidecars naming the largest face of about half the photos with faces; path -> name."""
    with connect(reference) as db:
        rows = db.execute(
            'SELECT photos.path, photos.width, photos.height, faces."left", faces.top, faces.width, faces.height'
            " FROM faces JOIN photos ON photos.id = faces.photo_id"
            " ORDER BY photos.path, faces.width * faces.height DESC").fetchall()
    largest = {}
    for path, width, height, *box in rows:
        largest.setdefault(path, ((width, height), tuple(box)))
    names = {}
    for path, (size, box) in sorted(largest.items()):
        if rng.random() < 0.5:
            names[path] = f"Xmp {Path(path).stem}"
            write_sidecar(Path(path), [FaceRegion(names[path], box)], size)
    return names


def lost_xmp_names(library: Path, xmp_names: dict[str, str]) -> list[str]:
    """Photos stored as indexed without the name their sidecar gives a face."""
    if not has_faces_table(library):
        return []
    with connect(library) as db:
        if not db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'face_people'").fetchone()[0]:
            return []
        named = set(db.execute(
            "SELECT photos.path, persons.name FROM face_people JOIN persons ON persons.id = face_people.person_id"
            " JOIN faces ON faces.id = face_people.face_id JOIN photos ON photos.id = faces.photo_id"
            " WHERE face_people.confirmed = 1").fetchall())
    indexed = indexed_photos(library)
    return sorted(path for path, name in xmp_names.items() if path in indexed and (path, name) not in named)


def indexed_photos(library: Path) -> set[str]:
    if not has_faces_table(library):
        return set()
    with connect(library) as db:
        return {path for (path,) in db.execute("SELECT path FROM photos WHERE status = 'indexed'")}


def library_size(library: Path) -> tuple[int, int]:
    if not has_faces_table(library):
        return (0, 0)
    with connect(library) as db:
        return db.execute("SELECT (SELECT count(*) FROM photos), (SELECT count(*) FROM faces)").fetchone()


def has_faces_table(library: Path) -> bool:
    """False before the first run has created the schema (or while it does)."""
    if not (library / "library.db").exists():
        return False
    with connect(library) as db:
        return bool(db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'faces'").fetchone()[0])


def kill_at_random(command: list[str], library: Path, rng: random.Random, early: bool) -> bool:
    """Run ``command`` and SIGKILL it; whether it was still running then.

    ``early``: at a random moment of its first seconds (start-up, opening,
    scanning). Otherwise a random moment shortly after it starts writing,
    however slow the machine is to get there.
    """
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not early:
        before = library_size(library)
        deadline = time.monotonic() + 120
        while process.poll() is None and library_size(library) == before and time.monotonic() < deadline:
            time.sleep(0.05)
    try:
        process.wait(timeout=rng.uniform(0.2, 3.0) if early else rng.uniform(0.0, 1.5))
        return False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return True


def people_operation(library: Path, rng: random.Random, round_number: int) -> None:
    """Cluster, then a user decision: name a person, merge one into a named one, or make one of a face."""
    run_checked(photoface(library, "cluster"))
    people = json.loads(run_checked(photoface(library, "people", "--json")))
    unnamed = [p for p in people if not p["name"] and not p["hidden"]]
    named = [p for p in people if p["name"]]
    name = f"Person {round_number}"
    if unnamed and named and rng.random() < 0.4:
        run_checked(photoface(library, "merge", str(rng.choice(named)["id"]), str(rng.choice(unnamed)["id"])))
    elif unnamed:
        run_checked(photoface(library, "name", str(rng.choice(unnamed)["id"]), name))
    else:
        with_person = {face_id for person in people for face_id in person["face_ids"]}
        confirmed = {face_id for face_id, _, _ in decisions(library)["confirmed"]}
        faces = [face["face_id"] for face in json.loads(run_checked(photoface(library, "faces", "--json")))]
        alone = [face_id for face_id in faces if face_id not in with_person]
        undecided = alone or [face_id for face_id in faces if face_id not in confirmed]  # XMP names stay put
        if undecided:
            run_checked(photoface(library, "new", str(rng.choice(undecided)), "--name", name))


def soak(photos: Path, work: Path, rounds: int, seed: int = 0, log=lambda message: None) -> SoakReport:
    rng = random.Random(seed)
    killed, clean = work / "killed", work / "clean"
    index = ["index", "--quiet", "--workers", "2", str(photos)]
    report = SoakReport()
    run_checked(photoface(clean, *index))  # the reference, and where the faces to name in sidecars are
    xmp_names = name_in_sidecars(clean, rng)
    report.xmp_names = len(xmp_names)
    expected = decisions(killed, xmp_names)
    for round_number in range(1, rounds + 1):
        clustering = round_number % 3 == 0 and library_size(killed)[1] > 0
        command = photoface(killed, "cluster") if clustering else photoface(killed, *index)
        before, xmp_before = library_size(killed), len(indexed_photos(killed) & xmp_names.keys())
        early = clustering or rng.random() < 0.25
        was_running = kill_at_random(command, killed, rng, early)
        report.rounds += 1
        report.kills += was_running
        report.kills_while_writing += was_running and library_size(killed) != before
        report.kills_while_writing_xmp += was_running and len(indexed_photos(killed) & xmp_names.keys()) != xmp_before
        problems = health_problems(killed)
        if changed := changed_decisions(expected, decisions(killed, xmp_names)):
            problems.append(f"user decisions changed: {changed}")
        if lost := lost_xmp_names(killed, xmp_names):
            problems.append(f"XMP names lost in {len(lost)} photos: {lost[:3]}")
        for problem in problems:
            report.problems.append(f"round {round_number}: {problem}")
        log(f"round {round_number}: {'cluster' if clustering else 'index'} {'early' if early else 'writing'},"
            f" {'killed' if was_running else 'had finished'}; photos, faces {library_size(killed)};"
            f" {problems or 'ok'}")
        if problems:
            break
        if library_size(killed)[1]:
            people_operation(killed, rng, round_number)
            report.people_operations += 1
            expected = decisions(killed, xmp_names)
    run_checked(photoface(killed, *index))
    problems = health_problems(killed)
    if changed := changed_decisions(expected, decisions(killed, xmp_names)):
        problems.append(f"user decisions changed by the final run: {changed}")
    if lost := lost_xmp_names(killed, xmp_names):
        problems.append(f"XMP names lost in {len(lost)} photos: {lost[:3]}")
    if different := lost_or_extra_faces(faces_by_photo(killed), faces_by_photo(clean)):
        problems.append(f"faces differ from a library indexed without kills in {len(different)} photos:"
                        f" {different[:3]}")
    report.problems += [f"final: {problem}" for problem in problems]
    report.photos, report.faces = library_size(killed)
    report.named_faces = len(expected.get("confirmed", [])) + len(xmp_names)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--small", action="store_true",
                        help="26 photos (knn, dlib) instead of 545: more rounds per minute, fewer photos per kill")
    args = parser.parse_args()
    data = shared_data_dir() / "photos"
    with tempfile.TemporaryDirectory(prefix="photoface-soak-") as folder:
        work = Path(folder)
        photos = work / "photos"
        for name in ("knn", "dlib") if args.small else ("knn", "dlib", "deepface", "misc"):
            shutil.copytree(data / name, photos / name)
        if not args.small:
            shutil.copytree(shared_data_dir() / "celeba_train", photos / "celeba")
        started = time.perf_counter()
        report = soak(photos, work, args.rounds, args.seed, log=print)
        elapsed = time.perf_counter() - started
    result = {**report.__dict__, "survived": report.survived, "seconds": round(elapsed)}
    print(json.dumps(result, indent=1))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "crash_soak.json").write_text(json.dumps(result, indent=1))
    sys.exit(1 if report.problems else 0)


if __name__ == "__main__":
    main()
