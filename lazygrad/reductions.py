"""Reductions and scans with torch's `dim`/`keepdim` (and the `axis`/`keepdims` aliases)."""
from __future__ import annotations

import builtins
import math
from . import graph, return_types
from .dtypes import (LIMITED_UNSIGNED, DType, bool_, float64, get_default_dtype, int64, opmath, promote_types,
                     to_dtype, torch_name, uint8, uint64)
from .elementwise import abs as abs_
from .elementwise import _out, add, div, eq, isnan, logical_or, mul, ne, pow, sqrt, sub, where, exp, log, isinf
from .ops import ReduceOp
from .unordered import refuse_complex
from .tensor import Tensor, wrap_dim
from .autograd.composite import recorded_as
from .autograd.record import differentiable, takes_out
from .amp.autocast_mode import autocast_op
from .int_parameters import dim_list
from .warning_sites import warn_at_caller



def reduce_dims(dim, ndim: int) -> tuple[int, ...]:
    """Normalized, sorted dims; None or () means all."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    dims = dim_list(dim)
    out = [wrap_dim(d, ndim) for d in dims]
    for d in out:
        if out.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return tuple(sorted(out))


def _kw(dim, keepdim, kwargs):
    """torch accepts the NumPy spellings axis= and keepdims= too."""
    if "axis" in kwargs:
        dim = kwargs.pop("axis")
    if "keepdims" in kwargs:
        keepdim = kwargs.pop("keepdims")
    if kwargs:
        raise TypeError(f"got unexpected keyword argument(s) {sorted(kwargs)}")
    return dim, keepdim


def reduce(x: Tensor, rop: ReduceOp, dim, keepdim: bool, dtype: DType) -> Tensor:
    if not x.ndim and dim is not None:  # a 0-d tensor takes dim 0 or -1 (and () for all)
        for d in dim_list(dim):
            wrap_dim(d, 0)
    axes = reduce_dims(dim, x.ndim) if x.ndim else ()
    node = graph.reduce(graph.cast(x.lazy, dtype), rop, axes)
    if not keepdim and x.ndim:
        node = graph.reshape(node, tuple(s for i, s in enumerate(x._shape) if i not in axes))
    return Tensor._from_node(node, x._storage.device)


def _sum_dtype(x: Tensor, dtype) -> DType:
    if dtype is not None:
        return to_dtype(dtype)
    return int64 if x.dtype.kind in "bui" else x.dtype


def _in_out_dtype(dtype, out):
    """The dtype a sum or product computes in: the one given, else out's (torch sums in out's dtype)."""
    return dtype if dtype is not None or not isinstance(out, Tensor) else out.dtype


@differentiable("sum")
def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, out=None, **kwargs) -> Tensor:
    dim, keepdim = _kw(dim, keepdim, kwargs)
    return _out(reduce(input, ReduceOp.SUM, dim, keepdim, _sum_dtype(input, _in_out_dtype(dtype, out))), out, "sum")


@differentiable("prod")
def prod(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, out=None, **kwargs) -> Tensor:
    dim, keepdim = _kw(dim, keepdim, kwargs)
    return _out(reduce(input, ReduceOp.PROD, dim, keepdim, _sum_dtype(input, _in_out_dtype(dtype, out))), out, "prod")


def _count(x: Tensor, dim) -> int:
    axes = reduce_dims(dim, x.ndim) if x.ndim else ()
    return math.prod(x._shape[a] for a in axes)


@differentiable("mean")
def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, out=None, **kwargs) -> Tensor:
    dim, keepdim = _kw(dim, keepdim, kwargs)
    dt = to_dtype(dtype) if dtype is not None else input.dtype
    if dt.kind not in "fc":
        which = "Input" if dtype is None else "Optional"
        raise RuntimeError(f"mean(): could not infer output dtype. {which} dtype must be either a floating point or "
                           f"complex dtype. Got: {torch_name(dt)}")
    n = _count(input, dim)
    total = reduce(input, ReduceOp.SUM, dim, keepdim, opmath(dt))  # (float16 and bfloat16: divided in float32)
    return _out(div(total, n if n else float("nan")).to(dt), out)


def _check_nonempty(x: Tensor, name: str, dim, prefix: str | None = None, as_given: bool = False) -> None:
    """torch's refusal of a reduction with no identity over nothing; its messages begin `prefix` (`name():`)
    and name the dim at fault as the caller wrote it where the op takes a list of dims (as_given)."""
    prefix = prefix or f"{name}():"
    if x.numel() == 0:
        if dim is None:
            if name.startswith("arg"):
                raise IndexError(f"{prefix} Expected reduction dim to be specified for input.numel() == 0.")
            raise RuntimeError(f"{prefix} Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        for given in dim_list(dim):  # (before a repeated dim is refused)
            d = wrap_dim(given, x.ndim)
            if x._shape[d] == 0:
                raise IndexError(f"{prefix} Expected reduction dim {given if as_given else d} to have non-zero size.")


def hash_tensor(input: Tensor, dim=None, *, keepdim: bool = False, mode: int = 0) -> Tensor:
    """torch.hash_tensor: each element upcast to its 64-bit float or integer, those bits read as a uint64 and
    xor-reduced over dim (all dims by default). Not differentiable: the input is read detached."""
    if mode != 0:
        raise RuntimeError(f"Unknown hash_tensor mode: {mode}")
    if input.dtype.is_complex or input.dtype in LIMITED_UNSIGNED:
        raise NotImplementedError(f"\"xor_sum_cpu\" not implemented for '{torch_name(input.dtype)}'")
    _check_nonempty(input, "hash_tensor", None if dim == () else dim, prefix="hash_tensor:", as_given=True)
    wide = float64 if input.dtype.is_floating_point else int64
    bits = input.detach().to(wide).contiguous().view(uint64)
    return reduce(bits, ReduceOp.XOR, dim, keepdim, uint64)


@differentiable("amax")
def amax(input: Tensor, dim=(), keepdim: bool = False, *, out=None, **kwargs) -> Tensor:
    refuse_complex(input, "amax")
    dim, keepdim = _kw(dim, keepdim, kwargs)
    _check_nonempty(input, "amax", dim if dim != () else None, as_given=True)
    return _out(reduce(input, ReduceOp.MAX, dim, keepdim, input.dtype), out, "amax")


@differentiable("amin")
def amin(input: Tensor, dim=(), keepdim: bool = False, *, out=None, **kwargs) -> Tensor:
    refuse_complex(input, "amin")
    dim, keepdim = _kw(dim, keepdim, kwargs)
    _check_nonempty(input, "amin", dim if dim != () else None, as_given=True)
    return _out(reduce(input, ReduceOp.MIN, dim, keepdim, input.dtype), out, "amin")


@differentiable("aminmax")
def aminmax(input: Tensor, *, dim=None, keepdim: bool = False):
    refuse_complex(input, "aminmax")
    """(amin, amax) over dim (all elements when None), as torch.return_types.aminmax."""
    if input.numel() == 0 and dim is None:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                           "identity.")
    if dim is not None and input.ndim and input._shape[wrap_dim(dim, input.ndim)] == 0:
        raise IndexError(f"aminmax: Expected reduction dim {wrap_dim(dim, input.ndim)} to have non-zero size.")
    return return_types.aminmax(reduce(input, ReduceOp.MIN, dim, keepdim, input.dtype),
                                reduce(input, ReduceOp.MAX, dim, keepdim, input.dtype))


def _arg(x: Tensor, dim, keepdim: bool, rop: ReduceOp, name: str) -> Tensor:
    """Index of the first extreme value (of the first NaN, which torch treats as the extreme)."""
    if x.dtype is bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    refuse_complex(x, name)
    _check_nonempty(x, name, dim)
    if dim is None:
        flat = x.reshape(-1)
        out = _arg(flat, 0, False, rop, name)
        return out.reshape([1] * x.ndim) if keepdim else out
    d = wrap_dim(dim, x.ndim)
    ext = reduce(x, rop, d, True, x.dtype)
    hit = eq(x, ext)
    if x.dtype.is_floating_point:
        hit = logical_or(hit, isnan(x))
    size = x._shape[d] if x.ndim else 1
    shape = [1] * builtins.max(x.ndim, 1)
    shape[d] = size
    idx = Tensor._from_node(graph.reshape(graph.arange(0, 1, size, int64), tuple(shape)), x._storage.device)
    if not x.ndim:
        idx = idx.reshape(())
    cand = where(hit, idx, size)
    return reduce(cand, ReduceOp.MIN, d if x.ndim else None, keepdim, int64)


@takes_out("argmax")
def argmax(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return _arg(input, dim, keepdim, ReduceOp.MAX, "argmax")


@takes_out("argmin")
def argmin(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return _arg(input, dim, keepdim, ReduceOp.MIN, "argmin")


@differentiable("max")
def max(input: Tensor, dim=None, keepdim: bool = False, **kwargs):
    """max(x) → value; max(x, dim) → (values, indices); max(x, other) → maximum."""
    if isinstance(dim, Tensor):
        from .elementwise import maximum
        return maximum(input, dim)
    dim, keepdim = _kw(dim, keepdim, kwargs)
    refuse_complex(input, "max_all" if dim is None else "max")
    _check_nonempty(input, "max", dim)
    if dim is None:
        return reduce(input, ReduceOp.MAX, None, False, input.dtype)
    ordered = input.to(uint8) if input.dtype is bool_ else input  # bools compare as 0 and 1
    return return_types.max(amax(input, dim, keepdim), argmax(ordered, dim, keepdim))


@differentiable("min")
def min(input: Tensor, dim=None, keepdim: bool = False, **kwargs):
    if isinstance(dim, Tensor):
        from .elementwise import minimum
        return minimum(input, dim)
    dim, keepdim = _kw(dim, keepdim, kwargs)
    refuse_complex(input, "min_all" if dim is None else "min")
    _check_nonempty(input, "min", dim)
    if dim is None:
        return reduce(input, ReduceOp.MIN, None, False, input.dtype)
    ordered = input.to(uint8) if input.dtype is bool_ else input
    return return_types.min(amin(input, dim, keepdim), argmin(ordered, dim, keepdim))


def _logical_reduce(x: Tensor, rop: ReduceOp, dim, keepdim: bool) -> Tensor:
    """all/any: bool results, except that uint8 inputs give uint8 (as torch keeps them). An empty list of dims
    reduces none (where sum's reduces all, as torch's)."""
    truth = ne(x, 0) if x.dtype is not bool_ else x
    out = truth if isinstance(dim, (tuple, list)) and not dim else reduce(truth, rop, dim, keepdim, bool_)
    return out.to(uint8) if x.dtype is uint8 else out


@takes_out("all")
def all(input: Tensor, dim=None, keepdim: bool = False, **kwargs) -> Tensor:
    dim, keepdim = _kw(dim, keepdim, kwargs)
    return _logical_reduce(input, ReduceOp.MIN, dim, keepdim)


@takes_out("any")
def any(input: Tensor, dim=None, keepdim: bool = False, **kwargs) -> Tensor:
    dim, keepdim = _kw(dim, keepdim, kwargs)
    return _logical_reduce(input, ReduceOp.MAX, dim, keepdim)


def _correction(correction, unbiased) -> float:
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


@differentiable("var")
def var(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, **kwargs) -> Tensor:
    return _variance(input, dim, unbiased, keepdim, correction, kwargs, "var")


@differentiable("std")
def std(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, **kwargs) -> Tensor:
    return _deviation(input, dim, unbiased, keepdim, correction, kwargs, "std")


@differentiable("std")
def _std_for(input: Tensor, dim, unbiased, keepdim: bool, *, correction=None, name: str) -> Tensor:
    """std as another op computes it (std_mean): its warnings name that op, its gradient is std's."""
    return _deviation(input, dim, unbiased, keepdim, correction, {}, name)


