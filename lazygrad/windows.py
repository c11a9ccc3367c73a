"""Window functions for spectral analysis (hann, hamming, blackman, bartlett, kaiser), as torch defines them:
the symmetric window of length L, or with periodic=True the first L values of the one of length L + 1."""
from __future__ import annotations

import math

from .creation import arange, ones, zeros
from .dtypes import C_NAMES, get_default_dtype, to_dtype
from .special_functions import i0
from .tensor import Tensor, normalize_device


def _positions(name: str, window_length: int, periodic: bool, dtype, device, requires_grad: bool):
    """(n = 0 .. L-1 as the window's dtype, N - 1 for the formula), or the whole window when L <= 1."""
    dt = to_dtype(dtype) if dtype is not None else get_default_dtype()
    if not (dt.is_floating_point or dt.is_complex):  # (a complex one gets as far as arange's refusal)
        raise RuntimeError(f"{name} expects floating point dtypes, got: TensorOptions(dtype={C_NAMES[dt.name]}, "
                           f"device={normalize_device(device)}, layout=Strided (default), requires_grad=false "
                           "(default), pinned_memory=false, memory_format=(nullopt))")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={window_length}")
    if window_length <= 1:
        make = zeros if window_length == 0 else ones
        return None, make(window_length, dtype=dt, device=device, requires_grad=requires_grad)
    span = window_length if periodic else window_length - 1
    return (arange(window_length, dtype=dt, device=device), span), None


def _finish(window: Tensor, requires_grad: bool) -> Tensor:
    return window.requires_grad_() if requires_grad else window


def _cosine_terms(n: Tensor, span: float, coefficients: tuple[float, ...]) -> Tensor:
    """The cosine-sum formula over positions n, shared with lazygrad.signal.windows."""
    window = n * 0 + coefficients[0]
    for k, a in enumerate(coefficients[1:], 1):
        window = window + (-1) ** k * a * (n * (2 * math.pi * k / span)).cos()
    return window


def _triangle(n: Tensor, span: float) -> Tensor:
    """The Bartlett formula over positions n, shared with lazygrad.signal.windows."""
    return 1 - (n * (2 / span) - 1).abs()


def _kaiser(n: Tensor, span: float, beta: float) -> Tensor:
    """The Kaiser formula over positions n, shared with lazygrad.signal.windows."""
    half = span / 2
    inside = (1 - ((n - half) / half) ** 2).clamp(min=0)
    return i0(inside.sqrt() * beta) / i0(n.new_full((), beta))


def _cosine_sum(name: str, coefficients: tuple[float, ...], window_length: int, periodic: bool, dtype, device,
                requires_grad: bool) -> Tensor:
    """sum_k (-1)^k a_k cos(2 pi k n / (N - 1))."""
    found, whole = _positions(name, window_length, periodic, dtype, device, requires_grad)
    if whole is not None:
        return whole
    return _finish(_cosine_terms(*found, coefficients), requires_grad)


def hann_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None, device=None,
                pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    return _cosine_sum("hann_window", (0.5, 0.5), window_length, periodic, dtype, device, requires_grad)


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54, beta: float = 0.46, *, dtype=None,
                   layout=None, device=None, pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    return _cosine_sum("hamming_window", (alpha, beta), window_length, periodic, dtype, device, requires_grad)


def blackman_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None, device=None,
                    pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    return _cosine_sum("blackman_window", (0.42, 0.5, 0.08), window_length, periodic, dtype, device, requires_grad)


def bartlett_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None, device=None,
                    pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """1 - |2n / (N - 1) - 1|: a triangle."""
    found, whole = _positions("bartlett_window", window_length, periodic, dtype, device, requires_grad)
    if whole is not None:
        return whole
    return _finish(_triangle(*found), requires_grad)


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *, dtype=None, layout=None,
                  device=None, pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """I0(beta sqrt(1 - ((n - a) / a)^2)) / I0(beta), a = (N - 1) / 2."""
    found, whole = _positions("kaiser_window", window_length, periodic, dtype, device, requires_grad)
    if whole is not None:
        return whole
    return _finish(_kaiser(*found, beta), requires_grad)
