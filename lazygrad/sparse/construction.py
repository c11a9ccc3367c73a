"""Making sparse tensors and turning them into others: sparse_coo_tensor, coalesce, to_dense, to_sparse,
sparse_mask, and the casts and moves of a sparse tensor."""
from __future__ import annotations

import math

import numpy as np

from ..autograd.composite import recorded_as
from ..dtypes import int64
from ..tensor import Tensor
from .coo_tensor import SparseTensor, host_indices, index_tensor, linear_indices
from .invariants import checking_invariants


def tensor_of(x, dtype=None, device=None) -> Tensor:
    from ..creation import as_tensor
    return x if isinstance(x, Tensor) and dtype is None and device is None else as_tensor(x, dtype=dtype,
                                                                                            device=device)


@recorded_as(lambda values, node_name: node_name)
def _entries(values: Tensor, node_name: str) -> Tensor:
    return values.view(values.shape)


def held(values: Tensor, node_name: str) -> Tensor:
    """The values a new sparse tensor holds: an alias of the ones given, recorded as torch records them
    (`node_name`) when they require grad; a detached alias otherwise, so that requires_grad_() on the sparse
    tensor never changes the caller's tensor."""
    if values.requires_grad:
        values = _entries(values, node_name)
    return values if values.grad_fn is not None else values.detach()


def compressed_parts(pointers, indices, values, size, dtype, device, layout: str, compressed_dim: int):
    """The index tensors (int64), values and size of a new CSR (compressed_dim 0) or CSC (1) matrix, after
    torch's checks; without size, the other dim is one past the largest index."""
    names = {"csr": ("crow_indices", "col_indices", "rows"), "csc": ("ccol_indices", "row_indices", "columns")}
    pointer_name, index_name, dim_name = names[layout]
    values = tensor_of(values, dtype, device)
    pointers, indices = tensor_of(pointers, device=values.device), tensor_of(indices, device=values.device)
    if pointers.ndim != 1 or indices.ndim != 1 or values.ndim != 1:
        raise NotImplementedError(f"sparse_{layout}_tensor: lazygrad takes 2-D {layout.upper()} matrices (1-D "
                                  f"{pointer_name}, {index_name} and values), got {pointers.ndim}-D, "
                                  f"{indices.ndim}-D and {values.ndim}-D")
    pointers, indices = pointers.to(int64), indices.to(int64)
    if size is None:
        host = indices._values()
        other = int(host.max()) + 1 if host.size else 0
        size = (pointers.shape[0] - 1, other) if compressed_dim == 0 else (other, pointers.shape[0] - 1)
    size = tuple(int(s) for s in size)
    if len(size) != 2 or pointers.shape[0] != size[compressed_dim] + 1:
        raise RuntimeError(f"sparse_{layout}_tensor: {pointer_name} of {pointers.shape[0]} entries do not describe "
                           f"the {size[compressed_dim] if len(size) == 2 else 0} {dim_name} of a matrix of size "
                           f"{list(size)}")
    return pointers, indices, held(values, "SparseCompressedTensorBackward0"), size


def finished(out, check, check_invariants: bool | None, requires_grad: bool):
    """A new sparse tensor after its invariant check (when asked, or on by default) and requires_grad."""
    if checking_invariants() if check_invariants is None else check_invariants:
        check(out)
    return out.requires_grad_() if requires_grad else out


