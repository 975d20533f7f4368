"""Average linkage over a sparse k-nearest-neighbour graph, cut at a distance threshold.

scikit-learn's ``AgglomerativeClustering(connectivity=...)`` does not scale to
100k faces: it recomputes every edge distance from the raw vectors at once
(1.5M edges x 512 floats is gigabytes), and when the graph has several
connected components (every well-separated person is one) it joins them by
computing distances between all pairs of components. Here the edges carry the
distances the neighbour search already found, and merging runs on a heap.

The distance between two clusters is the mean over the graph edges that join
them (the pairs the kNN search saw; the others are unknown and left out, as in
scikit-learn's connectivity-constrained average linkage, but weighted exactly).
Two clusters merge while that mean is below the threshold, closest pair first.
"""

import heapq

import numpy as np


def average_linkage(neighbours: np.ndarray, distances: np.ndarray, threshold: float) -> np.ndarray:
    """Flat clusters of a kNN graph: for each point, the index of a representative of its cluster.

    ``neighbours`` / ``distances`` are ``(n, k)`` as from ``nearest_neighbours``
    (index -1 marks a missing neighbour).
    """
    n = len(neighbours)
    first, second, length = _undirected_edges(neighbours, distances)
    # A point whose edges are all at or above the threshold never merges: any
    # mean over them stays at or above it too. Leave such points out.
    close = length < threshold
    active = np.zeros(n, dtype=bool)
    active[first[close]] = active[second[close]] = True
    kept = active[first] & active[second]
    parent = np.arange(n)
    _merge(first[kept], second[kept], length[kept], threshold, parent)
    return _roots(parent)


def _undirected_edges(neighbours, distances):
    """Each edge of the graph once, as (lower index, higher index, distance)."""
    n, k = neighbours.shape
    source = np.repeat(np.arange(n), k)
    target = neighbours.ravel()
    length = distances.ravel().astype(np.float64)
    real = (target >= 0) & np.isfinite(length)
    source, target, length = source[real], target[real], length[real]
    low, high = np.minimum(source, target), np.maximum(source, target)
    _, first_seen = np.unique(low * n + high, return_index=True)
    return low[first_seen], high[first_seen], length[first_seen]


def _merge(first, second, length, threshold, parent):
    """Greedy average-linkage merges below ``threshold``; records merged points in ``parent``."""
    # links[a][b] is one shared [sum of edge distances, edge count] for both directions.
    links: dict[int, dict[int, list]] = {}
    for a, b, d in zip(first.tolist(), second.tolist(), length.tolist()):
        link = [d, 1]
        links.setdefault(a, {})[b] = link
        links.setdefault(b, {})[a] = link
    heap = [(d, a, b) for a, b, d in zip(first.tolist(), second.tolist(), length.tolist())
            if d < threshold]
    heapq.heapify(heap)
    while heap:
        mean, a, b = heapq.heappop(heap)
        link = links.get(a, {}).get(b)
        if link is None or link[0] / link[1] != mean:
            continue  # stale: a side was merged away or the link changed since
        if len(links[a]) < len(links[b]):
            a, b = b, a  # move the smaller neighbourhood
        _absorb(links, a, b, threshold, heap)
        parent[b] = a


def _absorb(links, a, b, threshold, heap):
    """Merge cluster b into cluster a, pushing every link whose key or mean changed."""
    del links[a][b]
    for c, link in links.pop(b).items():
        if c == a:
            continue
        del links[c][b]
        existing = links[a].get(c)
        if existing is None:
            links[a][c] = links[c][a] = link
        else:
            existing[0] += link[0]
            existing[1] += link[1]
            link = existing
        mean = link[0] / link[1]
        if mean < threshold:
            heapq.heappush(heap, (mean, min(a, c), max(a, c)))


def _roots(parent: np.ndarray) -> np.ndarray:
    while True:
        grandparent = parent[parent]
        if np.array_equal(grandparent, parent):
            return parent
        parent = grandparent
