"""The photo viewer shows a video face's frame upright at the face's time, with a Play button that plays the
video from there (a player that can start at a time, else the system's); thumbnails mark a video's faces with the time, the timeline shows a video's first
frame (where the faces land: tests/test_video.py)."""

import pytest
from PIL import Image, ImageOps
from PySide6.QtGui import QDesktopServices

from photoface.evaluation.videos import letterboxed, still_scenes, write_video
from photoface.gui.models.photos import PhotoThumbnails
from photoface.gui.models.thumbnails import ThumbnailCache, clock
from photoface.gui.views import video as video_view
from photoface.gui.views.photo import PhotoView
from photoface.index.pipeline import Indexer
from photoface.store.library import Library

from ..conftest import PHOTOS, stored_for_orientation


def test_a_video_face_shows_its_frame_upright_and_plays_the_video(qtbot, tmp_path, embedder, monkeypatch):
    couple, _, _ = letterboxed(Image.open(PHOTOS / "deepface" / "couple.jpg"), (640, 448))
    (tmp_path / "clips").mkdir()
    video = tmp_path / "clips" / "portrait.mov"
    write_video(video, still_scenes([(stored_for_orientation(couple, 6), 3)]), rotation=-90)
    opened, started = [], []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    monkeypatch.setattr(video_view.shutil, "which", lambda program: None)  # no player that seeks
    with Library.open(tmp_path / "library") as library:
        Indexer(library, embedder=embedder).run([tmp_path / "clips"])
        faces = list(library.faces())
        view = PhotoView(library)
        qtbot.addWidget(view)
        view.resize(800, 600)
        view.show()
        view.show_face(faces[0]["id"])
        canvas = view.canvas
        assert len(faces) == 2 and canvas.full_width == 640
        assert (canvas.pixmap.width(), canvas.pixmap.height()) == (640, 448)  # upright, not on its side
        assert sorted(frame.face_id for frame in canvas.frames) == sorted(
            face["id"] for face in faces if face["time_ms"] == faces[0]["time_ms"])
        assert view.play_button.isVisible() and clock(faces[0]["time_ms"]) in view.play_button.text()
        assert not view.add_button.isEnabled(), "faces are drawn on photos, not on a video's frame"
        view.play_button.click()
        assert opened == [str(video)]

        monkeypatch.setattr(video_view.shutil, "which", lambda name: f"/usr/bin/{name}" if name == "vlc" else None)
        monkeypatch.setattr(video_view.subprocess, "Popen", lambda command, **_: started.append(command))
        view.show_face(faces[-1]["id"])
        seconds = faces[-1]["time_ms"] / 1000
        assert view.play_button.text() == f"Play from {clock(faces[-1]['time_ms'])}"
        view.play_button.click()
        assert started == [["/usr/bin/vlc", f"--start-time={seconds:.1f}", str(video)]] and len(opened) == 1


def test_a_video_faces_thumbnail_says_when_it_was_seen_and_a_photos_does_not(qapp, tmp_path, embedder):
    couple, _, _ = letterboxed(Image.open(PHOTOS / "deepface" / "couple.jpg"), (640, 448))
    (tmp_path / "media").mkdir()
    couple.save(tmp_path / "media" / "photo.jpg")
    write_video(tmp_path / "media" / "clip.mp4", still_scenes([(couple, 1)]))
    with Library.open(tmp_path / "library") as library:
        Indexer(library, embedder=embedder).run([tmp_path / "media"])
        thumbnails = ThumbnailCache(library, 96)
        corners = {face["media"]: thumbnails.pixmap(face["id"]).toImage().pixelColor(2, 93).lightness()
                   for face in library.faces()}
    assert corners["video"] < 60 < corners["photo"]  # the dark badge, bottom left; the photo's crop is bright there


def test_times_read_as_players_show_them():
    assert [clock(ms) for ms in (0, 42_500, 725_000, 3_723_000)] == ["0:00", "0:42", "12:05", "1:02:03"]


def test_a_videos_tile_in_the_timeline_is_its_first_frame(qtbot, tmp_path):
    couple, _, _ = letterboxed(Image.open(PHOTOS / "deepface" / "couple.jpg"), (640, 448))
    write_video(tmp_path / "clip.mp4", still_scenes([(couple, 1)]))
    thumbnails = PhotoThumbnails(64)
    with qtbot.waitSignal(thumbnails.ready, timeout=10_000):
        thumbnails.pixmap(1, str(tmp_path / "clip.mp4"))
    tile = thumbnails.pixmap(1, str(tmp_path / "clip.mp4")).toImage()
    expected = ImageOps.fit(couple, (64, 64)).getpixel((32, 32))
    assert tile.pixelColor(32, 32).getRgb()[:3] == pytest.approx(expected, abs=24)  # not a placeholder
