"""Histograms and covariances: histc, cov, corrcoef. All lazy: histc is a scatter-add of ones at computed
bins (bounds taken from the data are a lazy reduction too), cov and corrcoef are weighted sums and a
matrix product, so their gradients are those of the ops they are made of (the nodes torch records too)."""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from . import graph, return_types
from .autograd.record import differentiable
from .creation import zeros
from .dtypes import C_NAMES, bfloat16, bool_, float16, float64, get_default_dtype, int64, torch_name
from .int_parameters import refuse_combination
from .unordered import refuse_complex
from .elementwise import _out, add, clamp, div, ge, le, logical_and, mul, sqrt, sub, trunc, where
from .products import mm
from .reductions import amax, amin, mean, sum
from .complex_numbers import complex as complex_, conj
from .tensor import Tensor, known_values, wrap_dim
from .autograd.record import takes_out


# ---- histc ----------------------------------------------------------------------------------------------

def _histc_range(input: Tensor, low: float, high: float) -> tuple:
    """The histogram's edges as 0-d tensors of input's dtype: low and high (rounded to it, as torch does), or
    the data's own range when they are equal (widened by 1 on each side when it is a single value). The
    error for a range that is not finite is raised when the values are known."""
    if low > high:
        raise RuntimeError("torch.histc: max must be larger than min")
    if low != high:
        if not (math.isfinite(low) and math.isfinite(high)):
            raise RuntimeError(f"torch.histc: range of [{low:g}, {high:g}] is not finite")
        return tuple(Tensor._from_node(graph.const(v, input.dtype), input._storage.device) for v in (low, high))
    values = known_values(input)
    if values is not None and not np.isfinite(values).all():
        shown = ["-nan" if np.isnan(v) else f"{v:g}" for v in (np.min(values), np.max(values))]
        raise RuntimeError(f"torch.histc: range of [{shown[0]}, {shown[1]}] is not finite")
    lo, hi = amin(input), amax(input)
    same = lo == hi
    return where(same, sub(lo, 1), lo), where(same, add(hi, 1), hi)


# the kernel torch names when histc refuses a dtype, by kind (integers: histogram_cpu)
_HISTC_REFUSING_KERNELS = {"b": "linspace_cpu", "c": "aminmax_cpu"}


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0, *, out=None) -> Tensor:
    """Counts of input's elements in `bins` equal bins over [min, max] (the data's range when min == max);
    elements outside, and NaN, are not counted. An element's bin is trunc((x - min) * bins / (max - min)),
    computed in the input's dtype as torch computes it, the last bin closed on the right."""
    if not input.dtype.is_floating_point:
        kernel = _HISTC_REFUSING_KERNELS.get(input.dtype.kind, "histogram_cpu")
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{torch_name(input.dtype)}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    counts = zeros(bins, dtype=input.dtype, device=input.device)
    if input.numel() == 0:
        return _out(counts, out)
    lo, hi = _histc_range(input, min, max)
    x = input.detach().reshape(-1)
    position = trunc(div(mul(sub(x, lo), bins), sub(hi, lo))).to(int64)
    inside = logical_and(ge(x, lo), le(x, hi))
    return _out(counts.scatter_add(0, clamp(position, 0, bins - 1), inside.to(input.dtype)), out)


# ---- cov and corrcoef -----------------------------------------------------------------------------------

def _check_weights(name: str, w: Tensor, observations: int, integral: bool) -> None:
    """torch's checks of fweights (integers) and aweights (floats), values only when they are known."""
    if w.ndim > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got {name} with {w.ndim} "
                           "dimensions")
    if integral and (w.dtype.is_floating_point or w.dtype is bool_):
        raise RuntimeError(f"cov(): expected {name} to have integral dtype but got {name} with "
                           f"{torch_name(w.dtype)} dtype")
    if not integral and not w.dtype.is_floating_point:
        raise RuntimeError(f"cov(): expected {name} to have floating point dtype but got {name} with "
                           f"{torch_name(w.dtype)} dtype")
    if w.numel() != observations:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are observations in the input "
                           f"but got {w.numel()} != {observations}")
    values = known_values(w)
    if values is not None and (values < 0).any():
        raise RuntimeError(f"cov(): {name} cannot be negative")


