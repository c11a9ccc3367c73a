"""Products: dot, mv, mm, matmul/@, bmm, outer, as a broadcast multiply fused with a sum reduction
(one kernel each; a tiled matrix-multiply kernel is a later step)."""
from __future__ import annotations

from . import graph
from .dtypes import C_NAMES, result_type, torch_name
from .graph import Node
from .elementwise import _device, broadcast_node, broadcast_shapes
from .ops import Op, ReduceOp
from .tensor import Tensor
from .autograd.record import differentiable

def _same_dtype(a: Tensor, b: Tensor, name: str) -> None:
    if a.dtype is not b.dtype:
        raise RuntimeError(f"{name} : expected both vectors to have same dtype, but found "
                           f"{torch_name(a.dtype)} and {torch_name(b.dtype)}")


def _contract(a: Node, b: Node, shape_a, shape_b, axis: int, out_shape, device: str) -> Tensor:
    """sum over `axis` of a * b, both broadcast to a common shape."""
    full = broadcast_shapes(shape_a, shape_b)
    prod = graph.alu(Op.MUL, broadcast_node(graph.reshape(a, shape_a), full), broadcast_node(graph.reshape(b, shape_b), full))
    node = graph.reduce(prod, ReduceOp.SUM, (axis % len(full),))
    return Tensor._from_node(graph.reshape(node, tuple(out_shape)), device)


@differentiable("dot")
def dot(input: Tensor, tensor: Tensor) -> Tensor:
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {tensor.ndim}D tensors")
    if input._shape != tensor._shape:
        n, m = input._shape[0], tensor._shape[0]
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same number of "
                           f"elements, but got {n} and {m} elements respectively")
    _same_dtype(input, tensor, "dot")
    return _contract(input.lazy, tensor.lazy, input._shape, tensor._shape, 0, (), _device(input, tensor))


vdot = inner = dot


@differentiable("mv")
def mv(input: Tensor, vec: Tensor) -> Tensor:
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {vec.ndim}, {input.ndim}, {vec.ndim}")
    n, k = input._shape
    if vec._shape[0] != k:
        raise RuntimeError(f"size mismatch, got input ({n}), mat ({n}x{k}), vec ({vec._shape[0]})")
    _same_dtype(input, vec, "mv")
    return _contract(input.lazy, vec.lazy, (n, k), (1, k), 1, (n,), _device(input, vec))


@differentiable("mm")
def mm(input: Tensor, mat2: Tensor) -> Tensor:
    if input.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return _matmul2(input, mat2)


def _matmul2(a: Tensor, b: Tensor) -> Tensor:
    (n, k), (k2, m) = a._shape[-2:], b._shape[-2:]
    if k != k2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and {k2}x{m})")
    if a.dtype is not b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {C_NAMES[a.dtype.name]} != "
                           f"{C_NAMES[b.dtype.name]}")
    batch = broadcast_shapes(a._shape[:-2], b._shape[:-2])
    sa = (1,) * (len(batch) - (a.ndim - 2)) + a._shape[:-2] + (n, k, 1)
    sb = (1,) * (len(batch) - (b.ndim - 2)) + b._shape[:-2] + (1, k, m)
    return _contract(a.lazy, b.lazy, sa, sb, -2, batch + (n, m), _device(a, b))


@differentiable("bmm")
def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor" if input.ndim != 3 else "batch2 must be a 3D tensor")
    if input._shape[0] != mat2._shape[0] or input._shape[2] != mat2._shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{input._shape[0]}, "
                           f"{input._shape[2]}] but got: [{mat2._shape[0]}, {mat2._shape[1]}].")
    return _matmul2(input, mat2)


@differentiable("matmul")
def matmul(input: Tensor, other: Tensor) -> Tensor:
    if input.ndim == 0 or other.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {input.ndim}D and "
                           f"{other.ndim}D")
    if input.ndim == 1 and other.ndim == 1:
        return dot(input, other)
    if input.ndim == 1:
        return _matmul2(input.unsqueeze(0), other).squeeze(-2)
    if other.ndim == 1:
        if input.ndim == 2:
            return mv(input, other)
        return _matmul2(input, other.unsqueeze(-1)).squeeze(-1)
    return _matmul2(input, other)


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


ger = outer
