"""The training loop: P x K batches, online semi-hard mining, triplet loss, early stopping.

Depth ``head`` trains only a head over cached embeddings of augmented views
(minutes on a laptop CPU); ``last`` also trains the network's last block and
bottleneck over the cached output of the layers before them for augmented
views (``trunk``), ``whole`` every layer from face crops with random crops and
mirroring. Batch-norm statistics stay frozen (batches of ~40 faces are too
small to re-estimate them), and dropout is off.

Every epoch appends a row to ``log.csv``, redraws ``curves.png`` and writes
``last.pt``; ``best.pt`` is the epoch with the best validation score (the
verification accuracy; for a harmonic v2 the mean of its v2-v2 and v1-v2
accuracy), where epoch 0 is the untrained start, so training that does not
help is never kept.
"""

import csv
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from photoface.errors import PhotofaceError
from photoface.evaluation.metrics import verification

from . import checkpoints
from .data import FaceSet, centre_crops, random_crops
from .heads import LinearHead
from .losses import MARGIN, harmonic_batch, triplet_loss
from .miners import SemiHardMiner
from .sampler import PKSampler
from .trunk import Trunk, training_device

DEPTHS = ("head", "last", "whole")
OPTIMIZERS = ("adagrad", "adam", "sgd")
# val_accuracy: v2-v2; val_v1_v2_accuracy: harmonic runs only (NaN otherwise); val_score chooses the epoch
LOG_COLUMNS = ("epoch", "loss", "active_fraction", "triplets", "val_accuracy", "val_v1_v2_accuracy", "val_score",
               "seconds")
PANELS = (("triplet loss", {"loss": None}), ("active triplets", {"active_fraction": None}),
          ("validation accuracy", {"val_accuracy": "v2-v2", "val_v1_v2_accuracy": "v1-v2"}))


@dataclass
class TrainConfig:
    out_dim: int = 128
    init: str = "pca"  # pca | identity | random (heads.LinearHead.initialise)
    depth: str = "head"
    optimizer: str = "adagrad"
    lr: float = 0.05  # the paper's AdaGrad rate
    trunk_lr: float | None = None  # the retrained layers' rate (None: lr); pretrained layers want small steps
    weight_decay: float = 0.0
    epochs: int = 30
    p: int = 10  # identities per batch
    k: int = 6  # faces per identity
    margin: float = MARGIN
    fallback: str = "hardest"  # miners.mine_semihard
    patience: int = 8  # stop after this many epochs without a better validation accuracy (0: never)
    seed: int = 0
    harmonic: str | None = None  # "base" or a v1 checkpoint: train v2 comparable with v1 (losses.harmonic_batch)
    device: str = "auto"  # auto: a CUDA GPU when there is one, else the CPU (trunk.training_device)


@dataclass
class FitResult:
    best_epoch: int
    best_val_accuracy: float  # v2-v2 at the best epoch (its val_score is in history[best_epoch])
    history: list[dict] = field(default_factory=list)
    out_dir: Path | None = None
    stopped: bool = False  # should_stop said so before the last epoch


