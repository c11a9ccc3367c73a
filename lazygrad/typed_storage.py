"""torch's storage objects: TypedStorage (elements) and UntypedStorage (bytes) of a tensor's memory.

Both are handles on the internal Storage that tensors view (lazygrad/storage.py), never copies:
reading one realizes the storage and sees every write made through any tensor, and writing one is
seen by every tensor viewing it. Element writes are lazy in-place assignments through a view; byte
writes go into the realized buffer at once. As in torch, writes through a storage object do not
bump autograd's version counter, and a storage's UntypedStorage is one object however it is reached.
Names print as torch prints them, with `torch.` replaced by `lazygrad.`.
"""
from __future__ import annotations

import math
import operator
import warnings
import weakref
from collections.abc import Sequence

import numpy as np

from . import creation, dtypes, movement
from .autograd.function import Context, node_class
from .autograd.grad_mode import is_grad_enabled
from .int_parameters import spread_or_named
from .buffer import Buffer
from .device import device as Device
from .dtypes import C_NAMES, DType, get_default_dtype, qualified_name, to_dtype, torch_name, uint8
from .indexing import getitem
from .inplace import assign, mutable_buffer
from .storage import Storage
from .tensor import Tensor, normalize_device, realize_storages
from .view import torch_contiguous_strides

_ARGS_ERROR = ("TypedStorage.__init__ received an invalid combination of arguments. Expected one of:\n"
               " * (*, lazygrad.device device, lazygrad.dtype dtype)\n"
               " * (int size, *, lazygrad.device device, lazygrad.dtype dtype)\n"
               " * (Sequence data, *, lazygrad.device device, lazygrad.dtype dtype)\n"
               " * (*, UntypedStorage wrap_storage, lazygrad.dtype dtype)")
_SET_ERROR = ("set_() received an invalid combination of arguments - got ({}), but expected one of:\n"
              " * ()\n"
              " * (lazygrad.Storage source)\n"
              " * (lazygrad.Storage source, int storage_offset, tuple of ints size, tuple of ints stride = None)\n"
              " * (Tensor source)\n"
              " * (Tensor source, int storage_offset, tuple of ints size, tuple of ints stride = None)\n")

# the whole-storage UntypedStorage of each Storage, while someone holds it (it holds the Storage, so
# an id here always names a live Storage)
_UNTYPED: weakref.WeakValueDictionary[int, UntypedStorage] = weakref.WeakValueDictionary()


def _class(cls: type) -> str:
    """How torch's messages show a storage class: <class 'torch.storage.TypedStorage'>."""
    return f"<class 'lazygrad.storage.{cls.__name__}'>"


def _listing(values: list, info: str) -> str:
    """torch's storage printout: one element a line, then the bracketed summary."""
    return " " + "\n ".join(str(v) for v in values) + f"\n[{info}]"


_SHARED: weakref.WeakSet[Storage] = weakref.WeakSet()  # the storages share_memory_ was called on
FILENAMES: weakref.WeakKeyDictionary[Storage, str] = weakref.WeakKeyDictionary()  # from_file(shared=True) maps
_CASTS = {"double": dtypes.float64, "float": dtypes.float32, "half": dtypes.float16, "bfloat16": dtypes.bfloat16,
          "long": dtypes.int64, "int": dtypes.int32, "short": dtypes.int16, "char": dtypes.int8,
          "byte": dtypes.uint8, "bool": dtypes.bool_, "complex_double": dtypes.complex128,
          "complex_float": dtypes.complex64}


