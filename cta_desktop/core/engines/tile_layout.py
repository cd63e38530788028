"""The NZB engine's tile layout and plan: the constants that `sparse.py` and the kernels share.

A *tile* is LANES tweets run through the whole network together. Its activations live in per-thread
buffers laid out [channel][padded time][lane], so one weight multiplies LANES tweets with one vector
(`_kernels_simd.F32x16`, one AVX-512 register, for tiles of 16; `F32x8`, one AVX2 register, for tiles
of 8 on CPUs without AVX-512: see `split_lanes`).

The *plan* is one int64 array that `SparseNzbEngine` computes once per model and the numba kernels
read: PLAN_STRIDE entries per conv layer (index with `PLAN_STRIDE * layer + PLAN_...`), then the first
layer's left padding at PLAN_FIRST_PAD. Numba freezes these module globals into the compiled code.
"""

from __future__ import annotations

import os


def split_lanes() -> bool:
    """True: run the split-lane kernels (tiles of 8 tweets, `F32x8` accumulators).

    On AVX-512 a register tile of T times x 16 tweets is T registers (of 32); on AVX2 it would be
    2T registers (of 16), and for T = 8, 10 LLVM spills accumulators to the stack inside the inner
    loop. Tiles of 8 tweets keep T registers on AVX2 too (and halve the per-thread buffers, which
    then fit the 512 KB L2 of the CPUs that lack AVX-512). Override with CTA_NZB_SIMD=x16 or x8
    (tests run both paths on any CPU).
    """
    forced = os.environ.get("CTA_NZB_SIMD", "").strip().lower()
    if forced in ("x16", "x8"):
        return forced == "x8"
    try:
        from llvmlite import binding

        features = binding.get_host_cpu_features()
        return not bool(features.get("avx512f", False))
    except Exception:  # noqa: BLE001 - unknown CPU: the narrow tile is right on most of them
        return True


LANES_WIDE = 16  # tweets per tile with AVX-512: one F32x16 vector per (channel, time)
LANES_SPLIT = 8  # without it: one F32x8 vector (one AVX2 register)


def lanes(split: bool) -> int:
    return LANES_SPLIT if split else LANES_WIDE


SPLIT_LANES = split_lanes()  # this CPU's kernel variant, decided once per process
LANES = lanes(SPLIT_LANES)  # this CPU's tile width (numba freezes it into the kernels)

# Register-tile heights (output times) compiled per kernel variant, preferred first. Layers compute
# 50, 24, 12 and 6 output times; the tile must divide them. Wide (AVX-512, 32 registers): T F32x16
# accumulators. Split (AVX2, 16 registers): T F32x8 accumulators plus the broadcast weight, so up to 12.
TIME_TILES = (10, 8, 6)
TIME_TILES_SPLIT = (12, 10, 6)


def time_tiles(split: bool) -> tuple[int, ...]:
    return TIME_TILES_SPLIT if split else TIME_TILES


# The generated conv kernel module of each variant (_kernels_gen writes them; _kernels_forward imports
# this CPU's one by name, so PyInstaller sees both imports; self-test only looks for the other one).
KERNEL_MODULES = {False: "_kernels_conv_csr", True: "_kernels_conv_csr_x8"}


BLOCK_BYTES = 32 * 1024  # target size of one channel block of a tile's layer input (fits L1 with room)

# Per conv layer, PLAN_STRIDE int64 entries:
PLAN_C_IN = 0  # input channels
PLAN_IN_LEN = 1  # padded input length (time steps incl. the `same` padding)
PLAN_C_OUT = 2  # output channels (filters)
PLAN_T_TILE = 3  # output times per register tile (one of TIME_TILES)
PLAN_N_TIME_BLOCKS = 4  # register tiles along time: PLAN_T_TILE * this = output times computed
PLAN_N_CH_BLOCKS = 5  # input-channel blocks (partial sums carried between them; 1 if time-outer)
PLAN_OUT_LEN = 6  # the next layer's padded input length (the pooled output's row length)
PLAN_OUT_PAD = 7  # the next layer's left padding (where pooled outputs start in a row)
PLAN_TIME_OUTER = 8  # 1: time blocks loop outside filters (input window fits L1; no channel blocks)
PLAN_STRIDE = 9
PLAN_FIRST_PAD = PLAN_STRIDE * 4  # after the four layers: layer 1's left padding
