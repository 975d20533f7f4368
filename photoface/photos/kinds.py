"""Files a scan finds that are not photos photoface reads: how each is named in
the library's skipped files (``status`` counts these per extension)."""

from pathlib import Path

UNSUPPORTED_KIND = "unsupported kind"
VIDEO = "video, not read yet"
KIND_REASONS = (UNSUPPORTED_KIND, VIDEO)

VIDEO_EXTENSIONS = frozenset(
    {".mp4", ".mov", ".m4v", ".avi", ".mkv", ".mts", ".m2ts", ".3gp", ".webm", ".wmv", ".mpg", ".mpeg"}
)
# Files that belong to a photo or a folder rather than being one: never counted.
_COMPANION_EXTENSIONS = frozenset({".xmp", ".aae", ".thm"})
_SYSTEM_NAMES = frozenset({"thumbs.db", "desktop.ini"})


def kind(path: str | Path) -> str:
    """The lower-case extension a skipped file is counted under ("(none)" without one)."""
    return Path(path).suffix.lower() or "(none)"


def why_not_read(name: str) -> str | None:
    """The skip reason for a file that is not a supported photo, or None if it goes unmentioned."""
    extension = Path(name).suffix.lower()
    if extension in _COMPANION_EXTENSIONS or name.lower() in _SYSTEM_NAMES:
        return None
    return VIDEO if extension in VIDEO_EXTENSIONS else UNSUPPORTED_KIND
