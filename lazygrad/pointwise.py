"""More elementwise functions (inverse hyperbolics, hypot, logaddexp, xlogy, copysign, fmax, ...), the
NaN-ignoring reductions and the closeness tests. Each is composed of the core ops of elementwise.py, so
it stays lazy and fuses into the kernel that reads it."""
from __future__ import annotations

import math

from . import graph
from .autograd.record import differentiable
from .dtypes import NUMBER_TYPES, DType, bool_, float64, get_default_dtype, opmath, result_type, to_dtype, torch_name
from .elementwise import (_float_of, _out, _result, abs, acos, add, asin, atan, div, eq, exp, exp2, ge, gt,
                          isfinite, isinf, isnan, le, log, log1p, logical_and, logical_not, logical_or, lt, maximum,
                          minimum, mul, ne, neg, sin, sqrt, sub, trunc, unary, where)
from .ops import Op
from .out_dtypes import input_for_out
from .reductions import _sum_dtype, sum
from .tensor import Tensor
from .tensor_parameters import refuse, tensor_parameters

LN2 = math.log(2.0)
# past this magnitude acosh(x) and asinh(x) are log(2x) to the last bit, and x*x may overflow
_LOG_2X_FROM = 1e8


def _tensor(x, fn: str) -> Tensor:
    if not isinstance(x, Tensor):
        refuse(fn, "input", x, 1)
    return x


def _float_args(*xs) -> tuple[DType, list[Tensor]]:
    """The result dtype of a float function of xs (integers give the default float dtype) and xs as
    tensors of the dtype it is computed in: float16 is computed in float32 and rounded once, as torch does,
    from operands rounded to float16 first (a number or a 0-d tensor beside it too)."""
    out = _float_of(*xs)
    return out, _tensors(opmath(out), *_tensors(out, *xs))


def _scalar(value, dtype: DType) -> Tensor:
    """A 0-d tensor (it joins tensors on any device, and where() keeps their dtype with it)."""
    return Tensor._from_node(graph.const(value, dtype, ()))


def _tensors(dtype: DType, *xs) -> list[Tensor]:
    """xs as tensors of dtype (Python scalars as 0-d ones), so formulas need one code path."""
    return [x.to(dtype) if isinstance(x, Tensor) else _scalar(x, dtype) for x in xs]


# torch's refusals of complex numbers by the functions of real ones
_COMPLEX_REFUSALS = {
    "erfc": (NotImplementedError, "\"erfc_vml_cpu\" not implemented for '{t}'"),
    "logit": (NotImplementedError, "\"logit_cpu\" not implemented for '{t}'"),
    "signbit": (NotImplementedError, "signbit is not implemented for complex tensors."),
    "deg2rad": (RuntimeError, "deg2rad is not supported for complex tensors."),
    "rad2deg": (RuntimeError, "rad2deg is not supported for complex tensors."),
}


def _no_complex(input, fn: str) -> None:
    if _tensor(input, fn).dtype.is_complex:
        error, message = _COMPLEX_REFUSALS[fn]
        raise error(message.format(t=torch_name(input.dtype)))


def _float_only(dt: DType, kernel: str) -> None:
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{torch_name(dt)}'")


# ---- unary float functions -------------------------------------------------------------------------

def _times_i(z: Tensor, sign: int) -> Tensor:
    """i z (sign 1) or -i z (sign -1)."""
    from .complex_numbers import complex, imag_part, real_part
    return complex(mul(imag_part(z), -sign), mul(real_part(z), sign))


def _complex_acosh(z: Tensor) -> Tensor:
    """C99's cacosh from cacos (Kahan's form there): |Im acos(z)| + i Re acos(z) with the sign of Im z, so it
    keeps acos's accuracy, its side of the branch cut for a signed zero and its values at infinities."""
    from .complex_numbers import complex, imag_part, real_part
    w = acos(z)
    re = real_part(w)
    return complex(abs(imag_part(w)), where(signbit(imag_part(z)), neg(re), re))


def _acosh(input: Tensor) -> Tensor:
    """log(x + sqrt(x² - 1)), written as log1p so that it stays exact near 1 (and NaN below 1); complex
    numbers by Kahan's formula."""
    if _tensor(input, "acosh").dtype.is_complex:
        return _complex_acosh(input)
    dt, (x,) = _float_args(_tensor(input, "acosh"))
    near = log1p(add(sub(x, 1), mul(sqrt(sub(x, 1)), sqrt(add(x, 1)))))
    return where(gt(x, _LOG_2X_FROM), add(log(x), LN2), near).to(dt)


