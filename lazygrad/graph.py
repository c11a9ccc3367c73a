"""Immutable, hash-consed graph nodes and the builders that simplify while they build (a leaf module).

Building the same expression twice returns the same Node, so common subexpressions are shared for
free and a graph's structure is its identity. Identities never merge: every realized buffer is its
own BUFFER node. Builders apply only rewrites that are exact in IEEE arithmetic (x*1, x/1, x-0,
--x, constant folding) so simplification never changes a printed value.
"""
from __future__ import annotations

import contextlib
import math
import struct
import sys
import weakref

import numpy as np

from . import np_ops, torch_arange
from .dtypes import DType, bool_, check_python_int, int64
from .ops import BINARY, COMPARISONS, Op, ReduceOp
from .view import Shape, View


class Node:
    __slots__ = ("op", "dtype", "shape", "srcs", "arg", "buffer", "reads_shared", "__weakref__")

    op: Op
    dtype: DType
    shape: Shape
    srcs: tuple[Node, ...]
    # the realized buffer holding this node's value in row-major order, once computed
    buffer: object
    # (set only where memory is shared with NumPy) whether computing it reads such memory: numpy_reads.py
    reads_shared: int

    def __repr__(self) -> str:
        return f"Node({self.op.name}, {self.dtype.name}, {self.shape}, arg={self.arg!r}, srcs={len(self.srcs)})"

    @property
    def numel(self) -> int:
        return math.prod(self.shape)


# hash-consing: every live node by its key, held weakly (a plain dict of weak references, cheaper than a
# WeakValueDictionary's Python-level item access on this path, which every op takes)
_NODES: dict[tuple, weakref.KeyedRef] = {}
_F32 = struct.Struct("<f")


def _arg_key(op: Op, arg):
    if op is Op.CONST:
        # distinguish 0.0 from -0.0 and let NaN equal itself
        return (type(arg), struct.pack("<d", arg)) if isinstance(arg, float) else (type(arg), arg)
    if op is Op.BUFFER:
        return (arg, arg.generation)  # a buffer written in place holds a new value: a new node
    return arg


# the deepest expression one kernel computes (the scheduler's rule 7), and the Python frames a recursive
# walk over it (the lowering, the interpreter) takes per node at most
MAX_FUSED_DEPTH = 512
FRAMES_PER_NODE = 6


