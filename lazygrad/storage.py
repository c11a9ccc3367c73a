"""Storage: the flat memory that tensors view, holding either a lazy graph node or a realized buffer.

A tensor is (storage, shape, strides, offset), exactly as in torch, so views share storage. What
the storage holds is `source`: a node whose row-major flattening is the storage's content. Until it
is realized that node is the lazy computation; afterwards it is the BUFFER node of its memory.
`epoch` changes whenever `source` does, telling every view to rebuild its own node.

Storages whose source is still lazy are *pending*; before a buffer is overwritten in place, the
pending storages that still read its old content are found (`pending_readers`), so the write can
go elsewhere (or they are computed first) and no lazy value ever changes behind the user's back.
"""
from __future__ import annotations

import itertools
import weakref

from . import graph, numpy_reads
from .autograd import grad_mode
from .buffer import Buffer
from .dtypes import DType
from .graph import Node
from .ops import Op
from .schedule import is_reshape, is_stored, unrealized_order

_PENDING: weakref.WeakSet = weakref.WeakSet()
_SERIALS = itertools.count()


class Storage:
    __slots__ = ("dtype", "numel", "device", "source", "epoch", "version", "writes", "_own", "numpy_shared",
                 "serial", "inference", "__weakref__")

    def __init__(self, source: Node, numel: int, device: str = "cpu"):
        self.dtype: DType = source.dtype
        self.numel = numel
        self.device = device
        self.source = source
        self.epoch = 0
        self.version = 0  # bumped by in-place writes (autograd checks it)
        self.writes = 0  # lazy in-place writes since the last realization (their graph depth)
        self._own: Buffer | None = None  # the buffer this storage owns once realized
        self.numpy_shared = False  # NumPy holds the memory: writes must go through at once, in place
        self.serial = next(_SERIALS)  # when its content was last set: pending storages in program order
        self.inference = grad_mode.STATE.inference  # made in inference mode: the tensors on it are inference tensors
        _PENDING.add(self)  # (a source that is another storage's buffer is pending too: it is copied when realized)

    @staticmethod
    def from_buffer(buf: Buffer, device: str = "cpu") -> Storage:
        st = Storage(graph.buffer(buf, buf.dtype, buf.numel), buf.numel, device)
        st._own = buf
        _PENDING.discard(st)
        st.numpy_shared = buf.external
        if buf.external:
            numpy_reads.shared(buf, new=True)
        return st

    def share_with_numpy(self) -> Buffer:
        """The realized buffer, from now on written in place and never recycled."""
        buf = self.buffer
        buf.pin()
        self.numpy_shared = True
        numpy_reads.shared(buf)
        return buf

    @property
    def is_realized(self) -> bool:
        # a source that is another storage's buffer (x * 1 simplifies to x) is not ours: copy it
        return self.source.op is Op.BUFFER and self.source.arg is self._own

    @property
    def buffer(self) -> Buffer:
        assert self.source.op is Op.BUFFER
        return self.source.arg

    def target(self) -> Node:
        """The node to compute: plain reshapes of it share its row-major order, so they need no kernel. A node
        computed already (by a realization that needed it) is read as it is: what it was computed from may
        have been written in place since."""
        node = self.source
        while not is_stored(node) and is_reshape(node) and not is_stored(node.srcs[0]):
            node = node.srcs[0]
        return graph.copy(node) if is_stored(node) else node

    def write(self, node: Node) -> None:
        """The storage's content becomes node (a lazy in-place write); every view sees it."""
        self.source = node
        self.epoch += 1
        self.writes += 1
        self.serial = next(_SERIALS)
        _PENDING.add(self)
        numpy_reads.settle(self)

    def set_realized(self, buf: Buffer) -> None:
        self._own = buf
        self.source = graph.buffer(buf, self.dtype, self.numel)
        self.epoch += 1
        self.writes = 0
        _PENDING.discard(self)


def in_place_blockers(storages: list[Storage]) -> list[Storage]:
    """The pending storages, other than these, whose lazy content reads a buffer one of these would be
    computed into in place (a loss or a gradient still reading a parameter an optimizer updates)."""
    own = {id(buf) for buf in own_buffers(storages).values()}
    if not own:
        return []
    group = {id(st) for st in storages}
    others = [st for st in _PENDING if id(st) not in group and not st.is_realized]
    reads = _reads(others, own)
    # in program order: a loop's step realizes the same graph each time, so its schedule comes from the cache
    return sorted((st for st in others if reads[id(st.source)]), key=lambda st: st.serial)


def _reads(pending: list[Storage], buffers: set[int]) -> dict[int, bool]:
    """For every node of the pending storages' graphs, whether it reads one of the buffers (by id)."""
    reads: dict[int, bool] = {}
    for n in unrealized_order([st.source for st in pending]):
        if is_stored(n):
            reads[id(n)] = id(n.arg if n.op is Op.BUFFER else n.buffer) in buffers
        else:
            reads[id(n)] = any(reads[id(s)] for s in n.srcs)
    return reads


def own_buffers(storages: list[Storage], readers: list[Storage] = ()) -> dict[int, Buffer]:
    """The buffers (by storage id) these storages' pending contents may be computed into: their own, less
    those the pending `readers` still read. What else read them has been computed already
    (in_place_blockers); within the realization, the runtime keeps a write in place only where no other
    kernel reads the old contents."""
    own = {id(st): st._own for st in storages
           if st._own is not None and not st._own.external and not st.is_realized}
    if own and readers:
        busy = {id(n.arg if n.op is Op.BUFFER else n.buffer)
                for n in unrealized_order([st.source for st in readers])
                if is_stored(n)}
        own = {k: buf for k, buf in own.items() if id(buf) not in busy}
    return own


def pending_readers(buf: Buffer, writer: Storage | None = None) -> list[Storage]:
    """The pending storages (other than writer) whose lazy content reads buf."""
    pending = [st for st in _PENDING if st is not writer and not st.is_realized]
    reads = _reads(pending, {id(buf)})
    return [st for st in pending if reads[id(st.source)]]
