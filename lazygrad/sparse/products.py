"""Matrix products with sparse COO operands. sparse @ dense is a gather of the dense rows each entry reads,
scaled by the entry and added into its output row (index_add): one pass over the entries, differentiable in
both operands (the sparse one's gradient lands on its pattern, as torch's). sparse @ sparse pairs the entries
whose inner indices meet (on the host) and sums the products per output index."""
from __future__ import annotations

import numpy as np

from ..autograd.composite import recorded_as
from ..int_parameters import type_name
from ..tensor import Tensor
from .construction import coalesce, summed_entries
from .coo_tensor import SparseTensor, concatenated_ranges, host_indices, index_tensor


def _check_matrix(t, name: str, op: str) -> None:
    if t.ndim != 2:
        raise RuntimeError(f"{op}: {name} must be a matrix, got {t.ndim}-D tensor")


@recorded_as("SparseAddmmBackward0")
def _rows_times(values: Tensor, rows: Tensor, cols: Tensor, dense: Tensor, m: int) -> Tensor:
    from ..creation import zeros
    gathered = dense.index_select(0, cols)
    scaled = gathered * (values.unsqueeze(1) if gathered.ndim == 2 else values)
    return zeros((m,) + tuple(dense.shape[1:]), dtype=scaled.dtype, device=dense.device).index_add(0, rows, scaled)


def sparse_dense(a: SparseTensor, b: Tensor, op: str = "mm") -> Tensor:
    """a @ b for a 2-D sparse a (no dense dims) and a dense matrix or vector b."""
    if a.sparse_dim() != 2 or a.dense_dim():
        raise RuntimeError(f"{op}: expected a 2-D sparse matrix with no dense dims, got sparse_dim "
                           f"{a.sparse_dim()} and dense_dim {a.dense_dim()}")
    if b.ndim not in (1, 2) or b.shape[0] != a._shape[1]:
        raise RuntimeError(f"addmm: Argument #3 (dense): Expected dim 0 size {a._shape[1]}, got {b.shape[0]}"
                           if b.ndim else f"{op}: the dense operand must be a matrix or a vector")
    if b.dtype is not a.dtype:
        raise RuntimeError(f"expected scalar type {_scalar_name(a.dtype)} but found {_scalar_name(b.dtype)}")
    idx = a._sparse_indices
    return _rows_times(a._sparse_values, idx[0], idx[1], b, a._shape[0])


def _scalar_name(dtype) -> str:
    from ..dtypes import C_NAMES
    return C_NAMES[dtype.name]


def dense_sparse(a: Tensor, b: SparseTensor) -> Tensor:
    """a @ b for a dense a and a 2-D sparse b: (b.T @ a.T).T."""
    from .shapes import transpose
    if a.ndim == 1:
        return sparse_dense(transpose(b, 0, 1), a)
    return sparse_dense(transpose(b, 0, 1), a.t()).t()


