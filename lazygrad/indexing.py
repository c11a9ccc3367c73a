"""Indexing: basic indices (ints, slices, None, Ellipsis) are views; integer-tensor and boolean-mask
indices become storage positions computed from the index values (`_positions`), which a GATHER reads
(one load per result element) and a SCATTER writes or adds to (index_put, scatter, index_add)."""
from __future__ import annotations

import math

import numpy as np

from . import deferred_checks, graph, np_ops
from .dtype_info import scalar_in
from .dtypes import (C_NAMES, LIMITED_UNSIGNED, NUMBER_TYPES, TORCH_NAMES, bool_, float64, int32, int64, python_scalar,
                     uint8)
from .elementwise import broadcast_node, broadcast_shapes
from .movement import as_view
from .ops import Op, ReduceOp
from .int_parameters import type_name
from .tensor import Tensor, known_values
from .tensor_parameters import tensor_parameters
from .view import contiguous_strides
from .warning_sites import warn_at_caller
from .autograd import grad_mode
from .autograd.grad_mode import no_grad
from .autograd.composite import recorded_as
from .autograd.record import differentiable, takes_out


def _expand_index(ndim: int, index) -> list:
    if ndim == 0 and not isinstance(index, tuple):
        _zero_dim_index(index)
    if not isinstance(index, tuple):
        index = (index,)
    consumed = sum(_dims_used(i) for i in index)
    if sum(i is Ellipsis for i in index) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if consumed > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    out = []
    for i in index:
        if i is Ellipsis:
            out.extend([slice(None)] * (ndim - consumed))
        else:
            out.append(i)
    if not any(i is Ellipsis for i in index):
        out.extend([slice(None)] * (ndim - consumed))
    return out


def _zero_dim_index(index) -> None:
    """torch's words for a bare int or slice indexing a 0-d tensor."""
    if isinstance(index, slice):
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    if isinstance(index, (int, np.integer)):
        if index == 0:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in "
                             "C++ to convert a 0-dim tensor to a number")
        raise IndexError(f"index {int(index)} is out of bounds for dimension 0 with size 0")


def _written_at(index, ndim: int, k: int) -> int:
    """Where the k-th item of the expanded index stands in the index as written (torch's messages count so)."""
    items = index if isinstance(index, tuple) else (index,)
    span = ndim - sum(_dims_used(i) for i in items)  # the dims an ellipsis stands for
    at = 0
    for position, i in enumerate(items):
        at += span if i is Ellipsis else 1
        if at > k:
            return position
    return k


def _dims_used(i) -> int:
    if i is None or i is Ellipsis or isinstance(i, bool):
        return 0
    if isinstance(i, Tensor) and i.dtype is bool_:
        return max(i.ndim, 1)
    if isinstance(i, (list, np.ndarray)) and np.asarray(i).dtype == np.bool_:
        return max(np.asarray(i).ndim, 1)
    return 1


def _is_advanced(i) -> bool:
    return isinstance(i, (Tensor, list, np.ndarray)) or (isinstance(i, tuple))


# the dtypes torch takes for positions (uint8 and bool index tensors are masks); scatter_add and scatter_reduce
# check them under scatter's name
POSITION_DTYPES = frozenset({int32, int64})
_CHECKED_AS = {"scatter_add": "scatter", "scatter_reduce": "scatter"}

BYTE_INDEX_WARNING = "indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool instead."


def _byte_masks(index):
    """index with its uint8 tensors read as the boolean masks torch still takes them for (with its warning)."""
    items = index if isinstance(index, tuple) else (index,)
    if not any(isinstance(i, Tensor) and i.dtype is uint8 for i in items):
        return index
    warn_at_caller(BYTE_INDEX_WARNING)
    items = tuple(i.to(bool_) if isinstance(i, Tensor) and i.dtype is uint8 else i for i in items)
    return items if isinstance(index, tuple) else items[0]


def _bool_scalars(t: Tensor, index) -> tuple[Tensor, object]:
    """(t, index) with each bool (a Python bool or a 0-d bool tensor) made what torch makes it: an advanced
    index over a new dim of size 1 (tensor([0]) for True, an empty one for False). So it adds a dim of size 1
    (or 0), the result is a copy, and beside other advanced indices its shape joins their broadcast."""
    items = index if isinstance(index, tuple) else (index,)
    scalars = [isinstance(i, Tensor) and i.dtype is bool_ and i.ndim == 0 for i in items]
    if not any(scalars) and not any(isinstance(i, bool) for i in items):
        return t, index
    items = tuple(bool(i.item()) if scalar else i for i, scalar in zip(items, scalars))
    span = t.ndim - sum(_dims_used(i) for i in items)  # (the dims an ellipsis stands for)
    source, out = 0, []
    for i in items:
        if isinstance(i, bool):
            t = t.unsqueeze(source)
            out.append(Tensor._from_array(np.zeros(int(i), np.int64), int64, t._storage.device))
            source += 1
        else:
            out.append(i)
            source += span if i is Ellipsis else _dims_used(i)
    return t, tuple(out)


def getitem(t: Tensor, index) -> Tensor:
    """t[index]. Recorded as torch records it: basic indices of several parts as a node per part in order
    (`x[1:, 0]`: SelectBackward0 after SliceBackward0), the others as one node."""
    index = _byte_masks(as_index(index))
    t, index = _bool_scalars(t, index)
    steps = _recorded_steps(t, index) if t._requires_grad and grad_mode.STATE.enabled else None
    if steps is None:
        return _indexed(t, index)
    _parse(t._shape, t._strides, t._offset, index)  # (the whole index's errors, as torch reports them)
    for step in steps:
        t = _indexed(t, step)
    return t


