"""Trained models in a photoface library: personalise on the user's names, store a head's faces."""

from dataclasses import replace
from pathlib import Path

from photoface.embed.models import DEFAULT_MODEL_ID
from photoface.errors import PhotofaceError
from photoface.store.library import Library

from . import checkpoints
from .data import faces_from_library, split_by_photo
from .train import FitResult, TrainConfig, fit

# Personalising re-maps the 512-d embedding (identity start), gently, and stays
# comparable with the faces already stored (harmonic loss against the base).
PERSONALISE = TrainConfig(out_dim=512, init="identity", lr=0.01, epochs=30, patience=8, harmonic="base")


def personalise(library: Library, out_dir: Path, config: TrainConfig = PERSONALISE,
                base_model_id: str = DEFAULT_MODEL_ID, held_out: float = 0.25,
                show_progress: bool = True) -> FitResult:
    """Fine-tune on the library's confirmed names; a ``held_out`` share of each person's photos
    is kept for validation and early stopping."""
    faces = faces_from_library(library, base_model_id)
    people = len(set(faces.labels.tolist()))
    if people < 2 or len(faces) < 8:
        raise PhotofaceError(f"Personalising needs at least 2 named people and 8 confirmed faces "
                             f"(this library has {people} and {len(faces)})")
    train, val = split_by_photo(faces, held_out, config.seed)
    config = replace(config, p=min(config.p, people))
    return fit(train, val, config, out_dir, show_progress=show_progress)


def store_faces(library: Library, checkpoint: checkpoints.Checkpoint, int8: bool = True) -> int:
    """Embed every face of the library with a head checkpoint (from the stored base embeddings)
    and store them under the checkpoint's own model id; returns how many."""
    face_ids, base = library.embedding_matrix(checkpoint.base_model_id, include_gone=True)
    vectors = checkpoint.embed_features(base)
    library.register_model(checkpoint.model_id, checkpoint.head.out_dim, checkpoint.description)
    library.save_embeddings(checkpoint.model_id, face_ids, vectors, dtype="i1" if int8 else "f4")
    return len(face_ids)
