"""ContinuousBernoulli (Loaiza-Ganem and Cunningham, 2019): the density on [0, 1] proportional to
p^x (1 - p)^(1 - x). Its normalizer, mean and variance are 0/0 at p = 1/2, so within `lims` around
1/2 they are taken from Taylor expansions instead (and the exact formulas see p held at lims[0])."""
from __future__ import annotations

import math
from numbers import Number

import lazygrad as lg

from ..tensor import Size, Tensor
from . import constraints
from .counts import _bce_with_logits
from .discrete import _one_of, _ProbsOrLogits
from .distribution import broadcast_all, lazy_property, logits_to_probs, probs_to_logits
from .exp_family import ExponentialFamily


def clamp_probs(probs: Tensor) -> Tensor:
    """probs kept in (0, 1), at least eps from either end."""
    eps = lg.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


class ContinuousBernoulli(_ProbsOrLogits, ExponentialFamily):
    """Given by probs in (0, 1) (held eps from its ends) or by real logits; neither is a probability of
    anything, the names follow Bernoulli's."""
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    _mean_carrier_measure = 0
    has_rsample = True

    def __init__(self, probs: Tensor | Number | None = None, logits: Tensor | Number | None = None,
                 lims: tuple[float, float] = (0.499, 0.501), validate_args: bool | None = None):
        _one_of(probs, logits)
        given = probs if probs is not None else logits
        (value,) = broadcast_all(given)
        if probs is not None:
            # (probs are checked before the clamp, which would make any pass; torch checks only when asked)
            if validate_args is not None and not bool(self.arg_constraints["probs"].check(value).all()):
                raise ValueError("The parameter probs has invalid values")
            value = clamp_probs(value)
        self.__dict__["probs" if probs is not None else "logits"] = value
        self._lims = lims
        super().__init__(Size() if isinstance(given, Number) else value.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        batch_shape = Size(batch_shape)
        params = {k: self.__dict__[k].expand(batch_shape) for k in ("probs", "logits") if k in self.__dict__}
        return self._expanded(batch_shape, _lims=self._lims, **params)

    @lazy_property
    def logits(self) -> Tensor:
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Tensor:
        return clamp_probs(logits_to_probs(self.logits, is_binary=True))

    def _outside_unstable_region(self) -> Tensor:
        return self.probs.le(self._lims[0]) | self.probs.gt(self._lims[1])

    def _cut_probs(self) -> Tensor:
        """probs, or lims[0] within the unstable region (so the exact formulas stay finite there)."""
        return lg.where(self._outside_unstable_region(), self.probs, self._lims[0] * lg.ones_like(self.probs))

    def _cont_bern_log_norm(self) -> Tensor:
        """log C(p), C(p) = 2 atanh(1 - 2p) / (1 - 2p): exact away from 1/2, a Taylor series near it."""
        cut = self._cut_probs()
        below_half = lg.where(cut.le(0.5), cut, lg.zeros_like(cut))
        above_half = lg.where(cut.ge(0.5), cut, lg.ones_like(cut))
        log_norm = (lg.log1p(-cut) - cut.log()).abs().log() - lg.where(
            cut.le(0.5), lg.log1p(-2.0 * below_half), (2.0 * above_half - 1.0).log())
        x = (self.probs - 0.5).pow(2)
        taylor = math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * x) * x
        return lg.where(self._outside_unstable_region(), log_norm, taylor)

    @property
    def mean(self) -> Tensor:
        cut = self._cut_probs()
        exact = cut / (2.0 * cut - 1.0) + 1.0 / (lg.log1p(-cut) - cut.log())
        x = self.probs - 0.5
        taylor = 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * x.pow(2)) * x
        return lg.where(self._outside_unstable_region(), exact, taylor)

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    @property
    def variance(self) -> Tensor:
        cut = self._cut_probs()
        exact = cut * (cut - 1.0) / (1.0 - 2.0 * cut).pow(2) + 1.0 / (lg.log1p(-cut) - cut.log()).pow(2)
        x = (self.probs - 0.5).pow(2)
        taylor = 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * x) * x
        return lg.where(self._outside_unstable_region(), exact, taylor)

    def sample(self, sample_shape=Size()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        u = lg.rand(shape, dtype=self.probs.dtype, device=self.probs.device)
        with lg.no_grad():
            return self.icdf(u)

    def rsample(self, sample_shape=Size()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        return self.icdf(lg.rand(shape, dtype=self.probs.dtype, device=self.probs.device))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -_bce_with_logits(logits, value) + self._cont_bern_log_norm()

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        cut = self._cut_probs()
        cdfs = (cut.pow(value) * (1.0 - cut).pow(1.0 - value) + cut - 1.0) / (2.0 * cut - 1.0)
        unbounded = lg.where(self._outside_unstable_region(), cdfs, value)
        return lg.where(value.le(0.0), lg.zeros_like(value),
                        lg.where(value.ge(1.0), lg.ones_like(value), unbounded))

    def icdf(self, value: Tensor) -> Tensor:
        cut = self._cut_probs()
        exact = (lg.log1p(-cut + value * (2.0 * cut - 1.0)) - lg.log1p(-cut)) / (cut.log() - lg.log1p(-cut))
        return lg.where(self._outside_unstable_region(), exact, value)

    def entropy(self) -> Tensor:
        log_probs0, log_probs1 = lg.log1p(-self.probs), self.probs.log()
        return self.mean * (log_probs0 - log_probs1) - self._cont_bern_log_norm() - log_probs0

    @property
    def _natural_params(self) -> tuple[Tensor]:
        return (self.logits,)

    def _log_normalizer(self, x: Tensor) -> Tensor:
        """log C as a function of the logit x (log(expm1(x) / x)), by Taylor series near x = 0."""
        outside = x.le(self._lims[0] - 0.5) | x.gt(self._lims[1] - 0.5)
        cut = lg.where(outside, x, (self._lims[0] - 0.5) * lg.ones_like(x))
        log_norm = lg.special.expm1(cut).abs().log() - cut.abs().log()
        taylor = 0.5 * x + x.pow(2) / 24.0 - x.pow(4) / 2880.0
        return lg.where(outside, log_norm, taylor)