def _recorded_steps(t: Tensor, index) -> list | None:
    """The one-part indices torch applies one after another for a basic index of several parts (None for
    an index of one part, or one with advanced parts): an unsqueeze, a select, a slice not of a whole dim."""
    if not isinstance(index, tuple) or any(isinstance(i, (Tensor, list, tuple, bool, np.ndarray)) for i in index):
        return None
    consuming = sum(1 for i in index if i is not None and i is not Ellipsis)
    steps, dim, source = [], 0, 0  # dim: in the result so far; source: in t
    for i in index:
        if i is Ellipsis:
            dim, source = dim + t.ndim - consuming, source + t.ndim - consuming
            continue
        lead = (slice(None),) * dim
        if i is None:
            steps.append(lead + (None,))
            dim += 1
        elif isinstance(i, slice):
            if source >= t.ndim or i.indices(t._shape[source]) != (0, t._shape[source], 1):
                steps.append(lead + (i,))
            dim, source = dim + 1, source + 1
        else:
            steps.append(lead + (i,))
            source += 1
    return steps if len(steps) > 1 else None


@differentiable("getitem")
def _indexed(t: Tensor, index) -> Tensor:
    shape, strides, offset, advanced = _parse(t._shape, t._strides, t._offset, index)
    if not advanced:
        return as_view(t, shape, strides, offset)
    positions, _, pending = _positions(shape, strides, offset, advanced)
    return _checked_later(Tensor._from_node(graph.gather(t._storage.source, positions), t._storage.device), pending)


def _parse(t_shape, t_strides, offset: int, index):
    """The view that the basic indices select (shape, strides and offset in storage coordinates), and
    the (view dim, index tensor) pairs of the integer-tensor indices still to apply on it."""
    items = _expand_index(len(t_shape), index)
    shape, strides = [], []
    advanced = []
    d = 0
    for k, i in enumerate(items):
        if i is None:  # torch's unsqueeze at this point, before later dims are sliced
            shape.append(1)
            strides.append(t_shape[d] * t_strides[d] if d < len(t_shape) else 1)
            continue
        if isinstance(i, (int, np.integer)) or (isinstance(i, Tensor) and i.ndim == 0 and i.dtype.kind in "ui"
                                                 and i._storage.is_realized):
            i = int(i)
            size = t_shape[d]
            if not -size <= i < size:
                raise IndexError(f"index {i} is out of bounds for dimension {_written_at(index, len(t_shape), k)} "
                                 f"with size {size}")
            offset += (i % size) * t_strides[d]
            d += 1
            continue
        if isinstance(i, slice):
            size = t_shape[d]
            start, stop, step = i.start, i.stop, i.step
            step = 1 if step is None else int(step)
            if step == 0:
                raise ValueError("slice step cannot be zero")
            if step < 0:
                raise ValueError("step must be greater than zero")
            start, stop, _ = slice(start, stop, step).indices(size)
            n = max(0, -(-(stop - start) // step))
            offset += start * t_strides[d]
            shape.append(n)
            strides.append(t_strides[d] * step)
            d += 1
            continue
        if _is_advanced(i):
            idx = i if isinstance(i, Tensor) else _tensor_of(i)
            if idx.dtype is bool_:
                for k, n in enumerate(idx._shape):
                    if t_shape[d + k] != n:
                        raise IndexError(f"The shape of the mask {list(idx._shape)} at index {k} does not match the "
                                         f"shape of the indexed tensor {list(t_shape)} at index {d + k}")
                for k, sub in enumerate(idx.nonzero(as_tuple=True)):
                    advanced.append((len(shape), sub, d))
                    shape.append(t_shape[d])
                    strides.append(t_strides[d])
                    d += 1
                continue
            if idx.dtype not in POSITION_DTYPES:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            advanced.append((len(shape), idx, d))
            shape.append(t_shape[d])
            strides.append(t_strides[d])
            d += 1
            continue
        if isinstance(i, str):  # (torch tries to make a tensor of it)
            raise TypeError("new(): invalid data type 'str'")
        raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
                         f"indices (got {type_name(i)})")
    return shape, strides, offset, advanced





def _tensor_of(i) -> Tensor:
    from .creation import tensor
    arr = np.asarray(i)
    if arr.dtype.kind in "US":
        raise TypeError("new(): invalid data type 'str'")
    if arr.dtype == object or (arr.size == 0 and arr.dtype.kind == "f"):
        arr = arr.astype(np.int64)
    return tensor(arr)


def _made_of(node: graph.Node) -> graph.Node:
    """The node an integer index is a view or an integer cast of (its values' construction)."""
    while node.buffer is None and (node.op is Op.VIEW and node.arg.mask is None
                                   or node.op is Op.CAST and node.srcs[0].dtype.kind in "iu"):
        node = node.srcs[0]
    return node


def _lowest(node: graph.Node) -> int | None:
    """The least value an integer index node can hold, where its construction tells (an arange, a
    constant, a gather from a table of known values), else None."""
    node = _made_of(node)
    if node.op is Op.GATHER and node.buffer is None:
        node = node.srcs[0]
    if node.op is Op.CONST:
        return int(node.arg)
    if node.op is Op.ARANGE and node.dtype.kind in "iu":
        start, step, _ = node.arg
        return int(min(start, start + step * (node.shape[0] - 1)))
    buf = node.arg if node.op is Op.BUFFER else node.buffer
    if buf is not None and buf.device == "cpu" and node.numel:  # (a device's values would be copied to see them)
        return int(buf.array[:node.numel].min())
    return None


def _in_range(index: Tensor, size: int, allow_negative: bool) -> bool:
    """Whether an index's construction (an arange, a constant, viewed or cast) keeps it in range: its check
    then needs no values."""
    node = _made_of(index.lazy)
    if node.op is Op.ARANGE and node.dtype.kind in "iu":
        start, step, _ = node.arg
        ends = (start, start + step * (node.shape[0] - 1))
    elif node.op is Op.CONST:
        ends = (node.arg, node.arg)
    else:
        return False
    return (-size if allow_negative else 0) <= min(ends) and max(ends) < size


def _positions(shape, strides, offset: int, advanced) -> tuple[graph.Node, tuple, list]:
    """The storage position of each element that integer-tensor indices select from the view (shape,
    strides, offset), as an int64 node, the result's shape (the indexed dims go where torch puts them), and
    the range checks of the lazy indices, for the result to make (_checked_later). Every result element is then
    one load (a gather) or one store (a scatter)."""
    dims = [a[0] for a in advanced]
    try:
        bshape = broadcast_shapes(*(a[1]._shape for a in advanced))
    except RuntimeError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together with shapes "
                         + ", ".join(str(list(a[1]._shape)) for a in advanced)) from None
    # as torch: an empty result reads nothing, so its indices are not checked
    selects = math.prod(bshape) * math.prod(n for k, n in enumerate(shape) if k not in dims) > 0
    if any(shape[pos] == 0 and idx.numel() for pos, idx, _ in advanced):
        raise IndexError("index is out of bounds for dimension with size 0")
    wrapped = []  # whether each index may be negative (then it wraps: a modulo by the dim's size)
    pending = []  # the checks of lazy indices, made when the result is computed (deferred_checks)
    for pos, idx, _ in advanced:
        vals = known_values(idx)
        size = shape[pos]
        words = f"is out of bounds for dimension {pos} with size {size}"
        check = _range_check(size, lambda i, words=words: f"index {i} {words}", IndexError, allow_negative=True)
        if selects and vals is not None:
            check(vals)
        elif selects and not _in_range(idx, size, allow_negative=True):
            pending.append((idx, check))
        low = int(vals.min()) if vals is not None and vals.size else _lowest(idx.lazy)
        wrapped.append(low is None or low < 0)
    adjacent = dims == list(range(dims[0], dims[0] + len(dims))) if dims else True
    rest = [k for k in range(len(shape)) if k not in dims]
    # result layout: [rest before first adv] + bshape + [rest after] when adjacent, else bshape + rest
    before = [k for k in rest if not dims or k < dims[0]] if adjacent else []
    after = [k for k in rest if k not in before]
    out_shape = tuple([shape[k] for k in before] + list(bshape) + [shape[k] for k in after])
    placed = [(j, k) for j, k in enumerate(before)] + [(len(before) + len(bshape) + j, k) for j, k in enumerate(after)]
    positions = graph.const(offset, int64, out_shape)
    for j, k in placed:  # a kept dim walks its stride
        at = [1] * len(out_shape)
        at[j] = shape[k]
        term = graph.reshape(graph.arange(0, strides[k], shape[k], int64), tuple(at))
        positions = graph.alu(Op.ADD, positions, broadcast_node(term, out_shape))
    for (pos, idx, _), wrap in zip(advanced, wrapped):  # an indexed dim jumps to its (wrapped) index
        inode = graph.cast(idx.lazy, int64)
        if shape[pos] and wrap:
            inode = graph.alu(Op.MOD, inode, graph.const(shape[pos], int64, inode.shape))
        at = tuple([1] * len(before) + [1] * (len(bshape) - idx.ndim) + list(idx._shape) + [1] * len(after))
        term = graph.alu(Op.MUL, graph.reshape(inode, at), graph.const(strides[pos], int64, at))
        positions = graph.alu(Op.ADD, positions, broadcast_node(term, out_shape))
    return positions, out_shape, pending


