"""torch.nn.functional.pad. Constant padding is one lazy view (a masked read, differentiable as a crop);
reflect, replicate and circular padding are concatenations of narrowed, flipped or expanded views, so
they fuse into one kernel and their gradients are pads and sums, never scatters."""
from __future__ import annotations

from collections.abc import Sequence

from ... import graph
from ...autograd.record import differentiable
from ...movement import in_format_of
from ...dtypes import NUMBER_TYPES, REAL_TYPES, bool_
from ...int_parameters import int_list, type_name
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
    if not (isinstance(value, NUMBER_TYPES) or (isinstance(value, Tensor) and value.ndim == 0)):
        raise TypeError(f"constant_pad_nd(): argument 'value' (position 3) must be Number, not {type_name(value)}")
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


def _run(x: Tensor, d: int, first: int, count: int, step: int) -> list[Tensor]:
    """x's entries first, first + step, ... (count of them) along d, as a view: a narrow, flipped for a step of
    -1, expanded from one entry for a step of 0."""
    if count <= 0:
        return []
    if step == 0:
        shape = list(x.shape)
        shape[d] = count
        return [x.narrow(d, first, 1).expand(shape)]
    if step == 1:
        return [x.narrow(d, first, count)]
    return [x.narrow(d, first - count + 1, count).flip(d)]


def _reflect(x: Tensor, d: int, lo: int, hi: int) -> Tensor:
    """Output position j reads entry k = j - lo reflected into the input: -k before it, 2(n - 1) - k past it
    (a negative pad crops, and the reflection of the other side may reach past the crop, as torch's does)."""
    n = x.shape[d]
    k0, k1 = -lo, n + hi
    if k1 <= k0:
        return x.narrow(d, 0, 0)
    return _joined(_run(x, d, -k0, min(0, k1) - k0, -1) + _run(x, d, max(k0, 0), min(k1, n) - max(k0, 0), 1)
                   + _run(x, d, 2 * (n - 1) - max(k0, n), k1 - max(k0, n), -1), d)


def _replicate(x: Tensor, d: int, lo: int, hi: int) -> Tensor:
    """Output position j reads entry j - lo clamped into the input (a crop of one side that passes the input's
    end leaves the other side's edge)."""
    n = x.shape[d]
    k0, k1 = -lo, n + hi
    if k1 <= k0:
        return x.narrow(d, 0, 0)
    return _joined(_run(x, d, 0, min(0, k1) - k0, 0) + _run(x, d, max(k0, 0), min(k1, n) - max(k0, 0), 1)
                   + _run(x, d, n - 1, k1 - max(k0, n), 0), d)


def _circular(x: Tensor, d: int, lo: int, hi: int) -> Tensor:
    """Wrapped around x, which the negative pads have cropped already (as torch crops before it wraps)."""
    n = x.shape[d]
    return _joined(_run(x, d, n - lo, lo, 1) + [x] + _run(x, d, 0, hi, 1), d)


def _joined(parts: list[Tensor], d: int) -> Tensor:
    import lazygrad as lg
    return lg.cat(parts, d) if len(parts) > 1 else parts[0]


_MODES = {"reflect": _reflect, "replicate": _replicate, "circular": _circular}


def _check_mode(x: Tensor, mode: str, pairs: list[tuple[int, int]], n: int) -> None:
    """torch's errors for padding sizes the non-constant modes refuse."""
    if x.ndim not in (n + 1, n + 2):
        raise NotImplementedError(f"Padding size {2 * n} is not supported for {x.ndim}D input tensor.\n{_COMBINATIONS}")
    if mode != "circular" and any(s == 0 for s in x.shape[1:]):
        raise RuntimeError(f"Expected {n + 1}D or {n + 2}D (batch mode) tensor with possibly 0 batch size and other "
                           f"non-zero dimensions for input, but got: {list(x.shape)}")
    if mode == "circular":
        for d in range(x.ndim - n, x.ndim):
            lo, hi = pairs[d]
            if lo > x.shape[d] or hi > x.shape[d]:
                raise RuntimeError("Padding value causes wrapping around more than once.")
            if x.shape[d] + lo + hi < 0:
                raise RuntimeError("Negative padding value is resulting in an empty dimension")
        return
    for argument, d in enumerate(reversed(range(x.ndim - n, x.ndim))):  # (torch checks the last dim first)
        lo, hi = pairs[d]
        if mode == "reflect" and (lo >= x.shape[d] or hi >= x.shape[d]):
            raise RuntimeError(f"Argument #{4 + 2 * argument}: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({lo}, {hi}) at dimension {d} of input "
                               f"{list(x.shape)}")
    _check_output_size(x, mode, pairs, n)


