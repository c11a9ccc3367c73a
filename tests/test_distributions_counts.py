"""The count and one-hot distributions (Geometric, Poisson, Binomial, NegativeBinomial, Multinomial,
OneHotCategorical, ContinuousBernoulli) against torch.distributions: printed forms, shapes, statistics,
log-probabilities, entropies, supports, KL divergences, validation errors and gradients; samples (and the
lg.poisson / lg.binomial draws under them) by their moments, since the random streams differ."""
import math

import numpy as np
import pytest

import lazygrad as lg
from distribution_oracle import assert_same, raised
from oracle import torch_or_skip

P, Q = [0.3, 0.8], [0.6, 0.2]

CASES = {
    "geometric by probs": lambda m, D: (lambda g: [
        repr(g), g.mean, g.mode, g.variance, g.stddev, g.entropy(), g.logits, repr(g), g.batch_shape,
        g.log_prob(m.tensor([0.0, 3.0])), repr(g.support), g.expand((3, 2)).log_prob(m.ones(3, 2)).shape])(
        D.Geometric(m.tensor(P))),
    "geometric by logits and numbers": lambda m, D: [
        (lambda g: [repr(g), g.probs, g.mean, g.entropy(), g.log_prob(m.tensor([2.0, 0.0]))])(
            D.Geometric(logits=m.tensor([-1.0, 2.0]))),
        repr(D.Geometric(0.5)), D.Geometric(0.5).batch_shape, D.Geometric(1.0).log_prob(m.tensor(0.0)),
        D.Geometric(1.0).entropy()],
    "poisson": lambda m, D: (lambda p: [
        repr(p), p.mean, p.mode, p.variance, p.log_prob(m.tensor([0.0, 2.0, 1.0])), repr(p.support),
        p.expand((2, 3)).batch_shape, D.Poisson(3.0).log_prob(m.tensor(2.0)), repr(D.Poisson(3.0))])(
        D.Poisson(m.tensor([0.0, 2.5, 4.0]))),
    "binomial by probs": lambda m, D: (lambda b: [
        repr(b), b.mean, b.mode, b.variance, b.logits, b.entropy(), b.log_prob(m.tensor([[0.0, 4.0], [2.0, 1.0]])),
        b.enumerate_support(), b.enumerate_support(False).shape, b.param_shape, repr(b.support),
        b.expand((2, 2)).log_prob(m.tensor([1.0, 2.0]))])(D.Binomial(4, m.tensor(P))),
    "binomial by logits": lambda m, D: (lambda b: [
        repr(b), b.batch_shape, b.probs, b.mean, b.mode, b.log_prob(m.tensor([[3.0, 0.0], [10.0, 2.0]])),
        b.total_count.dtype])(D.Binomial(m.tensor([[3.0], [10.0]]), logits=m.tensor([60.0, -2.0]))),
    "binomial edges": lambda m, D: [
        D.Binomial(5, m.tensor([0.0, 1.0])).log_prob(m.tensor([0.0, 5.0])),
        D.Binomial(5, m.tensor([0.0, 1.0])).entropy(), D.Binomial(m.tensor([0.0, 0.0]), m.tensor(P)).log_prob(
            m.tensor([0.0, 0.0])), D.Binomial(total_count=m.tensor([2, 3]), probs=m.tensor(P)).total_count.dtype,
        repr(D.Binomial(3, logits=m.tensor(0.5)))],
    "negative binomial": lambda m, D: (lambda n: [
        repr(n), n.mean, n.mode, n.variance, n.logits, n.param_shape, repr(n.support),
        n.log_prob(m.tensor([[0.0, 3.0, 1.0], [2.0, 0.0, 5.0]])), n.expand((2, 3)).batch_shape])(
        D.NegativeBinomial(m.tensor([0.0, 2.5, 4.0]), m.tensor([0.3, 0.0, 0.7]))),
    "negative binomial by logits": lambda m, D: (lambda n: [repr(n), n.probs, n.mean, n.variance, n.mode,
                                                            n.log_prob(m.tensor([1.0, 4.0]))])(
        D.NegativeBinomial(3, logits=m.tensor([-0.5, 1.5]))),
    "multinomial": lambda m, D: (lambda mn: [
        repr(mn), mn.batch_shape, mn.event_shape, mn.mean, mn.variance, mn.probs, mn.logits, mn.param_shape,
        mn.entropy(), mn.log_prob(m.tensor([[1.0, 2.0, 1.0], [0.0, 0.0, 4.0]])), repr(mn.support),
        mn.sample().shape, mn.sample((3,)).sum(-1), mn.sample().dtype, mn.total_count])(
        D.Multinomial(4, m.tensor([[0.2, 0.5, 0.3], [1.0, 2.0, 1.0]]))),
    "multinomial by logits": lambda m, D: (lambda mn: [
        repr(mn), mn.probs, mn.entropy(), mn.log_prob(m.tensor([2.0, 0.0, 1.0])),
        D.Multinomial(5, logits=m.tensor([0.0, -math.inf, 1.0])).log_prob(m.tensor([3.0, 0.0, 2.0])),
        mn.expand((2,)).log_prob(m.tensor([1.0, 1.0, 1.0]))])(
        D.Multinomial(3, logits=m.tensor([0.5, -1.0, 2.0]))),
    "one-hot categorical": lambda m, D: (lambda o: [
        repr(o), o.batch_shape, o.event_shape, o.mean, o.mode, o.variance, o.probs, o.logits, o.param_shape,
        o.entropy(), o.log_prob(m.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])), o.enumerate_support(),
        o.enumerate_support(False).shape, repr(o.support), o.sample((4,)).shape, o.sample().sum(-1),
        o.expand((3, 2)).batch_shape, o.expand((3, 2)).log_prob(m.tensor([1.0, 0.0, 0.0])).shape])(
        D.OneHotCategorical(logits=m.tensor([[0.1, 2.0, -1.0], [0.0, 0.0, 1.0]]))),
    "straight-through one-hot": lambda m, D: (lambda logits: [
        D.OneHotCategoricalStraightThrough(logits=logits).has_rsample,
        D.OneHotCategoricalStraightThrough(logits=logits).rsample((5,)).sum(-1),
        m.autograd.grad((D.OneHotCategoricalStraightThrough(logits=logits).rsample((5,))
                         * m.tensor([1.0, -2.0, 3.0])).sum(), logits)[0]])(
        m.tensor([0.1, 2.0, -1.0], requires_grad=True)),
    "continuous bernoulli by probs": lambda m, D: (lambda c: [
        repr(c), c.mean, c.variance, c.stddev, c.entropy(), c.logits, c.param_shape,
        c.log_prob(m.tensor([0.25, 0.5, 0.9, 0.0, 1.0])), c.cdf(m.tensor([0.25, 0.5, 0.9, -0.0, 1.0])),
        c.icdf(m.tensor([0.25, 0.5, 0.9, 0.1, 0.999])), c.rsample((2,)).shape, repr(c.support)])(
        D.ContinuousBernoulli(m.tensor([0.2, 0.4995, 0.5003, 0.9, 0.0]))),
    "continuous bernoulli by logits": lambda m, D: (lambda c: [
        repr(c), c.probs, c.mean, c.variance, c.entropy(), c.log_prob(m.tensor([[0.3], [0.8]])),
        c.expand((2, 3)).mean, D.ContinuousBernoulli(0.3).batch_shape, repr(D.ContinuousBernoulli(0.3))])(
        D.ContinuousBernoulli(logits=m.tensor([-3.0, 0.001, 1.5]))),
    "continuous bernoulli lims": lambda m, D: (lambda c: [c.mean, c.variance, c.entropy(),
                                                          c.log_prob(m.tensor(0.7)), c.cdf(m.tensor(0.7))])(
        D.ContinuousBernoulli(m.tensor([0.45, 0.52, 0.7]), lims=(0.4, 0.6))),
    "continuous bernoulli bregman entropy": lambda m, D: [
        D.ExponentialFamily.entropy(D.ContinuousBernoulli(logits=m.tensor([-3.0, 0.001, 1.5]))),
        D.ExponentialFamily.entropy(D.ContinuousBernoulli(logits=m.tensor([-0.002, 0.0])))],
    "kl divergences": lambda m, D: [
        D.kl_divergence(D.Binomial(5, m.tensor(P)), D.Binomial(m.tensor([5.0, 3.0]), m.tensor(Q))),
        D.kl_divergence(D.Geometric(m.tensor(P)), D.Geometric(logits=m.tensor([0.5, -1.0]))),
        D.kl_divergence(D.Poisson(m.tensor([1.0, 3.0])), D.Poisson(m.tensor([2.0, 0.5]))),
        D.kl_divergence(D.Poisson(m.tensor([1.0])), D.Binomial(3, m.tensor([0.5]))),
        D.kl_divergence(D.Poisson(m.tensor([1.0])), D.Bernoulli(m.tensor([0.5]))),
        D.kl_divergence(D.Bernoulli(m.tensor(P)), D.Poisson(m.tensor([1.0, 3.0]))),
        D.kl_divergence(D.OneHotCategorical(m.tensor([0.2, 0.5, 0.3])), D.OneHotCategorical(logits=m.zeros(3))),
        D.kl_divergence(D.OneHotCategoricalStraightThrough(m.tensor([0.0, 1.0])),
                        D.OneHotCategorical(m.tensor([0.5, 0.5]))),
        D.kl_divergence(D.ContinuousBernoulli(m.tensor([0.2, 0.4999, 0.9])), D.ContinuousBernoulli(m.tensor(0.7))),
        D.kl_divergence(D.ContinuousBernoulli(m.tensor(P)), D.Normal(m.tensor([0.0, 1.0]), m.tensor([1.0, 0.5]))),
        D.kl_divergence(D.ContinuousBernoulli(m.tensor([0.3, 0.3, 0.3])),
                        D.Uniform(m.tensor([-1.0, 0.0, -0.5]), m.tensor([2.0, 2.0, 1.0]))),
        D.kl_divergence(D.Uniform(m.tensor([0.1, 0.0, 0.2]), m.tensor([0.9, 0.5, 1.0])),
                        D.ContinuousBernoulli(m.tensor([0.3, 0.3, 0.3]))),
        D.kl_divergence(D.ContinuousBernoulli(m.tensor(P)), D.Exponential(m.tensor([1.0, 2.0]))),
        D.kl_divergence(D.Beta(m.tensor([2.0, 0.5]), m.tensor([3.0, 1.5])), D.ContinuousBernoulli(m.tensor(P))),
        D.kl_divergence(D.Normal(m.tensor([0.0]), m.tensor([1.0])), D.ContinuousBernoulli(m.tensor([0.3]))),
        D.kl_divergence(D.Exponential(m.tensor([1.0])), D.ContinuousBernoulli(m.tensor([0.3]))),
        D.kl_divergence(D.Gamma(m.tensor([1.0]), m.tensor([2.0])), D.ContinuousBernoulli(m.tensor([0.3])))],
    "gradients": lambda m, D: (lambda probs, logits, rate, count: list(m.autograd.grad(
        D.Binomial(4, logits=logits).log_prob(m.tensor([1.0, 3.0])).sum()
        + D.Binomial(4, probs).entropy().sum() + D.Geometric(probs).entropy().sum()
        + D.Geometric(logits=logits).log_prob(m.tensor([2.0, 0.0])).sum()
        + D.Poisson(rate).log_prob(m.tensor([0.0, 3.0])).sum()
        + D.NegativeBinomial(count, logits=logits).log_prob(m.tensor([2.0, 1.0])).sum()
        + D.Multinomial(3, logits=logits).log_prob(m.tensor([1.0, 2.0])).sum()
        + D.Multinomial(3, probs).entropy()
        + D.OneHotCategorical(logits=logits).entropy()
        + D.ContinuousBernoulli(probs).entropy().sum()
        + D.ContinuousBernoulli(logits=logits).log_prob(m.tensor([0.2, 0.7])).sum()
        + D.ContinuousBernoulli(probs).icdf(m.tensor([0.2, 0.7])).sum()
        + D.kl_divergence(D.Binomial(4, probs), D.Binomial(4, logits=logits)).sum()
        + D.kl_divergence(D.Poisson(rate), D.Poisson(count)).sum(), (probs, logits, rate, count))))(
        m.tensor(P, requires_grad=True), m.tensor([0.0, -1.5], requires_grad=True),
        m.tensor([0.5, 2.0], requires_grad=True), m.tensor([1.5, 3.0], requires_grad=True)),
    "constraints": lambda m, D: [repr(D.Binomial.arg_constraints), repr(D.NegativeBinomial.arg_constraints),
                                 repr(D.Geometric.arg_constraints), repr(D.Poisson.arg_constraints),
                                 repr(D.Multinomial.arg_constraints), repr(D.OneHotCategorical.arg_constraints),
                                 repr(D.ContinuousBernoulli.arg_constraints), repr(D.Geometric.support),
                                 repr(D.NegativeBinomial.support), repr(D.OneHotCategorical.support),
                                 repr(D.Binomial.support), D.Binomial.support.is_discrete,
                                 D.Multinomial.support.event_dim, D.Binomial.has_enumerate_support,
                                 D.OneHotCategorical.has_enumerate_support, D.ContinuousBernoulli.has_rsample],
}

