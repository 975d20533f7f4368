"""People together, the timeline and cover faces (issue #18): the core and the commands.

Synthetic faces as in ``test_people`` (no model runs), real SQLite.
"""

import json
import os
import re
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from photoface.cli import cli
from photoface.errors import PhotofaceError
from photoface.index.pipeline import Indexer
from photoface.people import operations as ops
from photoface.people import queries
from photoface.people.recluster import recluster
from photoface.store.library import Library
from photoface.store.migrations import MIGRATIONS, _v8_covers_and_taken_dates, migrate
from photoface.store.records import PhotoRecord

from .test_people import DIM, MODEL, face, faces_by_identity, person_with, tables

DAY_NS = 86_400 * 10**9
JAN_2024 = int(datetime(2024, 1, 10).timestamp()) * 10**9


def save(library: Library, name: str, identities: list[int], taken_ns: int, seed: int) -> int:
    """A photo of these identities whose file time is ``taken_ns``."""
    record = PhotoRecord(f"/photos/{name}.jpg", 1, taken_ns, f"hash-{name}", width=1000, height=800)
    faces = [face(identity, slot, seed * 100 + slot + 7919 * identity) for slot, identity in enumerate(identities)]
    return library.save_indexed_photo(record, faces, MODEL)


@pytest.fixture
def album(tmp_path):
    """Identities 0 and 1 together in 4 photos (one a month from January 2024), 0 and 2 in 2 of them,
    1 alone in 2 more: Anna (one face confirmed, the others grouped), Ben (grouped, then named) and Cy."""
    with Library.open(tmp_path / "lib") as library:
        library.register_model(MODEL, DIM)
        photos = {}
        for i in range(4):
            photos[f"both{i}"] = save(library, f"both{i}", [0, 1] + ([2] if i < 2 else []), JAN_2024 + 31 * i * DAY_NS,
                                      seed=i)
        for i in range(2):
            photos[f"ben{i}"] = save(library, f"ben{i}", [1], JAN_2024 + (40 + i) * DAY_NS, seed=10 + i)
        truth = faces_by_identity(library)
        people = {"Anna": ops.create_person(library, sorted(truth[0])[:1], "Anna"),
                  "Cy": ops.create_person(library, sorted(truth[2]), "Cy")}
        recluster(library)  # Anna's other faces join her unconfirmed; Ben's are a group
        people["Ben"] = person_with(library, min(truth[1]))["id"]
        ops.name_person(library, people["Ben"], "Ben")
        assert queries.person(library, people["Anna"])["face_ids"] == sorted(truth[0])
        yield library, photos, people


def names_of(listed: list[dict]) -> list[str]:
    return [photo["path"].rsplit("/", 1)[1].removesuffix(".jpg") for photo in listed]


def test_photos_together_are_those_where_every_given_person_is_newest_first(album):
    library, _, people = album
    assert names_of(queries.photos(library, [people["Anna"], people["Ben"]])) == ["both3", "both2", "both1", "both0"]
    assert names_of(queries.photos(library, [people["Anna"], people["Cy"], people["Ben"]])) == ["both1", "both0"]
    assert names_of(queries.photos(library, [people["Ben"]])) == ["both3", "both2", "ben1", "ben0", "both1", "both0"]
    assert len(queries.photos(library)) == 6  # everyone's photos: the timeline
    with pytest.raises(PhotofaceError):
        queries.photos(library, [people["Anna"], 999])


def test_grouped_faces_count_hidden_faces_gone_photos_and_copies_do_not(album):
    library, photos, people = album
    anna, ben = people["Anna"], people["Ben"]
    bens_face = next(f["id"] for f in library.faces(photo_id=photos["both3"]) if f["id"] in
                     queries.person(library, ben)["face_ids"])
    ops.hide_face(library, bens_face)
    library.mark_gone("/photos", {f"/photos/{name}.jpg" for name in photos} - {"/photos/both2.jpg"})
    copy = PhotoRecord("/backup/both1.jpg", 1, JAN_2024, "hash-both1")
    library.save_copy(copy, photos["both1"])
    assert names_of(queries.photos(library, [anna, ben])) == ["both1", "both0"]
    assert "/backup/both1.jpg" not in {photo["path"] for photo in queries.photos(library)}

    ops.split_person(library, ben, [f for f in queries.person(library, ben)["face_ids"]
                                    if library.photo_of_face(f) == photos["both0"]])
    recluster(library)
    assert names_of(queries.photos(library, [anna, ben])) == ["both1"]  # only confirmed or grouped faces count


