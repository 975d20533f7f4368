"""XMP face regions and people keywords: round trips, merging, hostile input,
and ExifTool as the independent reader and writer."""

import hashlib
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from photoface.export.xmp import MAX_XMP_BYTES, NAMESPACES, FaceRegion, read_regions, sidecar_path, write_sidecar
from photoface.photos import box_to_stored
from .conftest import stored_for_orientation

EXIF_PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "data" / "photos" / "exif"
ORIENTED_PHOTOS = [f"{shape}_{orientation}.jpg" for shape in ("landscape", "portrait") for orientation in range(1, 9)]
EXIFTOOL = shutil.which("exiftool")
needs_exiftool = pytest.mark.skipif(
    EXIFTOOL is None, reason="exiftool not installed (Debian: apt-get install -y libimage-exiftool-perl)"
)


def copy_photo(tmp_path: Path, name: str) -> Path:
    destination = tmp_path / name
    shutil.copyfile(EXIF_PHOTOS / name, destination)
    return destination


def stored_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def some_faces(size: tuple[int, int]) -> list[FaceRegion]:
    width, height = size
    return [
        FaceRegion("Alice Ä", (0.10 * width, 0.20 * height, 0.15 * width, 0.20 * height)),
        FaceRegion("Bob", (0.60 * width, 0.50 * height, 0.25 * width, 0.30 * height)),
        FaceRegion(None, (0.40 * width, 0.05 * height, 0.10 * width, 0.10 * height)),
    ]


def assert_same_regions(found: list[FaceRegion], expected: list[FaceRegion], tolerance: float = 0.01) -> None:
    assert [region.name for region in found] == [region.name for region in expected]
    for got, want in zip(found, expected, strict=True):
        assert got.box == pytest.approx(want.box, abs=tolerance)


def exiftool(*arguments: str | Path) -> str:
    return subprocess.run([EXIFTOOL, *map(str, arguments)], check=True, capture_output=True, text=True).stdout


def exiftool_json(*arguments: str | Path) -> dict:
    return json.loads(exiftool("-j", "-struct", *arguments))[0]


def assert_valid_xmp(path: Path) -> None:
    lines = exiftool("-validate", "-warning", "-a", path).strip().splitlines()
    assert [line.split(":", 1)[1].strip() for line in lines if line.startswith("Validate")] == ["OK"], lines
    assert not [line for line in lines if line.startswith(("Warning", "Error"))], lines


def keywords(sidecar: Path) -> dict[str, list[str]]:
    root = ET.parse(sidecar).getroot()
    return {
        name: [item.text for item in root.iterfind(f".//{name}//rdf:li", NAMESPACES)]
        for name in ("dc:subject", "lr:hierarchicalSubject", "digiKam:TagsList")
    }


# --- round trips -------------------------------------------------------------


@pytest.mark.parametrize("name", ORIENTED_PHOTOS)
def test_round_trip_in_the_stored_frame(tmp_path, name):
    photo = copy_photo(tmp_path, name)
    before = sha256(photo)
    faces = some_faces(stored_size(photo))

    sidecar = write_sidecar(photo, faces, stored_size(photo))

    assert sidecar == tmp_path / f"{name}.xmp" == sidecar_path(photo)
    assert_same_regions(read_regions(photo), faces)
    assert sha256(photo) == before


def test_people_keywords_in_digikam_and_lightroom_form(tmp_path):
    photo = copy_photo(tmp_path, "landscape_1.jpg")
    sidecar = write_sidecar(photo, some_faces(stored_size(photo)), stored_size(photo))
    assert keywords(sidecar) == {
        "dc:subject": ["Alice Ä", "Bob"],
        "lr:hierarchicalSubject": ["People|Alice Ä", "People|Bob"],
        "digiKam:TagsList": ["People/Alice Ä", "People/Bob"],
    }


