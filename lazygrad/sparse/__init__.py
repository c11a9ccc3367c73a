"""torch.sparse: sparse COO tensors (`lazygrad.sparse_coo_tensor`, `Tensor.to_sparse`) and the functions of
this namespace. The tensor is in coo_tensor.py, its making and conversions in construction.py, its math in
arithmetic.py and products.py, its shape ops in shapes.py, and where it meets the rest of the API in
dispatch.py."""
from __future__ import annotations

from ..tensor import Tensor
from . import arithmetic, products
from .construction import spdiags
from .coo_tensor import SparseTensor
from .invariants import check_sparse_tensor_invariants
from .legacy_types import SPARSE_LEGACY_TYPES

globals().update(SPARSE_LEGACY_TYPES)

__all__ = ["addmm", "check_sparse_tensor_invariants", "log_softmax", "mm", "sampled_addmm", "softmax", "spdiags",
           "sum"]


def mm(mat1, mat2) -> Tensor:
    """mat1 @ mat2 with mat1 (or both) sparse: dense with a dense mat2, sparse with a sparse one."""
    return products.mm(mat1, mat2)


def addmm(mat: Tensor, mat1: SparseTensor, mat2: Tensor, *, beta: float = 1.0, alpha: float = 1.0) -> Tensor:
    """beta * mat + alpha * (mat1 @ mat2) for a sparse mat1."""
    return products.addmm(mat, mat1, mat2, beta=beta, alpha=alpha)


def sum(input: SparseTensor, dim=None, dtype=None) -> Tensor:  # noqa: A001  (torch's name)
    """The sum of all entries (a dense 0-d tensor), or over dims (sparse while sparse dims are left)."""
    return arithmetic.sum_(input, dim, dtype=dtype)


def softmax(input: SparseTensor, dim: int, *, dtype=None) -> SparseTensor:
    """Softmax along dim over the entries present (absent ones count as -inf: they stay absent)."""
    return arithmetic.softmax(input, dim, dtype)


def log_softmax(input: SparseTensor, dim: int, *, dtype=None) -> SparseTensor:
    """log of softmax along dim over the entries present."""
    return arithmetic.softmax(input, dim, dtype, log=True)


def sampled_addmm(input, mat1: Tensor, mat2: Tensor, *, beta: float = 1.0, alpha: float = 1.0):
    """beta * input + alpha * (mat1 @ mat2), computed only at input's entries (input sparse)."""
    return products.sampled_addmm(input, mat1, mat2, beta=beta, alpha=alpha)

