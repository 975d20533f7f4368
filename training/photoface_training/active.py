"""The model a library recognises with, when it is a head trained on the user's names.

Using a head copies its checkpoint into the library folder (``models/``), so
the library stays self-contained, gives every face the head's vector (made
from the face's stored base vector: no photo is read again) and makes it the
active model. Faces indexed later get theirs from the indexer
(``photoface.embed.heads``); until then matching uses their base vector
(``photoface.people.recluster.model_vectors``). People, names and decisions
are rows about face ids: switching models never touches them.
"""

import shutil
from pathlib import Path

from photoface.embed.heads import kept_head_path
from photoface.errors import PhotofaceError
from photoface.people.recluster import active_model, improved_model, use_model
from photoface.store.library import Library

from . import checkpoints
from .library_models import store_faces


def use_head(library: Library, candidate: Path) -> int:
    """Make the head in checkpoint ``candidate`` the library's model; returns how many faces it embedded.

    The head it replaces, if any, is forgotten.
    """
    checkpoint = checkpoints.load(candidate)
    replaced = improved_model(library)
    kept = kept_head_path(library, checkpoint.model_id)
    kept.parent.mkdir(exist_ok=True)
    partial = kept.with_suffix(".partial")
    shutil.copyfile(candidate, partial)
    partial.replace(kept)  # never half a checkpoint under the final name
    count = store_faces(library, checkpoint)
    use_model(library, checkpoint.model_id)  # after every face has its vector
    if replaced not in (None, checkpoint.model_id):
        _forget(library, replaced)
    return count


def go_back(library: Library) -> None:
    """Recognise with the original model again and forget the trained head."""
    head = improved_model(library)
    if head is None:
        raise PhotofaceError("This library already uses the original face model.")
    use_model(library, library.base_model(head))
    _forget(library, head)


def original_model(library: Library) -> str:
    """The network the library's faces were indexed with (what a head is trained over)."""
    model_id = active_model(library)
    if model_id is None:
        raise PhotofaceError("No faces in this library yet: add a folder of photos first.")
    return library.base_model(model_id) or model_id


def _forget(library: Library, model_id: str) -> None:
    library.delete_model(model_id)
    kept_head_path(library, model_id).unlink(missing_ok=True)
