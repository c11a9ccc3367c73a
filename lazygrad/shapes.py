"""Composites that combine, split, broadcast or repeat tensors (hstack, tensor_split, meshgrid, diff,
repeat_interleave, block_diag, ...), built from the views, cat and index ops of movement.py and
indexing.py, so the autograd nodes they record are torch's."""
from __future__ import annotations

import operator
import warnings

import numpy as np

from . import graph
from .autograd.composite import recorded_as
from .autograd.record import differentiable, takes_out
from .creation import ones, zeros
from .dtypes import bool_, int32, int64, result_type, torch_name
from .elementwise import _out, broadcast_shapes, logical_xor, sub
from .int_parameters import as_int, refuse_combination, spread_or_named, type_name
from .movement import cat, clone, expand, flatten, narrow, reshape, split, split_parts, stack, unsqueeze
from .reductions import sum as reduce_sum
from .tensor import Tensor, wrap_dim
from .tensor_parameters import tensor_list, tensor_parameters


def _tensor_list(tensors) -> tuple:
    """f(a, b) and f([a, b]) both as (a, b)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(tensors[0])
    return tuple(tensors)


def _one_or_tuple(tensors, fn, name: str):
    """atleast_*: a tensor for one tensor, a tuple for several or for a list (of tensors only)."""
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        return fn(tensors[0])
    if len(tensors) == 1 and not isinstance(tensors[0], (list, tuple)):
        raise TypeError(f"{name}() received an invalid combination of arguments - got ({type_name(tensors[0])}), "
                        "but expected one of:\n * (Tensor input)\n * (tuple of Tensors tensors)\n")
    return tuple(fn(t) for t in tensor_list(name, _tensor_list(tensors)))


def _at_least_1d(t: Tensor) -> Tensor:
    return reshape(t, 1) if t.ndim == 0 else t


def _at_least_2d(t: Tensor) -> Tensor:
    return {0: lambda: reshape(t, 1, 1), 1: lambda: unsqueeze(t, 0)}.get(t.ndim, lambda: t)()


def _at_least_3d(t: Tensor) -> Tensor:
    return {0: lambda: reshape(t, 1, 1, 1), 1: lambda: unsqueeze(unsqueeze(t, 0), -1),
            2: lambda: unsqueeze(t, -1)}.get(t.ndim, lambda: t)()


def atleast_1d(*tensors):
    return _one_or_tuple(tensors, _at_least_1d, "atleast_1d")


def atleast_2d(*tensors):
    return _one_or_tuple(tensors, _at_least_2d, "atleast_2d")


def atleast_3d(*tensors):
    return _one_or_tuple(tensors, _at_least_3d, "atleast_3d")


def _stacking(name: str, tensors, lift, dim_of) -> Tensor:
    tensors = tensor_list(name, tensors)
    if not tensors:
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    lifted = [lift(t) for t in tensors]
    return cat(lifted, dim_of(lifted))


def hstack(tensors, *, out=None) -> Tensor:
    """Along dim 1 (dim 0 for 1-D tensors)."""
    return _out(_stacking("hstack", tensors, _at_least_1d, lambda ts: 0 if ts[0].ndim == 1 else 1), out)


def vstack(tensors, *, out=None) -> Tensor:
    """Along dim 0, 1-D tensors as rows."""
    return _out(_stacking("vstack", tensors, _at_least_2d, lambda ts: 0), out)


def row_stack(tensors, *, out=None) -> Tensor:
    """vstack's other name (torch's errors name it)."""
    return _out(_stacking("row_stack", tensors, _at_least_2d, lambda ts: 0), out)


def dstack(tensors, *, out=None) -> Tensor:
    """Along dim 2, after making every tensor at least 3-D."""
    return _out(_stacking("dstack", tensors, _at_least_3d, lambda ts: 2), out)


def column_stack(tensors, *, out=None) -> Tensor:
    """Along dim 1, 0-D and 1-D tensors as columns."""
    return _out(_stacking("column_stack", tensors, lambda t: reshape(t, t.numel(), 1) if t.ndim < 2 else t,
                          lambda ts: 1), out)


def broadcast_tensors(*tensors) -> tuple:
    """Every tensor expanded (a view) to the common shape; one already of that shape is returned as is."""
    tensors = tensor_list("broadcast_tensors", tensors)
    shape = broadcast_shapes(*(t._shape for t in tensors))
    return tuple(t if t._shape == shape else expand(t, shape) for t in tensors)


MESHGRID_WARNING = "torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument."


def meshgrid(*tensors, indexing: str | None = None) -> tuple:
    """Tensor i expanded along dim i of the grid (views); 'xy' swaps the first two dims."""
    tensors = tuple(tensor_list("meshgrid", _tensor_list(tensors)))
    if indexing is None:
        warnings.warn(MESHGRID_WARNING, UserWarning, stacklevel=2)
        indexing = "ij"
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    for t in tensors:
        if t.dtype is not tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
    dims = list(range(len(tensors)))
    if indexing == "xy" and len(dims) > 1:
        dims[0], dims[1] = 1, 0
    shape = [0] * len(tensors)
    for t, d in zip(tensors, dims):
        shape[d] = t.numel()
    return tuple(expand(reshape(t, [-1 if k == d else 1 for k in range(len(shape))]), shape)
                 for t, d in zip(tensors, dims))


def cartesian_prod(*tensors) -> Tensor:
    """Every combination of one element from each 1-D tensor, as the rows of a matrix."""
    for t in tensor_list("cartesian_prod", tensors):
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._shape)}")
    if len(tensors) == 1:
        return tensors[0]
    return stack([flatten(g) for g in meshgrid(*tensors, indexing="ij")], 1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The r-element combinations of a 1-D tensor's elements (itertools' order), one per row: a gather at
    positions known from the length alone."""
    import itertools

    from .creation import tensor
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input._shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return input.new_empty(0)
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    positions = np.array(list(pick(range(input._shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return input[tensor(positions, device=input.device)]


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """Columns x^(N-1), ..., x, 1 (x^0 first when increasing), N defaulting to len(x)."""
    from .linalg import vander as increasing_powers
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    if n <= 1:
        return x.new_ones((x.shape[0], n))
    powers = increasing_powers(x, N=n)
    return powers if increasing else powers.flip(-1)


# ---- splitting ---------------------------------------------------------------------------------------

def _split_spec(spec):
    """An int (sections) or a list of indices, from an int, a sequence or a long tensor."""
    if not isinstance(spec, Tensor):
        sections = as_int(spec)
        return sections if sections is not None else [operator.index(i) for i in spec]
    if spec.dtype is not int64:
        raise RuntimeError("tensor_split expected tensor_indices_or_sections to have dtype of long, but got "
                           f"{torch_name(spec.dtype)}")
    if spec.ndim > 1:
        raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                           f"one-dimensional tensor, but got a tensor with {spec.ndim} dims")
    return spec.item() if spec.ndim == 0 else spec.tolist()


_TENSOR_SPLIT_SIGNATURES = ("(Tensor input, tuple of ints indices, int dim = 0)",
                            "(Tensor input, Tensor tensor_indices_or_sections, int dim = 0)",
                            "(Tensor input, int sections, int dim = 0)")
_SPLIT_ALONG_SIGNATURES = ("(Tensor input, int sections)", "(Tensor input, tuple of ints indices)")


def _is_spec(value, takes_tensor: bool) -> bool:
    if as_int(value) is not None or (takes_tensor and isinstance(value, Tensor)):
        return True
    return isinstance(value, (tuple, list)) and all(as_int(i) is not None for i in value)


def _named_spec(name: str, signatures: tuple, positional, named: dict, takes_tensor: bool):
    """The split specification, given in its place or by the name of its kind (sections=2, indices=[1, 3]):
    exactly one of them, an int, a sequence of ints or (takes_tensor) a tensor, else torch's invalid combination."""
    given = [v for v in (positional, *named.values()) if v is not None]
    if len(given) != 1 or not _is_spec(given[0], takes_tensor):
        words = ", ".join(["Tensor"] + ([type_name(positional)] if positional is not None else [])
                          + [f"{k}={type_name(v)}" for k, v in named.items() if v is not None])
        raise TypeError(f"{name}() received an invalid combination of arguments - got ({words}), but expected one "
                        "of:\n" + "".join(f" * {s}\n" for s in signatures))
    return given[0]


def tensor_split(input: Tensor, indices_or_sections=None, dim: int = 0, *, sections=None, indices=None,
                 tensor_indices_or_sections=None) -> tuple:
    """Views of input split along dim into n nearly equal sections, or at the given indices (which slice
    as Python does: negative ones count from the end, out-of-range ones clamp)."""
    indices_or_sections = _named_spec("tensor_split", _TENSOR_SPLIT_SIGNATURES, indices_or_sections,
                                      {"sections": sections, "indices": indices,
                                       "tensor_indices_or_sections": tensor_indices_or_sections}, True)
    if input.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    spec = _split_spec(indices_or_sections)
    d = wrap_dim(dim, input.ndim)
    size = input._shape[d]
    if isinstance(spec, int):
        if spec <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {spec}")
        base, extra = divmod(size, spec)
        spec = [k * base + min(k, extra) for k in range(1, spec)]
    edges = [0] + [min(max(i + size if i < 0 else i, 0), size) for i in spec] + [size]
    return tuple(narrow(input, d, start, max(end - start, 0)) for start, end in zip(edges, edges[1:]))


def _split_along(name: str, input: Tensor, spec, min_dims: int, dim: int, sections, indices) -> tuple:
    spec = _named_spec(name, _SPLIT_ALONG_SIGNATURES, spec, {"sections": sections, "indices": indices}, False)
    if input.ndim < min_dims:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} dimension, but got a tensor "
                           f"with {input.ndim} dimensions!")
    spec = _split_spec(spec)
    if isinstance(spec, int) and (spec == 0 or input._shape[dim] % spec):
        raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the dimension "
                           f"{input._shape[dim]} is not divisible by the split_size {spec}!")
    return tensor_split(input, spec, dim)


