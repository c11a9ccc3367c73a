"""Resampling: interpolate (and its deprecated upsample spellings), affine_grid and grid_sample.

interpolate works one spatial dim at a time. Where a sample's source taps come from depends only on
the sizes and scales, so each dim's tap table (source indices and weights, out x taps) is computed
with NumPy in torch's arithmetic, then applied as one gather and a weighted sum over the taps: one
fused kernel per dim, whose gradient is one scatter. grid_sample's taps depend on the grid's values,
so they are lazy integer tensors (floor of the unnormalized coordinates) and the weights are lazy
too, which gives the gradient with respect to the grid from autograd itself.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence

import numpy as np

import lazygrad as lg

from ...dtypes import torch_name
from ...movement import in_format_of
from ...tensor import Tensor
from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d
from ...autograd.composite import recorded_as
from ...amp.autocast_mode import autocast_op

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "affine_grid", "grid_sample"]

_CUBIC_A = -0.75
_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_AXES = {1: "W", 2: "HW", 3: "DHW"}
_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                  "Please specify align_corners=True if the old behavior is desired. "
                  "See the documentation of grid_sample for details.")


def _cubic_weights(t, xp=np):
    """Keys' cubic convolution (A = -0.75) at distances 1+t, t, 1-t, 2-t: the four taps' weights."""
    a = _CUBIC_A

    def near(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _scale(in_size: int, out_size: int, scale: float | None, ftype) -> np.floating:
    """Source step per output step: 1/scale_factor when one was given, else in/out (torch's rule)."""
    if scale is not None and scale > 0:
        return ftype(1.0 / scale)
    return ftype(in_size) / ftype(out_size)


def _source(in_size: int, out_size: int, scale: float | None, align_corners: bool, ftype) -> np.ndarray:
    """The real source coordinate of each output position (half-pixel centres unless align_corners)."""
    i = np.arange(out_size)
    if align_corners:
        step = ftype(in_size - 1) / ftype(out_size - 1) if out_size > 1 else ftype(0)
        return step * i.astype(ftype)
    step = _scale(in_size, out_size, scale, ftype)
    return (np.float64(step) * (i + 0.5) - 0.5).astype(ftype)


def _nearest_taps(in_size, out_size, scale, align_corners, ftype):
    step = _scale(in_size, out_size, scale, ftype)
    src = np.arange(out_size).astype(ftype) * step
    return np.minimum(np.floor(src).astype(np.int64), in_size - 1)[:, None], None


def _nearest_2d_taps(in_size, out_size, scale, align_corners, ftype):
    """torch's 2-D nearest kernel copies equal sizes and halves exact doublings, whatever the scale factor."""
    if out_size in (in_size, 2 * in_size):
        return (np.arange(out_size) * in_size // out_size)[:, None], None
    return _nearest_taps(in_size, out_size, scale, align_corners, ftype)


def _nearest_exact_taps(in_size, out_size, scale, align_corners, ftype):
    step = _scale(in_size, out_size, scale, ftype)
    src = (np.arange(out_size) + ftype(0.5)).astype(ftype) * step
    return np.minimum(np.floor(src).astype(np.int64), in_size - 1)[:, None], None


def _linear_taps(in_size, out_size, scale, align_corners, ftype):
    if in_size == out_size:  # torch copies such a dim, whatever the scale factor
        return np.arange(in_size)[:, None], np.ones((in_size, 1), dtype=ftype)
    src = np.maximum(_source(in_size, out_size, scale, align_corners, ftype), ftype(0))
    low = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    t = np.clip(src - low.astype(ftype), 0, 1).astype(ftype)
    return np.stack([low, np.minimum(low + 1, in_size - 1)], 1), np.stack([1 - t, t], 1)


def _cubic_taps(in_size, out_size, scale, align_corners, ftype):
    src = _source(in_size, out_size, scale, align_corners, ftype)
    low = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    t = np.clip(src - low.astype(ftype), 0, 1).astype(ftype)
    taps = np.clip(low[:, None] + np.arange(-1, 3), 0, in_size - 1)
    return taps, np.stack(_cubic_weights(t), 1).astype(ftype)


def _triangle(x: np.ndarray) -> np.ndarray:
    return np.maximum(1 - np.abs(x), 0)


def _cubic_filter(x: np.ndarray) -> np.ndarray:
    """Keys' cubic with A = -0.5 (what torch's and PIL's antialiased resampling use), 0 beyond 2."""
    x = np.abs(x)
    a = -0.5
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x < 1, near, np.where(x < 2, far, 0))


# antialiased modes: (the filter, its support at scale 1)
_ANTIALIAS = {"bilinear": (_triangle, 1.0), "bicubic": (_cubic_filter, 2.0)}


def _antialias_taps(mode: str):
    """Tap tables for antialiased resampling (as torch and PIL do it): shrinking by s widens the filter s
    times, so every input pixel under an output pixel's footprint contributes; weights sum to 1."""
    kernel, reach = _ANTIALIAS[mode]

    def taps(in_size, out_size, scale, align_corners, ftype):
        if align_corners:
            step = (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
        else:
            step = 1.0 / scale if scale is not None and scale > 0 else in_size / out_size
        support, inv = (reach * step, 1.0 / step) if step >= 1 else (reach, 1.0)
        center = step * (np.arange(out_size) + 0.5)
        low = np.maximum(np.trunc(center - support + 0.5), 0).astype(np.int64)
        high = np.minimum(np.trunc(center + support + 0.5).astype(np.int64), in_size)
        width = int((high - low).max()) if out_size else 1
        positions = low[:, None] + np.arange(width)[None, :]
        weights = np.where(positions < high[:, None], kernel((positions - center[:, None] + 0.5) * inv), 0.0)
        total = weights.sum(1, keepdims=True)
        weights = np.where(total != 0, weights / np.where(total != 0, total, 1), 0.0)
        return np.minimum(positions, in_size - 1), weights.astype(ftype)
    return taps


# mode -> (spatial dims it takes (None: any), per-dim tap table)
_TAPS: dict[str, tuple[int | None, Callable]] = {
    "nearest": (None, _nearest_taps), "nearest-exact": (None, _nearest_exact_taps), "linear": (1, _linear_taps),
    "bilinear": (2, _linear_taps), "trilinear": (3, _linear_taps), "bicubic": (2, _cubic_taps)}
_AREA = {1: adaptive_avg_pool1d, 2: adaptive_avg_pool2d, 3: adaptive_avg_pool3d}
_LINEAR_DIMS = {"linear": 1, "bilinear": 2, "trilinear": 3}
# torch's CPU grid sampler kernels by spatial dims, as their dtype errors name them
_GRID_KERNELS = {2: "grid_sampler_2d_cpu_kernel_impl", 3: "grid_sampler3d_cpu"}


def _resample_dim(x: Tensor, d: int, taps: np.ndarray, weights: np.ndarray | None) -> Tensor:
    """x sampled along dim d at the table's taps: a gather, then the taps' weighted sum."""
    out, k = taps.shape
    picked = x.index_select(d, lg.tensor(taps.reshape(-1), device=x.device))
    if weights is None:
        return picked
    picked = picked.reshape(*x.shape[:d], out, k, *x.shape[d + 1:])
    w = lg.tensor(weights.reshape(out, k, *[1] * (x.ndim - d - 1)), dtype=x.dtype, device=x.device)
    return (picked * w).sum(d + 1)


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer))


