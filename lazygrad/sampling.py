"""Sampling from distributions given by tensors: normal (every torch overload) and bernoulli. The
numbers come from the in-kernel Philox generator (creation._random), so a seed gives the same values
on every back end, and sampling stays lazy and fuses with what uses the samples."""
from __future__ import annotations

import numbers

import numpy as np

from .autograd.record import differentiable
from .creation import _random, parse_size
from .dtypes import float16, float32, get_default_dtype, to_dtype, torch_name
from .elementwise import add, broadcast_shapes, lt, mul
from .tensor import Tensor, normalize_device

_NORMAL_OVERLOADS = (
    "normal() received an invalid combination of arguments - got ({}), but expected one of:\n"
    " * (Tensor mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (Tensor mean, float std = 1, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, float std, tuple of ints size, *, torch.Generator generator = None, Tensor out = None, "
    "torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, "
    "bool requires_grad = False)\n")


def _known(t: Tensor) -> np.ndarray | None:
    """t's values when they are computed already (torch checks them; a lazy value is not computed for it)."""
    return np.asarray(t._values()) if t._storage.is_realized else None


def _check_std(std) -> None:
    if isinstance(std, Tensor):
        values = _known(std)
        if values is not None and (values < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")


def _sample_dtype(dt):
    """The dtype normal samples of dt are drawn and shifted in (float16 in float32)."""
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"normal_kernel_cpu\" not implemented for '{torch_name(dt)}'")
    return float32 if dt is float16 else dt


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
    calc = float32 if calc is float16 else calc
    u = _random(tuple(shape), "uniform", calc, device, False, generator)
    return lt(u, p.to(calc) if isinstance(p, Tensor) else p).to(dtype)


@differentiable("bernoulli")
def bernoulli(input: Tensor, p: float | None = None, *, generator=None) -> Tensor:
    """1 with probability input (or p, when given), else 0, in input's dtype."""
    if p is None:
        if not input.dtype.is_floating_point:
            raise NotImplementedError(f"\"bernoulli_tensor_cpu_p_\" not implemented for '{torch_name(input.dtype)}'")
        values = _known(input)
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