def test_sidecar_in_a_chosen_folder_leaves_the_photo_folder_alone(tmp_path):
    photo = copy_photo(tmp_path, "portrait_6.jpg")
    folder = tmp_path / "sidecars"
    faces = some_faces(stored_size(photo))

    sidecar = write_sidecar(photo, faces, stored_size(photo), folder=folder)

    assert sidecar == folder / "portrait_6.jpg.xmp"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["portrait_6.jpg", "sidecars"]
    assert read_regions(photo) == []
    assert_same_regions(read_regions(photo, folder=folder), faces)


def test_boxes_overhanging_the_edge_are_clipped_and_empty_ones_dropped(tmp_path):
    photo = copy_photo(tmp_path, "landscape_1.jpg")  # 600 x 450
    faces = [FaceRegion("Edge", (-20, 400, 100, 100)), FaceRegion("Outside", (700, 10, 50, 50))]
    write_sidecar(photo, faces, (600, 450))
    assert_same_regions(read_regions(photo), [FaceRegion("Edge", (0, 400, 80, 50))])


def test_rewriting_is_stable_and_a_rename_replaces_the_old_keywords(tmp_path):
    photo = copy_photo(tmp_path, "landscape_1.jpg")
    size = stored_size(photo)
    sidecar = write_sidecar(photo, some_faces(size), size)
    first = sidecar.read_bytes()
    assert write_sidecar(photo, some_faces(size), size).read_bytes() == first

    renamed = [FaceRegion("Carol", face.box) if face.name == "Bob" else face for face in some_faces(size)]
    write_sidecar(photo, renamed, size)
    assert keywords(sidecar)["lr:hierarchicalSubject"] == ["People|Alice Ä", "People|Carol"]

    write_sidecar(photo, [], size)
    assert read_regions(photo) == []
    assert keywords(sidecar) == {"dc:subject": [], "lr:hierarchicalSubject": [], "digiKam:TagsList": []}


# --- updating sidecars written by others ---------------------------------------

