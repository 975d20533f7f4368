"""Camera RAW (DNG written from a real photo) and AVIF photos give the faces of
the photo they were made from: on the face (IoU >= 0.5 with the source's box,
upright) and with nearly its embedding (cosine >= 0.95)."""

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from photoface.cli import cli
from photoface.evaluation.metrics import iou
from photoface.export import FaceRegion, read_regions, write_sidecar
from photoface.index.pipeline import Indexer
from photoface.photos import load_photo
from photoface.photos.orientation import box_to_upright
from photoface.photos.raw import MIN_PREVIEW_SIDE
from photoface.store.library import Library

from .conftest import PHOTOS, stored_for_orientation
from .dng import write_dng

SOURCE = PHOTOS / "deepface" / "couple.jpg"  # 2280 x 1588, two faces


def made_from_source(folder):
    """The source JPEG and the files made from it; name -> EXIF orientation given to it."""
    upright = Image.open(SOURCE).convert("RGB")
    upright.save(folder / "source.jpg", quality=95)
    write_dng(folder / "mosaic.dng", upright)  # no preview: half-size demosaic
    stored = stored_for_orientation(upright, 6)  # a portrait shot: LibRaw's flip 6
    write_dng(folder / "preview.dng", stored, orientation=6, preview=stored)
    small = stored.resize((stored.width * 1000 // max(stored.size), stored.height * 1000 // max(stored.size)))
    write_dng(folder / "small-preview.dng", stored, orientation=6, preview=small)  # too small: demosaic
    exif = Image.Exif()
    exif[0x0112] = 3
    stored_for_orientation(upright, 3).save(folder / "photo.avif", quality=90, exif=exif)
    return {"source.jpg": 1, "mosaic.dng": 1, "preview.dng": 6, "small-preview.dng": 6, "photo.avif": 3}


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, embedder):
    folder = tmp_path_factory.mktemp("media")
    orientations = made_from_source(folder)
    with Library.open(tmp_path_factory.mktemp("library")) as library:
        report = Indexer(library, embedder=embedder).run([folder])
        face_ids, vectors = library.embedding_matrix(embedder.model_id)
        vector_of = dict(zip(map(int, face_ids), vectors))
        faces = {name: [] for name in orientations}
        for face in library.faces():
            box = box_to_upright(face["box"], (face["width"], face["height"]), face["orientation"])
            faces[face["path"].rsplit("/", 1)[-1]].append((box, vector_of[face["id"]], face["orientation"]))
    return folder, orientations, report, faces


def test_every_file_is_indexed(indexed):
    _, orientations, report, _ = indexed
    assert report.indexed == len(orientations) and report.failed == 0


@pytest.mark.parametrize("name", ["mosaic.dng", "preview.dng", "small-preview.dng", "photo.avif"])
def test_faces_land_on_the_source_photos_faces(indexed, name):
    _, orientations, _, faces = indexed
    source = faces["source.jpg"]
    assert len(source) == 2, "the source photo has two faces"
    assert len(faces[name]) == len(source)
    for box, vector, orientation in faces[name]:
        assert orientation == orientations[name]
        best_box, best_vector, _ = max(source, key=lambda face: iou(box, face[0]))
        assert iou(box, best_box) >= 0.5
        assert float(np.dot(vector, best_vector)) >= 0.95


def test_a_raw_is_read_from_its_preview_when_big_enough(indexed):
    folder, _, _, _ = indexed
    upright_size = Image.open(SOURCE).size
    with_preview = load_photo(folder / "preview.dng")
    assert with_preview.image.size == with_preview.upright_size == upright_size
    assert max(Image.open(folder / "small-preview.dng").size) < MIN_PREVIEW_SIDE  # Pillow sees the preview
    for name in ("mosaic.dng", "small-preview.dng"):  # half-size demosaics
        assert load_photo(folder / name).image.size == (upright_size[0] // 2, upright_size[1] // 2)
    reduced = load_photo(folder / "preview.dng", max_side=500)  # the indexer's draft decode
    assert 500 <= max(reduced.image.size) < 1000


def test_a_raw_sidecars_regions_are_in_its_own_frame(indexed):
    """Regions scale by the RAW's size as LibRaw decodes it, not by its TIFF header's (the small preview's)."""
    folder, _, _, _ = indexed
    photo = folder / "small-preview.dng"
    stored_size = load_photo(photo).stored_size
    region = FaceRegion(name="Anna", box=(400.0, 600.0, 300.0, 350.0))
    write_sidecar(photo, [region], stored_size)
    try:
        [read] = read_regions(photo)
    finally:
        (folder / "small-preview.dng.xmp").unlink()
    assert read.name == "Anna" and read.box == pytest.approx(region.box, abs=0.5)


def test_status_counts_videos_and_unsupported_kinds_per_extension(tmp_path, copy_photos, embedder):
    folder = copy_photos("knn/test/obama1.jpg")
    for name in ("clip.webm", "IMG_0002.MTS", "other.webm", "a.xyz", "b.xyz", "notes.txt"):  # videos not read
        (folder / name).write_bytes(b"not a photo")
    (folder / "obama1.jpg.xmp").write_bytes(b"")  # a sidecar belongs to its photo: not counted
    with Library.open(tmp_path / "lib") as library:
        report = Indexer(library, embedder=embedder).run([folder])
    assert report.indexed == 1 and report.skipped == 6
    result = CliRunner().invoke(cli, ["--library", str(tmp_path / "lib"), "status"])
    assert result.exit_code == 0, result.output
    assert "  3 videos (not read yet): 2 .webm, 1 .mts\n" in result.output
    assert "  skipped: 2 .xyz, 1 .txt (kinds photoface does not read)\n" in result.output
    assert "clip.webm" not in result.output  # counted, not listed one by one
