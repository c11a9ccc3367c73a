"""The printed form of a sparse tensor, as torch prints it (indices, values, then size, nnz and layout)."""
from __future__ import annotations

from .. import printing
from ..dtypes import bool_, get_default_dtype, int64
from .coo_tensor import SparseTensor


def format_sparse(t: SparseTensor) -> str:
    indices, values = t._sparse_indices.detach(), t._sparse_values.detach()
    dt = t.dtype
    suffixes = []
    if t.is_cuda:
        suffixes.append(f"device='{t.device}'")
    suffixes += [f"size={tuple(t._shape)}", f"nnz={t._nnz()}"]
    if dt not in (get_default_dtype(), get_default_dtype().to_complex(), int64, bool_):
        suffixes.append(f"dtype=lazygrad.{dt.name}")
    suffixes.append("layout=lazygrad.sparse_coo")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    parts = [("indices", indices.cpu()._values() if indices.is_cuda else indices._values(), "int64"),
             ("values", values.cpu()._values() if values.is_cuda else values._values(), dt.name)]
    return printing.format_sparse(parts, suffixes)
