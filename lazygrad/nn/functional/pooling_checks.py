"""torch's checks of a pooling op's arguments, in torch's order and with its errors: window sizes given as
ints or tuples, the input's dims, kernel, stride, padding and dilation, the output size, and the dtypes
each CPU kernel is built for. A 1-d pool checks what torch's 1-d op checks, then runs as the 2-d pool of
the input given a height of 1 (whose errors, on the unsqueezed shape, are torch's too)."""
from __future__ import annotations

from ...dtypes import bfloat16, float16, float32, float64, int8, int16, int32, int64, torch_name, uint8
from ...tensor import Tensor

_COUNTS = {1: "one int", 2: "two ints", 3: "three ints"}
# how torch's message for a window size of the wrong length goes on after "{op}: {name} "
_FORMS = {"kernel_size": "must either be {}", "stride": "must either be omitted, {}", "padding": "must either be {}",
          "dilation": "must be either {}"}

_FLOATING = frozenset({float16, bfloat16, float32, float64})
_INTEGRAL = frozenset({uint8, int8, int16, int32, int64})
# the dtypes torch's CPU kernel for each pool is built for: others raise NotImplementedError naming it
_KERNEL_DTYPES = {
    "max_pool1d_impl": _FLOATING, "max_pool2d": _FLOATING | _INTEGRAL, "max_pool3d": _FLOATING | _INTEGRAL,
    "avg_pool2d": _FLOATING | {int64}, "avg_pool3d_out_frame": frozenset({float32, float64, int64}),
    "adaptive_avg_pool2d": _FLOATING, "adaptive_avg_pool3d_cpu": _FLOATING,
    "adaptive_max_pool2d": _FLOATING, "adaptive_max_pool3d_cpu": _FLOATING,
}
AVG_KERNELS = {2: "avg_pool2d", 3: "avg_pool3d_out_frame"}
ADAPTIVE_AVG_KERNELS = {2: "adaptive_avg_pool2d", 3: "adaptive_avg_pool3d_cpu"}
ADAPTIVE_MAX_KERNELS = {2: "adaptive_max_pool2d", 3: "adaptive_max_pool3d_cpu"}


def check_kernel(kernel: str, x: Tensor) -> None:
    if x.dtype not in _KERNEL_DTYPES[kernel]:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{torch_name(x.dtype)}'")


def sizes(value, n: int, name: str, op: str) -> list[int]:
    """value (an int, or a tuple of one or n ints) as n ints."""
    values = [int(value)] if isinstance(value, int) else [int(v) for v in value]
    if len(values) == 1:
        return values * n
    if len(values) != n:
        form = _FORMS[name].format(f"a single int, or a tuple of {_COUNTS[n]}")
        raise RuntimeError(f"{op}: {name} {form.replace('either ', '') if op == 'avg_pool3d' else form}")
    return values


def _half(v: int) -> int:
    """v / 2 rounded toward zero, as C++ divides."""
    return -(-v // 2) if v < 0 else v // 2


def _out_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """torch's pooling output size: with ceil_mode the last window must start inside the input or left pad."""
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _named(prefix: str, values: list[int]) -> str:
    """`kT: 1 kH: 2 kW: 2`, the way torch lists a value per spatial dim."""
    return " ".join(f"{prefix}{axis}: {v}" for axis, v in zip("THW"[3 - len(values):], values))


def _max_pad_values(k: list[int], p: list[int]) -> str:
    """How torch's max pools list their kernel and padding (a dilation may let a padding past half the
    kernel through the check before)."""
    if len(k) == 2:
        return f"padW = {p[1]}, padH = {p[0]}, kW = {k[1]}, kH = {k[0]}"
    return f"kT: {k[0]} kW: {k[2]} kH: {k[1]} padT: {p[0]} padW: {p[2]} padH: {p[1]}"


def window(op: str, x: Tensor, n: int, kernel_size, stride, padding, dilation, ceil_mode: bool):
    """The checked per-dim kernel, stride, padding, dilation and output sizes of a 2-d or 3-d pool."""
    average = op.startswith("avg")
    k = sizes(kernel_size, n, "kernel_size", op)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else sizes(stride, n, "stride", op)
    p, d = sizes(padding, n, "padding", op), sizes(dilation, n, "dilation", op)
    if not average and x.ndim not in (n + 1, n + 2):
        raise RuntimeError(f"non-empty {n + 1}D or {n + 2}D (batch mode) tensor expected for input")
    if op == "avg_pool2d" and x.ndim < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(x.ndim, 1)}, "
                         f"{max(x.ndim, 1) - 1}], but got -3)")
    if n == 3 and x.ndim not in (4, 5):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    for kk, ss, pp, dd in zip(k, s, p, d):
        if ss == 0:
            raise RuntimeError("stride should not be zero")
        if pp < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {pp}")
        if pp > _half((kk - 1) * dd + 1):
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pp}, "
                               f"kernel_size={kk} and dilation={dd}")
    if n == 3 and any(v == 0 for v in x.shape[-4:]):
        where = "avg_pool3d()" if average else "max_pool3d_with_indices_out_cpu_template()"
        raise RuntimeError(f"{where}: Expected input's non-batch dimensions to have positive length, but input has a "
                           f"shape of {list(x.shape)} and non-batch dimension 0 has length zero!")
    if any(v <= 0 for v in k):
        raise RuntimeError(f"kernel size should be greater than zero, but got {_named('k', k)}")
    if any(v <= 0 for v in s):
        raise RuntimeError(f"stride should be greater than zero, but got {_named('d', s)}")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"dilation should be greater than zero, but got {_named('dilation', d)}")
    if n == 2 and (x.ndim not in (3, 4) or any(v == 0 for v in x.shape[-3:])):
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
                           f"got:{list(x.shape)}")
    if not average and any(pp > kk // 2 for kk, pp in zip(k, p)):
        raise RuntimeError("pad should be smaller than or equal to half of kernel size, but got "
                           + _max_pad_values(k, p))
    spatial = x.shape[-n:]
    if op == "avg_pool3d" and any(i < kk for i, kk in zip(spatial, k)):
        raise RuntimeError(f"input image ({_named('', list(spatial))}) smaller than kernel size ({_named('k', k)})")
    out = [_out_size(*args, ceil_mode) for args in zip(spatial, k, s, p, d)]
    if any(o < 1 for o in out):
        channels = x.shape[-n - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, [channels, *spatial]))}). Calculated output size: "
                           f"({'x'.join(map(str, [channels, *out]))}). Output size is too small")
    return k, s, p, d, out


