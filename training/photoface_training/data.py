"""Labelled faces for training: from a photoface library or from a folder of photos.

- From a library: faces the user confirmed as a named person (``face_people.confirmed``),
  with the embeddings the library stores (one view each).
- From a folder: identity sub-folders (LFW layout), or a CelebA folder with
  ``identity.txt``. Each photo's largest face is found and cropped by photoface's
  own detector and crop geometry, with extra room around it (``BIG_CROP``) so
  training can take random 160 px crops; the crops and the embeddings of a few
  augmented views are cached, so a second run costs seconds.

Splits keep evaluation data out of training: by identity (nobody in both
halves) or by photo (each identity's photos divided between the halves).
"""

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from tqdm import tqdm

from photoface.detect.crops import CROP_MARGIN, CROP_SIZE, face_crop
from photoface.detect.detector import FaceDetector
from photoface.errors import PhotofaceError
from photoface.evaluation.datasets import CELEBA_IDENTITIES, celeba_identities
from photoface.index.options import DETECT_SIDE
from photoface.photos import PhotoError, file_hash, load_photo
from photoface.photos.scan import iter_photo_files
from photoface.store.library import Library

from .trunk import before_last_block

# Aligned crops at the scale of the embedder's 160 px crop (128 px of face box)
# with room to shift: the centre 160 px of a BIG_CROP crop is the usual crop.
BIG_CROP = 182
BIG_MARGIN = BIG_CROP - (CROP_SIZE - CROP_MARGIN)


@dataclass
class FaceSet:
    """Faces with identities. ``features``: (N, V, D) unit embeddings, view 0 un-augmented."""

    features: np.ndarray
    labels: np.ndarray  # (N,) int64 identity per face
    photos: np.ndarray  # (N,) int64 photo per face (photo-disjoint splits)
    model_id: str
    crops: np.ndarray | None = None  # (N, BIG_CROP, BIG_CROP, 3) uint8, for training the trunk
    # (N, V, D1): what the v1 of a harmonic upgrade reads, where v2 reads other features of the
    # same faces (a v2 that adds the mirrored face); None: v1 reads ``features`` too
    v1_features: np.ndarray | None = None
    # (N, V, C, H, W) float16: the frozen layers' output per view, what depth "last" trains on
    activations: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def v1_inputs(self) -> np.ndarray:
        return self.features if self.v1_features is None else self.v1_features

    def subset(self, mask: np.ndarray) -> "FaceSet":
        crops = None if self.crops is None else self.crops[mask]
        v1_features = None if self.v1_features is None else self.v1_features[mask]
        activations = None if self.activations is None else self.activations[mask]
        return replace(self, features=self.features[mask], labels=self.labels[mask], photos=self.photos[mask],
                       crops=crops, v1_features=v1_features, activations=activations)


# --- from a library -------------------------------------------------------------


def faces_from_library(library: Library, model_id: str) -> FaceSet:
    """Visible faces confirmed as a named person, with their stored embeddings of ``model_id``."""
    rows = library.db.execute(
        "SELECT face_people.face_id, face_people.person_id, faces.photo_id FROM face_people"
        " JOIN persons ON persons.id = face_people.person_id"
        " JOIN faces ON faces.id = face_people.face_id"
        " WHERE face_people.confirmed = 1 AND persons.name IS NOT NULL AND faces.hidden = 0"
    ).fetchall()
    if library.db.execute("SELECT 1 FROM models WHERE id = ?", [model_id]).fetchone() is None:
        raise PhotofaceError(f"No faces in this library were embedded by {model_id}: index photos first")
    face_ids, matrix = library.embedding_matrix(model_id)
    row_of = {int(face_id): row for row, face_id in enumerate(face_ids)}
    rows = [row for row in rows if row[0] in row_of]
    features = matrix[[row_of[face] for face, _, _ in rows]] if rows else np.zeros((0, matrix.shape[1]), np.float32)
    return FaceSet(
        features=features[:, None, :],
        labels=np.array([person for _, person, _ in rows], dtype=np.int64),
        photos=np.array([photo for _, _, photo in rows], dtype=np.int64),
        model_id=model_id,
    )


