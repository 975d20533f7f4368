"""Triplet losses on squared L2 distances of L2-normalised embeddings (FaceNet, eq. 1)."""

from dataclasses import dataclass

import torch

MARGIN = 0.2  # alpha in the paper


@dataclass
class LossResult:
    loss: torch.Tensor  # mean over the mined triplets (0 when there are none)
    active_fraction: float  # share of triplets that still violate the margin
    triplets: int


def triplet_loss(anchors: torch.Tensor, positives: torch.Tensor, negatives: torch.Tensor,
                 margin: float = MARGIN) -> LossResult:
    """mean over triplets of [ |a - p|^2 - |a - n|^2 + margin ]_+ ."""
    if len(anchors) == 0:
        return LossResult(anchors.sum() * 0.0, 0.0, 0)
    positive_distances = (anchors - positives).pow(2).sum(dim=1)
    negative_distances = (anchors - negatives).pow(2).sum(dim=1)
    hinge = torch.relu(positive_distances - negative_distances + margin)
    return LossResult(hinge.mean(), float((hinge > 0).float().mean()), len(anchors))


def harmonic_batch(new: torch.Tensor, old: torch.Tensor, labels: torch.Tensor):
    """The embeddings and labels over which harmonic triplets are mined.

    The paper's appendix trains v2 so that its embeddings can be compared with
    stored v1 ones: triplets mix v1 and v2 embeddings of the batch. Here the
    batch is the union of both versions (v1 fixed, no gradient); the miner
    picks positives and negatives from either version, and ``is_new`` lets the
    caller keep only triplets anchored on a v2 embedding (v1 is never trained).
    """
    embeddings = torch.cat([new, old.detach()])
    both_labels = torch.cat([labels, labels])
    is_new = torch.cat([torch.ones(len(new), dtype=torch.bool, device=new.device),
                        torch.zeros(len(old), dtype=torch.bool, device=new.device)])
    return embeddings, both_labels, is_new
