"""lazygrad.distributions' transforms, biject_to / transform_to, TransformedDistribution and the
distributions built on it, the relaxed distributions, Laplace, Cauchy and GeneralizedPareto, against
torch.distributions: printed forms, shapes, values, log-Jacobians, statistics, KL divergences, errors and
gradients; samples by their moments and ranges (the random streams differ)."""
import math

import numpy as np
import pytest

import lazygrad as lg
from distribution_oracle import assert_same, raised
from oracle import torch_or_skip

X = [[0.3, -1.2, 2.0], [0.1, 0.5, -0.7]]
M = [[1.0, 0.2], [0.3, -0.5]]
ELEMENTWISE = ["ExpTransform", "SigmoidTransform", "TanhTransform", "SoftplusTransform"]


def _logit_relaxed_bernoulli(m):
    return (m.distributions.relaxed if m is lg else m.distributions.relaxed_bernoulli).LogitRelaxedBernoulli


def _exp_relaxed_categorical(m):
    return (m.distributions.relaxed if m is lg else m.distributions.relaxed_categorical).ExpRelaxedCategorical


def _round_trip(t, x):
    """What a test wants of a transform at x: t(x), t.inv(t(x)) and (bijective ones) the log-Jacobian."""
    y = t(x)
    return [y, t.inv(y)] + ([t.log_abs_det_jacobian(x, y)] if t.bijective else [])


def _statistics(d, values):
    """A univariate distribution's printed form, shapes, moments, entropy and densities at values."""
    out = [repr(d), d.batch_shape, d.event_shape, repr(d.support), d.has_rsample, d.mean, d.variance, d.stddev,
           d.log_prob(values), d.sample((3,)).shape]
    for method in ("mode", "entropy"):
        try:
            out.append(getattr(d, method) if method == "mode" else d.entropy())
        except NotImplementedError:
            out.append("none")
    return out


def _cdfs(d, values, probs):
    return [d.cdf(values), d.icdf(probs)]


def _expanded(d, shape, values):
    e = d.expand(shape)
    return [type(e).__name__, repr(e), e.batch_shape, e.event_shape, e.log_prob(values), e.sample().shape]


