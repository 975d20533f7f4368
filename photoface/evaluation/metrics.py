"""Detection matching, the LFW verification protocol and identification by the nearest named face."""

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import roc_auc_score

from ..photos.orientation import Box, iou


def match_boxes(truth: list[Box], found: list[Box], min_iou: float = 0.4) -> int:
    """How many true boxes are covered, each by a different found box (greedy by IoU)."""
    candidates = sorted(
        ((iou(t, f), i, j) for i, t in enumerate(truth) for j, f in enumerate(found)), reverse=True
    )
    used_truth, used_found = set(), set()
    for overlap, i, j in candidates:
        if overlap < min_iou:
            break
        if i not in used_truth and j not in used_found:
            used_truth.add(i)
            used_found.add(j)
    return len(used_truth)


@dataclass
class VerificationResult:
    accuracy: float
    accuracy_se: float  # standard error over the folds
    val_at_far: float  # verification rate at FAR = 1e-3
    far: float
    auc: float
    threshold: float  # mean of the per-fold thresholds, on squared L2 distance

    def summary(self) -> str:
        return (f"accuracy {100 * self.accuracy:.2f} +- {100 * self.accuracy_se:.2f} %, "
                f"VAL {100 * self.val_at_far:.2f} % @ FAR {100 * self.far:.3f} %, "
                f"AUC {self.auc:.4f}, threshold {self.threshold:.3f}")


def identification(gallery: np.ndarray, gallery_labels: np.ndarray, probes: np.ndarray,
                   probe_labels: np.ndarray) -> float:
    """Share of probes whose nearest gallery vector (unit vectors: largest dot product) has their label."""
    nearest = np.argmax(probes @ gallery.T, axis=1)
    return float(np.mean(gallery_labels[nearest] == probe_labels))


def verification(distances: np.ndarray, same: np.ndarray, folds: np.ndarray,
                 target_far: float = 1e-3) -> VerificationResult:
    """LFW 10-fold protocol: each fold's threshold is chosen on the other nine."""
    thresholds = np.arange(0.0, 4.0, 0.0025)
    accuracies, chosen, vals, fars = [], [], [], []
    for fold in np.unique(folds):
        train, test = folds != fold, folds == fold
        best = thresholds[np.argmax([_accuracy(distances[train], same[train], t) for t in thresholds])]
        chosen.append(best)
        accuracies.append(_accuracy(distances[test], same[test], best))
        val, far = _val_far(distances, same, train, test, thresholds, target_far)
        vals.append(val)
        fars.append(far)
    accuracies = np.array(accuracies)
    return VerificationResult(
        accuracy=float(accuracies.mean()),
        accuracy_se=float(accuracies.std(ddof=1) / np.sqrt(len(accuracies))),
        val_at_far=float(np.mean(vals)),
        far=float(np.mean(fars)),
        auc=float(roc_auc_score(same, -distances)),
        threshold=float(np.mean(chosen)),
    )


def _accuracy(distances, same, threshold) -> float:
    return float(np.mean((distances < threshold) == same))


def _val_far(distances, same, train, test, thresholds, target_far):
    """Threshold giving FAR = target on the training folds, applied to the test fold."""
    train_far = np.array([np.mean(distances[train][~same[train]] < t) for t in thresholds])
    threshold = thresholds[np.searchsorted(train_far, target_far, side="right") - 1] if train_far[0] <= target_far else 0.0
    accepted = distances[test] < threshold
    return float(np.mean(accepted[same[test]])), float(np.mean(accepted[~same[test]]))
