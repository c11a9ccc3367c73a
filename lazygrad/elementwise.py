"""Elementwise tensor ops: broadcasting, torch's type promotion, and the op tables behind them."""
from __future__ import annotations

import math
import numbers

import numpy as np

from . import deferred_checks, graph
from .dtype_info import scalar_in
from .dtypes import (C_NAMES, NUMBER_TYPES, SCALAR_C_TYPES, DType, bfloat16, bool_, complex128, float16, float32,
                     float64, get_default_dtype, opmath, python_scalar, result_type, torch_name, uint8)
from .graph import Node
from .int_parameters import type_name
from .ops import Op
from .tensor import Tensor, known_values
from .tensor_parameters import tensor_parameters
from .view import result_strides, torch_contiguous_strides
from .warning_sites import warn_at_caller
from .autograd.record import differentiable, takes_out



def _broadcast_two(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    if a == b:
        return tuple(a)
    ndim = max(len(a), len(b))
    out = []
    for i in reversed(range(ndim)):  # from the last dim, as torch reports the first mismatch it meets
        sa = a[len(a) - ndim + i] if len(a) - ndim + i >= 0 else 1
        sb = b[len(b) - ndim + i] if len(b) - ndim + i >= 0 else 1
        if sa != sb and sa != 1 and sb != 1:
            raise RuntimeError(f"The size of tensor a ({sa}) must match the size of tensor b ({sb}) "
                               f"at non-singleton dimension {i}")
        out.append(sb if sa == 1 else sa)
    return tuple(reversed(out))


def broadcast_shapes(*shapes) -> tuple[int, ...]:
    """numpy/torch broadcasting, pairwise as torch infers it, with torch's error naming the sizes."""
    out: tuple[int, ...] = ()
    for s in shapes:
        out = _broadcast_two(out, tuple(s))
    return out


def broadcast_node(node: Node, shape: tuple[int, ...]) -> Node:
    if node.shape == shape:
        return node
    if len(node.shape) < len(shape):
        node = graph.reshape(node, (1,) * (len(shape) - len(node.shape)) + node.shape)
    return graph.expand(node, shape)


def operand(x, dtype: DType, shape: tuple[int, ...]) -> Node:
    """x (tensor or Python scalar) as a node of dtype, broadcast to shape."""
    if isinstance(x, Tensor):
        return broadcast_node(graph.cast(x.lazy, dtype), shape)
    if not isinstance(x, NUMBER_TYPES):
        raise TypeError(f"unsupported operand type: {type(x).__name__}")
    return graph.const(x, dtype, shape)


# ops torch does not implement for bool tensors: op -> kernel name in torch's message
BOOL_UNSUPPORTED = {Op.FLOORDIV: "div_floor_cpu", Op.MOD: "remainder_cpu", Op.POW: "pow", Op.FLOOR: "floor_vml_cpu",
                    Op.CEIL: "ceil_vml_cpu", Op.ROUND: "round_vml_cpu", Op.TRUNC: "trunc_vml_cpu",
                    Op.ABS: "abs_cpu", Op.FMOD: "fmod_cpu", Op.SHL: "lshift_cpu", Op.SHR: "rshift_cpu"}


# ops torch does not implement for complex tensors: op -> (error class, message; {t} is torch's type name)
_NOT_FOR = "\"{k}\" not implemented for '{{t}}'"
COMPLEX_UNSUPPORTED = {
    **{op: (NotImplementedError, f"{op.value} is not supported for complex inputs")
       for op in (Op.FLOOR, Op.CEIL, Op.TRUNC)},
    **{op: (NotImplementedError, _NOT_FOR.format(k=kernel)) for op, kernel in (
        (Op.ROUND, "round_vml_cpu"), (Op.ERF, "erf_vml_cpu"), (Op.LT, "lt_cpu"), (Op.LE, "le_cpu"),
        (Op.GT, "gt_cpu"), (Op.GE, "ge_cpu"), (Op.FMOD, "fmod_cpu"), (Op.MOD, "remainder_cpu"),
        (Op.FLOORDIV, "div_floor_cpu"), (Op.ATAN2, "atan2_cpu"), (Op.AND, "bitwise_and_cpu"),
        (Op.OR, "bitwise_or_cpu"), (Op.XOR, "bitwise_xor_cpu"), (Op.SHL, "lshift_cpu"), (Op.SHR, "rshift_cpu"),
        (Op.NOT, "bitwise_not_cpu"))},
    Op.MAX: (RuntimeError, "maximum not implemented for complex tensors."),
    Op.MIN: (RuntimeError, "minimum not implemented for complex tensors."),
}


def _no_bool(op: Op, dt: DType, kernel: str | None = None) -> None:
    """torch's refusal of an op its kernels do not implement for bool or complex values."""
    if dt is bool_ and op in BOOL_UNSUPPORTED:
        raise NotImplementedError(f"\"{kernel or BOOL_UNSUPPORTED[op]}\" not implemented for 'Bool'")
    if dt.kind == "c" and op in COMPLEX_UNSUPPORTED:
        error, message = COMPLEX_UNSUPPORTED[op]
        raise error(message.format(t=torch_name(dt)))


def _check(x, name: str, param: str = "other", position: int = 2):
    """torch's parser refusal of an operand that is neither a tensor nor a number (a Fraction, a string)."""
    if not (isinstance(x, Tensor) or isinstance(x, NUMBER_TYPES)):
        raise TypeError(f"{name}(): argument '{param}' (position {position}) must be Tensor, not {type_name(x)}")


def _shape(x) -> tuple[int, ...]:
    return x._shape if isinstance(x, Tensor) else ()


def _device(*xs) -> str:
    if len(xs) == 2 and type(xs[0]) is Tensor and type(xs[1]) is Tensor \
            and xs[0]._storage.device == xs[1]._storage.device:
        return xs[0]._storage.device
    devices = list(dict.fromkeys(x._storage.device for x in xs if isinstance(x, Tensor)))  # in order met
    if len(devices) > 1:  # as in torch, a 0-d CPU tensor joins tensors on any device (as a scalar)
        devices = list(dict.fromkeys(x._storage.device for x in xs
                                     if isinstance(x, Tensor) and (x._shape or x._storage.device != "cpu")))
    if len(devices) > 1:
        a, b = devices[:2]
        raise RuntimeError("Expected all tensors to be on the same device, but found at least two devices, "
                           f"{a} and {b}!")
    return devices[0] if devices else "cpu"


def _result(node: Node, *inputs) -> Tensor:
    """A new tensor holding node, laid out as torch lays out an elementwise result of inputs (their order)."""
    return Tensor._from_node_laid_out(node, _layout(node.shape, inputs), _device(*inputs))


def _layout(shape: tuple[int, ...], inputs) -> tuple[int, ...] | None:
    """The result's strides (None: row-major)."""
    tensors = [x for x in inputs if isinstance(x, Tensor)]
    if all(x._strides == torch_contiguous_strides(x._shape) for x in tensors):
        return None
    return result_strides(shape, [(x._shape, x._strides) for x in tensors])


def _layout_of(a: Tensor, b: Tensor | None = None) -> tuple[int, ...] | None:
    """_layout of one tensor, or of two of one shape: row-major ones, the common case, decided at once."""
    row_major = torch_contiguous_strides(a._shape)
    if a._strides == row_major and (b is None or b._strides == row_major):
        return None
    return _layout(a._shape, (a,) if b is None else (a, b))


# Python numbers that never change a float tensor's dtype (bool is an int, but a type of its own here)
_PLAIN_SCALARS = (int, float)


# arithmetic whose torch kernels take a number (or a 0-d tensor of another dtype) as the second operand at its full
# float precision beside a float16/bfloat16 tensor: computed in float32 and rounded once, the number not rounded to
# the tensor's dtype first (a first operand, comparisons and the other ops round it, as torch's wrapped numbers are)
_FULL_PRECISION_NUMBER_OPS = frozenset({Op.MUL, Op.DIV, Op.FLOORDIV})
HALF_FLOATS = frozenset({float16, bfloat16})


def _as(t: Tensor, *dtypes: DType) -> Tensor:
    """t cast through each dtype in turn, skipping the casts it needs not (cheaper than no-op .to calls: an
    optimizer step makes many)."""
    for dtype in dtypes:
        if t.dtype is not dtype:
            t = t.to(dtype)
    return t


def _number_like(x, dtype: DType) -> bool:
    return (type(x) in _PLAIN_SCALARS or isinstance(x, NUMBER_TYPES) or
            (isinstance(x, Tensor) and x.ndim == 0 and x.dtype is not dtype))


def binary(op: Op, a, b, *, compute: DType | None = None, out_dtype: DType | None = None, name: str = "") -> Tensor:
    """a op b with broadcasting; compute is the dtype both operands are cast to (default: promoted)."""
    if type(a) is Tensor and type(b) is Tensor:  # the common case, decided at once: one shape, dtype, device
        sa, sb = a._storage, b._storage
        if a._shape == b._shape and sa.dtype is sb.dtype and compute in (None, sa.dtype) \
                and sa.device == sb.device and (sa.dtype.kind in "uif" or
                op not in (BOOL_UNSUPPORTED if sa.dtype is bool_ else COMPLEX_UNSUPPORTED)):
            return Tensor._from_node_laid_out(graph.alu(op, a.lazy, b.lazy, dtype=out_dtype), _layout_of(a, b),
                                              sa.device)
    if (type(b) in _PLAIN_SCALARS and type(a) is Tensor and a._storage.dtype.kind == "f"
            or type(a) in _PLAIN_SCALARS and type(b) is Tensor and b._storage.dtype.kind == "f") \
            and compute in (None, (a if type(a) is Tensor else b)._storage.dtype):
        t = a if type(a) is Tensor else b  # a float tensor and a Python number: the tensor's dtype, shape, device
        dt = t._storage.dtype
        if dt in HALF_FLOATS and op in _FULL_PRECISION_NUMBER_OPS and t is a:
            return _result(graph.cast(graph.alu(op, operand(a, float32, t._shape), operand(b, float32, t._shape)), dt),
                           t)
        left, right = (t.lazy, graph.const(b, dt, t._shape)) if t is a else (graph.const(a, dt, t._shape), t.lazy)
        return Tensor._from_node_laid_out(graph.alu(op, left, right, dtype=out_dtype), _layout_of(t),
                                          t._storage.device)
    a, b = python_scalar(a), python_scalar(b)
    _check(a, name or op.value, "input", 1)
    _check(b, name or op.value)
    shape = broadcast_shapes(_shape(a), _shape(b))
    dt = compute or result_type(a, b)
    _no_bool(op, dt)
    if dt in HALF_FLOATS and op in _FULL_PRECISION_NUMBER_OPS and _number_like(b, dt):
        return _result(graph.cast(graph.alu(op, operand(a, float32, shape), operand(b, float32, shape)), dt), a, b)
    node = graph.alu(op, operand(a, dt, shape), operand(b, dt, shape), dtype=out_dtype)
    return _result(node, a, b)


def _float_of(*xs) -> DType:
    """Integer inputs of true division and float-only functions become the default float dtype."""
    first = xs[0]
    if type(first) is Tensor and first._storage.dtype.kind == "f" and all(
            type(x) in _PLAIN_SCALARS or type(x) is Tensor and x._storage.dtype is first._storage.dtype for x in xs):
        return first._storage.dtype  # (a float tensor with numbers or tensors of its dtype: decided at once)
    dt = result_type(*xs)
    return dt if dt.kind in "fc" else get_default_dtype()


# ---- arithmetic --------------------------------------------------------------------------------

@differentiable("add")
def add(input, other, *, alpha=1, out=None) -> Tensor:
    if type(alpha) is not int or alpha != 1:
        return _out(_scaled(Op.ADD, input, other, alpha, "add"), out)
    return _out(binary(Op.ADD, input, other, name="add"), out)


def _scaled(op: Op, input, other, alpha, name: str) -> Tensor:
    """input + alpha * other (or -), torch's alpha checks first: for floats torch's kernel fuses the two steps (one
    multiply-add, FMA: sub adds -alpha * other), float16/bfloat16 in float32 with alpha in their dtype, rounded
    once. A number `other` is taken in the op's dtype, as torch's wrapped number is (-1 * 0 is -0.0 in floats:
    add(-0.0, 0, alpha=-1) is -0.0)."""
    _check_alpha(result_type(input, other), alpha)
    if isinstance(input, Tensor) and type(other) in _PLAIN_SCALARS and input.dtype.kind in "fc":
        other = Tensor._from_node(graph.const(other, result_type(input, other), ()), input._storage.device)
    dt = result_type(input, other) if isinstance(input, Tensor) and isinstance(other, Tensor) else None
    if dt in (float32, float64, *HALF_FLOATS):
        shape, wide = broadcast_shapes(input._shape, other._shape), opmath(dt)
        factor = graph.const(graph.normalize_scalar(alpha, dt) * (1 if op is Op.ADD else -1), wide, shape)
        fused = _fused_multiply_add(operand(other, wide, shape), factor, operand(input, wide, shape))
        return _result(graph.cast(fused, dt), input, other)
    if dt is not None and dt.kind in "fc" and other.dtype is not dt:
        other = other.to(dt)  # (alpha * other in the result's dtype: a float32 other times 2 may pass float's range)
    return binary(op, input, mul(other, alpha), name=name)


def _check_alpha(dtype: DType, alpha) -> None:
    """torch's refusals of an alpha the result's dtype cannot take."""
    if isinstance(alpha, bool) and dtype is not bool_:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if dtype.kind not in "fc" and not isinstance(alpha, numbers.Integral):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    if dtype.kind != "c" and isinstance(alpha, numbers.Complex) and not isinstance(alpha, numbers.Real):
        raise RuntimeError("For non-complex input tensors, argument alpha must not be a complex number.")


def subtract(input, other, *, alpha=1, out=None) -> Tensor:
    return sub(input, other, alpha=alpha, out=out)


BOOL_SUBTRACTION = ("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                    "`logical_xor()` operator instead.")


@differentiable("sub")
def sub(input, other, *, alpha=1, out=None) -> Tensor:
    bools = [x.dtype is bool_ if isinstance(x, Tensor) else isinstance(x, bool) for x in (input, other)]
    if all(bools):
        raise RuntimeError(BOOL_SUBTRACTION)
    if any(bools):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
                           "to invert a mask, use the `~` or `logical_not()` operator instead.")
    if type(alpha) is not int or alpha != 1:
        return _out(_scaled(Op.SUB, input, other, alpha, "sub"), out)
    return _out(binary(Op.SUB, input, other, name="sub"), out)


@differentiable("mul")
def mul(input, other, *, out=None) -> Tensor:
    return _out(binary(Op.MUL, input, other, name="mul"), out)


multiply = mul


@differentiable("div")
def div(input, other, *, rounding_mode=None, out=None) -> Tensor:
    if rounding_mode is None:
        return _out(binary(Op.DIV, input, other, compute=_float_of(input, other), name="div"), out)
    if rounding_mode == "floor":
        return _out(floor_divide(input, other), out)
    if rounding_mode == "trunc":
        dt = result_type(input, other)
        if dt.is_floating_point:
            return _out(trunc(binary(Op.DIV, input, other, compute=dt)), out)
        _no_bool(Op.FLOORDIV, dt, "div_trunc_cpu")
        divisor = _check_integer_divisor(input, other, Op.FLOORDIV)
        if not isinstance(other, Tensor):  # the divisor as the result type holds it (-3 is 253 in uint8)
            other = Tensor._from_node(graph.const(other, dt, ()))
        q = binary(Op.FLOORDIV, input, other)
        r = binary(Op.MOD, input, other)
        fix = logical_and(ne(r, 0), ne(lt(input, 0), lt(other, 0)))
        return _out(_zero_checked(where(fix, add(q, 1), q), divisor), out)
    raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'")


divide = div


def true_divide(input, other, *, out=None) -> Tensor:
    return div(input, other, out=out)


def _check_integer_divisor(input, other, op: Op) -> Tensor | None:
    """torch raises for integer division by zero (after the dtype's own check: bools have no division at all).
    A divisor whose values are known is checked now; a lazy one is returned, for the result to check when it is
    computed (_zero_checked)."""
    dt = result_type(input, other)
    _no_bool(op, dt)
    if dt.is_floating_point:
        return None
    values = known_values(other) if isinstance(other, Tensor) else np.asarray(other)
    if values is None:
        return other
    _no_zero(values)
    return None


def _no_zero(values: np.ndarray) -> None:
    if (values == 0).any():
        raise RuntimeError("ZeroDivisionError")


def _zero_checked(result: Tensor, divisor: Tensor | None) -> Tensor:
    """result, whose computation first checks that a lazy integer divisor holds no zero (deferred_checks)."""
    if divisor is not None:
        deferred_checks.defer(result.lazy, divisor, _no_zero)
    return result


def floor_divide(input, other, *, out=None) -> Tensor:
    divisor = _check_integer_divisor(input, other, Op.FLOORDIV)
    return _out(_zero_checked(binary(Op.FLOORDIV, input, other, name="floor_divide"), divisor), out)


@differentiable("remainder")
def remainder(input, other, *, out=None) -> Tensor:
    divisor = _check_integer_divisor(input, other, Op.MOD)
    return _out(_zero_checked(binary(Op.MOD, input, other, name="remainder"), divisor), out)


@differentiable("fmod")
def fmod(input, other, *, out=None) -> Tensor:
    """C's fmod: the remainder takes the dividend's sign."""
    divisor = _check_integer_divisor(input, other, Op.FMOD)
    return _out(_zero_checked(binary(Op.FMOD, input, other, name="fmod"), divisor), out)


# exponents torch computes with a cheaper, exact function (x**0.5 is sqrt, so (-inf)**0.5 is nan)
# the exponents torch's kernel computes by products and reciprocals (exact where pow's exp(y log x) is not); a
# float16 value takes those of _POW_SPECIAL_EVERY_DTYPE only (the rest is one float32 pow, rounded once)
_POW_SPECIAL = {2: lambda x: mul(x, x), 3: lambda x: mul(mul(x, x), x), 1: lambda x: binary(Op.MUL, x, 1),
                0.5: lambda x: sqrt(x), -0.5: lambda x: rsqrt(x), -1: lambda x: reciprocal(x),
                -2: lambda x: reciprocal(mul(x, x))}
_POW_SPECIAL_EVERY_DTYPE = (2, 1, 0.5, -0.5)


@differentiable("pow")
def pow(input, exponent, *, out=None) -> Tensor:
    if isinstance(input, Tensor) and input.dtype is bool_ and isinstance(exponent, bool):
        # torch's exponents 1 and 0 need no kernel, so a bool tensor takes True and False
        return _out(input.clone() if exponent else input.new_ones(input.shape), out)
    if isinstance(input, Tensor) and not isinstance(exponent, (Tensor, bool)):
        dt = result_type(input, exponent)
        if dt.kind in "uib" and isinstance(exponent, int) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        special = _POW_SPECIAL.get(exponent) if exponent in _POW_SPECIAL_EVERY_DTYPE or dt is not float16 else None
        if special is not None and dt is not bool_ and (dt.is_floating_point or isinstance(exponent, int)):
            return _out(special(input.to(dt)), out)
    return _out(binary(Op.POW, input, exponent, name="pow"), out)


def float_power(input, exponent, *, out=None) -> Tensor:
    """pow computed and returned in float64 (complex128 when either operand is complex), as torch does."""
    dt = complex128 if any(_dtype_of(x).is_complex for x in (input, exponent)) else float64
    a, b = (x.to(dt) if isinstance(x, Tensor) else x for x in (input, exponent))
    return _out(pow(a, b), out)


@tensor_parameters("input", "other")
@differentiable("atan2")
def atan2(input, other, *, out=None) -> Tensor:
    return _out(binary(Op.ATAN2, input, other, compute=_float_of(input, other)), out)


arctan2 = tensor_parameters("input", "other", name="arctan2")(atan2.__wrapped__)


@tensor_parameters("input", "other")
@differentiable("maximum")
def maximum(input, other, *, out=None) -> Tensor:
    return _out(binary(Op.MAX, input, other, name="maximum"), out)


@tensor_parameters("input", "other")
@differentiable("minimum")
def minimum(input, other, *, out=None) -> Tensor:
    return _out(binary(Op.MIN, input, other, name="minimum"), out)


def _dtype_of(x) -> DType:
    return x.dtype if isinstance(x, Tensor) else result_type(x)


# ---- comparisons and logic ------------------------------------------------------------------------

def _compare(op: Op, name: str):
    def fn(input, other, *, out=None) -> Tensor:
        return _out(binary(op, input, other, out_dtype=bool_, name=name), out)
    fn.__name__ = name
    return fn


eq, ne, lt, le, gt, ge = (_compare(op, n) for op, n in (
    (Op.EQ, "eq"), (Op.NE, "ne"), (Op.LT, "lt"), (Op.LE, "le"), (Op.GT, "gt"), (Op.GE, "ge")))
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _as_bool(x) -> Node:
    return graph.alu(Op.NE, x.lazy, graph.const(0, x.dtype, x._shape), dtype=bool_) if x.dtype is not bool_ else x.lazy


def _logical(op: Op, name: str):
    def fn(input: Tensor, other: Tensor, *, out=None) -> Tensor:
        shape = broadcast_shapes(input._shape, other._shape)
        node = graph.alu(op, broadcast_node(_as_bool(input), shape), broadcast_node(_as_bool(other), shape))
        return _out(_result(node, input, other), out)
    fn.__name__ = name
    return tensor_parameters("input", "other")(fn)


logical_and = _logical(Op.AND, "logical_and")
logical_or = _logical(Op.OR, "logical_or")
logical_xor = _logical(Op.XOR, "logical_xor")


def logical_not(input: Tensor, *, out=None) -> Tensor:
    return _out(_result(graph.alu(Op.NOT, _as_bool(input)), input), out)


def _bitwise(op: Op, name: str, kernel: str):
    def fn(input, other, *, out=None) -> Tensor:
        dt = result_type(input, other)
        if dt.kind in "fc":
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{torch_name(dt)}'")
        return _out(binary(op, input, other, name=name), out)
    fn.__name__ = name
    return fn


bitwise_and = _bitwise(Op.AND, "bitwise_and", "bitwise_and_cpu")
bitwise_or = _bitwise(Op.OR, "bitwise_or", "bitwise_or_cpu")
bitwise_xor = _bitwise(Op.XOR, "bitwise_xor", "bitwise_xor_cpu")
bitwise_left_shift = _bitwise(Op.SHL, "bitwise_left_shift", "lshift_cpu")
bitwise_right_shift = _bitwise(Op.SHR, "bitwise_right_shift", "rshift_cpu")


def bitwise_not(input: Tensor, *, out=None) -> Tensor:
    if input.dtype.kind in "fc":
        raise NotImplementedError(f"\"bitwise_not_cpu\" not implemented for '{torch_name(input.dtype)}'")
    return _out(_result(graph.alu(Op.NOT, input.lazy), input), out, "bitwise_not")


WHERE_BYTE_WARNING = ("where received a uint8 condition tensor. This behavior is deprecated and will be removed in a "
                      "future version of PyTorch. Use a boolean condition instead.")


@differentiable("where")
def where(condition: Tensor, input=None, other=None, *, out=None):
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        raise TypeError("where(): argument 'condition' must be Tensor")
    if condition.dtype is uint8:  # (torch still takes one, with its warning)
        warn_at_caller(WHERE_BYTE_WARNING)
        condition = condition.to(bool_)
    if condition.dtype is not bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{torch_name(condition.dtype)}")
    input, other = python_scalar(input), python_scalar(other)
    shape = broadcast_shapes(condition._shape, _shape(input), _shape(other))
    dt = result_type(input, other)
    node = graph.alu(Op.WHERE, broadcast_node(condition.lazy, shape), operand(input, dt, shape),
                     operand(other, dt, shape))
    return _out(_result(node, condition, input, other), out, "where")


# ---- unary ops ------------------------------------------------------------------------------------

# name -> (op, whether integer inputs become the default float dtype, as torch's float functions do)
UNARY = {
    "exp": (Op.EXP, True), "exp2": (Op.EXP2, True), "expm1": (Op.EXPM1, True), "log": (Op.LOG, True),
    "log2": (Op.LOG2, True), "log10": (Op.LOG10, True), "log1p": (Op.LOG1P, True), "sqrt": (Op.SQRT, True),
    "sin": (Op.SIN, True), "cos": (Op.COS, True), "tan": (Op.TAN, True), "asin": (Op.ASIN, True),
    "acos": (Op.ACOS, True), "atan": (Op.ATAN, True), "sinh": (Op.SINH, True), "cosh": (Op.COSH, True),
    "tanh": (Op.TANH, True), "erf": (Op.ERF, True), "abs": (Op.ABS, False), "floor": (Op.FLOOR, False),
    "ceil": (Op.CEIL, False), "trunc": (Op.TRUNC, False),
}


def unary(op: Op, x: Tensor, to_float: bool) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op.value}(): argument 'input' must be Tensor, not {type_name(x)}")
    dt = x.dtype
    if to_float and dt.kind not in "fc":
        dt = get_default_dtype()
    _no_bool(op, dt)
    # |z| of a complex z is real
    out_dtype = dt.to_real() if op is Op.ABS else None
    return Tensor._from_node_laid_out(graph.alu(op, graph.cast(x.lazy, dt), dtype=out_dtype), _layout_of(x),
                                      x._storage.device)


