"""Elementwise math, sums and softmax on sparse COO tensors: the values are computed by dense lazy ops, the
pattern on the host. As in torch, ops that map 0 to 0 keep a sparse result; a linear one (neg, scaling)
keeps the pattern as it is, any other reads the coalesced tensor."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor, wrap_dim
from .construction import coalesce, flat_positions, summed_entries, to_dense
from .coo_tensor import SparseTensor, host_indices, index_tensor, linear_indices

# ops of one tensor that map zero to zero: name -> whether it is linear (then repeats need not be summed first)
ZERO_PRESERVING = {
    "neg": True, "negative": True, "deg2rad": True, "rad2deg": True,
    "abs": False, "absolute": False, "asin": False, "arcsin": False, "asinh": False, "arcsinh": False,
    "atan": False, "arctan": False, "atanh": False, "arctanh": False, "ceil": False, "erf": False,
    "erfinv": False, "expm1": False, "floor": False, "frac": False, "log1p": False, "relu": False,
    "round": False, "sgn": False, "sign": False, "sin": False, "sinh": False, "sqrt": False,
    "square": False, "tan": False, "tanh": False, "trunc": False, "fix": False, "nan_to_num": False,
    "signbit": False, "isnan": False, "isinf": False, "isposinf": False, "isneginf": False,
    "conj_physical": True,
}


def on_values(t: SparseTensor, name: str, *args, **kwargs) -> SparseTensor:
    """t with the zero-preserving op `name` applied to its values."""
    src = t if ZERO_PRESERVING[name] else coalesce(t)
    values = getattr(src._sparse_values, name)(*args, **kwargs)
    return SparseTensor._of(src._sparse_indices, values, t._shape, src._coalesced)


def pow_(t: SparseTensor, exponent) -> SparseTensor:
    if isinstance(exponent, Tensor) and exponent.ndim:
        raise NotImplementedError("pow of a sparse tensor takes a number (or a 0-d tensor) as its exponent")
    if exponent == 0:
        raise RuntimeError("pow: Cannot raise sparse tensors to the power of 0")
    src = coalesce(t)
    return SparseTensor._of(src._sparse_indices, src._sparse_values.pow(exponent), t._shape, True)


def scaled(t: SparseTensor, factor, divide: bool = False, rounding_mode=None) -> SparseTensor:
    """t times (or divided by) a number or a 0-d tensor: the pattern stays as it is (a rounded division
    reads the coalesced tensor: rounding is not linear)."""
    if rounding_mode is not None:
        t = coalesce(t)
    v = t._sparse_values
    values = v.div(factor, rounding_mode=rounding_mode) if divide else v.mul(factor)
    return SparseTensor._of(t._sparse_indices, values, t._shape, t._coalesced)


def _check_same_size(a, b, op: str = "add") -> None:
    if tuple(a.shape) != tuple(b.shape):
        raise RuntimeError(f"{op}: expected sizes of 'self' and 'other' to match, but {list(a.shape)} != "
                           f"{list(b.shape)}")


def add(a, b, alpha=1):
    """a + alpha * b with either of them sparse: sparse + sparse is sparse (the entries of both, summed
    where both hold one when both are coalesced), dense + sparse is dense."""
    if not isinstance(a, SparseTensor):
        if isinstance(a, Tensor) and a.ndim:
            _check_same_size(a, b)
        return a.add(to_dense(b), alpha=alpha)
    if not isinstance(b, SparseTensor):
        raise RuntimeError("add(sparse, dense) is not supported. Use add(dense, sparse) instead.")
    _check_same_size(a, b)
    if a.sparse_dim() != b.sparse_dim():
        raise RuntimeError(f"add: expected 'self' and 'other' to have same sparse dimensions, but got "
                           f"{a.sparse_dim()} and {b.sparse_dim()}")
    from ..movement import cat
    from ..dtypes import promote_types
    dtype = promote_types(a.dtype, b.dtype)
    bv = b._sparse_values if alpha == 1 else b._sparse_values * alpha
    values = cat([a._sparse_values.to(dtype), bv.to(dtype)])
    if a._coalesced and b._coalesced:
        return coalesce(SparseTensor._of(cat([a._sparse_indices, b._sparse_indices], 1), values, a._shape, False))
    shape = a._shape[:a.sparse_dim()]
    slots, positions = _merge_walk(linear_indices(host_indices(a), shape), linear_indices(host_indices(b), shape))
    indices = np.stack(np.unravel_index(positions, shape)) if shape else np.zeros((0, len(positions)), np.int64)
    return SparseTensor._of(index_tensor(indices.reshape(len(shape), -1), a.device),
                            summed_entries(values, index_tensor(slots, a.device), len(positions)), a._shape, False)


def _merge_walk(la: np.ndarray, lb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """torch's sum of two uncoalesced tensors: one pass over both entry lists in their stored order, adding
    the two entries under the pointers when their indices meet and otherwise taking the smaller. Returns each
    entry's output slot (a's, then b's) and each slot's row-major index."""
    la, lb = la.reshape(-1).tolist(), lb.reshape(-1).tolist()
    slots_a, slots_b, out = [], [], []
    i = j = 0
    while i < len(la) or j < len(lb):
        take_a = j == len(lb) or i < len(la) and la[i] <= lb[j]
        take_b = i == len(la) or j < len(lb) and lb[j] <= la[i]
        if take_a:
            slots_a.append(len(out))
        if take_b:
            slots_b.append(len(out))
        out.append(la[i] if take_a else lb[j])
        i, j = i + take_a, j + take_b
    return np.array(slots_a + slots_b, np.int64), np.array(out, np.int64)


def mul(a, b):
    """a * b with a sparse: by a number the values scale; by a dense tensor (broadcast to a's shape) the
    values are multiplied by its elements at a's entries; by a sparse tensor the entries both hold."""
    if not isinstance(a, SparseTensor):
        a, b = b, a
    if not isinstance(b, Tensor) or b.ndim == 0 and not isinstance(b, SparseTensor):
        return scaled(a, b)
    if not isinstance(b, SparseTensor):
        from ..elementwise import broadcast_shapes
        if broadcast_shapes(tuple(b.shape), a._shape) != a._shape:
            raise RuntimeError(f"mul: the dense operand of size {list(b.shape)} does not broadcast to the sparse "
                               f"operand's size {list(a._shape)}")
        dense = b.expand(a._shape)
        at = dense.reshape((-1,) + a._shape[a.sparse_dim():]).index_select(0, flat_positions(a))
        return SparseTensor._of(a._sparse_indices, a._sparse_values * at, a._shape, a._coalesced)
    _check_same_size(a, b, "mul")
    a, b = coalesce(a), coalesce(b)
    shape = a._shape[:a.sparse_dim()]
    _, ia, ib = np.intersect1d(linear_indices(host_indices(a), shape), linear_indices(host_indices(b), shape),
                               assume_unique=True, return_indices=True)
    values = (a._sparse_values.index_select(0, index_tensor(ia, a.device))
              * b._sparse_values.index_select(0, index_tensor(ib, a.device)))
    return SparseTensor._of(a._sparse_indices.index_select(1, index_tensor(ia, a.device)), values, a._shape, True)


def div(a: SparseTensor, b, rounding_mode=None) -> SparseTensor:
    if not isinstance(a, SparseTensor) or isinstance(b, Tensor) and b.ndim:
        raise RuntimeError("Sparse division requires a scalar or zero-dim dense tensor divisor (got shape "
                           f"{list(b.shape) if isinstance(b, Tensor) else []})")
    return scaled(a, b, divide=True, rounding_mode=rounding_mode)


def sum_(t: SparseTensor, dim=None, keepdim: bool = False, *, dtype=None):
    """A sum over all dims is dense (0-d); over some sparse dims a sparse tensor of the others, over
    dense dims too a sparse tensor whose values are summed over them."""
    if dim is None:
        return t._sparse_values.sum(dtype=dtype)
    dims = sorted({wrap_dim(d, t.ndim) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))})
    if keepdim:
        raise RuntimeError("sum on sparse tensors does not support keepdim=True")
    sparse_dim = t.sparse_dim()
    summed_sparse = [d for d in dims if d < sparse_dim]
    summed_dense = [d - sparse_dim + 1 for d in dims if d >= sparse_dim]
    values = t._sparse_values
    if summed_dense:
        values = values.sum(summed_dense, dtype=dtype)
    elif dtype is not None:
        values = values.to(dtype)
    kept = [d for d in range(sparse_dim) if d not in summed_sparse]
    if not kept:
        return values.sum(0)
    shape = tuple(s for d, s in enumerate(t._shape) if d not in dims)
    indices = t._sparse_indices[kept] if summed_sparse else t._sparse_indices
    return coalesce(SparseTensor._of(indices, values, shape, t._coalesced and not summed_sparse))


