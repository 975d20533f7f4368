"""Grouping faces into people: average-linkage clustering of embeddings.

1. The seed faces (good quality) are clustered by average linkage over their
   k-nearest-neighbour graph, with a cut that depends on the two clusters'
   sizes (``linkage.Cut``): two single faces merge only when clearly alike,
   two big clusters of one person at a looser cut, their mean over many
   pairs being steadier; two lone faces meet a stricter cut still
   (``PAIR_CUT``), a look-alike stranger being as near as that. A merge
   looser than the single-face cut also needs no rival cluster nearby
   (``linkage.RIVAL_MARGIN``) and a linkage not far above the two clusters'
   own spread (``linkage.WITHIN_RATIO``): where many similar people crowd
   together, as in LFW, it stays strict; in a home library of a few dozen
   people it loosens. A single face well apart from a cluster also needs a
   face of the cluster to have it among its k nearest, unless no face has
   (``linkage.needs_voucher``): a look-alike stranger's nearest faces are
   elsewhere.
2. A seed left alone joins the nearby cluster whose average linkage to it is
   under a looser cut, clearly below any other's (``JOIN_MARGIN``), not
   far above the cluster's own mean pair distance (``linkage.WITHIN_RATIO``,
   the loose merges' test: a stranger who looks like someone is farther
   from that person's faces than they are from each other) and vouched for
   as in 1.
3. Every other face joins the cluster most of its nearest seeds within the
   single-face cut belong to, or none: blurred or tiny faces never seed or
   bridge clusters.
4. Two faces of one photo are never one person: the one nearest its
   cluster's seed centroid stays (seeds before non-seeds), each other one
   moves to its next best cluster by the same vote, or to none.
   Faces the caller says are never one person (``cannot_link``, the user's
   rejections) are separated the same way: the first of each pair moves.
5. Clusters smaller than ``min_cluster_size`` become unsorted (-1); the others
   are numbered by size, 0 for the biggest.

The cuts move together with the user's level ("group faces: more apart ...
more together", ``LEVELS``).
"""

import numpy as np
from scipy import sparse

from .linkage import WITHIN_RATIO, Cut, average_linkage, needs_voucher
from .neighbours import nearest_neighbours, vote

SINGLE_CUT = 0.9
"""Average-linkage cut (mean squared L2 distance, 2 - 2 cos) of a single face to a cluster, at level 0."""
PAIR_CUT = 0.7
"""The cut between two lone faces, at level 0."""
LOOSEST_CUT = 1.4
"""The cut two big clusters tend to as they grow, at level 0."""
JOIN_CUT = 1.3
"""A lone seed joins a cluster whose average linkage to it is under this, at level 0 ..."""
JOIN_MARGIN = 0.2
"""... and at least this much below its linkage to any other nearby cluster."""
# The level-0 cuts above were chosen on celeba_train and the calibration half of LFW's
# identities (benchmarks/cluster_home.py, benchmarks/cluster_lfw.py; PAIR_CUT and JOIN_MARGIN
# on lfw_10_strangers' calibration half), and reported on the rest.

LEVELS = range(-2, 3)
"""The user's setting: -2 keeps faces most apart, +2 groups them most together, 0 is the default."""
LEVEL_STEP = 0.05
"""How far every cut moves per level."""

LEGACY_THRESHOLD = 0.9
"""The single size-blind cut photoface used before (chosen on LFW); ``threshold=`` still gives it, for comparisons."""

DEFAULT_NEIGHBOURS = 10
"""Neighbours per face in the graph; more gives a truer average linkage but costs time."""

UNSORTED = -1


