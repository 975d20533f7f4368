"""Improve recognition from the menu: train in the background, see before -> after, use the new model."""

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from photoface.face_model import active_model, improved_model
from photoface.gui.jobs.improving import ReadinessJob
from photoface.gui.main_window import MainWindow
from photoface.gui.views.improve import ImproveDialog
from photoface.people import queries
from photoface_training.library_models import PERSONALISE

JOB_TIMEOUT_MS = 60_000


def open_improve(qtbot, library_dir, embedder) -> tuple[MainWindow, ImproveDialog]:
    window = MainWindow(library_dir, embedder=embedder)
    qtbot.addWidget(window)
    window.show()
    action = next(a for a in window.findChildren(QAction) if a.text() == "Improve recognition…")
    action.trigger()
    return window, ready(qtbot, window.findChild(ImproveDialog))


def ready(qtbot, dialog: ImproveDialog) -> ImproveDialog:
    """The dialog once it has looked at the named faces (in the background: it loads the training code)."""
    assert dialog.isVisible() and not dialog.start_button.isVisible()
    qtbot.waitUntil(lambda: dialog.job is None, timeout=JOB_TIMEOUT_MS)
    return dialog


def names(window) -> list[str]:
    return sorted(person["name"] for person in queries.people(window.library) if person["name"])


def test_improve_then_use_the_new_model(qtbot, named_library, embedder):
    window, dialog = open_improve(qtbot, named_library, embedder)
    people, original = names(window), active_model(window.library)
    dialog.config = replace(PERSONALISE, epochs=2)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.cancel_button.isVisible() and dialog.bar.isVisible()
    qtbot.waitUntil(lambda: dialog.improvement is not None, timeout=JOB_TIMEOUT_MS)
    assert "Faces given the right name:" in dialog.state.text() and "→" in dialog.state.text()
    assert dialog.use_button.isVisible() and dialog.discard_button.isVisible()
    # Enter takes the advice, and the whole result shows (the dialog grows with it).
    advised, other = ((dialog.use_button, dialog.discard_button) if dialog.improvement.better
                      else (dialog.discard_button, dialog.use_button))
    assert advised.isDefault() and not other.isDefault()
    for label in (dialog.intro, dialog.state):
        assert label.height() >= label.heightForWidth(label.width()), f"clipped: {label.text()}"

    with qtbot.waitSignal(dialog.model_changed, timeout=JOB_TIMEOUT_MS):
        qtbot.mouseClick(dialog.use_button, Qt.MouseButton.LeftButton)
    assert "improved model" in dialog.state.text()
    qtbot.waitUntil(lambda: window.job is None, timeout=JOB_TIMEOUT_MS)  # grouped again with it
    head = improved_model(window.library)
    assert head and active_model(window.library) == head != original
    assert names(window) == people

    again = ready(qtbot, window.show_improve())
    assert again.original_button.isVisible()
    with qtbot.waitSignal(again.model_changed, timeout=JOB_TIMEOUT_MS):
        qtbot.mouseClick(again.original_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.job is None, timeout=JOB_TIMEOUT_MS)
    assert active_model(window.library) == original and names(window) == people


def test_cancel_leaves_nothing_and_too_few_names_is_explained(qtbot, named_library, people_library, embedder):
    window, dialog = open_improve(qtbot, named_library, embedder)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.job is None, timeout=JOB_TIMEOUT_MS)
    assert "Nothing has changed" in dialog.state.text() and dialog.start_button.isEnabled()
    assert not (named_library / "models").exists() or not any((named_library / "models").iterdir())

    window, dialog = open_improve(qtbot, people_library, embedder)  # clustered, nobody named
    assert not dialog.start_button.isEnabled()
    assert "at least 2 named people" in dialog.state.text()


def test_closing_while_it_looks_at_the_names_does_not_wait(qtbot, named_library, embedder):
    window = MainWindow(named_library, embedder=embedder)
    qtbot.addWidget(window)
    window.show()
    dialog = window.show_improve()
    check = dialog.job
    assert isinstance(check, ReadinessJob) and dialog.state.text() == "Looking at your named faces…"
    dialog.reject()  # the check goes on under the window, which waits for it when it closes
    assert not dialog.isVisible() and dialog.job is None and check.parent() is window
    window.close()
    assert all(job.isFinished() for job in window.findChildren(ReadinessJob))
