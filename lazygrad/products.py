"""Products: dot, mv, mm, matmul/@, bmm, outer, as a broadcast multiply fused with a sum reduction
(one kernel each; codegen recognizes and tiles the matrix multiplies), and the functions built on them:
addmm/addmv/addbmm/baddbmm/addr, tensordot, kron, cross products and p-norm distances (cdist, dist)."""
from __future__ import annotations

import math
import warnings

import numpy as np

from . import graph
from .dtypes import C_NAMES, bool_, float32, result_type, torch_name
from .graph import Node
from .movement import cat
from .elementwise import (HALF_FLOATS, _device, _out, add, broadcast_node, broadcast_shapes, logical_or,
                          mul, ne, pow, sub)
from .ops import Op, ReduceOp
from .tensor import Tensor, wrap_dim
from .tensor_parameters import tensor_parameters
from .autograd.record import differentiable, takes_out
from .autograd.composite import recorded_as
from .amp.autocast_mode import autocast_op

def _same_dtype(a: Tensor, b: Tensor, name: str) -> None:
    if a.dtype is not b.dtype:
        raise RuntimeError(f"{name} : expected both vectors to have same dtype, but found "
                           f"{torch_name(a.dtype)} and {torch_name(b.dtype)}")


# the kernel torch names when it refuses bool operands of a product (outer and kron take them)
_BOOL_REFUSING_KERNELS = {"dot": "dot", "mv": "addmv_impl_cpu", "mm": "addmm_impl_cpu_", "bmm": "bmm"}


def _no_bools(product: str, t: Tensor) -> None:
    if t.dtype is bool_:
        raise NotImplementedError(f"\"{_BOOL_REFUSING_KERNELS[product]}\" not implemented for 'Bool'")


def _contract(a: Node, b: Node, shape_a, shape_b, axis: int, out_shape, device: str, wide: bool = False) -> Tensor:
    """sum over `axis` of a * b, both broadcast to a common shape. float16 and bfloat16 products are exact
    (computed in float32) and summed in float32, rounded once, as torch's matrix products are; `wide` leaves
    that sum in float32, for an addition torch makes before it rounds (addmm's beta * input)."""
    dtype = a.dtype
    if dtype in HALF_FLOATS:
        a, b = graph.cast(a, float32), graph.cast(b, float32)
    full = broadcast_shapes(shape_a, shape_b)
    prod = graph.alu(Op.MUL, broadcast_node(graph.reshape(a, shape_a), full), broadcast_node(graph.reshape(b, shape_b), full))
    node = graph.reduce(prod, ReduceOp.SUM, (axis % len(full),))
    return Tensor._from_node(graph.reshape(node if wide else graph.cast(node, dtype), tuple(out_shape)), device)


@tensor_parameters("input", "tensor")
@differentiable("dot")
def dot(input: Tensor, tensor: Tensor) -> Tensor:
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {tensor.ndim}D tensors")
    if input._shape != tensor._shape:
        n, m = input._shape[0], tensor._shape[0]
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same number of "
                           f"elements, but got {n} and {m} elements respectively")
    _same_dtype(input, tensor, "dot")
    _no_bools("dot", input)
    return _contract(input.lazy, tensor.lazy, input._shape, tensor._shape, 0, (), _device(input, tensor))


@tensor_parameters("input", "other")
@takes_out("vdot", refused_as="vdot")
def vdot(input: Tensor, other: Tensor) -> Tensor:
    """The dot product with the first vector conjugated (dot itself for real vectors)."""
    if input.dtype.is_complex:
        from .complex_numbers import conj
        input = conj(input)
    return dot(input, other)


