"""embedding and embedding_bag: lookups of a weight's rows, all lazy (a lookup is a gather, its gradient a
scatter-add that costs what the looked-up rows cost; a bag is a scatter-reduction into one row per bag).

The arguments are checked in torch's order, which is spread over its Python wrapper (padding_idx, shapes,
modes, then max_norm's in-place renormalization with checks of its own) and its kernels (dtypes, offsets,
then the indices' range, worded by the kernel that would run).
"""
from __future__ import annotations

import warnings

import numpy as np

from ...autograd.composite import recorded_as
from ...autograd.grad_mode import is_grad_enabled, no_grad
from ...creation import arange, full, ones, tensor, zeros
from ...dtypes import (bfloat16, float16, float32, float64, int32, int64, opmath, promote_types, torch_name,
                       type_string)
from ...elementwise import where
from ...searching import searchsorted
from ...tensor import Tensor

__all__ = ["embedding", "embedding_bag"]

_INDEX_DTYPES = (int64, int32)
_BAG_WEIGHT_DTYPES = (float16, bfloat16, float32, float64)
_BAG_MODES = ("sum", "mean", "max")
# sum and mean bags of these dtypes, without a padding_idx, run on torch's fast kernel, which words a bad index
# its own way
_FAST_BAG_DTYPES = (float32, float16, bfloat16)


def _check_dtype(dtype, position: int, name: str, allowed, op: str) -> None:
    """torch's checkScalarTypes."""
    if dtype not in allowed:
        listed = ", ".join(torch_name(d) for d in allowed)
        raise RuntimeError(f"Expected tensor for argument #{position} '{name}' to have one of the following scalar "
                           f"types: {listed}; but got {type_string(dtype)} instead (while checking arguments for "
                           f"{op})")


def _padding_row(weight: Tensor, padding_idx: int | None) -> int | None:
    """padding_idx made non-negative, as torch's F.embedding checks it (only a non-zero one against the rows)."""
    if not padding_idx:
        return padding_idx
    rows = weight.size(0)
    if not -rows <= padding_idx < rows:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx % rows


def _renorm_rows(weight: Tensor, indices: Tensor, max_norm: float, norm_type: float) -> None:
    """The rows of weight that indices name (each as select() takes it) whose norm exceeds max_norm, scaled in
    place to max_norm, after torch's embedding_renorm_ checks."""
    if weight.ndim != 2:
        raise RuntimeError(f"Expected 2-dimensional tensor, but got {weight.ndim}-dimensional tensor for argument #1 "
                           "'self' (while checking arguments for embedding_renorm_)")
    _check_dtype(indices.dtype, 2, "indices", _INDEX_DTYPES, "embedding_renorm_")
    rows, named = weight.shape[0], np.unique(indices.numpy())
    for bad in named[(named < -rows) | (named >= rows)][:1]:
        raise IndexError(f"select(): index {bad} out of range for tensor of size {list(weight.shape)} at dimension 0")
    index = tensor(np.unique(named % max(rows, 1)).astype(np.int64), device=weight.device)
    with no_grad():
        picked = weight.index_select(0, index)
        norms = picked.norm(norm_type, 1, keepdim=True).double()  # (torch's scale is a double, then cast)
        scale = where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight.index_copy_(0, index, picked * scale.to(picked.dtype))


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """The rows of weight that input indexes. The padding_idx row gets no gradient; max_norm first renormalizes
    the looked-up rows of weight in place; scale_grad_by_freq divides each row's gradient by how often it occurs
    in input. With sparse, weight's gradient is a sparse tensor of the looked-up rows."""
    padding_idx = _padding_row(weight, padding_idx)
    if max_norm is not None:
        _renorm_rows(weight, input, max_norm, norm_type)
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_dtype(input.dtype, 1, "indices", _INDEX_DTYPES, "embedding")
    if sparse and weight.requires_grad and is_grad_enabled():
        from ...sparse.gradients import with_sparse_rows_gradient
        with no_grad():
            out = _embedding(input, weight, padding_idx)
        return with_sparse_rows_gradient(out, weight, input, padding_idx, scale_grad_by_freq)
    return _embedding(input, weight, padding_idx, scale_grad_by_freq)