def _sizes(input: Tensor, size, scale_factor, recompute_scale_factor, mode: str):
    """torch's checks, then the output sizes and the scales (None where in/out is to be used)."""
    n = input.ndim - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != n:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got input with spatial "
                    f"dimensions of {list(input.shape[2:])} and output size of {size}. Please provide input tensor in "
                    "(N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.")
            if not all(_is_int(v) for v in size):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                                f"Tuple[int, int, int], but got size with types {[type(v) for v in size]}")
            out = [int(v) for v in size]
        else:
            if not _is_int(size):
                raise TypeError(f"interpolate(): size must be an int or a sequence of ints, got {type(size).__name__}")
            out = [int(size)] * n
        scales = None
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != n:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but got input with "
                    f"spatial dimensions of {list(input.shape[2:])} and scale_factor of shape {scale_factor}. Please "
                    "provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) "
                    "format.")
            scales = [float(s) for s in scale_factor]
        else:
            scales = [float(scale_factor)] * n
        out = [int(s * f) for s, f in zip(input.shape[2:], scales)]
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if recompute_scale_factor or mode == "area":
        scales = None
    return out, scales


def _check_sizes(input: Tensor, out: list[int]) -> None:
    spatial = input.shape[2:]
    if min(spatial) > 0 and min(out) > 0:
        return
    axes = _AXES[len(out)]
    ins = ", ".join(f"{a}: {s}" for a, s in zip(axes, spatial))
    outs = ", ".join(f"{a}: {s}" for a, s in zip(axes, out))
    joint = " and" if len(out) == 1 else ""
    raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({ins}){joint} output ({outs})")


