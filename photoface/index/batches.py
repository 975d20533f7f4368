"""Analysing photos on a GPU: decoded in processes, faces detected in batches of photos.

A GPU detects a photo's faces in milliseconds, so the CPU path's threads, each
decoding and detecting its own photo, would keep it waiting on Pillow and the
GIL. Here a pool of processes, one per CPU core, decodes photos ahead and
cuts the crops of the faces found (``analyse.decode_photo``,
``analyse.analysis_of``), while the calling thread runs each batch of decoded
photos through the detector at once; the indexer then embeds the faces of
what is done in one batch too (``Indexer._store``). Per photo the steps and
the results are those of ``analyse_photo``.
"""

import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from multiprocessing import get_context
from typing import TYPE_CHECKING, Protocol

from ..errors import PhotofaceError
from ..store.records import PhotoRecord
from .analyse import DecodedPhoto, PhotoAnalysis, analysis_of, decode_photo

if TYPE_CHECKING:
    from PIL import Image

    from ..detect.detector import DetectedFace

GPU_PHOTO_BATCH = 16  # photos per detection batch on a GPU


class DetectsBatches(Protocol):
    """A ``FaceDetector``, or something that hands the images to one once it is loaded."""

    def detect_batch(self, images: list["Image.Image"]) -> list[list["DetectedFace"]]: ...


def analyses_in_batches(records: list[PhotoRecord], detector: DetectsBatches, detect_side: int, batch: int,
                        should_stop: Callable[[], bool]) -> Iterator[list[PhotoAnalysis]]:
    """The analyses of ``records``, a list whenever some are done; takes no new photo once ``should_stop``."""
    queue = iter(records)
    decoding: set[Future] = set()
    finishing: set[Future] = set()
    decoded: list[DecodedPhoto] = []
    processes = max(1, min(cpu_cores(), len(records)))
    # spawn: the workers start without the parent's torch, CUDA context and threads (they import no torch)
    pool = ProcessPoolExecutor(processes, mp_context=get_context("spawn"))
    try:
        while True:
            while len(decoding) + len(decoded) < 2 * batch + processes and not should_stop():
                record = next(queue, None)
                if record is None:
                    break
                decoding.add(pool.submit(decode_photo, record, detect_side))
            if len(decoded) >= batch or (decoded and not decoding):
                done = _detect(decoded[:batch], detector, pool, finishing)
                decoded = decoded[batch:]
            elif decoding or finishing:
                finished, _ = wait(decoding | finishing, return_when=FIRST_COMPLETED)
                decoding -= finished
                finishing -= finished
                results = [future.result() for future in finished]
                decoded += [result for result in results if isinstance(result, DecodedPhoto)]
                done = [result for result in results if isinstance(result, PhotoAnalysis)]
            else:
                return
            if done:
                yield done
    except BrokenProcessPool as error:  # killed for memory, or a decoder crashed on a file
        raise PhotofaceError("A process decoding photos stopped abruptly; what is indexed is kept: run the same "
                             "command again to go on.", in_app="A process decoding photos stopped abruptly; "
                             "what is indexed is kept. Indexing goes on at the next start.") from error
    finally:  # on Ctrl-C too: photos not started are dropped, the next run takes them
        pool.shutdown(wait=True, cancel_futures=True)


def _detect(photos: list[DecodedPhoto], detector: DetectsBatches, pool: ProcessPoolExecutor,
            finishing: set[Future]) -> list[PhotoAnalysis]:
    """Detect a batch; photos with faces go back to the processes for their crops, the others are done."""
    done = []
    for photo, faces in zip(photos, detector.detect_batch([photo.detect_image for photo in photos])):
        photo = replace(photo, detect_image=None)  # the crops come from the decode: send less
        if faces:
            finishing.add(pool.submit(analysis_of, photo, faces))
        else:
            done.append(analysis_of(photo, faces))
    return done


def cpu_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