@tensor_parameters("input", "other")
def inner(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Sums of products over the last dims of both (a product with a scalar)."""
    if input.ndim == 0 or other.ndim == 0:
        from .elementwise import mul
        return _out(mul(input, other), out)
    if input.ndim == other.ndim == 1:
        _no_bools("dot", input)
    if input._shape[-1] != other._shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input._shape)} and {list(other._shape)}")
    return tensordot(input, other, ([-1], [-1]), out=out)


@tensor_parameters("input", "vec")
@differentiable("mv")
def mv(input: Tensor, vec: Tensor) -> Tensor:
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {vec.ndim}, {input.ndim}, {vec.ndim}")
    n, k = input._shape
    if vec._shape[0] != k:
        raise RuntimeError(f"size mismatch, got input ({n}), mat ({n}x{k}), vec ({vec._shape[0]})")
    _same_dtype(input, vec, "mv")
    _no_bools("mv", input)
    return _mv(input, vec)


def _mv(input: Tensor, vec: Tensor, wide: bool = False) -> Tensor:
    n, k = input._shape
    return _contract(input.lazy, vec.lazy, (n, k), (1, k), 1, (n,), _device(input, vec), wide)


@tensor_parameters("input", "mat2")
@differentiable("mm")
def mm(input: Tensor, mat2: Tensor) -> Tensor:
    if input.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return _matmul2(input, mat2)


def _matmul2(a: Tensor, b: Tensor, wide: bool = False) -> Tensor:
    (n, k), (k2, m) = a._shape[-2:], b._shape[-2:]
    if k != k2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and {k2}x{m})")
    if a.dtype is not b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {C_NAMES[a.dtype.name]} != "
                           f"{C_NAMES[b.dtype.name]}")
    _no_bools("bmm" if max(a.ndim, b.ndim) > 2 else "mm", a)
    batch = broadcast_shapes(a._shape[:-2], b._shape[:-2])
    sa = (1,) * (len(batch) - (a.ndim - 2)) + a._shape[:-2] + (n, k, 1)
    sb = (1,) * (len(batch) - (b.ndim - 2)) + b._shape[:-2] + (1, k, m)
    return _contract(a.lazy, b.lazy, sa, sb, -2, batch + (n, m), _device(a, b), wide)


@tensor_parameters("input", "mat2")
@differentiable("bmm")
def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    _check_bmm(input, mat2)
    return _matmul2(input, mat2)


def _check_bmm(input: Tensor, mat2: Tensor) -> None:
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor" if input.ndim != 3 else "batch2 must be a 3D tensor")
    if input._shape[0] != mat2._shape[0] or input._shape[2] != mat2._shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{input._shape[0]}, "
                           f"{input._shape[2]}] but got: [{mat2._shape[0]}, {mat2._shape[1]}].")


@tensor_parameters("input", "other")
@differentiable("matmul")
def matmul(input: Tensor, other: Tensor) -> Tensor:
    if input.ndim == 0 or other.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {input.ndim}D and "
                           f"{other.ndim}D")
    if input.ndim == 1 and other.ndim == 1:
        return dot(input, other)
    if max(input.ndim, other.ndim) > 2 and input._shape[-1] != other._shape[max(other.ndim - 2, 0)]:
        raise _matmul_error(input, other)
    if input.ndim == 1:
        return _matmul2(input.unsqueeze(0), other).squeeze(-2)
    if other.ndim == 1:
        if input.ndim == 2:
            return mv(input, other)
        return _matmul2(input, other.unsqueeze(-1)).squeeze(-1)
    return _matmul2(input, other)


def _folds(a: Tensor, b: Tensor) -> str | None:
    """Which operand torch's matmul folds into a matrix for mm or mv ("a", or "b" transposed), None when it
    calls bmm: a side of 3 or more dims times one of at most 2, unless that means a copy torch avoids."""
    if a.ndim >= 3 and b.ndim <= 2:
        side, big, shape, strides, small = "a", a, a._shape, a._strides, b
    elif b.ndim >= 3 and a.ndim <= 2:
        side, big, small = "b", b, a
        shape, strides = b._shape[:-2] + b._shape[:-3:-1], b._strides[:-2] + b._strides[:-3:-1]
    else:
        return None
    if small._requires_grad:
        return side
    if a.ndim == 2:
        return None
    if big.numel() == 0:
        return side
    contiguous = all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(len(shape) - 2))
    return side if contiguous else None


def _matmul_error(a: Tensor, b: Tensor) -> RuntimeError:
    """torch's error for matmul operands whose inner sizes differ: that of the op torch's matmul hands them to
    (mm or mv of one side folded into a matrix, else bmm over the broadcast batch dims)."""
    k, k2 = a._shape[-1], b._shape[max(b.ndim - 2, 0)]
    side = _folds(a, b)
    if side == "a":
        rows = math.prod(a._shape[:-1])
        if b.ndim == 1:
            return RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{k}), vec ({k2})")
        return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k} and {k2}x{b._shape[-1]})")
    if side == "b":
        rows = math.prod(b._shape[:-2]) * b._shape[-1]
        if a.ndim == 1:
            return RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{k2}), vec ({k})")
        return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k2} and {k}x{a._shape[0]})")
    batch = math.prod(broadcast_shapes(a._shape[:-2], b._shape[:-2]))  # (torch's error where they do not broadcast)
    return RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{batch}, {k}] but got: "
                        f"[{batch}, {k2}].")


@tensor_parameters("input", "vec2")
@differentiable("outer")
def outer(input: Tensor, vec2: Tensor) -> Tensor:
    if input.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {input.ndim}-D")
    if vec2.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument vec2, but got {vec2.ndim}-D")
    dt = result_type(input, vec2)
    n, m = input._shape[0], vec2._shape[0]
    a = broadcast_node(graph.reshape(graph.cast(input.lazy, dt), (n, 1)), (n, m))
    b = broadcast_node(graph.reshape(graph.cast(vec2.lazy, dt), (1, m)), (n, m))
    return Tensor._from_node(graph.alu(Op.MUL, a, b), _device(input, vec2))


ger = tensor_parameters("input", "vec2", name="ger")(outer.__wrapped__)


# ---- products added to a tensor: beta * input + alpha * (product) ------------------------------------

def _scaled_sum(input: Tensor, product: Tensor, beta, alpha) -> Tensor:
    """beta * input + alpha * product, input broadcast to the product's shape; beta == 0 ignores input
    (its NaNs too), and an integer product takes the scalars as integers, as in torch. A float16 or bfloat16
    input's product arrives in float32 (`wide`): the sum is made there and rounded once, as torch's is."""
    if not product.dtype.is_floating_point:
        beta, alpha = int(beta), int(alpha)
    dtype = input.dtype
    base = input.expand(product._shape).to(product.dtype)
    scaled = product if alpha == 1 else mul(product, alpha)
    if beta != 0:
        scaled = add(base if beta == 1 else mul(base, beta), scaled)
    return scaled.to(dtype)


def _check_same_dtype(message: str, *tensors: Tensor) -> None:
    if any(t.dtype is not tensors[0].dtype for t in tensors):
        raise RuntimeError(message + ", ".join(torch_name(t.dtype) for t in tensors[:-1])
                           + f" and {torch_name(tensors[-1].dtype)}")


@differentiable("addmm")
def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * (mat1 @ mat2), input broadcast to the product's shape."""
    for name, m in (("mat1", mat1), ("mat2", mat2)):
        if m.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {m.ndim}-D tensor")
    _check_same_dtype("self and mat2 must have the same dtype, but got ", input, mat2)  # (torch's order)
    _check_same_dtype("mat1 and mat2 must have the same dtype, but got ", mat1, mat2)
    return _scaled_sum(input, _matmul2(mat1, mat2, wide=True), beta, alpha)


@differentiable("addmv")
def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * (mat @ vec)."""
    if mat.ndim != 2 or vec.ndim != 1 or input.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.ndim}, {mat.ndim}, {vec.ndim}")
    n, k = mat._shape
    if vec._shape[0] != k or (input.ndim and input._shape[0] not in (1, n)):
        raise RuntimeError(f"size mismatch, got input ({input._shape[0] if input.ndim else 1}), mat ({n}x{k}), "
                           f"vec ({vec._shape[0]})")
    _check_same_dtype("addmv input tensors must have the same dtype, but got ", input, mat, vec)
    _same_dtype(mat, vec, "mv")
    _no_bools("mv", mat)
    return _scaled_sum(input, _mv(mat, vec, wide=True), beta, alpha)


def _check_batches(batch1: Tensor, batch2: Tensor) -> None:
    """torch reads batch2.size(2) first, so a 2-D batch2 raises its IndexError."""
    batch2.size(2)
    for name, b in (("batch1", batch1), ("batch2", batch2)):
        if b.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")


@differentiable("addbmm")
def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * (the sum over the batch of batch1[i] @ batch2[i])."""
    _check_batches(batch1, batch2)
    if batch1._shape[0] != batch2._shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {batch1._shape[0]} and "
                           f"{batch2._shape[0]}")
    (b, n, k), (_, k2, m) = batch1._shape, batch2._shape
    if k != k2:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({n}x{k} and {k2}x{m})")
    _check_same_dtype("self and mat2 must have the same dtype, but got ", input, batch2)
    if input.dtype in HALF_FLOATS and b:  # (torch adds one batch's product at a time, rounding each sum)
        out = input.expand(n, m)
        for i in range(b):
            out = _scaled_sum(out, _matmul2(batch1[i], batch2[i], wide=True), beta if i == 0 else 1, alpha)
        return out
    summed = _matmul2(batch1.transpose(0, 1).reshape(n, b * k), batch2.reshape(b * k, m), wide=True)
    return _scaled_sum(input, summed, beta, alpha)