def _moments_dtype(dtype: DType) -> DType:
    """The type torch's CPU variance accumulates in: double for every real floating type (its Welford sums), so
    neither the mean it centers on nor the squares are rounded (a row near 1e6 keeps its variance's digits, and
    bfloat16 values near 3e38 a finite spread); the result is rounded once (float16 and bfloat16 through float, as
    torch's conversions go). A complex variance is its parts' variances added (_variance)."""
    return float64 if dtype.is_floating_point else dtype


def _deviation(input: Tensor, dim, unbiased, keepdim: bool, correction, kwargs: dict, name: str) -> Tensor:
    if _moments_dtype(input.dtype) is not input.dtype:  # computed wider, rounded once
        wide = input.to(_moments_dtype(input.dtype))
        return sqrt(_variance(wide, dim, unbiased, keepdim, correction, kwargs, name)).to(input.dtype)
    return sqrt(_variance(input, dim, unbiased, keepdim, correction, kwargs, name))


DOF_WARNING = ("{}(): degrees of freedom is <= 0. Correction should be strictly less than the reduction factor (input "
               "numel divided by output numel).")


def _variance(input: Tensor, dim, unbiased, keepdim: bool, correction, kwargs: dict, name: str,
              quiet: bool = False) -> Tensor:
    """The variance over dim with correction (unbiased: 1); torch's warning, naming the op asked for, when the
    correction leaves no degrees of freedom (once: `quiet` for a complex input's second part)."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    dim, keepdim = _kw(dim, keepdim, kwargs)
    if input.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if input.dtype.is_complex:  # torch's: the variances of the real and imaginary parts, added in their type
        from .complex_numbers import imag_part, real_part
        return add(_variance(real_part(input), dim, unbiased, keepdim, correction, {}, name),
                   _variance(imag_part(input), dim, unbiased, keepdim, correction, {}, name, quiet=True))
    if _moments_dtype(input.dtype) is not input.dtype:  # computed wider, rounded once
        wide = input.to(_moments_dtype(input.dtype))
        return _variance(wide, dim, unbiased, keepdim, correction, {}, name, quiet).to(input.dtype)
    n = _count(input, dim)
    centered = sub(input, mean(input, dim, keepdim=True))
    ss = sum(mul(centered, centered), dim, keepdim)
    dof = n - _correction(correction, unbiased)
    if dof <= 0 and not quiet:
        warn_at_caller(DOF_WARNING.format(name))
    return div(ss, dof if dof > 0 else (0.0 if dof == 0 else float("nan")))


def _moments_of(input: Tensor, name: str) -> None:
    if input.dtype.kind not in "fc":
        raise RuntimeError(f"{name} only support floating point and complex dtypes")


@recorded_as("VarMeanBackward0")
def var_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    _moments_of(input, "var_mean")
    if isinstance(dim, bool):  # var_mean(x, unbiased)
        dim, unbiased = None, dim
    return _variance(input, dim, unbiased, keepdim, correction, {}, "var_mean"), mean(input, dim, keepdim=keepdim)


@recorded_as("StdMeanBackward0")
def std_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    _moments_of(input, "std_mean")
    if isinstance(dim, bool):  # std_mean(x, unbiased)
        dim, unbiased = None, dim
    return (_std_for(input, dim, unbiased, keepdim, correction=correction, name="std_mean"),
            mean(input, dim, keepdim=keepdim))


@autocast_op("logsumexp")
@differentiable("logsumexp")
def logsumexp(input: Tensor, dim, keepdim: bool = False) -> Tensor:
    """log(sum(exp(x))) shifted by the max so large inputs do not overflow."""
    x = input if input.dtype.kind in "fc" else input.to(get_default_dtype())
    if x.dtype.is_complex:  # shifted by the largest real part
        from .complex_numbers import real_part
        m = reduce(real_part(x), ReduceOp.MAX, dim, True, x.dtype.to_real())
    else:
        m = reduce(x, ReduceOp.MAX, dim, True, x.dtype)
    m = where(isinf(m), 0.0, m)
    s = log(reduce(exp(sub(x, m)), ReduceOp.SUM, dim, True, x.dtype))
    out = add(s, m)
    if not keepdim:
        axes = reduce_dims(dim, x.ndim)
        out = out.reshape([s for i, s in enumerate(x._shape) if i not in axes])
    return out


@takes_out("norm", refused_as="linalg_vector_norm")
def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """torch.norm: a vector norm over dim (all elements by default; 'fro' is the 2-norm over up to two
    dims), or for another string order ('nuc') a matrix norm over the two dims given."""
    if isinstance(p, str) and not (p == "fro" and (dim is None or isinstance(dim, int) or len(dim) <= 2)):
        from .linalg import matrix_norm
        return matrix_norm(input, p, tuple(range(input.ndim)) if dim is None else dim, keepdim, dtype=dtype)
    return vector_norm(input, 2 if p in ("fro", None) else p, dim, keepdim, dtype)


def norm_dtype(given: DType, wanted: DType, norm: str = "linalg.vector_norm") -> DType:
    """The dtype a norm computes in when one is asked for: torch's checks (of the same kind as the input's,
    holding it without narrowing), its messages naming the norm."""
    refusal = f"{norm}: dtype should be {{}}, but got {torch_name(wanted)}"
    if wanted.kind not in "fc":
        raise RuntimeError(refusal.format("floating point or complex"))
    if given.is_complex != wanted.is_complex:
        raise RuntimeError(refusal.format("complex for complex inputs" if given.is_complex else "real for real inputs"))
    if promote_types(given, wanted) is not wanted:
        raise RuntimeError(f"{norm}: the dtype of the input ({torch_name(given)}) should be convertible "
                           f"without narrowing to the specified dtype ({torch_name(wanted)})")
    return wanted


def check_norm_input(input: Tensor, norm: str = "linalg.vector_norm") -> None:
    if input.dtype.kind not in "fc":
        raise RuntimeError(f"{norm}: Expected a floating point or complex tensor as input. Got "
                           f"{torch_name(input.dtype)}")


@differentiable("linalg_vector_norm")
def vector_norm(input: Tensor, p=2, dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """The p-norm of input's elements over dim (all of them by default), computed in dtype (torch's checks:
    one of the same kind as input's, holding it without narrowing)."""
    check_norm_input(input)
    x = input.to(norm_dtype(input.dtype, to_dtype(dtype))) if dtype is not None else input
    if x.dtype.is_complex:  # the norm of the moduli
        x = abs_(x)
    if p != 0 and not isinstance(p, str) and x.numel() and _count(x, dim) == 1:
        # the norm of one term is its modulus, as torch's (no power that could overflow or underflow)
        return reduce(abs_(x), ReduceOp.MAX, dim, keepdim, x.dtype)
    if x.dtype is not opmath(x.dtype) and p not in (1, 0, float("inf"), float("-inf"), "inf", "-inf"):
        # (float16 and bfloat16: powers, their sum and its root in float32, rounded once, as torch does)
        return vector_norm(x.to(opmath(x.dtype)), p, dim, keepdim).to(x.dtype)
    if p in ("fro", 2, 2.0, None):
        return sqrt(reduce(mul(x, x), ReduceOp.SUM, dim, keepdim, x.dtype))
    a = abs_(x)
    if p in (float("inf"), float("-inf")):
        _check_extreme_norm(x, p, dim)
    if p in (float("inf"), "inf"):
        return reduce(a, ReduceOp.MAX, dim, keepdim, x.dtype)
    if p in (float("-inf"), "-inf"):
        return reduce(a, ReduceOp.MIN, dim, keepdim, x.dtype)
    if p == 1:
        return reduce(a, ReduceOp.SUM, dim, keepdim, x.dtype)
    if p == 0:
        return reduce(ne(x, 0).to(x.dtype), ReduceOp.SUM, dim, keepdim, x.dtype)
    if isinstance(p, str):
        raise RuntimeError(f"linalg.norm: Order {p} not supported.")
    return pow(reduce(pow(a, p), ReduceOp.SUM, dim, keepdim, x.dtype), 1.0 / p)


