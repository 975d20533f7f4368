"""Getting people out: albums and XMP sidecars."""

from pathlib import Path

import click

from .group import cli, open_library


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
    from ..people import queries
    from ..people.interop import export_person

    with open_library(ctx, read_only=True) as library:
        person_id = queries.person_named(library, person)
        report = export_person(library, person_id, folder, link=not copy, since=since and since.date(),
                               until=until and until.date())
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
    from ..people import queries
    from ..people.interop import write_sidecars

    with open_library(ctx, read_only=True) as library:
        person_id = None if person is None else queries.person_named(library, person)
        written = write_sidecars(library, person_id, folder)
    click.echo(f"{len(written)} XMP sidecars written")

