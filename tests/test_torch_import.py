"""Torch's native libraries load with the GIL released, the collector rests during the import and freezes what
it made, and torch runs after it."""

import subprocess
import sys

PROBE = """
import sys
from photoface.index.torch_import import _native_files, preload_torch_libraries, torch_imported_quietly
files = _native_files()
assert any(path.name == "libtorch_cpu.so" for path in files), files
preload_torch_libraries()
assert "torch" not in sys.modules, "only the libraries load: the import is torch's own"
loaded = open("/proc/self/maps").read()
assert "libtorch_cpu.so" in loaded
import gc
with torch_imported_quietly():
    assert not gc.isenabled(), "no full collections while the import makes its objects"
    import torch, torchvision
assert gc.isenabled() and gc.get_freeze_count() > 100_000, "what the import made is frozen"
assert float((torch.ones(3) * 2).sum()) == 6.0
print("ok")
"""


def test_torch_imports_and_runs_after_its_libraries_were_loaded_first():
    # A fresh interpreter: this one may have imported torch already.
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
