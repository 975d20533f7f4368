"""Photos by month: a header row per month, then its photos; thumbnails decoded on worker threads.

Only faces have thumbnails in the library, so a photo's is decoded from its file
(a reduced JPEG decode, or a video's first frame, then a square crop) when its tile is first shown, off the
GUI thread: a screenful of tiles never stalls the window.
"""

from collections import OrderedDict
from datetime import date

from PIL import ImageOps
from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QRunnable, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QColor, QImage, QPixmap

from photoface.errors import PhotofaceError
from photoface.people import queries
from photoface.photos.shown import load_shown

from ..images import to_qimage

PHOTO_ID_ROLE = Qt.ItemDataRole.UserRole  # None on a month's header row
MONTH_ROLE = Qt.ItemDataRole.UserRole + 1  # the month's first day, on a header row
CACHE_SIZE = 600  # pixmaps kept: a few screens of photos
DECODE_THREADS = 2


class PhotosModel(QAbstractListModel):
    """``queries.photos`` (everyone's, or those where all of some people are) as month headers and photos."""

    def __init__(self, library, side: int, parent=None):
        super().__init__(parent)
        self.library = library
        self.side = side
        self.header_width = 600  # the view sets it: a header row fills the view's width
        self.person_ids: list[int] = []
        self.rows: list[date | dict] = []  # a month (its first day) or a photo (photo_id, path, taken)
        self.row_of: dict[int, int] = {}  # photo id -> its row
        self.thumbnails = PhotoThumbnails(side, self)
        self.thumbnails.ready.connect(self._thumbnail_ready)

    def show_photos(self, person_ids: list[int]) -> None:
        """Everyone's photos, or only those where every one of ``person_ids`` is; PhotofaceError for a
        person no longer there."""
        rows = [row for month, photos in queries.by_month(queries.photos(self.library, person_ids))
                for row in (month, *photos)]
        if (rows, list(person_ids)) == (self.rows, self.person_ids):
            return  # as shown: the view keeps its scroll position and selection (indexing refreshes often)
        self.beginResetModel()
        self.person_ids = list(person_ids)
        self.rows = rows
        self.row_of = {row["photo_id"]: at for at, row in enumerate(rows) if isinstance(row, dict)}
        self.endResetModel()

    def reload(self) -> None:
        """Re-read; people merged or undone away since are dropped from the filter."""
        known = {person["id"] for person in queries.people(self.library)}
        self.show_photos([person for person in self.person_ids if person in known])

    def photo_count(self) -> int:
        return len(self.row_of)

    def photo_ids(self) -> list[int]:
        """The photos shown, in their order (the photo viewer steps through them)."""
        return list(self.row_of)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if index.isValid() and isinstance(self.rows[index.row()], date):
            return Qt.ItemFlag.ItemIsEnabled  # a header: not selectable, opens nothing
        return super().flags(index)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if isinstance(row, date):
            return self._header_data(row, role)
        if role == Qt.ItemDataRole.DecorationRole:
            return self.thumbnails.pixmap(row["photo_id"], row["path"])
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row['taken']:%d %B %Y, %H:%M}; double-click to open it"
        if role == Qt.ItemDataRole.SizeHintRole:
            return QSize(self.side + 8, self.side + 8)
        if role == PHOTO_ID_ROLE:
            return row["photo_id"]
        return None

    def _header_data(self, month: date, role):
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{month:%B %Y}"
        if role == Qt.ItemDataRole.SizeHintRole:
            return QSize(self.header_width, 32)
        if role == MONTH_ROLE:
            return month
        return None

    def _thumbnail_ready(self, photo_id: int) -> None:
        row = self.row_of.get(photo_id)
        if row is not None:  # else no longer listed
            self.dataChanged.emit(self.index(row), self.index(row), [Qt.ItemDataRole.DecorationRole])


class PhotoThumbnails(QObject):
    """Square thumbnails of photos, decoded on a thread pool; ``ready`` says when one is in."""

    ready = Signal(int)  # a photo id
    _decoded = Signal(int, QImage)  # from a worker thread; queued to the GUI thread

    def __init__(self, side: int, parent=None):
        super().__init__(parent)
        self.side = side
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(DECODE_THREADS)
        self._pixmaps: OrderedDict[int, QPixmap] = OrderedDict()
        self._loading: set[int] = set()
        self._placeholder = _filled(side, "#d0d0d0")
        self._decoded.connect(self._keep)

    def pixmap(self, photo_id: int, path: str) -> QPixmap:
        """The photo's thumbnail, or a placeholder while it is decoded."""
        pixmap = self._pixmaps.get(photo_id)
        if pixmap is not None:
            self._pixmaps.move_to_end(photo_id)
            return pixmap
        if photo_id not in self._loading:
            self._loading.add(photo_id)
            self.pool.start(_Decode(photo_id, path, self.side, self._decoded))
        return self._placeholder

    def wait(self) -> None:
        """Until the thumbnails asked for are decoded (the ``ready`` signals follow with the events)."""
        self.pool.waitForDone()

    def stop(self) -> None:
        """Drop the decodes not started and wait for the others (the window is closing)."""
        self.pool.clear()
        self.pool.waitForDone()

    def _keep(self, photo_id: int, image: QImage) -> None:
        self._loading.discard(photo_id)
        self._pixmaps[photo_id] = _filled(self.side, "#a0a0a0") if image.isNull() else QPixmap.fromImage(image)
        if len(self._pixmaps) > CACHE_SIZE:
            self._pixmaps.popitem(last=False)
        self.ready.emit(photo_id)


class _Decode(QRunnable):
    def __init__(self, photo_id: int, path: str, side: int, done: Signal):
        super().__init__()
        self.photo_id, self.path, self.side, self.done = photo_id, path, side, done

    def run(self) -> None:
        try:
            image = ImageOps.fit(load_shown(self.path, None, 2 * self.side).image, (self.side, self.side))
        except PhotofaceError:  # moved, deleted or broken since it was indexed: a darker tile
            self.done.emit(self.photo_id, QImage())
            return
        self.done.emit(self.photo_id, to_qimage(image))


def _filled(side: int, colour: str) -> QPixmap:
    pixmap = QPixmap(side, side)
    pixmap.fill(QColor(colour))
    return pixmap
