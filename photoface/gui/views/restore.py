"""Restore: pick a backup or safety copy from the list (``restore --list``'s) or any file, confirm,
and the window restores it (``MainWindow.restore_backup``, through ``store.backup.restore``)."""

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QLabel, QListWidget, QListWidgetItem,
                               QMessageBox, QVBoxLayout)

from photoface.store.backup import Copy

KINDS = {"backup": "Backup", "before restore": "Safety copy made before a restore",
         "before upgrade": "Made before an upgrade of photoface"}  # backup.Copy's kinds in words
INTRO = ("Restoring brings back every face, person, name and decision as they were in the backup. The"
         " library as it is now is kept as a safety copy, which shows in this list: restoring it undoes"
         " the restore. Your photos are not touched.")
PATH_ROLE = Qt.ItemDataRole.UserRole


class RestoreDialog(QDialog):
    restore_requested = Signal(Path)  # a backup the user chose and confirmed

    def __init__(self, copies: list[Copy], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Restore a backup")
        self.setMinimumSize(560, 360)
        self.confirmation: QMessageBox | None = None
        self.copies = QListWidget()
        for copy in copies:
            item = QListWidgetItem(describe(copy))
            item.setData(PATH_ROLE, copy.path)
            item.setToolTip(copy.path.name)
            self.copies.addItem(item)
        self.copies.currentItemChanged.connect(self._update_buttons)
        self.copies.itemActivated.connect(lambda item: self.confirm(item.data(PATH_ROLE)))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, rejected=self.reject)
        self.file_button = buttons.addButton("Choose a file…", QDialogButtonBox.ButtonRole.ActionRole)
        self.file_button.clicked.connect(self._choose_file)
        self.restore_button = buttons.addButton("Restore…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.clicked.connect(lambda: self.confirm(self.copies.currentItem().data(PATH_ROLE)))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(INTRO, wordWrap=True))
        layout.addWidget(self.copies, stretch=1)
        if not copies:
            self.copies.hide()
            layout.addWidget(QLabel("<i>No backups yet: Library > Back up… makes one.</i>"))
            layout.addStretch()
        layout.addWidget(buttons)
        self._update_buttons()

    def confirm(self, backup: Path) -> QMessageBox:
        """Ask before replacing the library (not modal: the answer arrives as a signal)."""
        self.confirmation = QMessageBox(
            QMessageBox.Icon.Question, "Restore a backup",
            f"Replace the library with {backup.name}?\n\nphotoface stops what it is doing, restores the"
            " backup and opens it again. The library as it is now is kept as a safety copy.",
            QMessageBox.StandardButton.Cancel, self)
        restore = self.confirmation.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        self.confirmation.setDefaultButton(QMessageBox.StandardButton.Cancel)  # never by a stray Enter
        restore.clicked.connect(lambda: self._restore(backup))
        self.confirmation.open()
        return self.confirmation

    def _restore(self, backup: Path) -> None:
        self.accept()
        self.restore_requested.emit(backup)

    def _choose_file(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "Choose a backup", "",
                                                "photoface backups (*.db *.db.*);;All files (*)")
        if chosen:
            self.confirm(Path(chosen))

    def _update_buttons(self) -> None:
        self.restore_button.setEnabled(self.copies.currentItem() is not None)


def describe(copy: Copy) -> str:
    """One line: when, what, and what it holds."""
    holds = ("cannot be read" if copy.faces is None
             else f"{copy.faces:,} faces, {copy.people:,} people ({copy.named:,} named)")
    return f"{copy.modified:%Y-%m-%d %H:%M}   {KINDS.get(copy.kind, copy.kind)}   {holds}   {copy.size / 2**20:.1f} MiB"
