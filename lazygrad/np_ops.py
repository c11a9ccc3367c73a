"""What every op computes, as NumPy code with torch's semantics (a leaf module).

This table is the reference: the numpy interpreter evaluates graphs with it, constant folding uses
it, and the C/CUDA expressions in codegen are tested against it.
"""
from __future__ import annotations

import math

import numpy as np

from .ops import DOUBLE_ACCUMULATED, Op, ReduceOp

_erf = np.frompyfunc(math.erf, 1, 1)
_erfc = np.frompyfunc(math.erfc, 1, 1)


def _floating(dtype: np.dtype) -> bool:
    """numpy's floats and ml_dtypes' bfloat16 (a numpy 'V' kind)."""
    return dtype.kind == "f" or dtype.name == "bfloat16"


def _int_safe(op, a, b):
    """Integer division by zero yields 0, as the compiled kernels do (the tensor layer raises torch's
    error whenever the divisor is known before the kernel runs)."""
    if b.dtype.kind not in "biu":
        return op(a, b)
    zero = b == 0
    return np.where(zero, 0, op(a, np.where(zero, 1, b))).astype(np.result_type(a, b))


def _floordiv(a, b):
    return _int_safe(np.floor_divide, a, b)


def _mod(a, b):
    return _int_safe(np.remainder, a, b)


def _fmod(a, b):
    return _int_safe(np.fmod, a, b)


def _pow(a, b):
    if _floating(a.dtype) or a.dtype.kind == "c":
        return np.power(a, b)
    # integers: torch gives 0, 1 or -1 for negative exponents instead of raising
    neg = b < 0
    pos = np.power(a, np.where(neg, 0, b).astype(b.dtype))
    odd = (b % 2) != 0
    negres = np.where(a == 1, 1, np.where(a == -1, np.where(odd, -1, 1), 0)).astype(a.dtype)
    return np.where(neg, negres, pos).astype(a.dtype)


def _shr(a, b):
    """Counts outside [0, bits) shift everything out: the sign fill (0 or -1) remains."""
    bits = a.dtype.itemsize * 8
    out_of_range = (b < 0) | (b >= bits)
    shifted = np.right_shift(a, np.where(out_of_range, 0, b).astype(a.dtype))
    return np.where(out_of_range, -(a < 0).astype(a.dtype), shifted)  # (in a's dtype: a uint64 stays exact)


def _shl(a, b):
    bits = a.dtype.itemsize * 8
    out_of_range = (b < 0) | (b >= bits)
    return np.where(out_of_range, 0, np.left_shift(a, np.where(out_of_range, 0, b).astype(a.dtype))).astype(a.dtype)


def _round(a):
    return np.rint(a) if _floating(a.dtype) else a


def _not(a):
    return np.logical_not(a) if a.dtype == np.bool_ else np.invert(a)


def _float_only(fn):
    return lambda a: fn(a) if _floating(a.dtype) else a


def _complex(re: np.ndarray, im: np.ndarray) -> np.ndarray:
    """Parts put together exactly (re + 1j * im would turn an infinite part into NaNs)."""
    re, im = np.broadcast_arrays(re, im)
    out = np.empty(re.shape, np.result_type(re.dtype, np.complex64))
    out.real, out.imag = re, im
    return out


UNARY_NP = {
    Op.NEG: np.negative, Op.NOT: _not, Op.ABS: np.abs, Op.EXP: np.exp, Op.EXP2: np.exp2, Op.EXPM1: np.expm1,
    Op.LOG: np.log, Op.LOG2: np.log2, Op.LOG10: np.log10, Op.LOG1P: np.log1p, Op.SQRT: np.sqrt, Op.SIN: np.sin,
    Op.COS: np.cos, Op.TAN: np.tan, Op.ASIN: np.arcsin, Op.ACOS: np.arccos, Op.ATAN: np.arctan, Op.SINH: np.sinh,
    Op.COSH: np.cosh, Op.TANH: np.tanh, Op.ERF: lambda a: np.asarray(_erf(a), dtype=a.dtype),
    Op.ERFC: lambda a: np.asarray(_erfc(a), dtype=a.dtype),
    Op.FLOOR: _float_only(np.floor), Op.CEIL: _float_only(np.ceil), Op.ROUND: _round,
    Op.TRUNC: _float_only(np.trunc), Op.ISNAN: np.isnan, Op.ISINF: np.isinf, Op.SIGNBIT: np.signbit,
    Op.IMAG: np.imag, Op.CONJ: np.conj,
}


def _maximum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """NaN-propagating maximum of which equal values give a, as torch's (std::max: maximum(-0.0, 0.0) is -0.0, where
    NumPy's is 0.0)."""
    return np.where(a < b, b, np.where(b != b, b, a))


def _minimum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.where(b < a, b, np.where(b != b, b, a))


