"""The screen of a library without people: says why (no photos yet, or no faces in them) and what to
do, with one button to do it."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

TEXT_WIDTH = 460
INVITATION = ("<h2>No photos yet</h2><p>Add a folder of photos, or drop one onto this window: photoface"
              " finds every face in it and groups the faces of each person, so you can name them.</p>"
              "<p>Your photos stay where they are and are never changed.</p>")
NO_FACES = ("<h2>No faces found</h2><p>photoface looked at {photos} and found no face in them.</p>"
            "<p>Add a folder of photos with people in them, or drop one onto this window.</p>")
WORKING = ("<h2>Looking for faces…</h2><p>People appear here as soon as this first pass is done."
           " You can keep using your computer meanwhile.</p>")


class WelcomeView(QWidget):
    add_folder = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.photos = 0  # photos looked at, none with a face
        self.working = False
        # A fixed width, and no alignment flag on the label itself: only then does the layout give a
        # wrapped label the height its lines need (an aligned one gets its one-line size hint: clipped).
        self.message = QLabel(INVITATION, wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.message.setFixedWidth(TEXT_WIDTH)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.button = QPushButton("Add folder…", clicked=lambda: self.add_folder.emit())
        centred = QHBoxLayout()
        centred.addStretch()
        centred.addWidget(self.message)
        centred.addStretch()
        layout = QVBoxLayout(self)
        layout.addStretch()
        layout.addLayout(centred)
        layout.addWidget(self.button, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addStretch()

    def set_working(self, working: bool) -> None:
        self.working = working
        self._show()

    def set_photos_without_faces(self, photos: int) -> None:
        """The library has looked at ``photos`` photos and found no face (0: none looked at yet)."""
        self.photos = photos
        self._show()

    def _show(self) -> None:
        if self.working:
            text = WORKING
        elif self.photos:
            text = NO_FACES.format(photos=f"{self.photos:,} photo" + ("s" if self.photos > 1 else ""))
        else:
            text = INVITATION
        self.message.setText(text)
        self.button.setVisible(not self.working)