def setitem(t: Tensor, index, value) -> None:
    """t[index] = value: a write through the view for basic indices, an index_put for the others. An index
    of whole dims writes t itself, as torch's does (a leaf's refusal names the leaf; the node is t's own)."""
    from .inplace import apply, copied, filled, filled_by_setitem, setitem_value
    index = as_index(index)
    _refuse_byte_fill(t, index, value)
    index = _byte_masks(index)
    t, index = _bool_scalars(t, index)
    items = index if isinstance(index, tuple) else (index,)
    if any(_is_advanced(i) for i in items):
        apply(t, index_put, index, value, reads_input=False, overlap="any")
        return
    view = t if _selects_all(t, index) else _indexed(t, index)
    if isinstance(value, Tensor):
        if _same_view(view, value):
            return  # `x[i] += v` ends with x[i] = (the view just updated): nothing left to write
        if value._shape != view._shape:
            from .movement import expand
            with no_grad():
                expand(value, view._shape)  # (torch's message when value cannot fill the view)
        # (torch copies a value of the view's shape and fills with a 0-d one)
        fills = value.ndim == 0 and view.ndim > 0 and value._storage.device == "cpu"
        apply(view, filled if fills else copied, value, reads_input=False)
    elif view is t and t.ndim == 0:
        apply(view, copied, Tensor._from_node(graph.const(setitem_value(t, value), t.dtype)), reads_input=False)
    else:
        apply(view, filled_by_setitem, setitem_value(t, value), reads_input=False)


