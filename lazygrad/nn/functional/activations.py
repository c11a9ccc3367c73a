"""Activations of torch.nn.functional, each a composition of lazy elementwise ops (so it fuses with the ops
around it). Piecewise ones are `where` chains whose branch at a kink is the one torch differentiates there,
so their gradients at the kinks (relu'(0) = 0, hardtanh at its bounds, leaky_relu at 0, ...) are torch's.
The branch that is not taken always sees a safe input, so its gradient cannot turn an inf into a NaN."""
from __future__ import annotations

import functools
import math
import warnings

import numpy as np

from ... import inplace as _inplace
from ...autograd import Function
from ...autograd.composite import recorded_as
from ...autograd.grad_mode import is_grad_enabled
from ...creation import empty_like, rand, zeros_like
from ...dtypes import NUMBER_TYPES, bool_, float32, torch_name
from ...float_kernels import refuse_non_floating
from ...int_parameters import type_name
from ...elementwise import HALF_FLOATS, erf, exp, expm1, log1p, relu as _relu, sigmoid as _sigmoid, tanh as _tanh, where
from ...tensor import Tensor
from ...tensor_parameters import tensor_parameters
from ...amp.autocast_mode import autocast_op

__all__ = ["relu", "relu_", "relu6", "hardtanh", "hardtanh_", "elu", "elu_", "selu", "selu_", "celu", "celu_",
           "leaky_relu", "leaky_relu_", "prelu", "rrelu", "rrelu_", "glu", "gelu", "logsigmoid", "hardshrink",
           "tanhshrink", "softsign", "softplus", "softmin", "softmax", "log_softmax", "gumbel_softmax", "softshrink",
           "tanh", "sigmoid", "hardsigmoid", "silu", "mish", "hardswish", "threshold", "threshold_"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _floating(input: Tensor, kernel: str, complex_ok: bool = False) -> None:
    """torch's kernels for the smooth activations exist for floating dtypes only (some for complex ones too)."""
    if not (input.dtype.is_floating_point or complex_ok and input.dtype.is_complex):
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{torch_name(input.dtype)}'")


# torch's backward node for each activation, out of place and in place: the composed ops record behind it
_NODE_NAMES = {
    "hardtanh": ("HardtanhBackward0", "HardtanhBackward0"), "threshold": ("ThresholdBackward0", "ThresholdBackward1"),
    "leaky_relu": ("LeakyReluBackward0", "LeakyReluBackward1"), "rrelu": ("RreluWithNoiseBackward0", "RreluWithNoiseBackward1"),
    "hardsigmoid": ("HardsigmoidBackward0", "HardsigmoidBackward0"),
    "hardswish": ("HardswishBackward0", "HardswishBackward0"), "elu": ("EluBackward0", "EluBackward1"),
    "celu": ("CeluBackward0", "CeluBackward1"), "silu": ("SiluBackward0", "SiluBackward0"),
    "mish": ("MishBackward0", "MishBackward0"),
}


@functools.lru_cache(maxsize=None)
def _named(fn, name: str):
    return recorded_as(name)(fn)


def _maybe_inplace(fn, input: Tensor, inplace: bool, *args, op: str) -> Tensor:
    """fn(input, *args) behind torch's node for op, or the same written back into input as a lazy in-place op."""
    out_of_place, in_place = _NODE_NAMES[op]
    if inplace:
        return _inplace.apply(input, _named(fn, in_place), *args)
    return _named(fn, out_of_place)(input, *args)


def _rounded_once(formula):
    """A formula torch computes as one kernel: on a float16/bfloat16 input it runs in float32 and its result is
    rounded once (the ops composing it would round each step)."""
    @functools.wraps(formula)
    def computed(input: Tensor, *args):
        if input.dtype not in HALF_FLOATS:
            return formula(input, *args)
        return formula(input.to(float32), *args).to(input.dtype)
    return computed


def _keep_dtype(out: Tensor, input: Tensor) -> Tensor:
    """Integer inputs keep their dtype through a `where` with a float constant, as torch's kernels do."""
    return out if input.dtype.is_floating_point else out.to(input.dtype)


# ---- piecewise linear ----------------------------------------------------------------------------------

def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0); the gradient at 0 is 0."""
    return relu_(input) if inplace else _relu(input)


def relu_(input: Tensor) -> Tensor:
    return _inplace.apply(input, _relu)


def _hardtanh(input: Tensor, min_val: float, max_val: float) -> Tensor:
    # strictly inside the bounds (or NaN) the gradient is 1; at and beyond them it is 0. A value at a bound is
    # itself, as torch's clamp keeps it (relu6(-0.0) is -0.0)
    at_bound = (input == min_val) | (input == max_val)
    clipped = where(input < min_val, min_val, where(input > max_val, max_val, where(at_bound, input.detach(), input)))
    return _keep_dtype(clipped, input)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """x clipped to [min_val, max_val]; unlike clamp, the gradient at the bounds is 0."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if input.dtype is bool_:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if input.dtype.is_complex:
        raise NotImplementedError("clamp is not supported for complex types")
    return _maybe_inplace(_hardtanh, input, inplace, min_val, max_val, op="hardtanh")


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """hardtanh(x, 0, 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def _threshold(input: Tensor, threshold: float, value: float) -> Tensor:
    return _keep_dtype(where(input > threshold, input, value), input)


@tensor_parameters("input")
def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else value."""
    _numbers("threshold", threshold, value)
    _no_bool_or_complex(input, "threshold_cpu")
    return _maybe_inplace(_threshold, input, inplace, threshold, value, op="threshold")


