"""The NZB sparse engine against the dense runtimes people use, timed side by side in one process (no Qt).

Method (the machine is usually shared, so the numbers are made robust rather than quick):
- Every engine gets the same token ids (real tweets when the TweetEval test text is present, else
  the shipped example tweets, else ids sampled from the vocabulary) and the same weights: those the
  LoadedModel hands out. The dense peers (`engines/peers.py`) are TensorFlow (`tf.function`), TFLite
  through the LiteRT interpreter (XNNPACK) and ONNX Runtime, each where installed; a peer that
  cannot run is listed in `missing` with the reason.
- Each is warmed up first (TF traces its `tf.function`; numba compiles or loads its kernels - that
  time is reported separately as `jit_compile_seconds`, never mixed into the timings).
- Then `rounds` interleaved rounds, the engine order rotating each round; each engine classifies
  all `n` tweets in batches of `batch`. Seconds are the median round, tweets/s = n / that median.
- Before each engine's run the benchmark pauses SETTLE_SECONDS (untimed): ONNX Runtime's and
  XNNPACK's worker threads spin for a while after a call, and would otherwise take CPU from
  whichever engine runs next.
- CPU % is process CPU time (user + system, psutil) over wall time during the engine's rounds;
  200% means both cores busy. On a shared machine two extra ratios help read the result:
  `speedup_best_round` (fastest round of each; least disturbed by other processes) and
  `speedup_cpu_time` (CPU seconds each engine burned per round; immune to waiting for a core).
  `speedup` and those two compare NZB with the best dense runtime (`best_dense`, by median round);
  `engines[name]["nzb_speedup"]` with each one.
- GFLOP/s: multiply-adds x 2 per tweet x tweets/s. For the dense runtimes every multiply-add of the
  network (`model_spec.multiply_adds_per_tweet`); for NZB the ones it really does (nonzero
  weights), and `gflops_dense_equiv` = what a dense engine would need to match it.
- Single-tweet latency: median of `single` one-tweet calls after warm-up (`predict_one`).
- Memory (`bench_memory.py`): each engine's peak is measured in a fresh worker process of its own
  (load runtime + model, run one batch), the same way for all; `run_mem_bytes` is the largest rise
  of RSS during one timed batch in this process (activations and scratch buffers).
"""

from __future__ import annotations

import csv
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cta_desktop.core.bench_memory import METHOD as MEMORY_METHOD
from cta_desktop.core.bench_memory import PeakRss, measure_in_fresh_process
from cta_desktop.core.errors import Cancelled

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]
SETTLE_SECONDS = 0.1  # untimed pause before each engine's round (see the module docstring)


