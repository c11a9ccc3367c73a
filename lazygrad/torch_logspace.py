"""logspace's values as torch's CPU code computes them (aten's RangeFactories.cpp), to the last bit.

torch converts both ends to the result dtype first, takes the step in double from their difference in that
dtype's arithmetic, and computes the first half of the values as pow(base, start + step * i) and the second
half as pow(base, end - step * (steps - i - 1)), in double, each rounded to the dtype at the end. So
logspace(0.1, 2.7, 1000) in float32 starts from 0.1 as a float and holds torch's values rather than the
floats nearest to the true powers (two in three differ in the last bit); an integer dtype's ends are its
own values (wrapped: -2 as uint8 is 254)."""
from __future__ import annotations

import numpy as np

from .dtypes import DType, int32, int64, uint8
from .graph import normalize_scalar


def powers(start, end, steps: int, base: float, dtype: DType, device: str):
    """The steps >= 2 values of logspace(start, end, steps, base) in dtype, for real ends as torch reads them
    (the dtype's integers for an integer dtype)."""
    from .creation import arange
    from .elementwise import where
    if dtype.is_floating_point:
        start, end = normalize_scalar(start, dtype), normalize_scalar(end, dtype)  # (a double to half through float)
        arithmetic = np.float64 if dtype.itemsize == 8 else np.float32
        difference = normalize_scalar(arithmetic(end) - arithmetic(start), dtype)
    else:
        difference = end - start
    step = float(difference) / (steps - 1)
    i = arange(steps, dtype=int64, device=device)
    exponent = where(i < steps // 2, start + step * i.double(), end - step * (steps - i - 1).double())
    values = float(base) ** exponent
    if dtype is uint8:  # (its scalar loop converts through int32, where torch's copies go through int64)
        values = values.to(int32)
    return values.to(dtype)
