"""torch.fft: discrete Fourier transforms as lazy graphs of the tensor ops.

A transform of length N = N1 * N2 is Cooley and Tukey's: N2 dense DFTs of length N1 (a complex product
with the N1 x N1 matrix of twiddles, one kernel with the twiddle multiply that follows it), then N1
transforms of length N2, taken the same way; lengths up to RADIX are dense products. A length with no
factor up to RADIX (a large prime) is Bluestein's chirp convolution, done with transforms of a power of
two. Every step is an ordinary differentiable op, so gradients (and higher ones) come from the engine.
A real transform of even length is a complex one of half the length, split by symmetry (rfft), and its
inverse the same backwards (irfft, which like torch's ignores the imaginary parts a real signal's spectrum
cannot have); odd lengths take the full complex transform.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from . import complex_numbers as cx
from .autograd.composite import recorded_as
from .dtypes import DType, get_default_dtype, torch_name
from .factory_out import factory_out
from .tensor import Tensor, wrap_dim
from .int_parameters import dim_list

# the largest length a pass takes as one dense product, and the largest prime length transformed densely
RADIX = 32
DENSE_PRIME_UP_TO = 64
NORMS = (None, "backward", "ortho", "forward")
# hfft and ihfft are irfft and rfft with the scale of the other direction
SWAPPED_NORM = {None: "forward", "backward": "forward", "forward": "backward", "ortho": "ortho"}


# ---- constants: twiddle factors, computed in float64 from exact integer phases --------------------------

@lru_cache(maxsize=256)
def _phases(n: int, sign: int, rows: int, cols: int) -> np.ndarray:
    """exp(sign 2 pi i j k / n) for j < rows, k < cols (j k reduced mod n, so large n stay exact)."""
    jk = np.outer(np.arange(rows, dtype=np.int64), np.arange(cols, dtype=np.int64)) % n
    return np.exp(sign * 2j * np.pi * jk / n)


@lru_cache(maxsize=256)
def _chirp(n: int, sign: int) -> np.ndarray:
    """exp(sign i pi k² / n), with k² reduced mod 2n."""
    k = np.arange(n, dtype=np.int64)
    return np.exp(sign * 1j * np.pi * ((k * k) % (2 * n)) / n)


_CONSTANTS: dict[tuple, Tensor] = {}


def _constant(key: tuple, make, dtype: DType, device: str) -> Tensor:
    """A twiddle table as a realized tensor, made once per (table, dtype, device) and never written."""
    full = (*key, dtype.name, device)
    t = _CONSTANTS.get(full)
    if t is None:
        t = _CONSTANTS[full] = Tensor._from_array(make().astype(dtype.np), dtype, device)
    return t


# ---- one transform along the last dim ---------------------------------------------------------------

def _radix(n: int) -> int | None:
    """The length of this pass's dense DFTs: n itself up to RADIX, else its largest factor up to RADIX."""
    if n <= RADIX:
        return n
    return next((d for d in range(RADIX, 1, -1) if n % d == 0), None)


def _dense(x: Tensor, sign: int) -> Tensor:
    """The DFT of a short last dim as one product with its matrix of twiddles."""
    n = x.shape[-1]
    return x @ _constant(("dft", n, sign), lambda: _phases(n, sign, n, n), x.dtype, x._storage.device)


def _transform(x: Tensor, sign: int) -> Tensor:
    """The unscaled DFT of x's last dim: sum_n x[n] exp(sign 2 pi i n k / N)."""
    n = x.shape[-1]
    if n == 1:
        return x
    n1 = _radix(n)
    if n1 is None:
        return _dense(x, sign) if n <= DENSE_PRIME_UP_TO else _bluestein(x, sign)
    if n1 == n:
        return _dense(x, sign)
    n2, batch, device = n // n1, x.shape[:-1], x._storage.device
    # x[n2 + N2 n1] -> (..., n2, n1): the dense DFTs over n1, then the twiddles exp(sign 2 pi i n2 k1 / N)
    y = x.reshape(*batch, n1, n2).transpose(-1, -2) @ _constant(("dft", n1, sign), lambda: _phases(n1, sign, n1, n1),
                                                                 x.dtype, device)
    y = y * _constant(("twiddle", n, n1, sign), lambda: _phases(n, sign, n2, n1), x.dtype, device)
    # the transforms over n2, for each k1; result k1 + N1 k2
    return _transform(y.transpose(-1, -2), sign).transpose(-1, -2).reshape(*batch, n)