def _asinh(input: Tensor) -> Tensor:
    """sign(x) * log1p(|x| + x² / (1 + sqrt(1 + x²))): exact near 0, keeps the sign of -0.0; for complex
    numbers -i asin(iz)."""
    if _tensor(input, "asinh").dtype.is_complex:
        return _times_i(asin(_times_i(input, 1)), -1)
    dt, (x,) = _float_args(_tensor(input, "asinh"))
    a = abs(x)
    near = log1p(add(a, div(mul(a, a), add(sqrt(add(mul(a, a), 1)), 1))))
    r = where(gt(a, _LOG_2X_FROM), add(log(a), LN2), near)
    return where(signbit(x), neg(r), r).to(dt)


def _atanh(input: Tensor) -> Tensor:
    """sign(x) * log1p(2|x| / (1 - |x|)) / 2: exact near 0, ±inf at ±1, and accurate near -1 too (log1p of a
    large quotient, not of one near -1, whose rounding it would magnify); for complex numbers -i atan(iz)."""
    if _tensor(input, "atanh").dtype.is_complex:
        return _times_i(atan(_times_i(input, 1)), -1)
    dt, (x,) = _float_args(_tensor(input, "atanh"))
    a = abs(x)
    r = mul(log1p(div(mul(a, 2), sub(1, a))), 0.5)
    return where(signbit(x), neg(r), r).to(dt)


acosh, asinh, atanh = (differentiable(name)(fn) for name, fn in (("acosh", _acosh), ("asinh", _asinh),
                                                                  ("atanh", _atanh)))
arccosh, arcsinh, arctanh = acosh, asinh, atanh
# the values x.acosh_() ... write: the same functions, recorded under the names torch gives their in-place nodes
acosh_, asinh_, atanh_ = (differentiable(name)(fn) for name, fn in (("acosh_", _acosh), ("asinh_", _asinh),
                                                                     ("atanh_", _atanh)))


@differentiable("deg2rad")
def deg2rad(input: Tensor) -> Tensor:
    _no_complex(input, "deg2rad")
    dt, (x,) = _float_args(_tensor(input, "deg2rad"))
    return mul(x, math.pi / 180).to(dt)


@differentiable("rad2deg")
def rad2deg(input: Tensor) -> Tensor:
    _no_complex(input, "rad2deg")
    dt, (x,) = _float_args(_tensor(input, "rad2deg"))
    return mul(x, 180 / math.pi).to(dt)


@differentiable("frac")
def frac(input: Tensor) -> Tensor:
    """x - trunc(x), exact in floating point (so float16 needs no wider type)."""
    _float_only(_tensor(input, "frac").dtype, "frac_cpu")
    return sub(input, trunc(input))


@differentiable("erfc")
def erfc(input: Tensor) -> Tensor:
    """libm's erfc, in float64 (1 - erf(x) would lose the tail's digits: 2e-12 relative at x = 3)."""
    _no_complex(input, "erfc")
    dt = _float_of(_tensor(input, "erfc"))
    return unary(Op.ERFC, input.to(float64), True).to(dt)


@differentiable("logit")
def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """log(z / (1 - z)), z = x clamped to [eps, 1 - eps] when eps is given (float16 rounds every step, as
    torch's float16 logit does)."""
    _no_complex(input, "logit")
    x = _tensor(input, "logit").to(_float_of(input))
    z = x if eps is None else x.clamp(eps, 1 - eps)
    return log(div(z, sub(1, z)))


@differentiable("sinc")
def sinc(input: Tensor) -> Tensor:
    """sin(pi x) / (pi x), 1 at 0."""
    dt, (x,) = _float_args(_tensor(input, "sinc"))
    px = mul(x, math.pi)
    return where(eq(x, 0), 1.0, div(sin(px), px)).to(dt)


@differentiable("signbit")
def signbit(input: Tensor) -> Tensor:
    """Whether the sign bit is set: True for -0.0 and for a NaN whose sign bit is set, as torch's."""
    _no_complex(input, "signbit")
    return _result(graph.alu(Op.SIGNBIT, input.lazy), input)


def positive(input: Tensor) -> Tensor:
    """input itself, as torch returns it."""
    if _tensor(input, "positive").dtype is bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


# ---- in-place comparisons ------------------------------------------------------------------------------

def _compared_in_place(name: str, compare):
    """The value x.gt_(y) (and the others) writes: the comparison in x's dtype, recorded as torch records it
    (GtBackward0 or GtBackward1, zero gradients)."""
    def value(input: Tensor, other) -> Tensor:
        return compare(input, other).to(input.dtype)
    value.__name__ = f"{name}_"
    return differentiable(f"{name}_")(value)


