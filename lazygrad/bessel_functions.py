"""torch.special's Bessel functions of integer order: J0, J1, Y0, Y1, the modified K0 and K1 with their scaled
forms e^x K0 and e^x K1, I0 and I1 under their torch.special names, and the Airy function Ai. As in
special_functions.py each one is one fused elementwise kernel, computed in float64 and rounded once to the result
dtype (integers give the default float dtype). Like torch, none of them has a gradient, and float16 and bfloat16
are refused.

Each method is exact to about 1e-15 where it is used, and its constants are computed here from their definitions:
  * near 0, the power series (they lose digits to cancellation further out);
  * J and Y from 2 to 20: Miller's algorithm. The recurrence f_(m-1) = 2 (nu + m) / z f_m - f_(m+1), run down from
    f_N = 1 (f_(N+1) = 0), is stable in that direction and gives numbers proportional to J_(nu+m)(z) once m is
    well below N; Neumann's identity sum_k w_2k J_(nu+2k)(z) = (z/2)^nu / Gamma(nu + 1) fixes the constant, and
    Y comes from Neumann's series in the same J_m;
  * J and Y from 20 on: Hankel's asymptotic expansions, whose smallest term (near the 2z-th) is about e^-2z;
  * K from 2 on: the trapezoidal rule on K_nu(x) = int_0^inf e^(-x cosh t) cosh(nu t) dt after the substitution
    s = 2 sqrt(x) sinh(t/2), which makes the integrand e^(-x - s^2/2) times a slowly varying function analytic
    near the real line: the rule then converges exponentially in 1/step, uniformly in x;
  * Ai: the series on [-2, 1.5]; above, Ai(x) = sqrt(x/3) K_1/3(zeta) / pi with zeta = 2/3 x^(3/2), by the same
    rule; below, Ai(-x) = sqrt(x)/3 (J_1/3 + J_-1/3)(zeta), by Miller's algorithm up to zeta = 20 and by
    Hankel's expansion past it.
"""
from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

from .creation import ones_like
from .dtypes import DType, bfloat16, float16, float64, get_default_dtype, torch_name
from .int_parameters import type_name
from .elementwise import abs, add, cos, div, eq, exp, gt, isinf, log, lt, mul, neg, pow, sin, sqrt, sub, where
from .pointwise import signbit
from .special_functions import EULER_GAMMA, _bessel_i, _horner, _result
from .tensor import Tensor

# the power series below this argument
_SERIES_UNTIL = 2.0
_SERIES_TERMS = 16
# Hankel's expansions from this argument on, with this many terms
_HANKEL_FROM = 20.0
_HANKEL_TERMS = 50
# the order Miller's recurrence starts from: enough for arguments up to 20
_MILLER_ORDER = 56
# the trapezoidal rule's step and nodes (s = 0, 0.3, ..., 8.7: e^(-s^2/2) is below 1e-16 past them)
_TRAPEZOID_STEP = 0.3
_TRAPEZOID_NODES = 30
# Ai: its series between these arguments
_AIRY_SERIES_FROM, _AIRY_SERIES_UNTIL = -2.0, 1.5
# torch's Ai is 0 past this argument (where Ai falls below the smallest normal double)
_AIRY_VANISHES_FROM = 103.892
# log(x/2) + gamma is log(x) plus this (x/2 would underflow at the smallest subnormal)
_LOG_HALF_PLUS_GAMMA = EULER_GAMMA - math.log(2)
# Ai(0) and -Ai'(0)
_AIRY_AT_0 = 1 / (3 ** (2 / 3) * math.gamma(2 / 3))
_AIRY_SLOPE_AT_0 = 1 / (3 ** (1 / 3) * math.gamma(1 / 3))