# --- from a folder --------------------------------------------------------------


def labelled_photos(folder: Path) -> list[tuple[Path, str]]:
    """(photo, identity) pairs: CelebA's ``identity.txt`` if present, else one sub-folder per identity."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PhotofaceError(f"{folder} is not a folder of labelled photos")
    if (folder / CELEBA_IDENTITIES).is_file():
        return sorted((folder / name, identity) for name, identity in celeba_identities(folder).items())
    folder = folder.resolve()
    return sorted((path, path.relative_to(folder).parts[0]) for path in iter_photo_files([folder])
                  if len(path.relative_to(folder).parts) > 1)


def faces_from_folder(folder: Path, embedder, cache_dir: Path, views: int = 4, seed: int = 0,
                      last_block: bool = False) -> FaceSet:
    """The largest face of every labelled photo, with ``views`` embeddings each (see ``embed_views``)
    and, for training the last block, as many views of the frozen layers' output (``activation_views``)."""
    photos = labelled_photos(folder)
    if not photos:
        raise PhotofaceError(f"No labelled photos in {folder} (expected identity sub-folders or {CELEBA_IDENTITIES})")
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    key = _photos_key(photos)
    crops, found = _cached(cache_dir / f"crops-{key}.npz", lambda: aligned_crops([p for p, _ in photos]))
    feature_key = hashlib.sha256(f"{key}{embedder.model_id}{views}{seed}".encode()).hexdigest()[:16]
    (features,) = _cached(cache_dir / f"features-{feature_key}.npz",
                          lambda: (embed_views(crops, embedder, views, seed),))
    activations = None
    if last_block:
        (activations,) = _cached(cache_dir / f"activations-{feature_key}.npz",
                                 lambda: (activation_views(crops, embedder, views, seed),))
    names = [identity for (_, identity), ok in zip(photos, found) if ok]
    _, labels = np.unique(names, return_inverse=True)
    return FaceSet(features=features, labels=labels.astype(np.int64), photos=np.flatnonzero(found),
                   model_id=embedder.model_id, crops=crops, activations=activations)


def aligned_crops(paths: list[Path]) -> tuple[np.ndarray, np.ndarray]:
    """(crops of the photos where a face was found, found mask): largest face, BIG_CROP px."""
    detector = FaceDetector()
    crops, found = [], []
    for path in tqdm(paths, desc="detecting faces", unit="photo"):
        crop = _largest_face_crop(path, detector)
        found.append(crop is not None)
        if crop is not None:
            crops.append(crop)
    empty = np.zeros((0, BIG_CROP, BIG_CROP, 3), np.uint8)
    return (np.stack(crops) if crops else empty), np.array(found, dtype=bool)


def _largest_face_crop(path: Path, detector: FaceDetector) -> np.ndarray | None:
    try:
        photo = load_photo(path)
    except PhotoError:
        return None
    small = photo.image.copy()
    small.thumbnail((DETECT_SIDE, DETECT_SIDE))
    faces = detector.detect(small)
    if not faces:
        return None
    scale = photo.image.width / small.width
    left, top, width, height = max((face.box for face in faces), key=lambda box: box[2] * box[3])
    return face_crop(photo.image, (left * scale, top * scale, width * scale, height * scale),
                     size=BIG_CROP, margin=BIG_MARGIN)


def centre_crops(crops: np.ndarray) -> np.ndarray:
    start = (crops.shape[1] - CROP_SIZE) // 2
    return np.ascontiguousarray(crops[:, start : start + CROP_SIZE, start : start + CROP_SIZE])


