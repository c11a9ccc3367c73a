"""torch.cpu.amp and torch.cuda.amp: the device-specific spellings torch deprecated in favour of torch.amp
(each warns as torch's does, then behaves as the torch.amp form)."""
from __future__ import annotations

import types
import warnings

from ..dtypes import bfloat16, float16
from .autocast_mode import autocast as _autocast, custom_bwd as _custom_bwd, custom_fwd as _custom_fwd
from .grad_scaler import GradScaler as _GradScaler


def _deprecated(old: str, new: str) -> None:
    warnings.warn(f"`{old}(args...)` is deprecated. Please use `{new}` instead.", FutureWarning, stacklevel=3)


class _CpuAutocast(_autocast):
    def __init__(self, enabled: bool = True, dtype=bfloat16, cache_enabled: bool = True):
        _deprecated("torch.cpu.amp.autocast", "torch.amp.autocast('cpu', args...)")
        super().__init__("cpu", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class _CudaAutocast(_autocast):
    def __init__(self, enabled: bool = True, dtype=float16, cache_enabled: bool = True):
        _deprecated("torch.cuda.amp.autocast", "torch.amp.autocast('cuda', args...)")
        super().__init__("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class _CpuGradScaler(_GradScaler):
    def __init__(self, init_scale: float = 2.0 ** 16, growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True):
        _deprecated("torch.cpu.amp.GradScaler", "torch.amp.GradScaler('cpu', args...)")
        super().__init__("cpu", init_scale, growth_factor, backoff_factor, growth_interval, enabled)


class _CudaGradScaler(_GradScaler):
    def __init__(self, init_scale: float = 2.0 ** 16, growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True):
        _deprecated("torch.cuda.amp.GradScaler", "torch.amp.GradScaler('cuda', args...)")
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval, enabled)


for _cls, _name in ((_CpuAutocast, "autocast"), (_CudaAutocast, "autocast"), (_CpuGradScaler, "GradScaler"),
                    (_CudaGradScaler, "GradScaler")):
    _cls.__name__ = _cls.__qualname__ = _name


def _cuda_custom_fwd(fwd=None, *, cast_inputs=None):
    _deprecated("torch.cuda.amp.custom_fwd", "torch.amp.custom_fwd(args..., device_type='cuda')")
    return _custom_fwd(fwd, device_type="cuda", cast_inputs=cast_inputs)


def _cuda_custom_bwd(bwd=None):
    _deprecated("torch.cuda.amp.custom_bwd", "torch.amp.custom_bwd(args..., device_type='cuda')")
    return _custom_bwd(bwd, device_type="cuda")


cpu_amp = types.SimpleNamespace(autocast=_CpuAutocast, GradScaler=_CpuGradScaler)
cuda_amp = types.SimpleNamespace(autocast=_CudaAutocast, GradScaler=_CudaGradScaler, custom_fwd=_cuda_custom_fwd,
                                 custom_bwd=_cuda_custom_bwd)
