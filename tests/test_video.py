"""Videos written with PyAV from shared photos: their faces land on the photo's faces (IoU >= 0.5 with the
source's box mapped into the frame, upright), have nearly its embedding (cosine >= 0.95), and come once per
person per video, with the time they were seen; rotation metadata is honoured. The library treats a video
as a photo of kind video: moves, copies, deletion and ``status`` as for photos; older libraries upgrade."""

import os
import re
import shutil
from datetime import datetime, timezone

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image
from sqlite_utils import Database

from photoface.cli import cli
from photoface.evaluation.metrics import iou
from photoface.evaluation.videos import letterboxed, still_scenes, write_video
from photoface.export import export_album
from photoface.export.albums import photo_date
from photoface.index.pipeline import Indexer
from photoface.photos import PhotoError
from photoface.photos.orientation import box_to_upright
from photoface.people.interop import write_sidecars
from photoface.photos import loader, video
from photoface.photos.video import frame_at, recorded_at, sample_frames
from photoface.store.library import DB_NAME, Library
from photoface.store.migrations import MIGRATIONS, _v10_videos, migrate

from .conftest import PHOTOS, stored_for_orientation

COUPLE = PHOTOS / "deepface" / "couple.jpg"  # two faces
FIRST, SECOND = PHOTOS / "knn" / "train" / "obama" / "obama.jpg", PHOTOS / "knn" / "train" / "biden" / "biden2.jpg"
SWITCH_S = 3  # two.mp4 shows FIRST until then, SECOND after


def make_clips(folder):
    """name -> (EXIF orientation expected, [(source photo, scale, offset, seconds shown from, until)])."""
    couple, scale, offset = letterboxed(Image.open(COUPLE), (640, 448))
    write_video(folder / "couple.mp4", still_scenes([(couple, 4)]))
    phone = stored_for_orientation(couple, 6)  # held upright: stored on its side, shown rotated clockwise
    write_video(folder / "couple.mov", still_scenes([(phone, 4)]), rotation=-90, codec="libx265")  # as iPhones
    first, first_scale, first_offset = letterboxed(Image.open(FIRST), (512, 512))
    second, second_scale, second_offset = letterboxed(Image.open(SECOND), (512, 512))
    write_video(folder / "two.mp4", still_scenes([(first, SWITCH_S), (second, SWITCH_S)]))
    return {
        "couple.mp4": (1, [(COUPLE, scale, offset, 0, 4)]),
        "couple.mov": (6, [(COUPLE, scale, offset, 0, 4)]),
        "two.mp4": (1, [(FIRST, first_scale, first_offset, 0, SWITCH_S),
                        (SECOND, second_scale, second_offset, SWITCH_S, 2 * SWITCH_S)]),
    }


def faces_by_file(library, model_id):
    face_ids, vectors = library.embedding_matrix(model_id)
    vector_of = dict(zip(map(int, face_ids), vectors))
    faces = {}
    for face in library.faces():
        box = box_to_upright(face["box"], (face["width"], face["height"]), face["orientation"])
        faces.setdefault(face["path"].rsplit("/", 1)[-1], []).append(
            {**face, "upright": box, "vector": vector_of[face["id"]]})
    return faces


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, embedder):
    root = tmp_path_factory.mktemp("media")
    (root / "sources").mkdir()
    (root / "clips").mkdir()
    for source in (COUPLE, FIRST, SECOND):
        shutil.copy(source, root / "sources" / source.name)
    clips = make_clips(root / "clips")
    library_folder = tmp_path_factory.mktemp("library")
    with Library.open(library_folder) as library:
        report = Indexer(library, embedder=embedder).run([root])
        faces = faces_by_file(library, embedder.model_id)
    return root, library_folder, clips, report, faces


def test_every_clip_is_indexed_as_a_video(indexed):
    root, library_folder, clips, report, _ = indexed
    assert (report.indexed, report.failed) == (len(clips) + 3, 0)
    with Library.open(library_folder, read_only=True) as library:
        for name, (orientation, _) in clips.items():
            row = library.photo_by_path(str(root / "clips" / name))
            assert (row["media"], row["orientation"]) == ("video", orientation)


@pytest.mark.parametrize("name", ["couple.mp4", "couple.mov", "two.mp4"])
def test_faces_land_on_the_source_photos_faces_once_per_person(indexed, name):
    _, _, clips, _, faces = indexed
    _, scenes = clips[name]
    expected = [(source, scale, offset, start, end, face) for source, scale, offset, start, end in scenes
                for face in faces[source.name]]
    assert len(faces[name]) == len(expected), "one face per person per video"
    for face in faces[name]:
        def overlap(candidate):
            _, scale, offset, _, _, source_face = candidate
            left, top, width, height = source_face["upright"]
            mapped = (left * scale + offset[0], top * scale + offset[1], width * scale, height * scale)
            return iou(face["upright"], mapped)

        best = max(expected, key=overlap)
        _, _, _, start, end, source_face = best
        assert overlap(best) >= 0.5
        assert float(np.dot(face["vector"], source_face["vector"])) >= 0.95
        assert start * 1000 <= face["time_ms"] < end * 1000  # seen while that person was in the video


