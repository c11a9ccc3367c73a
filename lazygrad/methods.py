"""Tensor methods and operators: one table from method name to the function implementing it."""
from __future__ import annotations

from . import creation, elementwise as ew, indexing, inplace, interop, movement as mv, products, reductions as red
from . import diagonals, pointwise as pw, sampling, serialization, shapes, sorting, typed_storage
from . import scans, scatters, special_functions as sf, statistics, tensor_info
from . import arithmetic as ar, decompositions as dec, layouts, linalg as la, complex_numbers as cx
from . import deprecated, short_time_fourier
import inspect

import numpy as np

from .dtypes import (NUMBER_TYPES, DType, bfloat16, bool_, complex64, complex128, float16, float32, float64, int8,
                     int16, int32, int64, to_dtype, torch_name, uint8)
from .device import device as device_type
from .tensor import Tensor
from .legacy_types import legacy_storages
from .int_parameters import as_int, int_checked, int_list, spread_or_named
from .tensor_parameters import as_method, refuse, type_name
from .autograd import grad_mode
from .autograd.function import node_class
from .autograd.record import differentiable
from .warning_sites import warn_if_discarding_imaginary


def _operand_ok(other) -> bool:
    return isinstance(other, Tensor) or isinstance(other, NUMBER_TYPES)


def _operator(fn):
    """A binary operator: foreign operand types give NotImplemented, so Python raises its own TypeError."""
    def method(self, other):
        return fn(self, other) if _operand_ok(other) else NotImplemented
    return method


def _power(self, other, modulo=None):
    """`**`; a three-argument pow() gives NotImplemented, so Python raises its TypeError, as torch's does."""
    return ew.pow(self, other) if modulo is None and _operand_ok(other) else NotImplemented


def _reversed(self: Tensor) -> Tensor:
    """reversed(x): x flipped along its first dim (a 0-d tensor is itself), as torch gives."""
    return self if self.ndim == 0 else self.flip(0)


def _equality(fn):
    """== and !=: an ndarray is compared as a tensor, elementwise (torch's rich comparison takes one too)."""
    def method(self, other):
        if isinstance(other, np.ndarray):
            other = creation.as_tensor(other)
        return fn(self, other) if _operand_ok(other) else NotImplemented
    return method


def _tensor_operator(method):
    """An operator whose other operand must be a tensor (`@`): anything else gives NotImplemented."""
    return lambda self, other: method(self, other) if isinstance(other, Tensor) else NotImplemented


def _reflect(fn):
    def method(self, other):
        return fn(other, self) if _operand_ok(other) else NotImplemented
    return method


def _reflected_div(self: Tensor, other):
    """`2 / x` as torch computes it: reciprocal(x) * 2 (its rounding, and its graph); `array / x` is
    reciprocal(x) * array, which NumPy computes and wraps as a tensor, as for torch's."""
    if isinstance(other, np.ndarray):
        return ew.reciprocal(self) * other
    return ew.mul(ew.reciprocal(self), other) if _operand_ok(other) else NotImplemented


def _invert(self: Tensor) -> Tensor:
    if self.dtype.is_floating_point:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return ew.logical_not(self) if self.dtype is bool_ else ew.bitwise_not(self)


_TO_SIGNATURES = ("(lazygrad.device device = None, lazygrad.dtype dtype = None, bool non_blocking = False, bool copy = "
                  "False, *, lazygrad.memory_format memory_format = None)",
                  "(lazygrad.dtype dtype, bool non_blocking = False, bool copy = False, *, lazygrad.memory_format "
                  "memory_format = None)",
                  "(Tensor tensor, bool non_blocking = False, bool copy = False, *, lazygrad.memory_format "
                  "memory_format = None)")


def _is_dtype(a) -> bool:
    return isinstance(a, DType) or (isinstance(a, type) and a in (bool, int, float, complex))


def to_arguments(args: tuple, dtype=None, device=None) -> tuple:
    """The (dtype, device) that to()'s positional arguments name: a tensor (both), a dtype, a device (a string, a
    device or an index); anything else is torch's invalid combination."""
    if dtype is not None and not _is_dtype(dtype):
        _refuse_to(args, dtype)
    for a in args:
        if isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, bool):  # (torch's parser reads True or False as the bool dtype)
            dtype = bool_
        elif _is_dtype(a):
            dtype = a
        elif isinstance(a, (str, int, device_type)):
            device = a
        else:
            _refuse_to(args, None)
    return dtype, device


def _refuse_to(args: tuple, dtype) -> None:
    from .int_parameters import _got
    named = {"dtype": dtype} if dtype is not None else {}
    raise TypeError(f"to() received an invalid combination of arguments - got ({_got(args, named)}), but expected "
                    "one of:\n" + "".join(f" * {s}\n" for s in _TO_SIGNATURES))


