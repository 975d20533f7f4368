"""Commands that only read work while another photoface writes and on a read-only library;
writing ones on a read-only library say so in one line."""

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from click.testing import CliRunner

from photoface.cli import cli
from photoface.errors import PhotofaceError
from photoface.store import library as library_module
from photoface.store.library import DB_NAME, Library
from photoface.store.migrations import latest_version, migrate, schema_version

from .test_safety_backup import library_dir  # noqa: F401 (a fixture: a library with a named person)
from .test_safety_disk import tmpfs
from .test_store import DIM, MODEL, REPO_ROOT, face_record, photo_record

READING = (["status", "--json"], ["people", "--json"], ["faces", "--json"], ["suggestions", "--json"])

WRITER = """
import sys, time
from photoface.store.library import Library
from tests.test_store import MODEL, face_record, photo_record
with Library.open(sys.argv[1]) as library:
    for number in range(100, 100_000):
        library.save_indexed_photo(photo_record(f"/p/{number}.jpg", f"h{number}"), [face_record(number)], MODEL)
        if number == 100:
            print("writing", flush=True)
        time.sleep(0.01)
"""


@contextmanager
def writing_process(library) -> Iterator[subprocess.Popen]:
    """Another photoface process that holds the library and keeps saving photos to it."""
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(library)], cwd=REPO_ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "writing"
        yield writer
        assert writer.poll() is None, "the writer kept writing all along"
    finally:
        writer.kill()
        writer.wait()
        writer.stdout.close()


def run(library, *args):
    return CliRunner().invoke(cli, ["--library", str(library), *args])


def faces_in(library) -> int:
    result = run(library, "status", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["faces"]


@pytest.fixture
def read_only_library(tmp_path):
    """A library with one face of a named person, on a disk then remounted read-only."""
    with tmpfs(tmp_path / "disk", "4m") as disk:
        folder = disk / "lib"
        with Library.open(folder) as library:
            library.register_model(MODEL, DIM)
            library.save_indexed_photo(photo_record("/p/1.jpg"), [face_record(1)], MODEL)
        assert run(folder, "new", "1", "--name", "Anna").exit_code == 0
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        yield folder


def test_reading_commands_work_while_another_photoface_writes(library_dir):
    with writing_process(library_dir) as writer:
        counts = []
        for _ in range(3):
            for args in READING:
                result = run(library_dir, *args)
                assert result.exit_code == 0, result.output
            counts.append(faces_in(library_dir))
        people = json.loads(run(library_dir, "people", "--json").stdout)
        assert [person["name"] for person in people] == ["Anna"]
        assert counts == sorted(counts) and counts[-1] > 3, "it read what the writer had committed"
        refused = run(library_dir, "name", "1", "Bob")
        assert refused.exit_code == 1 and f"already open in another photoface (pid {writer.pid})" in refused.output


def test_a_library_on_a_read_only_disk_reads_and_refuses_writes_in_one_line(read_only_library):
    folder = read_only_library
    for args in READING:
        assert run(folder, *args).exit_code == 0, args
    assert faces_in(folder) == 1
    assert json.loads(run(folder, "people", "--json").stdout)[0]["name"] == "Anna"
    for args in (["name", "1", "Bob"], ["cluster"], ["restore", str(folder / DB_NAME)]):
        refused = run(folder, *args)
        assert refused.exit_code == 1 and refused.output.count("\n") == 1, refused.output
        assert f"The library {folder} is read-only" in refused.output
    doctor = run(folder, "doctor", "--json")
    report = json.loads(doctor.stdout)
    assert report["library"]["writable"] is False and report["library"]["integrity"] == "ok"
    assert report["problems"] == [] and doctor.exit_code == 0
    assert "the library is read-only" in run(folder, "doctor").stdout


def test_an_unwritable_library_is_read_only_not_damaged(library_dir, monkeypatch):
    """Files without write permission (root ignores chmod, so the check is stood in for)."""
    monkeypatch.setattr(library_module, "is_writable", lambda folder: False)
    assert faces_in(library_dir) == 3
    refused = run(library_dir, "name", "1", "Bob")
    assert refused.exit_code == 1 and "is read-only" in refused.output and "damaged" not in refused.output
    report = json.loads(run(library_dir, "doctor", "--json").stdout)
    assert report["library"]["writable"] is False and report["problems"] == []


def test_a_read_only_library_fails_every_write(library_dir):
    with Library.open(library_dir, read_only=True) as library:
        assert library.status()["faces"] == 3
        with pytest.raises(PhotofaceError, match="cannot be written"):
            library.save_setting("active_model", MODEL)


def test_reading_a_library_that_does_not_exist_makes_nothing(tmp_path):
    assert faces_in(tmp_path / "none") == 0
    assert run(tmp_path / "none", "people").output == "unsorted\t0 faces\n"
    assert not (tmp_path / "none").exists()


def test_reading_an_older_library_upgrades_it_first(tmp_path):
    with Library.open(tmp_path):
        pass
    (tmp_path / DB_NAME).unlink()
    db = library_module.Database(tmp_path / DB_NAME)
    migrate(db, target=latest_version() - 1)
    db.execute("INSERT INTO photos (path, status) VALUES ('/p/1.jpg', 'indexed')")
    db.conn.commit()
    db.close()
    assert json.loads(run(tmp_path, "status", "--json").stdout)["photos"]["indexed"] == 1
    with Library.open(tmp_path, read_only=True) as library:
        assert schema_version(library.db) == latest_version()
