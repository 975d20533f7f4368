"""The timeline: photos by month, newest first, of everyone or only where all of some people are
("Photos together"); type names in its filter, double-click a photo to open it."""

from PySide6.QtCore import QModelIndex, QSize, QStringListModel, Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QCompleter, QHBoxLayout, QLabel, QLineEdit, QListView,
                               QPushButton, QStyledItemDelegate, QVBoxLayout, QWidget)

from photoface.errors import PhotofaceError
from photoface.people import queries

from ..models.people import NAME_SEPARATOR, UNNAMED
from ..models.photos import MONTH_ROLE, PHOTO_ID_ROLE, PhotosModel
from ..text import NAME_PIXELS, elided

PHOTO_SIDE = 160


class PhotosView(QWidget):
    back = Signal()
    photo_opened = Signal(int)  # a photo id

    def __init__(self, model: PhotosModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.back_button = QPushButton("← People", clicked=lambda: self.back.emit(), toolTip="Key: Backspace")
        self.title = QLabel()
        self.people_filter = QLineEdit(placeholderText="Only photos with… (names, separated by commas)",
                                       clearButtonEnabled=True)
        self.people_filter.returnPressed.connect(self._filter_typed)
        self.people_filter.textChanged.connect(self._filter_edited)
        self.names = QStringListModel(self)
        self.people_filter.setCompleter(_NameCompleter(self.names, self.people_filter))
        self.shown_filter = ""  # the filter's text for the people shown
        self.problem = QLabel(visible=False)  # a name that names nobody, said in place: no dialog
        self.problem.setStyleSheet("color: #c0392b")
        self.grid = _photo_grid(model, self)
        self.grid.activated.connect(self._open)  # double-click or Enter
        QShortcut(QKeySequence("Backspace"), self, activated=lambda: self.back_button.click(), whatsThis="Back to the people")
        self._lay_out()

    def show_people_photos(self, person_ids: list[int]) -> None:
        """The photos where all of these people are (everyone's photos for none): "Photos together"."""
        self.model.show_photos(person_ids)
        self.names.setStringList(sorted((p["name"] for p in queries.people(self.model.library) if p["name"]),
                                        key=str.casefold))
        self._show_filter()

    def reload(self) -> None:
        self.model.reload()
        self._show_filter()

    def _filter_typed(self) -> None:
        if self.people_filter.text() == self.shown_filter:
            return  # as shown (unnamed people in it read "Unnamed", which names nobody)
        typed = [name for name in self.people_filter.text().split(NAME_SEPARATOR) if name.strip()]
        try:
            person_ids = [queries.person_named(self.model.library, name) for name in typed]
        except PhotofaceError as error:
            self.problem.setText(error.in_app)
            self.problem.setVisible(True)
            return
        self.show_people_photos(person_ids)

    def _filter_edited(self, text: str) -> None:
        if not text.strip() and self.model.person_ids:  # cleared: everyone's photos again
            self.show_people_photos([])

    def _show_filter(self) -> None:
        """The filter field and title say whose photos show (as the library names them now)."""
        people = [queries.person(self.model.library, person_id) for person_id in self.model.person_ids]
        names = [person["name"] or UNNAMED for person in people]
        self.shown_filter = f"{NAME_SEPARATOR} ".join(names)
        self.people_filter.setText(self.shown_filter)
        self.problem.setVisible(False)
        count = self.model.photo_count()
        photos = f"{count:,} photo" if count == 1 else f"{count:,} photos"
        title = (f"{photos} of {_and_list(names)} together" if len(names) > 1 else
                 f"{photos} of {names[0]}" if names else
                 f"All {photos}, newest first" if count else "No photos yet: add a folder (Library > Add folder…)")
        self.title.setText(elided(title, 2 * NAME_PIXELS))  # names may be long: the window never widens
        self.title.setToolTip(title)

    def _open(self, index: QModelIndex) -> None:
        if index.data(PHOTO_ID_ROLE) is not None:
            self.photo_opened.emit(index.data(PHOTO_ID_ROLE))

    def _lay_out(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(self.back_button)
        bar.addWidget(self.title)
        bar.addWidget(self.people_filter, stretch=1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.problem)
        layout.addWidget(self.grid)


class _MonthDelegate(QStyledItemDelegate):
    """Month headers in bold, across the view; photos as tiles."""

    def paint(self, painter, option, index) -> None:
        if index.data(MONTH_ROLE) is None:
            super().paint(painter, option, index)
            return
        painter.save()
        font = QFont(option.font)
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        painter.setFont(font)
        painter.setPen(option.palette.text().color())
        painter.drawText(option.rect.adjusted(4, 0, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
                         index.data(Qt.ItemDataRole.DisplayRole))
        painter.restore()


class _MonthGrid(QListView):
    """Tiles flowing left to right; a header is as wide as the view, so each month starts a row."""

    def resizeEvent(self, event) -> None:
        # Before the list lays its items out again (it does on resizing): headers take the new width.
        scroll_bar = self.verticalScrollBar().sizeHint().width()
        self.model().header_width = event.size().width() - 2 * self.spacing() - scroll_bar
        super().resizeEvent(event)


def _photo_grid(model: PhotosModel, parent) -> QListView:
    grid = _MonthGrid(parent)
    grid.setViewMode(QListView.ViewMode.IconMode)
    grid.setMovement(QListView.Movement.Static)
    grid.setResizeMode(QListView.ResizeMode.Adjust)
    grid.setSpacing(4)
    grid.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    grid.setIconSize(QSize(model.side, model.side))
    grid.setItemDelegate(_MonthDelegate(grid))
    grid.setModel(model)
    return grid


class _NameCompleter(QCompleter):
    """Completes the name being typed after the last comma, keeping the names before it."""

    def __init__(self, names: QStringListModel, field: QLineEdit):
        super().__init__(names, field)
        self.field = field
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)

    def splitPath(self, path: str) -> list[str]:
        return [path.rsplit(NAME_SEPARATOR, 1)[-1].strip()]

    def pathFromIndex(self, index: QModelIndex) -> str:
        before = self.field.text().rsplit(NAME_SEPARATOR, 1)[:-1]
        return f"{NAME_SEPARATOR} ".join([*(part.strip() for part in before), index.data()])


def _and_list(names: list[str]) -> str:
    """"Anna, Ben and Cy"."""
    return f"{', '.join(names[:-1])} and {names[-1]}"
