"""Harmonic embeddings (FaceNet appendix): can a new model's faces be compared with stored old ones?

    .venv/bin/python -m benchmarks.harmonic [--seeds 1] [--first-seed 0] [--upgrade 128->128]

v1 is a model whose embeddings a library already stores; v2 is a new head
trained twice per seed, with the plain triplet loss and with the harmonic
triplet loss that mixes the stored v1 embeddings into the triplets.

What trains on what, and what is held out:

- v2 trains on LFW identities (deep-funneled; one face per photo, its main
  face, with the base embedding the LFW library ``benchmarks.lfw`` built
  stores: 13,231 photos with a face, cached in ``lfw-identity-faces.npz``).
  The identities are split by ``sha256(name)[0] % 10``: bucket 0 is the LFW
  *test* split (568 people, 1,173 faces), bucket 1 the *validation* split
  (early stopping, 568 people), the other 8 buckets (4,613 people, ~10,800
  faces) train v2. v2 never sees a celeba_train photo.
- Because v2 trains on LFW photos, no figure on the standard LFW protocol
  (pairs.txt) is reported for it (data README). The LFW test split below is
  identity-disjoint from v2's training and validation people, but it is not
  the LFW benchmark and its figures are not comparable with LFW figures.
- ``--v1`` (the 128-d head of ``photoface train fit --data celeba_train``)
  trained on celeba_train's 32 training identities of
  ``split_by_identity(faces, 0.2)`` and chose its epoch on the other 8; it
  never saw an LFW photo.

Verification accuracy (10-fold protocol over every same-identity pair and as
many random different-identity pairs; ``train.pair_verification``) is
reported v1-v1, v2-v2 and v1-v2 (first face by v1, second by v2) on:

- ``celeba 8 held-out identities``: the 8 celeba people of
  ``split_by_identity(faces, 0.2)`` (96 faces, the centre-crop view); seen by
  neither model's training (the 128-d v1 chose its epoch on them);
- ``celeba all 40 identities``: for the ``base->512`` upgrade only (neither
  the base model nor v2 trained on any celeba photo);
- ``LFW test identities``: the LFW test split above.

Four upgrades are tried:

- ``base->512``: v1 the base 512-d model, v2 a 512-d head from an identity start
  (what ``photoface train personalise`` makes), AdaGrad lr 0.01 (personalise's rate);
- ``128->128``: v1 the 128-d head ``--v1``, v2 a new 128-d head from a random
  start (AdaGrad lr 0.05): a new model that shares nothing with v1;
- ``128->128 mirrored``: the same, but v2 reads better inputs, as the paper's
  v2 is a better network: each face's embedding with the mirrored crop's added
  (the indexer's ``flip`` option; 98.93 % on LFW against 98.82 % without, at
  twice the embedding work), while v1 reads the stored plain embedding. The
  mirrored LFW library (``work/lfw-flip``) is indexed on first use (39
  minutes on 2 cores). Only LFW test figures: celeba's cached views all add
  the mirrored crop, so v1 has no plain view of them.
- ``128->128 last block``: v2 is a better network, as the paper's is: a new
  128-d head from a random start (AdaGrad 0.05) over the network's last block
  and bottleneck, retrained (AdaGrad 1e-3) on the LFW training identities
  while v1 reads the stored plain embeddings. The layers before the last
  block stay frozen; their output for 4 views of every LFW face (centre crop,
  mirrored, 2 random crops) is cached first (``work/training/lfw-last-block-views.npy``,
  1.7 GB, 16 minutes on 2 cores), then an epoch takes about 9 s.

Every v2 keeps its epoch with the best LFW-validation score (epoch 0, the
untrained start, included), at most 20 epochs, patience 5 (``train.fit``): for
a plain v2 its v2-v2 accuracy, for a harmonic v2 the mean of its v2-v2 and
v1-v2 accuracy, since a harmonic model is for both (the rule was fixed before
any test figure was seen; nothing is tuned on the test sets). Both validation
figures are reported at the chosen epoch. Where no epoch beats epoch 0 (an
identity start), v2 *is* v1 and the run says so (best epoch 0).

The target (issue #5): v1-v2 no worse than v1-v1.
"""

