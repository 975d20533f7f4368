"""The README's screenshots, over a library of the shared photos.

    flock /tmp/photoface-cpu.lock .venv/bin/python -m benchmarks.docs_screenshots

Indexes ``photos/knn/train`` into ``benchmarks/work/docs_library``, groups it,
names each group after the folder most of its photos are in (as a user
would), then indexes ``photos/knn/test`` and groups again, so the new faces
come with "Is this ...?" suggestions. Then ``photoface --screenshot`` renders
each view (the people, a person with the suggestion strip, the photo viewer...)
in the light and the dark theme into ``docs/`` (``screenshot-<view>.png``,
``screenshot-<view>-dark.png``). The photos lie in ``Pictures/`` of the work
folder, which is the screenshots' home folder: a path shows as
``~/Pictures/...``, never as one of this machine.
"""

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from photoface.evaluation.datasets import shared_data_dir
from photoface.gui.screenshot import VIEWS
from photoface.index.pipeline import Indexer
from photoface.people import operations, queries
from photoface.people.recluster import recluster
from photoface.store.library import Library

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "work" / "docs_library"


def build(library_dir: Path, photos: Path) -> None:
    with Library.open(library_dir) as library:
        indexer = Indexer(library)
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
    build(WORK / "library", photos)
    home = os.environ | {"HOME": str(WORK.resolve())}  # paths show as ~/Pictures/...
    for view in VIEWS:
        for theme, suffix in THEMES.items():
            subprocess.run([sys.executable, "-m", "photoface", "--library", str(WORK / "library"), "--screenshot",
                            str(ROOT / "docs" / f"screenshot-{view}{suffix}.png"), "--view", view,
                            "--theme", theme], check=True, env=home)


if __name__ == "__main__":
    main()