COMPARED_IN_PLACE = {name: _compared_in_place(name, fn) for name, fn in (
    ("eq", eq), ("ne", ne), ("lt", lt), ("le", le), ("gt", gt), ("ge", ge))}


# ---- binary functions ------------------------------------------------------------------------------

@tensor_parameters("input", "other")
@differentiable("hypot")
def hypot(input: Tensor, other: Tensor) -> Tensor:
    """sqrt(a² + b²), inf winning over NaN: for float32 (and narrower) in double, where the squares are exact and
    nothing overflows, rounded once (as torch's nearly correctly rounded hypot); float64 scaled by max(|a|, |b|),
    so it neither overflows nor underflows."""
    _float_only(result_type(input, other), "hypot_cpu")
    dt, (a, b) = _float_args(input, other)
    a, b = abs(a), abs(b)
    if a.dtype is not float64:
        wa, wb = a.to(float64), b.to(float64)
        r = sqrt(add(mul(wa, wa), mul(wb, wb)))
    else:
        big, small = maximum(a, b), minimum(a, b)
        ratio = div(small, big)
        r = where(eq(big, 0), 0.0, mul(big, sqrt(add(mul(ratio, ratio), 1))))
    return where(logical_or(a.isinf(), b.isinf()), math.inf, r).to(dt)


def _logaddexp(input: Tensor, other: Tensor, fn: str, log1p_of_pow) -> Tensor:
    """max(a, b) + log(1 + base^-|a - b|): no overflow; equal infinities give themselves."""
    dt = result_type(input, other)
    if fn == "logaddexp" and dt.is_complex:
        return _complex_logaddexp(*_tensors(dt, input, other))
    _float_only(dt, f"{fn}_cpu")
    dt, (a, b) = _float_args(input, other)
    r = add(maximum(a, b), log1p_of_pow(neg(abs(sub(a, b)))))
    return where(logical_and(eq(a, b), a.isinf()), a, r).to(dt)


def _complex_logaddexp(a: Tensor, b: Tensor) -> Tensor:
    """torch's complex log(exp(a) + exp(b)): big + log1p(exp(small - big)), the operands ordered by their real
    parts; equal infinite real parts give the smaller operand (-inf) or log(exp(a) + exp(b)) (+inf); a NaN in
    either part of either operand gives NaN in both parts."""
    from .complex_numbers import complex, real_part
    a_first = lt(real_part(a), real_part(b))
    small, big = where(a_first, a, b), where(a_first, b, a)
    r = add(big, log1p(exp(sub(small, big))))
    edge = real_part(small)
    both_infinite = logical_and(isinf(edge), eq(edge, real_part(big)))
    r = where(both_infinite, where(lt(edge, 0), small, log(add(exp(small), exp(big)))), r)
    nan = _scalar(math.nan, edge.dtype)
    return where(logical_or(isnan(a), isnan(b)), complex(nan, nan), r)


@tensor_parameters("input", "other")
@differentiable("logaddexp")
def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    return _logaddexp(input, other, "logaddexp", lambda t: log1p(exp(t)))


@tensor_parameters("input", "other")
@differentiable("logaddexp2")
def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    return _logaddexp(input, other, "logaddexp2", lambda t: div(log1p(exp2(t)), LN2))


