"""Indexing folders in the background, with progress, pause, resume and cancel.

The worker thread opens its own ``Library``: an SQLite connection belongs to
the thread that made it. Pausing blocks the indexer where it asks
``should_stop`` (between photos, no transaction open), so resuming goes on
exactly where it stopped; cancelling makes ``should_stop`` answer yes, and
what is stored stays stored (indexing is incremental). New faces join people
as they are stored, and the faces are grouped at checkpoints
(``people.incremental``): ``people_changed`` tells the window to show them.
"""

import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QThread, Signal

from photoface.index.options import IndexOptions
from photoface.library_settings import cluster_level
from photoface.people.incremental import PeopleAsIndexed
from photoface.store.library import Library

from .outcome import report_outcome
from .priority import lower_this_threads_priority

if TYPE_CHECKING:  # torch loads in the job's thread, so the window opens at once
    from photoface.embed.models import Embedder

RATE_WINDOW_S = 30.0  # the speed shown is that of the last half minute


class IndexingJob(QThread):
    stage = Signal(str)  # what it is doing before photos are counted
    progress = Signal(int, int)  # photos done, photos in total
    succeeded = Signal(object)  # the IndexReport; report.interrupted after a cancel
    failed = Signal(str)  # a message for the user
    people_changed = Signal()  # faces joined people, or a checkpoint grouped them

    def __init__(self, library_dir: Path, roots: Sequence[Path], embedder: "Embedder | None" = None,
                 parent=None, options: IndexOptions | None = None):
        super().__init__(parent)
        self.library_dir = Path(library_dir)
        self.roots = [Path(root) for root in roots]
        self.options = options or IndexOptions()
        # Loaded here when None or of another model; reuse it for the next job.
        self.embedder = embedder if embedder and embedder.model_id == self.options.model_id else None
        self._may_run = threading.Event()
        self._may_run.set()
        self._cancelled = False

    @property
    def paused(self) -> bool:
        return not self._may_run.is_set()

    def pause(self) -> None:
        self._may_run.clear()

    def resume(self) -> None:
        self._may_run.set()

    def cancel(self) -> None:
        self._cancelled = True
        self._may_run.set()  # a paused worker wakes up to stop

    def run(self) -> None:
        lower_this_threads_priority()
        report_outcome(self, self._index, "Indexing")

    def _index(self):
        from photoface.index.pipeline import Indexer

        self.stage.emit("Looking for photos…")
        with Library.open(self.library_dir) as library:
            people = PeopleAsIndexed(library, changed=self.people_changed.emit, level=cluster_level(library))
            # The indexer loads the models (torch) on a thread of its own once a photo needs them: a scan
            # that finds nothing new never loads them, and the window stays responsive while they load.
            indexer = Indexer(library, self.options, embedder=self.embedder, on_stored=people.faces_stored)
            try:
                return indexer.run(self.roots, progress=self.progress.emit, should_stop=self._should_stop)
            finally:
                self.embedder = indexer.loaded_embedder  # kept by the window for the next job

    def _should_stop(self) -> bool:
        self._may_run.wait()
        return self._cancelled


@dataclass
class ProgressMeter:
    """Turns (done, total) samples into "Indexing 1,234 / 20,000 photos - 6.1 photos/s - 3 min left"."""

    window_s: float = RATE_WINDOW_S

    def __post_init__(self):
        self._samples: deque[tuple[float, int]] = deque()

    def restart(self) -> None:
        """Forget the speed (after a pause, the time paused is no speed)."""
        self._samples.clear()

    def text(self, done: int, total: int, now: float | None = None) -> str:
        now = time.monotonic() if now is None else now
        self._samples.append((now, done))
        while now - self._samples[0][0] > self.window_s and len(self._samples) > 2:
            self._samples.popleft()
        parts = [f"Indexing {done:,} / {total:,} photos"]
        rate = self._rate()
        if rate:
            parts += [f"{rate:.1f} photos/s", f"{_duration(max(total - done, 0) / rate)} left"]
        return " - ".join(parts)

    def _rate(self) -> float | None:
        (start, first), (end, last) = self._samples[0], self._samples[-1]
        if end - start < 1.0 or last <= first:  # too early to tell
            return None
        return (last - first) / (end - start)


def _duration(seconds: float) -> str:
    if seconds < 60:
        return "less than a minute"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes} min"
    return f"{minutes / 60:.1f} h"