@recorded_as("EmbeddingBackward0")
def _embedding(input: Tensor, weight: Tensor, padding_idx: int | None, scale_grad_by_freq: bool = False) -> Tensor:
    index = input.reshape(-1).to(int64)
    rows = weight.index_select(0, index)
    if scale_grad_by_freq:
        counts = zeros(weight.shape[0], dtype=weight.dtype, device=weight.device)
        counts = counts.index_add(0, index, ones(index.shape, dtype=weight.dtype, device=weight.device))
        fixed = rows.detach()
        rows = fixed + (rows - fixed) / counts.index_select(0, index).unsqueeze(1)
    if padding_idx is not None:
        rows = where((index == padding_idx).unsqueeze(1), rows.detach(), rows)
    return rows.reshape(*input.shape, weight.shape[1])


def _flat_bags(input: Tensor, offsets: Tensor | None, include_last_offset: bool) -> tuple[Tensor, Tensor, bool]:
    """(indices, offsets, include_last_offset) of 1-D bags: a 2-D input's rows become bags of equal length."""
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
        offsets = arange(0, input.numel(), input.shape[1], dtype=input.dtype, device=input.device)
        return input.reshape(-1), offsets, False
    if input.ndim != 1:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}")
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    if offsets.ndim != 1:
        raise ValueError("offsets has to be a 1D Tensor")
    return input, offsets, include_last_offset


def _check_mode(mode: str, scale_grad_by_freq: bool, sparse: bool) -> None:
    if mode not in _BAG_MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")


def _check_offsets(starts: np.ndarray, length: int, dtype) -> None:
    """torch's errors for bag offsets that do not start at 0, pass the input's end or go backwards."""
    if starts.size and starts[0] != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           f"position 0. However, got {starts[0]}\n[ torch.{torch_name(dtype)}Tensor{{}} ]")
    if starts.size and starts[-1] > length:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {length} but got offsets[-1] of "
                           f"{starts[-1]}")
    if (np.diff(starts) < 0).any():
        raise RuntimeError("Expected i < index_size to be true, but got false.  (Could this error message be improved?  "
                           "If so, please report an enhancement request to PyTorch.)")


def _check_rows(indices: np.ndarray, rows: int, fast: bool) -> None:
    """The first index outside the weight's rows, as the kernel that would run words it."""
    for at in np.flatnonzero((indices < 0) | (indices >= rows))[:1]:
        if fast:
            raise RuntimeError(f"Index {at} of input takes value {indices[at]} which is not in the valid range "
                               f"[0, {rows})")
        raise RuntimeError(f"embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to be "
                           f"{indices[at]}")


def _check_bag_kernel(input: Tensor, weight: Tensor, offsets: Tensor, mode: str, per_sample_weights: Tensor | None,
                      include_last_offset: bool, padding_idx: int | None) -> int | None:
    """The checks of torch's embedding_bag kernel, in its order; padding_idx made non-negative."""
    rows = weight.shape[0]
    if padding_idx is not None:
        if not -rows <= padding_idx < rows:
            raise RuntimeError(f"padding_idx must be within the number of embeddings, -{rows} through {rows - 1}, "
                               f"but got {padding_idx}")
        padding_idx %= rows
    index_dtype = promote_types(input.dtype, offsets.dtype)
    _check_dtype(index_dtype, 1, "indices", _INDEX_DTYPES, "embedding_bag")
    _check_dtype(weight.dtype, 1, "weight", _BAG_WEIGHT_DTYPES, "embedding_bag")
    if per_sample_weights is not None and per_sample_weights.dtype is not weight.dtype:
        raise RuntimeError("Expected tensor for argument #1 'weight' to have the same type as tensor for argument #1 "
                           f"'per_sample_weights'; but type {type_string(weight.dtype)} does not equal "
                           f"{type_string(per_sample_weights.dtype)} (while checking arguments for embedding_bag)")
    if include_last_offset and offsets.numel() < 1:
        raise RuntimeError("include_last_offset: number of offset should be at least 1")
    starts, indices = offsets.numpy(), input.numpy()
    _check_offsets(starts, indices.size, index_dtype)
    end = starts[-1] if include_last_offset else indices.size
    fast = mode != "max" and padding_idx is None and weight.dtype in _FAST_BAG_DTYPES
    _check_rows(indices[:end], rows, fast)
    return padding_idx


