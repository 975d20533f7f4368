"""The Qt binding itself: PySide6 6.12.0 on CPython 3.11 drops references it does not own.

Each Signal.emit lost a reference to True and each processEvents one to None;
after a few thousand the interpreter aborts ("Fatal Python error:
bool_dealloc"), so the app died while indexing. pyproject.toml excludes it.
"""

import sys

from PySide6.QtCore import QCoreApplication, QObject, Signal


class Emitter(QObject):
    ticked = Signal(int)


def test_signals_and_event_processing_keep_reference_counts(qapp):
    emitter = Emitter()
    emitter.ticked.connect(lambda _: None)
    trues, nones = sys.getrefcount(True), sys.getrefcount(None)
    for i in range(100):
        emitter.ticked.emit(i)
        QCoreApplication.processEvents()
    assert sys.getrefcount(True) >= trues and sys.getrefcount(None) >= nones
