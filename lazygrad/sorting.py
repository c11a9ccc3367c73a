"""Ordering ops: sort, argsort, msort, topk, kthvalue, median, nanmedian, quantile, randperm, unique,
unique_consecutive.

All of them stand on one graph op, SORT: the int64 positions along a dim that put it in order (a
stable sort, NaN above every number, as torch orders). Values are then a gather at those positions,
and the statistics are gathers at computed ranks, so everything stays lazy and fuses; gradients flow
back through the gather as a scatter (torch's SortBackward0 and friends).
"""
from __future__ import annotations

import math

import numpy as np

from . import graph, return_types
from .autograd.record import differentiable, takes_out
from .dtypes import REAL_TYPES, bfloat16, bool_, float32, float64, int64, torch_name, uint8
from .factory_out import factory_out
from .elementwise import _out, isnan, lerp, where
from .indexing import gather, take_along_dim
from .tensor import Tensor, known_values, wrap_dim
from .int_parameters import refuse_combination
from .tensor_parameters import tensor_parameters
from .unordered import refuse_complex
from .amp.autocast_mode import autocast_op


def _positions(input: Tensor, dim: int, descending: bool) -> Tensor:
    """The SORT node over input along dim (bools ordered as 0 and 1)."""
    keys = input.to(uint8) if input.dtype is bool_ else input
    node = graph.argsort(keys.lazy, dim, descending)
    return Tensor._from_node(node, input._storage.device)


def _sorted(input: Tensor, dim: int, descending: bool) -> tuple[Tensor, Tensor]:
    d = wrap_dim(dim, input.ndim)  # (a 0-d tensor takes dim 0 or -1, as torch's)
    if input.ndim == 0:
        return input.clone(), _zero_index(input)
    indices = _positions(input, d, descending)
    return gather(input, d, indices), indices


def _zero_index(input: Tensor) -> Tensor:
    """The index of a 0-d tensor's only element."""
    from .creation import zeros
    return zeros((), dtype=int64, device=input.device)


@differentiable("sort")
def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False, *, out=None):
    """The values along dim in order and where each came from; always stable (a valid stable=False sort)."""
    refuse_complex(input, "sort")
    return _out(return_types.sort(*_sorted(input, dim, descending)), out, "sort")


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    refuse_complex(input, "sort")
    d = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        return _zero_index(input)
    return _positions(input, d, descending)


@takes_out("msort", refused_as="sort")
def msort(input: Tensor) -> Tensor:
    return sort(input, 0).values


@differentiable("topk")
def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """The k largest (or smallest) values along dim, in order, and their indices."""
    refuse_complex(input, "topk")
    if input.dtype is bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    d = wrap_dim(dim, input.ndim)
    size = input._shape[d] if input.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    values, indices = _sorted(input, dim, largest)
    if input.ndim == 0:
        return return_types.topk(values, indices)
    return return_types.topk(values.narrow(d, 0, k), indices.narrow(d, 0, k))


def _check_k(k: int, size: int, dim: int) -> None:
    if not 1 <= k <= max(size, 1):
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")


def _at_rank(input: Tensor, d: int, rank: Tensor | int, keepdim: bool, result: type):
    """The sorted (ascending) row's element at rank, with its index in the row."""
    values, indices = _sorted(input, d, False)
    if isinstance(rank, int):
        picked = values.narrow(d, rank, 1), indices.narrow(d, rank, 1)
    else:
        picked = take_along_dim(values, rank, d), take_along_dim(indices, rank, d)
    if not keepdim:
        picked = tuple(p.squeeze(d) for p in picked)
    return result(*picked)


@differentiable("kthvalue")
def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False):
    """The k-th smallest value along dim (k from 1) and its index (torch's checks in its order: an empty dim, k's
    range, the dtype)."""
    if input.ndim == 0:
        wrap_dim(dim, 0)
        refuse_complex(input, "kthvalue", bools=True)
        _check_k(k, 1, 0)
        return return_types.kthvalue(input.clone(), _zero_index(input))
    d = wrap_dim(dim, input.ndim)
    check_nonempty_dim(input, d, "kthvalue")
    _check_k(k, input._shape[d], d)
    refuse_complex(input, "kthvalue", bools=True)
    return _at_rank(input, d, k - 1, keepdim, return_types.kthvalue)