class BenchmarkCancelled(Cancelled):
    """The user cancelled the benchmark."""


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

    def __init__(self, name: str, mem: PeakRss):
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

    def entry(self, n: int, model_bytes: int) -> dict[str, Any]:
        med = float(np.median(self.rounds))
        return {
            "seconds": med,
            "tweets_per_s": n / med if med > 0 else None,
            "best_seconds": float(min(self.rounds)),
            "cpu_percent": 100.0 * self.cpu / self.wall if self.wall > 0 else None,
            "cpu_seconds": self.cpu / len(self.rounds),
            "run_mem_bytes": int(self.run_mem),
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
    peers: Sequence[str] | None = None,
    memory: bool = True,
) -> dict[str, Any]:
    """Time NZB and the dense runtimes on the same tweets; the dict `cta-desktop bench --json` prints.

    `peers`: dense runtimes to compare ("dense_tf", "tflite", "onnxruntime"); None = every one that
    can run here. `memory`: measure each engine's peak memory in a fresh process (see bench_memory).
    Raises BenchmarkCancelled when `cancel()` turns true (checked between batches and rounds),
    ModelError when the model is missing, ValueError for bad arguments or when no dense runtime
    can run (the message lists why each cannot).
    """
    from cta_desktop.core.engines.peers import DENSE_PEERS, TITLES, build_engine, peer_status
    from cta_desktop.core.model_spec import multiply_adds_per_tweet

    if n < 1 or batch < 1 or rounds < 1:
        raise ValueError("n, batch and rounds must be at least 1")
    layers = tuple(sorted(set(int(i) for i in layers)))
    from cta_desktop.core.modelstore import load_model

    model = load_model(sparsity, model_dir)
    status = peer_status(model, tuple(peers) if peers is not None else DENSE_PEERS)
    missing = {name: why for name, why in status.items() if why}
    dense_names = [name for name, why in status.items() if not why]
    if not dense_names:
        raise ValueError("no dense runtime to compare with: "
                         + "; ".join(f"{TITLES[k]}: {v}" for k, v in missing.items()))
    if naive and "dense_tf" not in dense_names:
        raise ValueError("--naive times Keras model.predict, which needs TensorFlow")
    names = ["nzb", *dense_names]
    ids, source = benchmark_inputs(model, n)
    n_batches = -(-n // batch)
    naive_k = min(naive_n, n) if naive else 0
    total = 2 * len(names) + len(names) * rounds * n_batches + 1 + naive_k
    done = 0

    def tick(step: int = 1) -> None:
        nonlocal done
        done += step
        if progress:
            progress(min(done, total), total)

    def check() -> None:
        if cancel and cancel():
            raise BenchmarkCancelled("benchmark cancelled")

    mem = PeakRss()
    check()

    # NZB first: its kernels (compiled, or loaded from numba's disk cache) are then ready for its worker.
    from cta_desktop.core.engines import sparse

    jit_was_ready = sparse.jit_ready()
    jit_start = time.perf_counter()
    sparse.warmup_async().join()
    jit_wait = time.perf_counter() - jit_start
    tick()
    check()

    # Memory: each engine alone in a fresh process, before anything is timed here.
    memory_figures: dict[str, dict[str, Any]] = {}
    for name in names:
        if memory:
            figures = measure_in_fresh_process(name, sparsity, model_dir, batch, layers, ids[:batch], cancel)
            if figures.get("cancelled"):
                raise BenchmarkCancelled("benchmark cancelled")
            memory_figures[name] = figures
        tick()
        check()

    # Every engine built in this process and run on one batch (imports, weights, traces, plans).
    engines_built: dict[str, Any] = {}
    setup_seconds: dict[str, float] = {}
    for name in names:
        start = time.perf_counter()
        engine = build_engine(name, model, batch, layers)
        engine.predict_proba(ids[:batch])
        setup_seconds[name] = time.perf_counter() - start
        engines_built[name] = engine
        if name != "nzb":
            tick()
        check()
    nzb = engines_built["nzb"]

    clocks = {name: _Clock(name, mem) for name in names}
    outputs: dict[str, np.ndarray] = {}

    def tick_check() -> None:
        tick()
        check()

    for r in range(rounds):
        k = r % len(names)
        for name in names[k:] + names[:k]:  # each engine takes each place in the order in turn
            time.sleep(SETTLE_SECONDS)  # the previous runtime's worker threads stop spinning first
            outputs[name] = clocks[name].run(engines_built[name].predict_proba, ids, batch, tick_check)

    dense_macs = multiply_adds_per_tweet()
    engines: dict[str, dict[str, Any]] = {}
    for name in names:
        engine = engines_built[name]
        e = clocks[name].entry(n, engine.model_bytes)
        e["title"] = TITLES[name]
        e["version"] = getattr(engine, "version", None)
        e["setup_seconds"] = setup_seconds[name]
        macs = nzb.nnz_macs if name == "nzb" else dense_macs
        e["macs_per_tweet"] = int(macs)
        e["gflops"] = 2.0 * macs * e["tweets_per_s"] / 1e9 if e["tweets_per_s"] else None
        figures = memory_figures.get(name, {})
        e["peak_mem_bytes"] = figures.get("peak_mem_bytes")
        e["peak_rss_bytes"] = figures.get("peak_rss_bytes")
        e["memory_baseline_bytes"] = figures.get("baseline_rss_bytes")
        if figures.get("error"):
            e["memory_error"] = figures["error"]
        if name != "nzb":
            e["label_agreement"] = float(np.mean(outputs["nzb"].argmax(1) == outputs[name].argmax(1)))
            e["max_rel_err"] = max_rel_err(outputs["nzb"], outputs[name])
            e["nzb_speedup"] = _ratio(e["seconds"], clocks["nzb"].entry(n, 0)["seconds"])
        engines[name] = e
    engines["nzb"]["engine"] = nzb.name
    engines["nzb"]["gflops_dense_equiv"] = 2.0 * dense_macs * engines["nzb"]["tweets_per_s"] / 1e9
    if "dense_tf" in engines:
        engines["dense_tf"]["trace_seconds"] = engines_built["dense_tf"].trace_seconds
    check()
    for name in names:
        engines[name]["single_tweet_ms"] = _latency_ms(engines_built[name].predict_one, ids, single)
    tick()

    if naive:
        engines["naive_predict"] = _naive_row(engines_built["dense_tf"], ids, naive_k, n, mem, tick, check)

    best = min(dense_names, key=lambda k: engines[k]["seconds"])
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
        "dense_peers": dense_names,
        "missing": missing,
        "best_dense": best,
        "speedup": _ratio(engines[best]["seconds"], engines["nzb"]["seconds"]),
        "speedup_best_round": _ratio(min(engines[k]["best_seconds"] for k in dense_names),
                                     engines["nzb"]["best_seconds"]),
        "speedup_cpu_time": _ratio(min(engines[k]["cpu_seconds"] for k in dense_names),
                                   engines["nzb"]["cpu_seconds"]),
        "speedups": {k: engines[k]["nzb_speedup"] for k in dense_names},
        "max_rel_err": max(engines[k]["max_rel_err"] for k in dense_names),
        "label_agreement": min(engines[k]["label_agreement"] for k in dense_names),
        "jit_compile_seconds": sparse.jit_seconds(),
        "jit_waited_seconds": 0.0 if jit_was_ready else jit_wait,
        "jit_cache": _jit_cache_state(),
        "memory_method": MEMORY_METHOD if memory else "not measured",
        "run_memory_method": mem.method,
        "machine": info,
    }


