"""What the sparse layouts share: a Tensor (isinstance holds, as in torch) whose dense machinery (storage,
strides, lazy node) is refused with torch's NotImplementedError, and whose autograd rides on its values
tensor (`_carrier`): requires_grad, grad_fn and is_leaf are the values'."""
from __future__ import annotations

from ..tensor import Tensor

BACKEND_MESSAGE = ("Could not run this operation with arguments from the '{backend}' backend: lazygrad runs it on "
                   "strided tensors only (call .to_dense() first)")


def _refused(what: str):
    def refuse(self):
        raise NotImplementedError(BACKEND_MESSAGE.format(backend=self._backend()))
    return property(refuse, doc=f"({what}: a sparse tensor has none)")


class SparseLayoutTensor(Tensor):
    __slots__ = ()

    _storage = _refused("storage")
    lazy = _refused("lazy node")
    _strides = _refused("strides")
    _offset = _refused("offset")
    _node = _refused("node")
    _backend_name = "Sparse"  # torch's dispatch key, before CPU or CUDA

    def __init__(self, *args, **kwargs):
        raise TypeError(f"use lazygrad.sparse_coo_tensor or lazygrad.sparse_csr_tensor to make a "
                        f"{type(self).__name__}")

    @classmethod
    def _blank(cls, shape):
        """A new instance of shape with the base Tensor's bookkeeping set (no storage)."""
        t = object.__new__(cls)
        t._shape = tuple(int(s) for s in shape)
        t._output_nr, t._accum, t._hooks, t._untracked = 0, None, None, False
        t._base, t._view_version, t._grad, t._grad_fn, t._requires_grad = None, 0, None, None, False
        t._created_in = None
        return t

    @property
    def _carrier(self) -> Tensor:
        raise NotImplementedError

    def _backend(self) -> str:
        return self._backend_name + ("CUDA" if self._carrier.is_cuda else "CPU")

    dtype = property(lambda self: self._carrier.dtype)
    device = property(lambda self: self._carrier.device)
    is_cuda = property(lambda self: self._carrier.is_cuda)

    def _nnz(self) -> int:
        return self._carrier.shape[0]

    def is_contiguous(self, memory_format=None) -> bool:
        return False

    def numpy(self, *, force: bool = False):
        raise TypeError(f"can't convert {self._backend_name} layout tensor to numpy. Use Tensor.to_dense() first.")

    @property
    def requires_grad(self) -> bool:
        return self._carrier.requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self._carrier.requires_grad = value

    def requires_grad_(self, requires_grad: bool = True):
        self._carrier.requires_grad_(requires_grad)
        return self

    @property
    def grad_fn(self):
        return self._carrier.grad_fn

    @property
    def is_leaf(self) -> bool:
        return self._carrier.is_leaf

    # a leaf's gradient is its values' gradient, seen on the tensor's pattern

    def _coo(self):
        """The COO tensor with these entries."""
        raise NotImplementedError

    def _on_pattern(self, per_entry: Tensor):
        """A tensor of this layout holding per_entry (one value for each of this tensor's entries)."""
        raise NotImplementedError

    def _per_entry(self, value: Tensor) -> Tensor:
        """value (dense or sparse, of this tensor's size) read at each of this tensor's entries."""
        from .construction import sparse_mask
        dense = value.to_dense() if isinstance(value, SparseLayoutTensor) else value
        return sparse_mask(dense, self._coo())._sparse_values.detach()

    @property
    def grad(self):
        g = self._carrier.grad
        return None if g is None else self._on_pattern(g)

    @grad.setter
    def grad(self, value) -> None:
        self._carrier.grad = None if value is None else self._per_entry(value)

    def register_hook(self, hook):
        """hook(grad) sees the gradient as a tensor of this layout; what it returns replaces it."""
        def on_values(g):
            out = hook(self._on_pattern(g))
            return None if out is None else self._per_entry(out)
        return self._carrier.register_hook(on_values)

