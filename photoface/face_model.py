"""Which model recognises the library's faces: the active model, the heads trained on the
user's names that a library keeps, and the vectors matching uses.

The active model is the one chosen last (``use_model``), else the network that
embedded the most present faces. A trained head (``normalise(W x + b)`` over
its base model's 512-d embedding, made by ``photoface_training``) is kept in
the library folder (``models/<model id>.pt``), so the library stays
self-contained. The core only applies kept heads: a face's head vector comes
from its stored base vector, so no photo is read again, and faces indexed
later get theirs as they are stored. Torch loads only to read a checkpoint.
"""

import logging
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import PhotofaceError
from .store.library import Library

ACTIVE_MODEL = "active_model"  # the library setting naming the model recognition uses
MODELS_FOLDER = "models"  # in the library folder: the kept heads' checkpoints

log = logging.getLogger(__name__)


def active_model(library: Library) -> str | None:
    """The model the library was told to use (``use_model``); else the one that has embedded
    the most present faces (None in an empty library)."""
    chosen = library.setting(ACTIVE_MODEL)
    if chosen is not None:
        return chosen
    row = library.db.execute(
        "SELECT embeddings.model_id FROM embeddings JOIN faces ON faces.id = embeddings.face_id"
        " JOIN photos ON photos.id = faces.photo_id WHERE photos.status != 'gone'"
        " GROUP BY embeddings.model_id ORDER BY count(*) DESC, embeddings.model_id LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def improved_model(library: Library) -> str | None:
    """The active model when it is a trained head (None when it is the original network)."""
    model_id = active_model(library)
    return model_id if model_id and library.base_model(model_id) else None


def original_model(library: Library) -> str:
    """The network the library's faces were indexed with (what a head is trained over)."""
    model_id = active_model(library)
    if model_id is None:
        raise PhotofaceError("No faces in this library yet: add a folder of photos first.")
    return library.base_model(model_id) or model_id


def use_model(library: Library, model_id: str) -> None:
    """Recognise with ``model_id`` from now on (the next cluster run re-groups with it)."""
    library.save_setting(ACTIVE_MODEL, model_id)


def go_back(library: Library) -> None:
    """Recognise with the original model again and forget the trained head."""
    head = improved_model(library)
    if head is None:
        raise PhotofaceError("This library already uses the original face model.")
    use_model(library, library.base_model(head))
    forget_head(library, head)


def forget_head(library: Library, model_id: str) -> None:
    """Delete a trained head: its vectors and its kept checkpoint."""
    library.delete_model(model_id)
    kept_head_path(library, model_id).unlink(missing_ok=True)


def model_vectors(library: Library, model_id: str,
                  face_ids: Collection[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Face ids and vectors of present faces by ``model_id`` (``face_ids``: of these only).

    A face that a trained head has not embedded yet (indexed while it was being
    kept, say) keeps its base model's vector: the head was trained with the
    harmonic loss so that its vectors stay comparable with the base's.
    """
    ids, vectors = library.embedding_matrix(model_id, face_ids=face_ids)
    base = library.base_model(model_id)
    if base is None:
        return ids, vectors
    base_ids, base_vectors = library.embedding_matrix(base, lacking=model_id, face_ids=face_ids)
    if base_vectors.shape[1] != vectors.shape[1]:  # a compact head: no common space with its base
        return ids, vectors
    ids, vectors = np.concatenate([ids, base_ids]), np.concatenate([vectors, base_vectors])
    order = np.argsort(ids)
    return ids[order], vectors[order]


# --- heads kept in the library -------------------------------------------------------


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
    import torch  # only here: the window imports this module and must start without torch

    path = kept_head_path(library, model_id)
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
        head = saved["head"]
        return KeptHead(model_id, saved["base_model_id"], head["linear.weight"].numpy(), head["linear.bias"].numpy())
    except (OSError, RuntimeError, EOFError, KeyError, TypeError) as error:
        raise PhotofaceError(f"Cannot read the library's trained model {path}: {error}") from error


def active_head_over(library: Library, base_model_id: str) -> KeptHead | None:
    """The trained head the library recognises with, when it maps ``base_model_id``'s vectors
    (new faces of that model get its vector too)."""
    model_id = active_model(library)
    if model_id is None or library.base_model(model_id) != base_model_id:
        return None
    try:
        return load_kept_head(library, model_id)
    except PhotofaceError as error:  # a library restored without its models folder
        log.warning("New faces get no vector of %s (matching uses their base vector): %s", model_id, error)
        return None


def store_missing_vectors(library: Library, head: KeptHead) -> int:
    """Give every face of the head's base model that lacks one the head's vector (int8); returns how many."""
    face_ids, base = library.embedding_matrix(head.base_model_id, include_gone=True, lacking=head.model_id)
    if len(face_ids):
        library.save_embeddings(head.model_id, face_ids, head.embed(base), dtype="i1")
    return len(face_ids)
