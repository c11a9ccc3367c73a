"""Sparse CSR tensors (torch.sparse_csr): a matrix as `crow_indices` (where each row's entries start, m + 1
of them), `col_indices` and `values`, all lazy tensors; 2-D, without batch or dense dims.

Like a COO tensor, its autograd rides on the values. Its math runs on the COO tensor with the same entries
(rows spelled out from crow_indices on the host), and results that stay sparse come back as CSR.
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from ..layouts import sparse_csr
from .coo_tensor import SparseTensor, host_indices, index_tensor, linear_indices
from .layout_base import SparseLayoutTensor


class SparseCSRTensor(SparseLayoutTensor):
    """A tensor of layout lazygrad.sparse_csr."""

    __slots__ = ("_crow", "_col", "_csr_values", "_coo_pattern")
    _backend_name = "SparseCsr"

    @classmethod
    def _of(cls, crow: Tensor, col: Tensor, values: Tensor, shape, pattern=None) -> SparseCSRTensor:
        """pattern: the COO indices of these entries and whether they are in order, when known."""
        t = cls._blank(shape)
        t._crow, t._col, t._csr_values, t._coo_pattern = crow, col, values, pattern
        return t

    _carrier = property(lambda self: self._csr_values)

    def _parts(self) -> tuple[Tensor, ...]:
        return (self._crow, self._col, self._csr_values)

    layout = property(lambda self: sparse_csr)
    is_sparse = property(lambda self: False)
    is_sparse_csr = property(lambda self: True)

    def crow_indices(self) -> Tensor:
        return self._crow

    def col_indices(self) -> Tensor:
        return self._col

    def values(self) -> Tensor:
        return self._csr_values

    def sparse_dim(self) -> int:
        return 2

    def dense_dim(self) -> int:
        return 0

    def stride(self, dim: int | None = None):
        raise RuntimeError("Sparse CSR tensors do not have strides")

    def indices(self):
        raise RuntimeError("indices expected sparse coordinate tensor layout but got SparseCsr")

    def _coo(self) -> SparseTensor:
        return to_coo(self)

    def _on_pattern(self, per_entry: Tensor) -> SparseCSRTensor:
        return SparseCSRTensor._of(self._crow, self._col, per_entry, self._shape, self._coo_pattern)

    def detach(self) -> SparseCSRTensor:
        return SparseCSRTensor._of(self._crow, self._col, self._csr_values.detach(), self._shape, self._coo_pattern)

    def __repr__(self, *, tensor_contents=None) -> str:
        from .printing import format_csr
        return format_csr(self)

    __str__ = __repr__


def to_coo(t: SparseCSRTensor) -> SparseTensor:
    """The COO tensor with t's entries (coalesced when t's columns are sorted within each row). Its indices
    are worked out once per CSR tensor (its index tensors are never rebound)."""
    if t._coo_pattern is None:
        host = t._crow._values()
        rows = np.repeat(np.arange(len(host) - 1), np.diff(host))
        cols = t._col._values()
        indices = np.stack([rows, cols])
        ordered = bool(np.all(np.diff(linear_indices(indices, t._shape)) > 0))
        t._coo_pattern = (index_tensor(indices, t.device), ordered)
    indices, ordered = t._coo_pattern
    return SparseTensor._of(indices, t._csr_values, t._shape, ordered)


def from_coo(s: SparseTensor) -> SparseCSRTensor:
    """The CSR tensor with a 2-D COO tensor's entries (coalesced first unless its rows are in order)."""
    if s.sparse_dim() != 2 or s.dense_dim():
        raise RuntimeError(f"to_sparse_csr: only 2-D tensors without dense dims are supported by lazygrad, got "
                           f"sparse_dim {s.sparse_dim()} and dense_dim {s.dense_dim()}")
    host = host_indices(s)
    if not s.is_coalesced() and np.any(np.diff(host[0]) < 0):
        from .construction import coalesce
        s = coalesce(s)
        host = host_indices(s)
    crow = np.searchsorted(host[0], np.arange(s._shape[0] + 1))
    return SparseCSRTensor._of(index_tensor(crow, s.device), index_tensor(host[1], s.device), s._sparse_values,
                               s._shape, (s._sparse_indices, s.is_coalesced()))
