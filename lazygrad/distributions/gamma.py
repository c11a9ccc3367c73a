"""The gamma family: Exponential, Gamma, Chi2, and the distributions drawn from gamma draws (Beta,
Dirichlet, StudentT, FisherSnedecor). Gamma draws come from lg._standard_gamma (a rejection sampler run
as a library routine); their reparameterized gradient is the implicit derivative of the draw with
respect to its shape (lg._standard_gamma_grad), so rsample carries gradients to every parameter."""
from __future__ import annotations

import math
from numbers import Number

import lazygrad as lg

from ..tensor import Size, Tensor
from . import constraints
from .distribution import Distribution, broadcast_all
from .exp_family import ExponentialFamily


def _batch(shape_from: Tensor, *given) -> Size:
    return Size() if all(isinstance(g, Number) for g in given) else shape_from.size()


def _as_value(value, like: Tensor) -> Tensor:
    return lg.as_tensor(value, dtype=like.dtype, device=like.device)


def _finite_where(condition: Tensor, value: Tensor, otherwise: float) -> Tensor:
    return lg.where(condition, value, lg.full_like(value, otherwise))


class Exponential(ExponentialFamily):
    """Waiting times of rate `rate`."""
    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, rate, validate_args: bool | None = None):
        (self.rate,) = broadcast_all(rate)
        super().__init__(_batch(self.rate, rate), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(Size(batch_shape), rate=self.rate.expand(batch_shape))

    @property
    def mean(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def mode(self) -> Tensor:
        return lg.zeros_like(self.rate)

    @property
    def stddev(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def variance(self) -> Tensor:
        return self.rate.pow(-2)

    def rsample(self, sample_shape=Size()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        return lg.empty(shape, dtype=self.rate.dtype, device=self.rate.device).exponential_() / self.rate

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return 1 - lg.exp(-self.rate * value)

    def icdf(self, value: Tensor) -> Tensor:
        return -lg.log1p(-value) / self.rate

    def entropy(self) -> Tensor:
        return 1.0 - lg.log(self.rate)

    @property
    def _natural_params(self) -> tuple[Tensor]:
        return (-self.rate,)

    def _log_normalizer(self, x: Tensor) -> Tensor:
        return -lg.log(-x)


class Gamma(ExponentialFamily):
    """Shape `concentration` (alpha) and rate `rate` (beta = 1 / scale)."""
    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, concentration, rate, validate_args: bool | None = None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        super().__init__(_batch(self.concentration, concentration, rate), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(Size(batch_shape), concentration=self.concentration.expand(batch_shape),
                              rate=self.rate.expand(batch_shape))

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=Size()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        value = lg._standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        return value.clamp(min=lg.finfo(value.dtype).tiny)

    def log_prob(self, value) -> Tensor:
        value = _as_value(value, self.rate)
        if self._validate_args:
            self._validate_sample(value)
        return (lg.xlogy(self.concentration, self.rate) + lg.xlogy(self.concentration - 1, value)
                - self.rate * value - lg.lgamma(self.concentration))

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return lg.special.gammainc(self.concentration, self.rate * value)

    def entropy(self) -> Tensor:
        return (self.concentration - lg.log(self.rate) + lg.lgamma(self.concentration)
                + (1.0 - self.concentration) * lg.digamma(self.concentration))

    @property
    def _natural_params(self) -> tuple[Tensor, Tensor]:
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, x: Tensor, y: Tensor) -> Tensor:
        return lg.lgamma(x + 1) + (x + 1) * lg.log(-y.reciprocal())


class Chi2(Gamma):
    """Gamma(df / 2, 1 / 2): sums of df squared standard normals."""
    arg_constraints = {"df": constraints.positive}

    def __init__(self, df, validate_args: bool | None = None):
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    @property
    def df(self) -> Tensor:
        return self.concentration * 2


class Dirichlet(ExponentialFamily):
    """Distributions over the simplex of the last dim, of concentrations `concentration`."""
    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration: Tensor, validate_args: bool | None = None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        batch_shape = Size(batch_shape)
        return self._expanded(batch_shape, concentration=self.concentration.expand(batch_shape + self.event_shape))

    def rsample(self, sample_shape=Size()) -> Tensor:
        """Normalized gamma draws: their gradient is the gamma draws' implicit one carried through the
        normalization (torch differentiates the Dirichlet draw implicitly as a whole; both are unbiased)."""
        draws = lg._standard_gamma(self.concentration.expand(self._extended_shape(sample_shape)))
        return (draws / draws.sum(-1, keepdim=True)).clamp(min=lg.finfo(draws.dtype).tiny)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return (lg.xlogy(self.concentration - 1.0, value).sum(-1) + lg.lgamma(self.concentration.sum(-1))
                - lg.lgamma(self.concentration).sum(-1))

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self) -> Tensor:
        """(alpha - 1)+ normalized; where every alpha < 1, the corner of the largest."""
        above_one = (self.concentration - 1).clamp(min=0.0)
        mode = above_one / above_one.sum(-1, True)
        corner = lg.nn.functional.one_hot(mode.argmax(-1), above_one.shape[-1]).to(mode.dtype)
        return lg.where((self.concentration < 1).all(-1, keepdim=True), corner, mode)

    @property
    def variance(self) -> Tensor:
        total = self.concentration.sum(-1, True)
        return self.concentration * (total - self.concentration) / (total.pow(2) * (total + 1))

    def entropy(self) -> Tensor:
        k, total = self.concentration.size(-1), self.concentration.sum(-1)
        return (lg.lgamma(self.concentration).sum(-1) - lg.lgamma(total) - (k - total) * lg.digamma(total)
                - ((self.concentration - 1.0) * lg.digamma(self.concentration)).sum(-1))

    @property
    def _natural_params(self) -> tuple[Tensor]:
        return (self.concentration,)

    def _log_normalizer(self, x: Tensor) -> Tensor:
        return x.lgamma().sum(-1) - lg.lgamma(x.sum(-1))


class Beta(ExponentialFamily):
    """The two-category Dirichlet: concentration1 (alpha) on x, concentration0 (beta) on 1 - x."""
    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args: bool | None = None):
        if isinstance(concentration1, Number) and isinstance(concentration0, Number):
            both = lg.tensor([float(concentration1), float(concentration0)])
        else:
            both = lg.stack(broadcast_all(concentration1, concentration0), -1)
        self._dirichlet = Dirichlet(both, validate_args=validate_args)
        super().__init__(self._dirichlet._batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(Size(batch_shape), _dirichlet=self._dirichlet.expand(batch_shape))

    @property
    def concentration1(self) -> Tensor:
        return self._dirichlet.concentration[..., 0]

    @property
    def concentration0(self) -> Tensor:
        return self._dirichlet.concentration[..., 1]

    @property
    def mean(self) -> Tensor:
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self) -> Tensor:
        return self._dirichlet.mode[..., 0]

    @property
    def variance(self) -> Tensor:
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape=()) -> Tensor:
        return self._dirichlet.rsample(sample_shape).select(-1, 0)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return self._dirichlet.log_prob(lg.stack([value, 1.0 - value], -1))

    def entropy(self) -> Tensor:
        return self._dirichlet.entropy()

    @property
    def _natural_params(self) -> tuple[Tensor, Tensor]:
        return (self.concentration1, self.concentration0)

    def _log_normalizer(self, x: Tensor, y: Tensor) -> Tensor:
        return lg.lgamma(x) + lg.lgamma(y) - lg.lgamma(x + y)


class StudentT(Distribution):
    """Student's t of `df` degrees of freedom, shifted by loc and scaled by scale."""
    arg_constraints = {"df": constraints.positive, "loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, df, loc=0.0, scale=1.0, validate_args: bool | None = None):
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df)
        super().__init__(self.df.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(Size(batch_shape), df=self.df.expand(batch_shape), loc=self.loc.expand(batch_shape),
                              scale=self.scale.expand(batch_shape), _chi2=self._chi2.expand(batch_shape))

    @property
    def mean(self) -> Tensor:
        return _finite_where(self.df > 1, self.loc, math.nan)

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        """scale^2 df / (df - 2) past 2 degrees of freedom, inf from 1 to 2, nan below."""
        df = lg.where(self.df > 2, self.df, lg.full_like(self.df, 3.0))
        finite = self.scale.pow(2) * df / (df - 2)
        return lg.where(self.df > 2, finite, lg.where(self.df > 1, lg.full_like(finite, math.inf),
                                                     lg.full_like(finite, math.nan)))

    def rsample(self, sample_shape=Size()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        normal = lg.randn(shape, dtype=self.df.dtype, device=self.df.device)
        chi2 = self._chi2.rsample(sample_shape)
        return self.loc + self.scale * normal * lg.rsqrt(chi2 / self.df)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        y = (value - self.loc) / self.scale
        normalizer = (self.scale.log() + 0.5 * self.df.log() + 0.5 * math.log(math.pi) + lg.lgamma(0.5 * self.df)
                      - lg.lgamma(0.5 * (self.df + 1.0)))
        return -0.5 * (self.df + 1.0) * lg.log1p(y ** 2.0 / self.df) - normalizer

    def entropy(self) -> Tensor:
        log_beta = lg.lgamma(0.5 * self.df) + math.lgamma(0.5) - lg.lgamma(0.5 * (self.df + 1))
        return (self.scale.log() + 0.5 * (self.df + 1) * (lg.digamma(0.5 * (self.df + 1)) - lg.digamma(0.5 * self.df))
                + 0.5 * self.df.log() + log_beta)


class FisherSnedecor(Distribution):
    """The F distribution: the ratio of chi-squares of df1 and df2 degrees of freedom, each over its df."""
    arg_constraints = {"df1": constraints.positive, "df2": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, df1, df2, validate_args: bool | None = None):
        self.df1, self.df2 = broadcast_all(df1, df2)
        self._gamma1 = Gamma(self.df1 * 0.5, self.df1)
        self._gamma2 = Gamma(self.df2 * 0.5, self.df2)
        super().__init__(_batch(self.df1, df1, df2), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(Size(batch_shape), df1=self.df1.expand(batch_shape), df2=self.df2.expand(batch_shape),
                              _gamma1=self._gamma1.expand(batch_shape), _gamma2=self._gamma2.expand(batch_shape))

    @property
    def mean(self) -> Tensor:
        df2 = _finite_where(self.df2 > 2, self.df2, math.nan)
        return df2 / (df2 - 2)

    @property
    def mode(self) -> Tensor:
        mode = (self.df1 - 2) / self.df1 * self.df2 / (self.df2 + 2)
        return _finite_where(self.df1 > 2, mode, math.nan)

    @property
    def variance(self) -> Tensor:
        df2 = _finite_where(self.df2 > 4, self.df2, math.nan)
        return 2 * df2.pow(2) * (self.df1 + df2 - 2) / (self.df1 * (df2 - 2).pow(2) * (df2 - 4))

    def rsample(self, sample_shape=Size(())) -> Tensor:
        shape = self._extended_shape(sample_shape)
        tiny = lg.finfo(self.df1.dtype).tiny
        x1 = self._gamma1.rsample(sample_shape).view(shape)
        x2 = self._gamma2.rsample(sample_shape).view(shape).clamp(min=tiny)
        return (x1 / x2).clamp(min=tiny)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        half1, half2, ratio = self.df1 * 0.5, self.df2 * 0.5, self.df1 / self.df2
        t1 = (half1 + half2).lgamma() - half1.lgamma() - half2.lgamma()
        t2 = half1 * ratio.log() + (half1 - 1) * lg.log(value)
        t3 = (half1 + half2) * lg.log1p(ratio * value)
        return t1 + t2 - t3
