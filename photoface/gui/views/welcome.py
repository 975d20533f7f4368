"""The empty library's screen: says what to do, with one button to do it."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

INVITATION = ("<h2>No photos yet</h2><p>Add a folder of photos: photoface finds every face in it"
              " and groups the faces of each person, so you can name them.</p>"
              "<p>Your photos stay where they are and are never changed.</p>")
WORKING = ("<h2>Looking for faces…</h2><p>People appear here as soon as this first pass is done."
           " You can keep using your computer meanwhile.</p>")


class WelcomeView(QWidget):
    add_folder = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.message = QLabel(INVITATION, wordWrap=True, maximumWidth=460)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.button = QPushButton("Add folder…", clicked=lambda: self.add_folder.emit())
        layout = QVBoxLayout(self)
        layout.addStretch()
        layout.addWidget(self.message, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.button, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addStretch()

    def set_working(self, working: bool) -> None:
        self.message.setText(WORKING if working else INVITATION)
        self.button.setVisible(not working)
