"""Sparse CSC tensors (torch.sparse_csc): a matrix as `ccol_indices` (where each column's entries start, n + 1
of them), `row_indices` and `values`; 2-D, without batch or dense dims.

A CSC matrix is the CSR matrix of its transpose with the same three tensors, and that is what it holds: its
transpose (`t()`) is that CSR tensor, its COO twin that CSR tensor's twin transposed (entries column by
column), and its math runs there as a CSR tensor's does.
"""
from __future__ import annotations

from ..layouts import sparse_csc
from ..tensor import Tensor
from .construction import compressed_parts, finished, to_sparse
from .coo_tensor import SparseTensor
from .csr_tensor import SparseCSRTensor
from .csr_tensor import from_coo as csr_from_coo
from .csr_tensor import to_coo as csr_to_coo
from .invariants import check_compressed
from .layout_base import SparseLayoutTensor
from .shapes import transpose


class SparseCSCTensor(SparseLayoutTensor):
    """A tensor of layout lazygrad.sparse_csc."""

    __slots__ = ("_transposed",)
    _backend_name = "SparseCsr"  # (torch's dispatch key for every compressed layout)

    @classmethod
    def _of(cls, ccol: Tensor, row: Tensor, values: Tensor, shape, pattern=None) -> SparseCSCTensor:
        """pattern: the COO indices of the transpose's entries and whether they are in order, when known."""
        t = cls._blank(shape)
        t._transposed = SparseCSRTensor._of(ccol, row, values, (t._shape[1], t._shape[0]), pattern)
        return t

    @classmethod
    def of_transpose(cls, csr: SparseCSRTensor) -> SparseCSCTensor:
        """The CSC tensor whose transpose is csr."""
        return cls._of(csr._crow, csr._col, csr._csr_values, (csr._shape[1], csr._shape[0]), csr._coo_pattern)

    _carrier = property(lambda self: self._transposed._csr_values)

    def _parts(self) -> tuple[Tensor, ...]:
        return self._transposed._parts()

    layout = property(lambda self: sparse_csc)
    is_sparse = property(lambda self: False)
    is_sparse_csr = property(lambda self: False)

    def ccol_indices(self) -> Tensor:
        return self._transposed._crow

    def row_indices(self) -> Tensor:
        return self._transposed._col

    def values(self) -> Tensor:
        return self._transposed._csr_values

    def sparse_dim(self) -> int:
        return 2

    def dense_dim(self) -> int:
        return 0

    def stride(self, dim: int | None = None):
        raise RuntimeError("Sparse CSC tensors do not have strides")

    def t(self) -> SparseCSRTensor:
        return self._transposed

    def _coo(self) -> SparseTensor:
        return to_coo(self)

    def _on_pattern(self, per_entry: Tensor) -> SparseCSCTensor:
        return SparseCSCTensor.of_transpose(self._transposed._on_pattern(per_entry))

    def detach(self) -> SparseCSCTensor:
        return SparseCSCTensor.of_transpose(self._transposed.detach())

    def __repr__(self, *, tensor_contents=None) -> str:
        from .printing import format_csc
        return format_csc(self)

    __str__ = __repr__


def to_coo(t: SparseCSCTensor) -> SparseTensor:
    """The COO tensor with t's entries, in t's order (column by column)."""
    return transpose(csr_to_coo(t._transposed), 0, 1)


def from_coo(s: SparseTensor) -> SparseCSCTensor:
    """The CSC tensor with a 2-D COO tensor's entries."""
    if s.sparse_dim() != 2 or s.dense_dim():
        raise RuntimeError(f"to_sparse_csc: only 2-D tensors without dense dims are supported by lazygrad, got "
                           f"sparse_dim {s.sparse_dim()} and dense_dim {s.dense_dim()}")
    return SparseCSCTensor.of_transpose(csr_from_coo(transpose(s, 0, 1)))


def csr_transposed(t: SparseCSRTensor) -> SparseCSCTensor:
    """A CSR matrix's transpose: the CSC matrix of the same three tensors."""
    return SparseCSCTensor._of(t._crow, t._col, t._csr_values, (t._shape[1], t._shape[0]), t._coo_pattern)


def sparse_csc_tensor(ccol_indices, row_indices, values, size=None, *, dtype=None, device=None,
                      pin_memory: bool = False, requires_grad: bool = False,
                      check_invariants: bool | None = None) -> SparseCSCTensor:
    """A CSC matrix: column c's entries are row_indices and values at ccol_indices[c]:ccol_indices[c + 1].
    Without size, the rows are one past the largest row index."""
    ccol, row, values, size = compressed_parts(ccol_indices, row_indices, values, size, dtype, device, "csc", 1)
    out = SparseCSCTensor._of(ccol, row, values, size)
    return finished(out, _check_invariants, check_invariants, requires_grad)


def _check_invariants(t: SparseCSCTensor) -> None:
    check_compressed(t.ccol_indices()._values(), t.row_indices()._values(), t._nnz(), t._shape[0],
                     ("ccol_indices", "row_indices", "nrows"))


def to_sparse_csc(t: Tensor, dense_dim: int | None = None) -> SparseCSCTensor:
    """A dense matrix's nonzero entries, or a sparse matrix's, as a CSC tensor."""
    if dense_dim:
        raise NotImplementedError("to_sparse_csc: dense dims are not supported by lazygrad")
    if isinstance(t, SparseCSCTensor):
        return t
    if t.ndim != 2:
        raise NotImplementedError(f"to_sparse_csc: lazygrad converts 2-D tensors only, got {t.ndim}-D")
    if isinstance(t, SparseCSRTensor):
        t = csr_to_coo(t)
    return from_coo(t if isinstance(t, SparseTensor) else to_sparse(t))


def csc_sum(t: SparseCSCTensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    if dim is not None:
        raise RuntimeError("reduction operations on CSC tensors with keepdim=False is unsupported")
    return t.values().sum(dtype=dtype)


def rebuilt_csc(ccol: Tensor, row: Tensor, values: Tensor, shape, requires_grad: bool) -> SparseCSCTensor:
    """A CSC tensor from its pickled parts."""
    return SparseCSCTensor._of(ccol, row, values.requires_grad_(requires_grad), tuple(shape))


def reduce_csc(t: SparseCSCTensor, protocol: int):
    return rebuilt_csc, (t.ccol_indices(), t.row_indices(), t.values().detach(), t._shape, t.requires_grad)


def deepcopy_csc(t: SparseCSCTensor, memo: dict) -> SparseCSCTensor:
    import copy
    return SparseCSCTensor.of_transpose(copy.deepcopy(t._transposed, memo))
