"""The one error every reader raises for a file it cannot import."""

from __future__ import annotations

from cta_desktop.core.errors import UserError


class CsvImportError(UserError, ValueError):
    """The file cannot be imported. str() is one line: which file, what is wrong, what to do.

    (The name predates the other formats; it is raised for every format.)
    """

    def __init__(self, message: str):
        # Column names and file names may hold line breaks or tabs: the message stays one line.
        super().__init__(" ".join(str(message).split()))
