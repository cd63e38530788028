"""Background work: a Qt-free function runs on a QThread; the window only sees signals.

The pattern follows Spyder's SearchThread and superqt's workers: the core function takes plain
`progress(done, total)` and `cancel() -> bool` callbacks (cut into batches, so a cancel takes
effect between batches), every exception is caught inside the thread and emitted as the exception
object itself (superqt's `errored = Signal(object)`), and the main thread gets typed signals. Receivers
ask `isinstance(exc, UserError)` (core/errors.py), never match class names. A `Task` lives in the main thread and relays the worker's
signals through its own slots, so whatever a tab connects to a Task runs in the main thread.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from cta_desktop.core.errors import Cancelled, UserError

# Progress is forwarded at most this often: a 100k-tweet analysis reports per batch, but a
# flood of queued signals would cost the event loop more than it gives the user.
PROGRESS_INTERVAL_S = 0.05

_running: set[Task] = set()  # keeps Python wrappers alive until their thread has finished


def describe_error(exc: BaseException) -> str:
    """One line for the user. The core's UserErrors (and file errors) already say what to do; others get their type."""
    text = str(exc).strip()
    if isinstance(exc, UserError | FileNotFoundError | PermissionError) and text:
        return text
    if isinstance(exc, MemoryError):
        return "Out of memory. Try a smaller file or a smaller batch size."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Worker(QObject):
    """Runs `fn(*args, progress=..., cancel=..., **kwargs)` once, in whatever thread it lives in."""

    progress = Signal(int, int)
    result = Signal(object)
    error = Signal(object)  # the exception object (BaseException)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self._abort = threading.Event()
        self._last_progress = 0.0
        self.details = ""

    def cancel(self) -> None:
        self._abort.set()

    def is_cancelled(self) -> bool:
        return self._abort.is_set()

    def _report(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._last_progress >= PROGRESS_INTERVAL_S:
            self._last_progress = now
            self.progress.emit(int(done), int(total))

    @Slot()
    def run(self) -> None:
        try:
            value = self._fn(*self._args, progress=self._report, cancel=self.is_cancelled, **self._kwargs)
        except BaseException as exc:  # noqa: BLE001 - a thread's exception must never be lost
            if isinstance(exc, Cancelled):
                self.cancelled.emit()
            else:
                self.details = traceback.format_exc()
                self.error.emit(exc)
        else:
            self.result.emit(value)
        finally:
            self.finished.emit()


class Task(QObject):
    """Main-thread handle on one background job: start(), cancel(), and the same signals as Worker."""

    progress = Signal(int, int)
    result = Signal(object)
    error = Signal(object)  # the exception object (BaseException); describe_error() words it
    cancelled = Signal()
    finished = Signal()

    def __init__(self, fn: Callable[..., Any], *args: Any, title: str = "", parent: QObject | None = None,
                 **kwargs: Any) -> None:
        super().__init__(parent)
        self.title = title
        self.details = ""
        self.done = False
        self._thread = QThread()
        self._thread.setObjectName(f"cta-task-{title or fn.__name__}")
        self._worker = Worker(fn, *args, **kwargs)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.progress.connect(self._on_progress)
        self._worker.result.connect(self._on_result)
        self._worker.error.connect(self._on_error)
        self._worker.cancelled.connect(self._on_cancelled)
        self._worker.finished.connect(self._on_finished)
        self._thread.finished.connect(self._thread_ended)

    def start(self) -> Task:
        _running.add(self)
        self._thread.start()
        return self

    def cancel(self) -> None:
        self._worker.cancel()

    def is_cancelled(self) -> bool:
        return self._worker.is_cancelled()

    def is_running(self) -> bool:
        return not self.done

    def wait(self, ms: int = 5000) -> bool:
        """Block until the thread ends (used only when the window closes)."""
        return self._thread.wait(ms)

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if not self.done:
            self.progress.emit(done, total)

    @Slot(object)
    def _on_result(self, value: object) -> None:
        self.result.emit(value)

    @Slot(object)
    def _on_error(self, exc: BaseException) -> None:
        self.details = self._worker.details
        self.error.emit(exc)

    @Slot()
    def _on_cancelled(self) -> None:
        self.cancelled.emit()

    @Slot()
    def _on_finished(self) -> None:
        self.done = True
        self._thread.quit()  # the thread ends on its own; _thread_ended drops our last reference
        self.finished.emit()

    @Slot()
    def _thread_ended(self) -> None:
        _running.discard(self)


def running_tasks() -> list[Task]:
    return list(_running)
