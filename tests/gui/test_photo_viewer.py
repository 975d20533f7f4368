"""The photo viewer (issue #18): previous / next, zoom and pan with the frames on the faces, back,
naming with a completer, and drawing a face the detector missed (real photos, model and library)."""

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QWheelEvent
from PySide6.QtWidgets import QApplication

from photoface.gui.main_window import MainWindow
from photoface.index.pipeline import Indexer
from photoface.people import operations, queries
from photoface.photos.orientation import iou
from photoface.store.library import Library

from ..test_drawn_faces import MISSING_SMALL_FACES, SELFIE, reference, upright_boxes, vector_of  # noqa: F401

ADDING_TIMEOUT_MS = 60_000


def biggest_person(window) -> int:
    return max(queries.people(window.library), key=lambda person: person["face_count"])["id"]


def open_from_person(window, position: int = 0) -> list[int]:
    """Open the biggest person, then the photo of its face at ``position``, as a double-click does."""
    window.open_person(biggest_person(window))
    sequence = window.person_view.model.face_ids()
    window.person_view.face_opened.emit(sequence[position])
    return sequence


def test_previous_and_next_go_through_the_list_the_photo_was_opened_from(qtbot, people_window):
    sequence = open_from_person(people_window)
    view = people_window.photo_view
    assert len(sequence) >= 2 and view.face_id == sequence[0]
    assert not view.previous_button.isEnabled() and view.count_label.text() == f"1 of {len(sequence)}"
    shown = [view.face_id]
    for _ in sequence[1:]:
        qtbot.keyClick(view, Qt.Key.Key_Right)
        shown.append(view.face_id)
    assert shown == sequence and not view.next_button.isEnabled()
    qtbot.keyClick(view, Qt.Key.Key_Right)  # at the end: stays
    assert view.face_id == sequence[-1]
    qtbot.mouseClick(view.previous_button, Qt.MouseButton.LeftButton)
    assert view.face_id == sequence[-2]
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.face_id == sequence[max(0, len(sequence) - 3)]
    assert view.canvas.chosen == view.face_id and view.photo_id == people_window.library.photo_of_face(view.face_id)


def test_any_list_can_be_passed_in(qtbot, people_window):
    faces = [face["id"] for face in people_window.library.faces()][::-3]  # a search's, say
    people_window.open_face(faces[1], faces)
    view = people_window.photo_view
    qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    assert view.face_id == faces[2]


def test_a_step_to_a_photo_gone_since_says_so_and_stays(qtbot, people_window):
    sequence = open_from_person(people_window)
    view = people_window.photo_view
    library = people_window.library
    gone = next(face for face in sequence[1:] if library.photo_of_face(face) != view.photo_id)
    library.db.execute("UPDATE photos SET status = 'gone' WHERE id = ?", [library.photo_of_face(gone)])
    position = sequence.index(gone)
    with qtbot.waitSignal(view.failed) as failed:
        for _ in range(position):  # up to the face whose photo went
            qtbot.keyClick(view, Qt.Key.Key_Right)
    assert failed.args == ["That photo is gone from its folder."]
    assert view.face_id == sequence[position - 1] and people_window.stack.currentWidget() is view


@pytest.mark.parametrize("key", [Qt.Key.Key_Escape, Qt.Key.Key_Backspace])
def test_esc_and_backspace_go_back_where_the_photo_was_opened_from(qtbot, people_window, key):
    open_from_person(people_window)
    assert people_window.stack.currentWidget() is people_window.photo_view
    qtbot.keyClick(people_window.photo_view, key)
    assert people_window.stack.currentWidget() is people_window.person_view

    people_window.show_people()  # opened from another screen: back goes there
    people_window.open_face(next(people_window.library.faces())["id"])
    qtbot.keyClick(people_window.photo_view, key)
    assert people_window.stack.currentWidget() is people_window.people_view


def to_pillow(image: QImage) -> Image.Image:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return Image.fromarray(rows[:, :3 * image.width()].reshape(image.height(), image.width(), 3).copy())


def region_pixels(image: Image.Image, rect) -> np.ndarray:
    """A region (left, top, right, bottom) of an image as 24 x 24 grey values."""
    crop = image.crop(tuple(round(v) for v in rect)).convert("L").resize((24, 24), Image.BILINEAR)
    return np.asarray(crop, dtype=np.float32)