def _selects_all(t: Tensor, index) -> bool:
    """Whether a basic index selects all of t as it is: Ellipsis and slices from 0 (as written) to the end
    by 1, where torch's indexing returns t itself rather than a view."""
    def whole(i, size: int) -> bool:
        return (isinstance(i, slice) and i.start in (None, 0) and i.step in (None, 1)
                and (i.stop is None or i.stop >= size))
    if t.ndim == 0:
        return all(i is Ellipsis for i in (index if isinstance(index, tuple) else (index,)))
    items = _expand_index(t.ndim, index)
    return len(items) == t.ndim and all(whole(i, size) for i, size in zip(items, t._shape))


NON_TUPLE_INDEX_WARNING = ("Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
                           "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
                           "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error "
                           "or a different result")


def as_index(index):
    """index as torch reads it: a short non-tuple sequence holding a tensor, a sequence, a slice, an Ellipsis
    or None is still taken as a tuple of indices (NumPy's old rule; torch warns), any other as one index. A
    range is the list of its numbers."""
    if isinstance(index, tuple):
        return tuple(list(i) if type(i) is range else i for i in index) if range in map(type, index) else index
    if type(index) is range:
        index = list(index)
    if isinstance(index, (Tensor, np.ndarray, str)) or not isinstance(index, list):
        return index
    if len(index) < 32 and any(i is None or i is Ellipsis or isinstance(i, (slice, Tensor, list, tuple, range,
                                                                             np.ndarray)) for i in index):
        warn_at_caller(NON_TUPLE_INDEX_WARNING)
        return as_index(tuple(index))
    return index


def _same_view(a: Tensor, b: Tensor) -> bool:
    return (a._storage is b._storage and a._shape == b._shape and a._strides == b._strides
            and a._offset == b._offset)


def _refuse_byte_fill(t: Tensor, index, value) -> None:
    """torch fills through a single mask (beside basic indices) with masked_fill, which takes no uint8 mask
    (after checking the shape of a mask that is the whole index)."""
    items = index if isinstance(index, tuple) else (index,)
    masks = [i for i in items if isinstance(i, Tensor)]
    if len(masks) != 1 or masks[0].dtype is not uint8 or (isinstance(value, Tensor) and value.numel() != 1):
        return
    if len(items) == 1:
        _single_mask(t, masks[0].to(bool_))
    raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype unsigned char")


def _single_mask(t: Tensor, index):
    items = index if isinstance(index, tuple) else (index,)
    if len(items) == 1 and isinstance(items[0], Tensor) and items[0].dtype is bool_ and items[0].ndim:
        mask = items[0]
        for k, (m, s) in enumerate(zip(mask._shape, t._shape)):
            if m != s:
                raise IndexError(f"The shape of the mask {list(mask._shape)} at index {k} does not match the shape of "
                                 f"the indexed tensor {list(t._shape)} at index {k}")
        return mask
    return None


def index_tensors(indices, name: str, position: int = 2) -> tuple:
    """index_put's indices as torch's parser takes them: a tuple or list of tensors (or Nones); position 1 where
    they follow a method's self."""
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"{name}(): argument 'indices' (position {position}) must be tuple of Tensors, not "
                        f"{type_name(indices)}")
    for k, index in enumerate(indices):
        if index is not None and not isinstance(index, Tensor):
            raise TypeError(f"expected Tensor as element {k} in argument {position - 1}, but got {type_name(index)}")
    return tuple(indices)


def public_index_put(input: Tensor, indices, values, accumulate: bool = False) -> Tensor:
    """torch.index_put: index_put with its indices checked as torch's (internal callers also pass slices)."""
    return index_put(input, index_tensors(indices, "index_put"), values, accumulate)


public_index_put.__name__ = public_index_put.__qualname__ = "index_put"  # (lg.index_put, Tensor.index_put)


@differentiable("index_put")
def index_put(input: Tensor, indices, values, accumulate: bool = False) -> Tensor:
    """input with input[indices] replaced by (or, accumulating, increased by) values."""
    if not accumulate:
        _refuse_byte_fill(input, indices, values)
    index = _byte_masks(indices)
    mask = _single_mask(input, index)
    one_value = not isinstance(values, Tensor) or values.numel() == 1
    if mask is not None and one_value and not accumulate and mask.ndim <= input.ndim:
        cond = graph.reshape(mask.lazy, mask._shape + (1,) * (input.ndim - mask.ndim))
        value = values.reshape(()).lazy if isinstance(values, Tensor) else graph.const(values, input.dtype)
        node = graph.alu(Op.WHERE, broadcast_node(cond, input._shape),
                         broadcast_node(graph.cast(value, input.dtype), input._shape), input.lazy)
        return Tensor._from_node(node, input._storage.device)
    shape, strides, offset, advanced = _parse(input._shape, contiguous_strides(input._shape), 0, index)
    positions, out_shape, pending = _positions(shape, strides, offset, advanced)
    vals = values if isinstance(values, Tensor) else Tensor._from_node(graph.const(values, input.dtype))
    try:
        fits = broadcast_shapes(vals._shape, out_shape) == out_shape
    except RuntimeError:
        fits = False
    if not fits:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(vals._shape)} cannot be broadcast to "
                           f"indexing result of shape {list(out_shape)}")
    if vals.dtype is not input.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{TORCH_NAMES[input.dtype.name]} for the destination and "
                           f"{TORCH_NAMES[vals.dtype.name]} for the source.")
    node = graph.scatter(input.lazy, positions, broadcast_node(graph.cast(vals.lazy, input.dtype), out_shape),
                         ReduceOp.SUM if accumulate else None)
    return _checked_later(Tensor._from_node(node, input._storage.device), pending)


