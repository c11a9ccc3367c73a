"""torch.segment_reduce: a reduction over each run of consecutive elements along an axis, the runs given by
their lengths (or offsets), and, for N-D lengths, different runs for each index of the leading dims. Each
segment is a mask over the axis: one masked reduction computes them all, with the identity of the
reduction where the mask is off, so an empty segment gives the identity (or `initial`)."""
from __future__ import annotations

import math
from typing import Callable

from .autograd.composite import recorded_as
from .creation import arange
from .dtypes import torch_name
from .elementwise import where
from .tensor import Tensor, wrap_dim

# reduce -> (identity, reduction over a dim, how `initial` joins the result: an extremum tied with initial
# keeps its whole gradient, as in torch)
_REDUCTIONS: dict[str, tuple[float, Callable, Callable]] = {
    "sum": (0.0, lambda t, d: t.sum(d), lambda r, i: r + i),
    "prod": (1.0, lambda t, d: t.prod(d), lambda r, i: r * i),
    "amax": (-math.inf, lambda t, d: t.amax(d), lambda r, i: where(r >= i, r, i)),
    "amin": (math.inf, lambda t, d: t.amin(d), lambda r, i: where(r <= i, r, i)),
}
_ALIASES = {"max": "amax", "min": "amin"}


def _lengths(data: Tensor, lengths: Tensor | None, offsets: Tensor | None, axis: int, unsafe: bool) -> Tensor:
    if lengths is None:
        lengths = offsets[..., 1:] - offsets[..., :-1]
    if not unsafe:
        values = lengths.numpy()
        if (values < 0).any():
            raise RuntimeError("lengths contains negative value!")
        if (values.sum(-1) != data.shape[axis]).any():
            raise RuntimeError("segment_reduce(): Expected all rows of lengths along axis to sum to "
                               "data.size(lengths.dim()-1) when !unsafe.")
    return lengths


@recorded_as("SegmentReduceBackward0")
def _reduce(data: Tensor, reduce: str, lengths: Tensor, axis: int, initial) -> Tensor:
    ends = lengths.cumsum(-1).unsqueeze(-1)
    position = arange(data.shape[axis], dtype=ends.dtype, device=data.device)
    inside = (position >= ends - lengths.unsqueeze(-1)) & (position < ends)  # (leading..., segments, axis)
    inside = inside.reshape(inside.shape + (1,) * (data.ndim - axis - 1))
    if reduce == "mean":
        count = inside.sum(axis + 1).to(data.dtype)
        total = where(inside, data.unsqueeze(axis), 0.0).sum(axis + 1)
        empty = math.nan if initial is None else initial
        return where(count > 0, (total if initial is None else total + initial) / count, empty)
    identity, reduction, join = _REDUCTIONS[reduce]
    result = reduction(where(inside, data.unsqueeze(axis), identity), axis + 1)
    return result if initial is None else join(result, initial)


def segment_reduce(data: Tensor, reduce: str, *, lengths: Tensor | None = None, indices: Tensor | None = None,
                   offsets: Tensor | None = None, axis: int = 0, unsafe: bool = False, initial=None) -> Tensor:
    """sum, prod, mean, amax (max) or amin (min) of each segment: segment k of row r holds lengths[r, k]
    elements, after the ones of the segments before it."""
    reduce = _ALIASES.get(reduce, reduce)
    if reduce not in _REDUCTIONS and reduce != "mean":
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    if indices is not None:
        raise RuntimeError("segment_reduce(): indices based reduction is not supported yet.")
    if lengths is None and offsets is None:
        raise RuntimeError("segment_reduce(): Either lengths or offsets must be defined.")
    if not data.dtype.is_floating_point:
        raise NotImplementedError(f"\"_segment_reduce_cpu\" not implemented for '{torch_name(data.dtype)}'")
    axis = wrap_dim(axis, data.ndim)
    return _reduce(data, reduce, _lengths(data, lengths, offsets, axis, unsafe), axis, initial)
