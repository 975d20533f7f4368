"""Re-clustering people in the background (after indexing), on its own connection."""

from pathlib import Path

from PySide6.QtCore import QThread, Signal

from photoface.library_settings import cluster_level
from photoface.people.recluster import recluster
from photoface.store.library import Library

from .outcome import report_outcome
from .priority import lower_this_threads_priority


class ClusteringJob(QThread):
    succeeded = Signal(object)  # the ClusterReport
    failed = Signal(str)

    def __init__(self, library_dir: Path, parent=None):
        super().__init__(parent)
        self.library_dir = Path(library_dir)

    def run(self) -> None:
        lower_this_threads_priority()
        report_outcome(self, self._group, "Grouping people")

    def _group(self):
        with Library.open(self.library_dir) as library:
            return recluster(library, level=cluster_level(library))
