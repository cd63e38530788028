"""The NZB sparse engine: the whole text-CNN run from an NZB file, skipping zero weights, no TensorFlow.

How it is fast (see README_ENGINE in the project docs for measurements):
- *Fused tiles.* Each thread takes LANES (16) tweets at a time through every layer, embedding to
  softmax, in small [channel][time][tweet] buffers that stay in the core's caches. Tweets are the
  innermost axis, so one weight multiplies 16 tweets in one SIMD instruction.
- *Sparse filters.* Each output channel visits only its nonzero weights (from the NZB bitmaps, via
  `NzbTensor.to_csr()`), each a (input channel, kernel tap) offset and a value.
- *Register tiles.* For each nonzero the kernel updates T output times x 16 tweets held in
  registers (`_kernels_nzb.py`), so partial sums are not reloaded per weight; MaxPool, bias and relu
  are applied when the tile is written.
- *Cache blocking.* Where one time block's input window fits in L1 (layers 1 and 4) time blocks
  loop outside the filters; otherwise (layers 2, 3) the input channels are split into blocks
  that fit, and partial sums are carried from block to block.
- The embedding lookup decodes each word's NZB bitmap directly (no dense embedding in memory).
- *Threads.* The calling thread and one helper per other CPU claim tiles from a shared atomic
  counter (numba `nogil` kernels, plain Python threads). Unlike a `prange` barrier, nobody waits
  for a helper that another process keeps off its core: it just finds no tiles left. It also
  needs no OpenMP/TBB threading layer in a frozen app.

Layers not listed in `sparse_layers` run densely through the same kernels with every weight
(zeros included), which is how the study's layer-by-layer comparison is reproduced.

Numba compiles the kernels once (6-8 s on the development machine; 0.3 s from its cache) for
the exact signatures used, and caches them in user_cache_dir()/numba (never inside the install);
call `warmup_async()` at start-up so no user waits for it.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from cta_desktop.paths import user_cache_dir


def _configure_numba_cache() -> None:
    """Point numba's cache at our cache directory. Must run before numba is imported."""
    try:
        cache = user_cache_dir() / "numba"
        cache.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    os.environ["NUMBA_CACHE_DIR"] = str(cache)
    if "numba" in sys.modules:  # imported earlier by someone else: numba reads its config lazily too
        sys.modules["numba"].config.CACHE_DIR = str(cache)


_configure_numba_cache()

import numba  # noqa: E402  (after the cache directory is set; ImportError -> best_engine falls back)

from cta_desktop.core.model_spec import CONVS, EMBED_DIM, POOL  # noqa: E402
from cta_desktop.core.nzb import NzbFile, NzbTensor  # noqa: E402
from cta_desktop.core.preprocess import SEQ_LEN  # noqa: E402

LANES = 16  # tweets per tile; must match _kernels_gen.LANES
TIME_TILES = (10, 8, 6)  # register tile heights compiled in _kernels_nzb, preferred first
BLOCK_BYTES = 32 * 1024  # target size of one channel block of a tile's layer input (fits L1 with room)
PLAN_STRIDE = 9

_jit_lock = threading.Lock()
_pool_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_kernels = None
_jit_seconds: float | None = None
_warmup_thread: threading.Thread | None = None


def _load_kernels():
    """Import (compile or load from cache) the numba kernels; thread-safe, done once."""
    global _kernels, _jit_seconds
    with _jit_lock:
        if _kernels is None:
            start = time.perf_counter()
            from cta_desktop.core.engines import _kernels_net

            _warm_run(_kernels_net)
            _jit_seconds = time.perf_counter() - start
            _kernels = _kernels_net
    return _kernels


