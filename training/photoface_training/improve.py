"""Improve recognition (issue #5, in the app): learn from the people the user named.

``improve`` fine-tunes a head over the original model on the confirmed faces of
named people (``library_models.PERSONALISE``: harmonic, so new vectors stay
comparable with stored ones), holding some photos of each person out, and
measures on those held-out faces how well names are recognised before and
after. The result is a candidate in the library's ``models/candidate`` folder:
``keep`` makes it the library's model, ``discard`` deletes it and nothing else.
"""

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from photoface.embed.heads import MODELS_FOLDER
from photoface.evaluation.metrics import identification
from photoface.store.library import Library

from . import checkpoints
from .active import original_model, use_head
from .data import FaceSet
from .library_models import PERSONALISE, fit_named_faces, named_faces_split
from .train import TrainConfig

HELD_OUT = 0.25  # share of each person's photos measured on, never trained on
CANDIDATE_FOLDER = "candidate"


@dataclass
class Figures:
    """How well a model recognises the held-out faces."""

    identification: float  # share whose nearest face of a named person (trained-on ones) is the same person
    verification: float  # pairs of held-out faces rightly told same or different (NaN with no same-person pair)


@dataclass
class Improvement:
    checkpoint: Path  # the candidate's best epoch (epoch 0, the original model, when training did not help)
    before: Figures
    after: Figures
    people: int
    held_out_faces: int

    @property
    def better(self) -> bool:
        return self.after.identification > self.before.identification or (
            self.after.identification == self.before.identification
            and self.after.verification > self.before.verification)


def check_ready(library: Library) -> None:
    """Raise a PhotofaceError saying what is missing when there are too few named faces to learn from."""
    named_faces_split(library, original_model(library), HELD_OUT, PERSONALISE.seed)


def improve(library: Library, config: TrainConfig = PERSONALISE,
            on_epoch: Callable[[int, int], None] | None = None,
            should_stop: Callable[[], bool] = lambda: False) -> Improvement | None:
    """Train a candidate model on the named faces; None when ``should_stop`` stopped it (nothing is left)."""
    train, held = named_faces_split(library, original_model(library), HELD_OUT, config.seed)
    folder = library.folder / MODELS_FOLDER / CANDIDATE_FOLDER
    shutil.rmtree(folder, ignore_errors=True)  # an earlier candidate nobody decided about
    result = fit_named_faces(train, held, config, folder, show_progress=False,
                             on_epoch=on_epoch, should_stop=should_stop)
    if result.stopped:
        shutil.rmtree(folder, ignore_errors=True)
        return None
    checkpoint = checkpoints.load(folder / "best.pt")
    before = Figures(_identification(train, held), result.history[0]["val_accuracy"])
    after = Figures(_identification(train, held, checkpoint), result.best_val_accuracy)
    return Improvement(folder / "best.pt", before, after, len(set(train.labels.tolist())), len(held))


def keep(library: Library, improvement: Improvement) -> int:
    """Recognise with the candidate from now on; returns how many faces it embedded."""
    count = use_head(library, improvement.checkpoint)
    discard(improvement)  # the library has its own copy now
    return count


def discard(improvement: Improvement) -> None:
    shutil.rmtree(improvement.checkpoint.parent, ignore_errors=True)


def _identification(train: FaceSet, held: FaceSet, checkpoint: checkpoints.Checkpoint | None = None) -> float:
    """Each held-out face named after its nearest trained-on face: the share named right."""
    gallery, probes = train.features[:, 0], held.features[:, 0]
    if checkpoint is not None:
        gallery, probes = checkpoint.embed_features(gallery), checkpoint.embed_features(probes)
    return identification(gallery, train.labels, probes, held.labels)
