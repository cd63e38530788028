"""Python's cyclic garbage collector paused while an analysis runs.

A full (generation 2) collection walks every tracked object of the process while holding the GIL:
with a 20k-tweet result in memory that took 60-80 ms here, and a GUI thread cannot paint meanwhile
(it was the longest event-loop gap during an analysis, tests/gui). An analysis allocates many objects
but makes (almost) no reference cycles, and reference counting frees what it drops, so the collector
is paused for its duration and resumed after; nothing is lost, a cycle just waits for the next pass.

Process-wide (the collector is), nesting- and thread-safe: the first of overlapping pauses stops the
collector if it was running, the last one to end starts it again.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def paused_gc() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()


def active() -> bool:
    """True while some code holds the collector paused."""
    return _depth > 0
