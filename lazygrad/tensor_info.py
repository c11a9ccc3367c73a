"""Questions about a tensor that torch answers with Python values: is_complex, is_signed, is_nonzero,
is_same_size, is_inference, get_device, typename, is_storage, is_distributed."""
from __future__ import annotations

from .dtypes import bool_
from .tensor import Tensor
from .tensor_parameters import refuse


def is_complex(input: Tensor) -> bool:
    return input.dtype.is_complex


def is_signed(input: Tensor) -> bool:
    return input.dtype is not bool_ and input.dtype.is_signed


def is_nonzero(input: Tensor) -> bool:
    """The value of a one-element tensor as a bool (computed now); torch's errors for other sizes."""
    return bool(input)


def is_same_size(input: Tensor, other: Tensor) -> bool:
    return input._shape == other._shape


def is_set_to(self: Tensor, tensor: Tensor) -> bool:
    """Whether both view the same memory the same way (storage, offset, sizes and strides)."""
    if not isinstance(tensor, Tensor):
        refuse("is_set_to", "tensor", tensor, 1)
    return (self._storage is tensor._storage and self._offset == tensor._offset and self._shape == tensor._shape
            and self._strides == tensor._strides)


def is_inference(input: Tensor) -> bool:
    """Whether input's memory was allocated inside inference_mode (a view made there of other memory is not)."""
    from .sparse.layout_base import SparseLayoutTensor
    return (input._carrier if isinstance(input, SparseLayoutTensor) else input)._storage.inference


def get_device(input: Tensor) -> int:
    """-1 for the CPU, the GPU's index otherwise."""
    index = input.device.index
    return -1 if input.device.type == "cpu" else index


def typename(obj) -> str:
    """A tensor's type string ('torch.FloatTensor'), else the dotted name of what obj is (its class for
    instances without a name of their own); builtins go without their module."""
    if isinstance(obj, Tensor):
        return obj.type()
    named = obj if hasattr(obj, "__qualname__") or hasattr(obj, "__name__") else type(obj)
    name = getattr(named, "__qualname__", None) or named.__name__
    module = getattr(named, "__module__", "") or ""
    return name if module in ("", "builtins") else f"{module}.{name}"


def is_storage(obj) -> bool:
    from .typed_storage import TypedStorage, UntypedStorage
    return isinstance(obj, (TypedStorage, UntypedStorage))


def is_distributed(input: Tensor) -> bool:
    """Whether input is spread over processes: never, in lazygrad (nor in torch, for a plain tensor)."""
    return False