def _check_extreme_norm(x: Tensor, p: float, dim) -> None:
    """The inf and -inf norms (a max, a min) have no value over nothing: torch's errors."""
    order = "inf" if p > 0 else "-inf"
    if dim is None:
        if not x.numel():
            raise RuntimeError(f"linalg.vector_norm cannot compute the {order} norm on an empty tensor because the "
                               "operation does not have an identity")
        return
    for d in dim_list(dim):
        if x.shape[wrap_dim(d, x.ndim)] == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {order} norm on the dimension {d}because this "
                               "dimension is empty and the operation does not have an identity")


@autocast_op("renorm")
@differentiable("renorm")
def renorm(input: Tensor, p, dim: int, maxnorm) -> Tensor:
    """Each slice along dim whose p-norm exceeds maxnorm scaled down to norm maxnorm (by
    maxnorm / (norm + 1e-7), as torch scales it)."""
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm:g}")
    if input.ndim < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.ndim} dimensions")
    d = wrap_dim(dim, input.ndim)
    wide = input.to(opmath(input.dtype))  # (a float16 norm and factor are float32's, the factor rounded once)
    n = norm(wide, p, tuple(k for k in range(input.ndim) if k != d), keepdim=True)
    return mul(input, where(n > maxnorm, div(maxnorm, add(n, 1e-7)), 1.0).to(input.dtype))


