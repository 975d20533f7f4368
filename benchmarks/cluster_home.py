"""Clustering home-like libraries: a few dozen to a few hundred people with many photos each.

    .venv/bin/python -m benchmarks.cluster_home [--sets NAME ...] [--peer-only]

The sets, all from ``../shared/data``:

- ``celeba_train``: 40 CelebA people x 12 in-the-wild photos;
- ``celeba_more``: 80 other CelebA people x 16 (noisier labels, group photos);
- ``lfw_10``: LFW's people with 10 or more photos (158 people, 4,324 photos);
- ``lfw_10_strangers``: the same with LFW's one-photo people added as
  strangers, 20 % of the faces (chosen by a hash of the name);
- ``photos_small``: ``photos/johns``, ``photos/knn/train`` and
  ``photos/deepface`` (identities from ``master.csv``'s "Yes" pairs).

Which faces: each labelled photo's labelled face only (CelebA: the largest
face; LFW: the main face, large and central; the small sets: the largest),
for photoface and for the peer alike, scored on the faces both systems found.
Faces left unsorted count as singletons.

Per set and system: pairwise and BCubed precision / recall / F, tiles per
true person (the predicted clusters and unsorted faces a person's faces lie
in: mean and 90th percentile), unsorted faces; for photoface at its default
level and at the old single cut (0.90), and for dlib's Chinese whispers at
0.5 (``peer_dlib``). photoface's vectors come from the libraries indexed
under ``benchmarks/work`` (``celeba``, ``celeba_more``, ``lfw``, ``photos``)
and are cached in ``benchmarks/work/cluster-home/<set>.npz``; the peer's in
``benchmarks/work/peer-dlib``. Writes ``benchmarks/results/cluster_home.json``.

What was tuned where: the level-0 cuts (``photoface.cluster``) were chosen
on celeba_train and on the calibration half of LFW's identities (all its
photos, and its people with 10+ photos; ``benchmarks/cluster_lfw.py``'s
split). celeba_more, the small sets and LFW's other half were not looked at
until they were chosen; lfw_10 and lfw_10_strangers hold people of both
halves. The second round (the pair cut, the lone-face spread test, the join
margin) was again chosen on celeba_train and on lfw_10_strangers' faces of
the calibration half only; the third (``linkage.VOUCH_FROM`` and
``VOUCH_RATIO``) on celeba_train and the calibration half of lfw_10_strangers
and of all of LFW.
"""

import argparse
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from photoface.cluster.agglomerative import LEGACY_THRESHOLD, cluster_embeddings
from photoface.evaluation.clustering import bcubed_prf, pairwise_prf, tiles_per_person
from photoface.evaluation.datasets import celeba_identities, shared_data_dir
from photoface.people.recluster import MIN_SEED_QUALITY
from photoface.store.library import Library

from . import peer_dlib

WORK_DIR = Path(__file__).parent / "work"
CACHE_DIR = WORK_DIR / "cluster-home"
RESULTS = Path(__file__).parent / "results" / "cluster_home.json"
CHINESE_WHISPERS_THRESHOLD = 0.5  # dlib's face_clustering example
STRANGER_SHARE = 0.2
MIN_PHOTOS_LFW = 10
SMALL_SETS = ("johns", "knn/train", "deepface")


@dataclass
class HomeSet:
    name: str
    library: str  # photoface's library folder under benchmarks/work
    labels: dict[str, str]  # photo path (resolved) -> true identity
    pick: str  # which face of a photo is the labelled one: "largest" or "main"
    peer_cache: str  # the peer's cache name under benchmarks/work/peer-dlib
    folders: tuple[Path, ...] = ()  # what this benchmark indexes itself (the others are indexed beforehand)

    @property
    def photos(self) -> list[Path]:
        return [Path(p) for p in sorted(self.labels)]


