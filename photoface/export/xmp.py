"""Face regions and people keywords in XMP.

Written, to sidecars only: Metadata Working Group regions (``mwg-rs:Regions``,
Type "Face") and people keywords as digiKam and Lightroom keep them
(``digiKam:TagsList`` "People/Name", ``lr:hierarchicalSubject`` "People|Name",
``dc:subject`` "Name"). Read: MWG regions, else Microsoft Photo regions
(``MP:RegionInfo``), from the sidecar, else from the XMP embedded in the photo.

Frame: the MWG Guidelines 2.0 (5.9, "Image Region Metadata") say region
metadata "is applied to the stored image", before EXIF orientation; ExifTool
reads and writes the numbers that way (its rotate_regions.config exists because
regions must be turned by hand when pixels are). That is the library's stored
frame, so boxes go in and come out as stored-frame full-resolution pixels, and
AppliedToDimensions is the stored (width, height). No orientation maths here.

Sidecars are named after the whole file name, ``IMG_1.jpg.xmp`` (digiKam,
darktable), so IMG_1.jpg and IMG_1.heic never share one; the Adobe-style
``IMG_1.xmp`` is read as well but never written.

Updating an existing sidecar: photoface owns its Face regions (the caller passes
every face of the photo, those imported from the sidecar included) and the
people keywords of the names those regions carried. Everything else (other
properties, non-Face regions, other keywords) is kept. A sidecar that is not
parseable XMP is first copied to ``<name>.bak`` (``.bak2``, ...).
"""

import io
import logging
import math
import os
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from photoface.export._header import open_header
from photoface.photos.loader import raw_stored_size
from photoface.photos.orientation import Box, Size
from photoface.photos.raw import is_raw_name

log = logging.getLogger(__name__)

NAMESPACES = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "mwg-rs": "http://www.metadataworkinggroup.com/schemas/regions/",
    "stArea": "http://ns.adobe.com/xmp/sType/Area#",
    "stDim": "http://ns.adobe.com/xap/1.0/sType/Dimensions#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "lr": "http://ns.adobe.com/lightroom/1.0/",
    "digiKam": "http://www.digikam.org/ns/1.0/",
    "MP": "http://ns.microsoft.com/photo/1.2/",
    "MPRI": "http://ns.microsoft.com/photo/1.2/t/RegionInfo#",
    "MPReg": "http://ns.microsoft.com/photo/1.2/t/Region#",
}
for _prefix, _uri in NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)  # so files say mwg-rs:, not ns0:

# Each people keyword property: its array type and how a name is spelled in it.
_PEOPLE_KEYWORDS = (
    ("dc:subject", "rdf:Bag", "{}"),
    ("lr:hierarchicalSubject", "rdf:Bag", "People|{}"),
    ("digiKam:TagsList", "rdf:Seq", "People/{}"),
)
# Darktable and Lightroom sidecars reach megabytes; anything far larger is not XMP.
MAX_XMP_BYTES = 16 * 2**20
_PACKET_START = re.compile(rb"<(?P<tag>[\w.-]+:(?:xmpmeta|xapmeta|RDF))\b")
# Entities are how XML bombs work and XMP never needs them.
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# Prefixes ElementTree may be given: not its own ns0, ns1, ... and not empty.
_FREE_PREFIX = re.compile(r"(?!ns\d+$)[A-Za-z_][\w.-]*")
_XPACKET_BEGIN = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
_XPACKET_END = '\n<?xpacket end="w"?>\n'

XmpValue = str | ET.Element | None
_ARRAY_TAGS = {f"{{{NAMESPACES['rdf']}}}{kind}" for kind in ("Bag", "Seq", "Alt")}


@dataclass(frozen=True)
class FaceRegion:
    name: str | None
    box: Box  # left, top, width, height in stored-frame full-resolution pixels


def sidecar_path(photo_path: Path, folder: Path | None = None) -> Path:
    """Where photoface writes the photo's sidecar: ``<folder>/<file name>.xmp``."""
    photo_path = Path(photo_path)
    return Path(folder or photo_path.parent) / f"{photo_path.name}.xmp"


# --- writing ---------------------------------------------------------------


