"""The CUDA runtime path without a GPU: test_cuda_runtime's tests run again on a stand-in for cupy.

The stand-in keeps "device" arrays in host memory (NumPy arrays with cupy's `.data.ptr`, `.get()`,
`.set()`) and launches each generated CUDA kernel in the CUDA emulator (emulated_cuda.py): its own
source compiled for the host, its grid run block by block. So everything but the device's math
library and its hardware is exercised for real: devices, device buffers, per-device realization,
the CUDA kernels' logic, launches and their arguments, transfers, printing, in-place writes on the
device, autograd across devices. test_cuda_codegen compiles the same sources for sm_80 and sm_90
(nvcc, NVRTC); on a GPU, test_cuda_runtime runs for real.
"""
import sys
import time
import types
import weakref

from pathlib import Path

import numpy as np
import pytest

import lazygrad as lg
import emulated_cuda
from codegen import cuda_program
from test_cuda_runtime import *  # noqa: F401,F403  (the same tests, collected again here)


class FakeArray(np.ndarray):
    """A "device" array: host memory with cupy's accessors."""

    @property
    def data(self):
        return types.SimpleNamespace(ptr=self.__array_interface__["data"][0])

    @property
    def __cuda_array_interface__(self) -> dict:
        return {**self.__array_interface__, "version": 3}

    def get(self) -> np.ndarray:
        return np.array(self)

    def set(self, host) -> None:
        self[...] = host


def _fake(a) -> FakeArray:
    return np.asarray(a).view(FakeArray)


class _Device:
    compute_capability = "90"

    def __init__(self, index: int = 0):
        self.index = index

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class _Event:
    """A CUDA event: the host clock when recorded (the stand-in's "device" runs synchronously)."""

    def record(self) -> None:
        self.at = time.perf_counter()

    def synchronize(self) -> None:
        pass


class _Pool:
    """cupy's memory pool as far as the counters go: the bytes of the live stand-in arrays (none kept)."""

    def __init__(self):
        self.used = 0

    def track(self, a: FakeArray) -> FakeArray:
        self.used += a.nbytes
        weakref.finalize(a, self._release, a.nbytes)
        return a

    def _release(self, nbytes: int) -> None:
        self.used -= nbytes

    def used_bytes(self) -> int:
        return self.used

    total_bytes = used_bytes

    def free_all_blocks(self) -> None:
        pass


_PROPERTIES = {"name": b"stand-in GPU", "major": 9, "minor": 0, "totalGlobalMem": 80 << 30,
               "multiProcessorCount": 132, "l2CacheSize": 50 << 20}


class _OutOfMemory(MemoryError):
    """cupy.cuda.memory.OutOfMemoryError."""


def _empty(pool: _Pool, n: int, dtype=np.float32) -> FakeArray:
    """A "device" array; more bytes than the stand-in device has fail as cupy's allocation does."""
    if n * np.dtype(dtype).itemsize > _PROPERTIES["totalGlobalMem"]:
        raise _OutOfMemory(f"Out of memory allocating {n * np.dtype(dtype).itemsize:,} bytes")
    return pool.track(_fake(np.empty(n, dtype=dtype)))


def _asarray(a, dtype=None):
    if hasattr(a, "__cuda_array_interface__"):  # shares the "device" memory, as cupy does
        a = types.SimpleNamespace(__array_interface__=a.__cuda_array_interface__)
    return _fake(np.array(a, dtype=dtype))


def _stand_in_cupy() -> types.ModuleType:
    cp = types.ModuleType("cupy")
    pool = _Pool()
    cp.get_default_memory_pool = lambda: pool
    cp.empty = lambda n, dtype=np.float32: _empty(pool, n, dtype)
    cp.ones = lambda n, dtype=np.float32: _fake(np.ones(n, dtype=dtype))
    cp.empty_like = lambda a: _fake(np.empty_like(a))
    cp.exp = lambda a: _fake(np.exp(a))
    cp.float32 = np.float32
    cp.asarray = _asarray
    cp.from_dlpack = lambda ext: _fake(np.from_dlpack(ext))
    cp.linalg = np.linalg  # the library calls (lazygrad/library_routines.py) and the array functions they use
    for name in ("abs", "arange", "argmax", "broadcast_to", "concatenate", "cumprod", "eye", "flip", "int64",
                 "isfinite", "maximum", "nan", "sign", "sqrt", "swapaxes", "tril", "where", "zeros"):
        setattr(cp, name, getattr(np, name))
    cp.lib = types.SimpleNamespace(stride_tricks=types.SimpleNamespace(
        as_strided=lambda a, shape, strides: _fake(np.lib.stride_tricks.as_strided(a, shape, strides))))
    cp.cuda = types.SimpleNamespace(
        Device=_Device, Event=_Event, get_elapsed_time=lambda start, stop: (stop.at - start.at) * 1e3,
        memory=types.SimpleNamespace(OutOfMemoryError=_OutOfMemory),
        runtime=types.SimpleNamespace(getDeviceCount=lambda: 1, getDevice=lambda: 0, setDevice=lambda i: None,
                                      deviceSynchronize=lambda: None, getDeviceProperties=lambda i: _PROPERTIES,
                                      memGetInfo=lambda: (60 << 30, 80 << 30)))
    return cp