FOREIGN_SIDECAR = """<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:darktable="http://darktable.sf.net/" xmp:Rating="4" darktable:xmp_version="5">
   <darktable:history><rdf:Seq><rdf:li darktable:operation="exposure"/></rdf:Seq></darktable:history>
  </rdf:Description>
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmlns:digiKam="http://www.digikam.org/ns/1.0/"
    xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"
    xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#"
    xmlns:stDim="http://ns.adobe.com/xap/1.0/sType/Dimensions#">
   <dc:subject><rdf:Bag><rdf:li>Holiday</rdf:li><rdf:li>Old Name</rdf:li></rdf:Bag></dc:subject>
   <lr:hierarchicalSubject><rdf:Bag>
    <rdf:li>Places|Paris</rdf:li><rdf:li>People|Old Name</rdf:li><rdf:li>People|Untouched</rdf:li>
   </rdf:Bag></lr:hierarchicalSubject>
   <digiKam:TagsList><rdf:Seq><rdf:li>Places/Paris</rdf:li><rdf:li>People/Old Name</rdf:li></rdf:Seq></digiKam:TagsList>
   <mwg-rs:Regions rdf:parseType="Resource">
    <mwg-rs:AppliedToDimensions stDim:w="600" stDim:h="450" stDim:unit="pixel"/>
    <mwg-rs:RegionList><rdf:Bag>
     <rdf:li><rdf:Description mwg-rs:Name="Old Name" mwg-rs:Type="Face">
      <mwg-rs:Area stArea:x="0.5" stArea:y="0.5" stArea:w="0.1" stArea:h="0.1" stArea:unit="normalized"/>
     </rdf:Description></rdf:li>
     <rdf:li><rdf:Description mwg-rs:Name="Rex" mwg-rs:Type="Pet">
      <mwg-rs:Area stArea:x="0.2" stArea:y="0.8" stArea:w="0.1" stArea:h="0.1" stArea:unit="normalized"/>
     </rdf:Description></rdf:li>
    </rdf:Bag></mwg-rs:RegionList>
   </mwg-rs:Regions>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""


def updated_foreign_sidecar(tmp_path: Path) -> Path:
    photo = copy_photo(tmp_path, "landscape_1.jpg")
    sidecar_path(photo).write_text(FOREIGN_SIDECAR, encoding="utf-8")
    assert [region.name for region in read_regions(photo)] == ["Old Name"]
    return write_sidecar(photo, [FaceRegion("New Name", (10, 20, 30, 40))], (600, 450))


def test_update_replaces_only_our_faces_and_keywords(tmp_path):
    sidecar = updated_foreign_sidecar(tmp_path)

    assert_same_regions(read_regions(tmp_path / "landscape_1.jpg"), [FaceRegion("New Name", (10, 20, 30, 40))])
    assert keywords(sidecar) == {
        "dc:subject": ["Holiday", "New Name"],
        "lr:hierarchicalSubject": ["Places|Paris", "People|Untouched", "People|New Name"],
        "digiKam:TagsList": ["Places/Paris", "People/New Name"],
    }
    text = sidecar.read_text(encoding="utf-8")
    assert 'xmp:Rating="4"' in text and "exposure" in text and 'Name="Rex"' in text and 'Type="Pet"' in text
    assert not list(tmp_path.glob("*.bak*"))


@needs_exiftool
def test_updated_foreign_sidecar_is_valid_for_exiftool(tmp_path):
    sidecar = updated_foreign_sidecar(tmp_path)
    assert_valid_xmp(sidecar)
    regions = exiftool_json("-RegionInfo", "-Rating", sidecar)
    assert regions["Rating"] == 4
    assert [(region["Name"], region["Type"]) for region in regions["RegionInfo"]["RegionList"]] == [
        ("New Name", "Face"),
        ("Rex", "Pet"),
    ]


def test_an_unparseable_sidecar_is_backed_up_not_destroyed(tmp_path):
    photo = copy_photo(tmp_path, "landscape_1.jpg")
    garbage = b"\x00\xffnot xmp at all <x:xmpmeta"
    sidecar_path(photo).write_bytes(garbage)

    write_sidecar(photo, [FaceRegion("A", (1, 2, 3, 4))], (600, 450))
    sidecar_path(photo).write_bytes(garbage + b" again")
    write_sidecar(photo, [FaceRegion("A", (1, 2, 3, 4))], (600, 450))

    assert (tmp_path / "landscape_1.jpg.xmp.bak").read_bytes() == garbage
    assert (tmp_path / "landscape_1.jpg.xmp.bak2").read_bytes() == garbage + b" again"
    assert [region.name for region in read_regions(photo)] == ["A"]


# --- reading what others wrote -------------------------------------------------


def embed_xmp(photo: Path, packet: bytes) -> None:
    with Image.open(photo) as image:
        image.load()
        exif = image.info.get("exif", b"")
    image.save(photo, "JPEG", quality=90, exif=exif, xmp=packet)


def test_sidecar_wins_over_embedded_and_adobe_style_names_are_read(tmp_path):
    photo = copy_photo(tmp_path, "landscape_1.jpg")
    embed_xmp(photo, FOREIGN_SIDECAR.split("\n", 1)[1].encode())
    assert [region.name for region in read_regions(photo)] == ["Old Name"]

    write_sidecar(photo, [FaceRegion("Sidecar", (1, 2, 3, 4))], (600, 450))
    sidecar_path(photo).rename(tmp_path / "landscape_1.xmp")
    assert [region.name for region in read_regions(photo)] == ["Sidecar"]


def test_applied_dimensions_serve_when_the_photo_is_unreadable(tmp_path):
    photo = tmp_path / "gone.jpg"
    photo.write_bytes(b"not a photo")
    sidecar_path(photo).write_text(FOREIGN_SIDECAR, encoding="utf-8")
    assert_same_regions(read_regions(photo), [FaceRegion("Old Name", (270, 202.5, 60, 45))])


@needs_exiftool
def test_reads_mwg_regions_embedded_by_exiftool(tmp_path):
    photo = copy_photo(tmp_path, "landscape_6.jpg")  # stored 450 x 600, shown turned
    regions = (
        "{AppliedToDimensions={W=450,H=600,Unit=pixel},RegionList=["
        "{Area={X=0.5,Y=0.25,W=0.2,H=0.1,Unit=normalized},Name=Zoë,Type=Face},"
        "{Area={X=0.1,Y=0.1,W=0.1,H=0.1,Unit=normalized},Type=Pet},"
        "{Area={X=0.3,Y=0.7,W=0.1,H=0.05,Unit=normalized},Type=Face}]}"
    )
    exiftool("-overwrite_original", f"-RegionInfo={regions}", photo)
    assert_same_regions(
        read_regions(photo),
        [FaceRegion("Zoë", (180, 120, 90, 60)), FaceRegion(None, (112.5, 405, 45, 30))],
    )


@needs_exiftool
def test_reads_microsoft_regions_embedded_by_exiftool(tmp_path):
    photo = copy_photo(tmp_path, "portrait_8.jpg")  # stored 600 x 450
    regions = "{Regions=[{PersonDisplayName=Bob,Rectangle=0.1|, 0.2|, 0.3|, 0.4},{Rectangle=0.5|, 0.5|, 0.1|, 0.1}]}"
    exiftool("-overwrite_original", f"-RegionInfoMP={regions}", photo)
    assert_same_regions(
        read_regions(photo),
        [FaceRegion("Bob", (60, 90, 180, 180)), FaceRegion(None, (300, 225, 60, 45))],
    )


@needs_exiftool
def test_mwg_wins_over_microsoft_in_one_packet(tmp_path):
    photo = copy_photo(tmp_path, "landscape_1.jpg")
    exiftool(
        "-overwrite_original",
        "-RegionInfoMP={Regions=[{PersonDisplayName=Microsoft,Rectangle=0.1|, 0.2|, 0.3|, 0.4}]}",
        "-RegionInfo={RegionList=[{Area={X=0.5,Y=0.5,W=0.2,H=0.2,Unit=normalized},Name=MWG,Type=Face}]}",
        photo,
    )
    assert [region.name for region in read_regions(photo)] == ["MWG"]


# --- ExifTool as the independent reader ---------------------------------------


@needs_exiftool
@pytest.mark.parametrize("name", ["landscape_1.jpg", "portrait_5.jpg", "landscape_8.jpg"])
def test_exiftool_validates_our_sidecar_and_reads_our_numbers(tmp_path, name):
    photo = copy_photo(tmp_path, name)
    width, height = stored_size(photo)
    faces = some_faces((width, height))
    sidecar = write_sidecar(photo, faces, (width, height))

    assert_valid_xmp(sidecar)
    info = exiftool_json("-RegionInfo", "-HierarchicalSubject", "-TagsList", "-Subject", sidecar)
    assert info["RegionInfo"]["AppliedToDimensions"] == {"W": width, "H": height, "Unit": "pixel"}
    for region, face in zip(info["RegionInfo"]["RegionList"], faces, strict=True):
        left, top, box_width, box_height = face.box
        assert region["Type"] == "Face" and region.get("Name") == face.name
        assert region["Area"]["Unit"] == "normalized"
        assert region["Area"]["X"] == pytest.approx((left + box_width / 2) / width, abs=1e-6)
        assert region["Area"]["Y"] == pytest.approx((top + box_height / 2) / height, abs=1e-6)
        assert region["Area"]["W"] == pytest.approx(box_width / width, abs=1e-6)
        assert region["Area"]["H"] == pytest.approx(box_height / height, abs=1e-6)
    assert info["HierarchicalSubject"] == ["People|Alice Ä", "People|Bob"]
    assert info["TagsList"] == ["People/Alice Ä", "People/Bob"]
    assert info["Subject"] == ["Alice Ä", "Bob"]


RED = (255, 0, 0)


def photo_with_face_patch(tmp_path: Path, orientation: int) -> tuple[Path, tuple[int, int, int, int]]:
    """A copy of landscape_N.jpg with a red 'face' painted where a viewer shows
    it, at an asymmetric spot of the upright image; returns it and that box."""
    photo = tmp_path / f"face_{orientation}.jpg"
    with Image.open(EXIF_PHOTOS / f"landscape_{orientation}.jpg") as original:
        exif = original.info["exif"]
        upright = ImageOps.exif_transpose(original).convert("L").convert("RGB")  # no red but ours
    width, height = upright.size
    box = (width // 10, height // 5, width // 4, height // 3)
    upright.paste(RED, (box[0], box[1], box[0] + box[2], box[1] + box[3]))
    stored = stored_for_orientation(upright, orientation)
    stored.save(photo, "JPEG", quality=95, exif=exif)
    return photo, box


def red_bounding_box(image: Image.Image) -> tuple[int, int, int, int]:
    pixels = np.asarray(image.convert("RGB"), dtype=np.int16)
    red = (pixels[..., 0] > 200) & (pixels[..., 1] < 60) & (pixels[..., 2] < 60)
    rows, columns = np.nonzero(red.any(axis=1))[0], np.nonzero(red.any(axis=0))[0]
    return columns[0], rows[0], columns[-1] + 1 - columns[0], rows[-1] + 1 - rows[0]


@needs_exiftool
@pytest.mark.parametrize("orientation", range(1, 9))
def test_exiftool_places_our_region_on_the_face_of_an_oriented_photo(tmp_path, orientation):
    photo, upright_box = photo_with_face_patch(tmp_path, orientation)
    with Image.open(photo) as image:
        stored = image.size
        assert red_bounding_box(ImageOps.exif_transpose(image)) == pytest.approx(upright_box, abs=2)
        stored_face = red_bounding_box(image)

    sidecar = write_sidecar(photo, [FaceRegion("Face", box_to_stored(upright_box, stored, orientation))], stored)

    # ExifTool's view: the photo's stored size and orientation, the sidecar's numbers.
    header = exiftool_json("-n", "-ImageWidth", "-ImageHeight", "-Orientation", photo)
    assert (header["ImageWidth"], header["ImageHeight"], header["Orientation"]) == (*stored, orientation)
    info = exiftool_json("-n", "-RegionInfo", sidecar)["RegionInfo"]
    assert (info["AppliedToDimensions"]["W"], info["AppliedToDimensions"]["H"]) == stored
    area = info["RegionList"][0]["Area"]
    width, height = header["ImageWidth"], header["ImageHeight"]
    exiftool_box = (
        (area["X"] - area["W"] / 2) * width,
        (area["Y"] - area["H"] / 2) * height,
        area["W"] * width,
        area["H"] * height,
    )
    # MWG regions apply to the stored pixels: there ExifTool's region covers the face.
    assert exiftool_box == pytest.approx(stored_face, abs=2)
    assert read_regions(photo)[0].box == pytest.approx(exiftool_box, abs=0.01)


# --- hostile and broken input --------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/" mwg-rs:x="&lol3;"/>
</rdf:RDF></x:xmpmeta>"""
EXTERNAL_ENTITY = b"""<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<x:xmpmeta xmlns:x="adobe:ns:meta/">&secret;</x:xmpmeta>"""


