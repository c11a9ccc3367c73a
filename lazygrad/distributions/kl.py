"""kl_divergence(p, q) by the types of p and q, from a registry (register_kl), as torch's."""
from __future__ import annotations

import math
from typing import Callable

import lazygrad as lg

from ..tensor import Tensor
from .discrete import Bernoulli, Categorical
from .multivariate import Independent, MultivariateNormal, sum_rightmost
from .normal import Normal, Uniform

_KL_REGISTRY: dict[tuple[type, type], Callable] = {}


def register_kl(type_p: type, type_q: type):
    """Decorator: fn(p, q) computes KL(p || q) for p of type_p and q of type_q (and their subclasses)."""
    def deco(fn):
        _KL_REGISTRY[type_p, type_q] = fn
        return fn
    return deco


def _lookup(type_p: type, type_q: type):
    """The most specific registered pair both types derive from (torch orders them the same way)."""
    matches = [(sup_p, sup_q) for sup_p, sup_q in _KL_REGISTRY if issubclass(type_p, sup_p) and issubclass(type_q, sup_q)]
    if not matches:
        return None
    best = min(matches, key=lambda pair: (type_p.__mro__.index(pair[0]), type_q.__mro__.index(pair[1])))
    return _KL_REGISTRY[best]


def kl_divergence(p, q) -> Tensor:
    fn = _lookup(type(p), type(q))
    if fn is None:
        raise NotImplementedError(f"No KL(p || q) is implemented for p type {type(p).__name__} and q type "
                                  f"{type(q).__name__}")
    return fn(p, q)


@register_kl(Normal, Normal)
def _kl_normal_normal(p: Normal, q: Normal) -> Tensor:
    var_ratio = (p.scale / q.scale).pow(2)
    t1 = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p: Bernoulli, q: Bernoulli) -> Tensor:
    softplus = lg.nn.functional.softplus
    t1 = p.probs * (softplus(-q.logits) - softplus(-p.logits))
    t1 = t1.masked_fill(q.probs == 0, math.inf).masked_fill(p.probs == 0, 0)
    t2 = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    t2 = t2.masked_fill(q.probs == 1, math.inf).masked_fill(p.probs == 1, 0)
    return t1 + t2


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p: Categorical, q: Categorical) -> Tensor:
    t = p.probs * (p.logits - q.logits)
    t = t.masked_fill((q.probs == 0).expand_as(t), math.inf).masked_fill((p.probs == 0).expand_as(t), 0)
    return t.sum(-1)


@register_kl(Normal, Uniform)
def _kl_normal_uniform(p: Normal, q: Uniform) -> Tensor:
    return lg.full_like(p.loc, math.inf)  # (p reaches outside q's bounded support)


@register_kl(Uniform, Normal)
def _kl_uniform_normal(p: Uniform, q: Normal) -> Tensor:
    width = p.high - p.low
    t1 = (math.sqrt(math.pi * 2) * q.scale / width).log()
    t2 = width.pow(2) / 12
    t3 = ((p.high + p.low - 2 * q.loc) / 2).pow(2)
    return t1 + 0.5 * (t2 + t3) / q.scale.pow(2)


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p: Uniform, q: Uniform) -> Tensor:
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return result.masked_fill((q.low > p.low) | (q.high < p.high), math.inf)


@register_kl(Independent, Independent)
def _kl_independent_independent(p: Independent, q: Independent) -> Tensor:
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError
    return sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p: MultivariateNormal, q: MultivariateNormal) -> Tensor:
    """0.5 (tr(Sq^-1 Sp) + |Lq^-1 (mu_q - mu_p)|^2 - k) + log det Lq - log det Lp, through triangular solves."""
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two Multivariate Normals with different event shapes cannot be "
                         "computed")
    shape = lg.broadcast_shapes(p.batch_shape, q.batch_shape)
    lq = q._unbroadcasted_scale_tril.expand(*shape, *q.event_shape, *q.event_shape)
    lp = p._unbroadcasted_scale_tril.expand(*shape, *p.event_shape, *p.event_shape)
    trace = lg.linalg.solve_triangular(lq, lp, upper=False).pow(2).flatten(-2).sum(-1)
    diff = (q.loc - p.loc).expand(*shape, *p.event_shape).unsqueeze(-1)
    mahalanobis = lg.linalg.solve_triangular(lq, diff, upper=False).pow(2).flatten(-2).sum(-1)
    return q._half_log_det() - p._half_log_det() + 0.5 * (trace + mahalanobis - p.event_shape[0])
