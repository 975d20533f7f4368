"""Errors that carry a message fit for a user.

The CLI and the GUI show ``str(error)`` without a traceback; anything else
that escapes is a bug.
"""


class PhotofaceError(Exception):
    """A failure the user can understand and act on."""
