"""Writes into existing tensors: in-place ops, `out=`, `__setitem__`, storage item assignment.

Writes stay lazy: the storage's content becomes a new node, `where(region, value, old)` for a write
through a view (strided_embed), and every view rebuilds from it. When that node is realized it is
computed into the storage's own buffer (what else lazy still reads the old content is computed
first: storage.in_place_blockers; runtime._writes_in_place), so an update loop keeps one buffer. A storage written many times
without being read is realized every INPLACE_CHAIN_LIMIT writes (bound_chain): the graph of
`x += 1` repeated 10,000 times stays a bounded chain, compiled once, in one buffer. Storage NumPy
shares is written at once, in place, so NumPy sees it.
"""
from __future__ import annotations

import math

import numpy as np

from . import deferred_checks, dtypes, graph, strided_embed
from .autograd import grad_mode
from .amp.autocast_mode import no_autocast
from .autograd.inference_tensors import check_write
from .autograd.forward_ad import duals, no_propagation, set_tangent, tangent_of
from .autograd.record import differentiable
from .autograd.view_creation import rebase_refusal
from .buffer import Buffer
from .creation import zeros
from .dtype_info import scalar_in
from .int_parameters import described, type_name
from .warning_sites import warn_at_caller
from .dtypes import C_NAMES, NUMBER_TYPES, can_cast, get_default_dtype, result_type, torch_name
from .elementwise import broadcast_node
from .ops import Op
from .out_dtypes import check_out_dtype
from .runtime import copy_buffer
from .storage import Storage, pending_readers
from .tensor import Tensor, realize, realize_storages
from .view import torch_contiguous_strides

# lazy writes to one storage before it is realized (bounds the graph of an update loop)
INPLACE_CHAIN_LIMIT = 32


def apply(target: Tensor, compute, *args, reads_input: bool = True, before=None, overlap: str = "partial",
          **kwargs) -> Tensor:
    """target.op_(*args): compute(target, *args) written back into target, keeping its identity and storage.

    Under autograd the history is rebased as torch does: target's grad_fn becomes the op's node (through
    CopySlices on the base when target is a view), and the op sees a snapshot of the old value when
    its formula reads it (`reads_input`), so later writes cannot change what backward computes. `before`
    runs the op's own checks after autograd's. `overlap` is how the operands may share target's memory:
    "partial" (refused where they overlap it in part), "any" (refused where they overlap it at all) or
    "numbers" (a 0-d operand is read as a number first, as fills do; others as "partial").
    """
    tracked = grad_mode.STATE.enabled and not target._untracked
    others = tracked and _any_requires_grad(args, kwargs)
    if tracked:
        check_autograd_write(target, others)
    if before is not None:  # (the op's own refusals, which torch makes after autograd's)
        before()
    check_writable(target)
    check_no_partial_overlap(target, [a for a in (*args, *kwargs.values()) if isinstance(a, Tensor)
                                      and not (overlap == "numbers" and a.ndim == 0)], overlap == "any")
    bound_chain(target._storage)
    recording = tracked and (target._requires_grad or others)
    old = _snapshot(target) if recording and reads_input else target
    with no_autocast():  # (in-place ops run as called, as in torch)
        result = compute(old, *args, **kwargs)
    if result._shape != target._shape:
        raise RuntimeError(f"output with shape {list(target._shape)} doesn't match the broadcast shape "
                           f"{list(result._shape)}")
    _check_castable(result, target)
    deferred_checks.run_pending([result.lazy])  # (a lazy index is checked now: a failed write leaves target as it was)
    assign(target, result, checked=True)
    if recording and result.grad_fn is not None:
        _rebase_history(target, result)
    if tangent_of(result) is not None:
        _write_tangent(target, tangent_of(result))
    return target


def _write_tangent(target: Tensor, tangent: Tensor) -> None:
    """target's tangent after a write. The dual tensors sharing its memory see the write too: their
    tangents become views of one tangent over the whole storage, written with each of theirs and then
    target's new one (tensors there without a tangent keep none, as in torch)."""
    storage = target._storage
    sharing = [t for t in duals() if t is not target and t._storage is storage]
    if not sharing:
        set_tangent(target, tangent)
        return
    with no_propagation():
        whole = zeros(storage.numel, dtype=tangent.dtype, device=storage.device)
        region = lambda t: whole.as_strided(t.shape, t.stride(), t.storage_offset())  # noqa: E731
        for t in sharing:
            region(t).copy_(tangent_of(t))
        region(target).copy_(tangent)
        for t in (*sharing, target):
            set_tangent(t, region(t))


def _check_castable(result: Tensor, target: Tensor) -> None:
    """torch writes a result into an existing tensor only when its dtype can be cast safely."""
    _castable(result.dtype, target)