@recorded_as("EmbeddingBagBackward0", slots=("weight", "per_sample_weights"))
def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None, max_norm: float | None = None,
                  norm_type: float = 2, scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """Sum, mean or max of the embeddings of each bag (a row of 2-D input, or a run of 1-D input starting at
    each offset; with include_last_offset the last offset ends the last bag), as lazy scatter-reductions into
    one row per bag. padding_idx entries are left out (empty bags give zeros). With sparse, weight's gradient is
    a sparse tensor of the looked-up rows."""
    if weight.dtype is int64 and input.dtype.is_floating_point:
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage `embedding_bag(weight, "
                      "input, ...)` is deprecated, and should now be `embedding_bag(input, weight, ...)`.",
                      stacklevel=3)
        weight, input = input, weight
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then it "
                         f"must have the same shape as the input ({input.shape})")
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    input, offsets, include_last_offset = _flat_bags(input, offsets, include_last_offset)
    _check_mode(mode, scale_grad_by_freq, sparse)
    if max_norm is not None:
        _renorm_rows(weight, input, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")
    padding_idx = _check_bag_kernel(input, weight, offsets, mode, per_sample_weights, include_last_offset,
                                    padding_idx)
    index = input.to(int64)
    rows = embedding(index, weight, padding_idx, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1, 1)
    bags = offsets.shape[0] - 1 if include_last_offset else offsets.shape[0]
    bag = searchsorted(offsets.to(int64), arange(index.shape[0], device=index.device), right=True) - 1
    if padding_idx is not None:
        bag = where(index == padding_idx, bags, bag)
    table = zeros(bags + 1, weight.shape[1], dtype=weight.dtype, device=weight.device)  # (row `bags`: left out)
    if mode == "max":
        return _bag_max(table, bag, rows)[:bags]
    # (float16 and bfloat16 bags are summed in float32 and rounded once, as torch's kernel sums them)
    wide = opmath(weight.dtype)
    summed = table.to(wide).index_add(0, bag, rows.to(wide))[:bags].to(weight.dtype)
    if mode == "sum":
        return summed
    counts = zeros(bags + 1, dtype=weight.dtype, device=weight.device).index_add(0, bag, ones(bag.shape,
                                                                                              dtype=weight.dtype))
    return summed / counts[:bags].clamp(min=1).unsqueeze(1)


def _bag_max(table: Tensor, bag: Tensor, rows: Tensor) -> Tensor:
    """Each bag's maximum per column, its gradient all to the bag's first entry holding it (torch's max_indices),
    where a scatter-max would share it among ties (and with the table's zero)."""
    fixed = rows.detach()
    peak = table.index_reduce(0, bag, fixed, "amax", include_self=False)
    length = rows.shape[0]
    position = arange(length, device=rows.device).unsqueeze(1).expand(rows.shape)
    candidates = where(fixed == peak[bag], position, length)
    first = full(table.shape, length, dtype=int64, device=rows.device).index_reduce(0, bag, candidates, "amin")
    return peak + table.index_add(0, bag, where(position == first[bag], rows - fixed, 0))
