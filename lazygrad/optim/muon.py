"""Muon: momentum SGD for 2-D parameters whose update is orthogonalized (the Newton-Schulz iteration takes
the update towards U V^T of its SVD, in bfloat16 as torch computes it), with decoupled weight decay."""
from __future__ import annotations

import math
from typing import Any

from ..dtypes import bfloat16
from ..products import addmm
from ..tensor import Tensor
from .optimizer import Optimizer, to_scalar

# the quintic iteration's coefficients (chosen to raise small singular values fastest) and its length
NS_COEFFICIENTS = (3.4445, -4.775, 2.0315)
NS_STEPS = 5

_LR_RATIOS = {  # how the learning rate scales with an (A, B) parameter's shape
    None: lambda a, b: math.sqrt(max(1, a / b)), "original": lambda a, b: math.sqrt(max(1, a / b)),
    "match_rms_adamw": lambda a, b: 0.2 * math.sqrt(max(a, b)),
}


def zeropower_via_newtonschulz(grad: Tensor, ns_coefficients: tuple[float, float, float], ns_steps: int,
                               eps: float) -> Tensor:
    """grad with its singular values pushed towards 1 (roughly into [0.5, 1.5]), in bfloat16: the iteration
    X <- a X + (b A + c A^2) X, A = X X^T, from X = grad / |grad|, on the wide orientation."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if grad.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = ns_coefficients
    tall = grad.size(0) > grad.size(1)
    x = grad.to(bfloat16)
    x = x.T if tall else x
    x = x / x.norm().clamp(min=eps)
    for _ in range(ns_steps):
        gram = x @ x.T
        x = addmm(x, addmm(gram, gram, gram, beta=b, alpha=c), x, beta=a)
    return x.T if tall else x


class Muon(Optimizer):
    """torch.optim.Muon: 2-D parameters only; buf = lerp(buf, g, 1 - momentum), the update is the
    orthogonalized lerp(g, buf, momentum) (Nesterov) or buf, scaled by the shape's learning-rate ratio."""

    def __init__(self, params, lr: float | Tensor = 1e-3, weight_decay: float = 0.1, momentum: float = 0.95,
                 nesterov: bool = True, ns_coefficients: tuple[float, float, float] = NS_COEFFICIENTS,
                 eps: float = 1e-7, ns_steps: int = NS_STEPS, adjust_lr_fn: str | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        for name, value in (("Learning rate", lr), ("momentum", momentum), ("weight decay", weight_decay)):
            if not 0.0 <= value:
                raise ValueError(f"{name} should be >= 0 but is: {value}")
        if adjust_lr_fn not in _LR_RATIOS:
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                        ns_coefficients=ns_coefficients, eps=eps, ns_steps=ns_steps, adjust_lr_fn=adjust_lr_fn)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(f"Muon only supports 2D parameters whereas we found a parameter with size: "
                                     f"{p.size()}")

    def _update(self, p: Tensor, grad: Tensor, group: dict[str, Any]) -> list[Tensor]:
        lr, momentum = to_scalar(group["lr"]), group["momentum"]
        if grad.ndim != 2:
            raise ValueError("Param gradient must be a 2D matrix")
        state = self.state[p]
        buf = state.get("momentum_buffer")
        if buf is None:
            buf = state["momentum_buffer"] = grad.new_zeros(grad.shape)
        buf.lerp_(grad, 1 - momentum)
        update = grad.lerp(buf, momentum) if group["nesterov"] else buf
        update = zeropower_via_newtonschulz(update, group["ns_coefficients"], group["ns_steps"], group["eps"])
        p.mul_(1 - lr * group["weight_decay"])
        p.add_(update, alpha=-lr * _LR_RATIOS[group["adjust_lr_fn"]](*p.shape[:2]))
        return [p, buf]
