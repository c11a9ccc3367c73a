"""Sampling from distributions given by tensors: normal (every torch overload) and bernoulli, and the in-place
fills exponential_, geometric_, log_normal_, cauchy_ and random_. The numbers come from the in-kernel Philox
generator (creation._random), so a seed gives the same values on every back end, and sampling stays lazy
and fuses with what uses the samples. Gamma, Dirichlet, Poisson and binomial draws take a data-dependent
number of numbers each: a library routine draws them (lazygrad/rejection_samplers.py), from the same seed."""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from . import graph
from .autograd.record import differentiable
from .creation import _random, parse_size
from .decompositions import library_call
from .dtype_info import finfo
from .dtypes import C_NAMES, bool_, float16, float32, float64, get_default_dtype, int64, opmath, to_dtype, torch_name
from .elementwise import add, broadcast_shapes, div, exp, floor, log1p, lt, mul, neg, sub, tan
from .ops import Op
from .random import next_offset, seed_value
from .tensor import Tensor, known_values, normalize_device

_NORMAL_OVERLOADS = (
    "normal() received an invalid combination of arguments - got ({}), but expected one of:\n"
    " * (Tensor mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (Tensor mean, float std = 1, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, float std, tuple of ints size, *, torch.Generator generator = None, Tensor out = None, "
    "torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, "
    "bool requires_grad = False)\n")


def _check_std(std) -> None:
    if isinstance(std, Tensor):
        values = known_values(std)
        if values is not None and (values < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")


def _sample_dtype(dt):
    """The dtype normal samples of dt are drawn and shifted in (float16 and bfloat16 in float32)."""
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"normal_kernel_cpu\" not implemented for '{torch_name(dt)}'")
    return opmath(dt)


def _shifted(shape, dt, device: str, generator, mean, std) -> Tensor:
    draw = _random(tuple(shape), "normal", _sample_dtype(dt), device, False, generator)
    return add(mul(draw, std), mean).to(dt)


@differentiable("normal")
def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Samples of N(mean, std²): mean and std tensors (broadcast) or numbers; two numbers need a size.
    The gradient with respect to mean and std is zero, as torch defines it."""
    _check_std(std)
    tensors = [t for t in (mean, std) if isinstance(t, Tensor)]
    if tensors:
        shape = broadcast_shapes(*(t._shape for t in tensors))
        return _shifted(shape, tensors[0].dtype, tensors[0]._storage.device, generator, mean, std)
    if size is None:
        raise TypeError(_NORMAL_OVERLOADS.format(f"{type(mean).__name__}, {type(std).__name__}"))
    dt = to_dtype(dtype) if dtype is not None else get_default_dtype()
    shape = parse_size((size,) if isinstance(size, int) else tuple(size))
    return _shifted(shape, dt, normalize_device(device), generator, mean, std).requires_grad_(requires_grad)


def _check_probability(p) -> None:
    if isinstance(p, numbers.Number) and not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")


def _draw_below(shape, p, dtype, device: str, generator) -> Tensor:
    """1 where a uniform sample falls below p, else 0, as dtype."""
    calc = p.dtype if isinstance(p, Tensor) and p.dtype.is_floating_point else float32
    calc = opmath(calc)
    u = _random(tuple(shape), "uniform", calc, device, False, generator)
    return lt(u, p.to(calc) if isinstance(p, Tensor) else p).to(dtype)


@differentiable("bernoulli")
def bernoulli(input: Tensor, p: float | None = None, *, generator=None) -> Tensor:
    """1 with probability input (or p, when given), else 0, in input's dtype."""
    if p is None:
        if not input.dtype.is_floating_point:
            raise NotImplementedError(f"\"bernoulli_tensor_cpu_p_\" not implemented for '{torch_name(input.dtype)}'")
        values = known_values(input)
        if values is not None and not ((values >= 0) & (values <= 1)).all():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message "
                               "be improved?  If so, please report an enhancement request to PyTorch.)")
        return _draw_below(input._shape, input, input.dtype, input._storage.device, generator)
    _check_probability(p)
    return _draw_below(input._shape, p, input.dtype, input._storage.device, generator)