def _warm_run(k) -> None:
    """One tiny forward pass (batch and single tweet) so every code path and the helper threads are ready."""
    rng = np.random.default_rng(0)
    vocab = 8
    tensors: dict[str, NzbTensor | np.ndarray] = {}
    emb = rng.standard_normal((vocab, EMBED_DIM)).astype(np.float32)
    tensors["embedding"] = NzbTensor.from_dense("embedding", emb, 0)
    c_in = EMBED_DIM
    for i, spec in enumerate(CONVS, start=1):
        w = rng.standard_normal((spec.kernel, c_in, spec.filters)).astype(np.float32)
        tensors[f"conv{i}/kernel"] = NzbTensor.from_dense(f"conv{i}/kernel", w, 2)
        tensors[f"conv{i}/bias"] = np.zeros(spec.filters, np.float32)
        c_in = spec.filters
    flat = (SEQ_LEN // POOL ** len(CONVS)) * c_in
    tensors["dense/kernel"] = NzbTensor.from_dense("dense/kernel", rng.standard_normal((flat, 3)).astype(np.float32), 1)
    tensors["dense/bias"] = np.zeros(3, np.float32)
    engine = SparseNzbEngine(NzbFile(tensors), _kernels_module=k)
    ids = rng.integers(0, vocab, size=(2 * LANES + 1, SEQ_LEN)).astype(np.int32)
    engine.predict_proba(ids)
    engine.predict_one(ids[0])


def default_threads() -> int:
    """Threads for batch inference: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _pool() -> ThreadPoolExecutor:
    """Helper threads for predict_proba (the calling thread is always one of the workers)."""
    global _executor
    with _pool_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=max(1, default_threads() - 1),
                                           thread_name_prefix="nzb-worker")
        return _executor


def warmup_async() -> threading.Thread:
    """Compile (or load from the on-disk cache) the kernels in a background thread; returns it."""
    global _warmup_thread
    with _jit_lock:
        if _warmup_thread is None:
            _warmup_thread = threading.Thread(target=_load_kernels, name="nzb-jit-warmup", daemon=True)
            _warmup_thread.start()
        return _warmup_thread


def jit_ready() -> bool:
    return _kernels is not None


def jit_seconds() -> float | None:
    """Seconds the kernels took to compile or load (None until they are ready)."""
    return _jit_seconds


def jit_cache_dir() -> str:
    return str(numba.config.CACHE_DIR or "")


def _csr_blocks(tensor: NzbTensor | np.ndarray, sparse: bool, lp: int, c_block: int):
    """Per (channel block, output channel) the weights to visit, as (offs, vals, indptr).

    offs[j] = (c * lp + k) * LANES is where weight j's input starts in the tile buffer. Sparse:
    the NZB nonzeros only (from the bitmaps). Dense: every weight, zeros included.
    """
    if isinstance(tensor, np.ndarray):
        tensor = NzbTensor.from_dense("conv", tensor, 2)
    k_size, c_in, c_out = tensor.shape
    if sparse:
        indptr, indices, values = tensor.to_csr()
        filt = np.repeat(np.arange(c_out, dtype=np.int64), np.diff(indptr))
        pos = indices.astype(np.int64)
    else:
        rows = tensor.filter_rows()  # (c_out, k * c_in)
        values = rows.ravel()
        filt = np.repeat(np.arange(c_out, dtype=np.int64), rows.shape[1])
        pos = np.tile(np.arange(rows.shape[1], dtype=np.int64), c_out)
    k = pos // c_in
    c = pos % c_in
    cb = c // c_block
    order = np.lexsort((k, c, filt, cb))  # block, then filter, then channel, then tap
    key = cb[order] * c_out + filt[order]
    n_cb = c_in // c_block
    indptr_b = np.zeros(n_cb * c_out + 1, dtype=np.int64)
    np.cumsum(np.bincount(key, minlength=n_cb * c_out), out=indptr_b[1:])
    offs = ((c[order] * lp + k[order]) * LANES).astype(np.int64)
    vals = np.ascontiguousarray(values[order], dtype=np.float32)
    return offs, vals, indptr_b


def _channel_block(c_in: int, lp: int, budget: int) -> int:
    per_channel = lp * LANES * 4
    best = 1
    for d in range(1, c_in + 1):
        if c_in % d == 0 and d * per_channel <= budget:
            best = d
    return best


def _time_tile(n_needed: int) -> int:
    for t in TIME_TILES:
        if n_needed % t == 0:
            return t
    raise ValueError(f"no compiled register tile divides {n_needed} output times")


class SparseNzbEngine:
    """Runs the text-CNN from an NZB file; conv layers in `sparse_layers` visit only nonzero weights."""

    def __init__(self, nzb: NzbFile, sparse_layers: Iterable[int] = (1, 2, 3, 4),
                 block_bytes: int = BLOCK_BYTES, n_threads: int | None = None, _kernels_module=None):
        self.sparse_layers = tuple(sorted(set(int(i) for i in sparse_layers)))
        bad = [i for i in self.sparse_layers if not 1 <= i <= len(CONVS)]
        if bad:
            raise ValueError(f"sparse_layers must be within 1..{len(CONVS)}, got {bad}")
        self._k = _kernels_module
        self.n_threads = n_threads
        t = nzb.tensors
        emb = t["embedding"]
        if isinstance(emb, np.ndarray):
            emb = NzbTensor.from_dense("embedding", emb.astype(np.float32), 0)
        if emb.filter_size > 64:
            raise ValueError("the NZB engine supports embeddings of at most 64 dimensions")
        self.vocab_size = emb.n_filters
        self.e_start = np.zeros(self.vocab_size + 1, dtype=np.int64)
        np.cumsum(emb.popcounts, out=self.e_start[1:])
        bits = np.zeros((self.vocab_size, 8), dtype=np.uint8)
        bits[:, : emb.bitmaps.shape[1]] = emb.bitmaps
        self.e_bits = bits.view(">u8").ravel().astype(np.uint64)  # weight c is bit 63 - c
        self.e_vals = np.append(emb.values.astype(np.float32), np.float32(0))  # + spare, see _kernels_net

        plan = []
        self.layers = []
        c_in, length = emb.filter_size, SEQ_LEN
        for i, spec in enumerate(CONVS, start=1):
            lp = length + spec.kernel - 1
            pooled = length // POOL
            t_tile = _time_tile(pooled * POOL)
            # One time block's input window fits the budget: loop time blocks outside, no channel
            # blocks (layer 1). Otherwise split input channels into blocks that fit (layers 2-4).
            window = c_in * (t_tile + spec.kernel - 1) * LANES * 4
            time_outer = window <= block_bytes
            c_block = c_in if time_outer else _channel_block(c_in, lp, block_bytes)
            offs, vals, indptr = _csr_blocks(t[f"conv{i}/kernel"], i in self.sparse_layers, lp, c_block)
            bias = np.ascontiguousarray(nzb.dense(f"conv{i}/bias"), dtype=np.float32)
            nxt = CONVS[i] if i < len(CONVS) else None
            y_pad = nxt.pad_left if nxt else 0
            y_lp = pooled + (nxt.kernel - 1 if nxt else 0)
            plan += [c_in, lp, spec.filters, t_tile, pooled * POOL // t_tile, c_in // c_block, y_lp, y_pad,
                     int(time_outer)]
            self.layers.append((offs, vals, indptr, bias))
            c_in, length = spec.filters, pooled
        plan.append(CONVS[0].pad_left)
        self.plan = np.array(plan, dtype=np.int64)
        dk = t["dense/kernel"]
        if isinstance(dk, np.ndarray):
            dk = NzbTensor.from_dense("dense/kernel", dk.astype(np.float32), 1)
        d_ptr, d_idx, d_vals = dk.to_csr()
        self.d_ptr = d_ptr.astype(np.int64)
        self.d_idx = d_idx.astype(np.int64)
        self.d_vals = np.ascontiguousarray(d_vals, dtype=np.float32)
        self.d_bias = np.ascontiguousarray(nzb.dense("dense/bias"), dtype=np.float32)
        self.n_classes = int(self.d_bias.shape[0])
        self.nnz_macs = self._macs_per_tweet()
        self._one_lock = threading.Lock()
        self._run_lock = threading.Lock()
        self._one_buffers = None
        self._scratch: list[np.ndarray] | None = None  # per-worker tile buffers, padding kept zero

    @property
    def name(self) -> str:
        if self.sparse_layers == tuple(range(1, len(CONVS) + 1)):
            return "nzb"
        if not self.sparse_layers:
            return "nzb-kernels-dense"
        return "nzb[" + ",".join(map(str, self.sparse_layers)) + "]"

    @property
    def model_bytes(self) -> int:
        """Bytes of weights and index structures this engine holds in memory."""
        arrays = [self.e_start, self.e_bits, self.e_vals, self.d_ptr, self.d_idx, self.d_vals, self.d_bias]
        for layer in self.layers:
            arrays += list(layer)
        return int(sum(a.nbytes for a in arrays))

    def _macs_per_tweet(self) -> int:
        """Multiply-adds the engine actually performs per tweet (output times computed x weights)."""
        total = 0
        for i, (_o, vals, _p, _b) in enumerate(self.layers):
            q = PLAN_STRIDE * i
            total += int(vals.size) * int(self.plan[q + 3] * self.plan[q + 4])
        return total + int(self.d_vals.size)

    def _kernels_mod(self):
        if self._k is None:
            self._k = _load_kernels()
        return self._k

    def _check_ids(self, ids) -> np.ndarray:
        ids = np.ascontiguousarray(ids, dtype=np.int32)
        if ids.ndim != 2 or ids.shape[1] != SEQ_LEN:
            raise ValueError(f"expected token ids of shape (n, {SEQ_LEN}), got {ids.shape}")
        if ids.size and (int(ids.min()) < 0 or int(ids.max()) >= self.vocab_size):
            raise ValueError(f"token ids must lie in 0..{self.vocab_size - 1}")
        return ids

    def _layer_args(self):
        args = []
        for layer in self.layers:
            args += list(layer)
        return args

    def predict_proba(self, ids: np.ndarray) -> np.ndarray:
        """(n, 50) int32 token ids -> (n, 3) float32 probabilities, on all threads."""
        ids = self._check_ids(ids)
        out = np.empty((ids.shape[0], self.n_classes), dtype=np.float32)
        if ids.shape[0] == 0:
            return out
        k = self._kernels_mod()
        n_tiles = -(-ids.shape[0] // LANES)
        counter = np.zeros(1, dtype=np.int64)
        threads = min(self.n_threads or default_threads(), n_tiles)
        with self._run_lock:
            if self._scratch is None or len(self._scratch) < threads:
                self._scratch = [[np.zeros(s, np.float32) for s in k.buffer_sizes(self.plan)] for _ in range(threads)]
            common = (ids, self.plan, self.e_start, self.e_bits, self.e_vals, *self._layer_args(),
                      self.d_ptr, self.d_idx, self.d_vals, self.d_bias)
            helpers = [_pool().submit(k.forward_worker, *common, *self._scratch[w], counter, out)
                       for w in range(1, threads)]
            k.forward_worker(*common, *self._scratch[0], counter, out)  # the caller works too
            for f in helpers:
                if not f.cancel():  # never started: nothing to wait for (the caller did its share)
                    f.result()
        return out

    def predict_one(self, ids_row: np.ndarray) -> np.ndarray:
        """One tweet's (50,) ids -> (3,) probabilities, on the calling thread (lowest latency)."""
        ids = self._check_ids(np.asarray(ids_row).reshape(1, -1))
        k = self._kernels_mod()
        out = np.empty((1, self.n_classes), dtype=np.float32)
        with self._one_lock:
            if self._one_buffers is None:
                self._one_buffers = [np.zeros(s, np.float32) for s in k.buffer_sizes(self.plan)]
            k.forward_tile(ids, 0, self.plan, self.e_start, self.e_bits, self.e_vals, *self._layer_args(),
                           self.d_ptr, self.d_idx, self.d_vals, self.d_bias, *self._one_buffers, out)
        return out[0]
