"""The Tensor: torch's view metadata over a Storage, plus the few places that realize values.

Every op only builds graph. Values are computed at the named triggers: `realize()`, `numpy()`,
`item()`, `tolist()`, printing, `bool()`/`float()`/`int()`, `data_ptr()`.
"""
from __future__ import annotations

import math
import warnings
from typing import Iterator

import numpy as np

from . import graph, np_ops, numpy_reads, printing, runtime
from .autograd.forward_ad import tangent_of
from .autograd.inference_tensors import check_requires_grad
from .buffer import Buffer
from .dtypes import C_NAMES, NUMBER_TYPES, TORCH_NAMES, DType, bool_, get_default_dtype, int64
from .graph import Node
from .ops import Op
from .storage import Storage, in_place_blockers, own_buffers
from .view import View, torch_contiguous_strides
from .warning_sites import warn_at_caller, warn_if_discarding_imaginary


class Size(tuple):
    """A tensor's shape: a tuple printed as `lazygrad.Size([3, 4])`."""
    __module__ = "lazygrad"  # shown as torch shows its classes: <class 'lazygrad.Size'>

    def __repr__(self) -> str:
        return printing.format_size(tuple(self))

    __str__ = __repr__

    def numel(self) -> int:
        return math.prod(self)

    def __getitem__(self, item):
        out = tuple.__getitem__(self, item)
        return Size(out) if isinstance(item, slice) else out

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))


def normalize_device(device) -> str:
    """'cpu' or 'cuda:N' from a device, a name or an index (as torch reads them); CUDA must be usable."""
    from .device import default_device_name, device as Device
    if device is None:
        return default_device_name()
    d = Device(f"cuda:{device}" if isinstance(device, int) else device)
    if d.type == "cpu":
        return "cpu"
    from . import cuda
    cuda.cupy()
    index = d.index if d.index is not None else cuda.current_device()
    if not 0 <= index < cuda.device_count():
        raise RuntimeError("CUDA error: invalid device ordinal")
    return f"cuda:{index}"


_DEVICE_OBJECTS: dict = {}  # Tensor.device's answers by storage device name ("cpu", "cuda:0")

NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be "
    "populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf Tensor, "
    "use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access "
    "the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more information.")


def _check_assigned_grad(t: Tensor, grad) -> None:
    """torch's checks of `t.grad = grad`: a tensor of t's size, dtype and device, and not t itself."""
    if not isinstance(grad, Tensor):
        raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {type(grad).__name__}")
    if grad is t:
        raise RuntimeError("can't assign Variable as its own grad")
    wanted = t._wanted_grad_dtype()
    if wanted is not None and grad.dtype is not wanted:
        raise RuntimeError(
            f"attempting to assign a gradient with dtype '{C_NAMES[grad.dtype.name]}' to a tensor with grad_dtype "
            f"'{TORCH_NAMES[wanted.name]}'. The gradient must match the tensor's grad_dtype (defaults to the "
            "tensor's dtype). You can set the tensor's grad_dtype attribute with a specific dtype, or None to allow any "
            "dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and its gradient may break downstream "
            "systems that assume they match.")
    if grad.device.type != t.device.type:
        raise RuntimeError(f"attempting to assign a gradient with device type '{grad.device.type}' to a tensor with "
                           f"device type '{t.device.type}'. Please ensure that the gradient and the tensor are on "
                           "the same device")
    if grad.device != t.device:
        raise RuntimeError(f"attempting to assign a gradient located on device with index '{grad.device.index}' to "
                           f"a tensor located on device with index '{t.device.index}'. Please ensure that the "
                           "gradient and the tensor are on the same device")
    if tuple(grad.shape) != tuple(t.shape):
        raise RuntimeError(f"attempting to assign a gradient of size '{list(grad.shape)}' to a tensor of size "
                           f"'{list(t.shape)}'. Please ensure that the gradient and the tensor are the same size")


