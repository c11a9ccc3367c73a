"""torch.masked's reductions and normalizations: the op over the elements a boolean mask keeps.

Each op fills the masked-out elements with its identity (0 for a sum, 1 for a product, the lowest value for
a maximum, NaN for a median that skips NaN...) and runs the plain op, so it is lazy and fused like any other,
and differentiable (masked-out elements get no gradient). A mask broadcasts to the input's shape. A slice
with nothing kept gives what the identity gives: 0 for a sum, -inf for amax, NaN for a mean. Dense tensors
only (torch's also take sparse ones), and no MaskedTensor.
"""
from __future__ import annotations

import math
from typing import Sequence

from . import dtypes
from .dtype_info import iinfo
from .elementwise import clamp_min, where
from .layouts import strided
from .reductions import argmax as _argmax, argmin as _argmin, cumprod as _cumprod, cumsum as _cumsum
from .reductions import logsumexp as _logsumexp, vector_norm
from .tensor import Tensor
from .int_parameters import dim_list

__all__ = ["amax", "amin", "argmax", "argmin", "cumprod", "cumsum", "log_softmax", "logaddexp", "logsumexp", "mean",
           "median", "norm", "normalize", "prod", "softmax", "softmin", "std", "sum", "var"]

DimOrDims = int | Sequence[int] | None
_PROMOTED = ("bool", "uint8", "int8", "int16", "int32")  # summed and multiplied as int64 unless a dtype is given


def _extreme(dtype, lowest: bool):
    if dtype.is_floating_point:
        return -math.inf if lowest else math.inf
    if dtype.is_complex:
        return complex(-math.inf if lowest else math.inf, 0)
    if dtype.kind in "iu":
        info = iinfo(dtype)
        return info.min if lowest else info.max
    raise NotImplementedError(f"identity of {'amax' if lowest else 'amin'} on {dtype} input")


# the value an op ignores, for an input dtype (and the norm's order)
IDENTITY = {
    "sum": lambda dtype, *_: 0, "prod": lambda dtype, *_: 1,
    "amax": lambda dtype, *_: _extreme(dtype, True), "amin": lambda dtype, *_: _extreme(dtype, False),
    "median": lambda dtype, *_: math.nan,
    "norm": lambda dtype, ord=2, *_: math.inf if ord == -math.inf else 0,
}


def _canonical_dim(dim: DimOrDims, ndim: int) -> tuple[int, ...]:
    """The reduced dims, sorted: all of them for None (or ()), torch's errors for repeats and out of range."""
    if dim is None or dim == ():
        return tuple(range(ndim))
    ndim = max(ndim, 1)
    dims: list[int] = []
    for d in dim_list(dim):
        if d in dims:
            raise RuntimeError(f"dim={d} appears multiple times in the list of dims")
        if not -ndim <= d < ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], but got {d})")
        dims.append(d % ndim)
    return tuple(sorted(dims))


def _strided(input: Tensor) -> None:
    if input.layout is not strided:
        raise ValueError(f"lazygrad.masked expects strided tensors (got {input.layout} tensor)")


def _input_mask(input: Tensor, mask: Tensor) -> Tensor:
    """mask broadcast to input's shape, as booleans."""
    _strided(input)
    if tuple(mask.shape) != tuple(input.shape):
        if mask.ndim > input.ndim:
            raise IndexError("_input_mask expected broadcastable mask (got mask dimensionality higher than of the "
                             "input)")
        mask = mask.broadcast_to(input.shape)
    return mask.to(dtypes.bool_)


def _filled(op: str, input: Tensor, mask: Tensor | None, *args) -> Tensor:
    """input with the masked-out elements replaced by op's identity (input itself without a mask)."""
    if mask is None:
        _strided(input)
        return input
    return where(_input_mask(input, mask), input, IDENTITY[op](input.dtype, *args))


def _summed_dtype(input: Tensor, dtype):
    return dtype if dtype is not None else dtypes.int64 if input.dtype.name in _PROMOTED else input.dtype


def sum(input: Tensor, dim: DimOrDims = None, *, keepdim: bool = False, dtype=None,  # noqa: A001
        mask: Tensor | None = None) -> Tensor:
    dims = _canonical_dim(dim, input.ndim)
    return _filled("sum", input, mask).sum(dims, keepdim=bool(keepdim), dtype=_summed_dtype(input, dtype))