@differentiable("bernoulli_")
def bernoulli_fill(old: Tensor, p=0.5, *, generator=None) -> Tensor:
    """The value x.bernoulli_(p) writes: samples shaped like x (p a number or a tensor broadcast to x)."""
    _check_probability(p)
    if isinstance(p, Tensor):
        broadcast_shapes(p._shape, old._shape)
    return _draw_below(old._shape, p, old.dtype, old._storage.device, generator)


# ---- in-place fills from other distributions: transforms of the generator's uniform and normal draws -------

def _draw(old: Tensor, distribution: str, generator) -> Tensor:
    """Uniform [0, 1) or standard normal samples shaped like old, in float64 for float64 and integer tensors
    and in float32 otherwise."""
    calc = float64 if old.dtype is float64 or not old.dtype.is_floating_point else float32
    return _random(old._shape, distribution, calc, old._storage.device, False, generator)


def _continuous(old: Tensor, name: str, message: str) -> None:
    if not old.dtype.is_floating_point:
        raise RuntimeError(f"{name} distribution is a continuous probability distribution. dtype must be a floating "
                           f"point but you specified {message}")


def _positive(name: str, parameter: str, shown: str, value) -> None:
    if not value > 0:
        raise RuntimeError(f"{name} expects {parameter} > 0.0, but found {shown}={value:g}")


@differentiable("exponential_")
def exponential_fill(old: Tensor, lambd: float = 1.0, *, generator=None) -> Tensor:
    """-log(1 - u) / lambd: exponential samples with rate lambd."""
    _continuous(old, "Exponential", torch_name(old.dtype))
    _positive("exponential_", "lambda", "lambda", lambd)
    return div(neg(log1p(neg(_draw(old, "uniform", generator)))), lambd).to(old.dtype)


@differentiable("geometric_")
def geometric_fill(old: Tensor, p: float, *, generator=None) -> Tensor:
    """floor(log(1 - u) / log(1 - p)) + 1: the trial of the first success, each succeeding with probability p."""
    if old.dtype is bool_:
        raise NotImplementedError("\"geometric_cpu\" not implemented for 'Bool'")
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    u = _draw(old, "uniform", generator)
    return add(floor(div(log1p(neg(u)), math.log1p(-p))), 1).to(old.dtype)


@differentiable("log_normal_")
def log_normal_fill(old: Tensor, mean: float = 1.0, std: float = 2.0, *, generator=None) -> Tensor:
    """exp(mean + std * z), z standard normal."""
    if not old.dtype.is_floating_point:
        raise NotImplementedError(f"\"log_normal_cpu\" not implemented for '{torch_name(old.dtype)}'")
    _positive("log_normal_", "std", "std", std)
    return exp(add(mul(_draw(old, "normal", generator), std), mean)).to(old.dtype)


@differentiable("cauchy_")
def cauchy_fill(old: Tensor, median: float = 0.0, sigma: float = 1.0, *, generator=None) -> Tensor:
    """median + sigma * tan(pi (u - 1/2))."""
    _continuous(old, "Cauchy", C_NAMES[old.dtype.name])
    _positive("cauchy_", "sigma", "sigma", sigma)
    angle = mul(sub(_draw(old, "uniform", generator), 0.5), math.pi)
    return add(mul(tan(angle), sigma), median).to(old.dtype)


_TO_DEFAULT = object()  # random_(from) without `to`: `to` is the dtype's default


def _default_high(dtype) -> int:
    """The largest value random_() draws by default: 2^mantissa digits for floats, the maximum for integers."""
    if dtype.is_floating_point:
        return 2 ** (np.finfo(dtype.np).nmant + 1)
    return 1 if dtype is bool_ else int(np.iinfo(dtype.np).max)


