"""The people grid's model: one tile per person, biggest first, and an "Unsorted" tile."""

from dataclasses import dataclass

from PySide6.QtCore import (QAbstractListModel, QMimeData, QModelIndex, QRegularExpression, QSortFilterProxyModel,
                            Qt, Signal)
from PySide6.QtGui import QFont

from photoface.people import queries
from photoface.store.library import Library

from ..text import elided
from .thumbnails import ThumbnailCache

PERSON_ID_ROLE = Qt.ItemDataRole.UserRole  # None for the Unsorted tile
TITLE_ROLE = Qt.ItemDataRole.UserRole + 1  # the name, "Unnamed" or "Unsorted"
HIDDEN_ROLE = Qt.ItemDataRole.UserRole + 2

UNNAMED = "Unnamed"
UNSORTED = "Unsorted"
PERSON_MIME = "application/x-photoface-person"
NAME_SEPARATOR = ","  # between names typed in a search or filter


@dataclass
class Tile:
    person_id: int | None
    name: str | None
    face_count: int
    hidden: bool = False
    cover_face: int | None = None  # the one chosen as cover, else the best face, looked up when first shown

    @property
    def title(self) -> str:
        if self.person_id is None:
            return UNSORTED
        return self.name or UNNAMED


class PeopleModel(QAbstractListModel):
    """Tiles of people; a person tile dropped on another asks to merge them, an edited title to rename."""

    merge_requested = Signal(int, int)  # the person dropped on (kept), the person dropped
    rename_requested = Signal(int, str)

    def __init__(self, library: Library, thumbnails: ThumbnailCache, parent=None):
        super().__init__(parent)
        self.library = library
        self.thumbnails = thumbnails
        self.tiles: list[Tile] = []
        self.title_pixels: int | None = None  # set by the view: titles longer than a tile is wide are elided

    def reload(self) -> None:
        self.beginResetModel()
        self.tiles = _tiles(self.library)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.tiles)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        tile = self.tiles[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            # One line for the name, so the count below it always shows; the tooltip has the full name.
            title = tile.title if self.title_pixels is None else elided(tile.title, self.title_pixels)
            return f"{title}\n{_faces(tile.face_count)}"
        if role == Qt.ItemDataRole.EditRole:
            return tile.name or ""
        if role == Qt.ItemDataRole.DecorationRole:
            return self.cover(tile)
        if role == Qt.ItemDataRole.FontRole and tile.name is None:
            return _italic()  # no name yet: set apart from the named
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{tile.title} ({_faces(tile.face_count)}); double-click to see them"
        if role == PERSON_ID_ROLE:
            return tile.person_id
        if role == TITLE_ROLE:
            return tile.title
        if role == HIDDEN_ROLE:
            return tile.hidden
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and self.tiles[index.row()].person_id is not None:
            flags |= Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled | Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: QModelIndex, value, role=Qt.ItemDataRole.EditRole) -> bool:
        """A name typed on a tile (F2): the view renames; the tile shows it after the refresh."""
        tile = self.tiles[index.row()] if index.isValid() else None
        if role != Qt.ItemDataRole.EditRole or tile is None or tile.person_id is None:
            return False
        name = " ".join(str(value).split())
        if name and name != tile.name:
            self.rename_requested.emit(tile.person_id, name)
        return False

    def mimeTypes(self) -> list[str]:
        return [PERSON_MIME]

    def mimeData(self, indexes) -> QMimeData:
        data = QMimeData()
        data.setData(PERSON_MIME, str(self.tiles[indexes[0].row()].person_id).encode())
        return data

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def dropMimeData(self, data: QMimeData, action, row: int, column: int, parent: QModelIndex) -> bool:
        """Dropped on a person: ask to merge. Nothing moves in the model itself."""
        if not (parent.isValid() and data.hasFormat(PERSON_MIME)):
            return False
        target = self.tiles[parent.row()].person_id
        dropped = int(bytes(data.data(PERSON_MIME)).decode())
        if target is not None and target != dropped:
            self.merge_requested.emit(target, dropped)
        return False

    def tile(self, person_id: int) -> Tile:
        return self.tiles[self.row_of(person_id)]

    def row_of(self, person_id: int | None) -> int | None:
        return next((row for row, tile in enumerate(self.tiles) if tile.person_id == person_id), None)

    def cover(self, tile: Tile):
        """The cover face's thumbnail: the chosen one, else the best (None for an empty person)."""
        if tile.cover_face is None and tile.person_id is not None:
            faces = queries.person_faces(self.library, tile.person_id)
            tile.cover_face = faces[0]["face_id"] if faces else None
        return None if tile.cover_face is None else self.thumbnails.pixmap(tile.cover_face)


class PeopleFilter(QSortFilterProxyModel):
    """Search by name ("Anna, Ben": either); hidden people only on request."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.show_hidden = False
        self.setFilterRole(TITLE_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_search(self, text: str) -> None:
        names = [QRegularExpression.escape(name.strip()) for name in text.split(NAME_SEPARATOR) if name.strip()]
        self.setFilterRegularExpression("|".join(names))

    def set_show_hidden(self, show: bool) -> None:
        self.beginFilterChange()
        self.show_hidden = show
        self.endFilterChange()

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:
        index = self.sourceModel().index(row, 0, parent)
        if index.data(HIDDEN_ROLE) and not self.show_hidden:
            return False
        return super().filterAcceptsRow(row, parent)


def _tiles(library: Library) -> list[Tile]:
    tiles = [Tile(p["id"], p["name"], p["face_count"], p["hidden"], p["cover_face_id"])
             for p in queries.people(library)]
    unsorted = queries.unsorted_faces(library)
    if unsorted:
        # After the shown people, before the hidden ones (which the query puts last).
        at = next((i for i, tile in enumerate(tiles) if tile.hidden), len(tiles))
        tiles.insert(at, Tile(None, None, len(unsorted), cover_face=unsorted[0]))
    return tiles


def _italic() -> QFont:
    font = QFont()
    font.setItalic(True)
    return font


def _faces(count: int) -> str:
    return f"{count:,} face" if count == 1 else f"{count:,} faces"
