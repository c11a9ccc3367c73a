"""torch's legacy cross-map local response normalization (the op behind nn.CrossMapLRN2d), with its forward
and its hand-written backward as torch has them, quirks included.

Channel c is scaled by (k + alpha / size * the sum of squares over its window of channels) ** -beta. The
forward's window is the channels within (size - 1) // 2 of c, plus channel 0, which torch's running sum
never drops; the backward sums over a window shifted one channel back. The backward is therefore not the
derivative of the forward: it is torch's, so that training with it follows torch.
"""
from __future__ import annotations

import numpy as np

import lazygrad as lg

from ...autograd import Function
from ...tensor import Tensor

__all__: list[str] = []


def _across_channels(x: Tensor, window: np.ndarray) -> Tensor:
    """out[:, c] = the sum of x[:, j] over the channels j with window[c, j]."""
    member = lg.tensor(window.T.astype(x.dtype.np), device=x.device)
    return (x.movedim(1, -1) @ member).movedim(-1, 1)


class CrossMapLRN2d(Function):
    """The op: forward(input, size, alpha, beta, k) on (N, C, H, W) input, torch's backward."""

    @staticmethod
    def forward(ctx, input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1) -> Tensor:
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
        reach = int((size - 1) / 2 + 1)
        c = np.arange(input.shape[1])
        window = (np.abs(c[:, None] - c[None, :]) < reach) | (c[None, :] == 0)
        ctx.size, ctx.alpha, ctx.beta = size, alpha, beta
        ctx.scale = _across_channels(input * input, window) * (alpha / size) + k
        output = ctx.scale.pow(-beta) * input
        ctx.save_for_backward(input, output)
        return output

    @staticmethod
    def backward(ctx, grad_output: Tensor) -> tuple:
        input, output = ctx.saved_tensors
        channels, size = input.shape[1], ctx.size
        behind = int(size - (size - 1) / 2)
        if behind > size - 1:  # torch's backward cannot place its padded ratios
            raise RuntimeError(f"start ({behind}) + length ({channels}) exceeds dimension size "
                               f"({channels + size - 1}).")
        c = np.arange(channels)
        window = (c[None, :] >= c[:, None] - behind) & (c[None, :] <= c[:, None] + size - 1 - behind)
        accumulated = _across_channels(grad_output * output / ctx.scale, window)
        grad = ctx.scale.pow(-ctx.beta) * grad_output - (2 * ctx.alpha * ctx.beta / size) * input * accumulated
        return grad, None, None, None, None
