"""The command line: the contract for power users, tests and benchmarks."""

import multiprocessing

# The commands, one module per area; importing them registers them on `cli`.
from . import export, library, maintenance, people, train  # noqa: F401
from .group import cli


def main() -> None:
    multiprocessing.freeze_support()  # the desktop build's decoding processes (index.batches) start here
    cli(prog_name="photoface")
