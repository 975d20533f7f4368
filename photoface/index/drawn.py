"""Faces the detector missed, drawn by the user: align, embed and store one, and name it.

MTCNN runs again on the region around the drawn box, enlarged, where a small
or blurred face it missed in the whole photo is often found; its box and
landmarks then place the crop as for any indexed face. Where it finds none, the
drawn box is cropped with the usual margin. The face is stored as drawn
(``faces.drawn``): re-indexing its photo keeps it (``Library.save_indexed_photo``).
"""

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..detect.crops import CROP_SIZE, face_crop
from ..errors import PhotofaceError
from ..face_model import active_head_over, active_model, original_model, store_missing_vectors
from ..people.operations import add_drawn_face
from ..photos import load_photo
from ..photos.orientation import Box, box_to_upright, iou, upright_size
from ..photos.scan import resolved
from ..store.library import CARRY_OVER_IOU, Library
from ..store.transaction import write_transaction
from .analyse import face_record
from .options import IndexOptions

if TYPE_CHECKING:  # torch loads only when a face is drawn
    from PIL import Image

    from ..embed.models import Embedder

MIN_SIDE = 20  # pixels of the full-size photo: MTCNN's smallest face
REGION_GROWTH = 1.0  # MTCNN looks at the drawn box grown by this much of its size on each side
# Pixels the drawn box spans in the region MTCNN looks at. The cosine of a drawn face to the same face
# indexed was 0.91-0.99 for boxes of 80 to 200 px (two faces of the selfie, drawn exactly and 8 px wider);
# 120 px had the lowest worst case (0.93) and keeps the region small (360 px).
REGION_BOX_SIDE = 120
MIN_FOUND_AREA = 1 / 9  # a face found there must fill this much of the drawn box (a third of its side)
REGION_MIN_FACE = 40  # MTCNN's smallest face in the region (a third of the box's side): fewer scales to look at
DRAWN_SCORE = 1.0  # the detection score of a drawn face MTCNN does not find: the user says it is a face


@dataclass
class AddedFace:
    face_id: int
    photo: str
    box: Box  # upright: the face MTCNN found in the drawn box, else the drawn box
    detected: bool  # whether MTCNN found the face in the drawn box
    person_id: int | None  # None: not named (clustering places it)


@dataclass
class _Found:
    box: Box  # upright, full-resolution pixels, as the landmarks
    landmarks: list[tuple[float, float]]
    score: float


def add_face(library: Library, photo: str | Path, box: Box, name: str | None = None,
             embedder: "Embedder | None" = None) -> AddedFace:
    """Store a face drawn on an indexed photo (``box`` upright, full-resolution pixels) with its
    embedding by the library's network, and name it (``name``: confirmed in the person of that name,
    or a new one) in one undoable step; PhotofaceError for a photo not in the library, a box outside
    it, too small, or over a face it has."""
    row = _indexed_photo(library, photo)
    size = upright_size((row["width"], row["height"]), row["orientation"] or 1)
    box = _checked_box(box, size)
    _refuse_known_face(library, row["photo_id"], box)
    loaded = load_photo(row["path"], max_side=_decode_side(box, size))
    scale = loaded.image.width / size[0]
    found = _found_in(loaded.image, box, scale)
    face = found or _Found(box, [], DRAWN_SCORE)
    crop = face_crop(loaded.image, tuple(v * scale for v in face.box))
    record = face_record(face.box, face.landmarks, face.score, crop, loaded)
    # The network the library's faces are embedded by (a library of faceless photos: the default).
    network = original_model(library) if active_model(library) else IndexOptions().model_id
    embedder = _embedder_for(network, embedder)
    record.embedding = embedder.embed(crop[np.newaxis], flip=IndexOptions().flip)[0]
    head = active_head_over(library, network)
    with write_transaction(library.db):
        library.register_model(network, embedder.dim, embedder.description)
        face_id = library.save_drawn_face(row["photo_id"], record, network)
        if head:  # matching uses the trained head's vectors
            store_missing_vectors(library, head)
        person_id = add_drawn_face(library, face_id, name)
    return AddedFace(face_id, row["path"], face.box, found is not None, person_id)


