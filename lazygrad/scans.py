"""Running extremes and the running log-sum-exp along a dim: cummax, cummin, logcumsumexp.

cummax and cummin are two SCAN kernels: the running extreme, then the running maximum of the positions
where an element equals the extreme up to it (torch's index: the last place the extreme was reached, a
NaN counting as the extreme). logcumsumexp is one SCAN kernel whose running combine is log(e^a + e^b)
(ReduceOp.LOGADDEXP, taken as max + log1p(exp(min - max))), so nothing overflows or underflows however
far apart the values are; float16 runs in float32, as torch computes it. Complex values take log2(n)
doubling passes of torch's complex logaddexp instead (each an elementwise kernel).
"""
from __future__ import annotations

from . import graph, return_types
from .autograd.record import differentiable
from .dtypes import C_NAMES, int64, to_dtype, torch_name
from .elementwise import _out, eq, isnan, logical_and, logical_or, where
from .ops import ReduceOp
from .tensor import Tensor, wrap_dim
from .unordered import refuse_complex


def _along(t: Tensor, d: int) -> Tensor:
    """Each element's position along dim d (int64, t's shape)."""
    shape = [1] * t.ndim
    shape[d] = t._shape[d]
    node = graph.reshape(graph.arange(0, 1, t._shape[d], int64), tuple(shape))
    return Tensor._from_node(graph.expand(node, t._shape), t._storage.device)


def _scan(t: Tensor, rop: ReduceOp, d: int) -> Tensor:
    return Tensor._from_node(graph.scan(t.lazy, rop, d), t._storage.device)


def _running_extreme(input: Tensor, dim: int, rop: ReduceOp, result: type):
    """(running extreme, index of its last occurrence) along dim."""
    if input.ndim == 0:
        if dim not in (0, -1):
            raise IndexError(f"{result.__name__}(): Expected reduction dim -1 or 0 for scalar but got {dim}")
        return result(input.clone(), Tensor._from_node(graph.const(0, int64, ()), input._storage.device))
    d = wrap_dim(dim, input.ndim)
    values = _scan(input, rop, d)
    hit = eq(input, values)
    if input.dtype.is_floating_point:
        hit = logical_or(hit, logical_and(isnan(input), isnan(values)))
    return result(values, _scan(where(hit, _along(input, d), 0), ReduceOp.MAX, d))


@differentiable("cummax")
def cummax(input: Tensor, dim: int, *, out=None):
    """The running maximum along dim and the index where it was last reached (NaN propagates)."""
    refuse_complex(input, "cummax")
    return _out(_running_extreme(input, dim, ReduceOp.MAX, return_types.cummax), out, "cummax")


@differentiable("cummin")
def cummin(input: Tensor, dim: int, *, out=None):
    refuse_complex(input, "cummin")
    return _out(_running_extreme(input, dim, ReduceOp.MIN, return_types.cummin), out, "cummin")


@differentiable("logcumsumexp")
def logcumsumexp(input: Tensor, dim: int, *, out=None) -> Tensor:
    """log(cumsum(exp(x))) along dim, computed in the log domain (float16 in float32, as torch does)."""
    if input.dtype.is_complex and input.ndim:
        return _out(_complex_logcumsumexp(input, wrap_dim(dim, input.ndim)), out, "logcumsumexp")
    if not input.dtype.is_floating_point and not input.dtype.is_complex:
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{torch_name(input.dtype)}'")
    if input.ndim == 0:
        wrap_dim(dim, 0)
        return _out(input.clone(), out, "logcumsumexp")
    return _out(_scan(input, ReduceOp.LOGADDEXP, wrap_dim(dim, input.ndim)), out, "logcumsumexp")


def _complex_logcumsumexp(x: Tensor, d: int) -> Tensor:
    """The running complex logaddexp by doubling (Hillis-Steele): after the pass with shift s each element
    holds the log-sum-exp of the 2s elements up to it; exp(-inf) is the missing terms' nothing."""
    from .creation import full_like
    from .movement import cat
    from .pointwise import _complex_logaddexp
    n, acc, shift = x._shape[d], x, 1
    while shift < n:
        before = cat([full_like(acc.narrow(d, 0, shift), float("-inf")), acc.narrow(d, 0, n - shift)], d)
        acc, shift = _complex_logaddexp(acc, before), 2 * shift
    return acc


def check_in_place_dtype(target: Tensor, dtype) -> None:
    """cumsum_/cumprod_ keep the tensor's dtype: torch refuses another one."""
    if dtype is not None and to_dtype(dtype) is not target.dtype:
        raise RuntimeError(f"Bad in-place call: input tensor dtype {C_NAMES[target.dtype.name]} and output tensor "
                           f"dtype {C_NAMES[to_dtype(dtype).name]} should match")