def _slices(t: SparseTensor, dim: int) -> tuple[SparseTensor, Tensor, int]:
    """t coalesced, and for each entry the number of the slice along `dim` it belongs to (its indices
    in every other sparse dim), for softmax over the entries each slice holds."""
    t = coalesce(t)
    host = host_indices(t)
    others = [d for d in range(t.sparse_dim()) if d != dim]
    key = linear_indices(host[others], tuple(t._shape[d] for d in others))
    groups, slot = np.unique(key, return_inverse=True)
    return t, index_tensor(slot.reshape(-1), t.device), len(groups)


def softmax(t: SparseTensor, dim: int, dtype=None, log: bool = False) -> SparseTensor:
    """Softmax along dim over the entries each slice holds (the missing ones count as -inf, not 0)."""
    dim = wrap_dim(dim, t.ndim)
    if dim >= t.sparse_dim():
        raise NotImplementedError("softmax along a dense dim of a sparse tensor is not supported by lazygrad")
    t, slot, count = _slices(t, dim)
    v = t._sparse_values if dtype is None else t._sparse_values.to(dtype)
    if not v.numel():
        return SparseTensor._of(t._sparse_indices, v, t._shape, True)
    from ..creation import full, zeros
    shape = (count,) + tuple(v.shape[1:])
    top = full(shape, float("-inf"), dtype=v.dtype, device=v.device).scatter_reduce(
        0, slot.reshape((-1,) + (1,) * (v.ndim - 1)).expand(v.shape), v.detach(), "amax")
    shifted = v - top.index_select(0, slot)
    total = zeros(shape, dtype=v.dtype, device=v.device).index_add(0, slot, shifted.exp())
    values = shifted - total.log().index_select(0, slot) if log else shifted.exp() / total.index_select(0, slot)
    return SparseTensor._of(t._sparse_indices, values, t._shape, True)
