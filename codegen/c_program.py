"""The CPU back end's compiled programs: C sources built into shared objects and loaded with cffi."""
from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from typing import Sequence

from . import cache
from .compile_c import CCompiler, CompileError, pointer
from .rendered import RenderedKernel
from .templates_dir import templates_dir

_COMPILER: CCompiler | None = None
_PROGRAMS: dict[str, CProgram] = {}
# about what a compiler run costs before its first kernel, in kernels' own work: fewer kernels than this
# for each core build faster in one run than spread over several
KERNELS_PER_RUN = 4


def compiler() -> CCompiler:
    global _COMPILER
    if _COMPILER is None:
        _COMPILER = CCompiler()
    return _COMPILER


def _include_dirs() -> list[str]:
    return [str(templates_dir() / "c"), str(templates_dir() / "common")]


class CProgram:
    """Source text plus the loaded function; call it with one integer address per parameter."""

    __slots__ = ("name", "source", "fn", "nargs")

    def __init__(self, name: str, source: str, nargs: int, so_path: str | None = None):
        """so_path: a shared object already holding the function (built with others), else compiled."""
        self.name, self.source, self.nargs = name, source, nargs
        cc = compiler()
        self.fn = cc.load(so_path or cc.compile(source, include_dirs=_include_dirs()), name, nargs)

    def __call__(self, addresses: list[int]) -> None:
        self.fn(*[pointer(a) for a in addresses])


def get_program(kernel: RenderedKernel) -> CProgram:
    """The compiled program of a rendered kernel, from memory, the disk cache, or the compiler."""
    hit = _PROGRAMS.get(kernel.source)
    if hit is not None:
        cache.counters().memory_cache_hits += 1
        return hit
    program = _PROGRAMS[kernel.source] = CProgram(kernel.name, kernel.source, kernel.nargs)
    return program


def compiler_runs(kernels: Sequence[RenderedKernel], cores: int) -> list[list[RenderedKernel]]:
    """The kernels not loaded yet, split into groups that each build in one compiler run: as many groups
    as cores (but no fewer than KERNELS_PER_RUN kernels a group), and no name twice in a group."""
    todo = list({k.source: k for k in kernels if k.source not in _PROGRAMS}.values())
    runs: list[list[RenderedKernel]] = [[] for _ in range(max(1, min(cores, len(todo) // KERNELS_PER_RUN)))]
    for kernel in todo:
        free = [r for r in runs if all(k.name != kernel.name for k in r)]
        if not free:
            runs.append([])
            free = runs[-1:]
        min(free, key=len).append(kernel)
    return [r for r in runs if r]


def _load_together(kernels: list[RenderedKernel]) -> None:
    """Compile kernels with distinct names in one compiler run and load them; a compile error builds
    them one by one instead, so that the error names the kernel at fault."""
    try:
        paths = compiler().compile_many([k.source for k in kernels], include_dirs=_include_dirs())
    except CompileError as e:
        if e.source_path:  # (the kernel's own error keeps its source instead)
            shutil.rmtree(os.path.dirname(e.source_path), ignore_errors=True)
        paths = [None] * len(kernels)
    for kernel, so_path in zip(kernels, paths):
        _PROGRAMS[kernel.source] = CProgram(kernel.name, kernel.source, kernel.nargs, so_path)


def build_all(kernels: Sequence[RenderedKernel], cores: int) -> list[CProgram]:
    """The programs of a schedule's kernels, those not loaded yet built by a few compiler runs side by
    side (a cold start pays for a compiler run per core, not one per kernel). Counts no memory hits:
    the schedule is about to run them for the first time."""
    runs = compiler_runs(kernels, cores)
    if len(runs) > 1:
        with ThreadPoolExecutor(len(runs)) as pool:
            list(pool.map(_load_together, runs))
    elif runs:
        _load_together(runs[0])
    return [_PROGRAMS[k.source] for k in kernels]
