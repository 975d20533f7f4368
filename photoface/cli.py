"""The command line: the contract for power users, tests and benchmarks."""

import json
import sys
from pathlib import Path

import click

from . import __version__
from .errors import PhotofaceError
from .paths import default_library_dir


class PhotofaceGroup(click.Group):
    """Shows a PhotofaceError as one line, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PhotofaceError as error:
            raise click.ClickException(str(error)) from None


@click.group(cls=PhotofaceGroup, invoke_without_command=True)
@click.option("--library", "library_dir", type=click.Path(file_okay=False, path_type=Path),
              envvar="PHOTOFACE_LIBRARY", show_envvar=True,
              help="Library folder (default: the per-user data folder).")
@click.version_option(__version__, prog_name="photoface")
@click.pass_context
def cli(ctx: click.Context, library_dir: Path | None) -> None:
    """Find, group and name the people in your photos."""
    ctx.obj = (library_dir or default_library_dir()).expanduser()
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


def open_library(ctx: click.Context):
    from .store.library import Library

    return Library.open(ctx.obj)


@cli.command()
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--workers", type=click.IntRange(1, 32), help="Decode/detect threads (default: CPU cores, at most 4).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
def index(ctx: click.Context, paths: tuple[Path, ...], workers: int | None, quiet: bool) -> None:
    """Find, align and embed every face in the photos under PATHS."""
    from tqdm import tqdm

    from .index.pipeline import Indexer, IndexOptions

    options = IndexOptions() if workers is None else IndexOptions(workers=workers)
    with open_library(ctx) as library:
        indexer = Indexer(library, options)
        with tqdm(unit="photo", disable=quiet or None, dynamic_ncols=True) as bar:
            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            report = indexer.run(paths, progress=progress)
    click.echo(
        f"{report.files} photos: {report.indexed} indexed ({report.faces} faces), "
        f"{report.unchanged} unchanged, {report.moved} moved, {report.failed} unreadable, "
        f"{report.gone} gone"
    )
    if report.interrupted:
        click.echo("Interrupted: run the same command again to finish.", err=True)
        sys.exit(130)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Photos, faces, errors and models in the library."""
    with open_library(ctx) as library:
        summary = library.status()
    summary["library"] = str(ctx.obj)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    photos = summary["photos"]
    click.echo(f"Library: {summary['library']}")
    click.echo(f"Photos:  {photos['indexed']} indexed, {photos['error']} unreadable, {photos['gone']} gone")
    click.echo(f"Faces:   {summary['faces']}")
    for model in summary["models"]:
        click.echo(f"Model:   {model['id']} ({model['dim']}-d, {model['embeddings']} faces) {model['description']}")
    for error in summary["errors"]:
        click.echo(f"  unreadable: {error['path']}: {error['reason']}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per face.")
@click.pass_context
def faces(ctx: click.Context, as_json: bool) -> None:
    """List every face: photo, box in the upright photo, score."""
    from .photos.orientation import box_to_upright

    with open_library(ctx) as library:
        rows = [
            {
                "face_id": face["id"],
                "photo": face["path"],
                "box": [round(v, 1) for v in box_to_upright(
                    face["box"], (face["width"], face["height"]), face["orientation"])],
                "score": round(face["det_score"], 4),
                "quality": round(face["quality"], 3),
            }
            for face in library.faces()
        ]
    if as_json:
        click.echo(json.dumps(rows, indent=1))
    else:
        for row in rows:
            click.echo(f"{row['face_id']}\t{row['photo']}\t{row['box']}\t{row['score']}")


def main() -> None:
    cli(prog_name="photoface")
