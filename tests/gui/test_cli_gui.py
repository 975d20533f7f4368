"""The CLI's GUI entry points: no command opens the app, --screenshot renders a PNG headless."""

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from PySide6.QtGui import QImage

from photoface.cli import cli
from photoface.gui.screenshot import SIZE
from photoface.paths import library_location
from photoface.store.library import Library

from ..test_safety_read_only import read_only_library, writing_process  # noqa: F401 (a fixture)
from ..test_store import DIM, MODEL, face_record, photo_record


@pytest.mark.parametrize("view", ["people", "person", "photo"])
def test_screenshot_renders_each_view(qapp, people_library, tmp_path, view):
    png = tmp_path / f"{view}.png"
    result = CliRunner().invoke(
        cli, ["--library", str(people_library), "--screenshot", str(png), "--view", view])
    assert result.exit_code == 0, result.output
    image = QImage(str(png))
    assert (image.width(), image.height()) == SIZE


@pytest.mark.parametrize("view", ["people", "person"])
def test_screenshot_works_while_another_photoface_writes(qapp, tmp_path, view):
    library = tmp_path / "lib"
    with Library.open(library) as opened:
        opened.register_model(MODEL, DIM)
        opened.save_indexed_photo(photo_record("/p/1.jpg"), [face_record(1)], MODEL)
    assert CliRunner().invoke(cli, ["--library", str(library), "new", "1", "--name", "Anna"]).exit_code == 0
    png = tmp_path / f"{view}.png"
    with writing_process(library):
        result = CliRunner().invoke(cli, ["--library", str(library), "--screenshot", str(png), "--view", view])
    assert result.exit_code == 0, result.output
    assert (QImage(str(png)).width(), QImage(str(png)).height()) == SIZE


def test_screenshot_of_a_library_on_a_read_only_disk(qapp, read_only_library, tmp_path):
    png = tmp_path / "person.png"
    result = CliRunner().invoke(cli, ["--library", str(read_only_library), "--screenshot", str(png),
                                      "--view", "person"])
    assert result.exit_code == 0, result.output
    assert (QImage(str(png)).width(), QImage(str(png)).height()) == SIZE


def test_screenshot_of_a_person_needs_people(qapp, tmp_path):
    result = CliRunner().invoke(
        cli, ["--library", str(tmp_path / "empty"), "--screenshot", str(tmp_path / "x.png"),
              "--view", "person"])
    assert result.exit_code == 1 and "no people yet" in result.output


def test_no_command_opens_the_app_on_the_chosen_library(monkeypatch, tmp_path):
    opened = []
    monkeypatch.setattr("photoface.gui.app.run_app",
                        lambda given, folders, theme: opened.append(library_location(given)) or 0)
    result = CliRunner().invoke(cli, [], env={"PHOTOFACE_LIBRARY": str(tmp_path / "lib")})
    assert result.exit_code == 0 and opened == [tmp_path / "lib"]


def test_the_core_and_the_commands_never_import_qt_or_the_training_package():
    # one direction of dependency: the GUI uses the core and training; training uses the core
    code = (
        "import sys, pkgutil, importlib, photoface\n"
        "for module in pkgutil.walk_packages(photoface.__path__, 'photoface.'):\n"
        "    if not module.name.startswith(('photoface.gui', 'photoface.__main__')):\n"
        "        importlib.import_module(module.name)\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt imported'\n"
        "assert 'photoface_training' not in sys.modules, 'photoface_training imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_window_opens_without_loading_torch_or_training(tmp_path):
    # importing torch and torchvision takes ~5 s: the first indexing job loads them, in its thread;
    # no screen or dialog may import them either (the Improve dialog's jobs do, on their threads)
    code = (
        "import sys, pathlib, pkgutil, importlib, photoface.gui\n"
        "for module in pkgutil.walk_packages(photoface.gui.__path__, 'photoface.gui.'):\n"
        "    importlib.import_module(module.name)\n"
        "from photoface.gui.app import application\n"
        "from photoface.gui.main_window import MainWindow\n"
        "app = application()\n"
        f"window = MainWindow(pathlib.Path({str(tmp_path / 'lib')!r}))\n"
        "window.show()\n"
        "app.processEvents()\n"
        "loaded = [m for m in ('torch', 'photoface_training') if m in sys.modules]\n"
        "window.close()\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
