"""NAdam: Adam with Nesterov momentum, its momentum schedule kept as a product in state."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import (Optimizer, advance_step, check_betas, check_lr, check_nonnegative, descent_direction,
                        new_state, scalar_state, scalar_value, to_scalar)


class NAdam(Optimizer):
    def __init__(self, params, lr: float | Tensor = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        check_lr(lr)
        check_nonnegative("epsilon", eps)
        check_betas(betas)
        check_nonnegative("weight_decay", weight_decay)
        check_nonnegative("momentum_decay", momentum_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: Tensor, group: dict[str, Any]) -> list[Tensor]:
        state = self.state[p]
        new_state(state, p, "exp_avg", "exp_avg_sq", mu_product=1.0)
        step = advance_step(state)
        lr, decay = to_scalar(group["lr"]), group["momentum_decay"]
        beta1, beta2 = group["betas"]
        g = descent_direction(p, grad, group)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * decay))
        # the product is a float32 tensor in torch, multiplied in float32: the same rounding here
        state["mu_product"] = scalar_state(np.float32(scalar_value(state["mu_product"])) * np.float32(mu))
        mu_product = scalar_value(state["mu_product"])
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.lerp_(g, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(g, g, value=1 - beta2)
        denom = exp_avg_sq.div(1 - beta2 ** step).sqrt().add(group["eps"])
        p.addcdiv_(g, denom, value=-lr * (1.0 - mu) / (1.0 - mu_product))
        p.addcdiv_(exp_avg, denom, value=-lr * mu_next / (1.0 - mu_product * mu_next))
        return [p, exp_avg, exp_avg_sq]
