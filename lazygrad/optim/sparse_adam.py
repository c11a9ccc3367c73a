"""SparseAdam: Adam for sparse gradients (an embedding's with sparse=True). Only the entries a gradient holds
have their moments and values updated, so rows a batch does not look up keep their state, as in torch."""
from __future__ import annotations

import math
from typing import Any

from ..creation import zeros_like
from ..tensor import Tensor
from .optimizer import Optimizer, to_scalar


class SparseAdam(Optimizer):
    """Moments kept dense; each step reads and writes them at the gradient's (coalesced) entries only."""

    def __init__(self, params, lr: float | Tensor = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, maximize: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))
        for kind, message in (("is_sparse", "SparseAdam requires dense parameter tensors"),
                              ("is_complex", "SparseAdam does not support complex parameters")):
            at = [[g, i] for g, group in enumerate(self.param_groups) for i, p in enumerate(group["params"])
                  if (p.is_sparse if kind == "is_sparse" else p.is_complex())]
            if at:
                raise ValueError(f"{'Sparse' if kind == 'is_sparse' else 'Complex'} params at indices {at}: {message}")

    def _check_sparse_gradients(self) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None and not p.grad.is_sparse:
                    raise RuntimeError("SparseAdam does not support dense gradients, please consider Adam instead")

    def _update(self, p: Tensor, grad: Tensor, group: dict[str, Any]) -> list[Tensor]:
        from ..sparse.construction import sparse_coo_tensor
        state = self.state[p]
        if not state:
            state.update(step=0, exp_avg=zeros_like(p), exp_avg_sq=zeros_like(p))
        state["step"] += 1
        step, lr, eps = state["step"], to_scalar(group["lr"]), group["eps"]
        beta1, beta2 = group["betas"]
        g = (-grad if group["maximize"] else grad).coalesce()
        indices, values = g._indices(), g._values()

        def at_entries(v: Tensor):
            return sparse_coo_tensor(indices, v, g.shape, is_coalesced=True)

        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        old_avg = exp_avg.sparse_mask(g)._values()
        avg_update = (values - old_avg) * (1 - beta1)
        exp_avg.add_(at_entries(avg_update))
        old_sq = exp_avg_sq.sparse_mask(g)._values()
        sq_update = (values * values - old_sq) * (1 - beta2)
        exp_avg_sq.add_(at_entries(sq_update))
        denom = (sq_update + old_sq).sqrt() + eps
        step_size = lr * math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
        p.add_(at_entries((avg_update + old_avg) / denom * -step_size))
        return [p, exp_avg, exp_avg_sq]
