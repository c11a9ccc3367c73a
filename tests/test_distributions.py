"""lazygrad.distributions against torch.distributions: printed forms, shapes, statistics, log-densities,
entropies, KL divergences, validation errors and gradients; samples by their moments (the random
streams differ)."""
import math

import numpy as np
import pytest

import lazygrad as lg
from distribution_oracle import assert_same, raised
from oracle import torch_or_skip

L, S = [0.0, 1.0], [1.0, 2.0]

CASES = {
    "normal printed and shaped": lambda m, D: [repr(D.Normal(m.tensor(L), m.tensor(S))), D.Normal(0.0, 1.0).batch_shape,
                                               repr(D.Normal(0.0, 1.0)), D.Normal(m.tensor(L), 1.0).batch_shape],
    "normal statistics": lambda m, D: (lambda n: [n.mean, n.stddev, n.variance, n.log_prob(m.tensor([0.5, -0.5])),
                                                  n.entropy(), n.cdf(m.tensor(0.5)), n.icdf(m.tensor([0.3, 0.7]))])(
        D.Normal(m.tensor(L), m.tensor(S))),
    "normal sample shapes": lambda m, D: [D.Normal(m.tensor(L), m.tensor(S)).sample((3,)).shape,
                                          D.Normal(0.0, 1.0).rsample((2, 2)).shape,
                                          D.Normal(m.tensor(L, requires_grad=True), 1.0).rsample().requires_grad,
                                          D.Normal(m.tensor(L, requires_grad=True), 1.0).sample().requires_grad],
    "normal expanded": lambda m, D: [D.Normal(m.tensor(L), m.tensor(S)).expand((3, 2)).batch_shape,
                                     D.Normal(m.tensor(L), m.tensor(S)).expand((3, 2)).log_prob(m.zeros(3, 2))],
    "normal unchecked": lambda m, D: D.Normal(m.tensor([0.0]), m.tensor([-1.0]), validate_args=False).scale,
    "uniform": lambda m, D: (lambda u: [repr(u), u.mean, u.variance, u.stddev, u.entropy(), u.log_prob(m.tensor(1.0)),
                                        u.cdf(m.tensor(0.5)), u.icdf(m.tensor(0.25)), repr(u.support)])(D.Uniform(0.0, 2.0)),
    "categorical by logits": lambda m, D: (lambda c: [repr(c), c.probs, c.logits, c.batch_shape, c.entropy(),
                                                      c.log_prob(m.tensor([1])), c.sample((2,)).shape, c.param_shape,
                                                      repr(c), c.enumerate_support(), repr(c.support), c.mode])(
        D.Categorical(logits=m.tensor([[1.0, 2.0, 0.5]]))),
    "categorical by probs": lambda m, D: (lambda c: [repr(c), c.probs, c.logits, c.log_prob(m.tensor([0, 1])),
                                                     math.isnan(float(c.mean))])(D.Categorical(probs=m.tensor([0.5, 0.6]))),
    "bernoulli by probs": lambda m, D: (lambda b: [repr(b), b.logits, b.entropy(), b.log_prob(m.tensor([1.0])), b.mean,
                                                   b.variance, b.mode, repr(b), b.sample((4,)).shape,
                                                   b.enumerate_support()])(D.Bernoulli(probs=m.tensor([0.3]))),
    "bernoulli by logits": lambda m, D: (lambda b: [repr(b), b.probs, b.entropy(), b.log_prob(m.tensor([1.0, 0.0]))])(
        D.Bernoulli(logits=m.tensor([0.1, -2.0]))),
    "kl divergences": lambda m, D: [
        D.kl_divergence(D.Normal(m.tensor(L), m.tensor(S)), D.Normal(m.tensor([0.5, 0.5]), m.tensor([1.0, 1.0]))),
        D.kl_divergence(D.Categorical(logits=m.tensor([[1.0, 2.0, 0.5]])), D.Categorical(probs=m.tensor([[0.2, 0.3, 0.5]]))),
        D.kl_divergence(D.Bernoulli(probs=m.tensor([0.3, 0.0])), D.Bernoulli(probs=m.tensor([0.5, 0.7]))),
        D.kl_divergence(D.Uniform(m.tensor([0.0, 0.0]), m.tensor([1.0, 3.0])), D.Uniform(m.tensor([-1.0, 0.5]), m.tensor([2.0, 2.0]))),
        D.kl_divergence(D.Uniform(m.tensor([0.0]), m.tensor([1.0])), D.Normal(m.tensor([0.5]), m.tensor([2.0]))),
        D.kl_divergence(D.Normal(m.tensor([0.0]), m.tensor([1.0])), D.Uniform(m.tensor([0.0]), m.tensor([1.0])))],
    "gradients": lambda m, D: (lambda loc, logits: list(m.autograd.grad(
        D.Normal(loc, m.tensor(S)).log_prob(m.tensor([0.3, 0.4])).sum() + D.Categorical(logits=logits).entropy().sum()
        + D.Categorical(logits=logits).log_prob(m.tensor([2, 0])).sum(), (loc, logits))))(
        m.tensor(L, requires_grad=True), m.tensor([[0.1, 0.2, 0.3], [1.0, -1.0, 0.0]], requires_grad=True)),
    "independent": lambda m, D: (lambda i: [repr(i), i.batch_shape, i.event_shape, i.log_prob(m.zeros(3, 2)),
                                            i.entropy(), repr(i.support), D.kl_divergence(i, D.Independent(
                                                D.Normal(m.ones(3, 2), m.ones(3, 2)), 1))])(
        D.Independent(D.Normal(m.zeros(3, 2), m.ones(3, 2)), 1)),
    "multivariate normal": lambda m, D: (lambda mv: [repr(mv), mv.batch_shape, mv.event_shape,
                                                     mv.log_prob(m.tensor([0.3, -0.2])), mv.entropy(), mv.scale_tril,
                                                     mv.precision_matrix, mv.variance, repr(mv)])(
        D.MultivariateNormal(m.zeros(2), covariance_matrix=m.tensor([[2.0, 0.5], [0.5, 1.0]]))),
    "batched multivariate normal by precision": lambda m, D: (lambda mv: [
        mv.batch_shape, mv.log_prob(m.tensor([0.3, -0.2])), mv.covariance_matrix, mv.entropy(),
        D.kl_divergence(mv, D.MultivariateNormal(m.ones(2), scale_tril=m.tensor([[1.0, 0.0], [0.3, 2.0]])))])(
        D.MultivariateNormal(m.tensor([[0.0, 1.0], [1.0, 0.0]]), precision_matrix=m.tensor([[1.5, 0.2], [0.2, 0.7]]))),
    "multivariate normal gradient": lambda m, D: (lambda loc: list(m.autograd.grad(D.MultivariateNormal(
        loc, covariance_matrix=m.tensor([[2.0, 0.5], [0.5, 1.0]])).log_prob(m.tensor([1.0, -1.0])), loc)))(
        m.tensor([0.1, 0.2], requires_grad=True)),
    "exponential": lambda m, D: (lambda e: [repr(e), e.mean, e.mode, e.stddev, e.variance, e.entropy(),
                                            e.log_prob(m.tensor([1.0, 3.0])), e.cdf(m.tensor([1.0, 3.0])),
                                            e.icdf(m.tensor([0.2, 0.9])), e.expand((3, 2)).batch_shape,
                                            e.sample((4,)).shape])(D.Exponential(m.tensor([0.5, 2.0]))),
    "gamma": lambda m, D: (lambda g: [repr(g), g.mean, g.mode, g.variance, g.entropy(), g.log_prob(m.tensor([1.0, 3.0])),
                                      g.log_prob(2.0), g.cdf(m.tensor([1.0, 3.0])), g.rsample((3,)).shape])(
        D.Gamma(m.tensor([0.5, 2.0]), m.tensor([1.0, 3.0]))),
    "chi2": lambda m, D: (lambda c: [repr(c), c.df, c.mean, c.variance, c.log_prob(m.tensor([0.5, 2.0])), c.entropy(),
                                     c.expand((2, 2)).df])(D.Chi2(m.tensor([1.5, 3.0]))),
    "beta": lambda m, D: (lambda b: [repr(b), b.concentration1, b.concentration0, b.mean, b.mode, b.variance,
                                     b.entropy(), b.log_prob(m.tensor([0.3, 0.9])), b.batch_shape, b.sample((2,)).shape,
                                     D.Beta(2.0, 3.0).batch_shape, D.Beta(2.0, 3.0).mean])(
        D.Beta(m.tensor([0.5, 2.0]), m.tensor([1.0, 3.0]))),
    "dirichlet": lambda m, D: (lambda d: [repr(d), d.batch_shape, d.event_shape, d.mean, d.mode, d.variance, d.entropy(),
                                          d.log_prob(m.tensor([0.2, 0.3, 0.5])), d.expand((3, 2)).batch_shape,
                                          d.rsample((4,)).shape])(
        D.Dirichlet(m.tensor([[0.5, 2.0, 1.0], [0.5, 0.7, 0.2]]))),
    "student t": lambda m, D: (lambda t: [repr(t), t.mean, t.mode, t.variance, t.entropy(),
                                          t.log_prob(m.tensor([0.2, 3.0, -1.0])), t.sample((2,)).shape])(
        D.StudentT(m.tensor([0.5, 1.5, 3.0]), m.tensor([0.0, 1.0, 2.0]), m.tensor([1.0, 2.0, 3.0]))),
    "fisher snedecor": lambda m, D: (lambda f: [repr(f), f.mean, f.mode, f.variance, f.log_prob(m.tensor([0.3, 1.0, 2.0])),
                                                f.sample((2,)).shape])(
        D.FisherSnedecor(m.tensor([1.5, 3.0, 5.0]), m.tensor([2.0, 5.0, 6.0]))),
    "gamma family gradients": lambda m, D: (lambda a, b: list(m.autograd.grad(
        (D.Gamma(a, b).log_prob(m.tensor([1.0, 2.0])) + D.Beta(a, b).entropy() + D.Dirichlet(a).log_prob(m.tensor([0.3, 0.7]))
         + D.StudentT(a, 0.0, b).log_prob(m.tensor([0.5, -1.0]))).sum(), (a, b))))(
        m.tensor([0.7, 2.0], requires_grad=True), m.tensor([1.5, 0.5], requires_grad=True)),
    "exponential family entropy and KL": lambda m, D: [
        D.ExponentialFamily.entropy(D.Gamma(m.tensor([0.5, 3.0]), m.tensor([1.0, 2.0]))),
        D.ExponentialFamily.entropy(D.Normal(m.tensor([0.0, 1.0]), m.tensor([1.0, 2.0]))),
        D.kl.kl_divergence(D.Bernoulli(m.tensor([0.3, 0.6])), D.Bernoulli(m.tensor([0.5, 0.5]))),
        isinstance(D.Normal(0.0, 1.0), D.ExponentialFamily), isinstance(D.Bernoulli(0.5), D.ExponentialFamily)],
    "gamma family KL divergences": lambda m, D: (lambda g, h, b, e, n, u, d: [
        D.kl_divergence(g, h), D.kl_divergence(b, b.expand((2,))), D.kl_divergence(b, D.Beta(m.tensor([1.0]), m.tensor([2.0]))),
        D.kl_divergence(b, e), D.kl_divergence(b, g), D.kl_divergence(b, n), D.kl_divergence(b, u),
        D.kl_divergence(d, D.Dirichlet(m.tensor([1.0, 2.0, 2.0]))), D.kl_divergence(e, D.Exponential(m.tensor([1.0, 1.5]))),
        D.kl_divergence(e, g), D.kl_divergence(e, n), D.kl_divergence(g, e), D.kl_divergence(g, n),
        D.kl_divergence(u, b), D.kl_divergence(u, e), D.kl_divergence(u, g), D.kl_divergence(n, g), D.kl_divergence(e, u),
        D.kl_divergence(g, b), D.kl_divergence(n, e)])(
        D.Gamma(m.tensor([0.5, 3.0]), m.tensor([1.0, 2.0])), D.Gamma(m.tensor([1.5, 2.0]), m.tensor([1.0, 3.0])),
        D.Beta(m.tensor([0.5, 3.0]), m.tensor([1.0, 2.0])), D.Exponential(m.tensor([0.5, 3.0])),
        D.Normal(m.tensor([0.0, 1.0]), m.tensor([1.0, 2.0])), D.Uniform(m.tensor([0.1, -1.0]), m.tensor([0.9, 0.5])),
        D.Dirichlet(m.tensor([0.5, 3.0, 1.0]))),
    "low-rank multivariate normal": lambda m, D: (lambda p, q, mv: [
        repr(p), p.batch_shape, q.batch_shape, p.log_prob(m.tensor([0.3, -0.2, 1.0])), p.entropy(), q.entropy(),
        p.variance, p.scale_tril, p.covariance_matrix, p.precision_matrix, D.kl_divergence(p, q), D.kl_divergence(mv, q),
        D.kl_divergence(p, mv), p.expand((2,)).log_prob(m.zeros(3)), mv.expand((2,)).log_prob(m.zeros(3)),
        p.rsample((4,)).shape])(
        D.LowRankMultivariateNormal(m.tensor([0.0, 1.0, -1.0]), m.tensor([[1.0, 0.5], [0.0, 1.0], [0.3, -0.2]]),
                                    m.tensor([1.0, 2.0, 0.5])),
        D.LowRankMultivariateNormal(m.zeros(2, 3), m.tensor([[0.5, 0.2], [0.0, 0.5], [0.1, -0.1]]), m.tensor([2.0, 3.0, 1.5])),
        D.MultivariateNormal(m.ones(3), covariance_matrix=m.tensor([[2.0, 0.3, 0.0], [0.3, 1.0, 0.1], [0.0, 0.1, 1.5]]))),
    "gaussian mixtures": lambda m, D: (lambda g, g2, g3: [
        repr(g), g.batch_shape, g.mean, g.variance, g.log_prob(m.tensor([0.5, -1.0])), g.cdf(m.tensor([0.5])),
        g2.event_shape, g2.mean, g2.variance, g2.log_prob(m.tensor([0.5, 1.0])), g3.batch_shape, g3.log_prob(m.zeros(4)),
        g.expand((2,)).log_prob(m.zeros(2)), g2.sample((5,)).shape, g3.sample((2,)).shape, repr(g2.support)])(
        D.MixtureSameFamily(D.Categorical(probs=m.tensor([0.2, 0.5, 0.3])),
                            D.Normal(m.tensor([-1.0, 0.0, 2.0]), m.tensor([0.5, 1.0, 0.3]))),
        D.MixtureSameFamily(D.Categorical(probs=m.tensor([0.2, 0.5, 0.3])),
                            D.Independent(D.Normal(m.tensor([[0.0], [1.0], [2.0]]).expand(3, 2), m.ones(3, 2)), 1)),
        D.MixtureSameFamily(D.Categorical(logits=m.zeros(4, 3)), D.Normal(m.zeros(4, 3), m.ones(4, 3)))),
    "von mises": lambda m, D: (lambda v: [repr(v), v.mean, v.mode, v.variance, v.log_prob(m.tensor([0.3, 1.0, 2.0])),
                                          v.expand((2, 3)).log_prob(m.zeros(3)), v.sample((2,)).shape])(
        D.VonMises(m.tensor([0.0, 1.0, -2.0]), m.tensor([0.5, 3.0, 50.0]))),
    "wishart and lkj": lambda m, D: (lambda w, w2, lkj, value: [
        repr(w), repr(lkj), w.batch_shape, w.event_shape, lkj.event_shape, w.rsample((2,)).shape, lkj.sample((2,)).shape,
        w.log_prob(m.eye(2)), w.entropy(), w.mean, w.mode, w.variance, w2.log_prob(m.tensor([[2.0, 0.3], [0.3, 1.0]])),
        w2.entropy(), w2.covariance_matrix, w.expand((3, 2)).log_prob(m.eye(2)), D.ExponentialFamily.entropy(w2),
        lkj.log_prob(value), lkj.expand((2, 2)).log_prob(value)])(
        D.Wishart(m.tensor([3.0, 4.5]), covariance_matrix=m.tensor([[2.0, 0.3], [0.3, 1.0]])),
        D.Wishart(5.0, precision_matrix=m.tensor([[2.0, 0.3], [0.3, 1.0]])), D.LKJCholesky(3, m.tensor([0.5, 2.0])),
        m.tensor([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [0.0, 0.6, 0.8]])),
    "utils": lambda m, D: (lambda U, mat: [
        U.tril_matrix_to_vec(mat), U.tril_matrix_to_vec(mat, -1), U.tril_matrix_to_vec(mat, 1),
        U.vec_to_tril_matrix(U.tril_matrix_to_vec(mat)), U.vec_to_tril_matrix(U.tril_matrix_to_vec(mat, -1), -1),
        U.clamp_probs(m.tensor([0.0, 0.5, 1.0])), U.clamp_probs(m.tensor([0.0, 1.0], dtype=m.float64)),
        U.probs_to_logits(m.tensor([0.2, 0.8]), is_binary=True), U.logits_to_probs(m.tensor([0.0, 1.0])),
        U.broadcast_all(m.tensor([1.0, 2.0]), 3.0)])(
        __import__(m.__name__ + ".distributions.utils", fromlist=["utils"]), m.arange(16.0).reshape(4, 4)),
    "constraints": lambda m, D: [repr(D.Normal.arg_constraints), repr(D.Categorical.arg_constraints),
                                 repr(D.Bernoulli.arg_constraints), repr(D.Bernoulli.support), repr(D.Normal.support)],
}

