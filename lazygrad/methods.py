"""Tensor methods and operators: one table from method name to the function implementing it."""
from __future__ import annotations

from . import creation, elementwise as ew, indexing, inplace, linalg, movement as mv, reductions as red
import numbers

from .dtypes import (DType, bool_, can_cast, float16, float32, float64, int8, int16, int32, int64, to_dtype,
                     torch_name, uint8)
from .tensor import Tensor
from .autograd.record import differentiable


def _operand_ok(other) -> bool:
    return isinstance(other, (Tensor, bool, int, float)) or isinstance(other, numbers.Number)


def _operator(fn):
    """A binary operator: foreign operand types give NotImplemented, so Python raises its own TypeError."""
    def method(self, other):
        return fn(self, other) if _operand_ok(other) else NotImplemented
    return method


def _reflect(fn):
    def method(self, other):
        return fn(other, self) if _operand_ok(other) else NotImplemented
    return method


def _invert(self: Tensor) -> Tensor:
    if self.dtype.is_floating_point:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return ew.logical_not(self) if self.dtype is bool_ else ew.bitwise_not(self)


@differentiable("to")
def to(self: Tensor, *args, dtype=None, device=None, copy: bool = False, non_blocking: bool = False, **kw) -> Tensor:
    """to(dtype), to(device), to(tensor), to(device, dtype): self itself when nothing changes."""
    for a in args:
        if isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, DType) or a in (bool, int, float):
            dtype = a
        else:
            device = a
    if device is not None:
        from .tensor import normalize_device
        normalize_device(str(device))
    dt = to_dtype(dtype) if dtype is not None else self.dtype
    if dt is self.dtype and not copy:
        return self
    from . import graph
    out = Tensor._from_node(graph.cast(self.lazy, dt), self._storage.device)
    return out


def type_(self: Tensor, dtype=None):
    """x.type() is torch's exact string ('torch.FloatTensor': code compares against it); x.type(dtype) casts."""
    if dtype is None:
        return f"torch.{torch_name(self.dtype)}Tensor"
    return to(self, dtype)


def _caster(dt: DType):
    return lambda self, memory_format=None: to(self, dt)


def _inplace(fn):
    """x.op_(...) computes op and writes it back into x (keeping x's identity and storage)."""
    def method(self, *args, **kwargs):
        result = fn(self, *args, **kwargs)
        if not can_cast(result.dtype, self.dtype):
            raise RuntimeError(f"result type {torch_name(result.dtype)} can't be cast to the desired output type "
                               f"{torch_name(self.dtype)}")
        return inplace.assign(self, result)
    return method


def _inplace_operator(fn):
    method = _inplace(fn)
    return lambda self, other: method(self, other) if _operand_ok(other) else NotImplemented


def _fill(self: Tensor, value) -> Tensor:
    return inplace.assign(self, value.item() if isinstance(value, Tensor) else value)


def _copy(self: Tensor, src: Tensor, non_blocking: bool = False) -> Tensor:
    return inplace.assign(self, src)


def _setitem(self: Tensor, index, value) -> None:
    indexing.setitem(self, index, value)


def _requires_grad_(self: Tensor, requires_grad: bool = True) -> Tensor:
    self.requires_grad = requires_grad
    return self


def _set_data(self: Tensor, value: Tensor) -> None:
    """x.data = y: x takes y's storage and view, keeping its own autograd identity."""
    for name in ("_storage", "_shape", "_strides", "_offset", "_node", "_epoch"):
        setattr(self, name, getattr(value, name))


def _data(self: Tensor) -> Tensor:
    """x.data: the same storage, cut from the graph, whose writes autograd does not see (torch's .data)."""
    out = self.detach()
    out._untracked = True
    return out


