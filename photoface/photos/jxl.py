"""A JPEG XL file's image size, read from its header before any decoder sees the file.

pillow-jxl-plugin decodes the whole image inside ``Image.open``, so the loader
must refuse a 30,000 x 30,000 px header before handing the file over. The size
is the codestream's SizeHeader (ISO/IEC 18181-1, section A.2), right after the
codestream's signature; in the ISOBMFF container the codestream is in the
``jxlc`` box, or split over ``jxlp`` boxes (each opening with a 4-byte index).
"""

import struct
from typing import BinaryIO

CODESTREAM_SIGNATURE = b"\xff\x0a"
CONTAINER_SIGNATURE = b"\x00\x00\x00\x0cJXL \r\n\x87\n"
_HEADER_BYTES = 16  # a SizeHeader is at most 2 + 9 bytes long
_MAX_BOXES = 1000  # the codestream comes within a few boxes; a file of endless tiny boxes is refused

# SizeHeader's fixed aspect ratios (width = height * numerator // denominator), by their 3-bit code.
_RATIOS = {1: (1, 1), 2: (12, 10), 3: (4, 3), 4: (3, 2), 5: (16, 9), 6: (5, 4), 7: (2, 1)}
_SIZE_BITS = (9, 13, 18, 30)  # the U32 distributions of a side not divisible by 8: Bits(n) + 1


class NotJxlSize(Exception):
    """The file claims to be JPEG XL but its size cannot be read from it."""


def claims_jxl(head: bytes) -> bool:
    """Whether pillow-jxl-plugin would take a file starting with ``head`` (its own test, ``_accept``)."""
    return head[:2] == CODESTREAM_SIGNATURE or head[:12] == CONTAINER_SIGNATURE or head[4:7] == b"JXL"


def jxl_size(file: BinaryIO) -> tuple[int, int]:
    """(width, height) of the JPEG XL image in ``file`` (read from its start); NotJxlSize if unreadable."""
    file.seek(0)
    head = file.read(len(CONTAINER_SIGNATURE))
    codestream = head + file.read(_HEADER_BYTES) if head[:2] == CODESTREAM_SIGNATURE else _boxed_codestream(file)
    if codestream[:2] != CODESTREAM_SIGNATURE:
        raise NotJxlSize("no codestream")
    return _size_header(_Bits(codestream[2:]))


def _boxed_codestream(file: BinaryIO) -> bytes:
    """The start of the codestream of a container file, read box by box from its start."""
    file.seek(0)
    found = b""
    for _ in range(_MAX_BOXES):
        header = file.read(8)
        if len(header) < 8:
            break
        size, kind = struct.unpack(">I4s", header)
        header_size = 8
        if size == 1:  # a 64-bit size follows
            (size,) = struct.unpack(">Q", file.read(8).rjust(8, b"\0"))
            header_size = 16
        payload = None if size == 0 else size - header_size  # 0: the box runs to the end of the file
        if payload is not None and payload < 0:
            raise NotJxlSize("broken box")
        if kind in (b"jxlc", b"jxlp"):
            skip = 4 if kind == b"jxlp" else 0  # a part's index
            chunk = file.read(_HEADER_BYTES if payload is None else min(payload, skip + _HEADER_BYTES))
            found += chunk[skip:]
            if kind == b"jxlc" or len(found) >= _HEADER_BYTES:
                return found
            file.seek(payload - len(chunk), 1)
        elif payload is None:
            break
        else:
            file.seek(payload, 1)
    return found


def _size_header(bits: "_Bits") -> tuple[int, int]:
    small = bits.read(1)
    height = (bits.read(5) + 1) * 8 if small else _side(bits)
    ratio = bits.read(3)
    if ratio:
        numerator, denominator = _RATIOS[ratio]
        return height * numerator // denominator, height
    width = (bits.read(5) + 1) * 8 if small else _side(bits)
    return width, height


def _side(bits: "_Bits") -> int:
    return bits.read(_SIZE_BITS[bits.read(2)]) + 1


class _Bits:
    """JPEG XL's bit order: each byte's least significant bit first."""

    def __init__(self, data: bytes):
        self._value = int.from_bytes(data, "little")
        self._left = 8 * len(data)

    def read(self, count: int) -> int:
        if count > self._left:
            raise NotJxlSize("header cut short")
        value = self._value & ((1 << count) - 1)
        self._value >>= count
        self._left -= count
        return value
