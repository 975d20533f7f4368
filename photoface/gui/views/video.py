"""What the photo viewer shows for a face found in a video: the frame at the face's time, and a button that
opens the video in the system's player with that time on it."""

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QPushButton

from photoface.photos.loader import LoadedPhoto, load_photo

from ..models.thumbnails import clock


def decoded(face: dict, max_side: int) -> LoadedPhoto:
    """The photo a face is in, or its video's frame at the face's time; PhotoError if unreadable."""
    if face["media"] != "video":
        return load_photo(face["path"], max_side=max_side)
    from photoface.photos.video import frame_at  # PyAV loads FFmpeg (0.1 s): only once a video is shown

    return frame_at(face["path"], face["time_ms"], max_side=max_side)


def in_same_frame(faces: list[dict], face: dict) -> list[dict]:
    """The faces drawn with ``face``: a video's kept faces come from different frames."""
    return [other for other in faces if other["time_ms"] == face["time_ms"]]


class PlayButton(QPushButton):
    """Opens the video in the system's player; hidden for a photo. Players start at the beginning, so the
    button says where the face is."""

    def __init__(self, parent=None):
        super().__init__("Play", parent)
        self.path: Path | None = None
        self.clicked.connect(self.play)
        self.hide()

    def show_for(self, face: dict) -> None:
        is_video = face["media"] == "video"
        self.path = Path(face["path"]) if is_video else None
        self.setText(f"Play (the face is at {clock(face['time_ms'])})" if is_video else "Play")
        self.setVisible(is_video)

    def play(self) -> None:
        if self.path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path)))
