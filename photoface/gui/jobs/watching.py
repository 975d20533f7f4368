"""Watching the library's folders while the app runs; changes arrive as a Qt signal.

The watchdog observer reports on its own threads; the signal crosses to the
GUI thread (a queued connection), where the window hands the paths to the
indexing job.
"""

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from photoface.folders import FolderWatcher


class FolderWatching(QObject):
    changed = Signal(object)  # FolderChanges

    def __init__(self, parent=None):
        super().__init__(parent)
        self.watcher = FolderWatcher(self.changed.emit)

    def watch(self, folders: Iterable[Path]) -> list[Path]:
        return self.watcher.watch(folders)

    def stop(self) -> None:
        self.watcher.stop()
