"""The faces of one person, the unsorted faces, or the faces suggested for a person."""

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt

from photoface.library_settings import cluster_level
from photoface.people import queries
from photoface.store.library import Library

from .thumbnails import ThumbnailCache

FACE_ID_ROLE = Qt.ItemDataRole.UserRole
PHOTO_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class FacesModel(QAbstractListModel):
    """A person's faces; with ``suggested``, the faces suggested for the person instead
    (for the unsorted faces: a group of them that is likely one person)."""

    def __init__(self, library: Library, thumbnails: ThumbnailCache, parent=None, suggested: bool = False):
        super().__init__(parent)
        self.suggested = suggested
        self.library = library
        self.thumbnails = thumbnails
        self.person_id: int | None = None  # None: the unsorted faces
        self.faces: list[dict] = []  # face_id, photo_id, confirmed
        self.cover_face: int | None = None  # the face chosen to show on the person's tile
        self.not_together: set[int] = set()  # unsorted faces answered "No" to: not offered together again

    def show_person(self, person_id: int | None) -> None:
        self.beginResetModel()
        self.person_id = person_id
        self.faces = self._load()
        self.endResetModel()

    def reload(self) -> None:
        self.show_person(self.person_id)

    def face_ids(self) -> list[int]:
        """The faces in the order shown."""
        return [face["face_id"] for face in self.faces]

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.faces)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        face = self.faces[index.row()]
        if role == Qt.ItemDataRole.DecorationRole:
            return self.thumbnails.pixmap(face["face_id"])
        if role == Qt.ItemDataRole.ToolTipRole:
            if self.suggested:
                return "Suggested: confirm or reject it"
            state = "Confirmed" if face["confirmed"] else "Grouped automatically"
            return f"{state}; shown on their tile (cover)" if face["face_id"] == self.cover_face else state
        if role == FACE_ID_ROLE:
            return face["face_id"]
        if role == PHOTO_ID_ROLE:
            return face["photo_id"]
        return None

    def _load(self) -> list[dict]:
        self.cover_face = None
        if self.person_id is not None and self.suggested:
            return [{"face_id": row["face_id"], "photo_id": None, "confirmed": False}
                    for row in queries.person_suggestions(self.library, self.person_id)]
        if self.person_id is not None:
            self.cover_face = queries.person(self.library, self.person_id)["cover_face_id"]
            return queries.person_faces(self.library, self.person_id)
        if self.suggested:
            faces = queries.likely_one_person(self.library, cluster_level(self.library), self.not_together)
        else:
            faces = queries.unsorted_faces(self.library)
        return [{"face_id": face, "photo_id": None, "confirmed": False} for face in faces]
