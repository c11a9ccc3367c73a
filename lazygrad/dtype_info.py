"""torch.finfo and torch.iinfo: the limits of a dtype, printed as torch prints them; and torch's check of a Python
number converted to a scalar of a dtype."""
from __future__ import annotations

import math

import numpy as np

from .dtypes import SCALAR_C_TYPES, DType, bool_, check_python_int, get_default_dtype, to_dtype


class _Info:
    """Fields compare by value, as torch's do (and, like them, the objects are not hashable)."""
    __hash__ = None
    _shown: tuple[str, ...] = ()

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name):g}" for name in self._shown)
        return f"{type(self).__name__}({fields}, dtype={self.dtype})"


class finfo(_Info):  # noqa: N801  (torch's name)
    """bits, eps, max, min, tiny (= smallest_normal) and resolution of a floating dtype (the default one)."""
    __module__ = "lazygrad"
    _shown = ("resolution", "min", "max", "eps", "smallest_normal", "tiny")

    def __init__(self, type: DType | None = None):
        dtype = to_dtype(type) if type is not None else get_default_dtype()
        if not dtype.is_floating_point:
            raise TypeError("lazygrad.finfo() requires a floating point input type. Use lazygrad.iinfo to handle "
                            "'lazygrad.finfo'")
        info = np.finfo(dtype.np)
        self.bits, self.dtype = info.bits, dtype.name
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision


class iinfo(_Info):  # noqa: N801
    """bits, max and min of an integer dtype."""
    __module__ = "lazygrad"
    _shown = ("min", "max")

    def __init__(self, type: DType):
        dtype = to_dtype(type)
        if dtype is bool_:
            raise TypeError("lazygrad.bool is not supported by lazygrad.iinfo")
        if not dtype.is_integer:
            raise TypeError("lazygrad.iinfo() requires an integer input type. Use lazygrad.finfo to handle "
                            "'lazygrad.iinfo'")
        info = np.iinfo(dtype.np)
        self.bits, self.dtype, self.max, self.min = info.bits, dtype.name, int(info.max), int(info.min)


def scalar_in(dtype: DType, value):
    """value as torch converts a Python number to a scalar of dtype: toward zero for an integer dtype. An
    imaginary part for a real dtype, a finite value past a floating dtype's range, or a non-finite or
    out-of-range one for an integer dtype (an unsigned one takes negatives down to minus its maximum, which
    wrap) is torch's overflow error, naming the C type."""
    check_python_int(value)
    if dtype.is_complex or dtype is bool_:
        return value
    overflow = RuntimeError(f"value cannot be converted to type {SCALAR_C_TYPES[dtype.name]} without overflow")
    if isinstance(value, complex):
        if value.imag:
            raise overflow
        value = value.real
    if dtype.is_floating_point:
        if math.isfinite(value) and abs(value) > finfo(dtype).max:
            raise overflow
        return value
    info = iinfo(dtype)
    if isinstance(value, float) and not (math.isfinite(value) and info.min <= value <= info.max):
        raise overflow  # (a float is checked as it is: -0.5 does not fit uint8)
    if not (-info.max if info.min == 0 else info.min) <= int(value) <= info.max:
        raise overflow
    return int(value)