def test_a_rotated_video_is_sampled_and_shown_upright(indexed):
    root, _, _, _, faces = indexed
    frames = list(sample_frames(root / "clips" / "couple.mov"))
    assert [frame.time_ms for frame in frames] == [0, 2000]  # a keyframe a second: one every 2 s
    assert all(frame.photo.image.size == (640, 448) and frame.photo.stored_size == (448, 640) for frame in frames)
    face = faces["couple.mov"][0]
    shown = frame_at(face["path"], face["time_ms"], max_side=320)
    assert (shown.image.size, shown.upright_size, shown.orientation) == ((320, 224), (640, 448), 6)


def test_a_long_video_is_sought_to_60_times_spread_over_its_length(tmp_path):
    frame, _, _ = letterboxed(Image.open(COUPLE), (64, 48))
    write_video(tmp_path / "long.mp4", still_scenes([(frame, 400)], fps=1), fps=1)  # longer than READ_THROUGH_S
    times = [sampled.time_ms for sampled in sample_frames(tmp_path / "long.mp4")]
    assert len(times) == video.MAX_SAMPLES and times[0] == 0 and times[-1] >= 380_000
    assert min(later - earlier for earlier, later in zip(times, times[1:])) >= 6_000  # 400 s / 60, less 10 %


def test_status_counts_videos_read_and_faces_say_when_they_are_seen(indexed):
    _, library_folder, clips, _, _ = indexed
    result = CliRunner().invoke(cli, ["--library", str(library_folder), "status"])
    assert result.exit_code == 0, result.output
    assert f"Videos:  {len(clips)} read, 0 unreadable, 0 gone" in result.output
    assert "not read yet" not in result.output
    listed = CliRunner().invoke(cli, ["--library", str(library_folder), "faces"]).output
    assert sorted(re.findall(r"two\.mp4 at (\d+)\.0 s\t", listed))[1:] == ["4"]  # when seen: the second person at 4 s


def test_videos_move_copy_and_go_like_photos(tmp_path, embedder):
    clips = tmp_path / "clips"
    clips.mkdir()
    couple, _, _ = letterboxed(Image.open(COUPLE), (320, 224))
    write_video(clips / "a.mp4", still_scenes([(couple, 2)]))
    with Library.open(tmp_path / "library") as library:
        indexer = Indexer(library, embedder=embedder)
        assert indexer.run([clips]).indexed == 1
        faces = {face["id"] for face in library.faces()}
        assert len(faces) == 2
        (clips / "a.mp4").rename(clips / "renamed.mp4")
        shutil.copy(clips / "renamed.mp4", clips / "copy.mov")
        report = indexer.run([clips])
        assert (report.moved, report.copies, report.indexed) == (1, 1, 0)
        assert {face["id"] for face in library.faces()} == faces  # the same faces, found again
        (clips / "renamed.mp4").unlink()
        assert indexer.run([clips]).gone == 1
        assert {(face["id"], face["path"], face["media"]) for face in library.faces()} == {
            (face_id, str(clips / "copy.mov"), "video") for face_id in faces}  # the copy took them over


def test_videos_get_no_xmp_sidecar(indexed):
    root, library_folder, _, _, _ = indexed
    with Library.open(library_folder, read_only=True) as library:
        written = write_sidecars(library, folder=root / "sidecars")
    assert sorted(path.name for path in written) == ["biden2.jpg.xmp", "couple.jpg.xmp", "obama.jpg.xmp"]


def test_a_video_goes_into_an_album_by_its_recording_date(tmp_path):
    couple, _, _ = letterboxed(Image.open(COUPLE), (320, 224))
    write_video(tmp_path / "dated.mp4", still_scenes([(couple, 1)]), recorded="2021-06-01T10:00:00.000000Z")
    write_video(tmp_path / "undated.mov", still_scenes([(couple, 1)]))
    recorded = datetime(2021, 6, 1, 10, tzinfo=timezone.utc).astimezone().replace(tzinfo=None)
    assert (recorded_at(tmp_path / "dated.mp4"), recorded_at(tmp_path / "undated.mov")) == (recorded, None)
    sources = [(tmp_path / name, photo_date(tmp_path / name)) for name in ("dated.mp4", "undated.mov")]
    report = export_album(sources, tmp_path / "album", link=False, since=datetime(2021, 1, 1))
    assert [path.name for path in report.added] == ["dated.mp4"]
    assert (tmp_path / "album" / "dated.mp4").read_bytes() == (tmp_path / "dated.mp4").read_bytes()


@pytest.mark.parametrize("content, reason", [
    (b"", "not a video"),
    (b"\x00\x00\x00\x18ftypmp42" + bytes(200), "not a video"),
    (b"not a video at all" * 100, "not a video"),
])
def test_a_broken_video_is_refused_with_a_reason(tmp_path, content, reason):
    path = tmp_path / "broken.mp4"
    path.write_bytes(content)
    with pytest.raises(PhotoError) as refused:
        list(sample_frames(path))
    assert refused.value.reason == reason