@tensor_parameters("input")
def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    _numbers("threshold_", threshold, value)
    _no_bool_or_complex(input, "threshold_cpu")
    return _maybe_inplace(_threshold, input, True, threshold, value, op="threshold")


def _numbers(fn: str, threshold, value) -> None:
    """torch's parser refusal of a threshold or value that is not a number."""
    for position, (param, number) in enumerate((("threshold", threshold), ("value", value)), 2):
        if not isinstance(number, NUMBER_TYPES):
            raise TypeError(f"{fn}(): argument '{param}' (position {position}) must be Number, not {type_name(number)}")


def _no_bool_or_complex(input: Tensor, kernel: str) -> None:
    if input.dtype is bool_ or input.dtype.is_complex:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{torch_name(input.dtype)}'")


def _leaky_relu(input: Tensor, negative_slope: float) -> Tensor:
    return where(input > 0, input, input * negative_slope)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, else negative_slope * x (the gradient at 0 is the slope)."""
    _floating(input, "leaky_relu_cpu")
    return _maybe_inplace(_leaky_relu, input, inplace, negative_slope, op="leaky_relu")


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return leaky_relu(input, negative_slope, inplace=True)


@tensor_parameters("input", "weight")
@autocast_op("prelu")
@recorded_as("PreluKernelBackward0")
def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """leaky_relu with a learned slope: one for all channels, or one per channel (dim 1)."""
    if input.dtype is not weight.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {torch_name(input.dtype)} and "
                           f"{torch_name(weight.dtype)}")
    refuse_non_floating("prelu", input.dtype)
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.numel() != 1 and weight.numel() != channels:
        raise RuntimeError("Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                           f"{weight.numel()} and channel size = {channels}.")
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}")
    if weight.numel() == 1:
        slope = weight.reshape(())
    else:
        slope = weight.reshape((channels,) + (1,) * (input.ndim - 2))
    return where(input > 0, input, input * slope)


def _rrelu(input: Tensor, lower: float, upper: float, training: bool) -> Tensor:
    if not training:
        return _leaky_relu(input, (lower + upper) / 2).contiguous()  # (torch's rrelu writes row-major)
    slope = rand(input.shape, dtype=input.dtype, device=input.device) * (upper - lower) + lower
    return where(input > 0, input, input * slope).contiguous()


@tensor_parameters("input")
def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """leaky_relu with a slope drawn uniformly from [lower, upper] per element when training, and their
    mean otherwise."""
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    _floating(input, "rrelu_with_noise_out_cpu" if training else "leaky_relu_cpu")
    return _maybe_inplace(_rrelu, input, inplace, lower, upper, training, op="rrelu")


@tensor_parameters("input")
def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False) -> Tensor:
    return rrelu(input, lower, upper, training, inplace=True)


def _hardshrink_mask(input: Tensor, lambd: float) -> Tensor:
    return (input >= -lambd) & (input <= lambd)


@tensor_parameters("input")
@recorded_as("HardshrinkBackward0")
def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """0 on [-lambd, lambd] (bounds included, where the gradient is 0 too), x elsewhere."""
    _floating(input, "hardshrink_cpu")
    return where(_hardshrink_mask(input, lambd), 0.0, input)


@recorded_as("SoftshrinkBackward0")
def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x moved lambd towards 0, and 0 on [-lambd, lambd]."""
    _floating(input, "softshrink_check")
    top = float(np.finfo(input.dtype.np).max)
    if not 0 <= lambd <= top:
        raise RuntimeError(f"lambda must be in range [0, {top:g}] for input dtype "
                           f"{torch_name(input.dtype)}, but found {lambd:g}")
    shrunk = where(input > lambd, input - lambd, input + lambd)
    return where(_hardshrink_mask(input, lambd), 0.0, shrunk)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """(x + 3) / 6 clipped to [0, 1], torch's order (x / 6 + 1/2 would cancel near -3); the gradient at ±3 is 0."""
    _floating(input, "hardsigmoid_cpu")
    return _maybe_inplace(_hardsigmoid, input, inplace, op="hardsigmoid")


