"""k-nearest-neighbour graphs of L2-normalised embeddings, in numpy alone.

For unit vectors the squared L2 distance is ``2 - 2 * dot``, so every search is
a matrix product (BLAS does the work on all cores) followed by a top-k pick.

Up to ``EXACT_LIMIT`` base vectors the search is exact and blocked so that no
more than ``BLOCK_ELEMENTS`` similarities exist at once. Above it, a full
pairwise product grows as N**2 (200k faces: 4e13 flops, minutes on 2 cores), so
the search is an inverted file: a spherical k-means splits the base into about
sqrt(N) cells and each query is compared exactly with the vectors of its
``probes`` nearest cells only, still as matrix products, cell by cell. Faces of
one person sit close together, so their cells are among the nearest.
"""

from typing import NamedTuple

import numpy as np
from scipy import sparse

EXACT_LIMIT = 20_000
BLOCK_ELEMENTS = 1 << 24  # 64 MB of float32 similarities per block
DEFAULT_PROBES = 8
KMEANS_ITERATIONS = 8
KMEANS_SAMPLE_PER_CELL = 40


def nearest_neighbours(base: np.ndarray, k: int, queries: np.ndarray | None = None, *,
                       exact: bool | None = None, probes: int = DEFAULT_PROBES,
                       seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest base vectors of each query: (indices int64, squared L2 distances float32).

    Both arrays are ``(n_queries, k')`` sorted nearest first, where ``k'`` is
    ``k`` capped by the number of candidates; where the approximate search finds
    fewer than that, the missing entries are index -1 at distance inf. ``queries=None`` searches the base
    against itself and leaves each vector out of its own list (by index, so an
    exact duplicate of it still counts). ``exact=None`` chooses by size.
    """
    base = np.ascontiguousarray(base, dtype=np.float32)
    self_search = queries is None
    queries = base if self_search else np.ascontiguousarray(queries, dtype=np.float32)
    k = min(k, len(base) - int(self_search))
    if k <= 0 or len(queries) == 0:
        empty = np.empty((len(queries), max(k, 0)))
        return empty.astype(np.int64), empty.astype(np.float32)
    if exact is None:
        exact = len(base) <= EXACT_LIMIT
    if exact:
        indices, similarities = _exact_search(base, queries, k, self_search)
    else:
        indices, similarities = _inverted_file_search(base, queries, k, self_search, probes, seed)
    return indices, _squared_distances(similarities)


class Votes(NamedTuple):
    """Per row of a neighbour vote: the winning label (-1: none), its votes, the votes cast, its total distance."""

    label: np.ndarray
    votes: np.ndarray
    cast: np.ndarray
    total: np.ndarray


def vote(neighbour_labels: np.ndarray, distances: np.ndarray, threshold: float) -> Votes:
    """Per row, the label most neighbours within ``threshold`` carry; ties go to the smaller total distance.

    A neighbour labelled -1 (nobody, or a label the caller ruled out) or at
    ``threshold`` or beyond casts no vote. Clustering, people while indexing and
    suggestions all decide by this vote, each with its own quorum on the counts.
    """
    rows = len(neighbour_labels)
    if neighbour_labels.size == 0:
        return Votes(np.full(rows, -1, dtype=np.int64), np.zeros(rows, dtype=np.int64),
                     np.zeros(rows, dtype=np.int64), np.zeros(rows, dtype=np.float32))
    valid = (neighbour_labels >= 0) & (distances < threshold)
    agree = (neighbour_labels[:, :, None] == neighbour_labels[:, None, :]) & valid[:, None, :]
    votes = np.where(valid, agree.sum(axis=2), 0)
    total = np.where(agree, distances[:, None, :], 0).sum(axis=2)
    best = np.lexsort((total, -votes), axis=1)[:, 0]
    row = np.arange(rows)
    won = votes[row, best]
    return Votes(np.where(won > 0, neighbour_labels[row, best], -1), won, valid.sum(axis=1), total[row, best])


def _squared_distances(similarities: np.ndarray) -> np.ndarray:
    return np.maximum(2.0 - 2.0 * similarities, 0.0).astype(np.float32)


def _exact_search(base, queries, k, self_search):
    indices = np.empty((len(queries), k), dtype=np.int64)
    similarities = np.empty((len(queries), k), dtype=np.float32)
    rows = max(1, BLOCK_ELEMENTS // len(base))
    for start in range(0, len(queries), rows):
        block = queries[start:start + rows] @ base.T
        if self_search:
            own = np.arange(start, start + len(block))
            block[own - start, own] = -np.inf
        indices[start:start + rows], similarities[start:start + rows] = _top_k(block, k)
    return indices, similarities


def _top_k(similarities: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Column indices and values of each row's k largest entries, largest first (ties in a fixed order)."""
    width = similarities.shape[1]
    if k < width:
        candidates = np.argpartition(similarities, width - k, axis=1)[:, width - k:]
    else:
        candidates = np.broadcast_to(np.arange(width), similarities.shape)
    values = np.take_along_axis(similarities, candidates, axis=1)
    order = np.lexsort((candidates, -values), axis=1)
    return np.take_along_axis(candidates, order, axis=1), np.take_along_axis(values, order, axis=1)


def _inverted_file_search(base, queries, k, self_search, probes, seed):
    centroids = _balanced_centroids(base, round(np.sqrt(len(base))), seed)
    probes = min(probes, len(centroids))
    cells_of_query = _nearest_cells(queries, centroids, probes)
    # A self-search's nearest cell is each vector's own cell: one pass less.
    cell_of_base = cells_of_query[:, 0] if self_search else _nearest_cells(base, centroids, 1)[:, 0]
    found_indices = np.full((len(queries), probes, k), -1, dtype=np.int64)
    found_similarities = np.full((len(queries), probes, k), -np.inf, dtype=np.float32)
    members_of = _group_by_cell(cell_of_base, len(centroids))
    probes_of = _group_by_cell(cells_of_query.ravel(), len(centroids))
    for cell in range(len(centroids)):
        members = members_of[cell]
        asking, slot = np.divmod(probes_of[cell], probes)
        if len(members) == 0 or len(asking) == 0:
            continue
        _search_cell(base, queries, members, asking, slot, k, self_search,
                     found_indices, found_similarities)
    merged = found_similarities.reshape(len(queries), -1)
    best, similarities = _top_k(merged, k)
    return np.take_along_axis(found_indices.reshape(len(queries), -1), best, axis=1), similarities


def _group_by_cell(cells: np.ndarray, n_cells: int) -> list[np.ndarray]:
    """For each cell, the positions holding it, ascending (one sort instead of a scan per cell)."""
    order = np.argsort(cells, kind="stable")
    bounds = np.searchsorted(cells[order], np.arange(n_cells + 1))
    return [order[start:end] for start, end in zip(bounds[:-1], bounds[1:])]


def _search_cell(base, queries, members, asking, slot, k, self_search,
                 found_indices, found_similarities):
    """Exact search of the queries ``asking`` (probe ``slot``) among one cell's ``members``."""
    kept = min(k, len(members))
    rows = max(1, BLOCK_ELEMENTS // len(members))
    cell_vectors = base[members].T
    for start in range(0, len(asking), rows):
        who, where = asking[start:start + rows], slot[start:start + rows]
        block = queries[who] @ cell_vectors
        if self_search:  # a vector's own cell is its first probe
            own = np.flatnonzero(where == 0)
            block[own, np.searchsorted(members, who[own])] = -np.inf
        columns, values = _top_k(block, kept)
        found_indices[who, where, :kept] = members[columns]
        found_similarities[who, where, :kept] = values


def _nearest_cells(vectors, centroids, count):
    cells = np.empty((len(vectors), count), dtype=np.int64)
    rows = max(1, BLOCK_ELEMENTS // len(centroids))
    for start in range(0, len(vectors), rows):
        cells[start:start + rows] = _top_k(vectors[start:start + rows] @ centroids.T, count)[0]
    return cells


def _balanced_centroids(vectors, n_cells, seed):
    """k-means centroids, with cells over twice the mean size split by k-means of their own.

    One person with many photos otherwise makes one huge cell, and the cost of
    a cell is its size times the number of queries probing it.
    """
    centroids = _spherical_kmeans(vectors, n_cells, seed)
    cell_of = _nearest_cells(vectors, centroids, 1)[:, 0]
    sizes = np.bincount(cell_of, minlength=len(centroids))
    target = len(vectors) / n_cells
    parts = [centroids[sizes <= 2 * target]]
    for cell in np.flatnonzero(sizes > 2 * target):
        parts.append(_spherical_kmeans(vectors[cell_of == cell], int(np.ceil(sizes[cell] / target)), seed))
    return np.concatenate(parts)


def _spherical_kmeans(vectors, n_cells, seed):
    """Unit centroids from a few Lloyd steps on a sample; empty cells are reseeded from the sample."""
    rng = np.random.default_rng(seed)
    sample_size = min(len(vectors), n_cells * KMEANS_SAMPLE_PER_CELL)
    sample = vectors[np.sort(rng.choice(len(vectors), sample_size, replace=False))]
    centroids = sample[rng.choice(sample_size, n_cells, replace=False)]
    for _ in range(KMEANS_ITERATIONS):
        assigned = _nearest_cells(sample, centroids, 1)[:, 0]
        membership = sparse.csr_array((np.ones(sample_size, dtype=np.float32),
                                       (assigned, np.arange(sample_size))),
                                      shape=(n_cells, sample_size))
        sums = membership @ sample
        empty = ~np.any(sums, axis=1)
        sums[empty] = sample[rng.choice(sample_size, int(empty.sum()), replace=False)]
        centroids = sums / np.linalg.norm(sums, axis=1, keepdims=True)
    return centroids.astype(np.float32)
