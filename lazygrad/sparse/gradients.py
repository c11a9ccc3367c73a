"""Sparse gradients of dense tensors: an embedding built with sparse=True gives its weight a sparse COO
gradient holding one row per looked-up index (torch's layout: uncoalesced, padding rows left out), which
optimizers that take sparse gradients (SGD, Adagrad, SparseAdam) apply to those rows only."""
from __future__ import annotations

import numpy as np

from ..autograd.function import Context, node_class
from ..autograd.record import next_edge
from ..tensor import Tensor
from .coo_tensor import SparseTensor, index_tensor


def _rows_gradient(ctx: Context, grad: Tensor):
    weight, index, padding_idx, scale_grad_by_freq = ctx.args
    if scale_grad_by_freq:
        raise RuntimeError("embedding_backward: scale_grad_by_freq not supported with sparse gradients")
    rows = grad.reshape(-1, weight.shape[1])
    host = index._values().reshape(-1)
    keep = np.flatnonzero(host != padding_idx) if padding_idx is not None else np.arange(host.size)
    if len(keep) != host.size:
        rows = rows.index_select(0, index_tensor(keep, grad.device))
    indices = index_tensor(host[keep].reshape(1, -1), grad.device)
    return SparseTensor._of(indices, rows, tuple(weight.shape), False), None


def with_sparse_rows_gradient(out: Tensor, weight: Tensor, index: Tensor, padding_idx: int | None,
                              scale_grad_by_freq: bool) -> Tensor:
    """out (weight's rows at index, computed without a graph) recorded so that weight's gradient is sparse."""
    cls = node_class("EmbeddingBackward0", _rows_gradient)
    ctx = Context((weight, index, padding_idx, scale_grad_by_freq), {}, None, (True, False))
    node = cls(ctx, [next_edge(weight), (None, 0)], (), ((out._shape, out.dtype, out._storage.device),))
    node._input_meta = ((weight._shape, weight.dtype), None)
    out._requires_grad, out._grad_fn, out._output_nr = True, node, 0
    return out
