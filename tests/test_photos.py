"""The photo layer: decoding, EXIF orientation maths, finding and hashing files."""

import hashlib
import os
import pickle
import struct
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageOps

from photoface.errors import PhotofaceError
from photoface.photos import (
    MAX_PIXELS,
    ORIENTATIONS,
    PhotoError,
    box_to_stored,
    box_to_upright,
    file_hash,
    iter_photo_files,
    load_photo,
    point_to_stored,
    point_to_upright,
    scan,
    upright_size,
)

PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "data" / "photos"


def files_in(folder: str) -> list[Path]:
    return sorted((PHOTOS / folder).iterdir())


def with_orientation(image: Image.Image, orientation: int) -> Image.Image:
    """A copy of ``image`` whose EXIF says ``orientation``."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    tagged = image.copy()
    tagged.info["exif"] = exif.tobytes()
    return tagged


def thumbnail(image: Image.Image) -> np.ndarray:
    return np.asarray(image.resize((32, 32), Image.Resampling.BOX), dtype=np.float32)


# --- decoding real files ---------------------------------------------------

# What each broken/ file should give: the reasons it may be refused with, or
# None for "loads" (the invalid-EXIF JPEGs decode fine, and heif-truncated.heic's
# primary image is intact: only its second image is cut). heif-corrupted.hif has
# a sound header round corrupt pixels: libheif before 1.23 refuses the header
# ("not an image"), later versions read it and fail on the pixels.
BROKEN_REASONS = {
    "heif-corrupted.heic": {"not an image"},
    "heif-corrupted.hif": {"not an image", "truncated or corrupt"},
    "heif-empty.heic": {"empty file"},
}


@pytest.mark.parametrize("path", files_in("broken"), ids=lambda p: p.name)
def test_broken_files_are_rejected_with_a_reason_or_load(path):
    expected = BROKEN_REASONS.get(path.name)
    if expected is None:
        photo = load_photo(path)
        assert photo.image.mode == "RGB"
        assert photo.image.size == photo.upright_size
    else:
        with pytest.raises(PhotoError) as caught:
            load_photo(path)
        assert caught.value.reason in expected
        assert str(caught.value) == f"{path}: {caught.value.reason}"


@pytest.mark.parametrize("path", files_in("odd"), ids=lambda p: p.name)
def test_odd_files_load_as_rgb(path):
    photo = load_photo(path)
    assert photo.image.mode == "RGB"
    with Image.open(path) as original:
        assert photo.stored_size == original.size


@pytest.mark.parametrize("path", files_in("heic"), ids=lambda p: p.name)
def test_heic_loads_upright(path):
    photo = load_photo(path)
    assert photo.image.mode == "RGB"
    assert photo.orientation == 1  # libheif already applied the HEIF transforms
    assert photo.image.size == photo.stored_size == photo.upright_size


def test_iphone_heic_is_portrait():
    assert load_photo(PHOTOS / "heic" / "IMG_5195.HEIC", max_side=256).upright_size == (2566, 3313)


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_heic_with_orientation_is_shown_as_a_viewer_does(tmp_path, orientation):
    stored = Image.new("RGB", (64, 32), "white")
    stored.paste((255, 0, 0), (0, 0, 16, 8))
    tagged = with_orientation(stored, orientation)
    tagged.save(tmp_path / "rotated.heic", exif=tagged.info["exif"])

    photo = load_photo(tmp_path / "rotated.heic")
    expected = ImageOps.exif_transpose(tagged)
    assert photo.orientation == 1
    assert photo.image.size == photo.upright_size == expected.size
    assert np.abs(thumbnail(photo.image) - thumbnail(expected)).mean() < 5


@pytest.mark.parametrize("series", ["landscape", "portrait"])
def test_exif_orientations_all_look_upright(series):
    photos = {n: load_photo(PHOTOS / "exif" / f"{series}_{n}.jpg") for n in ORIENTATIONS}
    assert {photo.orientation for photo in photos.values()} == set(ORIENTATIONS)
    assert len({photo.upright_size for photo in photos.values()}) == 1
    reference = thumbnail(photos[1].image)
    # each photo shows its own number, so they differ a little; a photo left
    # mirrored or turned differs far more (30+)
    assert np.abs(reference - reference[:, ::-1]).mean() > 25
    for photo in photos.values():
        assert photo.image.size == photo.upright_size
        assert np.abs(thumbnail(photo.image) - reference).mean() < 20


@pytest.mark.parametrize("orientation", [2, 5, 6, 7])
def test_loader_transposes_like_pillow(orientation):
    path = PHOTOS / "exif" / f"portrait_{orientation}.jpg"
    with Image.open(path) as original:
        expected = ImageOps.exif_transpose(original)
    assert np.array_equal(np.asarray(load_photo(path).image), np.asarray(expected))


# --- reduction while decoding ----------------------------------------------


@pytest.mark.parametrize("max_side", [100, 300, 624, 625, 700, 1250, 1300, 2500, 4000])
def test_reduction_keeps_longest_side_at_least_max_side(max_side):
    full_size = (2500, 1728)
    photo = load_photo(PHOTOS / "deepface" / "img4.jpg", max_side=max_side)
    assert photo.upright_size == full_size
    longest = max(photo.image.size)
    if max_side >= 2500:
        assert photo.image.size == full_size  # never enlarged
    else:
        assert max_side <= longest < 2 * max_side  # any stronger would go below
    assert photo.scale == pytest.approx(photo.image.width / 2500)
    assert photo.image.height == pytest.approx(1728 * photo.scale, abs=1)


def test_jpeg_draft_decodes_at_an_eighth():
    photo = load_photo(PHOTOS / "deepface" / "img4.jpg", max_side=300)
    assert photo.image.size == (313, 216)  # ceil(2500 / 8), ceil(1728 / 8)


def test_reduced_rotated_photo_keeps_its_geometry():
    photo = load_photo(PHOTOS / "exif" / "landscape_6.jpg", max_side=200)
    assert photo.stored_size == (450, 600)
    assert photo.upright_size == (600, 450)
    assert photo.image.size == (300, 225)
    assert photo.scale == 0.5


def test_png_is_box_reduced():
    photo = load_photo(PHOTOS / "misc" / "astronaut.png", max_side=150)
    assert photo.image.size == (171, 171)  # factor 3: 512 // 150
    assert photo.scale == pytest.approx(171 / 512)


# --- modes -----------------------------------------------------------------


def test_16_bit_grey_is_scaled_not_clipped(tmp_path):
    ramp = np.tile(np.arange(0, 65536, 256, dtype=np.uint16), (4, 1))
    Image.fromarray(ramp).save(tmp_path / "grey16.png")
    loaded = np.asarray(load_photo(tmp_path / "grey16.png").image)
    assert np.array_equal(loaded[..., 0], ramp >> 8)


def test_transparency_is_composited_on_white(tmp_path):
    image = Image.new("RGBA", (4, 4), (255, 0, 0, 0))
    image.putpixel((0, 0), (255, 0, 0, 255))
    image.save(tmp_path / "alpha.png")
    loaded = load_photo(tmp_path / "alpha.png").image
    assert loaded.getpixel((0, 0)) == (255, 0, 0)
    assert loaded.getpixel((3, 3)) == (255, 255, 255)


def test_cmyk_jpeg_loads_as_rgb(tmp_path):
    Image.new("CMYK", (8, 8), (0, 255, 255, 0)).save(tmp_path / "cmyk.jpg")
    red, green, blue = load_photo(tmp_path / "cmyk.jpg").image.getpixel((4, 4))
    assert red > 200 and green < 60 and blue < 60


# --- rejections ------------------------------------------------------------


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` but holds almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def rejection(path: Path) -> str:
    with pytest.raises(PhotoError) as caught:
        load_photo(path)
    return caught.value.reason


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.jpg", b"", "empty file"),
        ("notes.jpg", b"shopping: milk, eggs\n", "not an image"),
        ("drawing.jpg", b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n", "not an image"),
        ("huge.png", png_header(12_000, 10_000), "too large: 120 MP (limit 100 MP)"),
        ("bomb.png", png_header(30_000, 30_000), "decompression bomb"),
    ],
)
def test_bad_files_are_rejected_fast(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    started = time.perf_counter()
    assert rejection(path) == reason
    assert time.perf_counter() - started < 0.5


def test_truncated_jpeg_is_rejected(tmp_path):
    data = (PHOTOS / "deepface" / "couple.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 2])
    assert rejection(tmp_path / "cut.jpg") == "truncated or corrupt"


def test_unreadable_paths_are_rejected(tmp_path):
    assert rejection(tmp_path / "missing.jpg") == "cannot read: no such file or directory"
    assert rejection(tmp_path) == "cannot read: is a directory"


def test_photo_error_is_a_photoface_error_that_pickles():
    error = PhotoError("/photos/a.jpg", "empty file")
    assert isinstance(error, PhotofaceError)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.reason, str(copy)) == (Path("/photos/a.jpg"), "empty file", "/photos/a.jpg: empty file")


def test_max_pixels_is_100_megapixels():
    assert MAX_PIXELS == 100_000_000


# --- orientation maths -----------------------------------------------------

sizes = st.tuples(st.integers(1, 5000), st.integers(1, 5000))
orientations = st.sampled_from(sorted(ORIENTATIONS))
unit = st.floats(0, 1)


@given(sizes, orientations, unit, unit)
def test_points_round_trip(size, orientation, fx, fy):
    x, y = fx * size[0], fy * size[1]
    upright = point_to_upright(x, y, size, orientation)
    assert 0 <= upright[0] <= upright_size(size, orientation)[0]
    assert 0 <= upright[1] <= upright_size(size, orientation)[1]
    assert point_to_stored(*upright, size, orientation) == pytest.approx((x, y))


@given(sizes, orientations, unit, unit, unit, unit)
def test_boxes_round_trip(size, orientation, fl, ft, fw, fh):
    left, top = fl * size[0], ft * size[1]
    box = (left, top, fw * (size[0] - left), fh * (size[1] - top))
    upright = box_to_upright(box, size, orientation)
    assert upright[2:] == pytest.approx(box[2:] if orientation < 5 else box[3:1:-1])
    assert box_to_stored(upright, size, orientation) == pytest.approx(box)


@given(sizes, orientations)
def test_whole_image_maps_to_whole_image(size, orientation):
    width, height = upright_size(size, orientation)
    assert box_to_upright((0, 0, *size), size, orientation) == (0, 0, width, height)
    assert box_to_stored((0, 0, width, height), size, orientation) == (0, 0, *size)


@pytest.mark.parametrize("orientation", sorted(ORIENTATIONS))
def test_boxes_land_where_pillow_puts_the_pixels(orientation):
    stored_size, box = (7, 5), (1, 1, 3, 2)
    stored = Image.new("RGB", stored_size)
    stored.paste((255, 0, 0), (1, 1, 4, 3))
    upright = ImageOps.exif_transpose(with_orientation(stored, orientation))

    left, top, right, bottom = upright.getbbox()
    assert upright.size == upright_size(stored_size, orientation)
    assert box_to_upright(box, stored_size, orientation) == (left, top, right - left, bottom - top)
    assert box_to_stored((left, top, right - left, bottom - top), stored_size, orientation) == box


@pytest.mark.parametrize("orientation", [0, 9, None])
def test_invalid_orientation_is_refused(orientation):
    with pytest.raises(ValueError):
        upright_size((10, 20), orientation)


# --- finding and hashing files ---------------------------------------------


def touch(path: Path, content: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_scan_finds_photos_sorted_case_insensitively_skipping_hidden(tmp_path):
    root = tmp_path / "photos"
    for name in ["b.JPG", "a.jpeg", "c.HeIc", "notes.txt", ".hidden.jpg", "sub/d.png", ".cache/e.jpg", "noext"]:
        touch(root / name)
    found = list(iter_photo_files([root]))
    assert found == [root / "a.jpeg", root / "b.JPG", root / "c.HeIc", root / "sub" / "d.png"]
    assert all(path.is_absolute() for path in found)


def test_scan_follows_folder_symlinks_without_looping(tmp_path):
    root = tmp_path / "photos"
    touch(root / "a.jpg")
    touch(tmp_path / "elsewhere" / "b.jpg")
    (root / "loop").symlink_to(root)
    (root / "link").symlink_to(tmp_path / "elsewhere")
    (root / "again").symlink_to(tmp_path / "elsewhere")
    (root / "dangling.jpg").symlink_to(tmp_path / "gone.jpg")
    found = list(iter_photo_files([root, root / "link"]))
    assert found == [root / "a.jpg", tmp_path / "elsewhere" / "b.jpg"]  # real paths, once each


def test_scan_accepts_file_roots_and_relative_paths(tmp_path, monkeypatch):
    photo = touch(tmp_path / "one.webp")
    touch(tmp_path / "readme.md")
    monkeypatch.chdir(tmp_path)
    assert list(iter_photo_files([Path("one.webp"), Path("readme.md"), Path("missing.jpg")])) == [photo]


def test_scan_skips_unreadable_folders(tmp_path, monkeypatch):
    touch(tmp_path / "open" / "a.jpg")
    locked = touch(tmp_path / "locked" / "b.jpg").parent
    scandir = os.scandir

    def refuse_locked(path):  # chmod cannot lock a folder away from root, who runs CI
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(scan.os, "scandir", refuse_locked)
    assert list(iter_photo_files([tmp_path])) == [tmp_path / "open" / "a.jpg"]


def test_scan_records_why_it_skips_each_photo_named_entry(tmp_path):
    root = tmp_path / "photos"
    touch(root / "a.jpg")
    os.mkfifo(root / "pipe.jpg")
    (root / "null.jpg").symlink_to(os.devnull)
    (root / "dangling.jpg").symlink_to(tmp_path / "gone.jpg")
    (root / "loop-a.jpg").symlink_to(root / "loop-b.jpg")
    (root / "loop-b.jpg").symlink_to(root / "loop-a.jpg")
    touch(Path(os.fsdecode(os.fsencode(root) + b"/latin1-\xe9.jpg")))
    touch(root / ".hidden.jpg")
    touch(root / ".cache" / "thumb.jpg")
    touch(root / "album" / "b.jpg")
    touch(root / "album" / scan.ALBUM_MARKER)
    touch(root / "notes.txt")
    report = scan.ScanReport()
    assert list(iter_photo_files([root, root / "album" / "b.jpg"], report)) == [root / "a.jpg"]
    album = "a photoface album: its photos are in the library already"
    assert report.skipped == {
        str(root / "pipe.jpg"): "a FIFO",
        str(root / "null.jpg"): "link to a device",
        str(root / "dangling.jpg"): "link to nothing (its target is missing)",
        str(root / "loop-a.jpg"): "symlink loop",
        str(root / "loop-b.jpg"): "symlink loop",
        str(root) + "/latin1-\\udce9.jpg": "name is not valid UTF-8: rename it to index it",
        str(root / ".hidden.jpg"): "hidden",
        str(root / ".cache"): "hidden",
        str(root / "album"): album,
        str(root / "notes.txt"): "unsupported kind",  # counted per extension by `status`
    }
    assert report.unreachable == report.denied == []


def test_scan_tells_a_denied_folder_from_a_failing_one(tmp_path, monkeypatch):
    touch(tmp_path / "open" / "a.jpg")
    denied, failing = touch(tmp_path / "denied" / "b.jpg").parent, touch(tmp_path / "failing" / "c.jpg").parent
    scandir = os.scandir

    def refuse(path):
        if Path(path) == denied:
            raise PermissionError(13, "Permission denied", str(path))
        if Path(path) == failing:
            raise OSError(5, "Input/output error", str(path))
        return scandir(path)

    monkeypatch.setattr(scan.os, "scandir", refuse)
    report = scan.ScanReport()
    assert list(iter_photo_files([tmp_path], report)) == [tmp_path / "open" / "a.jpg"]
    assert (report.denied, report.unreachable) == ([denied], [failing])
    assert report.skipped == {str(denied): "permission denied", str(failing): "input/output error"}


def test_file_hash_is_blake2b_of_the_content(tmp_path):
    content = os.urandom(5_000_000)
    path = touch(tmp_path / "big.jpg", content)
    assert file_hash(path) == hashlib.blake2b(content, digest_size=32).hexdigest()
    assert file_hash(touch(tmp_path / "other.jpg", content[:-1] + b"!")) != file_hash(path)

