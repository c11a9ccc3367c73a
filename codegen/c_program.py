"""The CPU back end's compiled programs: C sources built into shared objects and loaded with cffi."""
from __future__ import annotations

from . import cache
from .compile_c import CCompiler, pointer
from .rendered import RenderedKernel
from .templates_dir import templates_dir

_COMPILER: CCompiler | None = None
_PROGRAMS: dict[str, CProgram] = {}


def compiler() -> CCompiler:
    global _COMPILER
    if _COMPILER is None:
        _COMPILER = CCompiler()
    return _COMPILER


class CProgram:
    """Source text plus the loaded function; call it with one integer address per parameter."""

    __slots__ = ("name", "source", "fn", "nargs")

    def __init__(self, name: str, source: str, nargs: int):
        self.name, self.source, self.nargs = name, source, nargs
        cc = compiler()
        so = cc.compile(source, include_dirs=[str(templates_dir() / "c"), str(templates_dir() / "common")])
        self.fn = cc.load(so, name, nargs)

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
