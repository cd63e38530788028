"""Python's cyclic garbage collector paused while an analysis runs, or held off for a GUI.

A full (generation 2) collection walks every tracked object of the process while holding the GIL:
with a 20k-tweet result in memory that took 60-80 ms here, and a GUI thread cannot paint meanwhile
(it was the longest event-loop gap during an analysis, tests/gui). An analysis allocates many objects
but makes (almost) no reference cycles, and reference counting frees what it drops, so the collector
is paused for its duration and resumed after; nothing is lost, a cycle just waits for the next pass.

A GUI also `hold`s automatic collection off while it has Qt objects a collection could free from the
wrong thread, and collects from its own thread instead (`gui/gc_collector.py`).

Process-wide (the collector is), nesting- and thread-safe: the first of overlapping pauses and holds
stops the collector if it was running, the last one to end starts it again.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_holds = 0
_was_enabled = False


def _stop_locked() -> None:
    global _was_enabled
    if _pauses == 0 and _holds == 0:
        _was_enabled = gc.isenabled()
        gc.disable()


def _start_locked() -> None:
    if _pauses == 0 and _holds == 0 and _was_enabled:
        gc.enable()


@contextmanager
def paused_gc() -> Iterator[None]:
    global _pauses
    with _lock:
        _stop_locked()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            _start_locked()


def hold() -> None:
    """Automatic collection off until the matching `release` (its holder collects when it is safe to)."""
    global _holds
    with _lock:
        _stop_locked()
        _holds += 1


def release() -> None:
    """End one `hold`: automatic collection back once no hold and no pause is left (if it was on before)."""
    global _holds
    with _lock:
        if _holds == 0:
            raise RuntimeError("gc_pause.release() without a hold")
        _holds -= 1
        _start_locked()


def active() -> bool:
    """True while an analysis holds the collector paused (`paused_gc`; holds do not count)."""
    return _pauses > 0
