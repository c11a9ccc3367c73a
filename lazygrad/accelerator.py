"""lazygrad.accelerator: torch.accelerator's device-agnostic spelling of the device queries. lazygrad's one
accelerator is CUDA (through cupy), so each function is lazygrad.cuda's, refused as torch refuses it when
no device can run."""
from __future__ import annotations

from typing import Any, Callable

from . import cuda
from .device import device as Device

_NONE_AVAILABLE = "Cannot access accelerator device when none is available."


def is_available() -> bool:
    return cuda.is_available()


def device_count() -> int:
    return cuda.device_count()


def current_accelerator(check_available: bool = False) -> Device | None:
    """device('cuda') where lazygrad can drive CUDA (cupy is installed: torch's "built with CUDA"), else None;
    with check_available, None also when no GPU is usable."""
    if cuda._probe()[0] is None or (check_available and not cuda.is_available()):
        return None
    return Device("cuda")


def require() -> None:
    """torch's RuntimeError where no accelerator can run (what needs one: its queries, pinned memory)."""
    if not cuda.is_available():
        raise RuntimeError(_NONE_AVAILABLE)


def _on_a_device(fn: Callable) -> Callable:
    """fn, refused with torch's RuntimeError where no accelerator can run."""
    def checked(*args: Any) -> Any:
        require()
        return fn(*args)
    checked.__name__ = checked.__qualname__ = fn.__name__
    checked.__doc__ = fn.__doc__
    return checked


def _current_device_index() -> int:
    return cuda.current_device()


def _set_device_index(device, /) -> None:
    cuda.set_device(device)


def _synchronize(device=None, /) -> None:
    cuda.synchronize(device)


def _get_memory_info(device_index=None, /) -> tuple[int, int]:
    return cuda.mem_get_info(device_index)


def _get_device_capability(device=None, /) -> dict[str, Any]:
    """torch's dict form: the dtypes tensors on the device may have (lazygrad's CUDA kernels take every one)."""
    from .dtypes import ALL_DTYPES
    return {"supported_dtypes": set(ALL_DTYPES)}


current_device_index = current_device_idx = _on_a_device(_current_device_index)
set_device_index = set_device_idx = _on_a_device(_set_device_index)
synchronize = _on_a_device(_synchronize)
get_memory_info = _on_a_device(_get_memory_info)
get_device_capability = _on_a_device(_get_device_capability)
empty_cache = _on_a_device(cuda.empty_cache)
memory_allocated = _on_a_device(cuda.memory_allocated)
max_memory_allocated = _on_a_device(cuda.max_memory_allocated)
memory_reserved = _on_a_device(cuda.memory_reserved)
max_memory_reserved = _on_a_device(cuda.max_memory_reserved)
memory_stats = _on_a_device(cuda.memory_stats)
reset_peak_memory_stats = _on_a_device(cuda.reset_peak_memory_stats)


def _reset_accumulated_memory_stats(device_index=None, /) -> None:
    """cupy's pool counts no totals over time (allocation counts), so there is nothing to reset."""


reset_accumulated_memory_stats = _on_a_device(_reset_accumulated_memory_stats)


class device_index:
    """Within the block, the given device index is the current one (None: no change), restored after."""

    def __init__(self, device: int | None, /):
        self.index, self.previous = device, None

    def __enter__(self) -> None:
        if self.index is not None:
            self.previous = current_device_index()
            set_device_index(self.index)

    def __exit__(self, *exc) -> None:
        if self.previous is not None:
            set_device_index(self.previous)
