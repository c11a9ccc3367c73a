"""save and load, in torch's own file format, so checkpoints move between torch and lazygrad both ways.

A file is a zip archive (entries stored, not compressed): `archive/data.pkl` pickles the object, and
every storage it reaches is one raw little-endian entry `archive/data/<key>`, 64-byte aligned as torch
aligns them. In the pickle a tensor is `torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
requires_grad, hooks)` (a uint16/32/64 one, as torch writes it: `_rebuild_tensor_v3` over a storage of
bytes, with its dtype as the last argument) and a storage a persistent id `('storage',
torch.FloatStorage, key, location, numel)`: torch's names, written as names, so torch need not be
installed to write them, and mapped to lazygrad's own objects when read. Views of one storage are saved once and come back as views of one
storage.

A sparse COO tensor is `torch._utils._rebuild_sparse_tensor(layout, (indices, values, size, is_coalesced))`, a CSR
one the same with `(crow_indices, col_indices, values, size)`, a CSC one with `(ccol_indices, row_indices, values,
size)`.

Files in torch's pre-1.6 format (not a zip archive) are written and read by legacy_format.py.

`load` is `weights_only=True` by default, as in torch: it unpickles tensors, storages, dtypes, devices,
sizes and plain containers, and refuses any other class or function (a pickle can run code) but those
allowed through `add_safe_globals` (lazygrad/safe_globals.py).
"""
from __future__ import annotations

import codecs
import collections
import contextlib
import copy
import io
import os
import pickle
import struct
import weakref
import zipfile
from typing import IO, Any, Callable

import numpy as np

from . import dtypes, layouts
from .device import device as Device
from .dtypes import DType
from .safe_globals import (add_safe_globals, allowed, clear_safe_globals, get_safe_globals,  # noqa: F401
                           get_unsafe_globals_in_checkpoint, safe_globals)
from .tensor import Size, Tensor, normalize_device, realize_storages
from .typed_storage import TypedStorage, UntypedStorage

ALIGNMENT = 64  # bytes: where each storage's data starts in the file, so it can be mapped into memory
_ARCHIVE = "archive"
_STORAGE_NAMES = {f"{dtypes.TORCH_NAMES[d.name]}Storage": d for d in dtypes.ALL_DTYPES}


class _Global:
    """A name in torch's namespace, written into the pickle as a GLOBAL opcode. It is only ever
    written, never called; it is callable because pickle's reduce tuples must start with a callable."""

    __slots__ = ("module", "name")
    _made: dict[tuple[str, str], _Global] = {}

    def __new__(cls, module: str, name: str) -> _Global:
        key = (module, name)
        if key not in cls._made:  # one object a name, so the pickle memo writes each name once
            made = cls._made[key] = object.__new__(cls)
            made.module, made.name = module, name
        return cls._made[key]

    def __call__(self, *args):
        raise TypeError(f"{self.module}.{self.name} is a name to write into a file, not a function")


_REBUILD_TENSOR = _Global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_TENSOR_V3 = _Global("torch._utils", "_rebuild_tensor_v3")  # (torch's record of uint16/32/64 tensors)
_REBUILD_PARAMETER = _Global("torch._utils", "_rebuild_parameter")
_REBUILD_PARAMETER_WITH_STATE = _Global("torch._utils", "_rebuild_parameter_with_state")
_REBUILD_FROM_TYPE = _Global("torch._tensor", "_rebuild_from_type_v2")  # (a tensor with attributes set on it)
_REBUILD_SPARSE = _Global("torch._utils", "_rebuild_sparse_tensor")
_UNTYPED_STORAGE = _Global("torch.storage", "UntypedStorage")


def _storage_type(dtype: DType) -> _Global:
    return _Global("torch", f"{dtypes.TORCH_NAMES[dtype.name]}Storage")


# ---- save --------------------------------------------------------------------------------------------