def _check_index_shape(input: Tensor, d: int, index: Tensor, name: str, src) -> None:
    """torch's checks that index has input's dims and fits input (and a tensor src) apart from dim d."""
    dims = max(input.ndim, 1)
    sizes = lambda t, k: t._shape[k] if t.ndim else 1  # noqa: E731  (a 0-d tensor counts as one element)
    if name == "gather":
        if max(index.ndim, 1) != dims:
            raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
        for k in range(dims):
            if k != d and sizes(index, k) > sizes(input, k):
                raise RuntimeError(f"Size does not match at dimension {k} expected index {list(index._shape)} to be no "
                                   f"larger than self {list(input._shape)} apart from dimension {d}")
        return
    if index.numel() == 0:
        return
    if max(index.ndim, 1) != dims:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    wrong = any(k != d and sizes(index, k) > sizes(input, k) for k in range(dims))
    if isinstance(src, Tensor):
        for k in range(dims if not wrong else 0):
            if src.ndim and k >= src.ndim:
                raise IndexError(f"Dimension out of range (expected to be in range of [{-src.ndim}, {src.ndim - 1}], "
                                 f"but got {k})")
            if sizes(index, k) > sizes(src, k):
                wrong = True
                break
        if wrong:
            raise RuntimeError(f"Expected index {list(index._shape)} to be no larger than self {list(input._shape)} "
                               f"apart from dimension {d} and to be no larger size than src {list(src._shape)}")
    elif wrong:
        raise RuntimeError(f"Expected index {list(index._shape)} to be no larger than self {list(input._shape)} "
                           f"apart from dimension {d}")


def _src_values(src, index: Tensor):
    """The part of a scatter's src that index covers (none of it for an empty index)."""
    if not isinstance(src, Tensor):
        return src
    if index.numel() == 0:
        return src.reshape(-1)[:0].reshape(index._shape)
    return src[tuple(slice(0, n) for n in index._shape)]


def _scatter_indices(input: Tensor, dim: int, index: Tensor, name: str, src=None) -> tuple:
    """The index_put indices of scatter along dim (index itself there, the element's own position elsewhere), and
    the range check of a lazy index."""
    from .creation import arange
    from .tensor import wrap_dim
    d = wrap_dim(dim, input.ndim)
    if index.dtype not in POSITION_DTYPES:
        raise RuntimeError(f"{_CHECKED_AS.get(name, name)}(): Expected dtype int32/int64 for index")
    _check_index_shape(input, d, index, name, src)
    size = input._shape[d] if input.ndim else 1
    pending = _check_known_indices(index, size, lambda i: f"index {i} is out of bounds for dimension {d} with size "
                                                          f"{size}")
    grid = [1] * index.ndim
    return tuple(index if k == d else arange(n, device=input.device).reshape(grid[:k] + [n] + grid[k + 1:])
                 for k, n in enumerate(index._shape)), pending


@differentiable("scatter")
def scatter(input: Tensor, dim: int, index: Tensor, src=None, *, value=None, reduce=None) -> Tensor:
    """out[..., index[i][j], ...] = src[i][j] along dim (torch's scatter); src may be a scalar value.
    reduce 'add' or 'multiply' combines src with what is there instead."""
    if reduce is not None and reduce not in SCATTER_REDUCE:
        raise RuntimeError("reduce argument must be either add or multiply.")
    src = value if src is None else src
    _same_dtype(input, src)
    indices, pending = _scatter_indices(input, dim, index, "scatter", src)
    vals = _src_values(src, index)
    if reduce is not None:
        vals = vals if isinstance(vals, Tensor) else Tensor._from_node(graph.const(vals, input.dtype))
        return _checked_later(_reduce_into(input, indices, vals, SCATTER_REDUCE[reduce], include_self=True), pending)
    return _checked_later(index_put(input, indices, vals), pending)


# the reductions of scatter(reduce=...), scatter_reduce and index_reduce; "mean" is a sum over a count
SCATTER_REDUCE = {"add": ReduceOp.SUM, "multiply": ReduceOp.PROD}
REDUCTIONS = {"sum": ReduceOp.SUM, "prod": ReduceOp.PROD, "mean": ReduceOp.SUM, "amax": ReduceOp.MAX,
              "amin": ReduceOp.MIN, "max": ReduceOp.MAX, "min": ReduceOp.MIN}


def _reduce_into(input: Tensor, indices, values: Tensor, rop: ReduceOp, include_self: bool) -> Tensor:
    """input with values reduced into the positions indices select (repeated positions all count);
    without include_self, a position that receives values starts from the reduction's identity."""
    shape, strides, offset, advanced = _parse(input._shape, contiguous_strides(input._shape), 0, indices)
    positions, out_shape, pending = _positions(shape, strides, offset, advanced)
    base = input.lazy
    if not include_self:
        hit = graph.scatter(graph.const(False, bool_, input._shape), positions, graph.const(True, bool_, out_shape),
                            None)
        base = graph.alu(Op.WHERE, hit, graph.const(np_ops.reduce_identity(rop, input.dtype), input.dtype,
                                                    input._shape), base)
    vals = broadcast_node(graph.cast(values.lazy, input.dtype), out_shape)
    return _checked_later(Tensor._from_node(graph.scatter(base, positions, vals, rop), input._storage.device), pending)