ERRORS = {
    "binomial probs and logits": lambda m, D: D.Binomial(3, m.tensor(P), m.tensor(P)),
    "binomial neither": lambda m, D: D.Binomial(3),
    "binomial non-integer count": lambda m, D: D.Binomial(m.tensor([2.5, 3.0]), m.tensor(P)),
    "binomial negative count": lambda m, D: D.Binomial(-1, m.tensor(P)),
    "binomial probs above one": lambda m, D: D.Binomial(3, m.tensor([0.3, 1.2])),
    "binomial value above count": lambda m, D: D.Binomial(3, m.tensor(P)).log_prob(m.tensor([1.0, 4.0])),
    "binomial non-integer value": lambda m, D: D.Binomial(3, m.tensor(P)).log_prob(m.tensor([1.5, 1.0])),
    "binomial inhomogeneous entropy": lambda m, D: D.Binomial(m.tensor([2.0, 3.0]), m.tensor(P)).entropy(),
    "binomial inhomogeneous support": lambda m, D: D.Binomial(m.tensor([2.0, 3.0]), m.tensor(P)).enumerate_support(),
    "geometric probs zero": lambda m, D: D.Geometric(m.tensor([0.3, 0.0])),
    "geometric probs above one": lambda m, D: D.Geometric(m.tensor([1.5])),
    "geometric negative value": lambda m, D: D.Geometric(m.tensor(P)).log_prob(m.tensor([-1.0, 2.0])),
    "geometric both": lambda m, D: D.Geometric(),
    "poisson negative rate": lambda m, D: D.Poisson(m.tensor([1.0, -0.5])),
    "poisson non-integer value": lambda m, D: D.Poisson(m.tensor([1.0])).log_prob(m.tensor([0.5])),
    "poisson entropy": lambda m, D: D.Poisson(m.tensor([1.0])).entropy(),
    "poisson value not broadcastable": lambda m, D: D.Poisson(m.tensor([1.0, 2.0])).log_prob(m.tensor([1.0, 2.0, 3.0])),
    "negative binomial probs one": lambda m, D: D.NegativeBinomial(2.0, m.tensor([0.3, 1.0])),
    "negative binomial negative count": lambda m, D: D.NegativeBinomial(m.tensor([-1.0]), m.tensor([0.5])),
    "multinomial count not an int": lambda m, D: D.Multinomial(m.tensor(3), m.tensor(P)),
    "multinomial negative probs": lambda m, D: D.Multinomial(3, m.tensor([-0.3, 0.8])),
    "multinomial negative count": lambda m, D: D.Multinomial(-2, m.tensor(P)),
    "multinomial too many counts": lambda m, D: D.Multinomial(3, m.tensor(P)).log_prob(m.tensor([2.0, 2.0])),
    "multinomial 0-d probs": lambda m, D: D.Multinomial(3, m.tensor(0.5)),
    "multinomial wrong event size": lambda m, D: D.Multinomial(3, m.tensor(P)).log_prob(m.tensor([1.0, 1.0, 1.0])),
    "one-hot value not one-hot": lambda m, D: D.OneHotCategorical(m.tensor(P)).log_prob(m.tensor([1.0, 1.0])),
    "one-hot both": lambda m, D: D.OneHotCategorical(m.tensor(P), m.tensor(P)),
    "continuous bernoulli probs checked": lambda m, D: D.ContinuousBernoulli(m.tensor([1.5]), validate_args=True),
    "continuous bernoulli value outside": lambda m, D: D.ContinuousBernoulli(m.tensor(P)).log_prob(m.tensor([0.5, 1.5])),
    "continuous bernoulli neither": lambda m, D: D.ContinuousBernoulli(),
    "binomial kl of more trials in q": lambda m, D: D.kl_divergence(D.Binomial(2, m.tensor(P)), D.Binomial(3, m.tensor(Q))),
    "no kl geometric to poisson": lambda m, D: D.kl_divergence(D.Geometric(m.tensor(P)), D.Poisson(m.tensor(Q))),
    "poisson of negative rates": lambda m, D: m.poisson(m.tensor([1.0, -1.0])),
    "poisson of integers": lambda m, D: m.poisson(m.tensor([1, 2])),
    "binomial of integer counts": lambda m, D: m.binomial(m.tensor([1, 2]), m.tensor(P)),
    "binomial of integer probs": lambda m, D: m.binomial(m.tensor([1.0, 2.0]), m.tensor([0, 1])),
}