def test_photos_by_month_newest_first(album):
    library, _, _ = album
    months = queries.by_month(queries.photos(library))
    assert [(month.isoformat(), names_of(listed)) for month, listed in months] == [
        ("2024-04-01", ["both3"]), ("2024-03-01", ["both2"]), ("2024-02-01", ["ben1", "ben0", "both1"]),
        ("2024-01-01", ["both0"])]


def test_people_are_named_by_id_name_or_the_start_of_their_names(album):
    library, _, people = album
    ops.name_person(library, people["Cy"], "Anna Lee")
    assert queries.person_named(library, str(people["Ben"])) == people["Ben"]
    assert queries.person_named(library, " anna ") == people["Anna"]  # a whole name wins over a start
    assert queries.person_named(library, "ann l") == people["Cy"]
    with pytest.raises(PhotofaceError, match="could be Anna, Anna Lee"):
        queries.person_named(library, "an")
    with pytest.raises(PhotofaceError, match="no person named 'Zed'"):
        queries.person_named(library, "Zed")


def test_photos_are_dated_by_the_camera_else_by_the_file_and_older_libraries_catch_up(tmp_path, copy_photos,
                                                                                     embedder):
    folder = copy_photos("deepface/img1.jpg", "knn/test/obama1.jpg")  # a camera's date; none
    os.utime(folder / "obama1.jpg", (datetime(2021, 5, 1, 9, 30).timestamp(),) * 2)
    expected = {"img1.jpg": datetime(2019, 7, 20, 17, 45, 22), "obama1.jpg": datetime(2021, 5, 1, 9, 30)}
    with Library.open(tmp_path / "lib") as library:
        Indexer(library, embedder=embedder).run([folder])
        assert {Path(p["path"]).name: p["taken"] for p in queries.photos(library)} == expected
        assert [Path(p["path"]).name for p in queries.photos(library)] == ["obama1.jpg", "img1.jpg"]

        library.db.execute("UPDATE photos SET taken_at = NULL")  # as a library indexed before dates were kept
        library.db.conn.commit()
        report = Indexer(library, embedder=embedder).run([folder])
        assert report.unchanged == 2
        assert dict(library.db.execute("SELECT path, taken_at FROM photos").fetchall()) == {
            str(folder / "img1.jpg"): "2019-07-20 17:45:22", str(folder / "obama1.jpg"): ""}
        assert {Path(p["path"]).name: p["taken"] for p in queries.photos(library)} == expected


# --- cover faces --------------------------------------------------------------------------------


def test_v8_adds_covers_to_a_library_with_people(tmp_path):
    version = MIGRATIONS.index(_v8_covers_and_taken_dates) + 1
    db = Database(tmp_path / "old.db")
    migrate(db, target=version - 1)
    db.execute("INSERT INTO photos (id, path, status) VALUES (1, '/a.jpg', 'indexed')")
    db.execute('INSERT INTO faces (id, photo_id, "left", top, width, height) VALUES (5, 1, 0, 0, 9, 9)')
    db.execute("INSERT INTO persons (id, name) VALUES (1, 'Anna')")
    db.execute("INSERT INTO face_people (face_id, person_id, confirmed) VALUES (5, 1, 1)")
    db.conn.commit()

    assert migrate(db, target=version) == version
    assert db.execute("SELECT id, name, cover_face_id FROM persons").fetchall() == [(1, "Anna", None)]
    assert db.execute("SELECT id, taken_at FROM photos").fetchall() == [(1, None)]  # read at the next scan
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("UPDATE persons SET cover_face_id = 5")
    db.execute("DELETE FROM faces WHERE id = 5")  # a face that goes is no cover
    assert db.execute("SELECT cover_face_id FROM persons").fetchall() == [(None,)]


