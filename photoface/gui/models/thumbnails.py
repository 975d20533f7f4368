"""Face thumbnails decoded on demand and kept in a bounded cache.

Views ask only for the rows they show (``QListView`` with uniform item
sizes), so a library of 50,000 faces decodes a screenful at a time.
"""

from collections import OrderedDict

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPixmap

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
            image = QImage.fromData(self.library.face_thumbnail(face_id))
        except KeyError:  # re-indexed away since the list was read
            image = QImage()
        if image.isNull():
            return self._placeholder()
        return QPixmap.fromImage(image.scaled(
            self.side, self.side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))

    def _placeholder(self) -> QPixmap:
        pixmap = QPixmap(self.side, self.side)
        pixmap.fill(QColor("#d0d0d0"))
        return pixmap
