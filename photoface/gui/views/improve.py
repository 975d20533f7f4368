"""Improve recognition: learn from the named people in the background, show before -> after, keep or discard."""

import math
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QProgressBar, QPushButton, QVBoxLayout

from ..jobs.improving import ImprovingJob, ReadinessJob
from ..jobs.switching import ModelSwitchJob

if TYPE_CHECKING:  # the training package loads torch: only the jobs import it, on their threads
    from photoface_training.improve import Improvement
    from photoface_training.train import TrainConfig

INTRO = ("photoface can learn from the people you have named, so that it tells them apart better. "
         "It learns from most of each person's named photos and tests itself on the others, then shows "
         "you the difference. Nothing changes unless you choose to use the new model. It takes a few "
         "minutes; you can go on using photoface meanwhile.")
IMPROVED_ALREADY = ("Recognition already uses a model that learnt from your names. Improving again "
                    "learns afresh from the original model and everything you have named since.")


class ImproveDialog(QDialog):
    model_changed = Signal(str)  # recognition uses another model now; what changed, for the user

    def __init__(self, library_dir: Path, improved: bool, parent=None):
        """``improved``: an improved model is in use (it can be left for the original)."""
        super().__init__(parent)
        self.setWindowTitle("Improve recognition")
        self.setMinimumWidth(500)
        self.library_dir = Path(library_dir)
        self.improved = improved
        self.config: "TrainConfig | None" = None  # how it trains; None: as photoface does (tests train less)
        self.job: ReadinessJob | ImprovingJob | ModelSwitchJob | None = None
        self.improvement: "Improvement | None" = None  # the candidate waiting for a decision
        self.intro = QLabel(INTRO + ("\n\n" + IMPROVED_ALREADY if improved else ""), wordWrap=True)
        self.state = QLabel("", wordWrap=True, textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bar = QProgressBar(visible=False)
        self.buttons = QDialogButtonBox()
        self.start_button = self._button("Start", self.start, QDialogButtonBox.ButtonRole.ActionRole)
        self.original_button = self._button("Go back to the original model", self.go_back,
                                            QDialogButtonBox.ButtonRole.ResetRole, visible=False)
        self.use_button = self._button("Use the new model", self.use_new_model,
                                       QDialogButtonBox.ButtonRole.AcceptRole, visible=False)
        self.discard_button = self._button("Discard", self.reject, QDialogButtonBox.ButtonRole.RejectRole,
                                           visible=False)
        self.cancel_button = self._button("Cancel", self.cancel, QDialogButtonBox.ButtonRole.RejectRole,
                                          visible=False)
        self.close_button = self._button("Close", self.reject, QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        for widget in (self.intro, self.bar, self.state, self.buttons):
            layout.addWidget(widget)
        self._check_readiness()

    # --- the steps --------------------------------------------------------------------

    def _check_readiness(self) -> None:
        self._working("Looking at your named faces…", self.close_button)
        self._start_job(ReadinessJob(self.library_dir, self), self._checked)

    def start(self) -> None:
        self._working("Reading your named faces…", self.cancel_button)
        job = ImprovingJob(self.library_dir, self.config, self)
        job.progress.connect(self._show_progress)
        self._start_job(job, self._trained)

    def cancel(self) -> None:
        self.job.cancel()
        self.cancel_button.setEnabled(False)
        self.state.setText("Stopping…")

    def use_new_model(self) -> None:
        improvement, self.improvement = self.improvement, None  # no longer to discard
        self._switch(improvement, "Giving every face its vector of the new model…")

    def go_back(self) -> None:
        self._switch(None, "Going back to the original model…")

    def reject(self) -> None:
        """Close; a training job is cancelled, a model switch finished, an undecided candidate discarded.

        The first check may still be loading the training code (seconds): it only reads, so it is
        left to finish under the main window, which waits for it when it closes."""
        if isinstance(self.job, ReadinessJob) and self.parent() is not None:
            self.job.succeeded.disconnect()
            self.job.failed.disconnect()
            self.job.setParent(self.parent())
            self.job.finished.connect(self.job.deleteLater)
            self.job = None
        if isinstance(self.job, ImprovingJob):
            self.job.cancel()
        if self.job is not None:
            self.job.wait()
        if self.improvement is not None:
            from photoface_training.improve import discard  # loaded already: it made the candidate

            discard(self.improvement)
            self.improvement = None
        super().reject()

    # --- job signals ------------------------------------------------------------------

    def _checked(self, not_ready: str) -> None:
        if not isinstance(self.job, ReadinessJob):  # posted just before the dialog closed
            return
        self._job_done()
        self.state.setText(not_ready)
        shown = [self.start_button, self.close_button] + ([self.original_button] if self.improved else [])
        self._show_buttons(*shown)
        self.start_button.setEnabled(not not_ready)

    def _show_progress(self, epoch: int, epochs: int) -> None:
        self.bar.setRange(0, epochs)
        self.bar.setValue(epoch)
        self.state.setText(f"Learning from your named faces… (round {epoch} of at most {epochs})")

    def _trained(self, improvement: "Improvement | None") -> None:
        self._job_done()
        if improvement is None:
            self._offer_start("Stopped. Nothing has changed.")
            return
        self.improvement = improvement
        self.state.setText(describe(improvement))
        self._show_buttons(self.use_button, self.discard_button)
        # Enter takes the advice: keep a model that did better, else discard it. Focused too, since a
        # focused button of a dialog is its default while it has the focus.
        advised = self.use_button if improvement.better else self.discard_button
        advised.setDefault(True)
        advised.setFocus()

    def _switched(self, message: str) -> None:
        self._job_done()
        self.state.setText(message)
        self._show_buttons(self.close_button)
        self.model_changed.emit(message)

    def _failed(self, message: str) -> None:
        if self.job is None:  # posted just before the dialog closed
            return
        self._job_done()
        self._offer_start(message)

    # --- helpers ----------------------------------------------------------------------

    def _switch(self, improvement: "Improvement | None", text: str) -> None:
        self._working(text)
        self._start_job(ModelSwitchJob(self.library_dir, improvement, self), self._switched)

    def _start_job(self, job: "ReadinessJob | ImprovingJob | ModelSwitchJob", on_success) -> None:
        self.job = job
        job.succeeded.connect(on_success)
        job.failed.connect(self._failed)
        job.start()

    def _working(self, text: str, *buttons: QPushButton) -> None:
        self.state.setText(text)
        self.bar.setRange(0, 0)
        self.bar.setVisible(True)
        self._show_buttons(*buttons)

    def _job_done(self) -> None:
        self.job.wait()  # it has emitted its last signal; let the thread end
        self.job = None
        self.bar.setVisible(False)

    def _offer_start(self, text: str) -> None:
        self.state.setText(text)
        self._show_buttons(self.start_button, self.close_button)

    def _show_buttons(self, *shown: QPushButton) -> None:
        for button in self.buttons.buttons():
            button.setVisible(button in shown)
            button.setEnabled(True)
            button.setDefault(False)
        # As tall as its text is now: a dialog on screen does not grow by itself when a wrapped text does.
        self.adjustSize()

    def _button(self, text: str, slot, role, visible: bool = True) -> QPushButton:
        button = self.buttons.addButton(text, role)
        button.clicked.connect(slot)
        button.setVisible(visible)
        return button


def describe(improvement: "Improvement") -> str:
    """Before -> after in plain words."""
    before, after = improvement.before, improvement.after
    lines = [f"Tested on {improvement.held_out_faces:,} faces of your {improvement.people} named people "
             "that it did not learn from:",
             f"• Faces given the right name: {_percent(before.identification)} before → "
             f"{_percent(after.identification)} with the new model",
             f"• Two faces rightly told the same person or not: {_percent(before.verification)} → "
             f"{_percent(after.verification)}",
             ""]
    if improvement.better:
        lines.append("The new model recognises your people better. Use it from now on?")
    else:
        lines.append("The new model does no better on these photos: you may as well discard it.")
    return "\n".join(lines)


def _percent(share: float) -> str:
    return "not measured (too few photos)" if math.isnan(share) else f"{100 * share:.0f} %"
