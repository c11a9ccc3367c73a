"""Movement ops. Torch's views share storage (new shape/strides/offset, no graph work); the others
(flip, cat, repeat, ...) build lazy nodes whose index arithmetic fuses into the kernel reading them."""
from __future__ import annotations

import math

import numpy as np

from . import graph, layouts
from .dtypes import int64, type_string
from .elementwise import _device, broadcast_node
from .dtypes import result_type
from .ops import Op
from .tensor import Tensor, wrap_dim
from .view import dense_strides, memory_order, reshape_strides, torch_contiguous_strides
from .warning_sites import warn_at_caller
from .autograd.record import differentiable
from .autograd.view_creation import created_in, mark_multi_output
from .int_parameters import as_int, dim_list, int_list, spread_or_named
from .parameter_names import respelled


def as_view(t: Tensor, shape, strides, offset: int) -> Tensor:
    """A tensor viewing t's storage; its `_base` is the tensor that owns the storage (torch's `._base`)."""
    v = Tensor._make(t._storage, tuple(shape), tuple(strides), offset)
    v._base = t._base if t._base is not None else t
    v._view_version = t._storage.version
    v._created_in = created_in(t)
    return v


@differentiable("as_strided")
def as_strided(input: Tensor, size, stride, storage_offset: int | None = None) -> Tensor:
    """A view of input's storage with the given sizes, strides and offset (storage coordinates)."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in size):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(size)} and strides={list(stride)}")
    if any(s < 0 for s in stride):
        raise RuntimeError("as_strided: Negative strides are not supported at the moment, got strides: "
                           f"{list(stride)}")
    offset = input._offset if storage_offset is None else int(storage_offset)
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    if math.prod(size):
        needed = offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1
        if needed > input._storage.numel:
            raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, "
                               f"and itemsize {input.dtype.itemsize} requiring a storage size of "
                               f"{needed * input.dtype.itemsize} are out of bounds for storage of size "
                               f"{input._storage.numel * input.dtype.itemsize}")
    return as_view(input, size, stride, offset)


@differentiable("slice_inverse")
def slice_inverse(input: Tensor, src: Tensor, dim: int = 0, start: int | None = None, end: int | None = None,
                  step: int = 1) -> Tensor:
    """The tensor a slice was taken from, seen again through the slice: input's storage viewed with src's
    sizes, strides and offset (dim, start, end and step only name the slice, as in torch)."""
    return as_strided(input, src._shape, src._strides, src._offset)


def _sizes(args, fn: str, param: str, named=None) -> list[int]:
    """Sizes or dims given spread out (x.view(2, 3)), as one sequence (x.view((2, 3))) or by name
    (x.view(size=(2, 3))), as ints."""
    args = spread_or_named(args, named, fn, param)
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return int_list(args, fn, param)


def infer_shape(shape: list[int], numel: int) -> tuple[int, ...]:
    """Resolve one -1 and check the element count, with torch's messages."""
    for at, size in enumerate(shape):
        if size < -1:
            raise RuntimeError(f"invalid shape dimension {size} at index {at} of shape {list(shape)}")
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = math.prod(s for s in shape if s != -1)
    if -1 in shape:
        if known == 0 and numel == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {list(shape)} because the unspecified "
                               "dimension size -1 can be any value and is ambiguous")
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = [numel // known if s == -1 else s for s in shape]
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


def _check_view_dtype(t: Tensor, dt, old: int, new: int) -> None:
    """torch's refusals of a dtype view between element sizes, in its order: the last dim must be contiguous
    and, for a wider type, its size, the offset and the other strides must hold whole wider elements."""
    from .dtypes import torch_name
    if t.ndim == 0:
        checks = [("self.dim() cannot be 0", True, None)]
    else:
        k, size, stride, wider = new // old, t._shape[-1], t._strides[-1], new > old
        checks = [(f"self.size(-1) must be divisible by {k}", wider and size % k, size),
                  ("self.stride(-1) must be 1", stride != 1, stride),
                  (f"self.storage_offset() must be divisible by {k}", wider and t._offset % k, t._offset)]
        checks += [(f"self.stride({i}) must be divisible by {k}", wider and s % k, s)
                   for i, s in enumerate(t._strides[:-1])]
    for words, failed, got in checks:
        if failed:
            but = "" if got is None else f", but got {got}"
            raise RuntimeError(f"{words} to view {torch_name(t.dtype)} as {torch_name(dt)} (different element "
                               f"sizes){but}")


def view_dtype(t: Tensor, dtype) -> Tensor:
    """The same bytes read as another dtype, sharing memory (realized now, since the bytes must exist)."""
    from .buffer import Buffer
    from .dtypes import to_dtype
    from .storage import Storage
    from .tensor import realize
    dt = to_dtype(dtype)
    old, new = t.dtype.itemsize, dt.itemsize
    shape, strides, offset = list(t._shape), list(t._strides), t._offset
    if old != new:
        _check_view_dtype(t, dt, old, new)
        if new < old:
            k = old // new
            shape[-1], strides, offset = shape[-1] * k, [s * k for s in strides[:-1]] + [1], offset * k
        else:
            k = new // old
            shape[-1], strides, offset = shape[-1] // k, [s // k for s in strides[:-1]] + [1], offset // k
    realize(t)
    buf = t._storage.share_with_numpy()
    raw = buf.array.view(np.uint8)
    array = raw[: len(raw) - len(raw) % new].view(dt.np)
    return Tensor._make(Storage.from_buffer(Buffer(dt, array.size, array=array), t._storage.device),
                        tuple(shape), tuple(strides), offset)


@differentiable("view")
def view(input: Tensor, *sizes, size=None, dtype=None) -> Tensor:
    """A view with another shape (x.view(2, 3), x.view(size=...)) or another dtype (x.view(dtype))."""
    if dtype is not None and not sizes and size is None:
        return view_dtype(input, dtype)
    if len(sizes) == 1 and not isinstance(sizes[0], (tuple, list)) and as_int(sizes[0]) is None and size is None:
        return view_dtype(input, sizes[0])
    shape = infer_shape(_sizes(sizes, "view", "size", size), input.numel())
    strides = reshape_strides(input._shape, input._strides, shape)
    if strides is None:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one dimension "
                           "spans across two contiguous subspaces). Use .reshape(...) instead.")
    return as_view(input, shape, strides, input._offset)


