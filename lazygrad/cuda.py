"""lazygrad.cuda: whether the CUDA back end can run here, and on which devices (torch.cuda's basics).

The back end needs cupy (the `cuda` extra; any cupy build: cupy-cuda12x, cupy-cuda13x) and a GPU.
cupy is imported on first use only, so `import lazygrad` and everything on the CPU work without it.
"""
from __future__ import annotations

from functools import lru_cache

from .errors import OutOfMemoryError  # noqa: F401  (torch.cuda.OutOfMemoryError is torch.OutOfMemoryError)


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


def set_device(device) -> None:
    """Make device the current one: where "cuda" (no index) tensors go and the default for the queries here."""
    cupy().cuda.runtime.setDevice(_index(device))


def get_device_capability(device=None) -> tuple[int, int]:
    props = get_device_properties(device)
    return props.major, props.minor


class _CudaDeviceProperties:
    """What torch.cuda.get_device_properties reports, read from the CUDA runtime through cupy."""

    __slots__ = ("name", "major", "minor", "total_memory", "multi_processor_count", "L2_cache_size")

    def __init__(self, raw: dict):
        self.name = raw["name"].decode() if isinstance(raw["name"], bytes) else raw["name"]
        self.major, self.minor = raw["major"], raw["minor"]
        self.total_memory, self.multi_processor_count = raw["totalGlobalMem"], raw["multiProcessorCount"]
        self.L2_cache_size = raw["l2CacheSize"]

    def __repr__(self) -> str:
        return (f"_CudaDeviceProperties(name={self.name!r}, major={self.major}, minor={self.minor}, "
                f"total_memory={self.total_memory >> 20}MB, multi_processor_count={self.multi_processor_count}, "
                f"L2_cache_size={self.L2_cache_size >> 20}MB)")


def get_device_properties(device=None) -> _CudaDeviceProperties:
    return _CudaDeviceProperties(cupy().cuda.runtime.getDeviceProperties(_index(device)))


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """Whether bfloat16 arithmetic runs natively (compute capability 8.0 and later); lazygrad's CUDA kernels
    compute bfloat16 in float32 everywhere, which is what torch calls emulation."""
    if not is_available():
        return False
    return including_emulation or get_device_capability()[0] >= 8


# Peak pool usage per device index, [bytes in use, bytes held], as seen at each device buffer lazygrad
# allocates (cupy's pool keeps no peaks): what max_memory_allocated / max_memory_reserved report.
_peaks: dict[int, list[int]] = {}


def note_allocation(index: int) -> None:
    """Record the pool's usage after a device buffer was allocated on the current device (index)."""
    pool = cupy().get_default_memory_pool()
    peak = _peaks.setdefault(index, [0, 0])
    peak[0], peak[1] = max(peak[0], pool.used_bytes()), max(peak[1], pool.total_bytes())


def _pool_bytes(device) -> tuple[int, int, list[int]]:
    """(bytes in use, bytes held, the peaks' record) of cupy's memory pool on device."""
    cp = cupy()
    index = _index(device)
    with cp.cuda.Device(index):
        pool = cp.get_default_memory_pool()
        used, held = pool.used_bytes(), pool.total_bytes()
    peak = _peaks.setdefault(index, [0, 0])
    peak[0], peak[1] = max(peak[0], used), max(peak[1], held)
    return used, held, peak


def memory_allocated(device=None) -> int:
    """Bytes of device memory in use by arrays (0 where CUDA cannot run, as torch's CPU build says)."""
    return _pool_bytes(device)[0] if is_available() else 0


def max_memory_allocated(device=None) -> int:
    return _pool_bytes(device)[2][0] if is_available() else 0


def memory_reserved(device=None) -> int:
    """Bytes cupy's memory pool holds on the device, in use or kept for reuse."""
    return _pool_bytes(device)[1] if is_available() else 0


def max_memory_reserved(device=None) -> int:
    return _pool_bytes(device)[2][1] if is_available() else 0


def reset_peak_memory_stats(device=None) -> None:
    used, held, peak = _pool_bytes(device)
    peak[0], peak[1] = used, held


def reset_max_memory_allocated(device=None) -> None:
    reset_peak_memory_stats(device)


def memory_stats(device=None) -> dict:
    """torch's keys for what the pool knows: current and peak bytes allocated and reserved."""
    from collections import OrderedDict
    if not is_available():
        return OrderedDict()
    used, held, (peak_used, peak_held) = _pool_bytes(device)
    return OrderedDict([("allocated_bytes.all.current", used), ("allocated_bytes.all.peak", peak_used),
                        ("reserved_bytes.all.current", held), ("reserved_bytes.all.peak", peak_held)])


def mem_get_info(device=None) -> tuple[int, int]:
    """(free, total) bytes of the device's memory, from the CUDA runtime."""
    cp = cupy()
    with cp.cuda.Device(_index(device)):
        free, total = cp.cuda.runtime.memGetInfo()
    return free, total


def __getattr__(name: str):
    """cuda.amp: torch's deprecated spellings of torch.amp (loaded on first use)."""
    if name == "amp":
        from .amp.legacy import cuda_amp
        return cuda_amp
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
