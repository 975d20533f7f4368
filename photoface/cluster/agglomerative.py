"""Grouping faces into people: average-linkage clustering of embeddings.

1. The seed faces (good quality) are clustered by average linkage over their
   k-nearest-neighbour graph, cut at ``threshold`` (``linkage.py``).
2. Every other face joins the cluster most of its nearest seeds within the
   threshold belong to, or none: blurred or tiny faces never seed or bridge
   clusters.
3. Two faces of one photo are never one person: the one nearest its
   cluster's seed centroid stays (seeds before non-seeds), each other one
   moves to its next best cluster by the same vote, or to none.
   Faces the caller says are never one person (``cannot_link``, the user's
   rejections) are separated the same way: the first of each pair moves.
4. Clusters smaller than ``min_cluster_size`` become unsorted (-1); the others
   are numbered by size, 0 for the biggest.
"""

import numpy as np
from scipy import sparse

from .linkage import average_linkage
from .neighbours import nearest_neighbours

DEFAULT_THRESHOLD = 0.9
"""Average-linkage cut: mean squared L2 distance (2 - 2 cos) between two clusters' faces.

Calibrated by ``benchmarks/cluster_lfw.py`` on half of LFW's identities
(best pairwise + BCubed F there); on the other half it gives pairwise F 0.964
and BCubed F 0.947. It errs towards splitting a person rather than mixing
two: on celeba_train precision is 1.000 and recall 0.76, and merging two
tiles is one click while untangling a mixed one is many.
"""

DEFAULT_NEIGHBOURS = 10
"""Neighbours per face in the graph; more gives a truer average linkage but costs time."""

UNSORTED = -1


def cluster_embeddings(vectors: np.ndarray, *, threshold: float = DEFAULT_THRESHOLD,
                       k: int = DEFAULT_NEIGHBOURS, seeds: np.ndarray | None = None,
                       photo_ids: np.ndarray | None = None, cannot_link: np.ndarray | None = None,
                       min_cluster_size: int = 2) -> np.ndarray:
    """A person label per face (int64, 0 = biggest cluster), -1 for unsorted faces.

    ``vectors``: (n, d) L2-normalised embeddings. ``seeds``: boolean mask of the
    faces allowed to form clusters (default all). ``photo_ids``: the photo of
    each face; faces sharing one never share a label. ``cannot_link``: (m, 2)
    pairs of face indices that never share a label. Deterministic.
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(vectors)
    seeds = np.ones(n, dtype=bool) if seeds is None else np.asarray(seeds, dtype=bool)
    labels = np.full(n, UNSORTED, dtype=np.int64)
    seed_index = np.flatnonzero(seeds)
    if len(seed_index) == 0:
        return labels
    # Each face's nearest seeds, as indices into all faces: clustering, votes and moves use them.
    candidates, distances = _nearest_seeds(vectors, seeds, seed_index, k)
    seed_neighbours = np.searchsorted(seed_index, candidates[seed_index])
    seed_neighbours[candidates[seed_index] < 0] = -1
    labels[seed_index] = seed_index[average_linkage(vectors[seed_index], seed_neighbours, distances[seed_index], threshold)]
    others = np.flatnonzero(~seeds)
    labels[others] = _vote(_labels_at(labels, candidates[others]), distances[others], threshold)
    if photo_ids is not None:
        _separate_same_photo(vectors, labels, seeds, np.asarray(photo_ids), candidates, distances,
                             threshold)
    if cannot_link is not None:
        _separate_cannot_links(labels, np.asarray(cannot_link, dtype=np.int64).reshape(-1, 2), photo_ids,
                               candidates, distances, threshold)
    return _number_by_size(labels, min_cluster_size)


def _nearest_seeds(vectors, seeds, seed_index, k):
    """(n, k) indices of each face's nearest other seeds, and their squared distances."""
    candidates = np.full((len(vectors), k), -1, dtype=np.int64)
    distances = np.full((len(vectors), k), np.inf, dtype=np.float32)
    found, found_distances = nearest_neighbours(vectors[seed_index], k)
    width = found.shape[1]
    candidates[seed_index, :width] = np.where(found >= 0, seed_index[found], -1)
    distances[seed_index, :width] = found_distances
    others = np.flatnonzero(~seeds)
    if len(others):
        found, found_distances = nearest_neighbours(vectors[seed_index], k, vectors[others])
        width = found.shape[1]
        candidates[others, :width] = np.where(found >= 0, seed_index[found], -1)
        distances[others, :width] = found_distances
    return candidates, distances


def _labels_at(labels, candidates):
    return np.where(candidates >= 0, labels[candidates], UNSORTED)