def _bluestein(x: Tensor, sign: int) -> Tensor:
    """A length with no small factor as a convolution with a chirp: n k = (n² + k² - (k - n)²) / 2, so
    X[k] = w[k] sum_n (x[n] w[n]) conj(w[k - n]) with w[k] = exp(sign i pi k² / N); the convolution is
    circular over a power of two M >= 2N - 1."""
    from .nn.functional import pad
    n = x.shape[-1]
    m = 1 << (2 * n - 2).bit_length()
    device = x._storage.device
    chirp = _constant(("chirp", n, sign), lambda: _chirp(n, sign), x.dtype, device)

    def filter_spectrum() -> np.ndarray:
        b = np.zeros(m, complex)
        w = np.conj(_chirp(n, sign))
        b[:n], b[m - n + 1:] = w, w[1:][::-1]
        return np.fft.fft(b)  # (a constant of the graph, like the twiddles)

    spectrum = _constant(("bluestein", n, sign), filter_spectrum, x.dtype, device)
    a = _transform(pad(x * chirp, (0, m - n)), -1) * spectrum
    return _transform(a, 1)[..., :n] * (chirp / m)


# ---- arguments ---------------------------------------------------------------------------------------

def _complex_input(x: Tensor) -> Tensor:
    """x as the complex values a transform takes (integers become the default float type first)."""
    if x.dtype.name in ("float16", "bfloat16"):
        raise RuntimeError(f"Unsupported dtype {torch_name(x.dtype)}")
    if x.dtype.kind in "biu":
        x = x.to(get_default_dtype())
    return x if x.dtype.is_complex else x.to(x.dtype.to_complex())


# how each real-input transform refuses complex input (the n-dimensional ones in their kernels' words)
_COMPLEX_REFUSALS = {"rfftn": "rfftn expects a real-valued input tensor, but got {}",
                     "ihfftn": "Only supports floating-point dtypes, but found: {}"}


def _real_input(x: Tensor, name: str) -> Tensor:
    if x.dtype.is_complex:
        refusal = _COMPLEX_REFUSALS.get(name, name + " expects a real input tensor, but got {}")
        raise RuntimeError(refusal.format(torch_name(x.dtype)))
    if x.dtype.name in ("float16", "bfloat16"):
        raise RuntimeError(f"Unsupported dtype {torch_name(x.dtype)}")
    return x.to(get_default_dtype()) if x.dtype.kind in "biu" else x


def _check_norm(norm) -> None:
    if norm not in NORMS:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')


def _resized(x: Tensor, dim: int, n: int) -> Tensor:
    """x cut or zero-padded at the end of dim to n points."""
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    size = x.shape[dim]
    if n < size:
        return x.narrow(dim, 0, n)
    if n > size:
        from .nn.functional import pad
        return pad(x, (0, 0) * (x.ndim - 1 - dim) + (0, n - size))
    return x


def _scale(norm, n: int, inverse: bool) -> float:
    """The factor a transform of n points takes: 1/n on the side norm names, 1/sqrt(n) on both for ortho."""
    norm = norm or "backward"
    if norm == "ortho":
        return 1 / math.sqrt(n)
    return 1 / n if (norm == "backward") == inverse else 1.0


def _unscaled(x: Tensor, dims: list[int], sizes: list[int], inverse: bool) -> Tensor:
    """The complex transforms of x along dims, to sizes points each."""
    x = _complex_input(x)
    for d, n in zip(dims, sizes):
        x = _resized(x, d, n)
    for d in dims:
        x = _transform(x.movedim(d, -1), 1 if inverse else -1).movedim(-1, d)
    return x


