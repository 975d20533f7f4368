"""People in and out of the library: albums, XMP sidecars, names other programs wrote.

The file formats live in ``photoface.export``; this module decides what goes
into them from the library, and turns imported names into user decisions.
"""

from datetime import date, datetime, time, timedelta
from pathlib import Path

from photoface.export import ExportReport, FaceRegion, export_album, photo_date, write_sidecar
from photoface.photos.orientation import iou
from photoface.store.library import Library

from . import queries
from .operations import confirm_face, create_person

# Overlap a region drawn by another program needs with a detected face
# (stored frame): hand-drawn boxes are looser than MTCNN's.
MIN_REGION_IOU = 0.4


def person_photos(library: Library, person_id: int) -> list[tuple[Path, datetime | None]]:
    """The photos a person is in, with the date each was taken (file time if unknown)."""
    photo_ids = sorted({face["photo_id"] for face in queries.person_faces(library, person_id)})
    photos = []
    for photo_id in photo_ids:
        path = Path(library.db["photos"].get(photo_id)["path"])
        if path.exists():
            taken = photo_date(path) or datetime.fromtimestamp(path.stat().st_mtime)
            photos.append((path, taken))
    return photos


def export_person(library: Library, person_id: int, folder: Path, *, link: bool = True,
                  since: date | None = None, until: date | None = None) -> ExportReport:
    """An album of the person's photos in ``folder``, only those taken from day ``since`` to day ``until``
    (both included) when given; re-running adds only what is new."""
    queries.person(library, person_id)  # a clear error for an unknown id
    start = None if since is None else datetime.combine(since, time())
    end = None if until is None else datetime.combine(until + timedelta(days=1), time())
    return export_album(person_photos(library, person_id), folder, link=link, since=start, until=end)


def write_sidecars(library: Library, person_id: int | None = None, folder: Path | None = None) -> list[Path]:
    """XMP sidecars with every face region and the names of named people's confirmed faces (photos only).

    Faces grouped into a named person automatically go unnamed: indexing reads
    names from sidecars as the user's, so they would come back confirmed.
    ``person_id`` limits it to that person's photos; ``folder`` puts the
    sidecars there (mirroring the photos' folders) instead of beside them.
    """
    names = {face["face_id"]: person["name"] for person in queries.people(library) if person["name"]
             for face in queries.person_faces(library, person["id"]) if face["confirmed"]}
    wanted = None if person_id is None else {p for p, _ in person_photos(library, person_id)}
    by_photo: dict[str, list[dict]] = {}
    for face in library.faces():
        if face["media"] == "photo":  # MWG regions describe a still image: none for a video's frames
            by_photo.setdefault(face["path"], []).append(face)
    written = []
    for path, faces in sorted(by_photo.items()):
        photo = Path(path)
        if (wanted is not None and photo not in wanted) or not photo.exists():
            continue
        regions = [FaceRegion(names.get(face["id"]), face["box"]) for face in faces]
        target = None if folder is None else Path(folder) / photo.parent.relative_to(photo.anchor)
        written.append(write_sidecar(photo, regions, (faces[0]["width"], faces[0]["height"]), folder=target))
    return written


def import_named_regions(library: Library, photo_id: int, regions: list[FaceRegion]) -> int:
    """Names from digiKam, Lightroom or Picasa become confirmed faces; returns how many.

    A face the user already decided about keeps the user's decision.
    """
    if not any(region.name for region in regions):
        return 0
    faces = list(library.faces(photo_id=photo_id))
    decided = {row["face_id"] for row in library.db.query(
        "SELECT face_id FROM face_people JOIN faces ON faces.id = face_id"
        " WHERE confirmed = 1 AND faces.photo_id = ?", [photo_id])}
    imported = 0
    for region in regions:
        if not region.name:
            continue
        overlaps = [(iou(region.box, face["box"]), face["id"]) for face in faces if face["id"] not in decided]
        best = max(overlaps, default=(0.0, None))
        if best[0] < MIN_REGION_IOU:
            continue
        _assign_name(library, best[1], region.name)
        decided.add(best[1])
        imported += 1
    return imported


def _assign_name(library: Library, face_id: int, name: str) -> None:
    known = library.db.execute("SELECT id FROM persons WHERE name = ? COLLATE NOCASE", [name.strip()]).fetchone()
    if known:
        confirm_face(library, face_id, known[0])
    else:
        create_person(library, [face_id], name=name)
