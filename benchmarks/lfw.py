"""LFW verification through photoface's own pipeline (standard 10-fold protocol).

    .venv/bin/python -m benchmarks.lfw [--flip] [--workers N]

Indexes the images used by ``pairs.txt`` (deep-funneled LFW from
``../shared/data/lfw``) into a library under ``benchmarks/work/`` with the
real indexer, takes each image's main face (large and central), and reports
accuracy +- SE, VAL@FAR=1e-3 and AUC, for the stored float vectors and for
the same vectors quantised to int8. An image where no face is found is
counted and scored with a centre crop, as the FaceNet paper does.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

from photoface.embed.quantize import dequantize_int8, quantize_int8
from photoface.evaluation.datasets import lfw_pairs, shared_data_dir
from photoface.evaluation.lfw import main_face_vectors
from photoface.evaluation.metrics import VerificationResult, verification
from photoface.index.pipeline import Indexer, IndexOptions
from photoface.store.library import Library

WORK_DIR = Path(__file__).parent / "work"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flip", action="store_true", help="add the mirrored crop's embedding (the indexer's flip option)")
    parser.add_argument("--workers", type=int, default=IndexOptions().workers)
    args = parser.parse_args()

    lfw_dir = shared_data_dir() / "lfw"
    pairs = lfw_pairs(lfw_dir)
    images = sorted({p.first for p in pairs} | {p.second for p in pairs})
    options = IndexOptions(workers=args.workers, flip=args.flip)
    library_dir = WORK_DIR / ("lfw-flip" if args.flip else "lfw")

    vectors, missing = photoface_main_faces(images, options, library_dir)
    results = {}
    for name, table in (("float32", vectors), ("int8", dequantize_int8(quantize_int8(vectors)))):
        results[name] = verify(table, images, pairs)
        print(f"LFW deep-funneled, {name:7s} ({vectors.shape[1]}-d, flip={options.flip}): {results[name].summary()}")
    print(f"{len(images)} images, no face found in {len(missing)} (scored with a centre crop)")
    write_results(options, results, len(images), missing)


def photoface_main_faces(images: list[Path], options: IndexOptions, library_dir: Path = WORK_DIR / "lfw"):
    """Index ``images`` incrementally into ``library_dir``; one vector per image and the images with no face."""
    with Library.open(library_dir) as library:
        indexer = Indexer(library, options)
        started = time.perf_counter()
        report = indexer.run(images)
        seconds = time.perf_counter() - started
        print(f"indexed {report.indexed} new images ({report.faces} faces) in {seconds:.0f} s, "
              f"{report.unchanged} already in the library")
        return main_face_vectors(library, indexer, images)


def verify(vectors: np.ndarray, images: list[Path], pairs: list) -> VerificationResult:
    """The 10-fold protocol on squared L2 distances between the pairs' rows of ``vectors``."""
    row = {path: i for i, path in enumerate(images)}
    first = vectors[[row[p.first] for p in pairs]]
    second = vectors[[row[p.second] for p in pairs]]
    distances = np.sum((first - second) ** 2, axis=1)
    return verification(distances, np.array([p.same for p in pairs]), np.array([p.fold for p in pairs]))


def write_results(options, results, n_images, missing) -> None:
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    payload = {
        "benchmark": "lfw",
        "variant": "deep-funneled",
        "flip": options.flip,
        "images": n_images,
        "no_face_found": missing,
        **{name: vars(result) for name, result in results.items()},
    }
    name = "lfw-flip.json" if options.flip else "lfw.json"
    (out / name).write_text(json.dumps(payload, indent=2))


if __name__ == "__main__":
    main()