class _StorageMethods:
    """What both storage classes answer alike: where the memory is and how it is held, moves between
    devices, and casts (`x.double()`: a TypedStorage of the elements, an UntypedStorage's being its bytes)."""

    __slots__ = ()
    is_sparse = False
    is_sparse_csr = False

    @property
    def _internal(self) -> Storage:
        raise NotImplementedError

    def _tensor(self) -> Tensor:
        """The elements (the bytes, of an UntypedStorage) as a 1-D tensor."""
        raise NotImplementedError

    def _wrapping(self, t: Tensor):
        """A storage object of this class over a 1-D tensor's memory."""
        raise NotImplementedError

    def is_shared(self) -> bool:
        return self._internal in _SHARED

    def share_memory_(self):
        """Marks the memory shared, as torch reports it (lazygrad shares no memory between processes)."""
        _SHARED.add(self._internal)
        return self

    def is_pinned(self, device: str = "cuda") -> bool:
        return False

    def pin_memory(self, device: str = "cuda"):
        from .accelerator import require
        require()
        return self._wrapping(movement.clone(self._tensor()))

    def resizable(self) -> bool:
        """False for memory NumPy or a mapped file holds."""
        return not self._internal.numpy_shared

    @property
    def filename(self) -> str | None:
        """The file a from_file(shared=True) storage maps, else None."""
        return FILENAMES.get(self._internal)

    def get_device(self) -> int | None:
        return self.device.index

    def to(self, *, device, non_blocking: bool = False):
        target = Device(normalize_device(device))
        if target == self.device:
            return self
        return self._wrapping(self._tensor().to(target))

    def cpu(self):
        return self.to(device="cpu")

    def cuda(self, device=None, non_blocking: bool = False):
        return self.to(device=device if device is not None else "cuda")


def _cast(dtype: DType):
    def cast(self) -> TypedStorage:
        return TypedStorage._of(UntypedStorage._of(self._tensor().to(dtype)._storage))
    cast.__doc__ = f"A TypedStorage of {dtype!r} with the elements converted."
    return cast


for _name, _dtype in _CASTS.items():
    setattr(_StorageMethods, _name, _cast(_dtype))


