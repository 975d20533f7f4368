"""Improve recognition (issue #5, in the app): learn from the people the user named.

``improve`` fine-tunes a head over the original model on the confirmed faces of
named people (``library_models.PERSONALISE``: harmonic, so new vectors stay
comparable with stored ones), holding some photos of each person out, and
measures on those held-out faces how well names are recognised before and
after. The epoch is chosen on another share of the photos, so the figures
shown are not flattered by that choice. The result is a candidate in the library's ``models/candidate`` folder:
``keep`` makes it the library's model, ``discard`` deletes it and nothing else.
"""

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from photoface.evaluation.metrics import identification
from photoface.face_model import MODELS_FOLDER, original_model
from photoface.store.library import Library

from . import checkpoints
from .active import use_head
from .data import FaceSet, split_by_photo
from .heads import LinearHead
from .library_models import PERSONALISE, fit_named_faces, named_faces_split
from .train import TrainConfig, embed, validation_accuracy

HELD_OUT = 0.25  # share of each person's photos measured on, never trained on; as much again chooses the epoch
CANDIDATE_FOLDER = "candidate"


@dataclass
class Figures:
    """How well a model recognises the held-out faces."""

    identification: float  # share whose nearest other named face is of the same person
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
    named, held = named_faces_split(library, original_model(library), HELD_OUT, config.seed)
    train, val = split_by_photo(named, HELD_OUT, config.seed)
    folder = library.folder / MODELS_FOLDER / CANDIDATE_FOLDER
    shutil.rmtree(folder, ignore_errors=True)  # an earlier candidate nobody decided about
    result = fit_named_faces(train, val, config, folder, show_progress=False,
                             on_epoch=on_epoch, should_stop=should_stop)
    if result.stopped:
        shutil.rmtree(folder, ignore_errors=True)
        return None
    checkpoint = checkpoints.load(folder / "best.pt")
    original = LinearHead(checkpoint.head.in_dim, checkpoint.head.in_dim).initialise("identity")
    before, after = (_figures(named, held, head) for head in (original, checkpoint.head))
    return Improvement(folder / "best.pt", before, after, len(set(named.labels.tolist())), len(held))


def keep(library: Library, improvement: Improvement) -> int:
    """Recognise with the candidate from now on; returns how many faces it embedded."""
    count = use_head(library, improvement.checkpoint)
    discard(improvement)  # the library has its own copy now
    return count


def discard(improvement: Improvement) -> None:
    shutil.rmtree(improvement.checkpoint.parent, ignore_errors=True)


@torch.no_grad()
def _figures(named: FaceSet, held: FaceSet, head: LinearHead) -> Figures:
    """Each held-out face named after its nearest other named face, and held-out pairs told apart."""
    gallery, probes = (embed(head, None, faces) for faces in (named, held))
    return Figures(identification(gallery, named.labels, probes, held.labels),
                   validation_accuracy(head, None, held))
