"""The photo viewer shows a camera RAW upright, with its faces framed (where: tests/test_raw_avif.py)."""

from PIL import Image

from photoface.gui.views.photo import PhotoView
from photoface.index.pipeline import Indexer
from photoface.store.library import Library

from ..conftest import PHOTOS, stored_for_orientation
from ..dng import write_dng


def test_a_raw_photo_is_shown_upright_with_its_faces_framed(qtbot, tmp_path, embedder):
    upright = Image.open(PHOTOS / "deepface" / "couple.jpg").convert("RGB")
    (tmp_path / "photos").mkdir()
    write_dng(tmp_path / "photos" / "portrait.dng", stored_for_orientation(upright, 8), orientation=8)  # demosaiced
    with Library.open(tmp_path / "library") as library:
        Indexer(library, embedder=embedder).run([tmp_path / "photos"])
        view = PhotoView(library)
        qtbot.addWidget(view)
        view.resize(800, 600)
        view.show()
        face_ids = [face["id"] for face in library.faces()]
        view.show_face(face_ids[0])
    canvas = view.canvas
    assert canvas.full_width == upright.width
    assert canvas.pixmap.width() * upright.height == canvas.pixmap.height() * upright.width  # upright, not on its side
    assert canvas.pixmap.width() == upright.width // 2  # the half-size demosaic, not enlarged
    assert all(frame.box[0] + frame.box[2] <= upright.width for frame in canvas.frames)  # upright frame boxes
    assert sorted(frame.face_id for frame in canvas.frames) == sorted(face_ids) and len(face_ids) == 2
