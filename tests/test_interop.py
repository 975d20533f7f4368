"""Albums and XMP through the CLI over a real library: names go out and come back in."""

import json

from click.testing import CliRunner

from photoface.cli import cli


def run(library, *args):
    result = CliRunner().invoke(cli, ["--library", str(library), *args])
    assert result.exit_code == 0, result.output
    return result.output


def named_person(library, name):
    people = json.loads(run(library, "people", "--json"))
    return next(person for person in people if person["name"] == name)


def test_names_survive_a_trip_through_xmp_into_a_new_library(tmp_path, copy_photos, embedder):
    photos = copy_photos("knn/train/obama", "knn/test/obama1.jpg", "knn/test/obama_and_biden.jpg")
    first = tmp_path / "first"
    run(first, "index", "--quiet", str(photos))
    run(first, "cluster")
    obama = json.loads(run(first, "people", "--json"))[0]
    run(first, "name", str(obama["id"]), "Barack Obama")
    assert "XMP sidecars written" in run(first, "xmp")
    sidecars = sorted(p.name for p in photos.rglob("*.xmp"))
    assert "obama_and_biden.jpg.xmp" in sidecars

    second = tmp_path / "second"
    output = run(second, "index", "--quiet", str(photos))
    imported = named_person(second, "Barack Obama")
    assert len(imported["face_ids"]) == len(obama["face_ids"]), output


def test_faces_grouped_into_a_named_person_automatically_go_unnamed_into_xmp(tmp_path, copy_photos, embedder):
    photos = copy_photos("knn/train/obama")
    library = tmp_path / "library"
    run(library, "index", "--quiet", str(photos))
    run(library, "cluster")
    run(library, "name", str(json.loads(run(library, "people", "--json"))[0]["id"]), "Barack Obama")
    copy_photos("knn/test/obama1.jpg", to="photos/obama")
    run(library, "index", "--quiet", str(photos))
    run(library, "cluster")
    assert len(named_person(library, "Barack Obama")["face_ids"]) == 3  # the new photo's face joined, unconfirmed
    run(library, "xmp")
    assert "Barack Obama" not in (photos / "obama" / "obama1.jpg.xmp").read_text()
    assert "Barack Obama" in (photos / "obama" / "obama.jpg.xmp").read_text()


def test_export_album_links_once_and_leaves_originals(tmp_path, copy_photos, embedder):
    photos = copy_photos("knn/train/biden", "knn/test/obama_and_biden.jpg")
    before = {p: p.read_bytes() for p in photos.rglob("*.jpg")}
    library, album = tmp_path / "lib", tmp_path / "album"
    run(library, "index", "--quiet", str(photos))
    run(library, "cluster")
    biden = json.loads(run(library, "people", "--json"))[0]
    run(library, "name", str(biden["id"]), "Joe Biden")
    assert "3 photos added" in run(library, "export", "joe biden", "--to", str(album))
    assert "0 photos added" in run(library, "export", "Joe Biden", "--to", str(album))
    assert len(list(album.glob("*.jpg"))) == 3
    assert before == {p: p.read_bytes() for p in photos.rglob("*.jpg")}
    result = CliRunner().invoke(cli, ["--library", str(library), "export", "Nobody", "--to", str(album)])
    assert result.exit_code == 1 and "no person named" in result.output