def hsplit(input: Tensor, indices_or_sections=None, *, sections=None, indices=None) -> tuple:
    return _split_along("hsplit", input, indices_or_sections, 1, 1 if input.ndim > 1 else 0, sections, indices)


def vsplit(input: Tensor, indices_or_sections=None, *, sections=None, indices=None) -> tuple:
    return _split_along("vsplit", input, indices_or_sections, 2, 0, sections, indices)


def dsplit(input: Tensor, indices_or_sections=None, *, sections=None, indices=None) -> tuple:
    return _split_along("dsplit", input, indices_or_sections, 3, 2, sections, indices)


# ---- differences and repeats -------------------------------------------------------------------------

@differentiable("split_with_sizes")
def split_with_sizes(input: Tensor, split_sizes, dim: int = 0) -> tuple:
    """Views of consecutive parts of input along dim, of the given sizes (which must add up to its size)."""
    return split(input, list(split_sizes), dim)


def check_split_size(split_size, position: int) -> None:
    """unsafe_split takes one part size (torch numbers the argument from 1 for the method, from 2 for the function)."""
    if not isinstance(split_size, int):
        raise TypeError(f"unsafe_split(): argument 'split_size' (position {position}) must be int, not "
                        f"{type(split_size).__name__}")


@differentiable("unsafe_split")
def unsafe_split(input: Tensor, split_size: int, dim: int = 0) -> tuple:
    """split by a part size; torch records it under its own node."""
    check_split_size(split_size, 2)
    return _unsafe(split_parts(input, split_size, dim))


