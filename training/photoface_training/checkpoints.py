"""Checkpoint files: what a trained model is and how to load it for embedding."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from photoface.errors import PhotofaceError

from .heads import LinearHead

FORMAT = "photoface-training/1"


@dataclass
class Checkpoint:
    head: LinearHead
    base_model_id: str  # the model whose embeddings the head maps
    trunk_state: dict | None  # the trained trunk parameters, when training went past the head
    config: dict
    epoch: int
    raw: dict  # everything saved, for resuming

    @property
    def model_id(self) -> str:
        """A stable id for the library: base model, output size and a digest of the weights."""
        digest = hashlib.sha256()
        for tensor in list(self.head.state_dict().values()) + list((self.trunk_state or {}).values()):
            digest.update(tensor.detach().cpu().numpy().tobytes())
        return f"{self.base_model_id}+{self.head.out_dim}d-{digest.hexdigest()[:8]}"

    @property
    def description(self) -> str:
        depth = self.config.get("depth", "head")
        return (f"{self.head.out_dim}-d embedding fine-tuned with the triplet loss over {self.base_model_id} "
                f"(depth {depth}, epoch {self.epoch})")

    def embed_features(self, features: np.ndarray) -> np.ndarray:
        """Base-model embeddings (N, in_dim) -> this model's (N, out_dim) unit vectors."""
        if self.trunk_state is not None:
            raise PhotofaceError("This checkpoint retrained the face network itself: it needs face crops, not "
                                 "stored embeddings (see photoface_training.evaluate.checkpoint_vectors).")
        return self.apply_head(features)

    @torch.no_grad()
    def apply_head(self, features: np.ndarray) -> np.ndarray:
        """The head over embeddings (N, in_dim) of this checkpoint's own network (the base one,
        or for a checkpoint that retrained it, the retrained one)."""
        return self.head(torch.as_tensor(np.asarray(features), dtype=torch.float32)).numpy()


def save(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    torch.save({"format": FORMAT, **payload}, temporary)
    temporary.replace(path)  # a reader never sees half a checkpoint


def load(path: Path) -> Checkpoint:
    path = Path(path)
    try:
        raw = torch.load(path, map_location="cpu", weights_only=True)
    except (OSError, RuntimeError, EOFError) as error:
        raise PhotofaceError(f"Cannot read the checkpoint {path}: {error}") from error
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise PhotofaceError(f"{path} is not a photoface training checkpoint")
    in_dim, out_dim = raw["head"]["linear.weight"].shape[1], raw["head"]["linear.weight"].shape[0]
    head = LinearHead(in_dim, out_dim)
    head.load_state_dict(raw["head"])
    return Checkpoint(head.eval(), raw["base_model_id"], raw.get("trunk"), raw["config"], raw["epoch"], raw)
