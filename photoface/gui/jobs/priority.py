"""Background work yields the CPU to the window.

On a machine with few cores, detection and embedding threads compete with
the GUI thread for the same cores; at equal priority the window misses its
frames. A worker lowers its own priority when it starts; the threads it
makes (the indexer's pool, torch's) inherit it.
"""

import os
import threading

BACKGROUND_NICE = 10  # as `nice` does by default


def lower_this_threads_priority() -> None:
    """Make the calling thread (and the threads it starts) nicer; where the OS allows it."""
    try:
        # Linux keeps a nice value per thread; elsewhere this may apply to the process or fail.
        if hasattr(os, "setpriority") and os.uname().sysname == "Linux":
            current = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), max(current, BACKGROUND_NICE))
    except OSError:
        pass  # not allowed here: the work still runs, at normal priority
