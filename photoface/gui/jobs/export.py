"""Exporting albums in the background: one folder per person, optional XMP sidecars."""

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from PySide6.QtCore import QThread, Signal

from photoface.people.interop import export_person, write_sidecars
from photoface.store.library import Library

from .outcome import report_outcome


@dataclass
class ExportSummary:
    albums: list[Path] = field(default_factory=list)
    added: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)  # "photo: reason"
    sidecars: int = 0

    def message(self) -> str:
        lines = [f"{self.added:,} photos written to {len(self.albums)} album(s); "
                 f"{self.skipped:,} were already there."]
        lines += [f"Album: {album}" for album in self.albums]
        if self.sidecars:
            lines.append(f"{self.sidecars:,} XMP sidecars written.")
        if self.failed:
            lines.append(f"{len(self.failed):,} photos could not be exported, e.g. {self.failed[0]}")
        return "\n".join(lines)


def album_folder(folder: Path, name: str) -> Path:
    """The person's album: a folder named after them (path separators made harmless)."""
    return Path(folder) / name.replace("/", "-").replace("\\", "-").strip(". ")


class ExportJob(QThread):
    progress = Signal(int, int)  # people done, people in total
    succeeded = Signal(object)  # ExportSummary
    failed = Signal(str)

    def __init__(self, library_dir: Path, people: dict[int, str], folder: Path, link: bool, sidecars: bool,
                 parent=None, days: tuple[date, date] | None = None):
        """``days``: only the photos taken from the first to the last of these days (both included)."""
        super().__init__(parent)
        self.library_dir = Path(library_dir)
        self.people = people  # id -> name
        self.folder, self.link, self.sidecars = Path(folder), link, sidecars
        self.since, self.until = days or (None, None)

    def run(self) -> None:
        report_outcome(self, self._export, "The export")

    def _export(self) -> ExportSummary:
        summary = ExportSummary()
        with Library.open(self.library_dir) as library:
            for done, (person_id, name) in enumerate(self.people.items()):
                self.progress.emit(done, len(self.people))
                album = album_folder(self.folder, name)
                report = export_person(library, person_id, album, link=self.link, since=self.since, until=self.until)
                summary.albums.append(album)
                summary.added += len(report.added)
                summary.skipped += len(report.skipped)
                summary.failed += [f"{source}: {reason}" for source, reason in report.failed]
                if self.sidecars:
                    summary.sidecars += len(write_sidecars(library, person_id, album / "XMP"))
        self.progress.emit(len(self.people), len(self.people))
        return summary
