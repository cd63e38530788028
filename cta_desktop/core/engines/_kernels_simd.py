"""16- and 8-float SIMD vector types for numba kernels, as a handful of LLVM intrinsics.

Why: LLVM does not vectorise our register tiles on its own (its loop vectoriser prefers gathers
over the nonzeros, its SLP vectoriser leaves scalar accumulators scalar), so the kernels say what
they mean: load 16 consecutive floats, multiply-add a broadcast weight, keep the sum in a register.
`F32x16` lowers to LLVM `<16 x float>`: one AVX-512 register, two AVX2 registers, four SSE ones,
so the code stays correct on any x86-64 (or ARM) CPU and is fast where the vectors are wide.
`F32x8` (`vzero8`, `vload8`; the other operations take either width) is one AVX2 register: the
split-lane kernels use it on CPUs without AVX-512 (see `tile_layout.split_lanes`).
Multiply and add carry the `contract` flag, so LLVM fuses them into FMA where the CPU has it.
"""

from __future__ import annotations

import os

from llvmlite import ir
from numba import config, types
from numba.core.datamodel import models
from numba.extending import intrinsic, register_model

from cta_desktop.core.engines import _numba_cache  # noqa: F401  (numba's cache directory, before any kernel compiles)

WIDTH = 16  # F32x16: the tile's LANES tweets in one vector
HALF_WIDTH = 8  # F32x8: half a tile (one AVX2 register), for the split-lane kernels
# Per kernel variant (split lanes or not): (vector width, name of its load op, name of its zero op).
# The one place that says which vector ops each CPU path uses: the generator writes these names into
# the conv kernels, and _kernels_forward takes the same ops for the dense head.
VARIANT_OPS = {False: (WIDTH, "vload", "vzero"), True: (HALF_WIDTH, "vload8", "vzero8")}
_F32 = ir.FloatType()
_FLAGS = ("contract", "nnan", "ninf", "nsz")


def cache_enabled(module_file: str) -> bool:
    """Use numba's on-disk cache only when it lands in our cache directory (never inside the install)
    and the kernel's source file exists (numba keys the cache on it; a frozen bundle must ship it)."""
    cache_dir = getattr(config, "CACHE_DIR", "")
    return bool(cache_dir) and os.path.exists(module_file) and os.access(cache_dir, os.W_OK)


class F32xNType(types.Type):
    """A vector of `width` float32 lanes (LLVM `<width x float>`)."""

    def __init__(self, width: int):
        self.width = width
        super().__init__(name=f"F32x{width}")


f32x16 = F32xNType(WIDTH)
f32x8 = F32xNType(HALF_WIDTH)


@register_model(F32xNType)
class F32xNModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, ir.VectorType(_F32, fe_type.width))


def _vec(width: int) -> ir.VectorType:
    return ir.VectorType(_F32, width)


def _ptr(context, builder, arrty, arr, idx, width):
    data = context.make_array(arrty)(context, builder, arr).data
    elem = builder.gep(data, [idx], inbounds=True)
    return builder.bitcast(elem, _vec(width).as_pointer())


def _broadcast(builder, scalar, width):
    vec = _vec(width)
    undef = ir.Constant(vec, ir.Undefined)
    one = builder.insert_element(undef, scalar, ir.Constant(ir.IntType(32), 0))
    mask = ir.Constant(ir.VectorType(ir.IntType(32), width), [0] * width)
    return builder.shuffle_vector(one, undef, mask)


def _is_vec(t) -> bool:
    return isinstance(t, F32xNType)


def _zero_intrinsic(vt: F32xNType):
    @intrinsic
    def zero(typingctx):
        def codegen(context, builder, sig, args):
            return ir.Constant(_vec(vt.width), [0.0] * vt.width)

        return vt(), codegen

    return zero


def _load_intrinsic(vt: F32xNType):
    @intrinsic
    def load(typingctx, arr, idx):
        if not (isinstance(arr, types.Array) and arr.dtype == types.float32 and isinstance(idx, types.Integer)):
            return None

        def codegen(context, builder, sig, args):
            return builder.load(_ptr(context, builder, sig.args[0], args[0], args[1], vt.width), align=4)

        return vt(arr, idx), codegen

    return load


