"""The fused NZB forward pass: each thread runs the whole network on tiles of LANES tweets.

A tile's activations live in small per-thread buffers laid out [channel][time][lane] with the conv
padding already in place (zeros written once), so every layer reads its input straight from the
previous layer's pooled output and no tile ever leaves the core's caches. Threads (the caller plus
helpers, see sparse.py) claim tiles with an atomic counter, so a core slowed by another process
simply takes fewer tiles.

`plan` (int64) holds the per-layer shapes computed in `sparse.py`, read through the named offsets
of `tile_layout` (PLAN_STRIDE entries per layer, then PLAN_FIRST_PAD).
"""

# ruff: noqa: E741
from __future__ import annotations

import numba as nb
import numpy as np

from cta_desktop.core.engines.tile_layout import SPLIT_LANES

# The conv kernels for this CPU: split-lane F32x8 tiles without AVX-512 (AVX2), wide F32x16 tiles
# with it (see tile_layout.split_lanes). numba keys its cache on the CPU, so a cache made on one
# kind of CPU is never used on the other.
if SPLIT_LANES:
    from cta_desktop.core.engines._kernels_conv_csr_x8 import conv, conv_time_outer
else:
    from cta_desktop.core.engines._kernels_conv_csr import conv, conv_time_outer
from cta_desktop.core.engines import _kernels_simd
from cta_desktop.core.engines._kernels_simd import VARIANT_OPS, atomic_add, cache_enabled, ctlz, vfma, vstore
from cta_desktop.core.engines.tile_layout import (
    LANES,
    PLAN_C_IN,
    PLAN_C_OUT,
    PLAN_FIRST_PAD,
    PLAN_IN_LEN,
    PLAN_N_CH_BLOCKS,
    PLAN_N_TIME_BLOCKS,
    PLAN_OUT_LEN,
    PLAN_OUT_PAD,
    PLAN_STRIDE,
    PLAN_T_TILE,
    PLAN_TIME_OUTER,
)

CACHE = cache_enabled(__file__)
# A vector of one tile row (LANES tweets), for the dense head: fused multiply-adds, as in the conv kernels.
_, _load_op, _zero_op = VARIANT_OPS[SPLIT_LANES]
_vzero, _vload = getattr(_kernels_simd, _zero_op), getattr(_kernels_simd, _load_op)

_f32 = nb.float32[::1]
_i64 = nb.int64[::1]
TILE_SIG = nb.void(
    nb.int32[:, ::1], nb.int64, _i64,  # ids, tile index, plan
    _i64, nb.uint64[::1], _f32,  # embedding: row start, row bitmap, values
    _i64, _f32, _i64, _f32,  # conv1: offs, vals, indptr, bias
    _i64, _f32, _i64, _f32,  # conv2
    _i64, _f32, _i64, _f32,  # conv3
    _i64, _f32, _i64, _f32,  # conv4
    _i64, _i64, _f32, _f32,  # dense: indptr per class, feature index, values, bias
    _f32, _f32, _f32, _f32, _f32, _f32, _f32,  # buffers x1..x5, partial sums, logits
    nb.float32[:, ::1],  # out probabilities
)


@nb.njit(inline="always")
def _conv(t, x, offs, vals, indptr, bias, part, y, n_cb, n_out, n_tb, y_cs, y_t0, time_outer):
    if time_outer:
        conv_time_outer(t, x, offs, vals, indptr, bias, y, n_out, n_tb, y_cs, y_t0)
    else:
        conv(t, x, offs, vals, indptr, bias, part, y, n_cb, n_out, n_tb, y_cs, y_t0)