def packet(body: str, attributes: str = "") -> bytes:
    """An XMP packet whose one rdf:Description holds ``body``, all our namespaces declared."""
    declarations = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items() if prefix != "x")
    return (
        f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF {declarations}>'
        f"<rdf:Description {attributes}>{body}</rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()


def mwg_packet(area: str) -> bytes:
    return packet(
        '<mwg-rs:Regions rdf:parseType="Resource"><mwg-rs:RegionList><rdf:Bag><rdf:li>'
        f'<rdf:Description mwg-rs:Type="Face" mwg-rs:Name="X">{area}</rdf:Description>'
        "</rdf:li></rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions>"
    )


def microsoft_packet(rectangle: str) -> bytes:
    return packet(
        '<MP:RegionInfo rdf:parseType="Resource"><MPRI:Regions><rdf:Bag>'
        f'<rdf:li MPReg:Rectangle="{rectangle}" MPReg:PersonDisplayName="X"/>'
        "</rdf:Bag></MPRI:Regions></MP:RegionInfo>"
    )


GOOD_AREA = '<mwg-rs:Area stArea:x="0.5" stArea:y="0.5" stArea:w="0.1" stArea:h="0.2" stArea:unit="normalized"/>'
HOSTILE_PACKETS = {
    "empty": b"",
    "binary": bytes(range(256)) * 4,
    "truncated": mwg_packet(GOOD_AREA)[:-60],
    "billion laughs": BILLION_LAUGHS,
    "external entity": EXTERNAL_ENTITY,
    "not numbers": mwg_packet('<mwg-rs:Area stArea:x="a" stArea:y="b" stArea:w="c" stArea:h="d"/>'),
    "nan and inf": mwg_packet('<mwg-rs:Area stArea:x="nan" stArea:y="0.5" stArea:w="inf" stArea:h="0.1"/>'),
    "negative size": mwg_packet('<mwg-rs:Area stArea:x="0.5" stArea:y="0.5" stArea:w="-0.1" stArea:h="0.1"/>'),
    "no area": mwg_packet(""),
    "area as text": mwg_packet("<mwg-rs:Area>0.5</mwg-rs:Area>"),
    "pixel unit": mwg_packet('<mwg-rs:Area stArea:x="5" stArea:y="5" stArea:w="1" stArea:h="1" stArea:unit="pixel"/>'),
    "region list as text": packet("", 'mwg-rs:RegionList="oops"'),
    "microsoft rectangle garbage": microsoft_packet("0.1, x, 0.2"),
    "microsoft rectangle empty": microsoft_packet(""),
}


@pytest.mark.parametrize("packet", HOSTILE_PACKETS.values(), ids=HOSTILE_PACKETS.keys())
def test_hostile_or_broken_xmp_gives_no_regions(tmp_path, packet):
    photo = copy_photo(tmp_path, "landscape_1.jpg")
    sidecar_path(photo).write_bytes(packet)
    assert read_regions(photo) == []
    sidecar_path(photo).unlink()
    embed_xmp(photo, packet)
    assert read_regions(photo) == []


def test_the_hostile_cases_do_parse_when_made_sound(tmp_path):
    # Guards the test above: the same packet with a good Area is read.
    photo = copy_photo(tmp_path, "landscape_1.jpg")
    sidecar_path(photo).write_bytes(mwg_packet(GOOD_AREA))
    assert_same_regions(read_regions(photo), [FaceRegion("X", (270, 180, 60, 90))])
    sidecar_path(photo).write_bytes(microsoft_packet("0.5, 0.4, 0.1, 0.2"))
    assert_same_regions(read_regions(photo), [FaceRegion("X", (300, 180, 60, 90))])


def test_oversized_sidecar_is_ignored(tmp_path):
    photo = copy_photo(tmp_path, "landscape_1.jpg")
    sidecar_path(photo).write_bytes(mwg_packet(GOOD_AREA) + b" " * 1000)
    assert len(read_regions(photo)) == 1
    sidecar_path(photo).write_bytes(mwg_packet(GOOD_AREA) + b" " * MAX_XMP_BYTES)
    assert read_regions(photo) == []


def test_missing_photo_without_sidecar_gives_no_regions(tmp_path):
    assert read_regions(tmp_path / "nowhere.jpg") == []
