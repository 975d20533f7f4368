"""People while indexing (issue #19): the people view fills in before the first pass ends."""

import shutil

from photoface.evaluation.datasets import celeba_identities
from photoface.gui.jobs.indexing import IndexingJob

from ..conftest import CELEBA
from .test_window import INDEXING_TIMEOUT_MS, wait_until_idle

IDENTITIES = 6  # x 12 photos: several batches of faces, so the pass goes on after the first checkpoint


def copy_identities(folder, count: int):
    folder.mkdir()
    identities = list(dict.fromkeys(celeba_identities(CELEBA).values()))[:count]
    for image, identity in celeba_identities(CELEBA).items():
        if identity in identities:
            shutil.copy2(CELEBA / image, folder / image)
    return folder


def people_tiles(window) -> int:
    return sum(tile.person_id is not None for tile in window.people_model.tiles)


def test_people_show_while_the_first_pass_runs(qtbot, window, tmp_path):
    photos = copy_identities(tmp_path / "photos", IDENTITIES)
    window.add_folder(photos)
    job = window.job
    assert isinstance(job, IndexingJob)
    progress, seen = [(0, 1)], []  # (photos done, in total) as the window last heard; what it showed then
    job.progress.connect(lambda done, total: progress.append((done, total)))
    # Connected after the window's own slot: runs once the people view has reloaded.
    job.people_changed.connect(lambda: seen.append((people_tiles(window), *progress[-1])))

    qtbot.waitUntil(lambda: any(tiles and done < total for tiles, done, total in seen),
                    timeout=INDEXING_TIMEOUT_MS)
    assert window.stack.currentWidget() is window.people_view, "people shown, not the welcome screen"
    wait_until_idle(qtbot, window)
    print(f"\npeople shown while indexing (people, photos done, total): {seen}")
    assert people_tiles(window) >= 3