TRANSFORM_CASES = {
    "elementwise transforms": lambda m, D: [
        _round_trip(getattr(D.transforms, name)(), m.tensor(X)) for name in ELEMENTWISE],
    "transform attributes": lambda m, D: [
        [repr(t), repr(t.inv), t.bijective, t.event_dim, repr(t.domain), repr(t.codomain), t.inv.inv is t,
         t == type(t)(), t.inv == type(t)().inv, t != t.inv] for t in
        [getattr(D.transforms, name)() for name in ELEMENTWISE + ["AbsTransform", "SoftmaxTransform",
                                                                  "StickBreakingTransform", "LowerCholeskyTransform",
                                                                  "PositiveDefiniteTransform"]]],
    "signs": lambda m, D: [D.ExpTransform().sign, D.ExpTransform().inv.sign, D.AffineTransform(1.0, -2.0).sign,
                           D.AffineTransform(1.0, 0.0).sign, D.AffineTransform(0.0, m.tensor([2.0, -1.0])).sign,
                           D.PowerTransform(m.tensor([2.0, -0.5])).sign,
                           D.ComposeTransform([D.ExpTransform(), D.AffineTransform(0.0, -1.0)]).sign,
                           D.SigmoidTransform().sign, D.TanhTransform().sign, D.SoftplusTransform().sign],
    "abs transform": lambda m, D: (lambda t: [t(m.tensor(X)), t.inv(m.tensor([1.0, 2.0])), t.bijective])(
        D.AbsTransform()),
    "affine transform": lambda m, D: [
        _round_trip(D.AffineTransform(m.tensor([1.0, -1.0, 0.5]), m.tensor([2.0, -0.5, 3.0])), m.tensor(X)),
        _round_trip(D.AffineTransform(2.0, -3.0), m.tensor(X)),
        _round_trip(D.AffineTransform(m.tensor(1.0), m.tensor([2.0, -0.5, 3.0]), event_dim=1), m.tensor(X)),
        D.AffineTransform(0.0, m.tensor([[1.0], [2.0]])).forward_shape((3,)),
        D.AffineTransform(m.zeros(2, 1), 1.0).inverse_shape((1, 3)),
        repr(D.AffineTransform(0.0, 1.0, event_dim=2).domain), D.AffineTransform(0.0, 1.0, event_dim=2).event_dim,
        D.AffineTransform(1.0, 2.0) == D.AffineTransform(1.0, 2.0),
        D.AffineTransform(1.0, 2.0) == D.AffineTransform(1.0, 3.0),
        D.AffineTransform(m.tensor([1.0]), 2.0) == D.AffineTransform(m.tensor([1.0]), 2.0),
        D.AffineTransform(1.0, 2.0) == D.ExpTransform()],
    "power transform": lambda m, D: [
        _round_trip(D.PowerTransform(m.tensor([2.0, 0.5, -1.0])), m.tensor([[0.5, 2.0, 3.0]])),
        _round_trip(D.PowerTransform(3.0), m.tensor([0.5, 2.0])), D.PowerTransform(m.ones(2, 1)).forward_shape((3,)),
        D.PowerTransform(2.0) == D.PowerTransform(2.0), D.PowerTransform(2.0) == D.PowerTransform(3.0)],
    "simplex transforms": lambda m, D: [
        _round_trip(D.StickBreakingTransform(), m.tensor(X)), _round_trip(D.SoftmaxTransform(), m.tensor(X)),
        D.StickBreakingTransform().forward_shape((2, 3)), D.StickBreakingTransform().inverse_shape((2, 3)),
        D.SoftmaxTransform().forward_shape((4,)), D.StickBreakingTransform().inv(m.tensor([0.2, 0.3, 0.5]))],
    "matrix transforms": lambda m, D: [
        _round_trip(D.LowerCholeskyTransform(), m.tensor(M)), _round_trip(D.PositiveDefiniteTransform(), m.tensor(M)),
        _round_trip(D.CorrCholeskyTransform(), m.tensor(X)),
        _round_trip(D.CorrCholeskyTransform(), m.tensor([0.4, -0.3, 1.1, 0.2, -2.0, 0.7])),
        D.CorrCholeskyTransform().forward_shape((5, 6)), D.CorrCholeskyTransform().inverse_shape((2, 4, 4)),
        repr(D.CorrCholeskyTransform().domain), repr(D.CorrCholeskyTransform().codomain)],
    "reshape transform": lambda m, D: (lambda t: [
        _round_trip(t, m.tensor(X)), t.forward_shape((5, 2, 3)), t.inverse_shape((6,)), repr(t.domain),
        repr(t.codomain), t.in_shape, t.out_shape, t.bijective, t.with_cache(1).out_shape])(
        D.ReshapeTransform((2, 3), (6,))),
    "compose transform": lambda m, D: (lambda t: [
        repr(t), repr(t.inv), _round_trip(t, m.tensor(X)), repr(t.domain), repr(t.codomain), t.bijective,
        t.forward_shape((2, 3)), t.inverse_shape((2, 3)), t.inv.inv is t, t == D.ComposeTransform(
            [D.AffineTransform(1.0, 2.0), D.ExpTransform(), D.IndependentTransform(D.SigmoidTransform().inv, 1)])])(
        D.ComposeTransform([D.AffineTransform(1.0, 2.0), D.ExpTransform(),
                            D.IndependentTransform(D.SigmoidTransform().inv, 1)])),
    "compose onto the simplex": lambda m, D: (lambda t: [
        _round_trip(t, m.tensor(X)), repr(t.domain), repr(t.codomain), t.forward_shape((2, 3))])(
        D.ComposeTransform([D.AffineTransform(0.5, 2.0), D.StickBreakingTransform()])),
    "identity transform": lambda m, D: [
        repr(D.identity_transform), D.identity_transform(m.tensor(X)),
        D.identity_transform.log_abs_det_jacobian(m.tensor(X), m.tensor(X)), repr(D.identity_transform.domain),
        D.identity_transform.bijective, D.identity_transform.sign, repr(D.identity_transform.inv)],
    "independent transform": lambda m, D: (lambda t: [
        repr(t), _round_trip(t, m.tensor(X)), repr(t.domain), repr(t.codomain), t.event_dim, t.sign,
        repr(t.with_cache(1)), t.forward_shape((2, 3))])(D.IndependentTransform(D.ExpTransform(), 2)),
    "cat transform": lambda m, D: (lambda t: [
        _round_trip(t, m.tensor(X)), t.event_dim, t.length, t.bijective, repr(t.domain),
        [repr(c) for c in t.domain.cseq], t.with_cache(1).lengths])(
        D.CatTransform([D.ExpTransform(), D.AffineTransform(1.0, 3.0)], dim=1, lengths=[2, 1])),
    "cat transform over event dims": lambda m, D: (lambda t: [_round_trip(t, m.tensor(X)), t.event_dim])(
        D.CatTransform([D.IndependentTransform(D.ExpTransform(), 1), D.SigmoidTransform()], dim=0, lengths=[1, 1])),
    "stack transform": lambda m, D: (lambda t: [
        _round_trip(t, m.tensor(X)), t.bijective, repr(t.codomain), [repr(c) for c in t.codomain.cseq]])(
        D.StackTransform([D.ExpTransform(), D.SigmoidTransform()], dim=0)),
    "cumulative distribution transform": lambda m, D: (lambda t: [
        _round_trip(t, m.tensor([-0.5, 0.3, 1.5])), repr(t.domain), repr(t.codomain), t.sign, repr(t)])(
        D.CumulativeDistributionTransform(D.Normal(0.5, 2.0))),
    "caching": lambda m, D: (lambda x: [
        (lambda t: t.inv(t(x)) is x)(D.ExpTransform(cache_size=1)),
        (lambda t: t.inv(t(x)) is x)(D.ExpTransform()),
        (lambda t: t(t.inv(x)) is x)(D.SigmoidTransform().with_cache(1)),
        (lambda t: t.inv(t(x)) is x)(D.ComposeTransform([D.ExpTransform(), D.AffineTransform(1.0, 2.0)], cache_size=1)),
        (lambda t: t.inv(t(x)) is x)(D.AffineTransform(1.0, 2.0).with_cache()),
        (lambda t: t.inv(t(x)) is x)(D.ExpTransform().inv.with_cache(1).inv),
        (lambda t: t.inv(t(x)) is x)(D.IndependentTransform(D.ExpTransform(), 1, cache_size=1)),
        (lambda t: t.inv(t(x)) is x)(D.PowerTransform(2.0).with_cache(1)),
        D.ExpTransform().with_cache(0)._cache_size, D.TanhTransform().with_cache(1)._cache_size,
        repr(D.ExpTransform().inv.with_cache(1))])(m.tensor([0.5, 2.0])),
}

CONSTRAINED = {"real": X, "positive": X, "nonnegative": X, "unit_interval": X, "simplex": X, "real_vector": X,
               "corr_cholesky": X, "lower_cholesky": M, "positive_definite": M, "positive_semidefinite": M}
