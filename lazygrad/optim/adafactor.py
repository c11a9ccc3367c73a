"""Adafactor (Shazeer & Stern, 2018) as torch implements it: a matrix's second moment is kept factored as row
and column means, the step size is relative to the parameter's RMS, and the update's RMS is clipped at d.
torch reads the two norms back with .item(); here they stay lazy 0-d tensors, so the whole update is still
one realized schedule with no round trip."""
from __future__ import annotations

from typing import Any

from ..creation import zeros
from ..dtype_info import finfo
from ..elementwise import maximum
from ..tensor import Tensor
from .optimizer import Optimizer, advance_step, new_state, to_scalar


class Adafactor(Optimizer):
    def __init__(self, params, lr: float | Tensor = 1e-2, beta2_decay: float = -0.8,
                 eps: tuple[float | None, float] = (None, 1e-3), d: float = 1.0, weight_decay: float = 0.0, *,
                 foreach: bool | None = None, maximize: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        checks = [(0.0 <= lr, f"Learning rate should be >= 0 but is: {lr}"),
                  (0.0 >= beta2_decay, f"beta2_decay should be <= 0 but is: {beta2_decay}"),
                  (eps[0] is None or 0.0 <= eps[0], f"epsilon1 should be >= 0 but is: {eps[0]}"),
                  (0.0 <= eps[1], f"epsilon2 should be >= 0 but is: {eps[1]}"),
                  (1.0 <= d, f"Clipping threshold d should be >= 1 but is: {d}"),
                  (0.0 <= weight_decay, f"weight_decay should be >= 0 but is: {weight_decay}")]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: Tensor, group: dict[str, Any]) -> list[Tensor]:
        state = self.state[p]
        if not state:
            new_state(state, p, *([] if grad.ndim > 1 else ["variance"]))
            if grad.ndim > 1:
                state["row_var"] = zeros(*grad.shape[:-1], 1, dtype=grad.dtype, device=grad.device)
                state["col_var"] = zeros(*grad.shape[:-2], 1, grad.shape[-1], dtype=grad.dtype, device=grad.device)
        lr, d, weight_decay = to_scalar(group["lr"]), group["d"], group["weight_decay"]
        eps1, eps2 = group["eps"]
        eps1 = finfo(p.dtype).eps if eps1 is None else eps1
        g = -grad if group["maximize"] else grad
        step = advance_step(state)
        decay = step ** group["beta2_decay"]
        relative = min(lr, 1 / step ** 0.5)
        alpha = maximum(p.norm(2) / p.numel() ** 0.5, p.new_tensor(eps2)) * relative
        if weight_decay != 0:
            p.mul_(1 - lr * weight_decay)
        if g.ndim > 1:
            row_var, col_var = state["row_var"], state["col_var"]
            row_var.lerp_(g.norm(dim=-1, keepdim=True).square() / g.shape[-1], decay)
            col_var.lerp_(g.norm(dim=-2, keepdim=True).square() / g.shape[-2], decay)
            estimate = (row_var @ col_var) / row_var.mean(dim=-2, keepdim=True).clamp(min=eps1)
            written = [p, row_var, col_var]
        else:
            variance = state["variance"]
            variance.lerp_(g * g, decay)
            estimate = variance.clone()
            written = [p, variance]
        update = estimate.clamp(min=eps1 * eps1).rsqrt() * g
        clip = maximum(update.norm(2) / (update.numel() ** 0.5 * d), p.new_tensor(1.0))
        p.sub_(update * (alpha / clip))
        return written
