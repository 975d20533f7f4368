"""The tile grid both the people and the faces screens use."""

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QAbstractItemView, QListView


def tile_grid(icon_side: int, text_lines: int = 0, parent=None) -> QListView:
    """An icon-mode list: uniform tiles, so Qt lays out and paints only what is on screen."""
    grid = QListView(parent)
    grid.setViewMode(QListView.ViewMode.IconMode)
    grid.setUniformItemSizes(True)
    grid.setMovement(QListView.Movement.Static)
    grid.setResizeMode(QListView.ResizeMode.Adjust)
    grid.setWordWrap(True)
    grid.setIconSize(QSize(icon_side, icon_side))
    line_height = grid.fontMetrics().lineSpacing()
    grid.setGridSize(QSize(icon_side + 24, icon_side + 16 + text_lines * line_height))
    grid.setSpacing(4)
    grid.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    return grid