@differentiable("baddbmm")
def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * bmm(batch1, batch2)."""
    _check_batches(batch1, batch2)
    if input.dtype is not batch1.dtype or batch1.dtype is not batch2.dtype:
        raise RuntimeError(f"Input dtypes must be the same, got: input {C_NAMES[input.dtype.name]}, batch1: "
                           f"{C_NAMES[batch1.dtype.name]}, batch2: {C_NAMES[batch2.dtype.name]}")
    _check_bmm(batch1, batch2)
    return _scaled_sum(input, _matmul2(batch1, batch2, wide=True), beta, alpha)


@differentiable("addr")
def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * outer(vec1, vec2), promoted over all three (logical and/or for bool)."""
    for name, v in (("vec1", vec1), ("vec2", vec2)):
        if v.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v.ndim}-D")
    dt = result_type(input, vec1, vec2)
    if not dt.is_floating_point and dt is not bool_ and any(isinstance(s, float) for s in (beta, alpha)):
        which = "beta" if isinstance(beta, float) else "alpha"
        raise RuntimeError(f"For integral input tensors, argument {which} must not be a floating point number.")
    if dt in HALF_FLOATS:  # (torch's kernel computes in the dtype itself: beta, alpha and each step rounded to it)
        beta, alpha = graph.normalize_scalar(beta, dt), graph.normalize_scalar(alpha, dt)
        product = outer(mul(vec1.to(dt), alpha), vec2.to(dt))
        return product if beta == 0 else add(mul(input.to(dt).expand(product._shape), beta), product)
    product = outer(vec1.to(dt), vec2.to(dt))
    if dt is bool_:
        return logical_or(mul(input.expand(product._shape), bool(beta)), mul(product, bool(alpha)))
    return _scaled_sum(input.to(dt), product, beta, alpha)


