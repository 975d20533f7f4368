"""Harmonic embeddings (FaceNet appendix): can a new model's faces be compared with stored old ones?

    .venv/bin/python -m benchmarks.harmonic

v1 is a model whose embeddings a library already stores; v2 is trained on
celeba_train's training identities (80 %, identity split, early stopping on
the other 20 % of them) twice: with the plain triplet loss and with the
harmonic triplet loss that mixes the stored v1 embeddings into the triplets.
Verification accuracy (10-fold protocol) is reported v1-v1, v2-v2 and v1-v2
(first face by v1, second by v2) on two held-out sets: LFW's 6,000 pairs
(deep-funneled) and every pair of the 8 held-out celeba identities.

Two upgrades are tried:
- ``base->512``: v1 the base 512-d model, v2 a 512-d head from an identity start
  (what ``photoface train personalise`` makes), trained hard enough to move (lr 0.05);
- ``128->128``: v1 a 128-d head (``--v1``, e.g. the compact model of
  ``photoface train fit``), v2 a new 128-d head from a random start: a new
  model that shares nothing with v1 but the training faces.
"""

import argparse
import json
from dataclasses import replace
from pathlib import Path


from photoface.errors import PhotofaceError
from photoface_training import checkpoints
from photoface_training.data import split_by_identity
from photoface_training.evaluate import lfw_pairs_vectors, verify
from photoface_training.train import TrainConfig, fit, pair_verification

from .personalise import WORK_DIR, celeba_faces


def upgrades(v1_checkpoint: Path) -> dict:
    return {
        "base->512": (None, TrainConfig(out_dim=512, init="identity", lr=0.05, epochs=30, patience=8)),
        "128->128": (v1_checkpoint, TrainConfig(out_dim=128, init="random", lr=0.05, epochs=60, patience=12)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--v1", type=Path, default=WORK_DIR / "head128" / "best.pt",
                        help="The 128-d v1 checkpoint for the 128->128 upgrade.")
    args = parser.parse_args()
    faces = celeba_faces()
    train, held_out = split_by_identity(faces, 0.2)
    try:
        lfw = lfw_pairs_vectors()
    except PhotofaceError as error:  # the LFW library is built by benchmarks/lfw.py
        print(f"LFW skipped: {error}")
        lfw = None
    results = {}
    for name, (v1_path, config) in upgrades(args.v1).items():
        v1 = checkpoints.load(v1_path) if v1_path else None
        v1_embed = (lambda x: x) if v1 is None else v1.embed_features
        for harmonic in (False, True):
            run = f"{name} {'harmonic' if harmonic else 'plain'}"
            out = WORK_DIR / f"harmonic-{name.replace('>', '')}-{'harmonic' if harmonic else 'plain'}"
            fit(train, held_out, replace(config, harmonic=(str(v1_path) if v1 else "base") if harmonic else None),
                out, show_progress=False)
            v2 = checkpoints.load(out / "best.pt")
            celeba_v1, celeba_v2 = v1_embed(held_out.features[:, 0]), v2.embed_features(held_out.features[:, 0])
            results[run] = {
                "best_epoch": v2.epoch,
                "celeba held-out identities": {
                    "v1-v1": pair_verification(celeba_v1, held_out.labels).accuracy,
                    "v2-v2": pair_verification(celeba_v2, held_out.labels).accuracy,
                    "v1-v2": pair_verification(celeba_v2, held_out.labels, other=celeba_v1).accuracy},
            }
            if lfw is not None:
                lfw_v1, lfw_v2 = v1_embed(lfw.vectors), v2.embed_features(lfw.vectors)
                results[run]["LFW"] = {"v1-v1": verify(lfw_v1, lfw).accuracy, "v2-v2": verify(lfw_v2, lfw).accuracy,
                                       "v1-v2": verify(lfw_v2, lfw, other=lfw_v1).accuracy}
            for where, row in results[run].items():
                if where != "best_epoch":
                    print(f"{run:22s} {where:28s} " + ", ".join(f"{k} {100 * v:.2f} %" for k, v in row.items()))
    out_file = Path(__file__).parent / "results" / "harmonic.json"
    out_file.parent.mkdir(exist_ok=True)
    out_file.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
