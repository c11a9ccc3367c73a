"""How many threads the C kernels use: torch's get_num_threads and set_num_threads (and the inter-op
pool's count, which torch keeps for running independent ops side by side: lazygrad runs its kernels in
turn, so that count is only recorded).

The kernels run in parallel with OpenMP, so the count is OpenMP's, set in the very runtime the
kernels link through a small C helper built by the same compiler. OpenMP keeps the count per
calling thread; so that a count set here reaches every Python thread that runs kernels, each
applies the newest count before its next kernel (`apply`).
"""
from __future__ import annotations

import os
import threading

import numpy as np

# An idle OpenMP thread spins for GOMP_SPINCOUNT iterations before it sleeps; libgomp's default (300000)
# keeps it busy for about a millisecond after every kernel. Next to another thread pool (numpy's
# OpenBLAS under a library-call kernel, torch's) on few cores, the spinning threads take turns stealing
# each other's cores: a gradient through a 256x256 solve took 16 ms instead of 4. A short spin keeps
# back-to-back kernels' hand-over fast and lets other pools run. Read once, when libgomp starts: this
# module is imported before any kernel loads it (a value the user set is kept).
os.environ.setdefault("GOMP_SPINCOUNT", "10000")

_wanted: int | None = None
_interop: int | None = None
_generation = 0
_local = threading.local()
_helper = None


def _omp_threads(count: int) -> int:
    """Set the calling thread's count (when count > 0) and return its count; 1 with no compiler."""
    global _helper
    from codegen.c_program import compiler
    from codegen.compile_c import pointer
    from codegen.templates_dir import templates_dir
    cc = compiler()
    if not cc.available():
        return 1
    if _helper is None:
        source = (templates_dir() / "c" / "omp_threads.c").read_text(encoding="utf-8")
        _helper = cc.load(cc.compile(source), "lg_omp_threads", 1)
    io = np.array([count, 0], dtype=np.int32)
    _helper(pointer(io.ctypes.data))
    return int(io[1])


def get_num_threads() -> int:
    """The number of threads a CPU kernel runs on (OMP_NUM_THREADS, else the cores the process may use)."""
    return _wanted if _wanted is not None else _omp_threads(0)


def set_num_threads(num: int) -> None:
    """Run CPU kernels on `num` threads from now on, in every thread that runs them."""
    global _wanted, _generation
    if not isinstance(num, int) or isinstance(num, bool):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(num).__name__}")
    if num <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _wanted = num
    _generation += 1
    apply()


def apply() -> None:
    """Before a kernel: bring this thread's OpenMP count up to the last set_num_threads (cheap when unchanged)."""
    if _generation and getattr(_local, "generation", 0) != _generation:
        _omp_threads(_wanted)
        _local.generation = _generation


def get_num_interop_threads() -> int:
    return _interop if _interop is not None else get_num_threads()


def set_num_interop_threads(num: int) -> None:
    """Torch's inter-op count is set once, before it is used; so is this one."""
    global _interop
    if not isinstance(num, int) or isinstance(num, bool):
        raise RuntimeError(f"set_num_interop_threads expects an int, but got {type(num).__name__}")
    if num <= 0:
        raise RuntimeError("set_num_interop_threads expects a positive integer")
    if _interop is not None:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work has started or "
                           "set_num_interop_threads called")
    _interop = num


def init_num_threads() -> None:
    """Bring the calling thread's kernel thread count up to the last set_num_threads (torch calls this in a
    new thread; lazygrad also does it before every kernel)."""
    apply()
