"""Adadelta: a step scaled by the ratio of running RMS of past updates to that of gradients."""
from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .optimizer import Optimizer, advance_step, check_lr, check_nonnegative, descent_direction, new_state, to_scalar


class Adadelta(Optimizer):
    def __init__(self, params, lr: float | Tensor = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False) -> None:
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_nonnegative("epsilon", eps)
        check_nonnegative("weight_decay", weight_decay)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: Tensor, group: dict[str, Any]) -> list[Tensor]:
        state = self.state[p]
        new_state(state, p, "square_avg", "acc_delta")
        advance_step(state)
        rho, eps = group["rho"], group["eps"]
        g = descent_direction(p, grad, group)
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg.mul_(rho).addcmul_(g, g, value=1 - rho)
        delta = acc_delta.add(eps).sqrt().div(square_avg.add(eps).sqrt()).mul(g)
        acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
        p.add_(delta, alpha=-to_scalar(group["lr"]))
        return [p, square_avg, acc_delta]
