"""Storage: the flat memory that tensors view, holding either a lazy graph node or a realized buffer.

A tensor is (storage, shape, strides, offset), exactly as in torch, so views share storage. What
the storage holds is `source`: a node whose row-major flattening is the storage's content. Until it
is realized that node is the lazy computation; afterwards it is the BUFFER node of its memory.
`epoch` changes whenever `source` does, telling every view to rebuild its own node.
"""
from __future__ import annotations

from . import graph
from .buffer import Buffer
from .dtypes import DType
from .graph import Node
from .ops import Op
from .schedule import is_reshape, is_stored


class Storage:
    __slots__ = ("dtype", "numel", "device", "source", "epoch", "version", "_own", "numpy_shared", "__weakref__")

    def __init__(self, source: Node, numel: int, device: str = "cpu"):
        self.dtype: DType = source.dtype
        self.numel = numel
        self.device = device
        self.source = source
        self.epoch = 0
        self.version = 0  # bumped by in-place writes (autograd checks it)
        self._own: Buffer | None = None  # the buffer this storage owns once realized
        self.numpy_shared = False  # NumPy holds the memory: writes must go through at once, in place

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

    def set_realized(self, buf: Buffer) -> None:
        self._own = buf
        self.source = graph.buffer(buf, self.dtype, self.numel)
        self.epoch += 1
