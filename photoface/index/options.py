"""How to index: the options, importable without loading any model (the app's settings use them)."""

import os
from dataclasses import dataclass

from ..embed.registry import DEFAULT_MODEL_ID

# Longest side of the image MTCNN looks at. 12 MP photos are decoded at a
# JPEG draft scale (1/4) and shrunk to this, which is most of the indexing
# speed; with MTCNN's 20 px minimum, a face must span about 2 % of the
# photo's long side (80 px in a 4000 px photo, where the quality score stops
# penalising size).
DETECT_SIDE = 960


@dataclass
class IndexOptions:
    model_id: str = DEFAULT_MODEL_ID
    workers: int = max(1, min(4, os.cpu_count() or 1))
    detect_side: int = DETECT_SIDE
    min_face_size: int = 20
    batch_size: int = 32
    # Adding the embedding of the mirrored crop costs twice the embedding work
    # (about a third of indexing time) for about 0.1 point on LFW (benchmarks/lfw.py).
    flip: bool = False
    device: str = "auto"  # photoface.devices.DEVICES: auto takes a CUDA GPU, then Apple's MPS, then the CPU
    # Photos detected in one batch (index.batches): None leaves it to the device, 1 is the CPU's per-photo path.
    photo_batch: int | None = None
