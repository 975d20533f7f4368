"""Online triplet mining inside a P x K batch (FaceNet, section 3.2).

Every anchor-positive pair of the batch is used. Each gets one negative:

- the hardest *semi-hard* negative, ``d(a,p) < d(a,n) < d(a,p) + margin``
  (the smallest such ``d(a,n)``): still violating the margin, yet farther than
  the positive, so early training cannot collapse to f(x) = 0;
- when no negative is semi-hard (``fallback="hardest"``, the default): the
  hardest negative, ``argmin d(a,n)``, which is the paper's base rule
  ("select x_n such that argmin ||f(a) - f(n)||^2") before its semi-hard
  refinement. If every negative lies beyond the margin this triplet has zero
  loss; otherwise it is a hard one. ``fallback="skip"`` drops the pair
  instead, as the FaceNet authors' public code does.

Ties go to the lowest index. Everything is vectorised over the (pairs x batch)
distance table; ``tests/training/test_miners.py`` checks it against a plain
loop.
"""

import torch

FALLBACKS = ("hardest", "skip")


def pairwise_squared_distances(embeddings: torch.Tensor) -> torch.Tensor:
    """(N, N) squared L2 distances, by differences (exact zeros on the diagonal)."""
    return (embeddings[:, None, :] - embeddings[None, :, :]).pow(2).sum(dim=-1)


def mine_semihard(distances: torch.Tensor, labels: torch.Tensor, margin: float = 0.2,
                  fallback: str = "hardest") -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Anchor, positive and negative indices for all anchor-positive pairs (see the module doc)."""
    if fallback not in FALLBACKS:
        raise ValueError(f"fallback must be one of {FALLBACKS}, not {fallback!r}")
    same = labels[:, None] == labels[None, :]
    not_self = ~torch.eye(len(labels), dtype=torch.bool, device=labels.device)
    anchors, positives = torch.nonzero(same & not_self, as_tuple=True)
    is_negative = ~same[anchors]  # (pairs, N)
    anchor_positive = distances[anchors, positives][:, None]
    anchor_negative = distances[anchors]
    semihard = is_negative & (anchor_negative > anchor_positive) & (anchor_negative < anchor_positive + margin)
    far = torch.full_like(anchor_negative, float("inf"))
    semihard_choice = torch.where(semihard, anchor_negative, far).argmin(dim=1)
    has_semihard = semihard.any(dim=1)
    if fallback == "skip":
        keep = has_semihard
        negatives = semihard_choice
    else:
        keep = is_negative.any(dim=1)
        hardest = torch.where(is_negative, anchor_negative, far).argmin(dim=1)
        negatives = torch.where(has_semihard, semihard_choice, hardest)
    return anchors[keep], positives[keep], negatives[keep]


class SemiHardMiner:
    def __init__(self, margin: float = 0.2, fallback: str = "hardest"):
        self.margin = margin
        self.fallback = fallback

    def __call__(self, embeddings: torch.Tensor, labels: torch.Tensor):
        with torch.no_grad():
            distances = pairwise_squared_distances(embeddings)
        return mine_semihard(distances, labels, self.margin, self.fallback)