def _degrees_of_freedom(w, w_sum, aweights, correction):
    """The normalization: w_sum - correction, or with aweights w_sum - correction * sum(w * a) / w_sum. Never
    below 0 (torch warns when it is <= 0; that is known here only without weights)."""
    if w is None or correction == 0 or aweights is None:
        dof = sub(w_sum, correction) if isinstance(w_sum, Tensor) else w_sum - correction
    else:
        dof = sub(w_sum, div(mul(sum(mul(w, aweights)), correction), w_sum))
    if isinstance(dof, numbers.Number):
        if dof <= 0:
            warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number "
                          "of observations.", UserWarning, stacklevel=3)
        return max(dof, 0)
    return clamp(dof, min=0)


def _cov(input: Tensor, correction, fweights, aweights, name: str) -> Tensor:
    if input.ndim > 2:
        raise RuntimeError(f"{name}(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.ndim} dimensions")
    if input.dtype is bool_:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    x = input if input.dtype.kind in "fc" else input.to(get_default_dtype())
    x = x.reshape(1, -1) if x.ndim < 2 else x
    observations = x._shape[1]
    w = None
    if fweights is not None:
        _check_weights("fweights", fweights, observations, integral=True)
        w = fweights
    if aweights is not None:
        _check_weights("aweights", aweights, observations, integral=False)
        w = aweights if w is None else mul(w, aweights)
    if w is None:
        w_sum, avg = observations, mean(x, 1)
    else:
        w_sum = sum(w)
        avg = div(sum(mul(x, w), 1), w_sum)
    centered = sub(x, avg.unsqueeze(1))
    product = mm(centered, conj((centered if w is None else mul(centered, w)).t()))
    return div(product, _degrees_of_freedom(w, w_sum, aweights, correction)).squeeze()


def cov(input: Tensor, *, correction: int = 1, fweights: Tensor | None = None,
        aweights: Tensor | None = None) -> Tensor:
    """The covariance of the variables in input's rows (observations in its columns), with frequency weights
    fweights and observation weights aweights, normalized by the weights' sum minus `correction`."""
    return _cov(input, correction, fweights, aweights, "cov")


def corrcoef(input: Tensor) -> Tensor:
    """Pearson correlation coefficients: cov divided by the standard deviations, clamped to [-1, 1]."""
    c = _cov(input, 1, None, None, "corrcoef")
    if c.ndim == 0:
        return div(c, c)
    std = sqrt(c.diagonal())
    r = div(div(c, std.unsqueeze(1)), std.unsqueeze(0))
    if r.dtype.is_complex:  # (torch clips the two parts apart)
        return complex_(clamp(r.real, -1, 1), clamp(r.imag, -1, 1))
    return clamp(r, -1, 1)


# ---- mode and histogram ---------------------------------------------------------------------------------

@differentiable("mode")
def mode(input: Tensor, dim: int = -1, keepdim: bool = False):
    """The most frequent value along dim (the smallest of equally frequent ones) and the last index holding
    it, as torch's CPU kernel picks them (a library call: a sort and run lengths)."""
    from .decompositions import library_call
    refuse_complex(input, "mode")
    d = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        return return_types.mode(input.clone(), zeros((), dtype=int64, device=input.device))
    from .sorting import check_nonempty_dim
    check_nonempty_dim(input, d, "mode")
    rows = input.movedim(d, -1)
    values, indices = library_call("mode", (), [rows], [rows.shape[:-1]] * 2, dtype=float64)
    values, indices = values.to(input.dtype), indices.to(int64)
    if keepdim:
        values, indices = values.unsqueeze(d), indices.unsqueeze(d)
    return return_types.mode(values, indices)