def cluster_embeddings(vectors: np.ndarray, *, level: int = 0, threshold: float | None = None,
                       k: int = DEFAULT_NEIGHBOURS, seeds: np.ndarray | None = None,
                       photo_ids: np.ndarray | None = None, cannot_link: np.ndarray | None = None,
                       min_cluster_size: int = 2) -> np.ndarray:
    """A person label per face (int64, 0 = biggest cluster), -1 for unsorted faces.

    ``vectors``: (n, d) L2-normalised embeddings. ``level``: one of ``LEVELS``,
    higher groups more together. ``threshold``: instead of the level, one
    size-blind cut, no joining of lone faces and no vouching (the clustering
    before issue #16). ``seeds``: boolean mask of the faces allowed to form
    clusters (default all). ``photo_ids``: the photo of each face; faces
    sharing one never share a label. ``cannot_link``: (m, 2) pairs of face
    indices that never share a label. Deterministic.
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(vectors)
    seeds = np.ones(n, dtype=bool) if seeds is None else np.asarray(seeds, dtype=bool)
    labels = np.full(n, UNSORTED, dtype=np.int64)
    seed_index = np.flatnonzero(seeds)
    if len(seed_index) == 0:
        return labels
    cut, join_cut = _cuts(level, threshold)
    # Each face's nearest seeds, as indices into all faces: clustering, votes and moves use them.
    candidates, distances = _nearest_seeds(vectors, seeds, seed_index, k)
    seed_neighbours = np.searchsorted(seed_index, candidates[seed_index])
    seed_neighbours[candidates[seed_index] < 0] = -1
    labels[seed_index] = seed_index[average_linkage(vectors[seed_index], seed_neighbours, distances[seed_index], cut,
                                                    need_vouchers=join_cut is not None)]
    if join_cut is not None:
        _adopt_loners(vectors, labels, seed_index, candidates, join_cut)
    others = np.flatnonzero(~seeds)
    labels[others] = vote(_labels_at(labels, candidates[others]), distances[others], cut.single).label
    if photo_ids is not None:
        _separate_same_photo(vectors, labels, seeds, np.asarray(photo_ids), candidates, distances,
                             cut.single)
    if cannot_link is not None:
        _separate_cannot_links(labels, np.asarray(cannot_link, dtype=np.int64).reshape(-1, 2), photo_ids,
                               candidates, distances, cut.single)
    return _number_by_size(labels, min_cluster_size)


def cuts_at(level: int) -> tuple[Cut, float]:
    """The merging cut and the lone-seed joining cut of a level."""
    if level not in LEVELS:
        raise ValueError(f"level {level} is not one of {LEVELS.start}..{LEVELS.stop - 1}")
    shift = level * LEVEL_STEP
    return Cut(SINGLE_CUT + shift, LOOSEST_CUT + shift, PAIR_CUT + shift), JOIN_CUT + shift


def _cuts(level: int, threshold: float | None) -> tuple[Cut, float | None]:
    """The level's cuts, or ``threshold`` as one size-blind cut and no joining of lone faces."""
    return (Cut(threshold), None) if threshold is not None else cuts_at(level)


