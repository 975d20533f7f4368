"""Albums: a folder of one person's photos, made of hard links or copies.

Sources are only ever read. A hard link shares the original's data, so an
album made of links costs no space, but editing an album file in place edits
the original too; deleting or replacing it (what most editors do on save)
does not. Where a link cannot be made (another filesystem, FAT/exFAT, no
permission) the photo is copied with its timestamps.

A folder the export makes (or finds empty) is marked as an album
(``ALBUM_MARKER``), so indexing a folder that holds it never takes its photos
for new ones. A folder holding other files is not: the scan would skip them
too (indexing counts the album's photos as copies there).

A photo's other files of the same shot (its RAW beside the JPEG, a live
photo's video) go into the album with it. Videos go in like photos.

Re-running adds only what is new: a file of the same name and the same
content already in the album is skipped; a different file of the same name is
added as "name (2).jpg", "name (3).jpg", ... and nothing is ever overwritten.
"""

import filecmp
import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from PIL import ExifTags

from photoface.export._header import open_header
from photoface.photos.kinds import is_video_name
from photoface.photos.scan import ALBUM_MARKER, folder_companions, shot_files

_EXIF_DATE_FORMAT = "%Y:%m:%d %H:%M:%S"


@dataclass
class ExportReport:
    added: list[Path] = field(default_factory=list)  # album files made by this run
    skipped: list[Path] = field(default_factory=list)  # sources already in the album
    failed: list[tuple[Path, str]] = field(default_factory=list)  # source, reason fit for a user


def export_album(
    photo_paths: Iterable[tuple[Path, datetime | None]],
    folder: Path,
    *,
    link: bool = True,
    since: datetime | None = None,
    until: datetime | None = None,
) -> ExportReport:
    """Put the photos dated in [since, until) into ``folder`` (made if missing).

    With a date range, a photo without a date is left out (it cannot be
    placed in the range); photos outside it are left out without a mention.
    Dates are compared as given: pass all naive (local, as EXIF is) or all aware.
    """
    folder = Path(folder)
    if not folder.exists() or not any(folder.iterdir()):
        folder.mkdir(parents=True, exist_ok=True)
        _mark_as_album(folder)
    report = ExportReport()
    companions: dict[Path, dict[str, str]] = {}  # each source folder listed once, not once a photo
    for source, date in photo_paths:
        if _in_range(date, since, until):
            source = Path(source)
            if source.parent not in companions:
                companions[source.parent] = folder_companions(source.parent)
            for path in (source, *shot_files(source, companions[source.parent])):  # RAW+JPEG, a live photo
                _export_one(path, folder, link, report)
    return report


def _mark_as_album(folder: Path) -> None:
    (folder / ALBUM_MARKER).write_text("Photos exported by photoface: indexing skips this folder.\n")


def _in_range(date: datetime | None, since: datetime | None, until: datetime | None) -> bool:
    if since is None and until is None:
        return True
    if date is None:
        return False
    return (since is None or date >= since) and (until is None or date < until)


def _export_one(source: Path, folder: Path, link: bool, report: ExportReport) -> None:
    try:
        for destination in _candidate_names(folder, source.name):
            if not destination.exists():
                _place(source, destination, link)
                report.added.append(destination)
                return
            if _same_content(source, destination):
                report.skipped.append(source)
                return
    except OSError as exc:
        report.failed.append((source, (exc.strerror or str(exc)).lower()))


def _candidate_names(folder: Path, name: str) -> Iterator[Path]:
    stem, suffix = os.path.splitext(name)
    yield folder / name
    number = 2
    while True:
        yield folder / f"{stem} ({number}){suffix}"
        number += 1


def _same_content(source: Path, destination: Path) -> bool:
    if os.path.samefile(source, destination):  # our own hard link from an earlier run
        return True
    return source.stat().st_size == destination.stat().st_size and filecmp.cmp(source, destination, shallow=False)


def _place(source: Path, destination: Path, link: bool) -> None:
    if link:
        try:
            os.link(source, destination)
            return
        except FileExistsError:
            raise
        except OSError:
            pass  # another filesystem, or one without hard links: copy instead
    _copy(source, destination)


def _copy(source: Path, destination: Path) -> None:
    # Copy under a hidden name first, so an interrupted copy never looks like a photo.
    partial = destination.with_name(f".{destination.name}.partial")
    try:
        shutil.copy2(source, partial)
        os.rename(partial, destination)
    finally:
        partial.unlink(missing_ok=True)


def photo_date(path: Path) -> datetime | None:
    """When the photo was taken (EXIF DateTimeOriginal, naive local time) or the video recorded; None if unknown."""
    if is_video_name(path):
        from photoface.photos.video import recorded_at  # PyAV loads FFmpeg (0.1 s): not while the window opens

        return recorded_at(path)
    try:
        with open_header(Path(path)) as image:
            value = image.getexif().get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal)
    except Exception:  # decoders raise all sorts on bad data; no date is the answer
        return None
    try:
        # Only the fixed 19 characters: some cameras append more ("...20:27:09.60:04:00").
        return datetime.strptime(str(value).strip()[:19], _EXIF_DATE_FORMAT)
    except ValueError:  # absent, "0000:00:00 00:00:00", or garbled
        return None
