"""One writing photoface process per library: an exclusive ``flock`` on ``library.lock``.

Readers (``Library.open(..., read_only=True)``) take no lock: SQLite's WAL
lets them read while the holder writes.

The operating system drops the lock when the holder exits, however it exits
(kill -9, power cut), so a stale lock never needs clearing by hand. Inside one
process the lock is shared and counted: the GUI opens one ``Library`` per
thread, and they must not lock each other out.
"""

import errno
import fcntl
import logging
import os
import threading
from pathlib import Path

from photoface.errors import PhotofaceError

LOCK_NAME = "library.lock"

log = logging.getLogger(__name__)

_guard = threading.Lock()
_held: dict[Path, list[int]] = {}  # lock file -> [file descriptor, holders in this process]


class LibraryInUse(PhotofaceError):
    """Another process has the library open."""


def acquire(folder: Path) -> Path:
    """Lock the library in ``folder`` for this process; returns the key for ``release``."""
    lock_path = (Path(folder) / LOCK_NAME).resolve()
    with _guard:
        if lock_path in _held:
            _held[lock_path][1] += 1
            return lock_path
        fd = _lock_file(lock_path, folder)
        _held[lock_path] = [fd, 1]
    return lock_path


def release(lock_path: Path) -> None:
    with _guard:
        entry = _held.get(lock_path)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] == 0:
            del _held[lock_path]
            os.close(entry[0])  # closing drops the flock


def holder_pid(folder: Path) -> int | None:
    """The pid written by the process that holds (or last held) the lock."""
    try:
        text = (Path(folder) / LOCK_NAME).read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def is_locked(folder: Path) -> bool:
    """Whether some process holds the library (this one included)."""
    lock_path = (Path(folder) / LOCK_NAME).resolve()
    with _guard:
        if lock_path in _held:
            return True
    try:
        fd = os.open(lock_path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def _lock_file(lock_path: Path, folder: Path) -> int:
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise PhotofaceError(f"Cannot create the lock file {lock_path}: {err.strerror}") from err
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        pid = holder_pid(folder)
        holder = f"pid {pid}" if pid else "another process"
        in_use = f"The library {folder} is already open in another photoface ({holder}). Close that one first"
        raise LibraryInUse(f"{in_use}, or choose another library with --library.",
                           in_app=f"{in_use}, or choose another library in Settings.") from None
    except OSError as err:
        if err.errno not in (errno.ENOLCK, errno.EOPNOTSUPP):
            os.close(fd)
            raise
        # Some network filesystems cannot lock: open anyway, as before locks.
        log.warning("cannot lock %s (%s); make sure only one photoface uses it", lock_path, err.strerror)
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd
