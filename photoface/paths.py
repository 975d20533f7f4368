"""Where photoface keeps its files (per-user, via platformdirs), and which library opens."""

import json
import os
import sys
from pathlib import Path

import platformdirs

from .errors import PhotofaceError

APP_NAME = "photoface"
LIBRARY_ENV = "PHOTOFACE_LIBRARY"
CONFIG_FILE = "config.json"  # the user's choices that live outside any library
THEMES = ("system", "light", "dark")  # the app's colours; "system" follows the desktop


def data_dir() -> Path:
    """Per-user data folder; ``PHOTOFACE_DATA_DIR`` overrides it (tests, portable installs)."""
    override = os.environ.get("PHOTOFACE_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))


def model_cache_dir() -> Path:
    """Converted model weights live here, made once and reused.

    The desktop build (packaging/photoface.spec) ships them converted inside
    itself, so it starts offline without converting.
    """
    bundled = bundled_dir()
    if bundled and (bundled / "models").is_dir():
        return bundled / "models"
    return data_dir() / "models"


def bundled_dir() -> Path | None:
    """The desktop build's own files (PyInstaller's folder); None when run from Python."""
    folder = getattr(sys, "_MEIPASS", None)
    return Path(folder) if folder else None


def default_library_dir() -> Path:
    return data_dir() / "library"


def config_dir() -> Path:
    """Per-user configuration folder; ``PHOTOFACE_CONFIG_DIR`` overrides it (tests, portable installs)."""
    override = os.environ.get("PHOTOFACE_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME))


def library_location(given: Path | None = None) -> Path:
    """The library photoface opens, for the app and every command alike: ``given``
    (``--library``), else ``PHOTOFACE_LIBRARY``, else the one chosen in Settings, else the default."""
    from_env = os.environ.get(LIBRARY_ENV)
    folder = given or (Path(from_env) if from_env else None) or chosen_library() or default_library_dir()
    return Path(folder).expanduser()


def chosen_library() -> Path | None:
    """The library chosen in Settings for the next start, if any."""
    chosen = _user_config().get("library")
    return Path(chosen) if chosen else None


def choose_library(folder: Path) -> None:
    """Open the library in ``folder`` at the next start (of the app and of commands without ``--library``)."""
    _save_user_config(library=str(Path(folder).expanduser()))


def chosen_theme() -> str:
    """The app's colours chosen in Settings: one of ``THEMES``.

    Per user, not per library: how the screen looks belongs to the person at it
    and follows their desktop, whichever library they open."""
    theme = _user_config().get("theme")
    return theme if theme in THEMES else THEMES[0]


def choose_theme(theme: str) -> None:
    if theme not in THEMES:
        raise PhotofaceError(f"No theme {theme!r}: choose one of {', '.join(THEMES)}.")
    _save_user_config(theme=theme)


def _user_config() -> dict:
    path = config_dir() / CONFIG_FILE
    try:
        config = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise PhotofaceError(f"Cannot read {path}: {error}. Delete it to start afresh.") from error
    if not isinstance(config, dict):
        raise PhotofaceError(f"Cannot read {path}: not a JSON object. Delete it to start afresh.")
    return config


def _save_user_config(**changes: str) -> None:
    """Write ``changes`` into the config file, keeping the other choices in it."""
    path = config_dir() / CONFIG_FILE
    config = _user_config() | changes
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(config, indent=2))
        partial.replace(path)  # never half a file
    except OSError as error:
        raise PhotofaceError(f"Cannot save your choice in {path}: {error.strerror}") from error