def _castable(dtype, target: Tensor) -> None:
    if not can_cast(dtype, target.dtype):
        raise RuntimeError(f"result type {torch_name(dtype)} can't be cast to the desired output type "
                           f"{torch_name(target.dtype)}")


def check_promotion(target: Tensor, other, to_float: bool) -> None:
    """torch refuses a binary op in place whose operands promote past target's dtype (a floating one for the ops
    computing integers in floating point) before it looks at the op itself (`bool_tensor.floor_divide_(2)`,
    `int_tensor.bitwise_and_(2.5)`, `int_tensor.div_(2)`)."""
    if target.dtype.kind in "fc" and (type(other) in (int, float, bool) or
                                       (isinstance(other, Tensor) and other.dtype is target.dtype)):
        return  # (the common case of an optimizer's update, answered without the promotion rules)
    if isinstance(other, Tensor) or isinstance(other, NUMBER_TYPES):
        promoted = result_type(target, other)
        _castable(get_default_dtype() if to_float and promoted.kind in "biu" else promoted, target)


def check_clamp_promotion(target: Tensor, min=None, max=None, *, complex_refused: bool = False) -> None:
    """clamp_'s bounds promote with target first too; torch names target's C type for a number bound. (A complex
    number is clamp_min_'s and clamp_max_'s own refusal, and a float's kernel refuses one itself.)"""
    for bound in (min, max):
        if isinstance(bound, complex) and (complex_refused or target.dtype.is_floating_point):
            continue
        if isinstance(bound, Tensor):
            _castable(result_type(target, bound), target)
        elif isinstance(bound, NUMBER_TYPES) and not can_cast(result_type(target, bound), target.dtype):
            raise RuntimeError(f"result type {torch_name(result_type(target, bound))} can't be cast to the desired "
                               f"output type {C_NAMES[target.dtype.name]}")


def _any_requires_grad(args, kwargs) -> bool:
    return any(isinstance(a, Tensor) and a.requires_grad for a in (*args, *kwargs.values()))


def check_autograd_write(target: Tensor, others_require_grad: bool = False) -> None:
    """torch's refusals of a write the graph could not follow, in its order: into a view made under no_grad, one
    of several views (a split's) or one a custom Function made (lazygrad/autograd/view_creation.py), then into
    a leaf that requires grad or a view of one."""
    base = target._base
    if base is not None and (target._created_in is None or others_require_grad or target.requires_grad):
        message = rebase_refusal(target)
        if message is not None:
            raise RuntimeError(message)
    if base is not None and target.requires_grad and base.grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    if target.requires_grad and target._grad_fn is None:  # (torch reads a view's node as last re-derived)
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")


def _snapshot(target: Tensor) -> Tensor:
    """target's current value as its own tensor, carrying target's place in the autograd graph."""
    old = Tensor._from_node(target.lazy, target._storage.device)
    old._grad_fn, old._output_nr, old._requires_grad = target.grad_fn, target._output_nr, target._requires_grad
    return old


def _rebase_history(target: Tensor, result: Tensor) -> None:
    """Make target's gradient flow through the op that produced its new value."""
    from .autograd.record import attach
    from .movement import as_strided
    node = result.grad_fn
    node._versions_saved = tuple((target, target._storage.version, True, target._shape) if saved[0] is result
                                 else saved for saved in node._versions_saved)
    base = target._base
    old = target._grad_fn, target._output_nr
    if base is None:
        target._grad_fn, target._output_nr, target._requires_grad = node, result._output_nr, True
        target._move_retained(*old)
        return
    handle = Tensor._make(base._storage, base._shape, base._strides, base._offset)
    handle._grad_fn, handle._output_nr, handle._requires_grad = base.grad_fn, base._output_nr, base._requires_grad
    handle._accum = base._accum
    layout = (base._shape, base._strides, base._offset)
    attach("copy_slices", (handle, result, layout, (target._shape, target._strides, target._offset)), {}, base)
    base._move_retained(handle._grad_fn, handle._output_nr)
    fresh = as_strided(base, target._shape, target._strides, target._offset)
    target._grad_fn, target._output_nr, target._requires_grad = fresh._grad_fn, fresh._output_nr, True
    target._move_retained(*old)
    target._view_version = target._storage.version


def _dense_range(t: Tensor) -> tuple[int, int] | None:
    from .view import memory_order
    if memory_order(t._shape, t._strides) is None:
        return None
    return t._offset, t._offset + t.numel()


