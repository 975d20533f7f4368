"""Clustering quality on LFW and celeba_train through photoface's own pipeline.

    .venv/bin/python -m benchmarks.cluster_lfw

Indexes all 13,233 deep-funneled LFW images (incrementally, into the library
``benchmarks/lfw.py`` uses) and the 480 celeba_train photos, takes each
photo's labelled face (LFW: its main face, large and central; CelebA: the
largest face), clusters those faces and reports pairwise and BCubed
precision / recall / F against the true identities. Faces left unsorted
count as singletons.

Threshold calibration is kept honest: LFW identities are split in two by a
hash of the name; the threshold is chosen on the calibration half and
reported on the other half, on all of LFW and on CelebA, next to the
library's current default.
"""

import hashlib
import json
import time
from pathlib import Path

import numpy as np

from photoface.cluster.agglomerative import DEFAULT_THRESHOLD, cluster_embeddings
from photoface.detect.detector import main_face_index
from photoface.evaluation.clustering import bcubed_prf, pairwise_prf
from photoface.evaluation.datasets import celeba_identities, shared_data_dir
from photoface.index.pipeline import Indexer
from photoface.people.recluster import MIN_SEED_QUALITY
from photoface.store.library import Library

from .lfw import WORK_DIR

THRESHOLDS = np.round(np.arange(0.80, 1.41, 0.05), 2)


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


def scores(vectors, qualities, labels, threshold) -> dict:
    started = time.perf_counter()
    predicted = cluster_embeddings(vectors, threshold=threshold, seeds=qualities >= MIN_SEED_QUALITY)
    seconds = time.perf_counter() - started
    pairwise, bcubed = pairwise_prf(labels, predicted), bcubed_prf(labels, predicted)
    return {
        "threshold": float(threshold), "faces": len(labels), "seconds": round(seconds, 2),
        "clusters": int(predicted.max() + 1), "unsorted": int((predicted < 0).sum()),
        "pairwise": [round(v, 4) for v in pairwise], "bcubed": [round(v, 4) for v in bcubed],
    }


def show(name: str, row: dict) -> None:
    p, b = row["pairwise"], row["bcubed"]
    print(f"{name:34s} t={row['threshold']:.2f}  pairwise P/R/F {p[0]:.3f}/{p[1]:.3f}/{p[2]:.3f}  "
          f"BCubed P/R/F {b[0]:.3f}/{b[1]:.3f}/{b[2]:.3f}  {row['clusters']} clusters, "
          f"{row['unsorted']} unsorted, {row['faces']} faces, {row['seconds']} s")


def index(library_dir: Path, source: Path) -> tuple[Library, Indexer]:
    library = Library.open(library_dir)
    indexer = Indexer(library)
    report = indexer.run([source])
    print(f"{source.name}: {report.indexed} newly indexed, {report.unchanged} already there")
    return library, indexer


def main() -> None:
    data = shared_data_dir()
    lfw, lfw_indexer = index(WORK_DIR / "lfw", data / "lfw")
    model = lfw_indexer.embedder.model_id
    vectors, qualities, names, _ = labelled_faces(lfw, model, lambda path: path.parent.name, main_face)
    calibration = np.array([hashlib.sha256(n.encode()).digest()[0] % 2 == 0 for n in names])

    sweep = [scores(vectors[calibration], qualities[calibration], names[calibration], t) for t in THRESHOLDS]
    for row in sweep:
        show("LFW calibration half", row)
    best = max(sweep, key=lambda row: row["pairwise"][2] + row["bcubed"][2])["threshold"]

    celeba_ids = celeba_identities(data / "celeba_train")
    celeba, _ = index(WORK_DIR / "celeba", data / "celeba_train")
    c_vectors, c_qualities, c_labels, _ = labelled_faces(celeba, model, lambda path: celeba_ids.get(path.name), largest_face)

    results = {"calibration_sweep": sweep, "chosen_threshold": best, "default_threshold": DEFAULT_THRESHOLD}
    for threshold in sorted({best, DEFAULT_THRESHOLD}):
        for name, args in (("LFW evaluation half", (vectors[~calibration], qualities[~calibration], names[~calibration])),
                           ("LFW all 13,233", (vectors, qualities, names)),
                           ("celeba_train", (c_vectors, c_qualities, c_labels))):
            row = scores(*args, threshold)
            show(name, row)
            results[f"{name} @ {threshold:.2f}"] = row
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "cluster_lfw.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
