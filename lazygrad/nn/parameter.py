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
        if requires_grad and not (p.dtype.is_floating_point or p.dtype.is_complex):  # (torch's _make_subclass words)
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        p.requires_grad_(requires_grad)
        return p

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True):
        """(Tensor.__init__ is torch's legacy constructor; everything happened in __new__.)"""

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __reduce_ex__(self, protocol: int):
        """(The attributes set on it come back too; a deepcopy leaves them, as torch's.)"""
        args = (self.detach(), self.requires_grad)
        return (_rebuild_parameter, args, dict(self.__dict__)) if self.__dict__ else (_rebuild_parameter, args)

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


class UninitializedTensorMixin:
    """A parameter or buffer whose shape its lazy module learns at the first forward (or from a state_dict):
    until materialize gives it memory, its shape cannot be read and an op on it raises torch's error."""
    __slots__ = ()  # (a buffer becomes a plain Tensor in place: the layouts must agree)
    cls_to_become: type
    uninitialized = True  # (conversions, `to` and `double()`, apply to the memory it will get)

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Memory of shape (uninitialized values, as torch's), and from now on a plain parameter or tensor."""
        from ..creation import empty
        self.data = empty(tuple(shape), device=device or self._storage.device, dtype=dtype or self._storage.dtype)
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError("Can't access the shape of an uninitialized parameter or buffer. This error usually "
                           "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
                           "initialized one. Call `forward` to initialize the parameters before accessing their "
                           "attributes.")

    @property
    def lazy(self):
        raise ValueError("Attempted to use an uninitialized parameter in an operation. This error happens when you "
                         "are using a `LazyModule` or explicitly manipulating "
                         "`lazygrad.nn.parameter.UninitializedParameter` objects. When using LazyModules Call "
                         "`forward` with a dummy batch to initialize the parameters before calling lazygrad "
                         "functions")

    def detach(self):
        return self  # (a state_dict of a lazy module holds the uninitialized objects themselves)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    __str__ = __repr__

    def __deepcopy__(self, memo: dict):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.requires_grad, self._storage.device, self._storage.dtype)
        return memo[id(self)]


def _empty_leaf(cls: type, device, dtype) -> Tensor:
    from ..creation import empty
    return _shared_view(cls, empty(0, device=device, dtype=dtype))


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Parameter without a shape yet (see UninitializedTensorMixin)."""
    __module__ = "lazygrad.nn.parameter"
    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device=None, dtype=None) -> UninitializedParameter:
        p = _empty_leaf(cls, device, dtype)
        p.requires_grad_(requires_grad)
        return p

    def __init__(self, requires_grad: bool = True, device=None, dtype=None):
        """(Everything happened in __new__.)"""


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer without a shape yet (see UninitializedTensorMixin); whether it is saved in state_dict is
    register_buffer's `persistent`, as for any buffer (torch keeps the argument here too, unused)."""
    __module__ = "lazygrad.nn.parameter"
    __slots__ = ()
    cls_to_become = Tensor

    def __new__(cls, requires_grad: bool = False, device=None, dtype=None, persistent: bool = True):
        b = _empty_leaf(cls, device, dtype)
        b.requires_grad_(requires_grad)
        return b

    def __init__(self, requires_grad: bool = False, device=None, dtype=None, persistent: bool = True):
        """(Everything happened in __new__.)"""