def _reduced(input: Tensor, indices, values: Tensor, reduce: str, include_self: bool) -> Tensor:
    """scatter_reduce and index_reduce once their indices are made: a mean is a sum over a count (floor
    division for integers, as torch divides)."""
    out = _reduce_into(input, indices, values, REDUCTIONS[reduce], include_self)
    if reduce != "mean":
        return out
    from .elementwise import div, floor_divide, where
    ones = Tensor._from_node(graph.const(1, input.dtype, values._shape), input._storage.device)
    start = Tensor._from_node(graph.const(int(include_self), input.dtype, input._shape), input._storage.device)
    count = _reduce_into(start, indices, ones, ReduceOp.SUM, include_self=True)
    count = where(count == 0, 1, count)  # (positions nothing reached keep their value)
    with deferred_checks.trusted():  # (a count is never 0)
        return div(out, count) if input.dtype.is_floating_point else floor_divide(out, count)


@differentiable("scatter_reduce")
def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    """src reduced (sum, prod, mean, amax, amin) into input at index along dim, as scatter_add adds."""
    if reduce not in REDUCTIONS:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    _same_dtype(input, src)
    indices, pending = _scatter_indices(input, dim, index, "scatter_reduce", src)
    return _checked_later(_reduced(input, indices, _src_values(src, index), reduce, include_self), pending)


@differentiable("index_reduce")
def index_reduce(input: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, *,
                 include_self: bool = True) -> Tensor:
    """source's slices reduced (prod, mean, amax, amin) into input's slices index[i] along dim."""
    from .tensor import wrap_dim
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    d = wrap_dim(dim, input.ndim)
    pending = _check_slices("index_reduce_", input, d, index, source)
    return _checked_later(_reduced(input, (slice(None),) * d + (index.reshape(-1),), source, reduce, include_self),
                          pending)


def _same_dtype(input: Tensor, src) -> None:
    if isinstance(src, Tensor) and src.dtype is not input.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")


@differentiable("scatter_add")
def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    _same_dtype(input, src)
    indices, pending = _scatter_indices(input, dim, index, "scatter_add", src)
    return _checked_later(index_put(input, indices, _src_values(src, index), accumulate=True), pending)


def _check_slices(name: str, input: Tensor, d: int, index: Tensor, source: Tensor) -> list:
    """index_add's and index_reduce's checks (torch's messages): one index per slice of source along d,
    source of input's dtype, indices in range (their check returned where they are lazy)."""
    if index.dtype not in POSITION_DTYPES:
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index but got: {TORCH_NAMES[index.dtype.name]}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"{name}(): self ({TORCH_NAMES[input.dtype.name]}) and source "
                           f"({TORCH_NAMES[source.dtype.name]}) must have the same scalar type")
    if index.numel() != (source._shape[d] if source.ndim else 1):
        raise RuntimeError(f"{name}(): Number of indices ({index.numel()}) should be equal to source.size(dim): "
                           f"({source._shape[d] if source.ndim else 1}), for dim: {d}")
    size = input._shape[d] if input.ndim else 1
    return _check_known_indices(index, size, lambda i: "index out of range in self", IndexError)


@differentiable("index_add")
def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1) -> Tensor:
    """input with alpha * source[i] added at position index[i] along dim (repeated indices add up)."""
    from .tensor import wrap_dim
    d = wrap_dim(dim, input.ndim)
    pending = _check_slices("index_add_", input, d, index, source)
    if input.ndim == 0:  # (a number takes its one index as a vector of one)
        return _checked_later(index_put(input.reshape(1), (index.reshape(-1),), (source * alpha).reshape(-1),
                                        accumulate=True), pending).reshape(())
    return _checked_later(index_put(input, (slice(None),) * d + (index.reshape(-1),), source * alpha,
                                    accumulate=True), pending)


@differentiable("masked_fill")
def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    if not isinstance(value, (Tensor, *NUMBER_TYPES)):
        from .int_parameters import refuse_combination
        refuse_combination(masked_fill, (input, mask, value))
    if mask.dtype is not bool_:
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{C_NAMES[mask.dtype.name]}")
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.ndim} dimension(s).")
    if not isinstance(value, Tensor):  # (a number is checked as a fill checks it)
        value = scalar_in(input.dtype, python_scalar(value))
    shape = broadcast_shapes(mask._shape, input._shape)  # (torch's order, for its error)
    fill = graph.cast(value.lazy, input.dtype) if isinstance(value, Tensor) else graph.const(value, input.dtype)
    node = graph.alu(Op.WHERE, broadcast_node(mask.lazy, shape), broadcast_node(fill, shape),
                     broadcast_node(input.lazy, shape))
    return Tensor._from_node(node, input._storage.device)


@differentiable("index_fill")
def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """input with every slice index[k] along dim set to value."""
    from .creation import arange
    from .tensor import wrap_dim
    d = wrap_dim(dim, input.ndim)
    size = input._shape[d] if input.ndim else 1
    if index.dtype is not int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with {value.ndim} "
                           "dimension(s).")
    complex_value = value.dtype.is_complex if isinstance(value, Tensor) else isinstance(python_scalar(value), complex)
    if complex_value and not input.dtype.is_complex:
        raise RuntimeError("index_fill_(): Converting complex Scalar to non-complex type is not supported")
    if index.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    pending = _check_known_indices(index, size, lambda i: f"index {i} is out of bounds for dimension {d} with size "
                                                          f"{size}", IndexError, allow_negative=True)
    index = index.to(input.device)  # (an index may live on another device, as with indexing)
    hit = (arange(size, device=input.device).reshape(size, 1) == (index.reshape(1, -1) % max(size, 1))).any(1)
    shape = [1] * input.ndim
    if input.ndim:
        shape[d] = size
    return _checked_later(masked_fill(input, hit.reshape(shape), value), pending)