def sparse_coo_tensor(indices, values, size=None, *, dtype=None, device=None, pin_memory: bool = False,
                      requires_grad: bool = False, check_invariants: bool | None = None,
                      is_coalesced: bool | None = None) -> SparseTensor:
    """A sparse COO tensor with the given entries (repeated indices add up). Without `size`, each sparse
    dim is one past its largest index and the dense dims are the values'."""
    values = tensor_of(values, dtype, device)
    device = values.device
    indices = tensor_of(indices, device=device)
    if indices.ndim != 2:
        raise RuntimeError(f"indices must be sparse_dim x nnz, but got: {list(indices.shape)}")
    if indices.dtype is not int64:
        indices = indices.to(int64)
    sparse_dim, nnz = indices.shape
    if values.ndim == 0 or values.shape[0] != nnz:
        raise RuntimeError(f"indices and values must have same nnz, but got nnz from indices: {nnz}, nnz from "
                           f"values: {values.shape[0] if values.ndim else 1}")
    dense_shape = tuple(values.shape[1:])
    if size is None:
        size = tuple(int(m) + 1 for m in indices._values().max(axis=1)) if nnz else (0,) * sparse_dim
        size += dense_shape
    size = tuple(int(s) for s in size)
    if len(size) != sparse_dim + len(dense_shape):
        raise RuntimeError(f"'len(size) == sparse_dim + dense_dim' is not satisfied: len(size) = {len(size)}, "
                           f"sparse_dim = {sparse_dim}, dense_dim = {len(dense_shape)}")
    if size[sparse_dim:] != dense_shape:
        raise RuntimeError(f"values has incorrect size, expected {list(values.shape[:1]) + list(size[sparse_dim:])}"
                           f", got {list(values.shape)}")
    coalesced = nnz <= 1 if is_coalesced is None else bool(is_coalesced)
    out = SparseTensor._of(indices, held(values, "SparseCooTensorWithDimsAndTensorsBackward0"), size, coalesced)
    return finished(out, _check_invariants, check_invariants, requires_grad)


def _check_invariants(t: SparseTensor) -> None:
    host = host_indices(t)
    for d in range(host.shape[0]):
        if host.shape[1] and host[d].min() < 0:
            raise RuntimeError(f"found negative index {int(host[d].min())} for dim {d}")
        if host.shape[1] and host[d].max() >= t._shape[d]:
            raise RuntimeError(f"size is inconsistent with indices: for dim {d}, size is {t._shape[d]} but found "
                               f"index {int(host[d].max())}")


def _sparse_shape(t: SparseTensor) -> tuple[int, ...]:
    return t._shape[:t.sparse_dim()]


def added_into(count: int, slots: Tensor, values: Tensor) -> Tensor:
    """count rows, row k the sum of the values whose slot is k (booleans: whether any is True)."""
    from ..creation import zeros
    from ..dtypes import bool_, int32
    boolean = values.dtype is bool_
    dtype = int32 if boolean else values.dtype
    out = zeros((count,) + tuple(values.shape[1:]), dtype=dtype, device=values.device).index_add(
        0, slots, values.to(dtype) if boolean else values)
    return out != 0 if boolean else out


@recorded_as("CoalesceBackward0")
def summed_entries(values: Tensor, slots: Tensor, count: int) -> Tensor:
    return added_into(count, slots, values)


def coalesce(t: SparseTensor) -> SparseTensor:
    """Each index once, in row-major order, with the values of its repeats added."""
    if t._coalesced:
        return t
    host = host_indices(t)
    positions, slots = np.unique(linear_indices(host, _sparse_shape(t)), return_inverse=True)
    indices = np.stack(np.unravel_index(positions, _sparse_shape(t))) if host.shape[0] else host[:, :len(positions)]
    values = summed_entries(t._sparse_values, index_tensor(slots.reshape(-1), t.device), len(positions))
    return SparseTensor._of(index_tensor(indices.reshape(host.shape[0], -1), t.device), values, t._shape, True)


def flat_positions(t: SparseTensor) -> Tensor:
    """Each entry's row-major position among the sparse dims, computed lazily from the indices."""
    shape = _sparse_shape(t)
    strides = [math.prod(shape[d + 1:]) for d in range(len(shape))]
    idx = t._sparse_indices
    out = None
    for d, stride in enumerate(strides):
        term = idx[d] * stride if stride != 1 else idx[d]
        out = term if out is None else out + term
    return out if out is not None else idx.new_zeros(t._nnz())


@recorded_as("ToDenseBackward0")
def _scattered(values: Tensor, positions: Tensor, shape: tuple[int, ...], dense_shape: tuple[int, ...]) -> Tensor:
    return added_into(math.prod(shape), positions, values).reshape(shape + dense_shape)


def to_dense(t: SparseTensor, dtype=None, *, masked_grad: bool | None = None) -> Tensor:
    if dtype is not None:
        raise RuntimeError("dtype argument is not supported by sparse_to_dense")
    values = t._sparse_values
    return _scattered(values, flat_positions(t), _sparse_shape(t), tuple(values.shape[1:]))


