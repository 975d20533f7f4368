"""Write DNGs from real photos for the tests: a Bayer mosaic, optionally with
an embedded JPEG preview, as a camera (or Adobe's converter) writes them.

The mosaic holds the photo's linear sRGB values (gamma 2.2 undone, 12 bits)
in an RGGB pattern, and ColorMatrix1 is XYZ -> linear sRGB, so LibRaw's
demosaic gives the photo back, less sharp.
"""

from pathlib import Path
from typing import BinaryIO

import numpy as np
import tifffile
from PIL import Image

WHITE_LEVEL = 4095
XYZ_TO_LINEAR_SRGB = ((3.2406, -1.5372, -0.4986), (-0.9689, 1.8758, 0.0415), (0.0557, -0.2040, 1.0570))


def bayer_mosaic(image: Image.Image) -> np.ndarray:
    """RGGB samples of ``image`` (even-sized), linear, 0..WHITE_LEVEL."""
    linear = (np.asarray(image.convert("RGB"), np.float64) / 255) ** 2.2 * WHITE_LEVEL
    height, width = (side - side % 2 for side in linear.shape[:2])
    mosaic = np.empty((height, width), np.uint16)
    for row, column, channel in ((0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 2)):
        mosaic[row::2, column::2] = linear[row:height:2, column:width:2, channel]
    return mosaic


def write_dng(path: Path | BinaryIO, stored: Image.Image, *, orientation: int = 1, preview: Image.Image | None = None) -> Path:
    """A DNG whose sensor image is ``stored`` (the pixel grid before ``orientation``).

    With ``preview`` (also in the stored frame) IFD 0 is that JPEG preview and
    the raw data sits in its SubIFD, as cameras' DNGs are laid out; without,
    IFD 0 is the raw data.
    """
    ratio = [value for number in np.ravel(XYZ_TO_LINEAR_SRGB) for value in (round(number * 10_000), 10_000)]
    main = [
        (271, "s", 0, "photoface", True),  # Make
        (272, "s", 0, "test DNG", True),  # Model
        (274, "H", 1, orientation, True),  # Orientation
        (50706, "B", 4, (1, 4, 0, 0), True),  # DNGVersion
        (50708, "s", 0, "photoface test DNG", True),  # UniqueCameraModel
        (50721, "2i", 9, ratio, True),  # ColorMatrix1
        (50778, "H", 1, 21, True),  # CalibrationIlluminant1: D65
        (50728, "2I", 3, (1, 1, 1, 1, 1, 1), True),  # AsShotNeutral
    ]
    raw = [
        (33421, "H", 2, (2, 2), True),  # CFARepeatPatternDim
        (33422, "B", 4, (0, 1, 1, 2), True),  # CFAPattern: RGGB
        (50714, "H", 1, 0, True),  # BlackLevel
        (50717, "H", 1, WHITE_LEVEL, True),  # WhiteLevel
    ]
    mosaic = bayer_mosaic(stored)
    with tifffile.TiffWriter(path) as tif:
        if preview is None:
            tif.write(mosaic, photometric=32803, subfiletype=0, extratags=main + raw)  # 32803: CFA
        else:
            tif.write(np.asarray(preview.convert("RGB")), photometric="rgb", compression="jpeg",
                      rowsperstrip=preview.height, subfiletype=1, subifds=1, extratags=main)
            tif.write(mosaic, photometric=32803, subfiletype=0, extratags=raw)
    return path