# ---- tensordot, kron ---------------------------------------------------------------------------------

def _tensordot_dims(a: Tensor, b: Tensor, dims) -> tuple[list[int], list[int]]:
    """The contracted dims of a and of b, as given (an int n: a's last n with b's first n)."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        return list(range(-dims, 0)), list(range(dims))
    da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    return da, db


@autocast_op("tensordot")
def tensordot(a: Tensor, b: Tensor, dims=2, out=None) -> Tensor:
    """Sums of products over the paired dims: both sides permuted and reshaped into one matrix multiply."""
    da, db = _tensordot_dims(a, b, dims)
    for x, y in zip(da, db):
        if a.size(x) != b.size(y):
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.size(x)} in dim {x} and "
                               f"second has size {b.size(y)} in dim {y}")
    if a.dtype is not b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    da, db = [wrap_dim(d, a.ndim) for d in da], [wrap_dim(d, b.ndim) for d in db]
    free_a, free_b = [d for d in range(a.ndim) if d not in da], [d for d in range(b.ndim) if d not in db]
    k = math.prod(a._shape[d] for d in da)
    rows, cols = math.prod(a._shape[d] for d in free_a), math.prod(b._shape[d] for d in free_b)
    left, right = a.permute(free_a + da).reshape(rows, k), b.permute(db + free_b).reshape(k, cols)
    shape = [a._shape[d] for d in free_a] + [b._shape[d] for d in free_b]
    return _out(mm(left, right).reshape(shape), out, "tensordot")


@differentiable("_unsafe_view")
def _unsafe_view(input: Tensor, shape) -> Tensor:
    """input.reshape(shape) recorded as torch's _unsafe_view (UnsafeViewBackward0), as kron records its reshapes."""
    return input.reshape(shape)


