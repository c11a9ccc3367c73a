"""Reductions to few values for the GPU: two passes, so that every multiprocessor works.

A CUDA reduction kernel gives each output element one block (or, reducing over outer axes, one
thread), which suits many outputs; a reduction to a single value would run on one block, one
multiprocessor out of a hundred, and a sum over the rows of a tall narrow matrix on a handful of
threads. Before scheduling for CUDA, every large reduction to at most MAX_OUTPUTS values becomes a
reduction of partial results: each output's reduced elements are cut into PARTS // outputs parts
(padded with the reduction's identity to a multiple of it), so that the first pass has about PARTS
blocks or threads. The C back end parallelizes these reductions itself and keeps the graph as is.
"""
from __future__ import annotations

from . import graph, np_ops
from .dtypes import bool_, opmath
from .graph import Node
from .ops import Op
from .schedule import unrealized_order

PARTS = 1024
MIN_ELEMENTS = 1 << 16
MAX_OUTPUTS = PARTS // 8  # at least 8 parts an output

def _split(node: Node, src: Node) -> Node:
    """Reduce src's reduced axes in PARTS // (outputs) parts, then the parts. The reduced axes are
    merged into one where they are adjacent, and moved last where they are not."""
    rop, axes = node.arg
    if axes != tuple(range(axes[0], axes[-1] + 1)):
        kept = tuple(i for i in range(len(src.shape)) if i not in axes)
        src, axes = graph.permute(src, kept + axes), tuple(range(len(kept), len(src.shape)))
    pre, post = src.shape[:axes[0]], src.shape[axes[-1] + 1:]
    n = src.numel // node.numel
    parts = PARTS // node.numel
    per = -(-n // parts)
    lo = len(pre)  # the merged reduced axis
    merged = graph.reshape(src, pre + (n,) + post)
    pads = tuple((0, parts * per - n) if i == lo else (0, 0) for i in range(len(merged.shape)))
    inside = graph.pad(graph.const(True, bool_, merged.shape), pads)
    padded = graph.alu(Op.WHERE, inside, graph.pad(merged, pads),
                       graph.const(np_ops.reduce_identity(rop, src.dtype), src.dtype, inside.shape))
    partial = opmath(node.dtype)  # what a float16 or bfloat16 reduction accumulates in
    first = graph.reduce(graph.reshape(padded, pre + (parts, per) + post), rop, (lo + 1,), partial)
    return graph.reshape(graph.reduce(first, rop, (lo,), node.dtype), node.shape)


def split_large_reductions(targets: list[Node]) -> list[Node]:
    """The targets with every large reduction to few elements computed in two passes."""
    new: dict[int, Node] = {}
    for n in unrealized_order(targets):
        srcs = tuple(new.get(id(s), s) for s in n.srcs)
        if n.op is Op.REDUCE and n.numel <= MAX_OUTPUTS and srcs[0].numel >= MIN_ELEMENTS:
            new[id(n)] = _split(n, srcs[0])
        elif srcs != n.srcs:
            new[id(n)] = graph.make(n.op, n.dtype, n.shape, srcs, n.arg)
    return [new.get(id(t), t) for t in targets]
