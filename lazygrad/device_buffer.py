"""Buffers in GPU memory: the CUDA back end's Buffer, a flat cupy array."""
from __future__ import annotations

import numpy as np

from . import cuda
from .buffer import Buffer
from .dtypes import DType
from .errors import device_out_of_memory


def _device_dtype(dtype: DType) -> np.dtype:
    """What cupy holds dtype's elements as: bfloat16 as its bits (cupy has no bfloat16)."""
    return np.dtype(np.uint16) if dtype.name == "bfloat16" else dtype.np


class DeviceBuffer(Buffer):
    """`array` is a cupy array on `device` ('cuda:N'); `address` is its device pointer."""

    __slots__ = ("device", "shared")

    def __init__(self, dtype: DType, numel: int, device: str, array=None):
        cp = cuda.cupy()
        self._raw = None  # (first: a failed allocation leaves an object that __del__ still reads)
        self.dtype, self.numel, self.device = dtype, numel, device
        if array is None:
            index = int(device.partition(":")[2] or 0)
            with cp.cuda.Device(index):
                try:
                    array = cp.empty(numel, dtype=_device_dtype(dtype))
                except cp.cuda.memory.OutOfMemoryError:
                    free, total = cp.cuda.runtime.memGetInfo()
                    raise device_out_of_memory(numel * dtype.itemsize, index, free, total) from None
                cuda.note_allocation(index)
        self.array, self.shared = array, False
        self.address = array.data.ptr
        self.producers, self.generation = (), 0

    @property
    def xp(self):
        return cuda.cupy()

    @property
    def external(self) -> bool:
        """Memory others hold (DLPack, __cuda_array_interface__): never written in place behind them."""
        return self.shared

    def pin(self) -> None:
        self.shared = True

    def host(self) -> np.ndarray:
        return self.array.get().view(self.dtype.np)

    @staticmethod
    def upload(array: np.ndarray, dtype: DType, device: str) -> DeviceBuffer:
        buf = DeviceBuffer(dtype, array.size, device)
        buf.array.set(np.ascontiguousarray(array, dtype=dtype.np).reshape(-1).view(_device_dtype(dtype)))
        return buf
