"""torch.autocast: inside an enabled region, the ops of policies.POLICIES take their floating inputs in the
region's dtype (matrix products, convolutions), in float32 (losses, reductions that lose precision) or in
the widest type among them. A cast op runs its inside without autocast (its inputs are already cast), as
torch's one dispatcher op does; in-place ops and `out=` are not cast, as in torch."""
from __future__ import annotations

import functools
import warnings

from ..dtypes import bfloat16, float16, float32, float64, promote_types
from ..int_parameters import type_name
from ..warning_sites import reissue
from .policies import POLICIES

DEVICE_TYPES = ("cpu", "cuda")


class _Region:
    """Per device type: enabled and the dtype; `inside` while a cast op (or an in-place op) runs."""

    def __init__(self):
        self.enabled = {"cpu": False, "cuda": False}
        self.dtype = {"cpu": bfloat16, "cuda": float16}
        self.cache_enabled = True
        self.nesting = 0
        self.inside = False

    @property
    def active(self) -> bool:
        return (self.enabled["cpu"] or self.enabled["cuda"]) and not self.inside


REGION = _Region()


def _device_type(device_type) -> str:
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if device_type not in DEVICE_TYPES:
        raise RuntimeError(f"Invalid device string: '{device_type}'")
    return device_type


class autocast:  # noqa: N801  (torch's name)
    """A region (context manager or decorator) where device_type's ops autocast to dtype (bfloat16 on the
    CPU, float16 on CUDA by default)."""

    def __init__(self, device_type: str, dtype=None, enabled: bool = True, cache_enabled: bool | None = None):
        self.device = _device_type(device_type)
        self.fast_dtype = dtype if dtype is not None else REGION.dtype[self.device]
        self._enabled = enabled
        self._cache_enabled = cache_enabled if cache_enabled is not None else REGION.cache_enabled
        if self.device == "cpu" and enabled and self.fast_dtype not in (bfloat16, float16):
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling autocast.\nCPU Autocast "
                          "only supports dtypes of lazygrad.bfloat16, lazygrad.float16 currently.", stacklevel=2)
            self._enabled = False
        if self.device == "cuda" and enabled and not _cuda_available():
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.", stacklevel=2)
            self._enabled = False

    def __enter__(self):
        self._saved = (REGION.enabled[self.device], REGION.dtype[self.device], REGION.cache_enabled)
        REGION.enabled[self.device], REGION.dtype[self.device] = self._enabled, self.fast_dtype
        REGION.cache_enabled = self._cache_enabled
        REGION.nesting += 1
        return self

    def __exit__(self, *exc) -> bool:
        REGION.enabled[self.device], REGION.dtype[self.device], REGION.cache_enabled = self._saved
        REGION.nesting -= 1
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with autocast(self.device, self.fast_dtype, self._enabled, self._cache_enabled):
                return fn(*args, **kwargs)
        return wrapper


def _cuda_available() -> bool:
    from .. import cuda
    return cuda.is_available()


class no_autocast:
    """Ops inside run as called (the inside of a cast op, an in-place op). A class rather than a generator
    context manager: every in-place op enters one."""

    __slots__ = ("before",)

    def __enter__(self) -> None:
        self.before, REGION.inside = REGION.inside, True

    def __exit__(self, *exc) -> None:
        REGION.inside = self.before


def _floating_tensors(values) -> list:
    from ..tensor import Tensor
    found = []
    for v in values:
        if isinstance(v, Tensor) and v.dtype.is_floating_point:
            found.append(v)
        elif isinstance(v, (list, tuple)):
            found.extend(_floating_tensors(v))
    return found


def _cast(value, dtype, device_type: str):
    """value with its floating tensors on device_type cast to dtype (float64 stays, as torch's casts leave it)."""
    from ..tensor import Tensor
    if isinstance(value, Tensor):
        eligible = value.dtype.is_floating_point and value.dtype is not float64 and value.device.type == device_type
        return value.to(dtype) if eligible and value.dtype is not dtype else value
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(v, dtype, device_type) for v in value)
    return value