def max_pool1d_arguments(x: Tensor, kernel_size, stride, padding, dilation, ceil_mode: bool) -> None:
    """The checks of torch.max_pool1d (a 1-d max pool without indices), its own before the 2-d form's."""
    if x.ndim not in (2, 3) or x.shape[-1] == 0:
        raise RuntimeError(f"max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got:{list(x.shape)}")
    given = {}
    for name, value, also in (("kernel_size", kernel_size, ""), ("stride", stride, "None, "),
                              ("padding", padding, ""), ("dilation", dilation, "")):
        values = [] if value is None else [value] if isinstance(value, int) else list(value)
        if len(values) > 1 or (not values and name != "stride"):
            comma = "," if name in ("stride", "padding") else ""
            raise RuntimeError(f"max_pool1d() {name} must be {also}an int, list of ints{comma} or tuple of ints of "
                               f"size 1 but got size {len(values)}")
        given[name] = int(values[0]) if values else None
    k, p, d = given["kernel_size"], given["padding"], given["dilation"]
    s = k if given["stride"] is None else given["stride"]
    for name, value in (("kernel_size", k), ("stride", s)):
        if value <= 0:
            raise RuntimeError(f"max_pool1d() {name} must be greater than zero, but got {value}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but got padding={p} and "
                           f"kernel_size={k}")
    if d <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d}")
    out = _out_size(x.shape[-1], k, s, p, d, ceil_mode)
    if out < 1:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {out}")


def one_d(op: str, x: Tensor, **values) -> dict[str, list[int] | None]:
    """The checks of a 1-d op torch computes through its 2-d form: the input's dims, and each size one int."""
    if x.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional tensor for argument #1 'self' "
                           f"(while checking arguments for {op})")
    out = {}
    for name, value in values.items():
        items = None if value is None else [value] if isinstance(value, int) else list(value)
        if items is not None and len(items) != 1 and not (name == "stride" and not items):
            raise RuntimeError(f"{op}() argument '{name}' should contain one int (got {len(items)})")
        out[name] = None if not items else [int(items[0])]
    return out


def adaptive_sizes(op: str, x: Tensor, n: int, output_size) -> list[int]:
    """The checked output sizes of an adaptive 2-d or 3-d pool (None in output_size keeps the input's size)."""
    average = op.startswith("adaptive_avg")
    if output_size is None:
        raise TypeError("object of type 'NoneType' has no len()")
    sizes_ = [output_size] * n if isinstance(output_size, int) else list(output_size)
    if not isinstance(output_size, int) and x.ndim <= len(sizes_):
        raise ValueError(f"Input dimension should be at least {len(sizes_) + 1}")
    if average and len(sizes_) != n:
        raise RuntimeError(f"{op}: output_size must be {n}")
    if x.ndim not in (n + 1, n + 2):
        raise RuntimeError(f"{op}(): Expected {n + 1}D or {n + 2}D tensor, but got{'' if average else ':'} "
                           f"{list(x.shape)}")
    if len(sizes_) != n:
        raise RuntimeError(f"{op}(): internal error: output_size.size() must be {n}")
    out = [x.shape[x.ndim - n + i] if v is None else int(v) for i, v in enumerate(sizes_)]
    for i in range(x.ndim - n, x.ndim):
        if x.shape[i] == 0:
            raise RuntimeError(f"{op}(): Expected input to have non-zero size for non-batch dimensions, but input has "
                               f"sizes {list(x.shape)} with dimension {i} being empty")
    if any(v < 0 for v in out):
        if average:
            listed = ", ".join(map(str, out[:2])) + "".join(f",{v}" for v in out[2:])
            raise RuntimeError(f"{op}: elements of output_size must be greater than or equal to 0 but received "
                               f"{{{listed}}}")
        negative = next(v for v in out if v < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {negative}: "
                           f"{list(x.shape[:-n]) + out}")
    return out