@differentiable("reshape")
def reshape(input: Tensor, *sizes, shape=None) -> Tensor:
    shape = infer_shape(_sizes(sizes, "reshape", "shape", shape), input.numel())
    strides = reshape_strides(input._shape, input._strides, shape)
    if strides is not None:
        return as_view(input, shape, strides, input._offset)
    return copy_of(input).view(shape)


def copy_of(t: Tensor) -> Tensor:
    """A new storage with t's values, contiguous (lazy: the copy fuses into whatever reads it)."""
    return Tensor._from_node(t.lazy, t._storage.device)


def like_layout(t: Tensor, node) -> Tensor:
    """A new tensor holding node (t's shape) laid out as torch's preserve_format lays out a copy of t:
    with t's strides when t is dense, else dense strides in t's stride order."""
    if not t.numel():
        return Tensor._from_node(node, t._storage.device)
    strides = t._strides if memory_order(t._shape, t._strides) is not None else dense_strides(t._shape, t._strides)
    return laid_out(t, node, strides)


def in_format_of(out: Tensor, *refs: Tensor) -> Tensor:
    """out in the memory format torch's convolution and pooling kernels write for inputs refs: channels-last
    when one of them is laid out so (their suggest_memory_format), else out as it is."""
    for ref in refs:
        fmt = layouts.suggested_format(ref._shape, ref._strides)
        if fmt is not layouts.contiguous_format:
            return contiguous(out, memory_format=fmt) if out.ndim == ref.ndim else out
    return out


def laid_out(t: Tensor, node, strides: tuple[int, ...]) -> Tensor:
    """A new tensor holding node (t's shape) in memory with the given dense strides."""
    return Tensor._from_node_laid_out(node, strides, t._storage.device)


def _channels_last(t: Tensor, memory_format) -> Tensor:
    """t in a channels-last memory format: itself when already so laid out, else a copy."""
    rank = layouts.format_rank(memory_format)
    if t.ndim != rank:
        raise RuntimeError(f"required rank {rank} tensor to use {memory_format._name} format")
    if t.is_contiguous(memory_format=memory_format):
        return t
    return laid_out(t, t.lazy, layouts.format_strides(t._shape, memory_format))