def fit(train: FaceSet, val: FaceSet | None, config: TrainConfig, out_dir: Path, *,
        embedder=None, resume: bool = False, show_progress: bool = True,
        on_epoch: Callable[[int, int], None] | None = None,
        should_stop: Callable[[], bool] = lambda: False) -> FitResult:
    """Train per ``config``; writes the log, plot and checkpoints into ``out_dir``.

    ``on_epoch(epoch, epochs)`` follows progress; ``should_stop`` is asked before each epoch.
    """
    _check(config, train, embedder)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(config.seed)
    device = training_device(config.device)
    head = LinearHead(train.features.shape[2], config.out_dim).initialise(
        config.init, train.features.reshape(-1, train.features.shape[2]), config.seed).to(device)
    trunk = None if config.depth == "head" else Trunk(embedder, config.depth).to(device)
    groups = [{"params": list(head.parameters())}]
    if trunk is not None:
        groups.append({"params": [p for p in trunk.parameters() if p.requires_grad],
                       "lr": config.lr if config.trunk_lr is None else config.trunk_lr})
    optimizer = _optimizer(config, groups)
    old_embeddings = _v1_embedder(config, train)
    state = {"history": [], "best": -1.0, "best_epoch": 0, "start": 1}
    if resume and (out_dir / "last.pt").is_file():
        _restore(out_dir / "last.pt", head, trunk, optimizer, state)
    else:
        scores = _validate(head, trunk, val, old_embeddings)
        _record(out_dir, state, {"epoch": 0, "loss": float("nan"), "active_fraction": float("nan"),
                                 "triplets": 0, **scores, "seconds": 0.0})
        _save(out_dir, "best.pt", head, trunk, optimizer, config, train.model_id, 0, state)
        state.update(best=scores["val_score"])
    sampler = PKSampler(train.labels, config.p, config.k, config.seed)
    miner = SemiHardMiner(config.margin, config.fallback)
    stopped = False
    for epoch in range(state["start"], config.epochs + 1):
        if should_stop():
            stopped = True
            break
        started = time.perf_counter()
        rng = np.random.default_rng([config.seed, epoch, 1])
        losses, actives, triplets = [], [], 0
        for batch in tqdm(sampler.epoch(epoch), desc=f"epoch {epoch}/{config.epochs}", leave=False,
                          disable=not show_progress):
            result = _step(head, trunk, optimizer, miner, train, batch, rng, config, old_embeddings)
            if result.triplets:
                losses.append(result.loss.item())
                actives.append(result.active_fraction)
                triplets += result.triplets
        scores = _validate(head, trunk, val, old_embeddings)
        _record(out_dir, state, {"epoch": epoch, "loss": _mean(losses), "active_fraction": _mean(actives),
                                 "triplets": triplets, **scores, "seconds": round(time.perf_counter() - started, 2)})
        if scores["val_score"] > state["best"]:
            state.update(best=scores["val_score"], best_epoch=epoch)
            _save(out_dir, "best.pt", head, trunk, optimizer, config, train.model_id, epoch, state)
        _save(out_dir, "last.pt", head, trunk, optimizer, config, train.model_id, epoch, state)
        if on_epoch:
            on_epoch(epoch, config.epochs)
        if config.patience and epoch - state["best_epoch"] >= config.patience:
            break
    plot_history(state["history"], out_dir / "curves.png")
    best_accuracy = state["history"][state["best_epoch"]]["val_accuracy"]
    return FitResult(state["best_epoch"], best_accuracy, state["history"], out_dir, stopped)


def _step(head, trunk, optimizer, miner, train: FaceSet, batch, rng, config, old_embeddings):
    """One optimiser step on one P x K batch (a random cached view per face, or a random crop)."""
    device = head.linear.weight.device
    if config.depth == "whole":
        embeddings = head(trunk(random_crops(train.crops[batch], rng)))
    else:
        inputs = _training_inputs(train, config.depth)
        views = rng.integers(0, inputs.shape[1], size=len(batch))
        chosen = torch.as_tensor(inputs[batch, views])
        embeddings = head(chosen.to(device) if trunk is None else trunk(chosen))
    labels = torch.as_tensor(train.labels[batch], device=device)
    if old_embeddings is not None:  # depth "head" or "last" (_check): views is set
        # v1 reads the view v2 reads, or at depth "last" (views of another kind) its un-augmented one
        old = old_embeddings(torch.as_tensor(train.v1_inputs[batch, views if trunk is None else 0])).to(device)
        embeddings, labels, is_new = harmonic_batch(embeddings, old, labels)
    anchors, positives, negatives = miner(embeddings.detach(), labels)
    if old_embeddings is not None:  # triplets of v1 embeddings alone teach v2 nothing
        keep = is_new[anchors] | is_new[positives] | is_new[negatives]
        anchors, positives, negatives = anchors[keep], positives[keep], negatives[keep]
    result = triplet_loss(embeddings[anchors], embeddings[positives], embeddings[negatives], config.margin)
    if result.triplets:
        optimizer.zero_grad()
        result.loss.backward()
        optimizer.step()
    return result