def _unary_fn(name: str, op: Op, to_float: bool):
    def fn(input: Tensor, *, out=None) -> Tensor:
        return _out(unary(op, input, to_float), out, name)
    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name} (lazy)."
    return differentiable(name)(fn)


_UNARY_FUNCTIONS = {name: _unary_fn(name, op, f) for name, (op, f) in UNARY.items()}
(exp, exp2, expm1, log, log2, log10, log1p, sqrt, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, erf, abs, floor,
 ceil, trunc) = (_UNARY_FUNCTIONS[name] for name in UNARY)
arcsin, arccos, arctan, absolute, fix = asin, acos, atan, abs, trunc


@differentiable("neg")
def neg(input: Tensor, *, out=None) -> Tensor:
    if input.dtype is bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.")
    return _out(unary(Op.NEG, input, False), out, "neg")


negative = neg


@differentiable("round")
def round(input: Tensor, *, decimals: int | None = None, out=None) -> Tensor:
    """Half to even. An integer tensor rounds to itself, unless decimals is given: torch then refuses it."""
    if decimals is not None and not input.dtype.is_floating_point:
        kernel = "round_vml_cpu" if decimals == 0 else "round_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{torch_name(input.dtype)}'")
    if not decimals:
        return _out(unary(Op.ROUND, input, False), out, "round")
    scale = 10.0 ** decimals
    return _out(div(unary(Op.ROUND, mul(input, scale), False), scale), out, "round")