def _interleaved(t: Tensor, ndim: int, first: bool) -> Tensor:
    """t (padded to ndim dims) with a size-1 dim after (first) or before each of its dims."""
    shape = (1,) * (ndim - t.ndim) + t._shape
    return _unsafe_view(t, [x for s in shape for x in ((s, 1) if first else (1, s))])


@tensor_parameters("input", "other")
def kron(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The Kronecker product: every element of input times the whole of other, as one broadcast multiply."""
    if out is not None:  # torch's kron writes out through mul's out= (and its error under autograd)
        from .autograd.record import _with_out
        return _with_out("mul", kron, (input, other), {"out": out})
    n = max(input.ndim, other.ndim)
    product = mul(_interleaved(input, n, True), _interleaved(other, n, False))
    return _unsafe_view(product, [product._shape[2 * i] * product._shape[2 * i + 1] for i in range(n)])


# ---- cross products and distances ---------------------------------------------------------------------

@differentiable("cross")
def _cross(input: Tensor, other: Tensor, dim: int) -> Tensor:
    """The cross product of the 3-vectors along dim (a non-negative dim), with broadcasting."""
    def part(t, i):
        return t.narrow(dim, i % 3, 1)
    return cat([sub(mul(part(input, i + 1), part(other, i + 2)), mul(part(input, i + 2), part(other, i + 1)))
                for i in range(3)], dim)


@tensor_parameters("input", "other", name="linalg_cross")
def cross(input: Tensor, other: Tensor, *, dim: int = -1, out=None) -> Tensor:
    """torch.linalg.cross: the cross product along dim (default the last), other dims broadcast."""
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = wrap_dim(dim, input.ndim)
    if input._shape[d] != 3 or other._shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {input._shape[d]} and "
                           f"{other._shape[d]}")
    if input.dtype is not other.dtype:
        raise RuntimeError(f"expected scalar type {torch_name(input.dtype)} but found {torch_name(other.dtype)}")
    broadcast_shapes(input._shape, other._shape)
    if input.dtype is bool_:
        raise NotImplementedError("\"cross\" not implemented for 'Bool'")
    return _out(_cross(input, other, d), out, "linalg_cross")


CROSS_WARNING = ("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
                 "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree "
                 "with that of linalg.cross in a future release.")


@tensor_parameters("input", "other", name="cross")
def legacy_cross(input: Tensor, other: Tensor, dim: int | None = None, *, out=None) -> Tensor:
    """torch.cross: like linalg.cross, but without dim it takes the first dim of size 3 (and warns, as
    torch does)."""
    if dim is None:
        warnings.warn(CROSS_WARNING, UserWarning, stacklevel=3)
        shape = broadcast_shapes(input._shape, other._shape)
        dim = next((d for d, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return cross(input, other, dim=dim, out=out)


def pnorm(x: Tensor, p: float, dim) -> Tensor:
    """The p-norm of x over dim (all dims for None): a count for p = 0, the largest (smallest) |x| for
    p = inf (-inf). Complex x gives the real norm of |x|. float16 and bfloat16 are computed in float32 and
    rounded once, as torch's norm kernels (a sum of squares in the dtype overflowed it)."""
    if x.dtype in HALF_FLOATS:
        return pnorm(x.float(), p, dim).to(x.dtype)
    a = x.abs()
    if p == 0:
        return ne(x, 0).to(a.dtype).sum(dim)
    if math.isinf(p):
        every = () if dim is None else dim
        return a.amax(every) if p > 0 else a.amin(every)
    if p == 1:
        return a.sum(dim)
    if p == 2:
        return mul(a, a).sum(dim).sqrt() if x.dtype.is_complex else mul(x, x).sum(dim).sqrt()
    return pow(pow(a, p).sum(dim), 1.0 / p)


@tensor_parameters("x1", "x2")
@autocast_op("cdist")
@differentiable("cdist")
def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode=None) -> Tensor:
    """The p-norm distance between each row of x1 and each row of x2 (batch dims broadcast), computed
    from the differences directly (one fused reduction), so close points keep their precision."""
    for name, t in (("X1", x1), ("X2", x2)):
        if t.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t.ndim}D")
    if x1._shape[-1] != x2._shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1._shape[-1]} X2: {x2._shape[-1]}")
    for name, t in (("X1", x1), ("X2", x2)):
        if not t.dtype.is_floating_point:
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {torch_name(t.dtype)}")
    if x1.dtype is not x2.dtype:
        raise RuntimeError(f"expected scalar type {torch_name(x1.dtype)} but found {torch_name(x2.dtype)}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    return pnorm(cdist_differences(x1, x2), p, -1)


def cdist_differences(x1: Tensor, x2: Tensor) -> Tensor:
    """x1[..., i, :] - x2[..., j, :] for every pair (i, j)."""
    return sub(x1.unsqueeze(-2), x2.unsqueeze(-3))


@tensor_parameters("input", "other")
@autocast_op("dist")
@differentiable("dist")
def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """The p-norm of input - other (broadcast); the subtraction comes first, so bool operands get its error."""
    difference = sub(input, other)
    if not (difference.dtype.is_floating_point or difference.dtype.is_complex):
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. Got "
                           f"{torch_name(difference.dtype)} instead.")
    return pnorm(difference, p, None)


