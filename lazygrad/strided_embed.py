"""Place a strided view's values back at their positions in the flat storage (zeros elsewhere).

This is the inverse of reading a view, built only from views (permute, pad, reshape, shrink), so it
fuses into whatever kernel reads it: a write through a view becomes `where(mask, embedded, old)`
over the storage, and the gradient of `as_strided` is the same embedding. It works for every view
whose dims nest (each dim's stride at least the span of the dims inside it): slices, steps,
transposes, diagonals, selects. Overlapping or interleaved layouts return None.
"""
from __future__ import annotations

import numpy as np

from . import graph
from .dtypes import bool_
from .graph import Node
from .ops import ELEMENTWISE, Op
from .view import torch_contiguous_strides


def embed_update(node: Node, numel: int, strides: tuple[int, ...], offset: int, old_view: Node,
                 old: Node) -> Node | None:
    """embed(node, ...) for a value computed from old_view (the view of the storage being written):
    elementwise work is moved to storage positions, where old_view is old itself. The update then
    reads the old content only where it writes, so it can be computed in place."""
    memo: dict[int, Node | None] = {}

    def visit(n: Node) -> Node | None:
        if id(n) not in memo:
            if n is old_view:
                memo[id(n)] = old
            elif n.op is Op.CONST:
                memo[id(n)] = graph.const(n.arg, n.dtype, (numel,))
            elif n.op in ELEMENTWISE and n.buffer is None:  # (a node computed already is read as it is)
                srcs = [visit(s) for s in n.srcs]
                memo[id(n)] = None if None in srcs else graph.alu(n.op, *srcs, dtype=n.dtype)
            else:
                memo[id(n)] = embed(n, numel, strides, offset)
        return memo[id(n)]
    return visit(node)


def embed(node: Node, numel: int, strides: tuple[int, ...], offset: int) -> Node | None:
    """A (numel,) node holding node's elements at `offset + sum(i_k * strides[k])`, zeros elsewhere."""
    if node.numel == 0:
        return graph.const(0, node.dtype, (numel,))
    dims = [(st, k) for k, (n, st) in enumerate(zip(node.shape, strides)) if n != 1]
    node = graph.reshape(node, tuple(node.shape[k] for _, k in dims))
    order = sorted(range(len(dims)), key=lambda i: -dims[i][0])
    node = graph.permute(node, tuple(order))
    sizes = [node.shape[i] for i in range(len(order))]
    strides_desc = [dims[i][0] for i in order]
    span = 1  # flat extent of the block built so far (the dims inside the current one)
    node = graph.reshape(node, tuple(sizes) + (1,))
    for d in reversed(range(len(sizes))):
        n, st = sizes[d], strides_desc[d]
        if st < span:
            return None
        lead = node.shape[:d]
        node = graph.pad(node, tuple((0, 0) for _ in range(d + 1)) + ((0, st - span),))
        node = graph.reshape(node, lead + (n * st,))
        span = (n - 1) * st + span
        node = graph.shrink(node, tuple((0, s) for s in lead) + ((0, span),))
    if offset + span > numel:
        return None
    return graph.pad(node, ((offset, numel - offset - span),))


def region(shape: tuple[int, ...], numel: int, strides: tuple[int, ...], offset: int) -> Node | None:
    """A (numel,) bool node: True at the positions the view covers."""
    return embed(graph.const(True, bool_, shape), numel, strides, offset)


def overlaps(shape: tuple[int, ...], strides: tuple[int, ...]) -> bool:
    """Whether two elements of the view share a memory location: through a zero stride (an expanded dim), or
    windows that overlap (unfold, as_strided). Dims that nest (each stride past the span of the smaller ones)
    cannot; other layouts are checked by listing their offsets."""
    if strides == torch_contiguous_strides(shape):
        return False
    dims = sorted((abs(st), n) for n, st in zip(shape, strides) if n > 1)
    span = 0
    for st, n in dims:
        if st <= span:
            break
        span += (n - 1) * st
    else:
        return False
    if dims[0][0] == 0:
        return True
    offsets = np.zeros(1, np.int64)
    for st, n in dims:
        offsets = (offsets[:, None] + np.arange(n, dtype=np.int64) * st).reshape(-1)
    return np.unique(offsets).size < offsets.size
