"""Writes into existing tensors: in-place ops, `out=`, `__setitem__`.

A write that covers a whole storage stays lazy: the storage's content becomes the new node and
every view rebuilds from it. A write through a partial view is done at once into a fresh copy of
the storage (copy-on-write, so lazy graphs that read the old content keep reading it), except on
memory NumPy shares, which is written in place so NumPy sees it.
"""
from __future__ import annotations

import numpy as np

from . import graph
from .elementwise import broadcast_node
from .tensor import Tensor, realize


def _covers_storage(t: Tensor) -> bool:
    return t._offset == 0 and t.numel() == t._storage.numel and t.is_contiguous()


def assign(target: Tensor, value) -> Tensor:
    """target[...] = value (broadcast, cast to target's dtype); returns target itself."""
    if isinstance(value, Tensor):
        node = graph.cast(value.lazy, target.dtype)
        if value._shape != target._shape:
            from .movement import expand
            expand(value, target._shape)  # torch's message when value cannot broadcast to the target
            node = broadcast_node(node, target._shape)
    else:
        node = graph.const(value, target.dtype, target._shape)
    st = target._storage
    if not target._untracked:
        st.version += 1
    if _covers_storage(target) and not _shares_numpy(st):
        st.source = node
        st.epoch += 1
        return target
    values = Tensor._from_node(node)
    realize(target, values)
    buf = st.buffer
    if not _shares_numpy(st):
        from .buffer import Buffer
        fresh = Buffer(buf.dtype, buf.numel)
        fresh.array[...] = buf.array
        st.set_realized(fresh)
        buf = fresh
    else:
        buf.invalidate_producer()
        st.epoch += 1
    item = target.dtype.itemsize
    dest = np.lib.stride_tricks.as_strided(buf.array[target._offset:], target._shape,
                                           tuple(s * item for s in target._strides))
    dest[...] = values._values()
    return target


def _shares_numpy(st) -> bool:
    return st.numpy_shared
