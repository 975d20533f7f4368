"""Indexing speed on 12-megapixel JPEGs: the CPU ceiling, photoface, and a naive pipeline, in one run; or on 1080p video.

    flock /tmp/photoface-cpu.lock .venv/bin/python -m benchmarks.index_speed [--photos 60]
        [--baseline-photos N] [--detect-sides 960 640] [--device cpu|cuda]
    .venv/bin/python -m benchmarks.index_speed --videos [--minutes 1]

Builds (once, under ``benchmarks/work/``) a library of 4000x3000 JPEGs made
from the shared photos: each is a 2x2 grid of upscaled photos with 0-6 faces
in all, plus the dlib group photos upscaled alone with their hand-drawn boxes
scaled along. Then, on the same files:

- the single-core cost of each stage, with the pipeline's own functions on
  one torch thread: decoding (with crops and thumbnails) and MTCNN per photo,
  embedding per face (batched as the indexer does), in CPU and wall time,
  and the ceiling they imply: the machine's cores times one over the cost
  of a photo (CPU time; on a busy machine wall time adds what others took);
- ``photoface index`` (a fresh library, model cache warm, process start-up
  included) and its rate after start-up: the photos stored after its first
  batch over the time they took (``indexed_at``), with the CPU time it spent
  meanwhile and how the cores were shared (photoface, other processes, idle);
- a naive baseline (full decode, MTCNN at full resolution, one face at a
  time; ``--baseline-photos 0`` leaves it out) and both detection recalls on
  the dlib boxes (IoU >= 0.4).

Start-up is also timed on its own, as ``photoface index`` of an empty folder
(the models never load there). ``--detect-sides`` times photoface at several
detection resolutions (the first is the one compared). Results go to
``benchmarks/results/index_speed.json``.

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
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing
from datetime import datetime
from pathlib import Path

import numpy as np
import torch
from facenet_pytorch import MTCNN
from PIL import Image, ImageOps

from photoface.detect.crops import face_crop
from photoface.detect.detector import FaceDetector
from photoface.embed.models import load_embedder
from photoface.evaluation.datasets import dlib_boxes, shared_data_dir
from photoface.evaluation.metrics import match_boxes
from photoface.evaluation.videos import letterboxed, write_video
from photoface.index.analyse import analyse_photo
from photoface.index.options import DETECT_SIDE
from photoface.store.records import PhotoRecord

WORK_DIR = Path(__file__).parent / "work"
SIZE = (4000, 3000)
VIDEO_SIZE, VIDEO_FPS, SCENE_S = (1920, 1080), 30, 5
FIRST_BATCH_GAP_S = 0.1
SAMPLE_S = 0.05  # how often the CPU time of photoface index is read


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
    """Seconds for the whole run, for start-up alone (a fresh library, an empty folder), and the run after start-up."""
    times = {}
    # benchmarks/work may be shared by several checkouts: each run gets libraries of its own
    with tempfile.TemporaryDirectory(prefix="speed-libraries-", dir=WORK_DIR) as libraries:
        for name, folder in (("startup_seconds", WORK_DIR / "empty-folder"), ("seconds", photos)):
            folder.mkdir(exist_ok=True)
            library = Path(libraries) / name
            started = time.perf_counter()
            command = photoface_index_command(library, folder, workers, detect_side, device)
            with CpuTimeline(subprocess.Popen(command)) as timeline:
                if timeline.process.wait():
                    raise SystemExit(f"photoface index failed with exit status {timeline.process.returncode}")
            times[name] = time.perf_counter() - started
        return {**times, "faces": library_faces(library), **after_startup(library, timeline)}


def time_one_photo(photos: Path, workers: int | None, detect_side: int, device: str) -> float:
    """Seconds to index one photo from a fresh start: start-up with the models loaded on ``device``."""
    folder = WORK_DIR / "one-photo"
    folder.mkdir(exist_ok=True)
    first = sorted(photos.glob("*.jpg"))[0]
    if not (folder / first.name).exists():
        shutil.copy2(first, folder / first.name)
    with tempfile.TemporaryDirectory(prefix="speed-libraries-", dir=WORK_DIR) as library:
        started = time.perf_counter()
        subprocess.run(photoface_index_command(Path(library), folder, workers, detect_side, device), check=True)
        return time.perf_counter() - started


class CpuTimeline:
    """Samples a running process: its CPU seconds and threads wanting a core, and the machine's idle core-seconds.

    A thread wants a core when it is running or waiting for one (state R):
    how many of the machine's cores photoface would keep busy on a quiet
    machine, whatever the other processes take from it on this one.
    """

    def __init__(self, process: subprocess.Popen):
        self.process = process
        # epoch s, process CPU s, machine idle s, whether the main thread is runnable, other threads runnable
        self.samples: list[tuple[float, float, float, bool, int]] = []
        self._sampler = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> "CpuTimeline":
        self._sampler.start()
        return self

    def __exit__(self, *exc) -> None:
        self._sampler.join()

    def _sample(self) -> None:
        ticks = os.sysconf("SC_CLK_TCK")
        while self.process.poll() is None:
            try:
                fields = _stat_fields(Path(f"/proc/{self.process.pid}/stat"))
                runnable = {task.name for task in Path(f"/proc/{self.process.pid}/task").iterdir()
                            if _stat_fields(task / "stat")[0] == "R"}
                idle = Path("/proc/stat").read_text().split("\n", 1)[0].split()[4:6]  # idle, iowait
            except OSError:  # it just ended, or a thread did
                continue
            main = str(self.process.pid) in runnable  # the thread that embeds and stores
            self.samples.append((time.time(), (int(fields[11]) + int(fields[12])) / ticks, sum(map(int, idle)) / ticks,
                                 main, len(runnable) - main))
            time.sleep(SAMPLE_S)

    def between(self, start: float, end: float) -> dict:
        """Between two epoch times: the process's CPU seconds, the machine's idle core-seconds (both
        interpolated), the mean share of the cores its runnable threads would fill, and the share
        of the time fewer threads than cores wanted one, by which."""
        at = [sample[0] for sample in self.samples]
        cpu, idle = ([np.interp(t, at, [sample[k] for sample in self.samples]) for t in (start, end)] for k in (1, 2))
        cores = len(os.sched_getaffinity(0))
        window = [(main, others) for t, _, _, main, others in self.samples if start <= t <= end]
        short = [(main, others) for main, others in window if main + others < cores]
        return {"cpu_s": cpu[1] - cpu[0], "idle_s": idle[1] - idle[0],
                "cores_wanted": float(np.mean([min(main + others, cores) / cores for main, others in window])),
                "short_main_only": sum(main and not others for main, others in short) / len(window),
                "short_workers_only": sum(others and not main for main, others in short) / len(window),
                "short_none": sum(not main and not others for main, others in short) / len(window)}


def _stat_fields(path: Path) -> list[str]:
    """The fields of a /proc stat file after the command name (which may hold spaces): state first."""
    return path.read_text().rsplit(")", 1)[1].split()


class _TimedDetector:
    """A FaceDetector that adds up the seconds (wall and CPU) its detect calls take."""

    def __init__(self, detector: FaceDetector):
        self.detector, self.seconds, self.cpu_seconds = detector, 0.0, 0.0

    def detect(self, image):
        started, started_cpu = time.perf_counter(), time.process_time()
        try:
            return self.detector.detect(image)
        finally:
            self.seconds += time.perf_counter() - started
            self.cpu_seconds += time.process_time() - started_cpu


def stage_costs(files: list[Path], detect_side: int) -> dict:
    """Single-core seconds on these photos: decoding (with crops and thumbnails) and MTCNN per photo, embedding per face.

    The pipeline's own functions on one torch thread, one photo at a time,
    the faces embedded in batches of 32 as the indexer does; the ceiling is
    what the machine's cores would index if each ran these with nothing lost.
    Both clocks: CPU time is the cost itself, wall time adds what other
    processes took (the same on a quiet machine).
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        detector, embedder = _TimedDetector(FaceDetector()), load_embedder()
        analyse_photo(PhotoRecord(str(files[0]), 0, 0, ""), detector, detect_side)  # warm-up, not counted
        detector.seconds = detector.cpu_seconds = 0.0
        started, started_cpu = time.perf_counter(), time.process_time()
        analyses = [analyse_photo(PhotoRecord(str(path), 0, 0, ""), detector, detect_side) for path in files]
        analyse_s, analyse_cpu_s = time.perf_counter() - started, time.process_time() - started_cpu
        crops = np.concatenate([analysis.crops for analysis in analyses if analysis.faces])
        started, started_cpu = time.perf_counter(), time.process_time()
        embedder.embed(crops)
        embed_s, embed_cpu_s = time.perf_counter() - started, time.process_time() - started_cpu
    finally:
        torch.set_num_threads(threads)
    faces_per_photo = len(crops) / len(files)
    costs = {"faces_per_photo": faces_per_photo}
    for clock, decode_s, mtcnn_s, embed_per_face_s in (
            ("cpu", analyse_cpu_s - detector.cpu_seconds, detector.cpu_seconds, embed_cpu_s / len(crops)),
            ("wall", analyse_s - detector.seconds, detector.seconds, embed_s / len(crops))):
        per_photo = decode_s / len(files) + mtcnn_s / len(files) + faces_per_photo * embed_per_face_s
        costs[clock] = {"decode_s": decode_s / len(files), "mtcnn_s": mtcnn_s / len(files),
                        "embed_per_face_s": embed_per_face_s, "per_photo_s": per_photo,
                        "ceiling_photos_per_s": len(os.sched_getaffinity(0)) / per_photo}
    return costs


