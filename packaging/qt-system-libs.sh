#!/usr/bin/env bash
# Prints the Debian/Ubuntu packages Qt's X11 (xcb) platform needs that this system lacks, on one
# line (nothing when none is missing). The window needs them; the commands, --screenshot and the
# offscreen tests do not. Used by setup.sh (a warning) and .ci/run (installs them).
#   bash packaging/qt-system-libs.sh [PYTHON]    # PYTHON: the venv's, by default .venv/bin/python
set -euo pipefail
python=${1:-.venv/bin/python}
xcb_plugin=$("$python" -c 'import PySide6, os; print(os.path.join(os.path.dirname(PySide6.__file__), "Qt/plugins/platforms/libqxcb.so"))')
# libxcb-cursor is loaded at run time, so ldd does not list it (grep reads all of ldconfig: with -q, pipefail
# would see ldconfig die of SIGPIPE). A library's package: libfoo-bar.so.0 -> libfoo-bar0,
# libxkbcommon-x11.so.0 -> libxkbcommon-x11-0 (a dash before the number when the name ends in a digit).
{ ldd "$xcb_plugin" 2>/dev/null | awk '/not found/ {print $1}'
  PATH="$PATH:/sbin:/usr/sbin" ldconfig -p 2>/dev/null | grep 'libxcb-cursor\.so\.0' >/dev/null || echo libxcb-cursor.so.0; } | sort -u \
  | sed -E 's/\.so\.([0-9]+)$/ \1/' | awk '{sep = ($1 ~ /[0-9]$/) ? "-" : ""; print $1 sep $2}' | sort -u | tr '\n' ' ' \
  | sed 's/ $//'
