"""Watching folders with watchdog: file events, debounced into what to re-index.

A copy of a thousand photos is a storm of events; the watcher collects the
paths they touch and reports them once the folders have been quiet for
``quiet_s`` (or every ``max_wait_s`` during a long copy, so indexing starts).
Whether a path was added, changed or deleted is decided when reporting, from
what is on disk then: a photo created then deleted in between is no change.
"""

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from photoface.photos import is_photo_file

QUIET_S = 1.0
MAX_WAIT_S = 10.0


@dataclass
class FolderChanges:
    changed: set[Path] = field(default_factory=set)  # photos and folders there now: (re)index
    gone: set[Path] = field(default_factory=set)  # paths no longer there

    def __bool__(self) -> bool:
        return bool(self.changed or self.gone)


def indexer_roots(changes: FolderChanges, folders: Iterable[Path]) -> list[Path]:
    """What to give ``Indexer.run`` so that it sees every change.

    Changed paths are indexed themselves. A gone path is seen missing by a scan
    of the nearest folder above it that still exists (within a watched folder),
    which also recognises a photo moved elsewhere in the library by its content.
    """
    folders = [Path(folder) for folder in folders]
    roots = set(changes.changed)
    for path in changes.gone:
        scan = _existing_ancestor(path, folders)
        if scan is not None:
            roots.add(scan)
    # A root inside another is scanned with it.
    return sorted(root for root in roots if not any(root != other and root.is_relative_to(other)
                                                    for other in roots))


def _existing_ancestor(path: Path, folders: list[Path]) -> Path | None:
    """The nearest folder above ``path`` that exists and is not empty.

    An empty folder is passed over: the indexer reads a root that is empty
    but had photos as an unmounted drive and marks nothing there gone.
    """
    for ancestor in path.parents:
        if not any(ancestor.is_relative_to(folder) for folder in folders):
            return None  # the watched folder itself is gone: keep its photos until it is back
        if ancestor.is_dir() and (ancestor in folders or any(ancestor.iterdir())):
            return ancestor
    return None


class FolderWatcher:
    """Reports ``FolderChanges`` to ``report`` (on a watcher thread) as files change."""

    def __init__(self, report: Callable[[FolderChanges], None], quiet_s: float = QUIET_S,
                 max_wait_s: float = MAX_WAIT_S):
        self.report = report
        self.quiet_s = quiet_s
        self.max_wait_s = max_wait_s
        self._observer = Observer()
        self._handler = _Collector(self._touched)
        self._lock = threading.Lock()
        self._paths: set[Path] = set()
        self._first_event_at: float | None = None
        self._timer: threading.Timer | None = None
        self._observer.start()

    def watch(self, folders: Iterable[Path]) -> list[Path]:
        """Watch exactly these folders (and everything under them); returns those that cannot be.

        A folder is unwatchable when missing (an unplugged drive) or when the
        system's limit on watches is reached (Linux: fs.inotify.max_user_watches);
        its changes are then found by the scan at the next start.
        """
        self._observer.unschedule_all()
        unwatched = []
        for folder in folders:
            try:
                self._observer.schedule(self._handler, str(folder), recursive=True)
            except OSError:
                unwatched.append(Path(folder))
        return unwatched

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join()
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()

    def _touched(self, paths: list[Path]) -> None:
        now = time.monotonic()
        with self._lock:
            self._paths.update(paths)
            if self._first_event_at is None:
                self._first_event_at = now
            if self._timer is not None:
                self._timer.cancel()
            delay = min(self.quiet_s, max(0.0, self._first_event_at + self.max_wait_s - now))
            self._timer = threading.Timer(delay, self._flush)
            self._timer.daemon = True
            self._timer.start()

    def _flush(self) -> None:
        with self._lock:
            paths, self._paths = self._paths, set()
            self._first_event_at = None
            self._timer = None
        changes = FolderChanges()
        for path in paths:
            (changes.changed if path.exists() else changes.gone).add(path)
        if changes:
            self.report(changes)


class _Collector(FileSystemEventHandler):
    """Every path an event touches (both ends of a move), photos and folders only."""

    def __init__(self, touched: Callable[[list[Path]], None]):
        self.touched = touched

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):  # reads change nothing
            return
        if event.is_directory and event.event_type == "modified":  # its files' own events say what
            return
        paths = [Path(_text(p)) for p in (event.src_path, getattr(event, "dest_path", "")) if p]
        wanted = [path for path in paths if event.is_directory or is_photo_file(path)]
        if wanted:
            self.touched(wanted)


def _text(path: str | bytes) -> str:
    return path.decode() if isinstance(path, bytes) else path