def after_startup(library: Path, timeline: CpuTimeline) -> dict:
    """The rate of a finished ``photoface index`` after its first batch was stored, and where the cores went meanwhile.

    Each photo's ``indexed_at`` is when its transaction ran; the photos of
    the first batch, stored once the models had loaded, mark the start.
    """
    with closing(sqlite3.connect(library / "library.db")) as db:
        times = sorted(datetime.fromisoformat(at).timestamp() for (at,) in db.execute(
            "SELECT indexed_at FROM photos WHERE status = 'indexed'"))
    if len(times) < 2:  # the empty folder
        return {}
    first_batch_end = times[0]
    for stored_at in times[1:]:  # a batch's photos are written back to back, batches an embedding apart
        if stored_at - first_batch_end > FIRST_BATCH_GAP_S:
            break
        first_batch_end = stored_at
    photos = sum(t > first_batch_end for t in times)
    seconds = times[-1] - first_batch_end
    window = timeline.between(first_batch_end, times[-1])
    core_seconds = seconds * len(os.sched_getaffinity(0))
    return {"photos_per_s_after_startup": photos / seconds, "photos_after_startup": photos,
            "cpu_s_per_photo_after_startup": window["cpu_s"] / photos,
            "cores_used_by_photoface": window["cpu_s"] / core_seconds, "cores_idle": window["idle_s"] / core_seconds,
            "cores_used_by_others": 1 - (window["cpu_s"] + window["idle_s"]) / core_seconds,
            "cores_wanted_by_photoface": window["cores_wanted"],
            # the time fewer of its threads than cores wanted one: only the main thread, only workers, none
            **{f"time_{key}": value for key, value in window.items() if key.startswith("short_")}}


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
    parser.add_argument("--baseline-photos", type=int,
                        help="Photos the naive baseline indexes (default: all, the same set; 0: no baseline).")
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
    load_before = os.getloadavg()[0]

    costs = stage_costs(files, args.detect_sides[0])
    runs = {side: time_photoface(photos, args.workers, side) for side in args.detect_sides}
    gpu = None
    if args.device == "cuda":  # a GPU loads in seconds and then indexes fast: start-up is timed with one photo
        gpu = time_photoface(photos, args.workers, args.detect_sides[0], "cuda")
        gpu["startup_seconds"] = time_one_photo(photos, args.workers, args.detect_sides[0], "cuda")
    ours = runs[args.detect_sides[0]]
    rows = {
        "photos": len(files),
        "cores": len(os.sched_getaffinity(0)),
        "photoface_photos_per_s": len(files) / ours["seconds"],
        "photoface_faces_per_s": len(ours["faces"]) / ours["seconds"],
        "photoface_startup_s": ours["startup_seconds"],
        "faces_per_photo": costs["faces_per_photo"],
        **{f"single_core_{clock}_{name}": value for clock in ("cpu", "wall") for name, value in costs[clock].items()},
        **{key: value for key, value in ours.items() if key not in ("seconds", "startup_seconds", "faces")},
        "after_startup_share_of_ceiling": ours["photos_per_s_after_startup"] / costs["cpu"]["ceiling_photos_per_s"],
        "cpu_per_photo_over_single_core": ours["cpu_s_per_photo_after_startup"] / costs["cpu"]["per_photo_s"],
        # what the share would be on a quiet machine: each photo's CPU time, spread over the cores photoface keeps busy
        "quiet_machine_share_of_ceiling": ours["cores_wanted_by_photoface"] * costs["cpu"]["per_photo_s"]
        / ours["cpu_s_per_photo_after_startup"],
        "photoface_recall_dlib": recall(truth, boxes_by_photo(ours["faces"])),
        **(baseline(files, truth, args.baseline_photos, ours) if args.baseline_photos != 0 else {}),
        "load_average_before_after": (load_before, os.getloadavg()[0]),
        "by_detect_side": {
            side: {"photos_per_s": len(files) / run["seconds"],
                   "photos_per_s_after_startup": run["photos_per_s_after_startup"],
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
    print(f"after start-up: {rows['after_startup_share_of_ceiling']:.0%} of the ceiling (target 90 %);"
          f" photoface used {rows['cores_used_by_photoface']:.0%} of the cores, other processes"
          f" {rows['cores_used_by_others']:.0%}, idle {rows['cores_idle']:.0%}; its threads wanted"
          f" {rows['cores_wanted_by_photoface']:.0%} of the cores, its CPU time per photo was"
          f" {rows['cpu_per_photo_over_single_core']:.2f}x the single-core stages': on a quiet machine"
          f" {rows['quiet_machine_share_of_ceiling']:.0%} of the ceiling; fewer threads than cores wanted one"
          f" {rows['time_short_main_only']:.0%} of the time with only the main thread (embedding, storing),"
          f" {rows['time_short_workers_only']:.0%} with only workers, {rows['time_short_none']:.0%} with none")


def baseline(files: list[Path], truth: dict[str, list], count: int | None, ours: dict) -> dict:
    """The naive pipeline on the dlib photos first, then the others, up to ``count``; compared with photoface's run."""
    baseline_files = [f for f in files if f.name in truth] + [f for f in files if f.name not in truth]
    naive = naive_index(baseline_files[: count or len(files)])
    naive_rate = len(naive["boxes"]) / naive["seconds"]
    naive_truth = {name: boxes for name, boxes in truth.items() if name in naive["boxes"]}
    return {
        "naive_photos": len(naive["boxes"]),
        "naive_photos_per_s": naive_rate,
        "speedup": len(files) / ours["seconds"] / naive_rate,
        "photoface_recall_on_naive_subset": recall(naive_truth, boxes_by_photo(ours["faces"])),
        "naive_recall_on_its_subset": recall(naive_truth, naive["boxes"]),
    }


def report(shown: dict, file_name: str, saved: dict | None = None) -> None:
    """Print ``shown`` a line each and save ``saved`` (default: the same) under benchmarks/results/."""
    for key, value in shown.items():
        print(f"{key:42s} {value:.3f}" if isinstance(value, float) else f"{key:42s} {value}")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / file_name).write_text(json.dumps(saved or shown, indent=2))


if __name__ == "__main__":
    main()
