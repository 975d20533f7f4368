"""Text that must fit: a name of up to 100 characters shortened with "…" where space is tight; paths
as a user reads them."""

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics

NAME_PIXELS = 240  # a name in a button or label: wider ones would widen the window


def elided(text: str, pixels: int = NAME_PIXELS, font: QFont | None = None) -> str:
    """``text`` cut to ``pixels`` wide in ``font`` (the application's by default), ending in "…"."""
    return QFontMetrics(font or QFont()).elidedText(text, Qt.TextElideMode.ElideRight, pixels)


def shown_path(path: str | Path) -> str:
    """``path`` with the home folder written "~", as file managers and shells show it (the library
    stores paths resolved: the home folder is compared resolved too)."""
    path = Path(path)
    for home in (Path.home(), Path.home().resolve()):
        if path.is_relative_to(home) and path != home:
            return f"~/{path.relative_to(home)}"
    return str(path)