def unravel_index(indices: Tensor, shape) -> tuple[Tensor, ...]:
    """The coordinates in `shape` of flat row-major indices, one int64 tensor per dim (an index outside
    the shape wraps around it, negative ones from the end, as in torch)."""
    if not isinstance(indices, Tensor):
        raise AttributeError(f"'{type(indices).__name__}' object has no attribute 'is_complex'")
    if indices.dtype.kind not in "ui" or indices.dtype is bool_:
        raise TypeError(f"expected 'indices' to be integer dtype, but got lazygrad.{indices.dtype.name}")
    shape = tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    flat = indices.long()
    coords, inner = [], 1
    for size in reversed(shape):
        coords.append(flat.div(inner, rounding_mode="floor").remainder(size) if size else flat * 0)
        inner *= size
    return tuple(reversed(coords))


@takes_out("nonzero")
def nonzero(input: Tensor, *, as_tuple: bool = False):
    """Data-dependent output size: realizes the input (as torch synchronizes)."""
    from .creation import tensor
    coords = np.nonzero(np.asarray(input._values()).reshape(input._shape or (1,)))
    if input.ndim == 0:
        coords = coords[:0] if not coords else coords
    if as_tuple:
        return tuple(tensor(c.astype(np.int64)) for c in coords)
    if input.ndim == 0:  # a row without coordinates where the number is not zero
        return tensor(np.zeros((int(np.asarray(input._values()) != 0), 0), np.int64))
    return tensor(np.stack(coords).astype(np.int64)).t()  # (torch's kernel writes it transposed: strides (1, n))


def nonzero_static(input: Tensor, *, size: int, fill_value: int = -1, out: Tensor | None = None) -> Tensor:
    """The first `size` rows of nonzero(input), padded with fill_value: a shape known in advance, so this
    stays lazy (each nonzero element's flat position is scattered to the row its running count names)."""
    from .creation import arange, full
    from .inplace import write_out
    from .movement import stack
    if size < 0:
        raise RuntimeError("nonzero_static: 'size' must be an non-negative integer")
    device = input._storage.device
    present = (input != 0).reshape(-1)
    row = present.to(int64).cumsum(0) - 1
    slot = row.masked_fill(~present, size).clamp(max=size)
    positions = full((size + 1,), -1, dtype=int64, device=device).scatter(
        0, slot, arange(present.numel(), dtype=int64, device=device))[:size]
    strides = contiguous_strides(input._shape)
    coords = [(positions // max(stride, 1)) % max(extent, 1) for extent, stride in zip(input._shape, strides)]
    found = stack(coords, 1) if coords else full((size, 0), 0, dtype=int64, device=device)
    result = found.masked_fill((positions < 0).unsqueeze(1), fill_value)
    return result if out is None else write_out(result, out)


@tensor_parameters("input", "mask")
@takes_out("masked_select", refused_as="masked_select")
@recorded_as("MaskedSelectBackward0")
def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    if mask.dtype is not bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = broadcast_shapes(mask._shape, input._shape)
    return getitem(input.expand(shape), mask.expand(shape))


def _range_check(size: int, message, error: type = RuntimeError, allow_negative: bool = False):
    """The check torch makes of index values: message(the first index out of range) in its error class."""
    def check(vals: np.ndarray) -> None:
        if vals.size:
            bad = (vals < (-size if allow_negative else 0)) | (vals >= size)
            if bad.any():
                raise error(message(int(vals[bad].flat[0])))
    return check


def _check_known_indices(index: Tensor, size: int, message, error: type = RuntimeError,
                         allow_negative: bool = False):
    """Out-of-range indices raise when their values are known now (realized), as torch checks them; else the
    check is returned, for the op's result to make when it is computed (_checked_later)."""
    check = _range_check(size, message, error, allow_negative)
    vals = known_values(index)
    if vals is None:
        return [] if _in_range(index, size, allow_negative) else [(index, check)]
    check(vals)
    return []


def _checked_later(result: Tensor, pending: list) -> Tensor:
    """result, whose computation first checks the lazy indices of pending (lazygrad/deferred_checks.py)."""
    for index, check in pending:
        deferred_checks.defer(result.lazy, index, check)
    return result


@differentiable("index_select")
def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The slices index[k] of input along dim, in order: one gather."""
    from .tensor import wrap_dim
    d = wrap_dim(dim, input.ndim)
    if input.ndim == 0:  # (a number is indexed as a vector of one)
        if index.numel() != 1:
            raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {index.numel()} value(s)")
        return index_select(input.reshape(1), 0, index.reshape(1)).reshape(())
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if index.dtype not in POSITION_DTYPES:
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    size = input._shape[d]
    if d == 1:  # (torch's kernel for dim 1 has its own message)
        pending = _check_known_indices(index, size, lambda i: f"INDICES element is out of DATA bounds, id={i} "
                                                              f"axis_dim={size}")
    else:
        pending = _check_known_indices(index, size, lambda i: "index out of range in self", IndexError)
    items = [slice(None)] * input.ndim
    items[d] = index.reshape(-1)
    return _checked_later(getitem(input, tuple(items)), pending)


@differentiable("index_copy")
def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """input with its slices index[i] along dim replaced by source's slices i."""
    from .tensor import wrap_dim
    d = wrap_dim(dim, input.ndim)
    if index.dtype is not int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got {TORCH_NAMES[index.dtype.name]}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got (self) "
                           f"{TORCH_NAMES[input.dtype.name]} and (source) {TORCH_NAMES[source.dtype.name]}")
    if input.ndim and source.ndim and input.ndim != source.ndim:
        raise IndexError(f"index_copy_(): When source and destination are not scalars, their dimensionality must match. "
                         f"Source dimensionality ({source.ndim}), destination dimensionality ({input.ndim})")
    count = source._shape[d] if source.ndim else 1
    if index.numel() != count:
        raise IndexError(f"index_copy_(): Number of indices ({index.numel()}) should be equal to source.size(dim) "
                         f"({count})")
    slices = [" ".join(str(n) for k, n in enumerate(t._shape) if k != d) for t in (input, source)]
    if slices[0] != slices[1]:
        raise RuntimeError(f"index_copy_(): Source/destination tensor must have same slice shapes. Destination slice "
                           f"shape: {slices[0]} at dimension {d} and source slice shape: {slices[1]} at dimension 0.")
    size = input._shape[d] if input.ndim else 1
    pending = _check_known_indices(index, size, lambda i: f"index_copy_(): index {i} is out of bounds for dimension "
                                                          f"{d} with size {size}", IndexError)
    if input.ndim == 0:  # a number: its one element is the slice
        return _checked_later(index_put(input.reshape(1), (index.reshape(-1),), source.reshape(-1)),
                              pending).reshape(())
    return _checked_later(index_put(input, (slice(None),) * d + (index.reshape(-1),), source), pending)


@differentiable("put")
def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """input with source written (or added) at the positions index takes in input's row-major order."""
    if index.dtype is not int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got {TORCH_NAMES[index.dtype.name]}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got self.dtype = "
                           f"{TORCH_NAMES[input.dtype.name]} and source.dtype = {TORCH_NAMES[source.dtype.name]}")
    if source.numel() != index.numel():
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {source.numel()}, index.numel() = {index.numel()}")
    n = input.numel()
    pending = _check_known_indices(index, n, lambda i: f"out of range: tried to access index {i} on a tensor of {n} "
                                                       "elements.", IndexError, allow_negative=True)
    flat = index_put(input.reshape(-1), (index.reshape(-1),), source.reshape(-1), accumulate=accumulate)
    return _checked_later(flat, pending).reshape(input._shape)


