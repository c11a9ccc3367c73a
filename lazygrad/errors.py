"""torch's own exception classes (torch.OutOfMemoryError, torch.AcceleratorError) and the messages
lazygrad raises them with when memory runs out."""
from __future__ import annotations


class OutOfMemoryError(RuntimeError):
    """A device ran out of memory (torch.OutOfMemoryError, also torch.cuda.OutOfMemoryError)."""


class AcceleratorError(RuntimeError):
    """An accelerator reported an error (torch.AcceleratorError)."""


OutOfMemoryError.__module__ = AcceleratorError.__module__ = "lazygrad"


def _gib(nbytes: int) -> str:
    return f"{nbytes / (1 << 30):.2f} GiB" if nbytes >= 1 << 30 else f"{nbytes / (1 << 20):.2f} MiB"


def host_out_of_memory(nbytes: int) -> RuntimeError:
    """What torch's CPU allocator raises (a plain RuntimeError) when the operating system refuses."""
    return RuntimeError(f"DefaultCPUAllocator: can't allocate memory: you tried to allocate {nbytes} bytes. "
                        "Error code 12 (Cannot allocate memory)")


def device_out_of_memory(nbytes: int, index: int, free: int, total: int) -> OutOfMemoryError:
    """torch's CUDA message: what was asked for, and what the device has."""
    return OutOfMemoryError(f"CUDA out of memory. Tried to allocate {_gib(nbytes)}. GPU {index} has a total "
                            f"capacity of {_gib(total)} of which {_gib(free)} is free.")
