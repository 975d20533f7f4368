"""Embedding heads over the base model's (L2-normalised, centred) 512-d embeddings."""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

INITS = ("pca", "identity", "random")


class LinearHead(nn.Module):
    """x -> normalise(W x + b): a 128-d compact embedding, or a 512-d re-mapping for personalising."""

    def __init__(self, in_dim: int, out_dim: int):
        super().__init__()
        self.linear = nn.Linear(in_dim, out_dim)

    @property
    def in_dim(self) -> int:
        return self.linear.in_features

    @property
    def out_dim(self) -> int:
        return self.linear.out_features

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.linear(features), dim=-1)

    @torch.no_grad()
    def initialise(self, how: str, features: np.ndarray | None = None, seed: int = 0) -> "LinearHead":
        """``pca``: project on the top principal axes of ``features`` (rows); ``identity``:
        start as the base model (in_dim == out_dim); ``random``: PyTorch's default, seeded."""
        if how == "pca":
            if features is None or len(features) < self.out_dim:
                raise ValueError(f"PCA to {self.out_dim}-d needs at least {self.out_dim} feature rows")
            mean = features.mean(axis=0)
            _, _, axes = np.linalg.svd(features - mean, full_matrices=False)
            weight = torch.as_tensor(axes[: self.out_dim], dtype=torch.float32)
            self.linear.weight.copy_(weight)
            self.linear.bias.copy_(-weight @ torch.as_tensor(mean, dtype=torch.float32))
        elif how == "identity":
            if self.in_dim != self.out_dim:
                raise ValueError("an identity head needs out_dim == in_dim")
            self.linear.weight.copy_(torch.eye(self.in_dim))
            self.linear.bias.zero_()
        elif how == "random":
            generator = torch.Generator().manual_seed(seed)
            bound = 1 / self.in_dim ** 0.5
            self.linear.weight.uniform_(-bound, bound, generator=generator)
            self.linear.bias.uniform_(-bound, bound, generator=generator)
        else:
            raise ValueError(f"head init must be one of {INITS}, not {how!r}")
        return self
