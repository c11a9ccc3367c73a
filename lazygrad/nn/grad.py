"""torch.nn.grad: the gradients of a convolution with respect to its input or its weight, given the gradient
of its output. A convolution is linear in each, so each is the backward pass of one convolution."""
from __future__ import annotations

from collections.abc import Sequence

from ..autograd import grad
from ..creation import zeros
from ..tensor import Tensor
from .functional import conv1d, conv2d, conv3d

__all__ = ["conv1d_input", "conv1d_weight", "conv2d_input", "conv2d_weight", "conv3d_input", "conv3d_weight"]

_CONVOLUTIONS = {1: conv1d, 2: conv2d, 3: conv3d}


def _input_grad(n: int, input_size: Sequence[int], weight: Tensor, grad_output: Tensor, stride, padding, dilation,
                groups: int) -> Tensor:
    x = zeros(tuple(input_size), dtype=grad_output.dtype, device=grad_output.device, requires_grad=True)
    out = _CONVOLUTIONS[n](x, weight.detach(), None, stride, padding, dilation, groups)
    return grad(out, x, grad_output)[0]


def _weight_grad(n: int, input: Tensor, weight_size: Sequence[int], grad_output: Tensor, stride, padding, dilation,
                 groups: int) -> Tensor:
    w = zeros(tuple(weight_size), dtype=grad_output.dtype, device=grad_output.device, requires_grad=True)
    out = _CONVOLUTIONS[n](input.detach(), w, None, stride, padding, dilation, groups)
    return grad(out, w, grad_output)[0]


def _input_fn(n: int):
    def conv_input(input_size: Sequence[int], weight: Tensor, grad_output: Tensor, stride=1, padding=0, dilation=1,
                   groups: int = 1) -> Tensor:
        return _input_grad(n, input_size, weight, grad_output, stride, padding, dilation, groups)
    conv_input.__name__ = conv_input.__qualname__ = f"conv{n}d_input"
    conv_input.__doc__ = f"The gradient of conv{n}d(input, weight) with respect to its input (of input_size)."
    return conv_input


def _weight_fn(n: int):
    def conv_weight(input: Tensor, weight_size: Sequence[int], grad_output: Tensor, stride=1, padding=0, dilation=1,
                    groups: int = 1) -> Tensor:
        return _weight_grad(n, input, weight_size, grad_output, stride, padding, dilation, groups)
    conv_weight.__name__ = conv_weight.__qualname__ = f"conv{n}d_weight"
    conv_weight.__doc__ = f"The gradient of conv{n}d(input, weight) with respect to its weight (of weight_size)."
    return conv_weight


conv1d_input, conv2d_input, conv3d_input = (_input_fn(n) for n in (1, 2, 3))
conv1d_weight, conv2d_weight, conv3d_weight = (_weight_fn(n) for n in (1, 2, 3))
