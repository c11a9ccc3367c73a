"""torch's kernels that compute in real floating point only (a few take complex numbers too): the error each
gives a tensor of another dtype (a NotImplementedError naming the kernel, as its dispatch does)."""
from __future__ import annotations

from .dtypes import DType, torch_name

# op -> the kernel torch's message names
KERNELS = {"layer_norm": "LayerNormKernelImpl", "rms_norm": "rms_norm", "group_norm": "GroupNormKernelImpl",
           "batch_norm": "batch_norm", "instance_norm": "batch_norm", "prelu": "prelu_cpu", "mse_loss": "mse_cpu",
           "smooth_l1_loss": "smooth_l1_cpu", "huber_loss": "huber_cpu", "nll_loss": "nll_loss_out_frame",
           "binary_cross_entropy": "binary_cross_entropy", "multilabel_soft_margin_loss": "log_sigmoid_cpu"}
# the ops whose kernel takes complex numbers too
COMPLEX_KERNELS = frozenset({"rms_norm"})


def refuse_non_floating(op: str, dtype: DType) -> None:
    if not (dtype.is_floating_point or (dtype.is_complex and op in COMPLEX_KERNELS)):
        raise NotImplementedError(f"\"{KERNELS[op]}\" not implemented for '{torch_name(dtype)}'")
