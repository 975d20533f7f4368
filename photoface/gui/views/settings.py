"""Settings: face model, detection sensitivity, minimum face size, worker threads, compute device, grouping level,
library location, colours."""

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QVBoxLayout)

from photoface.cluster.agglomerative import LEVELS
from photoface.embed.registry import available_models
from photoface.index.options import IndexOptions

from photoface.paths import THEMES

from ..settings import SENSITIVITY_SIDES, sensitivity_of
from ..theme import THEME_NAMES

MAX_FACE_SIZE = 200
DEVICE_NAMES = {"auto": "Automatic (a GPU when there is one)", "cpu": "CPU", "cuda": "NVIDIA GPU (CUDA)",
                "mps": "Apple GPU (MPS)"}  # by photoface.devices.DEVICES
LIBRARY_FIELD_MAX = 900  # px: wider than most paths, narrower than a small screen
GROUPING_NAMES = {-2: "Most apart", -1: "More apart", 0: "Balanced (recommended)", 1: "More together",
                  2: "Most together"}  # by level; apart splits a person rather than mix two


class SettingsDialog(QDialog):
    def __init__(self, options: IndexOptions, library_dir: Path, grouping_level: int = 0, theme: str = "system",
                 parent=None):
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.shown_theme = theme
        self.colours = QComboBox(toolTip="Kept for you, whichever library you open")
        for choice in THEMES:
            self.colours.addItem(THEME_NAMES[choice], choice)
        self.colours.setCurrentIndex(self.colours.findData(theme))
        self.model = QComboBox()
        for model in available_models():
            self.model.addItem(model.name, model.model_id)
            self.model.setItemData(self.model.count() - 1, model.description, Qt.ItemDataRole.ToolTipRole)
        self.sensitivity = QComboBox()
        self.sensitivity.addItems(list(SENSITIVITY_SIDES))
        self.min_face_size = QSpinBox(minimum=10, maximum=MAX_FACE_SIZE, suffix=" px")
        self.workers = QSpinBox(minimum=1, maximum=max(os.cpu_count() or 1, 1))
        self.device = QComboBox()
        for device, name in DEVICE_NAMES.items():
            self.device.addItem(name, device)
        self.device.setToolTip("Where faces are found and embedded. A GPU that is not there stops indexing\n"
                               "with a message; photoface doctor lists the ones this computer has.")
        self.grouping = QComboBox()
        for level in LEVELS:
            self.grouping.addItem(GROUPING_NAMES[level], level)
        self.grouping.setToolTip("More apart: a person may come in several groups, to merge.\n"
                                 "More together: fewer groups, with a higher risk of two people in one.")
        self.grouping.setCurrentIndex(self.grouping.findData(grouping_level))
        self.library = QLineEdit(str(library_dir))
        # Wide enough for the whole path, up to a point (a longer one scrolls and is in the tooltip).
        self.library.setMinimumWidth(min(self.library.fontMetrics().horizontalAdvance(str(library_dir)) + 16,
                                         LIBRARY_FIELD_MAX))
        self.library.setToolTip(str(library_dir))
        self.library.setCursorPosition(0)
        self._show(options)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                   accepted=self.accept, rejected=self.reject)
        browse = QPushButton("Choose…", clicked=self._browse)
        library_row = QHBoxLayout()
        library_row.addWidget(self.library, stretch=1)
        library_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Face model:", self.model)
        form.addRow("Detection sensitivity:", self.sensitivity)
        form.addRow("Smallest face:", self.min_face_size)
        form.addRow("Worker threads:", self.workers)
        form.addRow("Compute device:", self.device)
        form.addRow("Group faces:", self.grouping)
        form.addRow("Library folder:", library_row)
        form.addRow("Colours:", self.colours)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Indexing settings apply to photos indexed from now on; a new library"
                                " folder is opened at the next start.", wordWrap=True))
        layout.addWidget(buttons)

    def index_options(self) -> IndexOptions:
        return IndexOptions(model_id=self.model.currentData(),
                            detect_side=SENSITIVITY_SIDES[self.sensitivity.currentText()],
                            min_face_size=self.min_face_size.value(), workers=self.workers.value(),
                            device=self.device.currentData())

    def grouping_level(self) -> int:
        return self.grouping.currentData()

    def theme(self) -> str:
        return self.colours.currentData()

    def library_dir(self) -> Path:
        return Path(self.library.text()).expanduser()

    def _show(self, options: IndexOptions) -> None:
        self.model.setCurrentIndex(max(self.model.findData(options.model_id), 0))
        self.sensitivity.setCurrentText(sensitivity_of(options.detect_side))
        self.min_face_size.setValue(options.min_face_size)
        self.workers.setValue(options.workers)
        self.device.setCurrentIndex(max(self.device.findData(options.device), 0))

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Library folder", self.library.text())
        if chosen:
            self.library.setText(chosen)
