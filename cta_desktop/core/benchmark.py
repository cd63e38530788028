"""Dense TensorFlow against the NZB sparse engine, timed side by side in one process (no Qt).

Method (the machine is usually shared, so the numbers are made robust rather than quick):
- Both engines get the same token ids (real tweets when the TweetEval test text is present, else
  the shipped example tweets, else ids sampled from the vocabulary) and the same weights.
- Each is warmed up first (TF traces its `tf.function`; numba compiles or loads its kernels - that
  time is reported separately as `jit_compile_seconds`, never mixed into the timings).
- Then `rounds` interleaved rounds, the order alternating each round; each engine classifies all
  `n` tweets in batches of `batch`. Seconds are the median round, tweets/s = n / that median.
- CPU % is process CPU time (user + system, psutil) over wall time during the engine's rounds;
  200% means both cores busy. On a shared machine two extra ratios help read the result:
  `speedup_best_round` (fastest round of each; least disturbed by other processes) and
  `speedup_cpu_time` (CPU seconds each engine burned per round; immune to waiting for a core,
  though TensorFlow's spinning worker threads count against it).
- Single-tweet latency: median of `single` one-tweet calls after warm-up (`predict_one`; for TF the
  same tf.function on a batch of one).
- Memory: a Python heap tracer cannot see TensorFlow's or numba's allocators, so we measure the
  process's resident set. On Linux the kernel's peak-RSS mark (VmHWM) is reset through
  /proc/self/clear_refs before each measured phase, so each engine's peak is its own:
  `peak_mem_bytes` = peak RSS while the engine is set up (runtime import, weights, trace/compile)
  and runs one batch, minus the RSS just before; `run_mem_bytes` = the largest rise of RSS above
  its level at the start of a timed batch (activations and scratch buffers). Elsewhere a 1 ms RSS
  sampler thread stands in for VmHWM. If TensorFlow (or numba) was already loaded earlier in the
  process, its runtime cannot be measured again; `setup_measured` says so.
"""

from __future__ import annotations

import csv
import os
import platform
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cta_desktop.core.errors import Cancelled

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]


class BenchmarkCancelled(Cancelled):
    """The user cancelled the benchmark."""


# ---------------------------------------------------------------- memory
class _PeakRss:
    """Peak resident set size of this process over a phase, per the method in the module doc."""

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


# ---------------------------------------------------------------- inputs
def _tweeteval_texts() -> list[str] | None:
    from cta_desktop.paths import shared_data_dir

    path = shared_data_dir() / "tweeteval_sentiment" / "test_text.txt"
    if not path.exists():
        return None
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _example_texts() -> list[str] | None:
    from cta_desktop.paths import resources_dir

    texts: list[str] = []
    for path in sorted((resources_dir() / "example").glob("*.csv")):
        try:
            with open(path, encoding="utf-8", newline="") as fh:
                texts += [row["text"] for row in csv.DictReader(fh) if row.get("text")]
        except (OSError, KeyError, csv.Error, UnicodeDecodeError):
            continue
    return texts or None


def _sampled_ids(vocab_size: int, n: int, seq_len: int, rng: np.random.Generator) -> np.ndarray:
    """Tweet-like ids when no text is available: 8-30 tokens, word ranks drawn Zipf-like."""
    ids = np.zeros((n, seq_len), dtype=np.int32)
    lengths = rng.integers(8, 31, size=n)
    for i, length in enumerate(lengths):
        ranks = np.minimum(rng.zipf(1.3, size=length), vocab_size - 2)
        ids[i, :length] = ranks + 1  # 0 is padding; low ids are the frequent words
    return ids


def benchmark_inputs(model, n: int, seed: int = 0) -> tuple[np.ndarray, str]:
    """(n, 50) ids for the benchmark and where they came from (real tweets wherever possible)."""
    from cta_desktop.core.preprocess import SEQ_LEN

    rng = np.random.default_rng(seed)
    for source, loader in (("TweetEval test tweets", _tweeteval_texts), ("shipped example tweets", _example_texts)):
        texts = loader()
        if texts:
            ids = model.vocab.encode(texts)
            pick = rng.permutation(len(ids))
            reps = -(-n // len(ids))
            order = np.concatenate([pick] * reps)[:n] if reps > 1 else pick[:n]
            label = source if reps == 1 else f"{source} (repeated x{reps})"
            return np.ascontiguousarray(ids[order], dtype=np.int32), label
    return _sampled_ids(len(model.vocab), n, SEQ_LEN, rng), "ids sampled from the vocabulary"


# ---------------------------------------------------------------- helpers
def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "numpy": np.__version__,
    }
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["processor"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    except (OSError, AttributeError):
        pass
    for mod in ("numba", "tensorflow"):
        if mod in sys.modules:
            info[mod] = getattr(sys.modules[mod], "__version__", "?")
    return info


def max_rel_err(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| / |b| over all class probabilities (b the reference; tiny b floored at 1e-30)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-30)))


