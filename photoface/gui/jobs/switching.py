"""Switching the library's face model in the background: to an improved one (every face gets its
vector) or back to the original."""

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QThread, Signal

from photoface.face_model import go_back
from photoface.store.library import Library

from .outcome import report_outcome
from .priority import lower_this_threads_priority

if TYPE_CHECKING:
    from photoface_training.improve import Improvement


class ModelSwitchJob(QThread):
    succeeded = Signal(str)  # what changed, for the user
    failed = Signal(str)

    def __init__(self, library_dir: Path, improvement: "Improvement | None", parent=None):
        """``improvement``: the candidate to use; None goes back to the original model."""
        super().__init__(parent)
        self.library_dir = Path(library_dir)
        self.improvement = improvement

    def run(self) -> None:
        lower_this_threads_priority()
        report_outcome(self, self._switch, "Changing the face model")

    def _switch(self) -> str:
        from photoface_training.improve import keep  # on this thread: it loads torch

        with Library.open(self.library_dir) as library:
            if self.improvement is None:
                go_back(library)
                return "Recognition uses the original face model again."
            faces = keep(library, self.improvement)
        return f"Recognition now uses the improved model ({faces:,} faces updated)."
