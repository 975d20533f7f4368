"""The user's settings: indexing ones in the library (``settings.json``), its location in QSettings.

Indexing settings belong to the library (its faces were found with them);
which library opens at start belongs to the user's account.
"""

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from PySide6.QtCore import QSettings

from photoface.embed.registry import DEFAULT_MODEL_ID
from photoface.errors import PhotofaceError
from photoface.index.options import DETECT_SIDE, IndexOptions

SETTINGS_FILE = "settings.json"
# Sensitivity is the resolution MTCNN looks at: more pixels find smaller faces, more slowly.
SENSITIVITY_SIDES = {"Low (faster)": 640, "Normal": DETECT_SIDE, "High (finds smaller faces)": 1440}
LIBRARY_KEY = "library/location"


@dataclass
class Settings:
    model_id: str = DEFAULT_MODEL_ID
    sensitivity: str = "Normal"
    min_face_size: int = IndexOptions.min_face_size
    workers: int = IndexOptions.workers

    def index_options(self) -> IndexOptions:
        return IndexOptions(model_id=self.model_id, workers=self.workers,
                            detect_side=SENSITIVITY_SIDES.get(self.sensitivity, DETECT_SIDE),
                            min_face_size=self.min_face_size)


def load_settings(library_dir: Path) -> Settings:
    """The library's settings; defaults for what is not saved (or not understood)."""
    path = Path(library_dir) / SETTINGS_FILE
    try:
        saved = json.loads(path.read_text())
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as error:
        raise PhotofaceError(f"Cannot read the settings {path}: {error}. Delete it to start afresh.") from error
    known = {field.name for field in fields(Settings)}
    return Settings(**{key: value for key, value in saved.items() if key in known})


def save_settings(library_dir: Path, settings: Settings) -> None:
    path = Path(library_dir) / SETTINGS_FILE
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(asdict(settings), indent=2))
    partial.replace(path)  # never half a file


def saved_library_location() -> Path | None:
    """The library chosen in the settings dialog, for the next start."""
    value = QSettings().value(LIBRARY_KEY)
    return Path(value) if value else None


def save_library_location(folder: Path) -> None:
    QSettings().setValue(LIBRARY_KEY, str(folder))
