"""One photo, upright, with a frame and a name on each face."""

from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from photoface.people import queries
from photoface.photos.loader import load_photo
from photoface.photos.orientation import box_to_upright
from photoface.store.library import Library

from ..models.people import UNNAMED, UNSORTED

SHOWN_SIDE = 2048  # decode no bigger than a screen needs
CHOSEN = QColor("#ffcc00")
OTHER = QColor("#ffffff")


@dataclass
class FaceFrame:
    face_id: int
    box: tuple[float, float, float, float]  # upright, full-resolution pixels
    label: str


class PhotoView(QWidget):
    back = Signal()

    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self.library = library
        self.canvas = PhotoCanvas()
        self.path_label = QLabel()
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header = QHBoxLayout()
        header.addWidget(QPushButton("← Back", clicked=lambda: self.back.emit()))
        header.addWidget(self.path_label, stretch=1)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.canvas, stretch=1)

    def show_face(self, face_id: int) -> None:
        """Show the photo a face is in, that face framed in colour; PhotofaceError if unreadable."""
        faces = list(self.library.faces(photo_id=self.library.photo_of_face(face_id)))
        path = faces[0]["path"]
        photo = load_photo(path, max_side=SHOWN_SIDE)
        self.path_label.setText(path)
        names = _names_of_faces(self.library)
        frames = [FaceFrame(face["id"], _upright_box(face), names.get(face["id"], UNSORTED)) for face in faces]
        self.canvas.show_photo(_to_qimage(photo.image), photo.upright_size[0], frames, face_id)


class PhotoCanvas(QWidget):
    """Paints the photo fitted to the widget and the face frames over it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.pixmap = QPixmap()
        self.full_width = 1  # the upright photo's width at full resolution
        self.frames: list[FaceFrame] = []
        self.chosen: int | None = None

    def show_photo(self, image: QImage, full_width: int, frames: list[FaceFrame], chosen: int) -> None:
        self.pixmap = QPixmap.fromImage(image)
        self.full_width, self.frames, self.chosen = full_width, frames, chosen
        self.update()

    def paintEvent(self, event) -> None:
        if self.pixmap.isNull():
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        target = self._fitted()
        painter.drawPixmap(target, self.pixmap, QRectF(self.pixmap.rect()))
        scale = target.width() / self.full_width
        for frame in self.frames:
            self._draw_frame(painter, frame, target, scale)

    def _fitted(self) -> QRectF:
        size = self.pixmap.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        left, top = (self.width() - size.width()) / 2, (self.height() - size.height()) / 2
        return QRectF(left, top, size.width(), size.height())

    def _draw_frame(self, painter: QPainter, frame: FaceFrame, target: QRectF, scale: float) -> None:
        left, top, width, height = frame.box
        rect = QRectF(target.left() + left * scale, target.top() + top * scale,
                      width * scale, height * scale).intersected(target)  # boxes may overhang the photo
        colour = CHOSEN if frame.face_id == self.chosen else OTHER
        painter.setPen(QPen(colour, 3 if frame.face_id == self.chosen else 1.5))
        painter.drawRect(rect)
        text_rect = painter.fontMetrics().boundingRect(frame.label).adjusted(-4, -2, 4, 2)
        text_rect.moveTopLeft(rect.bottomLeft().toPoint())
        painter.fillRect(text_rect, QColor(0, 0, 0, 160))
        painter.setPen(colour)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, frame.label)


def _names_of_faces(library: Library) -> dict[int, str]:
    return {face: person["name"] or UNNAMED
            for person in queries.people(library) for face in person["face_ids"]}


def _upright_box(face: dict) -> tuple[float, float, float, float]:
    return box_to_upright(face["box"], (face["width"], face["height"]), face["orientation"])


def _to_qimage(image) -> QImage:
    """A Pillow RGB image as a QImage that owns its pixels."""
    data = image.tobytes()
    return QImage(data, image.width, image.height, 3 * image.width, QImage.Format.Format_RGB888).copy()
