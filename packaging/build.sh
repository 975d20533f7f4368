#!/usr/bin/env bash
# Builds the desktop app into dist/photoface/ (PyInstaller, one folder) and
# checks that it starts headless and offline. Slow: torch alone is ~1 GB.
#   bash packaging/build.sh            # needs packaging/setup.sh run first
#   bash packaging/build.sh --cpu      # into dist/cpu/photoface/, without the NVIDIA
#                                      # libraries a CPU run never loads (runs on a CPU only)
# PHOTOFACE_BUILD_PYTHON picks another interpreter than .venv/bin/python.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PHOTOFACE_BUILD_PYTHON:-.venv/bin/python}
dist=dist work=build/pyinstaller
if [ "${1:-}" = --cpu ]; then
    export PHOTOFACE_BUILD_CPU=1
    dist=dist/cpu work=build/pyinstaller-cpu
fi
"$python" -m pip install -q --disable-pip-version-check -e ".[packaging]"

# Convert the face model once (a no-op when cached) and ship the result.
export PHOTOFACE_BUILD_MODEL
PHOTOFACE_BUILD_MODEL=$("$python" -c '
from photoface import paths
from photoface.embed.models import DEFAULT_MODEL_ID, load_embedder
load_embedder()
print(paths.model_cache_dir() / f"{DEFAULT_MODEL_ID}.pt")')

"$python" -m PyInstaller --noconfirm --log-level WARN \
    --distpath "$dist" --workpath "$work" packaging/photoface.spec

# The checks: version, then an offline index of one photo with an empty data
# folder (so the bundled model, not a user cache, is what gets used).
app=$dist/photoface/photoface
check=$(mktemp -d)
trap 'rm -rf "$check"' EXIT
TIMEFORMAT="--version: started and answered in %R s"
time QT_QPA_PLATFORM=offscreen "$app" --version
echo "size: $(du -sh "$dist/photoface" | cut -f1)"
for lib in libxcb-cursor.so.0 libxcb-icccm.so.4 libxcb-keysyms.so.1; do  # the window's, see photoface.spec
    test -e "$dist/photoface/_internal/$lib" || { echo "the build lacks $lib" >&2; exit 1; }
done
cp resources/photoface.png "$check/"
PHOTOFACE_DATA_DIR="$check/data" "$app" --library "$check/lib" index --quiet "$check/photoface.png"
test ! -e "$check/data/models" || { echo "the built app converted the model instead of using its own" >&2; exit 1; }
echo "build OK: $app"
