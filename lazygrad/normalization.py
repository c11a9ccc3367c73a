"""Normalizations torch has at its top level (torch.layer_norm, torch.rms_norm), composed of reductions and
elementwise ops: two fused reductions and one elementwise kernel, gradients through the ops they use."""
from __future__ import annotations

import numpy as np

from .autograd.composite import recorded_as
from .dtypes import opmath
from .float_kernels import refuse_non_floating
from .tensor import Tensor
from .tensor_parameters import tensor_parameters
from .amp.autocast_mode import autocast_op


def _normalized_dims(input: Tensor, normalized_shape, star: str, **affine) -> tuple[int, ...]:
    """The dims normalized over, after torch's checks of normalized_shape, the affine tensors and input."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if not shape:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one "
                           "element, but got normalized_shape = []")
    for name, t in affine.items():
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(t.shape)} and normalized_shape = {list(shape)}")
    if tuple(input.shape[input.ndim - len(shape):]) != shape or len(shape) > input.ndim:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*{star}{', '.join(map(str, shape))}], but got input of size{list(input.shape)}")
    return tuple(range(input.ndim - len(shape), input.ndim))


def _affine(x: Tensor, weight, bias) -> Tensor:
    if weight is not None:
        x = x * weight
    if bias is not None:
        x = x + bias
    return x


@tensor_parameters("input")
@autocast_op("layer_norm")
@recorded_as("NativeLayerNormBackward0", slots=("input", "weight", "bias"))
def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5, cudnn_enable: bool = True) -> Tensor:
    """(x - mean) / sqrt(var + eps) over the last dims (the biased variance), then weight and bias; float16 and
    bfloat16 computed in float32 and rounded once, as torch does."""
    dims = _normalized_dims(input, normalized_shape, ", ", weight=weight, bias=bias)
    refuse_non_floating("layer_norm", input.dtype)
    wide = input.to(opmath(input.dtype))
    mean = wide.mean(dims, keepdim=True)
    centered = wide - mean
    variance = (centered * centered).mean(dims, keepdim=True)
    return _affine(centered * (variance + eps).rsqrt(), weight, bias).to(input.dtype).contiguous()


@tensor_parameters("input")
def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, eps: float | None = None) -> Tensor:
    """x / sqrt(mean(x^2) + eps) over the last dims (eps: the machine epsilon of the dtype it is computed in by
    default), then weight; float16 and bfloat16 computed in float32 and rounded once, as torch does."""
    dims = _normalized_dims(input, normalized_shape, "", weight=weight)
    refuse_non_floating("rms_norm", input.dtype)
    wide = input.to(opmath(input.dtype))
    eps = float(np.finfo(wide.dtype.np).eps) if eps is None else eps
    scaled = wide * ((wide * wide).mean(dims, keepdim=True) + eps).rsqrt()
    return _affine(scaled, None if weight is None else weight.to(wide.dtype), None).to(input.dtype).contiguous()


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """The p-norm over every dim but `dim`, kept as size-1 dims (dim=-1: the norm of the whole tensor)."""
    if dim == -1:
        return v.norm(pow)
    from .tensor import wrap_dim
    keep = wrap_dim(dim, v.ndim)
    return v.norm(pow, dim=tuple(d for d in range(v.ndim) if d != keep), keepdim=True)


def _weight_norm(v: Tensor, g: Tensor, dim: int = 0) -> Tensor:
    """Weight normalization: v scaled to norm g along every slice of `dim` (the whole of v for dim=-1)."""
    return v * (g / norm_except_dim(v, 2, dim))
