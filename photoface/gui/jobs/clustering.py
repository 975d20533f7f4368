"""Re-clustering people in the background (after indexing), on its own connection."""

import logging
from pathlib import Path

from PySide6.QtCore import QThread, Signal

from photoface.errors import PhotofaceError
from photoface.people.recluster import recluster
from photoface.store.library import Library

from .priority import lower_this_threads_priority

log = logging.getLogger(__name__)


class ClusteringJob(QThread):
    succeeded = Signal(object)  # the ClusterReport
    failed = Signal(str)

    def __init__(self, library_dir: Path, parent=None):
        super().__init__(parent)
        self.library_dir = Path(library_dir)

    def run(self) -> None:
        lower_this_threads_priority()
        try:
            with Library.open(self.library_dir) as library:
                self.succeeded.emit(recluster(library))
        except PhotofaceError as error:
            self.failed.emit(str(error))
        except Exception as error:  # a worker thread must report, never die silently
            log.exception("grouping people failed")
            self.failed.emit(f"Grouping people stopped on an unexpected error: {error}")