def on_coalesced_pattern(t: SparseTensor, per_entry: Tensor) -> SparseTensor:
    """per_entry (one row per entry of t, equal for repeats of an index) on t's coalesced pattern."""
    host = host_indices(t)
    positions, first = np.unique(linear_indices(host, _sparse_shape(t)), return_index=True)
    if len(first) == host.shape[1] and t._coalesced:
        return SparseTensor._of(t._sparse_indices, per_entry, t._shape, True)
    keep = index_tensor(first, t.device)
    return SparseTensor._of(index_tensor(host[:, first], t.device), per_entry.index_select(0, keep), t._shape, True)


@recorded_as("SparseMaskBackward0")
def _picked(dense: Tensor, positions: Tensor, sparse_dim: int) -> Tensor:
    flat = dense.reshape((-1,) + tuple(dense.shape[sparse_dim:]))
    return flat.index_select(0, positions)


def sparse_mask(dense: Tensor, mask: SparseTensor) -> SparseTensor:
    """dense's values at mask's entries, on mask's pattern (torch's Tensor.sparse_mask); a sparse self gives its
    values there, 0 where it has no entry."""
    if not isinstance(mask, SparseTensor):
        raise RuntimeError("sparse_mask expects mask to be sparse COO tensor")
    if isinstance(dense, SparseTensor):
        dense = dense.to_dense()
    if tuple(dense.shape) != mask._shape:
        raise RuntimeError(f"sparse_mask(): operands have incompatible sizes; self has size {list(dense.shape)} but "
                           f"mask has size {list(mask._shape)}")
    values = _picked(dense, flat_positions(mask), mask.sparse_dim())
    return SparseTensor._of(mask._sparse_indices, values, mask._shape, mask._coalesced)


@recorded_as(lambda dense, positions, sparse_dim, dims_given: f"ToSparseBackward{0 if dims_given else 1}")
def _nonzero_entries(dense: Tensor, positions: Tensor, sparse_dim: int, dims_given: bool) -> Tensor:
    return dense.reshape((-1,) + tuple(dense.shape[sparse_dim:])).index_select(0, positions)


def to_sparse(dense: Tensor, sparse_dim: int | None = None, *, layout=None, blocksize=None,
              dense_dim: int | None = None) -> SparseTensor:
    """The entries of dense that are not zero (with sparse_dim < ndim: the slices that are not all zero)."""
    from ..layouts import sparse_coo, sparse_csc, sparse_csr, strided
    if layout is sparse_csr:
        from .csr_construction import to_sparse_csr
        return to_sparse_csr(dense, dense_dim)
    if layout is sparse_csc:
        from .csc_tensor import to_sparse_csc
        return to_sparse_csc(dense, dense_dim)
    if layout not in (None, sparse_coo, strided):
        raise NotImplementedError(f"to_sparse: layout {layout} is not supported by lazygrad (sparse_coo, "
                                  "sparse_csr and sparse_csc only)")
    if isinstance(dense, SparseTensor):
        return dense
    dims_given = sparse_dim is not None
    sparse_dim = dense.ndim if sparse_dim is None else sparse_dim
    if dense_dim is not None:
        sparse_dim = dense.ndim - dense_dim
    if not 0 <= sparse_dim <= dense.ndim:
        raise RuntimeError(f"dense_to_sparse: sparse_dim argument must be in [0,{dense.ndim}] range, but {sparse_dim} "
                           "is given")
    shape = tuple(dense.shape[:sparse_dim])
    host = dense.detach()._values().reshape((math.prod(shape), -1))
    positions = np.flatnonzero((host != 0).any(axis=1)) if host.size else np.zeros(0, np.int64)
    indices = np.stack(np.unravel_index(positions, shape)) if shape else np.zeros((0, len(positions)), np.int64)
    values = _nonzero_entries(dense, index_tensor(positions, dense.device), sparse_dim, dims_given)
    return SparseTensor._of(index_tensor(indices.reshape(sparse_dim, -1), dense.device), values, tuple(dense.shape),
                            True)


def cast(t: SparseTensor, *args, **kwargs) -> SparseTensor:
    """t with its values cast or moved (Tensor.to's arguments); the indices follow to the device."""
    values = t._sparse_values.to(*args, **kwargs)
    if values is t._sparse_values:
        return t
    indices = t._sparse_indices
    if values.device != indices.device:
        indices = indices.to(values.device)
    return SparseTensor._of(indices, values, t._shape, t._coalesced)


