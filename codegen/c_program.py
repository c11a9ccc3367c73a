"""Rendered kernels and their compiled programs: the CPU back end's callable kernels.

A warm process must reach a cached kernel without rendering it (importing jinja2 and rendering
cost tens of milliseconds), so rendered sources are indexed on disk by the kernel's structure,
keyed together with a digest of the code generator itself: a changed template or renderer never
serves a stale source.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import cache
from .compile_c import CCompiler, pointer
from .templates_dir import templates_dir

_COMPILER: CCompiler | None = None
_PROGRAMS: dict[str, CProgram] = {}


def compiler() -> CCompiler:
    global _COMPILER
    if _COMPILER is None:
        _COMPILER = CCompiler()
    return _COMPILER


@dataclass
class RenderedKernel:
    """What a kernel is, as source: everything the runtime needs without the loop program."""

    name: str
    kind: str
    fused: list[str]
    nargs: int
    source: str


@lru_cache(maxsize=None)
def generator_digest() -> str:
    """A digest of the code generator (its Python modules and templates): part of every index key."""
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in sorted(here.glob("*.py")) + sorted(templates_dir().glob("*/*")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _index_name(structure: str) -> str:
    return "kernel:" + hashlib.sha256((generator_digest() + structure).encode()).hexdigest()


def render_kernel(outputs, inputs, rand_slots, structure: str) -> RenderedKernel:
    """The kernel's source from the disk index, or lowered and rendered now (and indexed)."""
    name = _index_name(structure)
    record = cache.read_record(name)
    if record is not None and set(record) == {"name", "kind", "fused", "nargs", "source"}:
        return RenderedKernel(**record)
    from .lower import lower
    from .render_c import render
    prog = lower(outputs, inputs, rand_slots)
    kernel = RenderedKernel(prog.name, prog.kind, list(prog.fused), len(prog.params), render(prog))
    cache.write_record(name, kernel.__dict__)
    return kernel


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