@differentiable("contiguous")
def contiguous(input: Tensor, memory_format=None) -> Tensor:
    """input itself when dense in memory_format's order (row-major by default), else a copy that is."""
    if memory_format in layouts.CHANNELS_LAST:
        return _channels_last(input, memory_format)
    return input if input.is_contiguous() else copy_of(input)


@differentiable("clone")
def clone(input: Tensor, *, memory_format=None) -> Tensor:
    """A copy: in t's layout (preserve_format), row-major, or channels-last."""
    if memory_format in layouts.CHANNELS_LAST:
        _channels_last(input.detach(), memory_format)  # (torch's rank check)
        return laid_out(input, input.lazy, layouts.format_strides(input._shape, memory_format))
    if memory_format is layouts.contiguous_format:
        return copy_of(input)
    return like_layout(input, input.lazy)


@differentiable("permute")
def permute(input: Tensor, *spread, dims=None) -> Tensor:
    dims = _sizes(spread, "permute", "dims", dims)
    if len(dims) != input.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the length "
                           f"of the desired ordering of dimensions i.e. input.dim() = {input.ndim} is not equal to "
                           f"len(dims) = {len(dims)}")
    wrapped = []
    for d in dims:  # (in order, as torch: a repeat is found before a later dim out of range)
        wrapped.append(wrap_dim(d, input.ndim))
        if wrapped[-1] in wrapped[:-1]:
            raise RuntimeError("permute(): duplicate dims are not allowed.")
    dims = wrapped
    return as_view(input, [input._shape[d] for d in dims], [input._strides[d] for d in dims], input._offset)


@differentiable("transpose")
def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    if input.ndim == 0:
        wrap_dim(dim0, 0), wrap_dim(dim1, 0)  # (a number takes dims 0 and -1)
        return as_view(input, (), (), input._offset)
    order = list(range(input.ndim))
    a, b = wrap_dim(dim0, input.ndim), wrap_dim(dim1, input.ndim)
    order[a], order[b] = order[b], order[a]
    return permute(input, order)


swapdims = transpose


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    """transpose, with NumPy's parameter names."""
    return transpose(input, axis0, axis1)


@differentiable("t")
def t_(t: Tensor) -> Tensor:
    if t.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {t.ndim}D")
    return transpose(t, 0, 1) if t.ndim == 2 else as_view(t, t._shape, t._strides, t._offset)


# torch's deprecation warnings of .T on a tensor that is not a matrix, each given once a process
_T_WARNINGS = {0: "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.",
               "mT": "Tensor.mT is deprecated on 0-D tensors. This function is the identity in these cases.",
               "other": "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and "
                        "it will throw an error in a future release. Consider `x.mT` to transpose batches of matrices "
                        "or `x.permute(*lazygrad.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor."}
_T_WARNED: set = set()


@differentiable("T")
def T(t: Tensor) -> Tensor:
    if t.ndim != 2:
        which = 0 if t.ndim == 0 else "other"
        if which not in _T_WARNED:
            _T_WARNED.add(which)
            warn_at_caller(_T_WARNINGS[which])
    return permute(t, list(reversed(range(t.ndim))))


def mT(t: Tensor) -> Tensor:
    if t.ndim == 0:  # (a number is itself, as in torch, which warns once)
        if "mT" not in _T_WARNED:
            _T_WARNED.add("mT")
            warn_at_caller(_T_WARNINGS["mT"])
        return t
    if t.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.")
    return transpose(t, -2, -1)


@differentiable("expand")
def expand(input: Tensor, *sizes, size=None) -> Tensor:
    sizes = _sizes(sizes, "expand", "size", size)
    if len(sizes) < input.ndim:
        raise RuntimeError(f"expand({type_string(input.dtype)}{{{list(input._shape)}}}, size={sizes}): the number of sizes provided "
                           f"({len(sizes)}) must be greater or equal to the number of dimensions in the tensor ({input.ndim})")
    lead = len(sizes) - input.ndim
    shape, strides = [], []
    for i in reversed(range(len(sizes))):  # (from the last dim, as torch: its error names the last mismatch)
        s = sizes[i]
        if i < lead:
            if s == -1:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, non-existing dimension {i}")
            shape.append(s)
            strides.append(0)
            continue
        old, st = input._shape[i - lead], input._strides[i - lead]
        if s == -1:
            s = old
        if s != old:
            if old != 1:
                raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({old}) at "
                                   f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                                   f"{list(input._shape)}")
            st = 0
        shape.append(s)
        strides.append(st)
    shape.reverse()
    strides.reverse()
    if min(shape, default=0) < 0:
        raise RuntimeError("numel: integer multiplication overflow")  # (torch's words for a negative size)
    return as_view(input, shape, strides, input._offset)


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    return expand(input, other._shape)


