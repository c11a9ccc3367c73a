"""Rprop: per-element step sizes that grow while the gradient keeps its sign and shrink when it flips."""
from __future__ import annotations

from typing import Any

from ..creation import full_like, ones_like, zeros_like
from ..elementwise import where
from ..tensor import Tensor
from .optimizer import Optimizer, advance_step, check_lr, scalar_state, to_scalar


class Rprop(Optimizer):
    def __init__(self, params, lr: float | Tensor = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False) -> None:
        check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: Tensor, group: dict[str, Any]) -> list[Tensor]:
        state = self.state[p]
        if not state:
            state["step"] = scalar_state(0.0)
            state["prev"] = zeros_like(p)
            state["step_size"] = full_like(grad, to_scalar(group["lr"]))
        advance_step(state)
        (eta_minus, eta_plus), (size_min, size_max) = group["etas"], group["step_sizes"]
        g = -grad if group["maximize"] else grad
        prev, step_size = state["prev"], state["step_size"]
        agreement = g.mul(prev)
        one = ones_like(agreement)  # (the factors in the gradient's dtype, as torch writes them into its sign)
        factor = where(agreement > 0, one * eta_plus, where(agreement < 0, one * eta_minus, one))
        step_size.mul_(factor).clamp_(size_min, size_max)
        g = where(agreement < 0, 0.0, g)  # after a sign flip: no move now, and no flip seen next step
        p.addcmul_(g.sign(), step_size, value=-1)
        prev.copy_(g)
        return [p, prev, step_size]
