"""One person's faces: rename inline, move wrongly grouped faces out, answer "Is this them?"."""

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QLabel, QLineEdit, QListView, QMenu,
                               QPushButton, QVBoxLayout, QWidget)

from photoface.errors import PhotofaceError
from photoface.people import operations, queries
from photoface.store.library import Library

from ..models.faces import FACE_ID_ROLE, FacesModel
from ..models.people import UNNAMED
from ..text import elided
from .grid import tile_grid

FACE_SIDE = 112
SUGGESTION_SIDE = 80


class PersonView(QWidget):
    back = Signal()
    changed = Signal(str)  # people changed; a line saying how
    failed = Signal(str)
    face_opened = Signal(int)
    photos_requested = Signal(list)  # [the person's id]: their photos by month

    def __init__(self, library: Library, model: FacesModel, parent=None):
        super().__init__(parent)
        self.library = library
        self.model = model
        self.person: dict | None = None  # None: the unsorted faces
        self.back_button = QPushButton("← People", clicked=lambda: self.back.emit())
        self.name_edit = QLineEdit(placeholderText="Add a name")
        self.name_edit.editingFinished.connect(self._rename)
        self.count_label = QLabel()
        self.not_button = QPushButton(clicked=self._not_this_person)
        self.new_person_button = QPushButton("New person", clicked=self._new_person)
        self.move_menu = QMenu(self)
        self.move_menu.aboutToShow.connect(self._fill_move_menu)
        self.move_button = QPushButton("Move to…", menu=self.move_menu)
        self.hide_button = QPushButton(clicked=self._toggle_hidden)
        self.photos_button = QPushButton("Photos", toolTip="Their photos, by month",
                                         clicked=lambda: self.photos_requested.emit([self.person["id"]]))
        self.suggestions = FacesModel(library, model.thumbnails, self, suggested=True)
        self.suggestion_label = QLabel()
        self.suggestion_grid = _strip(self.suggestions)
        self.suggestion_grid.selectionModel().selectionChanged.connect(self._update_buttons)
        self.yes_button = QPushButton("Yes", clicked=self._confirm_suggested)
        self.no_button = QPushButton("No", clicked=self._reject_suggested)
        self.grid = tile_grid(FACE_SIDE)
        self.grid.setModel(model)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.grid.selectionModel().selectionChanged.connect(self._update_buttons)
        self.grid.activated.connect(self._open_face)
        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.grid.customContextMenuRequested.connect(self._context_menu)
        self._lay_out()
        self._add_shortcuts()

    def show_person(self, person_id: int | None) -> None:
        self.person = None if person_id is None else queries.person(self.library, person_id)
        self.model.show_person(person_id)
        self.suggestions.show_person(person_id)
        if self.person is None:  # one click answers for the whole group
            self.suggestion_grid.selectAll()
        elif self.suggestions.faces:  # one click answers for the likeliest face
            self.suggestion_grid.setCurrentIndex(self.suggestions.index(0, 0))
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
        return _selected(self.grid)

    def selected_suggestions(self) -> list[int]:
        return _selected(self.suggestion_grid)

    def move_to(self, target: int) -> None:
        """Move the selected faces to another person (the "Move to…" menu's actions)."""
        faces = self.selected_faces()
        done = f"{_count(faces)} moved to {self._name_of(target)}"
        if self.person is not None:
            self._run(lambda: operations.split_person(self.library, self.person["id"], faces, into=target), done)
        else:  # unsorted faces join the person
            self._run(lambda: operations.confirm_faces(self.library, faces, target), done)

    def face_menu(self, face_id: int) -> QMenu:
        """What a right-click on a face offers: its photo, and in a person, showing it on their tile."""
        menu = QMenu(self)
        menu.aboutToHide.connect(menu.deleteLater)
        menu.addAction("Open photo", lambda: self.face_opened.emit(face_id))
        if self.person is not None:
            menu.addAction("Use as cover", lambda: self.use_as_cover(face_id))
        return menu

    def use_as_cover(self, face_id: int) -> None:
        """The face shows on the person's tile in People."""
        person_id = self.person["id"]
        self._run(lambda: operations.set_cover(self.library, person_id, face_id),
                  f"Cover chosen for {self._title()}")

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

    def _confirm_suggested(self) -> None:
        faces = self.selected_suggestions()
        if self.person is None:  # "The same person?" over unsorted faces: yes makes them one
            self._run(lambda: operations.create_person(self.library, faces), f"{_count(faces)} made a new person")
            return
        person_id = self.person["id"]
        self._run(lambda: operations.confirm_faces(self.library, faces, person_id),
                  f"{_count(faces)} confirmed as {self._title()}")

    def _reject_suggested(self) -> None:
        faces = self.selected_suggestions()
        if self.person is None:  # they stay unsorted, and are not offered together again
            self.suggestions.not_together.update(faces)
            self.show_person(None)
            return
        person_id = self.person["id"]
        self._run(lambda: operations.reject_faces(self.library, faces, person_id),
                  f"{_count(faces)} rejected for {self._title()}")

    def _toggle_hidden(self) -> None:
        hidden = not self.person["hidden"]
        self._run(lambda: operations.hide_person(self.library, self.person["id"], hidden),
                  f"{'Hid' if hidden else 'Showed'} {self._title()}")

    def _run(self, operation, done: str) -> None:
        try:
            operation()
        except PhotofaceError as error:
            self._update_header()  # put the name back as it was
            self.failed.emit(error.in_app)
            return
        self.changed.emit(done)

    def _open_face(self, index: QModelIndex) -> None:
        self.face_opened.emit(index.data(FACE_ID_ROLE))

    def _context_menu(self, at: QPoint) -> None:
        face_id = self.grid.indexAt(at).data(FACE_ID_ROLE)
        if face_id is not None:
            self.face_menu(face_id).popup(self.grid.viewport().mapToGlobal(at))

    # --- showing -------------------------------------------------------------------

    def _title(self) -> str:
        return "Unsorted" if self.person is None else self.person["name"] or UNNAMED

    def _name_of(self, person_id: int) -> str:
        return queries.person(self.library, person_id)["name"] or UNNAMED

    def _update_header(self) -> None:
        is_person = self.person is not None
        self.name_edit.setReadOnly(not is_person)
        if not self.name_edit.isModified():  # never overwrite a name being typed
            self.name_edit.setText(self.person["name"] or "" if is_person else "Unsorted faces")
        self.count_label.setText(_count(self.model.faces))
        self.not_button.setText(elided(f"Not {self.person['name']}") if is_person and self.person["name"]
                                else "Not this person")
        self.not_button.setVisible(is_person)
        self.hide_button.setVisible(is_person)
        self.photos_button.setVisible(is_person)
        self.hide_button.setText("Show person" if is_person and self.person["hidden"] else "Hide person")
        self.suggestion_label.setText(f"Is this {elided(self._title())}?" if is_person and self.person["name"]
                                      else "The same person?")
        for widget in (self.suggestion_label, self.suggestion_grid, self.yes_button, self.no_button):
            widget.setVisible(bool(self.suggestions.faces))
        self._update_buttons()

    def _fill_move_menu(self) -> None:
        """Named people, by name: the ones a face is moved to (name a group first to move there)."""
        self.move_menu.clear()
        current = self.person and self.person["id"]
        named = sorted((p for p in queries.people(self.library) if p["name"] and p["id"] != current),
                       key=lambda p: p["name"].casefold())
        for person in named:
            self.move_menu.addAction(person["name"], lambda person_id=person["id"]: self.move_to(person_id))
        if not named:
            self.move_menu.addAction("Name a person first").setEnabled(False)

    def _update_buttons(self) -> None:
        chosen = bool(self.grid.selectionModel().hasSelection())
        self.not_button.setEnabled(chosen)
        self.new_person_button.setEnabled(chosen)
        self.move_button.setEnabled(chosen)
        answering = bool(self.suggestion_grid.selectionModel().hasSelection())
        self.yes_button.setEnabled(answering)
        self.no_button.setEnabled(answering)

    def _add_shortcuts(self) -> None:
        """Keys for what is done most: Y / N answer the suggestion, Delete takes the selected faces
        out, Alt+Left or Backspace goes back, F2 names. A focused name field keeps its keys for typing."""
        keys = {self.yes_button: ["Y"], self.no_button: ["N"], self.not_button: [QKeySequence.StandardKey.Delete],
                self.back_button: [QKeySequence.StandardKey.Back, "Backspace"]}
        said = {self.yes_button: "Yes: it is them", self.no_button: "No: someone else",
                self.not_button: "Take the selected faces out", self.back_button: "Back to the people"}
        for button, sequences in keys.items():
            for sequence in sequences:  # whatsThis: the Keyboard shortcuts list's words
                QShortcut(QKeySequence(sequence), self, activated=lambda b=button: _press(b), whatsThis=said[button])
            shown = " or ".join(QKeySequence(s).toString(QKeySequence.SequenceFormat.NativeText) for s in sequences)
            button.setToolTip(f"Key: {shown}")
        QShortcut(QKeySequence("F2"), self, activated=self._edit_name, whatsThis="Type the person's name")
        self.name_edit.setToolTip("Key: F2")

    def _edit_name(self) -> None:
        if self.isVisible() and self.person is not None:
            self.name_edit.setFocus()
            self.name_edit.selectAll()

    def _lay_out(self) -> None:
        header = QHBoxLayout()
        header.addWidget(self.back_button)
        header.addWidget(self.name_edit, stretch=1)
        header.addWidget(self.count_label)
        header.addWidget(self.photos_button)
        actions_row = QWidget()
        actions = QHBoxLayout(actions_row)
        actions.setContentsMargins(0, 0, 0, 0)
        actions.addWidget(QLabel("Selected faces:"))
        actions.addWidget(self.not_button)
        actions.addWidget(self.new_person_button)
        actions.addWidget(self.move_button)
        actions.addStretch()
        actions.addWidget(self.hide_button)
        suggestions = QHBoxLayout()
        suggestions.addWidget(self.suggestion_label)
        suggestions.addWidget(self.suggestion_grid, stretch=1)
        suggestions.addWidget(self.yes_button)
        suggestions.addWidget(self.no_button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(suggestions)
        layout.addWidget(actions_row)
        layout.addWidget(self.grid)


def _press(button: QPushButton) -> None:
    """A key's button, as a click would; not while it is hidden (Unsorted has no "Not …") or disabled."""
    if button.isVisible():
        button.click()


def _strip(model: FacesModel) -> QListView:
    """One row of suggested faces, scrolling sideways."""
    strip = tile_grid(SUGGESTION_SIDE)
    strip.setFlow(QListView.Flow.LeftToRight)
    strip.setWrapping(False)
    strip.setFixedHeight(SUGGESTION_SIDE + 40)
    strip.setModel(model)
    strip.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    return strip


def _selected(grid: QListView) -> list[int]:
    return sorted(index.data(FACE_ID_ROLE) for index in grid.selectionModel().selectedIndexes())


def _count(faces) -> str:
    return f"{len(faces):,} face" if len(faces) == 1 else f"{len(faces):,} faces"