def _scaled(x: Tensor, norm, n: int, inverse: bool) -> Tensor:
    factor = _scale(norm, n, inverse)
    return x if factor == 1.0 else x * factor


def _c2c(x: Tensor, dims: list[int], sizes: list[int], norm, inverse: bool) -> Tensor:
    """The complex transforms of x along dims (to sizes points each), scaled once."""
    _check_norm(norm)
    return _scaled(_unscaled(x, dims, sizes, inverse), norm, math.prod(sizes), inverse)


def _transformed_dim(dim: int, ndim: int) -> int:
    """A dim to transform along: a 0-d tensor has none (torch does not read it as one of size 1 here)."""
    if ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return wrap_dim(dim, ndim)


def _dims_and_sizes(x: Tensor, s, dim, default_all: bool = True) -> tuple[list[int], list[int | None]]:
    """The dims of an n-dimensional transform and their point counts (None: keep the size)."""
    if s is not None and dim is not None and len(s) != len(dim_list(dim)):
        raise RuntimeError("When given, dim and shape arguments must have the same length")
    if s is not None and dim is None and len(s) > x.ndim:
        raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has {x.ndim} dimensions.")
    if dim is None:
        dims = list(range(x.ndim - len(s), x.ndim)) if s is not None else list(range(x.ndim)) if default_all else []
    else:
        dims = [_transformed_dim(d, x.ndim) for d in dim_list(dim)]
    if len(set(dims)) != len(dims):
        raise RuntimeError("FFT dims must be unique")
    sizes = [None if s is None or s[i] == -1 else int(s[i]) for i in range(len(dims))]
    return dims, sizes


def _points(n: int | None) -> list[int] | None:
    """A 1-d transform's point count as the s of its n-d form (where -1 would mean the input's size)."""
    if n is not None and n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return None if n is None else [n]


def _sizes(x: Tensor, dims, sizes) -> list[int]:
    return [x.shape[d] if n is None else n for d, n in zip(dims, sizes)]


def _node(real_name: str, complex_name: str):
    return lambda input, *a, **k: real_name if not input.dtype.is_complex else complex_name


# ---- complex-to-complex -----------------------------------------------------------------------------

@recorded_as(_node("FftR2CBackward0", "FftC2CBackward0"))
def fft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The discrete Fourier transform along dim: X[k] = sum_n x[n] exp(-2 pi i n k / N)."""
    d = _transformed_dim(dim, input.ndim)
    return _c2c(input, [d], [input.shape[d] if n is None else n], norm, False)


@recorded_as(_node("FftR2CBackward0", "FftC2CBackward0"))
def ifft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The inverse transform: x[n] = (1/N) sum_k X[k] exp(2 pi i n k / N)."""
    d = _transformed_dim(dim, input.ndim)
    return _c2c(input, [d], [input.shape[d] if n is None else n], norm, True)


@recorded_as(_node("FftR2CBackward0", "FftC2CBackward0"))
def fftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    dims, sizes = _dims_and_sizes(input, s, dim)
    return _c2c(input, dims, _sizes(input, dims, sizes), norm, False)


@recorded_as(_node("FftR2CBackward0", "FftC2CBackward0"))
def ifftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    dims, sizes = _dims_and_sizes(input, s, dim)
    return _c2c(input, dims, _sizes(input, dims, sizes), norm, True)


def fft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    return fftn(input, s, dim, norm)


def ifft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    return ifftn(input, s, dim, norm)


# ---- real-to-complex and back --------------------------------------------------------------------------

