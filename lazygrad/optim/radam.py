"""RAdam: Adam whose adaptive term is switched on, rectified, once its variance is tractable."""
from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .optimizer import (Optimizer, advance_step, check_betas, check_lr, check_nonnegative, descent_direction,
                        new_state, to_scalar)


class RAdam(Optimizer):
    def __init__(self, params, lr: float | Tensor = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        check_lr(lr)
        check_nonnegative("epsilon", eps)
        check_betas(betas)
        check_nonnegative("weight_decay", weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: Tensor, group: dict[str, Any]) -> list[Tensor]:
        state = self.state[p]
        new_state(state, p, "exp_avg", "exp_avg_sq")
        step = advance_step(state)
        lr = to_scalar(group["lr"])
        beta1, beta2 = group["betas"]
        g = descent_direction(p, grad, group)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.lerp_(g, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(g, g, value=1 - beta2)
        bias_correction2 = 1 - beta2 ** step
        update = exp_avg / (1 - beta1 ** step) * lr
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * beta2 ** step / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            update = update * (bias_correction2 ** 0.5 / exp_avg_sq.sqrt().add(group["eps"])) * rect
        p.add_(update, alpha=-1.0)
        return [p, exp_avg, exp_avg_sq]
