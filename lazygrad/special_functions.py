"""Special functions composed of lazy elementwise ops: lgamma, digamma, polygamma, the Hurwitz zeta function,
mvlgamma, erfinv, i0, i1, entr, ndtr, ndtri, log_ndtr. Every one is one fused elementwise kernel, computed in
float64 and rounded once to the result dtype (so float32 results are within an ulp of torch's), with torch's dtypes
(integer inputs give the default float dtype) and values at zeros, poles, infinities and NaN.

The methods are the textbook ones, each described where it is written; their constants (Bernoulli
numbers, zeta values, series coefficients) are computed here, exactly, from their definitions.
"""
from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

import numpy as np

from .autograd.record import differentiable
from .dtypes import (NUMBER_TYPES, REAL_TYPES, DType, bfloat16, bool_, float16, float32, float64, get_default_dtype,
                     torch_name)
from .elementwise import (_float_of, _out, abs, add, div, eq, erf, exp, floor, gt, isinf, isposinf, le, log,
                          log1p, logical_and, logical_or, lt, mul, ne, neg, pow, round, sin, sqrt, sub, unary, where)
from .ops import Op
from .int_parameters import type_name
from .pointwise import _tensors, signbit
from .tensor import Tensor
from .tensor_parameters import tensor_parameters

EULER_GAMMA = 0.57721566490153286061
LOG_PI = math.log(math.pi)
HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
# below this lgamma is reduced into [1.5, 2.5) by the recurrence, above it Stirling's series is exact to rounding
_STIRLING_FROM = 8.0
# digamma and polygamma shift x up past this before their asymptotic series
_ASYMPTOTIC_FROM = 10
# i0 and i1: the power series below this |x|, the asymptotic expansion of e^x / sqrt(2 pi x) above
_BESSEL_SERIES_UNTIL = 20.0
# erfc from its continued fraction (with this many terms) past this x, from 1 - erf(x) below
_ERFC_FRACTION_FROM = 2.0
_ERFC_FRACTION_TERMS = 60


# ---- constants, computed exactly --------------------------------------------------------------------

@lru_cache(maxsize=None)
def bernoulli_number(m: int) -> Fraction:
    """B_m (B_1 = -1/2), from sum_{k<=m} C(m+1, k) B_k = 0."""
    if m == 0:
        return Fraction(1)
    return -sum(Fraction(math.comb(m + 1, k)) * bernoulli_number(k) for k in range(m)) / (m + 1)


@lru_cache(maxsize=None)
def zeta_minus_one(s: int) -> float:
    """zeta(s) - 1 for an integer s >= 2: the first terms summed, the rest by Euler-Maclaurin."""
    n = 12
    terms = [k ** -s for k in range(2, n)]
    terms += [n ** (1 - s) / (s - 1), 0.5 * n ** -s]
    rising = Fraction(s)  # s (s+1) ... (s + 2j - 2)
    for j in range(1, 10):
        terms.append(float(bernoulli_number(2 * j) / math.factorial(2 * j) * rising) * n ** (-s - 2 * j + 1))
        rising *= (s + 2 * j - 1) * (s + 2 * j)
    return math.fsum(terms)


def _horner(t: Tensor, coefficients) -> Tensor:
    """sum_k coefficients[k] * t^k."""
    out = coefficients[-1]
    for c in reversed(coefficients[:-1]):
        out = add(mul(t, out), c)
    return out


# the kernel torch names when a function of real numbers meets complex ones (by default "<name>_cpu")
COMPLEX_REFUSING_KERNELS = {
    "lgamma": "lgamma_vml_cpu", "digamma": "digamma", "erfinv": "erfinv_vml_cpu", "i0": "i0_vml_cpu",
    "special_i0e": "i0e_cpu", "special_i1": "i1_cpu", "special_i1e": "i1e_cpu", "special_ndtr": "erf_vml_cpu",
    "special_ndtri": "ndtri_cpu", "special_log_ndtr": "log_ndtr_cpu", "special_erfcx": "erfcx_cpu",
    "special_entr": "entr_cpu", "special_spherical_bessel_j0": "spherical_bessel_j0_cpu", "mvlgamma": "arange_cpu",
    "trigamma": "trigamma", "polygamma": "polygamma",
}


