"""The LFW 10-fold protocol for the base model and any checkpoint, in float and int8.

The pair images' embeddings come from the library ``benchmarks/lfw.py``
builds (``benchmarks/work/lfw``), mapped to pairs by
``photoface.evaluation.lfw.main_face_vectors``; they are cached beside it as an ``.npz``, so an
evaluation takes seconds. A head checkpoint maps those stored base
embeddings; a checkpoint that retrained the network re-embeds the stored
face thumbnails (JPEG crops, so a little below the indexer's figure: compare
it with ``--thumbnails`` for the base model).
"""

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from photoface.detect.crops import thumbnail_jpeg
from photoface.embed.models import Embedder
from photoface.embed.quantize import dequantize_int8, quantize_int8
from photoface.errors import PhotofaceError
from photoface.evaluation.datasets import lfw_pairs, shared_data_dir
from photoface.evaluation.lfw import centre_crop, main_face_vectors
from photoface.evaluation.metrics import VerificationResult, verification

from . import checkpoints
from .trunk import retrained_network

DEFAULT_LFW_LIBRARY = Path("benchmarks") / "work" / "lfw"


@dataclass
class LfwPairs:
    vectors: np.ndarray  # (images, 512) base embeddings, one per image of pairs.txt
    thumbnails: list[bytes]  # the main face's 160 px JPEG crop per image
    first: np.ndarray
    second: np.ndarray
    same: np.ndarray
    folds: np.ndarray


def lfw_pairs_vectors(library_dir: Path = DEFAULT_LFW_LIBRARY) -> LfwPairs:
    """LFW pairs with each image's main-face embedding from the indexed LFW library (cached)."""
    library_dir = Path(library_dir)
    pairs = lfw_pairs(shared_data_dir() / "lfw")
    images = sorted({p.first for p in pairs} | {p.second for p in pairs})
    cache = library_dir / "training-pairs.npz"
    if not cache_is_fresh(cache, library_dir):
        _write_pair_cache(library_dir, images, cache)
    with np.load(cache, allow_pickle=False) as stored:
        vectors, blobs, lengths = stored["vectors"], stored["thumbnails"], stored["lengths"]
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    thumbnails = [bytes(blobs[a:b]) for a, b in zip(offsets[:-1], offsets[1:])]
    index = {path: i for i, path in enumerate(images)}
    return LfwPairs(vectors, thumbnails,
                    np.array([index[p.first] for p in pairs]), np.array([index[p.second] for p in pairs]),
                    np.array([p.same for p in pairs]), np.array([p.fold for p in pairs]))


def library_stamp(library_dir: Path) -> np.ndarray:
    stat = (library_dir / "library.db").stat()
    return np.array([stat.st_size, stat.st_mtime_ns], dtype=np.int64)


def cache_is_fresh(cache: Path, library_dir: Path) -> bool:
    """The cache exists and was made from the library as it is now (a re-indexed library rebuilds it)."""
    if not cache.is_file() or not (library_dir / "library.db").is_file():
        return False
    with np.load(cache, allow_pickle=False) as stored:
        return "library_stamp" in stored.files and np.array_equal(stored["library_stamp"], library_stamp(library_dir))


def _write_pair_cache(library_dir: Path, images: list[Path], cache: Path) -> None:
    if not (library_dir / "library.db").is_file():
        raise PhotofaceError(f"No LFW library in {library_dir}: build it with `python -m benchmarks.lfw` first")
    from photoface.index.pipeline import Indexer
    from photoface.store.library import Library

    with Library.open(library_dir) as library:
        indexer = Indexer(library)
        vectors, _ = main_face_vectors(library, indexer, images)
        thumbnails = _main_face_thumbnails(library, indexer.embedder.model_id, vectors, images)
    lengths = np.array([len(t) for t in thumbnails])
    blob = np.frombuffer(b"".join(thumbnails), dtype=np.uint8)
    np.savez(cache, vectors=vectors, thumbnails=blob, lengths=lengths, library_stamp=library_stamp(library_dir))


def _main_face_thumbnails(library, model_id: str, vectors: np.ndarray, images: list[Path]) -> list[bytes]:
    """The JPEG crop of the face main_face_vectors chose per image (its centre crop where none was found)."""
    face_ids, matrix = library.embedding_matrix(model_id)
    by_vector = {matrix[row].tobytes(): int(face_id) for row, face_id in enumerate(face_ids)}
    chosen = [by_vector.get(vector.tobytes()) for vector in vectors]
    return [thumbnail_jpeg(centre_crop(path)) if face is None else library.face_thumbnail(face)
            for face, path in zip(chosen, images)]


def verify(vectors: np.ndarray, lfw: LfwPairs, other: np.ndarray | None = None) -> VerificationResult:
    """The 10-fold protocol on ``vectors`` (first image of each pair from ``other`` if given)."""
    first = vectors if other is None else other
    distances = np.sum((first[lfw.first] - vectors[lfw.second]) ** 2, axis=1)
    return verification(distances, lfw.same, lfw.folds)


def float_and_int8(vectors: np.ndarray, lfw: LfwPairs) -> dict[str, VerificationResult]:
    return {"float32": verify(vectors, lfw), "int8": verify(dequantize_int8(quantize_int8(vectors)), lfw)}


def checkpoint_vectors(checkpoint: checkpoints.Checkpoint, lfw: LfwPairs, embedder=None) -> np.ndarray:
    """The checkpoint's embedding of every LFW pair image (``embedder``: the base, for trunk checkpoints)."""
    if checkpoint.trunk_state is None:
        return checkpoint.embed_features(lfw.vectors)
    return checkpoint.apply_head(crop_embeddings(thumbnail_crops(lfw), embedder, checkpoint.trunk_state))


def crop_embeddings(crops: np.ndarray, embedder, trunk_state: dict | None = None) -> np.ndarray:
    """Embeddings of 160 px crops as the indexer makes them, by the base network or a retrained one."""
    if trunk_state is not None:
        embedder = Embedder(embedder.model_id, retrained_network(embedder, trunk_state), embedder.centre)
    return embedder.embed(crops, flip=True)


def thumbnail_crops(lfw: LfwPairs) -> np.ndarray:
    return np.stack([np.asarray(Image.open(io.BytesIO(t)).convert("RGB")) for t in lfw.thumbnails])