def _naive_row(dense, ids: np.ndarray, k: int, n: int, mem: PeakRss, tick: Callable[[], None],
               check: Callable[[], None]) -> dict[str, Any]:
    """The study's per-tweet Keras `model.predict`, timed on k tweets and extrapolated to n."""
    import psutil

    proc = psutil.Process()
    sample = ids[:k]
    dense.model.predict(sample[:1], verbose=0)  # Keras builds its predict function once
    cpu0 = proc.cpu_times()
    start = time.perf_counter()
    base = mem.start()
    for i in range(k):
        dense.model.predict(sample[i : i + 1], verbose=0)
        tick()
        check()
    wall = time.perf_counter() - start
    cpu1 = proc.cpu_times()
    per_tweet = wall / k
    return {
        "title": "per-tweet Keras",
        "seconds": per_tweet * n,
        "tweets_per_s": 1.0 / per_tweet,
        "cpu_percent": 100.0 * ((cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)) / wall,
        "run_mem_bytes": int(mem.peak() - base),
        "peak_mem_bytes": None,
        "model_bytes": dense.model_bytes,
        "extrapolated_from": k,
        "note": f"per-tweet Keras model.predict, timed on {k} tweets and extrapolated to {n}",
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


def _jit_cache_state() -> str:
    """'hit' when the kernels came from numba's disk cache, 'compiled' when built in this process."""
    try:
        from cta_desktop.core.engines import _kernels_forward

        stats = _kernels_forward.forward_worker.stats
        return "hit" if stats.cache_hits else ("compiled" if stats.cache_misses else "unknown")
    except Exception:  # pragma: no cover - informational only
        return "unknown"