class _Pickler(pickle._Pickler):
    """The pure-Python pickler, which lets torch's names be written without importing torch."""

    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, file, protocol: int, legacy: bool = False):
        super().__init__(file, protocol)
        self.storages: dict[int, tuple[str, Any, DType]] = {}  # id(Storage) -> (key, Storage, dtype saved)
        self.legacy = legacy  # the pre-1.6 format: persistent ids end with a storage view's record (None)

    def persistent_id(self, obj):
        if isinstance(obj, TypedStorage):
            st = obj._untyped._storage
            dtype, kind = st.dtype, _storage_type(st.dtype)
        elif isinstance(obj, UntypedStorage):
            st, dtype, kind = obj._storage, dtypes.uint8, _UNTYPED_STORAGE
        else:
            return None
        key, _, first = self.storages.setdefault(id(st), (str(len(self.storages)), st, dtype))
        if first is not dtype:
            raise RuntimeError("Cannot save multiple tensors or storages that view the same data as different types")
        return ("storage", kind, key, st.device, st.numel * st.dtype.itemsize // dtype.itemsize) + (None,) * self.legacy

    def reducer_override(self, obj):
        from .nn.parameter import Parameter
        if isinstance(obj, Parameter) and obj.__dict__:  # (the attributes set on it, in torch's record)
            return _REBUILD_PARAMETER_WITH_STATE, (obj.detach(), obj.requires_grad, collections.OrderedDict(),
                                                   dict(obj.__dict__))
        if isinstance(obj, Parameter):
            return _REBUILD_PARAMETER, (obj.detach(), obj.requires_grad, collections.OrderedDict())
        if type(obj) is Tensor and obj.__dict__ and obj.layout is layouts.strided:
            rebuild, args = self._dense(obj)
            return _REBUILD_FROM_TYPE, (rebuild, _Global("torch", "Tensor"), args, dict(obj.__dict__))
        if isinstance(obj, Tensor) and obj.is_sparse:
            return _REBUILD_SPARSE, (obj.layout, (obj._indices(), obj._values(), Size(obj._shape),
                                                  obj.is_coalesced()))
        if isinstance(obj, Tensor) and obj.is_sparse_csr:
            return _REBUILD_SPARSE, (obj.layout, (obj.crow_indices(), obj.col_indices(), obj.values(),
                                                  Size(obj._shape)))
        if isinstance(obj, Tensor) and obj.layout is layouts.sparse_csc:
            return _REBUILD_SPARSE, (obj.layout, (obj.ccol_indices(), obj.row_indices(), obj.values(),
                                                  Size(obj._shape)))
        if type(obj) is layouts.layout:
            return _Global("torch.serialization", "_get_layout"), (f"torch.{obj._name}",)
        if isinstance(obj, Tensor):
            return self._dense(obj)
        if isinstance(obj, Size):
            return _Global("torch", "Size"), (tuple(obj),)
        if isinstance(obj, Device):
            return _Global("torch", "device"), (str(obj),)
        return NotImplemented

    @staticmethod
    def _dense(obj: Tensor) -> tuple:
        """torch's record of a dense tensor's data."""
        if obj.dtype in dtypes.LIMITED_UNSIGNED:  # bytes, and the dtype beside them
            return _REBUILD_TENSOR_V3, (UntypedStorage._of(obj._storage), obj._offset, Size(obj._shape),
                                        tuple(obj._strides), obj.requires_grad, collections.OrderedDict(), obj.dtype)
        storage = TypedStorage._of(UntypedStorage._of(obj._storage))
        return _REBUILD_TENSOR, (storage, obj._offset, Size(obj._shape), tuple(obj._strides),
                                 obj.requires_grad, collections.OrderedDict())

    def _write_global(self, g: _Global, obj) -> None:
        self.write(pickle.GLOBAL + f"{g.module}\n{g.name}\n".encode())
        self.memoize(obj)

    dispatch[_Global] = lambda self, g: self._write_global(g, g)
    dispatch[DType] = lambda self, d: self._write_global(_Global("torch", d.name), d)


def _host_bytes(st) -> bytes:
    """A storage's elements as little-endian bytes."""
    return st.buffer.host().astype(st.dtype.np.newbyteorder("<"), copy=False).tobytes()


def _write_aligned(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    """A stored entry whose data starts on an ALIGNMENT boundary (padding in an extra field, as torch does)."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    info.file_size = len(data)
    zip64_extra = 20 if len(data) * 1.05 > zipfile.ZIP64_LIMIT else 0  # zipfile's rule and record size
    header = 30 + len(name.encode()) + 4 + zip64_extra  # local header, name, our extra field's own header
    pad = -(zf.fp.tell() + header) % ALIGNMENT
    info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
    zf.writestr(info, data)


def save(obj: object, f: str | os.PathLike | IO[bytes], pickle_module: Any = pickle, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True, _disable_byteorder_record: bool = False) -> None:
    """Write obj (tensors, storages and containers of them) to a path or binary file, as torch.save does
    (in torch's pre-1.6 format with _use_new_zipfile_serialization=False). pickle_module is accepted for
    torch's signature: the file is always written by lazygrad's pickler."""
    if not _use_new_zipfile_serialization:
        from . import legacy_format
        with _opened(f, "wb") as target:
            legacy_format.save(obj, target, pickle_protocol)
        return
    data = io.BytesIO()
    pickler = _Pickler(data, pickle_protocol)
    pickler.dump(obj)
    storages = list(pickler.storages.values())
    realize_storages([st for _, st, _ in storages])
    records = [("data.pkl", data.getvalue()), (".format_version", b"1"),
               (".storage_alignment", str(ALIGNMENT).encode())]
    if not _disable_byteorder_record:
        records.append(("byteorder", b"little"))
    with _opened(f, "wb") as target, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zf:
        for name, payload in records:
            _write_aligned(zf, f"{_ARCHIVE}/{name}", payload)
        for key, st, _ in storages:  # one storage's bytes in memory at a time
            _write_aligned(zf, f"{_ARCHIVE}/data/{key}", _host_bytes(st))
        _write_aligned(zf, f"{_ARCHIVE}/version", b"3")


@contextlib.contextmanager
def _opened(f, mode: str):
    """f itself when it is a file object, else the file at path f, opened in mode and closed after."""
    if not isinstance(f, (str, os.PathLike)):
        yield f
        return
    with open(os.fspath(f), mode) as opened:
        yield opened


# ---- load --------------------------------------------------------------------------------------------


def _rebuild_tensor(storage: TypedStorage, storage_offset: int, size, stride, requires_grad: bool,
                    backward_hooks=None, metadata=None) -> Tensor:
    t = Tensor._make(storage._untyped._storage, tuple(size), tuple(stride), storage_offset)
    if requires_grad:
        t.requires_grad_(True)
    return t


# the storage of each dtype made from a loaded storage of bytes, so views of one storage stay views of one storage
_RETYPED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _rebuild_tensor_v3(storage: TypedStorage, storage_offset: int, size, stride, requires_grad: bool,
                       backward_hooks=None, dtype: DType = dtypes.uint8, metadata=None) -> Tensor:
    """A tensor over a storage saved as bytes, its element type given beside it."""
    raw = storage._untyped._storage
    by_dtype = _RETYPED.setdefault(raw, {})
    if dtype not in by_dtype:
        values = storage._untyped._bytes().copy().view(dtype.np)
        by_dtype[dtype] = TypedStorage._of(UntypedStorage._of(Tensor._from_array(values, dtype, raw.device)._storage))
    return _rebuild_tensor(by_dtype[dtype], storage_offset, size, stride, requires_grad)


def _layout(name: str):
    """torch.serialization._get_layout: a layout by its printed name."""
    found = layouts.named(name.removeprefix("torch."))
    if found is None:
        raise pickle.UnpicklingError(f"lazygrad.load: the file holds a tensor of layout {name}, which lazygrad "
                                     "does not have")
    return found


def _rebuild_sparse(layout, data: tuple) -> Tensor:
    """A sparse COO tensor from its saved (indices, values, size, is_coalesced), a CSR (CSC) one from its
    (crow_indices, col_indices, values, size) ((ccol_indices, row_indices, values, size))."""
    from .sparse.coo_tensor import SparseTensor
    from .sparse.csc_tensor import SparseCSCTensor
    from .sparse.csr_tensor import SparseCSRTensor
    if layout in (layouts.sparse_csr, layouts.sparse_csc):
        compressed, plain, values, size = data
        kind = SparseCSRTensor if layout is layouts.sparse_csr else SparseCSCTensor
        return kind._of(compressed, plain, values, tuple(size))
    indices, values, size, coalesced = data
    return SparseTensor._of(indices, values, tuple(size), coalesced)


def _rebuild_parameter(data: Tensor, requires_grad: bool, backward_hooks=None, state=None) -> Tensor:
    from .nn.parameter import Parameter
    return _with_state(Parameter(data, requires_grad), state)


def _rebuild_from_type(rebuild, new_type, args: tuple, state) -> Tensor:
    """torch's record of a tensor with attributes set on it: the tensor, then its attributes."""
    return _with_state(rebuild(*args), state)


def _with_state(t: Tensor, state) -> Tensor:
    """The attributes torch records beside a tensor ({name: value}, or that and a dict of slots) set on it."""
    for part in state if isinstance(state, tuple) else (state,):
        for name, value in (part or {}).items():
            setattr(t, name, value)
    return t


_LOADABLE: dict[tuple[str, str], Any] = {
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch._utils", "_rebuild_tensor_v3"): _rebuild_tensor_v3,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
    ("torch._utils", "_rebuild_sparse_tensor"): _rebuild_sparse,
    ("torch._tensor", "_rebuild_from_type_v2"): _rebuild_from_type,
    ("torch", "Tensor"): Tensor,
    ("torch.serialization", "_get_layout"): _layout,
    ("torch", "Size"): Size,
    ("torch", "device"): Device,
    ("torch", "UntypedStorage"): dtypes.uint8,  # loaded as torch loads it: a TypedStorage of bytes
    ("torch.storage", "UntypedStorage"): dtypes.uint8,
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("collections", "Counter"): collections.Counter,
    ("_codecs", "encode"): codecs.encode,  # (protocol 2 pickles bytes as an encoded str)
    # protocol 2 names the builtins module as Python 2 did
    **{(module, f.__name__): f for f in (set, complex, bytearray) for module in ("builtins", "__builtin__")},
    **{("torch", name): dtype for name, dtype in {**dtypes.ALIASES, **_STORAGE_NAMES}.items()},
}


LOADABLE_NAMES = frozenset(f"{module}.{name}" for module, name in _LOADABLE)


def _weights_only_error(full_name: str) -> pickle.UnpicklingError:
    """torch's message for a global a weights_only load refuses, with its two ways out."""
    return pickle.UnpicklingError(
        "Weights only load failed. This file can still be loaded, to do so you have two options, do those steps "
        "only if you trust the source of the checkpoint. \n\t(1) lazygrad.load's `weights_only` argument defaults "
        "to True, as torch.load's does since PyTorch 2.6. Re-running `lazygrad.load` with `weights_only` set to "
        "`False` will likely succeed, but it can result in arbitrary code execution. Do it only if you got the file "
        "from a trusted source.\n\t(2) Alternatively, to load with `weights_only=True` please check the recommended "
        f"steps in the following error message.\n\tWeightsUnpickler error: Unsupported global: GLOBAL {full_name} "
        "was not an allowed global by default. Please use `lazygrad.serialization.add_safe_globals([" + full_name
        + "])` or the `lazygrad.serialization.safe_globals([" + full_name + "])` context manager to allowlist this "
        "global if you trust this class/function.")


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, zf: zipfile.ZipFile, prefix: str, big_endian: bool, map_location,
                 weights_only: bool, **kwargs):
        super().__init__(file, **kwargs)
        self.zf, self.prefix, self.big_endian = zf, prefix, big_endian
        self.map_location, self.weights_only = map_location, weights_only
        self.loaded: dict[str, TypedStorage] = {}

    def find_class(self, module: str, name: str):
        hit = _LOADABLE.get((module, name))
        if hit is not None:
            return hit
        if module == "torch" and name.endswith("Storage"):
            raise pickle.UnpicklingError(f"lazygrad.load: the file holds a torch.{name}, whose element type "
                                         "lazygrad does not have")
        if self.weights_only:
            listed = allowed(f"{module}.{name}")
            if listed is None:
                raise _weights_only_error(f"{module}.{name}")
            return listed
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if pid[0] == "module":  # (the legacy format's record of an nn.Module class saved with its source)
            return pid[1]
        kind, dtype, key, location, numel, *view = pid
        if kind != "storage" or not isinstance(dtype, DType):
            raise pickle.UnpicklingError(f"lazygrad.load: unknown persistent id {pid!r}")
        if view and view[0] is not None:
            raise pickle.UnpicklingError("lazygrad.load: the file holds a view of a storage (torch before 0.4 "
                                         "wrote them), which lazygrad does not read")
        if key not in self.loaded:
            if self.zf is None:  # the legacy format: the bytes come after the object (legacy_format fills it)
                values = np.zeros(numel, dtype.np)
            else:
                raw = self.zf.read(f"{self.prefix}data/{key}")
                values = np.frombuffer(raw, dtype=dtype.np.newbyteorder(">" if self.big_endian else "<"),
                                       count=numel).astype(dtype.np)
            self.loaded[key] = _restore(values, dtype, str(location), self.map_location)
        return self.loaded[key]


def _cpu_storage(values: np.ndarray, dtype: DType) -> TypedStorage:
    return TypedStorage._of(UntypedStorage._of(Tensor._from_array(values, dtype)._storage))


def _restore(values: np.ndarray, dtype: DType, location: str, map_location) -> TypedStorage:
    """The storage of a record saved at `location`, placed where map_location says (torch's rules)."""
    if callable(map_location):
        placed = map_location(_cpu_storage(values, dtype), location)
        if isinstance(placed, UntypedStorage):
            placed = TypedStorage._of(placed)
        if placed is not None:
            return placed
        target = location
    elif isinstance(map_location, dict):
        target = map_location.get(location, location)
    elif map_location is not None:
        target = str(map_location)
    else:
        target = location
    if Device(target).type == "cuda":
        from . import cuda
        if not cuda.is_available():
            raise RuntimeError("Attempting to deserialize object on a CUDA device but lazygrad.cuda.is_available() "
                               "is False. If you are running on a CPU-only machine, please use lazygrad.load with "
                               "map_location=lazygrad.device('cpu') to map your storages to the CPU.")
    device = normalize_device(target)
    return TypedStorage._of(UntypedStorage._of(Tensor._from_array(values, dtype, device)._storage))


def load(f: str | os.PathLike | IO[bytes],
         map_location: str | Device | dict[str, str] | Callable[[TypedStorage, str], Any] | None = None,
         pickle_module: Any = None, *, weights_only: bool | None = None, mmap: bool | None = None,
         **pickle_load_args) -> Any:
    """Read what save (or torch.save) wrote; map_location moves storages as in torch (a device, a
    {saved: wanted} dict, or a function of (storage, location)). The data is read into memory
    (mmap is accepted and has no effect). Files in torch's pre-1.6 format are read too."""
    if weights_only is None:
        weights_only = pickle_module is None
    with _opened(f, "rb") as source:
        start = source.tell()
        try:
            zf = zipfile.ZipFile(source)
        except zipfile.BadZipFile:
            from . import legacy_format
            source.seek(start)
            return legacy_format.load(source, map_location, weights_only, **pickle_load_args)
        with zf:
            pkl = next((n for n in zf.namelist() if n.endswith("data.pkl")), None)
            if pkl is None:
                raise RuntimeError(f"lazygrad.load: {f!r} is a zip archive without data.pkl: not a torch.save file")
            prefix = pkl[:-len("data.pkl")]
            big_endian = f"{prefix}byteorder" in zf.namelist() and zf.read(f"{prefix}byteorder") == b"big"
            with zf.open(pkl) as data:
                return _Unpickler(data, zf, prefix, big_endian, map_location, weights_only,
                                  **pickle_load_args).load()


# ---- the pickle and copy protocols ---------------------------------------------------------------------
# A tensor pickles as its storage's bytes (one copy per storage in a pickle: the pickle memo keeps
# views of one storage sharing it) and its view; deepcopy clones each storage once per memo, so
# copied views still share, as in torch.


def _storage_from_bytes(data: bytes, dtype: DType, device: str) -> UntypedStorage:
    values = np.frombuffer(data, dtype=dtype.np.newbyteorder("<"))
    return UntypedStorage._of(Tensor._from_array(values.astype(dtype.np), dtype, _loadable(device))._storage)


def _loadable(device: str) -> str:
    """Where an unpickled storage goes: its device when that exists here, else the CPU (a pickle
    cannot be given a map_location)."""
    if device != "cpu":
        from . import cuda
        if not cuda.is_available():
            return "cpu"
    return device


def reduce_untyped_storage(storage: UntypedStorage):
    st = storage._storage
    if storage._whole():
        realize_storages([st])
        return _storage_from_bytes, (_host_bytes(st), st.dtype, st.device)
    return _storage_from_bytes, (storage._bytes().tobytes(), dtypes.uint8, st.device)


def _tensor_from_storage(storage: UntypedStorage, offset: int, size, stride, requires_grad: bool) -> Tensor:
    t = Tensor._make(storage._storage, tuple(size), tuple(stride), offset)
    return t.requires_grad_(True) if requires_grad else t


def reduce_tensor(t: Tensor, protocol: int):
    """Tensor.__reduce_ex__: a leaf or not, it comes back as data (requires_grad kept) with the attributes set on
    it, as in torch."""
    args = (UntypedStorage._of(t._storage), t._offset, tuple(t._shape), tuple(t._strides), t.requires_grad)
    return (_tensor_from_storage, args, dict(t.__dict__)) if t.__dict__ else (_tensor_from_storage, args)


NON_LEAF_DEEPCOPY = ("Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the "
                     "moment.  If you were attempting to deepcopy a module, this may be because of a "
                     "torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001")


def deepcopy_tensor(t: Tensor, memo: dict) -> Tensor:
    """Tensor.__deepcopy__: a leaf's data cloned (a storage once per memo, so views keep sharing), its
    requires_grad, .grad and attributes copied; a non-leaf is refused, as torch refuses it."""
    from .runtime import copy_buffer
    from .storage import Storage
    if t.grad_fn is not None:
        raise RuntimeError(NON_LEAF_DEEPCOPY)
    st = t._storage  # (alive while the copy runs: deepcopy keeps t alive, so its id keys the memo safely)
    clone = memo.get(id(st))
    if clone is None:
        realize_storages([st])
        clone = memo[id(st)] = Storage.from_buffer(copy_buffer(st.buffer), st.device)
    out = Tensor._make(clone, t._shape, t._strides, t._offset)
    if t.requires_grad:
        out.requires_grad_(True)
    if t._grad is not None:
        out._grad = copy.deepcopy(t._grad, memo)
    if t.__dict__:
        out.__dict__.update(copy.deepcopy(t.__dict__, memo))
    return out
