"""torch.gradient: derivatives of sampled values by finite differences (numpy.gradient's rules): second-order
central differences inside, first- or second-order one-sided ones at the edges, on a uniform grid or at
given coordinates. Slices, products and cat, so the result is lazy, fused and differentiable."""
from __future__ import annotations

import numbers

from .dtypes import bool_, get_default_dtype
from .elementwise import BOOL_SUBTRACTION
from .movement import cat
from .tensor import Tensor, wrap_dim
from .int_parameters import dim_list


def _spacings(input: Tensor, spacing, dims: list[int], dim_given: bool) -> list:
    """One spacing per dim: a number (a uniform grid) or a 1-D tensor of coordinates."""
    if isinstance(spacing, (numbers.Number, Tensor)) and not (isinstance(spacing, Tensor) and spacing.ndim):
        value = spacing.item() if isinstance(spacing, Tensor) else spacing
        return [value] * len(dims)
    spacing = list(spacing)
    if len(spacing) == 1 and len(dims) > 1 and isinstance(spacing[0], numbers.Number):
        return spacing * len(dims)
    if len(spacing) != len(dims) and not dim_given:
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar, or a list of length equal to "
                           f"'self.dim() = {input.ndim}', since dim argument was not given, but got a list of length "
                           f"{len(spacing)}")
    if len(spacing) != len(dims):
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
                           f"arguments to have the same length, but got a spacing argument of length {len(spacing)} "
                           f"and a dim argument of length {len(dims)}.")
    return spacing


def _along(t: Tensor, d: int, start: int, length: int) -> Tensor:
    return t.narrow(d, start, length)


def _shaped(h: Tensor, d: int, ndim: int) -> Tensor:
    """A 1-D tensor of steps laid along dim d for broadcasting."""
    return h.reshape([h.shape[0] if k == d else 1 for k in range(ndim)])


def _uniform(f: Tensor, d: int, h: float, edge_order: int) -> Tensor:
    n = f.shape[d]
    inner = (_along(f, d, 2, n - 2) - _along(f, d, 0, n - 2)) / (2 * h)
    if edge_order == 1:
        first = (_along(f, d, 1, 1) - _along(f, d, 0, 1)) / h
        last = (_along(f, d, n - 1, 1) - _along(f, d, n - 2, 1)) / h
    else:
        first = (_along(f, d, 0, 1) * -3 + _along(f, d, 1, 1) * 4 - _along(f, d, 2, 1)) / (2 * h)
        last = (_along(f, d, n - 1, 1) * 3 - _along(f, d, n - 2, 1) * 4 + _along(f, d, n - 3, 1)) / (2 * h)
    return cat([first, inner, last], d)


def _coordinates(f: Tensor, d: int, x: Tensor, edge_order: int) -> Tensor:
    n, ndim = f.shape[d], f.ndim
    x = x.to(f.dtype)
    h = x.diff()
    left, right = _shaped(h[:-1], d, ndim), _shaped(h[1:], d, ndim)
    inner = (left * left * _along(f, d, 2, n - 2) - right * right * _along(f, d, 0, n - 2)
             + (right * right - left * left) * _along(f, d, 1, n - 2)) / (left * right * (left + right))
    if edge_order == 1:
        first = (_along(f, d, 1, 1) - _along(f, d, 0, 1)) / h[0]
        last = (_along(f, d, n - 1, 1) - _along(f, d, n - 2, 1)) / h[-1]
    else:
        h1, h2 = h[0], h[1]
        first = (_along(f, d, 0, 1) * (-(2 * h1 + h2) / (h1 * (h1 + h2))) + _along(f, d, 1, 1) * ((h1 + h2) / (h1 * h2))
                 - _along(f, d, 2, 1) * (h1 / (h2 * (h1 + h2))))
        h1, h2 = h[-2], h[-1]
        last = (_along(f, d, n - 3, 1) * (h2 / (h1 * (h1 + h2))) - _along(f, d, n - 2, 1) * ((h1 + h2) / (h1 * h2))
                + _along(f, d, n - 1, 1) * ((2 * h2 + h1) / (h2 * (h1 + h2))))
    return cat([first, inner, last], d)


def gradient(input: Tensor, *, spacing=1, dim=None, edge_order: int = 1) -> tuple[Tensor, ...]:
    """The derivative of input along each of dim (every dim by default), one tensor each."""
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    if input.ndim == 0:  # (a dim out of a 0-d tensor's range, [-1, 0], is that error first)
        given = 0 if dim is None else dim_list(dim)[0]
        wrap_dim(given, 0)
        raise IndexError(f"Dimension specified as {given} but tensor has no dimensions")
    dims = list(range(input.ndim)) if dim is None else [wrap_dim(d, input.ndim) for d in
                                                          dim_list(dim)]
    if any(input.shape[d] < edge_order + 1 for d in dims):
        raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
    if input.dtype is bool_:  # (torch's differences subtract the bools themselves)
        raise RuntimeError(BOOL_SUBTRACTION)
    f = input if input.dtype.is_floating_point else input.to(get_default_dtype())
    results = []
    for d, step in zip(dims, _spacings(input, spacing, dims, dim is not None)):
        if isinstance(step, Tensor):
            if step.ndim != 1 or step.shape[0] != input.shape[d]:
                raise RuntimeError(f"torch.gradient expected each tensor to be on the same device and to have "
                                   f"the size of the dimension it differentiates, got {list(step.shape)} for "
                                   f"dimension {d} of size {input.shape[d]}")
            results.append(_coordinates(f, d, step, edge_order))
        else:
            results.append(_uniform(f, d, float(step), edge_order))
    return tuple(results)