@differentiable("sign")
def sign(input: Tensor, *, out=None) -> Tensor:
    if input.dtype is bool_:
        return _out(input.clone(), out, "sign")
    if input.dtype.is_complex:
        raise NotImplementedError("Unlike NumPy, torch.sign is not intended to support complex numbers. Please use "
                                  "torch.sgn instead.")
    pos = gt(input, 0).to(input.dtype)
    negv = lt(input, 0).to(input.dtype)
    return _out(binary(Op.SUB, pos, negv), out, "sign")


@differentiable("reciprocal")
def reciprocal(input: Tensor, *, out=None) -> Tensor:
    return _out(div(1, input if input.dtype.kind in "fc" else input.to(get_default_dtype())), out)


@differentiable("rsqrt")
def rsqrt(input: Tensor, *, out=None) -> Tensor:
    x = input if input.dtype.kind in "fc" else input.to(get_default_dtype())
    wide = _as(x, opmath(x.dtype))  # float16 and bfloat16 computed in float32 and rounded once, as torch does
    return _out(_as(div(1, sqrt(wide)), x.dtype), out)


def square(input: Tensor, *, out=None) -> Tensor:
    return _out(pow(input, 2), out)


@differentiable("sigmoid")
def sigmoid(input: Tensor, *, out=None) -> Tensor:
    x = input if input.dtype.kind in "fc" else input.to(get_default_dtype())
    wide = _as(x, opmath(x.dtype))  # float16 and bfloat16 computed in float32 and rounded once, as torch does
    return _out(_as(div(1, add(exp(neg(wide)), 1)), x.dtype), out)


