"""The trapezoidal rule: trapezoid (trapz) and cumulative_trapezoid, over sample spacings dx or points x,
composed of differences, products and sums, so their gradients are those ops' gradients."""
from __future__ import annotations

from .dtypes import bool_
from .int_parameters import refuse_combination
from .tensor import Tensor, wrap_dim


def _areas(y: Tensor, x, dx, dim: int) -> Tensor:
    """The area of each trapezoid between consecutive samples along dim."""
    d = wrap_dim(dim, y.ndim)
    n = y.shape[d]
    pairs = (y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1)) / 2
    if x is None:
        return pairs * (1 if dx is None else dx)
    if x.ndim == 1:
        if x.shape[0] != n:
            raise RuntimeError("trapezoid: There must be one `x` value for each sample point")
        steps = x.diff().reshape([n - 1 if k == d else 1 for k in range(y.ndim)])
    else:
        steps = x.diff(dim=dim)
    return pairs * steps


def _refuse_bools(name: str, y: Tensor, x) -> None:
    """torch's kernels take no bool samples or points (and its parser no points but a tensor)."""
    if x is not None and not isinstance(x, Tensor):
        refuse_combination({"trapezoid": trapezoid, "cumulative_trapezoid": cumulative_trapezoid}[name], (y, x))
    if isinstance(x, Tensor) and (x.dtype is bool_ or y.dtype is bool_):
        raise RuntimeError(f"{name}: received a bool input for `x` or `y`, but bool is not supported")
    if y.dtype is bool_:
        raise RuntimeError(f"{name}: received a bool input for `y`, but bool is not supported")


def trapezoid(y: Tensor, x: Tensor | None = None, *, dx=None, dim: int = -1) -> Tensor:
    """The integral of y along dim by the trapezoidal rule."""
    if y.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    if y.shape[wrap_dim(dim, y.ndim)] == 0:  # no samples: zeros in y's own dtype
        return y.sum(dim, dtype=y.dtype)
    _refuse_bools("trapezoid", y, x)
    return _areas(y if y.dtype.kind in "fc" else y.float(), x, dx, dim).sum(dim)


def trapz(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """torch's older name: trapz(y, x, dim=...) or trapz(y, dx=..., dim=...)."""
    if x is not None and not isinstance(x, Tensor):
        return trapezoid(y, dx=x, dim=dim)
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y: Tensor, x: Tensor | None = None, *, dx=None, dim: int = -1) -> Tensor:
    """The running integral: one value fewer than samples along dim."""
    _refuse_bools("cumulative_trapezoid", y, x)
    if y.ndim == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    if y.shape[wrap_dim(dim, y.ndim)] == 0:  # no samples: no values (of the integral's dtype)
        return y if y.dtype.kind in "fc" else y.float()
    return _areas(y if y.dtype.kind in "fc" else y.float(), x, dx, dim).cumsum(dim)