def write_sidecar(
    photo_path: Path, regions: Iterable[FaceRegion], stored_size: Size, *, folder: Path | None = None
) -> Path:
    """Write or update the photo's sidecar with these face regions; the photo is never touched.

    Boxes are clipped to the image (detections may overhang an edge); one
    left with no area is left out.
    """
    path = sidecar_path(photo_path, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    root = _sidecar_to_update(path)
    rdf = _rdf(root)
    old_names, other_regions = _remove_regions(rdf)
    faces = [(region.name, box) for region in regions if (box := _clip(region.box, stored_size))]
    description = _main_description(rdf)
    if faces or other_regions:
        description.insert(0, _regions_property(faces, other_regions, stored_size))  # first, so rewrites are stable
    names = sorted({name for name, _ in faces if name})
    _update_people_keywords(rdf, description, stale=old_names - set(names), names=names)
    _write_atomically(path, _serialise(root))
    return path


def _sidecar_to_update(path: Path) -> ET.Element:
    if not path.exists():
        return _new_packet()
    data = _read_capped(path)
    xml = _packet_xml(data) if data is not None else None
    root = _parse_xml(xml) if xml is not None else None
    if root is not None and _rdf(root) is not None:
        _keep_prefixes(xml)
        return root
    backup = _back_up(path)
    log.warning("%s is not XMP that photoface can update; kept a copy as %s", path, backup)
    return _new_packet()


def _keep_prefixes(xml: bytes) -> None:
    """Let an update write the file's own prefixes (xmp:Rating), not ns0:Rating."""
    for _, (prefix, uri) in ET.iterparse(io.BytesIO(xml), events=("start-ns",)):
        if prefix not in NAMESPACES and uri not in NAMESPACES.values() and _FREE_PREFIX.fullmatch(prefix):
            ET.register_namespace(prefix, uri)


def _new_packet() -> ET.Element:
    root = ET.Element(_q("x:xmpmeta"))
    ET.SubElement(root, _q("rdf:RDF"))
    return root


def _back_up(path: Path) -> Path:
    backup, number = path.with_name(f"{path.name}.bak"), 1
    while backup.exists():
        number += 1
        backup = path.with_name(f"{path.name}.bak{number}")
    shutil.copy2(path, backup)
    return backup


def _rdf(root: ET.Element) -> ET.Element | None:
    return root if root.tag == _q("rdf:RDF") else root.find("rdf:RDF", NAMESPACES)


def _main_description(rdf: ET.Element) -> ET.Element:
    description = rdf.find("rdf:Description", NAMESPACES)
    if description is None:
        description = ET.SubElement(rdf, _q("rdf:Description"), {_q("rdf:about"): ""})
    return description


def _remove_regions(rdf: ET.Element) -> tuple[set[str], list[ET.Element]]:
    """Drop every mwg-rs:Regions; return the names its Face regions had and its other regions."""
    face_names: set[str] = set()
    other_regions: list[ET.Element] = []
    for description in rdf.findall("rdf:Description", NAMESPACES):
        for regions in description.findall("mwg-rs:Regions", NAMESPACES):
            for item in _array_items(_fields(regions).get(_q("mwg-rs:RegionList"))):
                fields = _fields(item)
                if _text(fields.get(_q("mwg-rs:Type"))) != "Face":
                    other_regions.append(item)
                elif name := _text(fields.get(_q("mwg-rs:Name"))):
                    face_names.add(name)
            description.remove(regions)
    return face_names, other_regions


def _clip(box: Box, size: Size) -> Box | None:
    left, top, width, height = box
    right, bottom = min(left + width, size[0]), min(top + height, size[1])
    left, top = max(left, 0.0), max(top, 0.0)
    if right <= left or bottom <= top:
        return None
    return left, top, right - left, bottom - top


def _regions_property(
    faces: list[tuple[str | None, Box]], other_regions: list[ET.Element], stored_size: Size
) -> ET.Element:
    width, height = stored_size
    regions = ET.Element(_q("mwg-rs:Regions"), {_q("rdf:parseType"): "Resource"})
    dimensions = {_q("stDim:w"): str(width), _q("stDim:h"): str(height), _q("stDim:unit"): "pixel"}
    ET.SubElement(regions, _q("mwg-rs:AppliedToDimensions"), dimensions)
    bag = ET.SubElement(ET.SubElement(regions, _q("mwg-rs:RegionList")), _q("rdf:Bag"))
    for name, box in faces:
        bag.append(_face_item(name, box, stored_size))
    bag.extend(other_regions)
    return regions


def _face_item(name: str | None, box: Box, stored_size: Size) -> ET.Element:
    left, top, width, height = box
    image_width, image_height = stored_size
    item = ET.Element(_q("rdf:li"))
    attributes = {_q("mwg-rs:Type"): "Face"} | ({_q("mwg-rs:Name"): name} if name else {})
    description = ET.SubElement(item, _q("rdf:Description"), attributes)
    area = {  # x, y: the centre of the box (MWG), all normalised to the stored image
        _q("stArea:x"): _decimal((left + width / 2) / image_width),
        _q("stArea:y"): _decimal((top + height / 2) / image_height),
        _q("stArea:w"): _decimal(width / image_width),
        _q("stArea:h"): _decimal(height / image_height),
        _q("stArea:unit"): "normalized",
    }
    ET.SubElement(description, _q("mwg-rs:Area"), area)
    return item


def _decimal(value: float) -> str:
    # XMP Reals are plain decimals: never "1e-06"; 1e-7 of 20,000 px is 0.002 px.
    return f"{value:.7f}".rstrip("0").rstrip(".") or "0"


def _update_people_keywords(rdf: ET.Element, description: ET.Element, stale: set[str], names: list[str]) -> None:
    for property_name, array_type, spelling in _PEOPLE_KEYWORDS:
        found = _keyword_array(rdf, _q(property_name))
        if found is None and not names:
            continue
        owner, prop, array = found or _new_array(description, _q(property_name), _q(array_type))
        if array is None:
            continue  # not an array: someone else's malformed value, left as it is
        stale_values = {spelling.format(person) for person in stale}
        for item in array.findall("rdf:li", NAMESPACES):
            if _text(item) in stale_values:
                array.remove(item)
        present = {_text(item) for item in array.findall("rdf:li", NAMESPACES)}
        for value in (spelling.format(person) for person in names):
            if value not in present:
                ET.SubElement(array, _q("rdf:li")).text = value
        if not len(array):
            owner.remove(prop)


def _keyword_array(rdf: ET.Element, name: str) -> tuple[ET.Element, ET.Element, ET.Element | None] | None:
    """(description, property, its array) for the first ``name`` property in the packet."""
    for description in rdf.findall("rdf:Description", NAMESPACES):
        prop = description.find(name)
        if prop is not None:
            return description, prop, next((child for child in prop if child.tag in _ARRAY_TAGS), None)
    return None


def _new_array(description: ET.Element, name: str, array_type: str) -> tuple[ET.Element, ET.Element, ET.Element]:
    prop = ET.SubElement(description, name)
    return description, prop, ET.SubElement(prop, array_type)


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root, space=" ")
    return (_XPACKET_BEGIN + ET.tostring(root, encoding="unicode") + _XPACKET_END).encode("utf-8")