def test_zoom_and_pan_keep_the_frames_on_the_faces(qtbot, people_window):
    open_from_person(people_window)
    view = people_window.photo_view
    canvas = view.canvas
    box = next(frame.box for frame in canvas.frames if frame.face_id == view.face_id)
    photo = Image.open(view.path).convert("RGB")
    scale = photo.width / canvas.full_size[0]
    fitted_width = canvas.to_widget(box).width()

    qtbot.keyClick(view, Qt.Key.Key_Plus)
    pointer = canvas.to_widget(box).center()
    QApplication.sendEvent(canvas, QWheelEvent(  # three notches, around the pointer: the face stays under it
        pointer, canvas.mapToGlobal(pointer), QPoint(), QPoint(0, 360), Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False))
    assert (canvas.to_widget(box).center() - pointer).manhattanLength() < 1
    face = canvas.to_widget(box).center()
    towards_middle = face + (QPointF(canvas.width() / 2, canvas.height() / 2) - face) / 2
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=face.toPoint())
    qtbot.mouseMove(canvas, towards_middle.toPoint())
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=towards_middle.toPoint())
    on_screen = canvas.to_widget(box)
    assert canvas.zoom == pytest.approx(1.25 ** 4) and on_screen.width() == pytest.approx(1.25 ** 4 * fitted_width)
    assert canvas.pan != QPointF()

    # The pixels painted inside the frame are the face's, not what is beside it.
    visible = on_screen.intersected(canvas.rect().toRectF())
    assert visible.width() * visible.height() > 0.5 * on_screen.width() * on_screen.height()
    (left, top), (right, bottom) = canvas.to_photo(visible.topLeft()), canvas.to_photo(visible.bottomRight())
    shown = region_pixels(to_pillow(canvas.grab().toImage()), visible.getCoords())
    face_pixels = region_pixels(photo, (left * scale, top * scale, right * scale, bottom * scale))
    beside = region_pixels(photo, (right * scale, top * scale, (2 * right - left) * scale, bottom * scale))
    assert np.abs(shown - face_pixels).mean() < 12
    assert np.abs(shown - beside).mean() > 2 * np.abs(shown - face_pixels).mean()
    assert canvas.face_at(visible.center()) == view.face_id

    qtbot.keyClick(view, Qt.Key.Key_0)  # fit
    assert canvas.zoom == 1.0 and canvas.pan == QPointF() and canvas.to_widget(box).width() == fitted_width
    qtbot.keyClick(view, Qt.Key.Key_Minus)  # never smaller than fitted
    assert canvas.zoom == 1.0


def test_naming_a_face_with_the_completer_and_undo(qtbot, people_window):
    library = people_window.library
    people = [person["id"] for person in queries.people(library)]
    operations.name_person(library, people[0], "Joanna Smith")
    operations.name_person(library, people[1], "Ben")
    face = queries.person(library, people[2])["face_ids"][0]
    people_window.open_person(people[2])
    people_window.open_face(face)
    popup = people_window.photo_view.name_popup(face)
    popup.open_at(QPoint(10, 10))
    popup.completer.setCompletionPrefix("ANN")  # any part of the name, any case
    assert [popup.completer.completionModel().index(row, 0).data()
            for row in range(popup.completer.completionCount())] == ["Joanna Smith"]

    qtbot.keyClicks(popup.edit, "joanna smith")
    qtbot.keyClick(popup.edit, Qt.Key.Key_Return)
    assert face in queries.person(library, people[0])["face_ids"]
    assert "Joanna Smith" in [frame.label for frame in people_window.photo_view.canvas.frames]
    people_window.undo()
    assert face in queries.person(library, people[2])["face_ids"]

    popup = people_window.photo_view.name_popup(face)  # a new name: a new person of that name
    popup.open_at(QPoint(10, 10))
    qtbot.keyClicks(popup.edit, "Cleo")
    qtbot.keyClick(popup.edit, Qt.Key.Key_Return)
    cleo = next(person for person in queries.people(library) if person["name"] == "Cleo")
    assert cleo["face_ids"] == [face]