@differentiable("relu")
def relu(input: Tensor) -> Tensor:
    """x < 0 ? 0 : x, so that -0.0 and NaN pass through as in torch."""
    if input.dtype is bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    if input.dtype.is_complex:
        raise NotImplementedError("clamp is not supported for complex types")
    return where(lt(input, 0), 0, input)


@differentiable("clamp")
def clamp(input: Tensor, min=None, max=None, *, out=None) -> Tensor:
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if input.dtype.is_complex:
        raise NotImplementedError("clamp is not supported for complex types")
    out_t, min, max = input, python_scalar(min), python_scalar(max)
    kinds = [type(b) for b in (min, max) if b is not None]
    if any(isinstance(b, Tensor) and b.ndim for b in (min, max)) and not all(issubclass(k, Tensor) for k in kinds):
        got = ["Tensor" if isinstance(b, Tensor) else type(b).__name__ for b in (min, max)]
        marked = ", ".join(f"!{g}!" for g in got)
        why = f"      didn't match because some of the arguments have invalid types: ({marked})\n"
        raise TypeError(f"clamp() received an invalid combination of arguments - got ({', '.join(got)}), but expected "
                        f"one of:\n * (Tensor min = None, Tensor max = None)\n{why} * (Number min = None, Number max = "
                        f"None)\n{why}")
    if isinstance(min, complex) or isinstance(max, complex):  # (a float's kernel reads a bound as a double)
        if input.dtype.is_floating_point:
            raise RuntimeError("value cannot be converted to type double without overflow")
        raise NotImplementedError("clamp is not supported for complex types")
    bounds = [b for b in (min, max) if isinstance(b, Tensor)]
    if bounds and (dt := result_type(input, *bounds)).is_complex:
        kernel = "clamp" if len(bounds) == 2 else "maximum" if min is not None else "minimum"
        raise NotImplementedError(f"\"{kernel}_cpu\" not implemented for '{torch_name(dt)}'")
    if not bounds and result_type(input, *(b for b in (min, max) if b is not None)) is bool_:  # (number bounds)
        kernel = "clamp" if min is not None and max is not None else "clamp_min" if min is not None else "clamp_max"
        raise NotImplementedError(f"\"{kernel}_scalar_cpu\" not implemented for 'Bool'")
    if min is not None:
        out_t = binary(Op.MAX, out_t, min, compute=result_type(input, min))
    if max is not None:
        out_t = binary(Op.MIN, out_t, max, compute=result_type(out_t, max))
    return _out(out_t, out, "clamp")