def _indexed_photo(library: Library, photo: str | Path) -> dict:
    """The photo's row, with ``photo_id`` the photo holding its faces (a copy's original)."""
    path = str(resolved(photo))
    row = library.photo_by_path(path)
    if row is None or row["status"] != "indexed":
        raise PhotofaceError(f"{path} is not an indexed photo of the library; index it first (photoface index).",
                             in_app="This photo is not in the library any more.")
    return {**row, "photo_id": row["copy_of"] or row["id"]}


def _checked_box(box: Box, size: tuple[int, int]) -> Box:
    """The box as floats; refused when smaller than a face can be or mostly off the photo."""
    left, top, width, height = (float(v) for v in box)
    if width < MIN_SIDE or height < MIN_SIDE:
        raise PhotofaceError(f"The box is {width:g} x {height:g} pixels; a face must be at least {MIN_SIDE} x "
                             f"{MIN_SIDE}.", in_app=f"Draw a bigger box: a face must be at least {MIN_SIDE} pixels.")
    on_photo = (max(0.0, min(left + width, size[0]) - max(left, 0.0))
                * max(0.0, min(top + height, size[1]) - max(top, 0.0)))
    if on_photo < 0.5 * width * height:  # detected boxes may overhang the photo a little
        raise PhotofaceError(f"The box {left:g},{top:g},{width:g},{height:g} lies outside the photo "
                             f"({size[0]} x {size[1]} pixels upright).", in_app="Draw the box on the photo.")
    return left, top, width, height


def _refuse_known_face(library: Library, photo_id: int, box: Box) -> None:
    for face in library.faces(photo_id=photo_id):
        known = box_to_upright(face["box"], (face["width"], face["height"]), face["orientation"])
        if iou(box, known) >= CARRY_OVER_IOU:
            raise PhotofaceError(f"Face {face['id']} is there already.", in_app="That face is there already.")


def _decode_side(box: Box, size: tuple[int, int]) -> int:
    """A decode where the drawn box spans at least a crop's side, when the photo has the pixels."""
    return int(max(size) * min(1.0, CROP_SIZE / min(box[2], box[3]))) + 1


def _found_in(image: "Image.Image", box: Box, scale: float) -> _Found | None:
    """The face MTCNN finds in the region around the drawn box, centred in it and filling it enough."""
    from ..detect.detector import FaceDetector

    left, top, width, height = (v * scale for v in box)
    x0, y0 = int(max(0.0, left - REGION_GROWTH * width)), int(max(0.0, top - REGION_GROWTH * height))
    x1 = int(min(image.width, left + (1 + REGION_GROWTH) * width))
    y1 = int(min(image.height, top + (1 + REGION_GROWTH) * height))
    zoom = REGION_BOX_SIDE / max(width, height)
    region = image.crop((x0, y0, x1, y1))
    region = region.resize((max(1, round(region.width * zoom)), max(1, round(region.height * zoom))))

    def to_full(x: float, y: float) -> tuple[float, float]:
        return (x / zoom + x0) / scale, (y / zoom + y0) / scale

    candidates = []
    for face in FaceDetector(min_face_size=REGION_MIN_FACE).detect(region):
        (fx0, fy0), (fx1, fy1) = to_full(*face.box[:2]), to_full(face.box[0] + face.box[2], face.box[1] + face.box[3])
        found = _Found((fx0, fy0, fx1 - fx0, fy1 - fy0), [to_full(x, y) for x, y in face.landmarks], face.score)
        centred = box[0] <= (fx0 + fx1) / 2 <= box[0] + box[2] and box[1] <= (fy0 + fy1) / 2 <= box[1] + box[3]
        if centred and found.box[2] * found.box[3] >= MIN_FOUND_AREA * box[2] * box[3]:
            candidates.append(found)
    return max(candidates, key=lambda found: iou(found.box, box), default=None)


def _embedder_for(model_id: str, embedder: "Embedder | None") -> "Embedder":
    """The given embedder when it is the library's network, else that network, loaded (torch: seconds)."""
    if embedder is not None and embedder.model_id == model_id:
        return embedder
    from ..embed.models import load_embedder

    return load_embedder(model_id)
