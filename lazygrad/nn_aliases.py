"""torch's top-level spellings of nn.functional ops (torch.conv2d, torch.max_pool2d, ...) and the two that
are Tensor methods too. Most are the functional op itself; a few take their arguments in aten's order or
always return indices. Nothing here imports lazygrad.nn until one of them is used: `import lazygrad` stays
as cheap as the tensor core."""
from __future__ import annotations

import importlib
from typing import Callable

from .tensor import Tensor

SAME_AS_FUNCTIONAL = (
    "adaptive_avg_pool1d", "alpha_dropout", "avg_pool1d", "bilinear", "celu", "celu_", "channel_shuffle",
    "constant_pad_nd", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "convolution", "feature_alpha_dropout", "hardshrink", "max_pool1d", "max_pool2d", "max_pool3d", "pixel_shuffle",
    "pixel_unshuffle", "prelu", "rrelu", "rrelu_", "selu", "selu_", "threshold", "threshold_",
)
RENAMED = {"native_channel_shuffle": "channel_shuffle"}
METHODS = ("hardshrink", "prelu")  # the nn ops torch also offers as Tensor methods


def _functional():
    return importlib.import_module("lazygrad.nn.functional")


def adaptive_max_pool1d(input: Tensor, output_size) -> tuple[Tensor, Tensor]:
    """The values and their indices (torch's top-level form always returns both)."""
    return _functional().adaptive_max_pool1d(input, output_size, return_indices=True)


def max_pool1d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False) -> tuple[Tensor, Tensor]:
    return _functional().max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)


def embedding(weight: Tensor, indices: Tensor, padding_idx: int = -1, scale_grad_by_freq: bool = False,
              sparse: bool = False) -> Tensor:
    """aten's order (weight first); a negative padding_idx means none."""
    return _functional().embedding(indices, weight, padding_idx if padding_idx >= 0 else None, None, 2.0,
                                   scale_grad_by_freq, sparse)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5, cudnn_enabled: bool = True) -> Tensor:
    return _functional().group_norm(input, num_groups, weight, bias, eps)


def batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None, running_mean: Tensor | None,
               running_var: Tensor | None, training: bool, momentum: float, eps: float,
               cudnn_enabled: bool = True) -> Tensor:
    """aten's order: the affine parameters before the running statistics."""
    return _functional().batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None, running_mean: Tensor | None,
                  running_var: Tensor | None, use_input_stats: bool, momentum: float, eps: float,
                  cudnn_enabled: bool = True) -> Tensor:
    return _functional().instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum,
                                       eps)


_WRAPPERS = {f.__name__: f for f in (adaptive_max_pool1d, max_pool1d_with_indices, embedding, group_norm, batch_norm,
                                     instance_norm)}
NAMES = frozenset(SAME_AS_FUNCTIONAL) | frozenset(RENAMED) | frozenset(_WRAPPERS)


def resolve(name: str) -> Callable:
    """The function torch.<name> is, for a name in NAMES."""
    if name in _WRAPPERS:
        return _WRAPPERS[name]
    return getattr(_functional(), RENAMED.get(name, name))


def method(name: str) -> Callable:
    """Tensor.<name>: the functional op, found when first called."""
    def call(self: Tensor, *args, **kwargs):
        return getattr(_functional(), name)(self, *args, **kwargs)
    call.__name__ = call.__qualname__ = name
    return call