clip = clamp


def _one_sided_bound(input: Tensor, bound, kernel: str) -> None:
    """clamp_min/clamp_max refuse complex as torch's: a number by clamp's words, a tensor by its kernel's
    (maximum/minimum)."""
    if isinstance(bound, Tensor):
        dt = result_type(input, bound)
        if dt.is_complex:
            raise NotImplementedError(f"\"{kernel}_cpu\" not implemented for '{torch_name(dt)}'")
    elif isinstance(python_scalar(bound), complex) or input.dtype.is_complex:
        raise NotImplementedError("clamp is not supported for complex types")


@differentiable("clamp_min")
def clamp_min(input: Tensor, min) -> Tensor:
    _one_sided_bound(input, min, "maximum")
    return clamp(input, min=min)


@differentiable("clamp_max")
def clamp_max(input: Tensor, max) -> Tensor:
    _one_sided_bound(input, max, "minimum")
    return clamp(input, max=max)


def isnan(input: Tensor) -> Tensor:
    return _result(graph.alu(Op.ISNAN, input.lazy), input)


def isinf(input: Tensor) -> Tensor:
    return _result(graph.alu(Op.ISINF, input.lazy), input)


def isfinite(input: Tensor) -> Tensor:
    if input.dtype.kind not in "fc":
        return ones_like_bool(input)
    return logical_not(logical_or(isnan(input), isinf(input)))


