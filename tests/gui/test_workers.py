"""Workers emit the exception object; the GUI decides by class (core/errors.py), not by class-name strings."""

from __future__ import annotations

from cta_desktop.core.errors import Cancelled, UserError
from cta_desktop.core.library import LibraryError
from cta_desktop.gui.workers import Task, describe_error


def _run(qtbot, fn):
    task = Task(fn, title="t")
    seen: dict[str, object] = {}
    task.error.connect(lambda exc: seen.setdefault("error", exc))
    task.cancelled.connect(lambda: seen.setdefault("cancelled", True))
    with qtbot.waitSignal(task.finished, timeout=10_000):
        task.start()
    return seen


def test_user_error_arrives_as_the_object_and_reads_as_its_message(qtbot):
    def fail(*, progress, cancel):
        raise LibraryError("/x/library.sqlite3: locked by another program; close it and retry")

    seen = _run(qtbot, fail)
    assert isinstance(seen["error"], LibraryError) and isinstance(seen["error"], UserError)
    assert describe_error(seen["error"]) == "/x/library.sqlite3: locked by another program; close it and retry"


def test_unexpected_errors_name_their_type(qtbot):
    def fail(*, progress, cancel):
        raise KeyError("oops")

    seen = _run(qtbot, fail)
    assert describe_error(seen["error"]) == "KeyError: 'oops'"


def test_any_cancelled_subclass_is_a_cancellation_not_an_error(qtbot):
    class MyStop(Cancelled):
        pass

    def stop(*, progress, cancel):
        raise MyStop("stopped")

    seen = _run(qtbot, stop)
    assert seen == {"cancelled": True}
