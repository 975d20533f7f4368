"""Trained models in a photoface library: personalise on the user's names, store a head's faces."""

from dataclasses import replace
from pathlib import Path

import numpy as np

from photoface.embed.models import DEFAULT_MODEL_ID
from photoface.errors import PhotofaceError
from photoface.store.library import Library

from . import checkpoints
from .data import FaceSet, faces_from_library, split_by_photo
from .train import FitResult, TrainConfig, fit

# Personalising re-maps the 512-d embedding (identity start), gently, and stays
# comparable with the faces already stored (harmonic loss against the base).
PERSONALISE = TrainConfig(out_dim=512, init="identity", lr=0.01, epochs=30, patience=8, harmonic="base")
# A person is learnt from when some of their faces can train and one can be held out.
MIN_FACES_PER_PERSON = 4


def personalise(library: Library, out_dir: Path, config: TrainConfig = PERSONALISE,
                base_model_id: str = DEFAULT_MODEL_ID, held_out: float = 0.25,
                show_progress: bool = True) -> FitResult:
    """Fine-tune on the library's confirmed names; a ``held_out`` share of each person's photos
    is kept for validation and early stopping."""
    train, val = named_faces_split(library, base_model_id, held_out, config.seed)
    return fit_named_faces(train, val, config, out_dir, show_progress=show_progress)


def named_faces_split(library: Library, base_model_id: str, held_out: float,
                      seed: int) -> tuple[FaceSet, FaceSet]:
    """The confirmed faces of named people, split by photo: (for training, held out)."""
    faces = faces_from_library(library, base_model_id)
    _, counts = np.unique(faces.labels, return_counts=True)
    enough = int(np.sum(counts >= MIN_FACES_PER_PERSON))
    if enough < 2:
        raise PhotofaceError(f"Learning from your names needs at least 2 named people with at least "
                             f"{MIN_FACES_PER_PERSON} faces each (so far: {enough}).")
    return split_by_photo(faces, held_out, seed)


def fit_named_faces(train: FaceSet, val: FaceSet, config: TrainConfig, out_dir: Path, **options) -> FitResult:
    """``fit``, with batches no wider than the people there are."""
    config = replace(config, p=min(config.p, len(np.unique(train.labels))))
    return fit(train, val, config, out_dir, **options)


def store_faces(library: Library, checkpoint: checkpoints.Checkpoint, int8: bool = True) -> int:
    """Embed every face of the library with a head checkpoint (from the stored base embeddings)
    and store them under the checkpoint's own model id; returns how many."""
    library.register_model(checkpoint.model_id, checkpoint.head.out_dim, checkpoint.description,
                           base_model_id=checkpoint.base_model_id)
    face_ids, base = library.embedding_matrix(checkpoint.base_model_id, include_gone=True)
    if len(face_ids):
        vectors = checkpoint.embed_features(base)
        library.save_embeddings(checkpoint.model_id, face_ids, vectors, dtype="i1" if int8 else "f4")
    return len(face_ids)