PARAMETERIZED = {
    "greater_than(2.0)": lambda C: C.greater_than(2.0), "greater_than_eq(-1.0)": lambda C: C.greater_than_eq(-1.0),
    "less_than(3.0)": lambda C: C.less_than(3.0), "interval(-1.0, 2.0)": lambda C: C.interval(-1.0, 2.0),
    "half_open_interval(0.0, 1.0)": lambda C: C.half_open_interval(0.0, 1.0),
    "independent(positive, 1)": lambda C: C.independent(C.positive, 1),
    "cat": lambda C: C.cat([C.positive, C.real], 1, [2, 1]),
    "stack": lambda C: C.stack([C.unit_interval, C.greater_than(1.0)], 0),
}


def _constrained(m, D, registry, name):
    C = D.constraints
    constraint = PARAMETERIZED[name](C) if name in PARAMETERIZED else getattr(C, name)
    x = m.tensor(CONSTRAINED.get(name, X))
    t = getattr(D, registry)(constraint)
    return [repr(t), type(t).__name__, _round_trip(t, x), bool(constraint.check(t(x)).all())]


CONSTRAINT_NAMES = [*CONSTRAINED, *PARAMETERIZED]
for _registry in ("biject_to", "transform_to"):
    for _name in CONSTRAINT_NAMES:
        if _registry == "biject_to" and _name in ("lower_cholesky", "positive_definite", "positive_semidefinite"):
            continue
        TRANSFORM_CASES[f"{_registry} {_name}"] = (
            lambda registry, name: lambda m, D: _constrained(m, D, registry, name))(_registry, _name)
TRANSFORM_CASES["interval of tensor bounds"] = lambda m, D: [
    repr(D.biject_to(D.constraints.interval(m.tensor([0.0, 1.0]), m.tensor([1.0, 3.0])))),
    D.transform_to(D.constraints.interval(m.tensor([0.0, 1.0]), m.tensor([1.0, 3.0])))(m.tensor([0.3, -0.4]))]

L, S = [0.0, 1.0], [1.0, 2.0]
V = [0.5, 1.5]