def _kernel_formula(name: str, value, times_slope) -> type[Function]:
    """An activation as torch's kernels compute it: value(x) forward, times_slope(x, g) for its gradient (and
    tangent) in place of the composed ops' derivatives, which round otherwise and differ at the pieces' ends."""
    def forward(ctx, input: Tensor) -> Tensor:
        ctx.save_for_backward(input)
        ctx.save_for_forward(input)
        return value(input)

    def backward(ctx, grad: Tensor) -> Tensor:
        return times_slope(*ctx.saved_tensors, grad)
    return type(name, (Function,), {"forward": staticmethod(forward), "backward": staticmethod(backward),
                                    "jvp": staticmethod(backward)})


_ONE_SIXTH_FLOAT32 = float(np.float32(1 / 6))  # (torch's hardsigmoid gradient takes 1/6 in float32, for float64 too)
# min(max(x + 3, 0), 6) / 6; the gradient g / 6 strictly between -3 and 3, else +0.0 (NaN included)
_Hardsigmoid = _kernel_formula(
    "_Hardsigmoid", lambda x: (x + 3).clamp(0, 6) / 6,
    lambda x, g: where((x > -3) & (x < 3), g * _ONE_SIXTH_FLOAT32, 0.0))
# x * min(max(x + 3, 0), 6) / 6 (-0.0 below -3, NaN at -inf); the gradient piecewise with the outer pieces' slopes
# at -3 and 3: 0, g * (x / 3 + 1/2), g (g for NaN too)
_Hardswish = _kernel_formula(
    "_Hardswish", lambda x: x * (x + 3).clamp(0, 6) / 6,
    lambda x, g: where(x <= -3, 0.0, where(x < 3, g * (x / 3 + 0.5), g)))


@_rounded_once
def _hardsigmoid(input: Tensor) -> Tensor:
    return _Hardsigmoid.apply(input)


@_rounded_once
def _hardswish(input: Tensor) -> Tensor:
    return _Hardswish.apply(input)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * hardsigmoid(x)."""
    _floating(input, "hardswish_cpu")
    return _maybe_inplace(_hardswish, input, inplace, op="hardswish")


# ---- exponential-linear family -----------------------------------------------------------------------------

@_rounded_once
def _elu(input: Tensor, alpha: float, scale: float = 1.0, input_scale: float = 1.0) -> Tensor:
    positive = input > 0
    negative = where(positive, 0.0, input)  # the exp branch never sees a large positive input
    return where(positive, input * scale, expm1(negative * input_scale) * (alpha * scale))


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, else alpha * (exp(x) - 1) (as expm1, exact near 0, as torch's vectorized kernel); the gradient
    at 0 is alpha, as torch's."""
    _floating(input, "elu_cpu")
    return _maybe_inplace(_elu, input, inplace, alpha, op="elu")


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return elu(input, alpha, inplace=True)


@tensor_parameters("input")
def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with the self-normalizing constants."""
    _floating(input, "elu_cpu")
    return _maybe_inplace(_elu, input, inplace, _SELU_ALPHA, _SELU_SCALE, op="elu")


@tensor_parameters("input")
def selu_(input: Tensor) -> Tensor:
    return selu(input, inplace=True)


@tensor_parameters("input")
def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, else alpha * (exp(x / alpha) - 1)."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    _floating(input, "elu_cpu")
    return _maybe_inplace(_elu, input, inplace, alpha, 1.0, 1.0 / alpha, op="celu")


@tensor_parameters("input")
def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return celu(input, alpha, inplace=True)


# ---- smooth ----------------------------------------------------------------------------------------------

@_rounded_once
def _softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    scaled = input * beta
    linear = scaled > threshold
    return where(linear, input, log1p(exp(where(linear, 0.0, scaled))) / beta)


@autocast_op("softplus")
@recorded_as("SoftplusBackward0")
def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (for stability)."""
    _floating(input, "softplus_cpu")
    return _softplus(input, beta, threshold)


