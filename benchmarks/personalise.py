"""Personalisation on celeba_train: does fine-tuning on a user's named faces help on their other photos?

    .venv/bin/python -m benchmarks.personalise [--seeds 3]

Per identity (40 x 12 photos), half the photos play the faces the user has
named (photo-disjoint split); the other half are new photos of the same
people. The model is fine-tuned exactly as ``photoface train personalise``
does (``photoface_training.library_models.PERSONALISE``: a 512-d head,
identity start, harmonic loss against the stored embeddings, early stopping
on a quarter of the named photos), never seeing the held-out half. On the
held-out half, before and after:

- identification: each face gets the name of its nearest named face;
- clustering: BCubed precision, recall and F of photoface's clustering
  (default threshold) of the held-out faces alone.
"""

import argparse
import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from photoface.cluster.agglomerative import cluster_embeddings
from photoface.embed.models import load_embedder
from photoface.evaluation.clustering import bcubed_prf
from photoface.evaluation.datasets import shared_data_dir
from photoface.evaluation.metrics import identification
from photoface_training import checkpoints
from photoface_training.data import faces_from_folder, split_by_photo
from photoface_training.library_models import PERSONALISE
from photoface_training.train import fit

WORK_DIR = Path(__file__).parent / "work" / "training"


def celeba_faces(last_block: bool = False):
    """celeba_train's labelled faces with 4 cached views (the same cache ``photoface train fit`` fills)."""
    return faces_from_folder(shared_data_dir() / "celeba_train", load_embedder(), WORK_DIR / "cache", views=4,
                             last_block=last_block)


def scores(gallery: np.ndarray, gallery_labels: np.ndarray, probes: np.ndarray, probe_labels: np.ndarray) -> dict:
    precision, recall, f = bcubed_prf(probe_labels, cluster_embeddings(probes))
    return {"identification": identification(gallery, gallery_labels, probes, probe_labels),
            "bcubed_precision": precision, "bcubed_recall": recall, "bcubed_f": f}


def run(faces, seed: int) -> dict:
    named, new = split_by_photo(faces, 0.5, seed=seed)
    train, val = split_by_photo(named, 0.25, seed=seed)
    config = replace(PERSONALISE, seed=seed)
    result = fit(train, val, config, WORK_DIR / f"personalise-{seed}", show_progress=False)
    model = checkpoints.load(WORK_DIR / f"personalise-{seed}" / "best.pt")
    before = scores(named.features[:, 0], named.labels, new.features[:, 0], new.labels)
    after = scores(model.embed_features(named.features[:, 0]), named.labels,
                   model.embed_features(new.features[:, 0]), new.labels)
    return {"seed": seed, "best_epoch": result.best_epoch, "named_faces": len(named), "held_out_faces": len(new),
            "before": before, "after": after}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="Repeat over this many random half splits.")
    args = parser.parse_args()
    faces = celeba_faces()
    runs = []
    for seed in range(args.seeds):
        runs.append(run(faces, seed))
        for when in ("before", "after"):
            s = runs[-1][when]
            print(f"split {seed} {when:6s}: identification {100 * s['identification']:.1f} %, BCubed P/R/F "
                  f"{s['bcubed_precision']:.3f}/{s['bcubed_recall']:.3f}/{s['bcubed_f']:.3f} "
                  f"(best epoch {runs[-1]['best_epoch']})")
    summary = {when: {key: float(np.mean([r[when][key] for r in runs])) for key in runs[0][when]}
               for when in ("before", "after")}
    for when, s in summary.items():
        print(f"mean of {args.seeds} {when:6s}: identification {100 * s['identification']:.1f} %, "
              f"BCubed F {s['bcubed_f']:.3f} (P {s['bcubed_precision']:.3f}, R {s['bcubed_recall']:.3f})")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "personalise.json").write_text(json.dumps({"runs": runs, "mean": summary}, indent=2))


if __name__ == "__main__":
    main()
