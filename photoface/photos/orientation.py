"""Map points and boxes between a photo's stored frame and its upright frame.

The stored frame is the pixel grid as saved on disk; the upright frame is what
a viewer shows once the EXIF orientation (1..8) is applied. Coordinates are
continuous, in full-resolution pixels: (0, 0) is the outer corner of the first
pixel and (width, height) the outer corner of the last, so a box covering the
whole image maps to the whole image.
"""

Size = tuple[int, int]
Box = tuple[float, float, float, float]  # left, top, width, height

# Stored -> upright as (swap axes, then mirror x, then mirror y), per orientation.
_TRANSFORMS: dict[int, tuple[bool, bool, bool]] = {
    1: (False, False, False),
    2: (False, True, False),  # mirrored left-right
    3: (False, True, True),  # rotated 180
    4: (False, False, True),  # mirrored top-bottom
    5: (True, False, False),  # transposed
    6: (True, True, False),  # shown rotated 90 clockwise
    7: (True, True, True),  # transversed
    8: (True, False, True),  # shown rotated 90 counter-clockwise
}
ORIENTATIONS = frozenset(_TRANSFORMS)


def _transform(orientation: int) -> tuple[bool, bool, bool]:
    try:
        return _TRANSFORMS[orientation]
    except KeyError:
        raise ValueError(f"EXIF orientation must be 1..8, not {orientation!r}") from None


def upright_size(stored_size: Size, orientation: int) -> Size:
    """(width, height) of the photo as a viewer shows it."""
    swap, _, _ = _transform(orientation)
    width, height = stored_size
    return (height, width) if swap else (width, height)


def point_to_upright(x: float, y: float, stored_size: Size, orientation: int) -> tuple[float, float]:
    swap, mirror_x, mirror_y = _transform(orientation)
    width, height = upright_size(stored_size, orientation)
    if swap:
        x, y = y, x
    return (width - x if mirror_x else x), (height - y if mirror_y else y)


def point_to_stored(x: float, y: float, stored_size: Size, orientation: int) -> tuple[float, float]:
    swap, mirror_x, mirror_y = _transform(orientation)
    width, height = upright_size(stored_size, orientation)
    x, y = (width - x if mirror_x else x), (height - y if mirror_y else y)
    return (y, x) if swap else (x, y)


def box_to_upright(box: Box, stored_size: Size, orientation: int) -> Box:
    return _map_box(box, lambda x, y: point_to_upright(x, y, stored_size, orientation))


def box_to_stored(box: Box, stored_size: Size, orientation: int) -> Box:
    return _map_box(box, lambda x, y: point_to_stored(x, y, stored_size, orientation))


def _map_box(box: Box, map_point) -> Box:
    # Every orientation is axis-aligned, so mapping two opposite corners is enough.
    left, top, width, height = box
    x0, y0 = map_point(left, top)
    x1, y1 = map_point(left + width, top + height)
    return min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0)


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two boxes in one frame."""
    ax2, ay2, bx2, by2 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    inter_w = max(0.0, min(ax2, bx2) - max(a[0], b[0]))
    inter_h = max(0.0, min(ay2, by2) - max(a[1], b[1]))
    inter = inter_w * inter_h
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0