_UPSAMPLE_NODES = {"nearest": "UpsampleNearest{}DBackward0", "nearest-exact": "UpsampleNearestExact{}DBackward0",
                   "linear": "UpsampleLinear1DBackward0", "bilinear": "UpsampleBilinear2DBackward0",
                   "bicubic": "UpsampleBicubic2DBackward0", "trilinear": "UpsampleTrilinear3DBackward0",
                   "area": "AdaptiveAvgPool{}DBackward0"}


def _interpolate_node(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners=None,
                      recompute_scale_factor=None, antialias: bool = False) -> str | None:
    """torch's node for each mode (area is an adaptive average pool; in 1-D torch pools in 2-D and squeezes;
    antialiased resampling has nodes of its own)."""
    n = input.ndim - 2
    if mode == "area" and n == 1:
        return "SqueezeBackward1"
    form = _UPSAMPLE_NODES.get(mode)
    if form and antialias:
        form = form.replace("DBackward0", "DAaBackward0")
    return form.format(n) if form else None


def _grid_sample_node(input: Tensor, *args, **kwargs) -> str:
    return f"GridSampler{input.ndim - 2}DBackward0"


@recorded_as(_interpolate_node)
def interpolate(input: Tensor, size: int | Sequence[int] | None = None,
                scale_factor: float | Sequence[float] | None = None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """torch.nn.functional.interpolate: separable, one gather-and-weigh kernel per spatial dim."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    n = input.ndim - 2
    out, scales = _sizes(input, size, scale_factor, recompute_scale_factor, mode)
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a "
                         "4-D tensor as input")
    if n in (1, 2, 3) and mode == "area":
        return _AREA[n](input, out)
    dims, table = _TAPS.get(mode, (0, None))
    table = _nearest_2d_taps if mode == "nearest" and n == 2 else table
    if table is None or n not in (1, 2, 3) or (dims is not None and dims != n):
        wanted = _LINEAR_DIMS.get(mode)
        if n in (1, 2, 3) and wanted is not None:
            raise NotImplementedError(f"Got {n + 2}D input, but {mode} mode needs {wanted + 2}D input")
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
                                  f"the modes: {_MODES} (got {mode})")
    if antialias:
        table = _antialias_taps(mode)
    _check_sizes(input, out)
    if not input.dtype.is_floating_point:
        kind = "nearest" if mode.startswith("nearest") else mode
        raise NotImplementedError(f"\"upsample_{kind}{n}d_channels_last\" not implemented for "
                                  f"'{torch_name(input.dtype)}'")
    ftype = np.float64 if input.dtype == lg.float64 else np.float32
    half = input.dtype in (lg.float16, lg.bfloat16)
    result = input.float() if half else input
    for i in reversed(range(n)):  # (torch's kernels weigh the last dim innermost)
        taps, weights = table(input.shape[2 + i], out[i], None if scales is None else scales[i], align_corners,
                              ftype)
        if half and weights is not None:
            weights = _stored_weights(weights, mode, input.dtype)
        result = _resample_dim(result, 2 + i, taps, weights)
    return in_format_of(result.to(input.dtype) if half else result, input)


def _stored_weights(weights: np.ndarray, mode: str, dtype) -> np.ndarray:
    """The weights as torch's kernels keep them for a float16 or bfloat16 input, which they weigh in float32
    and round once: rounded to the dtype, a linear pair as t and 1 - t of the rounded t."""
    if mode in _LINEAR_DIMS and weights.shape[1] == 2:
        t = weights[:, 1].astype(dtype.np).astype(np.float32)
        return np.stack([(1 - t).astype(dtype.np), t.astype(dtype.np)], 1).astype(np.float32)
    return weights.astype(dtype.np).astype(np.float32)


def _deprecated(name: str) -> None:
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=3)


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """Deprecated spelling of interpolate (warns as torch does)."""
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: interpolate(mode='nearest')."""
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: interpolate(mode='bilinear', align_corners=True)."""
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def _base_axis(steps: int, align_corners: bool) -> np.ndarray:
    """Normalized pixel positions in [-1, 1]: corners, or centres scaled by (steps-1)/steps."""
    if steps <= 1:
        return np.zeros(max(steps, 1))
    axis = np.linspace(-1.0, 1.0, steps)
    return axis if align_corners else axis * (steps - 1) / steps


@recorded_as("AffineGridGeneratorBackward0")
def affine_grid(theta: Tensor, size: Sequence[int], align_corners: bool | None = None) -> Tensor:
    """torch.nn.functional.affine_grid: a fixed grid of homogeneous positions times each theta^T."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not theta.dtype.is_floating_point:
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    if len(size) not in (4, 5):
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    n = len(size) - 2
    if theta.ndim != 3 or theta.shape[-2] != n or theta.shape[-1] != n + 1:
        shape = "Nx2x3" if n == 2 else "Nx3x4"
        raise ValueError(f"Expected a batch of {n}D affine matrices of shape {shape} for size {size}. "
                         f"Got {_torch_size(theta.shape)}.")
    spatial = list(size[2:])
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the documentation "
                      "of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if theta.shape[0] != size[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{size[0]}, {n + 1}] "
                           f"but got: [{theta.shape[0]}, {n + 1}].")
    # grid coordinates are (x, y[, z]): the last spatial dim first
    axes = [_base_axis(s, align_corners) for s in reversed(spatial)]
    mesh = np.meshgrid(*axes, indexing="ij")  # dims ordered (W, H[, D])
    base = np.stack([m.transpose(*reversed(range(n))) for m in mesh] + [np.ones(spatial)], -1)
    base_t = lg.tensor(base.reshape(-1, n + 1), dtype=theta.dtype, device=theta.device)
    return (base_t @ theta.transpose(1, 2)).reshape(size[0], *spatial, n)