DISTRIBUTION_CASES = {
    "log normal": lambda m, D: (lambda d: [_statistics(d, m.tensor(V)), _cdfs(d, m.tensor(V), m.tensor([0.3, 0.8])),
                                           d.loc, d.scale, _expanded(d, (3, 2), m.tensor(V)), repr(d.base_dist),
                                           [repr(t) for t in d.transforms]])(D.LogNormal(m.tensor(L), m.tensor(S))),
    "log normal of numbers": lambda m, D: (lambda d: [repr(d), d.batch_shape, d.mean, d.log_prob(m.tensor(2.0)),
                                                      d.cdf(m.tensor(2.0))])(D.LogNormal(0.5, 0.3)),
    "half normal": lambda m, D: (lambda d: [_statistics(d, m.tensor(V)), _cdfs(d, m.tensor(V), m.tensor([0.3, 0.8])),
                                            d.scale, _expanded(d, (3, 2), m.tensor(V)),
                                            d.log_prob(m.tensor([[0.0, 2.0]]))])(D.HalfNormal(m.tensor(S))),
    "half cauchy": lambda m, D: (lambda d: [_statistics(d, m.tensor(V)), _cdfs(d, m.tensor(V), m.tensor([0.3, 0.8])),
                                            _expanded(d, (3, 2), m.tensor(V))])(D.HalfCauchy(m.tensor(S))),
    "gumbel": lambda m, D: (lambda d: [_statistics(d, m.tensor(V)), _cdfs(d, m.tensor(V), m.tensor([0.3, 0.8])),
                                       _expanded(d, (3, 2), m.tensor(V)), repr(d.base_dist)])(
        D.Gumbel(m.tensor(L), m.tensor(S))),
    "gumbel of numbers": lambda m, D: (lambda d: [repr(d), d.batch_shape, repr(d.base_dist), d.log_prob(m.tensor(0.5)),
                                                  d.cdf(m.tensor(0.5)), d.icdf(m.tensor(0.5)), d.entropy()])(
        D.Gumbel(1.0, 2.0)),
    "weibull": lambda m, D: (lambda d: [_statistics(d, m.tensor(V)), _cdfs(d, m.tensor(V), m.tensor([0.3, 0.8])),
                                        _expanded(d, (3, 2), m.tensor(V)), d.concentration_reciprocal])(
        D.Weibull(m.tensor([1.0, 2.0]), m.tensor([0.5, 3.0]))),
    "pareto": lambda m, D: (lambda d: [_statistics(d, m.tensor([1.5, 2.5])),
                                       _cdfs(d, m.tensor([1.5, 2.5]), m.tensor([0.3, 0.8])),
                                       _expanded(d, (3, 2), m.tensor([1.5, 2.5])),
                                       d.log_prob(m.tensor([[1.0, 2.0]]))])(
        D.Pareto(m.tensor([1.0, 2.0]), m.tensor([0.5, 3.0]))),
    "kumaraswamy": lambda m, D: (lambda d: [_statistics(d, m.tensor([0.2, 0.7])),
                                            _cdfs(d, m.tensor([0.2, 0.7]), m.tensor([0.3, 0.8])),
                                            _expanded(d, (3, 2), m.tensor([0.2, 0.7]))])(
        D.Kumaraswamy(m.tensor([0.5, 2.0]), m.tensor([3.0, 1.5]))),
    "inverse gamma": lambda m, D: (lambda d: [_statistics(d, m.tensor(V)), d.cdf(m.tensor(V)), d.concentration,
                                              d.rate, _expanded(d, (3, 2), m.tensor(V))])(
        D.InverseGamma(m.tensor([0.5, 3.0]), m.tensor([1.0, 2.0]))),
    "logistic normal": lambda m, D: (lambda d: [
        repr(d), d.batch_shape, d.event_shape, repr(d.support), d.has_rsample, d.loc, d.scale,
        d.log_prob(m.tensor([0.2, 0.3, 0.5])), d.log_prob(m.tensor([[0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])),
        d.sample((4,)).shape, _expanded(d, (3,), m.tensor([0.2, 0.3, 0.5])), repr(d.base_dist)])(
        D.LogisticNormal(m.tensor(L), m.tensor(S))),
    "logistic normal of numbers": lambda m, D: (lambda d: [d.batch_shape, d.event_shape,
                                                           d.log_prob(m.tensor([0.4, 0.6]))])(
        D.LogisticNormal(0.5, 1.5)),
    "laplace": lambda m, D: (lambda d: [_statistics(d, m.tensor(V)), _cdfs(d, m.tensor(V), m.tensor([0.3, 0.8])),
                                        _expanded(d, (3, 2), m.tensor(V))])(D.Laplace(m.tensor(L), m.tensor(S))),
    "cauchy": lambda m, D: (lambda d: [_statistics(d, m.tensor(V)), _cdfs(d, m.tensor(V), m.tensor([0.3, 0.8])),
                                       _expanded(d, (3, 2), m.tensor(V))])(D.Cauchy(m.tensor(L), m.tensor(S))),
    "laplace and cauchy of numbers": lambda m, D: [(lambda d: [repr(d), d.batch_shape, d.entropy()])(d) for d in
                                                   (D.Laplace(0.0, 1.0), D.Cauchy(1.0, 0.5))],
    "generalized pareto": lambda m, D: (lambda d: [
        _statistics(d, m.tensor([[0.5, 0.6, 1.5]])), d.cdf(m.tensor([0.5, 0.6, 1.5])),
        d.icdf(m.tensor([0.3, 0.5, 0.8])), d.log_survival_function(m.tensor([0.5, 0.6, 1.5])),
        d.log_cdf(m.tensor([0.5, 0.6, 1.5])), repr(d.support.upper_bound),
        _expanded(d, (2, 3), m.tensor([0.5, 0.6, 1.5]))])(
        D.GeneralizedPareto(m.tensor([0.0, 0.5, 1.0]), m.tensor([1.0, 2.0, 0.5]), m.tensor([0.0, 0.3, -0.5]))),
    "generalized pareto moments": lambda m, D: (lambda d: [d.mean, d.variance, d.entropy(), d.batch_shape])(
        D.GeneralizedPareto(0.0, m.tensor([1.0, 1.0, 1.0]), m.tensor([0.2, 0.7, 1.5]))),
    "relaxed bernoulli": lambda m, D: (lambda d: [
        repr(d), d.batch_shape, repr(d.support), d.has_rsample, d.temperature, d.probs, d.logits,
        d.log_prob(m.tensor([0.2, 0.9])), d.sample((3,)).shape, _expanded(d, (3, 2), m.tensor([0.2, 0.9])),
        repr(d.base_dist)])(D.RelaxedBernoulli(m.tensor(0.5), probs=m.tensor([0.3, 0.8]))),
    "relaxed bernoulli by logits": lambda m, D: (lambda d: [repr(d), d.probs, d.log_prob(m.tensor([0.2, 0.9]))])(
        D.RelaxedBernoulli(m.tensor([0.5, 2.0]), logits=m.tensor([0.3, -1.0]))),
    "logit relaxed bernoulli": lambda m, D: (lambda d: [
        repr(d), d.param_shape, d.has_rsample, d.logits, d.log_prob(m.tensor([0.2, -0.9])), d.rsample((2,)).shape,
        _expanded(d, (3, 2), m.tensor([0.2, -0.9]))])(
        _logit_relaxed_bernoulli(m)(m.tensor(0.7), probs=m.tensor([0.3, 0.8]))),
    "relaxed one-hot categorical": lambda m, D: (lambda d: [
        repr(d), d.batch_shape, d.event_shape, repr(d.support), d.temperature, d.probs, d.logits,
        d.log_prob(m.tensor([0.2, 0.3, 0.5])), d.sample((2,)).shape, _expanded(d, (3,), m.tensor([0.2, 0.3, 0.5]))])(
        D.RelaxedOneHotCategorical(m.tensor(0.5), probs=m.tensor([[0.2, 0.3, 0.5]]))),
    "exp relaxed categorical": lambda m, D: (lambda d: [
        repr(d), d.batch_shape, d.event_shape, repr(d.support), d.param_shape, d.has_rsample,
        d.log_prob(m.tensor([[-1.0, -0.5, -2.0]]).log_softmax(-1)), d.rsample((2,)).shape,
        _expanded(d, (2, 2), m.tensor([-1.0, -0.5, -2.0]).log_softmax(-1))])(
        _exp_relaxed_categorical(m)(m.tensor(2.0), logits=m.tensor([[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]]))),
    "a logistic distribution": lambda m, D: (lambda d: [
        repr(d), d.batch_shape, repr(d.support), d.has_rsample, d.log_prob(m.tensor(V)), d.cdf(m.tensor(V)),
        d.icdf(m.tensor([0.3, 0.8])), d.sample((2,)).shape, _expanded(d, (3, 2), m.tensor(V))])(
        D.TransformedDistribution(D.Uniform(m.zeros(2), m.ones(2)),
                                  [D.SigmoidTransform().inv, D.AffineTransform(m.tensor(L), m.tensor(S))])),
    "a decreasing transform's cdf": lambda m, D: (lambda d: [d.cdf(m.tensor(V)), d.icdf(m.tensor([0.3, 0.8])),
                                                             d.log_prob(m.tensor(V))])(
        D.TransformedDistribution(D.Exponential(m.tensor(S)), D.AffineTransform(2.0, -1.0))),
    "transforms coupling dims": lambda m, D: (lambda d: [
        d.batch_shape, d.event_shape, repr(d.support), d.log_prob(m.tensor([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]])),
        d.sample((2,)).shape, repr(d.base_dist), _expanded(d, (4, 2), m.tensor([0.2, 0.3, 0.5]))])(
        D.TransformedDistribution(D.Normal(m.zeros(2, 2), m.ones(2, 2)), [D.StickBreakingTransform()])),
    "a reshaped multivariate normal": lambda m, D: (lambda d: [
        d.batch_shape, d.event_shape, repr(d.support), d.log_prob(m.tensor([[0.1, 0.2], [0.3, -0.4]])),
        d.sample().shape])(
        D.TransformedDistribution(D.MultivariateNormal(m.zeros(4), m.eye(4)), D.ReshapeTransform((4,), (2, 2)))),
    "no transforms": lambda m, D: (lambda d: [d.batch_shape, repr(d.support), d.log_prob(m.tensor(V))])(
        D.TransformedDistribution(D.Normal(m.tensor(L), m.tensor(S)), [])),
    "an expanded base": lambda m, D: (lambda d: [d.batch_shape, d.base_dist.batch_shape,
                                                 d.log_prob(m.tensor([[0.5], [2.0]]))])(
        D.TransformedDistribution(D.Normal(0.0, 1.0), D.AffineTransform(0.0, m.tensor([[1.0], [2.0]])))),
    "a copula margin": lambda m, D: (lambda d: [repr(d.support), d.log_prob(m.tensor([0.2, 0.7])),
                                                d.cdf(m.tensor([0.2, 0.7]))])(
        D.TransformedDistribution(D.Normal(m.tensor(L), m.tensor(S)),
                                  D.CumulativeDistributionTransform(D.Normal(m.tensor(L), m.tensor(S))))),
    "parameter gradients": lambda m, D: (lambda a, b: list(m.autograd.grad(
        D.Gumbel(a, b).log_prob(m.tensor(V)).sum() + D.Weibull(b, a.exp()).log_prob(m.tensor(V)).sum()
        + D.Kumaraswamy(b, a.exp()).log_prob(m.tensor([0.2, 0.7])).sum()
        + D.LogNormal(a, b).log_prob(m.tensor(V)).sum() + D.Laplace(a, b).log_prob(m.tensor(V)).sum()
        + D.Cauchy(a, b).entropy().sum() + D.InverseGamma(b + 0.5, b).log_prob(m.tensor(V)).sum()
        + D.Pareto(b, b).entropy().sum() + D.RelaxedBernoulli(b, logits=a).log_prob(m.tensor([0.2, 0.9])).sum()
        + D.LogisticNormal(a, b).log_prob(m.tensor([0.3, 0.2, 0.5])).sum()
        + D.HalfNormal(b).log_prob(m.tensor(V)).sum(), (a, b))))(
        m.tensor(L, requires_grad=True), m.tensor(S, requires_grad=True)),
    "printed constraints": lambda m, D: [repr(c) for c in (
        D.LogNormal.arg_constraints, D.LogNormal.support, D.HalfNormal.support, D.Pareto.support, D.Weibull.support,
        D.Kumaraswamy.support, D.RelaxedOneHotCategorical.arg_constraints, D.GeneralizedPareto.arg_constraints,
        D.TransformedDistribution.support, D.Laplace.arg_constraints)],
}


