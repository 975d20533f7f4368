"""Improve recognition on a real named library (celeba photos, the real model): measure, keep, discard, go back."""

from dataclasses import replace

import numpy as np
import pytest
from click.testing import CliRunner

from photoface.cli import cli
from photoface.errors import PhotofaceError
from photoface.face_model import active_model, go_back, improved_model, kept_head_path, model_vectors
from photoface.index.pipeline import Indexer
from photoface.people import operations, queries
from photoface.people.recluster import recluster
from photoface.store.library import Library
from photoface_training import checkpoints
from photoface_training.improve import check_ready, discard, improve, keep
from photoface_training.library_models import PERSONALISE

from ..conftest import copy_celeba

QUICK = replace(PERSONALISE, epochs=2)


def decisions(library: Library) -> dict:
    """Every person, name, face assignment, rejection, hidden flag and undo entry."""
    db = library.db
    return {table: db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in ("persons", "face_people", "rejections", "operations")} | {
        "hidden": db.execute("SELECT id FROM faces WHERE hidden = 1").fetchall()}


def confirmed(decided: dict) -> list:
    return [row for row in decided["face_people"] if row[2]]


def everything_but_people(library: Library) -> dict:
    db = library.db
    return {"models": db.execute("SELECT * FROM models ORDER BY id").fetchall(),
            "embeddings": db.execute("SELECT model_id, count(*) FROM embeddings GROUP BY 1").fetchall(),
            "settings": db.execute("SELECT * FROM library_settings").fetchall(),
            "files": sorted(p.name for p in library.folder.rglob("*") if p.suffix == ".pt")}


def named(library: Library) -> dict[str, int]:
    return {person["name"]: person["id"] for person in queries.people(library) if person["name"]}


def test_keep_switches_the_model_for_old_and_new_faces_and_leaves_every_decision(named_library, embedder,
                                                                                 tmp_path):
    with Library.open(named_library) as library:
        base = active_model(library)
        people = named(library)
        operations.reject_face(library, queries.person(library, people["Ada"])["face_ids"][0], people["Bea"])
        before = decisions(library)
        epochs = []
        improvement = improve(library, QUICK, on_epoch=lambda *step: epochs.append(step))
        assert epochs == [(1, 2), (2, 2)]
        assert improvement.people == 3 and improvement.held_out_faces == 6
        for figures in (improvement.before, improvement.after):
            assert 0 <= figures.identification <= 1 and 0 <= figures.verification <= 1
        assert improvement.before.identification >= 0.5  # the original model already knows faces

        faces = library.status()["faces"]
        assert keep(library, improvement) == faces
        head = improved_model(library)
        assert active_model(library) == head and library.base_model(head) == base
        assert kept_head_path(library, head).is_file() and not improvement.checkpoint.exists()
        assert decisions(library) == before, "names and decisions are about faces, not vectors"

        ids, vectors = model_vectors(library, head)
        assert len(ids) == faces and np.array_equal(vectors, library.embedding_matrix(head)[1])
        assert recluster(library).faces == faces
        after = decisions(library)
        assert confirmed(after) == confirmed(before) and after["rejections"] == before["rejections"]
        assert named(library) == people

        # A face the head has not embedded yet is matched by its base vector.
        library.db.execute("DELETE FROM embeddings WHERE model_id = ? AND face_id = ?", [head, int(ids[0])])
        fallback_ids, fallback = model_vectors(library, head)
        assert np.array_equal(fallback_ids, ids)
        assert np.allclose(fallback[0], library.embedding_matrix(base)[1][0])

        # Photos indexed later get the head's vector too.
        copy_celeba(tmp_path / "new", slice(6, 7))
        assert Indexer(library, embedder=embedder).run([tmp_path / "new"]).faces > 0
        ids, stored = library.embedding_matrix(head)
        assert len(ids) == library.status()["faces"]
        base_ids, base_vectors = library.embedding_matrix(base)
        trained = checkpoints.load(kept_head_path(library, head)).embed_features(base_vectors[np.isin(base_ids, ids)])
        assert np.abs(stored - trained).max() < 0.01  # the indexer applies the head as training does (int8)

        go_back(library)
        assert active_model(library) == base and improved_model(library) is None
        assert head not in {model["id"] for model in library.status()["models"]}
        assert not kept_head_path(library, head).exists()
        assert named(library) == people


def test_discard_and_cancel_change_nothing(named_library):
    with Library.open(named_library) as library:
        before = decisions(library), everything_but_people(library)
        discard(improve(library, QUICK))
        assert improve(library, QUICK, should_stop=lambda: True) is None
        assert (decisions(library), everything_but_people(library)) == before
        assert not (named_library / "models" / "candidate").exists()


def test_too_few_named_people_is_said_plainly(named_library):
    with Library.open(named_library) as library:
        operations.undo(library)  # Cyd
        operations.undo(library)  # Bea
        with pytest.raises(PhotofaceError, match="at least 2 named people with at least 4 faces"):
            check_ready(library)


def test_use_a_trained_head_and_go_back_from_the_command_line(named_library):
    with Library.open(named_library) as library:
        base = active_model(library)
        candidate = improve(library, QUICK).checkpoint

    def use(*args):
        return CliRunner().invoke(cli, ["--library", str(named_library), "train", "use", *args])

    assert use().exit_code == 2 and "CHECKPOINT or --original" in use().output
    result = use(str(candidate))
    assert result.exit_code == 0, result.output
    with Library.open(named_library) as library:
        assert improved_model(library) is not None
    assert use("--original").exit_code == 0
    with Library.open(named_library) as library:
        assert active_model(library) == base and improved_model(library) is None
