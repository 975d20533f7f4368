"""Clustering quality on LFW and celeba_train through photoface's own pipeline.

    .venv/bin/python -m benchmarks.cluster_lfw [--cached]

Indexes all 13,233 deep-funneled LFW images (incrementally, into the library
``benchmarks/lfw.py`` uses) and the 480 celeba_train photos, takes each
photo's labelled face (LFW: its main face, large and central; CelebA: the
largest face), clusters those faces and reports pairwise and BCubed
precision / recall / F against the true identities. Faces left unsorted
count as singletons.

LFW identities are split in two by a hash of the name: the calibration half
is where the cuts were chosen (with ``benchmarks/cluster_home.py``'s
celeba_train); every grouping level is shown there, and the default level
and the old single cut (0.90, chosen there before issue #16) are reported
on the other half, on all of LFW and on CelebA.

Each run keeps the labelled faces in ``benchmarks/work/cluster-home``
(``lfw_all.npz``; celeba_train's is ``benchmarks/cluster_home.py``'s);
``--cached`` clusters those again without opening the libraries or
loading the models.
"""

import argparse
import hashlib
import json
import time
from pathlib import Path

import numpy as np

from photoface.cluster.agglomerative import LEGACY_THRESHOLD, LEVELS, cluster_embeddings
from photoface.detect.detector import main_face_index
from photoface.evaluation.clustering import bcubed_prf, pairwise_prf
from photoface.evaluation.datasets import celeba_identities, shared_data_dir
from photoface.index.pipeline import Indexer
from photoface.people.recluster import MIN_SEED_QUALITY
from photoface.store.library import Library

from .cluster_home import CACHE_DIR
from .lfw import WORK_DIR


def labelled_faces(library: Library, model_id: str, label_of, pick):
    """Vectors, qualities, labels and paths of one face per labelled photo."""
    face_ids, matrix = library.embedding_matrix(model_id)
    row_of = {int(face_id): row for row, face_id in enumerate(face_ids)}
    rows, qualities, labels, paths = [], [], [], []
    for path, faces in sorted(faces_by_photo(library).items()):
        label = label_of(Path(path))
        if label is None:
            continue
        face = faces[pick(faces)]
        rows.append(row_of[face["id"]])
        qualities.append(face["quality"])
        labels.append(label)
        paths.append(path)
    return matrix[rows], np.array(qualities), np.array(labels), paths


def faces_by_photo(library: Library) -> dict[str, list[dict]]:
    by_photo: dict[str, list] = {}
    for face in library.faces():
        by_photo.setdefault(face["path"], []).append(face)
    return by_photo


def main_face(faces) -> int:
    return main_face_index([f["box"] for f in faces], (faces[0]["width"], faces[0]["height"]))


def largest_face(faces) -> int:
    return int(np.argmax([f["box"][2] * f["box"][3] for f in faces]))


def scores(vectors, qualities, labels, level: int = 0, threshold: float | None = None) -> dict:
    """Scores at a grouping level, or at one size-blind cut where ``threshold`` is given."""
    started = time.perf_counter()
    predicted = cluster_embeddings(vectors, level=level, threshold=threshold, seeds=qualities >= MIN_SEED_QUALITY)
    seconds = time.perf_counter() - started
    pairwise, bcubed = pairwise_prf(labels, predicted), bcubed_prf(labels, predicted)
    return {
        "method": f"cut {threshold:.2f}" if threshold is not None else f"level {level}",
        "faces": len(labels), "seconds": round(seconds, 2),
        "clusters": int(predicted.max() + 1), "unsorted": int((predicted < 0).sum()),
        "pairwise": [round(v, 4) for v in pairwise], "bcubed": [round(v, 4) for v in bcubed],
    }


def show(name: str, row: dict) -> None:
    p, b = row["pairwise"], row["bcubed"]
    print(f"{name:24s} {row['method']:9s}  pairwise P/R/F {p[0]:.3f}/{p[1]:.3f}/{p[2]:.3f}  "
          f"BCubed P/R/F {b[0]:.3f}/{b[1]:.3f}/{b[2]:.3f}  {row['clusters']} clusters, "
          f"{row['unsorted']} unsorted, {row['faces']} faces, {row['seconds']} s")


def index(library_dir: Path, source: Path) -> tuple[Library, Indexer]:
    library = Library.open(library_dir)
    indexer = Indexer(library)
    report = indexer.run([source])
    print(f"{source.name}: {report.indexed} newly indexed, {report.unchanged} already there")
    return library, indexer


def indexed_faces() -> dict[str, dict[str, np.ndarray]]:
    """Each set's labelled faces (vectors, qualities, labels, paths), indexing what is new; LFW's kept."""
    data = shared_data_dir()
    lfw, lfw_indexer = index(WORK_DIR / "lfw", data / "lfw")
    model = lfw_indexer.embedder.model_id
    celeba_ids = celeba_identities(data / "celeba_train")
    celeba, _ = index(WORK_DIR / "celeba", data / "celeba_train")
    found = {"lfw_all": labelled_faces(lfw, model, lambda path: path.parent.name, main_face),
             "celeba_train": labelled_faces(celeba, model, lambda path: celeba_ids.get(path.name), largest_face)}
    faces = {name: dict(zip(("vectors", "qualities", "labels", "paths"), (*arrays, np.array(paths))))
             for name, (*arrays, paths) in found.items()}
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    np.savez(CACHE_DIR / "lfw_all.npz", **faces["lfw_all"])
    return faces


def cached_faces() -> dict[str, dict[str, np.ndarray]]:
    faces = {}
    for name in ("lfw_all", "celeba_train"):
        with np.load(CACHE_DIR / f"{name}.npz") as data:
            faces[name] = dict(data)
    return faces


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cached", action="store_true",
                        help="cluster the faces a previous run kept, without opening the libraries")
    faces = cached_faces() if parser.parse_args().cached else indexed_faces()
    vectors, qualities, names = (faces["lfw_all"][key] for key in ("vectors", "qualities", "labels"))
    calibration = np.array([hashlib.sha256(n.encode()).digest()[0] % 2 == 0 for n in names])

    sweep = [scores(vectors[calibration], qualities[calibration], names[calibration], level) for level in LEVELS]
    for row in sweep:
        show("LFW calibration half", row)

    c_vectors, c_qualities, c_labels = (faces["celeba_train"][key] for key in ("vectors", "qualities", "labels"))

    results = {"calibration_sweep": sweep}
    for name, args in (("LFW evaluation half", (vectors[~calibration], qualities[~calibration], names[~calibration])),
                       ("LFW all 13,233", (vectors, qualities, names)),
                       ("celeba_train", (c_vectors, c_qualities, c_labels))):
        for row in (scores(*args), scores(*args, threshold=LEGACY_THRESHOLD)):
            show(name, row)
            results[f"{name} @ {row['method']}"] = row
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "cluster_lfw.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
