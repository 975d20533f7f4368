"""Index photo folders into a library: find what changed, detect, embed, store.

Decoding and detection run in a thread pool (Pillow and torch release the
GIL); the main thread owns the SQLite connection, embeds faces in batches
and writes each photo in one transaction, so a kill loses at most the
photos in flight and a re-run resumes where it stopped. The models (and
torch, about 6 s) load on a thread of their own once a photo needs
analysing, while files are hashed and decoded; a run with nothing new never
loads them. Photos are analysed in an order spread over the folders and
dates (``order``), so the faces found early cover the whole library. On a
GPU, photos are decoded in processes and detected in batches (``batches``).
"""

import os
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..devices import resolve_device
from ..export import photo_date
from ..face_model import active_head_over, store_missing_vectors
from ..people.interop import import_named_regions
from ..photos import file_hash, iter_photo_files
from ..photos.kinds import is_video_name
from ..photos.scan import ScanReport, resolved
from ..store.library import Library
from ..store.records import PhotoRecord
from ..store.transaction import write_transaction
from .analyse import PhotoAnalysis, analyse_photo
from .batches import GPU_PHOTO_BATCH, analyses_in_batches
from .torch_import import torch_imported_quietly
from .options import IndexOptions
from .order import spread_order

if TYPE_CHECKING:  # torch loads only when a photo needs analysing
    from PIL import Image

    from ..detect.detector import DetectedFace, FaceDetector
    from ..embed.models import Embedder


@dataclass
class IndexReport:
    files: int = 0
    unchanged: int = 0
    moved: int = 0
    copies: int = 0  # new files whose content the library holds already: no faces of their own
    indexed: int = 0
    failed: int = 0
    faces: int = 0
    gone: int = 0
    named: int = 0  # faces named by other programs' XMP regions
    skipped: int = 0  # files and folders the scan left out, each with a reason (`status`)
    interrupted: bool = False
    paused: list[Path] = field(default_factory=list)  # roots not reachable: nothing there marked gone


FIRST_BATCH_SIZE = 8  # faces; each batch after it twice as many, up to IndexOptions.batch_size

Progress = Callable[[int, int], None]  # photos done, photos in total
Stored = Callable[[list[int]], None]  # ids of the faces a batch stored, after its transactions


