"""lazygrad.backends.cpu (torch.backends.cpu): the vector instructions the CPU kernels use. lazygrad
compiles them for this machine (-march=native), so this is what the CPU offers, in torch's names."""
from __future__ import annotations

import platform
from functools import lru_cache

__all__ = ["get_cpu_capability"]

_X86_LEVELS = (("AVX512", {"avx512f", "avx512bw", "avx512dq", "avx512vl", "fma"}), ("AVX2", {"avx2", "fma"}))
_OTHER = {"ppc64le": "VSX", "s390x": "Z VECTOR"}


def _cpu_flags() -> set[str]:
    """The first processor's feature flags in /proc/cpuinfo (empty where there is none)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() in ("flags", "Features"):
                    return set(value.split())
    except OSError:
        pass
    return set()


@lru_cache(maxsize=None)
def get_cpu_capability() -> str:
    """"AVX512" or "AVX2" on x86 (the sets torch requires: AVX-512 F/BW/DQ/VL with FMA; AVX2 with FMA),
    "VSX" on POWER, "Z VECTOR" on IBM Z, else "DEFAULT"."""
    machine = platform.machine().lower()
    if machine in ("x86_64", "amd64", "i686", "i386"):
        flags = _cpu_flags()
        return next((name for name, needed in _X86_LEVELS if needed <= flags), "DEFAULT")
    return _OTHER.get(machine, "DEFAULT")
