"""The status bar's progress: what runs, a real progress bar, pause / resume / cancel."""

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from .jobs.indexing import IndexingJob, ProgressMeter


class JobProgress(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.job: IndexingJob | None = None
        self.meter = ProgressMeter()
        self.text = ""  # what runs, without "Paused - "
        self.label = QLabel()
        self.bar = QProgressBar(minimumWidth=160, maximumWidth=240, textVisible=False)
        self.pause_button = QPushButton("Pause", clicked=self._toggle_pause)
        self.cancel_button = QPushButton("Cancel", clicked=self._cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, stretch=1)  # the text takes the room, the buttons keep their size
        for widget in (self.bar, self.pause_button, self.cancel_button):
            layout.addWidget(widget)
        self.hide()

    def follow(self, job: IndexingJob) -> None:
        """Show an indexing job's progress, with its controls."""
        self.job = job
        self.meter.restart()
        job.stage.connect(self.show_busy)
        job.progress.connect(self._show_progress)
        self._set_controls(visible=True)
        self.show_busy("Starting…")

    def show_busy(self, text: str) -> None:
        """Work of unknown length (loading the model, grouping people)."""
        self._say(text)
        self.bar.setRange(0, 0)
        self.show()

    def show_other_work(self, text: str) -> None:
        """Work that cannot be paused: no controls."""
        self.job = None
        self._set_controls(visible=False)
        self.show_busy(text)

    def done(self) -> None:
        self.job = None
        self.hide()

    def _show_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self._say(self.meter.text(done, total))

    def _toggle_pause(self) -> None:
        if self.job is None:
            return
        if self.job.paused:
            self.meter.restart()
            self.job.resume()
        else:
            self.job.pause()
        self.pause_button.setText("Resume" if self.job.paused else "Pause")
        self._say(self.text)

    def _say(self, text: str) -> None:
        self.text = text
        self.label.setText(f"Paused - {text}" if self.job and self.job.paused else text)

    def _cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job.stage.disconnect(self.show_busy)  # keep saying "Stopping"
            self.job.progress.disconnect(self._show_progress)
            self._set_controls(visible=False)
            self.show_busy("Stopping after the photos in hand…")

    def _set_controls(self, visible: bool) -> None:
        self.pause_button.setText("Pause")
        self.pause_button.setVisible(visible)
        self.cancel_button.setVisible(visible)