def _half_spectrum(x: Tensor) -> Tensor:
    """The first N//2 + 1 values of the DFT of real x's last dim. For even N it is one complex transform of
    half the length (even samples as real parts, odd ones as imaginary parts, z = a + ib), split by symmetry:
    X[k] = (Z[k] + conj(Z[-k])) / 2 - i exp(-2 pi i k / N) (Z[k] - conj(Z[-k])) / 2."""
    from .movement import cat
    n = x.shape[-1]
    if n % 2 or n < 4:
        return _transform(_complex_input(x), -1)[..., :n // 2 + 1]
    m = n // 2
    pairs = x.reshape(*x.shape[:-1], m, 2)
    z = _transform(cx.complex(pairs[..., 0], pairs[..., 1]), -1)
    first = z[..., :1]
    ext, mirrored = cat([z, first], -1), cx.conj(cat([first, z[..., 1:].flip(-1), first], -1))
    odd = _constant(("half", n), lambda: -0.5j * _phases(n, -1, 2, m + 1)[1], z.dtype, x._storage.device)
    return (ext + mirrored) * 0.5 + (ext - mirrored) * odd


def _rfftn(input: Tensor, s, dim, norm, name: str) -> Tensor:
    """The half spectrum along the last of dims, then the complex transforms along the others."""
    _check_norm(norm)
    dims_first = name == "ihfftn"  # (its kernel checks the dims before the dtype)
    x = input if dims_first else _real_input(input, name)
    dims, sizes = _dims_and_sizes(x, s, dim)
    if dims_first:
        x = _real_input(x, name)
    _at_least_one_axis(dims, name)
    sizes = _sizes(x, dims, sizes)
    for d, n in zip(dims, sizes):
        x = _resized(x, d, n)
    half = _half_spectrum(x.movedim(dims[-1], -1)).movedim(-1, dims[-1])
    return _scaled(_unscaled(half, dims[:-1], sizes[:-1], False), norm, math.prod(sizes), False)


def _at_least_one_axis(dims: list[int], name: str) -> None:
    if not dims:  # (the half spectrum is taken along the last dim transformed)
        raise RuntimeError(f"{name} must transform at least one axis")


def _irfftn(input: Tensor, s, dim, norm, name: str) -> Tensor:
    """The real signal whose spectrum's first half is input along the last dim: the inverse transforms
    along the other dims first, then each line along the last dim rebuilt by Hermitian symmetry."""
    _check_norm(norm)
    x = _complex_input(input)
    dims, sizes = _dims_and_sizes(x, s, dim)
    _at_least_one_axis(dims, name)
    last = dims[-1]
    n = sizes[-1] if sizes[-1] is not None else 2 * (x.shape[last] - 1)
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    sizes = _sizes(x, dims[:-1], sizes[:-1])
    half = _resized(_unscaled(x, dims[:-1], sizes, True), last, n // 2 + 1)
    signal = _real_signal(half.movedim(last, -1), n).movedim(-1, last)
    return _scaled(signal, norm, math.prod(sizes) * n, True)


def _real_signal(half: Tensor, n: int) -> Tensor:
    """The unscaled inverse DFT (n points) of the Hermitian spectrum whose first n//2 + 1 values are half's last
    dim; the imaginary parts of X[0] (and X[n/2]) are ignored, as torch's. For even n it is one complex inverse
    transform of half the length: Z[k] = E[k] + i O[k], with E and O the spectra of the even and odd samples
    (E[k] = (X[k] + conj(X[m-k])) / 2, O[k] = (X[k] - conj(X[m-k])) exp(2 pi i k / n) / 2), z = x_even + i x_odd."""
    from .movement import cat, stack
    if n % 2 or n < 4:
        mirrored = cx.conj(half[..., 1:n - n // 2].flip(-1))
        return cx.real_part(_transform(cat([half, mirrored], -1) if mirrored.shape[-1] else half, 1))
    m = n // 2
    ends = [cx.real_part(half[..., i:i + 1]).to(half.dtype) for i in (0, m)]
    x = cat([ends[0], half[..., 1:m], ends[1]], -1)
    ahead, behind = x[..., :m], cx.conj(x[..., 1:].flip(-1))
    # 2 Z: its unscaled inverse of length m is n z, the sum an unscaled inverse of length n gives
    twiddle = _constant(("half", n, 1), lambda: 1j * _phases(n, 1, 2, m)[1], x.dtype, x._storage.device)
    z = _transform(ahead + behind + (ahead - behind) * twiddle, 1)
    return stack([cx.real_part(z), cx.imag_part(z)], -1).reshape(*z.shape[:-1], n)


@recorded_as("FftR2CBackward0")
def rfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The first N//2 + 1 values of a real signal's transform (the rest are their conjugates)."""
    return _rfftn(input, _points(n), [dim], norm, "rfft")


@recorded_as("FftC2RBackward0")
def irfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The real signal of n points (default 2 (m - 1)) whose rfft is input."""
    return _irfftn(input, _points(n), [dim], norm, "irfft")


@recorded_as("FftR2CBackward0")
def rfftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    return _rfftn(input, s, dim, norm, "rfftn")


@recorded_as("FftC2RBackward0")
def irfftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    return _irfftn(input, s, dim, norm, "irfftn")


def rfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    return rfftn(input, s, dim, norm)


def irfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    return irfftn(input, s, dim, norm)


@recorded_as("FftC2RBackward0")
def hfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The real transform of a Hermitian-symmetric signal given by its first half."""
    _check_norm(norm)
    return _irfftn(cx.conj(_complex_input(input)), _points(n), [dim], SWAPPED_NORM[norm], "hfft")


def ihfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The first half of the Hermitian spectrum whose hfft is input."""
    _check_norm(norm)
    return cx.conj(_rfftn(input, _points(n), [dim], SWAPPED_NORM[norm], "ihfft"))


@recorded_as("FftC2RBackward0")
def hfftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    _check_norm(norm)
    return _irfftn(cx.conj(_complex_input(input)), s, dim, SWAPPED_NORM[norm], "hfftn")


def ihfftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    _check_norm(norm)
    return cx.conj(_rfftn(input, s, dim, SWAPPED_NORM[norm], "ihfftn"))


def hfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    return hfftn(input, s, dim, norm)


def ihfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    return ihfftn(input, s, dim, norm)


# ---- frequencies and shifts ---------------------------------------------------------------------------

@factory_out("fft_fftfreq", warn_resize=True)
def fftfreq(n: int, d: float = 1.0, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """The sample frequencies of an n-point transform: [0, 1, ..., -(n//2), ..., -1] / (d n)."""
    from .creation import arange
    from .movement import cat
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    steps = cat([arange((n - 1) // 2 + 1, dtype=dtype, device=device),
                 arange(-(n // 2), 0, dtype=dtype, device=device)])
    return (steps * _inverse(n * d)).requires_grad_(requires_grad)


def _inverse(v: float) -> float:
    """1 / v, infinite (of v's sign) at zero as in C."""
    return 1.0 / v if v else math.copysign(math.inf, v)


@factory_out("fft_rfftfreq", warn_resize=True)
def rfftfreq(n: int, d: float = 1.0, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """The sample frequencies of an n-point rfft: [0, 1, ..., n//2] / (d n)."""
    from .creation import arange
    count = int(n / 2) + 1  # (C's division, toward zero)
    if count < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {count}: [{count}]")
    return (arange(count, dtype=dtype, device=device) * _inverse(n * d)).requires_grad_(requires_grad)


def _shift(input: Tensor, dim, inverse: bool) -> Tensor:
    from .movement import roll
    dims = list(range(input.ndim)) if dim is None else list(dim_list(dim))
    dims = [wrap_dim(d, input.ndim) for d in dims]
    shifts = [input.shape[d] // 2 * (-1 if inverse else 1) for d in dims]
    return roll(input, shifts, dims)


def fftshift(input: Tensor, dim=None) -> Tensor:
    """The zero frequency moved to the middle (a roll by half of each dim)."""
    return _shift(input, dim, False)


def ifftshift(input: Tensor, dim=None) -> Tensor:
    """fftshift undone."""
    return _shift(input, dim, True)
