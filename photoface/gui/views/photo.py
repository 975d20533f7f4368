"""One photo, upright, with a frame and a name on each face.

Previous / next go through the faces of the list the photo was opened from
(a person's, a search's); the photo zooms and pans with the frames on it; a
click on a frame names the face; "Add a face" draws one the detector missed.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QCursor, QImage, QKeySequence, QPainter, QPen, QPixmap, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from photoface.errors import PhotofaceError
from photoface.people import operations, queries
from photoface.photos.kinds import is_video_name
from photoface.photos.orientation import Box, box_to_upright
from photoface.photos.shown import load_shown
from photoface.store.library import Library

from ..images import to_qimage
from ..jobs.adding_face import AddFaceJob
from ..models.people import UNNAMED, UNSORTED
from ..text import elided, shown_path
from .name_popup import NamePopup
from .video import PlayButton, in_same_frame, shown_face

if TYPE_CHECKING:
    from photoface.embed.models import Embedder

SHOWN_SIDE = 2048  # decode no bigger than a screen needs
CHOSEN = QColor("#ffcc00")
OTHER = QColor("#ffffff")
ZOOM_STEP = 1.25  # per key press or wheel notch
MAX_ZOOM = 16.0  # times the fitted size
DRAG_PIXELS = 4  # a press that moves less is a click


@dataclass
class FaceFrame:
    face_id: int
    box: Box  # upright, full-resolution pixels
    label: str
    person: dict | None = None  # None: unsorted


class PhotoView(QWidget):
    back = Signal()
    changed = Signal(str)  # people changed; a line saying how
    failed = Signal(str)

    def __init__(self, library: Library, loaded_embedder: Callable[[], "Embedder | None"] = lambda: None,
                 parent=None):
        """``loaded_embedder``: the window's embedder, once a job loaded it (drawn faces are embedded with it)."""
        super().__init__(parent)
        self.library = library
        self.loaded_embedder = loaded_embedder
        self.sequence: list[int] = []  # faces (or photos) of the list the photo was opened from, in its order
        self.of_photos = False  # the sequence holds photo ids (the timeline), not face ids
        self.position = 0
        self.path = ""
        self.photo_id: int | None = None
        self.frame_ms: int | None = None  # a video's: the time of the frame shown
        self.job: AddFaceJob | None = None
        self.canvas = PhotoCanvas()
        self.canvas.face_clicked.connect(lambda face, where: self.name_popup(face).open_at(where))
        self.canvas.box_drawn.connect(self._ask_name_of_drawn)
        self.back_button = QPushButton("← Back", clicked=lambda: self.back.emit())
        self.previous_button = QPushButton("◀ Previous", clicked=lambda: self.step(-1))
        self.next_button = QPushButton("Next ▶", clicked=lambda: self.step(1))
        self.add_button = QPushButton("Add a face", checkable=True, toggled=self.canvas.set_drawing)
        self.add_button.setToolTip("Draw a box around a face that has no frame, then name it (key: A)")
        self.count_label = QLabel()
        self.play_button = PlayButton()
        self.path_label = QLabel()
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._lay_out()
        self._add_shortcuts()

    # --- showing -------------------------------------------------------------------

    def show_face(self, face_id: int, sequence: Sequence[int] | None = None) -> None:
        """Show the photo a face is in, that face framed in colour; previous / next go through
        ``sequence`` (faces, the list it was opened from). PhotofaceError if it cannot be shown."""
        sequence = list(sequence) if sequence and face_id in sequence else [face_id]
        self._show_position(sequence, sequence.index(face_id), of_photos=False)

    def show_photo(self, photo_id: int, sequence: Sequence[int] | None = None) -> None:
        """Show a photo; previous / next go through ``sequence`` (photos, the timeline's order).
        PhotofaceError if it cannot be shown."""
        sequence = list(sequence) if sequence and photo_id in sequence else [photo_id]
        self._show_position(sequence, sequence.index(photo_id), of_photos=True)

    def step(self, offset: int) -> None:
        """Show the previous (-1) or next (1) face of the list, when there is one."""
        position = self.position + offset
        if 0 <= position < len(self.sequence):
            try:
                self._show_position(self.sequence, position, self.of_photos)
            except PhotofaceError as error:
                self.failed.emit(error.in_app)

    def reload(self) -> None:
        """Show the photo again as the library has it now (its faces named, added or undone)."""
        if self.photo_id is not None:
            self._show_photo(self.path, self.photo_id, list(self.library.faces(photo_id=self.photo_id)))

    def _show_position(self, sequence: list[int], position: int, of_photos: bool) -> None:
        photo_id = sequence[position] if of_photos else self._photo_of_face(sequence[position])
        path = queries.photo_path(self.library, photo_id)
        faces = list(self.library.faces(photo_id=photo_id))  # a gone photo lists none
        if not (of_photos or faces):
            raise PhotofaceError(f"The photo of face {sequence[position]} is gone.",
                                 in_app="That photo is gone from its folder.")
        self.sequence, self.position, self.of_photos = sequence, position, of_photos
        self._show_photo(path, photo_id, faces)

    def _photo_of_face(self, face_id: int) -> int:
        try:
            return self.library.photo_of_face(face_id)
        except KeyError:
            raise PhotofaceError(f"There is no face {face_id}.", in_app="That face is no longer there.") from None

    def _show_photo(self, path: str, photo_id: int, faces: list[dict]) -> None:
        shown = shown_face(faces, self.face_id)  # a video: the frame of this face
        frame_ms = shown and shown["time_ms"]
        if (photo_id, frame_ms) != (self.photo_id, self.frame_ms) or self.canvas.pixmap.isNull():
            photo = load_shown(path, frame_ms, SHOWN_SIDE)
            self.canvas.show_photo(to_qimage(photo.image), photo.upright_size)
        faces = in_same_frame(faces, shown)  # a video's faces come from different frames
        self.play_button.show_for(path, shown)
        self.add_button.setEnabled(self.job is None and not is_video_name(path))  # faces are drawn on photos
        self.frame_ms = frame_ms
        self.path, self.photo_id = path, photo_id
        people = _people_of_faces(self.library)
        self.canvas.show_frames([FaceFrame(face["id"], _upright_box(face), _label(people.get(face["id"])),
                                           people.get(face["id"])) for face in faces], self.face_id)
        self.path_label.setText(Path(path).name)  # the folder in the tooltip: a long path would widen the window
        self.path_label.setToolTip(shown_path(path))
        self.count_label.setText(f"{self.position + 1:,} of {len(self.sequence):,}")
        self.previous_button.setEnabled(self.position > 0)
        self.next_button.setEnabled(self.position + 1 < len(self.sequence))

    @property
    def face_id(self) -> int | None:
        """The face the photo is shown for (framed in colour)."""
        return self.sequence[self.position] if self.sequence and not self.of_photos else None

    # --- naming ----------------------------------------------------------------------

    def name_popup(self, face_id: int) -> NamePopup:
        """Whose face it is: a name (known, completed as typed, or new), a new person, or not the one it is in."""
        frame = next(frame for frame in self.canvas.frames if frame.face_id == face_id)
        current = frame.person["id"] if frame.person else None
        popup = NamePopup(self._names(), self, not_them_text=f"Not {frame.label}" if current is not None else None)
        popup.named.connect(lambda name: self._run(
            lambda: operations.name_face(self.library, face_id, name), f"Named the face {name}"))
        popup.new_person.connect(lambda: self._run(
            lambda: operations.create_person(self.library, [face_id]), "The face is a new person"))
        popup.not_them.connect(lambda: self._run(
            lambda: operations.remove_faces(self.library, current, [face_id]), f"Face taken out of {frame.label}"))
        return popup

    def _names(self) -> list[str]:
        return [person["name"] for person in queries.people(self.library) if person["name"]]

    def _run(self, operation, done: str) -> None:
        try:
            operation()
        except PhotofaceError as error:
            self.failed.emit(error.in_app)
            return
        self.changed.emit(done)

    # --- adding a face the detector missed ----------------------------------------------

    def _ask_name_of_drawn(self, box: Box, where: QPoint) -> NamePopup:
        """The box the user drew: name it, or add it without a name; closed unanswered, it goes."""
        self.canvas.pending = box
        popup = NamePopup(self._names(), self, new_person_text="Add without a name")
        popup.named.connect(lambda name: self._add_face(box, name))
        popup.new_person.connect(lambda: self._add_face(box, None))
        popup.dismissed.connect(self._drop_pending)
        popup.open_at(where)
        return popup

    def _add_face(self, box: Box, name: str | None) -> None:
        self.add_button.setChecked(False)
        self.add_button.setEnabled(False)  # one at a time
        self.job = AddFaceJob(self.library.folder, self.path, box, name, self.loaded_embedder(), self)
        self.job.succeeded.connect(lambda _added: self._face_added(name))
        self.job.failed.connect(self._adding_failed)
        self.job.start()

    def _face_added(self, name: str | None) -> None:
        self._end_job()
        self.changed.emit(f"Face added as {name}" if name else "Face added; grouping faces again places it")

    def _adding_failed(self, message: str) -> None:
        self._end_job()
        self.failed.emit(message)

    def _end_job(self) -> None:
        self.job.wait()
        self.job.deleteLater()
        self.job = None
        self.add_button.setEnabled(not is_video_name(self.path))
        self._drop_pending()

    def _drop_pending(self) -> None:
        if self.job is None:
            self.canvas.pending = None
            self.canvas.update()

    def stop(self) -> None:
        """The window closes: a face being added is finished, and nobody is told."""
        if self.job is not None:
            self.job.succeeded.disconnect()
            self.job.failed.disconnect()
            self.job.wait()

    # --- keys and layout -----------------------------------------------------------------

    def _escape(self) -> None:
        """Esc leaves "Add a face" first, then the photo."""
        if self.add_button.isChecked():
            self.add_button.setChecked(False)
        else:
            self.back.emit()

    def _add_shortcuts(self) -> None:
        zoom_in, zoom_out = lambda: self.canvas.zoom_by(ZOOM_STEP), lambda: self.canvas.zoom_by(1 / ZOOM_STEP)
        keys = [  # (keys, what they do: the Keyboard shortcuts list's words, slot)
            (["Left"], "Previous photo of the list", lambda: self.step(-1)),
            (["Right"], "Next photo of the list", lambda: self.step(1)),
            (["Backspace", QKeySequence.StandardKey.Back], "Back", self.back.emit),
            (["Esc"], "Stop adding a face, else back", self._escape),
            (["+", "=", QKeySequence.StandardKey.ZoomIn], "Zoom in", zoom_in),
            (["-", QKeySequence.StandardKey.ZoomOut], "Zoom out", zoom_out),
            (["0"], "Fit the photo", self.canvas.fit),
            (["A"], "Add a face the detector missed", lambda: self.add_button.isEnabled() and self.add_button.toggle()),
        ]
        for sequences, said, slot in keys:
            for key in sequences:
                QShortcut(QKeySequence(key), self, activated=slot, whatsThis=said)
        self.back_button.setToolTip("Key: Esc or Backspace")
        self.previous_button.setToolTip("Key: Left")
        self.next_button.setToolTip("Key: Right")
        self.canvas.setToolTip("Wheel or + and - zoom, 0 fits, drag to move; click a face to name it")

    def _lay_out(self) -> None:
        header = QHBoxLayout()
        for widget in (self.back_button, self.previous_button, self.count_label, self.next_button):
            header.addWidget(widget)
        header.addWidget(self.path_label, stretch=1)
        header.addWidget(self.play_button)
        header.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.canvas, stretch=1)


