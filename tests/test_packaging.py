"""What the desktop build ships, checked without building it (packaging/build.sh builds and runs it)."""

import configparser
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

from photoface import __version__

ROOT = Path(__file__).resolve().parents[1]


def test_version_prints_headless_without_loading_qt_or_torch():
    env = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
    code = ("import sys; from photoface.cli import main; sys.argv = ['photoface', '--version']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "assert not [m for m in sys.modules if m.startswith(('PySide6', 'torch'))]\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"photoface, version {__version__}\n"


def test_desktop_entry_and_icon():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(ROOT / "resources" / "photoface.desktop")
    desktop = entry["Desktop Entry"]
    assert (desktop["Type"], desktop["Exec"], desktop["Icon"], desktop["Terminal"]) == (
        "Application", "photoface", "photoface", "false")
    assert desktop["Categories"].endswith(";")
    with Image.open(ROOT / "resources" / "photoface.png") as icon:
        assert icon.size == (256, 256) and icon.mode == "RGBA"
    assert (ROOT / "resources" / "photoface.svg").read_text().startswith("<svg")


def test_the_build_finds_its_bundled_model(monkeypatch, tmp_path):
    from photoface import paths

    (tmp_path / "models").mkdir()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.model_cache_dir() == tmp_path / "models"
    monkeypatch.delattr(sys, "_MEIPASS")
    assert paths.model_cache_dir() == paths.data_dir() / "models"
