"""Find the photo and video files under some folders, and fingerprint their content."""

import errno
import hashlib
import logging
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from photoface.photos.kinds import PAIRED, VIDEO_EXTENSIONS, shot_companions, why_not_read
from photoface.photos.loader import SUPPORTED_EXTENSIONS

READ_EXTENSIONS = SUPPORTED_EXTENSIONS | VIDEO_EXTENSIONS  # a video is indexed as a photo of kind video

log = logging.getLogger(__name__)

# A folder holding this file is an album photoface exported (export.albums): its
# photos are already in the library, so the scan never indexes them again.
ALBUM_MARKER = ".photoface-album"
_ALBUM_REASON = "a photoface album: its photos are in the library already"
_LIBRARY_REASON = "photoface's library folder"


@dataclass
class ScanReport:
    """What a scan could not look at, beside the photos it found."""

    unreachable: list[Path] = field(default_factory=list)  # folders failing to read (a drive unplugged mid-scan)
    denied: list[Path] = field(default_factory=list)  # folders we may not read: their photos are unknown, not gone
    skipped: dict[str, str] = field(default_factory=dict)  # path (as shown) -> why it was left out (kinds.py)


def is_photo_file(path: str | Path) -> bool:
    """A photo's or read video's extension (any case) on a name that is not hidden."""
    name = Path(path).name
    return not name.startswith(".") and Path(name).suffix.lower() in READ_EXTENSIONS


def iter_photo_files(roots: Iterable[str | Path], report: ScanReport | None = None,
                     library_folder: str | Path | None = None) -> Iterator[Path]:
    """Photo files under ``roots``, as resolved absolute paths, each once.

    Folders are walked in name order, folder symlinks followed (each real
    folder visited once, so loops end). Hidden entries, photoface's own
    albums and ``library_folder`` (a library kept among the photos), folders
    that cannot be read and photo-named entries that are not storable regular
    files are left out, each noted in ``report``. A root that is a file is
    yielded if it is a photo.
    """
    visited_dirs: set[Path] = set()
    yielded: set[Path] = set()
    report = ScanReport() if report is None else report
    roots = [resolved(root) for root in roots]
    if library_folder is not None and any(_within(resolved(library_folder), root) for root in roots):
        visited_dirs.add(resolved(library_folder))  # the walk passes it by
        _skip(report, resolved(library_folder), _LIBRARY_REASON)
    for root in roots:
        if album := _album_holding(root):
            _skip(report, album, _ALBUM_REASON)
            continue
        candidates = _walk(root, visited_dirs, report) if root.is_dir() else _if_photo(root, report)
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


def _shown_path(path: str | Path) -> str:
    """``path`` as text the library can store: bytes that are not UTF-8 written as escapes."""
    return str(path).encode("utf-8", "backslashreplace").decode("utf-8")


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _album_holding(path: Path) -> Path | None:
    """The photoface album folder ``path`` is (or is in), if any."""
    for folder in (path, *path.parents):
        if (folder / ALBUM_MARKER).is_file():
            return folder
    return None


def _if_photo(path: Path, report: ScanReport) -> Iterator[Path]:
    if not path.exists():
        log.warning("photo folder or file not found: %s", path)
    elif path.name in folder_companions(path.parent):
        _skip(report, path, PAIRED)
    elif not is_photo_file(path):
        _skip_kind(report, path)
    elif reason := _unstorable(path):
        _skip(report, path, reason)
    else:
        yield path


def _walk(directory: Path, visited_dirs: set[Path], report: ScanReport) -> Iterator[Path]:
    if directory in visited_dirs:
        return
    visited_dirs.add(directory)
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as exc:
        _skip_folder(directory, exc, report)
        return
    if any(entry.name == ALBUM_MARKER for entry in entries):
        _skip(report, directory, _ALBUM_REASON)
        return
    companions = shot_companions(entry.name for entry in entries)
    for entry in entries:
        yield from _entry(entry, visited_dirs, report, companions)


def shot_files(photo: Path, companions: dict[str, str] | None = None) -> list[Path]:
    """The other files of ``photo``'s shot (its RAW, a live photo's video), as the scan pairs them.

    ``companions``: its folder's ``folder_companions``, for a caller that asks of many photos of one folder.
    """
    companions = folder_companions(photo.parent) if companions is None else companions
    return [photo.parent / name for name, paired_with in companions.items() if paired_with == photo.name]


def folder_companions(folder: Path) -> dict[str, str]:
    """``shot_companions`` of the files in ``folder`` (none if it cannot be listed)."""
    try:
        return shot_companions(os.listdir(folder))
    except OSError:
        return {}


def _entry(entry: os.DirEntry, visited_dirs: set[Path], report: ScanReport,
           companions: dict[str, str]) -> Iterator[Path]:
    photo_named = Path(entry.name).suffix.lower() in READ_EXTENSIONS
    try:
        is_dir = _is_dir(entry)
        if entry.name.startswith("."):
            if is_dir or photo_named:
                _skip(report, entry.path, "hidden")
            return
        path = resolved(entry.path) if entry.is_symlink() else Path(entry.path)
        if is_dir:
            yield from _walk(path, visited_dirs, report)
        elif entry.name in companions:  # analysed and counted with its photo
            _skip(report, entry.path, PAIRED)
        elif photo_named and (reason := _unstorable(Path(entry.path))):
            _skip(report, entry.path, reason)
        elif photo_named:
            yield path
        else:
            _skip_kind(report, entry.path)
    except OSError:  # vanished while we looked
        return


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a symlink loop is no folder: ``_unstorable`` says what it is
            return False
        raise


def _unstorable(path: Path) -> str | None:
    """Why the library cannot index the photo-named file at ``path`` (None: it can)."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8 come in as lone surrogates
        return "name is not valid UTF-8: rename it to index it"
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if path.is_symlink():
            return "symlink loop" if exc.errno == errno.ELOOP else "link to nothing (its target is missing)"
        raise
    if stat.S_ISREG(mode):
        return None
    kind = "a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else \
        "a socket" if stat.S_ISSOCK(mode) else "not a regular file"
    return f"link to {kind}" if path.is_symlink() else kind


def _skip_folder(directory: Path, exc: OSError, report: ScanReport) -> None:
    """A folder that cannot be listed: denied ones are left alone, failing ones pause their root."""
    reason = (exc.strerror or str(exc)).lower()
    log.warning("skipping unreadable folder %s: %s", directory, reason)
    if isinstance(exc, PermissionError):
        report.denied.append(directory)
    else:
        report.unreachable.append(directory)
    _skip(report, directory, reason)


def _skip_kind(report: ScanReport, path: str | Path) -> None:
    """A file that is no photo photoface reads (a video, a .xyz), counted so that none goes unmentioned."""
    if reason := why_not_read(Path(path).name):
        _skip(report, path, reason)


def _skip(report: ScanReport, path: str | Path, reason: str) -> None:
    report.skipped[_shown_path(path)] = reason


def file_hash(path: str | Path) -> str:
    """Hex blake2b-256 of the file's bytes, read in chunks."""
    with open(path, "rb") as file:
        return hashlib.file_digest(file, lambda: hashlib.blake2b(digest_size=32)).hexdigest()
