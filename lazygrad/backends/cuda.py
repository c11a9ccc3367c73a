"""lazygrad.backends.cuda (torch.backends.cuda): cuBLAS's precision switches (`matmul`), the switches of
scaled_dot_product_attention's kernels and the preferred linear-algebra library, with torch's defaults.

`matmul.allow_tf32` is the float32 matmul precision seen another way, as in torch: True when
set_float32_matmul_precision allows 'high' or 'medium', and setting it sets 'high' (True) or 'highest'
(False). lazygrad's float32 products stay float32 whatever is allowed (see lazygrad/settings.py), and
the other switches are recorded only: its attention is one fused graph whichever kernels are enabled,
its reductions keep their precision, and its factorizations run the routines of numpy or cupy.
"""
from __future__ import annotations

import enum
import importlib.util
import warnings
from contextlib import contextmanager
from typing import Any, Iterator

from .. import settings

__all__ = ["is_built", "matmul", "preferred_linalg_library", "flash_sdp_enabled", "enable_flash_sdp",
           "mem_efficient_sdp_enabled", "enable_mem_efficient_sdp", "math_sdp_enabled", "enable_math_sdp",
           "cudnn_sdp_enabled", "enable_cudnn_sdp", "allow_fp16_bf16_reduction_math_sdp",
           "fp16_bf16_reduction_math_sdp_allowed", "is_flash_attention_available", "sdp_kernel"]


def is_built() -> bool:
    """Whether lazygrad can run on CUDA where a GPU is: its CUDA back end needs cupy (the `cuda` extra)."""
    return importlib.util.find_spec("cupy") is not None


_CUBLAS = {"fp16": (True, True), "bf16": (True, True), "allow_fp16_accumulation": False}
# (reductions: allow reduced precision, allow split-k)


class cuBLASModule:
    """`matmul`: cuBLAS's switches, read and set as attributes (an unknown name is an AttributeError)."""

    @staticmethod
    def _parse_reduction_setting(value: Any, attr_name: str) -> tuple[bool, bool]:
        """(allow reduced precision, allow split-k) from a bool or a tuple/list of one or two bools."""
        def ensure_bool(obj: Any, which: str) -> bool:
            if isinstance(obj, bool):
                return obj
            raise TypeError(f"{attr_name} expects a bool for {which}, but got {type(obj)!r}")

        if isinstance(value, bool):
            return value, True
        if isinstance(value, (list, tuple)):
            if not value:
                raise TypeError(f"{attr_name} expects at least one boolean argument")
            if len(value) > 2:
                raise TypeError(f"{attr_name} expects at most two boolean arguments")
            reduced = ensure_bool(value[0], "allow_reduced_precision")
            return reduced, ensure_bool(value[1], "allow_splitk") if len(value) == 2 else True
        raise TypeError(f"{attr_name} expects a bool or a tuple/list of bools, but got {type(value)!r}")

    def __getattr__(self, name: str):
        if name == "allow_tf32":
            return settings.get_float32_matmul_precision() != "highest"
        if name == "allow_fp16_accumulation":
            return _CUBLAS[name]
        for kind in ("fp16", "bf16"):
            if name == f"allow_{kind}_reduced_precision_reduction":
                return _CUBLAS[kind][0]
            if name == f"allow_{kind}_reduced_precision_reduction_split_k":
                return _CUBLAS[kind][1]
        raise AttributeError("Unknown attribute " + name)

    def __setattr__(self, name: str, value) -> None:
        if name == "allow_tf32":
            _check_bool(value, "set_allow_tf32_cublas")
            settings.set_float32_matmul_precision("high" if value else "highest")
        elif name == "allow_fp16_accumulation":
            _check_bool(value, "set_allow_fp16_accumulation_cublas")
            _CUBLAS[name] = value
        elif name in ("allow_fp16_reduced_precision_reduction", "allow_bf16_reduced_precision_reduction"):
            reduced, splitk = self._parse_reduction_setting(value, name)
            if reduced and not splitk:
                raise RuntimeError("allow_splitk=False is not supported when reduced precision reductions are "
                                   "enabled")
            _CUBLAS[name[6:10]] = (reduced, splitk)
        else:
            raise AttributeError("Unknown attribute " + name)


matmul = cuBLASModule()