class PhotoCanvas(QWidget):
    """Paints the photo, fitted to the widget times ``zoom`` and moved by ``pan``, and the face frames
    over it through the same mapping, so they stay on the faces; drawing mode drags a new box."""

    face_clicked = Signal(int, QPoint)  # the face, where on screen
    box_drawn = Signal(tuple, QPoint)  # upright box in full-resolution pixels, where on screen

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.pixmap = QPixmap()
        self.full_size = (1, 1)  # the upright photo's size at full resolution
        self.frames: list[FaceFrame] = []
        self.chosen: int | None = None
        self.zoom = 1.0  # 1: the photo fits the widget
        self.pan = QPointF()  # the photo's centre from the widget's, in widget pixels
        self.drawing = False
        self.pending: Box | None = None  # a drawn face being added
        self._press: QPointF | None = None
        self._last = QPointF()
        self._moved = False
        self._band_end: QPointF | None = None

    @property
    def full_width(self) -> int:
        return self.full_size[0]

    def show_photo(self, image: QImage, full_size: tuple[int, int]) -> None:
        """A new photo, fitted."""
        self.pixmap = QPixmap.fromImage(image)
        self.full_size = full_size
        self.pending = None  # a face being added is on the photo shown before
        self.fit()

    def show_frames(self, frames: list[FaceFrame], chosen: int | None) -> None:
        self.frames, self.chosen = frames, chosen
        self.update()

    # --- the mapping between the photo and the widget ----------------------------------

    def photo_rect(self) -> QRectF:
        """Where the photo is drawn, in widget pixels."""
        fitted = self.pixmap.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        width, height = fitted.width() * self.zoom, fitted.height() * self.zoom
        centre = QPointF(self.width() / 2, self.height() / 2) + self.pan
        return QRectF(centre.x() - width / 2, centre.y() - height / 2, width, height)

    def to_widget(self, box: Box) -> QRectF:
        """A box of the photo (full-resolution pixels) in widget pixels."""
        rect, scale = self.photo_rect(), self._scale()
        left, top, width, height = box
        return QRectF(rect.left() + left * scale, rect.top() + top * scale, width * scale, height * scale)

    def to_photo(self, point: QPointF) -> tuple[float, float]:
        """A widget point in the photo's full-resolution pixels."""
        rect, scale = self.photo_rect(), self._scale()
        return (point.x() - rect.left()) / scale, (point.y() - rect.top()) / scale

    def _scale(self) -> float:
        return self.photo_rect().width() / self.full_size[0]

    # --- zoom and pan --------------------------------------------------------------

    def zoom_by(self, factor: float, around: QPointF | None = None) -> None:
        """Zoom, keeping the photo's point under ``around`` (the widget's centre by default) in place."""
        if self.pixmap.isNull():
            return
        around = QPointF(self.width() / 2, self.height() / 2) if around is None else around
        x, y = self.to_photo(around)
        self.zoom = min(MAX_ZOOM, max(1.0, self.zoom * factor))
        landed = self.to_widget((x, y, 0, 0)).topLeft()
        self.pan += around - landed  # the point under ``around`` stays there
        self._keep_in_view()
        self.update()

    def fit(self) -> None:
        self.zoom, self.pan = 1.0, QPointF()
        self.update()

    def _keep_in_view(self) -> None:
        """No empty margin where the photo could fill the widget."""
        rect = self.photo_rect()
        room_x, room_y = max(0.0, (rect.width() - self.width()) / 2), max(0.0, (rect.height() - self.height()) / 2)
        self.pan = QPointF(min(room_x, max(-room_x, self.pan.x())), min(room_y, max(-room_y, self.pan.y())))

    # --- drawing a face --------------------------------------------------------------

    def set_drawing(self, drawing: bool) -> None:
        self.drawing = drawing
        self.setCursor(Qt.CursorShape.CrossCursor if drawing else Qt.CursorShape.ArrowCursor)

    def _drawn_box(self, start: QPointF, end: QPointF) -> Box:
        """The box between two widget points, in the photo, cut to the photo's edges."""
        (x0, y0), (x1, y1) = self.to_photo(start), self.to_photo(end)
        width, height = self.full_size
        left, right = max(0.0, min(x0, x1)), min(float(width), max(x0, x1))
        top, bottom = max(0.0, min(y0, y1)), min(float(height), max(y0, y1))
        return left, top, max(0.0, right - left), max(0.0, bottom - top)

    # --- events ---------------------------------------------------------------------

    def paintEvent(self, event) -> None:
        if self.pixmap.isNull():
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        target = self.photo_rect()
        painter.drawPixmap(target, self.pixmap, QRectF(self.pixmap.rect()))
        for frame in self.frames:
            self._draw_frame(painter, frame, target)
        if self.pending is not None:
            self._draw_box(painter, self.to_widget(self.pending).intersected(target), "Adding the face…")
        if self._press is not None and self._band_end is not None:
            self._draw_box(painter, QRectF(self._press, self._band_end).normalized(), "")

    def resizeEvent(self, event) -> None:
        self._keep_in_view()
        super().resizeEvent(event)

    def wheelEvent(self, event) -> None:
        self.zoom_by(ZOOM_STEP ** (event.angleDelta().y() / 120), event.position())

    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.pixmap.isNull():
            return
        self._press = self._last = event.position()
        self._moved = False
        if not self.drawing and self.zoom > 1:
            self.setCursor(QCursor(Qt.CursorShape.ClosedHandCursor))

    def mouseMoveEvent(self, event) -> None:
        if self._press is None:
            return
        self._moved = self._moved or (event.position() - self._press).manhattanLength() > DRAG_PIXELS
        if self.drawing:
            self._band_end = event.position()
        else:
            self.pan += event.position() - self._last
            self._keep_in_view()
        self._last = event.position()
        self.update()

    def mouseReleaseEvent(self, event) -> None:
        press, self._press, self._band_end = self._press, None, None
        if press is None:
            return
        where = event.globalPosition().toPoint()
        if self.drawing:
            box = self._drawn_box(press, event.position())
            if self._moved and box[2] and box[3]:
                self.box_drawn.emit(box, where)
        else:
            self.setCursor(Qt.CursorShape.ArrowCursor)  # back from the closed hand
            face_id = None if self._moved else self.face_at(press)
            if face_id is not None:
                self.face_clicked.emit(face_id, where)
        self.update()

    def face_at(self, point: QPointF) -> int | None:
        """The face whose frame holds this widget point (the smallest, where frames overlap)."""
        if self.pixmap.isNull():
            return None
        x, y = self.to_photo(point)
        inside = [frame for frame in self.frames if _holds(frame.box, x, y)]
        return min(inside, key=lambda frame: frame.box[2] * frame.box[3]).face_id if inside else None

    def _draw_frame(self, painter: QPainter, frame: FaceFrame, target: QRectF) -> None:
        rect = self.to_widget(frame.box).intersected(target)  # boxes may overhang the photo
        colour = CHOSEN if frame.face_id == self.chosen else OTHER
        painter.setPen(QPen(colour, 3 if frame.face_id == self.chosen else 1.5))
        painter.drawRect(rect)
        label = elided(frame.label, max(60, int(rect.width()) + 80))
        text_rect = painter.fontMetrics().boundingRect(label).adjusted(-4, -2, 4, 2)
        text_rect.moveTopLeft(rect.bottomLeft().toPoint())
        painter.fillRect(text_rect, QColor(0, 0, 0, 160))
        painter.setPen(colour)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, label)

    def _draw_box(self, painter: QPainter, rect: QRectF, label: str) -> None:
        painter.setPen(QPen(CHOSEN, 2, Qt.PenStyle.DashLine))
        painter.drawRect(rect)
        if label:
            painter.drawText(rect.bottomLeft() + QPointF(0, painter.fontMetrics().height()), label)


def _holds(box: Box, x: float, y: float) -> bool:
    left, top, width, height = box
    return left <= x <= left + width and top <= y <= top + height


def _people_of_faces(library: Library) -> dict[int, dict]:
    return {face: person for person in queries.people(library) for face in person["face_ids"]}


def _label(person: dict | None) -> str:
    return UNSORTED if person is None else person["name"] or UNNAMED


def _upright_box(face: dict) -> Box:
    return box_to_upright(face["box"], (face["width"], face["height"]), face["orientation"])