def prod(input: Tensor, dim: DimOrDims = None, *, keepdim: bool = False, dtype=None,
         mask: Tensor | None = None) -> Tensor:
    result = _filled("prod", input, mask).to(_summed_dtype(input, dtype))
    for d in reversed(_canonical_dim(dim, input.ndim)):
        result = result.prod(d, keepdim=bool(keepdim))
    return result


def amax(input: Tensor, dim: DimOrDims = None, *, keepdim: bool = False, dtype=None,
         mask: Tensor | None = None) -> Tensor:
    filled = _filled("amax", input, mask)
    return filled.amax(_canonical_dim(dim, filled.ndim), bool(keepdim)).to(dtype or input.dtype)


def amin(input: Tensor, dim: DimOrDims = None, *, keepdim: bool = False, dtype=None,
         mask: Tensor | None = None) -> Tensor:
    filled = _filled("amin", input, mask)
    return filled.amin(_canonical_dim(dim, filled.ndim), bool(keepdim)).to(dtype or input.dtype)


def argmax(input: Tensor, dim: int | None = None, *, keepdim: bool = False, dtype=None,
           mask: Tensor | None = None) -> Tensor:
    """(In torch's dtype: the input's unless given.)"""
    return _argmax(_filled("amax", input, mask), dim, bool(keepdim)).to(dtype or input.dtype)


def argmin(input: Tensor, dim: int | None = None, *, keepdim: bool = False, dtype=None,
           mask: Tensor | None = None) -> Tensor:
    return _argmin(_filled("amin", input, mask), dim, bool(keepdim)).to(dtype or input.dtype)


def _count(input: Tensor, mask: Tensor | None, dims: tuple[int, ...], keepdim: bool) -> Tensor:
    """How many elements each result reduces (int64)."""
    from .creation import ones
    kept = ones(input.shape, dtype=dtypes.int64, device=input.device) if mask is None else _input_mask(input, mask)
    return kept.sum(dims, keepdim=keepdim, dtype=dtypes.int64)


def mean(input: Tensor, dim: DimOrDims = None, *, keepdim: bool = False, dtype=None,
         mask: Tensor | None = None) -> Tensor:
    wanted = dtype if dtype is not None else input.dtype
    if not (wanted.is_floating_point or wanted.is_complex):
        raise ValueError(f"mean(): Could not infer output dtype. {'Optional' if dtype is not None else 'Input'} dtype "
                         f"must be either a floating point or complex dtype. Got: {wanted}")
    dims = _canonical_dim(dim, input.ndim)
    return sum(input, dims, keepdim=keepdim, dtype=wanted, mask=mask) / _count(input, mask, dims, bool(keepdim))


def median(input: Tensor, dim: int = -1, *, keepdim: bool = False, dtype=None,
           mask: Tensor | None = None) -> Tensor:
    """The median of the kept elements; integers are computed as floats, and then a row with nothing kept
    raises (its NaN has no integer)."""
    from .sorting import nanmedian
    d = _canonical_dim(dim, input.ndim)[0]
    floating = input.dtype.is_floating_point
    values = input if floating else input.to(dtypes.float32)
    out = nanmedian(_filled("median", values, mask), d, keepdim).values
    if floating:
        return out
    if bool(out.isnan().any()):
        raise ValueError("masked median expects no fully masked out rows if dtype is not floating point")
    return out.to(dtype or input.dtype)


def _spread(input: Tensor, dim: DimOrDims, unbiased: bool | None, correction, keepdim: bool, dtype,
            mask: Tensor | None, root: bool) -> Tensor:
    """var (or std, root) of the kept elements: sum of squared deviations from their mean over count - correction
    (not below 0)."""
    if unbiased is not None and correction is not None:
        raise RuntimeError("Only one of unbiased and correction may be given")
    shift = float(correction) if correction is not None else 0.0 if unbiased is False else 1.0
    out_dtype = dtype if dtype is not None else input.dtype
    if not (out_dtype.is_floating_point or out_dtype.is_complex):
        out_dtype = dtypes.float32
    dims = _canonical_dim(dim, input.ndim)
    count = _count(input, mask, dims, True)
    deviation = input - sum(input, dims, keepdim=True, dtype=out_dtype, mask=mask) / count
    squares = deviation * deviation.conj()
    total = sum(squares, dims, keepdim=bool(keepdim), dtype=squares.dtype, mask=mask)
    count = count.reshape(total.shape)
    if shift:
        count = clamp_min(count.to(total.dtype.to_real() if total.dtype.is_complex else total.dtype) - shift, 0)
    out = (total / count).to(out_dtype)
    return out.sqrt() if root else out


