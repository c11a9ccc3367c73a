"""Pooling, unpooling and pixel shuffles from views, gathers and sums.

Max pools of every kind share one op: the maximum over each window's candidates (a strided view of
the input for evenly spaced windows inside it, else a gather from a table of the positions each
window covers, computed with NumPy). Its gradient goes to the one element torch sends it to: the
argmax of the window, as torch's flat spatial index, is computed only when a backward pass (or
`return_indices`) asks for it. Average pools sum `unfold` views of the padded input and divide by
torch's per-window divisor; adaptive averages are products with 0/1 matrices, one per spatial dim.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

import lazygrad as lg

from ...autograd import grad_mode
from ...dtypes import opmath
from ...autograd.record import differentiable
from ...movement import in_format_of
from ...tensor import Tensor
from ...tensor_parameters import tensor_parameters
from .convolution import convolution
from .padding import constant_pad_nd
from .pooling_checks import (ADAPTIVE_AVG_KERNELS, ADAPTIVE_MAX_KERNELS, AVG_KERNELS, adaptive_sizes, check_kernel,
                             max_pool1d_arguments, one_d, sizes, window)
from ...autograd.composite import recorded_as
from ...int_parameters import int_list
from ...amp.autocast_mode import autocast_op

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d",
           "adaptive_max_pool2d", "adaptive_max_pool3d", "lp_pool1d", "lp_pool2d", "lp_pool3d", "max_unpool1d",
           "max_unpool2d", "max_unpool3d", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle",
           "native_channel_shuffle",
           "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
           "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices", "adaptive_max_pool3d_with_indices"]

IntOrTuple = int | Sequence[int]


def _batched(x: Tensor, n: int) -> tuple[Tensor, bool]:
    return (x, True) if x.ndim == n + 2 else (x.unsqueeze(0), False)


def _grid(per_dim: list[np.ndarray]) -> np.ndarray:
    """Per-dim (out_i, k_i) tables combined into (prod out, prod k): the sum over dims of each entry."""
    n = len(per_dim)
    total = np.zeros([1] * (2 * n), dtype=np.int64)
    for i, t in enumerate(per_dim):
        shape = [1] * (2 * n)
        shape[i], shape[n + i] = t.shape
        total = total + t.reshape(shape)
    outs = [t.shape[0] for t in per_dim]
    return total.reshape(math.prod(outs), -1)


def _windows(x: Tensor, starts: list[np.ndarray]) -> Tensor | None:
    """x (B, C, *S) as a view (B, C, *out, *k) of its windows, whose input positions along each dim are
    starts[i] (out_i, k_i), when those are evenly spaced both ways (a stride and a dilation; adaptive
    pools' windows are not): None otherwise."""
    n = len(starts)
    b, c = x.shape[:2]
    strides = x.stride()
    size, stride, offset = [b, c], list(strides[:2]), x.storage_offset()
    step = [int(t[1, 0] - t[0, 0]) if t.shape[0] > 1 else 1 for t in starts]
    gap = [int(t[0, 1] - t[0, 0]) if t.shape[1] > 1 else 1 for t in starts]
    for t, st, g in zip(starts, step, gap):
        out, k = t.shape
        if not np.array_equal(t, t[0, 0] + st * np.arange(out)[:, None] + g * np.arange(k)[None, :]):
            return None
    size += [t.shape[0] for t in starts] + [t.shape[1] for t in starts]
    stride += [strides[2 + i] * step[i] for i in range(n)] + [strides[2 + i] * gap[i] for i in range(n)]
    offset += sum(int(t[0, 0]) * strides[2 + i] for i, t in enumerate(starts))
    return x.as_strided(size, stride, offset)


def _candidates(x: Tensor, starts: list[np.ndarray], valid: list[np.ndarray]) -> Tensor:
    """(B, C, prod out, prod k): the values of x (B, C, *S) in each window, in window order; positions
    outside the input read as the lowest value. Evenly spaced windows inside the input are a strided view
    (plain affine reads), others a gather from a table of positions."""
    flat = x.flatten(2)
    shape = (*flat.shape[:2], math.prod(t.shape[0] for t in starts), math.prod(t.shape[1] for t in starts))
    windows = _windows(x, starts) if all(v.all() for v in valid) else None
    if windows is not None:
        return windows.reshape(shape)
    pos = lg.tensor(_positions(x, starts), device=x.device)
    cand = flat.index_select(2, pos.reshape(-1)).reshape(shape)
    inside = _grid([v.astype(np.int64) - 1 for v in valid]) == 0
    return lg.where(lg.tensor(inside, device=x.device), cand, _lowest(x))


def _lowest(x: Tensor) -> float | int:
    return -math.inf if x.dtype.is_floating_point else lg.iinfo(x.dtype).min


def _positions(x: Tensor, starts: list[np.ndarray]) -> np.ndarray:
    """(prod out, prod k): the flat spatial position each window entry reads (clamped into the input)."""
    spatial = x.shape[2:]
    steps = [math.prod(spatial[i + 1:]) for i in range(len(spatial))]
    return _grid([np.clip(t, 0, n - 1) * st for t, n, st in zip(starts, spatial, steps)])


def _best(x: Tensor, starts: list[np.ndarray], valid: list[np.ndarray]) -> Tensor:
    """(B, C, prod out, 1): where in its window each maximum is (the first, in window order; a NaN counts
    as the maximum)."""
    with lg.no_grad():
        return _candidates(x.detach(), starts, valid).argmax(-1, keepdim=True)


def _search_starts(x: Tensor, starts: list[np.ndarray], valid: list[np.ndarray]) -> np.ndarray | None:
    """(prod out,): the flat index torch gives a window holding nothing above the lowest value: where its
    search began, the first position of each dim at or past 0 stepping by the dilation. That position may
    lie past the input's end (a window wholly in the padding), and its flat index then names another
    element or none, as torch's does. None when every window begins inside the input, where it is the
    window's first element, the argmax's own answer."""
    if all(v[:, 0].all() for v in valid):
        return None
    spatial = x.shape[2:]
    firsts = []
    for t, size in zip(starts, spatial):
        first = t[:, :1]
        gap = t[:, 1:2] - first if t.shape[1] > 1 else np.ones_like(first)
        firsts.append(np.where(first >= 0, first, first - first // gap * gap) * math.prod(spatial[len(firsts) + 1:]))
    return _grid(firsts)[:, 0]


def max_indices(x: Tensor, starts: list[np.ndarray], valid: list[np.ndarray]) -> Tensor:
    """(B, C, prod out): torch's flat spatial index of each window's maximum."""
    best = _best(x, starts, valid)
    pos = lg.tensor(_positions(x, starts), device=x.device)
    index = pos.expand(*best.shape[:3], pos.shape[1]).gather(-1, best).squeeze(-1)
    searched = _search_starts(x, starts, valid)
    if searched is None:
        return index
    with lg.no_grad():
        nothing_above = _candidates(x.detach(), starts, valid).amax(-1) == _lowest(x)
    return lg.where(nothing_above, lg.tensor(searched, device=x.device), index)


@differentiable("max_pool")
def _pooled_max(x: Tensor, starts: list[np.ndarray], valid: list[np.ndarray]) -> Tensor:
    """(B, C, prod out): each window's maximum, one reduction over the windows; the gradient goes to the
    element torch's indices name (max_pool_backward), found only when a backward pass asks."""
    return _candidates(x, starts, valid).amax(-1)


def _tiles(starts: list[np.ndarray], valid: list[np.ndarray]) -> bool:
    """Whether the windows tile the input from its start, side by side (stride = kernel size, no dilation
    or padding): each input element then lies in at most one window."""
    return all(v.all() for v in valid) and all(np.array_equal(t, np.arange(t.size).reshape(t.shape)) for t in starts)


def max_pool_backward(c, g: Tensor) -> tuple:
    """MaxPool's gradient: each window's gradient added at its maximum's position. Where windows tile the
    input, that is elementwise: the gradient where a window's offset is its argmax, laid back out as the
    input (no scatter; it fuses into what reads it)."""
    x, starts, valid = c.args
    if not _tiles(starts, valid):
        numel = math.prod(x.shape[2:])
        index = max_indices(x, starts, valid)
        searched = _search_starts(x, starts, valid)
        if searched is not None and searched.max() >= numel:  # (torch writes past the input there; dropped)
            g, index = lg.where(index < numel, g, 0), index.clamp(max=numel - 1)
        flat = lg.zeros(*x.shape[:2], numel, dtype=g.dtype, device=g.device)
        return (flat.scatter_add(2, index, g).reshape(x.shape), None, None)
    out, kernel = [t.shape[0] for t in starts], [t.shape[1] for t in starts]
    hit = _best(x, starts, valid) == lg.arange(math.prod(kernel), device=x.device)
    n = len(out)
    spread = lg.where(hit, g.unsqueeze(-1), 0).reshape(*x.shape[:2], *out, *kernel)
    spread = spread.permute(0, 1, *[d for i in range(n) for d in (2 + i, 2 + n + i)])
    spread = spread.reshape(*x.shape[:2], *[o * k for o, k in zip(out, kernel)])
    rest = [size - o * k for size, o, k in zip(x.shape[2:], out, kernel)]
    if any(rest):  # the input's last rows and columns that no window reaches
        spread = constant_pad_nd(spread, [v for r in reversed(rest) for v in (0, r)])
    return (spread, None, None)


def _max_over(x: Tensor, starts: list[np.ndarray], valid: list[np.ndarray], out: list[int], return_indices: bool):
    """Max of x (B, C, *S) over windows of input positions starts[i] (out_i, k_i) per dim, where valid;
    torch's values and flat spatial indices (the first maximum of a window, in window order)."""
    values = in_format_of(_pooled_max(x, starts, valid).reshape(*x.shape[:2], *out), x)
    if not return_indices:
        return values
    return values, in_format_of(max_indices(x, starts, valid).reshape(*x.shape[:2], *out), x)


def _max_pool(op: str, n: int, input: Tensor, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    k, s, p, d, out = window(op, input, n, kernel_size, stride, padding, dilation, ceil_mode)
    check_kernel(op, input)
    x, batched = _batched(input, n)
    starts = [(np.arange(o) * ss - pp)[:, None] + np.arange(kk)[None, :] * dd for o, ss, pp, kk, dd in zip(out, s, p, k, d)]
    valid = [(t >= 0) & (t < size) for t, size in zip(starts, x.shape[2:])]
    result = _max_over(x, starts, valid, out, return_indices)
    if batched:
        return result
    return tuple(r.squeeze(0) for r in result) if return_indices else result.squeeze(0)


def _through_2d(pool_2d, input: Tensor, *args):
    """A 1-d pool as torch computes it: the 2-d pool of input given a height of 1 (recorded as UnsqueezeBackward0,
    the 2-d pool's node and SqueezeBackward1)."""
    result = pool_2d(input.unsqueeze(-2), *args)
    return tuple(r.squeeze(-2) for r in result) if isinstance(result, tuple) else result.squeeze(-2)


@tensor_parameters("input")
def max_pool1d(input: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None = None, padding: IntOrTuple = 0,
               dilation: IntOrTuple = 1, ceil_mode: bool = False, return_indices: bool = False):
    if not return_indices:
        max_pool1d_arguments(input, kernel_size, stride, padding, dilation, ceil_mode)
        if not (input.requires_grad and grad_mode.STATE.enabled):  # torch's own 1-d kernel then computes it
            check_kernel("max_pool1d_impl", input)
    given = one_d("max_pool1d", input, kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation)
    k, p, d = given["kernel_size"], given["padding"], given["dilation"]
    s = given["stride"] or k
    return _through_2d(max_pool2d, input, (1, *k), (1, *s), (0, *p), (1, *d), ceil_mode, return_indices)


@tensor_parameters("input")
@recorded_as("MaxPool2DWithIndicesBackward0")
def max_pool2d(input: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None = None, padding: IntOrTuple = 0,
               dilation: IntOrTuple = 1, ceil_mode: bool = False, return_indices: bool = False):
    return _max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


@tensor_parameters("input")
@autocast_op("max_pool3d")
@recorded_as("MaxPool3DWithIndicesBackward0")
def max_pool3d(input: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None = None, padding: IntOrTuple = 0,
               dilation: IntOrTuple = 1, ceil_mode: bool = False, return_indices: bool = False):
    return _max_pool("max_pool3d", 3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _divisors(size: int, k: int, s: int, p: int, out: int, count_include_pad: bool) -> np.ndarray:
    """Per output position along one dim: the window's length inside input + padding, or inside the input."""
    start = np.arange(out) * s - p
    end = np.minimum(start + k, size + p)
    if count_include_pad:
        return end - start
    return np.minimum(end, size) - np.maximum(start, 0)


def _window_sums(x: Tensor, k: list[int], s: list[int], out: list[int]) -> Tensor:
    """Every window's sum: a convolution of each channel with ones (its gradient is a convolution too)."""
    b, c, *spatial = x.shape
    n = len(k)
    ones = lg.ones(1, 1, *k, dtype=x.dtype, device=x.device)
    sums = convolution(x.reshape(b * c, 1, *spatial), ones, None, s, [0] * n, [1] * n, False, [0] * n, 1)
    return sums.reshape(b, c, *sums.shape[2:])[(...,) + tuple(slice(0, o) for o in out)]


def _avg_pool(op: str, n: int, input: Tensor, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override) -> Tensor:
    k, s, p, _, out = window(op, input, n, kernel_size, stride, padding, 1, ceil_mode)
    check_kernel(AVG_KERNELS[n], input)
    x, batched = _batched(input, n)
    spatial = x.shape[2:]
    after = [max((o - 1) * ss + kk - size - pp, 0) for o, ss, kk, size, pp in zip(out, s, k, spatial, p)]
    padded = constant_pad_nd(x, [v for pp, a in zip(reversed(p), reversed(after)) for v in (pp, a)])
    sums = _window_sums(padded, k, s, out)
    if divisor_override:
        divisor = np.asarray(divisor_override)
    else:
        parts = [_divisors(*args, count_include_pad) for args in zip(spatial, k, s, p, out)]
        divisor = math.prod(np.ix_(*parts)) if n > 1 else parts[0]
    if x.dtype.is_floating_point:
        result = sums / lg.tensor(divisor.astype(np.float64), dtype=sums.dtype, device=x.device)
    else:
        result = sums.div(lg.tensor(divisor, device=x.device), rounding_mode="trunc").to(x.dtype)
    result = in_format_of(result, x)
    return result if batched else result.squeeze(0)


@tensor_parameters("input")
def avg_pool1d(input: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None = None, padding: IntOrTuple = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    given = one_d("avg_pool1d", input, kernel_size=kernel_size, stride=stride, padding=padding)
    k, p = given["kernel_size"], given["padding"]
    return _through_2d(avg_pool2d, input, (1, *k), (1, *(given["stride"] or k)), (0, *p), ceil_mode, count_include_pad)


@recorded_as("AvgPool2DBackward0")
def avg_pool2d(input: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None = None, padding: IntOrTuple = 0,
               ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    return _avg_pool("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


@autocast_op("avg_pool3d")
@recorded_as("AvgPool3DBackward0")
def avg_pool3d(input: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None = None, padding: IntOrTuple = 0,
               ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    return _avg_pool("avg_pool3d", 3, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


def _adaptive_bounds(size: int, out: int) -> tuple[np.ndarray, np.ndarray]:
    """torch's adaptive windows: [floor(i * size / out), ceil((i + 1) * size / out))."""
    i = np.arange(out)
    return (i * size) // out, -((-(i + 1) * size) // out)


def _adaptive_avg(op: str, n: int, input: Tensor, output_size) -> Tensor:
    out = adaptive_sizes(op, input, n, output_size)
    if all(o == 1 for o in out):  # torch takes the mean (and its errors)
        return in_format_of(input.mean(tuple(range(-n, 0)), keepdim=True), input)
    check_kernel(ADAPTIVE_AVG_KERNELS[n], input)
    x, batched = _batched(input, n)
    wide = opmath(x.dtype)  # (float16 and bfloat16 averaged in float32 and rounded once, as torch does)
    result, counts = x.to(wide), []
    for i, o in enumerate(out):
        size = x.shape[2 + i]
        lo, hi = _adaptive_bounds(size, o)
        j = np.arange(size)
        member = ((j[None, :] >= lo[:, None]) & (j[None, :] < hi[:, None])).astype(np.float64)
        m = lg.tensor(member.T, dtype=wide, device=x.device)
        result = (result.movedim(2 + i, -1) @ m).movedim(-1, 2 + i)
        counts.append(hi - lo)
    count = math.prod(np.ix_(*counts)) if n > 1 else counts[0]
    averaged = result / lg.tensor(np.asarray(count, dtype=np.float64), dtype=wide, device=x.device)
    result = in_format_of(averaged.to(x.dtype), x)
    return result if batched else result.squeeze(0)


@tensor_parameters("input")
def adaptive_avg_pool1d(input: Tensor, output_size: IntOrTuple) -> Tensor:
    size = one_d("adaptive_avg_pool1d", input, output_size=output_size)["output_size"]
    return _through_2d(adaptive_avg_pool2d, input, (1, *size))



def _adaptive_avg_node(n: int):
    """torch's node for an adaptive average pool: a mean where the output is one element per channel."""
    def name(input: Tensor, output_size) -> str:
        sizes = [output_size] * n if isinstance(output_size, int) else list(output_size)
        return "MeanBackward1" if all(s == 1 for s in sizes) else f"AdaptiveAvgPool{n}DBackward0"
    return name


@recorded_as(_adaptive_avg_node(2))
def adaptive_avg_pool2d(input: Tensor, output_size: IntOrTuple) -> Tensor:
    return _adaptive_avg("adaptive_avg_pool2d", 2, input, output_size)


@autocast_op("adaptive_avg_pool3d")
@recorded_as(_adaptive_avg_node(3))
def adaptive_avg_pool3d(input: Tensor, output_size: IntOrTuple) -> Tensor:
    return _adaptive_avg("adaptive_avg_pool3d", 3, input, output_size)


def _adaptive_max(op: str, n: int, input: Tensor, output_size, return_indices: bool):
    out = adaptive_sizes(op, input, n, output_size)
    check_kernel(ADAPTIVE_MAX_KERNELS[n], input)
    x, batched = _batched(input, n)
    starts, valid = [], []
    for i, o in enumerate(out):
        lo, hi = _adaptive_bounds(x.shape[2 + i], o)
        t = lo[:, None] + np.arange(int((hi - lo).max()))[None, :]
        starts.append(t)
        valid.append(t < hi[:, None])
    result = _max_over(x, starts, valid, out, return_indices)
    if batched:
        return result
    return tuple(r.squeeze(0) for r in result) if return_indices else result.squeeze(0)


def adaptive_max_pool1d(input: Tensor, output_size: IntOrTuple, return_indices: bool = False):
    output_size = int_list(output_size, "adaptive_max_pool1d", "output_size", position=2, kind="int[1]")
    size = one_d("adaptive_max_pool1d", input, output_size=output_size)["output_size"]
    for dim in range(1, input.ndim):
        if input.shape[dim] == 0:
            raise RuntimeError(f"adaptive_max_pool1d(): Expected input to have non-zero size for non-batch dimensions, "
                               f"but input has sizes {list(input.shape)} with dimension {dim} being empty")
    return _through_2d(adaptive_max_pool2d, input, (1, *size), return_indices)


@recorded_as("AdaptiveMaxPool2DBackward0")
def adaptive_max_pool2d(input: Tensor, output_size: IntOrTuple, return_indices: bool = False):
    return _adaptive_max("adaptive_max_pool2d", 2, input, output_size, return_indices)


@recorded_as("AdaptiveMaxPool3DBackward0")
def adaptive_max_pool3d(input: Tensor, output_size: IntOrTuple, return_indices: bool = False):
    return _adaptive_max("adaptive_max_pool3d", 3, input, output_size, return_indices)


def _with_indices(pool, leading: int):
    """pool's `_with_indices` form (torch's building block): (values, indices) whatever return_indices
    says; `leading` is how many parameters come before return_indices."""
    def with_indices(*args, **kwargs):
        kwargs.pop("return_indices", None)
        return pool(*args[:leading], **kwargs, return_indices=True)
    with_indices.__name__ = with_indices.__qualname__ = f"{pool.__name__}_with_indices"
    with_indices.__doc__ = f"{pool.__name__}(..., return_indices=True), whatever return_indices says."
    return with_indices


max_pool1d_with_indices, max_pool2d_with_indices, max_pool3d_with_indices = (
    _with_indices(pool, 6) for pool in (max_pool1d, max_pool2d, max_pool3d))
adaptive_max_pool1d_with_indices, adaptive_max_pool2d_with_indices, adaptive_max_pool3d_with_indices = (
    _with_indices(pool, 2) for pool in (adaptive_max_pool1d, adaptive_max_pool2d, adaptive_max_pool3d))


def _lp_pool(n: int, input: Tensor, norm_type: float, kernel_size, stride, ceil_mode: bool) -> Tensor:
    """(sum over the window of x^p)^(1/p): the window mean of x^p times its size, negative means kept at 0."""
    pool = (avg_pool1d, avg_pool2d, avg_pool3d)[n - 1]
    k = sizes(kernel_size, n, "kernel_size", f"lp_pool{n}d")
    mean = pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (mean.sign() * mean.abs().relu()).mul(math.prod(k)).pow(1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: IntOrTuple, stride: IntOrTuple | None = None,
              ceil_mode: bool = False) -> Tensor:
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: IntOrTuple, stride: IntOrTuple | None = None,
              ceil_mode: bool = False) -> Tensor:
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size: IntOrTuple, stride: IntOrTuple | None = None,
              ceil_mode: bool = False) -> Tensor:
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


def _max_unpool(n: int, input: Tensor, indices: Tensor, kernel_size, stride, padding, output_size) -> Tensor:
    """Each value written at its flat spatial index in zeros of the unpooled size."""
    op = f"max_unpool{n}d"
    k = sizes(kernel_size, n, "kernel_size", op)
    s = k if stride is None else sizes(stride, n, "stride", op)
    p = sizes(padding, n, "padding", op)
    spatial = input.shape[-n:]
    size = [(i - 1) * ss - 2 * pp + kk for i, ss, pp, kk in zip(spatial, s, p, k)]
    if output_size is not None:
        given = list(output_size)[2:] if len(output_size) == n + 2 else list(output_size)
        if len(given) != n:
            raise ValueError(f"output_size should be a sequence containing {n} or {n + 2} elements, but it has a length "
                             f"of '{len(given)}'")
        for d, (want, default, ss) in enumerate(zip(given, size, s)):
            if not default - ss < want < default + ss:  # torch's range: less than a stride from the default
                shown = output_size if len(output_size) == n else type(output_size)(given)
                raise ValueError(f'invalid output_size "{shown}" (dim {d} must be between {default - ss} and '
                                 f'{default + ss})')
        size = [int(v) for v in given]
    lead = input.shape[:-n]
    flat_in, flat_idx = input.reshape(*lead, -1), indices.reshape(*lead, -1)
    zeros = lg.zeros(*lead, math.prod(size), dtype=input.dtype, device=input.device)
    return zeros.scatter(-1, flat_idx, flat_in).reshape(*lead, *size)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None = None,
                 padding: IntOrTuple = 0, output_size: Sequence[int] | None = None) -> Tensor:
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None = None,
                 padding: IntOrTuple = 0, output_size: Sequence[int] | None = None) -> Tensor:
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None = None,
                 padding: IntOrTuple = 0, output_size: Sequence[int] | None = None) -> Tensor:
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)


@tensor_parameters("input")
@recorded_as("PixelShuffleBackward0")
def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C r^2, H, W) -> (*, C, H r, W r): a reshape, a permute and a reshape (views)."""
    r = upscale_factor
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    b = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    return x.permute(*range(b), b, b + 3, b + 1, b + 4, b + 2).reshape(*lead, c // (r * r), h * r, w * r)


@tensor_parameters("input")
@recorded_as("PixelUnshuffleBackward0")
def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H r, W r) -> (*, C r^2, H, W), the inverse of pixel_shuffle."""
    r = downscale_factor
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *lead, c, h, w = input.shape
    for name, size, axis in (("height", h, -2), ("width", w, -1)):
        if size % r:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                               f"input.size({axis})={size} is not divisible by {r}")
    b = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    return x.permute(*range(b), b, b + 2, b + 4, b + 1, b + 3).reshape(*lead, c * r * r, h // r, w // r)


@tensor_parameters("input")
@recorded_as("ChannelShuffleBackward0")
def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """(N, g k, *) -> (N, k g, *): the channels of g groups interleaved (a view, then one copy)."""
    if input.ndim <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    n, c, *rest = input.shape
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups.")
    return input.reshape(n, groups, c // groups, *rest).transpose(1, 2).reshape(input.shape)


def native_channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """torch's kernel-level channel_shuffle: the same shuffle (differentiable here, unlike torch's)."""
    return channel_shuffle(input, groups)
