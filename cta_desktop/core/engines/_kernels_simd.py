"""A 16-float SIMD vector type for numba kernels, as a handful of LLVM intrinsics.

Why: LLVM does not vectorise our register tiles on its own (its loop vectoriser prefers gathers
over the nonzeros, its SLP vectoriser leaves scalar accumulators scalar), so the kernels say what
they mean: load 16 consecutive floats, multiply-add a broadcast weight, keep the sum in a register.
`F32x16` lowers to LLVM `<16 x float>`: one AVX-512 register, two AVX2 registers, four SSE ones,
so the code stays correct on any x86-64 (or ARM) CPU and is fast where the vectors are wide.
Multiply and add carry the `contract` flag, so LLVM fuses them into FMA where the CPU has it.
"""

from __future__ import annotations

import os

from llvmlite import ir
from numba import config, types
from numba.core.datamodel import models
from numba.extending import intrinsic, register_model

WIDTH = 16
_F32 = ir.FloatType()
_VEC = ir.VectorType(_F32, WIDTH)
_FLAGS = ("contract", "nnan", "ninf", "nsz")


def cache_enabled(module_file: str) -> bool:
    """Use numba's on-disk cache only when it lands in our cache directory (never inside the install)
    and the kernel's source file exists (numba keys the cache on it; a frozen bundle must ship it)."""
    cache_dir = getattr(config, "CACHE_DIR", "")
    return bool(cache_dir) and os.path.exists(module_file) and os.access(cache_dir, os.W_OK)


class F32x16Type(types.Type):
    def __init__(self):
        super().__init__(name="F32x16")


f32x16 = F32x16Type()


@register_model(F32x16Type)
class F32x16Model(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, _VEC)


def _ptr(context, builder, arrty, arr, idx):
    data = context.make_array(arrty)(context, builder, arr).data
    elem = builder.gep(data, [idx], inbounds=True)
    return builder.bitcast(elem, _VEC.as_pointer())


def _broadcast(builder, scalar):
    undef = ir.Constant(_VEC, ir.Undefined)
    one = builder.insert_element(undef, scalar, ir.Constant(ir.IntType(32), 0))
    mask = ir.Constant(ir.VectorType(ir.IntType(32), WIDTH), [0] * WIDTH)
    return builder.shuffle_vector(one, undef, mask)


@intrinsic
def vzero(typingctx):
    """16 zeros."""

    def codegen(context, builder, sig, args):
        return ir.Constant(_VEC, [0.0] * WIDTH)

    return f32x16(), codegen


@intrinsic
def vload(typingctx, arr, idx):
    """arr[idx : idx + 16] as a vector (no bounds check; arr is float32, C-contiguous)."""
    if not (isinstance(arr, types.Array) and arr.dtype == types.float32 and isinstance(idx, types.Integer)):
        return None

    def codegen(context, builder, sig, args):
        ptr = _ptr(context, builder, sig.args[0], args[0], args[1])
        return builder.load(ptr, align=4)

    return f32x16(arr, idx), codegen


@intrinsic
def vfma(typingctx, acc, w, x):
    """acc + w * x, with w a float32 scalar broadcast to every lane."""
    if not (acc == f32x16 and x == f32x16 and isinstance(w, types.Float)):
        return None

    def codegen(context, builder, sig, args):
        wv = context.cast(builder, args[1], sig.args[1], types.float32)
        prod = builder.fmul(_broadcast(builder, wv), args[2], flags=_FLAGS)
        return builder.fadd(args[0], prod, flags=_FLAGS)

    return f32x16(acc, w, x), codegen


@intrinsic
def vstore(typingctx, arr, idx, a):
    """arr[idx : idx + 16] = a."""
    if not (isinstance(arr, types.Array) and arr.dtype == types.float32 and a == f32x16):
        return None

    def codegen(context, builder, sig, args):
        builder.store(args[2], _ptr(context, builder, sig.args[0], args[0], args[1]), align=4)
        return context.get_dummy_value()

    return types.void(arr, idx, a), codegen


@intrinsic
def vstore_pool_relu(typingctx, arr, idx, a, b, bias):
    """arr[idx : idx + 16] = max(max(a, b) + bias, 0): MaxPool(2), then bias and relu (they commute)."""
    if not (isinstance(arr, types.Array) and a == f32x16 and b == f32x16 and isinstance(bias, types.Float)):
        return None

    def codegen(context, builder, sig, args):
        arr_v, idx_v, a_v, b_v, bias_v = args
        bv = _broadcast(builder, context.cast(builder, bias_v, sig.args[4], types.float32))
        m = builder.select(builder.fcmp_ordered(">", a_v, b_v), a_v, b_v)
        m = builder.fadd(m, bv, flags=_FLAGS)
        zero = ir.Constant(_VEC, [0.0] * WIDTH)
        m = builder.select(builder.fcmp_ordered(">", m, zero), m, zero)
        builder.store(m, _ptr(context, builder, sig.args[0], arr_v, idx_v), align=4)
        return context.get_dummy_value()

    return types.void(arr, idx, a, b, bias), codegen


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


__all__ = ["WIDTH", "atomic_add", "cache_enabled", "f32x16", "vfma", "vload", "vstore", "vstore_pool_relu", "vzero"]
