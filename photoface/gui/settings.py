"""The Settings dialog's words for the library's index settings, and the library choice an
older version kept in QSettings.

The settings themselves live in the library (``photoface.library_settings``)
and which library opens in the user's config file (``photoface.paths``).
"""

from PySide6.QtCore import QSettings

from photoface.index.options import DETECT_SIDE
from photoface.paths import chosen_library, choose_library

# Sensitivity is the resolution MTCNN looks at: more pixels find smaller faces, more slowly.
SENSITIVITY_SIDES = {"Low (faster)": 640, "Normal": DETECT_SIDE, "High (finds smaller faces)": 1440}
OLD_LIBRARY_KEY = "library/location"  # QSettings key of photoface 0.1's library choice


def sensitivity_of(detect_side: int) -> str:
    """The sensitivity closest to a detection side (one a command line chose may lie between)."""
    return min(SENSITIVITY_SIDES, key=lambda name: abs(SENSITIVITY_SIDES[name] - detect_side))


def move_library_choice_out_of_qsettings() -> None:
    """A library chosen in an older version's Settings becomes the config file's choice (nothing lost)."""
    old = QSettings().value(OLD_LIBRARY_KEY)
    if old and chosen_library() is None:
        choose_library(old)
    QSettings().remove(OLD_LIBRARY_KEY)
