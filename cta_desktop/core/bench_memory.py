"""Memory for the benchmark: each engine's peak, measured the same way for all, in a fresh process of its own.

Inside one process the numbers cannot be compared: whichever runtime was loaded first (TensorFlow by
an earlier run, numba by the app's warm-up) has already paid for itself. So each engine is measured
in a new worker process (multiprocessing *spawn*: a fresh interpreter, nothing inherited) that
imports only NumPy and our core, records its resident set (the baseline), then loads the runtime
and the model, builds the engine and classifies one batch. Its peak resident set is the kernel's
high-water mark (Linux `VmHWM`, reset at the baseline through /proc/self/clear_refs; Windows the
peak working set; macOS `ru_maxrss`). `peak_mem_bytes` = peak - baseline: what that engine costs a
program that uses it. Timings are never taken in these workers.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

METHOD = ("fresh worker process per engine (spawn): peak resident set while it loads the runtime and "
          "model and classifies one batch, minus the bare worker's (Python + NumPy)")


class PeakRss:
    """Peak resident set size of this process over a phase (VmHWM reset on Linux, else a 1 ms sampler)."""

    _CLEAR = "/proc/self/clear_refs"

    def __init__(self):
        import psutil

        self._proc = psutil.Process()
        self.method = "VmHWM reset via /proc/self/clear_refs" if self._can_reset() else "RSS sampled every 1 ms"
        self._sampler: threading.Thread | None = None
        self._stop = threading.Event()
        self._peak = 0

    def _can_reset(self) -> bool:
        if not sys.platform.startswith("linux"):
            return False
        try:
            with open(self._CLEAR, "w") as fh:
                fh.write("5")
            return self._hwm() is not None
        except OSError:
            return False

    @staticmethod
    def _hwm() -> int | None:
        try:
            with open("/proc/self/status") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            return None
        return None

    def rss(self) -> int:
        return int(self._proc.memory_info().rss)

    def start(self) -> int:
        """Begin a phase; returns the RSS at its start."""
        if self.method.startswith("VmHWM"):
            with open(self._CLEAR, "w") as fh:
                fh.write("5")
            return self.rss()
        base = self.rss()
        self._peak = base
        self._stop.clear()

        def sample():
            while not self._stop.wait(0.001):
                self._peak = max(self._peak, self.rss())

        self._sampler = threading.Thread(target=sample, daemon=True)
        self._sampler.start()
        return base

    def peak(self) -> int:
        """End the phase; returns the peak RSS during it."""
        if self.method.startswith("VmHWM"):
            return max(self._hwm() or 0, self.rss())
        self._stop.set()
        if self._sampler:
            self._sampler.join()
        return max(self._peak, self.rss())


def _process_peak(proc) -> int:
    """The process's lifetime peak resident set, the OS's own mark, where one exists."""
    if sys.platform == "win32":
        return int(getattr(proc.memory_info(), "peak_wset", 0))
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def _worker(name: str, sparsity: int, model_dir: str | None, batch: int, layers: tuple[int, ...],
            ids: np.ndarray, conn) -> None:
    try:
        import psutil

        from cta_desktop.core.engines.peers import build_engine
        from cta_desktop.core.modelstore import load_model

        if name == "dense_tf":
            from cta_desktop.paths import prepare_tensorflow_env

            prepare_tensorflow_env()
        proc = psutil.Process()
        linux = sys.platform.startswith("linux")
        mem = PeakRss() if linux else None
        baseline = mem.start() if mem else int(proc.memory_info().rss)
        start = time.perf_counter()
        model = load_model(sparsity, Path(model_dir) if model_dir else None)
        engine = build_engine(name, model, batch, layers)
        engine.predict_proba(ids)
        peak = mem.peak() if mem else max(_process_peak(proc), int(proc.memory_info().rss))
        conn.send({"peak_rss_bytes": peak, "baseline_rss_bytes": baseline, "peak_mem_bytes": max(0, peak - baseline),
                   "setup_seconds": time.perf_counter() - start})
    except BaseException as exc:  # report, never hang the parent
        conn.send({"error": f"{type(exc).__name__}: {exc}"})
    finally:
        conn.close()


def measure_in_fresh_process(name: str, sparsity: int, model_dir: Path | None, batch: int, layers: tuple[int, ...],
                             ids: np.ndarray, cancel: Callable[[], bool] | None = None,
                             timeout: float = 600.0) -> dict[str, Any]:
    """Run `_worker` for one engine in a new spawned process and return its dict: the figures, or
    {"error": ...}, or {"cancelled": True} when cancel() turned true (the worker is then terminated)."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, name=f"cta-bench-mem-{name}", daemon=True,
                       args=(name, sparsity, str(model_dir) if model_dir else None, batch, tuple(layers),
                             np.ascontiguousarray(ids, dtype=np.int32), child))
    proc.start()
    child.close()
    deadline = time.monotonic() + timeout
    try:
        while True:
            if parent.poll(0.1):
                try:
                    return parent.recv()
                except EOFError:
                    return {"error": f"the worker exited with code {proc.exitcode}"}
            if cancel and cancel():
                return {"cancelled": True}
            if not proc.is_alive() and not parent.poll(0):
                return {"error": f"the worker exited with code {proc.exitcode}"}
            if time.monotonic() > deadline:
                return {"error": f"no answer within {timeout:.0f} s"}
    finally:
        if proc.is_alive():
            proc.join(2.0)
        if proc.is_alive():
            proc.terminate()
            proc.join(2.0)
        parent.close()
