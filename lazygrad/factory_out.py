"""`out=` of the factory functions (zeros, arange, rand, randperm...): torch makes the values in out's dtype (a
dtype given must be out's) and writes them into out, resized to their shape, returning out itself."""
from __future__ import annotations

import functools
import warnings
from typing import Callable

from .autograd import grad_mode
from .autograd.record import signature_with_out
from .dtypes import to_dtype, torch_name
from .int_parameters import type_name
from .tensor import Tensor, normalize_device


def _device_type(device: str) -> str:
    return device.split(":")[0]


def factory_out(name: str, warn_resize: bool = False, writes: bool = True) -> Callable:
    """Gives the factory `fn` torch's `out=` (fn makes the values from dtype=, device=, requires_grad=).
    `warn_resize`: torch warns when out's size differs (arange, whose length depends on rounding); `writes`
    False: only resized (empty: out keeps what it holds, as torch's)."""
    def wrap(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def made(*args, out=None, **kwargs):
            if out is None:
                return fn(*args, **kwargs)
            _check_out(name, out, kwargs)
            requires_grad = kwargs.pop("requires_grad", False)
            kwargs.update(dtype=out.dtype, device=out.device)
            values = fn(*args, **kwargs)
            _write(out, values, warn_resize, writes)
            return out.requires_grad_() if requires_grad else out
        made.__signature__ = signature_with_out(fn)
        return made
    return wrap


def _check_out(name: str, out, kwargs: dict) -> None:
    """torch's refusals of an out: not a tensor, of another dtype or device than asked, or one autograd sees."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type_name(out)}")
    dtype = kwargs.get("dtype")
    if dtype is not None and to_dtype(dtype) is not out.dtype:
        raise RuntimeError(f"dtype {torch_name(to_dtype(dtype))} does not match dtype of out parameter "
                           f"({torch_name(out.dtype)})")
    device = kwargs.get("device")
    if device is not None and _device_type(normalize_device(device)) != _device_type(out.device):
        raise RuntimeError(f"device type {_device_type(normalize_device(device))} does not match device type of out "
                           f"parameter ({_device_type(out.device)})")
    if grad_mode.STATE.enabled and out.requires_grad:
        raise RuntimeError(f"aten::{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")


def _write(out: Tensor, values: Tensor, warn_resize: bool, writes: bool) -> None:
    from .inplace import assign
    from .typed_storage import resize_
    if out._shape != values._shape:
        if warn_resize and out.numel():
            warnings.warn(f"The number of elements in the out tensor of shape {list(out._shape)} is {out.numel()} "
                          f"which does not match the computed number of elements {values.numel()}. Note that this may "
                          "occur as a result of rounding error. The out tensor will be resized to a tensor of shape "
                          f"({values.numel()},).", UserWarning, stacklevel=3)
        resize_(out, values._shape)
    if writes:
        assign(out, values)
