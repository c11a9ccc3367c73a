"""nn.Parameter and nn.Buffer: tensors a Module registers when they are assigned to it."""
from __future__ import annotations

from ..tensor import Tensor


def _shared_view(cls: type, data: Tensor | None) -> Tensor:
    """A new leaf of class cls over data's storage and view (torch's Parameter shares its data)."""
    if data is None:
        from ..creation import empty
        data = empty(0)
    return cls._make(data._storage, data._shape, data._strides, data._offset)


class Parameter(Tensor):
    """A leaf tensor that a Module lists in parameters() when assigned as its attribute. Ops on it return
    plain tensors; it shares the storage of the tensor it was made from."""
    __module__ = "lazygrad.nn.parameter"

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        p = _shared_view(cls, data)
        p.requires_grad_(requires_grad)
        return p

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True):
        """(Tensor.__init__ is torch's legacy constructor; everything happened in __new__.)"""

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __reduce_ex__(self, protocol: int):
        return _rebuild_parameter, (self.detach(), self.requires_grad)

    def __deepcopy__(self, memo: dict) -> Parameter:
        if id(self) not in memo:
            from ..serialization import deepcopy_tensor
            data = deepcopy_tensor(self.detach(), memo)
            memo[id(self)] = copy = Parameter(data, self.requires_grad)
            if self._grad is not None:
                copy._grad = deepcopy_tensor(self._grad, memo)
        return memo[id(self)]


def _rebuild_parameter(data: Tensor, requires_grad: bool) -> Parameter:
    return Parameter(data, requires_grad)


class Buffer(Tensor):
    """Marks a tensor to be registered as a Module buffer when assigned (torch.nn.Buffer). What is
    registered is a plain tensor sharing its storage; `persistent=False` keeps it out of state_dict."""
    __module__ = "lazygrad.nn.parameter"

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> Buffer:
        b = _shared_view(cls, data)
        b.persistent = persistent
        return b

    def __init__(self, data: Tensor | None = None, *, persistent: bool = True):
        """(everything happened in __new__.)"""
