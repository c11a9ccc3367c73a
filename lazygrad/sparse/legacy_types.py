"""torch.sparse.FloatTensor and friends: the legacy constructors of sparse COO tensors of one dtype
(`lg.sparse.FloatTensor(indices, values, size)`, or sizes for an empty one), and isinstance checks."""
from __future__ import annotations

from ..legacy_types import LEGACY_TYPES, LegacyTensorType
from ..tensor import Size
from .coo_tensor import SparseTensor


class SparseLegacyTensorType(LegacyTensorType):
    """Calling it builds a sparse tensor; isinstance asks for a sparse CPU tensor of the dtype."""

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, SparseTensor) and obj.dtype is cls.dtype and obj.device.type == "cpu"

    def __call__(cls, *args, device=None) -> SparseTensor:
        from .construction import sparse_coo_tensor
        from ..creation import empty, zeros
        if all(isinstance(a, int) and not isinstance(a, bool) for a in args) or (
                len(args) == 1 and isinstance(args[0], Size)):
            size = tuple(args[0]) if args and isinstance(args[0], Size) else args
            return sparse_coo_tensor(zeros(len(size), 0, dtype=LEGACY_TYPES["LongTensor"].dtype),
                                     empty(0, dtype=cls.dtype), size, device=device)
        if len(args) not in (2, 3):
            raise TypeError(f"{cls.__name__}() takes (indices, values[, size]) or sizes")
        return sparse_coo_tensor(*args, dtype=cls.dtype, device=device)

    def __repr__(cls) -> str:
        return f"<class 'lazygrad.sparse.{cls.__name__}'>"


SPARSE_LEGACY_TYPES = {name: SparseLegacyTensorType(name, (), {"dtype": t.dtype, "__module__": "lazygrad.sparse"})
                       for name, t in LEGACY_TYPES.items() if name != "BoolTensor"}