@nb.njit(TILE_SIG, cache=CACHE, nogil=True, error_model="numpy", boundscheck=False)
def forward_tile(ids, tile, plan, e_start, e_bits, e_vals,
                 o1, v1, p1, b1, o2, v2, p2, b2, o3, v3, p3, b3, o4, v4, p4, b4,
                 d_ptr, d_idx, d_vals, d_bias, x1, x2, x3, x4, x5, part, logits, out):
    """Run tile `tile` (rows tile*LANES ...) of `ids` through the network into `out`."""
    n = ids.shape[0]
    seq = ids.shape[1]
    c_in = plan[PLAN_C_IN]
    lp = plan[PLAN_IN_LEN]
    pad = plan[PLAN_FIRST_PAD]
    row0 = tile * LANES
    # Embedding lookup straight from the NZB rows: bit (63 - c) set <=> channel c stored, the row's
    # values in channel order from e_start[tok]. Zero the tile (contiguous vector stores), then
    # write only each token's stored values: ~6 of 32 channels at 80% sparsity. (Lanes past the
    # last tweet stay zero; their outputs are never written.)
    x1[: c_in * lp * LANES] = np.float32(0.0)
    c_stride = lp * LANES
    for l in range(LANES):
        r = row0 + l
        if r >= n:
            break
        for t in range(seq):
            tok = ids[r, t]
            word = e_bits[tok]
            pos = e_start[tok]
            q = (pad + t) * LANES + l
            while word != np.uint64(0):
                c = ctlz(word)
                x1[q + nb.int64(c) * c_stride] = e_vals[pos]
                pos += 1
                word ^= np.uint64(1) << (np.uint64(63) - c)
    xs = (x1, x2, x3, x4, x5)
    for i in range(4):
        q = PLAN_STRIDE * i
        n_out = plan[q + PLAN_C_OUT]
        t_tile = plan[q + PLAN_T_TILE]
        n_tb = plan[q + PLAN_N_TIME_BLOCKS]
        n_cb = plan[q + PLAN_N_CH_BLOCKS]
        y_lp = plan[q + PLAN_OUT_LEN]
        y_pad = plan[q + PLAN_OUT_PAD]
        time_outer = plan[q + PLAN_TIME_OUTER] != 0
        x = xs[i]
        y = xs[i + 1]
        if i == 0:
            _conv(t_tile, x, o1, v1, p1, b1, part, y, n_cb, n_out, n_tb, y_lp * LANES, y_pad * LANES,
                  time_outer)
        elif i == 1:
            _conv(t_tile, x, o2, v2, p2, b2, part, y, n_cb, n_out, n_tb, y_lp * LANES, y_pad * LANES,
                  time_outer)
        elif i == 2:
            _conv(t_tile, x, o3, v3, p3, b3, part, y, n_cb, n_out, n_tb, y_lp * LANES, y_pad * LANES,
                  time_outer)
        else:
            _conv(t_tile, x, o4, v4, p4, b4, part, y, n_cb, n_out, n_tb, y_lp * LANES, y_pad * LANES,
                  time_outer)
    # Dense head over the flattened (time, channel) features, only its nonzero weights.
    n_cls = d_bias.shape[0]
    c_last = plan[PLAN_STRIDE * 3 + PLAN_C_OUT]
    t_last = plan[PLAN_STRIDE * 3 + PLAN_OUT_LEN]
    for k in range(n_cls):
        acc = _vzero()
        for j in range(d_ptr[k], d_ptr[k + 1]):
            f = d_idx[j]
            t = f // c_last
            c = f - t * c_last
            acc = vfma(acc, d_vals[j], _vload(x5, (c * t_last + t) * LANES))
        vstore(logits, k * LANES, acc)
    for l in range(LANES):
        r = row0 + l
        if r >= n:
            break
        m = np.float32(-np.inf)
        for k in range(n_cls):
            z = logits[k * LANES + l] + d_bias[k]
            logits[k * LANES + l] = z
            if z > m:
                m = z
        s = np.float32(0.0)
        for k in range(n_cls):
            e = np.exp(logits[k * LANES + l] - m)
            out[r, k] = e
            s += e
        for k in range(n_cls):
            out[r, k] = out[r, k] / s


def buffer_sizes(plan: np.ndarray) -> list[int]:
    """Float counts of x1..x5, the partial-sum buffer and the logits buffer for one thread."""
    sizes = []
    part = 0
    for i in range(4):
        layer = [int(v) for v in plan[PLAN_STRIDE * i : PLAN_STRIDE * (i + 1)]]
        sizes.append(layer[PLAN_C_IN] * layer[PLAN_IN_LEN] * LANES)
        if layer[PLAN_N_CH_BLOCKS] > 1:
            part = max(part, layer[PLAN_C_OUT] * layer[PLAN_T_TILE] * layer[PLAN_N_TIME_BLOCKS] * LANES)
    last = PLAN_STRIDE * 3
    c_last, y_lp_last = int(plan[last + PLAN_C_OUT]), int(plan[last + PLAN_OUT_LEN])
    sizes.append(c_last * y_lp_last * LANES)
    sizes.append(max(part, LANES))
    sizes.append(8 * LANES)
    return sizes


WORKER_SIG = nb.void(
    nb.int32[:, ::1], _i64,
    _i64, nb.uint64[::1], _f32,
    _i64, _f32, _i64, _f32,
    _i64, _f32, _i64, _f32,
    _i64, _f32, _i64, _f32,
    _i64, _f32, _i64, _f32,
    _i64, _i64, _f32, _f32,
    _f32, _f32, _f32, _f32, _f32, _f32, _f32,  # this worker's buffers x1..x5, partial sums, logits
    _i64, nb.float32[:, ::1],  # shared tile counter, out
)


@nb.njit(WORKER_SIG, cache=CACHE, nogil=True, error_model="numpy", boundscheck=False)
def forward_worker(ids, plan, e_start, e_bits, e_vals,
                   o1, v1, p1, b1, o2, v2, p2, b2, o3, v3, p3, b3, o4, v4, p4, b4,
                   d_ptr, d_idx, d_vals, d_bias, x1, x2, x3, x4, x5, part, logits, counter, out):
    """Claim tiles of `ids` one at a time from the shared counter until none are left.

    Several threads run this at once (the GIL is released), each with its own buffers, allocated
    once by the engine with their padding zeroed (kernels never write the padding). A thread that
    starts late, because another process holds its core, just finds fewer tiles left.
    """
    n_tiles = (ids.shape[0] + LANES - 1) // LANES
    while True:
        tile = atomic_add(counter, 0, 1)
        if tile >= n_tiles:
            break
        forward_tile(ids, tile, plan, e_start, e_bits, e_vals,
                     o1, v1, p1, b1, o2, v2, p2, b2, o3, v3, p3, b3, o4, v4, p4, b4,
                     d_ptr, d_idx, d_vals, d_bias, x1, x2, x3, x4, x5, part, logits, out)
