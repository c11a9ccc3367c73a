"""The CUDA back end's compiled programs: CUDA sources compiled by NVRTC (through cupy) to cubins.

The cubin is kept in lazygrad's own disk cache under a key of the source, the NVRTC version, the
device architecture and the headers, so a warm process loads it without compiling; cupy only loads
the module and launches. The prelude headers are handed to NVRTC by content: no CUDA toolkit
include directory is needed at run time. cupy is imported here only, and only when a CUDA kernel
must run, so everything else works on machines without it.
"""
from __future__ import annotations

import ctypes
from functools import lru_cache

from . import cache
from .rendered import RenderedKernel
from .templates_dir import templates_dir

HEADERS = (("cuda", "prelude.cuh"), ("common", "lg_helpers.h"), ("common", "lg_complex.h"))
OPTIONS = ("--std=c++17", "-diag-suppress=186")
CACHE_KIND = "cuda-cubin-whole"  # (cubins cached before they were read whole were one byte short)

_PROGRAMS: dict[tuple[str, int], CudaProgram] = {}


@lru_cache(maxsize=None)
def headers() -> tuple[tuple[str, str], ...]:
    """(include name, text) of every header the kernels include."""
    return tuple((name, (templates_dir() / folder / name).read_text()) for folder, name in HEADERS)


def _nvrtc():
    from cupy_backends.cuda.libs import nvrtc
    return nvrtc


def nvrtc_version() -> tuple[int, int]:
    return tuple(_nvrtc().getVersion())


@lru_cache(maxsize=None)
def _libnvrtc() -> ctypes.CDLL:
    """The NVRTC library cupy loaded (found by its soname, or among the process's mappings)."""
    try:
        return ctypes.CDLL(f"libnvrtc.so.{nvrtc_version()[0]}")
    except OSError:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "/libnvrtc.so" in line}
        if not paths:
            raise
        return ctypes.CDLL(paths.pop())


def _cubin(prog: int) -> bytes:
    """The compiled program's cubin, read from NVRTC itself: cupy's getCUBIN drops the last byte (a
    terminator text would have and a cubin has not), and the driver refuses the shortened file."""
    lib, size = _libnvrtc(), ctypes.c_size_t()
    if lib.nvrtcGetCUBINSize(ctypes.c_void_p(prog), ctypes.byref(size)):
        raise RuntimeError("lazygrad: NVRTC gave no cubin size")
    cubin = ctypes.create_string_buffer(size.value)
    if lib.nvrtcGetCUBIN(ctypes.c_void_p(prog), cubin):
        raise RuntimeError("lazygrad: NVRTC gave no cubin")
    return cubin.raw


def compile_cubin(source: str, arch: str) -> bytes:
    """NVRTC: source -> cubin for `arch` (e.g. 'sm_90'); errors carry NVRTC's log."""
    nvrtc = _nvrtc()
    names = [name.encode() for name, _ in headers()]
    prog = nvrtc.createProgram(source, "kernel.cu", [text.encode() for _, text in headers()], names)
    try:
        try:
            nvrtc.compileProgram(prog, [f"--gpu-architecture={arch}", *OPTIONS])
        except nvrtc.NVRTCError as e:
            raise RuntimeError(f"lazygrad: NVRTC could not compile a generated kernel:\n"
                               f"{nvrtc.getProgramLog(prog)}") from e
        return _cubin(prog)
    finally:
        nvrtc.destroyProgram(prog)


def device_arch(device: int) -> str:
    import cupy
    return f"sm_{cupy.cuda.Device(device).compute_capability}"


class CudaProgram:
    """A loaded kernel; call it with the device arrays (or pointers) of its parameters."""

    __slots__ = ("name", "source", "launch", "fns", "module")

    def __init__(self, kernel: RenderedKernel, device: int):
        import cupy
        self.name, self.source, self.launch = kernel.name, kernel.source, kernel.launch
        arch = device_arch(device)
        key = cache.make_key(CACHE_KIND, kernel.source, repr(nvrtc_version()), arch, *(t for _, t in headers()))
        path = cache.get_or_build(key, lambda: compile_cubin(kernel.source, arch))
        with cupy.cuda.Device(device):
            self.module = cupy.cuda.function.Module()
            self.module.load_file(path)
            self.fns = [self.module.get_function(name) for name in functions(kernel)]

    def __call__(self, args: list) -> None:
        grid, block = self.launch
        for fn in self.fns:
            fn(grid, (block,), tuple(args))


def functions(kernel: RenderedKernel) -> list[str]:
    """The kernel's __global__ functions, in the order they are launched (on one stream, each after
    the last): a scatter first fills its output with the base."""
    return [f"{kernel.name}_fill", kernel.name] if kernel.kind == "scatter" else [kernel.name]


def get_program(kernel: RenderedKernel, device: int) -> CudaProgram:
    """The loaded program of a rendered CUDA kernel on a device: from memory, the disk cache, or NVRTC."""
    hit = _PROGRAMS.get((kernel.source, device))
    if hit is not None:
        cache.counters().memory_cache_hits += 1
        return hit
    program = _PROGRAMS[(kernel.source, device)] = CudaProgram(kernel, device)
    return program
