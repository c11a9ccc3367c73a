"""Vector accesses of CUDA elementwise kernels: which parameters move 16 bytes at a time.

A parameter that the kernel reads (or writes) only at its own flat output position, with no bound
check, is contiguous in step with the iteration space: a thread can take `lanes` neighbouring
elements in one aligned access (ld.global.v4 for float32) and compute them one lane at a time.
Everything else in the kernel (broadcast or transposed reads, scattered stores, random numbers,
positions) is computed per lane from the lane's own flat index, so any mix of accesses works. The
lane count makes the widest such parameter's access VECTOR_BYTES; whether the pointers really are
aligned (a tensor from DLPack may not be) is checked when the kernel runs, falling back to the
scalar loop, which also takes the tail of a size that is not a multiple of the lanes.
"""
from __future__ import annotations

from dataclasses import dataclass

from .lower import LoopProgram
from .symbolic import Lin, ravel

VECTOR_BYTES = 16


@dataclass(frozen=True)
class VectorPlan:
    lanes: int
    params: dict[str, int]  # parameter name -> bytes of its vector access

    def value(self, param: str) -> str:
        return f"{param}_v"


def _flat_key(prog: LoopProgram):
    return ravel([Lin.var(v, e) for v, e in prog.out_loops], tuple(e for _, e in prog.out_loops)).key


def plan(prog: LoopProgram) -> VectorPlan | None:
    """The kernel's vector accesses, or None when it has none worth a second loop."""
    if prog.kind != "elementwise" or not prog.out_loops:
        return None
    flat = _flat_key(prog)
    accesses: dict[str, list[bool]] = {}
    for s in prog.post:
        if s.op == "load":
            buf, index, valid = s.args
            accesses.setdefault(buf, []).append(not valid and index.key == flat)
        elif s.op == "gather":
            accesses.setdefault(s.args[0], []).append(False)
    for store in prog.stores:
        accesses.setdefault(store.param, []).append(store.index.key == flat)
    itemsize = {p.name: p.dtype.itemsize for p in prog.params}
    chosen = [name for name, ok in accesses.items() if all(ok)]
    if not chosen:
        return None
    lanes = VECTOR_BYTES // max(itemsize[name] for name in chosen)
    if lanes < 2 or prog.numel < lanes:
        return None
    return VectorPlan(lanes, {name: lanes * itemsize[name] for name in chosen})
