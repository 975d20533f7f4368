"""int8 storage for embeddings: 1 byte per dimension instead of 4.

Only an embedding's direction matters (they are compared by cosine), so each
row is scaled until its largest |value| is 127 and no scale is stored;
dequantising re-normalises the row.
"""

import numpy as np


def quantize_int8(vectors: np.ndarray) -> np.ndarray:
    """(N, D) float rows -> (N, D) int8 rows pointing the same way."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim != 2:
        raise ValueError(f"expected an (N, D) array, got shape {vectors.shape}")
    peaks = np.abs(vectors).max(axis=1, keepdims=True)
    scale = np.divide(127.0, peaks, out=np.zeros_like(peaks), where=peaks > 0)  # an all-zero row stays zero
    return np.rint(vectors * scale).astype(np.int8)


def dequantize_int8(quantized: np.ndarray) -> np.ndarray:
    """(N, D) int8 rows -> (N, D) float32 L2-normalised rows."""
    vectors = np.asarray(quantized).astype(np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
