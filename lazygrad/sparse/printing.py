"""The printed forms of sparse tensors, as torch prints them (their index tensors and values, then size,
nnz and layout)."""
from __future__ import annotations

import numpy as np

from .. import printing
from ..dtypes import bool_, get_default_dtype, int64
from .coo_tensor import SparseTensor


def _suffixes(t) -> list[str]:
    dt = t.dtype
    suffixes = []
    if t.is_cuda:
        suffixes.append(f"device='{t.device}'")
    suffixes += [f"size={tuple(t._shape)}", f"nnz={t._nnz()}"]
    if dt not in (get_default_dtype(), get_default_dtype().to_complex(), int64, bool_):
        suffixes.append(f"dtype=lazygrad.{dt.name}")
    suffixes.append(f"layout={t.layout}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return suffixes


def _host(t) -> np.ndarray:
    t = t.detach()
    return t._values()


def format_sparse(t: SparseTensor) -> str:
    parts = [("indices", _host(t._sparse_indices), "int64"), ("values", _host(t._sparse_values), t.dtype.name)]
    return printing.format_sparse(parts, _suffixes(t))


def format_csr(t) -> str:
    """A CSR tensor's repr: its suffixes follow the values on the same line while they fit, as torch's."""
    parts = [("crow_indices", _host(t._crow), "int64"), ("col_indices", _host(t._col), "int64"),
             ("values", _host(t._csr_values), t.dtype.name)]
    return printing.format_sparse(parts, _suffixes(t), force_newline=False)


def format_csc(t) -> str:
    parts = [("ccol_indices", _host(t.ccol_indices()), "int64"), ("row_indices", _host(t.row_indices()), "int64"),
             ("values", _host(t.values()), t.dtype.name)]
    return printing.format_sparse(parts, _suffixes(t), force_newline=False)
