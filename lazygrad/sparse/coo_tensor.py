"""Sparse COO tensors (torch.sparse_coo): an int64 `indices` tensor (sparse_dim x nnz) and a `values` tensor
(nnz x the dense dims), both ordinary lazy tensors.

Autograd rides on the values: every sparse op computes its result's values from its inputs' values with dense
lazy ops (gathers, index_add, elementwise math), which record their own backward nodes, so gradients, higher
derivatives and fusion work as for any lazy graph. What depends on the indices' contents (coalescing, the
pattern of a product or of `to_sparse`) is decided on the host, as torch decides it eagerly.
"""
from __future__ import annotations

import math

import numpy as np

from ..dtypes import int64
from ..tensor import Tensor
from ..layouts import sparse_coo
from .layout_base import SparseLayoutTensor

class SparseTensor(SparseLayoutTensor):
    """A tensor of layout lazygrad.sparse_coo."""

    __slots__ = ("_sparse_indices", "_sparse_values", "_coalesced")

    @classmethod
    def _of(cls, indices: Tensor, values: Tensor, shape, coalesced: bool) -> SparseTensor:
        t = cls._blank(shape)
        t._sparse_indices, t._sparse_values, t._coalesced = indices, values, coalesced or values.shape[0] <= 1
        return t

    _carrier = property(lambda self: self._sparse_values)

    def _parts(self) -> tuple[Tensor, ...]:
        return (self._sparse_indices, self._sparse_values)

    # ---- what torch's sparse tensors tell about themselves ------------------------------------------

    layout = property(lambda self: sparse_coo)
    is_sparse = property(lambda self: True)

    def sparse_dim(self) -> int:
        return self._sparse_indices.shape[0]

    def dense_dim(self) -> int:
        return self._sparse_values.ndim - 1

    def is_coalesced(self) -> bool:
        return self._coalesced

    def _indices(self) -> Tensor:
        return self._sparse_indices

    def _values(self) -> Tensor:
        return self._sparse_values

    def indices(self) -> Tensor:
        if not self._coalesced:
            raise RuntimeError("Cannot get indices on an uncoalesced tensor, please call .coalesce() first")
        return self._sparse_indices

    def values(self) -> Tensor:
        if not self._coalesced:
            raise RuntimeError("Cannot get values on an uncoalesced tensor, please call .coalesce() first")
        return self._sparse_values

    def stride(self, dim: int | None = None):
        return 0 if dim is not None else (0,) * len(self._shape)

    def storage(self):
        raise NotImplementedError("Cannot access storage of SparseTensorImpl")

    untyped_storage = storage

    def data_ptr(self) -> int:
        raise RuntimeError("Cannot access data pointer of Tensor that doesn't have storage")

    tolist = data_ptr

    def contiguous(self, memory_format=None):
        raise RuntimeError("unsupported memory format option Contiguous")

    def reshape(self, *shape):
        raise RuntimeError("reshape is not implemented for sparse tensors")

    def item(self):
        if math.prod(self._shape) != 1:
            raise RuntimeError(f"a Tensor with {math.prod(self._shape)} elements cannot be converted to Scalar")
        return self.to_dense().item()

    # ---- autograd: carried by the values -------------------------------------------------------------

    def _coo(self) -> SparseTensor:
        return self

    def _on_pattern(self, per_entry: Tensor) -> SparseTensor:
        """Per-entry values (equal for repeats of an index: every sparse op reads the tensor the entries
        stand for) on the coalesced pattern."""
        from .construction import on_coalesced_pattern
        return on_coalesced_pattern(self, per_entry)

    def detach(self) -> SparseTensor:
        return SparseTensor._of(self._sparse_indices, self._sparse_values.detach(), self._shape, self._coalesced)

    def __repr__(self, *, tensor_contents=None) -> str:
        from .printing import format_sparse
        return format_sparse(self)

    __str__ = __repr__

    def __len__(self) -> int:
        if not self._shape:
            raise TypeError("len() of a 0-d tensor")
        return self._shape[0]


def host_indices(t: SparseTensor) -> np.ndarray:
    """The indices as a host array (computing them if they are lazy): what the pattern decisions read."""
    return t._sparse_indices._values()


def concatenated_ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """starts[0], ..., starts[0] + counts[0] - 1, then starts[1], ...: each range in turn, as one array."""
    total = int(counts.sum())
    return np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)


def linear_indices(indices: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Each entry's row-major position among the sparse dims (the order torch sorts coalesced entries in)."""
    if not indices.shape[1]:
        return np.zeros(0, np.int64)
    return np.ravel_multi_index(tuple(indices), shape, mode="wrap") if shape else np.zeros(indices.shape[1],
                                                                                           np.int64)


def index_tensor(array: np.ndarray, device) -> Tensor:
    t = Tensor._from_array(np.ascontiguousarray(array, dtype=np.int64), int64)
    return t if str(device) == "cpu" else t.to(device)


