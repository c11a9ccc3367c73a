"""Adamax: Adam with the infinity norm (a running maximum) in place of the second moment."""
from __future__ import annotations

from typing import Any

from ..elementwise import maximum
from ..tensor import Tensor
from .optimizer import (Optimizer, advance_step, check_betas, check_lr, check_nonnegative, descent_direction,
                        new_state, to_scalar)


class Adamax(Optimizer):
    def __init__(self, params, lr: float | Tensor = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, capturable: bool = False) -> None:
        check_lr(lr)
        check_nonnegative("epsilon", eps)
        check_betas(betas)
        check_nonnegative("weight_decay", weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: Tensor, group: dict[str, Any]) -> list[Tensor]:
        state = self.state[p]
        new_state(state, p, "exp_avg", "exp_inf")
        step = advance_step(state)
        beta1, beta2 = group["betas"]
        g = descent_direction(p, grad, group)
        exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
        exp_avg.lerp_(g, 1 - beta1)
        exp_inf.copy_(maximum(exp_inf.mul(beta2), g.abs().add(group["eps"])))
        p.addcdiv_(exp_avg, exp_inf, value=-to_scalar(group["lr"]) / (1 - beta1 ** step))
        return [p, exp_avg, exp_inf]
