"""photoface against the peer (face_recognition's recipe on dlib), row by row, on the same data.

Each function measures one row of the suite for both systems with the same
readers and metrics (``photoface.evaluation``) and returns a JSON-ready
dict; ``benchmarks/__main__.py`` runs them and keeps the results.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing
from pathlib import Path

import numpy as np

from photoface.evaluation.clustering import bcubed_prf, pairwise_prf
from photoface.evaluation.datasets import celeba_identities, dlib_boxes, lfw_pairs, shared_data_dir
from photoface.evaluation.metrics import match_boxes
from photoface.index.pipeline import Indexer, IndexOptions
from photoface.store.library import DB_NAME, Library

from . import cluster_lfw, index_speed, lfw, peer_dlib

WORK_DIR = Path(__file__).parent / "work"
CHINESE_WHISPERS_THRESHOLD = 0.5  # dlib's face_clustering example
FACE_RECOGNITION_TOLERANCE = 0.6  # face_recognition.compare_faces' default distance
OTHER_PHOTOS = {  # folder under ../shared/data/photos -> the files looked at
    "knn": "**/*.jpg", "deepface": "*.jpg", "misc": "*.png", "nonfaces": "*.png", "exif": "*.jpg",
    "dlib-extra": ("bald_guys.jpg", "Tom_Cruise_avp_2014_4.jpg", "dogs.jpg"),
}
NO_FACE_FOLDERS = ("nonfaces", "exif")  # and dogs.jpg: any face found there is a false one


# --- 1. LFW verification -------------------------------------------------------

def quick_pairs(pairs: list, per_fold_and_kind: int) -> list:
    """The first n same-person and n different-person pairs of every fold (the 10-fold protocol still holds)."""
    taken: dict[tuple, int] = {}
    subset = []
    for pair in pairs:
        key = (pair.fold, pair.same)
        if taken.get(key, 0) < per_fold_and_kind:
            taken[key] = taken.get(key, 0) + 1
            subset.append(pair)
    return subset


def lfw_images(pairs: list) -> list[Path]:
    return sorted({p.first for p in pairs} | {p.second for p in pairs})


def verification(pairs: list, library_dir: Path = WORK_DIR / "lfw") -> dict:
    images = lfw_images(pairs)
    ours, missing = lfw.photoface_main_faces(images, IndexOptions(), library_dir)
    peer = peer_dlib.labelled_faces(images, "main")
    peer_vectors = np.stack([peer[str(p)]["vector"] for p in images])
    ours_result, peer_result = lfw.verify(ours, images, pairs), lfw.verify(peer_vectors, images, pairs)
    row = {path: i for i, path in enumerate(images)}
    peer_distance = np.linalg.norm(peer_vectors[[row[p.first] for p in pairs]]
                                   - peer_vectors[[row[p.second] for p in pairs]], axis=1)
    same = np.array([p.same for p in pairs])
    return {
        "variant": "deep-funneled", "pairs": len(pairs), "images": len(images),
        "photoface": {**vars(ours_result), "no_face_found": len(missing)},
        "peer": {**vars(peer_result), "no_face_found": sum(peer[str(p)]["faces"] == 0 for p in images),
                 "l2_threshold": float(np.sqrt(peer_result.threshold)),
                 "accuracy_at_tolerance_0.6": float(np.mean((peer_distance <= FACE_RECOGNITION_TOLERANCE) == same))},
    }


# --- 2. detection ----------------------------------------------------------------

def other_photos(data: Path) -> dict[str, list[Path]]:
    folders = {}
    for name, pattern in OTHER_PHOTOS.items():
        if name == "dlib-extra":
            folders[name] = [data / "photos" / "dlib" / file for file in pattern]
        else:
            folders[name] = sorted((data / "photos" / name).glob(pattern))
    return folders


def detection(cnn: bool) -> dict:
    """Hand-drawn dlib boxes (recall, precision at IoU >= 0.4) and faces found on the other shared photos.

    Both systems look at each photo as they would when indexing a library
    (photoface: its indexer; the peer: ``peer_dlib``'s library decode).
    """
    data = shared_data_dir()
    truth = {str(data / "photos" / "dlib" / name): boxes for name, boxes in dlib_boxes(data / "photos" / "dlib").items()}
    folders = other_photos(data)
    everything = [Path(p) for p in truth] + [p for files in folders.values() for p in files]
    found = {"photoface": photoface_boxes(everything),
             "peer_hog": peer_dlib.detect_photos(everything, "hog")}
    if cnn:  # the MMOD CNN takes seconds per photo on a CPU: the boxed photos only
        found["peer_cnn"] = peer_dlib.detect_photos([Path(p) for p in truth], "cnn")
    rows = {}
    for system, boxes in found.items():
        matched = sum(match_boxes(t, boxes.get(path, [])) for path, t in truth.items())
        reported = sum(len(boxes.get(path, [])) for path in truth)
        rows[system] = {
            "recall": matched / sum(map(len, truth.values())), "precision": matched / reported if reported else 1.0,
            "matched": matched, "true_faces": sum(map(len, truth.values())), "found": reported,
            "faces_by_folder": {name: sum(len(boxes.get(str(p), [])) for p in files) for name, files in folders.items()}
            if system != "peer_cnn" else None,
        }
        if rows[system]["faces_by_folder"]:
            rows[system]["false_faces_on_faceless"] = (
                sum(rows[system]["faces_by_folder"][name] for name in NO_FACE_FOLDERS)
                + len(boxes.get(str(data / "photos" / "dlib" / "dogs.jpg"), [])))
    rows["photos_per_folder"] = {name: len(files) for name, files in folders.items()}
    return rows


def photoface_boxes(paths: list[Path]) -> dict[str, list]:
    """Upright boxes by path, from ``photoface index`` over copies of ``paths`` in a fresh library."""
    with tempfile.TemporaryDirectory() as temp:
        photos = Path(temp) / "photos"
        originals = {}
        for i, path in enumerate(paths):
            copy = photos / f"{i:04d}_{path.name}"
            copy.parent.mkdir(exist_ok=True)
            shutil.copyfile(path, copy)
            originals[str(copy.resolve())] = str(path)
        subprocess.run(index_speed.photoface_index_command(Path(temp) / "library", photos, None), check=True)
        boxes: dict[str, list] = {}
        for face in index_speed.library_faces(Path(temp) / "library"):
            boxes.setdefault(originals[str(Path(face["photo"]).resolve())], []).append(tuple(face["box"]))
    return boxes


# --- 3 and 5. indexing throughput and memory --------------------------------------

def throughput(photo_count: int, workers: int) -> dict:
    """Both index the same 12 MP JPEGs from a fresh start; process start, time and peak RSS of the whole process tree."""
    photos = WORK_DIR / f"photos-12mp-{photo_count}"
    truth = index_speed.build_photos(photos, photo_count)
    files = sorted(photos.glob("*.jpg"))
    from photoface.embed.models import load_embedder
    load_embedder()  # the model conversion is a one-off, outside the timing
    library = WORK_DIR / "suite-speed-library"
    shutil.rmtree(library, ignore_errors=True)
    ours = run_measured(index_speed.photoface_index_command(library, photos, None))
    our_faces = index_speed.library_faces(library)
    ours_boxes = index_speed.boxes_by_photo(our_faces)
    peer_json = WORK_DIR / "suite-speed-peer.json"
    peer = run_measured([sys.executable, "-m", "benchmarks.peer_dlib", "index", str(photos),
                         "--workers", str(workers), "--json", str(peer_json)])
    peer_result = json.loads(peer_json.read_text())
    peer_faces = sum(map(len, peer_result["faces"].values()))
    rows = {"photos": len(files), "megapixels": 12, "photoface_workers": IndexOptions().workers, "peer_workers": workers}
    for name, run, faces, boxes in (("photoface", ours, len(our_faces), ours_boxes),
                                    ("peer", peer, peer_faces, peer_result["faces"])):
        covered, total = index_speed.recall(truth, boxes)
        rows[name] = {"seconds": run["seconds"], "photos_per_s": len(files) / run["seconds"],
                      "faces": faces, "faces_per_s": faces / run["seconds"], "peak_rss_mb": run["peak_rss_mb"],
                      "dlib_boxes_recall": [covered, total]}
    rows["photoface"].update(stored_bytes(library, len(our_faces)))
    rows["peer"].update({"embedding_bytes_per_face": peer_result["descriptor_bytes"] / max(peer_faces, 1),
                         "library_bytes_per_face": None})
    rows["ratio_photos_per_s"] = rows["photoface"]["photos_per_s"] / rows["peer"]["photos_per_s"]
    return rows


def stored_bytes(library: Path, faces: int) -> dict:
    """The library's bytes per face: its embedding alone, and the whole database (faces, thumbnails, photos)."""
    database = library / DB_NAME
    with closing(sqlite3.connect(database)) as db:
        vector_bytes = db.execute("SELECT AVG(LENGTH(vector)) FROM embeddings").fetchone()[0]
    return {"embedding_bytes_per_face": vector_bytes, "library_bytes_per_face": database.stat().st_size / max(faces, 1)}


def run_measured(command: list[str]) -> dict:
    """Wall time and the peak summed RSS of a command's process tree (sampled from /proc every 50 ms)."""
    started = time.perf_counter()
    process = subprocess.Popen(command)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], tree_rss(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = process.wait()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if code:
        raise subprocess.CalledProcessError(code, command)
    return {"seconds": seconds, "peak_rss_mb": peak[0] / 2**20}


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue  # ended between two reads
    return total


# --- 4. clustering -------------------------------------------------------------

def clustering(lfw_subset: list[Path] | None, celeba_people: int | None, libraries: Path = WORK_DIR) -> dict:
    """Pairwise and BCubed F on the faces both systems found (each photo's main or largest face)."""
    data = shared_data_dir()
    lfw_all = lfw_subset or sorted((data / "lfw").glob("*/*.jpg"))
    celeba_ids = celeba_identities(data / "celeba_train")
    people = sorted(set(celeba_ids.values()))[:celeba_people]
    celeba = sorted(data / "celeba_train" / name for name, who in celeba_ids.items() if who in people)
    return {
        "lfw": clustered(libraries / "lfw", "lfw", lfw_all, lambda p: p.parent.name, "main", cluster_lfw.main_face),
        "celeba_train": clustered(libraries / "celeba", "celeba", celeba, lambda p: celeba_ids.get(p.name),
                                  "largest", cluster_lfw.largest_face),
        "photoface_grouping": "default level (0)", "peer_recipe": f"dlib.chinese_whispers_clustering at {CHINESE_WHISPERS_THRESHOLD}",
    }


def clustered(library_dir: Path, cache_name: str, photos: list[Path], label_of, peer_pick: str, our_pick) -> dict:
    wanted = {str(p.resolve()) for p in photos}
    with Library.open(library_dir) as library:
        indexer = Indexer(library)
        indexer.run(photos)
        vectors, qualities, labels, paths = cluster_lfw.labelled_faces(
            library, indexer.embedder.model_id, lambda p: label_of(p) if str(p.resolve()) in wanted else None, our_pick)
    peer = peer_dlib.labelled_faces(photos, peer_pick, cache_name=cache_name)
    peer_found = {str(Path(p).resolve()): r for p, r in peer.items() if r["faces"]}
    both = np.array([p in peer_found for p in paths])  # faces both found: the same faces for both
    ours = cluster_lfw.scores(vectors[both], qualities[both], labels[both])
    peer_vectors = [peer_found[p]["vector"] for p, keep in zip(paths, both) if keep]
    started = time.perf_counter()
    predicted = peer_dlib.chinese_whispers(peer_vectors, CHINESE_WHISPERS_THRESHOLD)
    seconds = time.perf_counter() - started
    truth = labels[both]
    return {
        "photos": len(photos), "faces_scored": int(both.sum()), "people": len(set(truth)),
        "photoface_found": len(paths), "peer_found": len(peer_found),
        "photoface": ours,
        "peer": {"faces": int(both.sum()), "seconds": round(seconds, 2), "clusters": int(len(set(predicted))),
                 "pairwise": [round(v, 4) for v in pairwise_prf(truth, predicted)],
                 "bcubed": [round(v, 4) for v in bcubed_prf(truth, predicted)]},
    }


def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "unknown")
    memory = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    import torch
    return {"cpu": model, "cores": os.cpu_count(), "memory_gb": round(memory / 2**20, 1),
            "python": sys.version.split()[0], "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            **peer_dlib.versions()}
