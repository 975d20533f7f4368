"""How every background job ends: a ``succeeded(result)`` or a ``failed(message)`` signal, never an exception."""

import logging
from collections.abc import Callable

from photoface.errors import PhotofaceError

log = logging.getLogger(__name__)


def report_outcome(job, work: Callable[[], object], what: str) -> None:
    """Run ``work`` on the job's thread and emit its result or a one-line message.

    ``what`` names the work for the user ("Indexing", "The export").
    """
    try:
        result = work()
    except PhotofaceError as error:
        job.failed.emit(error.in_app)
    except Exception as error:  # a worker thread must report, never die silently
        log.exception("%s failed", what)
        job.failed.emit(f"{what} stopped on an unexpected error: {error}")
    else:
        job.succeeded.emit(result)
