"""With no display at all the app says so in one line instead of Qt aborting."""

import os
import subprocess
import sys


def test_no_display_is_a_one_line_error_not_a_qt_abort(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, "-m", "photoface", "--library", str(tmp_path / "library")],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Error: No display to open the app on (DISPLAY and WAYLAND_DISPLAY are not set): "
        "start it from your desktop, or use the commands (photoface --help)."]
    assert not (tmp_path / "library").exists(), "nothing opened"
