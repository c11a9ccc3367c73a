"""Reads of memory NumPy shares (from_numpy, numpy(), frombuffer, a mapped file) happen at once.

NumPy may write such memory at any moment, unseen by lazygrad, while torch reads it at the op: `c = t.clone();
array[:] = 0` leaves c as it was. So a new lazy value whose computation reads NumPy-shared memory is computed
when it is made, as writes into that memory go through at once; views stay views (they read the memory itself,
as torch's do). Memory that becomes shared later (`numpy()`) first has its pending readers computed.

A small shared tensor is read by copying its values as an op takes its node (snapshot), so what reads it fuses as
usual. Workloads sharing no memory with NumPy pay one test per new value; the others a look at each new node's
sources (what a node reads is remembered on it) and a kernel for each value read from large shared memory."""
from __future__ import annotations

import contextlib
import threading
import weakref

import numpy as np

from . import graph
from .buffer import Buffer
from .graph import Node
from .ops import Op
from .view import View

_SHARED: set[int] = set()  # the ids of the live buffers NumPy (or another library) holds
SNAPSHOT_LIMIT = 1 << 14  # the most elements of a shared tensor an op copies rather than reading in place


class _State(threading.local):
    settling = False


_STATE = _State()
# what a node's `reads_shared` says is 2 * _EPOCH[0] + (whether it reads shared memory); a buffer shared anew
# starts an epoch, as nodes found not to read shared memory may read that one
_EPOCH = [1]


def shared(buf: Buffer, new: bool = False) -> None:
    """NumPy holds buf from now on: lazy values made before read it as it is now (they are computed, unless the
    buffer is new), and the node computed into it no longer stands for it (an equal expression made later is
    computed anew)."""
    if id(buf) in _SHARED:
        return
    _SHARED.add(id(buf))
    weakref.finalize(buf, _SHARED.discard, id(buf))
    if new:
        return
    _EPOCH[0] += 1
    from .storage import pending_readers
    from .tensor import realize_storages
    readers = pending_readers(buf)
    try:
        realize_storages(readers)
    except Exception:  # noqa: BLE001  (a reader that cannot be computed, here or later, never gives a value)
        for storage in readers:
            with contextlib.suppress(Exception):
                realize_storages([storage])
    buf.unproduced()


def snapshot(t) -> Node | None:
    """The node of a copy of a small NumPy-shared tensor's values, taken now: an op reading it fuses as any other
    (a larger one is read where it is, and what reads it is computed at once: settle). While the values stay the
    same, the tensor keeps its copy as its node, so the ops reading it (a forward and its backward) read one."""
    st = t._storage
    if t.numel() > SNAPSHOT_LIMIT or st.device != "cpu":
        return None
    flat = st.buffer.array
    values = np.ascontiguousarray(np.lib.stride_tricks.as_strided(
        flat[t._offset:] if flat.size else flat, t._shape, tuple(s * t.dtype.itemsize for s in t._strides)))
    kept = t._node if t._epoch == st.epoch else None
    copied = kept.srcs[0] if kept is not None and kept.op is Op.VIEW else kept
    if (copied is not None and copied.op is Op.BUFFER and copied.arg is not st.buffer
            and np.array_equal(copied.arg.array.view(np.uint8), values.reshape(-1).view(np.uint8))):
        return kept
    copy = Buffer(t.dtype, t.numel())
    copy.array[...] = values.reshape(-1)
    t._node, t._epoch = graph.view(graph.buffer(copy, t.dtype, copy.numel), View.contiguous(t._shape)), st.epoch
    return t._node


def settle(storage) -> None:
    """Compute the storage's new lazy content now if it reads NumPy-shared memory."""
    if not _SHARED or _STATE.settling or storage.is_realized or not _reads_shared(storage.source):
        return
    from .tensor import realize_storages
    _STATE.settling = True
    try:
        realize_storages([storage])
    finally:
        _STATE.settling = False


def _reads_shared(root: Node) -> bool:
    """Whether computing root reads a shared buffer (walking only the nodes not seen in this epoch)."""
    epoch = 2 * _EPOCH[0]
    try:
        return _reads(root, epoch)
    except RecursionError:  # (a deep graph not seen yet: seen from its sources up, then it is shallow)
        for node in graph.toposort([root], lambda n: () if _known(n, epoch) else n.srcs):
            _reads(node, epoch)
        return _reads(root, epoch)


def _known(node: Node, epoch: int) -> bool:
    return node.buffer is not None or node.op is Op.BUFFER or getattr(node, "reads_shared", 0) >= epoch


def _reads(node: Node, epoch: int) -> bool:
    if node.buffer is not None or node.op is Op.BUFFER:
        return id(node.arg if node.op is Op.BUFFER else node.buffer) in _SHARED
    seen = getattr(node, "reads_shared", 0)
    if seen >= epoch:
        return bool(seen & 1)
    value = any(_reads(src, epoch) for src in node.srcs)
    node.reads_shared = epoch + value
    return value
