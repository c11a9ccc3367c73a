"""Adagrad: divide by the root of the summed squared gradients, with a decaying learning rate."""
from __future__ import annotations

from typing import Any

from ..creation import full_like
from ..tensor import Tensor
from .optimizer import (Optimizer, advance_step, check_fused, check_lr, check_nonnegative, descent_direction,
                        scalar_state, to_scalar)


class Adagrad(Optimizer):
    """State is made for every parameter at construction, as torch makes it."""

    _sparse_refusal = None

    def __init__(self, params, lr: float | Tensor = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, fused: bool | None = None) -> None:
        check_lr(lr)
        check_nonnegative("lr_decay", lr_decay)
        check_nonnegative("weight_decay", weight_decay)
        check_nonnegative("initial_accumulator_value", initial_accumulator_value)
        check_nonnegative("epsilon", eps)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        check_fused(fused, foreach, differentiable)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = scalar_state(0.0)
                state["sum"] = full_like(p, group["initial_accumulator_value"])

    def _update(self, p: Tensor, grad: Tensor, group: dict[str, Any]) -> list[Tensor]:
        state = self.state[p]
        step = advance_step(state)
        clr = to_scalar(group["lr"]) / (1 + (step - 1) * group["lr_decay"])
        total = state["sum"]
        if grad.is_sparse:
            return self._sparse_update(p, grad, group, clr, total)
        g = descent_direction(p, grad, group)
        total.addcmul_(g, g, value=1)
        p.addcdiv_(g, total.sqrt().add(group["eps"]), value=-clr)
        return [p, total]

    def _sparse_update(self, p: Tensor, grad: Tensor, group: dict[str, Any], clr: float,
                       total: Tensor) -> list[Tensor]:
        """Only the rows (entries) the gradient holds: their sums grow and they move, the others stay."""
        from ..sparse.construction import sparse_coo_tensor
        if to_scalar(group["weight_decay"]) != 0:
            raise RuntimeError("weight_decay option is not compatible with sparse gradients")
        g = (-grad if group["maximize"] else grad).coalesce()
        total.add_(g.pow(2))
        std = total.sparse_mask(g)._values().sqrt().add(group["eps"])
        p.add_(sparse_coo_tensor(g._indices(), g._values() / std, g.shape, is_coalesced=True), alpha=-clr)
        return [p, total]
