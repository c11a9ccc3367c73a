"""torch.nn.utils.memory_format: a model's convolution weights laid out in a memory format (channels-last)."""
from __future__ import annotations

from ...autograd.grad_mode import no_grad
from ..modules.conv import Conv2d, Conv3d, ConvTranspose2d, ConvTranspose3d
from ..modules.module import Module

__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]


def _convert(module: Module, kinds: tuple, memory_format) -> Module:
    if isinstance(module, kinds):
        with no_grad():
            module.weight.data = module.weight.detach().clone(memory_format=memory_format)
    for child in module.children():
        _convert(child, kinds, memory_format)
    return module


def convert_conv2d_weight_memory_format(module: Module, memory_format) -> Module:
    """Every Conv2d / ConvTranspose2d weight in module copied into memory_format (in place of the old)."""
    return _convert(module, (Conv2d, ConvTranspose2d), memory_format)


def convert_conv3d_weight_memory_format(module: Module, memory_format) -> Module:
    """Every Conv3d / ConvTranspose3d weight in module copied into memory_format (in place of the old)."""
    return _convert(module, (Conv3d, ConvTranspose3d), memory_format)
