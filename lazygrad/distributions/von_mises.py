"""VonMises: the circular normal distribution on [-pi, pi), of mean direction loc and concentration kappa."""
from __future__ import annotations

import math

import lazygrad as lg

from ..tensor import Size, Tensor
from . import constraints
from .distribution import Distribution, broadcast_all, lazy_property


def _log_bessel_i(kappa: Tensor, order: int) -> Tensor:
    """log I_order(kappa), through the exponentially scaled Bessel functions (no overflow for large kappa)."""
    scaled = lg.special.i0e(kappa) if order == 0 else lg.special.i1e(kappa)
    return scaled.log() + kappa


class VonMises(Distribution):
    """Density exp(kappa cos(x - loc)) / (2 pi I0(kappa)); the mean and variance given are the circular ones."""
    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real
    has_rsample = False

    def __init__(self, loc, concentration, validate_args: bool | None = None):
        self.loc, self.concentration = broadcast_all(loc, concentration)
        super().__init__(self.loc.shape, Size(), validate_args)

    def expand(self, batch_shape, _instance=None):
        return type(self)(self.loc.expand(batch_shape), self.concentration.expand(batch_shape),
                          validate_args=self.__dict__.get("_validate_args"))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return (self.concentration * lg.cos(value - self.loc) - math.log(2 * math.pi)
                - _log_bessel_i(self.concentration, 0))

    @lazy_property
    def _proposal_r(self) -> Tensor:
        """Best and Fisher's wrapped-Cauchy envelope parameter (in float64: in float32 small kappa stalls the
        rejection loop)."""
        kappa = self.concentration.to(lg.float64)
        tau = 1 + (1 + 4 * kappa ** 2).sqrt()
        rho = (tau - (2 * tau).sqrt()) / (2 * kappa)
        return lg.where(kappa < 1e-5, 1 / kappa + kappa, (1 + rho ** 2) / (2 * rho))

    def sample(self, sample_shape=Size()) -> Tensor:
        """Best and Fisher's rejection sampler: rounds of proposals until every element has accepted one."""
        with lg.no_grad():
            shape = self._extended_shape(sample_shape)
            loc, kappa, r = self.loc.to(lg.float64), self.concentration.to(lg.float64), self._proposal_r
            x = lg.zeros(shape, dtype=lg.float64, device=self.loc.device)
            done = lg.zeros(shape, dtype=lg.bool, device=self.loc.device)
            while not bool(done.all()):
                u1, u2, u3 = lg.rand((3,) + tuple(shape), dtype=lg.float64, device=self.loc.device).unbind()
                f = (1 + r * lg.cos(math.pi * u1)) / (r + lg.cos(math.pi * u1))
                c = kappa * (r - f)
                accept = ((c * (2 - c) - u2) > 0) | ((c / u2).log() + 1 - c >= 0)
                x = lg.where(accept & ~done, (u3 - 0.5).sign() * f.acos(), x).realize()
                done = (done | accept).realize()
            return ((x + math.pi + loc) % (2 * math.pi) - math.pi).to(self.loc.dtype)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @lazy_property
    def variance(self) -> Tensor:
        """1 - I1(kappa) / I0(kappa)."""
        return 1 - (_log_bessel_i(self.concentration, 1) - _log_bessel_i(self.concentration, 0)).exp()
