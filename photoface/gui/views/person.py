"""One person's faces: rename inline, and move wrongly grouped faces out."""

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QVBoxLayout, QWidget)

from photoface.errors import PhotofaceError
from photoface.people import operations, queries
from photoface.store.library import Library

from ..models.faces import FACE_ID_ROLE, FacesModel
from ..models.people import UNNAMED
from .grid import tile_grid

FACE_SIDE = 112


class PersonView(QWidget):
    back = Signal()
    changed = Signal(str)  # people changed; a line saying how
    failed = Signal(str)
    face_opened = Signal(int)

    def __init__(self, library: Library, model: FacesModel, parent=None):
        super().__init__(parent)
        self.library = library
        self.model = model
        self.person: dict | None = None  # None: the unsorted faces
        self.back_button = QPushButton("← People", clicked=self.back)
        self.name_edit = QLineEdit(placeholderText="Add a name")
        self.name_edit.editingFinished.connect(self._rename)
        self.count_label = QLabel()
        self.not_button = QPushButton(clicked=self._not_this_person)
        self.new_person_button = QPushButton("New person", clicked=self._new_person)
        self.grid = tile_grid(FACE_SIDE)
        self.grid.setModel(model)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.grid.selectionModel().selectionChanged.connect(self._update_buttons)
        self.grid.activated.connect(self._open_face)
        self._lay_out()

    def show_person(self, person_id: int | None) -> None:
        self.person = None if person_id is None else queries.person(self.library, person_id)
        self.model.show_person(person_id)
        self._update_header()

    def reload(self) -> bool:
        """Re-read after a change; False when the person no longer exists (undone, merged)."""
        person_id = self.person and self.person["id"]
        try:
            self.show_person(person_id)
        except PhotofaceError:
            return False
        return True

    def selected_faces(self) -> list[int]:
        return sorted(index.data(FACE_ID_ROLE) for index in self.grid.selectionModel().selectedIndexes())

    # --- user actions ----------------------------------------------------------

    def _rename(self) -> None:
        self.name_edit.setModified(False)  # handled: a refresh may show the name again
        name = self.name_edit.text().strip()
        if self.person is None or name == (self.person["name"] or ""):
            return
        if not name:  # names are never taken away by clearing the field
            self._update_header()
            return
        self._run(lambda: operations.name_person(self.library, self.person["id"], name),
                  f"Named {name}")

    def _not_this_person(self) -> None:
        faces = self.selected_faces()
        self._run(lambda: operations.remove_faces(self.library, self.person["id"], faces),
                  f"{_count(faces)} taken out of {self._title()}")

    def _new_person(self) -> None:
        faces = self.selected_faces()
        self._run(lambda: operations.create_person(self.library, faces),
                  f"{_count(faces)} moved to a new person")

    def _run(self, operation, done: str) -> None:
        try:
            operation()
        except PhotofaceError as error:
            self._update_header()  # put the name back as it was
            self.failed.emit(str(error))
            return
        self.changed.emit(done)

    def _open_face(self, index: QModelIndex) -> None:
        self.face_opened.emit(index.data(FACE_ID_ROLE))

    # --- showing -------------------------------------------------------------------

    def _title(self) -> str:
        return "Unsorted" if self.person is None else self.person["name"] or UNNAMED

    def _update_header(self) -> None:
        is_person = self.person is not None
        self.name_edit.setReadOnly(not is_person)
        if not self.name_edit.isModified():  # never overwrite a name being typed
            self.name_edit.setText(self.person["name"] or "" if is_person else "Unsorted faces")
        self.count_label.setText(_count(self.model.faces))
        self.not_button.setText(f"Not {self.person['name']}" if is_person and self.person["name"]
                                else "Not this person")
        self.not_button.setVisible(is_person)
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = bool(self.grid.selectionModel().hasSelection())
        self.not_button.setEnabled(chosen)
        self.new_person_button.setEnabled(chosen)

    def _lay_out(self) -> None:
        header = QHBoxLayout()
        header.addWidget(self.back_button)
        header.addWidget(self.name_edit, stretch=1)
        header.addWidget(self.count_label)
        actions_row = QWidget()
        actions = QHBoxLayout(actions_row)
        actions.setContentsMargins(0, 0, 0, 0)
        actions.addWidget(QLabel("Selected faces:"))
        actions.addWidget(self.not_button)
        actions.addWidget(self.new_person_button)
        actions.addStretch()
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(actions_row)
        layout.addWidget(self.grid)


def _count(faces) -> str:
    return f"{len(faces):,} face" if len(faces) == 1 else f"{len(faces):,} faces"
