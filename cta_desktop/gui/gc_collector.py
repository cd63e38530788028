"""Python's cyclic garbage collector, run from the GUI thread only, while a window is open.

A collection frees all cyclic garbage, Qt objects among it, in whichever thread happens to trigger
it; PySide then deletes a widget's C++ object in that thread, and a widget deleted off the GUI thread
can crash the app (the warm-up thread, compiling the kernels, triggered such a crash in a GUI test).
So while the window is open automatic collection is off, and a timer on the GUI thread collects as
the collector itself would (its thresholds, generations 0, 1, 2), except while an analysis pauses it
(`core.gc_pause`). The pattern of pyqtgraph's `GarbageCollector`.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

from cta_desktop.core import gc_pause

INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    """Turns automatic collection off until `stop()`, collecting from a timer of the object's thread."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)
        was_enabled = self._was_enabled  # (deleted with its window unclosed: collection back all the same)
        self.destroyed.connect(lambda *_: gc.enable() if was_enabled else None)

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
        """Automatic collection back as it was (the window closes)."""
        self.timer.stop()
        if self._was_enabled:
            gc.enable()