def test_a_video_whose_codec_ffmpeg_cannot_decode_is_refused(tmp_path):
    """Found by the fuzz: an AVI whose codec tag names no decoder has a stream without a codec context."""
    couple, _, _ = letterboxed(Image.open(COUPLE), (64, 48))
    write_video(tmp_path / "clip.avi", still_scenes([(couple, 1)]), codec="mpeg4")
    (tmp_path / "unknown.avi").write_bytes((tmp_path / "clip.avi").read_bytes().replace(b"FMP4", b"ZZZZ"))
    with pytest.raises(PhotoError) as refused:
        list(sample_frames(tmp_path / "unknown.avi"))
    assert refused.value.reason == "video codec not supported"


def test_a_truncated_video_keeps_the_frames_before_the_cut_or_is_refused(tmp_path):
    couple, _, _ = letterboxed(Image.open(COUPLE), (320, 224))
    write_video(tmp_path / "whole.mp4", still_scenes([(couple, 4)]))
    data = (tmp_path / "whole.mp4").read_bytes()
    (tmp_path / "cut.mp4").write_bytes(data[: len(data) // 2])
    try:
        frames = list(sample_frames(tmp_path / "cut.mp4"))
    except PhotoError as refused:
        assert refused.reason in {"not a video", "truncated or corrupt", "no frame could be decoded"}
    else:
        assert all(frame.photo.image.size == (320, 224) for frame in frames)


def test_broken_videos_are_recorded_with_a_reason_and_never_stop_a_scan(tmp_path, embedder):
    clips = tmp_path / "clips"
    clips.mkdir()
    couple, _, _ = letterboxed(Image.open(COUPLE), (320, 224))
    write_video(clips / "good.mp4", still_scenes([(couple, 2)]))
    data = (clips / "good.mp4").read_bytes()
    (clips / "empty.mov").write_bytes(b"")
    (clips / "garbage.mkv").write_bytes(os.urandom(5000))
    (clips / "headless.mp4").write_bytes(data[len(data) // 2:])
    os.mkfifo(clips / "fifo.avi")  # would block a reader forever
    with Library.open(tmp_path / "library") as library:
        report = Indexer(library, embedder=embedder).run([clips])
        errors = {row["path"].rsplit("/", 1)[-1]: row["reason"] for row in library.status()["errors"]}
        skipped = {path.rsplit("/", 1)[-1]: reason for path, reason in library.db.execute(
            "SELECT path, reason FROM skipped_files")}
    assert (report.indexed, report.failed, report.faces) == (1, 3, 2)
    assert errors == {"empty.mov": "not a video", "garbage.mkv": "not a video", "headless.mp4": "not a video"}
    assert skipped == {"fifo.avi": "a FIFO"}


def test_frames_over_the_pixel_limit_are_refused_before_decoding(tmp_path, monkeypatch):
    couple, _, _ = letterboxed(Image.open(COUPLE), (320, 224))
    write_video(tmp_path / "big.mp4", still_scenes([(couple, 1)]))
    monkeypatch.setattr(loader, "MAX_PIXELS", 320 * 224 - 1)
    with pytest.raises(PhotoError, match="too large: 1 MP"):
        list(sample_frames(tmp_path / "big.mp4"))


def test_decoding_stops_at_the_time_limit(tmp_path, monkeypatch):
    couple, _, _ = letterboxed(Image.open(COUPLE), (320, 224))
    write_video(tmp_path / "slow.mp4", still_scenes([(couple, 4)]))
    monkeypatch.setattr(video, "DECODE_LIMIT_S", 0.0)
    with pytest.raises(PhotoError, match="took too long to decode"):
        list(sample_frames(tmp_path / "slow.mp4"))


def test_a_library_from_before_videos_upgrades_with_its_photos_as_photos(tmp_path):
    version = MIGRATIONS.index(_v10_videos) + 1
    db = Database(tmp_path / DB_NAME)
    migrate(db, target=version - 1)
    db.execute("INSERT INTO photos (path, status, content_hash, width, height, orientation)"
               " VALUES ('/p/1.jpg', 'indexed', 'h', 40, 30, 6)")
    db.execute('INSERT INTO faces (photo_id, "left", top, width, height, landmarks) VALUES (1, 1, 2, 3, 4, \'[]\')')
    db.conn.commit()
    db.close()
    with Library.open(tmp_path) as library:
        assert library.db.execute("PRAGMA user_version").fetchone()[0] >= version
        assert library.photo_by_path("/p/1.jpg")["media"] == "photo"
        assert [(face["time_ms"], face["media"], face["orientation"]) for face in library.faces()] == [
            (None, "photo", 6)]
        assert library.status()["videos"] == {"indexed": 0, "error": 0, "gone": 0}
    assert (tmp_path / f"{DB_NAME}.bak-v{version - 1}").is_file()