def _vote(candidate_labels: np.ndarray, distances: np.ndarray, threshold: float) -> np.ndarray:
    """Per row, the label most neighbours within the threshold carry (ties: smaller total distance).

    Rows with no labelled neighbour within the threshold get -1.
    """
    if candidate_labels.size == 0:
        return np.full(len(candidate_labels), UNSORTED, dtype=np.int64)
    valid = (candidate_labels >= 0) & (distances < threshold)
    agree = (candidate_labels[:, :, None] == candidate_labels[:, None, :]) & valid[:, None, :]
    votes = np.where(valid, agree.sum(axis=2), 0)
    total = np.where(agree, distances[:, None, :], 0).sum(axis=2)
    best = np.lexsort((total, -votes), axis=1)[:, 0]
    rows = np.arange(len(best))
    return np.where(votes[rows, best] > 0, candidate_labels[rows, best], UNSORTED)


def _separate_same_photo(vectors, labels, seeds, photo_ids, candidates, distances, threshold):
    """Move all but one face of each (cluster, photo) pair to their next best cluster, in place."""
    evicted = _faces_to_evict(vectors, labels, seeds, photo_ids)
    if len(evicted) == 0:
        return
    taken = set(zip(labels[labels >= 0].tolist(), photo_ids[labels >= 0].tolist()))
    for face in evicted.tolist():
        photo = photo_ids[face].item()
        choices = _labels_at(labels, candidates[face])
        choices[[(label, photo) in taken for label in choices.tolist()]] = UNSORTED
        labels[face] = _vote(choices[None], distances[face][None], threshold)[0]
        if labels[face] >= 0:
            taken.add((labels[face].item(), photo))


def _separate_cannot_links(labels, pairs, photo_ids, candidates, distances, threshold):
    """Move the first face of each pair sharing a cluster to its next best cluster, in place.

    That cluster holds none of the face's partners (nor, with ``photo_ids``, a
    face of its photo), so one pass leaves no pair together.
    """
    partners: dict[int, list[int]] = {}
    for first, second in pairs.tolist():
        partners.setdefault(first, []).append(second)
        partners.setdefault(second, []).append(first)
    for face, other in pairs.tolist():
        if labels[face] < 0 or labels[face] != labels[other]:
            continue
        barred = set(labels[partners[face]].tolist())
        if photo_ids is not None:
            barred |= set(labels[np.asarray(photo_ids) == photo_ids[face]].tolist())
        choices = _labels_at(labels, candidates[face])
        choices[np.isin(choices, list(barred))] = UNSORTED
        labels[face] = _vote(choices[None], distances[face][None], threshold)[0]


def _faces_to_evict(vectors, labels, seeds, photo_ids):
    """Faces sharing a cluster with an earlier face of their photo, in order (seeds, then nearest centroid)."""
    labelled = np.flatnonzero(labels >= 0)
    clusters, cluster_of = np.unique(labels[labelled], return_inverse=True)
    _, photo_of = np.unique(photo_ids[labelled], return_inverse=True)
    centroid_distance = _distance_to_seed_centroid(vectors[labelled], cluster_of, seeds[labelled],
                                                   len(clusters))
    order = np.lexsort((labelled, centroid_distance, ~seeds[labelled], photo_of, cluster_of))
    repeated = np.zeros(len(order), dtype=bool)
    same_pair = (cluster_of[order][1:] == cluster_of[order][:-1]) & \
                (photo_of[order][1:] == photo_of[order][:-1])
    repeated[1:] = same_pair
    return np.sort(labelled[order[repeated]])


def _distance_to_seed_centroid(vectors, cluster_of, is_seed, n_clusters):
    """Squared distance of each face to the mean direction of its cluster's seeds."""
    membership = sparse.csr_array((is_seed.astype(np.float32), (cluster_of, np.arange(len(vectors)))),
                                  shape=(n_clusters, len(vectors)))
    centroids = membership @ vectors
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    return 2.0 - 2.0 * np.einsum("ij,ij->i", vectors, centroids[cluster_of])


def _number_by_size(labels: np.ndarray, min_cluster_size: int) -> np.ndarray:
    """Renumber clusters 0.. by decreasing size (ties: earliest face); small ones become -1."""
    labelled = labels >= 0
    clusters, first_face, cluster_of, sizes = np.unique(
        labels[labelled], return_index=True, return_inverse=True, return_counts=True)
    order = np.lexsort((first_face, -sizes))
    kept = sizes[order] >= min_cluster_size
    new_label = np.full(len(clusters), UNSORTED, dtype=np.int64)
    new_label[order[kept]] = np.arange(int(kept.sum()))
    result = np.full(len(labels), UNSORTED, dtype=np.int64)
    result[labelled] = new_label[cluster_of]
    return result
