"""The command group every command registers on, and how a command opens the library."""

import os
import sys
from pathlib import Path

import click

from .. import __version__
from ..errors import PhotofaceError
from ..paths import THEMES, library_location

FOLDERS = "folders"  # ctx.meta key: ``photoface FOLDER...``, folders the app adds when it opens


class PhotofaceGroup(click.Group):
    """Shows a PhotofaceError as one line, never a traceback; ``photoface FOLDER...`` opens the app."""

    def parse_args(self, ctx, args):
        rest = super().parse_args(ctx, args)
        first = ctx._protected_args[0] if ctx._protected_args else None
        if first is not None and self.get_command(ctx, first) is None and _looks_like_folder(first):
            ctx.meta[FOLDERS] = [Path(arg) for arg in [*ctx._protected_args, *ctx.args]]
            ctx._protected_args, ctx.args = [], []
        return ctx.args

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PhotofaceError as error:
            raise click.ClickException(str(error)) from None


@click.group(cls=PhotofaceGroup, invoke_without_command=True, subcommand_metavar="[FOLDER]... | COMMAND [ARGS]...")
@click.option("--library", "library_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Library folder (default: $PHOTOFACE_LIBRARY, else the one chosen in the app's Settings, "
                   "else the per-user data folder).")
@click.option("--screenshot", type=click.Path(dir_okay=False, path_type=Path),
              help="Without a command: render a screen of the app to this PNG, headless.")
@click.option("--view", type=click.Choice(["people", "person", "photo", "unsorted", "timeline", "together"]),
              default="people", show_default=True,
              help="The screen --screenshot renders (person: the biggest one with suggestions; together: the "
                   "photos of the first two people, biggest first, who are in one together).")
@click.option("--theme", type=click.Choice(THEMES[1:]),
              help="Colours of the app or the --screenshot for this run (default: as chosen in Settings, "
                   "else as the system's).")
@click.version_option(__version__, prog_name="photoface")
@click.pass_context
def cli(ctx: click.Context, library_dir: Path | None, screenshot: Path | None, view: str,
        theme: str | None) -> None:
    """Find, group and name the people in your photos.

    Without a command, opens the app; `photoface FOLDER...` opens it and adds the folders.
    """
    folders = ctx.meta.get(FOLDERS, [])
    if ctx.invoked_subcommand is not None:
        ctx.obj = library_location(library_dir)
    elif screenshot:
        from ..gui.screenshot import save_screenshot

        if folders:
            raise click.UsageError("--screenshot shows the library as it is: give no folders.")
        save_screenshot(library_location(library_dir), screenshot, view, theme)
        click.echo(f"Saved {screenshot}")
    else:
        from ..gui.app import run_app

        sys.exit(run_app(library_dir, folders, theme))


def open_library(ctx: click.Context, read_only: bool = False):
    """The library; ``read_only`` for commands that only read (see ``Library.open``)."""
    from ..store.library import Library

    return Library.open(ctx.obj, read_only=read_only)


def _looks_like_folder(arg: str) -> bool:
    """Not a command: a folder that is there, or a path (the app says what is wrong with it).
    Anything else stays a mistyped command."""
    return Path(arg).is_dir() or os.sep in arg
