"""Synthetic face embeddings with known identities, for clustering tests and benchmarks.

Shaped like FaceNet's on real photos: unit vectors in 512-d, faces of one person
at squared L2 distances of about 0.4 to 0.8 from each other (on LFW, 89 % of
same-person pairs are under 0.9), different people at about 1.6 (their
centres share a common direction, as real faces do), a few people with many
faces and many with few, and a share of faces seen only once.
"""

import numpy as np

DIMENSIONS = 512
SHARED_DIRECTION_WEIGHT = 0.45  # cos between two people's centres ~ 0.17
NOISE_RANGE = (0.022, 0.036)  # per person; cos within a person 1 / (1 + 512 sigma^2)
CHUNK = 10_000


def synthetic_faces(n_faces: int, *, singleton_fraction: float = 0.3, faces_per_person: float = 20,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(vectors float32 (n, 512), identity int64 (n,)) in shuffled order."""
    rng = np.random.default_rng(seed)
    identity = _identities(n_faces, singleton_fraction, faces_per_person, rng)
    n_people = int(identity.max()) + 1 if n_faces else 0
    shared = _unit(rng.standard_normal(DIMENSIONS))
    centres = _unit(SHARED_DIRECTION_WEIGHT * shared
                    + rng.standard_normal((n_people, DIMENSIONS)).astype(np.float32) / np.sqrt(DIMENSIONS))
    noise = rng.uniform(*NOISE_RANGE, n_people).astype(np.float32)
    vectors = np.empty((n_faces, DIMENSIONS), dtype=np.float32)
    for start in range(0, n_faces, CHUNK):  # float32 chunks keep 200k faces within memory
        who = identity[start:start + CHUNK]
        jitter = rng.standard_normal((len(who), DIMENSIONS), dtype=np.float32)
        vectors[start:start + CHUNK] = _unit(centres[who] + noise[who, None] * jitter)
    order = rng.permutation(n_faces)
    return vectors[order], identity[order]


def _identities(n_faces, singleton_fraction, faces_per_person, rng):
    """Identity per face: Pareto-sized groups of at least 2, then singletons."""
    n_singletons = round(singleton_fraction * n_faces)
    n_grouped = n_faces - n_singletons
    n_people = min(n_grouped // 2, max(1, round(n_grouped / faces_per_person)))
    weights = rng.pareto(1.5, n_people) + 1.0
    sizes = 2 + rng.multinomial(n_grouped - 2 * n_people, weights / weights.sum()) if n_people else []
    grouped = np.repeat(np.arange(n_people), sizes)
    return np.concatenate([grouped, n_people + np.arange(n_faces - len(grouped))]).astype(np.int64)


def _unit(vectors):
    return (vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)).astype(np.float32)
