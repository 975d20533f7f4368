"""Heads trained on a library's names, applied over the base model's stored vectors.

``photoface_training`` trains a head (``normalise(W x + b)`` over the base
model's 512-d embedding) and, when the user keeps it, copies its checkpoint
into the library folder (``models/<model id>.pt``), so the library stays
self-contained. The core only applies kept heads: a face's head vector comes
from its stored base vector, so no photo is read again, and faces indexed
later get theirs as they are stored.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..errors import PhotofaceError
from ..store.library import Library

MODELS_FOLDER = "models"  # in the library folder: the kept heads' checkpoints


def kept_head_path(library: Library, model_id: str) -> Path:
    return library.folder / MODELS_FOLDER / f"{model_id}.pt"


@dataclass
class KeptHead:
    model_id: str
    base_model_id: str
    weight: np.ndarray  # (out_dim, in_dim)
    bias: np.ndarray  # (out_dim,)

    def embed(self, base_vectors: np.ndarray) -> np.ndarray:
        """Base-model unit vectors (N, in_dim) -> this head's unit vectors (N, out_dim)."""
        mapped = base_vectors @ self.weight.T + self.bias
        return mapped / np.maximum(np.linalg.norm(mapped, axis=1, keepdims=True), 1e-12)


def load_kept_head(library: Library, model_id: str) -> KeptHead:
    path = kept_head_path(library, model_id)
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
        head = saved["head"]
        return KeptHead(model_id, saved["base_model_id"], head["linear.weight"].numpy(), head["linear.bias"].numpy())
    except (OSError, RuntimeError, EOFError, KeyError, TypeError) as error:
        raise PhotofaceError(f"Cannot read the library's trained model {path}: {error}") from error


def store_missing_vectors(library: Library, head: KeptHead) -> int:
    """Give every face of the head's base model that lacks one the head's vector (int8); returns how many."""
    face_ids, base = library.embedding_matrix(head.base_model_id, include_gone=True, lacking=head.model_id)
    if len(face_ids):
        library.save_embeddings(head.model_id, face_ids, head.embed(base), dtype="i1")
    return len(face_ids)
