"""People commands: cluster, name, merge, split, suggestions, undo, ..."""

import json

import click

from .group import cli, open_library

FACE_IDS = click.argument("face_ids", nargs=-1, required=True, type=int)


@cli.command()
@click.option("--model", "model_id", help="Embedding model (default: the one that embedded most faces).")
@click.option("--level", type=int, help="Group faces from -2 (more apart) to 2 (more together); kept in the"
              " library for later runs (default 0).")
@click.pass_context
def cluster(ctx: click.Context, model_id: str | None, level: int | None) -> None:
    """Sort undecided faces into people and suggest names; your decisions stay."""
    from ..library_settings import cluster_level, set_cluster_level
    from ..people.recluster import recluster

    with open_library(ctx) as library:
        if level is not None:
            set_cluster_level(library, level)
        level = cluster_level(library)
        report = recluster(library, model_id, level=level)
    click.echo(
        f"{report.faces} faces, {report.undecided} undecided: {report.people} people "
        f"({report.new_people} new), {report.unsorted} unsorted, {report.suggestions} suggestions"
        f" (grouping level {level})"
    )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per person.")
@click.pass_context
def people(ctx: click.Context, as_json: bool) -> None:
    """List people, most faces first (hidden ones last)."""
    from ..people import queries

    with open_library(ctx, read_only=True) as library:
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
    from ..people import queries

    with open_library(ctx, read_only=True) as library:
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
@click.argument("person")
@click.argument("face_id", type=int)
@click.pass_context
def cover(ctx: click.Context, person: str, face_id: int) -> None:
    """Show face FACE_ID on PERSON's tile (an id or a name); the best face shows again if it leaves them."""
    from ..people import operations, queries

    with open_library(ctx) as library:
        operations.set_cover(library, queries.person_named(library, person), face_id)


@cli.command()
@click.option("--with", "with_people", multiple=True, metavar="PERSON",
              help="Only photos where this person is (an id or a name); repeat it for photos of them together.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per photo.")
@click.pass_context
def photos(ctx: click.Context, with_people: tuple[str, ...], as_json: bool) -> None:
    """List photos newest first: with --with, those where all the given people are; without it, all."""
    from ..people import queries

    with open_library(ctx, read_only=True) as library:
        listed = queries.photos(library, [queries.person_named(library, person) for person in with_people])
    if as_json:
        click.echo(json.dumps([{**photo, "taken": photo["taken"].isoformat()} for photo in listed], indent=1))
        return
    for photo in listed:
        click.echo(f"{photo['taken']:%Y-%m-%d %H:%M}\t{photo['path']}")
    click.echo(f"{len(listed):,} photos", err=True)


@cli.command()
@click.pass_context
def undo(ctx: click.Context) -> None:
    """Undo the last people operation."""
    click.echo(f"Undone: {_person_operation(ctx, 'undo')}")


def _person_operation(ctx: click.Context, function: str, *args):
    from ..people import operations

    with open_library(ctx) as library:
        return getattr(operations, function)(library, *args)
