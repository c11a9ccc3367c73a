"""torch's complex-number API: parts, conjugation, polar form, and views between complex tensors and
their float pairs.

view_as_real and view_as_complex are views sharing memory (as in torch, writing through `z.real`
changes z): the value is computed first, since the bytes must exist to be reinterpreted. Formulas
and composites use the lazy parts instead (real_part, imag_part), which fuse into kernels. On real
tensors the API is torch's: conjugation is the identity, the real part is the tensor itself, and
there is no imaginary part.
"""
from __future__ import annotations

import math

from . import graph
from .autograd.record import differentiable
from .autograd.view_creation import created_in
from .dtypes import DType, bool_, get_default_dtype, torch_name
from .elementwise import _out, _result, broadcast_node, broadcast_shapes, div, eq, mul, where
from .movement import select, transpose
from .ops import Op
from .tensor import Tensor
from .warning_sites import warn_at_caller
from .tensor_parameters import tensor_parameters


def _parts_node(z: Tensor, op: Op):
    part = z.dtype.to_real()
    return graph.cast(z.lazy, part) if op is Op.CAST else graph.alu(Op.IMAG, z.lazy, dtype=part)


@differentiable("real_part")
def real_part(input: Tensor) -> Tensor:
    """The real part as a new lazy value (the tensor itself when real)."""
    return _result(_parts_node(input, Op.CAST), input) if input.dtype.is_complex else input


@differentiable("imag_part")
def imag_part(input: Tensor) -> Tensor:
    """The imaginary part as a new lazy value (zeros when real)."""
    if not input.dtype.is_complex:
        return _result(graph.const(0, input.dtype, input._shape), input)
    return _result(_parts_node(input, Op.IMAG), input)


@tensor_parameters("real", "imag")
@differentiable("complex")
def complex(real: Tensor, imag: Tensor, *, out=None) -> Tensor:
    """The complex tensor real + i imag (broadcast); both parts of one float dtype."""
    _check_parts(real, imag)
    part = real.dtype if real.dtype.itemsize >= 4 else get_default_dtype()
    shape = broadcast_shapes(real._shape, imag._shape)
    node = graph.alu(Op.COMPLEX, broadcast_node(graph.cast(real.lazy, part), shape),
                     broadcast_node(graph.cast(imag.lazy, part), shape), dtype=part.to_complex())
    return _out(_result(node, real, imag), out)


def _check_parts(first: Tensor, second: Tensor) -> None:
    """torch's refusals of the parts of complex() and polar(): both of one float dtype."""
    if first.dtype.kind != "f" or second.dtype.kind != "f":
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{torch_name(first.dtype)} and {torch_name(second.dtype)}")
    if first.dtype is not second.dtype:
        raise RuntimeError(f"Expected object of scalar type {torch_name(first.dtype)} but got scalar type "
                           f"{torch_name(second.dtype)} for second argument")


@tensor_parameters("abs", "angle")
def polar(abs: Tensor, angle: Tensor, *, out=None) -> Tensor:
    """abs * (cos(angle) + i sin(angle)), of float or double parts (torch has no half kernel)."""
    from .elementwise import cos, sin
    _check_parts(abs, angle)
    if abs.dtype.itemsize < 4:
        raise NotImplementedError(f"\"polar_cpu\" not implemented for '{torch_name(abs.dtype)}'")
    return _out(complex(mul(abs, cos(angle)), mul(abs, sin(angle))), out)


def _reinterpret(t: Tensor, dtype: DType, shape, strides, offset: int) -> Tensor:
    """A view of t's memory read as dtype (t is computed first), whose base is t."""
    from .buffer import Buffer
    from .device_buffer import DeviceBuffer
    from .storage import Storage
    from .tensor import realize
    realize(t)
    device = t._storage.device
    array = t._storage.share_with_numpy().array.view(dtype.np)  # (a cupy array's view on a GPU)
    buf = Buffer(dtype, array.size, array=array) if device == "cpu" else DeviceBuffer(dtype, array.size, device, array)
    buf.pin()  # (memory shared with t: written in place, never recycled)
    view = Tensor._make(Storage.from_buffer(buf, device), tuple(shape), tuple(strides), offset)
    view._base = t if t._base is None else t._base
    view._created_in = created_in(t)
    return view


@differentiable("view_as_real")
def view_as_real(input: Tensor) -> Tensor:
    """The complex tensor's memory as float pairs: a trailing dimension of 2 (real, imaginary)."""
    if not input.dtype.is_complex:
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return _reinterpret(input, input.dtype.to_real(), (*input._shape, 2), (*(2 * s for s in input._strides), 1),
                        2 * input._offset)


