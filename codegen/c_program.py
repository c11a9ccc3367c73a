"""A loop program compiled to a shared object and loaded: the CPU back end's callable kernel."""
from __future__ import annotations

from lazygrad.stats import COUNTERS

from .compile_c import CCompiler, pointer
from .lower import LoopProgram
from .render_c import render
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
        so = cc.compile(source, include_dirs=[str(templates_dir() / "c")])
        self.fn = cc.load(so, name, nargs)

    def __call__(self, addresses: list[int]) -> None:
        self.fn(*[pointer(a) for a in addresses])


def get_program(prog: LoopProgram, source: str | None = None) -> CProgram:
    """The compiled program for a loop program, from memory, the disk cache, or the compiler."""
    source = source if source is not None else render(prog)
    hit = _PROGRAMS.get(source)
    if hit is not None:
        COUNTERS.memory_cache_hits += 1
        return hit
    program = _PROGRAMS[source] = CProgram(prog.name, source, len(prog.params))
    return program
