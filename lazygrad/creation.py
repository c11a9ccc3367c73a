"""Tensor creation: from data, constants, ranges and random numbers (all lazy except data copies)."""
from __future__ import annotations

import functools
import math
import warnings

import numpy as np

from . import dtypes, graph, torch_logspace
from .buffer import Buffer
from .factory_out import factory_out
from .dtype_info import scalar_in
from .dtypes import DType, bool_, from_numpy_dtype, get_default_dtype, int64, to_dtype
from .int_parameters import as_int, int_list, spread_or_named, type_name
from .ops import Op
from .random import next_offset, seed_value
from .storage import Storage
from .tensor import Tensor, normalize_device
from .warning_sites import warn_at_caller


def parse_size(size, name: str = "empty") -> tuple[int, ...]:
    """Accept f(2, 3), f((2, 3)) and f([2, 3]) as torch does."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    elif len(size) == 1 and as_int(size[0]) is None:
        raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, not {type_name(size[0])}")
    out = int_list(size, name, "size", 1)
    for s in out:
        if s < 0:
            if name == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {out}")
    return tuple(out)


def _finish(t: Tensor, requires_grad: bool) -> Tensor:
    if requires_grad:
        if t.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t._requires_grad = True
    return t


def _infer_dtype(values: np.ndarray) -> DType:
    if values.dtype.kind == "b":
        return bool_
    if values.dtype.kind in "iu":
        return int64
    if values.dtype.kind == "f":
        return get_default_dtype()
    if values.dtype.kind == "c":
        return get_default_dtype().to_complex()
    raise TypeError(f"Could not infer dtype of {values.dtype}")


def _data_to_numpy(data, dim: int = 0) -> np.ndarray:
    """Nested sequences to an array, with torch's message for ragged input."""
    if isinstance(data, Tensor):
        return data._values()
    if isinstance(data, str):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if isinstance(data, (list, tuple)):
        if data and isinstance(data[0], str):  # (torch reads the first element for the shape: a str is a sequence)
            raise ValueError("too many dimensions 'str'")
        items = [_item(d) if isinstance(d, Tensor) else _data_to_numpy(d, dim + 1)
                 if isinstance(d, (list, tuple, str)) else d for d in data]
        arrays = [i for i in items if isinstance(i, np.ndarray)]
        if arrays:
            first = items[0]
            for i in items[1:]:
                if np.ndim(i) != np.ndim(first) or np.shape(i)[:1] != np.shape(first)[:1]:
                    want = len(first) if np.ndim(first) else 0
                    got = len(i) if np.ndim(i) else 0
                    raise ValueError(f"expected sequence of length {want} at dim {dim + 1} (got {got})")
        return np.array(items)
    return np.asarray(data)


def _item(t: Tensor) -> np.ndarray:
    """A tensor inside a sequence given to tensor(): one number, as torch reads it (its item)."""
    if t.numel() != 1:
        raise ValueError("only one element tensors can be converted to Python scalars")
    if t.requires_grad:
        warn_at_caller("Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
                       "Consider using tensor.detach() first.")
    return np.asarray(t._values()).reshape(())


def _python_scalars_inside(data) -> bool:
    """Whether nested data holds Python numbers (whose dtype torch infers) rather than NumPy scalars."""
    if isinstance(data, (list, tuple)):
        return any(_python_scalars_inside(d) for d in data) if data else True
    return isinstance(data, (bool, int, float, complex))


def _typed_scalar_dtypes(data) -> set[DType]:
    """The dtypes of the NumPy scalars and tensors in nested data (empty when it holds none: torch infers from the
    values)."""
    if isinstance(data, np.generic):
        return {from_numpy_dtype(data.dtype)}
    if not isinstance(data, (list, tuple)):
        return set()
    kinds = set(map(type, data))  # (one pass in C over a long flat list)
    found = {from_numpy_dtype(np.dtype(k)) for k in kinds if issubclass(k, np.generic)}
    if any(issubclass(k, (list, tuple, Tensor)) for k in kinds):
        for d in data:
            found |= {d.dtype} if isinstance(d, Tensor) else _typed_scalar_dtypes(d)
    return found


def _python_values(data) -> np.ndarray:
    """The Python numbers of nested data, flattened, for the dtype torch infers from them."""
    if isinstance(data, (list, tuple)):
        return np.array([v for d in data for v in _python_values(d).tolist()])
    return np.array([] if isinstance(data, (np.generic, Tensor)) else [data])


def _numbers(data):
    """The numbers of nested sequences, in order."""
    if isinstance(data, (list, tuple)):
        for d in data:
            yield from _numbers(d)
    else:
        yield data


