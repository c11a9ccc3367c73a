"""Device buffers for the CPU back end, with a caching allocator.

A fresh large buffer costs page faults (tens of ms for 64 MiB) that dwarf the arithmetic written
into it, so freed buffers go back to a pool keyed by size and are handed out again; large ones are
mapped with transparent huge pages advised where the kernel offers them.
"""
from __future__ import annotations

import mmap

import numpy as np

from .dtypes import DType
from .errors import host_out_of_memory

HUGE_MIN_BYTES = 1 << 21
POOL_LIMIT_BYTES = 1 << 31
_pool: dict[int, list[np.ndarray]] = {}
_pooled_bytes = 0


def _fresh(nbytes: int) -> np.ndarray:
    """New memory; when the system has none to give, the pool's free buffers are released and the
    request tried once more before torch's error for the CPU allocator."""
    global _pooled_bytes
    try:
        return _mapped(nbytes)
    except (OSError, MemoryError, ValueError):
        if not _pool:
            raise host_out_of_memory(nbytes) from None
    _pool.clear()
    _pooled_bytes = 0
    try:
        return _mapped(nbytes)
    except (OSError, MemoryError, ValueError):
        raise host_out_of_memory(nbytes) from None


def _mapped(nbytes: int) -> np.ndarray:
    if nbytes >= HUGE_MIN_BYTES:
        size = -(-nbytes // HUGE_MIN_BYTES) * HUGE_MIN_BYTES
        mm = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        if hasattr(mmap, "MADV_HUGEPAGE"):
            try:
                mm.madvise(mmap.MADV_HUGEPAGE)
            except OSError:
                pass
        return np.frombuffer(mm, dtype=np.uint8, count=nbytes)
    return np.empty(max(nbytes, 1), dtype=np.uint8)[:nbytes]


def _take(nbytes: int) -> np.ndarray:
    global _pooled_bytes
    free = _pool.get(nbytes)
    if free:
        _pooled_bytes -= nbytes
        return free.pop()
    return _fresh(nbytes)


def _give_back(raw: np.ndarray) -> None:
    global _pooled_bytes
    if raw.nbytes == 0 or _pooled_bytes + raw.nbytes > POOL_LIMIT_BYTES:
        return
    _pool.setdefault(raw.nbytes, []).append(raw)
    _pooled_bytes += raw.nbytes


class Buffer:
    """A flat array of `numel` elements; `array` is its NumPy view, `address` its first byte."""

    device = "cpu"
    xp = np  # the array module of `array`

    __slots__ = ("dtype", "numel", "array", "address", "_raw", "producers", "generation", "__weakref__")

    def __init__(self, dtype: DType, numel: int, array: np.ndarray | None = None):
        self.dtype, self.numel = dtype, numel
        self._raw = None  # memory owned elsewhere (NumPy shares it) is never pooled
        if array is None:
            self._raw = _take(numel * dtype.itemsize)
            array = self._raw.view(dtype.np)
        self.array = array
        self.address = array.__array_interface__["data"][0]
        self.producers = ()  # weak references to the graph nodes computed into this buffer
        self.generation = 0  # bumped by every in-place write: each content is its own BUFFER node

    @property
    def external(self) -> bool:
        """Memory others may hold (NumPy): never recycled by the pool."""
        return self._raw is None

    def pin(self) -> None:
        self._raw = None

    def host(self) -> np.ndarray:
        """The contents as a NumPy array (this memory itself, on the CPU)."""
        return self.array

    def overwritten(self) -> None:
        """The buffer is written in place: its producing node and its BUFFER node no longer describe it."""
        self.unproduced()
        self.generation += 1

    def unproduced(self) -> None:
        """Its producing nodes no longer stand for the contents (written in place, or handed to NumPy, which may
        write them unseen): an expression equal to that node is computed anew, not read from here."""
        for ref in self.producers:
            node = ref()
            if node is not None and node.buffer is self:
                node.buffer = None
        self.producers = ()

    def __del__(self):
        if self._raw is not None:
            _give_back(self._raw)
