"""The peer: face_recognition's recipe (dlib HOG or CNN detector, 5-point landmarks, dlib ResNet 128-d), done directly with dlib.

    .venv/bin/python -m benchmarks.peer_dlib index FOLDER [--workers 2] [--json OUT]

``face_recognition`` 1.3.0 is two calls into dlib: ``face_locations``
(``get_frontal_face_detector()(image, 1)``, or the MMOD CNN) and
``face_encodings`` (``shape_predictor_5_face_landmarks`` then
``compute_face_descriptor`` with one jitter). This module makes the same
calls with the model files of ``face_recognition_models`` 0.3.0 (found with
``find_spec``: importing it needs ``pkg_resources``), installed by
``pip install -e .[peer]``; nothing downloads at run time.

dlib's HOG detector and ResNet run on one core, so the peer uses both cores
with a pool of worker processes, as a script indexing a library would.

Imports stay light (no torch): worker processes and the indexing command
measured for memory load only dlib, numpy and Pillow.
"""

import argparse
import importlib.util
import json
import multiprocessing
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

try:
    import dlib
except ImportError:  # the optional "peer" group is not installed
    dlib = None

WORK_DIR = Path(__file__).parent / "work" / "peer-dlib"
UPSAMPLE = 1  # face_recognition's default number_of_times_to_upsample
# Where face_recognition is used on a photo library, it looks at a reduced
# image (LibrePhotos: its big thumbnail). A JPEG draft decode to at least this
# long side, with the default upsampling, finds faces down to ~80 px in a
# 4000 px photo: the same smallest face as photoface's 960 px MTCNN pass.
LIBRARY_DECODE_SIDE = 2000
CENTRE_BOX_FRACTION = 0.44  # dlib's HOG box on deep-funneled LFW spans ~44 % of the 250 px side
DESCRIPTOR_DTYPE = np.float64  # what face_recognition.face_encodings returns and its users store


def available() -> bool:
    return dlib is not None and importlib.util.find_spec("face_recognition_models") is not None


def model_file(name: str) -> str:
    package = importlib.util.find_spec("face_recognition_models")
    if dlib is None or package is None:
        raise SystemExit("the peer is not installed: .venv/bin/pip install -e '.[peer]'")
    return str(Path(package.origin).parent / "models" / name)


class DlibPeer:
    """face_locations + face_encodings, as face_recognition calls them."""

    def __init__(self, detector: str = "hog"):
        self.detector_name = detector
        if detector == "cnn":
            self._cnn = dlib.cnn_face_detection_model_v1(model_file("mmod_human_face_detector.dat"))
        else:
            self._hog = dlib.get_frontal_face_detector()
        self._landmarks = dlib.shape_predictor(model_file("shape_predictor_5_face_landmarks.dat"))
        self._resnet = dlib.face_recognition_model_v1(model_file("dlib_face_recognition_resnet_model_v1.dat"))

    def detect(self, image: np.ndarray) -> list:
        """dlib rectangles, clipped to the image as face_recognition clips them."""
        if self.detector_name == "cnn":
            found = [d.rect for d in self._cnn(image, UPSAMPLE)]
        else:
            found = list(self._hog(image, UPSAMPLE))
        height, width = image.shape[:2]
        return [dlib.rectangle(max(r.left(), 0), max(r.top(), 0), min(r.right(), width), min(r.bottom(), height))
                for r in found]

    def embed(self, image: np.ndarray, rectangle) -> np.ndarray:
        shape = self._landmarks(image, rectangle)
        return np.array(self._resnet.compute_face_descriptor(image, shape, 1), dtype=DESCRIPTOR_DTYPE)


def as_box(rectangle, scale: float = 1.0) -> tuple:
    """dlib rectangle -> photoface's (left, top, width, height), times ``scale``."""
    return tuple(float(v) * scale for v in (rectangle.left(), rectangle.top(), rectangle.width(), rectangle.height()))


def load_rgb(path: Path, decode_side: int | None = None) -> tuple[np.ndarray, float]:
    """Upright RGB pixels, JPEG-draft reduced to at least ``decode_side``; and the factor back to full size."""
    image = Image.open(path)
    full_side = max(image.size)  # a rotation keeps the long side
    if decode_side:
        image.draft("RGB", (decode_side, decode_side))
    image = ImageOps.exif_transpose(image).convert("RGB")
    return np.asarray(image), full_side / max(image.size)


# --- worker processes --------------------------------------------------------

_peer: "DlibPeer | None" = None


def _start_worker(detector: str) -> None:
    global _peer
    _peer = DlibPeer(detector)


def _labelled_face(job: tuple[str, str]) -> tuple[str, int, tuple, np.ndarray]:
    """One face per labelled photo: the detector's faces, the one picked, its descriptor.

    Where nothing is found, a centre box stands in (as photoface's LFW
    benchmark scores a centre crop), so every pair is scored.
    """
    path, pick = job
    image, _ = load_rgb(Path(path))
    found = _peer.detect(image)
    if found:
        chosen = found[_pick(pick, [as_box(r) for r in found], (image.shape[1], image.shape[0]))]
    else:
        side = CENTRE_BOX_FRACTION * min(image.shape[:2])
        left, top = (image.shape[1] - side) / 2, (image.shape[0] - side) / 2
        chosen = dlib.rectangle(round(left), round(top), round(left + side), round(top + side))
    return path, len(found), as_box(chosen), _peer.embed(image, chosen).astype(np.float32)


