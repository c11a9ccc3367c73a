"""torch's file format before 1.6 (`save(..., _use_new_zipfile_serialization=False)`), which `load` still reads.

A file is a run of pickles: a magic number, the protocol version, a dict describing the machine, the object
(each storage a persistent id `('storage', torch.FloatStorage, key, location, numel, None)`), and the sorted
list of storage keys; after them each storage in that order, as its element count (int64, little-endian) and
its raw bytes. The object names its storages before their bytes come, so loading makes each one empty and
fills it once its bytes are read: the tensors built on it see them, as views of a storage see its writes.
"""
from __future__ import annotations

import pickle
import struct
from typing import IO, Any

import numpy as np

from .autograd.grad_mode import no_grad

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001
_SYS_INFO = {"protocol_version": PROTOCOL_VERSION, "little_endian": True,
             "type_sizes": {"short": 2, "int": 4, "long": 4}}


def save(obj: object, f: IO[bytes], pickle_protocol: int) -> None:
    from .serialization import _host_bytes, _Pickler
    from .tensor import realize_storages
    for header in (MAGIC_NUMBER, PROTOCOL_VERSION, _SYS_INFO):
        pickle.dump(header, f, protocol=pickle_protocol)
    pickler = _Pickler(f, pickle_protocol, legacy=True)
    pickler.dump(obj)
    storages = sorted(pickler.storages.values(), key=lambda record: record[0])
    pickle.dump([key for key, _, _ in storages], f, protocol=pickle_protocol)
    realize_storages([st for _, st, _ in storages])
    for _, st, dtype in storages:
        data = _host_bytes(st)
        f.write(struct.pack("<q", len(data) // dtype.itemsize))
        f.write(data)


def _weights_only_refusal(error: Exception) -> pickle.UnpicklingError:
    return pickle.UnpicklingError(
        "Weights only load failed. lazygrad.load's `weights_only` argument defaults to True, as torch.load's does "
        "since PyTorch 2.6. Re-running `lazygrad.load` with `weights_only` set to `False` will likely succeed, but "
        "it can result in arbitrary code execution. Do it only if you got the file from a trusted source.\n"
        f"WeightsUnpickler error: {error}")


def load(f: IO[bytes], map_location, weights_only: bool, **pickle_load_args) -> Any:
    """What `save` above (or torch's legacy save) wrote to f, read from f's current position."""
    from .serialization import _cpu_storage, _Unpickler

    def unpickler():
        return _Unpickler(f, None, "", False, map_location, weights_only, **pickle_load_args)

    try:
        magic = unpickler().load()
    except pickle.UnpicklingError as error:  # (not a pickle at all)
        if weights_only and "Weights only load failed" not in str(error):
            raise _weights_only_refusal(error) from None
        raise
    if magic != MAGIC_NUMBER:
        raise RuntimeError("Invalid magic number; corrupt file?")
    version = unpickler().load()
    if version != PROTOCOL_VERSION:
        raise RuntimeError(f"Invalid protocol version: {version}")
    unpickler().load()  # (the saving machine's description: lazygrad reads little-endian files)
    reader = unpickler()
    result = reader.load()
    for key in unpickler().load():
        storage = reader.loaded[key]
        (count,) = struct.unpack("<q", f.read(8))
        dtype = storage.dtype
        values = np.frombuffer(f.read(count * dtype.itemsize), dtype=dtype.np.newbyteorder("<"), count=count)
        with no_grad():
            storage.copy_(_cpu_storage(values.astype(dtype.np), dtype))
    return result
