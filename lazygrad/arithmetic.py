"""Number functions beyond the kernels' expressions: gcd and lcm (Euclid's loop), nextafter and frexp (bit
manipulation of floats) as library calls; ldexp and rsub composed of elementwise ops."""
from __future__ import annotations

from . import return_types
from .decompositions import library_call
from .dtypes import LIMITED_UNSIGNED, bool_, float64, int32, result_type, torch_name
from .elementwise import _out, mul, pow, sub
from .tensor import Tensor
from .tensor_parameters import tensor_parameters
from .autograd.composite import recorded_as
from .autograd.record import differentiable
from .autograd.record import takes_out


def _pair(name: str, input: Tensor, other: Tensor, integral: bool) -> tuple[Tensor, Tensor]:
    """Both operands in their promoted dtype, broadcast; torch's error for the dtypes a kernel lacks."""
    dtype = result_type(input, other)
    if dtype.kind not in ("iu" if integral else "f"):
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{torch_name(dtype)}'")
    a, b = (t.to(dtype) if isinstance(t, Tensor) else t for t in (input, other))
    from .shapes import broadcast_tensors
    return broadcast_tensors(a, b)


def _elementwise_call(name: str, input: Tensor, other: Tensor, integral: bool, out) -> Tensor:
    a, b = _pair(name, input, other, integral)
    return _out(library_call(name, (), [a, b], [a.shape])[0], out)


@tensor_parameters("input", "other")
def gcd(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The greatest common divisor of integers (non-negative; gcd(0, 0) = 0)."""
    return _elementwise_call("gcd", input, other, True, out)


@tensor_parameters("input", "other")
def lcm(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    return _elementwise_call("lcm", input, other, True, out)


@tensor_parameters("input", "other")
def nextafter(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The next representable float after input in the direction of other."""
    return _elementwise_call("nextafter", input, other, False, out)


@takes_out("frexp", refused_as="frexp")
def frexp(input: Tensor):
    """mantissa in [0.5, 1) and int32 exponent with input = mantissa * 2 ** exponent."""
    if not input.dtype.is_floating_point:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    mantissa, exponent = library_call("frexp", (), [input], [input.shape, input.shape])
    return return_types.frexp(mantissa, exponent.to(int32))


@tensor_parameters("input", "other")
@recorded_as("LdexpBackward0", slots=("input", "other"))
def ldexp(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """input * 2 ** other as torch computes it: a float input scaled by integer exponents keeps its dtype (torch's
    exponent kernel; here exact through float64); otherwise the power in other's floating dtype (the default
    one for an integer other) times input, promoting as any product does."""
    if input.dtype.kind == "f" and other.dtype.kind in "bui":
        if other.dtype is bool_ or other.dtype in LIMITED_UNSIGNED:
            raise NotImplementedError(f"\"ldexp_cpu_exp\" not implemented for '{torch_name(other.dtype)}'")
        return _out(mul(input.to(float64), pow(2.0, other.to(float64))).to(input.dtype), out)
    return _out(mul(input, pow(2.0, other)), out)


@differentiable("rsub")
def rsub(input: Tensor, other, *, alpha=1) -> Tensor:
    """other - alpha * input."""
    return sub(other, input, alpha=alpha)
