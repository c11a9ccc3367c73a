"""RMSprop: divide by a running root-mean-square of the gradient (optionally centered, with momentum)."""
from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .optimizer import Optimizer, advance_step, check_lr, check_nonnegative, descent_direction, new_state, to_scalar


class RMSprop(Optimizer):
    def __init__(self, params, lr: float | Tensor = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False) -> None:
        check_lr(lr)
        check_nonnegative("epsilon", eps)
        check_nonnegative("momentum", momentum)
        check_nonnegative("weight_decay", weight_decay)
        check_nonnegative("alpha", alpha)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach, maximize=maximize,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: Tensor, group: dict[str, Any]) -> list[Tensor]:
        state = self.state[p]
        new_state(state, p, "square_avg", *["momentum_buffer"] * (group["momentum"] > 0),
                  *["grad_avg"] * bool(group["centered"]))
        advance_step(state)
        lr, alpha, momentum = to_scalar(group["lr"]), group["alpha"], group["momentum"]
        g = descent_direction(p, grad, group)
        square_avg = state["square_avg"]
        square_avg.mul_(alpha).addcmul_(g, g, value=1 - alpha)
        written = [p, square_avg]
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg.lerp_(g, 1 - alpha)
            avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt()
            written.append(grad_avg)
        else:
            avg = square_avg.sqrt()
        avg = avg.add(group["eps"])
        if momentum > 0:
            buf = state["momentum_buffer"]
            buf.mul_(momentum).addcdiv_(g, avg)
            p.add_(buf, alpha=-lr)
            written.append(buf)
        else:
            p.addcdiv_(g, avg, value=-lr)
        return written
