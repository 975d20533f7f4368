"""photoface backup / restore / doctor, through the command line."""

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from photoface.cli import cli
from photoface.store import backup
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
    kept = kept_copy(photoface(library_dir, "restore", str(tmp_path / "safe.db")))
    assert names(library_dir) == ["Anna"]
    with Library.open(library_dir) as library:
        assert library.status()["faces"] == 3
    assert Path(kept).is_file() and Path(kept).parent == library_dir, "the replaced library is kept"


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


def kept_copy(restored: SimpleNamespace):
    """The safety copy a restore says it made."""
    assert restored.returncode == 0, restored.stderr
    return restored.stdout.split("kept as ")[1].strip()


def test_restoring_the_safety_copy_brings_back_what_the_restore_replaced(library_dir, tmp_path):
    assert photoface(library_dir, "backup", "--to", str(tmp_path / "old.db")).returncode == 0
    assert photoface(library_dir, "new", "3", "--name", "Bob").returncode == 0  # named after the backup
    safety_copy = kept_copy(photoface(library_dir, "restore", str(tmp_path / "old.db")))
    assert names(library_dir) == ["Anna"]
    kept_copy(photoface(library_dir, "restore", safety_copy))  # "undo" the restore
    assert names(library_dir) == ["Anna", "Bob"]


def test_each_restore_keeps_what_it_replaced_under_a_new_name(library_dir, tmp_path, monkeypatch):
    class OneSecond(datetime):  # every restore in the same second
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 12, 6, 13, 30, 0, tzinfo=tz)

    monkeypatch.setattr(backup, "datetime", OneSecond)
    assert photoface(library_dir, "backup", "--to", str(tmp_path / "old.db")).returncode == 0
    assert photoface(library_dir, "new", "3", "--name", "Bob").returncode == 0
    first = kept_copy(photoface(library_dir, "restore", str(tmp_path / "old.db")))
    assert photoface(library_dir, "name", "1", "Carl").returncode == 0
    second = kept_copy(photoface(library_dir, "restore", str(tmp_path / "old.db")))
    assert Path(first).name == "library.db.before-restore-20261206T133000Z"
    assert Path(second).name == "library.db.before-restore-20261206T133000Z-2"
    kept_copy(photoface(library_dir, "restore", first))
    assert names(library_dir) == ["Anna", "Bob"]
    kept_copy(photoface(library_dir, "restore", second))
    assert names(library_dir) == ["Carl"]


def test_a_restored_safety_copy_can_be_restored_again(library_dir, tmp_path):
    assert photoface(library_dir, "backup", "--to", str(tmp_path / "old.db")).returncode == 0
    assert photoface(library_dir, "new", "3", "--name", "Bob").returncode == 0
    with_bob = kept_copy(photoface(library_dir, "restore", str(tmp_path / "old.db")))
    without_bob = kept_copy(photoface(library_dir, "restore", with_bob))
    assert names(library_dir) == ["Anna", "Bob"]
    kept_copy(photoface(library_dir, "restore", without_bob))
    assert names(library_dir) == ["Anna"]
    kept_copy(photoface(library_dir, "restore", with_bob))  # the first safety copy is still whole
    assert names(library_dir) == ["Anna", "Bob"]
    kept = sorted(path.name for path in library_dir.glob("library.db.before-restore-*"))
    assert len(kept) == 4 and not [name for name in kept if name.endswith(("-wal", "-shm"))], kept


def test_restore_list_shows_backups_and_safety_copies_newest_first(library_dir, tmp_path):
    assert photoface(library_dir, "restore", "--list").stdout.startswith("No backups or safety copies yet")
    made = photoface(library_dir, "backup").stdout.split("Backed up to ")[1].strip()
    assert photoface(library_dir, "new", "3", "--name", "Bob").returncode == 0
    kept = kept_copy(photoface(library_dir, "restore", made))
    (library_dir / "notes.txt").write_text("not a copy")
    upgraded = library_dir / "library.db.bak-v3-2"  # the second upgrade from v3
    upgraded.write_bytes(Path(made).read_bytes())
    os.utime(upgraded, (0, 0))
    listed = photoface(library_dir, "restore", "--list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == 3 and lines[2].endswith(f"before upgrade  3 faces, 1 people (1 named)  {upgraded}")
    assert lines[0].endswith(f"before restore  3 faces, 2 people (2 named)  {kept}")
    assert lines[1].endswith(f"backup          3 faces, 1 people (1 named)  {made}")
    assert lines[1].startswith(f"{datetime.fromtimestamp(Path(made).stat().st_mtime):%Y-%m-%d %H:%M:%S}")
    assert " MiB " in lines[0]
    assert photoface(library_dir, "restore").returncode == 2  # neither a file nor --list
