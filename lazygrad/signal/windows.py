"""torch.signal.windows: SciPy's windows of M points, symmetric (sym=True, for filter design) or periodic
(sym=False, for spectral analysis: the first M points of the symmetric window of M + 1).

Each is an elementwise formula over the positions n = 0 .. M-1, which require grad when asked, so that, as
in torch, a computed window is not a leaf. Checks, their order, error classes and messages follow torch's,
which names general_cosine for the windows it builds on (hann, hamming, general_hamming, nuttall)."""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from ..creation import arange, ones, zeros
from ..dtypes import DType, float32, float64, get_default_dtype
from ..layouts import strided
from ..tensor import Tensor
from ..windows import _cosine_terms, _kaiser, _triangle

__all__ = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine", "general_hamming",
           "hamming", "hann", "kaiser", "nuttall"]

# the coefficients a_k of sum_k (-1)^k a_k cos(2 pi k n / (L - 1)) for the named cosine-sum windows
BLACKMAN = (0.42, 0.5, 0.08)
NUTTALL = (0.3635819, 0.4891775, 0.1365995, 0.0106411)

# a window's formula: (positions n, length L of the symmetric window whose first points it is) -> values
Formula = Callable[[Tensor, int], Tensor]


def _checked(name: str, M: int, dtype, layout) -> DType:
    """torch's checks common to every window, in its order; the window's dtype."""
    dt = get_default_dtype() if dtype is None else dtype
    if M < 0:
        raise ValueError(f"{name} requires non-negative window length, got M={M}")
    if layout is not strided:
        raise ValueError(f"{name} is implemented for strided tensors only, got: {layout}")
    if dt not in (float32, float64):
        raise ValueError(f"{name} expects float32 or float64 dtypes, got: {dt}")
    return dt


def _window(M: int, sym: bool, dt: DType, device, requires_grad: bool, formula: Formula,
            shortest: int = 1) -> Tensor:
    """formula over n = 0 .. M-1; lengths under `shortest` are torch's constant leaves (empty, or [1.])."""
    if M < shortest:
        return (zeros if M == 0 else ones)(M, dtype=dt, device=device, requires_grad=requires_grad)
    n = arange(M, dtype=dt, device=device, requires_grad=requires_grad)
    return formula(n, M + 1 if not sym and M > 1 else M)


def exponential(M: int, *, center: float | None = None, tau: float = 1.0, sym: bool = True, dtype=None,
                layout=strided, device=None, requires_grad: bool = False) -> Tensor:
    """exp(-|n - center| / tau); center defaults to the middle of the symmetric window."""
    dt = _checked("exponential", M, dtype, layout)
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")

    def formula(n: Tensor, length: int) -> Tensor:
        middle = (length - 1) / 2 if center is None else center
        return (-(n - middle).abs() / tau).exp()
    return _window(M, sym, dt, device, requires_grad, formula)


def cosine(M: int, *, sym: bool = True, dtype=None, layout=strided, device=None,
           requires_grad: bool = False) -> Tensor:
    """sin(pi (n + 1/2) / L), SciPy's sine window: it starts and ends above zero."""
    dt = _checked("cosine", M, dtype, layout)
    return _window(M, sym, dt, device, requires_grad, lambda n, length: ((n + 0.5) * (math.pi / length)).sin())


def gaussian(M: int, *, std: float = 1.0, sym: bool = True, dtype=None, layout=strided, device=None,
             requires_grad: bool = False) -> Tensor:
    """exp(-(n - c)^2 / (2 std^2)) about the middle c of the symmetric window."""
    dt = _checked("gaussian", M, dtype, layout)
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    scale = std * math.sqrt(2)
    return _window(M, sym, dt, device, requires_grad,
                   lambda n, length: (-(((n - (length - 1) / 2) / scale) ** 2)).exp())


def kaiser(M: int, *, beta: float = 12.0, sym: bool = True, dtype=None, layout=strided, device=None,
           requires_grad: bool = False) -> Tensor:
    """I0(beta sqrt(1 - (2n / (L - 1) - 1)^2)) / I0(beta)."""
    dt = _checked("kaiser", M, dtype, layout)
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    return _window(M, sym, dt, device, requires_grad, lambda n, length: _kaiser(n, length - 1, beta), shortest=2)


def bartlett(M: int, *, sym: bool = True, dtype=None, layout=strided, device=None,
             requires_grad: bool = False) -> Tensor:
    """1 - |2n / (L - 1) - 1|: a triangle."""
    dt = _checked("bartlett", M, dtype, layout)
    return _window(M, sym, dt, device, requires_grad, lambda n, length: _triangle(n, length - 1), shortest=2)


def general_cosine(M: int, *, a: Iterable[float], sym: bool = True, dtype=None, layout=strided, device=None,
                   requires_grad: bool = False) -> Tensor:
    """sum_k (-1)^k a_k cos(2 pi k n / (L - 1)); torch looks at `a` only for windows of two points or more."""
    dt = _checked("general_cosine", M, dtype, layout)

    def formula(n: Tensor, length: int) -> Tensor:
        if not isinstance(a, Iterable):
            raise TypeError("Coefficients must be a list/tuple")
        if not a:
            raise ValueError("Coefficients cannot be empty")
        # an iterator passes the emptiness test even when it yields nothing; torch then sums no terms: zeros
        return _cosine_terms(n, length - 1, tuple(a) or (0.0,))
    return _window(M, sym, dt, device, requires_grad, formula, shortest=2)


def general_hamming(M: int, *, alpha: float = 0.54, sym: bool = True, dtype=None, layout=strided, device=None,
                    requires_grad: bool = False) -> Tensor:
    """alpha - (1 - alpha) cos(2 pi n / (L - 1))."""
    return general_cosine(M, a=(alpha, 1.0 - alpha), sym=sym, dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)


def hamming(M: int, *, sym: bool = True, dtype=None, layout=strided, device=None,
            requires_grad: bool = False) -> Tensor:
    """general_hamming at its default alpha = 0.54."""
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, device=device, requires_grad=requires_grad)


def hann(M: int, *, sym: bool = True, dtype=None, layout=strided, device=None,
         requires_grad: bool = False) -> Tensor:
    """general_hamming with alpha = 1/2: sin^2(pi n / (L - 1))."""
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def blackman(M: int, *, sym: bool = True, dtype=None, layout=strided, device=None,
             requires_grad: bool = False) -> Tensor:
    """Three cosine terms; torch checks it under its own name before general_cosine does."""
    dt = _checked("blackman", M, dtype, layout)
    return general_cosine(M, a=BLACKMAN, sym=sym, dtype=dt, layout=layout, device=device,
                          requires_grad=requires_grad)


def nuttall(M: int, *, sym: bool = True, dtype=None, layout=strided, device=None,
            requires_grad: bool = False) -> Tensor:
    """Nuttall's minimum 4-term Blackman-Harris window."""
    return general_cosine(M, a=NUTTALL, sym=sym, dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)