def _plain_numbers(data) -> bool:
    """Whether data is a Python number or nested sequences of nothing else."""
    if isinstance(data, (list, tuple)):
        return all(map(_plain_numbers, data))
    return isinstance(data, (bool, int, float, complex))


def _as_uint64(data) -> np.ndarray:
    """Python integers as torch reads them for uint64 (each one whole, not through int64): below 2^64, not
    negative, and no floats."""
    shape = _data_to_numpy(data).shape  # (its checks of the nesting; its values may have been rounded)
    flat = np.array(data, dtype=object).reshape(-1)
    for v in flat:
        if not isinstance(v, int):
            raise TypeError("an integer is required")
        if v < 0:
            raise OverflowError("can't convert negative int to unsigned")
        if v >= 2 ** 64:
            raise OverflowError("int too big to convert")
    return np.array(flat.tolist(), dtype=np.uint64).reshape(shape)


COPY_CONSTRUCTION = ("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
                     "sourceTensor.detach().clone().requires_grad_(True), rather than {}(sourceTensor).")


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of data (nested lists, scalars, NumPy arrays or tensors: those with torch's
    warning, since a copy made so is cut from the graph)."""
    if isinstance(data, Tensor):
        warn_at_caller(COPY_CONSTRUCTION.format("torch.tensor"))
    return _copied(data, dtype, device, requires_grad)


def _copied(data, dtype, device, requires_grad: bool) -> Tensor:
    device = normalize_device(device)
    if dtype is not None and not isinstance(dtype, DType) and dtype not in (bool, int, float, complex):
        raise TypeError(f"tensor(): argument 'dtype' must be lazygrad.dtype, not {type_name(dtype)}")
    if isinstance(data, (np.ndarray, np.generic)):
        values, inferred = np.asarray(data), from_numpy_dtype(data.dtype)
    elif isinstance(data, Tensor):
        values, inferred = data._values(), data.dtype
    elif dtype is dtypes.uint64 and _plain_numbers(data):
        values, inferred = _as_uint64(data), dtypes.uint64
    else:
        values = _data_to_numpy(data)
        if values.dtype == object:
            if any(isinstance(v, int) and not -2**63 <= v < 2**63 for v in values.flat):
                raise ValueError("Overflow when unpacking long long")
            culprit = next((v for v in values.flat if not isinstance(v, (bool, int, float, complex))), data)
            raise RuntimeError(f"Could not infer dtype of {type(culprit).__name__}")
        if isinstance(data, (list, tuple)) and values.dtype.kind not in "biufc":
            raise TypeError(f"new(): invalid data type '{values.dtype}'")
        typed = _typed_scalar_dtypes(data)
        if not typed:
            inferred = _infer_dtype(values)
        else:  # each element as torch reads it, promoted: [np.float64(1), 2.0] is float64, [np.float32(1), 2] float32
            read = [_infer_dtype(_python_values(data))] if _python_scalars_inside(data) else []
            inferred = functools.reduce(dtypes.promote_types, [*read, *typed])
    if values.dtype == np.uint64 and inferred is not dtypes.uint64:
        raise ValueError("Overflow when unpacking long long")  # (Python integers past int64)
    dt = to_dtype(dtype, "tensor") if dtype is not None else inferred
    if values.dtype.kind == "c" and dt.kind in "uif" and _python_scalars_inside(data):  # each number in order
        for number in _numbers(data):
            if isinstance(number, complex):  # (Python's own refusal)
                raise TypeError("must be real number, not complex" if dt.kind == "f" else
                                "'complex' object cannot be interpreted as an integer")
            if dt.is_integer:
                _check_fits(np.array([number]), dt, [number])
    if dt.kind in "ui" and values.dtype.kind in "iuf" and _python_scalars_inside(data) and values.size:
        _check_fits(values, dt, data)
    return _finish(Tensor._from_array(np.asarray(values), dt, device), requires_grad)


def _check_fits(values: np.ndarray, dt: DType, data) -> None:
    """torch's check when Python numbers go into an integer dtype: in range, where an unsigned dtype also takes
    negative integers down to minus its maximum (they wrap, as in C); floats must be finite and in range as they
    are, before they are truncated. (A list mixing ints and floats is read as floats, then, on a failure, each
    number by its own type.)"""
    info = np.iinfo(dt.np)
    low = -int(info.max) if info.min == 0 else int(info.min)
    if values.dtype.kind == "f":
        fits = np.isfinite(values).all() and values.min() >= info.min and values.max() <= info.max
        if not fits and values.size and np.isfinite(values).all() and values.min() >= low:
            fits = all(n >= info.min or isinstance(n, int) for n in _numbers(data) if n <= info.max)
            fits = fits and values.max() <= info.max
    else:
        fits = int(values.min()) >= low and int(values.max()) <= int(info.max)
    if not fits:
        raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow")


NOT_WRITABLE = ("The given NumPy array is not writable, and PyTorch does not support non-writable tensors. This means "
                "writing to this tensor will result in undefined behavior. You may want to copy the array to protect "
                "its data or make it writable before converting it to a tensor. This type of warning will be "
                "suppressed for the rest of this program.")


def from_numpy(a: np.ndarray) -> Tensor:
    """A tensor sharing a's memory: writes on either side are seen by the other."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type_name(a)})")
    dt = from_numpy_dtype(a.dtype)
    if not a.flags.writeable:
        from .settings import warn_once
        warn_once(NOT_WRITABLE)
    item = a.dtype.itemsize
    if any(s < 0 for s in a.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with negative "
                         "strides are not currently supported. (You can probably work around this by making a "
                         "copy of your array  with array.copy().) ")
    if any(s % item for s in a.strides):
        raise ValueError("given numpy array strides not a multiple of the element byte size. "
                         "Copy the numpy array to reallocate the memory.")
    strides = tuple(s // item for s in a.strides)
    span = 0 if a.size == 0 else 1 + sum((n - 1) * s for n, s in zip(a.shape, strides))
    flat = np.lib.stride_tricks.as_strided(a, shape=(span,), strides=(item,))
    buf = Buffer(dt, span, array=flat)
    return Tensor._make(Storage.from_buffer(buf), tuple(a.shape), strides, 0)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """data itself when it already is a tensor of that dtype, memory shared with NumPy when possible."""
    dt = to_dtype(dtype, "as_tensor") if dtype is not None else None
    if isinstance(data, Tensor):
        return data if dt is None or dt is data.dtype else data.to(dt)
    if isinstance(data, np.ndarray) and (dt is None or dt.np == data.dtype) and data.dtype.kind in "biufc":
        return from_numpy(data)
    return tensor(data, dtype=dt, device=device)


def _const(size, value, dtype, device, requires_grad, name: str = "empty", named=None) -> Tensor:
    """A tensor of one value, its size spread out, as one sequence, or given by name (`named`, size=)."""
    device = normalize_device(device)
    shape = parse_size(spread_or_named(size, named, name, "size"), name)
    return _finish(Tensor._from_node(graph.const(value, dtype, shape), device), requires_grad)


def _check_number(name: str, fill_value) -> None:
    if not isinstance(fill_value, (bool, int, float, complex, np.number, np.bool_)):
        raise TypeError(f"{name}(): argument 'fill_value' (position 2) must be Number, not {type_name(fill_value)}")


@factory_out("full")
def full(size, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    fill_value = dtypes.python_scalar(fill_value)
    if not isinstance(size, (int, tuple, list)) or isinstance(size, bool):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not {type_name(size)}")
    _check_number("full", fill_value)
    dt = to_dtype(dtype, "full") if dtype is not None else dtypes.scalar_dtype(fill_value)
    fill_value = scalar_in(dt, fill_value)
    return _const((size,), fill_value, dt, device, requires_grad)


@factory_out("zeros")
def zeros(*sizes, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    dt = to_dtype(dtype, "zeros") if dtype is not None else get_default_dtype()
    return _const(sizes, 0, dt, device, requires_grad, "zeros", size)


@factory_out("ones")
def ones(*sizes, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    dt = to_dtype(dtype, "ones") if dtype is not None else get_default_dtype()
    return _const(sizes, 1, dt, device, requires_grad, "ones", size)


@factory_out("empty", writes=False)
def empty(*sizes, size=None, dtype=None, device=None, requires_grad: bool = False,
          memory_format=None) -> Tensor:
    """Uninitialized in torch; lazygrad gives zeros, which costs nothing extra when never realized."""
    made = _const(sizes, 0, to_dtype(dtype, "empty") if dtype is not None else get_default_dtype(), device, False, "empty",
                  size)
    return _finish(_formatted(made, None, memory_format), requires_grad)


def _formatted(out: Tensor, like: Tensor | None, memory_format) -> Tensor:
    """out (a fresh row-major tensor) laid out as memory_format says; preserve_format, the *_like functions'
    default, lays it out as `like` is (its strides where it is dense)."""
    from .layouts import contiguous_format, preserve_format
    from .movement import contiguous, like_layout
    if memory_format is None or memory_format is preserve_format:
        return out if like is None or like._storage.device != out._storage.device else like_layout(like, out.lazy)
    return out if memory_format is contiguous_format else contiguous(out, memory_format=memory_format)


def _like(t: Tensor, value, dtype, device, requires_grad, memory_format, name: str) -> Tensor:
    """A constant shaped like t, laid out like t unless memory_format says otherwise."""
    dt = to_dtype(dtype, name) if dtype is not None else t.dtype
    place = normalize_device(device) if device is not None else t._storage.device
    out = Tensor._from_node(graph.const(value, dt, t._shape), place)
    return _finish(_formatted(out, t, memory_format), requires_grad)


def zeros_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False, memory_format=None) -> Tensor:
    return _like(input, 0, dtype, device, requires_grad, memory_format, "zeros_like")


def ones_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False, memory_format=None) -> Tensor:
    return _like(input, 1, dtype, device, requires_grad, memory_format, "ones_like")


def empty_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False, memory_format=None) -> Tensor:
    return _like(input, 0, dtype, device, requires_grad, memory_format, "empty_like")


def full_like(input: Tensor, fill_value, *, dtype=None, device=None, requires_grad: bool = False,
              memory_format=None) -> Tensor:
    _check_number("full_like", fill_value if not isinstance(fill_value, Tensor) else 0)
    value = dtypes.python_scalar(fill_value.item() if isinstance(fill_value, Tensor) else fill_value)
    value = scalar_in(to_dtype(dtype, "full_like") if dtype is not None else input.dtype, value)
    return _like(input, value, dtype, device, requires_grad, memory_format, "full_like")


def _refuse_complex_bounds(*values, c_type: str = "double") -> None:
    """torch reads a range's bounds and step in the type its kernel counts in (arange: double)."""
    if any(isinstance(v, complex) for v in values):
        raise RuntimeError(f"value cannot be converted to type {c_type} without overflow")


def _range_dtype(dtype, *values) -> DType:
    if dtype is not None:
        return to_dtype(dtype)
    if any(isinstance(v, float) or (isinstance(v, Tensor) and v.is_floating_point()) for v in values):
        return get_default_dtype()
    return int64


@factory_out("arange", warn_resize=True)
def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    if end is None:
        start, end = 0, start
    start, end, step = (v.item() if isinstance(v, Tensor) else dtypes.python_scalar(v) for v in (start, end, step))
    dt = _range_dtype(dtype, start, end, step)
    if dt is bool_ or dt.is_complex:
        raise NotImplementedError(f"\"arange_cpu\" not implemented for '{dtypes.torch_name(dt)}'")
    _refuse_complex_bounds(start, end, step)
    if step == 0 or step != step:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dt is int64 and math.isfinite(step):
        start, end, step = int(start), int(end), int(step)  # (torch reads int64 bounds as int64 then; narrower
        if step == 0:                                       # integers count in double, then truncate)
            raise ValueError("step must be nonzero")
    n = max(0, math.ceil((end - start) / step))
    if not dt.is_floating_point:
        start, step = int(start), int(step)
    device = normalize_device(device)
    return _finish(Tensor._from_node(graph.arange(start, step, n, dt), device), requires_grad)


@factory_out("linspace")
def linspace(start, end, steps: int, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Evenly spaced, filled from both ends like torch so that the last value is exactly `end`."""
    steps = int(steps) if isinstance(steps, Tensor) else steps
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    start, end = (v.item() if isinstance(v, Tensor) else v for v in (start, end))
    if isinstance(start, complex) or isinstance(end, complex):
        return _complex_linspace(start, end, steps, dtype, device, requires_grad)
    dt = to_dtype(dtype) if dtype is not None else get_default_dtype()
    start, end = _check_ends("linspace", dt, start, end, steps)
    device = normalize_device(device)
    if steps <= 1:
        return _finish(Tensor._from_node(graph.const(start, dt, (steps,)), device), requires_grad)
    # torch steps in the output's own precision (float32 for float16, whose step it rounds; bfloat16 rounds
    # the step and every product and sum): do the same so values match
    calc = dt if dt in (dtypes.float32, dtypes.float64) else dtypes.float32 if dt.is_floating_point else dtypes.float64
    cast = calc.np.type
    step = float(cast(cast(end) - cast(start)) / cast(steps - 1))
    if dt is dtypes.float16 or dt is dtypes.bfloat16:
        step = float(np.asarray(step, dtype=dt.np).astype(np.float32))
    half = steps // 2
    i = graph.cast(graph.arange(0, 1, steps, int64), calc)  # (the counts rounded once, as torch's)
    if dt is dtypes.bfloat16:
        calc, i = dt, graph.cast(i, dt)

    def c(v):
        return graph.const(v, calc, (steps,))

    from_start = graph.alu(Op.ADD, c(start), graph.alu(Op.MUL, c(step), i))
    from_end = graph.alu(Op.SUB, c(end), graph.alu(Op.MUL, c(step), graph.alu(Op.SUB, c(steps - 1), i)))
    node = graph.cast(graph.alu(Op.WHERE, graph.alu(Op.LT, i, c(half)), from_start, from_end), dt)
    return _finish(Tensor._from_node(node, device), requires_grad)


def _check_ends(name: str, dt: DType, start, end, steps: int) -> tuple:
    """(start, end) as torch takes them: from two steps its kernel refuses bools and converts both ends to dt,
    which an integer dt keeps (linspace(-1, 3, 3, dtype=uint8) steps from 255); one step is a fill."""
    if steps < 2:
        return (scalar_in(dt, start) if steps and dt.is_integer else start), end
    if dt is bool_:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")
    ends = (scalar_in(dt, start), scalar_in(dt, end))
    return tuple(graph.normalize_scalar(v, dt) for v in ends) if dt.is_integer else ends


def _complex_linspace(start: complex, end: complex, steps: int, dtype, device, requires_grad: bool) -> Tensor:
    """The real and imaginary parts spaced apart (the step multiplies a real count, so part by part is the
    same arithmetic)."""
    from .complex_numbers import complex as complex_
    inferred = get_default_dtype().to_complex()
    dt = to_dtype(dtype) if dtype is not None else inferred
    if not dt.is_complex:
        raise RuntimeError(f"torch.linspace(): inferred dtype {dtypes.C_NAMES[inferred.name]} can't be safely cast to "
                           f"passed dtype {dtypes.torch_name(dt)}")
    start, end = complex(start), complex(end)
    parts = [linspace(a, b, steps, dtype=dt.to_real(), device=device) for a, b in
             ((start.real, end.real), (start.imag, end.imag))]
    return _finish(complex_(*parts), requires_grad)


@factory_out("eye")
def eye(n: int, m: int | None = None, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    m = n if m is None else m
    for name, size in (("n", n), ("m", m)):
        if size < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {size}")
    dt = to_dtype(dtype) if dtype is not None else get_default_dtype()
    rows = graph.expand(graph.reshape(graph.arange(0, 1, n, int64), (n, 1)), (n, m))
    cols = graph.expand(graph.reshape(graph.arange(0, 1, m, int64), (1, m)), (n, m))
    node = graph.cast(graph.alu(Op.EQ, rows, cols), dt)
    return _finish(Tensor._from_node(node, normalize_device(device)), requires_grad)


def _random(shape, distribution: str, dtype: DType, device, requires_grad, generator=None) -> Tensor:
    if dtype.is_complex:  # as torch: uniform parts, or normal parts of variance 1/2 (so E|z|² = 1)
        from .complex_numbers import complex
        parts = _random((*shape, 2), distribution, dtype.to_real(), device, False, generator)
        if distribution == "normal":
            parts = parts * math.sqrt(0.5)
        return _finish(complex(parts[..., 0], parts[..., 1]), requires_grad)
    n = math.prod(shape)
    gen_dtype = dtypes.opmath(dtype)
    node = graph.rand(seed_value(generator), next_offset(n, generator), distribution, shape, gen_dtype)
    return _finish(Tensor._from_node(graph.cast(node, dtype), normalize_device(device)), requires_grad)


# the kernel torch's error names when a distribution's values cannot have the dtype
_DRAW_KERNELS = {"uniform": "check_uniform_bounds", "normal": "normal_kernel_cpu"}


def _float_dtype(dtype, distribution: str = "uniform") -> DType:
    dt = to_dtype(dtype) if dtype is not None else get_default_dtype()
    if dt.kind not in "fc":
        raise NotImplementedError(f"\"{_DRAW_KERNELS[distribution]}\" not implemented for '{dtypes.torch_name(dt)}'")
    return dt


@factory_out("rand")
def rand(*sizes, size=None, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    shape = parse_size(spread_or_named(sizes, size, "rand", "size"), "rand")
    return _random(shape, "uniform", _float_dtype(dtype), device, requires_grad, generator)


@factory_out("randn")
def randn(*sizes, size=None, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    shape = parse_size(spread_or_named(sizes, size, "randn", "size"), "randn")
    return _random(shape, "normal", _float_dtype(dtype, "normal"), device, requires_grad, generator)


@factory_out("randint")
def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """Uniform integers in [low, high): 64 random bits reduced modulo the range."""
    given = (low, high) if size is not None else (low,)
    if size is None:
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if high is None or size is None:
        raise TypeError("randint() missing required arguments: 'high' and 'size'")
    low, high = _int_bounds(given, low, high, size)
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    shape = parse_size((size,)) if not isinstance(size, int) else (size,)
    dt = to_dtype(dtype) if dtype is not None else int64
    _check_draw_bounds(low, high, dt)
    n = math.prod(shape)
    bits = graph.rand(seed_value(generator), next_offset(n, generator), "bits", shape, int64)
    return _finish(Tensor._from_node(graph.cast(_in_span(bits, low, high, shape), dt), normalize_device(device)),
                   requires_grad)


def _int_bounds(given: tuple, low, high, size) -> tuple[int, int]:
    """randint's bounds as torch's parser reads them: ints (or integer tensors of one element)."""
    bounds = (as_int(low, whole_tensor=True), as_int(high, whole_tensor=True))
    if None not in bounds:
        return bounds
    if len(given) == 1:
        raise TypeError(f"randint(): argument 'high' (position 1) must be int, not {type_name(given[0])}")
    raise TypeError(f"randint() received an invalid combination of arguments - got ({type_name(given[0])}, "
                    f"{type_name(given[1])}, {type_name(size)}), but expected one of:\n * (int high, tuple of ints "
                    "size, ...)\n * (int low, int high, tuple of ints size, ...)\n")


INT64_MIN = -2 ** 63
# the C++ name and the range of each dtype whose values cannot hold every int64 draw (torch's bounds errors)
_DRAW_BOUNDS = {"uint8": ("unsigned char", 0, 255), "int8": ("signed char", -128, 127),
                "int16": ("short int", -2 ** 15, 2 ** 15 - 1), "int32": ("int", -2 ** 31, 2 ** 31 - 1),
                "uint16": ("short unsigned int", 0, 2 ** 16 - 1), "uint32": ("unsigned int", 0, 2 ** 32 - 1),
                "uint64": ("long unsigned int", 0, 2 ** 64 - 1), "float16": ("c10::Half", -65504, 65504),
                "bool": ("bool", 0, 1)}


def _check_draw_bounds(low: int, high: int, dt: DType) -> None:
    if dt.is_complex:
        raise RuntimeError("check_random_bounds handles only integral, floating-point and boolean types")
    if dt.name not in _DRAW_BOUNDS:
        return
    c_name, least, most = _DRAW_BOUNDS[dt.name]
    if not least <= low <= most:
        raise RuntimeError(f"from is out of bounds for {c_name}")
    if not least <= high - 1 <= most:
        raise RuntimeError(f"to - 1 is out of bounds for {c_name}")


def _in_span(bits, low: int, high: int, shape):
    """low + (bits mod (high - low)). A span past int64 (up to 2**64, the whole range) is taken modulo in
    unsigned terms with wrapping int64 arithmetic: the bits are below the span, or above it by less than
    it (unsigned order is signed order with the sign bit flipped)."""
    def const(v):
        return graph.const(v, int64, shape)
    span = high - low
    if span < 2 ** 63:
        return graph.alu(Op.ADD, graph.alu(Op.MOD, bits, const(span)), const(low))
    wrapped = span - 2 ** 64
    below = graph.alu(Op.LT, graph.alu(Op.XOR, bits, const(INT64_MIN)), const(wrapped ^ INT64_MIN))
    offset = graph.alu(Op.WHERE, below, bits, graph.alu(Op.SUB, bits, const(wrapped)))
    return graph.alu(Op.ADD, offset, const(low))


def rand_like(input: Tensor, *, generator=None, dtype=None, device=None, requires_grad: bool = False,
              memory_format=None) -> Tensor:
    out = _random(tuple(input.shape), "uniform", _float_dtype(dtype or input.dtype), device or input.device, False,
                  generator)
    return _finish(_formatted(out, input, memory_format), requires_grad)


def randn_like(input: Tensor, *, generator=None, dtype=None, device=None, requires_grad: bool = False,
               memory_format=None) -> Tensor:
    out = _random(tuple(input.shape), "normal", _float_dtype(dtype or input.dtype, "normal"), device or input.device,
                  False, generator)
    return _finish(_formatted(out, input, memory_format), requires_grad)


def randint_like(input: Tensor, low, high=None, *, generator=None, dtype=None, device=None,
                 requires_grad: bool = False, memory_format=None) -> Tensor:
    if high is None:
        low, high = 0, low
    out = randint(low, high, tuple(input.shape), generator=generator, dtype=dtype or input.dtype,
                  device=device or input.device)
    return _finish(_formatted(out, input, memory_format), requires_grad)


def legacy_constructor(self: Tensor, *args, dtype=None, device=None) -> None:
    """lg.Tensor(2, 3) (uninitialized float), lg.Tensor([1, 2]) (float copy of data), lg.Tensor(storage)
    (sharing the storage's memory), lg.Tensor(t) (an alias of t, of its dtype, requiring grad as t does)."""
    from .typed_storage import TypedStorage, UntypedStorage, storage_tensor
    if args and all(isinstance(a, int) for a in args):
        src = zeros(*args, dtype=dtype or dtypes.float32)
    elif len(args) == 1 and isinstance(args[0], (TypedStorage, UntypedStorage)):
        src = storage_tensor(args[0], dtype)
    elif len(args) == 1 and isinstance(args[0], Tensor) and dtype is None:
        src = args[0]  # (an alias: torch's Tensor(t) shares t's memory and dtype)
    elif len(args) == 1:
        src = tensor(args[0], dtype=dtype or dtypes.float32)
    elif not args:
        src = zeros(0, dtype=dtype or dtypes.float32)
    else:
        raise TypeError(f"new() received an invalid combination of arguments: {args!r}")
    for name in ("_storage", "_shape", "_strides", "_offset", "_node", "_epoch"):
        setattr(self, name, getattr(src, name))
    aliased = len(args) == 1 and src is args[0]
    self._requires_grad, self._grad, self._grad_fn = aliased and src.requires_grad, None, None


# methods: new_* take their dtype from the tensor they are called on
def new_tensor(self: Tensor, data, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    if isinstance(data, Tensor):
        warn_at_caller(COPY_CONSTRUCTION.format("tensor.new_tensor"))
    return _copied(data, dtype or self.dtype, _own(self, device), requires_grad)


def _own(self: Tensor, device):
    """A new_* method's device: self's unless given."""
    return self._storage.device if device is None else device


def new_zeros(self: Tensor, *sizes, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _const(sizes, 0, to_dtype(dtype, "new_zeros") if dtype is not None else self.dtype, _own(self, device),
                  requires_grad, "new_zeros", size)


def new_ones(self: Tensor, *sizes, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _const(sizes, 1, to_dtype(dtype, "new_ones") if dtype is not None else self.dtype, _own(self, device),
                  requires_grad, "new_ones", size)


def new_empty(self: Tensor, *sizes, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _const(sizes, 0, to_dtype(dtype, "new_empty") if dtype is not None else self.dtype, _own(self, device),
                  requires_grad, "new_empty", size)


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad: bool = False, layout=None,
                  pin_memory: bool = False) -> Tensor:
    """A tensor with the given sizes and strides over a storage just large enough (filled with zeros)."""
    shape, strides = parse_size((tuple(size),), "empty_strided"), tuple(int(s) for s in stride)
    if len(shape) != len(strides):
        raise RuntimeError(f"dimensionality of sizes ({len(shape)}) must match dimensionality of strides "
                           f"({len(strides)})")
    if any(st < 0 for st in strides):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(shape)} and strides={list(strides)}")
    numel = 1 + sum((n - 1) * s for n, s in zip(shape, strides)) if math.prod(shape) else 0
    base = zeros(numel, dtype=dtype, device=device)
    return _finish(Tensor._make(base._storage, shape, strides, 0), requires_grad)


def new_empty_strided(self: Tensor, size, stride, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return empty_strided(size, stride, dtype=dtype or self.dtype, device=device or self.device,
                         requires_grad=requires_grad)


def new_full(self: Tensor, size, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return full(size, fill_value, dtype=dtype or self.dtype, device=_own(self, device), requires_grad=requires_grad)



@factory_out("logspace")
def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """base ** linspace(start, end, steps): for real ends, torch's own arithmetic (torch_logspace.py); for
    complex ones, computed in complex128 and cast."""
    start, end = (v.item() if isinstance(v, Tensor) else v for v in (start, end))
    complex_bounds = isinstance(start, complex) or isinstance(end, complex)
    dt = to_dtype(dtype) if dtype is not None else get_default_dtype().to_complex() if complex_bounds else \
        get_default_dtype()
    if complex_bounds and not dt.is_complex:
        inferred = get_default_dtype().to_complex()
        raise RuntimeError(f"torch.logspace(): inferred dtype {dtypes.C_NAMES[inferred.name]} can't be safely cast to "
                           f"passed dtype {dtypes.torch_name(dt)}")
    if not complex_bounds:
        start, end = _check_ends("logspace", dt, start, end, steps)
        if steps >= 2:
            return _finish(torch_logspace.powers(start, end, steps, base, dt, normalize_device(device)),
                           requires_grad)
    exponents = linspace(start, end, steps, dtype=dtypes.complex128 if complex_bounds else dtypes.float64,
                         device=device)
    return _finish((float(base) ** exponents).to(dt), requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A 0-d tensor of the default float dtype (whatever the type of s)."""
    return full((), s, dtype=dtype or get_default_dtype(), device=device, requires_grad=requires_grad)


@factory_out("range")
def inclusive_range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """torch.range: like arange but including end, in the default float dtype; deprecated as in torch."""
    warnings.warn("torch.range is deprecated and will be removed in a future release because its behavior is "
                  "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in "
                  "[start, end).", UserWarning, stacklevel=2)
    if end is None:
        start, end = 0, start
    dt = to_dtype(dtype, "range") if dtype is not None else get_default_dtype()
    if dt is bool_ or dt.is_complex:
        raise NotImplementedError(f"\"range_cpu\" not implemented for '{dtypes.torch_name(dt)}'")
    _refuse_complex_bounds(start, end, step, c_type="int64_t" if not dt.is_floating_point else "float" if dt in (
        dtypes.float16, dtypes.bfloat16) else "double")  # (the type torch's kernel counts in)
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if not dt.is_floating_point:  # (an integer range counts in integers)
        start, end, step = int(start), int(end), int(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    count = int(math.floor((end - start) / step)) + 1
    values = arange(count, dtype=dtypes.float64, device=device) * step + start
    return _finish(values.to(dt), requires_grad)


def asarray(obj, *, dtype=None, device=None, copy: bool | None = None, requires_grad: bool = False) -> Tensor:
    """obj as a tensor, sharing memory (a tensor's, a NumPy array's) unless copy=True or a copy is needed."""
    shared = as_tensor(obj, dtype=dtype, device=device)
    if device is not None and shared.device != normalize_device(device):
        shared = shared.to(device)
    if copy and shares_memory(shared, obj):
        shared = shared.clone().realize()  # (now: a lazy copy of NumPy memory would read it later)
    elif copy is False and not shares_memory(shared, obj):
        raise ValueError("asarray(): can't avoid a copy with copy=False")
    if requires_grad:
        shared = shared.detach().requires_grad_() if shared.is_leaf else shared
    return shared


def shares_memory(t: Tensor, obj) -> bool:
    """Whether t views the memory of obj (a tensor, or an array-like)."""
    if isinstance(obj, Tensor):
        return t._storage is obj._storage
    if isinstance(obj, np.ndarray):
        return t.device.type == "cpu" and obj.size > 0 and np.shares_memory(t.numpy(), obj)
    return False


def frombuffer(buffer, *, dtype, count: int = -1, offset: int = 0, requires_grad: bool = False) -> Tensor:
    """A 1-D tensor over the memory of an object with the buffer protocol (shared, as in torch; a read-only
    buffer such as bytes is copied, so that no write reaches it)."""
    dt = to_dtype(dtype)
    size = memoryview(buffer).nbytes
    if (size - offset) % dt.itemsize and count < 0:
        raise ValueError(f"buffer length ({size - offset} bytes) after offset ({offset} bytes) must be a multiple of "
                         f"element size ({dt.itemsize})")
    array = np.frombuffer(buffer, dtype=dt.np, count=count, offset=offset)
    if not array.flags.writeable:  # (torch would share it and warn that writes reach it anyway)
        array = array.copy()
    return _finish(from_numpy(array), requires_grad)


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None, pin_memory: bool = False,
                   requires_grad: bool = False) -> Tensor:
    """A tensor of the given logical size whose memory holds its dims in physical_layout's order (the first
    named dim outermost): empty(size).permute(...) without being a view."""
    from .movement import laid_out
    size, order = tuple(int(s) for s in size), tuple(int(d) for d in physical_layout)
    if len(size) != len(order):
        raise RuntimeError("Number of dimensions in size does not match the length of the physical_layout; i.e. "
                           f"len(size) = {len(size)} is not equal to len(physical_layout) = {len(order)}")
    for i, d in enumerate(order):
        if not 0 <= d < len(size):
            raise RuntimeError(f"Dimension out of range (expected to be between 0 and {len(size) - 1}, but got {d} at "
                               f"index {i}).  NB: negative dims not currently supported; file an issue if you want it.")
    if len(set(order)) != len(order):
        raise RuntimeError("Duplicate dim not allowed")
    strides, step = [0] * len(size), 1
    for d in reversed(order):
        strides[d], step = step, step * size[d]
    t = empty(size, dtype=dtype, device=device)
    return _finish(laid_out(t, t.lazy, tuple(strides)), requires_grad)
