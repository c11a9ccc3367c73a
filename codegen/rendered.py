"""Rendered kernels: what the runtime needs of a kernel (name, source, launch), for any target.

A warm process must reach a cached kernel without rendering it (importing jinja2 and rendering
cost tens of milliseconds), so rendered sources are indexed on disk by the kernel's structure and
target, keyed together with a digest of the code generator itself: a changed template or renderer
never serves a stale source.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import cache
from .templates_dir import templates_dir

TARGETS = ("c", "cuda")


@dataclass
class RenderedKernel:
    """A kernel as source. `launch` is ((blocks in x, y, z), threads per block) for CUDA kernels."""

    name: str
    kind: str
    fused: list[str]
    nargs: int
    source: str
    target: str = "c"
    launch: tuple[tuple[int, int, int], int] | None = None


@lru_cache(maxsize=None)
def generator_digest() -> str:
    """A digest of the code generator (its Python modules and templates): part of every index key."""
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in sorted(here.glob("*.py")) + sorted(templates_dir().glob("*/*")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _index_name(structure: str, target: str) -> str:
    return f"kernel-{target}:" + hashlib.sha256((generator_digest() + structure).encode()).hexdigest()


def render_kernel(outputs, inputs, rand_slots, structure: str, target: str = "c",
                  scalar_slots: dict[int, int] | None = None) -> RenderedKernel:
    """The kernel's source for target ('c' or 'cuda') from the disk index, or lowered and rendered now."""
    if target not in TARGETS:
        raise ValueError(f"unknown kernel target {target!r}: expected one of {TARGETS}")
    name = _index_name(structure, target)
    record = cache.read_record(name)
    if record is not None and set(record) == set(RenderedKernel.__dataclass_fields__):
        record["launch"] = (tuple(record["launch"][0]), record["launch"][1]) if record["launch"] else None
        return RenderedKernel(**record)
    from .lower import lower
    from .matmul import merge_operand_loops
    from .row_positions import clamp_rows
    prog = clamp_rows(merge_operand_loops(lower(outputs, inputs, rand_slots, scalar_slots)))
    if target == "cuda":
        from .render_cuda import render as render_cuda
        source, config = render_cuda(prog)
        launch = (config.grid, config.block)
    else:
        from .render_c import render as render_c
        source, launch = render_c(prog), None
    kernel = RenderedKernel(prog.name, prog.kind, list(prog.fused), len(prog.params), source, target, launch)
    cache.write_record(name, kernel.__dict__)
    return kernel
