"""lazygrad.cuda: whether the CUDA back end can run here, and on which devices (torch.cuda's basics).

The back end needs cupy (the `cuda` extra; any cupy build: cupy-cuda12x, cupy-cuda13x) and a GPU.
cupy is imported on first use only, so `import lazygrad` and everything on the CPU work without it.
"""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=None)
def _probe() -> tuple[object | None, int, str]:
    """(the cupy module or None, device count, why CUDA cannot run)."""
    try:
        import cupy
    except ImportError:
        return None, 0, "cupy is not installed (pip install 'lazygrad[cuda]')"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:  # no driver, no device: cupy raises its runtime error
        return cupy, 0, f"no usable CUDA device ({e})"
    return (cupy, count, "") if count else (cupy, 0, "no CUDA device was found")


def is_available() -> bool:
    return _probe()[1] > 0


def device_count() -> int:
    return _probe()[1]


def cupy():
    """The cupy module, or torch's kind of error when CUDA cannot run here: AssertionError without cupy
    (torch's class when it was built without CUDA), RuntimeError when cupy finds no usable device."""
    module, count, why = _probe()
    if not count:
        error = AssertionError if module is None else RuntimeError
        raise error(f"lazygrad: the CUDA back end is not available: {why}")
    return module


def current_device() -> int:
    return cupy().cuda.runtime.getDevice()


def synchronize(device=None) -> None:
    """Wait for every kernel queued on the device (all of lazygrad's work runs on the default stream)."""
    cp = cupy()
    with cp.cuda.Device(_index(device)):
        cp.cuda.runtime.deviceSynchronize()


def get_device_name(device=None) -> str:
    cp = cupy()
    return cp.cuda.runtime.getDeviceProperties(_index(device))["name"].decode()


def _index(device) -> int:
    if device is None:
        return current_device()
    if isinstance(device, int):
        return device
    from .device import device as Device
    d = Device(device)
    return d.index if d.index is not None else current_device()


def manual_seed(seed: int) -> None:
    """The CPU and CUDA back ends draw from one counter-based stream: this seeds both."""
    from .random import manual_seed as seed_all
    seed_all(seed)


manual_seed_all = manual_seed


def empty_cache() -> None:
    """Return the memory cupy's pool keeps for reuse to the device (no-op without CUDA)."""
    if is_available():
        cupy().get_default_memory_pool().free_all_blocks()


def __getattr__(name: str):
    """cuda.amp: torch's deprecated spellings of torch.amp (loaded on first use)."""
    if name == "amp":
        from .amp.legacy import cuda_amp
        return cuda_amp
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