@differentiable("to")
def to(self: Tensor, *args, dtype=None, device=None, copy: bool = False, non_blocking: bool = False,
       memory_format=None, tensor: Tensor | None = None) -> Tensor:
    """to(dtype), to(device), to(tensor), to(device, dtype): self itself when nothing changes. A change of
    dtype stays lazy; a move between devices computes the value and copies it (laid out as torch lays
    out the copy)."""
    dtype, device = to_arguments(args + ((tensor,) if tensor is not None else ()), dtype, device)
    from . import graph
    from .tensor import normalize_device
    dev = normalize_device(device) if device is not None else self._storage.device
    dt = to_dtype(dtype) if dtype is not None else self.dtype
    fmt = memory_format
    unchanged = dt is self.dtype and dev == self._storage.device and not copy
    if unchanged and fmt is not None and fmt is layouts.suggested_format(self._shape, self._strides):
        return self  # (torch aliases a tensor already laid out as its suggested format)
    if fmt in layouts.CHANNELS_LAST or fmt is layouts.contiguous_format:
        moved = to(self, dtype=dt, device=dev, copy=copy, non_blocking=non_blocking)
        return mv.contiguous(moved, memory_format=fmt)
    if unchanged:
        return self
    if getattr(self, "uninitialized", False):  # a lazy layer's parameter: its future dtype and device change
        return type(self)(self.requires_grad, dev, dt)
    warn_if_discarding_imaginary(self.dtype.is_complex, dt.kind in "iuf")
    if dev == self._storage.device:
        return mv.like_layout(self, graph.cast(self.lazy, dt))  # (torch's preserve_format)
    return _move(self, dt, dev)


def _to_method(self: Tensor, *args, **kwargs) -> Tensor:
    """x.to(...): x.to(its own dtype) answered at once (self, as torch gives), the rest by `to`."""
    if not kwargs and len(args) == 1 and args[0] is self.dtype:
        return self
    return to(self, *args, **kwargs)


def _move(t: Tensor, dtype: DType, device: str) -> Tensor:
    from . import graph
    from .runtime import on_device
    from .storage import Storage
    from .tensor import realize
    src = mv.like_layout(t, graph.cast(t.lazy, dtype))
    realize(src)
    storage = Storage.from_buffer(on_device(src._storage.buffer, device), device)
    return Tensor._make(storage, src._shape, src._strides, src._offset)


def _cuda(self: Tensor, device=None, non_blocking: bool = False, memory_format=None) -> Tensor:
    return to(self, "cuda" if device is None else device if not isinstance(device, int) else f"cuda:{device}",
              memory_format=memory_format)


def type_(self: Tensor, dtype=None, non_blocking: bool = False):
    """x.type() is torch's exact string ('torch.FloatTensor': code compares against it); x.type(dtype) casts
    (non_blocking: copies here are synchronous)."""
    if dtype is None:
        return f"torch.{torch_name(self.dtype)}Tensor"
    from .legacy_types import dtype_of_type
    return to(self, dtype_of_type(dtype))


def _to_dense(self: Tensor, dtype=None, *, masked_grad=None) -> Tensor:
    """A dense tensor is its own dense form (cast where a dtype is given, as torch's)."""
    return self if dtype is None or to_dtype(dtype) is self.dtype else to(self, dtype)


# the casting methods: x.float() is x.to(float32)
CASTERS = {"float": float32, "double": float64, "half": float16, "bfloat16": bfloat16, "cfloat": complex64,
           "cdouble": complex128, "int": int32, "long": int64, "short": int16, "char": int8, "byte": uint8,
           "bool": bool_}


def _caster(dt: DType | None, name: str, device: str | None = None):
    """x.float(), x.int(), x.cpu(), ...: keyword memory_format only, as torch's parser."""
    def cast(self: Tensor, *args, memory_format=None) -> Tensor:
        if args:
            were = "was" if len(args) == 1 else "were"
            raise TypeError(f"{name}() takes 0 positional arguments but {len(args)} {were} given")
        return to(self, dtype=dt, device=device, memory_format=memory_format)
    cast.__name__ = name
    return cast


# binary ops whose in-place form torch refuses when the operands promote past the tensor's dtype, before it
# looks at the op itself: name -> whether the op computes integers in floating point
PROMOTING_INPLACE = {
    **dict.fromkeys(("add", "mul", "multiply", "floor_divide", "remainder", "fmod", "pow", "bitwise_and",
                     "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift", "gcd", "lcm"), False),
    "hypot": False,
    **dict.fromkeys(("div", "divide", "true_divide", "atan2", "arctan2", "copysign", "xlogy", "igamma", "igammac"),
                    True)}
# how an in-place op's tensor operands may share the written memory (inplace.apply's `overlap`; others:
# "partial"): the ops torch writes through positions refuse any overlap, the fills read a 0-d value as a number
OVERLAP_OF = {**dict.fromkeys(("scatter", "scatter_add", "scatter_reduce", "index_add", "index_copy", "put"), "any"),
              **dict.fromkeys(("masked_fill", "index_fill"), "numbers")}
# in-place forms torch refuses for some tensors whatever the other operands: name -> (which, message)
_REAL_ABS = (lambda dt: dt.is_complex, "In-place abs is not supported for complex tensors.")
REFUSED_INPLACE = {"abs": _REAL_ABS, "absolute": _REAL_ABS,
                   "ldexp": (lambda dt: dt.kind in "biu", "ldexp can't be cast to the desired output type {t}")}


