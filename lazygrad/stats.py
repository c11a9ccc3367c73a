"""Counters of the work the runtime and the compiler did: a leaf module, so codegen may count too."""
from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class Stats:
    """What `lazygrad.stats()` returns: integer counters since the last `reset_stats()`."""

    kernels_run: int = 0
    kernels_compiled: int = 0
    memory_cache_hits: int = 0
    disk_cache_hits: int = 0


COUNTERS = Stats()


def stats() -> Stats:
    """A snapshot of the counters (a copy: later work does not change it)."""
    return Stats(**{f.name: getattr(COUNTERS, f.name) for f in fields(Stats)})


def reset_stats() -> None:
    for f in fields(Stats):
        setattr(COUNTERS, f.name, 0)
