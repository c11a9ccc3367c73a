"""Sharing memory with other array libraries: DLPack both ways and the CUDA array interface.

A tensor handed out is realized and its storage marked shared (as `.numpy()` does): from then on
lazygrad writes it in place, at once, so the other library sees every write.
"""
from __future__ import annotations

import ctypes

import numpy as np

from .dtypes import from_numpy_dtype
from .storage import Storage
from .tensor import Tensor, realize
from .tensor_parameters import tensor_parameters

CPU, CUDA = 1, 2  # DLPack device types


def _shared_array(t: Tensor):
    """The tensor's memory as a NumPy (CPU) or cupy (CUDA) array view, shared from now on."""
    if not t.is_cuda:
        return t.numpy(force=True)
    realize(t)
    buf = t._storage.share_with_numpy()
    item = t.dtype.itemsize
    return buf.xp.lib.stride_tricks.as_strided(buf.array[t._offset:], t._shape, tuple(s * item for s in t._strides))


@tensor_parameters("data", name="_to_dlpack")
def dlpack(t: Tensor, stream=None, **kwargs):
    """Tensor.__dlpack__ (and torch.to_dlpack): a capsule over this tensor's memory."""
    return _shared_array(t).__dlpack__(stream=stream, **kwargs)


def dlpack_device(t: Tensor) -> tuple[int, int]:
    if t.is_cuda:
        return CUDA, int(t._storage.device.partition(":")[2])
    return CPU, 0


def cuda_array_interface(t: Tensor) -> dict:
    if not t.is_cuda:
        raise AttributeError(f"Can't get __cuda_array_interface__ on non-CUDA tensor type: "
                             f"{t.type()} If CUDA data is required use tensor.cuda() to copy tensor to device memory.")
    if t.requires_grad:
        raise RuntimeError("Can't get __cuda_array_interface__ on Variable that requires grad. If gradients aren't "
                           "required, use var.detach() to get Variable that doesn't require grad.")
    return _shared_array(t).__cuda_array_interface__


class _Capsule:
    """A legacy DLPack capsule (what to_dlpack returns) as a producer: handed over as it is, its device read
    from the DLTensor it points to (the data pointer, then the device's type and index as int32s)."""

    def __init__(self, capsule):
        self.capsule = capsule

    def __dlpack__(self, **kwargs):
        return self.capsule

    def __dlpack_device__(self) -> tuple[int, int]:
        pointer = ctypes.pythonapi.PyCapsule_GetPointer
        pointer.restype, pointer.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
        device = (ctypes.c_int32 * 2).from_address(pointer(self.capsule, b"dltensor") + ctypes.sizeof(ctypes.c_void_p))
        return device[0], device[1]


def from_dlpack(ext_tensor, *, device=None, copy: bool | None = None) -> Tensor:
    """A tensor sharing the memory of any DLPack producer (NumPy, cupy, torch, ...) or capsule; with copy=True
    (or a device other than its own) a copy of it."""
    shared = _shared(ext_tensor)
    if device is not None:
        shared = shared.to(device)
    if copy and shared._storage.numpy_shared:
        shared = shared.clone().realize()  # (now: the producer may write its memory next)
    return shared


def _shared(ext) -> Tensor:
    if type(ext).__name__ == "PyCapsule":
        ext = _Capsule(ext)
    device_type, index = ext.__dlpack_device__() if hasattr(ext, "__dlpack_device__") else (CPU, 0)
    if device_type == CPU:
        from .creation import from_numpy
        return from_numpy(np.from_dlpack(ext))
    if device_type != CUDA:
        raise RuntimeError(f"lazygrad: unsupported DLPack device type {device_type}")
    from . import cuda
    from .device_buffer import DeviceBuffer
    array = cuda.cupy().from_dlpack(ext)
    item = array.dtype.itemsize
    strides = tuple(s // item for s in array.strides)
    span = 0 if array.size == 0 else 1 + sum((n - 1) * s for n, s in zip(array.shape, strides))
    flat = cuda.cupy().lib.stride_tricks.as_strided(array, (span,), (item,))
    device = f"cuda:{index}"
    buf = DeviceBuffer(from_numpy_dtype(array.dtype), span, device, array=flat)
    buf.pin()
    storage = Storage.from_buffer(buf, device)
    storage.numpy_shared = True
    return Tensor._make(storage, tuple(array.shape), strides, 0)
