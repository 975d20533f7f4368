"""Training commands (issue #5): photoface train fit / evaluate / personalise / store."""

from pathlib import Path

import click

from .group import cli, open_library


def _config_options(function):
    """The TrainConfig knobs as options (defaults shown are TrainConfig's)."""
    options = [
        click.option("--dim", "out_dim", type=int, default=128, show_default=True, help="Embedding size."),
        click.option("--init", type=click.Choice(["pca", "identity", "random"]), default="pca", show_default=True),
        click.option("--depth", type=click.Choice(["head", "last", "whole"]), default="head", show_default=True,
                     help="head: cached features; last: also the last block; whole: the whole network."),
        click.option("--optimizer", type=click.Choice(["adagrad", "adam", "sgd"]), default="adagrad",
                     show_default=True),
        click.option("--lr", type=float, default=0.05, show_default=True),
        click.option("--trunk-lr", type=float,
                     help="The retrained layers' rate at depth last or whole (default: --lr)."),
        click.option("--weight-decay", type=float, default=0.0, show_default=True),
        click.option("--epochs", type=int, default=30, show_default=True),
        click.option("--p", type=int, default=10, show_default=True, help="Identities per batch."),
        click.option("--k", type=int, default=6, show_default=True, help="Faces per identity in a batch."),
        click.option("--fallback", type=click.Choice(["hardest", "skip"]), default="hardest", show_default=True,
                     help="Negative for a pair with no semi-hard one."),
        click.option("--patience", type=int, default=8, show_default=True, help="Early-stopping epochs (0: off)."),
        click.option("--seed", type=int, default=0, show_default=True),
        click.option("--harmonic", help="'base' or a v1 checkpoint: keep the new embeddings comparable with it."),
        click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True,
                     help="auto: a CUDA GPU when there is one, else the CPU."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _config(values: dict):
    from photoface_training.train import TrainConfig
    from photoface_training.trunk import training_device

    config = TrainConfig(**{key: values[key] for key in TrainConfig.__dataclass_fields__ if key in values})
    training_device(config.device)  # a missing GPU is said before any photo is read
    return config


@cli.group()
def train() -> None:
    """Fine-tune the face model with the FaceNet triplet loss, and measure it."""


@train.command()
@click.option("--data", "data_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Labelled photos: identity sub-folders, or a CelebA folder with identity.txt.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--val-identities", type=float, default=0.2, show_default=True,
              help="Share of identities held out for validation and early stopping.")
@click.option("--views", type=int, default=4, show_default=True, help="Cached augmented views per face.")
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Aligned crops and features cache (default: OUT/../cache).")
@click.option("--resume", is_flag=True, help="Continue from OUT/last.pt.")
@_config_options
def fit(data_dir: Path, out_dir: Path, val_identities: float, views: int, cache_dir: Path | None,
        resume: bool, **values) -> None:
    """Train on a folder of labelled photos; writes OUT/best.pt, last.pt, log.csv, curves.png."""
    from photoface.embed.models import load_embedder
    from photoface_training.data import faces_from_folder, split_by_identity
    from photoface_training.train import fit as run_fit

    config = _config(values)
    embedder = load_embedder()
    faces = faces_from_folder(data_dir, embedder, cache_dir or out_dir.parent / "cache", views, config.seed,
                              last_block=config.depth == "last")
    train_set, val_set = split_by_identity(faces, val_identities, config.seed) if val_identities else (faces, None)
    click.echo(f"{len(train_set)} faces of {len(set(train_set.labels))} identities for training, "
               f"{len(val_set) if val_set else 0} held out")
    result = run_fit(train_set, val_set, config, out_dir, embedder=embedder, resume=resume)
    click.echo(f"best validation accuracy {100 * result.best_val_accuracy:.2f} % at epoch {result.best_epoch} "
               f"(epoch 0: {100 * result.history[0]['val_accuracy']:.2f} %) -> {out_dir / 'best.pt'}")


@train.command()
@click.argument("checkpoints", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lfw-library", type=click.Path(file_okay=False, path_type=Path),
              help="The library benchmarks/lfw.py built (default: benchmarks/work/lfw).")
@click.option("--against", help="Also compare across versions: 'base' or a v1 checkpoint (first image of each "
                                "pair embedded by it, second by the checkpoint).")
def evaluate(checkpoints: tuple[Path, ...], lfw_library: Path | None, against: str | None) -> None:
    """LFW 10-fold verification (deep-funneled) of the base model and each CHECKPOINT, float and int8."""
    from photoface.embed.models import load_embedder
    from photoface_training import checkpoints as checkpoint_files
    from photoface_training.evaluate import (DEFAULT_LFW_LIBRARY, checkpoint_vectors, float_and_int8,
                                             lfw_pairs_vectors, verify)

    lfw = lfw_pairs_vectors(lfw_library or DEFAULT_LFW_LIBRARY)
    embedder = None
    rows = [("base", lfw.vectors)]
    for path in checkpoints:
        checkpoint = checkpoint_files.load(path)
        if checkpoint.trunk_state is not None and embedder is None:
            embedder = load_embedder(checkpoint.base_model_id)
        rows.append((str(path), checkpoint_vectors(checkpoint, lfw, embedder)))
    for name, vectors in rows:
        for kind, result in float_and_int8(vectors, lfw).items():
            click.echo(f"LFW deep-funneled  {name}  {vectors.shape[1]}-d {kind}: {result.summary()}")
    if against:
        v1 = lfw.vectors if against == "base" else checkpoint_vectors(checkpoint_files.load(Path(against)), lfw)
        for name, vectors in rows[1:]:
            click.echo(f"LFW deep-funneled  v1 {against} x v2 {name}: {verify(vectors, lfw, other=v1).summary()}")


@train.command()
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--store/--no-store", default=False, help="Store the new model's faces in the library (int8).")
@click.pass_context
def personalise(ctx: click.Context, out_dir: Path, store: bool) -> None:
    """Fine-tune on the people named in the library (confirmed faces); keeps its best epoch."""
    from photoface_training import checkpoints as checkpoint_files
    from photoface_training.library_models import personalise as run_personalise
    from photoface_training.library_models import store_faces

    with open_library(ctx) as library:
        result = run_personalise(library, out_dir)
        click.echo(f"validation accuracy {100 * result.history[0]['val_accuracy']:.2f} % before, "
                   f"{100 * result.best_val_accuracy:.2f} % after (epoch {result.best_epoch}) -> "
                   f"{out_dir / 'best.pt'}")
        if store:
            checkpoint = checkpoint_files.load(out_dir / "best.pt")
            count = store_faces(library, checkpoint)
            click.echo(f"stored {count} faces as model {checkpoint.model_id}")


@train.command()
@click.argument("checkpoint", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--float", "as_float", is_flag=True, help="Store float32 instead of int8 (1 byte per value).")
@click.pass_context
def store(ctx: click.Context, checkpoint: Path, as_float: bool) -> None:
    """Embed the library's faces with a head CHECKPOINT and store them under its own model id."""
    from photoface_training import checkpoints as checkpoint_files
    from photoface_training.library_models import store_faces

    loaded = checkpoint_files.load(checkpoint)
    with open_library(ctx) as library:
        count = store_faces(library, loaded, int8=not as_float)
    kind = "float32" if as_float else "int8"
    click.echo(f"stored {count} faces as model {loaded.model_id} ({loaded.head.out_dim}-d {kind}); "
               f"use it with: photoface cluster --model {loaded.model_id}")


@train.command()
@click.argument("checkpoint", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--original", is_flag=True, help="Recognise with the original model again (forgets the trained one).")
@click.pass_context
def use(ctx: click.Context, checkpoint: Path | None, original: bool) -> None:
    """Recognise with a head CHECKPOINT from now on (as the app's "Use the new model"), or --original."""
    from photoface_training.active import use_head

    from ..face_model import go_back

    if (checkpoint is None) == (not original):
        raise click.UsageError("Give a CHECKPOINT or --original (one of them).")
    with open_library(ctx) as library:
        if original:
            go_back(library)
            click.echo("Recognising with the original model; run `photoface cluster` to group faces again.")
        else:
            count = use_head(library, checkpoint)
            click.echo(f"Recognising with {checkpoint.name} ({count} faces embedded); "
                       "run `photoface cluster` to group faces again.")
