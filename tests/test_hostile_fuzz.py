"""Fuzzing: mutated real JPEG/PNG/HEIC/TIFF/WebP/GIF/AVIF/JPEG XL/DNG bytes, videos and XMP sidecars never crash or hang
photoface.

Each mutated photo must decode to RGB or be refused with one of the loader's
reasons, each mutated video sample to upright RGB frames or be refused with one
of the video reader's; each mutated sidecar must read as regions or as none. A watchdog
ends the run with a traceback if one file hangs, so CI fails instead of
stalling; each file must also finish within PER_FILE_S.
"""

import faulthandler
import io
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from photoface.evaluation.videos import letterboxed, still_scenes, write_video
from photoface.export import FaceRegion, read_regions, write_sidecar
from photoface.photos import PhotoError, load_photo
from photoface.photos.video import frame_at, sample_frames

from .conftest import PHOTOS
from .dng import write_dng

pytestmark = pytest.mark.filterwarnings("ignore:Corrupt EXIF data")  # Pillow says so of mutated EXIF

EXAMPLES = 150  # per seed file; 1,800 files in all
PER_FILE_S = 5.0
HANG_S = 60  # the watchdog: far beyond any honest decode
REASONS = {"not an image", "truncated or corrupt", "decompression bomb", "out of memory", "empty file",
           "not a regular file"}
VIDEO_EXAMPLES = 200  # per seed video: 1,000 files, ~15 s
VIDEO_REASONS = {"not a video", "truncated or corrupt", "no video in the file", "video codec not supported",
                 "no frame could be decoded", "no frame at that time", "out of memory"}

tried: Counter = Counter()


def converted(source: Path, format: str, **options) -> bytes:
    """A real photo re-encoded (no TIFF/WebP/AVIF ships in ../shared/data)."""
    with Image.open(source) as image:
        buffer = io.BytesIO()
        image.convert("RGB").resize((128, 96)).save(buffer, format, **options)
    return buffer.getvalue()


def recompressed(jpeg: Path) -> bytes:
    """A real camera JPEG recompressed losslessly into JPEG XL (the JPEG comes back out when decoded)."""
    buffer = io.BytesIO()
    Image.open(jpeg).save(buffer, "JXL", lossless_jpeg=True)
    return buffer.getvalue()


def dng(source: Path, size: tuple[int, int], with_preview: bool) -> bytes:
    """A real photo as a camera DNG: its Bayer mosaic, with a JPEG preview big enough to be read instead."""
    with Image.open(source) as image:
        photo = image.convert("RGB").resize(size)
    buffer = io.BytesIO()
    write_dng(buffer, photo, orientation=6, preview=photo if with_preview else None)
    return buffer.getvalue()


SEEDS = {
    "camera.jpg": (PHOTOS / "exif" / "portrait_6.jpg").read_bytes(),  # real EXIF, orientation 6
    "rgb16.png": (PHOTOS / "odd" / "RGB_16__128x128.png").read_bytes(),
    "exif_xmp_iptc.heic": (PHOTOS / "heic" / "L_exif_xmp_iptc.heic").read_bytes(),
    "ten-bit.heif": (PHOTOS / "heic" / "RGB_10__128x128.heif").read_bytes(),
    "animated.gif": (PHOTOS / "odd" / "chi.gif").read_bytes(),
    "lzw.tif": converted(PHOTOS / "knn" / "test" / "obama1.jpg", "TIFF", compression="tiff_lzw"),
    "photo.webp": converted(PHOTOS / "knn" / "test" / "obama1.jpg", "WEBP"),
    "photo.avif": converted(PHOTOS / "knn" / "test" / "obama1.jpg", "AVIF"),
    "photo.jxl": converted(PHOTOS / "knn" / "test" / "obama1.jpg", "JXL", lossless_jpeg=False),
    "recompressed.jxl": recompressed(PHOTOS / "exif" / "portrait_6.jpg"),
    "mosaic.dng": dng(PHOTOS / "knn" / "test" / "obama1.jpg", (128, 96), with_preview=False),
    "preview.dng": dng(PHOTOS / "knn" / "test" / "obama1.jpg", (1600, 1200), with_preview=True),
}


def video(container: str, codec: str, rotation: int = 0) -> bytes:
    """A real photo as a 3 s video (a keyframe a second), written with PyAV."""
    with Image.open(PHOTOS / "knn" / "test" / "obama1.jpg") as image:
        frame, _, _ = letterboxed(image, (128, 96))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"seed.{container}"
        write_video(path, still_scenes([(frame, 3)]), rotation=rotation, codec=codec)
        return path.read_bytes()