def checkpoint_embeddings(checkpoint: checkpoints.Checkpoint, faces: FaceSet, embedder=None) -> np.ndarray:
    """A saved model's un-augmented embedding of ``faces`` (``embedder``: the base model, for one
    that retrained the network)."""
    trunk = None
    if checkpoint.trunk_state is not None:
        trunk = Trunk(embedder, checkpoint.config.get("depth", "head"), checkpoint.trunk_state)
    return embed(checkpoint.head, trunk, faces)


@torch.no_grad()
def embed(head: LinearHead, trunk: Trunk | None, faces: FaceSet) -> np.ndarray:
    """The un-augmented embedding of every face (view 0, or the centre crop through the trunk)."""
    if trunk is None:
        return head(torch.as_tensor(faces.features[:, 0]).to(head.linear.weight.device)).cpu().numpy()
    inputs = faces.activations[:, 0] if trunk.depth == "last" else centre_crops(faces.crops)
    parts = [head(trunk(inputs[start : start + 32])).cpu() for start in range(0, len(faces), 32)]
    return torch.cat(parts).numpy() if parts else np.zeros((0, head.out_dim), np.float32)


def _training_inputs(faces: FaceSet, depth: str) -> np.ndarray:
    """What a depth trains on: (N, V, ...) cached views, or (N, ...) crops at depth "whole"."""
    return {"head": faces.features, "last": faces.activations, "whole": faces.crops}[depth]


def _validate(head, trunk, val: FaceSet | None, old_embeddings: Callable | None) -> dict:
    """The log's validation columns. A harmonic v2 is for matching stored v1 faces as well as its own,
    so its epoch is chosen on the mean of v2-v2 and v1-v2 accuracy: v2-v2 alone can favour an epoch
    that has drifted away from v1."""
    accuracy = validation_accuracy(head, trunk, val)
    if old_embeddings is None:
        return {"val_accuracy": accuracy, "val_v1_v2_accuracy": float("nan"), "val_score": accuracy}
    cross = validation_accuracy(head, trunk, val, v1=old_embeddings)
    return {"val_accuracy": accuracy, "val_v1_v2_accuracy": cross, "val_score": (accuracy + cross) / 2}


def validation_accuracy(head, trunk, val: FaceSet | None, seed: int = 0, v1: Callable | None = None) -> float:
    """Verification accuracy (10-fold protocol) over every same-identity pair of ``val`` and as
    many different-identity pairs drawn at random (NaN without a validation set). With ``v1``
    (``_v1_embedder``), the v1-v2 figure: each pair's first face by v1, the second by v2."""
    if val is None or len(np.unique(val.labels)) == len(val):  # no same-identity pair to verify
        return float("nan")
    embeddings = embed(head, trunk, val)
    if v1 is None:
        return float(pair_verification(embeddings, val.labels, seed=seed).accuracy)
    old = v1(torch.as_tensor(val.v1_inputs[:, 0])).numpy()
    return float(pair_verification(old, val.labels, other=embeddings, seed=seed).accuracy)


def pair_verification(embeddings: np.ndarray, labels: np.ndarray, other: np.ndarray | None = None,
                      seed: int = 0):
    """The LFW protocol over pairs of a labelled set; ``other`` (a second version of the same
    faces' embeddings) gives the cross-version figure: first face from one, second from the other."""
    first, second = np.triu_indices(len(labels), k=1)
    same = labels[first] == labels[second]
    rng = np.random.default_rng(seed)
    negatives = np.flatnonzero(~same)
    chosen = np.concatenate([np.flatnonzero(same), rng.choice(negatives, size=min(same.sum(), len(negatives)),
                                                               replace=False)])
    first, second, same = first[chosen], second[chosen], same[chosen]
    other = embeddings if other is None else other
    distances = np.sum((embeddings[first] - other[second]) ** 2, axis=1)
    folds = rng.permutation(len(chosen)) % min(10, len(chosen))
    return verification(distances, same, folds)