def var(input: Tensor, dim: DimOrDims = None, unbiased: bool | None = None, *, correction=None,
        keepdim: bool = False, dtype=None, mask: Tensor | None = None) -> Tensor:
    return _spread(input, dim, unbiased, correction, keepdim, dtype, mask, False)


def std(input: Tensor, dim: DimOrDims = None, unbiased: bool | None = None, *, correction=None,
        keepdim: bool = False, dtype=None, mask: Tensor | None = None) -> Tensor:
    return _spread(input, dim, unbiased, correction, keepdim, dtype, mask, True)


def norm(input: Tensor, ord: float = 2.0, dim: DimOrDims = None, *, keepdim: bool = False, dtype=None,
         mask: Tensor | None = None) -> Tensor:
    filled = _filled("norm", input, mask, ord)
    return vector_norm(filled, ord, _canonical_dim(dim, input.ndim), bool(keepdim), dtype=dtype or input.dtype)


def normalize(input: Tensor, ord: float, dim: int, *, eps: float = 1e-12, dtype=None,
              mask: Tensor | None = None) -> Tensor:
    """The kept elements over their ord-norm along dim (at least eps); masked-out elements are 0."""
    size = norm(input, ord, dim, keepdim=True, dtype=dtype, mask=mask)
    return _filled("sum", input, mask) / clamp_min(size, eps)


def _normalized(fn, identity: str, input: Tensor, dim: int, dtype, mask: Tensor | None) -> Tensor:
    from .nn import functional as F
    d = _canonical_dim(dim, input.ndim)[0]
    return getattr(F, fn)(_filled(identity, input, mask), d, dtype=dtype or input.dtype)


def softmax(input: Tensor, dim: int, *, dtype=None, mask: Tensor | None = None) -> Tensor:
    """Masked-out elements get 0 (a row with nothing kept, NaN)."""
    return _normalized("softmax", "amax", input, dim, dtype, mask)


def log_softmax(input: Tensor, dim: int, *, dtype=None, mask: Tensor | None = None) -> Tensor:
    return _normalized("log_softmax", "amax", input, dim, dtype, mask)


def softmin(input: Tensor, dim: int, *, dtype=None, mask: Tensor | None = None) -> Tensor:
    return _normalized("softmin", "amin", input, dim, dtype, mask)


def cumsum(input: Tensor, dim: int, *, dtype=None, mask: Tensor | None = None) -> Tensor:
    d = _canonical_dim(dim, input.ndim)[0]
    return _cumsum(_filled("sum", input, mask), d, dtype=dtype or input.dtype).to(dtype or input.dtype)


def cumprod(input: Tensor, dim: int, *, dtype=None, mask: Tensor | None = None) -> Tensor:
    d = _canonical_dim(dim, input.ndim)[0]
    return _cumprod(_filled("prod", input, mask), d, dtype=dtype or input.dtype).to(dtype or input.dtype)


def logsumexp(input: Tensor, dim: DimOrDims = None, *, keepdim: bool = False, dtype=None,
              mask: Tensor | None = None) -> Tensor:
    dims = _canonical_dim(dim, input.ndim)
    return _logsumexp(_filled("amax", input, mask), dims, keepdim=keepdim).to(dtype or input.dtype)


def logaddexp(input: Tensor, other: Tensor, *, dtype=None, input_mask: Tensor | None = None,
              other_mask: Tensor | None = None) -> Tensor:
    from .pointwise import logaddexp as _logaddexp
    return _logaddexp(_filled("amax", input, input_mask), _filled("amax", other, other_mask)).to(dtype or input.dtype)
