"""Pillow images as Qt images."""

from PySide6.QtGui import QImage


def to_qimage(image) -> QImage:
    """A Pillow RGB image as a QImage that owns its pixels (safe to hand to another thread)."""
    data = image.tobytes()
    return QImage(data, image.width, image.height, 3 * image.width, QImage.Format.Format_RGB888).copy()