def random_crops(crops: np.ndarray, rng: np.random.Generator, mirror: bool = True) -> np.ndarray:
    """A random 160 px window of each crop, mirrored at random: FaceNet's training augmentation."""
    room = crops.shape[1] - CROP_SIZE
    out = np.empty((len(crops), CROP_SIZE, CROP_SIZE, 3), np.uint8)
    for i, crop in enumerate(crops):
        x, y = rng.integers(0, room + 1, size=2)
        window = crop[y : y + CROP_SIZE, x : x + CROP_SIZE]
        out[i] = window[:, ::-1] if mirror and rng.random() < 0.5 else window
    return out


def embed_views(crops: np.ndarray, embedder, views: int, seed: int = 0) -> np.ndarray:
    """(N, views, D): view 0 is the centre crop, the others random crops; all embedded as the
    indexer embeds (with the mirrored crop added), so mirroring is folded into every view."""
    rng = np.random.default_rng(seed)
    out = np.zeros((len(crops), views, embedder.dim), np.float32)
    for view in tqdm(range(views), desc="embedding views", unit="view"):
        images = centre_crops(crops) if view == 0 else random_crops(crops, rng, mirror=False)
        out[:, view] = embedder.embed(images, flip=True)
    return out


def activation_views(crops: np.ndarray, embedder, views: int, seed: int = 0, batch_size: int = 32) -> np.ndarray:
    """(N, views, C, H, W) float16 output of the layers depth "last" freezes: view 0 is the
    centre crop, view 1 the same mirrored, the others random crops mirrored at random. Mirroring
    can't be folded in as ``embed_views`` does: the trained layers come after it."""
    rng = np.random.default_rng(seed)
    shape = before_last_block(embedder.model, np.zeros((1, CROP_SIZE, CROP_SIZE, 3), np.uint8)).shape[1:]
    out = np.zeros((len(crops), views, *shape), np.float16)
    for view in tqdm(range(views), desc="caching the frozen layers' output", unit="view"):
        images = centre_crops(crops) if view < 2 else random_crops(crops, rng)
        if view == 1:
            images = np.ascontiguousarray(images[:, :, ::-1])
        for start in range(0, len(images), batch_size):
            batch = images[start : start + batch_size]
            out[start : start + batch_size, view] = before_last_block(embedder.model, batch).numpy()
    return out


def _photos_key(photos: list[tuple[Path, str]]) -> str:
    """By content, not modification time: a copied or restored folder keeps its cache."""
    contents = [(file_hash(path), name) for path, name in photos]
    return hashlib.sha256(json.dumps([BIG_CROP, contents]).encode()).hexdigest()[:16]


def _cached(path: Path, compute) -> tuple:
    if path.is_file():
        with np.load(path) as stored:
            return tuple(stored[f"a{i}"] for i in range(len(stored.files)))
    arrays = compute()
    np.savez(path, **{f"a{i}": array for i, array in enumerate(arrays)})
    return arrays


# --- splits -----------------------------------------------------------------------


def split_by_identity(faces: FaceSet, held_out: float, seed: int = 0) -> tuple[FaceSet, FaceSet]:
    """(train, held out): a ``held_out`` share of the identities, all their faces, in the second."""
    identities = np.unique(faces.labels)
    rng = np.random.default_rng(seed)
    count = max(1, round(held_out * len(identities)))
    chosen = rng.choice(identities, size=count, replace=False)
    mask = np.isin(faces.labels, chosen)
    return faces.subset(~mask), faces.subset(mask)


def split_by_photo(faces: FaceSet, held_out: float, seed: int = 0) -> tuple[FaceSet, FaceSet]:
    """(train, held out): per identity, a ``held_out`` share of its photos in the second."""
    rng = np.random.default_rng(seed)
    mask = np.zeros(len(faces), dtype=bool)
    for identity in np.unique(faces.labels):
        photos = np.unique(faces.photos[faces.labels == identity])
        chosen = rng.choice(photos, size=round(held_out * len(photos)), replace=False)
        mask |= np.isin(faces.photos, chosen) & (faces.labels == identity)
    return faces.subset(~mask), faces.subset(mask)