def _inplace(fn, name: str | None = None):
    """x.op_(...) computes op and writes it back into x (keeping x's identity and storage)."""
    from .autograd.derivatives import READS_NO_INPUT
    reads_input = getattr(fn, "op", None) not in READS_NO_INPUT
    refused, refusal = REFUSED_INPLACE.get(name, (None, None))
    promoting, to_float = name in PROMOTING_INPLACE, PROMOTING_INPLACE.get(name)
    takes_numbers = len(getattr(fn, "tensor_parameters", ())) < 2  # (else the op refuses a number first)

    def refusals(self, args, kwargs) -> None:
        if not args or isinstance(args[0], Tensor) or takes_numbers:  # (else the op's TypeError comes first)
            if promoting and args:  # (a division with a rounding mode stays integral)
                inplace.check_promotion(self, args[0], to_float and kwargs.get("rounding_mode") is None)
            if name in ("clamp", "clip", "clamp_min", "clamp_max"):
                inplace.check_clamp_promotion(self, *args, complex_refused=name != "clamp" and name != "clip",
                                              **kwargs)
            if refused and refused(self.dtype):
                raise RuntimeError(refusal.format(t=torch_name(self.dtype)))

    overlap = OVERLAP_OF.get(name, "partial")

    def method(self, *args, **kwargs):
        return inplace.apply(self, fn, *args, reads_input=reads_input, before=lambda: refusals(self, args, kwargs),
                             overlap=overlap, **kwargs)
    return method


def _inplace_operator(fn, name: str):
    method = _inplace(fn, name)
    return lambda self, other: method(self, other) if _operand_ok(other) else NotImplemented


def _fill(self: Tensor, value) -> Tensor:
    return inplace.apply(self, inplace.filled, inplace.fill_value(self, value), reads_input=False, overlap="numbers")


def _copy(self: Tensor, other: Tensor, non_blocking: bool = False) -> Tensor:
    if isinstance(other, NUMBER_TYPES):
        other = creation.tensor(other)  # (torch's parser makes a tensor of a number here)
    elif not isinstance(other, Tensor):
        refuse("copy_", "other", other, 1)
    return inplace.apply(self, inplace.copied, other, reads_input=False)


def _split(self: Tensor, split_size, dim: int = 0) -> tuple:
    """The method's parameter is split_size where torch.split's is split_size_or_sections."""
    return mv.split(self, split_size, dim)


def _setitem(self: Tensor, index, value) -> None:
    indexing.setitem(self, index, value)


def _index_put_(self: Tensor, indices, values, accumulate: bool = False) -> Tensor:
    return inplace.apply(self, indexing.index_put, indexing.index_tensors(indices, "index_put_", 1), values,
                         accumulate, reads_input=False, overlap="any")


def _float_power_(self: Tensor, exponent) -> Tensor:
    """float_power computes in double (complex double with a complex operand), so only a tensor of that dtype
    can hold it in place."""
    complex_ = self.dtype.is_complex or (exponent.dtype.is_complex if isinstance(exponent, Tensor)
                                         else isinstance(exponent, complex))
    needed = complex128 if complex_ else float64
    if self.dtype is not needed:
        raise RuntimeError(f"the base given to float_power_ has dtype {torch_name(self.dtype)} but the operation's "
                           f"result requires dtype {torch_name(needed)}")
    return inplace.apply(self, ew.float_power, exponent)


def _bernoulli_(self: Tensor, p=0.5, *, generator=None) -> Tensor:
    """Fills self with samples (self's values are not read)."""
    return inplace.apply(self, sampling.bernoulli_fill, p, generator=generator, reads_input=False)


def _cumulative_inplace(fn):
    """x.cumsum_(dim) and x.cumprod_(dim): the scan written back, in x's own dtype."""
    method = _inplace(fn)

    def cumulative_(self, dim: int, *, dtype=None):
        scans.check_in_place_dtype(self, dtype)
        return method(self, dim)
    return cumulative_


def _unsafe_split(self: Tensor, split_size: int, dim: int = 0) -> tuple:
    shapes.check_split_size(split_size, 1)
    return shapes.unsafe_split(self, split_size, dim)


# x.greater_(y) and the others: the comparison written as 0 or 1 in x's dtype, recorded as torch records it
_COMPARISON_ALIASES = {"eq": "eq", "ne": "ne", "lt": "lt", "le": "le", "gt": "gt", "ge": "ge", "greater": "gt",
                       "greater_equal": "ge", "less": "lt", "less_equal": "le", "not_equal": "ne"}


def _view_inplace(fn, node):
    """x.t_(), x.unsqueeze_(d), ...: x itself becomes the view (metadata only, its version bumped as torch's),
    its node named as torch names the in-place form (node(args): TransposeBackward1 for transpose_, ...)."""
    signature = inspect.signature(fn)

    def method(self, *args, **kwargs):
        if kwargs:  # (by torch's names: x.transpose_(dim0=0, dim1=1))
            args = signature.bind(self, *args, **kwargs).args[1:]
        if grad_mode.STATE.enabled and not self._untracked:
            inplace.check_autograd_write(self)
        v = fn(self, *args)
        self._shape, self._strides, self._offset, self._epoch = v._shape, v._strides, v._offset, -1
        self._storage.version += 1  # (as torch's counter: saved copies of the tensor are stale now)
        if v._grad_fn is not None:  # (recorded: the view's history is current; else re-derived when next read)
            self._view_version = self._storage.version
            v._grad_fn.__class__ = node_class(node(args), type(v._grad_fn)._formula)
            old = self._grad_fn, self._output_nr
            self._grad_fn, self._output_nr = v._grad_fn, v._output_nr
            self._move_retained(*old)
        return self
    return method


def _transposed_in_place(self: Tensor) -> Tensor:
    if self.ndim > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
    return mv.t_(self)


def _squeeze_node(args) -> str:
    """squeeze_() is SqueezeBackward3, squeeze_(dim) 4, squeeze_(dims) 5."""
    return "SqueezeBackward3" if not args else "SqueezeBackward5" if isinstance(args[0], (tuple, list)) \
        else "SqueezeBackward4"


