"""The errors every layer agrees on (after superqt's workers, which emit the exception itself).

- `UserError`: something the user can fix (a malformed file, a missing or corrupt model, a library
  problem). `str(exc)` is one line that names the thing and says what to do; the GUI shows it as it is.
- `Cancelled`: the user asked to stop. Not an error: nothing is shown but a status line.

Each core module subclasses these (`CsvImportError`, `ModelError`, `AnalysisCancelled`, …), so
callers can catch the precise class or the family, and the GUI asks `isinstance(exc, UserError)`
instead of matching class names as strings.
"""

from __future__ import annotations


class CtaError(Exception):
    """Base of CTA Desktop's own exceptions."""


class UserError(CtaError):
    """A problem the user can act on; the message is one line, ready to show."""


class Cancelled(CtaError):  # noqa: N818 - a cancellation is not an error
    """The user cancelled the work; whatever it was writing is left as it was."""