@_rounded_once
def log_sigmoid(x: Tensor) -> Tensor:
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)), with -|x| written so its gradient at 0 is -1
    (the derivative at 0 comes out as torch's 1/2)."""
    negative = x < 0
    return where(negative, x, 0.0) - log1p(exp(where(negative, x, -x)))


@recorded_as("LogSigmoidBackward0")
def logsigmoid(input: Tensor) -> Tensor:
    _floating(input, "log_sigmoid_cpu")
    return log_sigmoid(input).contiguous()


@recorded_as("GeluBackward0")
def gelu(input: Tensor, *, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF (or its tanh approximation)."""
    if not isinstance(approximate, str):
        raise TypeError(f"gelu(): argument 'approximate' must be str, not {type_name(approximate)}")
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _floating(input, "GeluKernelImpl")
    return _gelu(input, approximate)


@_rounded_once
def _gelu(input: Tensor, approximate: str) -> Tensor:
    if approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * math.sqrt(2 / math.pi)
        return input * 0.5 * (_tanh(inner) + 1)
    return input * 0.5 * (erf(input * math.sqrt(0.5)) + 1)


@_rounded_once
def _silu(input: Tensor) -> Tensor:
    return input / (exp(-input) + 1)  # (torch's order: x * sigmoid(x) rounds once more)


@_rounded_once
def _mish(input: Tensor) -> Tensor:
    return input * _tanh(_softplus(input))


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (of a complex x too, which torch does not differentiate)."""
    _floating(input, "silu_cpu", complex_ok=True)
    if input.dtype.is_complex and input.requires_grad and is_grad_enabled():
        raise RuntimeError("silu does not support automatic differentiation for outputs with complex dtype.")
    return _maybe_inplace(_silu, input, inplace, op="silu")


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    _floating(input, "mish_cpu")
    return _maybe_inplace(_mish, input, inplace, op="mish")


def tanhshrink(input: Tensor) -> Tensor:
    return input - _tanh(input)


def softsign(input: Tensor) -> Tensor:
    return input / (input.abs() + 1)


def tanh(input: Tensor) -> Tensor:
    return _tanh(input)


def sigmoid(input: Tensor) -> Tensor:
    return _sigmoid(input)


@recorded_as("GluBackward0")
def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a * sigmoid(b), a and b the two halves of input along dim."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = dim % input.ndim if -input.ndim <= dim < input.ndim else dim
    size = input.shape[d]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {size}")
    _floating(input, "glu_cpu")
    return _glu(input, d)


@_rounded_once
def _glu(input: Tensor, d: int) -> Tensor:
    a, b = input.split(input.shape[d] // 2, d)
    return a * _sigmoid(b)


# ---- along a dimension -----------------------------------------------------------------------------------

def _implicit_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  "as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """exp(x) / sum(exp(x)) along dim (computed in dtype when given)."""
    dim = _implicit_dim("softmax", input.ndim, _stacklevel) if dim is None else dim
    return input.softmax(dim, dtype=dtype)


@autocast_op("softmin")
def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """softmax(-x)."""
    dim = _implicit_dim("softmin", input.ndim, _stacklevel) if dim is None else dim
    return (-input).softmax(dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """x - logsumexp(x) along dim (computed in dtype when given)."""
    dim = _implicit_dim("log_softmax", input.ndim, _stacklevel) if dim is None else dim
    return input.log_softmax(dim, dtype=dtype)


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1) -> Tensor:
    """softmax((logits + g) / tau) with Gumbel(0, 1) noise g; `hard` gives the one-hot of its argmax in the
    forward pass and the soft sample's gradient (straight through)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -empty_like(logits).exponential_().log()
    soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return soft
    index = soft.max(dim, keepdim=True)[1]
    one_hot = zeros_like(logits).scatter(dim, index, 1.0)
    return one_hot - soft.detach() + soft
