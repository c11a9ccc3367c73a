"""The gradient of indexing: place g back where the indexed elements came from, zeros elsewhere.

Basic indices (ints, slices, None) invert with pads and dilations, which are views fused into the
consumer; integer-tensor and mask indices scatter-add g into zeros (what a gather's gradient is), one
store per element of g.
"""
from __future__ import annotations

from .. import graph
from ..tensor import Tensor
from ..view import memory_order
from .record import differentiable


def _basic_items(ndim: int, index):
    from ..indexing import _expand_index
    return _expand_index(ndim, index)


def _embed_node(node, shape, items):
    d = 0  # position in the node's dims
    k = 0  # position in the input's dims
    for item in items:
        if item is None or isinstance(item, bool):
            if node.shape[d] == 0:
                return None
            node = graph.reshape(node, node.shape[:d] + node.shape[d + 1:])
            continue
        size = shape[k]
        if isinstance(item, slice):
            start, _, step = item.indices(size)
            n = node.shape[d]
            if n == 0:
                return None
            if step > 1:
                s = node.shape
                node = graph.reshape(node, s[:d] + (n, 1) + s[d + 1:])
                node = graph.pad(node, tuple((0, step - 1) if i == d + 1 else (0, 0) for i in range(len(s) + 1)))
                node = graph.reshape(node, s[:d] + (n * step,) + s[d + 1:])
                span = (n - 1) * step + 1
                node = graph.shrink(node, tuple((0, span) if i == d else (0, x) for i, x in enumerate(node.shape)))
                n = span
            node = graph.pad(node, tuple((start, size - start - n) if i == d else (0, 0)
                                         for i in range(len(node.shape))))
            d += 1
        else:  # an int: the dim came out of the result
            i = int(item) % size
            s = node.shape
            node = graph.reshape(node, s[:d] + (1,) + s[d:])
            node = graph.pad(node, tuple((i, size - 1 - i) if j == d else (0, 0) for j in range(len(s) + 1)))
            d += 1
        k += 1
    return node


@differentiable("embed")
def embed(g: Tensor, shape, index) -> Tensor:
    """zeros(shape) with g at [index]."""
    import lazygrad as lg
    items = index if isinstance(index, tuple) else (index,)
    if any(isinstance(i, (Tensor, list)) for i in items):
        from ..indexing import index_put
        return index_put(lg.zeros(shape, dtype=g.dtype, device=g.device), index, g, accumulate=True)
    node = _embed_node(g.lazy, tuple(shape), _basic_items(len(shape), index))
    if node is None:
        return lg.zeros(shape, dtype=g.dtype, device=g.device)
    return Tensor._from_node(node, g._storage.device)


def _numel(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def scatter_positions(g: Tensor, positions: Tensor, shape) -> Tensor:
    """out.flatten()[positions[b]] += g[b] for every b (repeated positions add up)."""
    import lazygrad as lg
    from ..indexing import index_put
    flat = lg.zeros(_numel(shape), dtype=g.dtype, device=g.device)
    return index_put(flat, (positions.reshape(-1),), g.reshape(-1), accumulate=True).reshape(shape)


def scatter_add_like(c, g: Tensor) -> Tensor:
    """The gradient of gather(x, dim, index) for x."""
    import lazygrad as lg
    x, dim, index = c.args[0], c.args[1], c.args[2]
    return lg.zeros(x.shape, dtype=g.dtype, device=g.device).scatter_add(dim, index, g)


def to_memory(t: Tensor, order) -> Tensor:
    """t's elements flattened in the order of a layout's memory."""
    return t.permute(list(order)).reshape(-1)


def from_memory(flat: Tensor, shape, order) -> Tensor:
    inverse = sorted(range(len(order)), key=lambda i: order[i])
    return flat.reshape([shape[d] for d in order]).permute(inverse)


@differentiable("strided_scatter")
def strided_scatter(src: Tensor, numel: int, strides, offset: int) -> Tensor:
    """A flat (numel,) tensor with src's elements at offset + sum(i_k * strides[k]), zeros elsewhere
    (where two elements land on one position, they add up)."""
    import lazygrad as lg
    from ..strided_embed import embed as embed_node, overlaps
    node = None if overlaps(src._shape, strides) else embed_node(src.lazy, numel, tuple(strides), offset)
    if node is not None:
        return Tensor._from_node(node, src._storage.device)
    positions = lg.arange(numel, device=src.device).as_strided(src._shape, strides, offset)
    return scatter_positions(src, positions, (numel,))


def read_strided(flat: Tensor, shape, strides, offset: int) -> Tensor:
    """The view (shape, strides, offset) of a flat tensor's elements (the adjoint of strided_scatter)."""
    flat = flat.contiguous()
    return flat.as_strided(shape, strides, flat.storage_offset() + offset)


def strided_grad(g: Tensor, x_shape, x_strides, x_offset: int, shape, strides, offset: int) -> Tensor:
    """The gradient for x of reading x's storage through (shape, strides, offset): each element of g
    goes to the element of x at the same storage position. Where x itself reads a position more than
    once, those elements share its gradient equally (torch's as_strided_backward), so that x's own
    backward, which adds them up again, passes each read of the storage on once."""
    import lazygrad as lg
    order = memory_order(x_shape, x_strides)
    numel = _numel(x_shape)
    inside = offset >= x_offset and (not _numel(shape) or
                                     offset + sum((n - 1) * s for n, s in zip(shape, strides)) < x_offset + numel)
    if order is not None and inside:
        return from_memory(strided_scatter(g, numel, strides, offset - x_offset), x_shape, order)
    grad = positions_grad(g, x_shape, x_strides, x_offset, shape, strides, offset)
    if reads_twice(x_shape, x_strides):
        ones = lg.ones(x_shape, dtype=g.dtype, device=g.device)
        grad = grad / positions_grad(ones, x_shape, x_strides, x_offset, x_shape, x_strides, x_offset)
    return grad


def reads_twice(shape, strides) -> bool:
    """Whether a layout may reach one storage position through two of its elements."""
    if 0 in shape:
        return False
    reach = 0
    for n, st in sorted(((n, abs(st)) for n, st in zip(shape, strides) if n != 1), key=lambda p: p[1]):
        if st <= reach:
            return True
        reach += st * (n - 1)
    return False


def positions_grad(g: Tensor, x_shape, x_strides, x_offset, shape, strides, offset) -> Tensor:
    """strided_grad for any layout: g added up at the storage positions it was read from, then read
    back at the positions of x's elements."""
    import lazygrad as lg
    span = 1 + max(x_offset + sum((n - 1) * s for n, s in zip(x_shape, x_strides)),
                   offset + sum((n - 1) * s for n, s in zip(shape, strides)))
    where_g = lg.arange(span, device=g.device).as_strided(shape, strides, offset)
    summed = scatter_positions(g, where_g, (span,))
    return summed[lg.arange(span, device=g.device).as_strided(x_shape, x_strides, x_offset)]
