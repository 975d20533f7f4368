"""One source of truth for the library: which one opens, its settings in its database,
and whether grouping its faces is due (issue #17)."""

import json
import shutil

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from photoface.cli import cli
from photoface.folders import library_folders
from photoface.index.options import IndexOptions
from photoface.library_settings import (DEFAULT_CLUSTER_LEVEL, cluster_level, index_options, save_index_options,
                                        set_cluster_level)
from photoface.errors import PhotofaceError
from photoface.paths import (choose_library, choose_theme, chosen_library, chosen_theme, default_library_dir,
                             library_location)
from photoface.people.recluster import recluster
from photoface.store.grouping import grouping_done, grouping_due
from photoface.store.library import DB_NAME, Library
from photoface.store.migrations import latest_version, migrate, schema_version

from .conftest import PHOTOS
from .test_store import MODEL, face_record, library, save  # noqa: F401 (library: a fixture)


# --- which library opens ----------------------------------------------------------


def test_the_library_given_then_the_environment_then_the_chosen_then_the_default(tmp_path, monkeypatch):
    monkeypatch.setenv("PHOTOFACE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("PHOTOFACE_LIBRARY", raising=False)
    assert library_location() == default_library_dir()
    choose_library(tmp_path / "chosen")
    assert library_location() == tmp_path / "chosen"
    monkeypatch.setenv("PHOTOFACE_LIBRARY", str(tmp_path / "env"))
    assert library_location() == tmp_path / "env"
    assert library_location(tmp_path / "given") == tmp_path / "given"


def test_commands_open_the_library_chosen_in_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("PHOTOFACE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("PHOTOFACE_LIBRARY", raising=False)
    choose_library(tmp_path / "chosen")
    result = CliRunner().invoke(cli, ["status", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["library"] == str(tmp_path / "chosen")


def test_a_broken_config_file_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setenv("PHOTOFACE_CONFIG_DIR", str(tmp_path))
    monkeypatch.delenv("PHOTOFACE_LIBRARY", raising=False)
    (tmp_path / "config.json").write_text("{not json")
    result = CliRunner().invoke(cli, ["status"])
    assert result.exit_code == 1 and "Delete it to start afresh" in result.output
    assert "Traceback" not in result.output


def test_the_theme_is_a_choice_of_the_user_kept_beside_the_library_choice(tmp_path, monkeypatch):
    monkeypatch.setenv("PHOTOFACE_CONFIG_DIR", str(tmp_path))
    assert chosen_theme() == "system"
    choose_library(tmp_path / "chosen")
    choose_theme("dark")
    assert (chosen_library(), chosen_theme()) == (tmp_path / "chosen", "dark")
    choose_library(tmp_path / "other")
    assert chosen_theme() == "dark", "one choice never loses the other"
    with pytest.raises(PhotofaceError, match="No theme 'pink'"):
        choose_theme("pink")
    (tmp_path / "config.json").write_text(json.dumps({"theme": "pink"}))  # a later version's, or a typo
    assert chosen_theme() == "system"


# --- settings in the library ------------------------------------------------------


def test_index_settings_are_kept_in_the_library_and_flags_override_them(library):
    assert index_options(library) == IndexOptions()
    save_index_options(library, IndexOptions(detect_side=1440, min_face_size=40, workers=1))
    assert index_options(library) == IndexOptions(detect_side=1440, min_face_size=40, workers=1)
    run = index_options(library, workers=3, detect_side=None)
    assert (run.workers, run.detect_side) == (3, 1440)
    assert index_options(library).workers == 1, "a flag is for one run only"


def test_the_clustering_level_is_a_library_setting(library):
    assert cluster_level(library) == DEFAULT_CLUSTER_LEVEL
    set_cluster_level(library, -1)
    assert cluster_level(library) == -1


def test_upgrade_moves_settings_json_into_the_library_and_groups_what_is_there(tmp_path):
    db = Database(tmp_path / DB_NAME)
    migrate(db, target=4)  # the version before v5 moved the settings in
    db.execute("INSERT INTO models (id, dim) VALUES ('net', 8)")
    db.execute("INSERT INTO photos (id, path, status) VALUES (1, '/p/1.jpg', 'indexed')")
    db.execute("""INSERT INTO faces (id, photo_id, "left", top, width, height) VALUES (1, 1, 0, 0, 9, 9)""")
    db.execute("INSERT INTO library_settings (key, value) VALUES ('active_model', 'net')")
    db.conn.commit()
    db.close()
    saved = {"model_id": "facenet-vggface2", "sensitivity": "High (finds smaller faces)",
             "min_face_size": 30, "workers": 2}
    (tmp_path / "settings.json").write_text(json.dumps(saved))
    with Library.open(tmp_path) as library:
        assert schema_version(library.db) == latest_version()
        assert index_options(library) == IndexOptions(model_id="facenet-vggface2", detect_side=1440,
                                                       min_face_size=30, workers=2)
        assert library.setting("active_model") == "net", "earlier settings stay"
        assert grouping_due(library), "faces an earlier version may have left ungrouped get grouped"


def test_upgrade_of_an_empty_library_with_odd_settings(tmp_path):
    db = Database(tmp_path / DB_NAME)
    migrate(db, target=4)  # the version before v5 moved the settings in
    db.close()
    (tmp_path / "settings.json").write_text(json.dumps({"workers": "many", "min_face_size": 30, "theme": "dark"}))
    with Library.open(tmp_path) as library:
        assert index_options(library) == IndexOptions(min_face_size=30), "what makes sense is kept"
        assert not grouping_due(library)


# --- grouping due -------------------------------------------------------------------


def test_grouping_is_due_when_faces_change_until_a_re_cluster_completes(library, tmp_path):
    assert not grouping_due(library)
    photo = save(library, tmp_path / "1.jpg", [face_record(1), face_record(2)])
    assert grouping_due(library)
    recluster(library, MODEL)
    assert not grouping_due(library)
    library.mark_gone(str(tmp_path), seen_paths=set())
    assert grouping_due(library), "faces gone with their photo"
    recluster(library, MODEL)
    library.update_file_stat(photo, 1000, 2)  # back again
    assert grouping_due(library)
    recluster(library, MODEL)
    library.save_setting("active_model", MODEL)
    assert grouping_due(library), "another model groups differently"


def test_faces_added_while_grouping_keep_it_due(library, tmp_path):
    save(library, tmp_path / "1.jpg", [face_record(1)])
    seen = grouping_due(library)
    save(library, tmp_path / "2.jpg", [face_record(2)], content_hash="hash-2")
    grouping_done(library, seen)
    assert grouping_due(library)


# --- the command line ------------------------------------------------------------------


def test_index_adds_the_folder_and_leaves_grouping_due(tmp_path):
    photos = tmp_path / "photos"
    shutil.copytree(PHOTOS / "knn" / "train" / "obama", photos)
    library_dir = tmp_path / "lib"
    with Library.open(library_dir) as library:
        save_index_options(library, IndexOptions(workers=1))
    result = CliRunner().invoke(cli, ["--library", str(library_dir), "index", "--quiet", str(photos)])
    assert result.exit_code == 0, result.output
    with Library.open(library_dir) as library:
        assert library_folders.watched_paths(library) == [photos.resolve()]
        assert index_options(library).workers == 1
    status = CliRunner().invoke(cli, ["--library", str(library_dir), "status", "--json"])
    assert json.loads(status.output)["grouping_due"] is True
    assert CliRunner().invoke(cli, ["--library", str(library_dir), "cluster"]).exit_code == 0
    status = CliRunner().invoke(cli, ["--library", str(library_dir), "status", "--json"])
    assert json.loads(status.output)["grouping_due"] is False