def _no_complex(name: str, input: Tensor) -> None:
    if input.dtype.is_complex:
        raise RuntimeError(f"{name} does not support complex inputs.")


@takes_out("isposinf")
def isposinf(input: Tensor) -> Tensor:
    _no_complex("isposinf", input)
    return logical_and(isinf(input), gt(input, 0))


@takes_out("isneginf")
def isneginf(input: Tensor) -> Tensor:
    _no_complex("isneginf", input)
    return logical_and(isinf(input), lt(input, 0))


def ones_like_bool(input: Tensor) -> Tensor:
    return _result(graph.const(True, bool_, input._shape), input)


@differentiable("nan_to_num")
def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None, *,
               out=None) -> Tensor:
    if input.dtype.is_complex:  # each part on its own, as torch does
        from .complex_numbers import complex as join, imag, real
        parts = (nan_to_num(part, nan, posinf, neginf) for part in (real(input), imag(input)))
        return _out(join(*parts), out, "nan_to_num")
    if not input.dtype.is_floating_point:
        return _out(input.clone(), out, "nan_to_num")
    import numpy as np
    info = np.finfo(input.dtype.np)
    posinf = float(info.max) if posinf is None else posinf
    neginf = float(info.min) if neginf is None else neginf
    r = where(isnan(input), nan, input)
    r = where(isposinf(input), posinf, r)
    return _out(where(isneginf(input), neginf, r), out, "nan_to_num")