def _float_input(input: Tensor, name: str) -> tuple[DType, Tensor]:
    """The result dtype (integers give the default float dtype) and input in float64."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type_name(input)}")
    if input.dtype.is_complex:
        kernel = COMPLEX_REFUSING_KERNELS.get(name, f"{name}_cpu")
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{torch_name(input.dtype)}'")
    dt = input.dtype if input.dtype.is_floating_point else get_default_dtype()
    return dt, input.to(float64)


def _result(value: Tensor, dt: DType, out) -> Tensor:
    """The float64 value rounded once to the result dtype (and written into out when given)."""
    return _out(value.to(dt), out)


def _sin_cos_pi(x: Tensor) -> tuple[Tensor, Tensor]:
    """sin(pi x) and cos(pi x), exact at integers and half-integers: r = x - round(x) is exact and in
    [-1/2, 1/2], cos(pi r) is sin(pi (1/2 - |r|)), and the signs flip with the parity of round(x)."""
    k = round(x)
    r = sub(x, k)
    flip = where(eq(sub(k, mul(floor(mul(k, 0.5)), 2)), 0), 1.0, -1.0)
    return mul(sin(mul(r, math.pi)), flip), mul(sin(mul(sub(0.5, abs(r)), math.pi)), flip)


# ---- log-gamma -------------------------------------------------------------------------------------

_LGAMMA_TERMS = 28
# lgamma(2 + z) = (1 - gamma) z + sum_{k>=2} (-1)^k (zeta(k) - 1) / k z^k, for |z| <= 1/2
_LGAMMA_AT_2 = [0.0, 1 - EULER_GAMMA] + [(-1) ** k * zeta_minus_one(k) / k for k in range(2, _LGAMMA_TERMS)]
# Stirling: lgamma(x) = (x - 1/2) log x - x + log(2 pi) / 2 + sum_k B_2k / (2k (2k - 1) x^(2k-1))
_STIRLING = [float(bernoulli_number(2 * k) / (2 * k * (2 * k - 1))) for k in range(1, 11)]


def _lgamma_positive(y: Tensor) -> Tensor:
    """lgamma for y >= 0 (float64). Below 8, y is moved by m = floor(y - 3/2) in [-2, 6] into [1.5, 2.5),
    where the Taylor series about 2 holds (relative accuracy near the zeros at 1 and 2, since z = y - m - 2
    is exact), and the recurrence lgamma(y) = lgamma(y - m) + log((y-1)...(y-m)) (or minus the logs of
    y (y+1) ... going up) brings it back. From 8 on, Stirling's series."""
    m = floor(sub(y, 1.5)).clamp(-2, 6)
    z = sub(y, add(m, 2))
    up, down = 1.0, 1.0
    for k in range(1, 7):
        up = mul(up, where(lt(k - 0.5, m), sub(y, k), 1.0))
    for k in range(2):
        down = mul(down, where(lt(m, -k - 0.5), add(y, k), 1.0))
    small = add(_horner(z, _LGAMMA_AT_2), sub(log(up), log(down)))
    w = div(1.0, y)
    stirling = add(sub(mul(sub(y, 0.5), log(y)), y), add(mul(w, _horner(mul(w, w), _STIRLING)), HALF_LOG_2PI))
    return where(lt(y, _STIRLING_FROM), small, where(isinf(y), math.inf, stirling))


def _lgamma(x: Tensor) -> Tensor:
    """Negative x by reflection: lgamma(x) = log(pi / |sin(pi x)|) - lgamma(1 - x) (inf at the poles)."""
    negative = lt(x, 0)
    pos = _lgamma_positive(where(negative, sub(1.0, x), x))
    sin_pi, _ = _sin_cos_pi(x)
    reflected = sub(sub(LOG_PI, log(abs(sin_pi))), pos)
    return where(negative, where(isinf(x), math.inf, reflected), pos)


@differentiable("lgamma")
def lgamma(input: Tensor, *, out=None) -> Tensor:
    """log|Gamma(x)|."""
    dt, x = _float_input(input, "lgamma")
    return _result(_lgamma(x), dt, out)


# ---- digamma and polygamma ---------------------------------------------------------------------------

# terms of polygamma's asymptotic series (its terms shrink like (2k + n)! / (2 pi y)^2k from y = 10 + n on)
_ASYMPTOTIC_TERMS = 16