vzero = _zero_intrinsic(f32x16)
vzero.__doc__ = "16 zeros."
vload = _load_intrinsic(f32x16)
vload.__doc__ = "arr[idx : idx + 16] as a vector (no bounds check; arr is float32, C-contiguous)."
vzero8 = _zero_intrinsic(f32x8)
vload8 = _load_intrinsic(f32x8)


@intrinsic
def vfma(typingctx, acc, w, x):
    """acc + w * x, with w a float32 scalar broadcast to every lane (any vector width)."""
    if not (_is_vec(acc) and x == acc and isinstance(w, types.Float)):
        return None

    def codegen(context, builder, sig, args):
        wv = context.cast(builder, args[1], sig.args[1], types.float32)
        prod = builder.fmul(_broadcast(builder, wv, acc.width), args[2], flags=_FLAGS)
        return builder.fadd(args[0], prod, flags=_FLAGS)

    return acc(acc, w, x), codegen


@intrinsic
def vstore(typingctx, arr, idx, a):
    """arr[idx : idx + width] = a."""
    if not (isinstance(arr, types.Array) and arr.dtype == types.float32 and _is_vec(a)):
        return None

    def codegen(context, builder, sig, args):
        builder.store(args[2], _ptr(context, builder, sig.args[0], args[0], args[1], a.width), align=4)
        return context.get_dummy_value()

    return types.void(arr, idx, a), codegen


@intrinsic
def vstore_pool_relu(typingctx, arr, idx, a, b, bias):
    """arr[idx : idx + width] = max(max(a, b) + bias, 0): MaxPool(2), then bias and relu (they commute)."""
    if not (isinstance(arr, types.Array) and _is_vec(a) and b == a and isinstance(bias, types.Float)):
        return None

    def codegen(context, builder, sig, args):
        arr_v, idx_v, a_v, b_v, bias_v = args
        bv = _broadcast(builder, context.cast(builder, bias_v, sig.args[4], types.float32), a.width)
        m = builder.select(builder.fcmp_ordered(">", a_v, b_v), a_v, b_v)
        m = builder.fadd(m, bv, flags=_FLAGS)
        zero = ir.Constant(_vec(a.width), [0.0] * a.width)
        m = builder.select(builder.fcmp_ordered(">", m, zero), m, zero)
        builder.store(m, _ptr(context, builder, sig.args[0], arr_v, idx_v, a.width), align=4)
        return context.get_dummy_value()

    return types.void(arr, idx, a, b, bias), codegen


@intrinsic
def ctlz(typingctx, x):
    """Leading zero bits of a uint64 (64 for 0): the position of the highest set bit, from the top."""
    if x != types.uint64:
        return None

    def codegen(context, builder, sig, args):
        i64 = ir.IntType(64)
        fnty = ir.FunctionType(i64, [i64, ir.IntType(1)])
        fn = builder.module.declare_intrinsic("llvm.ctlz.i64", fnty=fnty)
        return builder.call(fn, [args[0], ir.Constant(ir.IntType(1), 0)])

    return types.uint64(x), codegen


@intrinsic
def atomic_add(typingctx, arr, idx, val):
    """Atomically arr[idx] += val and return the old value (int64 array): dynamic work sharing."""
    if not (isinstance(arr, types.Array) and arr.dtype == types.int64 and isinstance(idx, types.Integer)):
        return None

    def codegen(context, builder, sig, args):
        data = context.make_array(sig.args[0])(context, builder, args[0]).data
        ptr = builder.gep(data, [args[1]], inbounds=True)
        v = context.cast(builder, args[2], sig.args[2], types.int64)
        return builder.atomic_rmw("add", ptr, v, "seq_cst")

    return types.int64(arr, idx, val), codegen


__all__ = ["HALF_WIDTH", "VARIANT_OPS", "WIDTH", "atomic_add", "cache_enabled", "ctlz", "f32x8", "f32x16", "vfma", "vload", "vload8", "vstore",
           "vstore_pool_relu", "vzero", "vzero8"]
