"""Indexing speed on 12-megapixel JPEGs, photoface vs a naive pipeline, in one run; or on 1080p video.

    .venv/bin/python -m benchmarks.index_speed [--photos 60] [--baseline-photos N] [--detect-sides 960 640]
                                               [--device cpu|cuda]
    .venv/bin/python -m benchmarks.index_speed --videos [--minutes 1]

Builds (once, under ``benchmarks/work/``) a library of 4000x3000 JPEGs made
from the shared photos: each is a 2x2 grid of upscaled photos with 0-6 faces
in all, plus the dlib group photos upscaled alone with their hand-drawn boxes
scaled along. Then times ``photoface index`` (a fresh library, model cache
warm, process start-up included) and a naive baseline (full decode, MTCNN at
full resolution, one face at a time) on the same files, and compares their
detection recall on the dlib boxes (IoU >= 0.4).

Start-up (importing torch, loading the models, opening the library) is
timed on its own, as ``photoface index`` of an empty folder, and reported
beside the rate after start-up: in a library of thousands of photos the
rate is what counts. ``--detect-sides`` times photoface at several
detection resolutions (the first is compared with the baseline).
``--device cuda`` also times ``photoface index --device cuda`` on the same
photos, beside the CPU figures of the same run.

``--videos`` builds a 1080p H.264 clip at 30 frames a second with a keyframe
a second (as phones record) from the shared photos instead: a scene every 5 s,
each panning slowly over a photo with faces, and reports the seconds
``photoface index`` takes per minute of it.
"""

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import torch
from facenet_pytorch import MTCNN
from PIL import Image, ImageOps

from photoface.detect.crops import face_crop
from photoface.embed.models import load_embedder
from photoface.evaluation.datasets import dlib_boxes, shared_data_dir
from photoface.evaluation.metrics import match_boxes
from photoface.evaluation.videos import letterboxed, write_video
from photoface.index.options import DETECT_SIDE

WORK_DIR = Path(__file__).parent / "work"
SIZE = (4000, 3000)
VIDEO_SIZE, VIDEO_FPS, SCENE_S = (1920, 1080), 30, 5