def _torch_size(shape) -> str:
    return f"torch.Size({list(shape)})"


def _reflect(x: Tensor, low: float, high: float) -> Tensor:
    """Coordinates mirrored into [low, high] as often as needed (torch's reflection padding)."""
    span = high - low
    if span <= 0:
        return x * 0
    d = (x - low).abs()
    extra = lg.fmod(d, span)
    flips = (d / span).floor().detach()
    return lg.where(lg.fmod(flips, 2) == 0, extra + low, span - extra + low)


def _unnormalize(coord: Tensor, size: int, align_corners: bool) -> Tensor:
    if align_corners:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _padded(coord: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    """Source coordinates after border clamping or reflection (zeros padding leaves them as they are). A
    coordinate on a border or past it is clamped with no gradient: torch counts the borders as outside."""
    if padding_mode == "reflection":
        coord = _reflect(coord, 0, size - 1) if align_corners else _reflect(coord, -0.5, size - 0.5)
    if padding_mode != "zeros":
        inside = (coord > 0) & (coord < size - 1)
        coord = lg.where(inside, coord, coord.detach().clamp(0, size - 1))
    return coord


def _dim_taps(coord: Tensor, size: int, mode: str, padding_mode: str, align_corners: bool):
    """One spatial dim's integer taps and weights (..., taps) at the grid's coordinates."""
    x = _unnormalize(coord, size, align_corners)
    if mode == "bicubic":
        low = x.detach().floor()
        t = x - low
        taps = (low.unsqueeze(-1) + lg.tensor([-1.0, 0.0, 1.0, 2.0], dtype=x.dtype, device=x.device)).long()
        if padding_mode != "zeros":
            taps = _padded(taps.to(x.dtype), size, padding_mode, align_corners).long()
        return taps, lg.stack(_cubic_weights(t), -1)
    x = _padded(x, size, padding_mode, align_corners)
    if mode == "nearest":  # weight 1 whose gradient is the zero torch gives the grid
        return x.detach().round().long().unsqueeze(-1), (x * 0 + 1).unsqueeze(-1)
    low = x.detach().floor()
    t = (x - low).unsqueeze(-1)
    return (low.unsqueeze(-1) + lg.tensor([0.0, 1.0], dtype=x.dtype, device=x.device)).long(), lg.cat([1 - t, t], -1)


def _check_grid(input: Tensor, grid: Tensor, mode: str) -> None:
    """torch's checks, in its order: the shapes, then the kernel's dtype, then the grid's matching it."""
    if input.ndim < 1 or grid.ndim < 1 or input.shape[0] != grid.shape[0]:
        raise RuntimeError("grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if grid.shape[-1] != input.ndim - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.ndim - 2} in last dimension, but got "
                           f"grid with sizes {list(grid.shape)}")
    for d in range(2, input.ndim):
        if input.shape[d] == 0:
            raise RuntimeError("grid_sampler(): expected input to have non-empty spatial dimensions, but input has "
                               f"sizes {list(input.shape)} with dimension {d} being empty")
    if input.ndim not in (4, 5) or grid.ndim != input.ndim:  # (torch names 4D for a 4-d input, else 5D)
        expected = 4 if input.ndim == 4 else 5
        raise RuntimeError(f"grid_sampler(): expected {expected}D input and grid with same number of dimensions, but "
                           f"got input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if mode == "bicubic" and input.ndim != 4:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"{_GRID_KERNELS[input.ndim - 2]}\" not implemented for "
                                  f"'{torch_name(input.dtype)}'")
    if input.dtype != grid.dtype:
        raise RuntimeError(f"expected scalar type {torch_name(input.dtype)} but found {torch_name(grid.dtype)}")


@autocast_op("grid_sample")
@recorded_as(_grid_sample_node)
def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners: bool | None = None) -> Tensor:
    """torch.nn.functional.grid_sample: taps from the grid (integer tensors), one gather, a weighted sum."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    _check_grid(input, grid, mode)
    n = input.ndim - 2
    batch, channels, spatial = input.shape[0], input.shape[1], input.shape[2:]
    out = grid.shape[1:-1]
    flat = None
    weight = None
    valid = None
    for i, size in enumerate(spatial):
        taps, w = _dim_taps(grid[..., n - 1 - i], size, mode, padding_mode, align_corners)
        k = taps.shape[-1]
        shape = (*taps.shape[:-1], *[1] * i, k, *[1] * (n - 1 - i))
        taps = taps.reshape(shape)
        inside = (taps >= 0) & (taps < size)
        stride = math.prod(spatial[i + 1:])
        part = taps.clamp(0, size - 1) * stride
        flat = part if flat is None else flat + part
        valid = inside if valid is None else valid & inside
        w = w.reshape(shape)
        weight = w if weight is None else weight * w
    weight = lg.where(valid, weight, 0)
    points, k = math.prod(out), math.prod(flat.shape[1 + n:])
    flat = flat.reshape(batch, 1, points * k).expand(batch, channels, points * k)
    picked = input.reshape(batch, channels, math.prod(spatial)).gather(2, flat).reshape(batch, channels, points, k)
    return (picked * weight.reshape(batch, 1, points, k)).sum(-1).reshape(batch, channels, *out)
