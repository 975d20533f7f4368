"""Average linkage over a sparse k-nearest-neighbour graph, cut at a distance threshold.

scikit-learn's ``AgglomerativeClustering(connectivity=...)`` does not scale to
100k faces: it recomputes every edge distance from the raw vectors at once and
joins separate graph components by comparing all pairs of them. Here the kNN
graph only proposes which clusters may merge; the distance between two
clusters is their exact average linkage, computed without any pairwise
matrix: for squared L2 distances the mean over all pairs is

    |mean_a - mean_b|^2 + spread_a + spread_b,

where a cluster's spread is the mean squared distance of its members to its
centroid. Averaging only the edges the kNN search saw (the unseen pairs being
farther) would understate it and chain people together: on LFW every person
ended in one cluster above a cut of 0.9.

The graph also says who vouches for a single face: the faces that have it
among their k nearest. A look-alike stranger lies near a person's faces,
but their k nearest are each other, so none of them vouches for it
(``needs_voucher``).
"""

import heapq
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Cut:
    """The average linkage below which two clusters merge, as a function of their sizes.

    The mean of n_a * n_b pair distances is far steadier than one pair's, so
    two big clusters of one person may merge at a looser cut (``loosest``, the
    limit as the smaller side grows) while two single faces keep the strict
    ``single`` one. The cut moves from ``single`` to ``loosest`` as
    1 / sqrt(m), the way the noise of a mean shrinks, where m is the
    harmonic mean of the two sizes: 1 for two faces, about 2 for a face and a
    big cluster (the face's own noise does not average away), between the
    smaller size and twice it for two clusters.

    Two lone faces meet the stricter ``pair`` cut when given: their one
    distance is the noisiest evidence there is, and in a library with many
    one-photo people a look-alike stranger is often that near (LFW with
    strangers: most wrong pairs at 0.78-0.9, 95 % of right ones under 0.6).
    A face that belongs with another still joins it later, through the
    person's cluster.
    """

    single: float
    loosest: float | None = None  # None: one cut for every size
    pair: float | None = None  # None: two lone faces meet ``single`` too

    def at(self, size_a, size_b):
        size_a, size_b = np.asarray(size_a, dtype=float), np.asarray(size_b, dtype=float)
        if self.loosest is None:
            cut = np.full(np.broadcast(size_a, size_b).shape, self.single)
        else:
            steadiness = 2 * size_a * size_b / (size_a + size_b)
            cut = self.loosest - (self.loosest - self.single) / np.sqrt(steadiness)
        if self.pair is None:
            return cut
        return np.where((size_a == 1) & (size_b == 1), np.minimum(cut, self.pair), cut)

    @property
    def widest_for_a_face(self) -> float:
        """The loosest cut a single face ever meets (against an endless cluster: steadiness 2)."""
        if self.loosest is None:
            return self.single
        return self.loosest - (self.loosest - self.single) / np.sqrt(2)


def average_linkage(vectors: np.ndarray, neighbours: np.ndarray, distances: np.ndarray,
                    threshold: "float | Cut", need_vouchers: bool = False) -> np.ndarray:
    """Flat clusters: for each point, the index of a representative of its cluster.

    ``neighbours`` / ``distances`` are ``(n, k)`` as from ``nearest_neighbours``
    (index -1 marks a missing neighbour); two clusters merge, closest first,
    while their mean pairwise squared distance is below ``threshold`` (a
    ``Cut`` for one that depends on the clusters' sizes). ``need_vouchers``:
    single faces join clusters only as ``needs_voucher`` allows.
    """
    cut = threshold if isinstance(threshold, Cut) else Cut(threshold)
    first, second, length = _undirected_edges(neighbours, distances)
    # A point whose k nearest are all at or above the widest cut a single face
    # meets never merges: every other point is farther still, so any mean
    # stays above it too.
    close = length < cut.widest_for_a_face
    active = np.zeros(len(neighbours), dtype=bool)
    active[first[close]] = active[second[close]] = True
    kept = active[first] & active[second]
    parent = np.arange(len(neighbours))
    vouchers = _vouchers_of(neighbours) if need_vouchers else None
    _Merger(vectors, first[kept], second[kept], cut, parent, vouchers).run()
    return _roots(parent)


