"""Face thumbnails decoded on demand and kept in a bounded cache.

Views ask only for the rows they show (``QListView`` with uniform item
sizes), so a library of 50,000 faces decodes a screenful at a time. A face
found in a video (its crop is of the frame it was seen in) says so, and when.
"""

from collections import OrderedDict

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap

from photoface.store.library import Library

CACHE_SIZE = 3000  # pixmaps kept: several screens of scrolling back and forth


class ThumbnailCache:
    def __init__(self, library: Library, side: int, size: int = CACHE_SIZE):
        self.library = library
        self.side = side
        self._size = size
        self._pixmaps: OrderedDict[int, QPixmap] = OrderedDict()

    def pixmap(self, face_id: int) -> QPixmap:
        pixmap = self._pixmaps.get(face_id)
        if pixmap is None:
            pixmap = self._pixmaps[face_id] = self._load(face_id)
            if len(self._pixmaps) > self._size:
                self._pixmaps.popitem(last=False)
        else:
            self._pixmaps.move_to_end(face_id)
        return pixmap

    def _load(self, face_id: int) -> QPixmap:
        try:
            thumbnail, time_ms = self.library.face_tile(face_id)
            image = QImage.fromData(thumbnail)
        except KeyError:  # re-indexed away since the list was read
            image, time_ms = QImage(), None
        if image.isNull():
            return self._placeholder()
        pixmap = QPixmap.fromImage(image.scaled(
            self.side, self.side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        if time_ms is not None:
            _mark_as_video(pixmap, time_ms)
        return pixmap

    def _placeholder(self) -> QPixmap:
        pixmap = QPixmap(self.side, self.side)
        pixmap.fill(QColor("#d0d0d0"))
        return pixmap


def clock(time_ms: int) -> str:
    """A time in a video as players show it: 0:42, 12:05, 1:02:03."""
    minutes, seconds = divmod(time_ms // 1000, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes}:{seconds:02}"


def _mark_as_video(pixmap: QPixmap, time_ms: int) -> None:
    """A play sign and the time, bottom left, on a face from a video."""
    painter = QPainter(pixmap)
    text = f"\u25b6 {clock(time_ms)}"
    badge = painter.fontMetrics().boundingRect(text).adjusted(-3, -1, 3, 1)
    badge.moveBottomLeft(pixmap.rect().bottomLeft())
    painter.fillRect(badge, QColor(0, 0, 0, 170))
    painter.setPen(QColor("white"))
    painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