METHODS = {
    # arithmetic and comparison operators
    "__add__": _operator(ew.add), "__radd__": _reflect(ew.add), "__sub__": _operator(ew.sub),
    "__rsub__": _reflect(ew.sub), "__mul__": _operator(ew.mul), "__rmul__": _reflect(ew.mul),
    "__truediv__": _operator(ew.div), "__rtruediv__": _reflect(ew.div), "__floordiv__": _operator(ew.floor_divide),
    "__rfloordiv__": _reflect(ew.floor_divide), "__mod__": _operator(ew.remainder),
    "__rmod__": _reflect(ew.remainder), "__pow__": _operator(ew.pow), "__rpow__": _reflect(ew.pow),
    "__neg__": ew.neg, "__pos__": lambda self: self, "__abs__": ew.abs, "__invert__": _invert,
    "__and__": _operator(ew.bitwise_and), "__rand__": _reflect(ew.bitwise_and), "__or__": _operator(ew.bitwise_or),
    "__ror__": _reflect(ew.bitwise_or), "__xor__": _operator(ew.bitwise_xor), "__rxor__": _reflect(ew.bitwise_xor),
    "__lshift__": _operator(ew.bitwise_left_shift), "__rlshift__": _reflect(ew.bitwise_left_shift),
    "__rshift__": _operator(ew.bitwise_right_shift), "__rrshift__": _reflect(ew.bitwise_right_shift),
    "__eq__": _operator(ew.eq), "__ne__": _operator(ew.ne), "__lt__": _operator(ew.lt), "__le__": _operator(ew.le),
    "__gt__": _operator(ew.gt), "__ge__": _operator(ew.ge),
    "__matmul__": linalg.matmul, "__rmatmul__": _reflect(linalg.matmul),
    "__getitem__": indexing.getitem, "__setitem__": _setitem,
    "__iadd__": _inplace_operator(ew.add), "__isub__": _inplace_operator(ew.sub),
    "__imul__": _inplace_operator(ew.mul), "__itruediv__": _inplace_operator(ew.div),
    "__ifloordiv__": _inplace_operator(ew.floor_divide), "__imod__": _inplace_operator(ew.remainder),
    "__ipow__": _inplace_operator(ew.pow), "__iand__": _inplace_operator(ew.bitwise_and),
    "__ior__": _inplace_operator(ew.bitwise_or), "__ixor__": _inplace_operator(ew.bitwise_xor),
    # conversions
    "to": to, "type": type_, "float": _caster(float32), "double": _caster(float64), "half": _caster(float16),
    "int": _caster(int32), "long": _caster(int64), "short": _caster(int16), "char": _caster(int8),
    "byte": _caster(uint8), "bool": _caster(bool_), "cpu": lambda self: self, "requires_grad_": _requires_grad_,
    "data": property(_data, lambda self, value: _set_data(self, value)),
    "contiguous": mv.contiguous, "clone": mv.clone,
    # views and movement
    "view": mv.view, "view_as": lambda self, other: mv.view(self, other._shape), "reshape": mv.reshape,
    "reshape_as": lambda self, other: mv.reshape(self, other._shape), "permute": mv.permute,
    "transpose": mv.transpose, "swapaxes": mv.transpose, "swapdims": mv.transpose, "t": mv.t_,
    "expand": mv.expand, "expand_as": mv.expand_as, "broadcast_to": mv.broadcast_to, "unsqueeze": mv.unsqueeze,
    "squeeze": mv.squeeze, "flatten": mv.flatten, "unflatten": mv.unflatten, "narrow": mv.narrow,
    "select": mv.select, "diagonal": mv.diagonal, "flip": mv.flip, "repeat": mv.repeat, "tile": mv.tile,
    "split": mv.split, "chunk": mv.chunk, "unbind": mv.unbind,
    "index_select": indexing.index_select, "gather": indexing.gather, "masked_select": indexing.masked_select,
    "nonzero": indexing.nonzero,
    # reductions
    "sum": red.sum, "mean": red.mean, "prod": red.prod, "max": red.max, "min": red.min, "amax": red.amax,
    "amin": red.amin, "argmax": red.argmax, "argmin": red.argmin, "all": red.all, "any": red.any,
    "var": red.var, "std": red.std, "logsumexp": red.logsumexp, "norm": red.norm, "cumsum": red.cumsum,
    "cumprod": red.cumprod, "count_nonzero": red.count_nonzero,
    # products
    "dot": linalg.dot, "mv": linalg.mv, "mm": linalg.mm, "matmul": linalg.matmul, "bmm": linalg.bmm,
    "outer": linalg.outer,
    # elementwise
    "add": ew.add, "sub": ew.sub, "subtract": ew.sub, "mul": ew.mul, "multiply": ew.mul, "div": ew.div,
    "divide": ew.div, "true_divide": ew.true_divide, "floor_divide": ew.floor_divide, "remainder": ew.remainder,
    "fmod": ew.fmod, "pow": ew.pow, "neg": ew.neg, "negative": ew.neg, "abs": ew.abs, "absolute": ew.abs,
    "sign": ew.sign, "round": ew.round, "reciprocal": ew.reciprocal, "rsqrt": ew.rsqrt, "square": ew.square,
    "sigmoid": ew.sigmoid, "relu": ew.relu, "clamp": ew.clamp, "clip": ew.clamp, "clamp_min": ew.clamp_min,
    "clamp_max": ew.clamp_max, "maximum": ew.maximum, "minimum": ew.minimum, "atan2": ew.atan2,
    "arctan2": ew.atan2, "lerp": ew.lerp, "where": lambda self, condition, other: ew.where(condition, self, other),
    "eq": ew.eq, "ne": ew.ne, "lt": ew.lt, "le": ew.le, "gt": ew.gt, "ge": ew.ge, "greater": ew.gt,
    "greater_equal": ew.ge, "less": ew.lt, "less_equal": ew.le, "not_equal": ew.ne,
    "logical_and": ew.logical_and, "logical_or": ew.logical_or, "logical_xor": ew.logical_xor,
    "logical_not": ew.logical_not, "bitwise_and": ew.bitwise_and, "bitwise_or": ew.bitwise_or,
    "bitwise_xor": ew.bitwise_xor, "bitwise_not": ew.bitwise_not, "bitwise_left_shift": ew.bitwise_left_shift,
    "bitwise_right_shift": ew.bitwise_right_shift, "isnan": ew.isnan, "isinf": ew.isinf,
    "isfinite": ew.isfinite, "isposinf": ew.isposinf, "isneginf": ew.isneginf, "nan_to_num": ew.nan_to_num,
    **{name: getattr(ew, name) for name in ew.UNARY},
    "arcsin": ew.asin, "arccos": ew.acos, "arctan": ew.atan,
    # in-place
    "zero_": lambda self: _fill(self, 0), "fill_": _fill, "copy_": _copy,
    "add_": _inplace(ew.add), "sub_": _inplace(ew.sub), "mul_": _inplace(ew.mul), "div_": _inplace(ew.div),
    "pow_": _inplace(ew.pow), "neg_": _inplace(ew.neg), "abs_": _inplace(ew.abs), "exp_": _inplace(ew.exp),
    "clamp_": _inplace(ew.clamp), "sqrt_": _inplace(ew.sqrt), "sigmoid_": _inplace(ew.sigmoid),
    "relu_": _inplace(ew.relu), "floor_": _inplace(ew.floor), "ceil_": _inplace(ew.ceil),
    "round_": _inplace(ew.round), "trunc_": _inplace(ew.trunc), "tanh_": _inplace(ew.tanh),
    "log_": _inplace(ew.log), "sin_": _inplace(ew.sin), "cos_": _inplace(ew.cos),
    # new_* creation
    "new_tensor": creation.new_tensor, "new_zeros": creation.new_zeros, "new_ones": creation.new_ones,
    "new_empty": creation.new_empty, "new_full": creation.new_full,
}

PROPERTIES = {"T": mv.T, "mT": mv.mT}

for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)
for _name, _fn in PROPERTIES.items():
    setattr(Tensor, _name, property(_fn))