def sparse_sparse(a: SparseTensor, b: SparseTensor) -> SparseTensor:
    """a @ b of two 2-D sparse matrices: a sparse matrix (coalesced) holding the products that meet."""
    if a._shape[1] != b._shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a._shape[0]}x{a._shape[1]} and "
                           f"{b._shape[0]}x{b._shape[1]})")
    a, b = coalesce(a), coalesce(b)
    ha, hb = host_indices(a), host_indices(b)
    starts = np.searchsorted(hb[0], np.arange(b._shape[0] + 1))  # b is sorted by row: its rows' ranges
    first, last = starts[ha[1]], starts[ha[1] + 1]
    counts = last - first
    left = np.repeat(np.arange(ha.shape[1]), counts)
    right = concatenated_ranges(first, counts)
    rows, cols = ha[0][left], hb[1][right]
    n = b._shape[1]
    positions, slots = np.unique(rows * n + cols, return_inverse=True)
    products = (a._sparse_values.index_select(0, index_tensor(left, a.device))
                * b._sparse_values.index_select(0, index_tensor(right, a.device)))
    values = summed_entries(products, index_tensor(slots.reshape(-1), a.device), len(positions))
    indices = np.stack([positions // max(n, 1), positions % max(n, 1)])
    return SparseTensor._of(index_tensor(indices, a.device), values, (a._shape[0], n), True)


def mm(a, b):
    """torch.mm / torch.sparse.mm with a sparse operand."""
    for position, (t, parameter) in enumerate(((a, "input"), (b, "mat2")), 1):
        if not isinstance(t, Tensor):
            raise TypeError(f"mm(): argument '{parameter}' (position {position}) must be Tensor, not {type_name(t)}")
    _check_matrix(a, "self", "mm")
    _check_matrix(b, "mat2", "mm")
    if isinstance(a, SparseTensor) and isinstance(b, SparseTensor):
        return sparse_sparse(a, b)
    if isinstance(a, SparseTensor):
        return sparse_dense(a, b)
    return dense_sparse(a, b)


def matmul(a, b):
    """a @ b with a sparse operand: matrices and vectors, as torch takes them."""
    if isinstance(a, SparseTensor) and isinstance(b, SparseTensor):
        return mm(a, b)
    if isinstance(a, SparseTensor):
        return sparse_dense(a, b, "matmul")
    if a.ndim > 2:
        raise RuntimeError("matmul: a batched dense operand with a sparse one is not supported")
    return dense_sparse(a, b)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta * input + alpha * (mat1 @ mat2) with mat1 sparse (input dense, broadcast to the product)."""
    product = mm(mat1, mat2)
    if isinstance(product, SparseTensor):
        product = product.to_dense()
    out = product if alpha == 1 else product * alpha
    if beta == 0:
        return out
    return out + (input if beta == 1 else input * beta)


def hspmm(mat1: SparseTensor, mat2: Tensor) -> SparseTensor:
    """mat1 @ mat2 as a hybrid sparse tensor: the rows where mat1 has entries (in order, though flagged
    uncoalesced as torch flags them), each a dense row."""
    rows = np.unique(host_indices(mat1)[0]) if mat1._nnz() else np.zeros(0, np.int64)
    product = sparse_dense(mat1, mat2, "hspmm")
    picked = index_tensor(rows, mat1.device)
    return SparseTensor._of(picked.unsqueeze(0), product.index_select(0, picked), (mat1._shape[0], mat2.shape[1]),
                            False)


def smm(input: SparseTensor, mat2: Tensor) -> SparseTensor:
    """input @ mat2 as a sparse matrix: every column of the rows where input has entries."""
    hybrid = hspmm(input, mat2)
    rows, n = host_indices(hybrid)[0], mat2.shape[1]
    indices = np.stack([np.repeat(rows, n), np.tile(np.arange(n), len(rows))])
    return SparseTensor._of(index_tensor(indices, input.device), hybrid._sparse_values.reshape(-1), hybrid._shape,
                            False)


def sspaddmm(input: SparseTensor, mat1: SparseTensor, mat2: Tensor, *, beta=1, alpha=1) -> SparseTensor:
    """beta * input + alpha * (mat1 @ mat2), sparse: input's entries, then those of smm(mat1, mat2) (every
    column of the rows where mat1 has entries), uncoalesced as torch leaves them."""
    for name, t in (("self", input), ("mat1", mat1)):
        if not isinstance(t, SparseTensor):
            raise RuntimeError(f"sspaddmm: expected '{name}' to have sparse layout, got '{name}' with layout Strided")
    if mat2.shape[0] != mat1._shape[1]:
        raise RuntimeError(f"sspaddmm: Argument #3: Expected dim 0 size {mat1._shape[1]}, got {mat2.shape[0]}")
    for d, want in ((0, mat1._shape[0]), (1, mat2.shape[1])):
        if input._shape[d] != want:
            raise RuntimeError(f"sspaddmm: Argument #1: Expected dim {d} size {want}, got {input._shape[d]}")
    from ..movement import cat
    product = smm(mat1, mat2)
    indices = cat([input._sparse_indices, product._sparse_indices], 1)
    values = cat([input._sparse_values * beta, product._sparse_values * alpha])
    return SparseTensor._of(indices, values, input._shape, False)


def spmm(a, b) -> Tensor:
    """torch.spmm: a @ b for a sparse or dense a."""
    if isinstance(a, SparseTensor) or isinstance(b, SparseTensor):
        return mm(a, b)
    from ..products import mm as dense_mm
    return dense_mm(a, b)


def sampled_addmm(input, mat1: Tensor, mat2: Tensor, *, beta=1.0, alpha=1.0):
    """beta * input + alpha * (mat1 @ mat2) at input's entries only (a CSR or COO input keeps its layout)."""
    from .csr_tensor import SparseCSRTensor, from_coo, to_coo
    coo = to_coo(input) if isinstance(input, SparseCSRTensor) else input
    if mat1.shape[-1] != mat2.shape[0] or (mat1.shape[0], mat2.shape[1]) != coo._shape:
        raise RuntimeError(f"sampled_addmm: expected mat1 ({list(mat1.shape)}) @ mat2 ({list(mat2.shape)}) to have "
                           f"input's size {list(coo._shape)}")
    rows, cols = coo._sparse_indices[0], coo._sparse_indices[1]
    sampled = (mat1.index_select(0, rows) * mat2.t().index_select(0, cols)).sum(-1)
    values = coo._sparse_values * beta + sampled * alpha
    out = SparseTensor._of(coo._sparse_indices, values, coo._shape, coo.is_coalesced())
    return from_coo(out) if isinstance(input, SparseCSRTensor) else out
