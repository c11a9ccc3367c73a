"""Generated CUDA kernels run on the host, so their values are checked without a GPU.

g++ compiles the CUDA source itself (the shim in cuda_emulator/ stands in for CUDA's qualifiers,
built-in variables, barriers and shuffles) and cuda_emulator/runtime.cpp runs its grid: every block,
every thread; a kernel that synchronizes runs its threads as coroutines that meet at its barriers
and shuffles. Host math stands in for CUDA's math library, so values equal the C back end's; what
is checked is the kernels' own logic: index math, grid-stride and tile loops, vector accesses and
their fallback, the shuffle and shared-memory combining of reductions.
"""
from __future__ import annotations

import atexit
import ctypes
import os
import re
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from codegen import cache, cuda_program
from codegen.templates_dir import templates_dir

HERE = Path(__file__).parent / "cuda_emulator"
CXX = ("g++", "-std=c++20", "-fPIC", "-shared", "-w")
KERNEL_FLAGS = ("-O1",)
# the warp's tensor-core product, from prelude.cuh's word-by-word version
MMA_WARP = """void lg_emu::mma_warp(void **lanes) {
  for (int lane = 0; lane < 32; lane++)
    lg_mma_16x8x16_by_words(((MmaLane *)lanes[lane])->d, lane, [&](int w, int src) {
      const MmaLane *from = (const MmaLane *)lanes[src];
      return w < 4 ? from->a[w] : from->b[w - 4];
    });
}"""
SIGNATURE = re.compile(r'extern "C" __global__ void (__launch_bounds__\([^)]*\) )?(\w+)\(([^)]*)\)')


def available() -> bool:
    return shutil.which("g++") is not None


def _build(source: str, suffix: str, flags: tuple[str, ...], output: str = "unit.so") -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        src, lib = os.path.join(tmp, "unit" + suffix), os.path.join(tmp, output)
        Path(src).write_text(source)
        done = subprocess.run([*CXX, *flags, src, "-o", lib], capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"cuda emulator: g++ failed:\n{done.stderr}\n{source}")
        return Path(lib).read_bytes()


@lru_cache(maxsize=None)
def _shim() -> Path:
    """shim.h beside its precompiled form: the shim's C++20 headers (<coroutine>) took two thirds of each
    kernel's compile. The .gch lives in the kernel cache; a private folder pairs it with the header."""
    text = (HERE / "shim.h").read_text()
    key = cache.make_key("cuda-emulator-shim-pch", text, *KERNEL_FLAGS, _compiler_version())
    gch = cache.get_or_build(key, lambda: _build(text, ".h", (*KERNEL_FLAGS, "-x", "c++-header"), "unit.h.gch"))
    folder = Path(tempfile.mkdtemp(prefix="lazygrad-emulator-"))
    atexit.register(shutil.rmtree, folder, True)
    (folder / "shim.h").write_text(text)
    (folder / "shim.h.gch").symlink_to(gch)
    return folder / "shim.h"


def _compiler_version() -> str:
    return subprocess.run([CXX[0], "--version"], capture_output=True, text=True).stdout


@lru_cache(maxsize=None)
def _runtime() -> ctypes.CDLL:
    source = (HERE / "runtime.cpp").read_text()
    path = cache.get_or_build(cache.make_key("cuda-emulator-runtime", source),
                              lambda: _build(source, ".cpp", ("-O2",)))
    lib = ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)  # the kernels link to its symbols when loaded
    lib.lg_emu_launch.argtypes = [ctypes.c_void_p, ctypes.c_void_p] + [ctypes.c_uint] * 4 + [ctypes.c_int]
    return lib


def _host_unit(source: str, function: str | None) -> tuple[str, str, bool]:
    """(kernel name, the source with an `lg_emu_entry(void **args)` that calls the kernel (the source's
    first, or the one named) with its arguments unpacked, whether it is cooperative). A cooperative
    kernel (one that synchronizes) becomes a coroutine whose barriers and shuffles are awaited; its
    entry returns the coroutine."""
    bounds, name, params = next(m.groups() for m in SIGNATURE.finditer(source) if function in (None, m.group(2)))
    types = [p.rsplit(" ", 1)[0].replace("__restrict__", "") for p in params.split(", ")]
    call = f"{name}({', '.join(f'({t})args[{i}]' for i, t in enumerate(types))})"
    if "__syncthreads" not in source:
        return name, f'{source}\nextern "C" void lg_emu_entry(void **args) {{ {call}; }}\n', False
    source = (source.replace(f'extern "C" __global__ void {bounds or ""}{name}(', f"static lg_emu::Thread {name}(")
              .replace("__syncthreads()", "co_await lg_emu::syncthreads()")
              .replace("lg_shfl_down(", "co_await lg_emu::shfl_down(")
              .replace("lg_mma_16x8x16(", "co_await lg_emu::mma_16x8x16("))
    return name, (f'{source}\n{MMA_WARP}\n'
                  f'extern "C" void *lg_emu_entry(void **args) {{ return {call}.handle.address(); }}\n'), True


class EmulatedKernel:
    """A generated CUDA kernel compiled for the host; call it with its launch and argument pointers."""

    def __init__(self, source: str, function: str | None = None):
        _runtime()
        self.name, unit, self.cooperative = _host_unit(source, function)
        includes = [f"-I{templates_dir() / folder}" for folder in ("cuda", "common")]
        shim = (HERE / "shim.h").read_text()
        key = cache.make_key("cuda-emulator", unit, shim, *(text for _, text in cuda_program.headers()))
        path = cache.get_or_build(key, lambda: _build(unit, ".cu.cpp", (*KERNEL_FLAGS, f"-include{_shim()}",
                                                                          *includes)))
        self.lib = ctypes.CDLL(path)
        self.entry = ctypes.cast(self.lib.lg_emu_entry, ctypes.c_void_p)

    def __call__(self, launch, pointers: list[int]) -> None:
        (gx, gy, gz), threads = launch
        args = (ctypes.c_void_p * max(len(pointers), 1))(*pointers)
        _runtime().lg_emu_launch(self.entry, args, gx, gy, gz, threads, int(self.cooperative))


@lru_cache(maxsize=None)
def kernel(source: str, function: str | None = None) -> EmulatedKernel:
    return EmulatedKernel(source, function)
