"""torch's kernels that compute in floating point only: the error each gives a tensor of another dtype (a
NotImplementedError naming the kernel, as its dispatch does)."""
from __future__ import annotations

from .dtypes import DType, torch_name

# op -> the kernel torch's message names
KERNELS = {"layer_norm": "LayerNormKernelImpl", "rms_norm": "rms_norm", "group_norm": "GroupNormKernelImpl",
           "batch_norm": "batch_norm", "instance_norm": "batch_norm", "prelu": "prelu_cpu", "mse_loss": "mse_cpu"}


def refuse_non_floating(op: str, dtype: DType) -> None:
    if not (dtype.is_floating_point or dtype.is_complex):
        raise NotImplementedError(f"\"{KERNELS[op]}\" not implemented for '{torch_name(dtype)}'")
