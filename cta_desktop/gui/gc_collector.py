"""Python's cyclic garbage collector, run from the GUI thread only, while the GUI has Qt objects.

A collection frees all cyclic garbage, Qt objects among it, in whichever thread happens to trigger
it; PySide then deletes a widget's C++ object in that thread, and a widget deleted off the GUI thread
can crash the app (the warm-up thread, compiling the kernels, triggered such a crash in a GUI test).
So while a collector is alive automatic collection is held off (`core.gc_pause.hold`), and a timer on
the GUI thread collects as the collector itself would (its thresholds, generations 0, 1, 2), except
while an analysis pauses it (`core.gc_pause.paused_gc`). Holds are counted: a window and the app's
warm-up (`gui/warm_up.py`) each keep one, and collection runs by itself again only when both have
ended. The pattern of pyqtgraph's `GarbageCollector`.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

from cta_desktop.core import gc_pause

INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    """Holds automatic collection off until `stop()` (or its deletion), collecting from a timer of its thread."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        gc_pause.hold()
        held = self._held = [True]  # (shared with the lambda below, which must not keep self alive)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)
        self.destroyed.connect(lambda *_: _release(held))  # deleted without stop(): the hold ends all the same

    def check(self) -> int | None:
        """Collect the generations the collector would have by now; the generation collected, if any."""
        if gc_pause.active():
            return None
        t0, t1, t2 = gc.get_threshold()
        c0, c1, c2 = gc.get_count()
        if c0 <= t0:
            return None
        generation = 2 if c1 > t1 and c2 > t2 else 1 if c1 > t1 else 0
        gc.collect(generation)
        return generation

    def stop(self) -> None:
        """End this collector's hold (its window closes; the warm-up is done)."""
        self.timer.stop()
        _release(self._held)


def _release(held: list[bool]) -> None:
    if held[0]:
        held[0] = False
        gc_pause.release()
