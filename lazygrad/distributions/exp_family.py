"""The ExponentialFamily base: densities exp(<t(x), theta> - F(theta) + k(x)), whose entropy (and KL
divergence within a family) follows from the log-normalizer F by differentiating it (a Bregman divergence)."""
from __future__ import annotations

import lazygrad as lg

from ..tensor import Tensor
from .distribution import Distribution


class ExponentialFamily(Distribution):
    """Subclasses give _natural_params (theta), _log_normalizer (F) and _mean_carrier_measure (E[k(x)])."""

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        raise NotImplementedError

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self) -> float:
        raise NotImplementedError

    def entropy(self) -> Tensor:
        """F(theta) - <theta, grad F(theta)> - E[k(x)], the gradient taken by autograd."""
        params = [p.detach().requires_grad_() for p in self._natural_params]
        with lg.enable_grad():
            normalizer = self._log_normalizer(*params)
            gradients = lg.autograd.grad(normalizer.sum(), params, create_graph=True)
        result = normalizer - self._mean_carrier_measure
        for param, gradient in zip(params, gradients):
            result = result - (param * gradient).reshape(*self._batch_shape, -1).sum(-1)
        return result
