"""Shape ops on sparse COO tensors: transposes and permutations move index rows (or the values' dims),
unsqueeze adds an index row of zeros, select and index_select keep the entries on the chosen slices."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor, wrap_dim
from .coo_tensor import SparseTensor, concatenated_ranges, host_indices, index_tensor


def permute(t: SparseTensor, *dims) -> SparseTensor:
    dims = tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
    if len(dims) != t.ndim:
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {t.ndim} is not "
                           f"equal to len(dims) = {len(dims)}")
    dims = tuple(wrap_dim(d, t.ndim) for d in dims)
    sd = t.sparse_dim()
    if any((d < sd) != (i < sd) for i, d in enumerate(dims)):
        raise RuntimeError("permute(sparse_coo): transpositions between sparse and dense dimensions are not "
                           "allowed. Only transpositions within sparse and within dense dimensions are allowed.")
    indices = t._sparse_indices[list(dims[:sd])] if dims[:sd] != tuple(range(sd)) else t._sparse_indices
    values = t._sparse_values
    if dims[sd:] != tuple(range(sd, t.ndim)):
        values = values.permute((0,) + tuple(d - sd + 1 for d in dims[sd:]))
    shape = tuple(t._shape[d] for d in dims)
    return SparseTensor._of(indices, values, shape, t._coalesced and dims[:sd] == tuple(range(sd)))


def transpose(t: SparseTensor, dim0: int, dim1: int) -> SparseTensor:
    order = list(range(t.ndim))
    d0, d1 = wrap_dim(dim0, t.ndim), wrap_dim(dim1, t.ndim)
    order[d0], order[d1] = order[d1], order[d0]
    return permute(t, order)


def t_(t: SparseTensor) -> SparseTensor:
    if t.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {t.ndim}D")
    return transpose(t, 0, 1) if t.ndim == 2 else t


def unsqueeze(t: SparseTensor, dim: int) -> SparseTensor:
    d = wrap_dim(dim, t.ndim + 1)
    shape = t._shape[:d] + (1,) + t._shape[d:]
    sd = t.sparse_dim()
    if d <= sd:
        from ..movement import cat
        idx = t._sparse_indices
        indices = cat([idx[:d], idx.new_zeros((1, idx.shape[1])), idx[d:]])
        return SparseTensor._of(indices, t._sparse_values, shape, t._coalesced)
    return SparseTensor._of(t._sparse_indices, t._sparse_values.unsqueeze(d - sd + 1), shape, t._coalesced)


def index_select(t: SparseTensor, dim: int, index: Tensor) -> SparseTensor:
    """The slices `index` names along dim, in that order (a sparse dim: the entries on them, renumbered)."""
    d = wrap_dim(dim, t.ndim)
    sd = t.sparse_dim()
    if d >= sd:
        return SparseTensor._of(t._sparse_indices, t._sparse_values.index_select(d - sd + 1, index),
                                t._shape[:d] + (int(index.numel()),) + t._shape[d + 1:], t._coalesced)
    wanted = index._values().reshape(-1)
    if wanted.size and (wanted.min() < -t._shape[d] or wanted.max() >= t._shape[d]):
        bad = wanted[(wanted < -t._shape[d]) | (wanted >= t._shape[d])][0]
        raise IndexError(f"index_select(): index {int(bad)} is out of range for dimension {d} of size "
                         f"{t._shape[d]}")
    wanted = np.where(wanted < 0, wanted + t._shape[d], wanted)
    host = host_indices(t)
    order = np.argsort(host[d], kind="stable")  # the entries by their index along d, then as they come
    keys = host[d][order]
    first = np.searchsorted(keys, wanted, "left")
    counts = np.searchsorted(keys, wanted, "right") - first
    slot = np.repeat(np.arange(len(wanted)), counts)
    entry = order[concatenated_ranges(first, counts)]
    indices = host[:, entry].copy()
    indices[d] = slot
    values = t._sparse_values.index_select(0, index_tensor(entry, t.device))
    return SparseTensor._of(index_tensor(indices, t.device), values,
                            t._shape[:d] + (len(wanted),) + t._shape[d + 1:], False)


def select(t: SparseTensor, dim: int, index: int) -> SparseTensor | Tensor:
    """The slice at index along dim: the entries on it, with that dim dropped."""
    d = wrap_dim(dim, t.ndim)
    size = t._shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(t._shape)} at dimension "
                         f"{d}")
    index %= size
    sd = t.sparse_dim()
    if d >= sd:
        return SparseTensor._of(t._sparse_indices, t._sparse_values.select(d - sd + 1, index),
                                t._shape[:d] + t._shape[d + 1:], t._coalesced)
    host = host_indices(t)
    entry = np.flatnonzero(host[d] == index)
    values = t._sparse_values.index_select(0, index_tensor(entry, t.device))
    if sd == 1:
        return values.sum(0)
    indices = np.delete(host[:, entry], d, axis=0)
    return SparseTensor._of(index_tensor(indices, t.device), values, t._shape[:d] + t._shape[d + 1:], t._coalesced)


def getitem(t: SparseTensor, key):
    """Integer indexing along the leading dims (what torch's sparse tensors take)."""
    keys = key if isinstance(key, tuple) else (key,)
    out, dim = t, 0
    for k in keys:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise NotImplementedError("a sparse tensor is indexed by integers only in lazygrad")
        out = select(out, dim, int(k)) if isinstance(out, SparseTensor) else out[int(k)]
    return out


def cat(tensors, dim: int = 0) -> SparseTensor:
    """Sparse tensors joined along a sparse dim: each one's indices in that dim moved past the ones before."""
    tensors = list(tensors)
    first = tensors[0]
    for k, t in enumerate(tensors):
        if not isinstance(t, SparseTensor):
            raise RuntimeError(f"Concatenating sparse tensors, but a dense tensor was found at position {k}.")
    d = wrap_dim(dim, first.ndim)
    for k, t in enumerate(tensors):
        if (t.sparse_dim(), t.dense_dim()) != (first.sparse_dim(), first.dense_dim()):
            raise RuntimeError(f"All tensors must have the same sparse_dim and dense_dim: {first.sparse_dim()}, "
                               f"{first.dense_dim()}, but tensor at position {k} has {t.sparse_dim()}, "
                               f"{t.dense_dim()}.")
        if any(a != b for i, (a, b) in enumerate(zip(t._shape, first._shape)) if i != d):
            raise RuntimeError(f"All tensors must have the same shape: {list(first._shape)} (except in the "
                               f"concatenating dimension), but found shape: {list(t._shape)} at position {k}.")
    if d >= first.sparse_dim():
        raise NotImplementedError("cat of sparse tensors along a dense dim is not supported by lazygrad")
    from ..movement import cat as dense_cat
    indices, offset = [], 0
    for t in tensors:
        idx = t._sparse_indices
        if offset:
            shift = idx.new_zeros((idx.shape[0], 1))
            shift[d] = offset
            idx = idx + shift
        indices.append(idx)
        offset += t._shape[d]
    shape = first._shape[:d] + (offset,) + first._shape[d + 1:]
    return SparseTensor._of(dense_cat(indices, 1), dense_cat([t._sparse_values for t in tensors]), shape, False)


def stack(tensors, dim: int = 0) -> SparseTensor:
    tensors = list(tensors)
    d = wrap_dim(dim, tensors[0].ndim + 1)
    return cat([unsqueeze(t, d) for t in tensors], d)
