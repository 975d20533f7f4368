"""The desktop app (issue #4), PySide6. The only package that imports Qt.

It holds no SQL and no torch: it calls the core (``photoface.store``,
``photoface.index``, ``photoface.people``). Background work lives in
``jobs/`` (one module per job, each with its own ``Library`` connection,
because SQLite connections belong to one thread), Qt item models in
``models/`` and one module per screen in ``views/``.
"""