@pytest.mark.parametrize("name", list(CASES))
def test_like_torch(name):
    torch = torch_or_skip()
    assert_same(CASES[name](lg, lg.distributions), CASES[name](torch, torch.distributions))


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_like_torch(name):
    torch = torch_or_skip()
    assert raised(lambda: ERRORS[name](lg, lg.distributions)) == raised(
        lambda: ERRORS[name](torch, torch.distributions))


def test_binomial_dtype_mismatch_like_torch():
    torch = torch_or_skip()
    call = lambda m: m.binomial(m.tensor([1.0]), m.tensor([0.5], dtype=m.float64))  # noqa: E731
    assert raised(lambda: call(lg)) == raised(lambda: call(torch))


def test_multinomial_expanded_keeps_its_entropy():
    """torch's expand drops the inner Binomial (its entropy then raises AttributeError); ours keeps it."""
    torch = torch_or_skip()
    want = torch.distributions.Multinomial(3, torch.tensor([0.2, 0.5, 0.3])).entropy().expand(2)
    got = lg.distributions.Multinomial(3, lg.tensor([0.2, 0.5, 0.3])).expand((2,)).entropy()
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


def test_poisson_and_binomial_draws():
    lg.manual_seed(0)
    rates = lg.tensor([0.0, 0.5, 4.0, 30.0])
    draws = lg.poisson(rates.expand(20000, 4)).numpy()
    assert draws.dtype == np.float32 and (draws == np.floor(draws)).all() and (draws[:, 0] == 0).all()
    np.testing.assert_allclose(draws.mean(0), [0.0, 0.5, 4.0, 30.0], rtol=0.03, atol=0.02)
    np.testing.assert_allclose(draws.var(0), [0.0, 0.5, 4.0, 30.0], rtol=0.06, atol=0.02)
    count, prob = lg.tensor([0.0, 10.0, 50.0, 7.0, 7.0], dtype=lg.float64), lg.tensor([0.3, 0.3, 0.9, 0.0, 1.0],
                                                                                      dtype=lg.float64)
    draws = lg.binomial(count.expand(20000, 5), prob.expand(20000, 5)).numpy()
    assert draws.dtype == np.float64 and (draws == np.floor(draws)).all()
    assert (draws >= 0).all() and (draws <= [0.0, 10.0, 50.0, 7.0, 7.0]).all()
    np.testing.assert_allclose(draws.mean(0), [0.0, 3.0, 45.0, 0.0, 7.0], rtol=0.03, atol=0.02)
    np.testing.assert_allclose(draws.var(0), [0.0, 2.1, 4.5, 0.0, 0.0], rtol=0.06, atol=0.02)
    assert lg.poisson(lg.tensor([2.0], dtype=lg.float64)).dtype == lg.float64
    assert lg.poisson(lg.tensor([2.0], dtype=lg.float16)).dtype == lg.float16