# the kernels of the running sums and products, which have no bool form (a bool input counts in int64)
_SCAN_KERNELS = {ReduceOp.SUM: "cumsum_out_cpu", ReduceOp.PROD: "cumprod_out_cpu"}


def _scan(x: Tensor, rop: ReduceOp, dim: int, dtype) -> Tensor:
    dt = _sum_dtype(x, dtype)
    if dt is bool_:
        raise NotImplementedError(f"\"{_SCAN_KERNELS[rop]}\" not implemented for 'Bool'")
    d = wrap_dim(dim, x.ndim)
    if x.ndim == 0:
        return Tensor._from_node(graph.cast(x.lazy, dt), x._storage.device)
    return Tensor._from_node(graph.scan(graph.cast(x.lazy, dt), rop, d), x._storage.device)


@differentiable("cumsum")
def cumsum(input: Tensor, dim: int | None = None, *, dtype=None, out=None, **kwargs) -> Tensor:
    dim = kwargs.pop("axis", dim)
    if dim is None:
        raise TypeError("cumsum() missing 1 required positional argument: 'dim'")
    return _out(_scan(input, ReduceOp.SUM, dim, _in_out_dtype(dtype, out)), out, "cumsum")


@differentiable("cumprod")
def cumprod(input: Tensor, dim: int, *, dtype=None, out=None) -> Tensor:
    return _out(_scan(input, ReduceOp.PROD, dim, _in_out_dtype(dtype, out)), out, "cumprod")