def build_photos(folder: Path, count: int, seed: int = 0) -> dict[str, list]:
    """The 12 MP test set; returns the scaled dlib boxes by file name."""
    folder.mkdir(parents=True, exist_ok=True)
    data = shared_data_dir()
    truth = {}
    for name, boxes in dlib_boxes(data / "photos" / "dlib").items():
        source = Image.open(data / "photos" / "dlib" / name).convert("RGB")
        scale = min(SIZE[0] / source.width, SIZE[1] / source.height)
        target = folder / f"dlib_{name}"
        truth[target.name] = [tuple(v * scale for v in box) for box in boxes]
        if not target.exists():
            source.resize((round(source.width * scale), round(source.height * scale)), Image.BICUBIC).save(target, quality=90)
    rng = random.Random(seed)
    portraits = sorted((data / "celeba_train").glob("*.jpg"))[:200] + sorted((data / "photos" / "deepface").glob("img*.jpg"))
    empty = sorted((data / "photos" / "nonfaces").glob("*.png")) + sorted((data / "photos" / "exif").glob("landscape_1.jpg"))
    for i in range(count - len(truth)):
        target = folder / f"grid_{i:04d}.jpg"
        if target.exists():
            continue
        canvas = Image.new("RGB", SIZE)
        for cell in range(4):
            source = rng.choice(portraits if rng.random() < 0.6 else empty)
            tile = ImageOps.fit(ImageOps.exif_transpose(Image.open(source)).convert("RGB"), (SIZE[0] // 2, SIZE[1] // 2))
            canvas.paste(tile, ((cell % 2) * SIZE[0] // 2, (cell // 2) * SIZE[1] // 2))
        canvas.save(target, quality=90)
    return truth


def build_video(path: Path, minutes: float, seed: int = 0) -> None:
    """The 1080p clip: scenes of SCENE_S seconds, each a photo with faces that the view pans across."""
    if path.exists():
        return
    data = shared_data_dir()
    rng = random.Random(seed)
    sources = sorted((data / "celeba_train").glob("*.jpg")) + sorted((data / "photos" / "dlib").glob("2008_*.jpg"))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.mp4")
    scenes = [rng.choice(sources) for _ in range(round(minutes * 60 / SCENE_S))]
    write_video(partial, _panning(scenes), fps=VIDEO_FPS, options={"preset": "veryfast"})
    partial.rename(path)


def _panning(scenes: list[Path]):
    wide = (VIDEO_SIZE[0] * 21 // 20, VIDEO_SIZE[1] * 21 // 20)  # 5 % more to pan over
    frames = SCENE_S * VIDEO_FPS
    for source in scenes:
        canvas, _, _ = letterboxed(ImageOps.exif_transpose(Image.open(source)), wide)
        for i in range(frames):
            x, y = (wide[0] - VIDEO_SIZE[0]) * i // frames, (wide[1] - VIDEO_SIZE[1]) * i // frames
            yield canvas.crop((x, y, x + VIDEO_SIZE[0], y + VIDEO_SIZE[1]))


def video_speed(minutes: float, workers: int | None) -> dict:
    """Seconds of ``photoface index`` per minute of 1080p video, with and without start-up."""
    folder = WORK_DIR / f"video-1080p-{minutes:g}min"
    build_video(folder / "clip.mp4", minutes)
    load_embedder()  # convert the model once, outside the timings
    cpu_before = _children_cpu_seconds()
    run = time_photoface(folder, workers)
    cpu_seconds = _children_cpu_seconds() - cpu_before  # steadier than wall time on a shared machine
    after_startup = run["seconds"] - run["startup_seconds"]
    return {
        "video_minutes": minutes,
        "video_size": VIDEO_SIZE,
        "video_fps": VIDEO_FPS,
        "faces": len(run["faces"]),
        "seconds": run["seconds"],
        "startup_seconds": run["startup_seconds"],
        "seconds_per_video_minute": run["seconds"] / minutes,
        "seconds_per_video_minute_after_startup": after_startup / minutes,
        "cpu_seconds_per_video_minute": cpu_seconds / minutes,
        "cpu_cores": os.cpu_count(),
        "load_average_1min": os.getloadavg()[0],
    }


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_photoface(photos: Path, workers: int | None, detect_side: int | None = None, device: str = "cpu") -> dict:
    """Seconds for the whole run, and for start-up alone (a fresh library, an empty folder)."""
    library = WORK_DIR / "speed-library"
    times = {}
    for name, folder in (("startup_seconds", WORK_DIR / "empty-folder"), ("seconds", photos)):
        folder.mkdir(exist_ok=True)
        shutil.rmtree(library, ignore_errors=True)
        started = time.perf_counter()
        subprocess.run(photoface_index_command(library, folder, workers, detect_side, device), check=True)
        times[name] = time.perf_counter() - started
    return {**times, "faces": library_faces(library)}


def time_one_photo(photos: Path, workers: int | None, detect_side: int, device: str) -> float:
    """Seconds to index one photo from a fresh start: start-up with the models loaded on ``device``."""
    folder = WORK_DIR / "one-photo"
    folder.mkdir(exist_ok=True)
    first = sorted(photos.glob("*.jpg"))[0]
    if not (folder / first.name).exists():
        shutil.copy2(first, folder / first.name)
    library = WORK_DIR / "speed-library"
    shutil.rmtree(library, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run(photoface_index_command(library, folder, workers, detect_side, device), check=True)
    return time.perf_counter() - started


def photoface_index_command(library: Path, photos: Path, workers: int | None = None,
                            detect_side: int | None = None, device: str | None = None) -> list[str]:
    command = [sys.executable, "-m", "photoface", "--library", str(library), "index", "--quiet", str(photos)]
    for option, value in (("--workers", workers), ("--detect-side", detect_side), ("--device", device)):
        if value:
            command += [option, str(value)]
    return command


def library_faces(library: Path) -> list[dict]:
    """``photoface faces --json`` of a library."""
    return json.loads(subprocess.run(
        [sys.executable, "-m", "photoface", "--library", str(library), "faces", "--json"],
        check=True, capture_output=True, text=True).stdout)


def boxes_by_photo(faces: list[dict]) -> dict[str, list]:
    found: dict[str, list] = {}
    for face in faces:
        found.setdefault(Path(face["photo"]).name, []).append(face["box"])
    return found


def naive_index(paths: list[Path]) -> dict:
    """Full decode, MTCNN at full resolution, one face at a time, no batching."""
    mtcnn = MTCNN(keep_all=True, post_process=False, device="cpu")
    embedder = load_embedder()
    found = {}
    started = time.perf_counter()
    for path in paths:
        image = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
        with torch.inference_mode():
            boxes, _ = mtcnn.detect(image)
        boxes = [] if boxes is None else [(x1, y1, x2 - x1, y2 - y1) for x1, y1, x2, y2 in boxes]
        for box in boxes:
            embedder.embed(face_crop(image, box)[None], flip=False)
        found[path.name] = boxes
    return {"seconds": time.perf_counter() - started, "boxes": found}


def recall(truth: dict[str, list], found: dict[str, list]) -> tuple[int, int]:
    covered = sum(match_boxes(boxes, found.get(name, [])) for name, boxes in truth.items())
    return covered, sum(len(boxes) for boxes in truth.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=60)
    parser.add_argument("--baseline-photos", type=int, help="Photos the naive baseline indexes (default: all, the same set).")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--detect-sides", type=int, nargs="+", default=[DETECT_SIDE],
                        help="Detection resolutions to time photoface at (default: the default, %(default)s).")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                        help="cuda: time indexing on the GPU too, at the first detection side (the CPU figures "
                             "come from the same run).")
    parser.add_argument("--videos", action="store_true", help="Time a 1080p video instead of photos.")
    parser.add_argument("--minutes", type=float, default=1.0, help="With --videos: the clip's length.")
    args = parser.parse_args()
    if args.videos:
        report(video_speed(args.minutes, args.workers), "index_speed_videos.json")
        return

    photos = WORK_DIR / f"photos-12mp-{args.photos}"
    truth = build_photos(photos, args.photos)
    load_embedder()  # convert the model once, outside the timings
    files = sorted(photos.glob("*.jpg"))

    runs = {side: time_photoface(photos, args.workers, side) for side in args.detect_sides}
    gpu = None
    if args.device == "cuda":  # a GPU loads in seconds and then indexes fast: start-up is timed with one photo
        gpu = time_photoface(photos, args.workers, args.detect_sides[0], "cuda")
        gpu["startup_seconds"] = time_one_photo(photos, args.workers, args.detect_sides[0], "cuda")
    ours = runs[args.detect_sides[0]]
    our_boxes = boxes_by_photo(ours["faces"])
    baseline_files = [f for f in files if f.name in truth] + [f for f in files if f.name not in truth]
    baseline_files = baseline_files[: args.baseline_photos or len(files)]
    naive = naive_index(baseline_files)

    ours_rate = len(files) / ours["seconds"]
    after_startup = {side: len(files) / (run["seconds"] - run["startup_seconds"]) for side, run in runs.items()}
    naive_rate = len(baseline_files) / naive["seconds"]
    naive_truth = {name: boxes for name, boxes in truth.items() if name in naive["boxes"]}
    rows = {
        "photos": len(files),
        "photoface_photos_per_s": ours_rate,
        "photoface_faces_per_s": len(ours["faces"]) / ours["seconds"],
        "photoface_startup_s": ours["startup_seconds"],
        "photoface_photos_per_s_after_startup": after_startup[args.detect_sides[0]],
        "naive_photos": len(baseline_files),
        "naive_photos_per_s": naive_rate,
        "speedup": ours_rate / naive_rate,
        "photoface_recall_dlib": recall(truth, our_boxes),
        "photoface_recall_on_naive_subset": recall(naive_truth, our_boxes),
        "naive_recall_on_its_subset": recall(naive_truth, naive["boxes"]),
        "cpu_cores": os.cpu_count(),
        "by_detect_side": {
            side: {"photos_per_s": len(files) / run["seconds"], "photos_per_s_after_startup": after_startup[side],
                   "faces": len(run["faces"]), "recall_dlib": recall(truth, boxes_by_photo(run["faces"]))}
            for side, run in runs.items()},
    }
    if gpu:
        rows["cuda"] = {"photos_per_s": len(files) / gpu["seconds"], "faces_per_s": len(gpu["faces"]) / gpu["seconds"],
                        "startup_s": gpu["startup_seconds"],
                        "photos_per_s_after_startup": (len(files) - 1) / (gpu["seconds"] - gpu["startup_seconds"]),
                        "faces": len(gpu["faces"]), "recall_dlib": recall(truth, boxes_by_photo(gpu["faces"]))}
    report({key: value for key, value in rows.items() if key not in ("by_detect_side", "cuda")}, "index_speed.json",
           rows)
    for side, row in rows["by_detect_side"].items():
        print(f"detect side {side:5d}: {row['photos_per_s']:.2f} photos/s, {row['photos_per_s_after_startup']:.2f} "
              f"after start-up, {row['faces']} faces, dlib boxes {row['recall_dlib'][0]}/{row['recall_dlib'][1]}")
    if gpu:
        row = rows["cuda"]
        print(f"cuda, detect side {args.detect_sides[0]}: {row['photos_per_s']:.2f} photos/s "
              f"({row['photos_per_s_after_startup']:.2f} after the {row['startup_s']:.1f} s start-up with one "
              f"photo), {row['faces_per_s']:.2f} faces/s, "
              f"{row['faces']} faces, dlib boxes {row['recall_dlib'][0]}/{row['recall_dlib'][1]}")


def report(shown: dict, file_name: str, saved: dict | None = None) -> None:
    """Print ``shown`` a line each and save ``saved`` (default: the same) under benchmarks/results/."""
    for key, value in shown.items():
        print(f"{key:38s} {value:.2f}" if isinstance(value, float) else f"{key:38s} {value}")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / file_name).write_text(json.dumps(saved or shown, indent=2))


if __name__ == "__main__":
    main()
