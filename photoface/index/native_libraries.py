"""Loading torch's native libraries on a background thread without freezing the window.

Python's import machinery holds the GIL while it dlopens an extension and the
libraries it needs, and libtorch's run hundreds of milliseconds of static
initialisers: ``import torch`` on a worker thread froze the GUI thread that
long. A foreign call through ctypes releases the GIL, so calling the C
library's own ``dlopen`` on them first does that work while the window runs;
the import then finds them loaded. Each is opened as Python would (local
symbols, except torch's global-deps library, which torch itself opens global).
"""

import ctypes
import importlib.util
import os
from pathlib import Path

TORCH_LIBRARIES = ("lib/libtorch_global_deps.so", "lib/libc10.so", "lib/libtorch_cpu.so", "lib/libtorch.so",
                   "lib/libtorch_python.so")


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
