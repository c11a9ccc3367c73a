"""Fractional max pooling (Graham, "Fractional Max-Pooling"): max pools whose windows start at pseudo-random
steps, so the output can shrink the input by any ratio.

Each (sample, channel) plane has one random number per spatial dim; torch turns it into the windows' starts
with integer truncations computed in the input's dtype, and so does this module, as lazy elementwise ops
of that dtype (no kernel runs before the result is needed). The windows are a gather of the input; the
maximum's flat spatial index is torch's (the first maximum, or the last NaN, in window order) and the value
is gathered at it, so the gradient goes to that one element, as torch's does.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import lazygrad as lg

from ...autograd.composite import recorded_as
from ...autograd.grad_mode import no_grad
from ...tensor import Tensor

__all__ = ["fractional_max_pool2d", "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d_with_indices"]

IntOrTuple = int | Sequence[int]
FloatOrTuple = float | Sequence[float]


class _Form(NamedTuple):
    """How torch's 2-d and 3-d ops differ: names in messages, the order the windows' fit is checked in, which
    random number each spatial dim takes, and how many of the possible window starts must stay unused (the
    3-d op's check is strict)."""
    op: str
    where: str
    sizes: str
    dims: tuple[str, ...]
    fit_order: tuple[int, ...]
    sample_of: tuple[int, ...]
    room: int


_FORMS = {
    2: _Form("fractional_max_pool2d", "fractional_max_pool2d()", "tuple of Ints", ("height", "width"), (0, 1),
             (1, 0), 0),
    3: _Form("fractional_max_pool3d", "fractional_max_pool3d_out()", "tuple of three Ints", ("time", "height", "width"),
             (0, 2, 1), (0, 1, 2), 1),
}


def _per_dim(value: IntOrTuple, n: int, message: str) -> list[int]:
    values = [value] * n if isinstance(value, int) else list(value)
    if len(values) != n:
        raise RuntimeError(message)
    return [int(v) for v in values]


def _check(form: _Form, n: int, input: Tensor, kernel: list[int], out: list[int], samples: Tensor) -> None:
    """torch's checks, in its order: the input, the windows' fit, then the random samples."""
    if input.ndim not in (n + 1, n + 2):
        raise RuntimeError(f"{form.where}: Expected {n + 1}D or {n + 2}D tensor, but got: {list(input.shape)}")
    for i in range(1, input.ndim):
        if input.shape[i] == 0:
            raise RuntimeError(f"{form.where}: Expected input to have non-zero size for non-batch dimensions, but "
                               f"got{list(input.shape)} with dimension {i} being empty.")
    spatial = input.shape[-n:]
    for d in form.fit_order:
        if out[d] + kernel[d] - 1 > spatial[d] - form.room:
            raise RuntimeError(f"{form.where}: pool {form.dims[d]} {kernel[d]} too large relative to input "
                               f"{form.dims[d]} {spatial[d]}")
    if samples.dtype != input.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if samples.ndim != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.ndim}")
    batch = input.shape[0] if input.ndim == n + 2 else 1
    if samples.shape[0] < batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[1] != input.shape[-n - 1]:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.shape[2] != n:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {n}; got {samples.shape[2]}.")


def _starts(sample: Tensor, size: int, out: int, kernel: int) -> Tensor:
    """(B, C, out): where each window starts along one dim, from each plane's random number u (B, C):
    trunc((i + u) alpha) - trunc(u alpha) with alpha = (size - kernel) / (out - 1), in u's dtype, and the
    last window ending on the input's last element."""
    b, c = sample.shape
    last = lg.full((b, c, min(out, 1)), size - kernel, dtype=lg.int64, device=sample.device)
    if out <= 1:
        return last
    kind = sample.dtype.np.type
    alpha = lg.tensor(kind(size - kernel) / kind(out - 1), dtype=sample.dtype, device=sample.device)
    steps = lg.arange(out - 1, dtype=sample.dtype, device=sample.device)
    u = sample.unsqueeze(-1)
    first = ((steps + u) * alpha).to(lg.int64) - (u * alpha).to(lg.int64)
    return lg.cat([first, last], -1)


def _positions(x: Tensor, samples: Tensor, form: _Form, kernel: list[int], out: list[int]) -> Tensor:
    """(B, C, prod out, prod kernel): the flat spatial position each window entry reads, window by window."""
    n = len(kernel)
    b, c, *spatial = x.shape
    position = lg.zeros((), dtype=lg.int64, device=x.device)
    for d in range(n):
        starts = _starts(samples[:b, :, form.sample_of[d]], spatial[d], out[d], kernel[d])
        along = starts.unsqueeze(-1) + lg.arange(kernel[d], device=x.device)
        shape = [b, c] + [1] * (2 * n)
        shape[2 + d], shape[2 + n + d] = out[d], kernel[d]
        position = position + along.reshape(shape) * math.prod(spatial[d + 1:])
    return position.reshape(b, c, math.prod(out), math.prod(kernel))