BINARY_NP = {
    Op.ADD: np.add, Op.SUB: np.subtract, Op.MUL: np.multiply, Op.DIV: np.true_divide, Op.FLOORDIV: _floordiv,
    Op.MOD: _mod, Op.FMOD: _fmod, Op.POW: _pow, Op.ATAN2: np.arctan2, Op.MAX: _maximum, Op.MIN: _minimum,
    Op.EQ: np.equal, Op.NE: np.not_equal, Op.LT: np.less, Op.LE: np.less_equal, Op.GT: np.greater,
    Op.GE: np.greater_equal,
    Op.AND: np.bitwise_and, Op.OR: np.bitwise_or, Op.XOR: np.bitwise_xor, Op.SHL: _shl, Op.SHR: _shr,
    Op.COMPLEX: lambda a, b: _complex(a, b),
}

# float32 functions evaluated in float64 and rounded once: NumPy's float32 versions are off by an ulp or two
# where torch's and the C back end's are nearly always correctly rounded (numpy's tanh(9.6f) is 0.99999994,
# theirs 1.0, and a floor after it tells them apart)
WIDENED = frozenset({Op.EXP, Op.EXP2, Op.EXPM1, Op.LOG, Op.LOG2, Op.LOG10, Op.LOG1P, Op.SIN, Op.COS, Op.TAN,
                     Op.ASIN, Op.ACOS, Op.ATAN, Op.SINH, Op.COSH, Op.TANH, Op.POW, Op.ATAN2})

REDUCE_NP = {ReduceOp.SUM: np.add, ReduceOp.PROD: np.multiply, ReduceOp.MAX: np.maximum, ReduceOp.MIN: np.minimum,
             ReduceOp.LOGADDEXP: np.logaddexp, ReduceOp.XOR: np.bitwise_xor}
SCAN_NP = {ReduceOp.SUM: np.cumsum, ReduceOp.PROD: np.cumprod}
IDENTITY = {ReduceOp.SUM: 0, ReduceOp.PROD: 1, ReduceOp.MAX: float("-inf"), ReduceOp.MIN: float("inf"),
            ReduceOp.LOGADDEXP: float("-inf"), ReduceOp.XOR: 0}


def reduce_identity(rop: ReduceOp, dtype):
    """The value a reduction of nothing gives in dtype (the lowest and highest integers stand for -inf
    and inf; for bool, max is any and min is all)."""
    if dtype.kind == "b":
        return rop in (ReduceOp.PROD, ReduceOp.MIN)
    if dtype.kind in "ui" and rop in (ReduceOp.MAX, ReduceOp.MIN):
        info = np.iinfo(dtype.np)
        return int(info.min if rop is ReduceOp.MAX else info.max)
    return IDENTITY[rop]
# a scatter's reduction of each value into its position (NaN-propagating max and min, as torch's)
SCATTER_NP = {ReduceOp.SUM: np.add, ReduceOp.PROD: np.multiply, ReduceOp.MAX: np.maximum, ReduceOp.MIN: np.minimum}


def _accumulate_dtype(dt: np.dtype, rop: ReduceOp, scan: bool = False) -> np.dtype:
    """float16 and bfloat16 are reduced in float32 (as torch does), float32 sums and running sums, products and
    log-sum-exps in double (as the C kernels accumulate them, codegen/lower.py accumulator_dtype); everything
    else in its own type."""
    if dt == np.float16 or dt.name == "bfloat16":
        return np.dtype(np.float32)
    return np.dtype(np.float64) if dt == np.float32 and rop in DOUBLE_ACCUMULATED[scan] else dt