def clone(t: SparseTensor, *, memory_format=None) -> SparseTensor:
    return SparseTensor._of(t._sparse_indices.clone(), t._sparse_values.clone(), t._shape, t._coalesced)


def zero_(t: SparseTensor) -> SparseTensor:
    """No entries left (in place, as torch's zero_ empties a sparse tensor)."""
    t._sparse_indices = t._sparse_indices[:, :0].clone()
    t._sparse_values = t._sparse_values.detach()[:0].clone().requires_grad_(t._sparse_values.requires_grad)
    t._coalesced = True
    return t


def rebuilt(indices: Tensor, values: Tensor, shape, coalesced: bool, requires_grad: bool) -> SparseTensor:
    """A sparse tensor from its pickled parts (Tensor.__reduce_ex__ of a sparse one)."""
    return SparseTensor._of(indices, values.requires_grad_(requires_grad), tuple(shape), coalesced)


def reduce_sparse(t: SparseTensor, protocol: int):
    return rebuilt, (t._sparse_indices, t._sparse_values.detach(), t._shape, t._coalesced, t.requires_grad)


def deepcopy_sparse(t: SparseTensor, memo: dict) -> SparseTensor:
    import copy
    return SparseTensor._of(copy.deepcopy(t._sparse_indices, memo), copy.deepcopy(t._sparse_values, memo),
                            t._shape, t._coalesced)


def spdiags(diagonals: Tensor, offsets: Tensor, shape, layout=None) -> SparseTensor:
    """A sparse matrix with diagonals[k] on diagonal offsets[k]: element j of a row of diagonals lands in
    column j (scipy's convention, as torch's), the parts outside the matrix left out."""
    from ..layouts import sparse_coo
    if layout not in (None, sparse_coo):
        raise NotImplementedError(f"spdiags: layout {layout} is not supported by lazygrad (sparse_coo only)")
    diagonals = diagonals.unsqueeze(0) if diagonals.ndim == 1 else diagonals
    offs = offsets._values().reshape(-1)
    if len(np.unique(offs)) != len(offs):
        raise RuntimeError("Offset tensor contains duplicate values")
    if diagonals.ndim != 2 or diagonals.shape[0] != len(offs):
        raise RuntimeError(f"Number of diagonals ({diagonals.shape[0]}) does not match the number of offsets "
                           f"({len(offs)})")
    rows, cols = int(shape[0]), int(shape[1])
    length = diagonals.shape[1]
    picks, where = [], []
    for k, off in enumerate(int(o) for o in offs):
        columns = np.arange(max(0, off), min(cols, rows + off, length))
        picks.append(k * length + columns)
        where.append(np.stack([columns - off, columns]))
    picks = np.concatenate(picks) if picks else np.zeros(0, np.int64)
    indices = np.concatenate(where, 1) if where else np.zeros((2, 0), np.int64)
    values = diagonals.reshape(-1).index_select(0, index_tensor(picks, diagonals.device))
    return SparseTensor._of(index_tensor(indices, diagonals.device), values, (rows, cols), False)


def zeros(shape, sparse_dim: int, dtype, device) -> SparseTensor:
    """A sparse tensor with no entries (torch's zeros_like and new_zeros of a sparse one)."""
    from ..creation import zeros as dense_zeros
    shape = tuple(int(n) for n in shape)
    return SparseTensor._of(dense_zeros(sparse_dim, 0, dtype=int64, device=device),
                            dense_zeros((0,) + shape[sparse_dim:], dtype=dtype, device=device), shape, True)


def zeros_like(t: SparseTensor, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
               memory_format=None) -> SparseTensor:
    out = zeros(t._shape, t.sparse_dim(), dtype or t.dtype, device or t.device)
    return out.requires_grad_() if requires_grad else out


def new_zeros(t: SparseTensor, *size, dtype=None, device=None, requires_grad: bool = False, **kwargs):
    shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    out = zeros(shape, len(shape), dtype or t.dtype, device or t.device)
    return out.requires_grad_() if requires_grad else out

