"""Adam and AdamW (Adam with decoupled weight decay), with amsgrad and maximize."""
from __future__ import annotations

from typing import Any

from ..elementwise import maximum
from ..tensor import Tensor
from .optimizer import (Optimizer, advance_step, check_betas, check_fused, check_lr, check_nonnegative,
                        descent_direction, new_state, to_scalar)


def check_adam_options(lr, betas, eps, weight_decay, foreach, capturable) -> tuple:
    """torch's Adam checks; tensor betas become Python numbers as torch makes them."""
    if isinstance(lr, Tensor) and foreach and not capturable:
        raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")
    check_lr(lr)
    check_nonnegative("epsilon", eps)
    check_betas(betas)
    check_nonnegative("weight_decay", weight_decay)
    if not (all(isinstance(b, float) for b in betas) or all(isinstance(b, Tensor) for b in betas)):
        raise ValueError("betas must be either both floats or both Tensors")
    for i, beta in enumerate(betas):
        if isinstance(beta, Tensor):
            if foreach and not capturable:
                raise ValueError(f"betas[{i}] as a Tensor is not supported for capturable=False and foreach=True")
            if beta.numel() != 1:
                raise ValueError(f"Tensor betas[{i}] must be 1-element")
    return tuple(to_scalar(b) for b in betas)


class Adam(Optimizer):
    """Moments by lerp and a fused multiply-add; bias corrections are Python numbers from the step count."""

    _sparse_refusal = "Adam does not support sparse gradients, please consider SparseAdam instead"

    def __init__(self, params, lr: float | Tensor = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        betas = check_adam_options(lr, betas, eps, weight_decay, foreach, capturable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        check_fused(fused, foreach, differentiable)

    def _update(self, p: Tensor, grad: Tensor, group: dict[str, Any]) -> list[Tensor]:
        state = self.state[p]
        new_state(state, p, "exp_avg", "exp_avg_sq", *["max_exp_avg_sq"] * bool(group["amsgrad"]))
        lr, eps = to_scalar(group["lr"]), group["eps"]
        beta1, beta2 = group["betas"]
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        step = advance_step(state)
        g = descent_direction(p, grad, group)
        exp_avg.lerp_(g, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(g, g, value=1 - beta2)
        written = [p, exp_avg, exp_avg_sq]
        second = exp_avg_sq
        if group["amsgrad"]:
            second = state["max_exp_avg_sq"]
            second.copy_(maximum(second, exp_avg_sq))
            written.append(second)
        denom = (second.sqrt() / (1 - beta2 ** step) ** 0.5).add(eps)
        p.addcdiv_(exp_avg, denom, value=-lr / (1 - beta1 ** step))
        return written


class AdamW(Adam):
    """Adam whose weight decay shrinks the parameter directly instead of adding to the gradient."""

    def __init__(self, params, lr: float | Tensor = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