def attach_to_groups(vectors: np.ndarray, labels: np.ndarray, seeds: np.ndarray,
                     group_vectors: np.ndarray, group_labels: np.ndarray, *, level: int = 0,
                     threshold: float | None = None, barred: np.ndarray | None = None) -> np.ndarray:
    """The fixed group (a person the user named) each clustered face joins, or -1.

    ``vectors``, ``labels``, ``seeds``: faces as ``cluster_embeddings`` grouped
    them; ``group_vectors`` and ``group_labels`` (ids >= 0): the faces of groups
    that clustering may not change. A cluster joins the group whose average
    linkage to its seeds is the clear nearest, ``JOIN_MARGIN`` below any other
    group's, and that the clustering would have merged it with: under the cut
    for their two sizes (a loose one, above the single-face cut, within
    ``WITHIN_RATIO`` of their own mean pair distances); a lone seed also under
    the lone-seed joining cut (``_adopt_loners``). ``barred``: (m, 2) pairs
    (face index, group id) never joined; a cluster holding such a face stays
    out whole, its faces being one person by the clustering's own account.
    Deterministic; unsorted non-seeds never join.
    """
    joined = np.full(len(labels), UNSORTED, dtype=np.int64)
    if not seeds.any() or len(group_labels) == 0:
        return joined
    cut, join_cut = _cuts(level, threshold)
    units = labels.copy()  # clusters, and each lone face a unit of its own
    units[labels < 0] = labels.max() + 1 + np.arange(np.count_nonzero(labels < 0))
    unit_ids, unit_sizes, unit_means = _cluster_means(vectors[seeds], units[seeds])
    groups, group_sizes, group_means = _cluster_means(group_vectors, np.asarray(group_labels))
    best, nearest, second = _two_nearest_groups(unit_means, group_means)
    merges = _would_merge(nearest, (unit_sizes, unit_means), (group_sizes[best], group_means[best]), cut)
    if join_cut is not None:  # the lone-seed rule
        group_within = _mean_pair_distance(group_sizes, group_means)[best]
        merges |= ((unit_sizes == 1) & (group_sizes[best] > 1) & (nearest < join_cut)
                   & (nearest <= WITHIN_RATIO * group_within))
    attached = merges & (second >= nearest + JOIN_MARGIN)
    face_unit = np.minimum(np.searchsorted(unit_ids, units), len(unit_ids) - 1)
    has_seed = unit_ids[face_unit] == units
    if barred is not None and len(barred):
        face, group = np.asarray(barred, dtype=np.int64).reshape(-1, 2).T
        clashing = has_seed[face] & (groups[best[face_unit[face]]] == group)
        attached[face_unit[face[clashing]]] = False
    wins = has_seed & attached[face_unit]
    joined[wins] = groups[best[face_unit[wins]]]
    return joined


def _two_nearest_groups(unit_means, group_means):
    """Per unit: its nearest group's row, their average linkage and the linkage to the next nearest
    (inf if none); for unit vectors the mean of 2 - 2 x.y over all pairs is 2 - 2 (mean x).(mean y)."""
    best, nearest, second = [], [], []
    for start in range(0, len(unit_means), LONER_BLOCK):
        linkage = 2 - 2 * unit_means[start:start + LONER_BLOCK] @ group_means.T
        rows = np.arange(len(linkage))
        best.append(np.argmin(linkage, axis=1))
        nearest.append(linkage[rows, best[-1]])
        linkage[rows, best[-1]] = np.inf
        second.append(linkage.min(axis=1))
    return np.concatenate(best), np.concatenate(nearest), np.concatenate(second)


def _would_merge(linkage, first, second, cut):
    """Whether average linkage would merge clusters of these (sizes, mean vectors) at ``linkage``
    (``linkage._Merger``; rivals aside: the caller demands a margin): under the cut for their
    sizes and, for a loose merge, within ``WITHIN_RATIO`` of their own mean pair distances."""
    (first_sizes, first_means), (second_sizes, second_means) = first, second
    withins = np.stack([_mean_pair_distance(first_sizes, first_means),
                        _mean_pair_distance(second_sizes, second_means)])
    has_within = np.stack([first_sizes, second_sizes]) > 1
    mean_within = (withins * has_within).sum(axis=0) / np.maximum(has_within.sum(axis=0), 1)
    close_as_within = ~has_within.any(axis=0) | (linkage <= WITHIN_RATIO * mean_within)
    return (linkage < cut.at(first_sizes, second_sizes)) & ((linkage < cut.single) | close_as_within)


def _cluster_means(vectors, labels):
    """Of the labelled faces' clusters: ids, sizes and mean vectors (not normalised)."""
    labelled = np.flatnonzero(labels >= 0)
    clusters, cluster_of, sizes = np.unique(labels[labelled], return_inverse=True, return_counts=True)
    membership = sparse.csr_array((np.ones(len(labelled), dtype=np.float32), (cluster_of, np.arange(len(labelled)))),
                                  shape=(len(clusters), len(labelled)))
    return clusters, sizes, (membership @ vectors[labelled]) / sizes[:, None].astype(np.float32)