KL_CASES = {
    "same families": lambda m, D: [
        D.kl_divergence(D.Gumbel(m.tensor(L), m.tensor(S)), D.Gumbel(m.tensor([0.5, 0.5]), m.tensor([1.5, 1.0]))),
        D.kl_divergence(D.HalfNormal(m.tensor(S)), D.HalfNormal(m.tensor([0.5, 3.0]))),
        D.kl_divergence(D.Laplace(m.tensor(L), m.tensor(S)), D.Laplace(m.tensor([0.5, 0.5]), m.tensor([1.5, 1.0]))),
        D.kl_divergence(D.Cauchy(m.tensor(L), m.tensor(S)), D.Cauchy(m.tensor([0.5, 0.5]), m.tensor([1.5, 1.0]))),
        D.kl_divergence(D.Pareto(m.tensor([1.0, 0.5]), m.tensor(S)),
                        D.Pareto(m.tensor([0.5, 1.0]), m.tensor([1.5, 1.0]))),
        D.kl_divergence(D.LogNormal(m.tensor(L), m.tensor(S)), D.LogNormal(m.tensor([0.5, 0.5]), m.tensor([1.5, 1.0]))),
        D.kl_divergence(D.LogisticNormal(m.tensor(L), m.tensor(S)),
                        D.LogisticNormal(m.tensor([0.5, 0.5]), m.tensor([1.5, 1.0])))],
    "across families": lambda m, D: [
        D.kl_divergence(D.Exponential(m.tensor(S)), D.Gumbel(m.tensor(L), m.tensor([1.5, 1.0]))),
        D.kl_divergence(D.Gamma(m.tensor([2.0, 0.5]), m.tensor(S)), D.Gumbel(m.tensor(L), m.tensor([1.5, 1.0]))),
        D.kl_divergence(D.Gumbel(m.tensor(L), m.tensor(S)), D.Normal(m.tensor([0.5, 0.5]), m.tensor([1.5, 1.0]))),
        D.kl_divergence(D.Laplace(m.tensor(L), m.tensor(S)), D.Normal(m.tensor([0.5, 0.5]), m.tensor([1.5, 1.0]))),
        D.kl_divergence(D.Normal(m.tensor(L), m.tensor(S)), D.Gumbel(m.tensor([0.5, 0.5]), m.tensor([1.5, 1.0]))),
        D.kl_divergence(D.Normal(m.tensor(L), m.tensor(S)), D.Laplace(m.tensor([0.5, 0.5]), m.tensor([1.5, 1.0]))),
        D.kl_divergence(D.Pareto(m.tensor(S), m.tensor([0.5, 3.0])), D.Exponential(m.tensor([1.5, 1.0]))),
        D.kl_divergence(D.Pareto(m.tensor(S), m.tensor([0.5, 3.0])), D.Gamma(m.tensor([2.0, 0.5]), m.tensor(S))),
        D.kl_divergence(D.Pareto(m.tensor(S), m.tensor([1.5, 3.0])), D.Normal(m.tensor(L), m.tensor(S))),
        D.kl_divergence(D.Uniform(m.tensor(L), m.tensor([1.0, 3.0])), D.Gumbel(m.tensor([0.5, 0.5]), m.tensor(S))),
        D.kl_divergence(D.Uniform(m.tensor([1.0, 0.5]), m.tensor([2.0, 3.0])), D.Pareto(m.tensor([0.8, 1.0]),
                                                                                       m.tensor(S)))],
    "infinite": lambda m, D: [D.kl_divergence(p, q) for p, q in [
        (D.Gumbel(m.tensor(L), m.tensor(S)), D.Exponential(m.tensor(S))),
        (D.Gumbel(m.tensor(L), m.tensor(S)), D.Uniform(m.tensor(L), m.tensor([1.0, 3.0]))),
        (D.Laplace(m.tensor(L), m.tensor(S)), D.Gamma(m.tensor(S), m.tensor(S))),
        (D.Laplace(m.tensor(L), m.tensor(S)), D.Beta(m.tensor(S), m.tensor(S))),
        (D.Laplace(m.tensor(L), m.tensor(S)), D.Pareto(m.tensor(S), m.tensor(S))),
        (D.Pareto(m.tensor(S), m.tensor(S)), D.Uniform(m.tensor(L), m.tensor([1.0, 3.0]))),
        (D.Pareto(m.tensor(S), m.tensor(S)), D.Beta(m.tensor(S), m.tensor(S))),
        (D.Normal(m.tensor(L), m.tensor(S)), D.Pareto(m.tensor(S), m.tensor(S))),
        (D.Exponential(m.tensor(S)), D.Pareto(m.tensor(S), m.tensor(S))),
        (D.Gamma(m.tensor(S), m.tensor(S)), D.Pareto(m.tensor(S), m.tensor(S))),
        (D.Beta(m.tensor(S), m.tensor(S)), D.Pareto(m.tensor(S), m.tensor(S))),
        (D.Gumbel(m.tensor(L), m.tensor(S)), D.ContinuousBernoulli(m.tensor([0.3, 0.6]))),
        (D.ContinuousBernoulli(m.tensor([0.3, 0.6])), D.Pareto(m.tensor(S), m.tensor(S)))]],
}