def _vouchers_of(neighbours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The points that have each point among their k nearest: point i's are
    ``points[starts[i]:starts[i + 1]]``."""
    n, k = neighbours.shape
    target = neighbours.ravel()
    real = target >= 0
    order = np.argsort(target[real], kind="stable")
    starts = np.concatenate([[0], np.cumsum(np.bincount(target[real], minlength=n))])
    return starts, np.repeat(np.arange(n), k)[real][order]


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


RIVAL_MARGIN = 0.2
"""A merge looser than the single-face cut is refused where a rival is this close (``_Merger._unrivalled``) ..."""
RIVAL_SIZE = 3  # clusters this big or bigger count as rivals: a stray face or two is no evidence of another person
WITHIN_RATIO = 1.7
"""... and where it is over this times the mean pair distance inside the two clusters: a face
of a person is about as far from the rest of its person as their faces are from each other."""
VOUCH_FROM = 0.8
VOUCH_RATIO = 1.6
"""A single face joins a cluster at an average linkage of ``VOUCH_FROM`` or more and over
``VOUCH_RATIO`` times the cluster's mean pair distance only where a face of the cluster vouches for
it (``needs_voucher``). Chosen on celeba_train and the calibration half of LFW
(benchmarks/cluster_home.py)."""


class _Merger:
    """Greedy average-linkage merging on a heap; clusters are kept as centroid, spread and size."""

    def __init__(self, vectors, first, second, cut, parent, vouchers):
        self.cut = cut
        self.parent = parent
        self.vouchers = vouchers  # (starts, points) as from _vouchers_of, or None: no face needs any
        self.centroid = np.asarray(vectors, dtype=np.float64).copy()
        self.spread = np.zeros(len(vectors))
        self.size = np.ones(len(vectors))
        self.version = np.zeros(len(vectors), dtype=np.int64)  # bumps when a cluster changes
        self.adjacent: dict[int, set[int]] = {}
        for a, b in zip(first.tolist(), second.tolist()):
            self.adjacent.setdefault(a, set()).add(b)
            self.adjacent.setdefault(b, set()).add(a)
        self.heap: list = []
        for a in self.adjacent:
            self._push_links(a, [c for c in self.adjacent[a] if c > a])

    def run(self) -> None:
        while self.heap:
            mean, a, b, version_a, version_b = heapq.heappop(self.heap)
            if (version_a, version_b) != (self.version[a], self.version[b]) or b not in self.adjacent.get(a, ()):
                continue  # stale: a side changed or was merged away since
            if mean >= self.cut.single and not (self._unrivalled(a, b, mean) and self._unrivalled(b, a, mean)
                                                and self._as_close_as_within(a, b, mean)):
                continue  # a loose merge needs clear evidence
            if not self._vouched_for(a, b, mean):
                continue  # weighed again once the cluster changes
            if len(self.adjacent[a]) < len(self.adjacent[b]):
                a, b = b, a  # keep the cluster with more links, move the other
            self._absorb(a, b)

    def _absorb(self, a: int, b: int) -> None:
        size = self.size[a] + self.size[b]
        centroid = (self.size[a] * self.centroid[a] + self.size[b] * self.centroid[b]) / size
        self.spread[a] = (self.size[a] * (self.spread[a] + _sq(self.centroid[a] - centroid))
                          + self.size[b] * (self.spread[b] + _sq(self.centroid[b] - centroid))) / size
        self.centroid[a], self.size[a] = centroid, size
        self.version[a] += 1
        self.parent[b] = a
        for c in self.adjacent.pop(b):
            self.adjacent[c].discard(b)
            if c != a:
                self.adjacent[c].add(a)
                self.adjacent[a].add(c)
        self.adjacent[a].discard(b)
        self._push_links(a, list(self.adjacent[a]))

    def _unrivalled(self, a: int, b: int, mean: float) -> bool:
        """No other cluster of ``RIVAL_SIZE`` faces or more is within ``RIVAL_MARGIN`` of a's linkage
        to b while too far from b to merge with it (a rival near both is likely the same person)."""
        others = [c for c in self.adjacent[a] if c != b and self.size[c] >= RIVAL_SIZE]
        if not others:
            return True
        rivals = [c for c, near in zip(others, (self._linkage(a, others) < mean + RIVAL_MARGIN).tolist()) if near]
        if not rivals:
            return True
        return bool(np.all(self._linkage(b, rivals) < self.cut.at(self.size[b], self.size[rivals])))

    def _as_close_as_within(self, a: int, b: int, mean: float) -> bool:
        """Whether the linkage is within WITHIN_RATIO of the clusters' own mean pair distances
        (2 spread n / (n - 1); a single face has none)."""
        withins = [self._mean_pair_distance(c) for c in (a, b) if self.size[c] > 1]
        return not withins or mean <= WITHIN_RATIO * float(np.mean(withins))

    def _mean_pair_distance(self, c: int) -> float:
        return 2 * self.spread[c] * self.size[c] / (self.size[c] - 1)

    def _vouched_for(self, a: int, b: int, mean: float) -> bool:
        """Unless one side is a single face that ``needs_voucher`` from the other, a cluster: True;
        else whether a face of the cluster, or no face at all, has it among its k nearest."""
        if self.vouchers is None or (self.size[a] == 1) == (self.size[b] == 1):
            return True
        face, cluster = (a, b) if self.size[a] == 1 else (b, a)
        if not needs_voucher(mean, self._mean_pair_distance(cluster)):
            return True
        starts, points = self.vouchers
        face_vouchers = points[starts[face]:starts[face + 1]].tolist()
        return not face_vouchers or any(self._root(voucher) == cluster for voucher in face_vouchers)

    def _root(self, point: int) -> int:
        while self.parent[point] != point:
            self.parent[point] = self.parent[self.parent[point]]  # path halving
            point = self.parent[point]
        return point

    def _linkage(self, a: int, others: list[int]) -> np.ndarray:
        return (((self.centroid[others] - self.centroid[a]) ** 2).sum(axis=1)
                + self.spread[a] + self.spread[others])

    def _push_links(self, a: int, others: list[int]) -> None:
        if not others:
            return
        means = self._linkage(a, others)
        cuts = self.cut.at(self.size[a], self.size[others])
        for c, mean, cut in zip(others, means.tolist(), cuts.tolist()):
            if mean < cut:
                low, high = min(a, c), max(a, c)
                heapq.heappush(self.heap, (mean, low, high, self.version[low], self.version[high]))


def needs_voucher(linkage, within):
    """Whether a single face this far (average linkage) from a cluster with this mean pair distance
    joins it only if a face of the cluster has it among its k nearest, or no face at all has (a face
    nobody has among their nearest gives no evidence either way). Works on arrays alike."""
    return (linkage >= VOUCH_FROM) & (linkage > VOUCH_RATIO * within)


def _sq(vector: np.ndarray) -> float:
    return float(vector @ vector)


def _roots(parent: np.ndarray) -> np.ndarray:
    while True:
        grandparent = parent[parent]
        if np.array_equal(grandparent, parent):
            return parent
        parent = grandparent