@lru_cache(maxsize=None)
def _polygamma_asymptotic(n: int) -> tuple[float, ...]:
    """psi^(n)(y) ~ (-1)^(n+1) [(n-1)!/y^n + n!/(2 y^(n+1)) + sum_k B_2k (2k+n-1)!/(2k)! / y^(2k+n)], n >= 1:
    the coefficients of 1/y^(n+j), j = 0, 1, 2, ..."""
    coefficients = [float(math.factorial(n - 1)), math.factorial(n) / 2]
    for k in range(1, _ASYMPTOTIC_TERMS):
        coefficients += [float(bernoulli_number(2 * k) * math.factorial(2 * k + n - 1) / math.factorial(2 * k)), 0.0]
    return tuple(coefficients)


def _digamma_positive(y: Tensor) -> Tensor:
    """psi(y) for y >= 0: psi(y) = psi(y + 10) - sum_{k<10} 1/(y + k) below 10, then the asymptotic series
    log y - 1/(2y) - sum_k B_2k / (2k y^2k)."""
    shift = _ASYMPTOTIC_FROM
    below = lt(y, shift)
    t = where(below, add(y, float(shift)), y)
    w = div(1.0, t)
    w2 = mul(w, w)
    series = [0.0] + [float(bernoulli_number(2 * k) / (2 * k)) for k in range(1, 9)]
    asymptotic = sub(sub(log(t), mul(w, 0.5)), _horner(w2, series))
    steps = 0.0
    for k in range(shift):
        steps = add(steps, div(1.0, add(y, float(k)) if k else y))  # (y itself at k = 0 keeps -0.0: +inf)
    return where(below, sub(asymptotic, steps), asymptotic)


def _digamma(x: Tensor) -> Tensor:
    """Negative x by reflection, psi(x) = psi(1 - x) - pi cot(pi x); NaN at the negative integers, -inf at
    +0 and +inf at -0, as torch gives."""
    negative = lt(x, 0)
    pos = _digamma_positive(where(negative, sub(1.0, x), x))
    sin_pi, cos_pi = _sin_cos_pi(x)
    reflected = sub(pos, div(mul(cos_pi, math.pi), sin_pi))
    pole = logical_and(negative, eq(x, floor(x)))
    return where(negative, where(pole, math.nan, reflected), pos)


@differentiable("digamma")
def digamma(input: Tensor, *, out=None) -> Tensor:
    """The logarithmic derivative of the gamma function."""
    dt, x = _float_input(input, "digamma")
    return _result(_digamma(x), dt, out)


@lru_cache(maxsize=None)
def _cot_derivative(n: int) -> tuple[int, ...]:
    """Coefficients of Q_n with d^n/dt^n cot(t) = Q_n(cot t): Q_0 = c, Q_(n+1) = -(1 + c^2) Q_n'(c)."""
    q = [0, 1]
    for _ in range(n):
        d = [k * q[k] for k in range(1, len(q))] + [0, 0]
        q = [-(d[k] + (d[k - 2] if k >= 2 else 0)) for k in range(len(d))]
    return tuple(q)


def _polygamma_positive(n: int, y: Tensor) -> Tensor:
    """psi^(n)(y), y >= 0, n >= 1: psi^(n)(y) = psi^(n)(y + N) + (-1)^(n+1) n! sum_{k<N} (y + k)^-(n+1), then
    the asymptotic series (N = 10 + n keeps its terms small for every n)."""
    shift = _ASYMPTOTIC_FROM + n
    sign = (-1) ** (n + 1)
    below = lt(y, shift)
    t = where(below, add(y, float(shift)), y)
    w = div(1.0, t)
    asymptotic = mul(pow(w, n), _horner(w, [sign * c for c in _polygamma_asymptotic(n)]))
    steps = 0.0
    for k in range(shift):
        steps = add(steps, pow(add(y, float(k)), -(n + 1)))
    return where(below, add(asymptotic, mul(steps, sign * math.factorial(n))), asymptotic)


def _polygamma(n: int, x: Tensor) -> Tensor:
    """Negative x by the n-th derivative of the reflection formula:
    psi^(n)(x) = (-1)^n psi^(n)(1 - x) - pi^(n+1) Q_n(cot(pi x)). torch's values at +-inf for n >= 2 (those of
    its Hurwitz zeta) are kept."""
    if n == 0:
        return _digamma(x)
    negative = lt(x, 0)
    pos = _polygamma_positive(n, where(negative, sub(1.0, x), add(x, 0.0)))
    sin_pi, cos_pi = _sin_cos_pi(x)
    q = _horner(div(cos_pi, sin_pi), [float(c) for c in _cot_derivative(n)])
    reflected = sub(mul(pos, (-1) ** n), mul(q, math.pi ** (n + 1)))
    out = where(negative, reflected, pos)
    if n >= 2:
        out = where(isinf(x), where(gt(x, 0), math.nan, (-1) ** (n + 1) * math.inf), out)
    return out