def _pick(rule: str, boxes: list, size: tuple[int, int]) -> int:
    if rule == "largest":
        return int(np.argmax([w * h for _, _, w, h in boxes]))
    from photoface.detect.detector import main_face_index  # same rule as photoface's side; only labelled runs need it
    return main_face_index(boxes, size)


def _library_photo(job: tuple[str, int | None]) -> tuple[str, list, int]:
    """Index one photo: every face found gets a descriptor (what a library stores)."""
    path, decode_side = job
    image, to_full = load_rgb(Path(path), decode_side)
    found = _peer.detect(image)
    stored = sum(_peer.embed(image, r).nbytes for r in found)
    return path, [as_box(r, to_full) for r in found], stored


def pool(detector: str, workers: int):
    # spawn: workers never inherit the parent's torch, so their memory is the peer's own
    return multiprocessing.get_context("spawn").Pool(workers, _start_worker, (detector,))


# --- labelled photos, cached ----------------------------------------------------

def labelled_faces(paths: list[Path], pick: str, detector: str = "hog", workers: int = 2,
                   cache_name: str = "lfw", chunk: int = 400) -> dict[str, dict]:
    """Per photo: faces found, the picked face's box and float32 descriptor.

    Cached under ``benchmarks/work/peer-dlib`` in chunks, so an interrupted
    run resumes and a rerun (or ``--quick`` on a subset) costs nothing.
    """
    cache = WORK_DIR / f"{cache_name}-{detector}-{pick}"
    cache.mkdir(parents=True, exist_ok=True)
    known = _read_cache(cache)
    todo = [str(p) for p in paths if str(p) not in known]
    if todo:
        print(f"peer ({detector}): {len(todo)} photos to embed, {len(known)} cached", flush=True)
        started = time.perf_counter()
        with pool(detector, workers) as workers_pool:
            for start in range(0, len(todo), chunk):
                rows = workers_pool.map(_labelled_face, [(p, pick) for p in todo[start:start + chunk]])
                _write_chunk(cache, rows)
                known.update(_as_records(rows))
                done = start + len(rows)
                print(f"  {done}/{len(todo)} in {time.perf_counter() - started:.0f} s", flush=True)
    return {str(p): known[str(p)] for p in paths}


def _write_chunk(cache: Path, rows) -> None:
    paths, counts, boxes, vectors = zip(*rows)
    target = cache / f"chunk-{len(list(cache.glob('chunk-*.npz'))):05d}.npz"
    partial = target.with_suffix(".part.npz")
    np.savez(partial, paths=np.array(paths), counts=np.array(counts), boxes=np.array(boxes), vectors=np.stack(vectors))
    partial.rename(target)


def _read_cache(cache: Path) -> dict[str, dict]:
    known = {}
    for file in sorted(cache.glob("chunk-*[0-9].npz")):
        with np.load(file) as data:
            known.update(_as_records(zip(data["paths"], data["counts"], data["boxes"], data["vectors"])))
    return known


def _as_records(rows) -> dict[str, dict]:
    return {str(path): {"faces": int(count), "box": tuple(map(float, box)), "vector": np.asarray(vector, np.float32)}
            for path, count, box, vector in rows}


def detect_photos(paths: list[Path], detector: str = "hog", workers: int = 2) -> dict[str, list]:
    """Every face box per photo as a library indexing run finds them, upright, by file path."""
    with pool(detector, workers) as workers_pool:
        jobs = [(str(p), LIBRARY_DECODE_SIDE) for p in paths]
        return {path: boxes for path, boxes, _ in workers_pool.map(_library_photo, jobs, chunksize=1)}


def chinese_whispers(vectors: list[np.ndarray], threshold: float) -> np.ndarray:
    """dlib's graph clustering, as its face_clustering example runs it: an edge where the distance is under ``threshold``."""
    return np.array(dlib.chinese_whispers_clustering([dlib.vector(v.astype(float).tolist()) for v in vectors], threshold))


def versions() -> dict:
    if not available():
        return {"dlib": None}
    return {"dlib": dlib.__version__, "dlib_blas": bool(dlib.DLIB_USE_BLAS), "dlib_avx": bool(dlib.USE_AVX_INSTRUCTIONS)}


# --- the indexing command (timed and measured for memory from outside) --------------

def index_library(folder: Path, workers: int, detector: str = "hog", decode_side: int = LIBRARY_DECODE_SIDE) -> dict:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in {".jpg", ".jpeg", ".png"})
    with pool(detector, workers) as workers_pool:
        rows = workers_pool.map(_library_photo, [(str(p), decode_side) for p in files], chunksize=1)
    return {"photos": len(files), "faces": {Path(p).name: boxes for p, boxes, _ in rows},
            "descriptor_bytes": sum(stored for _, _, stored in rows)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    index = commands.add_parser("index", help="detect and embed every face of a folder's photos")
    index.add_argument("folder", type=Path)
    index.add_argument("--workers", type=int, default=2)
    index.add_argument("--detector", choices=["hog", "cnn"], default="hog")
    index.add_argument("--json", type=Path, help="write the faces found here")
    args = parser.parse_args()
    result = index_library(args.folder, args.workers, args.detector)
    if args.json:
        args.json.write_text(json.dumps(result))
    print(f"{result['photos']} photos, {sum(map(len, result['faces'].values()))} faces", file=sys.stderr)


if __name__ == "__main__":
    main()
