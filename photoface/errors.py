"""Errors that carry a message fit for a user.

The CLI shows ``str(error)`` and the GUI ``error.in_app`` without a traceback;
anything else that escapes is a bug.
"""


class PhotofaceError(Exception):
    """A failure the user can understand and act on.

    ``in_app``: the same message in the app's words, where the command line's names
    a command, an option or an id (the raise site keeps both, so each message has one home).
    """

    def __init__(self, *args, in_app: str | None = None):
        super().__init__(*args)
        self._in_app = in_app

    @property
    def in_app(self) -> str:
        return self._in_app or str(self)