# the functions whose parameter torch calls x (the others' is input)
X_NAMED = frozenset({"airy_ai", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1"})


def _input(input: Tensor, name: str) -> tuple[DType, Tensor]:
    """The result dtype, and the input in float64, detached: torch gives these functions no gradient."""
    if not isinstance(input, Tensor):
        param = "x" if name in X_NAMED else "input"
        raise TypeError(f"special_{name}(): argument '{param}' (position 1) must be Tensor, not {type_name(input)}")
    dt = input.dtype if input.dtype.is_floating_point else get_default_dtype()
    if dt is float16 or dt is bfloat16:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{torch_name(dt)}'")
    return dt, input.detach().to(float64)


# ---- the methods ------------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _series_coefficients(n: int) -> tuple[list[float], list[float]]:
    """c_k = 1 / (k! (k+n)!), with which J_n and I_n are (x/2)^n sum c_k (-+x^2/4)^k, and d_k = (H_k + H_(k+n))/2 c_k
    (H_k the harmonic numbers), whose sums Y_n and K_n add to their logarithmic terms."""
    harmonic = [Fraction(0)]
    for k in range(1, _SERIES_TERMS + n):
        harmonic.append(harmonic[-1] + Fraction(1, k))
    c = [Fraction(1, math.factorial(k) * math.factorial(k + n)) for k in range(_SERIES_TERMS)]
    return [float(v) for v in c], [float((harmonic[k] + harmonic[k + n]) / 2 * c[k]) for k in range(_SERIES_TERMS)]


def _series(x: Tensor, n: int, sign: int) -> tuple[Tensor, Tensor]:
    """(x/2)^n sum_k c_k (sign x^2/4)^k and (x/2)^n sum_k d_k (sign x^2/4)^k."""
    c, d = _series_coefficients(n)
    half = mul(x, 0.5)
    t = mul(mul(half, half), float(sign))
    scale = half if n else 1.0
    return mul(_horner(t, c), scale), mul(_horner(t, d), scale)


@lru_cache(maxsize=None)
def _neumann_weights(nu: Fraction) -> tuple[float, ...]:
    """w_m of Neumann's identity sum_m w_m J_(nu+m)(z) = (z/2)^nu / Gamma(nu+1): w_0 = 1,
    w_2k = (nu + 2k) / (nu + k) (nu+1)_k / k!, none at odd m."""
    weights, rising = [1.0], Fraction(1)
    for k in range(1, _MILLER_ORDER // 2 + 1):
        rising *= (nu + k) / k
        weights += [0.0, float((nu + 2 * k) / (nu + k) * rising)]
    return tuple(weights)


# Neumann's series of Y_n in the J_m (m = 0 .. N): Y_0 = 2/pi (log(x/2) + gamma) J_0 - 2/pi sum e_m J_m with
# e_2k = 2 (-1)^k / k; Y_1 = 2/pi ((log(x/2) + gamma) J_1 - J_0 / x) - 2/pi sum e_m J_m with e_1 = 1 and
# e_(2k+1) = (-1)^k (2k+1) / (k (k+1)) (that one by differentiating the first, Y_1 = -Y_0')
_NEUMANN_SERIES = {
    0: tuple(2 * (-1) ** (m // 2) / (m // 2) if m % 2 == 0 and m else 0.0 for m in range(_MILLER_ORDER + 1)),
    1: tuple(1.0 if m == 1 else (-1) ** (m // 2) * m / ((m // 2) * (m // 2 + 1)) if m % 2 else 0.0
             for m in range(_MILLER_ORDER + 1)),
}


def _miller(z: Tensor, nu: Fraction, series: tuple[float, ...] = ()) -> tuple[Tensor, Tensor, Tensor]:
    """J_nu(z) and J_(nu+1)(z), both divided by (z/2)^nu / Gamma(nu+1), and sum_m series[m] J_(nu+m)(z)
    divided by the same (Miller's algorithm: see the module's docstring)."""
    weights = _neumann_weights(nu)
    step = div(2.0, z)
    current, above = ones_like(z), 0.0
    norm, total, first = 0.0, 0.0, None
    for m in range(_MILLER_ORDER, -1, -1):
        norm = add(norm, mul(current, weights[m])) if weights[m] else norm
        total = add(total, mul(current, series[m])) if m < len(series) and series[m] else total
        if m == 1:
            first = current
        if m:
            current, above = sub(mul(mul(step, current), float(nu + m)), above), current
    return div(current, norm), div(first, norm), div(total, norm)


@lru_cache(maxsize=None)
def _hankel_coefficients(nu: Fraction) -> tuple[list[float], list[float]]:
    """a_k = prod_{j<=k} (4 nu^2 - (2j-1)^2) / (8j), signed for P(z) = sum_k (-1)^k a_2k z^-2k and
    Q(z) = sum_k (-1)^k a_(2k+1) z^-(2k+1)."""
    a = [Fraction(1)]
    for j in range(1, _HANKEL_TERMS):
        a.append(a[-1] * (4 * nu * nu - (2 * j - 1) ** 2) / (8 * j))
    signed = [float(v) * (-1) ** (k // 2) for k, v in enumerate(a)]
    return signed[0::2], signed[1::2]


def _hankel(z: Tensor, nu: Fraction, quarter_turns: int) -> tuple[Tensor, Tensor]:
    """P cos(chi) - Q sin(chi) and P sin(chi) + Q cos(chi), chi = z - pi/4 - quarter_turns pi/2: Hankel's
    J_nu(z) and Y_nu(z) are these times sqrt(2 / (pi z)) (for chi = z - (2 nu + 1) pi/4). cos and sin of z - pi/4
    come from those of z, which the C library reduces exactly, so no rounding of z - pi/4 shifts the phase."""
    even, odd = _hankel_coefficients(nu)
    w = div(1.0, z)
    w2 = mul(w, w)
    p, q = _horner(w2, even), mul(_horner(w2, odd), w)
    c, s = cos(z), sin(z)
    cos_chi, sin_chi = mul(add(c, s), math.sqrt(0.5)), mul(sub(s, c), math.sqrt(0.5))
    if quarter_turns:
        cos_chi, sin_chi = sin_chi, neg(cos_chi)
    return sub(mul(p, cos_chi), mul(q, sin_chi)), add(mul(p, sin_chi), mul(q, cos_chi))


# cosh(nu t) with sinh(t/2) = u, from u and r = sqrt(1 + u^2): (W^2nu + W^-2nu) / 2 with W = e^(t/2) = u + r
_COSH_MULTIPLE = {
    Fraction(0): lambda u, r: 1.0,
    Fraction(1): lambda u, r: add(mul(mul(u, u), 2.0), 1.0),
    Fraction(1, 3): lambda u, r: _half_sum_with_reciprocal(pow(add(u, r), 2 / 3)),
}


def _half_sum_with_reciprocal(v: Tensor) -> Tensor:
    """(v + 1/v) / 2: cosh(nu t) from W^2nu with one power, not two."""
    return mul(add(v, div(1.0, v)), 0.5)


def _scaled_k(x: Tensor, nu: Fraction) -> Tensor:
    """e^x K_nu(x) = x^(-1/2) int_0^inf e^(-s^2/2) cosh(nu t) / sqrt(1 + u^2) ds with u = sinh(t/2) = s / (2 sqrt x),
    by the trapezoidal rule (accurate to rounding for x >= 1)."""
    half_root = mul(sqrt(x), 2.0)
    total = 0.0
    for j in range(_TRAPEZOID_NODES):
        s = j * _TRAPEZOID_STEP
        weight = _TRAPEZOID_STEP * math.exp(-s * s / 2) * (0.5 if j == 0 else 1.0)
        u = div(s, half_root)
        r = sqrt(add(mul(u, u), 1.0))
        total = add(total, mul(div(_COSH_MULTIPLE[nu](u, r), r), weight))
    return div(total, sqrt(x))


def _bessel_jy(x: Tensor, n: int) -> tuple[Tensor, Tensor]:
    """J_n(x) and Y_n(x) for x >= 0 (n = 0, 1). Y's series is
    Y_n = 2/pi ((log(x/2) + gamma) J_n - (x/2)^n sum d_k (-x^2/4)^k - n/x)."""
    log_term = add(log(x), _LOG_HALF_PLUS_GAMMA)
    j_series, g = _series(x, n, -1)
    y_series = sub(mul(log_term, j_series), g)
    j0, j1, neumann = _miller(x, Fraction(0), _NEUMANN_SERIES[n])
    j_miller = j1 if n else j0
    y_miller = sub(mul(log_term, j_miller), neumann)
    if n:
        y_series, y_miller = sub(y_series, div(1.0, x)), sub(y_miller, div(j0, x))
    cos_part, sin_part = _hankel(x, Fraction(n), n)
    amplitude = sqrt(div(2 / math.pi, x))
    below = lt(x, _SERIES_UNTIL)
    middle = lt(x, _HANKEL_FROM)
    j = where(below, j_series, where(middle, j_miller, mul(cos_part, amplitude)))
    y = where(below, mul(y_series, 2 / math.pi), where(middle, mul(y_miller, 2 / math.pi), mul(sin_part, amplitude)))
    return j, y


def _bessel_k(x: Tensor, n: int, scaled: bool) -> Tensor:
    """K_n(x), or e^x K_n(x) when scaled: inf at 0, NaN below. The series are K_0 = -(log(x/2) + gamma) I_0
    + sum d_k (x^2/4)^k and K_1 = (log(x/2) + gamma) I_1 - (x/2) sum d_k (x^2/4)^k + 1/x."""
    i, g = _series(x, n, 1)
    log_term = add(log(x), _LOG_HALF_PLUS_GAMMA)
    small = sub(g, mul(log_term, i)) if n == 0 else add(sub(mul(log_term, i), g), div(1.0, x))
    large = _scaled_k(x, Fraction(n))
    value = where(lt(x, _SERIES_UNTIL), mul(small, exp(x)) if scaled else small,
                  large if scaled else mul(large, exp(neg(x))))
    return where(eq(x, 0), math.inf, where(lt(x, 0), math.nan, value))


@lru_cache(maxsize=None)
def _airy_series() -> tuple[list[float], list[float]]:
    """f_k and g_k of Ai(x) = Ai(0) sum_k f_k x^3k - |Ai'(0)| x sum_k g_k x^3k: f_k = 1 / (2*3 * 5*6 ... (3k-1)(3k)),
    g_k = 1 / (3*4 * 6*7 ... (3k)(3k+1)) (the two sums solve y'' = x y with y(0), y'(0) = 1, 0 and 0, 1)."""
    f, g = [Fraction(1)], [Fraction(1)]
    for k in range(1, _SERIES_TERMS):
        f.append(f[-1] / ((3 * k - 1) * 3 * k))
        g.append(g[-1] / (3 * k * (3 * k + 1)))
    return [float(v) for v in f], [float(v) for v in g]


# ---- the functions ------------------------------------------------------------------------------------------

def bessel_j0(input: Tensor, *, out=None) -> Tensor:
    """The Bessel function of the first kind, order 0 (even; NaN at +-inf, as torch gives)."""
    dt, x = _input(input, "bessel_j0")
    return _result(_bessel_jy(abs(x), 0)[0], dt, out)


def bessel_j1(input: Tensor, *, out=None) -> Tensor:
    """The Bessel function of the first kind, order 1 (odd; NaN at +-inf, as torch gives)."""
    dt, x = _input(input, "bessel_j1")
    value = _bessel_jy(abs(x), 1)[0]
    return _result(where(signbit(x), neg(value), value), dt, out)


def _bessel_y(input: Tensor, n: int, out) -> Tensor:
    """Y_n: -inf at 0, NaN below 0 and at inf."""
    dt, x = _input(input, f"bessel_y{n}")
    value = _bessel_jy(x, n)[1]
    return _result(where(eq(x, 0), -math.inf, where(lt(x, 0), math.nan, value)), dt, out)


def bessel_y0(input: Tensor, *, out=None) -> Tensor:
    """The Bessel function of the second kind, order 0."""
    return _bessel_y(input, 0, out)


def bessel_y1(input: Tensor, *, out=None) -> Tensor:
    """The Bessel function of the second kind, order 1."""
    return _bessel_y(input, 1, out)


def modified_bessel_i0(input: Tensor, *, out=None) -> Tensor:
    """I0 (special_functions.i0) under torch.special's name, which has no gradient."""
    dt, x = _input(input, "modified_bessel_i0")
    return _result(_bessel_i(x, 0, dt), dt, out)


def modified_bessel_i1(input: Tensor, *, out=None) -> Tensor:
    """I1 (special_functions.i1) under torch.special's name, which has no gradient."""
    dt, x = _input(input, "modified_bessel_i1")
    value = _bessel_i(x, 1, dt)
    return _result(where(lt(x, 0), neg(value), value), dt, out)


def modified_bessel_k0(input: Tensor, *, out=None) -> Tensor:
    """The modified Bessel function of the second kind, order 0."""
    dt, x = _input(input, "modified_bessel_k0")
    return _result(_bessel_k(x, 0, scaled=False), dt, out)


def modified_bessel_k1(input: Tensor, *, out=None) -> Tensor:
    """The modified Bessel function of the second kind, order 1."""
    dt, x = _input(input, "modified_bessel_k1")
    return _result(_bessel_k(x, 1, scaled=False), dt, out)


def scaled_modified_bessel_k0(input: Tensor, *, out=None) -> Tensor:
    """e^x K0(x): K0 without its exponential decay, so it does not underflow."""
    dt, x = _input(input, "scaled_modified_bessel_k0")
    return _result(_bessel_k(x, 0, scaled=True), dt, out)


def scaled_modified_bessel_k1(input: Tensor, *, out=None) -> Tensor:
    """e^x K1(x): K1 without its exponential decay, so it does not underflow."""
    dt, x = _input(input, "scaled_modified_bessel_k1")
    return _result(_bessel_k(x, 1, scaled=True), dt, out)


def airy_ai(input: Tensor, *, out=None) -> Tensor:
    """The Airy function Ai, the solution of y'' = x y that decays as x grows (see the module's docstring for
    the methods). NaN at +-inf and 0 past 103.892, as torch gives."""
    dt, x = _input(input, "airy_ai")
    a = abs(x)
    root = sqrt(a)
    zeta = div(mul(mul(a, 2.0), root), 3.0)
    f, g = _airy_series()
    cube = mul(mul(x, x), x)
    series = sub(mul(_horner(cube, f), _AIRY_AT_0), mul(mul(_horner(cube, g), x), _AIRY_SLOPE_AT_0))
    decaying = mul(mul(_scaled_k(zeta, Fraction(1, 3)), exp(neg(zeta))), div(sqrt(div(a, 3.0)), math.pi))
    minus, plus = _miller(zeta, Fraction(-1, 3))[0], _miller(zeta, Fraction(1, 3))[0]
    oscillating = add(mul(minus, _AIRY_AT_0), mul(mul(plus, a), _AIRY_SLOPE_AT_0))
    far = div(_hankel(zeta, Fraction(1, 3), 0)[0], sqrt(mul(root, math.pi)))
    value = where(lt(x, _AIRY_SERIES_FROM), where(lt(zeta, _HANKEL_FROM), oscillating, far),
                  where(gt(x, _AIRY_SERIES_UNTIL), decaying, series))
    return _result(where(isinf(x), math.nan, where(gt(x, _AIRY_VANISHES_FROM), 0.0, value)), dt, out)
