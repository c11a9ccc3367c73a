"""lazygrad.backends.openmp (torch.backends.openmp): the CPU kernels run in parallel with OpenMP when the C
compiler supports it (codegen/compile_c.py probes it once and caches the answer)."""
from __future__ import annotations


def is_available() -> bool:
    from codegen.c_program import compiler
    return compiler().openmp
