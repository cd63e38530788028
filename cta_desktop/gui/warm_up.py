"""The app's one warm-up of its kernels (`jobs.warm_up_engine`), shared by every window of the process.

It belongs to the QApplication, not to a window: a window may be closed and deleted while the
kernels still compile (each GUI test's window is, on a fresh numba cache), and a warm-up thread that
signalled its window then emitted on a deleted object ("Signal source has been deleted") and, once,
crashed the suite. Here the thread signals this object, which lives as long as the app, and the
window that asks after it only connects to `ready`.

While the thread runs it holds automatic garbage collection off (`gui/gc_collector.py`), also after
every window has closed: a collection triggered from the compiling thread could free the closed
windows' Qt objects off the GUI thread. When it is done, this object collects the start-up garbage
on the GUI thread and freezes what is left (numba, llvmlite, matplotlib, the language model: ~80k
objects that live as long as the app) out of the collector's full passes.
"""

from __future__ import annotations

import gc
import threading

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Signal

from cta_desktop.gui.gc_collector import GuiThreadCollector

_instance: EngineWarmUp | None = None


class EngineWarmUp(QObject):
    """Starts the warm-up thread at once; `ready` (on the GUI thread) when it has ended."""

    ready = Signal()
    _ended_in_thread = Signal()  # emitted by the warm-up thread, delivered queued on this object's thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from cta_desktop.gui import jobs

        self.is_ready = False
        self.collector = GuiThreadCollector(self)
        self._ended_in_thread.connect(self._end)
        # The app may quit (and delete this object with it) while a cold cache still compiles: the thread
        # then has nobody to tell. The lock keeps the deletion from falling between its check and its emit.
        lock, alive = threading.Lock(), [True]

        def gone(*_: object) -> None:
            with lock:
                alive[0] = False

        def ended() -> None:  # (in the warm-up thread)
            with lock:
                if alive[0]:
                    self._ended_in_thread.emit()

        self.destroyed.connect(gone)
        self.python_thread = jobs.warm_up_engine(done=ended)

    def _end(self) -> None:
        gc.collect()
        gc.freeze()
        self.collector.stop()
        self.is_ready = True
        self.ready.emit()


def engine_warm_up() -> EngineWarmUp:
    """The process's warm-up, started by the first caller (a QApplication must exist)."""
    global _instance
    if _instance is None or not shiboken6.isValid(_instance):
        _instance = EngineWarmUp(QCoreApplication.instance())
    return _instance
