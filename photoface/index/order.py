"""The order photos are analysed in: spread over the library, so the first faces found cover it.

A library walked in name order shows the people of its first folders for
hours; spread out, the first few percent of a pass meet most of its people
(and dates), and the people view fills in from the whole library at once.
"""

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from ..store.records import PhotoRecord

T = TypeVar("T")


def spread_order(records: Sequence[PhotoRecord]) -> list[PhotoRecord]:
    """The records, taking in turn one photo of each folder, folders and dates spread out.

    Folders are visited in a spread-out order of their paths (so early photos
    come from all over the tree), and each folder gives its photos in a
    spread-out order of their modification times (so early photos come from
    all of its dates). Every record is kept, once; the order is deterministic.
    """
    by_folder: dict[Path, list[PhotoRecord]] = defaultdict(list)
    for record in records:
        by_folder[Path(record.path).parent].append(record)
    queues = [spread(sorted(by_folder[folder], key=lambda record: (record.mtime_ns, record.path)))
              for folder in spread(sorted(by_folder))]
    longest = max(map(len, queues), default=0)
    return [queue[turn] for turn in range(longest) for queue in queues if turn < len(queue)]


def spread(items: Sequence[T]) -> list[T]:
    """``items`` in bit-reversed (van der Corput) order of their positions: each prefix covers them evenly.

    0, n/2, n/4, 3n/4, n/8, ...: the first k items lie about n/k apart.
    """
    bits = max(1, (len(items) - 1).bit_length())
    reversed_bits = sorted(range(len(items)), key=lambda index: int(f"{index:0{bits}b}"[::-1], 2))
    return [items[index] for index in reversed_bits]
