"""Memory from outside: tensors and storages that map a file (`from_file`, `Storage.from_file`) and storages
read from a bytes-like object in a given byte order (`Storage.from_buffer`).

A mapped file is NumPy memory (`np.memmap`) the storage shares, so every write goes to it at once, as writes
to `from_numpy` memory do: with shared=True the file itself (MAP_SHARED), with shared=False a private copy of
its pages (MAP_PRIVATE, the file is left alone)."""
from __future__ import annotations

import os
import sys

import numpy as np

from .buffer import Buffer
from .dtypes import DType, get_default_dtype, to_dtype
from .storage import Storage
from .tensor import Tensor, normalize_device

_BYTE_ORDERS = ("big", "little", "native")


def mapped(filename, shared: bool | None, count: int, dtype: DType) -> Tensor:
    """A 1-D tensor of `count` elements of dtype over the start of a file (created or grown to fit when
    shared, as torch's are)."""
    from .typed_storage import FILENAMES
    path = os.fspath(filename)
    nbytes = count * dtype.itemsize
    if shared:
        with open(path, "ab") as f:  # (appending: an existing file keeps its content)
            if f.tell() < nbytes:
                f.truncate(nbytes)
    elif not os.path.exists(path):
        raise RuntimeError(f"unable to open file <{path}> in read-only mode: No such file or directory (2)")
    elif os.path.getsize(path) < nbytes:
        raise RuntimeError(f"file <{path}> size <{os.path.getsize(path)}> is smaller than the required mapping "
                           f"size <{nbytes}>")
    if count == 0:
        array = np.empty(0, dtype.np)
    else:
        array = np.memmap(path, np.uint8, "r+" if shared else "c", shape=(nbytes,)).view(dtype.np)
    st = Storage.from_buffer(Buffer(dtype, count, array=array))
    if shared:
        FILENAMES[st] = path
    return Tensor._make(st, (count,), (1,), 0)


def from_file(filename: str, shared: bool | None = None, size: int = 0, *, dtype=None, layout=None, device=None,
              pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """A 1-D tensor of `size` elements whose memory maps the file: with shared=True writes go to the file
    (created or grown to fit), else they stay in the process."""
    from .creation import _finish
    t = mapped(filename, shared, size, to_dtype(dtype) if dtype is not None else get_default_dtype())
    if device is not None and normalize_device(device) != "cpu":
        t = t.to(device)
    return _finish(t, requires_grad)


def elements_of_buffer(buffer, byte_order: str | None, count: int, offset: int, dtype: DType) -> Tensor:
    """`count` elements of dtype (all that fit: -1) from `offset` bytes into a bytes-like object, stored in
    `byte_order` ('big', 'little' or 'native'), as a 1-D tensor in the machine's order."""
    if byte_order is None:
        raise RuntimeError("function missing required argument 'byte_order' (pos 2)")
    if byte_order not in _BYTE_ORDERS:
        raise ValueError(f"invalid byte_order '{byte_order}' (expected 'big', 'little', or 'native')")
    raw = np.frombuffer(buffer, np.uint8)
    n, size = raw.size, dtype.itemsize
    if offset < 0 or offset > n:  # (torch's message shows the two numbers the other way round)
        raise ValueError(f"offset must be non-negative and no greater than buffer length ({offset}) , but got {n}")
    if count < 0:
        if (n - offset) % size:
            raise ValueError(f"buffer size ({n}) must be a multiple of element size ({size})")
        count = (n - offset) // size
    elif offset + count * size > n:
        raise ValueError(f"buffer has only {n - offset} elements after offset {offset}, but specified a size of "
                         f"{count}")
    unit = size // 2 if dtype.is_complex else size  # (a complex number's parts are swapped one by one)
    data = raw[offset:offset + count * size].reshape(-1, unit)
    if byte_order != "native" and byte_order != sys.byteorder:
        data = data[:, ::-1]
    return Tensor._from_array(np.ascontiguousarray(data).reshape(-1).view(dtype.np), dtype)