@contextlib.contextmanager
def kernel_recursion():
    """Room for a recursive walk over one kernel's expression: MAX_FUSED_DEPTH nodes deep."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, FRAMES_PER_NODE * MAX_FUSED_DEPTH + 1000))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


_KEYED_ARGS = frozenset({Op.CONST, Op.BUFFER})


def make(op: Op, dtype: DType, shape: Shape, srcs: tuple[Node, ...] = (), arg=None) -> Node:
    key = (op, dtype, shape, srcs, _arg_key(op, arg) if op in _KEYED_ARGS else arg)
    ref = _NODES.get(key)
    node = ref() if ref is not None else None
    if node is None:
        node = object.__new__(Node)
        node.op, node.dtype, node.shape, node.srcs, node.arg, node.buffer = op, dtype, shape, srcs, arg, None
        _NODES[key] = weakref.KeyedRef(node, _forget, key)
    return node


def _forget(ref: weakref.KeyedRef) -> None:
    """A node was freed: drop its entry, unless a newer node took its key meanwhile."""
    if _NODES.get(ref.key) is ref:
        del _NODES[ref.key]


def toposort(roots, children=lambda n: n.srcs) -> list:
    """Every node reachable from roots, each after the nodes it depends on, in depth-first post-order
    (iterative: graphs can be deep). `children` gives what a node depends on; the scheduler and the
    autograd engine pass their own."""
    order, seen = [], set()
    for root in roots:
        if id(root) in seen:
            continue
        seen.add(id(root))
        stack = [(root, iter(children(root)))]
        while stack:
            node, pending = stack[-1]
            for child in pending:
                if id(child) not in seen:
                    seen.add(id(child))
                    stack.append((child, iter(children(child))))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


# ---- sources -------------------------------------------------------------------------------------

def normalize_scalar(value, dtype: DType):
    """A Python scalar holding exactly the value `dtype` can store (wrapped or rounded as torch does). An
    integer must fit int64 or uint64, as torch reads one."""
    check_python_int(value)
    if dtype is bool_:
        return bool(value)
    if dtype.kind == "c":
        value = complex(value)
        return complex(normalize_scalar(value.real, dtype.to_real()), normalize_scalar(value.imag, dtype.to_real()))
    if dtype.is_floating_point:
        if dtype.itemsize == 8:
            return float(value)
        if dtype.itemsize == 4:
            try:  # struct rounds to nearest float32 without NumPy's per-call cost
                return _F32.unpack(_F32.pack(value))[0]
            except OverflowError:
                pass
            except struct.error:  # (not a number: an op given a string where torch takes a Number)
                raise TypeError(f"unsupported operand type: {type(value).__name__}") from None
        return float(np_ops.cast(np.array(value, dtype=np.float64), dtype.np))
    if type(value) is int and dtype is int64 and value < (1 << 63):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise RuntimeError(f"value cannot be converted to type {dtype.name} without overflow")
        value = int(value)
    return int(np.array(int(value) & ((1 << 64) - 1), dtype=np.uint64).astype(dtype.np))


def const(value, dtype: DType, shape: Shape = ()) -> Node:
    return make(Op.CONST, dtype, tuple(shape), (), normalize_scalar(value, dtype))


def buffer(buf, dtype: DType, numel: int) -> Node:
    return make(Op.BUFFER, dtype, (numel,), (), buf)


def arange(start, step, n: int, dtype: DType) -> Node:
    """start + step * i for i < n; start and step are kept as the Python numbers of dtype's kind (a bool as 0
    or 1), which the renderers write as literals. A floating range's values are torch's, computed in chunks
    per thread (torch_arange.py): the third argument is the chunk's length."""
    if dtype.is_floating_point:
        return make(Op.ARANGE, dtype, (n,), (), (float(start), float(step), torch_arange.chunk_length(n)))
    return make(Op.ARANGE, dtype, (n,), (), (int(start), int(step), max(n, 1)))


def rand(seed: int, offset: int, distribution: str, shape: Shape, dtype: DType) -> Node:
    return make(Op.RAND, dtype, tuple(shape), (), (seed, offset, distribution))


def const_value(node: Node):
    """The scalar a node is known to equal everywhere, or None."""
    return node.arg if node.op is Op.CONST else None


# ---- elementwise ---------------------------------------------------------------------------------

def _plus_zero(v) -> bool:
    """Whether v is +0 (in both parts, for a complex v): x - v is then x exactly."""
    v = complex(v)
    return math.copysign(1.0, v.real) > 0 and math.copysign(1.0, v.imag) > 0


def _is_zero(v, dtype: DType, allow_negative_zero_only: bool) -> bool:
    if v is None or v != 0:
        return False
    if dtype.kind == "c" and allow_negative_zero_only:
        return math.copysign(1.0, v.real) < 0 and math.copysign(1.0, v.imag) < 0
    if dtype.is_floating_point and allow_negative_zero_only:
        return math.copysign(1.0, v) < 0
    return True


def _identity(op: Op, a: Node, b: Node) -> Node | None:
    """x+(-0.0), x-0, x*1, x/1 (and the integer x+0, x*0) are exact and need no kernel work; a complex x*1 or x/1
    is not (torch multiplies by 1+0j in full: inf+1j times it is inf+nanj)."""
    va, vb = const_value(a), const_value(b)
    if op in (Op.MUL, Op.DIV) and a.dtype.is_complex:
        return None
    if op is Op.ADD:
        if _is_zero(vb, b.dtype, True):
            return a
        if _is_zero(va, a.dtype, True):
            return b
    elif op is Op.SUB:
        if vb == 0 and (b.dtype.kind in "biu" or _plus_zero(vb)):
            return a
    elif op is Op.MUL:
        if vb == 1 and vb is not True:
            return a
        if va == 1 and va is not True:
            return b
        if a.dtype.kind in "biu" and (va == 0 or vb == 0):
            return const(0, a.dtype, a.shape)
    elif op is Op.DIV and vb == 1:
        return a
    return None