import argparse
import hashlib
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from photoface.detect.crops import face_crop
from photoface.embed.models import DEFAULT_MODEL_ID, load_embedder
from photoface.evaluation.datasets import shared_data_dir
from photoface.index.options import IndexOptions
from photoface.index.pipeline import Indexer
from photoface.photos import load_photo
from photoface.store.library import Library
from photoface_training import checkpoints
from photoface_training.data import BIG_CROP, BIG_MARGIN, FaceSet, activation_views, split_by_identity
from photoface_training.evaluate import cache_is_fresh, library_stamp
from photoface_training.train import TrainConfig, checkpoint_embeddings, fit, pair_verification

from .cluster_lfw import faces_by_photo, labelled_faces, main_face
from .lfw import WORK_DIR as LFW_WORK_DIR
from .personalise import WORK_DIR, celeba_faces

LFW_LIBRARY = LFW_WORK_DIR / "lfw"
LFW_MIRRORED_LIBRARY = LFW_WORK_DIR / "lfw-flip"  # indexed with the mirrored crop added (IndexOptions.flip)
TEST_BUCKET, VALIDATION_BUCKET = 0, 1
LAST_BLOCK_VIEWS = 4  # cached views per face for a v2 that retrains the last block
LAST_BLOCK_LR = 1e-3  # its pretrained layers' AdaGrad rate (its new head's: 0.05)


def lfw_identity_faces(model_id: str, library_dir: Path = LFW_LIBRARY) -> tuple[FaceSet, np.ndarray, np.ndarray]:
    """Every LFW photo's main face with its stored ``model_id`` embedding (one view), its
    person's name and its path; cached beside the other training caches, rebuilt when the library changes."""
    cache = WORK_DIR / f"{library_dir.name}-identity-faces.npz"
    if not cache_is_fresh(cache, library_dir):
        with Library.open(library_dir) as library:  # the lock is held for the read only
            vectors, _, names, paths = labelled_faces(library, model_id, lambda path: path.parent.name, main_face)
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, vectors=vectors, names=names.astype(str), paths=np.array(paths, dtype=str),
                 library_stamp=library_stamp(library_dir))
    with np.load(cache, allow_pickle=False) as stored:
        vectors, names, paths = stored["vectors"], stored["names"], stored["paths"]
    _, labels = np.unique(names, return_inverse=True)
    faces = FaceSet(features=vectors[:, None, :], labels=labels.astype(np.int64),
                    photos=np.arange(len(names), dtype=np.int64), model_id=model_id)
    return faces, names, paths


def lfw_mirrored_faces(model_id: str) -> tuple[FaceSet, np.ndarray, np.ndarray]:
    """LFW faces as a v2 that adds the mirrored face reads them, with the plain stored vectors
    as v1's inputs: the photos whose main face both libraries hold, in one order."""
    _index_all_of_lfw(LFW_MIRRORED_LIBRARY, IndexOptions(flip=True))
    plain, _, plain_paths = lfw_identity_faces(model_id, LFW_LIBRARY)
    mirrored, names, paths = lfw_identity_faces(model_id, LFW_MIRRORED_LIBRARY)
    row_of = {path: row for row, path in enumerate(plain_paths)}
    both = np.array([path in row_of for path in paths])
    rows = [row_of[path] for path in paths[both]]
    faces = replace(mirrored.subset(both), v1_features=plain.features[rows])
    return faces, names[both], paths[both]


