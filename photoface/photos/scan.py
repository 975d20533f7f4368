"""Find the photo files under some folders, and fingerprint their content."""

import hashlib
import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from photoface.photos.loader import SUPPORTED_EXTENSIONS

log = logging.getLogger(__name__)


def is_photo_file(path: str | Path) -> bool:
    """A supported extension (any case) on a name that is not hidden."""
    name = Path(path).name
    return not name.startswith(".") and Path(name).suffix.lower() in SUPPORTED_EXTENSIONS


def iter_photo_files(roots: Iterable[str | Path], unreadable: list[Path] | None = None) -> Iterator[Path]:
    """Photo files under ``roots``, as resolved absolute paths, each once.

    Folders are walked in name order, hidden entries skipped, folder symlinks
    followed (each real folder visited once, so loops end) and unreadable
    folders skipped (and appended to ``unreadable`` when given: a drive
    unplugged mid-scan shows up there). A root that is a file is yielded if
    it is a photo.
    """
    visited_dirs: set[Path] = set()
    yielded: set[Path] = set()
    unreadable = [] if unreadable is None else unreadable
    for root in roots:
        root = resolved(root)
        candidates = _walk(root, visited_dirs, unreadable) if root.is_dir() else _if_photo(root)
        for path in candidates:
            if path not in yielded:  # a file symlinked from several places
                yielded.add(path)
                yield path


def resolved(path: str | Path) -> Path:
    """``path`` made absolute with its symlinks resolved; a symlink loop stays as it is (not found)."""
    path = Path(path).expanduser()
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # Python < 3.13 raises RuntimeError for loops
        return path.absolute()


def _if_photo(path: Path) -> Iterator[Path]:
    if not path.exists():
        log.warning("photo folder or file not found: %s", path)
    elif path.is_file() and is_photo_file(path) and _storable(path):
        yield path


def _walk(directory: Path, visited_dirs: set[Path], unreadable: list[Path]) -> Iterator[Path]:
    if directory in visited_dirs:
        return
    visited_dirs.add(directory)
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as exc:
        log.warning("skipping unreadable folder %s: %s", directory, exc.strerror or exc)
        unreadable.append(directory)
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir()
            is_photo = not is_dir and entry.is_file() and is_photo_file(entry.name)
            path = resolved(entry.path) if entry.is_symlink() else Path(entry.path)
        except OSError:  # vanished or unreadable while we looked
            continue
        if is_dir:
            yield from _walk(path, visited_dirs, unreadable)
        elif is_photo and _storable(path):
            yield path


def _storable(path: Path) -> bool:
    """Whether the library can keep this path: its name must be valid UTF-8 (SQLite text)."""
    try:
        str(path).encode("utf-8")
        return True
    except UnicodeEncodeError:  # bytes that are not UTF-8 come in as lone surrogates
        log.warning("skipping %s: its name is not valid UTF-8; rename it to index it", ascii(str(path)))
        return False

def file_hash(path: str | Path) -> str:
    """Hex blake2b-256 of the file's bytes, read in chunks."""
    with open(path, "rb") as file:
        return hashlib.file_digest(file, lambda: hashlib.blake2b(digest_size=32)).hexdigest()
