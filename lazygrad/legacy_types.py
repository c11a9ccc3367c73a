"""torch's legacy tensor types (FloatTensor, LongTensor, ...): constructors of CPU tensors of one dtype,
and isinstance checks and `x.type(...)` targets for that dtype; and its legacy storage classes (FloatStorage,
...): constructors of TypedStorages of one dtype, which isinstance asks for that dtype."""
from __future__ import annotations

import functools

from . import dtypes
from .dtypes import DType, qualified_name, torch_name
from .tensor import Size, Tensor


class LegacyTensorType(type):
    """The type of FloatTensor and friends: calling it builds a tensor, isinstance asks for the dtype."""

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype and obj.device.type == "cpu" and not obj.is_sparse

    def __call__(cls, *args, device=None) -> Tensor:
        from .creation import empty, tensor
        if not args:
            return empty(0, dtype=cls.dtype, device=device)
        if len(args) == 1 and isinstance(args[0], Tensor):
            if args[0].dtype is not cls.dtype:
                raise TypeError(f"expected {torch_name(cls.dtype)} tensor (got {torch_name(args[0].dtype)} tensor)")
            return args[0]
        if all(isinstance(a, int) and not isinstance(a, bool) for a in args):
            return empty(*args, dtype=cls.dtype, device=device)
        if len(args) == 1 and isinstance(args[0], Size):
            return empty(*args[0], dtype=cls.dtype, device=device)
        if len(args) > 1:
            raise TypeError(f"new() received an invalid combination of arguments - got {len(args)} arguments that "
                            "are not all sizes")
        return tensor(args[0], dtype=cls.dtype, device=device)

    def __repr__(cls) -> str:
        return f"<class 'lazygrad.{cls.__name__}'>"


def _type(name: str, dtype) -> LegacyTensorType:
    return LegacyTensorType(name, (), {"dtype": dtype, "__module__": "lazygrad"})


LEGACY_TYPES = {
    "FloatTensor": _type("FloatTensor", dtypes.float32), "DoubleTensor": _type("DoubleTensor", dtypes.float64),
    "HalfTensor": _type("HalfTensor", dtypes.float16), "BFloat16Tensor": _type("BFloat16Tensor", dtypes.bfloat16),
    "LongTensor": _type("LongTensor", dtypes.int64),
    "IntTensor": _type("IntTensor", dtypes.int32), "ShortTensor": _type("ShortTensor", dtypes.int16),
    "CharTensor": _type("CharTensor", dtypes.int8), "ByteTensor": _type("ByteTensor", dtypes.uint8),
    "BoolTensor": _type("BoolTensor", dtypes.bool_),
}


def dtype_of_type(target):
    """The dtype a `x.type(...)` target names: a dtype, a legacy type, or its name ('torch.FloatTensor')."""
    if isinstance(target, LegacyTensorType):
        return target.dtype
    if isinstance(target, str):
        name = target.rpartition(".")[2]
        if name not in LEGACY_TYPES:
            raise ValueError(f"invalid type: '{target}'")
        return LEGACY_TYPES[name].dtype
    if isinstance(target, DType):
        return target
    if not isinstance(target, type):
        raise TypeError("dtype must be a type, str, or dtype object")
    raise ValueError(f"invalid type: '{qualified_name(target)}'")  # (a Python or NumPy type: named as a bad string is)


class LegacyStorageType(type):
    """The type of FloatStorage and friends: calling one makes a TypedStorage of its dtype, and isinstance
    asks a storage for that dtype (as torch's _LegacyStorageMeta does)."""

    dtype = property(lambda cls: cls._legacy_dtype)  # (a metaclass property: it wins over TypedStorage's slot)

    def __instancecheck__(cls, obj) -> bool:
        from .typed_storage import TypedStorage
        return isinstance(obj, TypedStorage) and obj.dtype is cls.dtype

    def __call__(cls, *args, wrap_storage=None, **kwargs):
        from .typed_storage import TypedStorage
        if kwargs or len(args) > 1 or (wrap_storage is not None and args):
            why = (f"Keyword argument '{next(iter(kwargs))}' cannot be specified" if kwargs else
                   "Too many positional arguments")
            raise RuntimeError(f"{cls!r}.__new__ received an invalid combination of arguments. Expected one of:\n"
                               " * no arguments\n * (int size)\n * (Sequence data)\n"
                               f" * (*, UntypedStorage wrap_storage)\n{why}")
        if wrap_storage is not None:
            return TypedStorage(wrap_storage=wrap_storage, dtype=cls.dtype)
        return TypedStorage(*args, dtype=cls.dtype)

    def __repr__(cls) -> str:
        return f"<class 'lazygrad.{cls.__name__}'>"


def _storage_type(name: str, dtype) -> LegacyStorageType:
    from .typed_storage import TypedStorage
    return LegacyStorageType(name, (TypedStorage,), {"__slots__": (), "_legacy_dtype": dtype, "__module__": "lazygrad"})


@functools.cache
def legacy_storages() -> dict[str, LegacyStorageType]:
    """FloatStorage, DoubleStorage... by name: one a dtype of torch's."""
    return {f"{torch_name(d)}Storage": _storage_type(f"{torch_name(d)}Storage", d) for d in dtypes.ALL_DTYPES}
