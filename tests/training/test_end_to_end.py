"""Training end to end on tiny real data: 3 people x 4 photos (dlib's johns), the real model."""

import csv
import shutil
from dataclasses import replace

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from photoface.cli import cli
from photoface.errors import PhotofaceError
from photoface.index.pipeline import Indexer
from photoface.people import operations
from photoface.store.library import Library
from photoface_training import checkpoints
from photoface_training.data import (centre_crops, faces_from_folder, labelled_photos, split_by_identity,
                                     split_by_photo)
from photoface_training.library_models import PERSONALISE, personalise, store_faces
from photoface_training.train import TrainConfig, checkpoint_embeddings, fit, pair_verification
from photoface_training.trunk import Trunk, training_device

from ..conftest import PHOTOS

PEOPLE = ("John_Salley", "John_Savage", "John_Schneider")


@pytest.fixture(scope="module")
def johns(tmp_path_factory):
    """Identity sub-folders with 4 photos each."""
    folder = tmp_path_factory.mktemp("johns")
    for person in PEOPLE:
        (folder / person).mkdir()
        for photo in sorted((PHOTOS / "johns" / person).iterdir())[:4]:
            shutil.copy2(photo, folder / person / photo.name)
    return folder


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def faces(johns, embedder, cache):
    return faces_from_folder(johns, embedder, cache, views=2)


def test_folder_faces_are_cached_crops_and_views(johns, faces, embedder, tmp_path):
    assert [name for _, name in labelled_photos(johns)] == [p for p in PEOPLE for _ in range(4)]
    assert faces.features.shape == (12, 2, 512) and faces.crops.shape == (12, 182, 182, 3)
    assert np.allclose(np.linalg.norm(faces.features, axis=2), 1, atol=1e-5)
    assert faces.labels.tolist() == [0] * 4 + [1] * 4 + [2] * 4
    train, held = split_by_identity(faces, 1 / 3)
    assert len(held) == 4 and not set(train.labels) & set(held.labels)
    train, held = split_by_photo(faces, 0.25)
    assert len(held) == 3 and set(held.labels) == {0, 1, 2} and not set(train.photos) & set(held.photos)


def test_fit_logs_plots_checkpoints_and_resumes(faces, tmp_path):
    train, val = split_by_photo(faces, 0.5)
    config = TrainConfig(out_dim=8, epochs=2, p=3, k=2, lr=0.01, patience=0)
    result = fit(train, val, config, tmp_path, show_progress=False)
    rows = list(csv.DictReader(open(tmp_path / "log.csv")))
    assert [row["epoch"] for row in rows] == ["0", "1", "2"] and (tmp_path / "curves.png").stat().st_size > 0
    assert all(0 <= float(row["val_accuracy"]) <= 1 for row in rows) and int(rows[1]["triplets"]) > 0
    assert all(row["val_v1_v2_accuracy"] == "nan" and row["val_score"] == row["val_accuracy"] for row in rows)
    best = checkpoints.load(tmp_path / "best.pt")
    assert best.epoch == result.best_epoch and best.model_id.startswith("facenet-casia-20180408+8d-")
    embedded = best.embed_features(faces.features[:, 0])
    assert embedded.shape == (12, 8) and np.allclose(np.linalg.norm(embedded, axis=1), 1, atol=1e-5)

    again = fit(train, val, TrainConfig(out_dim=8, epochs=3, p=3, k=2, lr=0.01, patience=0), tmp_path,
                resume=True, show_progress=False)
    assert [row["epoch"] for row in again.history] == [0, 1, 2, 3]
    assert [row["val_accuracy"] for row in again.history[:3]] == [row["val_accuracy"] for row in result.history]