def _first_max(candidates: Tensor) -> Tensor:
    """(..., 1): where in its window torch's maximum is: the last NaN if there is one, else the first maximum."""
    nan = candidates.isnan()
    last_nan = candidates.shape[-1] - 1 - nan.flip(-1).to(lg.int32).argmax(-1, keepdim=True)
    return lg.where(nan.any(-1, keepdim=True), last_nan, candidates.argmax(-1, keepdim=True))


def _fractional_max_pool(n: int, input: Tensor, kernel_size: IntOrTuple, output_size: IntOrTuple,
                         samples: Tensor) -> tuple[Tensor, Tensor]:
    """torch's aten op: the values and flat spatial indices of each window's maximum."""
    form = _FORMS[n]
    kernel = _per_dim(kernel_size, n, f"{form.op}: kernel_size must either be a single Int or {form.sizes}")
    out = _per_dim(output_size, n, f"{form.op}: output_size must either be a single Int or {form.sizes}")
    _check(form, n, input, kernel, out, samples)
    x = input if input.ndim == n + 2 else input.unsqueeze(0)
    flat = x.flatten(2)
    with no_grad():
        positions = _positions(x, samples.detach(), form, kernel, out)
        candidates = flat.detach().gather(2, positions.flatten(2)).reshape(positions.shape)
        indices = positions.gather(-1, _first_max(candidates)).squeeze(-1)
    values = flat.gather(2, indices).reshape(*x.shape[:2], *out)
    indices = indices.reshape(values.shape)
    if input.ndim == n + 2:
        return values, indices
    return values.squeeze(0), indices.squeeze(0)


def _output_size(n: int, input: Tensor, output_size, output_ratio) -> IntOrTuple:
    """output_size, or output_ratio times the input's spatial size (truncated)."""
    if output_size is not None:
        return output_size
    ratio = output_ratio if isinstance(output_ratio, (tuple, list)) else (output_ratio,) * n
    return [int(input.size(i - n) * ratio[i]) for i in range(n)]


def _pooled(n: int, input: Tensor, kernel_size, output_size, output_ratio, _random_samples) -> tuple[Tensor, Tensor]:
    if output_size is None and output_ratio is None:
        raise ValueError(f"fractional_max_pool{n}d requires specifying either an output_size or an output_ratio")
    if n == 2 and output_size is None and len(output_ratio) > 2:
        raise ValueError("fractional_max_pool2d requires output_ratio to either be a single Int or tuple of Ints.")
    size = _output_size(n, input, output_size, output_ratio)
    if _random_samples is None:
        batch = 1 if input.dim() == n + 1 else input.size(0)
        _random_samples = lg.rand(batch, input.size(-n - 1), n, dtype=input.dtype, device=input.device)
    return _fractional_max_pool(n, input, kernel_size, size, _random_samples)


@recorded_as("FractionalMaxPool2DBackward0", slots=("input",))
def fractional_max_pool2d_with_indices(input: Tensor, kernel_size: IntOrTuple, output_size: IntOrTuple | None = None,
                                       output_ratio: FloatOrTuple | None = None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None) -> tuple[Tensor, Tensor]:
    return _pooled(2, input, kernel_size, output_size, output_ratio, _random_samples)


@recorded_as("FractionalMaxPool3DBackward0", slots=("input",))
def fractional_max_pool3d_with_indices(input: Tensor, kernel_size: IntOrTuple, output_size: IntOrTuple | None = None,
                                       output_ratio: FloatOrTuple | None = None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None) -> tuple[Tensor, Tensor]:
    return _pooled(3, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool2d(input: Tensor, kernel_size: IntOrTuple, output_size: IntOrTuple | None = None,
                          output_ratio: FloatOrTuple | None = None, return_indices: bool = False,
                          _random_samples: Tensor | None = None) -> Tensor | tuple[Tensor, Tensor]:
    """The pooled values, and their indices too when return_indices is set."""
    pooled = fractional_max_pool2d_with_indices(input, kernel_size, output_size, output_ratio,
                                                _random_samples=_random_samples)
    return pooled if return_indices else pooled[0]


def fractional_max_pool3d(input: Tensor, kernel_size: IntOrTuple, output_size: IntOrTuple | None = None,
                          output_ratio: FloatOrTuple | None = None, return_indices: bool = False,
                          _random_samples: Tensor | None = None) -> Tensor | tuple[Tensor, Tensor]:
    """The pooled values, and their indices too when return_indices is set."""
    pooled = fractional_max_pool3d_with_indices(input, kernel_size, output_size, output_ratio,
                                                _random_samples=_random_samples)
    return pooled if return_indices else pooled[0]