@differentiable("polygamma")
def polygamma(n: int, input: Tensor, *, out=None) -> Tensor:
    """The n-th derivative of digamma."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    dt, x = _float_input(input, ("digamma", "trigamma")[n] if n < 2 else "polygamma")
    return _result(_polygamma(int(n), x), dt, out)


@differentiable("polygamma_")
def polygamma_value(input: Tensor, n: int) -> Tensor:
    """The value x.polygamma_(n) writes (torch records it as PolygammaBackward1)."""
    return polygamma(n, input)


# ---- the Hurwitz zeta function ---------------------------------------------------------------------------

# zeta(x, q) sums this many terms (q + k)^-x, then Euler-Maclaurin's tail with this many Bernoulli terms: from
# w = q + 10 on they shrink like ((x + 2j) / (2 pi w))^2, and for large x the tail is negligible beside q^-x
_ZETA_TERMS = 10
_ZETA_BERNOULLI_TERMS = 10
# Euler-Maclaurin's coefficients B_2j / (2j)!
_EULER_MACLAURIN = [float(bernoulli_number(2 * j) / math.factorial(2 * j)) for j in range(1, _ZETA_BERNOULLI_TERMS + 1)]


def _hurwitz_zeta_positive(x: Tensor, q: Tensor) -> Tensor:
    """zeta(x, q) for x > 1, q > 0 by Euler-Maclaurin: with w = q + N and (x)_m the rising factorial,
    sum_{k<N} (q+k)^-x + w^-x (w / (x-1) + 1/2 + sum_j B_2j / (2j)! (x)_(2j-1) / w^(2j-1)), the Bernoulli sum nested
    from its last term. Where w^-x underflows the tail is 0, as torch's is."""
    total = 0.0
    for k in range(_ZETA_TERMS):
        total = add(total, pow(add(q, float(k)), neg(x)))
    w = add(q, float(_ZETA_TERMS))
    v = div(1.0, w)
    nested = _EULER_MACLAURIN[-1]
    for j in range(_ZETA_BERNOULLI_TERMS - 1, 0, -1):
        rising = mul(add(x, 2 * j - 1), add(x, 2 * j))
        nested = add(mul(mul(rising, mul(v, v)), nested), _EULER_MACLAURIN[j - 1])
    tail = add(add(div(w, sub(x, 1.0)), 0.5), mul(mul(x, v), nested))
    return add(total, mul(pow(w, neg(x)), tail))


def _hurwitz_zeta(x: Tensor, q: Tensor) -> Tensor:
    """zeta(x, q) on torch's domain, with its special values. For q < 0 (x an integer), with r = -q - floor(-q),
    the terms (q+k)^-x with q + k < 0 are (-1)^x (r + j)^-x for j = 0 .. floor(-q), and the others are
    (1 - r + j)^-x for j >= 0: zeta(x, q) = (-1)^x (zeta(x, r) - zeta(x, 1 - q)) + zeta(x, 1 - r)."""
    negative = lt(q, 0)
    p = neg(q)
    r = sub(p, floor(p))
    value = _hurwitz_zeta_positive(x, where(negative, sub(1.0, r), q))
    parity = where(eq(floor(mul(x, 0.5)), mul(x, 0.5)), 1.0, -1.0)
    reflected = mul(sub(_hurwitz_zeta_positive(x, r), _hurwitz_zeta_positive(x, add(p, 1.0))), parity)
    value = where(negative, add(value, reflected), value)
    at_infinity = where(lt(q, 1.0), math.inf, where(eq(q, 1.0), 1.0, math.nan))
    # (condition, value) from the lowest precedence up: the last that holds wins
    special = [(isposinf(q), math.nan), (isposinf(x), at_infinity),
               (logical_and(negative, ne(x, floor(x))), math.nan),
               (logical_and(le(q, 0), eq(q, floor(q))), math.inf), (lt(x, 1.0), math.nan), (eq(x, 1.0), math.inf)]
    for condition, replacement in special:
        value = where(condition, replacement, value)
    return value