def _module_load(self: Tensor, other: Tensor, assign: bool = False) -> Tensor:
    """What load_state_dict makes of `other` for this parameter or buffer when it swaps them in: other
    itself (detached) with assign=True, else self with other's values copied in (detached)."""
    return other.detach() if assign else self.copy_(other).detach()


def _delitem(self: Tensor, index) -> None:
    raise TypeError("Tensor does not support deleting items")


def _share_memory_(self: Tensor) -> Tensor:
    """Marks the memory shared, as torch reports it (lazygrad shares no memory between processes)."""
    typed_storage.UntypedStorage._of(self._storage).share_memory_()
    return self


def _pin_memory(self: Tensor, device=None) -> Tensor:
    """Page-locked memory speeds copies to a GPU. Without one torch refuses, and so does this; with one the
    result is a contiguous copy in lazygrad's ordinary host memory (is_pinned stays False)."""
    from .accelerator import require
    require()
    return self.contiguous().clone()


def _requires_grad_(self: Tensor, requires_grad: bool = True) -> Tensor:
    if requires_grad and self.dtype.kind not in "fc":  # (torch's message here leaves complex out)
        raise RuntimeError("only Tensors of floating point dtype can require gradients")
    self.requires_grad = requires_grad
    return self


def _set_data(self: Tensor, value: Tensor) -> None:
    """x.data = y: x takes y's storage and view, keeping its own autograd identity."""
    if not isinstance(value, Tensor):
        raise TypeError(f"Variable data has to be a tensor, but got {type_name(value)}")
    if self.requires_grad and not (value.dtype.is_floating_point or value.dtype.is_complex):
        raise RuntimeError("data set to a tensor that requires gradients must be floating point or complex dtype")
    for name in ("_storage", "_shape", "_strides", "_offset", "_node", "_epoch"):
        setattr(self, name, getattr(value, name))


def _data(self: Tensor) -> Tensor:
    """x.data: the same storage, cut from the graph, whose writes autograd does not see (torch's .data)."""
    out = self.detach()
    out._untracked = True
    return out