def _v1_embedder(config: TrainConfig, train: FaceSet) -> Callable | None:
    """For harmonic training: inputs -> the stored v1 embeddings of the same faces."""
    if config.harmonic is None:
        return None
    if config.harmonic == "base":
        if config.out_dim != train.v1_inputs.shape[2]:
            raise PhotofaceError(f"Harmonic training against the base model needs --dim {train.v1_inputs.shape[2]}")
        return lambda inputs: inputs
    v1 = checkpoints.load(Path(config.harmonic))
    if v1.head.out_dim != config.out_dim or v1.base_model_id != train.model_id:
        raise PhotofaceError(f"{config.harmonic} makes {v1.head.out_dim}-d embeddings of {v1.base_model_id}; "
                             f"v2 makes {config.out_dim}-d embeddings of {train.model_id}")
    return lambda inputs: torch.as_tensor(v1.embed_features(inputs.numpy()))


def _check(config: TrainConfig, train: FaceSet, embedder) -> None:
    if config.depth not in DEPTHS:
        raise PhotofaceError(f"depth must be one of {DEPTHS}, not {config.depth!r}")
    if config.optimizer not in OPTIMIZERS:
        raise PhotofaceError(f"optimizer must be one of {OPTIMIZERS}, not {config.optimizer!r}")
    if config.depth != "head" and (_training_inputs(train, config.depth) is None or embedder is None):
        what = "the cached output of its frozen layers" if config.depth == "last" else "face crops"
        raise PhotofaceError(f"depth {config.depth!r} retrains the network: it needs {what} "
                             "(from a folder of photos, not a library) and the embedder")
    if config.depth == "whole" and config.harmonic:
        raise PhotofaceError("harmonic training is implemented for depths 'head' and 'last'")
    if len(np.unique(train.labels)) < 2:
        raise PhotofaceError("Training needs faces of at least 2 named people")


def _optimizer(config: TrainConfig, parameters) -> torch.optim.Optimizer:
    if config.optimizer == "adagrad":
        return torch.optim.Adagrad(parameters, lr=config.lr, weight_decay=config.weight_decay)
    if config.optimizer == "adam":
        return torch.optim.Adam(parameters, lr=config.lr, weight_decay=config.weight_decay)
    return torch.optim.SGD(parameters, lr=config.lr, momentum=0.9, weight_decay=config.weight_decay)


def _save(out_dir, name, head, trunk, optimizer, config, base_model_id, epoch, state) -> None:
    checkpoints.save(out_dir / name, {
        "base_model_id": base_model_id,
        "config": asdict(config),
        "epoch": epoch,
        "head": _on_cpu(head.state_dict()),
        "trunk": _on_cpu(trunk.trained_state()) if trunk else None,
        "optimizer": optimizer.state_dict(),
        "history": state["history"],
        "best": state["best"],
        "best_epoch": state["best_epoch"],
    })


def _on_cpu(state: dict) -> dict:
    """Checkpoints hold CPU tensors: one trained on a GPU loads anywhere."""
    return {name: tensor.cpu() for name, tensor in state.items()}


def _restore(path: Path, head, trunk, optimizer, state) -> None:
    saved = checkpoints.load(path).raw
    head.load_state_dict(saved["head"])
    if trunk is not None:
        trunk.network.load_state_dict(saved["trunk"], strict=False)
    optimizer.load_state_dict(saved["optimizer"])
    state.update(history=saved["history"], best=saved["best"], best_epoch=saved["best_epoch"],
                 start=saved["epoch"] + 1)


def _record(out_dir: Path, state: dict, row: dict) -> None:
    state["history"].append(row)
    with open(out_dir / "log.csv", "w", newline="") as file:
        writer = csv.DictWriter(file, LOG_COLUMNS)
        writer.writeheader()
        writer.writerows(state["history"])


def plot_history(history: list[dict], path: Path) -> None:
    """Loss, share of active triplets and validation accuracy per epoch, one panel each (v2-v2, and
    v1-v2 for a harmonic run)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    epochs = [row["epoch"] for row in history]
    figure, axes = pyplot.subplots(1, 3, figsize=(12, 3.2))
    for axis, (title, curves) in zip(axes, PANELS):
        for key, label in curves.items():
            values = [row.get(key, float("nan")) for row in history]  # rows from before v1-v2 was logged lack it
            if not np.isnan(values).all():  # v1-v2: harmonic runs only
                axis.plot(epochs, values, marker=".", label=label)
        if len(axis.get_lines()) > 1:
            axis.legend()
        axis.set_title(title)
        axis.set_xlabel("epoch")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    pyplot.close(figure)


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else float("nan")
