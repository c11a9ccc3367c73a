"""torch.testing.make_tensor: a random tensor for tests, uniform over [low, high) with ranges per dtype as torch
chooses them. The values come from lazygrad's generator, so they are not the ones torch draws."""
from __future__ import annotations

import collections.abc
import math
import warnings

from ..creation import empty, randint
from ..device import device as Device
from ..dtype_info import finfo, iinfo
from ..dtypes import ALL_DTYPES, LIMITED_UNSIGNED, DType, bool_, int64
from ..layouts import memory_format as MemoryFormat
from ..tensor import Tensor

# default [low, high) by dtype kind: bool, unsigned, signed integer, floating (an unsigned low is then clamped to 0)
_DEFAULT_RANGES = {"b": (0, 2), "u": (-9, 10), "i": (-9, 10), "f": (-9, 9)}


def _representable(dtype: DType) -> tuple[float, float]:
    """[lowest, highest) a draw may cover: int64's top value is left out, as torch's randint cannot draw it."""
    if dtype is bool_:
        return 0, 2
    if dtype.is_integer:
        info = iinfo(dtype)
        return info.min, info.max + (dtype is not int64)
    info = finfo(dtype)
    return info.min, info.max


def _bounds(low: float | None, high: float | None, dtype: DType) -> tuple[float, float]:
    """low and high (defaults per dtype) checked and clamped to what dtype holds; integers' bounds ceiled, so no
    value falls below low and high stays exclusive."""
    default_low, default_high = _DEFAULT_RANGES[dtype.kind]
    low = default_low if low is None else low
    high = default_high if high is None else high
    lowest, highest = _representable(dtype)
    if any(isinstance(value, float) and math.isnan(value) for value in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got {low=} and {high=}")
    if low == high and dtype.is_floating_point:
        warnings.warn("Passing `low==high` to `lazygrad.testing.make_tensor` for floating or complex types is "
                      "deprecated since 2.1 and will be removed in 2.3. Use `lazygrad.full(...)` instead.",
                      FutureWarning, stacklevel=3)
    elif low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    elif high < lowest or low >= highest:
        raise ValueError(f"The value interval specified by `low` and `high` is [{low}, {high}), but {dtype} only "
                         f"supports [{lowest}, {highest})")
    low, high = min(max(low, lowest), highest), min(max(high, lowest), highest)
    return (low, high) if dtype.is_floating_point else (math.ceil(low), math.ceil(high))


def _drawn(shape: tuple[int, ...], dtype: DType, device, low: float, high: float) -> Tensor:
    if not dtype.is_floating_point:
        return randint(low, high, shape, device=device, dtype=dtype)
    result = empty(shape, device=device, dtype=dtype)
    if high - low >= finfo(dtype).max:  # a span the dtype cannot hold: draw half of it and double
        return result.uniform_(low / 2, high / 2).mul_(2)
    return result.uniform_(low, high)


def make_tensor(*shape: int | collections.abc.Sequence[int], dtype: DType, device: str | Device,
                low: float | None = None, high: float | None = None, requires_grad: bool = False,
                noncontiguous: bool = False, exclude_zero: bool = False,
                memory_format: MemoryFormat | None = None) -> Tensor:
    """A tensor of values drawn uniformly from [low, high), clamped to dtype's finite range. noncontiguous gives
    every other element of a tensor twice as long in its last dim (when it has two elements or more);
    exclude_zero replaces zeros by 1 (bool, integers) or finfo(dtype).tiny."""
    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = shape[0]
    shape = tuple(shape)
    if noncontiguous and memory_format is not None:
        raise ValueError("The parameters `noncontiguous` and `memory_format` are mutually exclusive, but got "
                         f"{noncontiguous=} and {memory_format=}")
    supported = dtype in ALL_DTYPES + LIMITED_UNSIGNED
    if requires_grad and supported and not dtype.is_floating_point:
        raise ValueError(f"`requires_grad=True` is not supported for boolean and integral dtypes, but got {dtype=}")
    if not supported:
        raise TypeError(f"The requested dtype '{dtype}' is not supported by lazygrad.testing.make_tensor().")
    floating = dtype.is_floating_point
    noncontiguous = noncontiguous and math.prod(shape) > 1
    if noncontiguous:  # (an offset of 1 exercises views that do not start their storage)
        result = _drawn((*shape[:-1], 2 * shape[-1]), dtype, device, *_bounds(low, high, dtype))[..., 1::2]
    else:
        result = _drawn(shape, dtype, device, *_bounds(low, high, dtype))
        if memory_format is not None:
            result = result.clone(memory_format=memory_format)
    if exclude_zero:
        result[result == 0] = finfo(dtype).tiny if floating else 1
    if floating:
        result.requires_grad = requires_grad
    return result