def home_sets(data: Path) -> list[HomeSet]:
    lfw_people = {person.name: sorted(person.glob("*.jpg")) for person in sorted((data / "lfw").iterdir())
                  if person.is_dir()}
    regulars = {str(p): name for name, photos in lfw_people.items() if len(photos) >= MIN_PHOTOS_LFW for p in photos}
    return [
        HomeSet("celeba_train", "celeba", _celeba(data / "celeba_train"), "largest", "celeba"),
        HomeSet("celeba_more", "celeba_more", _celeba(data / "celeba_more"), "largest", "celeba_more"),
        HomeSet("lfw_10", "lfw", regulars, "main", "lfw"),
        HomeSet("lfw_10_strangers", "lfw", {**regulars, **_strangers(lfw_people, len(regulars))}, "main", "lfw"),
        HomeSet("photos_small", "photos", _small_sets(data / "photos"), "largest", "photos",
                tuple(data / "photos" / folder for folder in SMALL_SETS)),
    ]


def _celeba(folder: Path) -> dict[str, str]:
    return {str(folder / name): who for name, who in celeba_identities(folder).items()}


def _strangers(lfw_people: dict[str, list[Path]], regular_faces: int) -> dict[str, str]:
    """LFW's one-photo people, as many as make STRANGER_SHARE of all faces, chosen by a hash of the name."""
    count = round(regular_faces * STRANGER_SHARE / (1 - STRANGER_SHARE))
    loners = sorted((name for name, photos in lfw_people.items() if len(photos) == 1),
                    key=lambda name: hashlib.sha256(name.encode()).hexdigest())
    return {str(lfw_people[name][0]): name for name in loners[:count]}


def _small_sets(folder: Path) -> dict[str, str]:
    labels = {str(p): f"johns/{p.parent.name}" for p in sorted((folder / "johns").glob("*/*.jpg"))}
    labels.update({str(p): f"knn/{p.parent.name}" for p in sorted((folder / "knn" / "train").glob("*/*.jpg"))})
    labels.update({str(folder / "deepface" / name): f"deepface/{group}"
                   for name, group in _deepface_groups(folder / "deepface").items()})
    return labels


def _deepface_groups(folder: Path) -> dict[str, str]:
    """Identity groups of deepface's photos: the connected components of master.csv's "Yes" pairs."""
    parent: dict[str, str] = {}

    def root(name: str) -> str:
        while parent.setdefault(name, name) != name:
            name = parent[name]
        return name

    for line in (folder / "master.csv").read_text().splitlines()[1:]:
        first, second, decision = line.strip().split(",")
        root(first), root(second)
        if decision == "Yes":
            parent[root(first)] = root(second)
    return {name: root(name) for name in sorted(parent)}


def photoface_faces(home: HomeSet) -> dict[str, np.ndarray]:
    """Vectors, qualities, labels and paths of the set's labelled faces, from the npz cache or its library."""
    cache = CACHE_DIR / f"{home.name}.npz"
    if cache.exists():
        with np.load(cache) as data:
            return dict(data)
    from photoface.index.pipeline import Indexer  # torch: only to read a library the first time

    from . import cluster_lfw

    with Library.open(WORK_DIR / home.library) as library:
        indexer = Indexer(library)
        if home.folders:
            indexer.run(list(home.folders))
        model = indexer.embedder.model_id
        pick = cluster_lfw.main_face if home.pick == "main" else cluster_lfw.largest_face
        vectors, qualities, labels, paths = cluster_lfw.labelled_faces(library, model, _label_of(home), pick)
    faces = {"vectors": vectors, "qualities": qualities, "labels": labels, "paths": np.array(paths)}
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    np.savez(cache, **faces)
    return faces


def _label_of(home: HomeSet):
    return lambda path: home.labels.get(str(path))


def peer_faces(home: HomeSet) -> dict[str, dict]:
    return peer_dlib.labelled_faces(home.photos, home.pick, cache_name=home.peer_cache)