@differentiable("special_zeta")
def zeta(input: Tensor | float, other: Tensor | float, *, out=None) -> Tensor:
    """The Hurwitz zeta function sum_k (q + k)^-x of x = input and q = other (broadcast, with torch's type
    promotion; integers give the default float dtype)."""
    arguments = (input, other)
    if not all(isinstance(a, (Tensor, *REAL_TYPES)) for a in arguments) or not any(isinstance(a, Tensor)
                                                                                  for a in arguments):
        raise TypeError(f"special_zeta() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(other).__name__})")
    dt = _float_of(input, other)
    if dt is float16 or dt is bfloat16:
        raise NotImplementedError(f"\"zeta_cpu\" not implemented for '{torch_name(dt)}'")
    x, q = _tensors(float64, input, other)
    return _result(_hurwitz_zeta(x, q), dt, out)


@differentiable("mvlgamma")
def mvlgamma(input: Tensor, p: int, *, out=None) -> Tensor:
    """The multivariate log-gamma function: sum_{j<p} lgamma(x - j/2) + p (p - 1) / 4 log(pi)."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    if input.dtype is bool_:
        raise RuntimeError("The input tensor may not be a boolean tensor.")
    dt, x = _float_input(input, "mvlgamma")
    total = p * (p - 1) / 4 * LOG_PI
    for j in range(p):
        total = add(_lgamma(sub(x, j / 2)), total)
    return _result(total.contiguous(), dt, out)  # (torch's is a sum over a new last dim: row-major)


# ---- the inverse error function and the normal distribution -----------------------------------------

_WINITZKI_A = 0.147


def _erfc(x: Tensor) -> Tensor:
    """libm's erfc of a float64 x."""
    return unary(Op.ERFC, x, True)


def _laplace_fraction(x: Tensor) -> Tensor:
    """sqrt(pi) (x + (1/2) / (x + 1 / (x + (3/2) / ...))), Laplace's continued fraction for
    erfc(x) = e^-x^2 / fraction, exact to 2e-17 from x = 2 on with 60 terms: erfcx and log_ndtr's tails, where
    erfc itself underflows."""
    f = x
    for k in range(_ERFC_FRACTION_TERMS, 0, -1):
        f = add(x, div(k / 2, f))
    return mul(f, math.sqrt(math.pi))


@differentiable("special_erfcx")
def erfcx(input: Tensor, *, out=None) -> Tensor:
    """e^(x^2) erfc(x): 1 / Laplace's continued fraction from 2 on (no overflow, exact to rounding), the
    product below (inf once e^(x^2) overflows for very negative x, as torch gives)."""
    dt, x = _float_input(input, "special_erfcx")
    fraction = div(1.0, _laplace_fraction(where(lt(x, _ERFC_FRACTION_FROM), _ERFC_FRACTION_FROM, x)))
    return _result(where(lt(x, _ERFC_FRACTION_FROM), mul(exp(mul(x, x)), _erfc(x)), fraction), dt, out)


def _erfinv_positive(a: Tensor, c: Tensor) -> Tensor:
    """x >= 0 with erf(x) = a, given a in [0, 1] and its complement c = 1 - a exactly (so that tails keep
    their digits). Winitzki's closed form (relative error below 2e-3) starts three Halley steps on
    f(x) = erf(x) - a, f' = 2/sqrt(pi) e^-x^2, f'' = -2x f'; past x = 2 the residual is c - erfc(x) with
    erfc from its continued fraction, which keeps relative accuracy where erf(x) rounds to 1."""
    w = add(log1p(neg(a)), log1p(a))
    w = where(lt(a, 0.5), w, log(mul(c, sub(2.0, c))))
    t = add(2 / (math.pi * _WINITZKI_A), mul(w, 0.5))
    x = sqrt(sub(sqrt(sub(mul(t, t), div(w, _WINITZKI_A))), t))
    for _ in range(3):
        residual = where(lt(x, _ERFC_FRACTION_FROM), sub(erf(x), a), sub(c, _erfc(x)))
        u = div(residual, mul(exp(neg(mul(x, x))), 2 / math.sqrt(math.pi)))
        x = sub(x, div(u, add(mul(x, u), 1.0)))
    return where(eq(c, 0), math.inf, where(eq(a, 0), 0.0, x))


@differentiable("erfinv")
def erfinv(input: Tensor, *, out=None) -> Tensor:
    """The inverse of erf on (-1, 1): +-inf at +-1, NaN outside, the sign of zero kept."""
    dt, y = _float_input(input, "erfinv")
    a = abs(y)
    x = _erfinv_positive(a, sub(1.0, a))
    return _result(where(signbit(y), neg(x), x), dt, out)


