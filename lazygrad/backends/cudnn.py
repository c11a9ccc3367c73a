"""lazygrad.backends.cudnn (torch.backends.cudnn): lazygrad has no cuDNN (its convolutions and recurrent
layers are its own fused kernels), so this reads as torch built without it: not available, no version,
benchmark_limit None.

The switches are recorded and read back as set, with torch's defaults; none changes a kernel. `enabled`,
`benchmark` and `allow_tf32` choose among cuDNN's algorithms, which lazygrad has none of, and
`deterministic` is cuDNN's own switch, not linked to use_deterministic_algorithms (torch keeps the two
apart too): lazygrad's CPU kernels are deterministic, and use_deterministic_algorithms governs the GPU's.
"""
from __future__ import annotations

import sys
import types
from contextlib import contextmanager
from typing import Iterator

from .flags import bool_flag

FLAGS = {"enabled": True, "benchmark": False, "deterministic": False, "allow_tf32": True}
benchmark_limit: int | None = None  # cuDNN's algorithm-search limit: None where cuDNN is not available


def is_available() -> bool:
    return False


def version() -> int | None:
    return None


def is_acceptable(tensor) -> bool:
    """Whether cuDNN would take this tensor: never, without cuDNN."""
    return False


def set_flags(_enabled: bool | None = None, _benchmark: bool | None = None, _benchmark_limit: int | None = None,
              _deterministic: bool | None = None, _allow_tf32: bool | None = None) -> tuple:
    """Set the switches given (not None); the previous values, for flags() to restore. benchmark_limit is
    cuDNN's, so without it (as in torch) the limit is left alone."""
    module = sys.modules[__name__]
    previous = (module.enabled, module.benchmark, None, module.deterministic, module.allow_tf32)
    for name, value in (("enabled", _enabled), ("benchmark", _benchmark), ("deterministic", _deterministic),
                        ("allow_tf32", _allow_tf32)):
        if value is not None:
            setattr(module, name, value)
    return previous


@contextmanager
def flags(enabled: bool = False, benchmark: bool = False, benchmark_limit: int = 10, deterministic: bool = False,
          allow_tf32: bool = True) -> Iterator[None]:
    """The switches set for the block and restored after it (torch's defaults: cuDNN off)."""
    previous = set_flags(enabled, benchmark, benchmark_limit, deterministic, allow_tf32)
    try:
        yield
    finally:
        set_flags(*previous)


class _CudnnModule(types.ModuleType):
    enabled = bool_flag("enabled", "set_enabled_cudnn")
    benchmark = bool_flag("benchmark", "set_benchmark_cudnn")
    deterministic = bool_flag("deterministic", "set_deterministic_cudnn")
    allow_tf32 = bool_flag("allow_tf32", "set_allow_tf32_cublas")  # (torch's message names cuBLAS here)


sys.modules[__name__].__class__ = _CudnnModule