def check_no_partial_overlap(target: Tensor, inputs: list[Tensor], any_overlap: bool = False) -> None:
    """torch refuses an in-place op whose input shares part of the written memory (elementwise ops read each
    element before writing it, so all of it is fine); ops writing through positions (scatter, index_put...)
    refuse any sharing (any_overlap)."""
    sharing = [t for t in inputs if t._storage is target._storage and t.numel()]
    out = _dense_range(target) if sharing and target.numel() else None
    if out is None:
        return
    for t in sharing:
        span = _dense_range(t)
        if span is None:
            continue
        full = span == out and t._strides == target._strides
        if (any_overlap or not full) and span[0] < out[1] and out[0] < span[1]:
            raise RuntimeError("unsupported operation: some elements of the input tensor and the written-to tensor "
                               "refer to a single memory location. Please clone() the tensor before performing "
                               "the operation.")


def check_out_type(result, out, op: str | None) -> None:
    """out= is a tensor for one result, a tuple of them for several: torch's TypeError otherwise."""
    several = isinstance(result, tuple)
    if not isinstance(out, (tuple, list) if several else Tensor):
        kind = "tuple of Tensors" if several else "Tensor"
        raise TypeError(f"{op or 'out'}(): argument 'out' must be {kind}, not {type_name(out)}")


def write_out(result, out, op: str | None = None):
    """The `out=` of a function: result written into out (resized first when its shape differs, with
    torch's warning), keeping out's identity; a tuple result goes into a tuple of outs. The op named decides
    which dtypes out may have (lazygrad/out_dtypes.py); by default, any the result casts to safely."""
    check_out_type(result, out, op)
    if isinstance(out, (tuple, list)):
        from .return_types import OUT_TYPES
        return OUT_TYPES.get(type(result), type(result))(*(write_out(r, o, op) for r, o in zip(result, out)))
    if op is None or not check_out_dtype(op, result.dtype, out.dtype):
        _check_castable(result, out)
    bound_chain(out._storage)
    if out._shape != result._shape:
        if out.numel():
            warn_at_caller(f"An output with one or more elements was resized since it had shape {list(out._shape)}, "
                          f"which does not match the required output shape {list(result._shape)}. This behavior is "
                          "deprecated, and in a future PyTorch release outputs will not be resized unless they have "
                          "zero elements. You can explicitly reuse an out tensor t by resizing it, inplace, to zero "
                          "elements with t.resize_(0).")
        from .movement import like_layout  # (laid out as the result, as torch's kernels lay out an out they resize)
        fresh = like_layout(result, graph.const(0, out.dtype, result._shape))
        out._storage, out._shape, out._strides, out._offset = fresh._storage, fresh._shape, fresh._strides, 0
        out._epoch = -1
    return assign(out, result)


def _covers_storage(t: Tensor) -> bool:
    if t._offset != 0 or math.prod(t._shape) != t._storage.numel:
        return False
    return t._strides == torch_contiguous_strides(t._shape) or t.is_contiguous()


def check_writable(target: Tensor) -> None:
    """Writes through a view that repeats a memory location are refused: torch refuses them through expanded
    dims, and writes overlapping windows (unfold, as_strided) one element after another, a result its docs
    call unreliable (lazygrad refuses those too). An inference tensor outside inference mode is refused."""
    check_write(target._storage)
    if strided_embed.overlaps(target._shape, target._strides):
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                           "single memory location. Please clone() the tensor before performing the operation.")


def value_node(target: Tensor, value):
    """value (tensor or scalar) as a node of target's dtype and shape (torch's error if it cannot broadcast)."""
    if isinstance(value, Tensor):
        node = graph.cast(value.lazy, target.dtype)
        if value._shape != target._shape:
            from .movement import expand
            expand(value, target._shape)
            node = broadcast_node(node, target._shape)
        return node
    return graph.const(value, target.dtype, target._shape)


def assign(target: Tensor, value, checked: bool = False) -> Tensor:
    """target[...] = value (broadcast, cast to target's dtype); returns target itself. (checked: the caller
    has refused an unwritable target and bounded the storage's chain of writes already.)"""
    if not checked:
        check_writable(target)
        bound_chain(target._storage)
    node = value_node(target, value)
    st = target._storage
    old_view = target.lazy
    if not target._untracked:
        st.version += 1
    if st.numpy_shared:
        _write_now(target, node)
        return target
    if _covers_storage(target):
        st.write(node)
    else:
        old = graph.reshape(st.source, (st.numel,))
        flat = strided_embed.embed_update(node, st.numel, target._strides, target._offset, old_view, old)
        region = strided_embed.region(target._shape, st.numel, target._strides, target._offset)
        if flat is None or region is None:  # (dims that interleave rather than nest: written at once)
            _write_now(target, node)
            return target
        st.write(graph.alu(Op.WHERE, region, flat, old))
    return target


