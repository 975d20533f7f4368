"""photoface never indexes a photo twice: its own albums (and its library folder) are skipped, other copies are
counted once."""

import os
import shutil

from click.testing import CliRunner

from photoface.cli import cli
from photoface.index.pipeline import Indexer
from photoface.people import operations, queries
from photoface.people.interop import export_person
from photoface.people.recluster import recluster
from photoface.store.library import Library


def index(library: Library, folder, embedder):
    return Indexer(library, embedder=embedder).run([folder])


def test_an_album_exported_under_the_indexed_folder_is_skipped(tmp_path, copy_photos, embedder):
    photos = copy_photos("knn/train/biden", "knn/test/obama_and_biden.jpg").resolve()
    with Library.open(tmp_path / "lib") as library:
        first = index(library, photos, embedder)
        biden = operations.create_person(library, [next(library.faces())["id"]], "Joe Biden")
        recluster(library)
        album = photos / "albums" / "Joe Biden"
        assert export_person(library, biden, album).added  # hard links, the default
        again = index(library, photos, embedder)
        recluster(library)
        suggestions = queries.person_suggestions(library, biden)
        status = library.status()
    assert status["faces"] == first.faces and status["photos"]["indexed"] == first.indexed
    assert (again.indexed, again.copies, again.faces) == (0, 0, 0)
    assert all(suggestion["score"] < 0.999 for suggestion in suggestions), "no face suggested as itself"
    assert {"path": str(album), "reason": "a photoface album: its photos are in the library already"} \
        in status["skipped"]


def test_a_copy_is_counted_once_and_takes_over_when_the_original_goes(tmp_path, copy_photos, embedder):
    photos = copy_photos("knn/test/obama1.jpg", "knn/test/kit_with_rose.jpg").resolve()
    (photos / "shared").mkdir()  # scanned after the originals: the copies are in it
    shutil.copy2(photos / "obama1.jpg", photos / "shared" / "obama1.jpg")  # new in the same run
    with Library.open(tmp_path / "lib") as library:
        first = index(library, photos, embedder)
        obama = next(face for face in library.faces() if face["path"].endswith("/obama1.jpg"))
        operations.create_person(library, [obama["id"]], "Barack Obama")
        os.link(photos / "kit_with_rose.jpg", photos / "shared" / "kit.jpg")  # new in a later run
        later = index(library, photos, embedder)
        faces_with_copies = [(face["id"], face["path"]) for face in library.faces()]
        status = library.status()

        (photos / "obama1.jpg").unlink()
        gone = index(library, photos, embedder)
        kept = {face["id"]: face["path"] for face in library.faces()}
        named = queries.people(library)

        (photos / "shared" / "obama1.jpg").rename(tmp_path / "away.jpg")
        index(library, photos, embedder)  # both gone now
        (tmp_path / "away.jpg").rename(photos / "obama1.jpg")  # back where the copy was recorded
        back = index(library, photos, embedder)
        back_again = {face["id"]: face["path"] for face in library.faces()}
    assert all("/shared/" not in path for _, path in faces_with_copies), "each face shown once"
    assert (first.indexed, first.copies, later.copies, later.faces) == (2, 1, 1, 0)
    assert status["photos"]["indexed"] == 2 and status["copies"] == 2 and status["faces"] == first.faces
    assert gone.gone == 1 and len(kept) == first.faces
    assert kept[obama["id"]] == str(photos / "shared" / "obama1.jpg"), "the copy holds the face now"
    assert back.moved == 1 and back_again[obama["id"]] == str(photos / "obama1.jpg"), "and its faces come back"
    assert [(person["name"], person["face_ids"]) for person in named if person["name"]] == \
        [("Barack Obama", [obama["id"]])]
    result = CliRunner().invoke(cli, ["--library", str(tmp_path / "lib"), "status"])
    assert "1 copies of others" in result.output, result.output


def test_a_library_kept_among_the_photos_is_not_indexed(copy_photos, embedder):
    photos = copy_photos("knn/test/obama1.jpg").resolve()
    with Library.open(photos / "faces") as library:
        (photos / "faces" / "backups").mkdir()
        shutil.copy2(photos / "obama1.jpg", photos / "faces" / "backups" / "looks-like-a-photo.jpg")
        report = index(library, photos, embedder)
        status = library.status()
    assert report.indexed == 1 and status["photos"]["indexed"] == 1
    assert {"path": str(photos / "faces"), "reason": "photoface's library folder"} in status["skipped"]
    assert not any(kind["kind"] in (".db", ".lock") for kind in status["skipped_kinds"])