def lfw_last_block_faces(model_id: str) -> tuple[FaceSet, np.ndarray, np.ndarray]:
    """LFW faces as a v2 that retrains the network's last block reads them: the frozen layers'
    output for 4 views of each main face (``data.activation_views``, cached: 16 minutes on
    2 cores), cropped around its stored box; v1 reads the stored vectors."""
    faces, names, paths = lfw_identity_faces(model_id, LFW_LIBRARY)
    cache = WORK_DIR / f"{LFW_LIBRARY.name}-last-block-views.npy"
    if not _newer(cache, WORK_DIR / f"{LFW_LIBRARY.name}-identity-faces.npz"):
        with Library.open(LFW_LIBRARY) as library:
            by_photo = faces_by_photo(library)
        boxes = [by_photo[path][main_face(by_photo[path])]["box"] for path in paths]
        # LFW photos carry no EXIF orientation: the stored box is in the upright photo's frame
        crops = np.stack([face_crop(load_photo(path).image, box, size=BIG_CROP, margin=BIG_MARGIN)
                          for path, box in zip(paths, boxes)])
        np.save(cache, activation_views(crops, load_embedder(model_id), LAST_BLOCK_VIEWS))
    return replace(faces, activations=np.load(cache)), names, paths


def _newer(cache: Path, source: Path) -> bool:
    """``source`` (rewritten only when the library changes) is older than ``cache``."""
    return cache.is_file() and cache.stat().st_mtime_ns > source.stat().st_mtime_ns


def _index_all_of_lfw(library_dir: Path, options: IndexOptions) -> None:
    """Every LFW photo in ``library_dir`` (incremental: a complete library costs a scan)."""
    with Library.open(library_dir) as library:
        report = Indexer(library, options).run([shared_data_dir() / "lfw"])
    if report.indexed:
        print(f"{library_dir.name}: indexed {report.indexed} LFW photos")


def lfw_splits(reads: str) -> dict[str, FaceSet]:
    """The LFW faces as a v2 reading ``reads`` (a key of ``READS``) sees them, split by identity."""
    faces, names, _ = READS[reads](DEFAULT_MODEL_ID)
    splits = lfw_identity_split(faces, names)
    print(f"{reads}: " + ", ".join(f"LFW {name}: {len(np.unique(s.labels))} people, {len(s)} faces"
                                   for name, s in splits.items()))
    return splits


def lfw_identity_split(faces: FaceSet, names: np.ndarray) -> dict[str, FaceSet]:
    """train / validation / test by a hash of the person's name (identity-disjoint)."""
    bucket = np.array([hashlib.sha256(name.encode()).digest()[0] % 10 for name in names])
    return {"train": faces.subset((bucket != TEST_BUCKET) & (bucket != VALIDATION_BUCKET)),
            "validation": faces.subset(bucket == VALIDATION_BUCKET), "test": faces.subset(bucket == TEST_BUCKET)}


# what a v2 reads: the stored embeddings, the embeddings with the mirrored face added, or the
# cached output of the network's frozen layers (v2 retrains the last block)
READS = {"stored": lfw_identity_faces, "mirrored": lfw_mirrored_faces, "last block": lfw_last_block_faces}


def upgrades(v1_checkpoint: Path) -> dict:
    """name: (v1 checkpoint or None for the base model, v2's config, what v2 reads (``READS``))."""
    head128 = TrainConfig(out_dim=128, init="random", lr=0.05, epochs=20, patience=5)
    return {
        "base->512": (None, TrainConfig(out_dim=512, init="identity", lr=0.01, epochs=20, patience=5), "stored"),
        "128->128": (v1_checkpoint, head128, "stored"),
        "128->128 mirrored": (v1_checkpoint, head128, "mirrored"),
        "128->128 last block": (v1_checkpoint, replace(head128, depth="last", trunk_lr=LAST_BLOCK_LR), "last block"),
    }


