"""ASGD: SGD with a decaying step and a running average of the iterates (in state['ax'])."""
from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .optimizer import (Optimizer, advance_step, check_lr, check_nonnegative, descent_direction, new_state,
                        scalar_state, scalar_value, to_scalar)


class ASGD(Optimizer):
    """eta and mu are float32 scalar tensors in state, as in torch; the step uses last step's values."""

    def __init__(self, params, lr: float | Tensor = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        check_lr(lr)
        check_nonnegative("weight_decay", weight_decay)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: Tensor, group: dict[str, Any]) -> list[Tensor]:
        lr, lambd = to_scalar(group["lr"]), group["lambd"]
        state = self.state[p]
        new_state(state, p, "ax", eta=lr, mu=1.0)
        step = advance_step(state)
        g = descent_direction(p, grad, group)
        eta, mu, ax = scalar_value(state["eta"]), scalar_value(state["mu"]), state["ax"]
        p.mul_(1 - lambd * eta)
        p.add_(g, alpha=-eta)
        if mu != 1:
            ax.lerp_(p, mu)
        else:
            ax.copy_(p)
        state["eta"] = scalar_state(lr / (1 + lambd * lr * step) ** group["alpha"])
        state["mu"] = scalar_state(1 / max(1, step - group["t0"]))
        return [p, ax]
