"""What the photo viewer shows for a face found in a video: the frame at the face's time, and a button that
opens the video in the system's player with that time on it."""

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QPushButton

from photoface.photos.kinds import is_video_name

from ..models.thumbnails import clock


def shown_face(faces: list[dict], face_id: int | None) -> dict | None:
    """The face whose frame a video is shown at: ``face_id``'s, else its first face's (None without faces)."""
    return next((face for face in faces if face["id"] == face_id), faces[0] if faces else None)


def in_same_frame(faces: list[dict], shown: dict | None) -> list[dict]:
    """The faces drawn with ``shown``: all of a photo's; a video's kept faces come from different frames."""
    return [face for face in faces if shown is None or face["time_ms"] == shown["time_ms"]]


class PlayButton(QPushButton):
    """Opens the video in the system's player; hidden for a photo. Players start at the beginning, so the
    button says where the face is."""

    def __init__(self, parent=None):
        super().__init__("Play", parent)
        self.path: Path | None = None
        self.clicked.connect(self.play)
        self.hide()

    def show_for(self, path: str, shown: dict | None) -> None:
        """For the photo or video at ``path``, shown at the frame of face ``shown``."""
        is_video = is_video_name(path)
        self.path = Path(path) if is_video else None
        self.setText(f"Play (the face is at {clock(shown['time_ms'])})" if is_video and shown else "Play")
        self.setVisible(is_video)

    def play(self) -> None:
        if self.path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path)))
