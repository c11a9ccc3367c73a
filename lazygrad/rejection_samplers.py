"""Samplers whose number of draws depends on the values drawn (gamma by rejection, Poisson, binomial), and
the gamma sample's derivative with respect to its shape (a series of data-dependent length): library
routines, run on the host with numpy.

Each sampling node draws from its own numpy Philox stream, keyed by the generator's seed and the offset
reserved for the node, so a seed gives the same numbers on every back end and no two nodes share draws
(a kernel's fixed loop nest cannot express a rejection loop; the in-kernel generator serves the rest).
"""
from __future__ import annotations

import numpy as np

POISSON_NORMAL_ABOVE = 1e15  # rates past numpy's sampler: N(rate, rate) is exact to float64's resolution
GAMMA_SERIES_UP_TO = 1e4  # shapes up to this take the exact series; above, Wilson-Hilferty's cube root


def _host(xp, a) -> np.ndarray:
    return a if xp is np else xp.asnumpy(a)


def _stream(seed: int, offset: int) -> np.random.Generator:
    return np.random.Generator(np.random.Philox(key=(offset << 64) | (seed & (1 << 64) - 1)))


def standard_gamma(xp, arrays, seed: int, offset: int):
    """Gamma(alpha, 1) draws (Marsaglia and Tsang's rejection); a shape that is not positive gives 0, as
    the smallest positive float is what torch returns there (the caller clamps)."""
    alpha = _host(xp, arrays[0]).astype(np.float64)
    valid = alpha > 0
    draws = _stream(seed, offset).standard_gamma(np.where(valid, alpha, 1.0))
    return [xp.asarray(np.where(valid, draws, np.where(np.isnan(alpha), np.nan, 0.0)))]


def poisson(xp, arrays, seed: int, offset: int):
    rates = _host(xp, arrays[0]).astype(np.float64)
    if not (rates >= 0).all():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    stream = _stream(seed, offset)
    huge = rates > POISSON_NORMAL_ABOVE
    draws = stream.poisson(np.where(huge, 0.0, rates)).astype(np.float64)
    if huge.any():
        draws = np.where(huge, np.round(rates + np.sqrt(rates) * stream.standard_normal(rates.shape)), draws)
    return [xp.asarray(draws)]


def binomial(xp, arrays, seed: int, offset: int):
    """Successes in count trials of probability prob; counts below zero draw nothing, as torch's do."""
    count, prob = (np.broadcast_arrays(*(_host(xp, a).astype(np.float64) for a in arrays)))
    trials = np.where(count > 0, np.floor(count), 0).astype(np.int64)
    unknown = np.isnan(prob)
    draws = _stream(seed, offset).binomial(trials, np.clip(np.where(unknown, 0.0, prob), 0.0, 1.0))
    return [xp.asarray(np.where(unknown, np.nan, draws.astype(np.float64)))]


def _digamma_above_one(z: np.ndarray) -> np.ndarray:
    """psi(z) for z >= 1: the recurrence up past 6, then the asymptotic series."""
    shift = np.zeros_like(z)
    for _ in range(6):
        small = z < 6
        shift -= np.where(small, 1 / z, 0.0)
        z = np.where(small, z + 1, z)
    w = 1 / (z * z)
    series = w * (1 / 12 - w * (1 / 120 - w * (1 / 252 - w * (1 / 240 - w / 132))))
    return shift + np.log(z) - 0.5 / z - series


def _shape_derivative_series(alpha: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dx/dalpha at fixed P(alpha, x) = -(dP/dalpha) / p(x): P's series e^-x x^(alpha+n) / Gamma(alpha+n+1)
    differentiated term by term, with the common factor of P and the density cancelled, leaves
    -(x / alpha) * sum_n r_n (log x - psi(alpha + n + 1)), r_0 = 1, r_n = r_(n-1) x / (alpha + n)."""
    log_x = np.log(x)
    term, psi = np.ones_like(x), _digamma_above_one(alpha + 1)
    total, largest = np.zeros_like(x), np.ones_like(x)
    n, active = 0, np.ones(x.shape, dtype=bool)
    while active.any():
        total += np.where(active, term * (log_x - psi), 0.0)
        n += 1
        term = term * x / (alpha + n)
        psi = psi + 1 / (alpha + n)
        largest = np.maximum(largest, term)
        active &= (n < x - alpha + 2) | (term > 1e-17 * largest)
    return -(x / alpha) * total


def _shape_derivative_cube_root(alpha: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The same derivative for large shapes, where x = alpha (1 - 1/(9 alpha) + z / (3 sqrt(alpha)))^3 at
    the draw's normal quantile z is accurate to O(alpha^-3/2)."""
    root = np.sqrt(alpha)
    z = ((x / alpha) ** (1 / 3) - 1 + 1 / (9 * alpha)) * 3 * root
    c = 1 - 1 / (9 * alpha) + z / (3 * root)
    return c ** 3 + 3 * alpha * c * c * (1 / (9 * alpha * alpha) - z / (6 * alpha * root))


def standard_gamma_grad(xp, arrays):
    """The reparameterized derivative of Gamma(alpha, 1) draws x with respect to alpha (implicit in the
    CDF: x moves with alpha so that P(alpha, x) stays put)."""
    alpha, x = np.broadcast_arrays(*(_host(xp, a).astype(np.float64) for a in arrays))
    out = np.full(x.shape, np.nan)
    series = (alpha > 0) & (alpha <= GAMMA_SERIES_UP_TO) & (x > 0)
    out[series] = _shape_derivative_series(alpha[series], x[series])
    large = (alpha > GAMMA_SERIES_UP_TO) & (x > 0)
    out[large] = _shape_derivative_cube_root(alpha[large], x[large])
    return [xp.asarray(out)]