def cover_of(library: Library, person_id: int) -> int | None:
    return queries.person(library, person_id)["cover_face_id"]


def test_a_chosen_cover_survives_grouping_and_undo_and_leaves_with_its_face(album):
    library, _, people = album
    anna = people["Anna"]
    chosen = queries.person(library, anna)["face_ids"][2]
    assert cover_of(library, anna) is None  # the default: the best face
    before = tables(library)
    ops.set_cover(library, anna, chosen)
    assert cover_of(library, anna) == chosen
    recluster(library)
    assert cover_of(library, anna) == chosen
    ops.undo(library)
    assert cover_of(library, anna) is None and tables(library) == before
    ops.set_cover(library, anna, chosen)

    ops.remove_faces(library, anna, [chosen])  # the face leaves: the best face shows again
    assert cover_of(library, anna) is None
    ops.undo(library)
    assert cover_of(library, anna) == chosen
    ops.hide_face(library, chosen)
    assert cover_of(library, anna) is None
    with pytest.raises(PhotofaceError):  # only a face of the person
        ops.set_cover(library, anna, queries.person(library, people["Ben"])["face_ids"][0])


def test_a_cover_follows_its_face_when_the_photo_is_indexed_again(album):
    library, _, people = album
    cy = people["Cy"]
    chosen = queries.person(library, cy)["face_ids"][-1]
    ops.set_cover(library, cy, chosen)
    photo = next(face["path"] for face in library.faces() if face["id"] == chosen)
    name = photo.rsplit("/", 1)[1].removesuffix(".jpg")
    index = int(name.removeprefix("both"))
    save(library, name, [0, 1] + ([2] if index < 2 else []), JAN_2024 + 31 * index * DAY_NS, seed=index)  # new ids
    assert chosen not in queries.person(library, cy)["face_ids"]
    successor = cover_of(library, cy)
    assert successor is not None and successor in queries.person(library, cy)["face_ids"]
    assert next(face["path"] for face in library.faces() if face["id"] == successor) == photo


def test_the_kept_person_keeps_its_cover_when_merging(album):
    library, _, people = album
    anna, ben, cy = people["Anna"], people["Ben"], people["Cy"]
    annas, bens = (queries.person(library, p)["face_ids"][0] for p in (anna, ben))
    ops.set_cover(library, anna, annas)
    ops.set_cover(library, ben, bens)
    ops.merge_people(library, anna, ben)
    assert cover_of(library, anna) == annas
    ops.undo(library)
    assert (cover_of(library, anna), cover_of(library, ben)) == (annas, bens)
    ops.merge_people(library, cy, ben)  # Cy had none: Ben's comes along
    assert cover_of(library, cy) == bens


# --- the commands -------------------------------------------------------------------------------


def run(library: Library, *args: str):
    return CliRunner().invoke(cli, ["--library", str(library.folder), *args])


def test_photos_and_cover_commands(album):
    library, _, people = album
    library.close()
    listed = json.loads(run(library, "photos", "--with", "anna", "--with", str(people["Cy"]), "--json").output)
    assert [photo["path"] for photo in listed] == ["/photos/both1.jpg", "/photos/both0.jpg"]
    assert set(listed[0]) == {"photo_id", "path", "taken"} and listed[0]["taken"].startswith("2024-02-10")
    everything = run(library, "photos")
    assert everything.exit_code == 0 and everything.output.count("/photos/") == 6
    unknown = run(library, "photos", "--with", "Zed")
    assert unknown.exit_code == 1 and unknown.output.count("\n") == 1 and "no person named 'Zed'" in unknown.output

    with Library.open(library.folder) as opened:
        face_id = queries.person(opened, people["Ben"])["face_ids"][1]
    assert run(library, "cover", "Ben", str(face_id)).exit_code == 0
    assert json.loads(run(library, "people", "--json").output)[0]["cover_face_id"] == face_id
    wrong = run(library, "cover", "Anna", str(face_id))
    assert wrong.exit_code == 1 and wrong.output.count("\n") == 1


def test_every_command_is_in_the_readme():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    documented = set(re.findall(r"photoface(?: --library \S+)? ([a-z-]+)", readme))
    assert sorted(set(cli.commands) - documented) == []
