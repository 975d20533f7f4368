"""The people screen: a grid of tiles, biggest first, with a search box; merge two people."""

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QHBoxLayout, QLineEdit, QMenu, QPushButton,
                               QVBoxLayout, QWidget)

from photoface.errors import PhotofaceError
from photoface.people import operations, queries

from ..models.people import NAME_SEPARATOR, PERSON_ID_ROLE, PeopleFilter, PeopleModel
from ..text import elided
from .grid import tile_grid
from .merge import MergeDialog

TILE_SIDE = 128


class PeopleView(QWidget):
    person_opened = Signal(object)  # a person id, or None for the unsorted faces
    together_requested = Signal(list)  # person ids: show the photos where all of them are
    changed = Signal(str)  # people changed; a line saying how
    failed = Signal(str)

    def __init__(self, model: PeopleModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.filter = PeopleFilter(self)
        self.filter.setSourceModel(model)
        self.search = QLineEdit(placeholderText="Search people", clearButtonEnabled=True)
        self.search.textChanged.connect(self._search)
        self.show_hidden = QCheckBox("Show hidden people")
        self.show_hidden.toggled.connect(self.filter.set_show_hidden)
        self.merge_button = QPushButton("Merge…", enabled=False, clicked=self._merge_selected,
                                        toolTip="Select two people (Ctrl+click), or drag one onto the other")
        self.together_button = QPushButton("Photos together", enabled=False, clicked=self._show_together,
                                           toolTip="Select two or more people (Ctrl+click), or type their names"
                                                   " (\"Anna, Ben\"): the photos they are in together, by month")
        self.grid = tile_grid(TILE_SIDE, text_lines=2)
        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.grid.customContextMenuRequested.connect(self._context_menu)
        model.title_pixels = self.grid.gridSize().width() - 8  # the tile's text margins
        self.grid.setModel(self.filter)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.grid.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)  # F2 renames a tile
        self.grid.setDefaultDropAction(self.model.supportedDropActions())
        self.grid.selectionModel().selectionChanged.connect(self._update_buttons)
        self.grid.activated.connect(self._open)  # double-click or Enter
        model.merge_requested.connect(self.ask_merge)
        model.rename_requested.connect(self._rename)
        model.modelReset.connect(self._update_buttons)
        self._lay_out()

    def selected_people(self) -> list[int]:
        """Selected person ids in grid order (the Unsorted tile left out)."""
        indexes = sorted(self.grid.selectionModel().selectedIndexes(), key=QModelIndex.row)
        return [i.data(PERSON_ID_ROLE) for i in indexes if i.data(PERSON_ID_ROLE) is not None]

    def ask_merge(self, keep: int, other: int) -> MergeDialog:
        """Show both people and merge them if the user agrees (the dialog is not modal)."""
        dialog = MergeDialog(self.model, self.model.tile(keep), self.model.tile(other), self)
        dialog.accepted.connect(lambda: self._merge(keep, other))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _merge_selected(self) -> None:
        first, second = self.selected_people()
        self.ask_merge(first, second)  # the bigger one (first in the grid) keeps its id

    def _merge(self, keep: int, other: int) -> None:
        titles = self.model.tile(keep).title, self.model.tile(other).title
        try:
            operations.merge_people(self.model.library, keep, other)
        except PhotofaceError as error:
            self.failed.emit(error.in_app)
            return
        self.changed.emit(f"Merged {titles[1]} into {titles[0]}")

    def _rename(self, person_id: int, name: str) -> None:
        try:
            operations.name_person(self.model.library, person_id, name)
        except PhotofaceError as error:
            self.failed.emit(error.in_app)
            return
        self.changed.emit(f"Named {name}")

    def _show_together(self) -> None:
        """The selected people, or else the names typed in the search."""
        if len(self.selected_people()) > 1 or not self._typed_names():
            self.together_requested.emit(self.selected_people())
            return
        try:
            self.together_requested.emit([queries.person_named(self.model.library, name)
                                          for name in self._typed_names()])
        except PhotofaceError as error:
            self.failed.emit(error.in_app)

    def _search(self, text: str) -> None:
        self.filter.set_search(text)
        self._update_buttons()

    def _typed_names(self) -> list[str]:
        names = [name for name in self.search.text().split(NAME_SEPARATOR) if name.strip()]
        return names if len(names) > 1 else []

    def people_menu(self) -> QMenu | None:
        """What a right-click on the selected people offers: their photos (together), merging two."""
        people = self.selected_people()
        if not people:
            return None
        menu = QMenu(self)
        menu.aboutToHide.connect(menu.deleteLater)
        text = "Photos together" if len(people) > 1 else f"Photos of {elided(self.model.tile(people[0]).title)}"
        menu.addAction(text, self._show_together)
        if len(people) == 2:
            menu.addAction("Merge…", self._merge_selected)
        return menu

    def _context_menu(self, at: QPoint) -> None:
        menu = self.people_menu()
        if menu is not None:
            menu.popup(self.grid.viewport().mapToGlobal(at))

    def _update_buttons(self) -> None:
        self.merge_button.setEnabled(len(self.selected_people()) == 2)
        self.together_button.setEnabled(len(self.selected_people()) > 1 or bool(self._typed_names()))

    def _lay_out(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(self.search, stretch=1)
        bar.addWidget(self.merge_button)
        bar.addWidget(self.together_button)
        bar.addWidget(self.show_hidden)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.grid)

    def _open(self, index: QModelIndex) -> None:
        self.person_opened.emit(index.data(PERSON_ID_ROLE))