def broadcast_to(input: Tensor, *sizes, size=None) -> Tensor:
    return expand(input, _sizes(sizes, "broadcast_to", "size", size))


@differentiable("unsqueeze")
def unsqueeze(input: Tensor, dim: int) -> Tensor:
    d = wrap_dim(dim, input.ndim + 1)
    shape, strides = list(input._shape), list(input._strides)
    stride = shape[d] * strides[d] if d < input.ndim else 1
    shape.insert(d, 1)
    strides.insert(d, stride)
    return as_view(input, shape, strides, input._offset)


@differentiable("squeeze")
def squeeze(input: Tensor, dim=None) -> Tensor:
    if dim is None:
        dims = {i for i, s in enumerate(input._shape) if s == 1}
    else:
        dims = {wrap_dim(d, input.ndim) for d in dim_list(dim)}  # (a number takes dims 0 and -1)
        dims = {d for d in dims if input.ndim and input._shape[d] == 1}
    keep = [i for i in range(input.ndim) if i not in dims]
    return as_view(input, [input._shape[i] for i in keep], [input._strides[i] for i in keep], input._offset)


@differentiable("flatten")
def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    a, b = wrap_dim(start_dim, input.ndim), wrap_dim(end_dim, input.ndim)
    if input.ndim == 0:
        return reshape(input, 1)
    if a > b:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = list(input._shape[:a]) + [math.prod(input._shape[a:b + 1])] + list(input._shape[b + 1:])
    return reshape(input, shape)


@differentiable("unflatten")
def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    if input.ndim == 0:
        raise RuntimeError(f"unflatten got an unexpected error:\nDimension specified as {wrap_dim(dim, 0)} but tensor "
                           "has no dimensions")
    d = wrap_dim(dim, input.ndim)
    try:
        sizes = infer_shape(list(sizes), input._shape[d])
    except RuntimeError:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {d} "
                           f"({input._shape[d]}) in the input tensor") from None
    return view(input, list(input._shape[:d]) + list(sizes) + list(input._shape[d + 1:]))


@differentiable("narrow")
def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, input.ndim)
    size = input._shape[d]
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    shape = list(input._shape)
    shape[d] = length
    return as_view(input, shape, input._strides, input._offset + start * input._strides[d])


@differentiable("select")
def select(input: Tensor, dim: int, index: int) -> Tensor:
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, input.ndim)
    size = input._shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input._shape)} at dimension {d}")
    index %= size
    keep = [i for i in range(input.ndim) if i != d]
    return as_view(input, [input._shape[i] for i in keep], [input._strides[i] for i in keep], input._offset + index * input._strides[d])