@pytest.fixture(autouse=True)
def gpu(monkeypatch):
    """Install the stand-in: cupy, and kernels launched in the CUDA emulator."""
    if not emulated_cuda.available():
        pytest.skip("the CUDA emulator needs g++")

    def program(kernel, device):
        assert kernel.target == "cuda" and kernel.launch is not None and device == 0
        launched = [emulated_cuda.kernel(kernel.source, name) for name in cuda_program.functions(kernel)]

        def run(args):
            for emulated in launched:
                emulated(kernel.launch, [a.data.ptr for a in args])
        return run

    monkeypatch.setitem(sys.modules, "cupy", _stand_in_cupy())
    monkeypatch.setattr(cuda_program, "get_program", program)
    lg.cuda._probe.cache_clear()
    yield "stand-in"
    lg.cuda._probe.cache_clear()


def test_the_stand_in_is_what_runs():
    x = lg.ones(3, device="cuda")
    assert lg.cuda.is_available() and x.device == lg.device("cuda:0")
    assert type(x.realize()._storage.buffer).__name__ == "DeviceBuffer"
    assert isinstance(x._storage.buffer.array, FakeArray)


def test_debug_timing_waits_for_the_kernel(monkeypatch, capsys):
    waits = []
    monkeypatch.setattr(sys.modules["cupy"].cuda.runtime, "deviceSynchronize", lambda: waits.append(1))
    monkeypatch.setenv("LAZYGRAD_DEBUG", "1")
    (lg.ones(5, device="cuda") * lg.arange(5, device="cuda")).realize()
    assert len(waits) == 1 and capsys.readouterr().err.startswith("lazygrad: e_")
    monkeypatch.delenv("LAZYGRAD_DEBUG")
    (lg.ones(5, device="cuda") + 1).realize()
    assert len(waits) == 1


def test_the_cuda_benchmark_runs(monkeypatch, capsys):
    """benchmarks/bench_cuda.py end to end on tiny sizes, so the GPU session's run of it cannot stop
    at a slip in the script (its timings here are the emulator's, meaningless)."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    try:
        import bench_cuda
    finally:
        sys.path.pop(0)
    monkeypatch.setitem(bench_cuda.SIZES, "quick", (1 << 12, 64, 1))
    assert bench_cuda.main(["--quick"]) == 0
    out = capsys.readouterr().out
    for line in ("device: stand-in GPU", "copy ", "chain ", "softmax ", "matmul ", "matmul16 "):
        assert line in out, out
    assert cuda_program.get_program.__name__ == "program"  # the launch timing was undone


def test_matmul_takes_more_tiles_than_the_grid_holds(monkeypatch):
    """Grids are limited to 65535 blocks along y and z: blocks then take several (batch, row tile)
    pairs (the limit is lowered here, so that a small product needs it)."""
    from codegen import render_cuda
    monkeypatch.setattr(render_cuda, "MAX_GRID_YZ", 2)
    rng = np.random.default_rng(7)
    a, b = rng.standard_normal((3, 150, 20)), rng.standard_normal((3, 33, 20))  # 3 batches, 3 row tiles of 64
    out = lg.tensor(a, device="cuda").float() @ lg.tensor(b, device="cuda").float().transpose(1, 2)
    (mm,) = [k for k in lg.schedule(out, target="cuda") if "a_tile" in k.source]
    assert "launch 1x2x2 blocks" in mm.source
    np.testing.assert_allclose(out.cpu().numpy(), a @ b.transpose(0, 2, 1), rtol=1e-4, atol=1e-4)
