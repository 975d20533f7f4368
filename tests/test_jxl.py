"""JPEG XL: photos written by pillow-jxl-plugin from a shared photo give its faces (IoU >= 0.5, cosine >= 0.95),
upright; a header claiming 30,000 x 30,000 px is refused before the plugin decodes anything."""

import io
import struct
import time

import numpy as np
import pytest
from PIL import Image

from photoface.evaluation.metrics import iou
from photoface.index.pipeline import Indexer
from photoface.photos import PhotoError, load_photo
from photoface.photos.jxl import CODESTREAM_SIGNATURE, CONTAINER_SIGNATURE, jxl_size
from photoface.photos.orientation import box_to_upright
from photoface.store.library import Library

from .conftest import PHOTOS, stored_for_orientation

SOURCE = PHOTOS / "deepface" / "couple.jpg"  # 2280 x 1588, two faces


def jxl_bytes(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JXL", **options)
    return buffer.getvalue()


def codestream_of(container: bytes) -> bytes:
    """The bare codestream of a container file: its jxlc box, or its jxlp boxes' parts in order."""
    if container.startswith(CODESTREAM_SIGNATURE):  # the plugin writes small plain images bare
        return container
    parts, at = [], len(CONTAINER_SIGNATURE)
    while at < len(container):
        size, kind = struct.unpack(">I4s", container[at:at + 8])
        payload = container[at + 8:at + size] if size else container[at + 8:]
        if kind == b"jxlc":
            return payload
        if kind == b"jxlp":
            parts.append(payload[4:])
        at += size or len(container)
    return b"".join(parts)


def size_header(width: int, height: int) -> bytes:
    """A codestream's signature and SizeHeader for any size (no ratio, 30-bit sides), then noise."""
    bits = [0]  # not a multiple of 8 written short
    for side in (height, None, width):
        if side is None:
            bits += [0, 0, 0]  # ratio 0: the width follows
            continue
        bits += [1, 1] + [(side - 1) >> i & 1 for i in range(30)]  # selector 3: Bits(30) + 1
    value = sum(bit << i for i, bit in enumerate(bits))
    return CODESTREAM_SIGNATURE + value.to_bytes((len(bits) + 7) // 8, "little") + bytes(range(256)) * 4


def boxed(codestream: bytes, split: bool, large: bool = False) -> bytes:
    """``codestream`` in an ISOBMFF container: one jxlc box, or two jxlp parts cut inside its SizeHeader."""
    ftyp = struct.pack(">I4s", 20, b"ftyp") + b"jxl \0\0\0\0jxl "
    if not split:
        header = struct.pack(">I4sQ", 1, b"jxlc", 16 + len(codestream)) if large else struct.pack(
            ">I4s", 8 + len(codestream), b"jxlc")
        return CONTAINER_SIGNATURE + ftyp + header + codestream
    first, rest = codestream[:4], codestream[4:]
    return (CONTAINER_SIGNATURE + ftyp + struct.pack(">I4sI", 12 + len(first), b"jxlp", 0) + first
            + struct.pack(">I4sI", 12 + len(rest), b"jxlp", 0x80000001) + rest)


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    """The source JPEG beside JPEG XL files made from it: from its pixels (in a container, and bare), and a
    portrait JPEG (EXIF orientation 6) recompressed losslessly, which the plugin gives back as that JPEG."""
    folder = tmp_path_factory.mktemp("jxl")
    upright = Image.open(SOURCE).convert("RGB")
    upright.save(folder / "source.jpg", quality=95)
    pixels = jxl_bytes(upright, quality=92, lossless_jpeg=False)
    (folder / "pixels.jxl").write_bytes(pixels)
    (folder / "bare.jxl").write_bytes(codestream_of(pixels))
    exif = Image.Exif()
    exif[0x0112] = 6
    stored_for_orientation(upright, 6).save(folder / "portrait.jpg", quality=95, exif=exif)
    (folder / "recompressed.jxl").write_bytes(jxl_bytes(Image.open(folder / "portrait.jpg"), lossless_jpeg=True))
    (folder / "portrait.jpg").unlink()
    return folder


@pytest.fixture(scope="module")
def indexed(photos, tmp_path_factory, embedder):
    with Library.open(tmp_path_factory.mktemp("library")) as library:
        report = Indexer(library, embedder=embedder).run([photos])
        face_ids, vectors = library.embedding_matrix(embedder.model_id)
        vector_of = dict(zip(map(int, face_ids), vectors))
        faces = {}
        for face in library.faces():
            box = box_to_upright(face["box"], (face["width"], face["height"]), face["orientation"])
            faces.setdefault(face["path"].rsplit("/", 1)[-1], []).append((box, vector_of[face["id"]]))
    return report, faces


@pytest.mark.parametrize("name", ["pixels.jxl", "bare.jxl", "recompressed.jxl"])
def test_faces_land_on_the_source_photos_faces(indexed, name):
    report, faces = indexed
    assert (report.indexed, report.failed) == (4, 0)
    assert len(faces["source.jpg"]) == len(faces[name]) == 2
    for box, vector in faces[name]:
        best_box, best_vector = max(faces["source.jpg"], key=lambda face: iou(box, face[0]))
        assert iou(box, best_box) >= 0.5
        assert float(np.dot(vector, best_vector)) >= 0.95


@pytest.mark.parametrize("name", ["pixels.jxl", "bare.jxl", "recompressed.jxl"])
def test_a_jxl_is_read_upright_and_its_size_read_from_its_header(photos, name):
    photo = load_photo(photos / name)
    assert photo.image.size == photo.upright_size == Image.open(SOURCE).size
    with open(photos / name, "rb") as file:
        assert jxl_size(file) == photo.stored_size


@pytest.mark.parametrize("size", [(64, 64), (800, 600), (1001, 777), (1920, 1080), (333, 4000)])
def test_the_header_size_is_the_plugins(size):
    """Sizes a multiple of 8, of a fixed ratio (4:3, 16:9) and neither."""
    data = jxl_bytes(Image.new("RGB", size, "white"), lossless_jpeg=False)
    for form in (data, codestream_of(data)):
        assert jxl_size(io.BytesIO(form)) == size == Image.open(io.BytesIO(form)).size


@pytest.mark.parametrize("form", ["bare", "jxlc", "jxlc with a 64-bit size", "jxlp parts"])
def test_a_30000_px_header_is_refused_before_decoding(tmp_path, form):
    codestream = size_header(30_000, 30_000)
    data = {"bare": codestream, "jxlc": boxed(codestream, split=False),
            "jxlc with a 64-bit size": boxed(codestream, split=False, large=True),
            "jxlp parts": boxed(codestream, split=True)}[form]
    assert jxl_size(io.BytesIO(data)) == (30_000, 30_000)
    path = tmp_path / "bomb.jpg"  # the name does not matter: Pillow picks the decoder by content
    path.write_bytes(data)
    started = time.perf_counter()
    with pytest.raises(PhotoError, match="too large: 900 MP"):
        load_photo(path)
    assert time.perf_counter() - started < 0.5


def test_a_jxl_whose_size_cannot_be_read_is_refused(tmp_path):
    path = tmp_path / "cut.jxl"
    path.write_bytes(CONTAINER_SIGNATURE + struct.pack(">I4s", 8, b"jxlc"))
    with pytest.raises(PhotoError, match="truncated or corrupt"):
        load_photo(path)