def run(home: HomeSet, levels) -> dict:
    """photoface at each level and at the old cut, and the peer, on the faces both found."""
    ours = photoface_faces(home)
    peer = {str(Path(p).resolve()): r for p, r in peer_faces(home).items() if r["faces"]}
    both = np.array([p in peer for p in ours["paths"]])
    vectors, qualities, truth = ours["vectors"][both], ours["qualities"][both], ours["labels"][both]
    seeds = qualities >= MIN_SEED_QUALITY
    row = {"photos": len(home.labels), "people": len(set(home.labels.values())), "photoface_found": len(both),
           "peer_found": len(peer), "faces_scored": int(both.sum()), "people_scored": len(set(truth))}
    for level in levels:
        row[at_level(level)] = _timed(truth, lambda: cluster_embeddings(vectors, level=level, seeds=seeds))
    row[BEFORE] = _timed(truth, lambda: cluster_embeddings(vectors, threshold=LEGACY_THRESHOLD, seeds=seeds))
    peer_vectors = [peer[p]["vector"] for p in ours["paths"][both]]
    row[PEER] = _timed(
        truth, lambda: _alone_unsorted(peer_dlib.chinese_whispers(peer_vectors, CHINESE_WHISPERS_THRESHOLD)))
    return row


def at_level(level: int) -> str:
    return f"photoface level {level}"


BEFORE = f"photoface before (cut {LEGACY_THRESHOLD})"
PEER = f"Chinese whispers {CHINESE_WHISPERS_THRESHOLD}"


def _alone_unsorted(labels: np.ndarray) -> np.ndarray:
    """A face alone in its cluster is unsorted, as photoface shows it."""
    return np.where(np.bincount(labels)[labels] > 1, labels, -1)


def _timed(truth: np.ndarray, clustering) -> dict:
    started = time.perf_counter()
    predicted = clustering()
    seconds = time.perf_counter() - started
    tiles = tiles_per_person(truth, predicted)
    return {"pairwise": [round(v, 4) for v in pairwise_prf(truth, predicted)],
            "bcubed": [round(v, 4) for v in bcubed_prf(truth, predicted)],
            "tiles_mean": round(float(tiles.mean()), 3), "tiles_p90": float(np.percentile(tiles, 90)),
            "clusters": int(len(np.unique(predicted[predicted >= 0]))), "unsorted": int((predicted < 0).sum()),
            "seconds": round(seconds, 2)}


def show(name: str, row: dict) -> None:
    print(f"{name}: {row['faces_scored']} faces both found of {row['photos']} photos "
          f"(photoface {row['photoface_found']}, peer {row['peer_found']}), {row['people_scored']} people")
    for system, r in row.items():
        if isinstance(r, dict):
            p, b = r["pairwise"], r["bcubed"]
            print(f"  {system:34s} pairwise {p[0]:.3f}/{p[1]:.3f}/{p[2]:.3f}  BCubed {b[0]:.3f}/{b[1]:.3f}/{b[2]:.3f}  "
                  f"tiles {r['tiles_mean']:.2f}/{r['tiles_p90']:.0f}  {r['clusters']} clusters, "
                  f"{r['unsorted']} unsorted, {r['seconds']} s", flush=True)


def measure(names=None, levels=(0,), report=lambda name, row: None) -> dict:
    """Every set's row (or those ``names``), as ``python -m benchmarks cluster_home`` keeps it."""
    rows = {}
    for home in home_sets(shared_data_dir()):
        if names is None or home.name in names:
            rows[home.name] = run(home, levels)
            report(home.name, rows[home.name])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="+", help="the sets to run (default all)")
    parser.add_argument("--levels", type=int, nargs="+", default=[0], help="photoface's grouping levels to report")
    parser.add_argument("--peer-only", action="store_true", help="compute the peer's descriptors and stop")
    args = parser.parse_args()
    sets = [s for s in home_sets(shared_data_dir()) if not args.sets or s.name in args.sets]
    if args.peer_only:
        for home in sets:
            print(home.name, len(peer_faces(home)), "photos", flush=True)
        return
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.update(measure(args.sets, args.levels, show))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