@differentiable("special_ndtri")
def ndtri(input: Tensor, *, out=None) -> Tensor:
    """The quantile function of the standard normal distribution: sqrt(2) erfinv(2p - 1), with the
    complement 2 min(p, 1 - p) exact so that both tails keep their digits."""
    dt, p = _float_input(input, "special_ndtri")
    c = mul(where(lt(p, 0.5), p, sub(1.0, p)), 2.0)
    x = mul(_erfinv_positive(abs(sub(mul(p, 2.0), 1.0)), c), math.sqrt(2))
    return _result(where(lt(p, 0.5), neg(x), x), dt, out)


@differentiable("special_ndtr")
def ndtr(input: Tensor, *, out=None) -> Tensor:
    """The standard normal distribution function by torch's formula, (1 + erf(x / sqrt(2))) / 2 in the input's
    dtype, so the lower tail rounds to 0 where torch's does (log_ndtr keeps it)."""
    dt = _float_input(input, "special_ndtr")[0]
    x = input.to(dt)
    return _out(mul(add(erf(mul(x, math.sqrt(0.5))), 1.0), 0.5), out)


@differentiable("special_log_ndtr")
def log_ndtr(input: Tensor, *, out=None) -> Tensor:
    """log(ndtr(x)): in the lower tail the log of erfc's continued fraction, -t^2 - log(F(t) sqrt(pi)) - log 2
    with t = -x / sqrt(2) (no underflow); elsewhere log1p(-erfc(x / sqrt(2)) / 2)."""
    dt, x = _float_input(input, "special_log_ndtr")
    t = mul(x, -math.sqrt(0.5))
    upper = log1p(mul(_erfc(neg(t)), -0.5))
    middle = log(mul(_erfc(t), 0.5))
    tail = sub(neg(mul(t, t)), add(log(_laplace_fraction(t)), math.log(2)))
    return _result(where(lt(t, 1.0), upper, where(lt(t, _ERFC_FRACTION_FROM), middle, tail)), dt, out)


@differentiable("special_entr")
def entr(input: Tensor, *, out=None) -> Tensor:
    """-x log x: 0 at 0, -inf below 0."""
    dt, x = _float_input(input, "special_entr")
    value = where(eq(x, 0), 0.0, neg(mul(x, log(x))))
    return _result(where(lt(x, 0), -math.inf, value), dt, out)


# ---- modified Bessel functions of the first kind ------------------------------------------------------

_BESSEL_SERIES_TERMS = 40
_BESSEL_ASYMPTOTIC_TERMS = 42