class _Models:
    """The detector and the embedder on their device, loaded on their own thread when first asked for."""

    def __init__(self, options: IndexOptions, embedder: "Embedder | None"):
        self._options = options
        self._embedder = embedder
        self._device: Future[str] = Future()
        self._loading: Future | None = None
        self._torch_threads: int | None = None  # torch's own, while the workers have the cores

    def start_loading(self) -> None:
        if self._loading is None:
            device = self._options.device
            if device in ("cuda", "mps"):  # a GPU asked for by name must be there before a photo is read:
                with torch_imported_quietly():  # torch is imported here, the window staying responsive
                    self._device.set_result(resolve_device(device))
            elif device != "auto":
                self._device.set_result(resolve_device(device))
            loader = ThreadPoolExecutor(1, thread_name_prefix="photoface-models")
            self._loading = loader.submit(self._load)
            loader.shutdown(wait=False)

    def _load(self) -> tuple["FaceDetector", "Embedder"]:
        with torch_imported_quietly():  # a window indexing meanwhile stays responsive
            if not self._device.done():  # first: the indexer picks its way of analysing by it (torch alone, ~4 s)
                try:
                    self._device.set_result(resolve_device("auto"))
                except BaseException as error:  # whoever waits for the device hears of it
                    self._device.set_exception(error)
                    raise
            device = self._device.result()
            from ..detect.detector import FaceDetector  # torchvision and facenet-pytorch: seconds more
            from ..embed.models import load_embedder

            self.share_cores()
            embedder = (self._embedder or load_embedder(self._options.model_id)).to(device)
            return FaceDetector(min_face_size=self._options.min_face_size, device=device), embedder

    def loaded_embedder(self) -> "Embedder | None":
        """The embedder if it is loaded (or was given), without loading it."""
        if self._loading is not None and self._loading.done() and self._loading.exception() is None:
            return self._loading.result()[1]
        return self._embedder

    @property
    def device(self) -> str:
        """Where the networks run ("cpu", "cuda", "mps"): known once torch is imported."""
        self.start_loading()
        return self._device.result()

    def share_cores(self) -> None:
        """Fewer torch threads per op, as the workers analyse photos side by side.

        Torch's threads inside each op on top of the workers only contend for
        the same cores: on 2 cores a fifth more CPU time per photo, spent
        spinning (benchmarks/index_speed.py). Torch keeps the number per
        thread once a thread has run an op, so the thread that embeds (the
        app's job thread may have loaded the embedder) calls this too.
        """
        import torch

        if self._torch_threads is None:
            self._torch_threads = torch.get_num_threads()
        torch.set_num_threads(max(1, self._torch_threads // self._options.workers))

    def give_back_threads(self) -> None:
        """Torch's threads as they were before the run (the app trains in the same process)."""
        if self._torch_threads is not None:
            import torch

            torch.set_num_threads(self._torch_threads)

    @property
    def detector(self) -> "FaceDetector":
        self.start_loading()
        return self._loading.result()[0]

    @property
    def embedder(self) -> "Embedder":
        self.start_loading()
        return self._loading.result()[1]

    def detect(self, image: "Image.Image") -> list["DetectedFace"]:
        """What ``analyse_photo`` calls once a photo is decoded: waits for the detector if it is loading."""
        return self.detector.detect(image)

    def detect_batch(self, images: list["Image.Image"]) -> list[list["DetectedFace"]]:
        """What ``analyses_in_batches`` calls: decoding starts while the detector loads."""
        return self.detector.detect_batch(images)


class Indexer:
    def __init__(self, library: Library, options: IndexOptions | None = None, embedder: "Embedder | None" = None,
                 on_stored: Stored | None = None):
        """``on_stored`` hears of the faces of each batch once they are in the library (people as indexed)."""
        self.library = library
        self.options = options or IndexOptions()
        self.model_id = embedder.model_id if embedder else self.options.model_id
        self._models = _Models(self.options, embedder)
        self._on_stored = on_stored
        self._registered = False
        # With a model trained on the user's names active, new faces get its vector too.
        self.active_head = active_head_over(library, self.model_id)

    @property
    def embedder(self) -> "Embedder":
        """The embedder; loads it (torch included) when nothing needed it yet."""
        return self._models.embedder

    @property
    def loaded_embedder(self) -> "Embedder | None":
        """The embedder if a photo needed it (or it was given); None when nothing loaded torch."""
        return self._models.loaded_embedder()

    def run(self, roots: Iterable[Path], progress: Progress | None = None,
            should_stop: Callable[[], bool] = lambda: False) -> IndexReport:
        roots = [resolved(root) for root in roots]
        scan = ScanReport()
        files = list(iter_photo_files(roots, scan, library_folder=self.library.folder))
        self.library.record_skipped([str(root) for root in roots], scan.skipped)
        report = IndexReport(files=len(files), skipped=len(scan.skipped))
        done = 0

        def advance(count: int = 1) -> None:
            nonlocal done
            done += count
            if progress:
                progress(done, len(files))

        if "torch" in sys.modules:  # else the models set it as they load, before this thread runs an op
            self._models.share_cores()
        with ThreadPoolExecutor(self.options.workers, thread_name_prefix="photoface-index") as pool:
            try:
                to_analyse, same_content = self._sort_out_known(files, pool, report, advance)
                self._analyse_and_store(spread_order(to_analyse), pool, report, advance, should_stop)
                # Files with the content of one analysed above are copies of it now.
                originals = self._save_copies(same_content, report, advance)
                self._analyse_and_store(originals, pool, report, advance, should_stop)
            except KeyboardInterrupt:
                report.interrupted = True
            finally:
                self._models.give_back_threads()
        if self.active_head:  # once a run, not per batch: it looks through every face of the library
            store_missing_vectors(self.library, self.active_head)
        if not report.interrupted:
            self._mark_gone(roots, files, scan, report)
        return report

    def _mark_gone(self, roots: list[Path], files: list[Path], scan: ScanReport, report: IndexReport) -> None:
        """Mark what the scan did not see as gone, except in folders that are not reachable now.

        A folder that vanished, could not be read to the end (a drive unplugged
        mid-scan) or is empty while the library knows photos there (an unmounted
        drive's mount point) is paused: nothing in it is marked gone. A folder
        we may not read keeps its photos, and the rest of its root goes on.
        """
        seen = {str(path) for path in files}
        for root in roots:
            known = self.library.present_photos_under(str(root))
            if not root.is_dir():
                if known:
                    report.paused.append(root)
            elif known and (any(folder.is_relative_to(root) for folder in scan.unreachable) or _is_empty(root)):
                report.paused.append(root)
            else:
                report.gone += self.library.mark_gone(str(root), seen, tuple(map(str, scan.denied)))

    def _sort_out_known(self, files, pool, report, advance) -> tuple[list[PhotoRecord], list[PhotoRecord]]:
        """Skip unchanged files cheaply; recognise moved ones and copies by content.

        Returns the photos to analyse, and the files with the content of one of
        those (copies once it is stored).
        """
        changed, undated = [], {}
        for path in files:
            try:
                stat = path.stat()
            except OSError:  # gone since the scan; the next scan decides
                advance()
                continue
            row = self.library.photo_by_path(str(path))
            if row and _settled(row) and (row["size"], row["mtime_ns"]) == (stat.st_size, stat.st_mtime_ns):
                report.unchanged += 1
                advance()
                if row["taken_at"] is None:  # indexed before the library kept the date: read it once
                    undated[row["id"]] = path
            else:
                changed.append((path, stat, row))
        if undated:
            self.library.record_taken_dates(dict(zip(undated, pool.map(photo_date, undated.values()))))
        if changed:  # most changed files are analysed: load the models while they are hashed
            self._models.start_loading()
        hashes = pool.map(_hash_if_readable, [path for path, _, _ in changed])
        to_analyse, same_content, analysed_hashes = [], [], set()
        for (path, stat, row), content_hash in zip(changed, hashes):
            record = PhotoRecord(str(path), stat.st_size, stat.st_mtime_ns, content_hash)
            faceless = not row or row["copy_of"]  # new here, or a copy: its content may be known elsewhere
            if content_hash is None:  # decoding will fail too, and record why
                to_analyse.append(record)
            elif row and row["content_hash"] == content_hash and _settled(row):
                self.library.update_file_stat(row["id"], stat.st_size, stat.st_mtime_ns)
                report.unchanged += 1
                advance()
            elif faceless and (moved := self.library.moved_photo_candidate(content_hash, record.path)):
                self.library.move_photo(moved["id"], record)
                report.moved += 1
                advance()
            elif faceless and self._save_if_copy(record, report, advance):
                continue  # stored as a copy of the photo holding this content
            elif content_hash in analysed_hashes:
                same_content.append(record)
            else:
                analysed_hashes.add(content_hash)
                to_analyse.append(record)
        return to_analyse, same_content

    def _save_copies(self, records: list[PhotoRecord], report, advance) -> list[PhotoRecord]:
        """Store as copies the files whose content is in the library now; return the others."""
        # Left over when the first one could not be read: each is tried on its own.
        return [record for record in records if not self._save_if_copy(record, report, advance)]

    def _save_if_copy(self, record: PhotoRecord, report, advance) -> bool:
        """Store the file as a copy if the library holds its content under another path."""
        original = self.library.original_photo(record.content_hash, record.path)
        if original:
            self.library.save_copy(record, original["id"])
            report.copies += 1
            advance()
        return original is not None

    def _analyse_and_store(self, records, pool, report, advance, should_stop) -> None:
        if len(records) > 1 and self._photo_batch() > 1:
            if photos := [record for record in records if not is_video_name(record.path)]:
                self._analyse_and_store_in_batches(photos, report, advance, should_stop)
            # a video's frames come from one decoder, one after another: videos go on the threads
            records = [] if should_stop() else [record for record in records if is_video_name(record.path)]
        queue = iter(records)
        running: set[Future] = set()
        ready: list[PhotoAnalysis] = []
        # The first batches are small, so the first faces reach the library (and the people view) soon.
        batch_size = min(FIRST_BATCH_SIZE, self.options.batch_size)
        # Photos handed to the workers ahead, so that they go on while this thread embeds a
        # batch (its faces come from a dozen photos): with 2 per worker they sat idle meanwhile.
        ahead = self.options.workers + self.options.batch_size // 2
        try:
            while True:
                while len(running) < ahead and not should_stop():
                    record = next(queue, None)
                    if record is None:
                        break
                    running.add(pool.submit(analyse_photo, record, self._models, self.options.detect_side))
                if not running:
                    break
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                ready.extend(future.result() for future in finished)
                if sum(len(a.faces) for a in ready) >= batch_size or not running:
                    self._store(ready, report, advance)
                    ready = []
                    batch_size = min(2 * batch_size, self.options.batch_size)
            report.interrupted = should_stop()
        finally:  # on Ctrl-C too: what is analysed is kept
            for future in running:
                future.cancel()
            self._store(ready, report, advance)

    def _photo_batch(self) -> int:
        """Photos detected at once: on the CPU one per thread, on a GPU a batch (options.photo_batch decides)."""
        return self.options.photo_batch or (1 if self._models.device == "cpu" else GPU_PHOTO_BATCH)

    def _analyse_and_store_in_batches(self, records, report, advance, should_stop) -> None:
        batches = analyses_in_batches(records, self._models, self.options.detect_side, self._photo_batch(),
                                      should_stop)
        try:
            for analyses in batches:
                self._store(analyses, report, advance)
            report.interrupted = should_stop()
        finally:
            batches.close()

    def _store(self, analyses: list[PhotoAnalysis], report, advance) -> None:
        if any(not a.error for a in analyses):  # photos are stored with the model that looked at them
            self._register_model()
        with_faces = [a for a in analyses if a.faces]
        if with_faces:
            vectors = self.embedder.embed(np.concatenate([a.crops for a in with_faces]), flip=self.options.flip)
            offset = 0
            for analysis in with_faces:
                for face in analysis.faces:
                    face.embedding = vectors[offset]
                    offset += 1
                analysis.keep_one_face_per_person()  # a video's, seen in several frames
        stored_faces = []
        for analysis in analyses:
            if analysis.error:
                self.library.save_failed_photo(analysis.record, analysis.error)
                report.failed += 1
            else:
                photo_id = self._save_with_names(analysis, report)
                if analysis.faces and self._on_stored:  # read back only for someone listening
                    stored_faces += [face["id"] for face in self.library.faces(photo_id=photo_id)]
                report.indexed += 1
                report.faces += len(analysis.faces)
            advance()
        if stored_faces:
            self._on_stored(stored_faces)

    def _register_model(self) -> None:
        if not self._registered:
            self.library.register_model(self.model_id, self.embedder.dim, self.embedder.description)
            self._registered = True

    def _save_with_names(self, analysis: PhotoAnalysis, report: IndexReport) -> int:
        """Store the photo, its faces and the names its XMP gives them in one transaction; returns its id.

        Committed apart, a kill between the two left the photo unchanged for
        the next run and its names never imported.
        """
        with write_transaction(self.library.db):
            photo_id = self.library.save_indexed_photo(analysis.record, analysis.faces, self.model_id)
            report.named += import_named_regions(self.library, photo_id, analysis.regions)
        return photo_id


def _settled(row: dict) -> bool:
    """A known photo that needs no second look while its file is unchanged.

    One that could not be read (a drive unplugged mid-run) is tried again.
    """
    return row["status"] == "indexed" or (row["status"] == "error" and not row["error"].startswith("cannot read"))


def _hash_if_readable(path: Path) -> str | None:
    try:
        return file_hash(path)
    except OSError:
        return None


def _is_empty(folder: Path) -> bool:
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is None
    except PermissionError:  # not unplugged: the scan recorded it, and nothing under it is marked gone
        return False
    except OSError:
        return True