def check_nonempty_dim(input: Tensor, d: int, name: str) -> None:
    if input._shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def _median_rank(input: Tensor, d: int, ignore_nan: bool) -> Tensor | int:
    """The rank of the (lower) median in each sorted row: NaNs sort last, so a row with NaN takes its
    first NaN (median), or the median of the numbers before them (nanmedian)."""
    n = input._shape[d]
    if not input.dtype.is_floating_point:
        return (n - 1) // 2
    numbers = (~isnan(input)).sum(d, keepdim=True)
    if ignore_nan:
        return ((numbers - 1).clamp_min(0)) // 2
    return where(numbers < n, numbers, (n - 1) // 2)


def _median(input: Tensor, dim, keepdim: bool, ignore_nan: bool, name: str, result: type):
    refuse_complex(input, "median" if dim is None else "median_dim", bools=True)  # (nanmedian's kernels too)
    if dim is None:
        flat = input.reshape(-1)
        if flat.numel() == 0:  # NaN, or what C's conversion of NaN gives an integer dtype (as torch's does)
            from .creation import full
            with np.errstate(invalid="ignore"):
                value = np.array(math.nan, dtype=np.float32).astype(input.dtype.np).item()
            return full((), value, dtype=input.dtype, device=input.device)
        return _at_rank(flat, 0, _median_rank(flat, 0, ignore_nan), False, result).values
    d = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        return result(input.clone(), _zero_index(input))
    check_nonempty_dim(input, d, "median")  # (nanmedian's message names median too, as torch's)
    return _at_rank(input, d, _median_rank(input, d, ignore_nan), keepdim, result)


@differentiable("median")
def median(input: Tensor, dim=None, keepdim: bool = False):
    """The lower median (NaN where a row holds NaN): of all elements, or along dim with its index."""
    return _median(input, dim, keepdim, False, "median", return_types.median)


@differentiable("nanmedian")
def nanmedian(input: Tensor, dim=None, keepdim: bool = False):
    """median ignoring NaN (NaN only where a row is all NaN)."""
    return _median(input, dim, keepdim, True, "nanmedian", return_types.nanmedian)


def _to_last(x: Tensor, d: int) -> Tensor:
    return x.permute([i for i in range(x.ndim) if i != d] + [d])


# the rank quantile q reads in the sorted values, from its position p = q (n - 1), as torch computes it: the one
# element at that rank (nearest rounds half to even), or for linear and midpoint the lerp between the neighbours
# floor(rank) and ceil(rank) by the rank's fraction or by 0.5
_INTERPOLATION = {
    "linear": lambda p: p, "midpoint": lambda p: p,
    "lower": lambda p: p.floor(), "higher": lambda p: p.ceil(), "nearest": lambda p: p.round(),
}
_BETWEEN = {"linear": lambda rank, below: rank - below, "midpoint": lambda rank, below: rank * 0 + 0.5}


def _check_q_range(values: np.ndarray) -> None:
    values = values.astype(np.float64).reshape(-1)
    bad = values[(values < 0) | (values > 1) | np.isnan(values)]
    if bad.size:
        raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {bad[0]:g}")


def _quantile(input: Tensor, q, dim, keepdim: bool, interpolation: str, ignore_nan: bool) -> Tensor:
    """(nanquantile's messages name quantile too, as torch's do)"""
    from .creation import tensor
    if not isinstance(q, Tensor):  # (a number's range is checked first, as torch's overload for it does)
        _check_q_range(np.asarray(q, dtype=np.float64))
    if interpolation not in _INTERPOLATION:
        raise RuntimeError(f"quantile() interpolation must be one of linear, lower, higher, midpoint or nearest, "
                           f"but got {interpolation}")
    if not input.numel():
        raise RuntimeError("quantile() input tensor must be non-empty")
    if np.ndim(q) > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    if input.dtype not in (float32, float64):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    qs = q if isinstance(q, Tensor) else tensor(q, dtype=input.dtype, device=input.device)
    if qs.dtype is not input.dtype:
        raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
    if (values := known_values(qs)) is not None:
        _check_q_range(values)
    if input.ndim == 0 and dim is not None:  # (a 0-d input's dim 0 or -1: one value, no dim to keep)
        wrap_dim(dim, 0)
        return _quantile(input.reshape(1), q, 0, False, interpolation, ignore_nan)
    x = input.reshape(-1) if dim is None else input
    d = 0 if dim is None else wrap_dim(dim, input.ndim)
    ordered = _to_last(sort(x, d).values, d).unsqueeze(-2)            # (..., 1, n)
    n = ordered._shape[-1]
    count = (~isnan(ordered)).sum(-1, keepdim=True).to(input.dtype) if ignore_nan else n
    position = (qs.reshape(-1, 1) * (count - 1)).expand(*ordered._shape[:-2], qs.numel(), 1)
    rank = _INTERPOLATION[interpolation](position)
    lo = rank.floor().clamp_min(0)
    rows = ordered.expand(*position._shape[:-1], n)
    out = take_along_dim(rows, lo.to(int64), -1)
    if interpolation in _BETWEEN:
        above = take_along_dim(rows, rank.ceil().clamp_min(0).to(int64), -1)
        out = lerp(out, above, _BETWEEN[interpolation](rank, lo))
    out = out.squeeze(-1)                                             # (..., m)
    if not ignore_nan:
        out = where(isnan(ordered[..., -1:]).squeeze(-1), math.nan, out)
    out = out.permute(out.ndim - 1, *range(out.ndim - 1))             # (m, ...)
    if keepdim:
        out = out.unsqueeze(d + 1) if dim is not None else out.reshape(out._shape[:1] + (1,) * input.ndim)
    return out.squeeze(0) if qs.ndim == 0 else out


@takes_out("quantile")
@autocast_op("quantile")
def quantile(input: Tensor, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear") -> Tensor:
    """The q-th quantiles along dim (of all elements without dim), interpolating between neighbours."""
    if not isinstance(q, (Tensor, *REAL_TYPES)):
        refuse_combination(quantile, (input, q))
    refuse_complex(input, "quantile")
    return _quantile(input, q, dim, keepdim, interpolation, False)


@takes_out("nanquantile")
@autocast_op("nanquantile")
def nanquantile(input: Tensor, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear") -> Tensor:
    if not isinstance(q, (Tensor, *REAL_TYPES)):
        refuse_combination(nanquantile, (input, q))
    return _quantile(input, q, dim, keepdim, interpolation, True)


def _check_permutation_dtype(n: int, dt) -> None:
    """torch's kernel has no bool or complex form, and an integer type must hold n - 1."""
    from .dtypes import SCALAR_C_TYPES
    if dt is bool_ or dt.is_complex:
        raise NotImplementedError(f"\"randperm\" not implemented for '{torch_name(dt)}'")
    if dt.is_integer and n - 1 > np.iinfo(dt.np).max:
        raise RuntimeError(f"value cannot be converted to type {SCALAR_C_TYPES[dt.name]} without overflow")


@factory_out("randperm")
def randperm(n: int, *, generator=None, dtype=None, layout=None, device=None, pin_memory: bool = False,
             requires_grad: bool = False) -> Tensor:
    """A random permutation of range(n): the order of n random doubles (from the shared stream, so the
    same seed gives the same permutation on every back end)."""
    from .creation import rand
    from .dtypes import to_dtype
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dt = to_dtype(dtype) if dtype is not None else int64
    _check_permutation_dtype(n, dt)
    perm = argsort(rand(n, generator=generator, dtype=float64, device=device))  # (53 random bits: ties are rare)
    perm = perm.to(dt) if dt is not int64 else perm
    return perm.requires_grad_(requires_grad) if requires_grad else perm


def _host(t: Tensor) -> np.ndarray:
    """t's values as a numpy array (bfloat16, which numpy lacks, widened to float32: exactly)."""
    return (t.float() if t.dtype is bfloat16 else t).detach().cpu().numpy()


@tensor_parameters("input", name="_unique2")
def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
           dim=None):
    """The distinct values (sorted), and optionally where each element went and how often each occurs.
    The output's size depends on the values: the sorted values are computed now (as torch synchronizes).
    With dim, the distinct slices along dim in lexicographic order."""
    refuse_complex(input, "unique" if dim is None else "unique_dim")
    from .creation import tensor
    if dim is not None:
        return _unique_slices(input, wrap_dim(dim, input.ndim), return_inverse, return_counts)
    values, order = _sorted(input.reshape(-1), 0, False)
    host = _host(values)
    first = np.ones(host.shape, dtype=bool)
    first[1:] = host[1:] != host[:-1]
    if input.dtype.is_floating_point:  # NaNs differ from each other, as in torch
        first |= np.isnan(host)
    device = input.device
    out = [tensor(host[first], dtype=input.dtype, device=device)]
    if return_inverse:
        group = np.cumsum(first) - 1
        inverse = np.empty_like(group)
        inverse[order.cpu().numpy()] = group
        out.append(tensor(inverse.reshape(input._shape), dtype=int64, device=device))
    if return_counts:
        starts = np.flatnonzero(first)
        out.append(tensor(np.diff(np.append(starts, host.size)), dtype=int64, device=device))
    return out[0] if len(out) == 1 else tuple(out)


def _check_empty_slices(input: Tensor, d: int) -> None:
    """An empty tensor has distinct slices along dim only when dim is its one dim of size 0."""
    if input.numel():
        return
    if input._shape.count(0) > 1:
        raise RuntimeError("Number of zero sized dimensions is more than one, so unique cannot be applied ")
    if input._shape[d]:
        raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied")


def _unique_slices(input: Tensor, d: int, return_inverse: bool, return_counts: bool):
    """unique along dim: the slices are compared whole, so they are ordered on the host (numpy's
    lexicographic unique); the input is computed first, as for every data-dependent size."""
    from .creation import tensor
    _check_empty_slices(input, d)
    host = np.moveaxis(_host(input), d, 0)
    rows = host.reshape(host.shape[0], math.prod(host.shape[1:]))
    found, inverse, counts = np.unique(rows, axis=0, return_inverse=True, return_counts=True)
    values = np.moveaxis(found.reshape((found.shape[0],) + host.shape[1:]), 0, d)
    out = [tensor(np.ascontiguousarray(values), dtype=input.dtype, device=input.device)]
    if return_inverse:
        out.append(tensor(inverse.reshape(-1), dtype=int64, device=input.device))
    if return_counts:
        out.append(tensor(counts, dtype=int64, device=input.device))
    return out[0] if len(out) == 1 else tuple(out)


def unique_consecutive(input: Tensor, return_inverse: bool = False, return_counts: bool = False, dim=None):
    """The first of each run of equal values (or slices along dim), with where each element went and each
    run's length. Sizes depend on the values, so the input is computed now."""
    from .creation import tensor
    host = _host(input)
    d = 0 if dim is None else wrap_dim(dim, input.ndim)
    if dim is not None:
        _check_empty_slices(input, d)
    # (the slices' length spelled out: -1 cannot be inferred for no slices)
    rows = host.reshape(-1, 1) if dim is None else \
        np.moveaxis(host, d, 0).reshape(host.shape[d], -1 if host.size else 0)
    starts = np.ones(rows.shape[0], dtype=bool)
    starts[1:] = (rows[1:] != rows[:-1]).any(axis=1)
    if dim is None:
        values = host.reshape(-1)[starts]
    else:
        values = np.ascontiguousarray(np.moveaxis(np.moveaxis(host, d, 0)[starts], 0, d))
    out = [tensor(values, dtype=input.dtype, device=input.device)]
    if return_inverse:
        inverse = np.cumsum(starts) - 1
        out.append(tensor(inverse.reshape(input._shape) if dim is None else inverse, dtype=int64,
                          device=input.device))
    if return_counts:
        out.append(tensor(np.diff(np.append(np.flatnonzero(starts), rows.shape[0])), dtype=int64,
                          device=input.device))
    return out[0] if len(out) == 1 else tuple(out)
