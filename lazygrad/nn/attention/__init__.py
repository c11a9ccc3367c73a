"""torch.nn.attention: choosing scaled_dot_product_attention's kernels. lazygrad's attention is one fused
graph whatever is chosen, but a choice that leaves torch no kernel for a device leaves lazygrad none either,
so code tuned for torch fails, or runs, alike."""
from __future__ import annotations

import enum
from contextlib import contextmanager
from typing import Iterator

from ...backends import cuda as cuda_backends

WARN_FOR_UNFUSED_KERNELS = False


class SDPBackend(enum.Enum):
    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4


# each backend's switch in lazygrad.backends.cuda (torch keeps them there too)
_SWITCHES = {SDPBackend.MATH: "math", SDPBackend.FLASH_ATTENTION: "flash",
             SDPBackend.EFFICIENT_ATTENTION: "mem_efficient", SDPBackend.CUDNN_ATTENTION: "cudnn"}
# the switches of the kernels torch has for each device type: one of them must be on
_KERNELS_ON = {"cpu": ("math", "flash"), "cuda": ("math", "flash", "mem_efficient", "cudnn")}


@contextmanager
def sdpa_kernel(backends: list[SDPBackend] | SDPBackend, set_priority: bool = False) -> Iterator[None]:
    """Within the block only the given backends are enabled (their order is a priority with set_priority,
    which a single fused graph has no use for)."""
    if not isinstance(backends, (list, SDPBackend)):
        raise AssertionError("Backend must be an instance of SDPBackend or a list of SDPBackend instances, got "
                             f"{type(backends).__name__}")
    chosen = {backends} if isinstance(backends, SDPBackend) else set(backends)
    previous = cuda_backends.sdp_switches()
    cuda_backends.set_sdp_switches({switch: backend in chosen for backend, switch in _SWITCHES.items()})
    try:
        yield
    finally:
        cuda_backends.set_sdp_switches(previous)


def check_kernel_enabled(device_type: str) -> None:
    """torch's error when the switches leave no attention kernel for the device."""
    switches = cuda_backends.sdp_switches()
    if not any(switches[name] for name in _KERNELS_ON[device_type]):
        raise RuntimeError("No viable backend for scaled_dot_product_attention was found. This is likely due to "
                           "turning off both the math kernel and the fused kernels.")
