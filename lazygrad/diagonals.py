"""Triangles and diagonals: tril/triu (and their indices), diag, diag_embed, diagflat, trace. Each is a
mask or a sum over positions computed from aranges, so it stays lazy and fuses with what reads it."""
from __future__ import annotations

from . import graph
from .autograd.record import differentiable, takes_out
from .creation import arange, full_like, zeros_like
from .dtypes import bool_, int64, to_dtype, torch_name
from .elementwise import eq, ge, le, sub, where
from .movement import contiguous, copy_of, diagonal, flatten, movedim, stack
from .reductions import sum
from .tensor import Tensor, wrap_dim


def _offsets(rows: int, cols: int, device: str) -> Tensor:
    """col - row for every position of a rows x cols matrix."""
    return sub(arange(cols, device=device), arange(rows, device=device).reshape(rows, 1))


def _keep(input: Tensor, keep: Tensor) -> Tensor:
    """input where keep holds, zero (of input's dtype) elsewhere."""
    zero = Tensor._from_node(graph.const(0, input.dtype, ()))
    return where(keep, input, zero)


def _triangle(input: Tensor, diagonal: int, name: str, compare) -> Tensor:
    if input.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    rows, cols = input._shape[-2:]
    return _keep(input, compare(_offsets(rows, cols, input._storage.device), diagonal)).contiguous()


@differentiable("tril")
def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle (col - row <= diagonal) of the last two dims; zeros above."""
    return _triangle(input, diagonal, "tril", le)


@differentiable("triu")
def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle (col - row >= diagonal) of the last two dims; zeros below."""
    return _triangle(input, diagonal, "triu", ge)


# ---- the indices of a triangle ------------------------------------------------------------------------
# Row r of a rows x cols tril holds clamp(r + offset + 1, 0, cols) elements, a triu's row holds
# cols - clamp(r + offset, 0, cols). Their running sums have a closed form, so the row of the k-th element
# is found by a binary search evaluated elementwise (no table, no gather), and its column follows.

def _ramp_sum(n):
    """1 + 2 + ... + n for n > 0, else 0 (n an int or an int64 tensor)."""
    m = n.clamp(min=0) if isinstance(n, Tensor) else max(n, 0)
    return m * (m + 1) // 2


def _clamped_sum(m, a: int, cols: int):
    """sum over i < m of clamp(i + a, 0, cols)."""
    return _ramp_sum(m + a - 1) - _ramp_sum(a - 1) - (_ramp_sum(m + a - 1 - cols) - _ramp_sum(a - 1 - cols))


def _elements_before(m, offset: int, cols: int, upper: bool):
    """How many elements of the triangle lie in the rows before row m."""
    if upper:
        return m * cols - _clamped_sum(m, offset, cols)
    return _clamped_sum(m, offset + 1, cols)


def _triangle_indices(row: int, col: int, offset: int, dtype, device, upper: bool) -> Tensor:
    name = "triu_indices" if upper else "tril_indices"
    for what, n in (("row", row), ("col", col)):
        if n < 0:
            raise RuntimeError(f"{what} must be non-negative, got{n}")
    dt = to_dtype(dtype)
    if not dt.is_integer:
        raise NotImplementedError(f"\"{name}\" not implemented for '{torch_name(dt)}'")
    total = _elements_before(row, offset, col, upper) if row and col else 0
    k = arange(total, device=device)
    lo, hi = zeros_like(k), full_like(k, max(row - 1, 0))
    for _ in range(max(row - 1, 1).bit_length()):  # the last row r with elements_before(r) <= k
        mid = (lo + hi + 1) // 2
        fits = le(_elements_before(mid, offset, col, upper), k)
        lo, hi = where(fits, mid, lo), where(fits, hi, mid - 1)
    first = (lo + offset).clamp(min=0) if upper else zeros_like(lo)
    cols = first + k - _elements_before(lo, offset, col, upper)
    return stack([lo, cols]).to(dt)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=int64, device=None, layout=None) -> Tensor:
    """The (row, col) coordinates of a rows x cols lower triangle, row by row (a 2 x N tensor)."""
    return _triangle_indices(row, col, offset, dtype, device, upper=False)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=int64, device=None, layout=None) -> Tensor:
    """The (row, col) coordinates of a rows x cols upper triangle, row by row (a 2 x N tensor)."""
    return _triangle_indices(row, col, offset, dtype, device, upper=True)


# ---- diagonals -----------------------------------------------------------------------------------------

@differentiable("diag_embed")
def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """A new tensor whose diagonal `offset` over dims (dim1, dim2) holds input's last dim; zeros elsewhere."""
    n = input.ndim + 1
    a, b = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if a == b:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    size = input._shape[-1] + abs(offset)
    pads = ((0, 0),) * (input.ndim - 1) + ((0, size - input._shape[-1]),)
    line = Tensor._from_node(graph.pad(input.lazy, pads), input._storage.device)
    plane = line.unsqueeze(-1 if offset >= 0 else -2).expand(*input._shape[:-1], size, size)
    square = _keep(plane, eq(_offsets(size, size, input._storage.device), offset))
    return contiguous(movedim(square, (-2, -1), (a, b)))


@differentiable("diagonal_copy")
def _diagonal_copy(input: Tensor, offset: int = 0) -> Tensor:
    return copy_of(diagonal(input, offset))


@takes_out("diag")
def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-D input becomes a matrix with it on diagonal `diagonal`; a 2-D input gives that diagonal (a copy)."""
    if input.ndim == 1:
        return diag_embed(input, diagonal, 0, 1)
    if input.ndim == 2:
        return _diagonal_copy(input, diagonal)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """The flattened input on diagonal `offset` of a square matrix."""
    return diag_embed(flatten(input), offset, 0, 1)


@differentiable("trace")
def trace(input: Tensor) -> Tensor:
    """The sum of the main diagonal of a matrix (integers sum as int64)."""
    if input.dtype is bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    return sum(diagonal(input))
