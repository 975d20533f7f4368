"""Asking before two people become one: both shown side by side."""

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QGridLayout, QLabel, QVBoxLayout

from ..models.people import PeopleModel, Tile
from ..text import elided


class MergeDialog(QDialog):
    def __init__(self, model: PeopleModel, keep: Tile, other: Tile, parent=None):
        super().__init__(parent)
        self.keep, self.other = keep, other
        self.setWindowTitle("Merge people")
        both = QGridLayout()
        for column, tile in enumerate((keep, other)):
            picture = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
            cover = model.cover(tile)
            if cover is not None:
                picture.setPixmap(cover)
            both.addWidget(picture, 0, column)
            faces = f"{tile.face_count:,} face" + ("" if tile.face_count == 1 else "s")
            both.addWidget(QLabel(f"<b>{escape(elided(tile.title))}</b><br>{faces}",
                                  alignment=Qt.AlignmentFlag.AlignCenter), 1, column)
        name = keep.name or other.name
        result = f"They become one person{f' called {elided(name)}' if name else ''}."
        question = QLabel(f"Are these the same person? {result} Undo (Ctrl+Z) takes it back.",
                          wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        buttons = QDialogButtonBox(accepted=self.accept, rejected=self.reject)
        buttons.addButton("Merge", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(both)
        layout.addWidget(question)
        layout.addWidget(buttons)