@differentiable("narrow_copy")
def narrow_copy(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """narrow's elements in a new contiguous tensor."""
    return copy_of(narrow(input, dim, start, length))


@differentiable("unfold")
def unfold(t: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Every window of `size` elements along dimension, `step` apart, as a new last dim: a view (windows
    share elements when step < size)."""
    d = wrap_dim(dimension, t.ndim)
    extent = t._shape[d] if t.ndim else 1
    if size > extent:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {extent} but size is {size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if t.ndim == 0:
        return as_view(t, (size,), (1,), t._offset)
    shape, strides = list(t._shape), list(t._strides)
    shape[d], strides[d] = (extent - size) // step + 1, strides[d] * step
    return as_view(t, shape + [size], strides + [t._strides[d]], t._offset)


@differentiable("diagonal")
def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    a, b = wrap_dim(dim1, input.ndim), wrap_dim(dim2, input.ndim)
    if a == b:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    start = input._offset + (offset * input._strides[b] if offset >= 0 else -offset * input._strides[a])
    n = max(0, min(input._shape[a] - max(-offset, 0), input._shape[b] - max(offset, 0)))
    if n == 0:
        start = input._offset  # torch does not move an empty diagonal
    keep = [i for i in range(input.ndim) if i not in (a, b)]
    return as_view(input, [input._shape[i] for i in keep] + [n], [input._strides[i] for i in keep] + [input._strides[a] + input._strides[b]],
                   start)


@differentiable("flip")
def flip(input: Tensor, dims) -> Tensor:
    dims = dim_list(dims)
    axes = tuple(wrap_dim(d, input.ndim) for d in dims)
    for a in axes:
        if axes.count(a) > 1:
            raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
    if input.ndim == 0:  # (a number's dim 0 is itself: nothing to reverse)
        axes = ()
    return like_layout(input, graph.flip(input.lazy, axes))


@differentiable("cat")
def cat(tensors, dim: int = 0) -> Tensor:
    """Each input is padded to the full extent along dim and selected by position: one fused kernel."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    device = _device(*tensors)
    dt = result_type(*tensors)
    tensors = [t for t in tensors if not (t.ndim == 1 and t._shape[0] == 0)] or tensors[:1]
    ref = tensors[0]
    if ref.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = wrap_dim(dim, ref.ndim)
    for i, t in enumerate(tensors):
        if t.ndim != ref.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} and {t.ndim}")
        for k in range(ref.ndim):
            if k != d and t._shape[k] != ref._shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{ref._shape[k]} but got size {t._shape[k]} for tensor number {i} in the list.")
    total = sum(t._shape[d] for t in tensors)
    shape = list(ref._shape)
    shape[d] = total
    shape = tuple(shape)
    pos_shape = [1] * len(shape)
    pos_shape[d] = total
    pos = broadcast_node(graph.reshape(graph.arange(0, 1, total, int64), tuple(pos_shape)), shape)
    node, start = None, 0
    for t in tensors:
        n = t._shape[d]
        pads = tuple((start, total - start - n) if k == d else (0, 0) for k in range(len(shape)))
        part = graph.pad(graph.cast(t.lazy, dt), pads)
        if node is None:
            node = part
        else:
            inside = graph.alu(Op.GE, pos, graph.const(start, int64, shape))
            node = graph.alu(Op.WHERE, inside, part, node)
        start += n
    return Tensor._from_node(node, device)


concat = cat
concatenate = respelled(cat, axis="dim")


@differentiable("stack")
def stack(tensors, dim: int = 0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if t._shape != tensors[0]._shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(tensors[0]._shape)} at "
                               f"entry 0 and {list(t._shape)} at entry {i}")
    d = wrap_dim(dim, tensors[0].ndim + 1)
    return cat([unsqueeze(t, d) for t in tensors], d)


def split_parts(tensor: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """split's views, checked as torch checks split's arguments (unsafe_split's parts may be written)."""
    if tensor.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, tensor.ndim)
    size = tensor._shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and size:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}")
        sections = [min(step, size - s) for s in range(0, size, step)] if size else [0]
    else:
        sections = list(split_size_or_sections)
        if sum(sections) != size:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size at "
                               f"dimension {dim}), but got split_sizes={sections}")
    out, start = [], 0
    for n in sections:
        out.append(narrow(tensor, d, start, n))
        start += n
    return tuple(out)


@differentiable("split")
def split(tensor: Tensor, split_size_or_sections, dim: int = 0):
    """Views of consecutive parts of tensor along dim; writing one in place is refused, as in torch."""
    return mark_multi_output(split_parts(tensor, split_size_or_sections, dim), tensor)


