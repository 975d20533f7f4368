"""Clustering quality against true identities: pairwise and BCubed precision, recall and F.

Label -1 (unsorted) means "in no cluster": each such face counts as a
cluster of its own, in the prediction and in the truth alike. So leaving a
face unsorted never costs precision and always costs recall if it has a true
mate. Where a denominator is empty (no pairs predicted, or none true) the
score is 1: nothing was claimed wrongly, or nothing could be missed.
"""

import numpy as np


def pairwise_prf(labels_true, labels_pred) -> tuple[float, float, float]:
    """Over all pairs of faces: precision, recall and F1 of "these two are one person"."""
    together, true_sizes, pred_sizes = _contingency(labels_true, labels_pred)
    both = _pairs(together)
    precision = _ratio(both, _pairs(pred_sizes))
    recall = _ratio(both, _pairs(true_sizes))
    return precision, recall, _f1(precision, recall)


def bcubed_prf(labels_true, labels_pred) -> tuple[float, float, float]:
    """Per face, the share of its predicted cluster that is its person (precision) and the
    share of its person in its predicted cluster (recall), averaged over faces; and F1."""
    together, true_of_cell, pred_of_cell, true_sizes, pred_sizes = _cells(labels_true, labels_pred)
    n_faces = together.sum()
    if n_faces == 0:
        return 1.0, 1.0, 1.0
    precision = float(np.sum(together ** 2 / pred_sizes[pred_of_cell]) / n_faces)
    recall = float(np.sum(together ** 2 / true_sizes[true_of_cell]) / n_faces)
    return precision, recall, _f1(precision, recall)


def tiles_per_person(labels_true, labels_pred) -> np.ndarray:
    """Per true person (in order of their label), the number of tiles their faces are spread over:
    the predicted clusters they are in, each of their unsorted faces counting as one."""
    together, true_of_cell, _, _, _ = _cells(labels_true, labels_pred)
    return np.bincount(true_of_cell).astype(np.int64)


def _as_clusters(labels) -> np.ndarray:
    """Cluster ids 0.. with every -1 turned into a cluster of its own."""
    labels = np.asarray(labels)
    ids = np.unique(labels, return_inverse=True)[1].astype(np.int64)
    unsorted = labels == -1
    ids[unsorted] = ids.max(initial=-1) + 1 + np.arange(int(unsorted.sum()))
    return ids


def _cells(labels_true, labels_pred):
    """Sizes of the non-empty (true, predicted) cells with their row and column, and the margins."""
    true_ids, pred_ids = _as_clusters(labels_true), _as_clusters(labels_pred)
    if len(true_ids) != len(pred_ids):
        raise ValueError("labels_true and labels_pred differ in length")
    cells, together = np.unique(np.stack([true_ids, pred_ids]), axis=1, return_counts=True)
    return (together.astype(np.float64), cells[0], cells[1],
            np.bincount(true_ids).astype(np.float64), np.bincount(pred_ids).astype(np.float64))


def _contingency(labels_true, labels_pred):
    together, _, _, true_sizes, pred_sizes = _cells(labels_true, labels_pred)
    return together, true_sizes, pred_sizes


def _pairs(sizes: np.ndarray) -> float:
    return float(np.sum(sizes * (sizes - 1) / 2))


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 1.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
