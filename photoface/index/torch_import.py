"""Importing torch on a background thread without freezing the window.

Two things held the GIL, and so froze the GUI thread, for 100-250 ms at a
time while the indexer loaded the models:

- Python's import machinery dlopens an extension and its libraries with the
  GIL held, and libtorch's run hundreds of milliseconds of static
  initialisers. A foreign call through ctypes releases the GIL, so calling the
  C library's own ``dlopen`` on them first does that work while the window
  runs; the import then finds them loaded. Each is opened as Python would
  (local symbols, except torch's global-deps library, which torch opens global).
- Full cyclic garbage collections: the import creates hundreds of thousands of
  objects, which triggers several, and each scans them all (150-170 ms once
  torch and torchvision are in). The collector is off during the import and
  what it made is then frozen (``gc.freeze``): it lives as long as the process,
  and later collections skip it.
"""

import ctypes
import gc
import importlib.util
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TORCH_LIBRARIES = ("lib/libtorch_global_deps.so", "lib/libc10.so", "lib/libtorch_cpu.so", "lib/libtorch.so",
                   "lib/libtorch_python.so")


@contextmanager
def torch_imported_quietly() -> Iterator[None]:
    """Import torch (and torchvision, and the models that need them) inside this: the other threads keep running
    meanwhile. A no-op once torchvision is in: what its import made is frozen already.
    """
    if "torchvision" in sys.modules:
        yield
        return
    preload_torch_libraries()
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def preload_torch_libraries() -> None:
    """Load torch's and torchvision's native libraries with the GIL released; a no-op where that cannot be done
    (another platform, another layout): the import then loads them as usual."""
    try:
        dlopen = ctypes.CDLL(None).dlopen
    except (OSError, AttributeError):
        return
    dlopen.restype = ctypes.c_void_p
    dlopen.argtypes = [ctypes.c_char_p, ctypes.c_int]
    for path in _native_files():
        mode = os.RTLD_NOW | (os.RTLD_GLOBAL if "global_deps" in path.name else os.RTLD_LOCAL)
        dlopen(bytes(path), mode)  # a failure is left to the import, which explains it


def _native_files() -> list[Path]:
    files = []
    for package, names in (("torch", TORCH_LIBRARIES), ("torchvision", ())):
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            continue
        folder = Path(spec.origin).parent
        files += [folder / name for name in names]
        files += sorted(folder.glob("_C*.so")) + sorted(folder.glob("image*.so"))
    return [path for path in files if path.is_file()]
