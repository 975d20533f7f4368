"""Where photoface keeps its files (per-user, via platformdirs)."""

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "photoface"


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
