"""photoface backup / restore / doctor, through the command line."""

import json
import subprocess
import sys
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from photoface.cli import cli
from photoface.store.library import Library

from .test_safety_lock import HOLDER
from .test_store import DIM, MODEL, face_record, photo_record


def photoface(library, *args) -> SimpleNamespace:
    """The command, run in this process (the lock is per process: a holder must be another one)."""
    result = CliRunner().invoke(cli, ["--library", str(library), *args])
    return SimpleNamespace(returncode=result.exit_code, stdout=result.stdout, stderr=result.stderr)


def names(library_dir) -> list[str]:
    with Library.open(library_dir) as library:
        return [name for (name,) in library.db.execute("SELECT name FROM persons ORDER BY id")]


@pytest.fixture
def library_dir(tmp_path):
    """A library with a named person."""
    folder = tmp_path / "lib"
    with Library.open(folder) as library:
        library.register_model(MODEL, DIM)
        for number in range(3):
            library.save_indexed_photo(photo_record(f"/p/{number}.jpg", f"h{number}"), [face_record(number)], MODEL)
    assert photoface(folder, "new", "1", "2", "--name", "Anna").returncode == 0
    return folder


def test_backup_then_restore_brings_back_names_and_faces(library_dir, tmp_path):
    made = photoface(library_dir, "backup", "--to", str(tmp_path / "safe.db"))
    assert made.returncode == 0 and "Backed up to" in made.stdout
    assert photoface(library_dir, "name", "1", "Wrong").returncode == 0
    with Library.open(library_dir) as library:
        library.db.execute("DELETE FROM photos")
    restored = photoface(library_dir, "restore", str(tmp_path / "safe.db"))
    assert restored.returncode == 0, restored.stderr
    assert names(library_dir) == ["Anna"]
    with Library.open(library_dir) as library:
        assert library.status()["faces"] == 3
    kept = library_dir / "library.db.before-restore"
    assert kept.is_file(), "the replaced library is kept"


def test_default_backups_go_inside_the_library_and_work_while_it_is_open(library_dir):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(library_dir)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        made = photoface(library_dir, "backup")
        assert made.returncode == 0, made.stderr
        refused = photoface(library_dir, "restore", made.stdout.split("Backed up to ")[1].strip())
        assert refused.returncode == 1 and f"pid {holder.pid}" in refused.stderr
        doctor = json.loads(photoface(library_dir, "doctor", "--json").stdout)
        assert doctor["library"]["in_use_by_pid"] == holder.pid
        assert len(doctor["library"]["backups"]) == 1
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_restore_refuses_what_is_not_a_sound_library(library_dir, tmp_path):
    (tmp_path / "junk.db").write_text("not a database")
    refused = photoface(library_dir, "restore", str(tmp_path / "junk.db"))
    assert refused.returncode == 1 and "not a photoface library backup" in refused.stderr
    assert refused.stderr.count("\n") == 1
    assert names(library_dir) == ["Anna"]


def test_doctor_reports_versions_model_and_library_health(library_dir):
    result = photoface(library_dir, "doctor", "--json")
    assert result.returncode == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["packages"]["torch"] and report["model"]["mtcnn_weights"]
    assert report["library"]["integrity"] == "ok" and report["library"]["faces"] == 3
    assert report["problems"] == []
    text = photoface(library_dir, "doctor").stdout
    assert "integrity ok" in text and "No problems found." in text


def test_doctor_finds_a_damaged_library(library_dir):
    db = library_dir / "library.db"
    data = bytearray(db.read_bytes())
    for page in range(4096, len(data), 4096):  # scribble over every page but the header's
        data[page + 8 : page + 200] = bytes(range(192))
    db.write_bytes(bytes(data))
    result = photoface(library_dir, "doctor")
    assert result.returncode == 1 and "PROBLEM:  the library is damaged" in result.stdout
