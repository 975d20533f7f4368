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
@click.option("--screenshot", type=click.Path(dir_okay=False, path_type=Path),
              help="Without a command: render a screen of the app to this PNG, headless.")
@click.option("--view", type=click.Choice(["people", "person", "photo"]), default="people",
              show_default=True, help="The screen --screenshot renders (person: the biggest one).")
@click.version_option(__version__, prog_name="photoface")
@click.pass_context
def cli(ctx: click.Context, library_dir: Path | None, screenshot: Path | None, view: str) -> None:
    """Find, group and name the people in your photos.

    Without a command, opens the app.
    """
    ctx.obj = (library_dir or default_library_dir()).expanduser()
    if ctx.invoked_subcommand is not None:
        return
    if screenshot:
        from .gui.screenshot import save_screenshot

        save_screenshot(ctx.obj, screenshot, view)
        click.echo(f"Saved {screenshot}")
    else:
        from .gui.app import run_app

        sys.exit(run_app(ctx.obj))


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


# --- people (issue #3) --------------------------------------------------------------

FACE_IDS = click.argument("face_ids", nargs=-1, required=True, type=int)


@cli.command()
@click.option("--model", "model_id", help="Embedding model (default: the one that embedded most faces).")
@click.pass_context
def cluster(ctx: click.Context, model_id: str | None) -> None:
    """Sort undecided faces into people and suggest names; your decisions stay."""
    from .people.recluster import recluster

    with open_library(ctx) as library:
        report = recluster(library, model_id)
    click.echo(
        f"{report.faces} faces, {report.undecided} undecided: {report.people} people "
        f"({report.new_people} new), {report.unsorted} unsorted, {report.suggestions} suggestions"
    )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per person.")
@click.pass_context
def people(ctx: click.Context, as_json: bool) -> None:
    """List people, most faces first (hidden ones last)."""
    from .people import queries

    with open_library(ctx) as library:
        persons = queries.people(library)
        unsorted = queries.unsorted_faces(library)
    if as_json:
        click.echo(json.dumps(persons, indent=1))
        return
    for person in persons:
        hidden = " (hidden)" if person["hidden"] else ""
        click.echo(f"{person['id']}\t{person['name'] or '(unnamed)'}{hidden}\t{person['face_count']} faces")
    click.echo(f"unsorted\t{len(unsorted)} faces")


@cli.command("name")
@click.argument("person_id", type=int)
@click.argument("name")
@click.pass_context
def name_command(ctx: click.Context, person_id: int, name: str) -> None:
    """Name or rename a person (confirms the faces it has)."""
    _person_operation(ctx, "name_person", person_id, name)


@cli.command()
@click.argument("keep_id", type=int)
@click.argument("other_id", type=int)
@click.pass_context
def merge(ctx: click.Context, keep_id: int, other_id: int) -> None:
    """Make OTHER_ID part of KEEP_ID."""
    _person_operation(ctx, "merge_people", keep_id, other_id)


@cli.command()
@click.argument("person_id", type=int)
@FACE_IDS
@click.option("--into", type=int, help="Move them to this person instead of a new one.")
@click.pass_context
def split(ctx: click.Context, person_id: int, face_ids: tuple[int, ...], into: int | None) -> None:
    """Move faces of a person to a new person (or --into another)."""
    target = _person_operation(ctx, "split_person", person_id, face_ids, into)
    click.echo(f"Faces moved to person {target}")


@cli.command("new")
@FACE_IDS
@click.option("--name", help="Its name.")
@click.pass_context
def new_person(ctx: click.Context, face_ids: tuple[int, ...], name: str | None) -> None:
    """Make a new person of these faces (unsorted ones, say)."""
    click.echo(f"New person {_person_operation(ctx, 'create_person', face_ids, name)}")


@cli.command()
@click.argument("person_id", type=int)
@FACE_IDS
@click.pass_context
def remove(ctx: click.Context, person_id: int, face_ids: tuple[int, ...]) -> None:
    """These faces are not this person (remembered for good)."""
    _person_operation(ctx, "remove_faces", person_id, face_ids)