def _adopt_loners(vectors, labels, seed_index, candidates, cut):
    """Seeds left alone join, in place, the cluster among their neighbours' whose average
    linkage to them is under ``cut``, ``JOIN_MARGIN`` below the next one's, within
    ``WITHIN_RATIO`` of the cluster's own mean pair distance and that vouches for them
    (``linkage.needs_voucher``).

    Each decides on the clusters as the linkage left them, so the result does not
    depend on the order of the loners.
    """
    clusters, sizes, means = _cluster_means(vectors, labels)
    row_of = np.full(len(labels), -1, dtype=np.int64)  # each face's cluster row, -1 when alone or unsorted
    grouped = labels >= 0
    row_of[grouped] = np.searchsorted(clusters, labels[grouped])
    row_of[grouped] = np.where(sizes[row_of[grouped]] > 1, row_of[grouped], -1)
    loners = seed_index[row_of[seed_index] < 0]
    within = _mean_pair_distance(sizes, means)
    vouched_pairs, has_vouchers = _vouches(candidates, seed_index, row_of, len(clusters))
    for start in range(0, len(loners), LONER_BLOCK):
        block = loners[start:start + LONER_BLOCK]
        options = np.where(candidates[block] >= 0, row_of[candidates[block]], -1)
        linkage = _linkage_to_clusters(vectors[block], options, means)
        best = np.argmin(linkage, axis=1)
        rows = np.arange(len(block))
        best_option = options[rows, best]
        second = np.where(options != best_option[:, None], linkage, np.inf).min(axis=1)
        nearest = linkage[rows, best]
        vouched = (~needs_voucher(nearest, within[best_option]) | ~has_vouchers[block]
                   | np.isin(block * len(clusters) + best_option, vouched_pairs))
        joins = ((nearest < cut) & (second >= nearest + JOIN_MARGIN)
                 & (nearest <= WITHIN_RATIO * within[best_option]) & vouched)
        labels[block[joins]] = clusters[best_option[joins]]


def _vouches(candidates, seed_index, row_of, n_rows):
    """Which faces the clusters vouch for: (face, cluster row) pairs, as
    face * n_rows + row, where a seed of the cluster has the face among its k nearest; and per face,
    whether any seed has it among theirs."""
    targets = candidates[seed_index]
    has_vouchers = np.zeros(len(candidates), dtype=bool)
    has_vouchers[targets[targets >= 0]] = True
    in_cluster = row_of[seed_index] >= 0
    targets, rows = targets[in_cluster], row_of[seed_index[in_cluster]]
    return np.unique(np.where(targets >= 0, targets * n_rows + rows[:, None], -1)), has_vouchers


LONER_BLOCK = 1024  # loners weighed at once: their candidate means take LONER_BLOCK * k * d floats


def _mean_pair_distance(sizes, means):
    """Each cluster's mean squared distance between two of its (unit) faces, from its mean vector:
    n / (n - 1) x (2 - 2 |mean|^2) (0 for a cluster of one)."""
    return sizes / np.maximum(sizes - 1, 1) * (2 - 2 * np.einsum("cd,cd->c", means, means))


def _linkage_to_clusters(faces, options, means):
    """Average linkage of each face to each option's cluster (inf for -1): for unit vectors the
    mean of 2 - 2 x.y over a cluster's faces y is 2 - 2 x.(their mean)."""
    linkage = 2 - 2 * np.einsum("fd,fkd->fk", faces, means[np.maximum(options, 0)])
    return np.where(options >= 0, linkage, np.inf)


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
        labels[face] = vote(choices[None], distances[face][None], threshold).label[0]
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
        labels[face] = vote(choices[None], distances[face][None], threshold).label[0]


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