CASES = {**TRANSFORM_CASES, **DISTRIBUTION_CASES, **KL_CASES}

ERRORS = {
    "cache size 2": lambda m, D: D.ExpTransform(cache_size=2),
    "event dims differ": lambda m, D: D.CorrCholeskyTransform().event_dim,
    "reshape of other sizes": lambda m, D: D.ReshapeTransform((2, 3), (5,)),
    "reshape of too few dims": lambda m, D: D.ReshapeTransform((2, 3), (6,)).forward_shape((3,)),
    "reshape of the wrong shape": lambda m, D: D.ReshapeTransform((2, 3), (6,)).forward_shape((3, 2)),
    "stick-breaking a scalar": lambda m, D: D.StickBreakingTransform().forward_shape(()),
    "corr cholesky of a non-triangular length": lambda m, D: D.CorrCholeskyTransform().forward_shape((4,)),
    "corr cholesky of a non-square": lambda m, D: D.CorrCholeskyTransform().inverse_shape((2, 3)),
    "corr cholesky of 5 entries": lambda m, D: D.CorrCholeskyTransform()(m.zeros(5)),
    "corr cholesky of 4 entries": lambda m, D: D.CorrCholeskyTransform()(m.zeros(2, 4)),
    "independent transform of too few dims": lambda m, D: D.IndependentTransform(D.ExpTransform(), 2)(m.zeros(3)),
    "no with_cache": lambda m, D: type("Custom", (D.Transform,), {
        "__init__": lambda self: D.Transform.__init__(self)})().with_cache(1),
    "sign of abs": lambda m, D: D.AbsTransform().sign,
    "abs transform's log-Jacobian": lambda m, D: D.AbsTransform().log_abs_det_jacobian(m.ones(1), m.ones(1)),
    "cat of a non-transform": lambda m, D: D.CatTransform([D.ExpTransform(), 3]),
    "cat lengths": lambda m, D: D.CatTransform([D.ExpTransform()], lengths=[1, 2]),
    "cat of the wrong length": lambda m, D: D.CatTransform([D.ExpTransform(), D.ExpTransform()], dim=0)(m.zeros(3)),
    "cat out of range": lambda m, D: D.CatTransform([D.ExpTransform()], dim=2)(m.zeros(3)),
    "cat log-Jacobian out of range": lambda m, D: D.CatTransform([D.ExpTransform()], dim=1).log_abs_det_jacobian(
        m.zeros(1), m.zeros(1)),
    "stack of the wrong length": lambda m, D: D.StackTransform([D.ExpTransform()], dim=0).inv(m.zeros(3)),
    "no biject_to lower_cholesky": lambda m, D: D.biject_to(D.constraints.lower_cholesky),
    "no transform_to boolean": lambda m, D: D.transform_to(D.constraints.boolean),
    "no biject_to integer_interval": lambda m, D: D.biject_to(D.constraints.integer_interval(0, 3)),
    "register a non-constraint": lambda m, D: D.biject_to.register(int, lambda c: None),
    "transforms not a list": lambda m, D: D.TransformedDistribution(D.Normal(0.0, 1.0), (D.ExpTransform(),)),
    "transforms of a non-transform": lambda m, D: D.TransformedDistribution(D.Normal(0.0, 1.0), [D.ExpTransform(), 1]),
    "base of too few dims": lambda m, D: D.TransformedDistribution(D.Normal(0.0, 1.0), D.StickBreakingTransform()),
    "log normal of negative scale": lambda m, D: D.LogNormal(m.tensor([0.0]), m.tensor([-1.0])),
    "log normal of a negative value": lambda m, D: D.LogNormal(0.0, 1.0).log_prob(m.tensor([-1.0])),
    "half normal of negative scale": lambda m, D: D.HalfNormal(m.tensor([-1.0])),
    "half normal of a negative value": lambda m, D: D.HalfNormal(m.tensor([1.0])).log_prob(m.tensor([-1.0])),
    "half cauchy of a negative value": lambda m, D: D.HalfCauchy(m.tensor([1.0])).cdf(m.tensor([-1.0])),
    "gumbel of negative scale": lambda m, D: D.Gumbel(m.tensor([0.0]), m.tensor([-1.0])),
    "gumbel of a nan value": lambda m, D: D.Gumbel(m.tensor([0.0]), m.tensor([1.0])).log_prob(m.tensor([math.nan])),
    "weibull of negative concentration": lambda m, D: D.Weibull(m.tensor([1.0]), m.tensor([-1.0])),
    "pareto of negative alpha": lambda m, D: D.Pareto(m.tensor([1.0]), m.tensor([-1.0])),
    "pareto below its scale": lambda m, D: D.Pareto(m.tensor([1.0]), m.tensor([2.0])).log_prob(m.tensor([0.5])),
    "kumaraswamy outside the unit interval": lambda m, D: D.Kumaraswamy(m.tensor([1.0]), m.tensor([2.0])).log_prob(
        m.tensor([1.5])),
    "inverse gamma of zero rate": lambda m, D: D.InverseGamma(m.tensor([1.0]), m.tensor([0.0])),
    "logistic normal off the simplex": lambda m, D: D.LogisticNormal(m.tensor([0.0]), m.tensor([1.0])).log_prob(
        m.tensor([0.5, 0.6])),
    "laplace of negative scale": lambda m, D: D.Laplace(m.tensor([0.0]), m.tensor([-1.0])),
    "cauchy of a nan value": lambda m, D: D.Cauchy(0.0, 1.0).log_prob(m.tensor([math.nan])),
    "generalized pareto outside its support": lambda m, D: D.GeneralizedPareto(
        m.tensor([0.0]), m.tensor([1.0]), m.tensor([-0.5])).log_prob(m.tensor([3.0])),
    "generalized pareto of negative scale": lambda m, D: D.GeneralizedPareto(0.0, m.tensor([-1.0]), 0.1),
    "relaxed bernoulli of probs and logits": lambda m, D: D.RelaxedBernoulli(m.tensor(0.5), probs=m.tensor([0.3]),
                                                                             logits=m.tensor([0.3])),
    "relaxed bernoulli of probs above one": lambda m, D: D.RelaxedBernoulli(m.tensor(0.5), probs=m.tensor([1.3]),
                                                                            validate_args=True),
    "relaxed bernoulli of a value outside": lambda m, D: D.RelaxedBernoulli(
        m.tensor(0.5), probs=m.tensor([0.3])).log_prob(m.tensor([1.5])),
    "relaxed categorical off the simplex": lambda m, D: D.RelaxedOneHotCategorical(
        m.tensor(0.5), probs=m.tensor([0.3, 0.7])).log_prob(m.tensor([0.5, 0.6])),
    "relaxed categorical of no parameter": lambda m, D: D.RelaxedOneHotCategorical(m.tensor(0.5)),
    "a subclass without expand": lambda m, D: type("Sub", (D.TransformedDistribution,), {
        "__init__": lambda self: D.TransformedDistribution.__init__(self, D.Normal(0.0, 1.0), [])})().expand((2,)),
    "KL through different transforms": lambda m, D: D.kl_divergence(
        D.TransformedDistribution(D.Normal(0.0, 1.0), D.ExpTransform()),
        D.TransformedDistribution(D.Normal(0.0, 1.0), D.SigmoidTransform())),
    "no KL for the pair": lambda m, D: D.kl_divergence(D.Cauchy(0.0, 1.0), D.Normal(0.0, 1.0)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_like_torch(name):
    torch = torch_or_skip()
    assert_same(CASES[name](lg, lg.distributions), CASES[name](torch, torch.distributions))


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_like_torch(name):
    torch = torch_or_skip()
    assert raised(lambda: ERRORS[name](lg, lg.distributions)) == raised(lambda: ERRORS[name](torch, torch.distributions))


def test_samples_have_the_distributions_moments():
    """Draws of each distribution against its mean, spread and range (loose bounds: at 20000 draws the
    standard errors are a few hundredths at most)."""
    lg.manual_seed(0)
    D = lg.distributions
    n = 20000

    def draws(d):
        return d.sample((n,)).numpy().astype(float)

    log_normal = draws(D.LogNormal(lg.tensor([0.0, 1.0]), lg.tensor([0.5, 0.25])))
    np.testing.assert_allclose(log_normal.mean(0), np.exp([0.125, 1.03125]), rtol=0.02)
    np.testing.assert_allclose(np.log(log_normal).std(0), [0.5, 0.25], rtol=0.03)
    gumbel = draws(D.Gumbel(lg.tensor(1.0), lg.tensor(2.0)))
    assert abs(gumbel.mean() - (1 + 2 * 0.5772157)) < 0.08 and abs(gumbel.std() - 2 * math.pi / 6 ** 0.5) < 0.08
    laplace = draws(D.Laplace(lg.tensor(1.0), lg.tensor(2.0)))
    assert abs(laplace.mean() - 1.0) < 0.08 and abs(laplace.var() - 8.0) < 0.5
    assert abs(np.median(draws(D.Cauchy(lg.tensor(-1.0), lg.tensor(0.5)))) + 1.0) < 0.03
    half = draws(D.HalfNormal(lg.tensor(2.0)))
    assert half.min() >= 0 and abs(half.mean() - 2 * math.sqrt(2 / math.pi)) < 0.05
    assert draws(D.HalfCauchy(lg.tensor(1.0))).min() >= 0
    weibull = draws(D.Weibull(lg.tensor(2.0), lg.tensor(3.0)))
    assert weibull.min() > 0 and abs(weibull.mean() - 2 * math.gamma(1 + 1 / 3)) < 0.03
    pareto = draws(D.Pareto(lg.tensor(1.0), lg.tensor(4.0)))
    assert pareto.min() >= 1.0 and abs(pareto.mean() - 4 / 3) < 0.02
    kumaraswamy = draws(D.Kumaraswamy(lg.tensor(2.0), lg.tensor(3.0)))
    expected = 3 * math.gamma(1 + 1 / 2) * math.gamma(3) / math.gamma(1 + 1 / 2 + 3)
    assert 0 < kumaraswamy.min() and kumaraswamy.max() < 1 and abs(kumaraswamy.mean() - expected) < 0.01
    assert abs(draws(D.InverseGamma(lg.tensor(4.0), lg.tensor(3.0))).mean() - 1.0) < 0.03
    generalized = draws(D.GeneralizedPareto(lg.tensor(1.0), lg.tensor(1.0), lg.tensor(0.2)))
    assert generalized.min() >= 1.0 and abs(generalized.mean() - 2.25) < 0.05
    bounded = draws(D.GeneralizedPareto(lg.tensor(0.0), lg.tensor(1.0), lg.tensor(-0.5)))
    assert bounded.min() >= 0 and bounded.max() <= 2.0 and abs(bounded.mean() - 1 / 1.5) < 0.02
    logistic = draws(D.LogisticNormal(lg.tensor([0.0, 0.0]), lg.tensor([1.0, 1.0])))
    assert logistic.shape == (n, 3) and logistic.min() > 0 and np.allclose(logistic.sum(-1), 1, atol=1e-5)
    relaxed = draws(D.RelaxedBernoulli(lg.tensor(0.05), probs=lg.tensor([0.2, 0.7])))
    assert 0 < relaxed.min() and relaxed.max() < 1
    np.testing.assert_allclose((relaxed > 0.5).mean(0), [0.2, 0.7], atol=0.015)
    one_hot = draws(D.RelaxedOneHotCategorical(lg.tensor(0.05), probs=lg.tensor([0.1, 0.6, 0.3])))
    assert np.allclose(one_hot.sum(-1), 1, atol=1e-5)
    np.testing.assert_allclose(np.bincount(one_hot.argmax(-1), minlength=3) / n, [0.1, 0.6, 0.3], atol=0.015)


def _finite_difference(make, value: float, seed: int, h: float = 1e-5) -> np.ndarray:
    """d rsample / d parameter by central differences in float64, the draws fixed by the seed."""
    sides = []
    for v in (value + h, value - h):
        lg.manual_seed(seed)
        sides.append(make(lg.tensor(v, dtype=lg.float64)).rsample((5,)).numpy())
    return (sides[0] - sides[1]) / (2 * h)


@pytest.mark.parametrize("name", ["log normal", "gumbel", "weibull", "kumaraswamy", "laplace", "cauchy",
                                  "relaxed bernoulli", "generalized pareto"])
def test_rsample_gradients_match_finite_differences(name):
    """Each reparameterized draw is differentiable in the parameter: autograd's derivative of every draw
    (summing the draws keeps them apart: each depends on its own noise only) against central differences."""
    D = lg.distributions
    make = {"log normal": lambda p: D.LogNormal(p, 0.5), "gumbel": lambda p: D.Gumbel(0.3, p),
            "weibull": lambda p: D.Weibull(2.0, p), "kumaraswamy": lambda p: D.Kumaraswamy(p, 3.0),
            "laplace": lambda p: D.Laplace(1.0, p), "cauchy": lambda p: D.Cauchy(p, 2.0),
            "relaxed bernoulli": lambda p: D.RelaxedBernoulli(lg.tensor(0.7, dtype=lg.float64), logits=p),
            "generalized pareto": lambda p: D.GeneralizedPareto(0.0, 1.0, p)}[name]
    value = 0.4
    param = lg.tensor(value, dtype=lg.float64, requires_grad=True)
    lg.manual_seed(3)
    draws = make(param).rsample((5,))
    per_draw = [lg.autograd.grad(draws[i], param, retain_graph=True)[0].item() for i in range(5)]
    np.testing.assert_allclose(per_draw, _finite_difference(make, value, 3), rtol=1e-3, atol=1e-5)


def test_log_normal_rsample_gradient_is_the_draw():
    """y = exp(loc + scale eps): dy/dloc = y and dy/dscale = y (log(y) - loc) / scale, summed over the draws."""
    loc, scale = lg.tensor([0.5], requires_grad=True), lg.tensor([0.3], requires_grad=True)
    lg.manual_seed(1)
    draws = lg.distributions.LogNormal(loc, scale).rsample((1000,))
    draws.sum().backward()
    y = draws.detach().numpy().astype(float)
    assert loc.grad.item() == pytest.approx(y.sum(), rel=1e-4)
    assert scale.grad.item() == pytest.approx((y * (np.log(y) - 0.5) / 0.3).sum(), rel=1e-3)