@pytest.fixture
def missed_window(qtbot, reference, copy_photos, tmp_path, embedder):  # noqa: F811 (a fixture)
    """The app over a library of the selfie where the detector missed two faces."""
    photo = copy_photos(SELFIE) / "selfie-many-people.jpg"
    with Library.open(tmp_path / "library") as library:
        Indexer(library, MISSING_SMALL_FACES, embedder=embedder).run([photo.parent])
    window = MainWindow(tmp_path / "library", embedder=embedder)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.job is None, timeout=ADDING_TIMEOUT_MS)  # grouping at start
    return window, photo


def test_drawing_a_missed_face_adds_it_named_and_embedded(qtbot, missed_window, reference, embedder):  # noqa: F811
    window, photo = missed_window
    found = list(upright_boxes(window.library).values())
    box, detected_vector = next((box, vector) for box, vector in reference.values()
                                if all(iou(box, other) < 0.5 for other in found))
    window.open_face(next(window.library.faces())["id"])
    view = window.photo_view
    canvas = view.canvas
    qtbot.keyClick(view, Qt.Key.Key_A)  # "Add a face"
    assert view.add_button.isChecked() and canvas.drawing
    on_screen = canvas.to_widget(box)
    start, end = on_screen.topLeft().toPoint() + QPoint(1, 1), on_screen.bottomRight().toPoint()
    with qtbot.waitSignal(canvas.box_drawn) as drawn:
        qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
        qtbot.mouseMove(canvas, (start + end) / 2)
        qtbot.mouseMove(canvas, end)
        qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=end)
    assert iou(drawn.args[0], box) > 0.8
    popup = next(child for child in view.children() if type(child).__name__ == "NamePopup")
    qtbot.keyClicks(popup.edit, "Zoe")
    qtbot.keyClick(popup.edit, Qt.Key.Key_Return)
    assert canvas.pending is not None and not view.add_button.isEnabled()  # the job embeds it
    qtbot.waitUntil(lambda: view.job is None, timeout=ADDING_TIMEOUT_MS)

    zoe = next(person for person in queries.people(window.library) if person["name"] == "Zoe")
    face_id = zoe["face_ids"][0]
    assert float(vector_of(window.library, face_id, embedder.model_id) @ detected_vector) >= 0.9
    assert face_id in [frame.face_id for frame in canvas.frames] and canvas.pending is None
    assert "Zoe" in [frame.label for frame in canvas.frames]

    Image.open(photo).save(photo, quality=92)  # changed: indexed again, then grouped again
    window._index([photo.parent])
    qtbot.waitUntil(lambda: window.job is None and not window.regroup_waiting, timeout=ADDING_TIMEOUT_MS)
    assert queries.person(window.library, zoe["id"])["face_ids"] == [face_id]
    window.group_again()
    qtbot.waitUntil(lambda: window.job is None, timeout=ADDING_TIMEOUT_MS)
    assert queries.person(window.library, zoe["id"])["face_ids"] == [face_id]
    assert len(list(window.library.faces())) == len(reference)  # found again where drawn: kept once

    window.undo()  # the drawing itself is undone: the face goes
    assert face_id not in [face["id"] for face in window.library.faces()]


def test_a_drawn_box_closed_unanswered_is_dropped(qtbot, missed_window):
    window, _ = missed_window
    window.open_face(next(window.library.faces())["id"])
    view = window.photo_view
    popup = view._ask_name_of_drawn((10.0, 10.0, 60.0, 60.0), QPoint(5, 5))
    assert view.canvas.pending == (10.0, 10.0, 60.0, 60.0)
    popup.close()
    assert view.canvas.pending is None and view.job is None


def test_closing_the_window_while_a_face_is_added_or_asked_about(qtbot, missed_window):
    window, _ = missed_window
    window.open_face(next(window.library.faces())["id"])
    view = window.photo_view
    view._ask_name_of_drawn((0.0, 0.0, 80.0, 80.0), QPoint(5, 5)).named.emit("Wall")  # the job starts
    view._ask_name_of_drawn((300.0, 500.0, 80.0, 80.0), QPoint(5, 5))  # and another question is open
    assert view.job is not None
    window.close()  # waits for the job, tells nobody: no error, no traceback
    assert view.job.isFinished()
