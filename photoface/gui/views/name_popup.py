"""A small popup saying whose face it is: a name field completing the people's names as typed."""

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import QCompleter, QFrame, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout

from photoface.people.operations import MAX_NAME_LENGTH

from ..text import elided


class NamePopup(QFrame):
    """Enter names the face (a known name, in any case, or a new one); the buttons below offer the rest.

    The completer matches any part of a name in any case ("ann" finds "Joanna"); picking one
    of its names chooses it at once. One of its signals fires, once, and it closes.
    """

    named = Signal(str)
    new_person = Signal()  # the face is someone without a name yet
    not_them = Signal()  # the face is not the person it is in
    dismissed = Signal()  # closed without an answer (Esc, a click elsewhere)

    def __init__(self, names: list[str], parent=None, new_person_text: str = "New person",
                 not_them_text: str | None = None):
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.edit = QLineEdit(placeholderText="Who is this? Type a name", maxLength=MAX_NAME_LENGTH)
        self.edit.setMinimumWidth(260)
        self.completer = QCompleter(sorted(names, key=str.casefold), self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.edit.setCompleter(self.completer)
        self.completer.activated.connect(self._choose)
        self.edit.returnPressed.connect(lambda: self._choose(self.edit.text()))
        self.buttons = QHBoxLayout()
        self._add_button(new_person_text, self.new_person)
        if not_them_text:
            self._add_button(elided(not_them_text), self.not_them)
        layout = QVBoxLayout(self)
        layout.addWidget(self.edit)
        layout.addLayout(self.buttons)
        self._done = False

    def open_at(self, where: QPoint) -> None:
        self.move(where)
        self.show()
        self.edit.setFocus()

    def hideEvent(self, event) -> None:
        self._answer(self.dismissed.emit)
        super().hideEvent(event)

    def _choose(self, name: str) -> None:
        if name.strip():
            self._answer(lambda: self.named.emit(name.strip()))

    def _add_button(self, text: str, signal) -> None:
        self.buttons.addWidget(QPushButton(text, clicked=lambda: self._answer(signal.emit)))

    def _answer(self, emit) -> None:
        if not self._done:
            self._done = True
            emit()
            self.close()