def chunk(input: Tensor, chunks: int, dim: int = 0):
    if input.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    size = input._shape[wrap_dim(dim, input.ndim)]
    if size == 0:  # (an empty dim gives `chunks` empty pieces, as torch's)
        return split(input, [0] * chunks, dim)
    return split(input, -(-size // chunks), dim)


@differentiable("unbind")
def unbind(input: Tensor, dim: int = 0):
    """The slices of input along dim, as views (one UnbindBackward0 node for all of them, as in torch)."""
    if input.ndim == 0:
        raise IndexError(f"Dimension specified as {wrap_dim(dim, 0)} but tensor has no dimensions")
    d = wrap_dim(dim, input.ndim)
    return mark_multi_output(tuple(select(input, d, i) for i in range(input._shape[d])), input)


@differentiable("repeat")
def repeat(input: Tensor, *spread, repeats=None) -> Tensor:
    sizes = _sizes(spread, "repeat", "repeats", repeats)
    if len(sizes) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    shape = (1,) * (len(sizes) - input.ndim) + input._shape
    target = [r * s for r, s in zip(sizes, shape)]
    if any(r < 0 for r in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(target)}: {target}")
    node = graph.reshape(input.lazy, shape)
    inter = tuple(x for s in shape for x in (1, s))
    node = graph.reshape(node, inter)
    node = graph.expand(node, tuple(x for r, s in zip(sizes, shape) for x in (r, s)))
    return Tensor._from_node(graph.reshape(node, tuple(r * s for r, s in zip(sizes, shape))), input._storage.device)


def tile(input: Tensor, *spread, dims=None) -> Tensor:
    """input repeated dims[i] times along each dim (dims padded with ones in front to input's rank)."""
    dims = _sizes(spread, "tile", "dims", dims)
    return repeat(input, [1] * (input.ndim - len(dims)) + dims)


def movedim(input: Tensor, source, destination) -> Tensor:
    """The dims `source` moved to positions `destination`, the others keeping their order (a permute)."""
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should contain the "
                           f"same number of dims as destination ({dst} dims)")
    n = input.ndim
    wrapped = {name: [wrap_dim(d, n) for d in dims] for name, dims in (("source", src), ("destination", dst))}
    for name, dims in (("source", src), ("destination", dst)):
        if len(set(wrapped[name])) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({dims})")
    if n == 0:
        return permute(input, [])
    order: list[int | None] = [None] * n
    for s_, d_ in zip(wrapped["source"], wrapped["destination"]):
        order[d_] = s_
    rest = iter(i for i in range(n) if i not in wrapped["source"])
    return permute(input, [o if o is not None else next(rest) for o in order])


moveaxis = movedim


def ravel(input: Tensor) -> Tensor:
    """The elements in row-major order: a view when the layout allows it, else a view of a contiguous copy
    (torch's nodes: CloneBackward0 under ViewBackward0)."""
    return reshape(input.contiguous(), -1)


def _own(t: Tensor) -> Tensor:
    """t's layout as a tensor of its own: not a view of the intermediate a composite cut it from."""
    return Tensor._make(t._storage, t._shape, t._strides, t._offset)


def _roll_dim(t: Tensor, shift: int, d: int) -> Tensor:
    n = t._shape[d]
    s = shift % n if n else 0
    if s == 0:
        return t
    return cat([narrow(t, d, n - s, s), narrow(t, d, 0, n - s)], d)


@differentiable("roll")
def roll(input: Tensor, shifts, dims=None) -> Tensor:
    """Elements shifted along dims, wrapping around (along the flattened tensor when dims is None)."""
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = () if dims is None else dim_list(dims)
    if not shifts:
        raise RuntimeError("`shifts` required")
    if len(shifts) != len(dims) and not (len(shifts) == 1 and not dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    if not dims:
        return _own(_roll_dim(reshape(input, -1), shifts[0], 0).view(input._shape)) if input.numel() else copy_of(input)
    if input.ndim == 0:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    out = input
    for shift, d in zip(shifts, dims):
        out = _roll_dim(out, shift, wrap_dim(d, input.ndim))
    return copy_of(input) if out is input else out


def flipud(input: Tensor) -> Tensor:
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, [0])


def fliplr(input: Tensor) -> Tensor:
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, [1])


@differentiable("rot90")
def rot90(input: Tensor, k: int = 1, dims=(0, 1)) -> Tensor:
    """Rotation by k quarter turns from dims[0] towards dims[1]: a flip and a transposed view of it."""
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    a, b = (wrap_dim(d, input.ndim) for d in dims)
    if a == b:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}")
    turns = {0: lambda: clone(input), 1: lambda: transpose(flip(input, [b]), a, b),
             2: lambda: flip(input, [a, b]), 3: lambda: transpose(flip(input, [a]), a, b)}
    return _own(turns[k % 4]())

_ = torch_contiguous_strides