class Tensor:
    __module__ = "lazygrad"  # shown as torch shows its classes: <class 'lazygrad.Tensor'>
    __array_priority__ = 1000  # np.float32(2) * x: NumPy defers to the tensor's reflected operator, as for torch's
    __slots__ = ("_storage", "_shape", "_strides", "_offset", "_node", "_epoch", "_requires_grad", "_grad",
                 "_grad_fn", "_output_nr", "_accum", "_hooks", "_untracked", "_base", "_view_version",
                 "_created_in", "_tangent", "_grad_dtype", "__dict__", "__weakref__")

    # ---- construction ----------------------------------------------------------------------------

    def __init__(self, *args, **kwargs):
        from .creation import legacy_constructor
        self._output_nr, self._accum, self._hooks, self._untracked = 0, None, None, False
        self._base, self._view_version, self._created_in = None, 0, None
        legacy_constructor(self, *args, **kwargs)

    @classmethod
    def _make(cls, storage: Storage, shape: tuple[int, ...], strides: tuple[int, ...], offset: int,
              node: Node | None = None) -> Tensor:
        t = object.__new__(cls)
        t._storage, t._shape, t._strides, t._offset = storage, shape, strides, offset
        t._node, t._epoch = node, (storage.epoch if node is not None else -1)
        t._requires_grad, t._grad, t._grad_fn = False, None, None
        t._output_nr, t._accum, t._hooks, t._untracked = 0, None, None, False
        t._base, t._view_version, t._created_in = None, 0, None
        return t

    @classmethod
    def _from_node(cls, node: Node, device: str = "cpu") -> Tensor:
        """A tensor owning a new storage whose content is the lazy node."""
        t = cls._make(Storage(node, node.numel, device), node.shape, torch_contiguous_strides(node.shape), 0, node)
        numpy_reads.settle(t._storage)
        return t

    @classmethod
    def _from_node_laid_out(cls, node: Node, strides: tuple[int, ...] | None, device: str = "cpu") -> Tensor:
        """A tensor owning a new storage with the lazy node's values in memory at the given dense strides
        (None: row-major); the storage holds the node permuted into memory order, while the tensor's own
        node stays `node` until the storage is computed (readers fuse with it, not with two permutations)."""
        if strides is None or strides == torch_contiguous_strides(node.shape):
            return cls._from_node(node, device)
        order = sorted(range(len(strides)), key=lambda d: (-strides[d], d))
        memory = graph.permute(node, tuple(order))
        t = cls._make(Storage(memory, memory.numel, device), node.shape, strides, 0, node)
        numpy_reads.settle(t._storage)
        return t

    @classmethod
    def _from_array(cls, array: np.ndarray, dtype: DType | None = None, device: str = "cpu") -> Tensor:
        """A tensor on a new buffer holding a copy of `array`, converted to dtype as a kernel converts (never by
        NumPy's casts, whose out-of-range results differ from torch's and by the array's size)."""
        from .dtypes import from_numpy_dtype
        dtype = dtype or from_numpy_dtype(array.dtype)
        array = np.asarray(array)
        if array.dtype != dtype.np:
            warn_if_discarding_imaginary(array.dtype.kind == "c", dtype.kind in "iuf")
            array = np_ops.cast(array, dtype.np)
        if device == "cpu":
            buf = Buffer(dtype, array.size)
            buf.array[...] = array.reshape(-1)
        else:
            from .device_buffer import DeviceBuffer
            buf = DeviceBuffer.upload(array, dtype, device)
        shape = tuple(array.shape)
        return cls._make(Storage.from_buffer(buf, device), shape, torch_contiguous_strides(shape), 0)

    # ---- the graph ---------------------------------------------------------------------------------

    @property
    def lazy(self) -> Node:
        """The graph node of this tensor's current value (of a copy of it, where NumPy may write it next)."""
        st = self._storage
        if st.numpy_shared:
            copied = numpy_reads.snapshot(self)
            if copied is not None:
                return copied
        if self._epoch != st.epoch:
            shape = self._shape
            if self._offset == 0 and self._strides == torch_contiguous_strides(shape) and 0 not in shape:
                # (the common case, a row-major tensor at the storage's start: its first elements, in order)
                self._node = graph.view(st.source, View.contiguous(shape))
            else:
                self._node = graph.as_strided(st.source, shape, self._strides, self._offset)
            self._epoch = st.epoch
        return self._node

    def realize(self) -> Tensor:
        """Compute this tensor's storage now (and return self)."""
        realize(self)
        return self

    def _parts(self) -> tuple[Tensor, ...]:
        """The dense tensors holding this one's values: itself (a sparse tensor has its indices and values)."""
        return (self,)

    # ---- autograd ----------------------------------------------------------------------------------

    @property
    def grad_fn(self):
        """The node that made this tensor. A view whose storage was written in place since it was made
        (through another view or its base) is re-derived from its base, as torch does."""
        base = self._base
        if base is not None and self._view_version != self._storage.version:
            if base._requires_grad or self._grad_fn is not None:
                from .autograd.view_creation import rebase_refusal
                message = rebase_refusal(self, indirect=True)
                if message is not None:
                    raise RuntimeError(message)
            self._view_version = self._storage.version
            if base._requires_grad:  # (in any grad mode, as torch's: the view's history is its base's now)
                from .autograd.grad_mode import enable_grad
                from .movement import as_strided
                with enable_grad():
                    fresh = as_strided(base, self._shape, self._strides, self._offset)
                old = self._grad_fn, self._output_nr
                self._grad_fn, self._output_nr, self._requires_grad = fresh._grad_fn, fresh._output_nr, True
                self._move_retained(*old)
        return self._grad_fn

    @grad_fn.setter
    def grad_fn(self, node) -> None:
        raise AttributeError("attribute 'grad_fn' of 'lazygrad.Tensor' objects is not writable")

    @property
    def grad(self) -> Tensor | None:
        """The gradient backward accumulated here. Reading it on a non-leaf that does not retain its
        gradient warns, as torch does: backward never fills it."""
        if self._grad is None and self._grad_fn is not None and not self.retains_grad:
            warnings.warn(NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            _check_assigned_grad(self, value)
        self._grad = value

    @property
    def grad_dtype(self) -> DType | None:
        """The dtype gradients are cast to on their way into this leaf (None: any dtype, kept as it comes)."""
        if self.grad_fn is not None:
            raise RuntimeError("grad_dtype can only be accessed on leaf tensors.")
        return self._wanted_grad_dtype()

    @grad_dtype.setter
    def grad_dtype(self, value: DType | None) -> None:
        if self.grad_fn is not None:
            raise RuntimeError("grad_dtype can only be set on leaf tensors.")
        if value is not None and not isinstance(value, DType):
            raise RuntimeError(f"grad_dtype must be a lazygrad.dtype or None, but got {type(value).__name__}")
        self._grad_dtype = value

    def _wanted_grad_dtype(self) -> DType | None:
        """grad_dtype without the leaf check: the tensor's own dtype until one (or None) is set."""
        return getattr(self, "_grad_dtype", self.dtype)

    @property
    def volatile(self) -> bool:
        """torch's removed flag: always False, with its warning (no_grad replaced it)."""
        warnings.warn("volatile was removed (Variable.volatile is always False)", UserWarning, stacklevel=2)
        return False

    @volatile.setter
    def volatile(self, value) -> None:
        warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                      UserWarning, stacklevel=2)

    def _is_view(self) -> bool:
        return self._base is not None

    @property
    def requires_grad(self) -> bool:
        """A view requires grad when its base does, even one made under no_grad (its ops then record a graph
        whose gradient stops at it, as torch's do)."""
        return self._requires_grad or (self._base is not None and self._base._requires_grad)

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self.grad_fn is not None and not value:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to use a "
                               "computed variable in a subgraph that doesn't require differentiation use "
                               "var_no_grad = var.detach().")
        if value and self.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        if value:
            check_requires_grad(self._storage)
        self._requires_grad = bool(value)

    def _accumulator(self):
        """The AccumulateGrad node of a leaf (one per leaf, so next_functions show the same object)."""
        if self._accum is None:
            from .autograd.function import AccumulateGrad
            self._accum = AccumulateGrad(self)
        return self._accum

    def backward(self, gradient=None, retain_graph=None, create_graph: bool = False, inputs=None) -> None:
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def register_hook(self, hook):
        """hook(grad) runs when this tensor's gradient is computed; it may return a replacement."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            self.grad_fn._pre_hooks.setdefault(self._output_nr, []).append(hook)
        else:
            self._hooks = (self._hooks or []) + [hook]
        return _HookHandle(self, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """hook(tensor) runs after this leaf's .grad has been accumulated by a backward pass (where an
        optimizer can step one parameter while the others' gradients are still being computed)."""
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        hooks = self._accumulator().post_accumulate_hooks
        hooks.append(hook)
        return _ListHandle(hooks, hook)

    def retain_grad(self) -> None:
        """Keep the gradient of a non-leaf tensor in .grad after backward."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None:
            return

        if self.retains_grad:
            return

        def keep(grad, t=self):
            t._grad = grad.detach() if t._grad is None else t._grad + grad.detach()
        keep.retains_grad = True
        self.register_hook(keep)

    def _move_retained(self, old_node, old_nr: int) -> None:
        """After self's node changed (a write in place, a view re-derived), its retain_grad() moves to the new
        node, as torch's does: .grad is then the gradient of the value written (other hooks stay behind)."""
        node = self._grad_fn
        if old_node is None or node is None or (old_node is node and old_nr == self._output_nr):
            return
        hooks = old_node._pre_hooks.get(old_nr, [])
        kept = [h for h in hooks if getattr(h, "retains_grad", False)]
        for hook in kept:
            hooks.remove(hook)
            node._pre_hooks.setdefault(self._output_nr, []).append(hook)

    @property
    def retains_grad(self) -> bool:
        """Whether retain_grad() was called on this non-leaf tensor."""
        if self.grad_fn is None:
            return False
        return any(getattr(h, "retains_grad", False) for h in self.grad_fn._pre_hooks.get(self._output_nr, ()))

    def detach(self) -> Tensor:
        """The same storage, cut from the graph."""
        return Tensor._make(self._storage, self._shape, self._strides, self._offset)

    def detach_(self) -> Tensor:
        if self._base is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead. If you are using "
                               "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as True, "
                               "gradients are views of DDP buckets, and hence detach_() cannot be called on these "
                               "gradients. To fix this error, please refer to the Optimizer.zero_grad() function in "
                               "torch/optim/optimizer.py as the solution.")
        self._grad_fn = None
        self._requires_grad = False
        return self

    # ---- metadata ----------------------------------------------------------------------------------

    @property
    def dtype(self) -> DType:
        return self._storage.dtype

    @property
    def device(self):
        """One device object per device name, made once: ops ask for it often (a gradient's zeros
        "on g.device"), and parsing the name each time cost more than the rest of such an op."""
        found = _DEVICE_OBJECTS.get(self._storage.device)
        if found is None:
            from .device import device
            found = _DEVICE_OBJECTS[self._storage.device] = device(self._storage.device)
        return found

    @property
    def shape(self) -> Size:
        return Size(self._shape)

    def size(self, dim: int | None = None):
        if dim is None:
            return Size(self._shape)
        return self._shape[self._sized_dim("size", dim)]

    @property
    def ndim(self) -> int:
        return len(self._shape)

    def dim(self) -> int:
        return len(self._shape)

    ndimension = dim

    def numel(self) -> int:
        return math.prod(self._shape)

    nelement = numel

    def stride(self, dim: int | None = None):
        if dim is None:
            return tuple(self._strides)
        return self._strides[self._sized_dim("stride", dim)]

    def _sized_dim(self, name: str, dim) -> int:
        """dim wrapped for size() and stride(), which (unlike ops) take no dim of a 0-d tensor."""
        dim = _dim_argument(name, dim)
        if not self._shape:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return wrap_dim(dim, len(self._shape))

    def storage_offset(self) -> int:
        return self._offset

    def element_size(self) -> int:
        return self.dtype.itemsize

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self.numel() * self.dtype.itemsize

    def is_contiguous(self, memory_format=None) -> bool:
        """Dense in memory_format's dim order: row-major by default, or channels-last."""
        if self.numel() == 0:
            return True
        from .layouts import is_dense_in
        return is_dense_in(self._shape, self._strides, memory_format)

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def is_cuda(self) -> bool:
        return self._storage.device.startswith("cuda")

    def __len__(self) -> int:
        if not self._shape:
            raise TypeError("len() of a 0-d tensor")
        return self._shape[0]

    # ---- reading values (realization triggers) -----------------------------------------------------

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """A NumPy array sharing this tensor's memory."""
        if self.is_cuda and not force:
            raise TypeError(f"can't convert {self._storage.device} device type tensor to numpy. Use Tensor.cpu() to "
                            "copy the tensor to host memory first.")
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if self.dtype.name == "bfloat16":  # (numpy has no bfloat16: torch refuses it too)
            raise TypeError("Got unsupported ScalarType BFloat16")
        if self.is_cuda:
            return self._values().copy()
        realize(self)
        buf = self._storage.share_with_numpy()
        item = self.dtype.itemsize
        return np.lib.stride_tricks.as_strided(buf.array[self._offset:] if buf.numel else buf.array, self._shape,
                                               tuple(s * item for s in self._strides))

    def _values(self) -> np.ndarray:
        """The values as a read-only NumPy view (reading does not make the storage NumPy-shared)."""
        realize(self)
        flat = self._storage.buffer.host()  # (a copy, for memory on a GPU)
        item = self.dtype.itemsize
        return np.lib.stride_tricks.as_strided(flat[self._offset:] if flat.size else flat, self._shape,
                                               tuple(s * item for s in self._strides), writeable=False)

    def item(self):
        if self.numel() != 1:
            raise RuntimeError(f"a Tensor with {self.numel()} elements cannot be converted to Scalar")
        return self._values().reshape(()).item()

    def tolist(self):
        return self._values().tolist()

    def data_ptr(self) -> int:
        """The first element's address. Code given it may write the memory unseen, so the node computed into it
        stops standing for it (an equal expression made later is computed anew)."""
        if self.numel() == 0:
            return 0  # torch: a tensor without elements points nowhere
        realize(self)
        buf = self._storage.buffer
        buf.unproduced()
        return buf.address + self._offset * self.dtype.itemsize

    def module_load(self, other: Tensor, assign: bool = False) -> Tensor:
        """What load_state_dict swaps into this parameter or buffer under lazygrad.__future__'s swapping: other
        itself (detached) with assign, else this tensor's copy of it."""
        return other.detach() if assign else self.copy_(other).detach()

    def __array__(self, dtype=None, copy=None):
        """As torch: numpy() (so a tensor on a GPU or one requiring grad raises)."""
        arr = self.numpy()
        return arr.astype(dtype, copy=False) if dtype is not None else arr

    def __array_wrap__(self, array, context=None, return_scalar=False):
        """A NumPy ufunc's result on a tensor (np.exp(x), x + an ndarray) as a tensor, as torch wraps it (a bool
        result as uint8, torch's own workaround)."""
        from .creation import from_numpy
        array = np.asarray(array)
        return from_numpy(array.astype(np.uint8) if array.dtype == np.bool_ else array)

    @property
    def __array_interface__(self) -> dict:
        """NumPy's view of this tensor's memory (shared, and refused, like numpy())."""
        return self.numpy().__array_interface__

    def __bool__(self) -> bool:
        if self.numel() == 0:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
        if self.numel() != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def _real_item(self, c_type: str):
        """The one value as a real number (a complex one only when its imaginary part is 0, as in torch)."""
        if self.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        value = self.item()
        if isinstance(value, complex):
            if value.imag:
                raise RuntimeError(f"value cannot be converted to type {c_type} without overflow")
            value = value.real
        return value

    def __float__(self) -> float:
        self._warn_detached()
        return float(self._real_item("double"))

    def _warn_detached(self) -> None:
        """torch's warning, once a process, when float() or complex() takes the value of a tensor that requires
        grad with grad mode on."""
        from .autograd import grad_mode
        if self._requires_grad and grad_mode.STATE.enabled and not _WARNED_SCALAR:
            _WARNED_SCALAR.append(True)
            warn_at_caller("Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
                           "Consider using tensor.detach() first.")

    def __int__(self) -> int:
        return int(self._real_item("int64_t"))

    def __complex__(self) -> complex:
        self._warn_detached()
        if self.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return complex(self.item())

    def __index__(self) -> int:
        if self.dtype.kind not in "uib" or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __contains__(self, element) -> bool:
        """Whether any element equals element (a tensor or a number), as torch answers `x in tensor`."""
        if isinstance(element, (Tensor, *NUMBER_TYPES)):
            return bool((element == self).any().item())
        raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a {type(element)}.")

    def __iter__(self) -> Iterator[Tensor]:
        if not self._shape:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._shape[0]))

    def __repr__(self, *, tensor_contents=None) -> str:
        extras = []
        try:
            grad_fn = self.grad_fn
        except RuntimeError:  # (a view made under no_grad whose base was written since)
            grad_fn = "Invalid"
        if grad_fn is not None:
            extras.append(f"grad_fn=<{grad_fn if isinstance(grad_fn, str) else type(grad_fn).__name__}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if (tangent := tangent_of(self)) is not None:
            extras.append(f"tangent={tangent}")  # (a 0-d tangent formats as its value, as in torch)
        dt = self.dtype
        show = dt not in (get_default_dtype(), get_default_dtype().to_complex(), int64, bool_)
        device = self._storage.device if self.is_cuda else None
        return printing.format_tensor(self._values(), dt.name, show_dtype=show, device=device, extras=extras)

    __str__ = __repr__

    def __hash__(self) -> int:
        return id(self)

    def __format__(self, spec: str) -> str:
        """A 0-d tensor formats as its value (f"{t}" is "1.5", as in torch; a subclass prints itself)."""
        if self.dim() == 0 and (spec or type(self) is Tensor):
            return format(self.item(), spec)
        return object.__format__(self, spec) if spec else repr(self)


class _HookHandle:
    def __init__(self, tensor: Tensor, hook):
        self.tensor, self.hook = tensor, hook

    def remove(self) -> None:
        t = self.tensor
        if t.grad_fn is not None:
            hooks = t.grad_fn._pre_hooks.get(t._output_nr, [])
        else:
            hooks = t._hooks or []
        if self.hook in hooks:
            hooks.remove(self.hook)


class _ListHandle:
    """remove() takes the hook out of the list it was added to."""

    def __init__(self, hooks: list, hook):
        self.hooks, self.hook = hooks, hook

    def remove(self) -> None:
        if self.hook in self.hooks:
            self.hooks.remove(self.hook)


def _dim_argument(fn: str, dim) -> int:
    """size(dim) and stride(dim) take what torch's parser takes for an int (a NumPy integer, a 0-d int tensor)."""
    if type(dim) is int:
        return dim
    from .int_parameters import as_int, type_name
    number = as_int(dim)
    if number is None:
        raise TypeError(f"{fn}(): argument 'dim' (position 1) must be int, not {type_name(dim)}")
    return number


_WARNED_SCALAR: list = []  # (torch gives the warning of float() on a tensor requiring grad once a process)


def wrap_dim(dim: int, ndim: int) -> int:
    """A dim in range(ndim) from a possibly negative one; IndexError as torch raises."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim % n


def known_values(t: Tensor) -> np.ndarray | None:
    """t's values when they are computed already, else None: torch checks values (index ranges, weights,
    probabilities) at the op; a lazy value is not computed just to check it, but a constant is known."""
    if t._storage.is_realized:
        return np.asarray(t._values())
    node = t.lazy
    while node.op is Op.VIEW and node.arg.mask is None:
        node = node.srcs[0]
    if node.op is Op.CONST:
        return np.full(t._shape, node.arg, dtype=t.dtype.np)
    return None


def realize(*tensors: Tensor) -> None:
    """Compute the storages of all tensors in one schedule (so shared work is fused once)."""
    pending: dict[int, Storage] = {}
    for t in tensors:
        for part in t._parts():
            st = part._storage
            if not st.is_realized:
                pending[id(st)] = st
    if not pending:
        return
    realize_storages(list(pending.values()))


def realize_storages(storages: list[Storage], outer: frozenset[int] = frozenset()) -> None:
    """Compute pending storages, one schedule per device; an in-place update is computed into its
    storage's own buffer when safe. What still reads the old contents is computed first (from them),
    unless it is being realized already (`outer`, the storages of the realizations this one serves):
    then the update goes to a fresh buffer."""
    by_device: dict[str, list[Storage]] = {}
    for st in storages:
        if not st.is_realized:
            by_device.setdefault(st.device, []).append(st)
    for device, group in by_device.items():
        blockers = in_place_blockers(group)
        first = [st for st in blockers if id(st) not in outer]
        if first:
            realize_storages(first, outer | {id(st) for st in group})
        targets, seen = [], set()
        for st in group:  # storages with the same content (y.copy_(x)) get buffers of their own
            node = st.target()
            while id(node) in seen:
                node = graph.copy(node)
            seen.add(id(node))
            targets.append(node)
        free = own_buffers(group, [st for st in blockers if id(st) in outer])
        into = {id(node): free[id(st)] for st, node in zip(group, targets) if id(st) in free}
        runtime.realize_nodes(targets, into, device)
        for st, node in zip(group, targets):
            st.set_realized(runtime.on_device(node.buffer, device))

