"""unfold (im2col) and fold (col2im): an image's sliding blocks as columns and back.

Each is one convolution with one-hot kernels (fold a transposed one, one group per channel), so their
gradients, each other's adjoint, are convolutions too. Their arguments are checked as torch's im2col and
col2im check them, in the same order: the parser, each pair's length, each pair's least value, the input's
dims, then the blocks the sizes make.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from ...autograd.composite import recorded_as
from ...dtypes import bool_, int32, torch_name
from ...int_parameters import int_list
from ...tensor import Tensor
from .convolution import convolution

__all__ = ["unfold", "fold"]

IntOrTuple = int | Sequence[int]

# parameter: its least value, torch's words when either of its two values is below, the label of the two
_LEAST = {
    "kernel_size": (1, "kernel size should be greater than zero", "kernel"),
    "dilation": (1, "dilation should be greater than zero", "dilation"),
    "padding": (0, "padding should be non-negative", "pad"),
    "stride": (1, "stride should be greater than zero", "stride"),
}


def _pairs(op: str, first_position: int, **named) -> dict[str, list[int]]:
    """Each argument as torch's _pair makes it (an int for both dims) and op's parser reads it, then held to
    two values."""
    pairs = {name: int_list(value if isinstance(value, Iterable) else (value, value), op, name, position)
             for position, (name, value) in enumerate(named.items(), first_position)}
    for name, values in pairs.items():
        if len(values) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(values)}")
    return pairs


def _check_least(pairs: dict[str, list[int]], order: Sequence[str]) -> None:
    for name in order:
        least, words, label = _LEAST[name]
        height, width = pairs[name]
        if height < least or width < least:
            raise RuntimeError(f"{words}, but got {label}_height: {height} {label}_width: {width}")


def _blocks(sizes: Sequence[int], p: dict[str, list[int]]) -> list[int]:
    """How many windows fit along each dim (torch rounds the division down, also below zero)."""
    return [(n + 2 * pad - dil * (k - 1) - 1) // s + 1
            for n, pad, dil, k, s in zip(sizes, p["padding"], p["dilation"], p["kernel_size"], p["stride"])]


def _listed(values: Sequence[int]) -> str:
    return f"({', '.join(map(str, values))})"


def _check_dtype(input: Tensor, op: str) -> None:
    """torch's kernels take floating, complex and bool tensors, no other integers."""
    if input.dtype.is_integer:
        raise NotImplementedError(f"\"{op}_out_{input.device.type}\" not implemented for '{torch_name(input.dtype)}'")


def _one_hot(kernel: Sequence[int], like: Tensor) -> Tensor:
    """(prod(kernel), 1, *kernel): kernel j picks the window's j-th element."""
    import lazygrad as lg
    k = math.prod(kernel)
    return lg.eye(k, dtype=like.dtype, device=like.device).reshape(k, 1, *kernel)


@recorded_as("Im2ColBackward0")
def unfold(input: Tensor, kernel_size: IntOrTuple, dilation: IntOrTuple = 1, padding: IntOrTuple = 0,
           stride: IntOrTuple = 1) -> Tensor:
    """im2col: (B, C * prod(kernel), L), every window of the padded input as a column."""
    p = _pairs("im2col", 2, kernel_size=kernel_size, dilation=dilation, padding=padding, stride=stride)
    _check_least(p, ("kernel_size", "dilation", "padding", "stride"))
    non_empty = input.size(1) != 0 and input.size(2) != 0  # (torch's size() errors for fewer dims)
    if not ((input.ndim == 3 and input.size(0) != 0 and non_empty) or
            (input.ndim == 4 and non_empty and input.size(3) != 0)):
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
                           f"dimensions for input, but got: {list(input.shape)}")
    sizes = input.shape[-2:]
    blocks = _blocks(sizes, p)
    if min(blocks) < 1:
        raise RuntimeError(f"Given input with spatial size {_listed(sizes)}, kernel_size={_listed(p['kernel_size'])}"
                           f", dilation={_listed(p['dilation'])}, padding={_listed(p['padding'])}, calculated shape "
                           f"of the array of sliding blocks as {_listed(blocks)}, but its components must be at "
                           "least one.")
    _check_dtype(input, "im2col")
    if input.dtype is bool_:
        return _im2col(input.to(int32), p, blocks).to(bool_)
    return _im2col(input, p, blocks)


