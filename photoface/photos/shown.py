"""A photo or a video as the app shows it: the photo, or the video's frame at a time."""

from pathlib import Path

from photoface.photos.kinds import is_video_name
from photoface.photos.loader import LoadedPhoto, load_photo


def load_shown(path: str | Path, time_ms: int | None, max_side: int) -> LoadedPhoto:
    """The photo at ``path`` reduced towards ``max_side``, or its video's frame at ``time_ms`` (else its first);
    PhotoError if unreadable."""
    if not is_video_name(path):
        return load_photo(path, max_side=max_side)
    from photoface.photos.video import frame_at  # PyAV loads FFmpeg (0.1 s): not while the window opens

    return frame_at(path, time_ms or 0, max_side=max_side)
