"""The library's folders: add, pause or resume watching, remove (with their faces)."""

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QMessageBox, QPushButton, QVBoxLayout)

from photoface.folders import Folder

PATH_ROLE = Qt.ItemDataRole.UserRole


class FoldersDialog(QDialog):
    add_requested = Signal()
    pause_requested = Signal(object, bool)  # folder, paused
    remove_requested = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Photo folders")
        self.resize(560, 320)
        self.folders: list[Folder] = []
        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._update_buttons)
        self.add_button = QPushButton("Add folder…", clicked=lambda: self.add_requested.emit())
        self.pause_button = QPushButton("Pause", clicked=self._toggle_pause)
        self.remove_button = QPushButton("Remove…", clicked=self._remove)
        self._lay_out()

    def show_folders(self, folders: list[Folder]) -> None:
        chosen = self.chosen()
        self.folders = folders
        self.list.clear()
        for folder in folders:
            paused = " - paused" if folder.paused else ""
            item = QListWidgetItem(f"{folder.path}\n{folder.photos:,} photos{paused}")
            item.setData(PATH_ROLE, folder.path)
            self.list.addItem(item)
            if chosen and folder.path == chosen.path:
                self.list.setCurrentItem(item)
        self._update_buttons()

    def chosen(self) -> Folder | None:
        row = self.list.currentRow()
        return self.folders[row] if 0 <= row < len(self.folders) else None

    def select(self, folder: Path) -> None:
        rows = [row for row, known in enumerate(self.folders) if known.path == Path(folder)]
        if rows:
            self.list.setCurrentRow(rows[0])

    def _toggle_pause(self) -> None:
        folder = self.chosen()
        if folder is not None:
            self.pause_requested.emit(folder.path, not folder.paused)

    def _remove(self) -> None:
        folder = self.chosen()
        if folder is None:
            return
        answer = QMessageBox.question(
            self, "Remove folder",
            f"Stop watching {folder.path} and forget the faces in its {folder.photos:,} photos?\n\n"
            "The photos stay on disk. Named people keep the faces they have in other folders.")
        if answer == QMessageBox.StandardButton.Yes:
            self.remove_requested.emit(folder.path)

    def _update_buttons(self) -> None:
        folder = self.chosen()
        self.pause_button.setEnabled(folder is not None)
        self.remove_button.setEnabled(folder is not None)
        self.pause_button.setText("Resume" if folder and folder.paused else "Pause")

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        for button in (self.add_button, self.pause_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, rejected=self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("photoface watches these folders: new, changed and deleted photos"
                                " are picked up while it runs, and when it starts.", wordWrap=True))
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        layout.addWidget(close)