def alu(op: Op, *srcs: Node, dtype: DType | None = None) -> Node:
    """An elementwise op over same-shaped sources (broadcasting happens before, at the tensor level)."""
    shape = srcs[-1].shape
    if dtype is None:
        dtype = bool_ if op in COMPARISONS else srcs[-1].dtype
    if all(s.op is Op.CONST for s in srcs):
        value = np_ops.apply(op, dtype.np, *(np.array(s.arg, dtype=s.dtype.np) for s in srcs))
        return const(value.item(), dtype, shape)
    if op in BINARY and (srcs[0].op is Op.CONST or srcs[1].op is Op.CONST):
        simpler = _identity(op, srcs[0], srcs[1])
        if simpler is not None and simpler.dtype is dtype:
            return simpler
    elif op is Op.NEG and srcs[0].op is Op.NEG and srcs[0].buffer is None:
        return srcs[0].srcs[0]
    elif op is Op.WHERE and srcs[0].op is Op.CONST:
        return srcs[1] if srcs[0].arg else srcs[2]
    return make(op, dtype, shape, tuple(srcs))


def cast(x: Node, dtype: DType) -> Node:
    if x.dtype is dtype:
        return x
    return alu(Op.CAST, x, dtype=dtype)


# ---- reductions ----------------------------------------------------------------------------------

def _of_one_term(x: Node, rop: ReduceOp) -> Node:
    """A reduction of one term, x: a sum or log-sum-exp is 0 + x, as one starting from its identity gives it
    (-0.0 becomes +0.0, as in torch); the others are x."""
    if rop in (ReduceOp.SUM, ReduceOp.LOGADDEXP) and x.dtype.kind in "fc":
        return alu(Op.ADD, x, const(0, x.dtype, x.shape))
    return x


def reduce(x: Node, rop: ReduceOp, axes: tuple[int, ...], dtype: DType | None = None) -> Node:
    """Reduce over axes keeping them as size 1; reducing size-1 axes leaves one term (_of_one_term)."""
    dtype = dtype or x.dtype
    axes = tuple(sorted(a for a in axes if x.shape[a] != 1))
    if not axes:
        return _of_one_term(cast(x, dtype), rop)
    shape = tuple(1 if i in axes else s for i, s in enumerate(x.shape))
    if x.op is Op.CONST and rop in (ReduceOp.MAX, ReduceOp.MIN) and x.numel:
        return const(x.arg, dtype, shape)
    return make(Op.REDUCE, dtype, shape, (x,), (rop, axes))


def scan(x: Node, rop: ReduceOp, axis: int, dtype: DType | None = None) -> Node:
    dtype = dtype or x.dtype
    if x.shape[axis] == 1:
        return _of_one_term(cast(x, dtype), rop)
    return make(Op.SCAN, dtype, x.shape, (x,), (rop, axis))


def argsort(x: Node, axis: int, descending: bool) -> Node:
    """The positions along axis that sort x (stable); a length-1 axis is in order already."""
    if x.shape[axis] == 1:
        return const(0, int64, x.shape)
    return make(Op.SORT, int64, x.shape, (x,), (axis, descending))


def extern(routine: str, params: tuple, srcs: tuple[Node, ...], dtype: DType, numel: int) -> Node:
    """The packed results of a library routine on srcs (a 1-D node of numel values)."""
    return make(Op.EXTERN, dtype, (numel,), srcs, (routine, params))


def barrier(x: Node) -> Node:
    """x's values stored to a buffer of their own by whatever realizes a reader (a COPY: a store barrier)."""
    return make(Op.COPY, x.dtype, x.shape, (x,))


# ---- data-dependent positions ---------------------------------------------------------------------