def _check_random_bounds(dtype, low: int, high: int) -> None:
    """torch's checks of [low, high] for the dtype: an error for integers, a warning past the integers a
    float holds exactly."""
    name = C_NAMES[dtype.name]
    if dtype.is_floating_point:
        digits = np.finfo(dtype.np).nmant + 1
        for which, value in (("from", low), ("to - 1", high)):
            if not -(2 ** digits) <= value <= 2 ** digits:
                warnings.warn(f"{which} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision limitations "
                              f"{name} can support discrete uniform distribution only within this range. This warning "
                              "will become an error in version 1.7 release, please fix the code in advance",
                              UserWarning, stacklevel=4)
        return
    lowest, highest = (0, 1) if dtype is bool_ else (int(np.iinfo(dtype.np).min), int(np.iinfo(dtype.np).max))
    for which, value in (("from", low), ("to - 1", high)):
        if not lowest <= value <= highest:
            raise RuntimeError(f"{which} is out of bounds for {name}")


def _random_range(dtype, from_or_to, to) -> tuple[int, int]:
    """[low, high] (inclusive) of random_(), random_(to), random_(from, to) and random_(from, None)."""
    if dtype.is_complex:  # (random_() has no bounds to check: its kernel refuses)
        if from_or_to is None and to is _TO_DEFAULT:
            raise NotImplementedError(f"\"random_kernel_cpu\" not implemented for '{torch_name(dtype)}'")
        raise RuntimeError("check_random_bounds handles only integral, floating-point and boolean types")
    if to is _TO_DEFAULT:
        low, high = (0, _default_high(dtype)) if from_or_to is None else (0, int(from_or_to) - 1)
    elif from_or_to is None:
        low, high = 0, int(to) - 1
    else:
        low = int(from_or_to)
        high = _default_high(dtype) if to is None else int(to) - 1
        if to is not None and low > high:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high + 1}")
    _check_random_bounds(dtype, low, high)
    return low, high


@differentiable("random_")
def random_fill(old: Tensor, from_or_to=None, to=_TO_DEFAULT, *, generator=None) -> Tensor:
    """Integers drawn uniformly from [from, to): 63 random bits reduced modulo the range's size. A range wider
    than 2^63 (only int64's, from a negative `from`) gets its first 2^63 values."""
    low, high = _random_range(old.dtype, from_or_to, to)
    n = old.numel()
    bits = graph.rand(seed_value(generator), next_offset(n, generator), "bits", old._shape, int64)
    bits = graph.alu(Op.AND, bits, graph.const((1 << 63) - 1, int64, old._shape))
    span = high - low + 1
    if span < 1 << 63:
        bits = graph.alu(Op.MOD, bits, graph.const(span, int64, old._shape))
    values = graph.alu(Op.ADD, bits, graph.const(low, int64, old._shape))
    return Tensor._from_node(graph.cast(values, old.dtype), old._storage.device)


def random_name(args, kwargs) -> str:
    """torch's node for random_(from, to), random_(to) and random_()."""
    given = dict(zip(("from_or_to", "to"), args[1:]))
    from_or_to, to = given.get("from_or_to"), given.get("to", _TO_DEFAULT)
    if from_or_to is None and to is _TO_DEFAULT:
        return "RandomBackward2"
    return "RandomBackward1" if from_or_to is None or to is _TO_DEFAULT else "RandomBackward0"


