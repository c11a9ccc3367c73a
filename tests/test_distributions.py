"""lazygrad.distributions against torch.distributions: printed forms, shapes, statistics, log-densities,
entropies, KL divergences, validation errors and gradients; samples by their moments (the random
streams differ)."""
import math

import numpy as np
import pytest

import lazygrad as lg
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
    "no KL for the pair": lambda m, D: D.kl_divergence(D.Categorical(probs=m.tensor([0.3, 0.7])), D.Normal(0.0, 1.0)),
}


def _plain(x):
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if hasattr(x, "detach"):
        return np.asarray(x.detach().numpy(), dtype=float).round(5).tolist()
    return str(x).replace("torch.", "").replace("lazygrad.", "")


@pytest.mark.parametrize("name", list(CASES))
def test_like_torch(name):
    torch = torch_or_skip()
    assert _plain(CASES[name](lg, lg.distributions)) == _plain(CASES[name](torch, torch.distributions))


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_like_torch(name):
    torch = torch_or_skip()
    raised = []
    for m in (lg, torch):
        with pytest.raises(Exception) as info:
            ERRORS[name](m, m.distributions)
        raised.append((type(info.value).__name__, str(info.value).replace("torch.", "").replace("lazygrad.", "")))
    assert raised[0] == raised[1]


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


def test_reparameterized_samples_carry_gradients():
    loc, scale = lg.tensor([0.5], requires_grad=True), lg.tensor([2.0], requires_grad=True)
    lg.manual_seed(1)
    draws = lg.distributions.Normal(loc, scale).rsample((1000,))
    draws.sum().backward()
    noise = (draws.detach() - 0.5) / 2.0
    assert loc.grad.item() == pytest.approx(1000.0)
    assert scale.grad.item() == pytest.approx(float(noise.sum()), rel=1e-4, abs=1e-3)
