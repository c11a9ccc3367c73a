"""Making CSR tensors and converting to and from them: sparse_csr_tensor, to_sparse_csr, and the adapter
that runs a COO implementation on CSR operands (the math of a CSR tensor is its COO twin's)."""
from __future__ import annotations

import functools

import numpy as np

from ..dtypes import int64
from ..tensor import Tensor
from .construction import finished, held, tensor_of, to_sparse
from .coo_tensor import SparseTensor
from .csr_tensor import SparseCSRTensor, from_coo, to_coo


def sparse_csr_tensor(crow_indices, col_indices, values, size=None, *, dtype=None, device=None,
                      pin_memory: bool = False, requires_grad: bool = False,
                      check_invariants: bool | None = None) -> SparseCSRTensor:
    """A CSR matrix: row r's entries are col_indices and values at crow_indices[r]:crow_indices[r + 1].
    Without size, the columns are one past the largest column index."""
    values = tensor_of(values, dtype, device)
    crow = tensor_of(crow_indices, device=values.device)
    col = tensor_of(col_indices, device=values.device)
    if crow.ndim != 1 or col.ndim != 1 or values.ndim != 1:
        raise NotImplementedError("sparse_csr_tensor: lazygrad takes 2-D CSR matrices (1-D crow_indices, "
                                  f"col_indices and values), got {crow.ndim}-D, {col.ndim}-D and {values.ndim}-D")
    crow, col = crow.to(int64), col.to(int64)
    if size is None:
        cols = col._values()
        size = (crow.shape[0] - 1, int(cols.max()) + 1 if cols.size else 0)
    size = tuple(int(s) for s in size)
    if len(size) != 2 or crow.shape[0] != size[0] + 1:
        raise RuntimeError(f"sparse_csr_tensor: crow_indices of {crow.shape[0]} entries do not describe the "
                           f"{size[0] if size else 0} rows of a matrix of size {list(size)}")
    out = SparseCSRTensor._of(crow, col, held(values, "SparseCompressedTensorBackward0"), size)
    return finished(out, _check_invariants, check_invariants, requires_grad)


def _check_invariants(t: SparseCSRTensor) -> None:
    crow = t._crow._values()
    col = t._col._values()
    checks = [(crow[0] == 0, "`crow_indices[..., 0] == 0` is not satisfied."),
              (crow[-1] == t._nnz(), "`crow_indices[..., -1] == nnz` is not satisfied."),
              (np.all(np.diff(crow) >= 0), "`0 <= crow_indices[..., 1:] - crow_indices[..., :-1] <= ncols` is not "
                                           "satisfied."),
              (col.size == t._nnz(), "`col_indices.size(-1) == nnz` is not satisfied."),
              (not col.size or (col.min() >= 0 and col.max() < t._shape[1]),
               "`0 <= col_indices < ncols` is not satisfied.")]
    for ok, message in checks:
        if not ok:
            raise RuntimeError(message)


def to_sparse_csr(t: Tensor, dense_dim: int | None = None) -> SparseCSRTensor:
    """A dense matrix's nonzero entries, or a COO or CSR tensor's, as a CSR tensor."""
    if dense_dim:
        raise NotImplementedError("to_sparse_csr: dense dims are not supported by lazygrad")
    if isinstance(t, SparseCSRTensor):
        return t
    if t.ndim != 2:
        raise NotImplementedError(f"to_sparse_csr: lazygrad converts 2-D tensors only, got {t.ndim}-D")
    return from_coo(t if isinstance(t, SparseTensor) else to_sparse(t))


def _coo_of(x):
    return to_coo(x) if isinstance(x, SparseCSRTensor) else x


def via_coo(fn):
    """fn (written for COO tensors) taking CSR operands: they go in as COO, a 2-D sparse result comes back
    as CSR."""
    @functools.wraps(fn)
    def run(*args, **kwargs):
        out = fn(*map(_coo_of, args), **{k: _coo_of(v) for k, v in kwargs.items()})
        if isinstance(out, SparseTensor) and out.sparse_dim() == 2 and not out.dense_dim():
            return from_coo(out)
        return out
    return run


def csr_sum(t: SparseCSRTensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    if dim is not None:
        raise RuntimeError("reduction operations on CSR tensors with keepdim=False is unsupported")
    return t._csr_values.sum(dtype=dtype)


def rebuilt_csr(crow: Tensor, col: Tensor, values: Tensor, shape, requires_grad: bool) -> SparseCSRTensor:
    """A CSR tensor from its pickled parts."""
    return SparseCSRTensor._of(crow, col, values.requires_grad_(requires_grad), tuple(shape))


def reduce_csr(t: SparseCSRTensor, protocol: int):
    return rebuilt_csr, (t._crow, t._col, t._csr_values.detach(), t._shape, t.requires_grad)


def deepcopy_csr(t: SparseCSRTensor, memo: dict) -> SparseCSRTensor:
    import copy
    return SparseCSRTensor._of(copy.deepcopy(t._crow, memo), copy.deepcopy(t._col, memo),
                               copy.deepcopy(t._csr_values, memo), t._shape)


def zeros_like(t: SparseCSRTensor, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
               memory_format=None) -> SparseCSRTensor:
    from ..creation import zeros
    device = device or t.device
    out = SparseCSRTensor._of(zeros(t._shape[0] + 1, dtype=int64, device=device),
                              zeros(0, dtype=int64, device=device), zeros(0, dtype=dtype or t.dtype, device=device),
                              t._shape)
    return out.requires_grad_() if requires_grad else out