def _clamped_norm(x: Tensor, dim: int, eps: float) -> Tensor:
    """x's 2-norm along dim, at least eps, differentiated as torch does it: the clamp is made on the value
    alone, so the gradient is the unclamped norm's. Below eps the value is eps exactly ((n - n) + eps); an
    infinite norm stays infinite (n + (clamped - n) was inf - inf, a NaN where torch's quotient is 0)."""
    from .elementwise import where
    n = x.norm(2, dim, keepdim=True)
    return where(n.detach() < eps, (n - n.detach()) + eps, n)


@tensor_parameters("x1", "x2")
@autocast_op("cosine_similarity")
def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """The cosine of the angle between x1 and x2 along dim (broadcast), each normalized by its norm
    clamped to at least eps, as torch does."""
    from .elementwise import div
    dt = result_type(x1, x2)
    if not dt.is_floating_point:
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is {torch_name(dt)}")
    shape = broadcast_shapes(x1._shape, x2._shape)
    a, b = x1.to(dt).expand(shape), x2.to(dt).expand(shape)
    return mul(div(a, _clamped_norm(a, dim, eps)), div(b, _clamped_norm(b, dim, eps))).sum(dim)


@tensor_parameters("x1", "x2")
@recorded_as(lambda x1, x2, *args, **kwargs: "NormBackward1" if max(x1.ndim, x2.ndim) else None)
def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """The p-norm of x1 - x2 + eps along the last dim (eps keeps the gradient finite at equal points)."""
    difference = add(sub(x1, x2), eps)
    if difference.ndim == 0:
        return difference.abs()
    return difference.norm(p, -1, keepdim=keepdim)


@tensor_parameters("input")
@autocast_op("pdist")
@recorded_as("PdistBackward0")
def pdist(input: Tensor, p: float = 2) -> Tensor:
    """The p-norm distance between every pair of rows i < j, in row-major order of the pairs."""
    from .creation import tensor
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    if not input.dtype.is_floating_point:
        raise RuntimeError("pdist only supports floating-point dtypes")
    n = input._shape[0]
    rows, cols = np.triu_indices(n, 1)
    first, second = (input[tensor(i.astype(np.int64), device=input.device)] for i in (rows, cols))
    return pnorm(sub(first, second), p, -1)