def versions(first: np.ndarray, second: np.ndarray, labels: np.ndarray) -> dict:
    """Accuracy and its standard error over the 10 folds of v1's (``first``) and v2's (``second``)
    embeddings of the same faces: v1-v1, v2-v2 and v1-v2 (same pairs, same folds)."""
    results = {"v1-v1": pair_verification(first, labels), "v2-v2": pair_verification(second, labels),
               "v1-v2": pair_verification(first, labels, other=second)}
    return {key: {"accuracy": r.accuracy, "se": r.accuracy_se} for key, r in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--v1", type=Path, default=WORK_DIR / "head128" / "best.pt",
                        help="The 128-d v1 checkpoint for the 128->128 upgrade.")
    parser.add_argument("--seeds", type=int, default=1, help="Train every v2 with this many seeds (all reported).")
    parser.add_argument("--first-seed", type=int, default=0, help="Seeds first-seed .. first-seed + seeds - 1.")
    parser.add_argument("--upgrade", choices=list(upgrades(Path())), action="append",
                        help="Only this upgrade (repeatable; default: all).")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "harmonic.json")
    args = parser.parse_args()
    threads = torch.get_num_threads()
    chosen = {name: upgrade for name, upgrade in upgrades(args.v1).items() if not args.upgrade or name in args.upgrade}
    _index_all_of_lfw(LFW_LIBRARY, IndexOptions())  # every upgrade's v1 reads it
    lfw = {reads: lfw_splits(reads) for reads in {reads for _, _, reads in chosen.values()}}
    results = {"splits": {name: {"people": int(len(np.unique(s.labels))), "faces": len(s)}
                          for name, s in next(iter(lfw.values())).items()}, "runs": {}}
    embedder = load_embedder(DEFAULT_MODEL_ID)
    trained = []
    for name, (v1_path, config, reads) in chosen.items():
        # a small head: one thread is ~10x faster than two on a shared 2-core machine
        torch.set_num_threads(1 if config.depth == "head" else threads)
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            for harmonic in (False, True):
                run = f"{name} {'harmonic' if harmonic else 'plain'} seed {seed}"
                out = WORK_DIR / f"harmonic-{name.replace('>', '').replace(' ', '-')}-{'harmonic' if harmonic else 'plain'}-{seed}"
                run_config = replace(config, seed=seed,
                                     harmonic=(str(v1_path) if v1_path else "base") if harmonic else None)
                fitted = fit(lfw[reads]["train"], lfw[reads]["validation"], run_config, out, embedder=embedder,
                             show_progress=False)
                best = fitted.history[fitted.best_epoch]
                results["runs"][run] = {"best_epoch": fitted.best_epoch, "validation v2-v2": best["val_accuracy"]}
                if harmonic:  # what chose its epoch with v2-v2 (train.fit)
                    results["runs"][run]["validation v1-v2"] = best["val_v1_v2_accuracy"]
                print(f"{run}: best epoch {fitted.best_epoch} of {fitted.history[-1]['epoch']}, LFW validation "
                      f"v2-v2 {100 * best['val_accuracy']:.2f} %, v1-v2 {100 * best['val_v1_v2_accuracy']:.2f} %",
                      flush=True)
                trained.append((run, v1_path, reads, out / "best.pt"))
    # after training: v2 never sees it
    celeba = celeba_faces(last_block=any(reads == "last block" for _, _, reads, _ in trained))
    if celeba.model_id != DEFAULT_MODEL_ID:
        raise SystemExit(f"celeba_train was embedded by {celeba.model_id}, LFW by {DEFAULT_MODEL_ID}")
    _, celeba_held_out = split_by_identity(celeba, 0.2)
    for run, v1_path, reads, v2_path in trained:
        v1 = (lambda x: x) if v1_path is None else checkpoints.load(v1_path).embed_features
        # celeba's cached views all add the mirrored face: no plain view for a mirrored upgrade's v1
        sets = {"LFW test identities": lfw[reads]["test"]} if reads == "mirrored" else {
            "celeba 8 held-out identities": celeba_held_out, "LFW test identities": lfw[reads]["test"]}
        if v1_path is None:
            sets["celeba all 40 identities"] = celeba
        v2 = checkpoints.load(v2_path)
        for where, faces in sets.items():
            row = versions(v1(faces.v1_inputs[:, 0]), checkpoint_embeddings(v2, faces, embedder), faces.labels)
            results["runs"][run][where] = row
            print(f"{run:30s} {where:30s} " + ", ".join(f"{k} {100 * v['accuracy']:.2f} +- {100 * v['se']:.2f} %"
                                                      for k, v in row.items()), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
