"""The command group every command registers on, and how a command opens the library."""

import sys
from pathlib import Path

import click

from .. import __version__
from ..errors import PhotofaceError
from ..paths import library_location


class PhotofaceGroup(click.Group):
    """Shows a PhotofaceError as one line, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PhotofaceError as error:
            raise click.ClickException(str(error)) from None


@click.group(cls=PhotofaceGroup, invoke_without_command=True)
@click.option("--library", "library_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Library folder (default: $PHOTOFACE_LIBRARY, else the one chosen in the app's Settings, "
                   "else the per-user data folder).")
@click.option("--screenshot", type=click.Path(dir_okay=False, path_type=Path),
              help="Without a command: render a screen of the app to this PNG, headless.")
@click.option("--view", type=click.Choice(["people", "person", "photo", "unsorted", "timeline", "together"]),
              default="people", show_default=True,
              help="The screen --screenshot renders (person: the biggest one with suggestions; together: the "
                   "photos of the first two people, biggest first, who are in one together).")
@click.version_option(__version__, prog_name="photoface")
@click.pass_context
def cli(ctx: click.Context, library_dir: Path | None, screenshot: Path | None, view: str) -> None:
    """Find, group and name the people in your photos.

    Without a command, opens the app.
    """
    if ctx.invoked_subcommand is not None:
        ctx.obj = library_location(library_dir)
    elif screenshot:
        from ..gui.screenshot import save_screenshot

        save_screenshot(library_location(library_dir), screenshot, view)
        click.echo(f"Saved {screenshot}")
    else:
        from ..gui.app import run_app

        sys.exit(run_app(library_dir))


def open_library(ctx: click.Context, read_only: bool = False):
    """The library; ``read_only`` for commands that only read (see ``Library.open``)."""
    from ..store.library import Library

    return Library.open(ctx.obj, read_only=read_only)
