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

import weakref

from . import graph
from .buffer import Buffer
from .dtypes import DType
from .graph import Node, toposort
from .ops import Op
from .schedule import is_reshape, is_stored

_PENDING: weakref.WeakSet = weakref.WeakSet()


class Storage:
    __slots__ = ("dtype", "numel", "device", "source", "epoch", "version", "writes", "_own", "numpy_shared",
                 "__weakref__")

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
        if source.op is not Op.BUFFER:
            _PENDING.add(self)

    @staticmethod
    def from_buffer(buf: Buffer, device: str = "cpu") -> Storage:
        st = Storage(graph.buffer(buf, buf.dtype, buf.numel), buf.numel, device)
        st._own = buf
        st.numpy_shared = buf.external
        return st

    def share_with_numpy(self) -> Buffer:
        """The realized buffer, from now on written in place and never recycled."""
        buf = self.buffer
        buf.pin()
        self.numpy_shared = True
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
        """The node to compute: plain reshapes of it share its row-major order, so they need no kernel."""
        node = self.source
        while is_reshape(node) and not is_stored(node.srcs[0]):
            node = node.srcs[0]
        return graph.copy(node) if is_stored(node) else node

    def write(self, node: Node) -> None:
        """The storage's content becomes node (a lazy in-place write); every view sees it."""
        self.source = node
        self.epoch += 1
        self.writes += 1
        _PENDING.add(self)

    def set_realized(self, buf: Buffer) -> None:
        self._own = buf
        self.source = graph.buffer(buf, self.dtype, self.numel)
        self.epoch += 1
        self.writes = 0
        _PENDING.discard(self)


def in_place_buffers(storages: list[Storage]) -> dict[int, Buffer]:
    """The buffers (by storage id) that these storages' pending contents may be computed into: their
    own, where nothing else lazy still reads the old content there. One walk over what is pending."""
    own: dict[int, list[Storage]] = {}
    for st in storages:
        buf = st._own
        if buf is not None and not buf.external and not st.is_realized:
            own.setdefault(id(buf), []).append(st)
    pending = [st for st in _PENDING if not st.is_realized]
    if not own or not pending:
        return {id(st): st._own for sts in own.values() for st in sts}
    reads: dict[int, frozenset] = {}  # node -> the candidate buffers (ids) it reads
    none: frozenset = frozenset()
    for n in toposort([st.source for st in pending], lambda n: () if is_stored(n) else n.srcs):
        if is_stored(n):
            read = id(n.arg if n.op is Op.BUFFER else n.buffer)
            reads[id(n)] = frozenset((read,)) if read in own else none
        else:
            found = none
            for s in n.srcs:
                if reads[id(s)] and reads[id(s)] is not found:
                    found = found | reads[id(s)] if found else reads[id(s)]
            reads[id(n)] = found
    free = {}
    for buf_id, sts in own.items():
        for st in sts:
            if not any(buf_id in reads[id(other.source)] for other in pending if other is not st):
                free[id(st)] = st._own
    return free


def pending_readers(buf: Buffer, writer: Storage | None = None) -> list[Storage]:
    """The pending storages (other than writer) whose lazy content reads buf."""
    pending = [st for st in _PENDING if st is not writer and not st.is_realized]
    if not pending:
        return []
    order = toposort([st.source for st in pending], lambda n: () if is_stored(n) else n.srcs)
    reads: dict[int, bool] = {}
    for n in order:
        if is_stored(n):
            reads[id(n)] = (n.arg if n.op is Op.BUFFER else n.buffer) is buf
        else:
            reads[id(n)] = any(reads[id(s)] for s in n.srcs)
    return [st for st in pending if reads[id(st.source)]]