def _times_log(input, other, logarithm, name: str) -> Tensor:
    """x * logarithm(y), 0 where x is 0 (unless y is NaN): xlogy and xlog1py."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(other).__name__})")
    dt, (x, y) = _float_args(input, other)
    _float_only(dt, f"{name.removeprefix('special_')}_cpu")
    logged = logarithm(y)
    if dt is not logged.dtype:  # (torch's half-precision kernels round the logarithm before the product)
        logged = logged.to(dt).to(logged.dtype)
    return where(logical_and(eq(x, 0), logical_not(isnan(y))), 0.0, mul(x, logged)).to(dt)


@differentiable("xlogy")
def xlogy(input: Tensor | float, other: Tensor | float) -> Tensor:
    """x * log(y), 0 where x is 0 (unless y is NaN)."""
    return _times_log(input, other, log, "xlogy")


@differentiable("special_xlog1py")
def xlog1py(input: Tensor | float, other: Tensor | float) -> Tensor:
    """x * log1p(y), 0 where x is 0 (unless y is NaN)."""
    return _times_log(input, other, log1p, "special_xlog1py")


@differentiable("copysign")
def copysign(input: Tensor, other: Tensor | float) -> Tensor:
    """|input| with the sign of other (-0.0 counts as negative)."""
    _tensor(input, "copysign")
    if not isinstance(other, (Tensor, *NUMBER_TYPES)):
        raise TypeError(f"copysign(): argument 'other' (position 2) must be Tensor or Number, not "
                        f"{type(other).__name__}")
    if result_type(input, other).is_complex:
        raise NotImplementedError(f"\"copysign_cpu\" not implemented for '{torch_name(result_type(input, other))}'")
    dt, (x, y) = _float_args(input, other)
    return where(signbit(y), neg(abs(x)), abs(x)).to(dt)


@tensor_parameters("input", "values")
@differentiable("heaviside")
def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """0 below zero, 1 above, `values` at zero."""
    if input.dtype.is_complex or values.dtype.is_complex:
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    if input.dtype is not values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    return where(eq(input, 0), values, gt(input, 0).to(input.dtype))


def _nan_ignoring(input: Tensor, other: Tensor, fn: str, pick) -> Tensor:
    if result_type(input, other).is_complex:
        raise RuntimeError(f"{fn} not implemented for complex tensors.")
    if not result_type(input, other).is_floating_point:
        return pick(input, other)
    return where(isnan(input), other, where(isnan(other), input, pick(input, other)))


@tensor_parameters("input", "other")
@differentiable("fmax")
def fmax(input: Tensor, other: Tensor) -> Tensor:
    """maximum that ignores a NaN operand (NaN only where both are)."""
    return _nan_ignoring(input, other, "fmax", maximum)


@tensor_parameters("input", "other")
@differentiable("fmin")
def fmin(input: Tensor, other: Tensor) -> Tensor:
    return _nan_ignoring(input, other, "fmin", minimum)


# ---- NaN-ignoring reductions -----------------------------------------------------------------------

@differentiable("nansum")
def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """sum treating NaN as zero."""
    if input.dtype.is_complex:
        raise RuntimeError("nansum on CPU does not support complex inputs")
    if not input.dtype.is_floating_point:  # (no NaN to skip: torch's sum, which takes any dtype)
        return sum(input, dim, keepdim, dtype=dtype)
    if dtype is not None and to_dtype(dtype).is_complex:
        raise NotImplementedError(f"\"nansum_cpu\" not implemented for '{torch_name(to_dtype(dtype))}'")
    x = where(isnan(input), _scalar(0, input.dtype), input)
    return sum(x, dim, keepdim, dtype=dtype if dtype is not None else _sum_dtype(input, None))


def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """nansum over the count of non-NaN elements (a composite: its gradient is nansum's and div's)."""
    if input.dtype.kind not in "fc":  # (complex gets through to nansum, which refuses it)
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype but got "
                           f"{torch_name(input.dtype)}")
    if dtype is not None and to_dtype(dtype).kind not in "fc":
        raise RuntimeError("nanmean(): could not infer output dtype. Optional dtype must be either a floating point or "
                           f"complex dtype. Got: {torch_name(to_dtype(dtype))}")
    count = sum(logical_not(isnan(input)), dim, keepdim)
    if out is not None:
        input = input_for_out("nanmean", input, out.dtype)
    return _out(div(nansum(input, dim, keepdim, dtype=dtype), count), out)


# ---- closeness ----------------------------------------------------------------------------------------

@tensor_parameters("input", "other")
def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    """|input - other| <= atol + rtol * |other| (complex moduli for complex values), or equal (infinities too);
    integers compare in the default float dtype, as torch does."""
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{torch_name(input.dtype)} did not match {torch_name(other.dtype)}")
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if tol < 0:
            raise RuntimeError(f"{name} must be greater than or equal to zero, but got {tol:g}")
    close = eq(input, other)
    if equal_nan and input.dtype.kind in "fc":
        close = logical_or(close, logical_and(isnan(input), isnan(other)))
    if rtol == 0 and atol == 0:
        return close
    a, b = (t if t.dtype.kind in "fc" else t.to(get_default_dtype()) for t in (input, other))
    actual = abs(sub(a, b))
    allowed = add(abs(mul(b, rtol)), atol)
    return logical_or(close, logical_and(isfinite(actual), le(actual, allowed)))


@tensor_parameters("input", "other")
def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """A Python bool, so it computes its value (as torch does)."""
    return bool(isclose(input, other, rtol, atol, equal_nan).all())


@tensor_parameters("input", "other")
def equal(input: Tensor, other: Tensor) -> bool:
    """Same shape and equal values (NaN is not equal to itself); a Python bool, so it computes its value."""
    if input._shape != other._shape:
        return False
    return bool(eq(input, other).all())
