"""The README's screenshots, over a library of the shared photos.

    flock /tmp/photoface-cpu.lock .venv/bin/python -m benchmarks.docs_screenshots

Indexes ``photos/knn/train`` into ``benchmarks/work/docs_library``, groups it,
names each group after the folder most of its photos are in (as a user
would), then indexes ``photos/knn/test`` and groups again, so the new faces
come with "Is this ...?" suggestions. Then ``photoface --screenshot`` renders
the people view, a person view (with the suggestion strip), the photo viewer,
the unsorted faces, the timeline and the photos of two people together, in the
light and the dark theme, into ``docs/`` (``screenshot-<view>.png``,
``screenshot-<view>-dark.png``). The photos lie in ``Pictures/`` of the work
folder, which is the screenshots' home folder: a path shows as
``~/Pictures/...``, never as one of this machine.

The shared photos' files all carry the time they were copied, so the copies
are dated a month per folder first (``date_by_folder``), for a timeline with
several months (photos with a camera date keep that one).
"""

import os
import shutil
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

from photoface.evaluation.datasets import shared_data_dir
from photoface.gui.screenshot import VIEWS
from photoface.index.pipeline import Indexer
from photoface.people import operations, queries
from photoface.people.recluster import recluster
from photoface.store.library import Library

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "work" / "docs_library"


VIEWS = ("people", "person", "photo", "timeline", "together")


def date_by_folder(photos: Path) -> None:
    """File times: ``train/<person>/`` photos on the 10th of a month of 2023 each, ``test/`` ones on 15 March 2024."""
    folders = sorted(folder.name for folder in (photos / "train").iterdir())
    for photo in photos.rglob("*.jp*g"):
        month = (datetime(2024, 3, 15, 12) if photo.parent.name == "test"
                 else datetime(2023, 1 + folders.index(photo.parent.name), 10, 12))
        os.utime(photo, (month.timestamp(),) * 2)


def build(library_dir: Path, photos: Path, embedder=None) -> None:
    """``embedder``: the model already loaded (tests), else loaded here."""
    with Library.open(library_dir) as library:
        indexer = Indexer(library, embedder=embedder)
        indexer.run([photos / "train"])
        recluster(library)
        paths = {face["id"]: Path(face["path"]) for face in library.faces()}
        named: dict[str, int] = {}
        for person in queries.people(library):
            folder, _ = Counter(paths[face].parent.name for face in person["face_ids"]).most_common(1)[0]
            name = folder.replace("_", " ").title()
            if name in named:  # two groups of one person: what a user merges
                operations.merge_people(library, named[name], person["id"])
            else:
                operations.name_person(library, person["id"], name)
                named[name] = person["id"]
        indexer.run([photos / "test"])
        recluster(library)


THEMES = {"light": "", "dark": "-dark"}  # theme -> the file name's suffix


def main() -> None:
    shutil.rmtree(WORK, ignore_errors=True)
    photos = WORK / "Pictures"
    shutil.copytree(shared_data_dir() / "photos" / "knn", photos)
    date_by_folder(photos)
    build(WORK / "library", photos)
    home = os.environ | {"HOME": str(WORK.resolve())}  # paths show as ~/Pictures/...
    for view in VIEWS:
        for theme, suffix in THEMES.items():
            subprocess.run([sys.executable, "-m", "photoface", "--library", str(WORK / "library"), "--screenshot",
                            str(ROOT / "docs" / f"screenshot-{view}{suffix}.png"), "--view", view,
                            "--theme", theme], check=True, env=home)


if __name__ == "__main__":
    main()
