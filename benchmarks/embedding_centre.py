"""Compute the default model's embedding centre (its mean face embedding).

    .venv/bin/python -m benchmarks.embedding_centre

Indexes ``../shared/data/celeba_train`` (never LFW, on which accuracy is
reported) with the centre switched off, and writes the mean of every face's
unit embedding to ``photoface/embed/centres/<model>.json``, which the
Embedder then subtracts. Only the mean of unlabelled faces is used.
"""

import json
import tempfile
from pathlib import Path

from photoface.embed.models import DEFAULT_MODEL_ID, Embedder, centre_path, load_embedder
from photoface.evaluation.datasets import shared_data_dir
from photoface.index.pipeline import Indexer
from photoface.store.library import Library


def main() -> None:
    source = shared_data_dir() / "celeba_train"
    uncentred = Embedder(DEFAULT_MODEL_ID, load_embedder(DEFAULT_MODEL_ID).model)
    with tempfile.TemporaryDirectory() as folder, Library.open(Path(folder)) as library:
        Indexer(library, embedder=uncentred).run([source])
        _, vectors = library.embedding_matrix(DEFAULT_MODEL_ID)
    centre = vectors.mean(axis=0)
    target = centre_path(DEFAULT_MODEL_ID)
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps({
        "model_id": DEFAULT_MODEL_ID,
        "source": "mean of all face embeddings (flipped-crop sum, unit length) found in celeba_train",
        "faces": len(vectors),
        "centre": [round(float(v), 7) for v in centre],
    }))
    print(f"{len(vectors)} faces; centre norm {float((centre ** 2).sum() ** 0.5):.4f} -> {target}")


if __name__ == "__main__":
    main()
