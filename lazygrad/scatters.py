"""select_scatter, slice_scatter, diagonal_scatter and as_strided_scatter: a copy of input with src written
through one of its views. The copy is a new lazy storage laid out as torch lays out a clone, and the write
is the lazy strided write of every in-place op (inplace.assign: where(region, src placed back by the view's
inverse, input)), so the result is one fused elementwise kernel. torch records one node for each."""
from __future__ import annotations

from .autograd.record import differentiable
from .inplace import assign
from .movement import as_strided, diagonal, like_layout, select
from .tensor import Tensor, wrap_dim


def _scattered(input: Tensor, src: Tensor, view_of) -> Tensor:
    """input's copy with src (cast to input's dtype) written into view_of(copy)."""
    out = like_layout(input, input.lazy)
    target = view_of(out)
    if src._shape != target._shape:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = {list(src._shape)}, "
                           f"slice size = {list(target._shape)}")
    assign(target, src)
    return out


@differentiable("select_scatter")
def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    return _scattered(input, src, lambda out: select(out, dim, index))


def slice_view(t: Tensor, dim: int, start, end, step: int) -> Tensor:
    """t[start:end:step] along dim as a view (Python's clamping of start and end, as torch slices)."""
    from .movement import as_view
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    d = wrap_dim(dim, t.ndim)
    lo, hi, _ = slice(start, end).indices(t._shape[d])
    shape, strides = list(t._shape), list(t._strides)
    shape[d] = max(0, -(-(hi - lo) // step))
    strides[d] *= step
    return as_view(t, shape, strides, t._offset + lo * t._strides[d])


@differentiable("slice_scatter")
def slice_scatter(input: Tensor, src: Tensor, dim: int = 0, start: int | None = None, end: int | None = None,
                  step: int = 1) -> Tensor:
    return _scattered(input, src, lambda out: slice_view(out, dim, start, end, step))


@differentiable("diagonal_scatter")
def diagonal_scatter(input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    return _scattered(input, src, lambda out: diagonal(out, offset, dim1, dim2))


@differentiable("as_strided_scatter")
def as_strided_scatter(input: Tensor, src: Tensor, size, stride, storage_offset: int | None = None) -> Tensor:
    """size, stride and storage_offset address the copy's storage (which starts at offset 0)."""
    return _scattered(input, src, lambda out: as_strided(out, size, stride, storage_offset))