def _float_to_unsigned(a: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Floats to an unsigned type as the C back end converts them (codegen/statements.py): through int64
    (uint16: int32), so negative values wrap; uint64 past 2^63 offset by 2^63."""
    if dtype == np.uint64:
        top = np.float64(2.0 ** 63)
        high = (a - top).astype(np.int64).view(np.uint64) ^ np.uint64(1 << 63)
        return np.where(a >= top, high, a.astype(np.int64).view(np.uint64))
    return a.astype(np.int32 if dtype == np.uint16 else np.int64).astype(dtype)


def cast(a: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """a converted as the C back end's casts convert (codegen/statements.py), which are torch's on x86-64: the
    real part of a complex number; floats to an unsigned type through int64 (_float_to_unsigned), to int8 or
    int16 through int32 (past int32's range they give 0); NaN and floats out of range as the hardware gives them;
    a double or an integer to float16 or bfloat16 through float (rounded twice, as torch's Half(float) and
    BFloat16(float))."""
    if dtype == np.bool_:
        return a != 0
    with np.errstate(all="ignore"):
        a = a.real if np.iscomplexobj(a) and dtype.kind != "c" else a
        if dtype.kind == "u" and a.dtype.kind == "f":
            return _float_to_unsigned(a, dtype)
        if dtype.kind == "i" and dtype.itemsize < 4 and a.dtype.kind == "f":
            return a.astype(np.int32).astype(dtype)
        if _is_half(dtype) and a.dtype != np.float32 and not _is_half(a.dtype):
            a = a.astype(np.float32)
        return a.astype(dtype)


def _is_half(dtype: np.dtype) -> bool:
    """float16, or bfloat16 (ml_dtypes', of NumPy kind V)."""
    return dtype.itemsize == 2 and dtype.kind in "fV"


def apply(op: Op, dtype: np.dtype, *args: np.ndarray, arg=None) -> np.ndarray:
    """Evaluate one elementwise op; results are cast to the node's dtype."""
    if op is Op.CAST:
        return cast(args[0], dtype)
    with np.errstate(all="ignore"):
        if op is Op.WHERE:
            return np.where(args[0], args[1], args[2]).astype(dtype, copy=False)
        if op is Op.FMA:
            return np.asarray(_fma(*args)).astype(dtype, copy=False)
        fn = UNARY_NP.get(op) or BINARY_NP[op]
        if op in WIDENED and dtype == np.float32:
            args = tuple(a.astype(np.float64) if a.dtype == np.float32 else a for a in args)
        return np.asarray(fn(*args)).astype(dtype, copy=False)


def _fma(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """a * b + c rounded once, as the C kernels' fma: float32 through double (the product is exact there, and a
    second rounding changes the result only on a tie, about 2^-29 of the time); float64 by error-free steps
    (Dekker's exact product, Knuth's exact sum) rounded once, the same but for such ties."""
    if a.dtype != np.float64:
        return a.astype(np.float64) * b + c
    product = a * b
    split = 134217729.0  # 2^27 + 1: Veltkamp's halves of a double
    ta, tb = a * split, b * split
    ah, bh = ta - (ta - a), tb - (tb - b)
    al, bl = a - ah, b - bh
    product_error = ((ah * bh - product) + ah * bl + al * bh) + al * bl
    total = product + c
    back = total - product
    sum_error = (product - (total - back)) + (c - back)
    fused = total + (sum_error + product_error)
    return np.where(np.isfinite(fused), fused, product + c)


def identity(rop: ReduceOp, dtype: np.dtype):
    """What a reduction over no elements gives."""
    if rop in (ReduceOp.SUM, ReduceOp.XOR):
        return 0
    if rop is ReduceOp.PROD:
        return 1
    if dtype == np.bool_:
        return rop is ReduceOp.MIN
    if _floating(dtype):
        return IDENTITY[rop]
    info = np.iinfo(dtype)
    return info.min if rop is ReduceOp.MAX else info.max


def reduce(rop: ReduceOp, a: np.ndarray, axes: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    acc = _accumulate_dtype(a.dtype, rop)
    a, shape = a.astype(acc, copy=False), None
    extreme = rop in (ReduceOp.MAX, ReduceOp.MIN) and acc.kind == "f"
    if (rop is ReduceOp.SUM and acc.kind in "fc" or extreme) and axes:
        a, axes, shape = _reduced_last(a, axes)
    with np.errstate(all="ignore"):
        out = REDUCE_NP[rop].reduce(a, axis=axes, keepdims=True, initial=identity(rop, acc))
        if extreme and a.shape[-1]:  # the first of equal extremes, as the C kernels and torch keep (-0.0 or 0.0)
            first = np.argmax(a == out, axis=-1, keepdims=True)
            out = np.where(out == out, np.take_along_axis(a, first, axis=-1), out)
    out = out.astype(dtype)
    return out if shape is None else out.reshape(shape)


def _reduced_last(a: np.ndarray, axes: tuple[int, ...]) -> tuple[np.ndarray, tuple[int, ...], tuple[int, ...]]:
    """a with the reduced axes moved last and made one contiguous axis (NumPy sums pairwise only along such an
    axis: a long float sum keeps its digits, as the C kernels' cascade keeps them; the first of equal extremes is
    first along it), that axis, and the shape the reduction of the original a has."""
    kept = [i for i in range(a.ndim) if i not in axes]
    length = math.prod(a.shape[i] for i in axes)
    rows = np.ascontiguousarray(a.transpose(kept + sorted(axes))).reshape([a.shape[i] for i in kept] + [length])
    return rows, (rows.ndim - 1,), tuple(1 if i in axes else n for i, n in enumerate(a.shape))


def argsort(a: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Stable positions ordering a along axis, NaN last ascending and first descending (torch's order):
    descending is the ascending order of the reversed row, read backwards."""
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    n = a.shape[axis]
    backwards = np.argsort(np.flip(a, axis), axis=axis, kind="stable")
    return n - 1 - np.flip(backwards, axis)


def scan(rop: ReduceOp, a: np.ndarray, axis: int, dtype: np.dtype) -> np.ndarray:
    """The running reduction along axis; a running sum or log-sum-exp starts from its identity, as the C
    kernels' and torch's do (NumPy's from the first term: a leading -0.0 stayed -0.0)."""
    acc = _accumulate_dtype(a.dtype, rop, scan=True)
    with np.errstate(all="ignore"):
        a = a.astype(acc, copy=False)
        out = SCAN_NP[rop](a, axis=axis) if rop in SCAN_NP else REDUCE_NP[rop].accumulate(a, axis=axis)
        if rop in (ReduceOp.SUM, ReduceOp.LOGADDEXP) and acc.kind in "fc":
            out = out + acc.type(0)
        return out.astype(dtype)