@lru_cache(maxsize=None)
def _bessel_coefficients(nu: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """I_nu(x) = (x/2)^nu sum_k (x^2/4)^k / (k! (k+nu)!) for small x, and for large x
    I_nu(x) ~ e^x / sqrt(2 pi x) sum_k (-1)^k prod_{j<=k} (4 nu^2 - (2j-1)^2) / (8 j) x^-k."""
    series = tuple(1 / (math.factorial(k) * math.factorial(k + nu)) for k in range(_BESSEL_SERIES_TERMS))
    asymptotic, c = [], Fraction(1)
    for k in range(_BESSEL_ASYMPTOTIC_TERMS):
        asymptotic.append(float(c))
        c *= Fraction(-(4 * nu * nu - (2 * k + 1) ** 2), 8 * (k + 1))
    return series, tuple(asymptotic)


def _bessel_i(x: Tensor, nu: int, dt: DType, scaled: bool = False) -> Tensor:
    """I_nu(|x|) (the caller gives i1 its sign), or e^-|x| I_nu(|x|) when scaled. Unscaled, like torch:
    inf once e^|x| overflows the dtype torch computes in (float32 for float16 and float32), NaN at +-inf;
    scaled, the asymptotic series without its e^|x| never overflows (0 at +-inf)."""
    series, asymptotic = _bessel_coefficients(nu)
    a = abs(x)
    half = mul(a, 0.5)
    small = mul(_horner(mul(half, half), list(series)), half if nu else 1.0)
    large = div(_horner(div(1.0, a), list(asymptotic)), sqrt(mul(a, 2 * math.pi)))
    if scaled:
        return where(lt(a, _BESSEL_SERIES_UNTIL), mul(small, exp(neg(a))), large)
    value = where(lt(a, _BESSEL_SERIES_UNTIL), small, mul(large, exp(a)))
    limit = float(np.log(np.finfo((float64 if dt is float64 else float32).np).max))
    return where(isinf(a), math.nan, where(gt(a, limit), math.inf, value))


@differentiable("i0")
def i0(input: Tensor, *, out=None) -> Tensor:
    """The modified Bessel function of the first kind, order 0."""
    dt, x = _float_input(input, "i0")
    return _result(_bessel_i(x, 0, dt), dt, out)


@differentiable("special_i0e")
def i0e(input: Tensor, *, out=None) -> Tensor:
    """e^-|x| I0(x): the Bessel function without its exponential growth."""
    dt, x = _float_input(input, "special_i0e")
    return _result(_bessel_i(x, 0, dt, scaled=True), dt, out)


@differentiable("special_i1e")
def i1e(input: Tensor, *, out=None) -> Tensor:
    """e^-|x| I1(x) (odd)."""
    dt, x = _float_input(input, "special_i1e")
    value = _bessel_i(x, 1, dt, scaled=True)
    return _result(where(lt(x, 0), neg(value), value), dt, out)


@differentiable("special_i1")
def i1(input: Tensor, *, out=None) -> Tensor:
    """The modified Bessel function of the first kind, order 1 (odd)."""
    dt, x = _float_input(input, "special_i1")
    value = _bessel_i(x, 1, dt)
    return _result(where(lt(x, 0), neg(value), value), dt, out)



def spherical_bessel_j0(input: Tensor, *, out=None) -> Tensor:
    """sin(x) / x, 1 at 0 (torch gives it no gradient)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"special_spherical_bessel_j0(): argument 'x' (position 1) must be Tensor, not "
                        f"{type_name(input)}")
    dt, x = _float_input(input.detach(), "special_spherical_bessel_j0")
    safe = where(eq(x, 0), 1.0, x)
    return _result(where(eq(x, 0), 1.0, where(isinf(x), 0.0, div(sin(safe), safe))), dt, out)


# ---- regularized incomplete gamma functions --------------------------------------------------------------

_IGAMMA_SERIES_TERMS = 100
_IGAMMA_FRACTION_TERMS = 60


def _incomplete_gamma(a: Tensor, x: Tensor) -> tuple[Tensor, Tensor]:
    """P(a, x) and Q(a, x) = 1 - P in float64: P's series sum_k x^k / ((a+1)...(a+k)) below x = a + 1, Q's
    continued fraction above (each nested, evaluated from its last term: fixed loops for the kernels), times
    x^a e^-x / Gamma(a); torch's values at the ends and for negative arguments. The fixed terms
    are exact to about 1e-9 relative for a up to 100 (torch switches to Temme's expansion for large a)."""
    prefix = exp(sub(sub(mul(a, log(x)), x), _lgamma(a)))
    nested = 1.0
    for k in range(_IGAMMA_SERIES_TERMS, 0, -1):
        nested = add(mul(div(x, add(a, k)), nested), 1.0)
    lower = div(mul(prefix, nested), a)
    fraction = sub(add(x, 2 * _IGAMMA_FRACTION_TERMS + 1), a)
    for k in range(_IGAMMA_FRACTION_TERMS, 0, -1):
        fraction = sub(sub(add(x, 2 * k - 1), a), div(mul(sub(k, a), k), fraction))
    upper = div(prefix, fraction)
    series = lt(x, add(a, 1.0))
    p = where(series, lower, sub(1.0, upper))
    q = where(series, sub(1.0, lower), upper)
    # the ends, as torch checks them (the later a row here, the earlier torch's check: a NaN a with x = 0 is P = 0)
    for at_end, p_value, q_value in (
            (isinf(x), 1.0, 0.0),
            (isinf(a), where(isinf(x), math.nan, 0.0), where(isinf(x), math.nan, 1.0)),
            (eq(x, 0), 0.0, 1.0),
            (eq(a, 0), where(gt(x, 0), 1.0, math.nan), where(gt(x, 0), 0.0, math.nan)),
            (logical_or(lt(a, 0), lt(x, 0)), math.nan, math.nan)):
        p, q = where(at_end, p_value, p), where(at_end, q_value, q)
    return p, q


def _gamma_arguments(input, other, name: str) -> tuple[DType, Tensor, Tensor]:
    from .dtypes import result_type, torch_name
    dt = result_type(input, other)
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{torch_name(dt)}'")
    from .shapes import broadcast_tensors
    a, x = broadcast_tensors(*(t.to(float64) for t in (input, other)))
    return dt, a, x


@tensor_parameters("input", "other", name="igamma")
@differentiable("igamma")
def gammainc(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The regularized lower incomplete gamma function P(a, x) (a = input, x = other)."""
    dt, a, x = _gamma_arguments(input, other, "igamma")
    return _result(_incomplete_gamma(a, x)[0], dt, out)


@tensor_parameters("input", "other", name="igammac")
@differentiable("igammac")
def gammaincc(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x)."""
    dt, a, x = _gamma_arguments(input, other, "igammac")
    return _result(_incomplete_gamma(a, x)[1], dt, out)


# ---- orthogonal polynomials: (P0, P1, P_{k+1} from k, x, P_k, P_{k-1}) ----------------------------------

_POLYNOMIALS = {
    "chebyshev_polynomial_t": (lambda x: x, lambda k, x, p, q: 2 * x * p - q),
    "chebyshev_polynomial_u": (lambda x: 2 * x, lambda k, x, p, q: 2 * x * p - q),
    "chebyshev_polynomial_v": (lambda x: 2 * x - 1, lambda k, x, p, q: 2 * x * p - q),
    "chebyshev_polynomial_w": (lambda x: 2 * x + 1, lambda k, x, p, q: 2 * x * p - q),
    "hermite_polynomial_h": (lambda x: 2 * x, lambda k, x, p, q: 2 * x * p - 2 * k * q),
    "hermite_polynomial_he": (lambda x: x, lambda k, x, p, q: x * p - k * q),
    "laguerre_polynomial_l": (lambda x: 1 - x, lambda k, x, p, q: ((2 * k + 1 - x) * p - k * q) / (k + 1)),
    "legendre_polynomial_p": (lambda x: x, lambda k, x, p, q: ((2 * k + 1) * x * p - k * q) / (k + 1)),
}


POLYNOMIAL_SIGNATURES = ("(Tensor x, Tensor n, *, Tensor out = None)", "(Number x, Tensor n, *, Tensor out = None)",
                         "(Tensor x, Number n, *, Tensor out = None)")


def _polynomial_arguments(x, n) -> bool:
    """Whether torch's overloads take (x, n): tensors or numbers, one of them a tensor at least."""
    kinds = [isinstance(a, Tensor) or (isinstance(a, NUMBER_TYPES) and "Number") for a in (x, n)]
    return all(kinds) and True in kinds


def _polynomial(name: str, shifted: bool):
    first, step = _POLYNOMIALS[name]

    def evaluate(input, n, *, out=None) -> Tensor:
        """P_n(x) by the three-term recurrence, for every n in n (0 for negative n; a fractional n counts as
        its integer part). torch gives these no gradient."""
        from .creation import ones_like, tensor, zeros_like
        if not _polynomial_arguments(input, n):
            from .int_parameters import _got
            raise TypeError(f"special_{evaluate.__name__}() received an invalid combination of arguments - got "
                            f"({_got((input, n), {})}), but expected one of:\n"
                            + "".join(f" * {s}\n" for s in POLYNOMIAL_SIGNATURES))
        from .elementwise import broadcast_shapes
        x = input.detach() if isinstance(input, Tensor) else tensor(input)
        degree = n.detach() if isinstance(n, Tensor) else tensor(n)
        dt = x.dtype if x.dtype.is_floating_point else get_default_dtype()
        shape = broadcast_shapes(x.shape, degree.shape)
        x64 = x.to(float64).expand(shape)
        if shifted:
            x64 = 2 * x64 - 1
        orders = degree.to(float64).trunc().expand(shape)
        top = int(np.max(np.asarray(orders.numpy()), initial=-1))  # (the orders are needed to unroll)
        value = zeros_like(x64)  # (not x * 0: P_0 is 1 and a negative degree's 0 even at an infinite or NaN x)
        previous, current = ones_like(x64), first(x64)
        for k in range(top + 1):
            value = where(eq(orders, k), previous, value)
            previous, current = current, step(k + 1, x64, current, previous)
        return _result(value, dt, out)
    evaluate.__name__ = evaluate.__qualname__ = ("shifted_" if shifted else "") + name
    return evaluate


# lazygrad.special's polynomial functions, by name: the eight families, and the Chebyshev ones of 2x - 1
POLYNOMIAL_FUNCTIONS = {**{name: _polynomial(name, False) for name in _POLYNOMIALS},
                        **{"shifted_" + name: _polynomial(name, True) for name in _POLYNOMIALS
                           if name.startswith("chebyshev")}}
