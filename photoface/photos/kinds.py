"""Files a scan finds that are not photos of their own: other kinds, videos
photoface does not read, and the other files of one shot (RAW+JPEG, a live photo's HEIC+MOV). Each is
named in the library's skipped files by one of KIND_REASONS, which ``status``
counts per extension."""

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from photoface.photos.loader import SUPPORTED_EXTENSIONS
from photoface.photos.raw import RAW_EXTENSIONS

UNSUPPORTED_KIND = "unsupported kind"
VIDEO = "video, not read yet"  # a kind of video photoface does not read
PAIRED = "another file of a photo's shot"
KIND_REASONS = (UNSUPPORTED_KIND, VIDEO, PAIRED)

# Videos read for their faces (``video.py``), and other kinds of video, counted as not read.
VIDEO_EXTENSIONS = frozenset({".mp4", ".mov", ".m4v", ".mkv", ".avi", ".3gp"})
_ALL_VIDEO_EXTENSIONS = VIDEO_EXTENSIONS | {".mts", ".m2ts", ".webm", ".wmv", ".mpg", ".mpeg"}
# Files that belong to a photo or a folder rather than being one: never counted.
_COMPANION_EXTENSIONS = frozenset({".xmp", ".aae", ".thm"})
_SYSTEM_NAMES = frozenset({"thumbs.db", "desktop.ini"})


def is_video_name(name: str | Path) -> bool:
    """A kind of video photoface reads for its faces."""
    return Path(name).suffix.lower() in VIDEO_EXTENSIONS


def kind(path: str | Path) -> str:
    """The lower-case extension a skipped file is counted under ("(none)" without one)."""
    return Path(path).suffix.lower() or "(none)"


def why_not_read(name: str) -> str | None:
    """The skip reason for a file that is not a supported photo, or None if it goes unmentioned."""
    extension = Path(name).suffix.lower()
    if extension in _COMPANION_EXTENSIONS or name.lower() in _SYSTEM_NAMES:
        return None
    return VIDEO if extension in _ALL_VIDEO_EXTENSIONS else UNSUPPORTED_KIND


def shot_companions(names: Iterable[str]) -> dict[str, str]:
    """The files of one folder that belong to another file's shot: companion name -> the photo's name.

    A shot is the files of one base name: its photo is the camera's processed
    one (JPEG, HEIC...) if any, else the RAW; the RAW and videos beside it are
    its companions. Two processed photos of one name stay two photos.
    """
    shots = defaultdict(list)
    for name in names:
        if not name.startswith(".") and (rank := _shot_rank(name)) is not None:
            shots[Path(name).stem.casefold()].append((rank, name))
    companions = {}
    for files in shots.values():
        rank, photo = min(files)
        if rank > _RAW or len(files) < 2:
            continue  # videos alone, or a photo alone
        companions.update({name: photo for other_rank, name in files if other_rank > _PROCESSED and name != photo})
    return companions


_PROCESSED, _RAW, _VIDEO = range(3)


def _shot_rank(name: str) -> int | None:
    extension = Path(name).suffix.lower()
    if extension in RAW_EXTENSIONS:
        return _RAW
    if extension in SUPPORTED_EXTENSIONS:
        return _PROCESSED
    return _VIDEO if extension in _ALL_VIDEO_EXTENSIONS else None