@cli.command()
@click.argument("person_id", type=int, required=False)
@click.option("--face", "face_id", type=int, help="Hide this face instead of a person.")
@click.option("--show", is_flag=True, help="Show it again.")
@click.pass_context
def hide(ctx: click.Context, person_id: int | None, face_id: int | None, show: bool) -> None:
    """Hide a person, or a face with --face."""
    if (person_id is None) == (face_id is None):
        raise click.UsageError("Give a PERSON_ID or --face FACE_ID.")
    if face_id is None:
        _person_operation(ctx, "hide_person", person_id, not show)
    else:
        _person_operation(ctx, "hide_face", face_id, not show)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per suggestion.")
@click.pass_context
def suggestions(ctx: click.Context, as_json: bool) -> None:
    """Faces that look like a named person ('Is this Anna?')."""
    from .people import queries

    with open_library(ctx) as library:
        rows = queries.suggestions(library)
    if as_json:
        click.echo(json.dumps(rows, indent=1))
        return
    for row in rows:
        click.echo(f"face {row['face_id']}: {row['name']} (person {row['person_id']}, score {row['score']:.2f})")


@cli.command()
@click.argument("face_id", type=int)
@click.argument("person_id", type=int)
@click.pass_context
def confirm(ctx: click.Context, face_id: int, person_id: int) -> None:
    """Yes, this face is this person."""
    _person_operation(ctx, "confirm_face", face_id, person_id)


@cli.command()
@click.argument("face_id", type=int)
@click.argument("person_id", type=int)
@click.pass_context
def reject(ctx: click.Context, face_id: int, person_id: int) -> None:
    """No, this face is not this person (remembered for good)."""
    _person_operation(ctx, "reject_face", face_id, person_id)


@cli.command()
@click.pass_context
def undo(ctx: click.Context) -> None:
    """Undo the last people operation."""
    click.echo(f"Undone: {_person_operation(ctx, 'undo')}")


@cli.command()
@click.argument("person")
@click.option("--to", "folder", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Album folder (made if missing).")
@click.option("--copy", is_flag=True, help="Copy the photos instead of hard-linking them.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Only photos taken on or after this day.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Only photos taken on or before this day.")
@click.pass_context
def export(ctx: click.Context, person: str, folder: Path, copy: bool, since, until) -> None:
    """Put the photos of PERSON (an id or a name) in an album folder; originals stay untouched."""
    from datetime import timedelta

    from .people.interop import export_person

    with open_library(ctx) as library:
        person_id = _person_id(library, person)
        report = export_person(library, person_id, folder, link=not copy, since=since,
                               until=until + timedelta(days=1) if until else None)
    click.echo(f"{len(report.added)} photos added to {folder}, {len(report.skipped)} already there")
    for source, reason in report.failed:
        click.echo(f"  not exported: {source}: {reason}", err=True)
    if not copy and report.added:
        click.echo("The album holds hard links where possible: edit copies, not the album files, "
                   "to keep originals unchanged (or use --copy).")


@cli.command()
@click.option("--person", help="Only the photos of this person (an id or a name).")
@click.option("--to", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Write sidecars under this folder (mirroring the photos' folders) instead of beside the photos.")
@click.pass_context
def xmp(ctx: click.Context, person: str | None, folder: Path | None) -> None:
    """Write face regions and people keywords to XMP sidecars (digiKam, Lightroom, darktable read them)."""
    from .people.interop import write_sidecars

    with open_library(ctx) as library:
        person_id = None if person is None else _person_id(library, person)
        written = write_sidecars(library, person_id, folder)
    click.echo(f"{len(written)} XMP sidecars written")


def _person_id(library, person: str) -> int:
    """A person given by id or by name."""
    from .people import queries

    if person.isdigit():
        return queries.person(library, int(person))["id"]
    for row in queries.people(library):
        if row["name"] and row["name"].casefold() == person.strip().casefold():
            return row["id"]
    raise PhotofaceError(f"There is no person named {person!r}; `photoface people` lists them.")


def _person_operation(ctx: click.Context, function: str, *args):
    from .people import operations

    with open_library(ctx) as library:
        return getattr(operations, function)(library, *args)


def main() -> None:
    cli(prog_name="photoface")