class _Clock:
    """Times one engine over several rounds: wall seconds per round, process CPU, memory."""

    def __init__(self, name: str, mem: _PeakRss):
        import psutil

        self.name = name
        self.mem = mem
        self._proc = psutil.Process()
        self.rounds: list[float] = []
        self.cpu = 0.0
        self.wall = 0.0
        self.run_mem = 0

    def run(self, fn: Callable[[np.ndarray], np.ndarray], ids: np.ndarray, batch: int, tick: Callable[[], None]):
        cpu0 = self._proc.cpu_times()
        start = time.perf_counter()
        out = []
        for s in range(0, len(ids), batch):
            base = self.mem.start()
            out.append(fn(ids[s : s + batch]))
            self.run_mem = max(self.run_mem, self.mem.peak() - base)
            tick()
        wall = time.perf_counter() - start
        cpu1 = self._proc.cpu_times()
        self.rounds.append(wall)
        self.wall += wall
        self.cpu += (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
        return np.concatenate(out) if out else np.zeros((0, 3), np.float32)

    def entry(self, n: int, peak_mem: int, setup_measured: bool, model_bytes: int) -> dict[str, Any]:
        med = float(np.median(self.rounds))
        return {
            "seconds": med,
            "tweets_per_s": n / med if med > 0 else None,
            "best_seconds": float(min(self.rounds)),
            "cpu_percent": 100.0 * self.cpu / self.wall if self.wall > 0 else None,
            "cpu_seconds": self.cpu / len(self.rounds),
            "peak_mem_bytes": int(peak_mem),
            "run_mem_bytes": int(self.run_mem),
            "setup_measured": setup_measured,
            "model_bytes": int(model_bytes),
            "round_seconds": [round(r, 6) for r in self.rounds],
        }


# ---------------------------------------------------------------- the benchmark
def run_benchmark(
    n: int = 4096,
    batch: int = 4096,
    sparsity: int = 80,
    layers: Sequence[int] = (1, 2, 3, 4),
    rounds: int = 5,
    naive: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    naive_n: int = 32,
    model_dir: Path | None = None,
    single: int = 50,
) -> dict[str, Any]:
    """Time dense TF and the NZB engine on the same tweets; the dict `cta-desktop bench --json` prints.

    Raises BenchmarkCancelled when `cancel()` turns true (checked between batches and rounds),
    ModelError when the model is missing, ValueError for bad arguments.
    """
    if n < 1 or batch < 1 or rounds < 1:
        raise ValueError("n, batch and rounds must be at least 1")
    layers = tuple(sorted(set(int(i) for i in layers)))
    from cta_desktop.core.modelstore import load_model

    model = load_model(sparsity, model_dir)
    ids, source = benchmark_inputs(model, n)
    n_batches = -(-n // batch)
    naive_k = min(naive_n, n) if naive else 0
    total = 3 + 2 * rounds * n_batches + naive_k
    done = 0

    def tick(step: int = 1) -> None:
        nonlocal done
        done += step
        if progress:
            progress(min(done, total), total)

    def check() -> None:
        if cancel and cancel():
            raise BenchmarkCancelled("benchmark cancelled")

    mem = _PeakRss()
    check()

    # NZB: kernels (compile or disk cache), engine from the NZB file, one batch.
    nzb_setup_measured = "numba" not in sys.modules
    base = mem.start()
    from cta_desktop.core.engines import sparse

    jit_was_ready = sparse.jit_ready()
    jit_start = time.perf_counter()
    sparse.warmup_async().join()
    jit_wait = time.perf_counter() - jit_start
    nzb = sparse.SparseNzbEngine(model.nzb, sparse_layers=layers)
    nzb.predict_proba(ids[:batch])
    nzb_peak = mem.peak() - base
    tick()
    check()

    # Dense TF: import, build, trace, one batch.
    tf_setup_measured = "tensorflow" not in sys.modules
    base = mem.start()
    from cta_desktop.core.engines.dense_tf import DenseTfEngine

    dense = DenseTfEngine(model.weights, batch_size=batch)
    trace_seconds = dense.warmup()
    dense.predict_proba(ids[:batch])
    dense_peak = mem.peak() - base
    tick()
    check()

    clocks = {"dense_tf": _Clock("dense_tf", mem), "nzb": _Clock("nzb", mem)}
    fns = {"dense_tf": dense.predict_proba, "nzb": nzb.predict_proba}
    outputs: dict[str, np.ndarray] = {}

    def tick_check() -> None:
        tick()
        check()

    for r in range(rounds):
        order = ("dense_tf", "nzb") if r % 2 == 0 else ("nzb", "dense_tf")
        for name in order:
            outputs[name] = clocks[name].run(fns[name], ids, batch, tick_check)

    p_dense, p_nzb = outputs["dense_tf"], outputs["nzb"]
    engines = {
        "dense_tf": clocks["dense_tf"].entry(n, dense_peak, tf_setup_measured, dense.model_bytes),
        "nzb": clocks["nzb"].entry(n, nzb_peak, nzb_setup_measured, nzb.model_bytes),
    }
    check()
    engines["dense_tf"]["single_tweet_ms"] = _latency_ms(dense.predict_one, ids, single)
    engines["nzb"]["single_tweet_ms"] = _latency_ms(nzb.predict_one, ids, single)
    tick()
    engines["dense_tf"]["trace_seconds"] = trace_seconds
    engines["dense_tf"]["macs_per_tweet"] = _dense_macs()
    engines["nzb"]["macs_per_tweet"] = nzb.nnz_macs
    engines["nzb"]["engine"] = nzb.name

    if naive:
        import psutil

        proc = psutil.Process()
        sample = ids[:naive_k]
        dense.model.predict(sample[:1], verbose=0)  # Keras builds its predict function once
        cpu0 = proc.cpu_times()
        start = time.perf_counter()
        base = mem.start()
        for i in range(naive_k):
            dense.model.predict(sample[i : i + 1], verbose=0)
            tick()
            check()
        wall = time.perf_counter() - start
        cpu1 = proc.cpu_times()
        per_tweet = wall / naive_k
        engines["naive_predict"] = {
            "seconds": per_tweet * n,
            "tweets_per_s": 1.0 / per_tweet,
            "cpu_percent": 100.0 * ((cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)) / wall,
            "peak_mem_bytes": int(mem.peak() - base),
            "model_bytes": dense.model_bytes,
            "extrapolated_from": naive_k,
            "note": f"per-tweet Keras model.predict, timed on {naive_k} tweets and extrapolated to {n}",
        }

    dense_s, nzb_s = engines["dense_tf"]["seconds"], engines["nzb"]["seconds"]
    info = machine_info()
    info["nzb_threads"] = nzb.n_threads or sparse.default_threads()
    return {
        "n": n,
        "batch": batch,
        "sparsity": sparsity,
        "layers": list(layers),
        "rounds": rounds,
        "input_source": source,
        "engines": engines,
        "speedup": dense_s / nzb_s if nzb_s > 0 else None,
        "speedup_best_round": _ratio(engines["dense_tf"]["best_seconds"], engines["nzb"]["best_seconds"]),
        "speedup_cpu_time": _ratio(engines["dense_tf"]["cpu_seconds"], engines["nzb"]["cpu_seconds"]),
        "max_rel_err": max_rel_err(p_nzb, p_dense),
        "label_agreement": float(np.mean(p_nzb.argmax(1) == p_dense.argmax(1))),
        "jit_compile_seconds": sparse.jit_seconds(),
        "jit_waited_seconds": 0.0 if jit_was_ready else jit_wait,
        "jit_cache": _jit_cache_state(),
        "memory_method": mem.method,
        "machine": info,
    }


def _latency_ms(fn: Callable[[np.ndarray], np.ndarray], ids: np.ndarray, k: int) -> float:
    """Median milliseconds of one single-tweet call, over k tweets (after one warm-up call)."""
    fn(ids[0])
    times = []
    for i in range(max(1, k)):
        start = time.perf_counter()
        fn(ids[i % len(ids)])
        times.append(time.perf_counter() - start)
    return 1000.0 * float(np.median(times))


def _ratio(a: float, b: float) -> float | None:
    return a / b if b > 0 else None


def _dense_macs() -> int:
    from cta_desktop.core.model_spec import multiply_adds_per_tweet

    return multiply_adds_per_tweet()


def _jit_cache_state() -> str:
    """'hit' when the kernels came from numba's disk cache, 'compiled' when built in this process."""
    try:
        from cta_desktop.core.engines import _kernels_net

        stats = _kernels_net.forward_worker.stats
        return "hit" if stats.cache_hits else ("compiled" if stats.cache_misses else "unknown")
    except Exception:  # pragma: no cover - informational only
        return "unknown"
