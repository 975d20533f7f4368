"""The people screen: a grid of tiles, biggest first, with a search box."""

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from ..models.people import PERSON_ID_ROLE, PeopleFilter, PeopleModel
from .grid import tile_grid

TILE_SIDE = 128


class PeopleView(QWidget):
    person_opened = Signal(object)  # a person id, or None for the unsorted faces

    def __init__(self, model: PeopleModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.filter = PeopleFilter(self)
        self.filter.setSourceModel(model)
        self.search = QLineEdit(placeholderText="Search people", clearButtonEnabled=True)
        self.search.textChanged.connect(self.filter.setFilterFixedString)
        self.show_hidden = QCheckBox("Show hidden people")
        self.show_hidden.toggled.connect(self.filter.set_show_hidden)
        self.grid = tile_grid(TILE_SIDE, text_lines=2)
        self.grid.setModel(self.filter)
        self.grid.activated.connect(self._open)  # double-click or Enter
        self._lay_out()

    def _lay_out(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(self.search, stretch=1)
        bar.addWidget(self.show_hidden)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.grid)

    def _open(self, index: QModelIndex) -> None:
        self.person_opened.emit(index.data(PERSON_ID_ROLE))