class UntypedStorage(_StorageMethods):
    """Bytes [start, start + nbytes) of a storage, as ints 0..255; slicing gives a view of the same memory.
    A whole storage's bytes (`_span` None) follow the storage when set_ grows it."""

    __slots__ = ("_storage", "_start", "_span", "__weakref__")

    def __init__(self, *args, device=None):
        """UntypedStorage(), UntypedStorage(nbytes) (zero-filled), UntypedStorage(byte values)."""
        if len(args) > 1:
            raise TypeError(f"UntypedStorage() takes at most 1 positional argument ({len(args)} given)")
        data = args[0] if args else 0
        values = np.zeros(data, np.uint8) if isinstance(data, int) else np.asarray(data, np.int64).astype(np.uint8)
        st = Tensor._from_array(values.reshape(-1), uint8, normalize_device(device))._storage
        self._storage, self._start, self._span = st, 0, None
        _UNTYPED[id(st)] = self

    @classmethod
    def _of(cls, st: Storage) -> UntypedStorage:
        """The whole storage's bytes, the same object every time (torch's identity)."""
        out = _UNTYPED.get(id(st))
        if out is None:
            out = cls._view(st, 0, None)
            _UNTYPED[id(st)] = out
        return out

    @classmethod
    def _view(cls, st: Storage, start: int, span: int | None) -> UntypedStorage:
        out = object.__new__(cls)
        out._storage, out._start, out._span = st, start, span
        return out

    # ---- metadata -----------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self.nbytes()

    def size(self) -> int:
        return self.nbytes()

    def nbytes(self) -> int:
        st = self._storage
        return st.numel * st.dtype.itemsize if self._span is None else self._span

    def element_size(self) -> int:
        return 1

    @property
    def device(self) -> Device:
        return Device(self._storage.device)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    def data_ptr(self) -> int:
        """(The memory may be written unseen from now on: as Tensor.data_ptr.)"""
        realize_storages([self._storage])
        self._storage.buffer.unproduced()
        return self._storage.buffer.address + self._start

    def _whole(self) -> bool:
        st = self._storage
        return self._start == 0 and self.nbytes() == st.numel * st.dtype.itemsize

    @property
    def _internal(self) -> Storage:
        return self._storage

    def _tensor(self) -> Tensor:
        return Tensor._from_array(self._bytes().copy(), uint8, self._storage.device)

    def _wrapping(self, t: Tensor) -> UntypedStorage:
        return UntypedStorage._of(t._storage)

    def untyped(self) -> UntypedStorage:
        return self

    def new(self) -> UntypedStorage:
        """An empty storage on the same device."""
        return UntypedStorage(device=self._storage.device)

    def type(self, dtype=None, non_blocking: bool = False):
        """'torch.storage.UntypedStorage' (torch's name), or the bytes cast to a dtype as a TypedStorage."""
        if dtype is None:
            return "torch.storage.UntypedStorage"
        return _cast(storage_dtype(dtype))(self)

    def resize_(self, nbytes: int) -> UntypedStorage:
        """Grow the storage to nbytes (the new bytes are zeros; torch leaves them uninitialized). Shrinking is
        refused: a tensor viewing the storage would read past its end."""
        st = self._storage
        if not self.resizable():
            raise RuntimeError("Trying to resize storage that is not resizable")
        if self._span is not None:
            raise RuntimeError("lazygrad: resize_ of a slice of a storage is not supported")
        if nbytes % st.dtype.itemsize:
            raise RuntimeError(f"lazygrad: a storage of {st.dtype!r} elements holds a multiple of "
                               f"{st.dtype.itemsize} bytes, not {nbytes}")
        if nbytes < self.nbytes():
            raise RuntimeError(f"lazygrad: resize_ shrinking a storage ({self.nbytes()} to {nbytes} bytes) is not "
                               "supported: tensors viewing it would read past its end")
        _fit(st, 0, (nbytes // st.dtype.itemsize,), (1,))
        return self

    def byteswap(self, dtype) -> None:
        """Reverse the byte order of each element of dtype, in place."""
        size = to_dtype(dtype).itemsize
        if self.nbytes() % size:
            raise RuntimeError(f"Expected the storage's size {self.nbytes()} to be a multiple of the element "
                               f"size {size}")
        self._write(0, self.nbytes(), self._bytes().reshape(-1, size)[:, ::-1].reshape(-1).copy())

    @classmethod
    def from_buffer(cls, buffer, byte_order: str | None = None, count: int = -1, offset: int = 0, *,
                    dtype=None) -> UntypedStorage:
        from .mapped_files import elements_of_buffer
        if dtype is None:
            raise RuntimeError("argument 'dtype' cannot be None")
        return cls._of(elements_of_buffer(buffer, byte_order, count, offset, to_dtype(dtype))._storage)

    @classmethod
    def from_file(cls, filename: str, shared: bool = False, nbytes: int = 0) -> UntypedStorage:
        from .mapped_files import mapped
        return cls._of(mapped(filename, shared, nbytes, uint8)._storage)

    def _elements(self) -> Tensor | None:
        """The bytes as a 1-D tensor of the storage's elements (writes to it leave versions alone),
        or None when they do not cover whole elements."""
        item, n = self._storage.dtype.itemsize, self.nbytes()
        if self._start % item or n % item:
            return None
        t = Tensor._make(self._storage, (n // item,), (1,), self._start // item)
        t._untracked = True
        return t

    # ---- reading --------------------------------------------------------------------------------------

    def _bytes(self) -> np.ndarray:
        """The current bytes (a view of the realized buffer: read it, never write it)."""
        realize_storages([self._storage])
        return self._storage.buffer.array.view(np.uint8)[self._start:self._start + self.nbytes()]

    def tolist(self) -> list[int]:
        return self._bytes().tolist()

    def __iter__(self):
        return iter(self.tolist())

    def _index(self, idx, error: type[Exception]) -> int:
        """An int index: anything with __index__ but a bool."""
        if isinstance(idx, bool) or not hasattr(type(idx), "__index__"):
            raise error(f"can't index a lazygrad.UntypedStorage with {type(idx).__name__}")
        return operator.index(idx)

    def _range(self, idx: slice) -> tuple[int, int]:
        start, stop, step = idx.indices(self.nbytes())
        if step != 1:
            raise RuntimeError(f"Trying to slice with a step of {step}, but only a step of 1 is supported")
        return start, max(stop - start, 0)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            start, nbytes = self._range(idx)
            return UntypedStorage._view(self._storage, self._start + start, nbytes)
        n = self.nbytes()
        i = self._index(idx, TypeError)
        i += n if i < 0 else 0  # wrapped once (torch reports the wrapped index), unlike assignment
        if not 0 <= i < n:
            raise IndexError(f"index {i} out of range for storage of size {n}")
        return int(self._bytes()[i])

    # ---- writing ------------------------------------------------------------------------------------

    def _write(self, start: int, nbytes: int, values) -> None:
        """Store bytes into [start, start + nbytes) of this view now; every tensor viewing it sees them."""
        begin = self._start + start
        mutable_buffer(self._storage).array.view(np.uint8)[begin:begin + nbytes] = values

    def __setitem__(self, idx, value) -> None:
        if isinstance(idx, slice):
            start, nbytes = self._range(idx)
        else:
            start, nbytes = self._index(idx, RuntimeError), 1
            if not 0 <= start < self.nbytes():
                raise RuntimeError("out of bounds")
        if not isinstance(value, int):
            raise RuntimeError(f"can only set storage content with a int types, but got {type(value).__name__} "
                               "instead")
        self._write(start, nbytes, value & 0xFF)

    def fill_(self, value: int) -> UntypedStorage:
        if not isinstance(value, int):
            raise RuntimeError(f"fill_ expects int, but got {type(value).__name__}")
        self._write(0, self.nbytes(), value & 0xFF)
        return self

    def copy_(self, source: TypedStorage | UntypedStorage, non_blocking: bool | None = None) -> UntypedStorage:
        """Copy source's bytes in (lazily when both hold whole elements of one dtype)."""
        if isinstance(source, TypedStorage):
            source = source.untyped()
        if not isinstance(source, UntypedStorage):
            raise TypeError(f"copy_(): argument 'src' (position 1) must be lazygrad.Storage, not "
                            f"{type(source).__name__}")
        if source.nbytes() != self.nbytes():
            raise RuntimeError(f"size does not match, self was {self.nbytes()} bytes but src was {source.nbytes()} "
                               "bytes")
        dst, src = self._elements(), source._elements()
        if dst is not None and src is not None and dst.dtype is src.dtype:
            assign(dst, src)
        else:
            self._write(0, self.nbytes(), source._bytes().copy())
        return self

    def clone(self) -> UntypedStorage:
        """A copy in new memory (lazy when the bytes are whole elements)."""
        elements = self._elements()
        if elements is not None:
            return UntypedStorage._of(movement.clone(elements)._storage)
        return UntypedStorage(self._bytes().copy(), device=self._storage.device)

    def __copy__(self) -> UntypedStorage:
        return self.clone()

    def __deepcopy__(self, memo) -> UntypedStorage:
        return self.clone()

    def __reduce__(self):
        from .serialization import reduce_untyped_storage
        return reduce_untyped_storage(self)

    def __repr__(self) -> str:
        return _listing(self.tolist(), f"lazygrad.storage.UntypedStorage(device={self.device}) of size {len(self)}")

    __str__ = __repr__


_REMOVAL_WARNED = False


def _warn_typed_storage_removal() -> None:
    """torch's deprecation notice, once a process, where a user first makes a TypedStorage."""
    global _REMOVAL_WARNED
    if not _REMOVAL_WARNED:
        _REMOVAL_WARNED = True
        warnings.warn("TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be the "
                      "only storage class. This should only matter to you if you are using storages directly.  To "
                      "access UntypedStorage directly, use tensor.untyped_storage() instead of tensor.storage()",
                      UserWarning, stacklevel=3)


class TypedStorage(_StorageMethods):
    """A whole storage's elements, of its dtype (torch's `tensor.storage()`)."""

    __slots__ = ("_untyped", "dtype")

    def __init__(self, *args, dtype=None, device=None, wrap_storage: UntypedStorage | None = None):
        """TypedStorage(), TypedStorage(size), TypedStorage(data), each with dtype= and device=, or
        TypedStorage(wrap_storage=untyped, dtype=dtype) viewing existing memory."""
        _warn_typed_storage_removal()
        if wrap_storage is not None:
            if args:
                raise RuntimeError(_ARGS_ERROR + "\nNo positional arguments should be given when using "
                                   "'wrap_storage'")
            if dtype is None:
                raise RuntimeError(_ARGS_ERROR + "\nArgument 'dtype' must be specified")
            if not isinstance(wrap_storage, UntypedStorage):
                raise TypeError(_ARGS_ERROR + f"\nArgument 'wrap_storage' must be UntypedStorage, but got "
                                f"{type(wrap_storage)}")
            self._untyped = UntypedStorage._of(backing_storage(wrap_storage, to_dtype(dtype)))
        else:
            if len(args) > 1:
                raise RuntimeError(_ARGS_ERROR + "\nToo many positional arguments")
            dtype = to_dtype(dtype) if dtype is not None else get_default_dtype()
            data = args[0] if args else []
            if isinstance(data, int):
                values = creation.zeros(data, dtype=dtype, device=device)
            elif isinstance(data, Sequence):
                values = creation.tensor(data, dtype=dtype, device=device)
            else:
                raise TypeError(_ARGS_ERROR + f"\nArgument type not recognized: {type(data)}")
            self._untyped = UntypedStorage._of(values._storage)
        self.dtype: DType = self._untyped._storage.dtype

    @classmethod
    def _of(cls, untyped: UntypedStorage) -> TypedStorage:
        out = object.__new__(cls)
        out._untyped, out.dtype = untyped, untyped._storage.dtype
        return out

    # ---- metadata -----------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._untyped._storage.numel

    def size(self) -> int:
        return len(self)

    def element_size(self) -> int:
        return self.dtype.itemsize

    def nbytes(self) -> int:
        return self._untyped.nbytes()

    @property
    def device(self) -> Device:
        return self._untyped.device

    @property
    def is_cuda(self) -> bool:
        return self._untyped.is_cuda

    def data_ptr(self) -> int:
        return self._untyped.data_ptr()

    def untyped(self) -> UntypedStorage:
        """The same memory as bytes."""
        return self._untyped

    @property
    def _internal(self) -> Storage:
        return self._untyped._storage

    def _tensor(self) -> Tensor:
        st = self._untyped._storage
        t = Tensor._make(st, (st.numel,), (1,), 0)
        t._untracked = True
        return t

    def _wrapping(self, t: Tensor) -> TypedStorage:
        return TypedStorage._of(UntypedStorage._of(t._storage))

    def to(self, *, device, non_blocking: bool = False) -> TypedStorage:
        moved = super().to(device=device, non_blocking=non_blocking)
        return TypedStorage._of(self._untyped) if moved is self else moved  # (torch: a new object, same memory)

    def type(self, dtype=None, non_blocking: bool = False):
        """torch's name of the storage type ('torch.FloatStorage'), or the storage cast to a dtype, a storage
        class (lazygrad.DoubleStorage) or a storage type's name."""
        if dtype is None:  # (uint16/32/64 have no storage class of their own, in torch either)
            limited = self.dtype in dtypes.LIMITED_UNSIGNED
            return "torch.storage.TypedStorage" if limited else f"torch.{self.pickle_storage_type()}"
        return _cast(storage_dtype(dtype))(self)

    def pickle_storage_type(self) -> str:
        return f"{torch_name(self.dtype)}Storage"

    def resize_(self, size: int) -> None:
        self._untyped.resize_(size * self.dtype.itemsize)

    @classmethod
    def from_buffer(cls, buffer, byte_order: str | None = None, count: int = -1, offset: int = 0, *,
                    dtype=None) -> TypedStorage:
        """The elements of dtype (the default dtype; a legacy storage class's own) in a bytes-like object."""
        from .mapped_files import elements_of_buffer
        dtype = getattr(cls, "_legacy_dtype", None) or (to_dtype(dtype) if dtype is not None else
                                                        get_default_dtype())
        return cls._of_tensor(elements_of_buffer(buffer, byte_order, count, offset, dtype))

    @classmethod
    def from_file(cls, filename: str, shared: bool = False, size: int = 0) -> TypedStorage:
        """A storage of `size` elements mapping a file (a legacy storage class's: TypedStorage has no dtype)."""
        from .mapped_files import mapped
        dtype = getattr(cls, "_legacy_dtype", None)
        if dtype is None:
            raise RuntimeError("from_file can only be called on derived classes")
        return cls._of_tensor(mapped(filename, shared, size, dtype))

    @staticmethod
    def _of_tensor(t: Tensor) -> TypedStorage:
        return TypedStorage._of(UntypedStorage._of(t._storage))

    # ---- reading --------------------------------------------------------------------------------------

    def _values(self) -> np.ndarray:
        """The current elements (the realized buffer: read it, never write it)."""
        st = self._untyped._storage
        realize_storages([st])
        return st.buffer.array

    def tolist(self) -> list:
        return self._values().tolist()

    def __iter__(self):
        return iter(self.tolist())

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            raise RuntimeError("slices are only supported in UntypedStorage.__getitem__")
        if not isinstance(idx, int):
            raise RuntimeError(f"can't index a {_class(TypedStorage)} with {type(idx)}")
        if type(idx) is not int:
            raise TypeError(f"can't index a {_class(TypedStorage)} with {type(idx)}")
        n = len(self)
        if not -n <= idx < n:
            raise IndexError(f"index {idx} out of range for storage of size {n}")
        return self._values()[idx].item()

    # ---- writing ------------------------------------------------------------------------------------

    def __setitem__(self, idx, value) -> None:
        """Indexing as a 1-D tensor does (ints, slices with steps), written lazily through a view."""
        if not isinstance(idx, (int, slice)):
            raise RuntimeError(f"can't index a {_class(TypedStorage)} with {type(idx)}")
        if isinstance(value, (TypedStorage, UntypedStorage)):
            raise RuntimeError(f"cannot set item with value type {_class(type(value))}")
        if isinstance(idx, bool):  # (a new dim of size 1 over all the elements, or of size 0)
            if not idx:
                return
            idx = slice(None)
        target = getitem(self._untyped._elements(), idx)
        target._untracked = True
        assign(target, value)

    def fill_(self, value) -> TypedStorage:
        self[0:len(self)] = value
        return self

    def copy_(self, source: TypedStorage | UntypedStorage, non_blocking: bool | None = None) -> TypedStorage:
        """Copy source's bytes in (torch copies bytes, whatever the dtypes)."""
        self._untyped.copy_(source, non_blocking)
        return self

    def clone(self) -> TypedStorage:
        return TypedStorage._of(self._untyped.clone())

    def __copy__(self) -> TypedStorage:
        return self.clone()

    def __deepcopy__(self, memo) -> TypedStorage:
        return self.clone()

    def __reduce__(self):
        return TypedStorage._of, (self._untyped,)

    def __repr__(self) -> str:
        return _listing(self.tolist(), f"lazygrad.storage.TypedStorage(dtype={self.dtype!r}, device={self.device}) "
                                       f"of size {len(self)}")

    __str__ = __repr__


def storage_dtype(target) -> DType:
    """The dtype a `storage.type(...)` target names: a dtype, a storage class or its name ('torch.LongStorage')."""
    if isinstance(target, str):
        name = target.rpartition(".")[2]
        found = next((d for d in dtypes.ALL_DTYPES if f"{torch_name(d)}Storage" == name), None)
        if found is None:
            raise ValueError(f"invalid type: '{target}'")
        return found
    return getattr(target, "_legacy_dtype", None) or to_dtype(target)


def backing_storage(source: TypedStorage | UntypedStorage, dtype: DType, expected: str | None = None) -> Storage:
    """The internal storage behind a storage object, checked to hold elements of `dtype`
    (`expected` names dtype in torch's message for a TypedStorage of another dtype)."""
    if isinstance(source, TypedStorage):
        if source.dtype is not dtype:
            raise RuntimeError(f"Expected a Storage of type {expected or torch_name(dtype)} or an UntypedStorage, "
                               f"but got type {torch_name(source.dtype)} for argument 1 'storage'")
        source = source.untyped()
    if source._storage.dtype is not dtype or not source._whole():
        raise NotImplementedError(f"lazygrad: viewing {source._storage.dtype!r} memory, or part of a storage, as "
                                  f"elements of {dtype!r} is not supported yet")
    return source._storage


# ---- Tensor methods -----------------------------------------------------------------------------------

def untyped_storage(self: Tensor) -> UntypedStorage:
    return UntypedStorage._of(self._storage)


def storage(self: Tensor) -> TypedStorage:
    _warn_typed_storage_removal()
    return TypedStorage._of(untyped_storage(self))


def storage_tensor(source: TypedStorage | UntypedStorage, dtype=None) -> Tensor:
    """lg.Tensor(storage): a 1-D tensor of the default dtype sharing the storage."""
    st = backing_storage(source, to_dtype(dtype) if dtype is not None else get_default_dtype())
    return Tensor._make(st, (st.numel,), (1,), 0)


def set_(self: Tensor, source=None, storage_offset: int | None = None, size=None, stride=None) -> Tensor:
    """Make self view source's memory (a storage, or a tensor's storage), or a new empty storage; self
    keeps its identity. A storage too small for the requested view grows, as torch's does."""
    if not _set_overload(source, storage_offset, size):
        args = (a for a in (source, storage_offset, size, stride) if a is not None)
        raise TypeError(_SET_ERROR.format(", ".join(type(a).__name__ for a in args)))
    if is_grad_enabled() and self.requires_grad and self.is_leaf:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    if source is None:
        st, offset, shape, strides = creation.zeros(0, dtype=self.dtype)._storage, 0, (0,), (1,)
    elif isinstance(source, Tensor):
        if source.dtype is not self.dtype:
            raise RuntimeError(f"Could not set tensor of type {C_NAMES[source.dtype.name]} to a tensor of type "
                               f"{C_NAMES[self.dtype.name]}")
        st, offset, shape, strides = source._storage, source._offset, source._shape, source._strides
        offset += storage_offset or 0
    else:
        st = backing_storage(source, self.dtype, C_NAMES[self.dtype.name])
        offset, shape, strides = storage_offset or 0, (st.numel,), (1,)
    if size is not None:
        shape, strides = _geometry(offset, tuple(int(s) for s in size), stride)
        _fit(st, offset, shape, strides)
    self._storage, self._shape, self._strides, self._offset = st, tuple(shape), tuple(strides), offset
    self._node, self._epoch, self._base = None, -1, None
    if is_grad_enabled() and self.requires_grad:
        # torch's history for set_ on a non-leaf: a node whose backward raises
        self._grad_fn = node_class("NotImplemented", _no_derivative)(Context((), {}, self, ()), (), (),
                                                                     ((self._shape, self.dtype),))
        self._output_nr = 0
    return self


def _no_derivative(ctx, *grads):
    raise RuntimeError("derivative for set_ is not implemented")


def _set_overload(source, storage_offset, size) -> bool:
    """Whether the arguments match one of set_'s overloads."""
    if source is None:
        return storage_offset is None and size is None
    if (storage_offset is None) != (size is None):
        return False
    return isinstance(source, (Tensor, TypedStorage, UntypedStorage)) and isinstance(storage_offset, (int, type(None)))


def _geometry(offset: int, shape: tuple[int, ...], stride) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The strides of a set_ view (contiguous by default), checked as torch checks them."""
    strides = torch_contiguous_strides(shape) if stride is None else tuple(int(s) for s in stride)
    if len(strides) != len(shape):
        raise RuntimeError(f"unequal size length ({len(shape)}) and stride length ({len(strides)})")
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    if any(n < 0 for n in shape):
        raise RuntimeError("numel: integer multiplication overflow")
    if any(s < 0 for s in strides):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(shape)} and strides={list(strides)}")
    return shape, strides


def resize_(self: Tensor, *sizes, size=None, memory_format=None) -> Tensor:
    """self viewed contiguously with a new shape at its offset, its storage grown when too small (new
    elements are zeros); self keeps its identity, as torch's resize_ does."""
    if self.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    sizes = spread_or_named(sizes, size, "resize_", "size")
    shape = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else tuple(sizes)
    shape, strides = _geometry(self._offset, tuple(int(n) for n in shape), None)
    _fit(self._storage, self._offset, shape, strides)
    self._shape, self._strides = shape, strides
    self._node, self._epoch = None, -1
    return self


def resize_as_(self: Tensor, the_template: Tensor, *, memory_format=None) -> Tensor:
    if not isinstance(the_template, Tensor):
        raise TypeError(f"resize_as_(): argument 'the_template' (position 1) must be Tensor, not "
                        f"{qualified_name(type(the_template))}")
    return resize_(self, the_template.shape)


def _fit(st: Storage, offset: int, shape: tuple[int, ...], strides: tuple[int, ...]) -> None:
    """Grow st to hold the view, keeping its content (torch leaves the new elements uninitialized:
    they are zeros here); every tensor viewing st sees the grown memory."""
    if not math.prod(shape):
        return
    needed = offset + sum((n - 1) * s for n, s in zip(shape, strides)) + 1
    if needed <= st.numel:
        return
    if st.numpy_shared:
        raise RuntimeError("Trying to resize storage that is not resizable")
    realize_storages([st])
    grown = Buffer(st.dtype, needed)
    grown.array[:st.numel] = st.buffer.array
    grown.array[st.numel:] = 0
    st.numel = needed
    st.set_realized(grown)
