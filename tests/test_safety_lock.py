"""One process per library: a second one is refused with a clear message; a kill frees the library."""

import os
import signal
import subprocess
import sys
import threading

import pytest
from click.testing import CliRunner

from photoface.cli import cli
from photoface.store import lock
from photoface.store.library import Library

HOLDER = """
import sys, time
from photoface.store.library import Library
library = Library.open(sys.argv[1])
print("ready", flush=True)
time.sleep(120)
"""


@pytest.fixture
def holder(tmp_path):
    """Another process holding the library open."""
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path / "lib")], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    yield process
    if process.poll() is None:
        process.kill()
    process.wait()
    process.stdout.close()


def test_second_process_is_refused_naming_the_library_and_the_holder(tmp_path, holder):
    with pytest.raises(lock.LibraryInUse) as refused:
        Library.open(tmp_path / "lib")
    message = str(refused.value)
    assert str(tmp_path / "lib") in message and f"pid {holder.pid}" in message
    assert lock.is_locked(tmp_path / "lib")


def test_the_cli_says_so_in_one_line_to_writing_commands_only(tmp_path, holder):
    def photoface(*args):
        return subprocess.run([sys.executable, "-m", "photoface", "--library", str(tmp_path / "lib"), *args],
                              capture_output=True, text=True)

    result = photoface("name", "1", "Anna")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and f"already open in another photoface (pid {holder.pid})" in result.stderr
    assert photoface("status").returncode == 0, "reading needs no lock"


def test_a_killed_holder_frees_the_library(tmp_path, holder):
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with Library.open(tmp_path / "lib") as library:
        assert library.status()["faces"] == 0
    assert not lock.is_locked(tmp_path / "lib")


def test_one_process_may_open_a_library_many_times_across_threads(tmp_path):
    """The GUI opens one Library per thread; they share the process's lock."""
    opened, may_close = threading.Event(), threading.Event()

    def background_job():
        with Library.open(tmp_path):
            opened.set()
            may_close.wait(30)

    first = Library.open(tmp_path)
    thread = threading.Thread(target=background_job)
    thread.start()
    assert opened.wait(30)
    first.close()
    first.close()  # closing twice is harmless
    assert lock.is_locked(tmp_path), "still held by the thread's library"
    may_close.set()
    thread.join()
    assert not lock.is_locked(tmp_path)
    assert CliRunner().invoke(cli, ["--library", str(tmp_path), "status"]).exit_code == 0


def test_a_failed_open_does_not_keep_the_lock(tmp_path):
    (tmp_path / "library.db").write_text("garbage")
    with pytest.raises(Exception, match="not an SQLite database"):
        Library.open(tmp_path)
    assert not lock.is_locked(tmp_path)
