"""Text that must fit: a name of up to 100 characters shortened with "…" where space is tight."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics

NAME_PIXELS = 240  # a name in a button or label: wider ones would widen the window


def elided(text: str, pixels: int = NAME_PIXELS, font: QFont | None = None) -> str:
    """``text`` cut to ``pixels`` wide in ``font`` (the application's by default), ending in "…"."""
    return QFontMetrics(font or QFont()).elidedText(text, Qt.TextElideMode.ElideRight, pixels)
