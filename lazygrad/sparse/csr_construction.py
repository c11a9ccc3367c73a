"""Making CSR tensors and converting to and from them: sparse_csr_tensor, to_sparse_csr, and the adapter
that runs a COO implementation on CSR and CSC operands (the math of a compressed tensor is its COO twin's)."""
from __future__ import annotations

import functools

from ..dtypes import int64
from ..tensor import Tensor
from .construction import compressed_parts, finished, to_sparse
from .coo_tensor import SparseTensor
from .csc_tensor import SparseCSCTensor
from .csc_tensor import from_coo as csc_from_coo
from .csr_tensor import SparseCSRTensor, from_coo
from .invariants import check_compressed


def sparse_csr_tensor(crow_indices, col_indices, values, size=None, *, dtype=None, device=None,
                      pin_memory: bool = False, requires_grad: bool = False,
                      check_invariants: bool | None = None) -> SparseCSRTensor:
    """A CSR matrix: row r's entries are col_indices and values at crow_indices[r]:crow_indices[r + 1].
    Without size, the columns are one past the largest column index."""
    crow, col, values, size = compressed_parts(crow_indices, col_indices, values, size, dtype, device, "csr", 0)
    out = SparseCSRTensor._of(crow, col, values, size)
    return finished(out, _check_invariants, check_invariants, requires_grad)


def _check_invariants(t: SparseCSRTensor) -> None:
    check_compressed(t._crow._values(), t._col._values(), t._nnz(), t._shape[1],
                     ("crow_indices", "col_indices", "ncols"))


def to_sparse_csr(t: Tensor, dense_dim: int | None = None) -> SparseCSRTensor:
    """A dense matrix's nonzero entries, or a COO or CSR tensor's, as a CSR tensor."""
    if dense_dim:
        raise NotImplementedError("to_sparse_csr: dense dims are not supported by lazygrad")
    if isinstance(t, SparseCSRTensor):
        return t
    if t.ndim != 2:
        raise NotImplementedError(f"to_sparse_csr: lazygrad converts 2-D tensors only, got {t.ndim}-D")
    if isinstance(t, SparseCSCTensor):
        t = t._coo()
    return from_coo(t if isinstance(t, SparseTensor) else to_sparse(t))


def _coo_of(x):
    return x._coo() if isinstance(x, (SparseCSRTensor, SparseCSCTensor)) else x


def via_coo(fn):
    """fn (written for COO tensors) taking compressed (CSR, CSC) operands: they go in as COO, a 2-D sparse
    result comes back in the layout of the first compressed operand."""
    @functools.wraps(fn)
    def run(*args, **kwargs):
        first = next(type(a) for a in (*args, *kwargs.values()) if isinstance(a, (SparseCSRTensor, SparseCSCTensor)))
        out = fn(*map(_coo_of, args), **{k: _coo_of(v) for k, v in kwargs.items()})
        if isinstance(out, SparseTensor) and out.sparse_dim() == 2 and not out.dense_dim():
            return from_coo(out) if first is SparseCSRTensor else csc_from_coo(out)
        return out
    return run


def compressed_sum(t, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The sum of a CSR or CSC tensor's entries (torch reduces compressed tensors over all dims only)."""
    if dim is not None:
        raise RuntimeError(f"reduction operations on {'CSR' if t.is_sparse_csr else 'CSC'} tensors with "
                           "keepdim=False is unsupported")
    return t.values().sum(dtype=dtype)


def rebuilt_csr(crow: Tensor, col: Tensor, values: Tensor, shape, requires_grad: bool) -> SparseCSRTensor:
    """A CSR tensor from its pickled parts."""
    return SparseCSRTensor._of(crow, col, values.requires_grad_(requires_grad), tuple(shape))


def reduce_csr(t: SparseCSRTensor, protocol: int):
    return rebuilt_csr, (t._crow, t._col, t._csr_values.detach(), t._shape, t.requires_grad)


def deepcopy_csr(t: SparseCSRTensor, memo: dict) -> SparseCSRTensor:
    import copy
    return SparseCSRTensor._of(copy.deepcopy(t._crow, memo), copy.deepcopy(t._col, memo),
                               copy.deepcopy(t._csr_values, memo), t._shape)


def zeros_like(t, *, dtype=None, layout=None, device=None, requires_grad: bool = False, memory_format=None):
    """A CSR or CSC tensor of t's size with no entries."""
    from ..creation import zeros
    device = device or t.device
    csc = isinstance(t, SparseCSCTensor)
    shape = t._shape[::-1] if csc else t._shape
    out = SparseCSRTensor._of(zeros(shape[0] + 1, dtype=int64, device=device),
                              zeros(0, dtype=int64, device=device), zeros(0, dtype=dtype or t.dtype, device=device),
                              shape)
    out = SparseCSCTensor.of_transpose(out) if csc else out
    return out.requires_grad_() if requires_grad else out