def _wide_operand(x: Tensor, shape: tuple[int, ...], *dtypes: DType) -> Node:
    """x's node cast through each dtype in turn (a dtype, then the one torch computes it in) and broadcast."""
    node = x.lazy
    for dtype in dtypes:
        node = graph.cast(node, dtype)
    return broadcast_node(node, shape)


@tensor_parameters("input", "tensor1", "tensor2")
@differentiable("addcmul")
def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1, out=None) -> Tensor:
    """input + value * tensor1 * tensor2 (the moment updates of optimizers), in the tensors' promoted dtype: the
    value is cast to it, as torch casts it, rather than taking part in the promotion. One op over the three
    tensors, laid out as torch lays its result out."""
    dt = result_type(input, tensor1, tensor2)
    if dt is bool_:
        raise NotImplementedError("\"addcmul_cpu_out\" not implemented for 'Bool'")
    shape = broadcast_shapes(input._shape, tensor1._shape, tensor2._shape)
    wide = opmath(dt)  # (half precision computed in float32, rounded once)
    scaled = graph.alu(Op.MUL, _wide_operand(tensor1, shape, dt, wide), graph.const(_value_in(dt, value), wide, shape))
    node = _fused_multiply_add(scaled, _wide_operand(tensor2, shape, dt, wide), _wide_operand(input, shape, dt, wide))
    return _out(_result(graph.cast(node, dt), input, tensor1, tensor2), out)