def test_harmonic_fit_is_chosen_on_own_and_cross_version_accuracy(faces, tmp_path):
    train, val = split_by_photo(faces, 0.5)
    fit(train, val, TrainConfig(out_dim=8, epochs=1, p=3, k=2, patience=0), tmp_path / "v1", show_progress=False)
    config = TrainConfig(out_dim=8, init="random", epochs=3, p=3, k=2, patience=0,
                         harmonic=str(tmp_path / "v1" / "best.pt"))
    result = fit(train, val, config, tmp_path / "v2", show_progress=False)
    rows = list(csv.DictReader(open(tmp_path / "v2" / "log.csv")))
    own, cross, score = (np.array([float(row[key]) for row in rows])
                         for key in ("val_accuracy", "val_v1_v2_accuracy", "val_score"))
    assert ((0 <= cross) & (cross <= 1)).all() and np.allclose(score, (own + cross) / 2)
    assert result.best_epoch == np.argmax(score) and result.best_val_accuracy == own[result.best_epoch]


def test_harmonic_v1_reads_its_own_features_where_v2_reads_others(faces, tmp_path):
    """A v2 on other inputs (say, with the mirrored face added) is matched against v1's own vectors."""
    faces = replace(faces, v1_features=faces.features[:, ::-1].copy())  # v1 sees the views swapped
    train, val = split_by_photo(faces, 0.5)
    assert np.array_equal(val.v1_inputs[:, 0], val.features[:, 1])
    config = TrainConfig(out_dim=512, init="identity", epochs=1, p=3, k=2, patience=0, harmonic="base")
    result = fit(train, val, config, tmp_path, show_progress=False)
    cross = pair_verification(val.features[:, 1], val.labels, other=val.features[:, 0]).accuracy
    assert result.history[0]["val_v1_v2_accuracy"] == pytest.approx(cross)
    assert result.history[1]["triplets"] > 0


def test_training_is_reproducible(faces, tmp_path):
    config = TrainConfig(out_dim=16, epochs=1, p=3, k=3, patience=0)
    first = fit(faces, None, config, tmp_path / "a", show_progress=False)
    second = fit(faces, None, config, tmp_path / "b", show_progress=False)
    assert first.history[1]["loss"] == second.history[1]["loss"]
    a, b = (checkpoints.load(tmp_path / name / "last.pt").head.linear.weight for name in "ab")
    assert (a == b).all()


@pytest.fixture(scope="module")
def last_block_faces(johns, embedder, cache):
    return faces_from_folder(johns, embedder, cache, views=2, last_block=True)


def test_the_frozen_layers_output_through_the_last_block_is_the_embedder(last_block_faces, embedder):
    faces = last_block_faces
    assert faces.activations.shape == (12, 2, 1792, 3, 3) and faces.activations.dtype == np.float16
    trunk = Trunk(embedder, "last")
    with torch.no_grad():
        plain, mirrored = (trunk(faces.activations[:, view]).numpy() for view in (0, 1))
    crops = centre_crops(faces.crops)
    assert np.abs(plain - embedder.embed(crops)).max() < 1e-3  # float16 cache
    assert np.abs(mirrored - embedder.embed(np.ascontiguousarray(crops[:, :, ::-1]))).max() < 1e-3


def test_last_block_training_updates_only_the_last_layers(last_block_faces, embedder, tmp_path):
    before = {name: tensor.clone() for name, tensor in embedder.model.state_dict().items()}
    train, val = split_by_photo(last_block_faces, 0.5)
    config = TrainConfig(out_dim=16, init="random", depth="last", epochs=1, p=3, k=2, trunk_lr=1e-3,
                         margin=4.0, patience=0)  # margin 4: every triplet is active, so every step moves
    result = fit(train, val, config, tmp_path, embedder=embedder, show_progress=False)
    checkpoint = checkpoints.load(tmp_path / "last.pt")
    assert {name.split(".")[0] for name in checkpoint.trunk_state} == {"block8", "last_linear", "last_bn"}
    assert any(not torch.equal(checkpoint.trunk_state[name], before[name]) for name in checkpoint.trunk_state)
    assert all(torch.equal(tensor, before[name]) for name, tensor in embedder.model.state_dict().items())
    embeddings = checkpoint_embeddings(checkpoint, val, embedder)
    assert result.history[1]["val_accuracy"] == pytest.approx(pair_verification(embeddings, val.labels).accuracy)