# the ops whose in-place form `name_` torch offers
def _fill_diagonal_(self: Tensor, fill_value, wrap: bool = False) -> Tensor:
    """Write fill_value on the main diagonal (all dims of one size, or a matrix; a tall matrix's diagonal
    restarts after a skipped row when wrap), through strided views of self, as torch writes it (so autograd
    records the writes into a view: CopySlices, and a leaf is refused as a view of one)."""
    if self.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if self.ndim > 2 and len(set(self.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    height, width = self.shape[0], self.shape[1]
    stride, size = sum(self._strides), min(height, width)
    mv.as_strided(self, (size,), (stride,), self._offset).fill_(fill_value)
    if wrap and self.ndim == 2 and height > width + 1:
        step = width + 1
        wrapped = (self.numel() + step - 1) // step - size
        mv.as_strided(self, (wrapped,), (stride,), self._offset + self._strides[0] * step).fill_(fill_value)
    return self


def _apply_(self: Tensor, callable) -> Tensor:
    """callable on every element, in place (CPU tensors, computed now, as in torch)."""
    return _map_(self, self, lambda a, b: callable(a))


def _map_(self: Tensor, other: Tensor, callable) -> Tensor:
    """callable(self element, other element) for every element, in place (other broadcast to self)."""
    import numpy as np
    from .creation import tensor
    if self.device.type != "cpu":
        raise TypeError("apply_ and map_ are only implemented on CPU tensors")
    mine = self.detach().numpy().reshape(-1).tolist()
    theirs = np.broadcast_to(other.detach().numpy(), self.shape).reshape(-1).tolist()
    values = [callable(a, b) for a, b in zip(mine, theirs)]
    with grad_mode.no_grad():
        return self.copy_(tensor(values, dtype=self.dtype).reshape(self.shape))


def _map2_(self: Tensor, x: Tensor, y: Tensor, callable) -> Tensor:
    """callable(self element, x element, y element) for every element, in place (x and y broadcast to self)."""
    import numpy as np
    from .creation import tensor
    for name, other in (("x", x), ("y", y)):
        if other.dtype is not self.dtype:
            raise TypeError(f"map2_: expected {self.type()} for argument '{name}' (got {other.type()})")
    operands = [t.detach().expand(self.shape).numpy().reshape(-1).tolist() for t in (self, x, y)]
    values = [callable(a, b, c) for a, b, c in zip(*operands)]
    with grad_mode.no_grad():
        return self.copy_(tensor(np.array(values), dtype=self.dtype).reshape(self.shape))


def _as_subclass(self: Tensor, cls: type) -> Tensor:
    """self's data as an instance of cls (a Tensor subclass): an alias, attached to self's graph as torch's
    AliasBackward0 node attaches it. Ops on it return plain tensors (lazygrad has no __torch_function__)."""
    if not (isinstance(cls, type) and issubclass(cls, Tensor)):
        raise TypeError("Creating a Tensor subclass from a class that does not inherit from Tensor is not possible. "
                        "Make sure your class inherits from Tensor.")
    alias = indexing.getitem(self, ...)
    out = cls._make(alias._storage, alias._shape, alias._strides, alias._offset)
    for name in ("_requires_grad", "_grad_fn", "_output_nr", "_base", "_view_version", "_created_in"):
        setattr(out, name, getattr(alias, name))
    return out


def _new(self: Tensor, *args, **kwargs) -> Tensor:
    """The legacy constructor: sizes give an uninitialized tensor, data a copy, like self's dtype and device."""
    if len(args) == 1 and not isinstance(args[0], int):
        return creation.new_tensor(self, args[0], **kwargs)
    return creation.new_empty(self, args or (0,), **kwargs)


def _flip(self: Tensor, *spread, dims=None) -> Tensor:
    """x.flip(0, 1) as x.flip((0, 1)): the method takes its dims spread out too."""
    spread = spread_or_named(spread, dims, "flip", "dims")
    one = len(spread) == 1 and as_int(spread[0]) is None
    return mv.flip(self, int_list(spread[0] if one else spread, "flip", "dims", 1))


INPLACE_OF = {
    "add": ew.add, "sub": ew.sub, "subtract": ew.sub, "mul": ew.mul, "multiply": ew.mul, "div": ew.div,
    "divide": ew.div, "true_divide": ew.true_divide, "floor_divide": ew.floor_divide, "remainder": ew.remainder,
    "fmod": ew.fmod, "pow": ew.pow, "neg": ew.neg, "negative": ew.neg,
    "abs": ew.abs, "absolute": ew.abs, "sign": ew.sign, "square": ew.square, "reciprocal": ew.reciprocal,
    "rsqrt": ew.rsqrt, "sigmoid": ew.sigmoid, "relu": ew.relu, "clamp": ew.clamp, "clip": ew.clamp,
    "clamp_min": ew.clamp_min, "clamp_max": ew.clamp_max, "atan2": ew.atan2, "arctan2": ew.atan2,
    "lerp": ew.lerp, "nan_to_num": ew.nan_to_num, "logical_and": ew.logical_and, "logical_or": ew.logical_or,
    "logical_xor": ew.logical_xor, "logical_not": ew.logical_not, "bitwise_and": ew.bitwise_and,
    "bitwise_or": ew.bitwise_or, "bitwise_xor": ew.bitwise_xor, "bitwise_not": ew.bitwise_not,
    "bitwise_left_shift": ew.bitwise_left_shift, "bitwise_right_shift": ew.bitwise_right_shift,
    **{name: getattr(ew, name) for name in ew.UNARY},
    "arcsin": ew.asin, "arccos": ew.acos, "arctan": ew.atan,
    "masked_fill": indexing.masked_fill, "index_fill": indexing.index_fill, "round": ew.round,
    "addcmul": ew.addcmul, "addcdiv": ew.addcdiv, "scatter": indexing.scatter, "scatter_add": indexing.scatter_add,
    "index_add": indexing.index_add, "scatter_reduce": indexing.scatter_reduce, "index_reduce": indexing.index_reduce,
    "index_copy": indexing.index_copy, "put": indexing.put, "masked_scatter": indexing.masked_scatter,
    "acosh": pw.acosh_, "asinh": pw.asinh_, "atanh": pw.atanh_, "arccosh": pw.acosh_, "arcsinh": pw.asinh_,
    "arctanh": pw.atanh_, "hypot": pw.hypot, "deg2rad": pw.deg2rad, "rad2deg": pw.rad2deg, "frac": pw.frac,
    "erfc": pw.erfc, "xlogy": pw.xlogy, "logit": pw.logit, "sinc": pw.sinc, "copysign": pw.copysign, "sgn": cx.sgn,
    "heaviside": pw.heaviside, "tril": diagonals.tril, "triu": diagonals.triu, "addmm": products.addmm,
    "addmv": products.addmv, "addbmm": products.addbmm, "baddbmm": products.baddbmm, "addr": products.addr,
    "fix": ew.trunc, "renorm": red.renorm, "lgamma": sf.lgamma, "digamma": sf.digamma, "erfinv": sf.erfinv,
    "i0": sf.i0, "mvlgamma": sf.mvlgamma, "gcd": ar.gcd, "lcm": ar.lcm, "ldexp": ar.ldexp, "igamma": sf.gammainc,
    "igammac": sf.gammaincc,
    "nextafter": ar.nextafter,
}

METHODS = {
    # arithmetic and comparison operators
    "__add__": _operator(ew.add), "__radd__": _operator(ew.add), "__sub__": _operator(ew.sub),
    "__rsub__": _reflect(ew.sub), "__mul__": _operator(ew.mul), "__rmul__": _operator(ew.mul),
    "__truediv__": _operator(ew.div), "__rtruediv__": _reflected_div, "__floordiv__": _operator(ew.floor_divide),
    "__rfloordiv__": _reflect(ew.floor_divide), "__mod__": _operator(ew.remainder),
    "__rmod__": _reflect(ew.remainder), "__pow__": _power, "__rpow__": _reflect(ew.pow),
    "__neg__": ew.neg, "__pos__": pw.positive, "__abs__": ew.abs, "__invert__": _invert,
    "__and__": _operator(ew.bitwise_and), "__rand__": _reflect(ew.bitwise_and), "__or__": _operator(ew.bitwise_or),
    "__ror__": _reflect(ew.bitwise_or), "__xor__": _operator(ew.bitwise_xor), "__rxor__": _reflect(ew.bitwise_xor),
    "__lshift__": _operator(ew.bitwise_left_shift), "__rlshift__": _reflect(ew.bitwise_left_shift),
    "__rshift__": _operator(ew.bitwise_right_shift), "__rrshift__": _reflect(ew.bitwise_right_shift),
    "__eq__": _equality(ew.eq), "__ne__": _equality(ew.ne), "__lt__": _operator(ew.lt), "__le__": _operator(ew.le),
    "__gt__": _operator(ew.gt), "__ge__": _operator(ew.ge),
    "__matmul__": _tensor_operator(products.matmul), "__rmatmul__": _tensor_operator(_reflect(products.matmul)),
    "__getitem__": indexing.getitem, "__setitem__": _setitem, "__reversed__": _reversed, "__dlpack__": interop.dlpack,
    "__dlpack_device__": interop.dlpack_device,
    **{f"__i{operator}__": _inplace_operator(INPLACE_OF[name], name) for operator, name in (
        ("add", "add"), ("sub", "sub"), ("mul", "mul"), ("truediv", "div"), ("floordiv", "floor_divide"),
        ("mod", "remainder"), ("pow", "pow"), ("and", "bitwise_and"), ("or", "bitwise_or"), ("xor", "bitwise_xor"),
        ("lshift", "bitwise_left_shift"), ("rshift", "bitwise_right_shift"), ("div", "div"))},
    # Python 2's names, which torch's Tensor still has
    "__div__": _operator(ew.div), "__rdiv__": _reflected_div, "__long__": lambda self: int(self),
    "__nonzero__": lambda self: bool(self), "__delitem__": _delitem,
    # conversions
    "to": _to_method, "type": type_, **{name: _caster(dt, name) for name, dt in CASTERS.items()},
    "requires_grad_": _requires_grad_,
    "cpu": _caster(None, "cpu", "cpu"), "cuda": _cuda,
    "data": property(_data, lambda self, value: _set_data(self, value)),
    "contiguous": mv.contiguous, "clone": mv.clone,
    # views and movement
    "view": mv.view, "view_as": lambda self, other: mv.view(self, other._shape), "reshape": mv.reshape,
    "reshape_as": lambda self, other: mv.reshape(self, other._shape), "permute": mv.permute,
    "transpose": mv.transpose, "swapaxes": mv.swapaxes, "swapdims": mv.transpose, "t": mv.t_,
    "expand": mv.expand, "expand_as": mv.expand_as, "broadcast_to": mv.broadcast_to, "unsqueeze": mv.unsqueeze,
    "squeeze": mv.squeeze, "flatten": mv.flatten, "unflatten": mv.unflatten, "narrow": mv.narrow,
    "select": mv.select, "diagonal": mv.diagonal, "flip": _flip, "repeat": mv.repeat, "tile": mv.tile,
    "split": _split, "chunk": mv.chunk, "unbind": mv.unbind, "unfold": mv.unfold, "narrow_copy": mv.narrow_copy,
    "split_with_sizes": shapes.split_with_sizes, "unsafe_split": _unsafe_split,
    "unsafe_chunk": shapes.unsafe_chunk, "sum_to_size": shapes.sum_to_size, "select_scatter": scatters.select_scatter,
    "slice_scatter": scatters.slice_scatter, "diagonal_scatter": scatters.diagonal_scatter,
    "as_strided_scatter": scatters.as_strided_scatter,
    "index_select": indexing.index_select, "take": indexing.take, "gather": indexing.gather,
    "bincount": indexing.bincount, "take_along_dim": indexing.take_along_dim,
    "masked_select": indexing.masked_select,
    "nonzero": indexing.nonzero, "masked_fill": indexing.masked_fill, "index_fill": indexing.index_fill,
    "index_put": lambda self, indices, values, accumulate=False: indexing.index_put(
        self, indexing.index_tensors(indices, "index_put", 1), values, accumulate),
    "as_strided": mv.as_strided, "scatter": indexing.scatter, "scatter_add": indexing.scatter_add,
    "scatter_reduce": indexing.scatter_reduce, "index_reduce": indexing.index_reduce,
    "index_copy": indexing.index_copy, "put": indexing.put, "masked_scatter": indexing.masked_scatter,
    "index_add": indexing.index_add,
    "movedim": mv.movedim, "moveaxis": mv.movedim, "ravel": mv.ravel, "roll": mv.roll, "flipud": mv.flipud,
    "fliplr": mv.fliplr, "rot90": mv.rot90, "type_as": lambda self, other: to(self, other),
    "diag": diagonals.diag, "diag_embed": diagonals.diag_embed, "diagflat": diagonals.diagflat,
    "trace": diagonals.trace, "tril": diagonals.tril, "triu": diagonals.triu, "tensor_split": shapes.tensor_split,
    "hsplit": shapes.hsplit, "vsplit": shapes.vsplit, "dsplit": shapes.dsplit, "diff": shapes.diff,
    "repeat_interleave": shapes.repeat_interleave,
    # ordering
    "sort": sorting.sort, "argsort": sorting.argsort, "msort": sorting.msort, "topk": sorting.topk,
    "kthvalue": sorting.kthvalue, "median": sorting.median, "nanmedian": sorting.nanmedian,
    "quantile": sorting.quantile, "nanquantile": sorting.nanquantile, "unique": sorting.unique,
    # reductions
    "nansum": pw.nansum, "nanmean": pw.nanmean,
    "hash_tensor": red.hash_tensor, "sum": red.sum, "mean": red.mean, "prod": red.prod, "max": red.max, "min": red.min, "amax": red.amax,
    "amin": red.amin, "argmax": red.argmax, "argmin": red.argmin, "all": red.all, "any": red.any,
    "var": red.var, "std": red.std, "logsumexp": red.logsumexp, "norm": red.norm, "cumsum": red.cumsum,
    "cumprod": red.cumprod, "count_nonzero": red.count_nonzero, "softmax": red.softmax,
    "log_softmax": red.log_softmax, "aminmax": red.aminmax, "renorm": red.renorm, "cummax": scans.cummax,
    "cummin": scans.cummin, "logcumsumexp": scans.logcumsumexp, "histc": statistics.histc, "cov": statistics.cov,
    "corrcoef": statistics.corrcoef,
    # products
    "dot": products.dot, "mv": products.mv, "mm": products.mm, "matmul": products.matmul, "bmm": products.bmm,
    "outer": products.outer, "kron": products.kron, "cross": products.legacy_cross, "dist": products.dist,
    "addmm": products.addmm, "addmv": products.addmv, "addbmm": products.addbmm, "baddbmm": products.baddbmm,
    "addr": products.addr,
    # factorizations
    "det": dec.det, "logdet": dec.logdet, "slogdet": dec.legacy_slogdet, "inverse": dec.inv,
    "cholesky": lambda self, upper=False: dec.legacy_cholesky(self, upper), "cholesky_solve": dec.cholesky_solve,
    "cholesky_inverse": dec.cholesky_inverse, "qr": dec.legacy_qr, "geqrf": dec.geqrf, "orgqr": la.householder_product, "svd": dec.legacy_svd, "pinverse": dec.pinverse,
    "matrix_power": lambda self, n: la.matrix_power(self, n), "matrix_exp": dec.matrix_exp,
    "triangular_solve": dec.triangular_solve, "lu": dec.legacy_lu, "lu_solve": dec.legacy_lu_solve,
    # elementwise
    "add": ew.add, "sub": ew.sub, "subtract": ew.sub, "mul": ew.mul, "multiply": ew.mul, "div": ew.div,
    "divide": ew.div, "true_divide": ew.true_divide, "floor_divide": ew.floor_divide, "remainder": ew.remainder,
    "fmod": ew.fmod, "pow": ew.pow, "neg": ew.neg, "negative": ew.neg, "abs": ew.abs, "absolute": ew.abs,
    "sign": ew.sign, "round": ew.round, "reciprocal": ew.reciprocal, "rsqrt": ew.rsqrt, "square": ew.square,
    "sigmoid": ew.sigmoid, "relu": ew.relu, "clamp": ew.clamp, "clip": ew.clamp, "clamp_min": ew.clamp_min,
    "clamp_max": ew.clamp_max, "maximum": ew.maximum, "minimum": ew.minimum, "atan2": ew.atan2,
    "arctan2": ew.atan2, "lerp": ew.lerp, "addcmul": ew.addcmul, "addcdiv": ew.addcdiv,
    "where": lambda self, condition, other: ew.where(condition, self, other),
    "eq": ew.eq, "ne": ew.ne, "lt": ew.lt, "le": ew.le, "gt": ew.gt, "ge": ew.ge, "greater": ew.gt,
    "greater_equal": ew.ge, "less": ew.lt, "less_equal": ew.le, "not_equal": ew.ne,
    "logical_and": ew.logical_and, "logical_or": ew.logical_or, "logical_xor": ew.logical_xor,
    "logical_not": ew.logical_not, "bitwise_and": ew.bitwise_and, "bitwise_or": ew.bitwise_or,
    "bitwise_xor": ew.bitwise_xor, "bitwise_not": ew.bitwise_not, "bitwise_left_shift": ew.bitwise_left_shift,
    "bitwise_right_shift": ew.bitwise_right_shift, "isnan": ew.isnan, "isinf": ew.isinf,
    "isfinite": ew.isfinite, "isposinf": ew.isposinf, "isneginf": ew.isneginf, "nan_to_num": ew.nan_to_num,
    **{name: getattr(ew, name) for name in ew.UNARY},
    "arcsin": ew.asin, "arccos": ew.acos, "arctan": ew.atan,
    "acosh": pw.acosh, "asinh": pw.asinh, "atanh": pw.atanh, "arccosh": pw.acosh, "arcsinh": pw.asinh,
    "arctanh": pw.atanh, "hypot": pw.hypot, "deg2rad": pw.deg2rad, "rad2deg": pw.rad2deg, "frac": pw.frac,
    "erfc": pw.erfc, "xlogy": pw.xlogy, "logit": pw.logit, "sinc": pw.sinc, "copysign": pw.copysign, "sgn": cx.sgn,
    "heaviside": pw.heaviside, "logaddexp": pw.logaddexp, "logaddexp2": pw.logaddexp2, "signbit": pw.signbit,
    "fmax": pw.fmax, "fmin": pw.fmin, "positive": pw.positive, "isclose": pw.isclose, "allclose": pw.allclose,
    "equal": pw.equal, "fix": ew.trunc, "lgamma": sf.lgamma, "digamma": sf.digamma,
    "polygamma": lambda self, n: sf.polygamma(n, self), "erfinv": sf.erfinv, "i0": sf.i0, "mvlgamma": sf.mvlgamma,
    "gcd": ar.gcd, "lcm": ar.lcm, "ldexp": ar.ldexp, "nextafter": ar.nextafter, "frexp": ar.frexp,
    "igamma": sf.gammainc, "igammac": sf.gammaincc,
    "angle": cx.angle, "float_power": ew.float_power, "inner": products.inner, "ger": products.ger,
    "vdot": products.vdot, "mode": statistics.mode, "histogram": statistics.histogram,
    "unique_consecutive": sorting.unique_consecutive, "fill_diagonal_": _fill_diagonal_, "apply_": _apply_,
    "map_": _map_, "new": _new,
    "map2_": _map2_, "as_subclass": _as_subclass, "nonzero_static": indexing.nonzero_static,
    "unsafe_split_with_sizes": shapes.unsafe_split_with_sizes, "slice_inverse": mv.slice_inverse,
    "reinforce": deprecated.reinforce, "resize": deprecated.resize, "resize_as": deprecated.resize_as, "solve": deprecated.solve,
    "lstsq": deprecated.lstsq, "eig": deprecated.eig, "symeig": deprecated.symeig, "ormqr": dec.ormqr,
    "is_distributed": tensor_info.is_distributed,
    # complex numbers
    "stft": short_time_fourier.stft, "istft": short_time_fourier.istft,
    "conj": cx.conj, "conj_physical": cx.conj_physical, "resolve_conj": cx.resolve, "resolve_neg": cx.resolve,
    "is_conj": cx.is_conj, "is_neg": cx.is_conj, "isreal": cx.isreal, "adjoint": cx.adjoint,
    "conj_physical_": _inplace(cx.conj_physical),
    "argwhere": indexing.nonzero, "to_dense": _to_dense, "share_memory_": _share_memory_,
    "const_data_ptr": lambda self: self.data_ptr(), "dim_order": lambda self, *, ambiguity_check=False: tuple(
        sorted(range(self.ndim), key=lambda d: (-self.stride(d), d))),
    "storage_type": lambda self: legacy_storages().get(f"{torch_name(self.dtype)}Storage"),  # (None for uint16/32/64)
    "is_pinned": lambda self, device=None: False,
    "pin_memory": _pin_memory,
    "is_shared": lambda self: typed_storage.UntypedStorage._of(self._storage).is_shared(),
    # questions answered with Python values
    "is_complex": tensor_info.is_complex, "is_signed": tensor_info.is_signed, "is_nonzero": tensor_info.is_nonzero,
    "is_same_size": tensor_info.is_same_size, "is_inference": tensor_info.is_inference,
    "is_set_to": tensor_info.is_set_to, "module_load": _module_load,
    "get_device": tensor_info.get_device,
    # random
    "bernoulli": sampling.bernoulli, "multinomial": sampling.multinomial,
    # in-place
    "zero_": _inplace(inplace.zeroed), "fill_": _fill, "copy_": _copy, "uniform_": _inplace(inplace.uniform),
    "normal_": _inplace(inplace.normal), "index_put_": _index_put_, "float_power_": _float_power_,
    "bernoulli_": _bernoulli_, "exponential_": _inplace(sampling.exponential_fill),
    "geometric_": _inplace(sampling.geometric_fill), "log_normal_": _inplace(sampling.log_normal_fill),
    "cauchy_": _inplace(sampling.cauchy_fill), "random_": _inplace(sampling.random_fill),
    "cumsum_": _cumulative_inplace(red.cumsum), "cumprod_": _cumulative_inplace(red.cumprod),
    "polygamma_": _inplace(sf.polygamma_value),
    **{alias + "_": _inplace(pw.COMPARED_IN_PLACE[op]) for alias, op in _COMPARISON_ALIASES.items()},
    **{name + "_": _inplace(as_method(fn, name + "_"), name) for name, fn in INPLACE_OF.items()},
    "t_": _view_inplace(_transposed_in_place, lambda args: "TBackward1"),
    **{name: _view_inplace(fn, lambda args: "TransposeBackward1")
       for name, fn in (("transpose_", mv.transpose), ("swapaxes_", mv.swapaxes), ("swapdims_", mv.swapdims))},
    "unsqueeze_": _view_inplace(mv.unsqueeze, lambda args: "UnsqueezeBackward1"),
    "squeeze_": _view_inplace(mv.squeeze, _squeeze_node),
    "as_strided_": _view_inplace(mv.as_strided, lambda args: "AsStridedBackward1"),
    # new_* creation
    "new_tensor": creation.new_tensor, "new_zeros": creation.new_zeros, "new_ones": creation.new_ones,
    "new_empty": creation.new_empty, "new_full": creation.new_full, "new_empty_strided": creation.new_empty_strided,
    # pickling and copying
    "__reduce_ex__": serialization.reduce_tensor, "__deepcopy__": serialization.deepcopy_tensor,
    # storage
    "storage": typed_storage.storage, "untyped_storage": typed_storage.untyped_storage, "set_": typed_storage.set_,
    "resize_": typed_storage.resize_, "resize_as_": typed_storage.resize_as_,
}

PROPERTIES = {"T": mv.T, "mT": mv.mT, "mH": cx.mH, "H": cx.H,
              "is_cpu": lambda self: self.device.type == "cpu", "layout": lambda self: layouts.strided,
              "output_nr": lambda self: self._output_nr if self.grad_fn is not None else 0,
              "name": lambda self: None,
              "_version": lambda self: self._storage.version,  # (shared by views, as torch's counter)
              **dict.fromkeys(("is_sparse", "is_sparse_csr", "is_quantized", "is_meta", "is_nested", "is_mkldnn",
                               "is_mps", "is_xpu", "is_ipu", "is_xla", "is_mtia", "is_maia", "is_vulkan"),
                              lambda self: False),
              "__cuda_array_interface__": interop.cuda_array_interface}

for _name, _fn in METHODS.items():
    setattr(Tensor, _name, int_checked(as_method(_fn, _name), _name, method=True))
for _name, _fn in PROPERTIES.items():
    setattr(Tensor, _name, property(_fn))
Tensor.real = property(cx.real, cx.set_real)
Tensor.imag = property(cx.imag, cx.set_imag)
