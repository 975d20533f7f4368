"""Indexing and inspecting the library: index, status, faces."""

import json
import sys
from pathlib import Path

import click

from ..devices import DEVICES
from .group import cli, open_library


@cli.command()
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--workers", type=click.IntRange(1, 32),
              help="Decode/detect threads (default: the library's setting, else CPU cores, at most 4).")
@click.option("--detect-side", type=click.IntRange(320, 8000), metavar="PIXELS",
              help="Longest side of the image faces are looked for in (default: the library's setting, else "
                   "960; 640 is about a third faster but misses faces under 3 % of the photo's width, 1440 "
                   "finds smaller ones).")
@click.option("--device", type=click.Choice(DEVICES),
              help="Where detection and embedding run (default: the library's setting, else auto: a CUDA GPU, "
                   "then Apple's MPS, then the CPU).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
def index(ctx: click.Context, paths: tuple[Path, ...], workers: int | None, detect_side: int | None,
          device: str | None, quiet: bool) -> None:
    """Find, align and embed every face in the photos under PATHS.

    Folders among PATHS join the library's folders, so the app watches them. The
    library's index settings apply; options given here override them for this run.
    """
    from tqdm import tqdm

    from ..index.pipeline import Indexer
    from ..library_settings import index_options

    with open_library(ctx) as library:
        _add_folders(library, [path for path in paths if path.is_dir()])
        indexer = Indexer(library, index_options(library, workers=workers, detect_side=detect_side, device=device))
        with tqdm(unit="photo", disable=quiet or None, dynamic_ncols=True) as bar:
            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            report = indexer.run(paths, progress=progress)
    click.echo(
        f"{report.files} photos: {report.indexed} indexed ({report.faces} faces), "
        f"{report.unchanged} unchanged, {report.moved} moved, {report.copies} copies, {report.failed} unreadable, "
        f"{report.gone} gone, {report.skipped} skipped"
    )
    for root in report.paused:
        click.echo(f"Paused {root}: not reachable (unplugged or unmounted?), so nothing there was marked gone.",
                   err=True)
    if report.interrupted:
        click.echo("Interrupted: run the same command again to finish.", err=True)
        sys.exit(130)


def _add_folders(library, folders: list[Path]) -> None:
    """Make the folders the library's own (watched by the app); one inside a library folder already is."""
    from ..errors import PhotofaceError
    from ..folders import library_folders

    for folder in folders:
        try:
            library_folders.add_folder(library, folder)
        except PhotofaceError:  # inside a folder of the library: watched as part of it
            continue


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Photos, faces, errors and models in the library."""
    from ..store.grouping import grouping_due

    with open_library(ctx, read_only=True) as library:
        summary = library.status()
        summary["grouping_due"] = grouping_due(library) is not None
    summary["library"] = str(ctx.obj)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    photos, videos = summary["photos"], summary["videos"]
    click.echo(f"Library: {summary['library']}")
    click.echo(f"Photos:  {photos['indexed']} indexed, {photos['error']} unreadable, {photos['gone']} gone, "
               f"{summary['copies']} copies of others (their faces counted once)")
    if any(videos.values()):
        click.echo(f"Videos:  {videos['indexed']} read, {videos['error']} unreadable, {videos['gone']} gone "
                   "(counted among the photos)")
    click.echo(f"Faces:   {summary['faces']}")
    for model in summary["models"]:
        click.echo(f"Model:   {model['id']} ({model['dim']}-d, {model['embeddings']} faces) {model['description']}")
    if summary["grouping_due"]:
        click.echo("Faces changed since they were last grouped: run `photoface cluster`.")
    for error in summary["errors"]:
        click.echo(f"  unreadable: {error['path']}: {error['reason']}")
    if summary["skipped_count"]:
        click.echo(f"Skipped: {summary['skipped_count']} files or folders")
    for line in _skipped_kinds_lines(summary["skipped_kinds"]):
        click.echo(f"  {line}")
    for skipped in summary["skipped"]:
        click.echo(f"  skipped: {skipped['path']}: {skipped['reason']}")


def _skipped_kinds_lines(kinds: list[dict]) -> list[str]:
    """A line each for videos not read, files of a photo's shot and other kinds, counted per extension: short for
    any number."""
    from ..photos.kinds import PAIRED, UNSUPPORTED_KIND, VIDEO

    def per_extension(reason: str) -> str:
        return ", ".join(f"{row['count']} {row['kind']}" for row in kinds if row["reason"] == reason)

    lines = []
    if videos := sum(row["count"] for row in kinds if row["reason"] == VIDEO):
        lines.append(f"{videos} video{'s' if videos > 1 else ''} (not read yet): {per_extension(VIDEO)}")
    if paired := per_extension(PAIRED):
        lines.append(f"with their photo (one shot, read and counted once): {paired}")
    if others := per_extension(UNSUPPORTED_KIND):
        lines.append(f"skipped: {others} (kinds photoface does not read)")
    return lines


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per face.")
@click.pass_context
def faces(ctx: click.Context, as_json: bool) -> None:
    """List every face: photo (or video, with the face's time in it), box in the upright photo, score."""
    from ..photos.orientation import box_to_upright

    with open_library(ctx, read_only=True) as library:
        rows = [
            {
                "face_id": face["id"],
                "photo": face["path"],
                "box": [round(v, 1) for v in box_to_upright(
                    face["box"], (face["width"], face["height"]), face["orientation"])],
                "score": round(face["det_score"], 4),
                "quality": round(face["quality"], 3),
                "drawn": face["drawn"],
                **({"time_ms": face["time_ms"]} if face["media"] == "video" else {}),
            }
            for face in library.faces()
        ]
    if as_json:
        click.echo(json.dumps(rows, indent=1))
    else:
        for row in rows:
            seen_at = f" at {row['time_ms'] / 1000:.1f} s" if "time_ms" in row else ""  # in a video
            click.echo(f"{row['face_id']}\t{row['photo']}{seen_at}\t{row['box']}\t{row['score']}")



def _box_option(ctx, param, value: str) -> tuple[float, ...]:
    try:
        box = tuple(float(part) for part in value.split(","))
    except ValueError:
        box = ()
    if len(box) != 4:
        raise click.BadParameter(f"{value!r} is not four numbers LEFT,TOP,WIDTH,HEIGHT (e.g. 120,80,64,64).")
    return box


@cli.command("add-face")
@click.argument("photo", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--box", required=True, callback=_box_option, metavar="L,T,W,H",
              help="The face's box in the upright photo, in pixels, as `faces --json` shows boxes.")
@click.option("--name", help="Whose face it is: confirmed as the person of that name, or a new person.")
@click.option("--json", "as_json", is_flag=True, help="The new face as a JSON object.")
@click.pass_context
def add_face(ctx: click.Context, photo: Path, box: tuple[float, ...], name: str | None, as_json: bool) -> None:
    """Add a face the detector missed in PHOTO (an indexed photo): embed it, store it, name it."""
    from ..index.drawn import add_face as add_drawn_face

    with open_library(ctx) as library:
        added = add_drawn_face(library, photo, box, name)
    if as_json:
        click.echo(json.dumps({"face_id": added.face_id, "photo": added.photo, "box": [round(v, 1) for v in added.box],
                               "detected": added.detected, "person_id": added.person_id, "name": name}, indent=1))
        return
    how = "aligned on the face found in the box" if added.detected else "cropped as drawn"
    who = f"named {name}" if name else "unnamed (`photoface cluster` groups it)"
    click.echo(f"Face {added.face_id} added to {added.photo}, {how}, {who}")