def test_harmonic_last_block_v2_is_matched_against_the_stored_v1_vectors(last_block_faces, embedder, tmp_path):
    train, val = split_by_photo(last_block_faces, 0.5)
    config = TrainConfig(out_dim=512, init="identity", depth="last", epochs=1, p=3, k=2, trunk_lr=1e-4,
                         patience=0, harmonic="base")
    result = fit(train, val, config, tmp_path, embedder=embedder, show_progress=False)
    assert all(0.5 <= row["val_v1_v2_accuracy"] <= 1 for row in result.history)
    assert result.history[1]["triplets"] > 0
    with pytest.raises(PhotofaceError, match="depths 'head' and 'last'"):
        fit(train, val, replace(config, depth="whole"), tmp_path / "whole", embedder=embedder, show_progress=False)


def test_training_runs_on_a_gpu_when_there_is_one_and_says_so_when_asked_for_a_missing_one():
    assert training_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert training_device("cpu").type == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(PhotofaceError, match="No CUDA GPU"):
            training_device("cuda")
    with pytest.raises(PhotofaceError, match="device must be one of"):
        training_device("tpu")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_a_model_trained_on_the_gpu_embeds_the_same_on_the_cpu(last_block_faces, embedder, tmp_path):
    train, val = split_by_photo(last_block_faces, 0.5)
    config = TrainConfig(out_dim=16, init="random", depth="last", epochs=1, p=3, k=2, trunk_lr=1e-3,
                         patience=0, device="cuda")
    result = fit(train, val, config, tmp_path, embedder=embedder, show_progress=False)
    checkpoint = checkpoints.load(tmp_path / "last.pt")
    embeddings = checkpoint_embeddings(checkpoint, val, embedder)  # on the CPU
    assert result.history[1]["val_accuracy"] == pytest.approx(pair_verification(embeddings, val.labels).accuracy)


def test_personalise_a_library_and_store_128_byte_faces(johns, embedder, tmp_path):
    with Library.open(tmp_path / "library") as library:
        Indexer(library, embedder=embedder).run([johns])
        for person in PEOPLE:
            face_ids = [face["id"] for face in library.faces() if f"/{person}/" in face["path"]]
            operations.create_person(library, face_ids, person.replace("_", " "))
        config = TrainConfig(**{**vars(PERSONALISE), "epochs": 2, "k": 3})
        result = personalise(library, tmp_path / "model", config, show_progress=False)
        assert len(result.history) == 3
        checkpoint = checkpoints.load(tmp_path / "model" / "best.pt")
        assert store_faces(library, checkpoint) == 12
        ids, vectors = library.embedding_matrix(checkpoint.model_id)
        blobs = library.db.execute("SELECT dtype, length(vector) FROM embeddings WHERE model_id = ?",
                                   [checkpoint.model_id]).fetchall()
    assert len(ids) == 12 and set(blobs) == {("i1", 512)}
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)


def test_cli_fit_and_clear_errors(johns, faces, cache, tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["train", "fit", "--data", str(johns), "--cache", str(cache),
                                 "--out", str(tmp_path / "run"),
                                 "--dim", "16", "--epochs", "1", "--p", "2", "--k", "2", "--views", "2",
                                 "--val-identities", "0.34"])
    assert result.exit_code == 0, result.output
    assert "best validation accuracy" in result.output and (tmp_path / "run" / "best.pt").is_file()
    result = runner.invoke(cli, ["train", "evaluate", "--lfw-library", str(tmp_path / "nowhere")])
    assert result.exit_code == 1 and "No LFW library" in result.output and "Traceback" not in result.output
    result = runner.invoke(cli, ["--library", str(tmp_path / "empty"), "train", "personalise", "--out",
                                 str(tmp_path / "p")])
    assert result.exit_code == 1 and "index photos first" in result.output
    if not torch.cuda.is_available():
        result = runner.invoke(cli, ["train", "fit", "--data", str(johns), "--out", str(tmp_path / "gpu"),
                                     "--device", "cuda"])
        assert result.exit_code == 1 and "No CUDA GPU" in result.output and "Traceback" not in result.output
