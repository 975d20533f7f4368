"""What the photo viewer shows for a face found in a video: the frame at the face's time, and a button that
opens the video in the system's player with that time on it."""

import shutil
import subprocess
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


# Players that start at a time given on their command line, tried in this order; else the system's own player,
# from the start (no standard way asks it for a time).
PLAYERS_FROM_TIME = (("mpv", "--start={seconds}"), ("vlc", "--start-time={seconds}"))


def player_from_time(path: Path, time_ms: int) -> list[str] | None:
    """The command that plays ``path`` from ``time_ms`` with an installed player that can, else None."""
    for program, option in PLAYERS_FROM_TIME:
        found = shutil.which(program)
        if found:
            return [found, option.format(seconds=f"{time_ms / 1000:.1f}"), str(path)]
    return None


class PlayButton(QPushButton):
    """Plays the video from the face's time with a player that can start there (mpv, VLC), else opens it in the
    system's player, from the start: the button then says where the face is. Hidden for a photo."""

    def __init__(self, parent=None):
        super().__init__("Play", parent)
        self.path: Path | None = None
        self.time_ms = 0
        self.clicked.connect(self.play)
        self.hide()

    def show_for(self, path: str, shown: dict | None) -> None:
        """For the photo or video at ``path``, shown at the frame of face ``shown``."""
        is_video = is_video_name(path)
        self.path = Path(path) if is_video else None
        self.time_ms = shown["time_ms"] if is_video and shown else 0
        from_time = self.path is not None and player_from_time(self.path, self.time_ms) is not None
        at = clock(self.time_ms)
        self.setText("Play" if not (is_video and shown) else f"Play from {at}" if from_time else
                     f"Play (the face is at {at})")
        self.setVisible(is_video)

    def play(self) -> None:
        if self.path is None:
            return
        command = player_from_time(self.path, self.time_ms)
        if command is None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path)))
        else:  # the player outlives the app
            subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
