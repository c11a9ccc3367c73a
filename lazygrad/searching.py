"""Finding values: searchsorted and bucketize (binary searches), isin (membership), argwhere.

Binary searches have data-dependent trip counts, so they are library calls (numpy's searchsorted and isin
on the CPU, cupy's on a GPU) in the graph, lazy like every other op; argwhere's size depends on the
values, so it is computed at the call (as torch synchronizes).
"""
from __future__ import annotations

from .creation import tensor as _tensor
from .decompositions import library_call
from .dtypes import bool_, int32, int64, result_type, torch_name
from .indexing import nonzero
from .int_parameters import refuse_combination
from .tensor import Tensor


def _as_tensor(value, like: Tensor) -> Tensor:
    return value if isinstance(value, Tensor) else _tensor(value, device=like.device)


def searchsorted(sorted_sequence: Tensor, input, *, out_int32: bool = False, right: bool = False, side=None,
                 sorter=None, out=None) -> Tensor:
    """Where each value of input would go in its row of sorted_sequence to keep it sorted (after any equal
    values when right or side='right')."""
    values = _as_tensor(input, sorted_sequence)
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left "
                               "while right was True")
        right = side == "right"
    boundaries = sorted_sequence
    if boundaries.ndim > 1 and (values.ndim != boundaries.ndim or values.shape[:-1] != boundaries.shape[:-1]):
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions "
                           f"of boundaries tensor and input value tensor must match, but we got boundaries tensor "
                           f"{list(boundaries.shape)} and input value tensor {list(values.shape)}")
    if sorter is not None:
        boundaries = boundaries.gather(-1, sorter)
    common = result_type(boundaries, values)
    if common.is_complex:
        raise NotImplementedError(f"\"searchsorted_out_cpu\" not implemented for '{torch_name(common)}'")
    scalar = values.ndim == 0
    result = library_call("searchsorted", (right,), [boundaries.to(common), values.to(common).reshape(
        values.shape if not scalar else (1,))], [values.shape], dtype=int64)[0]
    result = result.to(int32) if out_int32 else result
    return result if out is None else out.copy_(result)


def bucketize(input, boundaries: Tensor, *, out_int32: bool = False, right: bool = False, out=None) -> Tensor:
    """The bucket of each value: boundaries[i-1] < x <= boundaries[i] (< on the right when right)."""
    if not isinstance(boundaries, Tensor):
        refuse_combination(bucketize, (input, boundaries))
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """Whether each element of elements is among test_elements (a bool tensor of elements' shape)."""
    like = elements if isinstance(elements, Tensor) else test_elements
    a, b = _as_tensor(elements, like), _as_tensor(test_elements, like)
    for t in (a, b):
        if t.dtype is bool_ or t.dtype.is_complex:
            raise RuntimeError(f"Unsupported input type encountered for isin(): {torch_name(t.dtype)}")
    common = result_type(a, b)
    return library_call("isin", (invert,), [a.to(common), b.to(common)], [a.shape], dtype=bool_)[0]


def argwhere(input: Tensor) -> Tensor:
    """The coordinates of the nonzero elements, one row each (nonzero's result)."""
    return nonzero(input)