@differentiable("view_as_complex")
def view_as_complex(input: Tensor) -> Tensor:
    """Float pairs along the last dimension (of size 2, stride 1) read as complex numbers, sharing memory."""
    if input.dtype.kind != "f" or input.dtype.itemsize < 4:
        raise RuntimeError("view_as_complex is only supported for float and double tensors, but got a tensor of "
                           f"scalar type: {torch_name(input.dtype)}")
    if not input.ndim or input._shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if input._strides[-1] != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % 2 for s in input._strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if input._offset % 2:
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    return _reinterpret(input, input.dtype.to_complex(), input._shape[:-1], tuple(s // 2 for s in input._strides[:-1]),
                        input._offset // 2)


def real(input: Tensor) -> Tensor:
    """A view of the real parts (the tensor itself when real)."""
    return select(view_as_real(input), -1, 0) if input.dtype.is_complex else input


def imag(input: Tensor) -> Tensor:
    """A view of the imaginary parts."""
    if not input.dtype.is_complex:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return select(view_as_real(input), -1, 1)


def _set_part(t: Tensor, value, index: int) -> None:
    """`z.real = v` / `z.imag = v`: v is written into the parts, in place."""
    (real if index == 0 else imag)(t).copy_(value if isinstance(value, Tensor) else
                                            Tensor._from_node(graph.const(value, t.dtype.to_real(), ())))


def set_real(t: Tensor, value) -> None:
    _set_part(t, value, 0)


def set_imag(t: Tensor, value) -> None:
    if not t.dtype.is_complex:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    _set_part(t, value, 1)


@differentiable("conj_physical")
def conj_physical(input: Tensor) -> Tensor:
    """The complex conjugate (the tensor itself when real)."""
    if not input.dtype.is_complex:
        return input
    return _result(graph.alu(Op.CONJ, input.lazy), input)


@differentiable("conj")
def conj(input: Tensor) -> Tensor:
    """torch gives a lazy conjugate view; every lazygrad value is lazy, so this is conj_physical."""
    return conj_physical.__wrapped__(input)


def is_conj(input: Tensor) -> bool:
    return False


def resolve(input: Tensor) -> Tensor:
    """resolve_conj and resolve_neg: no conjugate or negative bits here, so the tensor itself."""
    return input


def isreal(input: Tensor) -> Tensor:
    """True where the imaginary part is 0 (everywhere for real tensors)."""
    if input.dtype.is_complex:
        return eq(imag_part(input), 0)
    return _result(graph.const(True, bool_, input._shape), input)


def angle(input: Tensor, *, out=None) -> Tensor:
    """The argument: atan2(imag, real) of a complex number; pi for negative reals, 0 otherwise (NaN stays).
    A composite, so its gradient is atan2's through the parts, except at 0 where torch's is 0 (atan2's is 0/0):
    there the value is taken apart from the graph."""
    from .elementwise import atan2, isnan, lt
    if input.dtype.is_complex:
        im, re = imag_part(input), real_part(input)
        at_zero = eq(input, 0)
        moved = atan2(where(at_zero, 0.0, im), where(at_zero, 1.0, re))
        return _out(where(at_zero, atan2(im, re).detach(), moved), out)
    x = input if input.dtype.kind == "f" else input.to(get_default_dtype())
    return _out(where(isnan(x), x, where(lt(x, 0), math.pi, 0.0)).to(x.dtype), out)


@differentiable("sgn")
def sgn(input: Tensor, *, out=None) -> Tensor:
    """z / |z| (0 at 0) for complex tensors; sign(x) for real ones."""
    from .elementwise import abs, sign
    if not input.dtype.is_complex:
        return _out(sign(input), out, "sgn")
    size = abs(input)
    return _out(where(eq(size, 0), 0, div(input, size)), out, "sgn")


def adjoint(input: Tensor) -> Tensor:
    """The conjugate transpose of the last two dims (of a 0-d tensor, its conjugate, as torch's, which warns)."""
    if input.ndim == 0:
        warn_at_caller("adjoint() is deprecated on 0-D tensors. Consider using x.conj().")
        return conj(input)
    if input.ndim < 2:
        raise RuntimeError("tensor.adjoint() is only supported on matrices or batches of matrices. Got 1-D tensor.")
    return conj(transpose(input, -2, -1))


def mH(input: Tensor) -> Tensor:  # noqa: N802  (torch's name)
    if input.ndim < 2:
        raise RuntimeError("tensor.mH is only supported on matrices or batches of matrices. Got 1-D tensor.")
    return conj(transpose(input, -2, -1))


def H(input: Tensor) -> Tensor:  # noqa: N802
    if input.ndim not in (0, 2):
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {input.ndim}-D tensor."
                           + (" For batches of matrices, consider using tensor.mH" if input.ndim > 2 else ""))
    return conj(transpose(input, 0, 1) if input.ndim == 2 else input)