def _check_output_size(x: Tensor, mode: str, pairs: list[tuple[int, int]], n: int) -> None:
    """torch refuses a reflect or replicate pad that leaves no spatial dim (in each kernel's own words); a
    negative size is refused when the output is created."""
    sizes = x.shape[x.ndim - n:]
    out = [size + lo + hi for size, (lo, hi) in zip(sizes, pairs[x.ndim - n:])]
    if all(o < 1 for o in out):
        axes = "DHW"[3 - n:]
        given = ", ".join(f"{a}: {v}" for a, v in zip(axes[-2:], sizes[-2:]))
        if n == 3:
            given = f"D: {sizes[0]} {given}"
        elif n == 2 and mode == "replicate":
            given += " "
        raise RuntimeError(f"input ({given}) is too small. Calculated output "
                           + " ".join(f"{a}: {v}" for a, v in zip(axes, out)))
    negative = [o for o in out if o < 0]
    if negative:
        raise RuntimeError(f"Trying to create tensor with negative dimension {negative[0]}: "
                           f"{[*x.shape[:x.ndim - n], *out]}")


# (torch pads circularly by copying slices into a new tensor: its node is the last copy's)
_PAD_NODES = {"reflect": "ReflectionPad{}DBackward0", "replicate": "ReplicationPad{}DBackward0",
              "circular": "CopySlices"}


def _pad_node(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> str | None:
    """torch's node for the reflect, replicate and circular modes (constant padding records its own op)."""
    form = _PAD_NODES.get(mode)
    return form.format(len(pad) // 2) if form else None


def _is_float_argument(value) -> bool:
    """What torch's parser takes for a float: a real number or a 0-d real tensor."""
    if isinstance(value, Tensor):
        return value.ndim == 0 and not value.dtype.is_complex
    return isinstance(value, REAL_TYPES)


@recorded_as(_pad_node)
def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:
    """torch.nn.functional.pad: pad[2i], pad[2i+1] pad the i-th dim from the end before and after."""
    pad = int_list(pad, "pad", "pad", 2)
    if value is not None and not _is_float_argument(value):
        raise TypeError(f"pad(): argument 'value' (position 4) must be float, not {type_name(value)}")
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
    if mode == "circular":
        return _pad_circular(input, pad, pairs, n)
    out = input
    for d in range(input.ndim - n, input.ndim):
        out = _MODES[mode](out, d, *pairs[d])
    return in_format_of(out, input)


def _pad_circular(x: Tensor, pad: list[int], pairs: list[tuple[int, int]], n: int) -> Tensor:
    """torch's circular pad: the negative pads crop, then each dim wraps around what is left (row-major, as torch
    writes it). An empty output has nothing to wrap; lazygrad refuses a wrap past what the crop left, where
    torch reads memory it never wrote."""
    dims = range(x.ndim - n, x.ndim)
    if any(x.shape[d] + lo + hi == 0 for d, (lo, hi) in zip(dims, pairs[-n:])):
        return constant_pad_nd(x, [q for lo, hi in reversed(pairs[-n:]) for q in (0, lo + hi)])
    kept = [x.shape[d] + min(lo, 0) + min(hi, 0) for d, (lo, hi) in zip(dims, pairs[-n:])]
    if any(k < 0 for k in kept):
        raise RuntimeError("Negative padding value is resulting in an empty dimension")
    if any(lo > k or hi > k for k, (lo, hi) in zip(kept, pairs[-n:])):
        raise RuntimeError("Padding value causes wrapping around more than once.")
    out = constant_pad_nd(x, [min(p, 0) for p in pad]) if any(p < 0 for p in pad) else x
    for d in dims:
        out = _circular(out, d, max(pairs[d][0], 0), max(pairs[d][1], 0))
    return out