def _flat(x: Node) -> Node:
    """x itself where it is a reshape: reading by flat position sees the same elements."""
    while x.op is Op.VIEW and x.buffer is None and x.arg.is_contiguous and x.arg.numel == x.srcs[0].numel:
        x = x.srcs[0]
    return x


def gather(data: Node, index: Node) -> Node:
    """data's row-major flattening read at each int64 position of index (in range: callers check)."""
    if not data.numel:  # (nothing to read: only an empty index is valid, and callers check)
        return const(0, data.dtype, index.shape)
    return make(Op.GATHER, data.dtype, index.shape, (_flat(data), cast(index, int64)))


def scatter(base: Node, index: Node, values: Node, rop: ReduceOp | None) -> Node:
    """base with values written (rop None) or reduced in (rop: sum, prod, max, min) at the flat positions
    in index, which values match in shape."""
    if not index.numel:
        return base
    return make(Op.SCATTER, base.dtype, base.shape, (base, cast(index, int64), cast(values, base.dtype)), rop)


# ---- movement ------------------------------------------------------------------------------------

def view(x: Node, v: View) -> Node:
    """Read x's row-major flattening through v, merging with a view x already is (one not computed yet: a
    node computed already is read as it is, since what it read may have been written in place since)."""
    if x.op is Op.VIEW and x.buffer is None:
        merged = x.arg.compose(v)
        if merged is not None:
            x, v = x.srcs[0], merged
    if v.shape == x.shape and v.is_contiguous:
        return x
    if x.op is Op.CONST and v.mask is None:
        return const(x.arg, x.dtype, v.shape)
    return make(Op.VIEW, x.dtype, v.shape, (x,), v)


def _movement(x: Node, fn) -> Node:
    """Apply a View transform to the View x already is, unless computed already (or a contiguous one)."""
    if x.op is Op.VIEW and x.buffer is None:
        v = fn(x.arg)
        if v is not None:
            return view(x.srcs[0], v)
    v = fn(View.contiguous(x.shape))
    return view(x, v)


def reshape(x: Node, shape: Shape) -> Node:
    shape = tuple(shape)
    if shape == x.shape:
        return x
    if x.op is Op.CONST:
        return const(x.arg, x.dtype, shape)
    return _movement(x, lambda v: v.reshape(shape))


def permute(x: Node, order: tuple[int, ...]) -> Node:
    if tuple(order) == tuple(range(len(order))):
        return x
    return _movement(x, lambda v: v.permute(tuple(order)))


def expand(x: Node, shape: Shape) -> Node:
    shape = tuple(shape)
    if shape == x.shape:
        return x
    if x.op is Op.CONST:
        return const(x.arg, x.dtype, shape)
    return _movement(x, lambda v: v.expand(shape))


def shrink(x: Node, bounds: tuple[tuple[int, int], ...]) -> Node:
    if all(lo == 0 and hi == s for (lo, hi), s in zip(bounds, x.shape)):
        return x
    return _movement(x, lambda v: v.shrink(tuple(bounds)))


def flip(x: Node, axes: tuple[int, ...]) -> Node:
    axes = tuple(a for a in axes if x.shape[a] > 1)
    return _movement(x, lambda v: v.flip(axes)) if axes else x


def step(x: Node, axis: int, k: int) -> Node:
    return x if k == 1 else _movement(x, lambda v: v.step(axis, k))


def pad(x: Node, pads: tuple[tuple[int, int], ...]) -> Node:
    if all(p == (0, 0) for p in pads):
        return x
    return _movement(x, lambda v: v.pad(tuple(pads)))


def copy(x: Node) -> Node:
    """An explicit copy of x (an identity VIEW the builders would otherwise simplify away)."""
    return make(Op.VIEW, x.dtype, x.shape, (x,), View.contiguous(x.shape))


def as_strided(x: Node, shape: Shape, strides: tuple[int, ...], offset: int) -> Node:
    """Read x's row-major flattening with torch-style strides and offset."""
    return _movement(x, lambda v: v.as_strided(tuple(shape), tuple(strides), offset))
