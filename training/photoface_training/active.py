"""Making a head trained on the user's names the model the library recognises with.

Using a head copies its checkpoint into the library folder (``models/``), so
the library stays self-contained, gives every face the head's vector (made
from the face's stored base vector: no photo is read again) and makes it the
active model. Which model is active, going back to the original and the
vectors matching uses live in the core (``photoface.face_model``). People,
names and decisions are rows about face ids: switching models never touches them.
"""

import shutil
from pathlib import Path

from photoface.face_model import forget_head, improved_model, kept_head_path, use_model
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
        forget_head(library, replaced)
    return count
