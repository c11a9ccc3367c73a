"""Full reductions for the GPU: two passes, so that every multiprocessor works.

A CUDA reduction kernel gives each output element one block, which suits a reduction along rows;
a reduction to a single value would run on one block, one multiprocessor out of a hundred. Before
scheduling for CUDA, every large reduction to one element becomes a reduction of PARTS partial
results, each a block's share of the input (the input padded with the reduction's identity to a
multiple of PARTS). The C back end parallelizes full reductions itself and keeps the graph as is.
"""
from __future__ import annotations

import numpy as np

from . import graph
from .dtypes import bool_
from .graph import Node, toposort
from .ops import Op, ReduceOp
from .schedule import is_stored

PARTS = 1024
MIN_ELEMENTS = 1 << 16

IDENTITY = {ReduceOp.SUM: 0, ReduceOp.PROD: 1, ReduceOp.MAX: float("-inf"), ReduceOp.MIN: float("inf")}


def _identity(rop: ReduceOp, node: Node):
    value = IDENTITY[rop]
    if node.dtype.kind == "b":
        return rop in (ReduceOp.PROD, ReduceOp.MIN)
    if node.dtype.kind in "ui" and rop in (ReduceOp.MAX, ReduceOp.MIN):
        info = np.iinfo(node.dtype.np)
        return int(info.min if rop is ReduceOp.MAX else info.max)
    return value


def _split(node: Node, src: Node) -> Node:
    rop = node.arg[0]
    n = src.numel
    per = -(-n // PARTS)
    flat = graph.reshape(src, (n,))
    inside = graph.pad(graph.const(True, bool_, (n,)), ((0, PARTS * per - n),))
    padded = graph.alu(Op.WHERE, inside, graph.pad(flat, ((0, PARTS * per - n),)),
                       graph.const(_identity(rop, src), src.dtype, (PARTS * per,)))
    parts = graph.reduce(graph.reshape(padded, (PARTS, per)), rop, (1,), node.dtype)
    return graph.reshape(graph.reduce(parts, rop, (0,), node.dtype), node.shape)


def split_full_reductions(targets: list[Node]) -> list[Node]:
    """The targets with every large reduction to one element computed in two passes."""
    new: dict[int, Node] = {}
    for n in toposort(targets, lambda n: () if is_stored(n) else n.srcs):
        srcs = tuple(new.get(id(s), s) for s in n.srcs)
        if n.op is Op.REDUCE and n.numel == 1 and srcs[0].numel >= MIN_ELEMENTS:
            new[id(n)] = _split(n, srcs[0])
        elif srcs != n.srcs:
            new[id(n)] = graph.make(n.op, n.dtype, n.shape, srcs, n.arg)
    return [new.get(id(t), t) for t in targets]
