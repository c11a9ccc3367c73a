"""Laplace, Cauchy and GeneralizedPareto: location-scale families sampled by inverting their cdf (or by
Tensor.cauchy_), so their samples are reparameterized."""
from __future__ import annotations

import math
from numbers import Number

import lazygrad as lg

from ..tensor import Size, Tensor
from . import constraints
from .distribution import Distribution, broadcast_all


class _LocScale(Distribution):
    """A distribution of a loc and a scale (broadcast together), expanded by expanding both."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc: Tensor | float, scale: Tensor | float, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        numbers = isinstance(loc, Number) and isinstance(scale, Number)
        super().__init__(Size() if numbers else self.loc.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        batch_shape = Size(batch_shape)
        return self._expanded(batch_shape, loc=self.loc.expand(batch_shape), scale=self.scale.expand(batch_shape))

    @property
    def mode(self) -> Tensor:
        return self.loc


class Laplace(_LocScale):
    """The double-exponential distribution: density exp(-|x - loc| / scale) / (2 scale)."""

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return 2 * self.scale.pow(2)

    @property
    def stddev(self) -> Tensor:
        return (2 ** 0.5) * self.scale

    def rsample(self, sample_shape=Size()) -> Tensor:
        """The inverse cdf at u uniform on (eps - 1, 1) (never -1, where log1p(-|u|) is infinite)."""
        shape = self._extended_shape(sample_shape)
        finfo = lg.finfo(self.loc.dtype)
        u = lg.empty(shape, dtype=self.loc.dtype, device=self.loc.device).uniform_(finfo.eps - 1, 1)
        return self.loc - self.scale * u.sign() * lg.log1p(-u.abs())

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return -lg.log(2 * self.scale) - lg.abs(value - self.loc) / self.scale

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 - 0.5 * (value - self.loc).sign() * lg.expm1(-(value - self.loc).abs() / self.scale)

    def icdf(self, value: Tensor) -> Tensor:
        term = value - 0.5
        return self.loc - self.scale * term.sign() * lg.log1p(-2 * term.abs())

    def entropy(self) -> Tensor:
        return 1 + lg.log(2 * self.scale)


class Cauchy(_LocScale):
    """The Lorentz distribution: density 1 / (pi scale (1 + ((x - loc) / scale)^2)); no mean, infinite
    variance."""

    @property
    def mean(self) -> Tensor:
        return lg.full(self._extended_shape(), math.nan, dtype=self.loc.dtype, device=self.loc.device)

    @property
    def variance(self) -> Tensor:
        return lg.full(self._extended_shape(), math.inf, dtype=self.loc.dtype, device=self.loc.device)

    def rsample(self, sample_shape=Size()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = lg.empty(shape, dtype=self.loc.dtype, device=self.loc.device).cauchy_()
        return self.loc + eps * self.scale

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return -math.log(math.pi) - self.scale.log() - (((value - self.loc) / self.scale) ** 2).log1p()

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return lg.atan((value - self.loc) / self.scale) / math.pi + 0.5

    def icdf(self, value: Tensor) -> Tensor:
        return lg.tan(math.pi * (value - 0.5)) * self.scale + self.loc

    def entropy(self) -> Tensor:
        return math.log(4 * math.pi) + self.scale.log()


class GeneralizedPareto(Distribution):
    """Excesses over a threshold loc: survival (1 + concentration z)^(-1 / concentration) of z = (x - loc) /
    scale, the exponential exp(-z) at concentration 0 (each formula guards the other's branch, so neither
    divides by zero); bounded above by loc - scale / concentration when concentration < 0."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive, "concentration": constraints.real}
    has_rsample = True

    def __init__(self, loc, scale, concentration, validate_args: bool | None = None) -> None:
        self.loc, self.scale, self.concentration = broadcast_all(loc, scale, concentration)
        numbers = all(isinstance(v, Number) for v in (loc, scale, concentration))
        super().__init__(Size() if numbers else self.loc.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        batch_shape = Size(batch_shape)
        return self._expanded(batch_shape, loc=self.loc.expand(batch_shape), scale=self.scale.expand(batch_shape),
                              concentration=self.concentration.expand(batch_shape))

    def rsample(self, sample_shape=Size()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        return self.icdf(lg.rand(shape, dtype=self.loc.dtype, device=self.loc.device))

    def _z(self, x: Tensor) -> Tensor:
        return (x - self.loc) / self.scale

    def _zero_and_safe_concentration(self) -> tuple[Tensor, Tensor]:
        """Where concentration is (close to) 0, and concentration with those places set to 1."""
        eq_zero = lg.isclose(self.concentration, lg.zeros_like(self.concentration))
        return eq_zero, lg.where(eq_zero, lg.ones_like(self.concentration), self.concentration)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        z = self._z(value)
        eq_zero, safe_conc = self._zero_and_safe_concentration()
        y = 1 / safe_conc + lg.ones_like(z)
        where_nonzero = lg.where(y == 0, y, y * lg.log1p(safe_conc * z))
        return -self.scale.log() - lg.where(eq_zero, z, where_nonzero)

    def log_survival_function(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        z = self._z(value)
        eq_zero, safe_conc = self._zero_and_safe_concentration()
        return lg.where(eq_zero, -z, -lg.log1p(safe_conc * z) / safe_conc)

    def log_cdf(self, value: Tensor) -> Tensor:
        return lg.log1p(-lg.exp(self.log_survival_function(value)))

    def cdf(self, value: Tensor) -> Tensor:
        return lg.exp(self.log_cdf(value))

    def icdf(self, value: Tensor) -> Tensor:
        eq_zero, safe_conc = self._zero_and_safe_concentration()
        logu = lg.log1p(-value)
        where_nonzero = self.loc + self.scale / safe_conc * lg.expm1(-safe_conc * logu)
        return lg.where(eq_zero, self.loc - self.scale * logu, where_nonzero)

    @property
    def mean(self) -> Tensor:
        valid = self.concentration < 1
        safe_conc = lg.where(valid, self.concentration, 0.5)
        return lg.where(valid, self.loc + self.scale / (1 - safe_conc), math.nan)

    @property
    def variance(self) -> Tensor:
        valid = self.concentration < 0.5
        safe_conc = lg.where(valid, self.concentration, 0.25)
        return lg.where(valid, self.scale ** 2 / ((1 - safe_conc) ** 2 * (1 - 2 * safe_conc)), math.nan)

    def entropy(self) -> Tensor:
        return lg.broadcast_to(lg.log(self.scale) + self.concentration + 1, self._batch_shape)

    @property
    def mode(self) -> Tensor:
        return self.loc

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        lower = self.loc
        upper = lg.where(self.concentration < 0, lower - self.scale / self.concentration, math.inf)
        return constraints.interval(lower, upper)