@differentiable("masked_scatter")
def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """input with source's first elements, in order, written where mask (broadcast to input) is True.
    The number of those positions depends on mask's values, which are computed now, as torch does."""
    if mask.dtype is not bool_:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype "
                           f"{TORCH_NAMES[mask.dtype.name]}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                           f"{TORCH_NAMES[input.dtype.name]} and {TORCH_NAMES[source.dtype.name]}")
    full = mask.expand(input._shape)
    count = int(np.count_nonzero(np.asarray(full._values())))
    if source.numel() < count:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return index_put(input, full, source.reshape(-1)[:count])


@takes_out("take_along_dim", refused_as="gather")
def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """input's elements picked along dim by indices (broadcast against input elsewhere); without dim,
    from input's flattening."""
    from .tensor import wrap_dim
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    d = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        raise IndexError(f"Dimension specified as {d} but tensor has no dimensions")
    if input.ndim != indices.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {input.ndim} dimensions for input, and {indices.ndim} dimensions for indices")
    # broadcast everywhere but along dim, where indices keep their own length (torch's order of shapes)
    sized = list(indices._shape)
    sized[d] = input._shape[d]
    shape = list(broadcast_shapes(input._shape, sized))
    index_shape = shape[:d] + [indices._shape[d]] + shape[d + 1:]
    return gather(input.expand(shape), d, indices.expand(index_shape))


@differentiable("bincount")
def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value 0..max occurs in input (or the sum of its weights): a scatter-add into zeros.
    The length depends on the values, so they are computed now, as torch computes them."""
    from .creation import zeros
    if input.dtype.kind not in "ui" or input.dtype in LIMITED_UNSIGNED:
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{TORCH_NAMES[input.dtype.name]}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    values = np.asarray(input._values()) if input.ndim == 1 else None
    if values is None or (values < 0).any():
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is not None and (weights.ndim != 1 or weights._shape[0] != input._shape[0]):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    size = max(int(values.max()) + 1 if values.size else 0, minlength)
    if weights is None:
        counts = Tensor._from_node(graph.const(1, int64, input._shape), input._storage.device)
    else:  # (integer weights count in float64, as torch's)
        counts = weights if weights.dtype.is_floating_point else weights.to(float64)
    return index_put(zeros(size, dtype=counts.dtype, device=input.device), (input.long(),), counts, accumulate=True)


@tensor_parameters("input", "index")
@differentiable("take")
def take(input: Tensor, index: Tensor) -> Tensor:
    """input's elements in row-major order, picked at index (negative indices count from the end)."""
    if index.dtype is not int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {TORCH_NAMES[index.dtype.name]}")
    n = input.numel()
    pending = _check_known_indices(index, n, lambda i: f"out of range: tried to access index {i} on a tensor of {n} "
                                                       "elements.", IndexError, allow_negative=True)
    return _checked_later(getitem(input.reshape(-1), index), pending)


@differentiable("gather")
def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    """out[i][j] = input[index[i][j]][j] (for dim 0): one load per element, at a computed position. (With
    sparse_grad, torch's gradient of input is a sparse tensor; lazygrad's is dense, of the same values.)"""
    from .tensor import wrap_dim
    d = wrap_dim(dim, input.ndim)
    if input.ndim == 0 and index.ndim:  # a number is gathered from as a 1-element vector
        input = input.reshape(1)
    indices, pending = _scatter_indices(input, d, index, "gather")
    shape, strides, offset, advanced = _parse(input._shape, input._strides, input._offset, indices)
    positions, _, inner = _positions(shape, strides, offset, advanced)
    gathered = Tensor._from_node(graph.gather(input._storage.source, positions), input._storage.device)
    return _checked_later(gathered, inner + pending)