def _check_bool(value, setter: str) -> None:
    if not isinstance(value, bool):
        raise RuntimeError(f"{setter} expects a bool, but got {type(value).__name__}")


class _LinalgBackend(enum.Enum):
    Default = 0
    Cusolver = 1
    Magma = 2


_LINALG = {"preferred": _LinalgBackend.Default}
_LINALG_NAMES = {"default": _LinalgBackend.Default, "cusolver": _LinalgBackend.Cusolver, "magma": _LinalgBackend.Magma}


def preferred_linalg_library(backend: None | str | _LinalgBackend = None) -> _LinalgBackend:
    """The library CUDA factorizations should prefer: recorded, as lazygrad's run cupy's routines (cuSOLVER's),
    so cuSOLVER can be preferred where cupy is installed, and MAGMA, which lazygrad lacks, never."""
    if isinstance(backend, str):
        if backend not in _LINALG_NAMES:
            raise RuntimeError(f"Unknown input value. Choose from: {', '.join(_LINALG_NAMES)}.")
        backend = _LINALG_NAMES[backend]
    elif backend is not None and not isinstance(backend, _LinalgBackend):
        raise RuntimeError("Unknown input value type.")
    if backend is _LinalgBackend.Magma or (backend is _LinalgBackend.Cusolver and not is_built()):
        library = "MAGMA" if backend is _LinalgBackend.Magma else "cuSOLVER"
        raise RuntimeError(f"Cannot set preferred backend to {library} if lazygrad has not been compiled with "
                           f"{library}.")
    if backend is not None:
        _LINALG["preferred"] = backend
    return _LINALG["preferred"]


_SDP = {"flash": True, "mem_efficient": True, "math": True, "cudnn": True, "fp16_bf16_reduction_math": False}


def sdp_switches() -> dict[str, bool]:
    """A copy of the attention switches, by name (flash, mem_efficient, math, cudnn...)."""
    return dict(_SDP)


def set_sdp_switches(switches: dict[str, bool]) -> None:
    _SDP.update(switches)


def _sdp_setter(key: str, setter: str, name: str):
    """A function setting one attention switch (bools only)."""
    def enable(enabled: bool) -> None:
        _check_bool(enabled, setter)
        _SDP[key] = enabled
    enable.__name__ = enable.__qualname__ = name
    return enable


def flash_sdp_enabled() -> bool:
    return _SDP["flash"]


def mem_efficient_sdp_enabled() -> bool:
    return _SDP["mem_efficient"]


def math_sdp_enabled() -> bool:
    return _SDP["math"]


def cudnn_sdp_enabled() -> bool:
    return _SDP["cudnn"]


def fp16_bf16_reduction_math_sdp_allowed() -> bool:
    return _SDP["fp16_bf16_reduction_math"]


# torch's messages (all but cuDNN's name the math setter)
enable_flash_sdp = _sdp_setter("flash", "set_sdp_use_math", "enable_flash_sdp")
enable_mem_efficient_sdp = _sdp_setter("mem_efficient", "set_sdp_use_math", "enable_mem_efficient_sdp")
enable_math_sdp = _sdp_setter("math", "set_sdp_use_math", "enable_math_sdp")
enable_cudnn_sdp = _sdp_setter("cudnn", "set_sdp_use_cudnn", "enable_cudnn_sdp")
allow_fp16_bf16_reduction_math_sdp = _sdp_setter("fp16_bf16_reduction_math", "set_sdp_use_math",
                                                 "allow_fp16_bf16_reduction_math_sdp")


def is_flash_attention_available() -> bool:
    """Whether a FlashAttention kernel is built in: lazygrad has none."""
    return False


@contextmanager
def sdp_kernel(enable_flash: bool = True, enable_math: bool = True, enable_mem_efficient: bool = True,
               enable_cudnn: bool = True) -> Iterator[dict]:
    """The attention kernels enabled for the block (torch deprecates it for torch.nn.attention.sdpa_kernel)."""
    warnings.warn("`lazygrad.backends.cuda.sdp_kernel()` is deprecated. In the future, this context manager will "
                  "be removed.", FutureWarning, stacklevel=3)
    previous = dict(_SDP)
    _SDP.update(flash=bool(enable_flash), math=bool(enable_math), mem_efficient=bool(enable_mem_efficient),
                cudnn=bool(enable_cudnn))
    try:
        yield {}
    finally:
        _SDP.update(previous)