def bound_chain(st: Storage) -> None:
    """Realize a storage written INPLACE_CHAIN_LIMIT times without being read. Called before the next
    write's value is built, when nothing lazy reads the old buffer any more (the previous write's
    temporaries are gone), so the update is computed into the storage's own buffer."""
    if st.writes >= INPLACE_CHAIN_LIMIT:
        realize_storages([st])


def _write_now(target: Tensor, node) -> None:
    """Compute the value and store it through the view at once."""
    values = Tensor._from_node(node, target._storage.device)
    realize(target, values)
    buf = mutable_buffer(target._storage)
    item = target.dtype.itemsize
    dest = buf.xp.lib.stride_tricks.as_strided(buf.array[target._offset:], target._shape,
                                               tuple(s * item for s in target._strides))
    dest[...] = buf.xp.asarray(values._values())


def mutable_buffer(st: Storage) -> Buffer:
    """The storage's realized buffer, ready to be written in place right now.

    Lazy values still reading the old content are computed first when NumPy shares the memory
    (it must be written where it is); otherwise the write goes to a copy and they keep the old buffer.
    """
    realize_storages([st])
    buf = st.buffer
    readers = pending_readers(buf, st)
    if readers and not st.numpy_shared:
        fresh = copy_buffer(buf)
        st.set_realized(fresh)
        return fresh
    if readers:
        realize_storages(readers)
    buf.overwritten()
    st.set_realized(buf)
    return buf


# ---- the values of the write-only in-place ops (recorded, so their gradients are torch's) ----------

@differentiable("copy_")
def copied(old: Tensor, src: Tensor) -> Tensor:
    from .elementwise import broadcast_shapes
    shape = broadcast_shapes(old._shape, src._shape)  # torch's copy_ names the sizes that differ
    if shape != old._shape:
        raise RuntimeError(f"output with shape {list(old._shape)} doesn't match the broadcast shape {list(shape)}")
    return Tensor._from_node(value_node(old, src), old._storage.device)


def _filled(old: Tensor, value) -> Tensor:
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} dimensions.")
    return Tensor._from_node(value_node(old, value), old._storage.device)


def _a_number(value) -> bool:
    return isinstance(value, (*NUMBER_TYPES, np.generic)) or isinstance(value, np.ndarray) and value.size == 1


def fill_value(target: Tensor, value):
    """fill_'s value as torch's parser and its conversion to target's dtype take it (a tensor passes as is)."""
    if isinstance(value, Tensor):
        return value
    if not _a_number(value):
        got = described(value)
        raise TypeError(f"fill_() received an invalid combination of arguments - got ({type_name(value)}), but "
                        f"expected one of:\n * (Tensor value)\n      didn't match because some of the arguments have "
                        f"invalid types: (!{got}!)\n * (Number value)\n      didn't match because some of the "
                        f"arguments have invalid types: (!{got}!)\n")
    return scalar_in(target.dtype, value.item() if isinstance(value, (np.generic, np.ndarray)) else value)


def setitem_value(target: Tensor, value):
    """`t[i] = value`'s number as torch takes it: any other object is a TypeError; an int must fit 64 bits; the
    range is checked in the target's dtype, or in double for float16 and bfloat16 (which round to inf)."""
    if not _a_number(value):
        raise TypeError(f"can't assign a {type_name(value)} to a torch.{torch_name(target.dtype)}Tensor")
    if isinstance(value, (np.generic, np.ndarray)):
        value = value.item()
    if isinstance(value, int) and not isinstance(value, bool) and not -(1 << 63) <= value < (1 << 63):
        raise ValueError("Overflow when unpacking long long")
    dtype = target.dtype
    return scalar_in(dtypes.float64 if dtype in (dtypes.float16, dtypes.bfloat16) else dtype, value)


filled = differentiable("fill_")(_filled)
# `t[1:] = 2`: torch writes the number as a tensor (fill_'s tensor overload), and its node lists it
filled_by_setitem = differentiable("setitem_fill")(_filled)


@differentiable("zero_")
def zeroed(old: Tensor) -> Tensor:
    return Tensor._from_node(value_node(old, 0), old._storage.device)


@differentiable("uniform_")
def uniform(old: Tensor, from_: float = 0, to: float = 1, *, generator=None) -> Tensor:
    from .creation import rand
    if old.dtype.kind in "fc" and from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={from_} > to={to}")
    return rand(old._shape, dtype=old.dtype, generator=generator) * (to - from_) + from_


@differentiable("normal_")
def normal(old: Tensor, mean: float = 0, std: float = 1, *, generator=None) -> Tensor:
    from .creation import randn
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return randn(old._shape, dtype=old.dtype, generator=generator) * std + mean