VIDEO_SEEDS = {
    "clip.mp4": video("mp4", "libx264"),
    "portrait.mov": video("mov", "libx265", rotation=-90),  # as phones record
    "clip.mkv": video("mkv", "libvpx-vp9"),
    "clip.avi": video("avi", "mpeg4"),
    "clip.3gp": video("3gp", "h263"),
}


@st.composite
def mutations(draw, data: bytes) -> bytes:
    """Byte flips (mostly in the headers, where parsers decide sizes), a cut, a repeated block."""
    mutated = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        limit = min(len(mutated), 2048) if draw(st.booleans()) else len(mutated)
        mutated[draw(st.integers(0, limit - 1))] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        start = draw(st.integers(0, len(mutated) - 1))
        block = mutated[start : start + draw(st.integers(1, 512))]
        mutated[start:start] = block * draw(st.integers(1, 4))
    if draw(st.integers(0, 3)) == 0:
        mutated = mutated[: draw(st.integers(0, len(mutated)))]
    return bytes(mutated)


@pytest.fixture(autouse=True)
def watchdog():
    faulthandler.dump_traceback_later(HANG_S, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def check_one_photo(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    tried["photos"] += 1
    started = time.perf_counter()
    for max_side in (None, 64):  # full decode, and the indexer's reduced one
        try:
            photo = load_photo(path, max_side=max_side)
            assert photo.image.mode == "RGB" and photo.orientation in range(1, 9)
        except PhotoError as error:
            assert error.reason in REASONS or error.reason.startswith("too large:"), error.reason
    assert time.perf_counter() - started < PER_FILE_S


def fuzz_file(path: Path, seed: bytes, examples: int, check) -> None:
    """``check(path, data)`` of ``examples`` mutations of ``seed``, always the same ones."""
    @settings(max_examples=examples, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(mutations(seed))
    def fuzz(data):
        check(path, data)

    fuzz()


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_mutated_photos_load_or_are_refused_with_a_reason(tmp_path, name):
    fuzz_file(tmp_path / name, SEEDS[name], EXAMPLES, check_one_photo)


def check_one_video(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    tried["videos"] += 1
    started = time.perf_counter()
    for read in (lambda: [frame.photo for frame in sample_frames(path)], lambda: [frame_at(path, 1000, 64)]):
        try:
            photos = read()
            assert all(photo.image.mode == "RGB" and photo.orientation in (1, 3, 6, 8) for photo in photos)
            tried["video reads that gave frames"] += 1
        except PhotoError as error:
            assert error.reason in VIDEO_REASONS or error.reason.startswith("too large:"), error.reason
            tried[f"video reads refused: {error.reason}"] += 1
    assert time.perf_counter() - started < PER_FILE_S


@pytest.mark.parametrize("name", sorted(VIDEO_SEEDS))
def test_mutated_videos_are_sampled_or_refused_with_a_reason(tmp_path, name):
    fuzz_file(tmp_path / name, VIDEO_SEEDS[name], VIDEO_EXAMPLES, check_one_video)


def sidecar_text(tmp_path: Path) -> bytes:
    """A sidecar as photoface writes it, with a person's name and a face region."""
    photo = tmp_path / "seed.jpg"
    photo.write_bytes(SEEDS["camera.jpg"])
    sidecar = write_sidecar(photo, [FaceRegion(name="Anna Ünïcode", box=(10.0, 20.0, 30.0, 40.0))], (480, 640))
    return sidecar.read_bytes()


def test_mutated_sidecars_read_as_regions_or_none(tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(SEEDS["camera.jpg"])
    seed = sidecar_text(tmp_path)
    assert read_regions(tmp_path / "seed.jpg"), "the unmutated sidecar has its region"

    @settings(max_examples=4 * EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(mutations(seed))
    def fuzz(data):
        (tmp_path / "photo.jpg.xmp").write_bytes(data)
        tried["sidecars"] += 1
        started = time.perf_counter()
        regions = read_regions(photo)
        assert all(isinstance(region, FaceRegion) for region in regions)
        assert time.perf_counter() - started < PER_FILE_S

    fuzz()


def test_report_how_many_files_were_tried():
    """Runs last in this module: the count for the closing note (pytest -s shows it)."""
    print(f"\nfuzzed files tried: {dict(tried)}")
