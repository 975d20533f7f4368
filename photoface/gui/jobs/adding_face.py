"""Adding a face the user drew, in the background: aligning and embedding it loads torch."""

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QThread, Signal

from photoface.index.drawn import add_face
from photoface.index.torch_import import torch_imported_quietly
from photoface.photos.orientation import Box
from photoface.store.library import Library

from .outcome import report_outcome
from .priority import lower_this_threads_priority

if TYPE_CHECKING:
    from photoface.embed.models import Embedder


class AddFaceJob(QThread):
    succeeded = Signal(object)  # the AddedFace
    failed = Signal(str)

    def __init__(self, library_dir: Path, photo: str, box: Box, name: str | None,
                 embedder: "Embedder | None", parent=None):
        """``embedder``: the window's, once an indexing job loaded it; else the job loads one (seconds)."""
        super().__init__(parent)
        self.library_dir = Path(library_dir)
        self.photo, self.box, self.name, self.embedder = photo, box, name, embedder

    def run(self) -> None:
        lower_this_threads_priority()
        report_outcome(self, self._add, "Adding the face")

    def _add(self):
        with Library.open(self.library_dir) as library, torch_imported_quietly():  # the window stays responsive
            return add_face(library, self.photo, self.box, self.name, self.embedder)
