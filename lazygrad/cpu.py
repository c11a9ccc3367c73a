"""lazygrad.cpu (torch.cpu): the CPU as a device module, beside lazygrad.cuda."""
from __future__ import annotations


def is_available() -> bool:
    return True


def device_count() -> int:
    return 1


def current_device() -> str:
    return "cpu"


def synchronize(device=None) -> None:
    """(CPU kernels finish before they return.)"""


def __getattr__(name: str):
    if name == "amp":
        from .amp.legacy import cpu_amp
        return cpu_amp
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