def _check_distribution(input: Tensor, num_samples: int, replacement: bool) -> None:
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {torch_name(input.dtype)}")
    if input.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > input._shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    values = known_values(input)
    if values is not None:
        if not (np.isfinite(values) & (values >= 0)).all():
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if (values.reshape(-1, input._shape[-1]).sum(-1) <= 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *, generator=None, out=None) -> Tensor:
    """num_samples category indices per row of (unnormalized) probabilities. With replacement: binary
    searches of uniform draws in the rows' running sums; without: the largest log p + Gumbel noise (each
    draw removes its category, as sequential sampling does), zero-probability categories last."""
    from .searching import searchsorted
    from .sorting import argsort
    _check_distribution(input, num_samples, replacement)
    rows = input.reshape(-1, input._shape[-1]).detach()
    calc = float64 if rows.dtype is float64 else float32
    device = input._storage.device
    if replacement:
        running = rows.to(calc).cumsum(-1)
        u = _random((rows._shape[0], num_samples), "uniform", calc, device, False, generator)
        picked = searchsorted(running, u * running[:, -1:], right=True).clamp(max=rows._shape[-1] - 1)
    else:
        u = _random(rows._shape, "uniform", calc, device, False, generator)
        keys = rows.to(calc).log() - (-u.log()).log()
        picked = argsort(keys, -1, descending=True).narrow(-1, 0, num_samples)
    picked = picked if input.ndim == 2 else picked.reshape(num_samples)
    return picked if out is None else out.copy_(picked)


def _drawn(routine: str, inputs: list[Tensor], generator) -> Tensor:
    """One routine's draws over the inputs' broadcast shape, from a stream of their own."""
    shape = broadcast_shapes(*(t._shape for t in inputs))
    params = (seed_value(generator), next_offset(math.prod(shape), generator))
    return library_call(routine, params, [t.detach() for t in inputs], [shape])[0]


def _kernel_dtype(input: Tensor, kernel: str, allowed=(float32, float64)) -> None:
    if input.dtype not in allowed:
        raise NotImplementedError(f"\"{kernel}_cpu\" not implemented for '{torch_name(input.dtype)}'")


@differentiable("_standard_gamma")
def _standard_gamma(input: Tensor, generator=None) -> Tensor:
    """Gamma(input, 1) draws; shapes that are not positive give the smallest positive float, as torch's."""
    _kernel_dtype(input, "gamma")
    return _drawn("standard_gamma", [input], generator).clamp(min=finfo(input.dtype).tiny)


@differentiable("_standard_gamma_grad")
def _standard_gamma_grad(input: Tensor, output: Tensor) -> Tensor:
    """d output / d input for gamma draws `output` of shapes `input` (the reparameterization gradient)."""
    shape = broadcast_shapes(input._shape, output._shape)
    return library_call("standard_gamma_grad", (), [input.detach(), output.detach()], [shape])[0]


@differentiable("_sample_dirichlet")
def _sample_dirichlet(input: Tensor, generator=None) -> Tensor:
    """Dirichlet draws over the last dim: gamma draws normalized."""
    _kernel_dtype(input, "gamma")
    draws = _standard_gamma(input, generator)
    return div(draws, draws.sum(-1, keepdim=True)).clamp(min=finfo(input.dtype).tiny)


@differentiable("poisson")
def poisson(input: Tensor, generator=None) -> Tensor:
    """Poisson draws of rates input (its dtype); the gradient is zero, as torch defines it."""
    _kernel_dtype(input, "poisson", (float16, float32, float64))
    values = known_values(input)
    if values is not None and not (values >= 0).all():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    return _drawn("poisson", [input], generator)


@differentiable("binomial")
def binomial(count: Tensor, prob: Tensor, generator=None) -> Tensor:
    """Binomial draws: successes in count trials of probability prob (broadcast)."""
    for name, t in (("count", count), ("prob", prob)):
        if not t.dtype.is_floating_point:
            raise ValueError(f"binomial only supports floating-point dtypes for {name}, got: {torch_name(t.dtype)}")
    if prob.dtype is not count.dtype:
        raise RuntimeError(f"Found dtype {torch_name(prob.dtype)} but expected {torch_name(count.dtype)}")
    return _drawn("binomial", [count, prob], generator)


def dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """Each element zeroed with probability p and the rest scaled by 1 / (1 - p) when training; input
    itself otherwise."""
    if not 0 <= p <= 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p:g}")
    if not train or p == 0:
        return input
    if p == 1:
        return input * 0
    keep = _draw_below(input._shape, 1 - p, input.dtype, input._storage.device, None)
    return input * keep * (1 / (1 - p))
