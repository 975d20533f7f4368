"""Improving recognition in the background: check there is enough to learn from, train a candidate
model on the named people with progress and cancel.

The training package (and torch with it) is imported on the job's thread: it takes seconds, and
the window must not freeze while it loads.
"""

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QThread, Signal

from photoface.errors import PhotofaceError
from photoface.index.torch_import import torch_imported_quietly
from photoface.store.library import Library

from .outcome import report_outcome
from .priority import lower_this_threads_priority

if TYPE_CHECKING:
    from photoface_training.train import TrainConfig


class ReadinessJob(QThread):
    succeeded = Signal(str)  # why there is too little to learn from; "" when there is enough
    failed = Signal(str)

    def __init__(self, library_dir: Path, parent=None):
        super().__init__(parent)
        self.library_dir = Path(library_dir)

    def run(self) -> None:
        report_outcome(self, self._check, "Checking your named faces")

    def _check(self) -> str:
        with torch_imported_quietly():  # the window stays responsive while torch loads
            from photoface_training.improve import check_ready

        with Library.open(self.library_dir) as library:
            try:
                check_ready(library)
            except PhotofaceError as error:
                return error.in_app
        return ""


class ImprovingJob(QThread):
    progress = Signal(int, int)  # epochs done, epochs at most (training may stop earlier)
    succeeded = Signal(object)  # the Improvement; None after a cancel (no candidate is left)
    failed = Signal(str)

    def __init__(self, library_dir: Path, config: "TrainConfig | None", parent=None):
        """``config``: how to train; None: ``library_models.PERSONALISE``."""
        super().__init__(parent)
        self.library_dir = Path(library_dir)
        self.config = config
        self._cancelled = False

    def cancel(self) -> None:
        self._cancelled = True

    def run(self) -> None:
        lower_this_threads_priority()
        report_outcome(self, self._improve, "Improving recognition")

    def _improve(self):
        with torch_imported_quietly():
            from photoface_training.improve import discard, improve
            from photoface_training.library_models import PERSONALISE

        with Library.open(self.library_dir) as library:
            improvement = improve(library, self.config or PERSONALISE, on_epoch=self.progress.emit,
                                  should_stop=lambda: self._cancelled)
        if improvement is not None and self._cancelled:  # cancelled after the last epoch
            discard(improvement)
            return None
        return improvement