def _write_atomically(path: Path, data: bytes) -> None:
    # A crash mid-write leaves the old sidecar whole, never half of each.
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


# --- reading ---------------------------------------------------------------


def read_regions(photo_path: Path, *, folder: Path | None = None) -> list[FaceRegion]:
    """Faces other programs recorded for the photo, as stored-frame pixel boxes.

    The sidecar (in ``folder`` if given, else beside the photo) wins over the
    photo's embedded XMP; within one packet MWG regions win over Microsoft
    ones. Unreadable, hostile or absent metadata gives [], never an exception.
    """
    photo_path = Path(photo_path)
    stored_size, embedded = _size_and_embedded_xmp(photo_path)
    for packet in (_sidecar_packet(photo_path, folder), embedded):
        if regions := _regions_in(packet, stored_size):
            return regions
    return []


def _regions_in(packet: bytes | None, stored_size: Size | None) -> list[FaceRegion]:
    root = _parse_packet(packet) if packet else None
    if root is None:
        return []
    return _mwg_regions(root, stored_size) or _microsoft_regions(root, stored_size)


def _size_and_embedded_xmp(photo_path: Path) -> tuple[Size | None, bytes | None]:
    size, packet = None, None
    try:
        with open_header(photo_path) as image:
            packet = image.info.get("xmp") or getattr(image, "tag_v2", {}).get(700)  # 700: TIFF's XMP
            size = image.size
    except Exception:  # decoders raise all sorts on bad data; the sidecar may still be good
        pass
    if is_raw_name(photo_path.name):  # a RAW's TIFF header holds a preview's size, or none
        size = raw_stored_size(photo_path)
    if isinstance(packet, str):
        packet = packet.encode("utf-8")
    return size, packet if isinstance(packet, bytes) else None


def _sidecar_packet(photo_path: Path, folder: Path | None) -> bytes | None:
    folder = Path(folder or photo_path.parent)
    for path in (folder / f"{photo_path.name}.xmp", folder / f"{photo_path.stem}.xmp"):
        if path.is_file():
            return _read_capped(path)
    return None


def _read_capped(path: Path) -> bytes | None:
    try:
        with path.open("rb") as file:
            data = file.read(MAX_XMP_BYTES + 1)
    except OSError:
        return None
    return data if len(data) <= MAX_XMP_BYTES else None


def _parse_packet(data: bytes) -> ET.Element | None:
    xml = _packet_xml(data)
    return _parse_xml(xml) if xml is not None else None


