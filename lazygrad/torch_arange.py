"""A floating arange's values as torch's CPU kernel computes them (aten's RangeFactoriesKernel), to the last bit.

torch splits a range longer than GRAIN_SIZE between its threads; each thread writes its chunk in vectors of
LANES values from a base rounded to the result type (base + j * step), and the chunk's last values, fewer
than two vectors, one by one (start + i * step). Its build computes each product-and-sum as one fused
multiply-add, in double for float64 and float32 results and in float for float16 and bfloat16. So
`torch.arange(0, 2e8)[2**27 + 9]` is 2^27 where start + i * step rounded once would give 2^27 + 16, and a
float step's values differ from the once-rounded ones in the last bit here and there. The C renderer writes
the same formula (codegen/statements.py); the NumPy back end evaluates it here with an exact fused
multiply-add. Integer ranges are exact either way."""
from __future__ import annotations

import numpy as np

GRAIN_SIZE = 32768  # at::internal::GRAIN_SIZE: a range no longer than this is one thread's chunk
# the values in one vector of torch's arange kernel on x86-64 (its 256-bit build), by result dtype
LANES = {"float64": 4, "float32": 8, "float16": 16, "bfloat16": 16}
_BLOCK = 1 << 20  # values evaluated at a time by the NumPy back end (bounds its temporary arrays)


def chunk_length(n: int) -> int:
    """How many values each of torch's threads writes: at::parallel_for's split of n over get_num_threads()."""
    if n <= GRAIN_SIZE:
        return max(n, 1)
    from .threads import get_num_threads
    tasks = min(get_num_threads(), -(-n // GRAIN_SIZE))
    return -(-n // tasks)


def values(start: float, step: float, n: int, chunk: int, name: str, dtype: np.dtype) -> np.ndarray:
    """The n values of a floating arange of dtype (torch's name `name`), block by block."""
    out = np.empty(n, dtype=dtype)
    for low in range(0, n, _BLOCK):
        out[low:low + _BLOCK] = _block(start, step, np.arange(low, min(n, low + _BLOCK)), n, chunk, name, dtype)
    return out


def _block(start: float, step: float, i: np.ndarray, n: int, chunk: int, name: str, dtype: np.dtype) -> np.ndarray:
    lanes = LANES[name]
    begin = i // chunk * chunk
    vectors_end = begin + (np.minimum(n, begin + chunk) - begin) // (2 * lanes) * (2 * lanes)
    first = np.where(i < vectors_end, begin + (i - begin) // lanes * lanes, i)  # a value's vector's first index
    if name in ("float64", "float32"):
        base = _fma64(np.float64(step), first.astype(np.float64), np.float64(start))
        base = base.astype(dtype).astype(np.float64)
        return _fma64((i - first).astype(np.float64), np.float64(step), base).astype(dtype)
    step32, start32 = np.float32(step), np.float32(start)
    base = _fma32(step32, first.astype(np.float32), start32).astype(dtype).astype(np.float32)
    return _fma32((i - first).astype(np.float32), step32, base).astype(dtype)


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """s = a + b rounded and its exact error (Knuth)."""
    s = a + b
    b_part = s - a
    return s, (a - (s - b_part)) + (b - b_part)


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """a as two halves of 26 bits (Veltkamp), whose products are exact."""
    c = 134217729.0 * a
    high = c - (c - a)
    return high, a - high


def _round_to_odd(s: np.ndarray, error: np.ndarray) -> np.ndarray:
    """s, the rounded-to-nearest sum whose exact value is s + error, rounded to odd instead: an inexact sum
    takes whichever neighbour of the exact value has an odd last bit (then a second rounding is exact)."""
    even = (s.view(np.int64) & 1) == 0
    toward = np.nextafter(s, np.where(error > 0, np.inf, -np.inf))
    return np.where((error != 0) & even, toward, s)


def _fma64(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """a * b + c rounded once (Boldo and Melquiond's emulation: an exact product, an exact sum with c, the
    low parts added rounding to odd, then one rounding to nearest)."""
    with np.errstate(over="ignore", invalid="ignore"):
        product = a * b
        (a_high, a_low), (b_high, b_low) = _split(a), _split(b)
        product_error = ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + a_low * b_low
        high, low = _two_sum(c, product)
        low_sum, low_error = _two_sum(low, product_error)
        return high + _round_to_odd(low_sum, low_error)


def _fma32(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """a * b + c in float rounded once: the product is exact in double, the sum rounded to odd in double, so
    its rounding to float is the exact value's."""
    product = np.asarray(a, dtype=np.float64) * np.asarray(b, dtype=np.float64)
    total, error = _two_sum(product, np.asarray(c, dtype=np.float64))
    return _round_to_odd(total, error).astype(np.float32)
