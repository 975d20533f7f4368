"""Where photoface keeps its files (per-user, via platformdirs)."""

import os
from pathlib import Path

import platformdirs

APP_NAME = "photoface"


def data_dir() -> Path:
    """Per-user data folder; ``PHOTOFACE_DATA_DIR`` overrides it (tests, portable installs)."""
    override = os.environ.get("PHOTOFACE_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))


def model_cache_dir() -> Path:
    """Converted model weights live here, made once and reused."""
    return data_dir() / "models"


def default_library_dir() -> Path:
    return data_dir() / "library"
