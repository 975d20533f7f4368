"""Albums per person: hard links or copies, idempotent re-runs, name clashes,
date ranges, and sources that are only ever read."""

import errno
import hashlib
import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from photoface.export.albums import export_album, photo_date
from photoface.photos.scan import ALBUM_MARKER

PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "data" / "photos"
JAN, JUN, DEC = datetime(2020, 1, 15), datetime(2020, 6, 15), datetime(2020, 12, 15)


def photo_names(album: Path) -> list[str]:
    """The album's files but the marker that says it is an album."""
    return sorted(path.name for path in album.iterdir() if path.name != ALBUM_MARKER)


@pytest.fixture
def library(tmp_path) -> dict[str, Path]:
    """Copies of real photos; two different ones share the name IMG_1.jpg."""
    names = {
        "first": ("exif/landscape_1.jpg", "2019/IMG_1.jpg"),
        "same_name": ("exif/portrait_1.jpg", "2020/IMG_1.jpg"),
        "other": ("exif/landscape_6.jpg", "2020/IMG_2.jpg"),
    }
    photos = {}
    for key, (source, relative) in names.items():
        destination = tmp_path / "library" / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PHOTOS / source, destination)
        photos[key] = destination
    return photos


def fingerprint(paths) -> dict[Path, tuple[str, int]]:
    return {path: (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) for path in paths}


def test_links_on_the_same_filesystem(tmp_path, library):
    report = export_album([(library["first"], None)], tmp_path / "album")
    assert report.added == [tmp_path / "album" / "IMG_1.jpg"]
    assert os.path.samefile(report.added[0], library["first"])


def test_copies_when_asked_keeping_timestamps(tmp_path, library):
    report = export_album([(library["first"], None)], tmp_path / "album", link=False)
    copy = report.added[0]
    assert not os.path.samefile(copy, library["first"])
    assert copy.read_bytes() == library["first"].read_bytes()
    assert copy.stat().st_mtime_ns == library["first"].stat().st_mtime_ns
    assert photo_names(tmp_path / "album") == ["IMG_1.jpg"]  # no partial file left


def test_copies_when_a_link_cannot_be_made(tmp_path, library, monkeypatch):
    def cross_device(source, destination):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", cross_device)
    report = export_album([(library["first"], None)], tmp_path / "album")
    assert not os.path.samefile(report.added[0], library["first"])
    assert report.added[0].read_bytes() == library["first"].read_bytes()


@pytest.mark.parametrize("link", [True, False])
def test_rerun_adds_only_what_is_new(tmp_path, library, link):
    album = tmp_path / "album"
    export_album([(library["first"], None)], album, link=link)

    report = export_album([(library["first"], None), (library["other"], None)], album, link=link)

    assert report.added == [album / "IMG_2.jpg"]
    assert report.skipped == [library["first"]]
    assert report.failed == []
    assert photo_names(album) == ["IMG_1.jpg", "IMG_2.jpg"]


@pytest.mark.parametrize("link", [True, False])
def test_name_clash_gets_a_suffix_and_nothing_is_overwritten(tmp_path, library, link):
    album = tmp_path / "album"
    album.mkdir()
    (album / "IMG_2.jpg").write_bytes(b"the user's own file")
    photos = [(library["first"], None), (library["same_name"], None), (library["other"], None)]

    report = export_album(photos, album, link=link)

    assert report.added == [album / "IMG_1.jpg", album / "IMG_1 (2).jpg", album / "IMG_2 (2).jpg"]
    assert (album / "IMG_1 (2).jpg").read_bytes() == library["same_name"].read_bytes()
    assert (album / "IMG_2.jpg").read_bytes() == b"the user's own file"
    rerun = export_album(photos, album, link=link)
    assert (rerun.added, rerun.skipped) == ([], [path for path, _ in photos])


def test_date_range_is_half_open_and_leaves_out_undated_photos(tmp_path, library):
    photos = [(library["first"], JAN), (library["same_name"], JUN), (library["other"], None)]

    in_range = export_album(photos, tmp_path / "a", since=JUN, until=DEC)
    until_june = export_album(photos, tmp_path / "b", until=JUN)
    everything = export_album(photos, tmp_path / "c")

    assert in_range.added == [tmp_path / "a" / "IMG_1.jpg"]
    assert in_range.added[0].read_bytes() == library["same_name"].read_bytes()
    assert until_june.added == [tmp_path / "b" / "IMG_1.jpg"]
    assert until_june.added[0].read_bytes() == library["first"].read_bytes()
    assert len(everything.added) == 3


@pytest.mark.parametrize("link", [True, False])
def test_sources_are_never_modified(tmp_path, library, link):
    before = fingerprint(library.values())
    album = tmp_path / "album"
    export_album([(path, None) for path in library.values()], album, link=link)
    export_album([(path, None) for path in library.values()], album, link=link)
    assert fingerprint(library.values()) == before


def test_a_missing_source_is_reported_and_the_rest_exported(tmp_path, library):
    missing = tmp_path / "library" / "gone.jpg"
    report = export_album([(missing, None), (library["other"], None)], tmp_path / "album")
    assert report.failed == [(missing, "no such file or directory")]
    assert report.added == [tmp_path / "album" / "IMG_2.jpg"]


# --- photo dates ----------------------------------------------------------------


def with_date_taken(tmp_path: Path, value: str) -> Path:
    path = tmp_path / f"dated_{len(list(tmp_path.iterdir()))}.jpg"
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = value  # Exif IFD, DateTimeOriginal
    Image.new("RGB", (8, 8)).save(path, exif=exif)
    return path


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021:04:11 15:47:53", datetime(2021, 4, 11, 15, 47, 53)),
        ("2009:09:09 20:27:09.60:04:00", datetime(2009, 9, 9, 20, 27, 9)),  # as in knn/train/obama/obama2.jpg
        ("0000:00:00 00:00:00", None),
        ("    :  :     :  :  ", None),
        ("garbage", None),
    ],
)
def test_photo_date_from_exif(tmp_path, value, expected):
    assert photo_date(with_date_taken(tmp_path, value)) == expected


def test_photo_date_of_real_files():
    assert photo_date(PHOTOS / "heic" / "IMG_5195.HEIC") == datetime(2021, 4, 11, 15, 47, 53)
    assert photo_date(PHOTOS / "deepface" / "img1.jpg") == datetime(2019, 7, 20, 17, 45, 22)
    assert photo_date(PHOTOS / "exif" / "landscape_1.jpg") is None  # has EXIF, no date taken
    assert photo_date(PHOTOS / "broken" / "heif-corrupted.heic") is None  # no readable header
    assert photo_date(PHOTOS / "broken" / "heif-empty.heic") is None
    assert photo_date(PHOTOS / "nowhere.jpg") is None


def test_an_album_folder_is_marked_so_indexing_skips_it(tmp_path, library):
    album = tmp_path / "album"
    export_album([(library["first"], None)], album)
    export_album([(library["other"], None)], album)
    assert (album / ALBUM_MARKER).is_file()
    assert photo_names(album) == ["IMG_1.jpg", "IMG_2.jpg"]


def test_a_folder_holding_other_files_is_not_marked(tmp_path, library):
    """The scan would skip the user's own files there too (the album's photos count as copies instead)."""
    export_album([(library["first"], None)], library["other"].parent)
    assert not (library["other"].parent / ALBUM_MARKER).exists()