@recorded_as("UnsafeSplitWithSizesBackward0")
def unsafe_split_with_sizes(input: Tensor, split_sizes, dim: int = 0) -> tuple:
    """split_with_sizes recorded under torch's node for the unsafe form (whose parts autograd does not
    treat as views of input)."""
    return _unsafe(split_parts(input, list(split_sizes), dim))


def _unsafe(parts: tuple) -> tuple:
    """unsafe_split's parts share input's memory, but autograd treats them as tensors of their own, as torch's
    does: writing one records its op on it alone (not through input, which torch leaves to the caller)."""
    for part in parts:
        part._base = None
    return parts


def unsafe_chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    size = input._shape[wrap_dim(dim, input.ndim)]
    return unsafe_split(input, max(1, -(-size // chunks)), dim)


def sum_to_size(input: Tensor, *sizes, size=None) -> Tensor:
    """input summed down to a shape it broadcasts from (a sum over the leading dims and over the dims where
    size is 1); input itself when it has that shape already."""
    sizes = spread_or_named(sizes, size, "sum_to_size", "size")
    shape = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else tuple(sizes)
    lead = input.ndim - len(shape)
    if lead < 0 or any(s != 1 and s != n for s, n in zip(shape, input._shape[lead:])):
        raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size {{{list(input._shape)}}}.")
    dims = tuple(range(lead)) + tuple(lead + k for k, s in enumerate(shape) if s == 1 and input._shape[lead + k] != 1)
    if not dims:
        return input
    summed = reduce_sum(input, dims, keepdim=True)
    return summed.view(shape) if lead else summed


def _check_diff_edge(input: Tensor, edge: Tensor, d: int) -> None:
    if edge.ndim != input.ndim:
        raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    for k in range(input.ndim):
        if k != d and edge._shape[k] != input._shape[k]:
            raise RuntimeError("diff expects the shape of tensor to prepend or append to match that of input except "
                               f"along the differencing dimension; input.size({k}) = {input._shape[k]}, but got "
                               f"tensor.size({k}) = {edge._shape[k]}")


@takes_out("diff", refused_as="sub")
def diff(input: Tensor, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
    """The n-th forward difference along dim (logical xor for bool), after prepend/append are attached."""
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = wrap_dim(dim, input.ndim)
    edges = [t for t in (prepend, append) if t is not None]
    for t in edges:
        _check_diff_edge(input, t, d)
    x = cat([t for t in (prepend, input, append) if t is not None], d) if edges else input
    step = logical_xor if x.dtype is bool_ else sub
    if n == 0:
        return clone(x)
    for _ in range(min(n, x._shape[d])):
        m = x._shape[d] - 1
        x = step(narrow(x, d, 1, m), narrow(x, d, 0, m))
    return x


def _repeat_index(repeats: Tensor, total: int) -> Tensor:
    """i repeated repeats[i] times: element k is the number of running totals <= k, counted by marking
    each running total and summing the marks (a scatter-add and a scan, linear in the output)."""
    ends = repeats.to(int64).cumsum(0)
    marks = zeros(total + 1, dtype=int64, device=repeats.device)
    marks = marks.index_add(0, ends, ones(ends._shape, dtype=int64, device=repeats.device))
    return narrow(marks.cumsum(0), 0, 0, total)


def _check_repeats(repeats: Tensor) -> None:
    if repeats.ndim > 1:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    if repeats.dtype not in (int32, int64):
        raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{torch_name(repeats.dtype)}'")


def _repeat_total(repeats: Tensor, output_size: int | None) -> int:
    """The output length: output_size, or the sum of repeats (which is read, as torch reads it)."""
    if output_size is not None:
        return output_size
    values = repeats._values()
    if (values < 0).any():
        raise RuntimeError("repeats can not be negative")
    return int(values.sum())


@tensor_parameters("input")
def repeat_interleave(input: Tensor, repeats=None, dim: int | None = None, *, output_size: int | None = None):
    """Each element (or slice along dim) repeated: an int repeats with an expand (a view and a copy), a
    tensor of repeats with an index_select. repeat_interleave(repeats) alone gives the repeated indices."""
    if repeats is None:
        _check_repeats(input)
        return _repeat_index(input, _repeat_total(input, output_size))
    x = flatten(input) if dim is None else input
    d = 0 if dim is None else wrap_dim(dim, x.ndim)
    if not isinstance(repeats, Tensor):
        if isinstance(repeats, (bool, np.bool_)) or not isinstance(repeats, (int, np.integer)):
            refuse_combination(repeat_interleave, (input, repeats))
        if repeats < 0:
            raise RuntimeError("Repeats must be non-negative")
        shape = list(x._shape)
        shape.insert(d + 1, repeats)
        return flatten(expand(unsqueeze(x, d + 1), shape).contiguous(), d, d + 1)  # (a copy, then a view of it)
    _check_repeats(repeats)
    size = x._shape[d]
    reps = expand(reshape(repeats, 1), [size]) if repeats.numel() == 1 else repeats
    if reps.numel() != size:
        raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                           f"{reps.numel()} and input.size({d}) = {size}")
    return x.index_select(d, _repeat_index(reps, _repeat_total(reps, output_size)))


# ---- block diagonal -----------------------------------------------------------------------------------

def _as_matrix(t: Tensor, i: int) -> Tensor:
    if t.ndim > 2:
        raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                           f"{t.ndim} dimensions")
    return reshape(t, 1, -1) if t.ndim < 2 else t


@differentiable("block_diag")
def block_diag(*tensors) -> Tensor:
    """The matrices (0-D and 1-D tensors as one row) along the diagonal of a zero matrix: each row-block
    is its matrix padded with zeros left and right, and the row-blocks are concatenated."""
    mats = [_as_matrix(t, i) for i, t in enumerate(tensor_list("block_diag", tensors))]
    if not mats:
        return zeros(1, 0)
    dt = result_type(*tensors)
    cols = sum(m._shape[1] for m in mats)
    rows, start = [], 0
    for m in mats:
        c = m._shape[1]
        node = graph.pad(graph.cast(m.lazy, dt), ((0, 0), (start, cols - start - c)))
        rows.append(Tensor._from_node(node, m._storage.device))
        start += c
    return cat(rows, 0)

