"""Help > Keyboard shortcuts: a table read from the window's own actions and shortcuts, so that it
lists what the keys do now and cannot drift from them.

A menu action is described by its text; a ``QShortcut`` by its ``whatsThis`` (give every one a
description), under the ``accessibleName`` of the screen it belongs to.
"""

from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHeaderView, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

EVERYWHERE = "Everywhere"


def shortcut_rows(window: QWidget) -> list[tuple[str, str, str]]:
    """(where, what it does, keys) for every action and shortcut of ``window`` that has a key."""
    rows = [(_screen_of(action), _plain(action.text()), _keys(action.shortcuts()))
            for action in window.findChildren(QAction) if action.shortcuts()]
    rows += [(_screen_of(shortcut), shortcut.whatsThis(), _keys([shortcut.key()]))
             for shortcut in window.findChildren(QShortcut) if not shortcut.key().isEmpty()]
    merged: dict[tuple[str, str], list[str]] = {}  # one row per thing done, all its keys
    for where, what, keys in rows:
        merged.setdefault((where, what), []).append(keys)
    return sorted(((where, what, ", ".join(keys)) for (where, what), keys in merged.items()),
                  key=lambda row: (row[0] != EVERYWHERE, row[0]))


class ShortcutsDialog(QDialog):
    def __init__(self, window: QWidget):
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.setMinimumSize(520, 420)
        rows = shortcut_rows(window)
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels(["Where", "What", "Keys"])
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(QDialogButtonBox(QDialogButtonBox.StandardButton.Close, rejected=self.reject))


def _screen_of(item: QAction | QShortcut) -> str:
    """The named screen an action or shortcut belongs to; the window's own (the menus') work everywhere."""
    parent = item.parent()
    while parent is not None and not parent.accessibleName():
        parent = parent.parent()
    return EVERYWHERE if parent is None else parent.accessibleName()


def _plain(text: str) -> str:
    return text.replace("&", "").rstrip("…").strip()


def _keys(sequences: list[QKeySequence]) -> str:
    return ", ".join(sequence.toString(QKeySequence.SequenceFormat.NativeText) for sequence in sequences)
