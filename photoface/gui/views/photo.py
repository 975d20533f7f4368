"""One photo, upright, with a frame and a name on each face; click a frame to name or correct it."""

from dataclasses import dataclass

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from photoface.errors import PhotofaceError
from photoface.people import operations, queries
from photoface.photos.orientation import box_to_upright
from photoface.photos.shown import load_shown
from photoface.store.library import Library

from ..images import to_qimage
from ..models.people import UNNAMED, UNSORTED
from .video import PlayButton, in_same_frame, shown_face

SHOWN_SIDE = 2048  # decode no bigger than a screen needs
CHOSEN = QColor("#ffcc00")
OTHER = QColor("#ffffff")


@dataclass
class FaceFrame:
    face_id: int
    box: tuple[float, float, float, float]  # upright, full-resolution pixels
    label: str
    person: dict | None = None  # None: unsorted


class PhotoView(QWidget):
    back = Signal()
    changed = Signal(str)  # people changed; a line saying how
    failed = Signal(str)

    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self.library = library
        self.photo_id: int | None = None
        self.face_id: int | None = None
        self.canvas = PhotoCanvas()
        self.canvas.face_clicked.connect(lambda face, where: self.face_menu(face).popup(where))
        self.path_label = QLabel()
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header = QHBoxLayout()
        header.addWidget(QPushButton("← Back", clicked=lambda: self.back.emit()))
        header.addWidget(self.path_label, stretch=1)
        self.play_button = PlayButton()
        header.addWidget(self.play_button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.canvas, stretch=1)

    def show_face(self, face_id: int) -> None:
        """Show the photo (or video frame) a face is in, that face framed in colour; PhotofaceError if unreadable."""
        self.show_photo(self.library.photo_of_face(face_id), face_id)

    def show_photo(self, photo_id: int, face_id: int | None = None) -> None:
        """Show a photo, ``face_id`` (one of its faces) framed in colour; a video at that face's frame (else at
        its first face's); PhotofaceError if unreadable."""
        faces = list(self.library.faces(photo_id=photo_id))
        path = queries.photo_path(self.library, photo_id)
        shown = shown_face(faces, face_id)
        photo = load_shown(path, shown and shown["time_ms"], SHOWN_SIDE)
        faces = in_same_frame(faces, shown)
        self.path_label.setText(path)
        self.play_button.show_for(path, shown)
        people = _people_of_faces(self.library)
        frames = [FaceFrame(face["id"], _upright_box(face), _label(people.get(face["id"])), people.get(face["id"]))
                  for face in faces]
        self.photo_id, self.face_id = photo_id, face_id
        self.canvas.show_photo(to_qimage(photo.image), photo.upright_size[0], frames, face_id)

    def reload(self) -> None:
        if self.photo_id is not None:
            self.show_photo(self.photo_id, self.face_id)

    def face_menu(self, face_id: int) -> QMenu:
        """What a click on a face offers: who it is (named people), not who it is said to be, a new person."""
        frame = next(frame for frame in self.canvas.frames if frame.face_id == face_id)
        menu = QMenu(self)
        menu.aboutToHide.connect(menu.deleteLater)
        current = frame.person["id"] if frame.person else None
        for person in sorted((p for p in queries.people(self.library) if p["name"] and p["id"] != current),
                             key=lambda p: p["name"].casefold()):
            menu.addAction(f"This is {person['name']}", lambda p=person: self._run(
                lambda: operations.confirm_face(self.library, face_id, p["id"]), f"Named the face {p['name']}"))
        if current is not None:
            menu.addAction(f"Not {frame.label}", lambda: self._run(
                lambda: operations.remove_faces(self.library, current, [face_id]), f"Face taken out of {frame.label}"))
        menu.addAction("New person", lambda: self._run(
            lambda: operations.create_person(self.library, [face_id]), "The face is a new person"))
        return menu

    def _run(self, operation, done: str) -> None:
        try:
            operation()
        except PhotofaceError as error:
            self.failed.emit(error.in_app)
            return
        self.changed.emit(done)


class PhotoCanvas(QWidget):
    """Paints the photo fitted to the widget and the face frames over it."""

    face_clicked = Signal(int, QPoint)  # the face, where on screen

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

    def mousePressEvent(self, event) -> None:
        face_id = self.face_at(event.position())
        if face_id is not None:
            self.face_clicked.emit(face_id, event.globalPosition().toPoint())

    def face_at(self, point: QPointF) -> int | None:
        """The face whose frame holds this widget point (the smallest, where frames overlap)."""
        if self.pixmap.isNull():
            return None
        target = self._fitted()
        scale = target.width() / self.full_width
        x, y = (point.x() - target.left()) / scale, (point.y() - target.top()) / scale
        inside = [frame for frame in self.frames if _holds(frame.box, x, y)]
        return min(inside, key=lambda frame: frame.box[2] * frame.box[3]).face_id if inside else None

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


def _holds(box: tuple[float, float, float, float], x: float, y: float) -> bool:
    left, top, width, height = box
    return left <= x <= left + width and top <= y <= top + height


def _people_of_faces(library: Library) -> dict[int, dict]:
    return {face: person for person in queries.people(library) for face in person["face_ids"]}


def _label(person: dict | None) -> str:
    return UNSORTED if person is None else person["name"] or UNNAMED


def _upright_box(face: dict) -> tuple[float, float, float, float]:
    return box_to_upright(face["box"], (face["width"], face["height"]), face["orientation"])