def _im2col(input: Tensor, p: dict[str, list[int]], blocks: list[int]) -> Tensor:
    x = input if input.ndim == 4 else input.unsqueeze(0)
    batch, channels = x.shape[:2]
    kernel = p["kernel_size"]
    cols = convolution(x.reshape(batch * channels, 1, *x.shape[2:]), _one_hot(kernel, x), None, p["stride"],
                       p["padding"], p["dilation"], False, [0, 0], 1)
    cols = cols.reshape(batch, channels * math.prod(kernel), math.prod(blocks))
    return cols if input.ndim == 4 else cols.squeeze(0)


@recorded_as("Col2ImBackward0")
def fold(input: Tensor, output_size: IntOrTuple, kernel_size: IntOrTuple, dilation: IntOrTuple = 1,
         padding: IntOrTuple = 0, stride: IntOrTuple = 1) -> Tensor:
    """col2im, the adjoint of unfold: each column's values added back at its window."""
    p = _pairs("col2im", 2, output_size=output_size, kernel_size=kernel_size, dilation=dilation, padding=padding,
               stride=stride)
    _check_least(p, ("kernel_size", "stride", "dilation", "padding"))
    if not ((input.ndim == 2 and 0 not in input.shape) or (input.ndim == 3 and 0 not in input.shape[1:])):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero "
                           f"dimensions for input, but got: {list(input.shape)}")
    size, kernel = p["output_size"], p["kernel_size"]
    columns, length = input.shape[-2:]
    if columns % math.prod(kernel):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
                           f"got input.size(1)={columns} and kernel_size={_listed(kernel)}.")
    blocks = _blocks(size, p)
    settings = (f"Given output_size={_listed(size)}, kernel_size={_listed(kernel)}, dilation={_listed(p['dilation'])}"
                f", padding={_listed(p['padding'])}, stride={_listed(p['stride'])}, ")
    if length != math.prod(blocks):
        raise RuntimeError(f"{settings}expected size of input's dimension 2 to match the calculated number of sliding "
                           f"blocks {blocks[0]} * {blocks[1]} = {math.prod(blocks)}, but got input.size(2)={length}.")
    if min(blocks) < 1:
        raise RuntimeError(f"{settings}calculated shape of the array of sliding blocks as {_listed(blocks)}, which is "
                           "too small (non-positive)")
    if min(size) < 1:
        raise RuntimeError(f"Expected output spatial size to be positive, but got: output_size={_listed(size)}.")
    _check_dtype(input, "col2im")
    if input.dtype is bool_:
        return _col2im(input.to(int32), p, blocks) != 0
    return _col2im(input, p, blocks)


def _col2im(input: Tensor, p: dict[str, list[int]], blocks: list[int]) -> Tensor:
    cols = input if input.ndim == 3 else input.unsqueeze(0)
    size, kernel = p["output_size"], p["kernel_size"]
    channels = cols.shape[1] // math.prod(kernel)
    one_hot = _one_hot(kernel, input).repeat(channels, 1, 1, 1)
    spread = cols.reshape(cols.shape[0], cols.shape[1], *blocks)
    natural = [(b - 1) * s - 2 * pad + d * (k - 1) + 1
               for b, s, pad, d, k in zip(blocks, p["stride"], p["padding"], p["dilation"], kernel)]
    extra = [n - m for n, m in zip(size, natural)]
    out = convolution(spread, one_hot, None, p["stride"], p["padding"], p["dilation"], True, extra, channels)
    return out if input.ndim == 3 else out.squeeze(0)