def _fused_multiply_add(a: Node, b: Node, c: Node) -> Node:
    """a * b + c rounded once for floats, as torch's vectorized kernels fuse it (its lerp and addcmul); other
    dtypes multiply, then add."""
    if a.dtype in (float32, float64):
        return graph.alu(Op.FMA, a, b, c)
    return graph.alu(Op.ADD, graph.alu(Op.MUL, a, b), c)


@tensor_parameters("input", "tensor1", "tensor2")
@differentiable("addcdiv")
def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1, out=None) -> Tensor:
    """input + value * tensor1 / tensor2 (an optimizer's step), one op over the three tensors as addcmul."""
    if not (result_type(tensor1, tensor2).is_floating_point or result_type(tensor1, tensor2).is_complex):
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future  release addcdiv "
                           "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can "
                           "be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
                           "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
                           "addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), "
                           "for all dtypes.")
    dt = result_type(input, tensor1, tensor2)
    shape = broadcast_shapes(input._shape, tensor1._shape, tensor2._shape)
    wide = opmath(dt)  # (half precision computed in float32, rounded once)
    quotient = graph.alu(Op.DIV, _wide_operand(tensor1, shape, dt, wide), _wide_operand(tensor2, shape, dt, wide))
    scaled = graph.alu(Op.MUL, quotient, graph.const(_value_in(dt, value), wide, shape))
    node = graph.cast(graph.alu(Op.ADD, _wide_operand(input, shape, dt, wide), scaled), dt)
    return _out(_result(node, input, tensor1, tensor2), out)


def _value_in(dtype: DType, value):
    """A Python scalar as torch casts it to the type a kernel of dtype computes in."""
    return scalar_in(opmath(dtype), python_scalar(value))


@tensor_parameters("input", "end")
@differentiable("lerp")
def lerp(input: Tensor, end: Tensor, weight) -> Tensor:
    """torch's two-sided formula (exact at both ends), computed in float32 for float16 and bfloat16 like torch;
    end and a tensor weight of input's dtype, a floating one."""
    if not isinstance(weight, (Tensor, *NUMBER_TYPES)):
        from .int_parameters import refuse_combination
        refuse_combination(lerp, (input, end, weight))
    weight = python_scalar(weight)
    for name, t in (("end", end), ("weight", weight)):  # (a 0-d weight may have any dtype: it is cast)
        if isinstance(t, Tensor) and t.dtype is not input.dtype and (name == "end" or t.ndim):
            raise RuntimeError(f"expected dtype {C_NAMES[input.dtype.name]} for `{name}` but got dtype "
                               f"{C_NAMES[t.dtype.name]}")
    if input.dtype.kind not in "fc":
        kernel = "lerp_kernel_tensor" if isinstance(weight, Tensor) else "lerp_kernel_scalar"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{torch_name(input.dtype)}'")
    if isinstance(weight, complex) and not input.dtype.is_complex:
        raise RuntimeError(f"value cannot be converted to type {SCALAR_C_TYPES[opmath(input.dtype).name]} "
                           "without overflow")
    dt = input.dtype
    tensors = (input, end, weight) if isinstance(weight, Tensor) else (input, end)
    shape = broadcast_shapes(*(t._shape for t in tensors))
    wide = opmath(dt)
    x, y = _wide_operand(input, shape, wide), _wide_operand(end, shape, wide)
    diff = graph.alu(Op.SUB, y, x)
    # (the far side is end - diff * (1 - weight): -diff * (1 - weight) + end, fused as torch's)
    if not isinstance(weight, Tensor):  # one side of the formula, chosen now
        near_start = math.hypot(weight.real, weight.imag) < 0.5
        w = graph.const(weight if near_start else 1 - weight, wide, shape)
        node = _fused_multiply_add(w, diff, x) if near_start else \
            _fused_multiply_add(graph.alu(Op.NEG, diff), w, y)
    else:
        w, real = _wide_operand(weight, shape, wide), wide.to_real()
        near_start = graph.alu(Op.LT, graph.alu(Op.ABS, w, dtype=real), graph.const(0.5, real, shape))
        far = _fused_multiply_add(graph.alu(Op.NEG, diff), graph.alu(Op.SUB, graph.const(1, wide, shape), w), y)
        node = graph.alu(Op.WHERE, near_start, _fused_multiply_add(w, diff, x), far)
    return _result(graph.cast(node, dt), *tensors)


def _out(result: Tensor, out: Tensor | None, op: str | None = None) -> Tensor:
    """Write result into `out` (keeping out's identity) when given; `op` names the op whose rule decides which
    dtypes out may have (lazygrad/out_dtypes.py)."""
    if out is None:
        return result
    from .inplace import write_out
    return write_out(result, out, op)