def _refuse_half_data_range(input: Tensor, counts: tuple, ranges) -> None:
    """torch finds no range for float16/bfloat16 data (equal bins without a range given)."""
    if input.dtype in (float16, bfloat16) and ranges is None and any(c is not None for c in counts):
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{torch_name(input.dtype)}'")


def _check_known_ranges(points: Tensor, counts: tuple, ranges: tuple | None) -> None:
    """torch's error for a range that is not finite, at the call where the values are known (else the library
    call raises it when they are computed)."""
    from .library_routines import check_finite_ranges
    values = known_values(points) if ranges is None else np.zeros((0, len(counts)))
    if values is not None:
        check_finite_ranges(np, values, counts, ranges)


@takes_out("histogram")
def histogram(input: Tensor, bins=100, *, range=None, weight: Tensor | None = None, density: bool = False):
    """Counts of input's elements in bins (an int: equal bins over range or the data's range; a tensor: the
    edges), weighted by weight, or a density; with the edges (a library call: numpy's histogram, whose
    edges for an empty or single-valued range are torch's)."""
    from .decompositions import library_call
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{torch_name(input.dtype)}'")
    inputs = [input]
    if isinstance(bins, Tensor):
        if bins.ndim != 1:
            raise RuntimeError(f"torch.histogramdd: bins tensor should have one dimension, but got {bins.ndim} "
                               "dimensions in the bins tensor for dimension 0")
        if bins.dtype is not input.dtype:
            raise RuntimeError(f"torch.histogramdd: input tensor and bins tensors should have the same dtype, but got "
                               f"input with dtype {C_NAMES[input.dtype.name]} and bins for dimension 0 with dtype "
                               f"{C_NAMES[bins.dtype.name]}")
        if bins.numel() < 2:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins.numel() - 1} for dimension 0")
        inputs.append(bins)
        count, edges = bins.numel() - 1, None
    elif bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    else:
        count, edges = int(bins), int(bins)
    if weight is not None:
        inputs.append(weight.to(input.dtype))
    value_range = tuple(float(v) for v in range) if range is not None else None
    _refuse_half_data_range(input, (edges,), value_range)
    _check_known_ranges(input.reshape(-1, 1), (edges,), (value_range,) if value_range else None)
    hist, bin_edges = library_call("histogram", (edges, value_range, density), inputs, [(count,), (count + 1,)])
    return return_types.histogram(hist, bin_edges)


def histogramdd(input: Tensor, bins, range=None, weight: Tensor | None = None, density: bool = False):
    """Counts of input's points (its last dim holds their coordinates) in a grid of bins: per dim, a count
    of equal bins (over that dim's pair in the flat `range`, else the data's range) or a tensor of edges;
    with each dim's edges (a library call: numpy's histogramdd)."""
    from .decompositions import library_call
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{torch_name(input.dtype)}'")
    if isinstance(bins, bool) or not isinstance(bins, (int, list, tuple, Tensor)):
        refuse_combination(histogramdd, (input, bins))
    dims = input.shape[-1]
    bins = [bins] * dims if isinstance(bins, int) else list(bins)
    if len(bins) != dims:
        raise RuntimeError("histogramdd: The size of bins must be equal to the innermost dimension of the input.")
    counts = tuple(None if isinstance(b, Tensor) else int(b) for b in bins)
    for d, count in enumerate(counts):
        if count is not None and count <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {count} for dimension {d}")
    inputs = [input.reshape(-1, dims)] + [b.to(input.dtype) for b in bins if isinstance(b, Tensor)]
    if weight is not None:
        inputs.append(weight.to(input.dtype))
    bounds = [] if range is None else [float(v) for v in range]
    ranges = tuple(zip(bounds[0::2], bounds[1::2])) or None
    sizes = tuple(b.numel() - 1 if isinstance(b, Tensor) else b for b in bins)
    _refuse_half_data_range(input, counts, ranges)
    _check_known_ranges(inputs[0], counts, ranges)
    hist, *edges = library_call("histogramdd", (counts, ranges, density, weight is not None), inputs,
                                [sizes] + [(n + 1,) for n in sizes])
    return return_types.histogramdd(hist, tuple(edges))