def cast_inputs(op: str, args: tuple, kwargs: dict) -> tuple[tuple, dict, bool]:
    """(args, kwargs) as the autocast region has op see them, and whether op is one autocast handles (its
    inside then runs without autocast)."""
    tensors = _floating_tensors((*args, *kwargs.values()))
    if not tensors or kwargs.get("out") is not None or kwargs.get("dtype") is not None:
        return args, kwargs, False
    device_type = tensors[0].device.type
    if not REGION.enabled.get(device_type):
        return args, kwargs, False
    policy = POLICIES[device_type].get(op)
    if policy is None:
        return args, kwargs, False
    if policy == "opaque":
        return args, kwargs, True
    dtype = REGION.dtype[device_type] if policy == "lower" else float32 if policy == "fp32" else \
        functools.reduce(promote_types, (t.dtype for t in tensors))
    return (_cast(args, dtype, device_type), {k: _cast(v, dtype, device_type) for k, v in kwargs.items()}, True)


def autocast_op(op: str):
    """Mark a function as the op `op` of the autocast policies (the differentiable ops are marked by their
    derivative-table names already)."""
    def deco(fn):
        def call(args, kwargs):
            if not REGION.active:
                return fn(*args, **kwargs)
            args, kwargs, handled = cast_inputs(op, args, kwargs)
            if not handled:
                return fn(*args, **kwargs)
            with no_autocast():
                return fn(*args, **kwargs)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with warnings.catch_warnings(record=True) as caught:  # (fn's warnings aimed at its caller: see reissue)
                warnings.simplefilter("always")
                out = call(args, kwargs)
            reissue(caught, __file__)
            return out
        return wrapper
    return deco


# ---- torch's module-level switches ----------------------------------------------------------------------

def is_autocast_available(device_type: str) -> bool:
    return device_type in DEVICE_TYPES


def is_autocast_enabled(device_type: str | None = None) -> bool:
    return REGION.enabled[_device_type(device_type or "cuda")]


def set_autocast_enabled(device_type, enabled: bool | None = None) -> None:
    """set_autocast_enabled(device_type, enabled), or set_autocast_enabled(enabled) for CUDA."""
    position = 2
    if enabled is None:
        device_type, enabled, position = "cuda", device_type, 1
    if not isinstance(enabled, bool):
        raise TypeError(f"set_autocast_enabled(): argument 'enabled' (position {position}) must be bool, not "
                        f"{type_name(enabled)}")
    REGION.enabled[_device_type(device_type)] = enabled


def get_autocast_dtype(device_type: str):
    return REGION.dtype[_device_type(device_type)]


def set_autocast_dtype(device_type: str, dtype) -> None:
    REGION.dtype[_device_type(device_type)] = dtype


def is_autocast_cpu_enabled() -> bool:
    return REGION.enabled["cpu"]


def set_autocast_cpu_enabled(enabled: bool) -> None:
    REGION.enabled["cpu"] = bool(enabled)


def get_autocast_cpu_dtype():
    return REGION.dtype["cpu"]


def set_autocast_cpu_dtype(dtype) -> None:
    REGION.dtype["cpu"] = dtype


def get_autocast_gpu_dtype():
    return REGION.dtype["cuda"]


def set_autocast_gpu_dtype(dtype) -> None:
    REGION.dtype["cuda"] = dtype


def is_autocast_cache_enabled() -> bool:
    return REGION.cache_enabled


def set_autocast_cache_enabled(enabled: bool) -> None:
    REGION.cache_enabled = bool(enabled)


def clear_autocast_cache() -> None:
    """(lazygrad keeps no cast copies: a cast is a node of the lazy graph, shared where it repeats.)"""


def autocast_increment_nesting() -> int:
    REGION.nesting += 1
    return REGION.nesting


def autocast_decrement_nesting() -> int:
    REGION.nesting -= 1
    return REGION.nesting


def custom_fwd(fwd=None, *, device_type: str, cast_inputs=None):
    """For a custom Function's forward: runs it under the region's autocast state, or, with cast_inputs,
    with its floating inputs cast to that dtype and autocast off (inside an enabled region)."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def wrapper(ctx, *args, **kwargs):
        ctx._fwd_used_autocast = REGION.enabled[device_type]
        ctx._dtype = REGION.dtype[device_type]
        if cast_inputs is None or not REGION.enabled[device_type]:
            return fwd(ctx, *args, **kwargs)
        args = _cast(args, cast_inputs, device_type)
        kwargs = {k: _cast(v, cast_inputs, device_type) for k, v in kwargs.items()}
        with autocast(device_type, enabled=False):
            return fwd(ctx, *args, **kwargs)
    return wrapper


def custom_bwd(bwd=None, *, device_type: str):
    """For a custom Function's backward: runs it with the autocast state its forward ran with."""
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def wrapper(ctx, *grads):
        with autocast(device_type, dtype=ctx._dtype, enabled=ctx._fwd_used_autocast):
            return bwd(ctx, *grads)
    return wrapper
