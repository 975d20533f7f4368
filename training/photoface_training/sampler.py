"""P x K batches: P identities, K faces of each (FaceNet's "around 40 faces per identity")."""

import math

import numpy as np


class PKSampler:
    """Index batches of ``p`` identities x up to ``k`` faces, reproducible from ``seed`` and the epoch.

    Identities with a single face are never drawn (they give no positive).
    An epoch has as many batches as it takes to draw about every face once.
    """

    def __init__(self, labels: np.ndarray, p: int, k: int, seed: int = 0):
        if p < 2 or k < 2:
            raise ValueError("a P x K batch needs p >= 2 identities and k >= 2 faces each")
        self.labels = np.asarray(labels)
        self.p, self.k, self.seed = p, k, seed
        identities, counts = np.unique(self.labels, return_counts=True)
        self.members = {int(i): np.flatnonzero(self.labels == i) for i in identities[counts >= 2]}
        if len(self.members) < 2:
            raise ValueError("training needs at least 2 identities with 2 or more faces each")

    def batches_per_epoch(self) -> int:
        return max(1, math.ceil(len(self.labels) / (self.p * self.k)))

    def epoch(self, epoch: int) -> list[np.ndarray]:
        rng = np.random.default_rng([self.seed, epoch])
        identities = np.array(sorted(self.members))
        batches = []
        for _ in range(self.batches_per_epoch()):
            chosen = rng.choice(identities, size=min(self.p, len(identities)), replace=False)
            batches.append(np.concatenate([
                rng.choice(self.members[int(i)], size=min(self.k, len(self.members[int(i)])), replace=False)
                for i in chosen
            ]))
        return batches
