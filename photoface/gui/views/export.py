"""Export albums: choose people, a folder, copy or link, XMP sidecars; progress, then what was written."""

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QCheckBox, QDateEdit, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QProgressBar, QPushButton, QRadioButton, QVBoxLayout)

from ..jobs.export import ExportJob, ExportSummary

PERSON_ID_ROLE = Qt.ItemDataRole.UserRole


class ExportDialog(QDialog):
    def __init__(self, library_dir: Path, people: list[dict], parent=None):
        """``people``: the named people (id, name) that can have an album."""
        super().__init__(parent)
        self.setWindowTitle("Export albums")
        self.library_dir = library_dir
        self.job: ExportJob | None = None
        self.summary: ExportSummary | None = None
        self.people = QListWidget()
        for person in people:
            item = QListWidgetItem(person["name"])
            item.setData(PERSON_ID_ROLE, person["id"])
            item.setCheckState(Qt.CheckState.Unchecked)
            self.people.addItem(item)
        self.folder = QLineEdit(placeholderText="Folder the albums go in")
        self.folder.textChanged.connect(self._update_button)
        self.people.itemChanged.connect(self._update_button)
        self.link = QRadioButton("Link (no extra space; edit copies, not these)", checked=True)
        self.copy = QRadioButton("Copy")
        self.sidecars = QCheckBox("Also write XMP sidecars with the face regions and names")
        self.dates = QGroupBox("Only photos taken between", checkable=True, checked=False)
        today = QDate.currentDate()
        self.first_day = _day_field(today.addYears(-1))
        self.last_day = _day_field(today)
        self.bar = QProgressBar(visible=False)
        self.result = QLabel(wordWrap=True, textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, rejected=self.reject)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.clicked.connect(self.export)
        self._lay_out()
        self._update_button()

    def choose_people(self, person_ids) -> None:
        for row in range(self.people.count()):
            item = self.people.item(row)
            chosen = item.data(PERSON_ID_ROLE) in set(person_ids)
            item.setCheckState(Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked)

    def chosen_people(self) -> dict[int, str]:
        items = [self.people.item(row) for row in range(self.people.count())]
        return {item.data(PERSON_ID_ROLE): item.text() for item in items
                if item.checkState() == Qt.CheckState.Checked}

    def choose_days(self, first: date, last: date) -> None:
        """Only the photos taken from day ``first`` to day ``last``, both included."""
        self.dates.setChecked(True)
        self.first_day.setDate(QDate(first))
        self.last_day.setDate(QDate(last))

    def chosen_days(self) -> tuple[date, date] | None:
        """(first, last) day, in order whichever way they were typed; None for every photo."""
        if not self.dates.isChecked():
            return None
        first, last = self.first_day.date().toPython(), self.last_day.date().toPython()
        return min(first, last), max(first, last)

    def export(self) -> None:
        self.export_button.setEnabled(False)
        self.bar.setVisible(True)
        self.bar.setRange(0, 0)
        self.result.setText("Exporting…")
        self.job = ExportJob(self.library_dir, self.chosen_people(), Path(self.folder.text()).expanduser(),
                             link=self.link.isChecked(), sidecars=self.sidecars.isChecked(), parent=self,
                             days=self.chosen_days())
        self.job.progress.connect(self._show_progress)
        self.job.succeeded.connect(self._done)
        self.job.failed.connect(self._failed)
        self.job.start()

    def _show_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)

    def _done(self, summary: ExportSummary) -> None:
        self.summary = summary
        self._finish(summary.message())

    def _failed(self, message: str) -> None:
        self._finish(message)

    def _finish(self, text: str) -> None:
        self.job.wait()
        self.job = None
        self.bar.setVisible(False)
        self.result.setText(text)
        self._update_button()

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Folder for the albums", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def _update_button(self) -> None:
        ready = self.job is None and bool(self.chosen_people()) and bool(self.folder.text().strip())
        self.export_button.setEnabled(ready)

    def reject(self) -> None:
        if self.job is not None:  # the albums in hand are finished first
            self.job.wait()
        super().reject()

    def _lay_out(self) -> None:
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, stretch=1)
        folder_row.addWidget(QPushButton("Choose…", clicked=self._browse))
        form = QFormLayout()
        form.addRow("People:", self.people)
        form.addRow("Into:", folder_row)
        how = QVBoxLayout()
        how.addWidget(self.link)
        how.addWidget(self.copy)
        form.addRow("Photos:", how)
        form.addRow("", self.sidecars)
        days = QHBoxLayout(self.dates)
        days.addWidget(self.first_day)
        days.addWidget(QLabel("and"))
        days.addWidget(self.last_day)
        days.addStretch()
        form.addRow("", self.dates)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Each person gets an album folder named after them. Your photos stay where they are."))
        layout.addLayout(form)
        layout.addWidget(self.bar)
        layout.addWidget(self.result)
        layout.addWidget(self.buttons)


def _day_field(day: QDate) -> QDateEdit:
    """A day, typed or picked from a calendar; the date the photo was taken (EXIF), else its file's."""
    field = QDateEdit(day, calendarPopup=True, displayFormat="yyyy-MM-dd")
    field.setToolTip("The day the photo was taken (from the camera's date, else the file's)")
    return field