def count_nonzero(input: Tensor, dim=None) -> Tensor:
    return reduce(ne(input, 0), ReduceOp.SUM, dim, False, int64)



def _softmax_input(input: Tensor, dim: int, dtype, name: str) -> tuple[Tensor, int]:
    x = input.to(to_dtype(dtype, name)) if dtype is not None else input
    d = wrap_dim(dim, x.ndim)
    if not x.dtype.is_floating_point:
        kernel = f"{name}_lastdim_kernel_impl" if d == x.ndim - 1 or x.ndim == 0 else f"{name}_kernel_impl"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{torch_name(x.dtype)}'")
    return x, d


@differentiable("softmax")
def softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    """exp(x - max) / sum(exp(x - max)) along dim: three kernels (max, sum of exp, the quotient); float16 and
    bfloat16 computed in float32 and rounded once, as torch does."""
    x, d = _softmax_input(input, dim, dtype, "softmax")
    if x.ndim == 0 or x.numel() == 0:
        return exp(x - x)
    wide = x.to(opmath(x.dtype))
    e = exp(wide - amax(wide, d, keepdim=True))
    return (e / sum(e, d, keepdim=True)).to(x.dtype).contiguous()  # (torch's kernel writes row-major)


@differentiable("log_softmax")
def log_softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    x, d = _softmax_input(input, dim, dtype, "log_softmax")
    if x.ndim == 0 or x.numel() == 0:
        return x - x
    wide = x.to(opmath(x.dtype))
    shifted = wide - amax(wide, d, keepdim=True)
    total = sum(exp(shifted), d, keepdim=True)
    if wide.dtype is not x.dtype and d == x.ndim - 1:  # torch's last-dim kernel keeps sum and log in x's dtype
        log_total = log(total.to(x.dtype).to(wide.dtype)).to(x.dtype).to(wide.dtype)
    else:
        log_total = log(total)
    return (shifted - log_total).to(x.dtype).contiguous()