def _packet_xml(data: bytes) -> bytes | None:
    """The packet's root element cut out of any padding or surrounding bytes; None if not safe XMP."""
    if len(data) > MAX_XMP_BYTES or _DECLARATION.search(data):
        return None
    start = _PACKET_START.search(data)
    end = data.rfind(b"</" + start["tag"]) if start else -1
    return data[start.start() : data.find(b">", end) + 1] if end >= 0 else None


def _parse_xml(xml: bytes) -> ET.Element | None:
    try:
        return ET.fromstring(xml)
    except (ET.ParseError, ValueError):
        return None


def _mwg_regions(root: ET.Element, stored_size: Size | None) -> list[FaceRegion]:
    regions = []
    for element in root.iter(_q("mwg-rs:Regions")):
        fields = _fields(element)
        size = stored_size or _applied_dimensions(fields.get(_q("mwg-rs:AppliedToDimensions")))
        if size is None:
            continue
        for item in _array_items(fields.get(_q("mwg-rs:RegionList"))):
            if region := _mwg_face(_fields(item), size):
                regions.append(region)
    return regions


def _applied_dimensions(value: XmpValue) -> Size | None:
    fields = _fields(value)
    width, height = _number(fields.get(_q("stDim:w"))), _number(fields.get(_q("stDim:h")))
    if _text(fields.get(_q("stDim:unit"))) not in ("pixel", "") or not _all_positive(width, height):
        return None
    return round(width), round(height)


def _mwg_face(fields: dict[str, XmpValue], size: Size) -> FaceRegion | None:
    area = _fields(fields.get(_q("mwg-rs:Area")))
    if _text(fields.get(_q("mwg-rs:Type"))) != "Face" or _text(area.get(_q("stArea:unit"))) not in ("normalized", ""):
        return None
    x, y, width, height = (_number(area.get(_q(f"stArea:{key}"))) for key in "xywh")
    if x is None or y is None or not _all_positive(width, height):
        return None
    box = ((x - width / 2) * size[0], (y - height / 2) * size[1], width * size[0], height * size[1])
    return FaceRegion(_text(fields.get(_q("mwg-rs:Name"))) or None, box)


def _microsoft_regions(root: ET.Element, stored_size: Size | None) -> list[FaceRegion]:
    if stored_size is None:
        return []  # Microsoft regions carry no image size of their own
    regions = []
    for element in root.iter(_q("MP:RegionInfo")):
        for item in _array_items(_fields(element).get(_q("MPRI:Regions"))):
            if region := _microsoft_face(_fields(item), stored_size):
                regions.append(region)
    return regions


def _microsoft_face(fields: dict[str, XmpValue], size: Size) -> FaceRegion | None:
    # MPReg:Rectangle is "left, top, width, height", normalised to the stored image.
    numbers = [_number(part) for part in _text(fields.get(_q("MPReg:Rectangle"))).split(",")]
    if len(numbers) != 4 or None in numbers:
        return None
    left, top, width, height = numbers
    if not _all_positive(width, height):
        return None
    box = (left * size[0], top * size[1], width * size[0], height * size[1])
    return FaceRegion(_text(fields.get(_q("MPReg:PersonDisplayName"))) or None, box)


# --- RDF helpers -----------------------------------------------------------


def _q(name: str) -> str:
    """'mwg-rs:Name' as ElementTree spells it: '{http://...regions/}Name'."""
    prefix, local = name.split(":")
    return f"{{{NAMESPACES[prefix]}}}{local}"


def _fields(value: XmpValue) -> dict[str, XmpValue]:
    """A struct's fields, whichever RDF form it takes (attributes, parseType
    Resource children, or a nested rdf:Description with either)."""
    if not isinstance(value, ET.Element):
        return {}
    fields: dict[str, XmpValue] = {}
    for node in (value, *value.findall("rdf:Description", NAMESPACES)):
        fields |= {name: text for name, text in node.attrib.items() if not name.startswith(_q("rdf:"))}
        fields |= {child.tag: child for child in node if child.tag != _q("rdf:Description")}
    return fields


def _array_items(value: XmpValue) -> list[ET.Element]:
    """The rdf:li items of an array property (Bag, Seq or Alt)."""
    if not isinstance(value, ET.Element):
        return []
    return [item for array in value for item in array.findall("rdf:li", NAMESPACES)]


def _text(value: XmpValue) -> str:
    if isinstance(value, ET.Element):
        value = value.text
    return (value or "").strip()


def _number(value: XmpValue) -> float | None:
    try:
        number = float(_text(value))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _all_positive(*numbers: float | None) -> bool:
    return all(number is not None and number > 0 for number in numbers)