def test_a_seed_repeats_the_draws():
    D = lg.distributions

    def draws():
        return [lg.poisson(lg.tensor([1.0, 7.0]).expand(50, 2)), lg.binomial(lg.full((50,), 9.0), lg.full((50,), 0.4)),
                D.NegativeBinomial(3.0, lg.tensor(0.4)).sample((50,)), D.Geometric(lg.tensor(0.2)).sample((50,)),
                D.Multinomial(5, lg.tensor([0.2, 0.8])).sample((10,))]
    lg.manual_seed(7)
    first = [t.numpy().copy() for t in draws()]
    lg.manual_seed(7)
    again = [t.numpy() for t in draws()]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert first[0].std() > 0 and first[2].std() > 0


def test_poisson_gradient_is_zero():
    torch = torch_or_skip()
    grads = []
    for m in (lg, torch):
        rates = m.tensor([0.5, 3.0], requires_grad=True)
        (m.poisson(rates) * m.tensor([1.0, 2.0])).sum().backward()
        grads.append(rates.grad.numpy().tolist())
    assert grads[0] == grads[1] == [0.0, 0.0]


def test_samples_have_the_distributions_moments():
    lg.manual_seed(0)
    D, n = lg.distributions, 20000
    geometric = D.Geometric(lg.tensor([0.2, 0.7])).sample((n,)).numpy()
    np.testing.assert_allclose(geometric.mean(0), [4.0, 3 / 7], rtol=0.05)
    np.testing.assert_allclose(geometric.var(0), [20.0, 0.3 / 0.49], rtol=0.1)
    poisson = D.Poisson(lg.tensor([1.5, 12.0])).sample((n,)).numpy()
    np.testing.assert_allclose(poisson.mean(0), [1.5, 12.0], rtol=0.03)
    binomial = D.Binomial(lg.tensor([6.0, 20.0]), logits=lg.tensor([0.0, 1.0])).sample((n,)).numpy()
    p = 1 / (1 + math.exp(-1.0))
    np.testing.assert_allclose(binomial.mean(0), [3.0, 20 * p], rtol=0.03)
    np.testing.assert_allclose(binomial.var(0), [1.5, 20 * p * (1 - p)], rtol=0.08)
    negative = D.NegativeBinomial(lg.tensor([2.0, 5.5]), lg.tensor([0.5, 0.2])).sample((n,)).numpy()
    np.testing.assert_allclose(negative.mean(0), [2.0, 5.5 * 0.25], rtol=0.05)
    np.testing.assert_allclose(negative.var(0), [4.0, 5.5 * 0.25 / 0.8], rtol=0.1)
    multinomial = D.Multinomial(10, lg.tensor([0.1, 0.6, 0.3])).sample((n,)).numpy()
    assert (multinomial.sum(-1) == 10).all()
    np.testing.assert_allclose(multinomial.mean(0), [1.0, 6.0, 3.0], rtol=0.03)
    np.testing.assert_allclose(multinomial.var(0), [0.9, 2.4, 2.1], rtol=0.08)
    one_hot = D.OneHotCategorical(lg.tensor([0.1, 0.6, 0.3])).sample((n,)).numpy()
    assert (one_hot.sum(-1) == 1).all()
    np.testing.assert_allclose(one_hot.mean(0), [0.1, 0.6, 0.3], atol=0.015)
    continuous = D.ContinuousBernoulli(lg.tensor([0.2, 0.5, 0.9]))
    draws = continuous.sample((n,)).numpy()
    assert draws.min() >= 0 and draws.max() <= 1
    np.testing.assert_allclose(draws.mean(0), continuous.mean.numpy(), atol=0.01)
    np.testing.assert_allclose(draws.var(0), continuous.variance.numpy(), rtol=0.05)


def test_continuous_bernoulli_rsample_carries_gradients():
    """rsample is icdf(u): its gradient is icdf's at the same u."""
    probs = lg.tensor([0.2, 0.8], requires_grad=True)
    lg.manual_seed(3)
    draws = lg.distributions.ContinuousBernoulli(probs).rsample((4,))
    (grad,) = lg.autograd.grad(draws.sum(), probs)
    lg.manual_seed(3)
    u = lg.rand(4, 2)
    (want,) = lg.autograd.grad(lg.distributions.ContinuousBernoulli(probs).icdf(u).sum(), probs)
    np.testing.assert_allclose(grad.numpy(), want.numpy(), rtol=1e-6)
    assert (grad.numpy() != 0).all()
