"""Interoperability: face regions and people keywords in XMP, albums per person.

Pure functions over files; no Qt and no database. The people layer decides
what to write and where; these modules only read and write the files.
"""

from photoface.export.albums import ExportReport, export_album, photo_date
from photoface.export.xmp import FaceRegion, read_regions, sidecar_path, write_sidecar

__all__ = [
    "ExportReport",
    "FaceRegion",
    "export_album",
    "photo_date",
    "read_regions",
    "sidecar_path",
    "write_sidecar",
]
