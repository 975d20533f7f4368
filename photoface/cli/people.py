"""People commands: cluster, name, merge, split, suggestions, undo, ..."""

import json

import click

from ..errors import PhotofaceError
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
@click.pass_context
def undo(ctx: click.Context) -> None:
    """Undo the last people operation."""
    click.echo(f"Undone: {_person_operation(ctx, 'undo')}")


def person_id_of(library, person: str) -> int:
    """A person given by id or by name."""
    from ..people import queries

    if person.isdigit():
        return queries.person(library, int(person))["id"]
    for row in queries.people(library):
        if row["name"] and row["name"].casefold() == person.strip().casefold():
            return row["id"]
    raise PhotofaceError(f"There is no person named {person!r}; `photoface people` lists them.")


def _person_operation(ctx: click.Context, function: str, *args):
    from ..people import operations

    with open_library(ctx) as library:
        return getattr(operations, function)(library, *args)
