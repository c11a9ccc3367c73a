"""torch.nn.functional.pad. Constant padding is one lazy view (a masked read, differentiable as a crop);
reflect, replicate and circular padding are concatenations of narrowed, flipped or expanded views, so
they fuse into one kernel and their gradients are pads and sums, never scatters."""
from __future__ import annotations

from collections.abc import Sequence

from ... import graph
from ...autograd.record import differentiable
from ...movement import in_format_of
from ...dtypes import bool_
from ...int_parameters import int_list
from ...ops import Op
from ...tensor import Tensor
from ...tensor_parameters import tensor_parameters
from ...autograd.composite import recorded_as

__all__ = ["pad", "constant_pad_nd"]

_COMBINATIONS = ("Supported combinations for non-constant padding:\n"
                 "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                 "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                 "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def _pairs(pad: Sequence[int], ndim: int) -> list[tuple[int, int]]:
    """torch's flat (last-dim-first) pad list as one (before, after) pair per dim of the input."""
    pairs = [(0, 0)] * (ndim - len(pad) // 2)
    return pairs + [(pad[2 * i], pad[2 * i + 1]) for i in reversed(range(len(pad) // 2))]


@tensor_parameters("input")
@differentiable("constant_pad_nd")
def constant_pad_nd(input: Tensor, pad: Sequence[int], value: float = 0) -> Tensor:
    """input padded with `value` (negative pads crop): a masked view of input, no copy."""
    pad = int_list(pad, "pad", "pad", 2)
    if len(pad) % 2:
        raise RuntimeError("Length of pad must be even but instead it equals " + str(len(pad)))
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(f"Length of pad should be no more than twice the number of dimensions of the input. "
                           f"Pad length is {len(pad)} while the input has {input.ndim} dimensions.")
    pairs = _pairs(pad, input.ndim)
    for d, ((lo, hi), size) in enumerate(zip(pairs, input.shape)):
        if size + lo + hi < 0 or size + min(lo, 0) < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
    node = graph.shrink(input.lazy, tuple((-min(lo, 0), s + min(hi, 0)) for (lo, hi), s in zip(pairs, input.shape)))
    grow = tuple((max(lo, 0), max(hi, 0)) for lo, hi in pairs)
    padded = graph.pad(node, grow)
    if value != 0 and padded is not node:
        inside = graph.pad(graph.const(True, bool_, node.shape), grow)
        padded = graph.alu(Op.WHERE, inside, padded, graph.const(value, input.dtype, padded.shape))
    return in_format_of(Tensor._from_node(padded, input._storage.device), input)


def constant_pad_backward(c, g: Tensor) -> tuple:
    """The gradient of constant_pad_nd: g cropped back (pads negated), itself differentiable."""
    return (constant_pad_nd(g, [-p for p in c.args[1]]), None, None)


def _reflect(x: Tensor, d: int, lo: int, hi: int) -> Tensor:
    n = x.shape[d]
    return _joined([x.narrow(d, 1, lo).flip(d)] if lo else [], x,
                   [x.narrow(d, n - 1 - hi, hi).flip(d)] if hi else [], d)


def _replicate(x: Tensor, d: int, lo: int, hi: int) -> Tensor:
    n = x.shape[d]

    def edge(i, k):
        shape = list(x.shape)
        shape[d] = k
        return [x.narrow(d, i, 1).expand(shape)] if k else []
    return _joined(edge(0, lo), x, edge(n - 1, hi), d)


def _circular(x: Tensor, d: int, lo: int, hi: int) -> Tensor:
    n = x.shape[d]
    return _joined([x.narrow(d, n - lo, lo)] if lo else [], x, [x.narrow(d, 0, hi)] if hi else [], d)


def _joined(before: list, x: Tensor, after: list, d: int) -> Tensor:
    import lazygrad as lg
    parts = before + [x] + after
    return lg.cat(parts, d) if len(parts) > 1 else x


_MODES = {"reflect": _reflect, "replicate": _replicate, "circular": _circular}


def _check_mode(x: Tensor, mode: str, pairs: list[tuple[int, int]], n: int) -> None:
    """torch's errors for padding sizes the non-constant modes refuse."""
    if x.ndim not in (n + 1, n + 2):
        raise NotImplementedError(f"Padding size {2 * n} is not supported for {x.ndim}D input tensor.\n{_COMBINATIONS}")
    if mode != "circular" and any(s == 0 for s in x.shape[1:]):
        raise RuntimeError(f"Expected {n + 1}D or {n + 2}D (batch mode) tensor with possibly 0 batch size and other "
                           f"non-zero dimensions for input, but got: {list(x.shape)}")
    for d in range(x.ndim - n, x.ndim):
        lo, hi = pairs[d]
        size = x.shape[d]
        if mode == "reflect" and (lo >= size or hi >= size):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({lo}, {hi}) at dimension {d} of input {list(x.shape)}")
        if mode == "circular" and (lo > size or hi > size):
            raise RuntimeError("Padding value causes wrapping around more than once.")


# (torch pads circularly by copying slices into a new tensor: its node is the last copy's)
_PAD_NODES = {"reflect": "ReflectionPad{}DBackward0", "replicate": "ReplicationPad{}DBackward0",
              "circular": "CopySlices"}


def _pad_node(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> str | None:
    """torch's node for the reflect, replicate and circular modes (constant padding records its own op)."""
    form = _PAD_NODES.get(mode)
    return form.format(len(pad) // 2) if form else None


@recorded_as(_pad_node)
def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:
    """torch.nn.functional.pad: pad[2i], pad[2i+1] pad the i-th dim from the end before and after."""
    pad = int_list(pad, "pad", "pad", 2)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.ndim}")
    if mode == "constant":
        return constant_pad_nd(input, pad, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    n = len(pad) // 2
    pairs = _pairs(pad, input.ndim)
    _check_mode(input, mode, pairs, n)
    crop = [0] * (2 * n)
    crop[::2] = [min(p, 0) for p in pad[::2]]
    crop[1::2] = [min(p, 0) for p in pad[1::2]]
    out = constant_pad_nd(input, crop) if any(crop) else input
    for d in range(input.ndim - n, input.ndim):
        lo, hi = pairs[d]
        out = _MODES[mode](out, d, max(lo, 0), max(hi, 0))
    return out if mode == "circular" else in_format_of(out, input)  # (torch's circular pad writes row-major)
