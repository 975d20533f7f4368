"""Readers for the labelled data sets under ``../shared/data`` (see its README)."""

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

from ..photos.orientation import Box


def shared_data_dir() -> Path:
    """``../shared/data`` beside the repository root, links resolved as the index stores paths."""
    return (Path(__file__).resolve().parents[3] / "shared" / "data").resolve()


def dlib_boxes(folder: Path) -> dict[str, list[Box]]:
    """Hand-drawn face boxes of dlib's ``training.xml`` and ``testing.xml``, by file name."""
    boxes: dict[str, list[Box]] = {}
    for xml_name in ("training.xml", "testing.xml"):
        for image in ElementTree.parse(folder / xml_name).getroot().iter("image"):
            boxes.setdefault(image.get("file"), []).extend(
                tuple(float(box.get(key)) for key in ("left", "top", "width", "height"))
                for box in image.iter("box")
            )
    return boxes


CELEBA_IDENTITIES = "identity.txt"


def celeba_identities(folder: Path) -> dict[str, str]:
    """CelebA identity of each photo's main face, by file name, in ``identity.txt``'s order."""
    lines = (Path(folder) / CELEBA_IDENTITIES).read_text().splitlines()[1:]
    return dict(line.split() for line in lines if line.strip())


@dataclass(frozen=True)
class LfwPair:
    fold: int
    first: Path
    second: Path
    same: bool


def lfw_pairs(lfw_dir: Path) -> list[LfwPair]:
    """The standard protocol's 6,000 pairs in 10 folds (``pairs.txt``)."""
    lines = (lfw_dir / "pairs.txt").read_text().split("\n")
    n_folds, per_fold = map(int, lines[0].split())
    pairs = []
    for index, line in enumerate(filter(None, lines[1:])):
        parts = line.split()
        if len(parts) == 3:
            name, a, b = parts
            first, second, same = _lfw_image(lfw_dir, name, a), _lfw_image(lfw_dir, name, b), True
        else:
            name_a, a, name_b, b = parts
            first, second, same = _lfw_image(lfw_dir, name_a, a), _lfw_image(lfw_dir, name_b, b), False
        pairs.append(LfwPair(index // (2 * per_fold), first, second, same))
    assert len(pairs) == n_folds * 2 * per_fold, "pairs.txt does not match its header"
    return pairs


def _lfw_image(lfw_dir: Path, name: str, number: str) -> Path:
    return lfw_dir / name / f"{name}_{int(number):04d}.jpg"
