"""Improving recognition in the background: train a candidate model on the named people, with progress and cancel."""

from pathlib import Path

from PySide6.QtCore import QThread, Signal

from photoface.store.library import Library
from photoface_training.improve import discard, improve
from photoface_training.train import TrainConfig

from .outcome import report_outcome
from .priority import lower_this_threads_priority


class ImprovingJob(QThread):
    progress = Signal(int, int)  # epochs done, epochs at most (training may stop earlier)
    succeeded = Signal(object)  # the Improvement; None after a cancel (no candidate is left)
    failed = Signal(str)

    def __init__(self, library_dir: Path, config: TrainConfig, parent=None):
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
        with Library.open(self.library_dir) as library:
            improvement = improve(library, self.config, on_epoch=self.progress.emit,
                                  should_stop=lambda: self._cancelled)
        if improvement is not None and self._cancelled:  # cancelled after the last epoch
            discard(improvement)
            return None
        return improvement