ERRORS = {
    "negative scale": lambda m, D: D.Normal(m.tensor([0.0]), m.tensor([-1.0])),
    "nan value": lambda m, D: D.Normal(m.tensor(L), m.tensor(S)).log_prob(m.tensor([math.nan, 1.0])),
    "value not broadcastable": lambda m, D: D.Normal(m.tensor(L), m.tensor(S)).log_prob(m.tensor([1.0, 2.0, 3.0])),
    "value a number": lambda m, D: D.Normal(0.0, 1.0).log_prob(0.5),
    "low above high": lambda m, D: D.Uniform(1.0, 0.0),
    "low above high (vector)": lambda m, D: D.Uniform(m.tensor([0.0, 2.0]), m.tensor([1.0, 1.0])),
    "outside the support": lambda m, D: D.Uniform(m.tensor([0.0]), m.tensor([2.0])).log_prob(m.tensor([3.0])),
    "class out of range": lambda m, D: D.Categorical(probs=m.tensor([0.2, 0.8])).log_prob(m.tensor(2)),
    "probs and logits": lambda m, D: D.Categorical(probs=m.tensor([0.2, 0.8]), logits=m.tensor([0.2, 0.8])),
    "0-d probs": lambda m, D: D.Categorical(probs=m.tensor(0.2)),
    "negative probs": lambda m, D: D.Categorical(probs=m.tensor([-0.2, 0.8])),
    "probability above one": lambda m, D: D.Bernoulli(probs=m.tensor([1.3])),
    "not a boolean value": lambda m, D: D.Bernoulli(probs=m.tensor([0.3])).log_prob(m.tensor([0.5])),
    "covariance not positive definite": lambda m, D: D.MultivariateNormal(
        m.zeros(2), covariance_matrix=m.tensor([[1.0, 2.0], [2.0, 1.0]])),
    "no covariance": lambda m, D: D.MultivariateNormal(m.zeros(2)),
    "scale_tril not lower": lambda m, D: D.MultivariateNormal(m.zeros(2), scale_tril=m.tensor([[1.0, 0.5], [0.3, 2.0]])),
    "independent of too many dims": lambda m, D: D.Independent(D.Normal(0.0, 1.0), 1),
    "gamma of negative rate": lambda m, D: D.Gamma(m.tensor([1.0]), m.tensor([-1.0])),
    "gamma value negative": lambda m, D: D.Gamma(1.0, 1.0).log_prob(m.tensor(-1.0)),
    "dirichlet of a number": lambda m, D: D.Dirichlet(m.tensor(1.0)),
    "dirichlet value off the simplex": lambda m, D: D.Dirichlet(m.tensor([1.0, 2.0])).log_prob(m.tensor([0.5, 0.6])),
    "beta of zero": lambda m, D: D.Beta(0.0, 1.0),
    "beta value outside": lambda m, D: D.Beta(m.tensor([2.0]), m.tensor([2.0])).log_prob(m.tensor([1.5])),
    "student t of no freedom": lambda m, D: D.StudentT(m.tensor([0.0])),
    "chi2 of negative df": lambda m, D: D.Chi2(m.tensor([-1.0])),
    "cross exponential families": lambda m, D: D.kl.kl_divergence(D.Gamma(m.tensor([1.0]), m.tensor([1.0])),
                                                                   D.Bernoulli(m.tensor([0.5]))),
    "low-rank factor of the wrong size": lambda m, D: D.LowRankMultivariateNormal(m.zeros(3), m.ones(2, 1), m.ones(3)),
    "low-rank diagonal of the wrong size": lambda m, D: D.LowRankMultivariateNormal(m.zeros(3), m.ones(3, 1), m.ones(2)),
    "low-rank KL across event shapes": lambda m, D: D.kl_divergence(
        D.LowRankMultivariateNormal(m.zeros(3), m.ones(3, 1), m.ones(3)),
        D.LowRankMultivariateNormal(m.zeros(2), m.ones(2, 1), m.ones(2))),
    "mixture of the wrong count": lambda m, D: D.MixtureSameFamily(D.Categorical(probs=m.tensor([0.5, 0.5])),
                                                                    D.Normal(m.zeros(3), m.ones(3))),
    "mixture weights not a categorical": lambda m, D: D.MixtureSameFamily(D.Normal(0.0, 1.0), D.Normal(m.zeros(3), m.ones(3))),
    "wishart of too few degrees": lambda m, D: D.Wishart(m.tensor(0.5), covariance_matrix=m.eye(2)),
    "lkj of one dim": lambda m, D: D.LKJCholesky(1),
    "lkj value not a correlation factor": lambda m, D: D.LKJCholesky(2).log_prob(m.tensor([[1.0, 0.0], [0.5, 1.0]])),
    "diagonal outside the matrix": lambda m, D: __import__(m.__name__ + ".distributions.utils", fromlist=["utils"]
                                                           ).tril_matrix_to_vec(m.zeros(3, 3), 5),
    "no cdf": lambda m, D: D.Beta(2.0, 2.0).cdf(m.tensor(0.5)),
    "no KL for the pair": lambda m, D: D.kl_divergence(D.Categorical(probs=m.tensor([0.3, 0.7])), D.Normal(0.0, 1.0)),
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
    lg.manual_seed(0)
    D = lg.distributions
    normal = D.Normal(lg.tensor([1.0, -2.0]), lg.tensor([0.5, 3.0])).sample((20000,)).numpy()
    np.testing.assert_allclose(normal.mean(0), [1.0, -2.0], atol=0.06)
    np.testing.assert_allclose(normal.std(0), [0.5, 3.0], rtol=0.03)
    uniform = D.Uniform(-1.0, 3.0).sample((20000,)).numpy()
    assert uniform.min() >= -1.0 and uniform.max() < 3.0 and abs(uniform.mean() - 1.0) < 0.05
    counts = np.bincount(D.Categorical(probs=lg.tensor([0.1, 0.6, 0.3])).sample((20000,)).numpy(), minlength=3)
    np.testing.assert_allclose(counts / 20000, [0.1, 0.6, 0.3], atol=0.015)
    assert abs(D.Bernoulli(probs=lg.tensor(0.25)).sample((20000,)).numpy().mean() - 0.25) < 0.015
    cov = np.array([[2.0, 0.5], [0.5, 1.0]])
    draws = D.MultivariateNormal(lg.tensor([1.0, -1.0]), covariance_matrix=lg.tensor(cov, dtype=lg.float32))
    draws = draws.sample((20000,)).numpy()
    np.testing.assert_allclose(draws.mean(0), [1.0, -1.0], atol=0.05)
    np.testing.assert_allclose(np.cov(draws.T), cov, atol=0.06)


def test_gamma_family_samples_have_their_moments():
    lg.manual_seed(2)
    D, n = lg.distributions, 20000
    gamma = D.Gamma(lg.tensor([0.3, 2.0, 40.0]), lg.tensor([1.0, 4.0, 2.0])).sample((n,)).numpy()
    np.testing.assert_allclose(gamma.mean(0), [0.3, 0.5, 20.0], rtol=0.04)
    np.testing.assert_allclose(gamma.var(0), [0.3, 0.125, 10.0], rtol=0.1)
    assert gamma.min() > 0
    beta = D.Beta(lg.tensor([0.5, 3.0]), lg.tensor([0.5, 1.0])).sample((n,)).numpy()
    np.testing.assert_allclose(beta.mean(0), [0.5, 0.75], atol=0.01)
    assert 0 < beta.min() and beta.max() <= 1
    dirichlet = D.Dirichlet(lg.tensor([1.0, 2.0, 5.0])).sample((n,)).numpy()
    np.testing.assert_allclose(dirichlet.sum(-1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(dirichlet.mean(0), [0.125, 0.25, 0.625], atol=0.01)
    assert abs(np.median(D.StudentT(lg.tensor(3.0), 1.0, 2.0).sample((n,)).numpy()) - 1.0) < 0.05
    assert abs(D.Chi2(lg.tensor(4.0)).sample((n,)).numpy().mean() - 4.0) < 0.1
    assert abs(D.Exponential(lg.tensor(2.0)).sample((n,)).numpy().mean() - 0.5) < 0.02
    assert abs(np.median(D.FisherSnedecor(lg.tensor(5.0), lg.tensor(10.0)).sample((n,)).numpy()) - 0.9319) < 0.03


def test_mixture_and_low_rank_samples():
    lg.manual_seed(4)
    D, n = lg.distributions, 20000
    mixture = D.MixtureSameFamily(D.Categorical(probs=lg.tensor([0.2, 0.8])), D.Normal(lg.tensor([-5.0, 5.0]), lg.ones(2)))
    draws = mixture.sample((n,)).numpy()
    assert abs((draws > 0).mean() - 0.8) < 0.015 and abs(draws.mean() - 3.0) < 0.1
    W, d = np.array([[1.0, 0.5], [0.0, 1.0], [0.3, -0.2]]), np.array([1.0, 2.0, 0.5])
    low_rank = D.LowRankMultivariateNormal(lg.zeros(3), lg.tensor(W, dtype=lg.float32), lg.tensor(d, dtype=lg.float32))
    np.testing.assert_allclose(np.cov(low_rank.sample((n,)).numpy().T), W @ W.T + np.diag(d), atol=0.08)


def test_von_mises_samples_have_their_circular_moments():
    """The mean direction is loc and the mean resultant length I1(kappa) / I0(kappa); a vanishing
    concentration is uniform on the circle."""
    lg.manual_seed(6)
    draws = lg.distributions.VonMises(lg.tensor([1.0, 0.0]), lg.tensor([2.0, 1e-6])).sample((20000,)).numpy()
    assert -math.pi <= draws.min() and draws.max() < math.pi
    resultant = np.exp(1j * draws).mean(0)
    assert abs(np.angle(resultant[0]) - 1.0) < 0.02
    np.testing.assert_allclose(np.abs(resultant), [0.69777, 0.0], atol=0.015)


def test_wishart_and_lkj_samples():
    """Wishart draws average df * covariance with variances df (V_ij^2 + V_ii V_jj); LKJ factors give unit
    diagonals and, for concentration eta in d dims, correlations of variance 1 / (2 eta + d - 1)."""
    lg.manual_seed(7)
    cov = np.array([[2.0, 0.3], [0.3, 1.0]])
    draws = lg.distributions.Wishart(lg.tensor(5.0), covariance_matrix=lg.tensor(cov, dtype=lg.float32))
    draws = draws.sample((20000,)).numpy()
    np.testing.assert_allclose(draws.mean(0), 5 * cov, rtol=0.03, atol=0.05)
    np.testing.assert_allclose(draws.var(0), 5 * (cov ** 2 + np.outer(np.diag(cov), np.diag(cov))), rtol=0.08)
    factors = lg.distributions.LKJCholesky(3, 2.0).sample((20000,)).numpy()
    correlations = factors @ np.swapaxes(factors, -1, -2)
    np.testing.assert_allclose(np.diagonal(correlations, axis1=-2, axis2=-1), 1.0, atol=1e-5)
    assert abs(correlations[:, 0, 1].var() - 1 / 6) < 0.01 and abs(correlations[:, 1, 2].var() - 1 / 6) < 0.01


def test_gamma_draws_follow_the_seed():
    lg.manual_seed(5)
    first = lg._standard_gamma(lg.tensor([0.5, 2.0, 7.0])).tolist()
    second = lg._standard_gamma(lg.tensor([0.5, 2.0, 7.0])).tolist()
    lg.manual_seed(5)
    assert lg._standard_gamma(lg.tensor([0.5, 2.0, 7.0])).tolist() == first != second


def test_gamma_shape_derivative_against_the_cdf():
    """d x / d alpha at fixed P(alpha, x), against central differences of torch's regularized incomplete
    gamma function (in float64), and against torch's own approximation of the derivative."""
    torch = torch_or_skip()
    alpha = np.array([1.0, 2.0, 0.01, 0.5, 3.0, 10.0, 50.0, 300.0, 5000.0, 5000.0, 2e4, 2e4, 0.3])
    x = np.array([0.5, 3.0, 1e-30, 2.0, 0.1, 14.0, 40.0, 320.0, 5100.0, 4800.0, 20300.0, 19800.0, 5.0])
    ours = lg._standard_gamma_grad(lg.tensor(alpha), lg.tensor(x)).numpy()
    h = 1e-6 * alpha
    P = lambda a: torch.special.gammainc(torch.tensor(a), torch.tensor(x)).numpy()
    log_density = (alpha - 1) * np.log(x) - x - np.array([math.lgamma(a) for a in alpha])
    np.testing.assert_allclose(ours, -(P(alpha + h) - P(alpha - h)) / (2 * h) / np.exp(log_density), rtol=2e-5)
    np.testing.assert_allclose(ours, torch._standard_gamma_grad(torch.tensor(alpha), torch.tensor(x)).numpy(),
                               rtol=2e-3)


def test_gamma_rsample_gradient_is_unbiased():
    """d/d alpha E[x] = 1 / rate and d/d rate E[x] = -alpha / rate^2: the averaged pathwise gradients."""
    lg.manual_seed(3)
    alpha, rate = lg.tensor([0.4, 3.0], requires_grad=True), lg.tensor([2.0, 0.5], requires_grad=True)
    lg.distributions.Gamma(alpha, rate).rsample((40000,)).mean(0).sum().backward()
    np.testing.assert_allclose(alpha.grad.numpy(), [0.5, 2.0], rtol=0.03)
    np.testing.assert_allclose(rate.grad.numpy(), [-0.1, -12.0], rtol=0.03)
    concentration = lg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    lg.distributions.Dirichlet(concentration).rsample((40000,))[:, 0].mean().backward()
    np.testing.assert_allclose(concentration.grad.numpy(), [5 / 36, -1 / 36, -1 / 36], atol=0.006)


def test_reparameterized_samples_carry_gradients():
    loc, scale = lg.tensor([0.5], requires_grad=True), lg.tensor([2.0], requires_grad=True)
    lg.manual_seed(1)
    draws = lg.distributions.Normal(loc, scale).rsample((1000,))
    draws.sum().backward()
    noise = (draws.detach() - 0.5) / 2.0
    assert loc.grad.item() == pytest.approx(1000.0)
    assert scale.grad.item() == pytest.approx(float(noise.sum()), rel=1e-4, abs=1e-3)


def test_torch_module_paths():
    """`from torch.distributions.<module> import <Class>` works with lazygrad's name for every module torch has,
    and the names torch exports are lazygrad's."""
    import importlib
    import types
    torch = torch_or_skip()
    T, D = torch.distributions, lg.distributions
    assert sorted(D.__all__) == sorted(T.__all__)
    for name in (n for n in dir(T) if isinstance(getattr(T, n), types.ModuleType)):
        module = importlib.import_module(f"lazygrad.distributions.{name}")
        theirs = getattr(T, name)
        for cls in (v for k, v in vars(theirs).items()
                    if isinstance(v, type) and v.__module__ == theirs.__name__ and not k.startswith("_")):
            assert isinstance(getattr(module, cls.__name__), type), (name, cls.__name__)
