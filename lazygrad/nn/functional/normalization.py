"""Normalization functions of torch.nn.functional, composed of fused reductions and elementwise ops.

batch_norm and instance_norm update their running statistics in place, lazily (the update is a write
into the buffers' storage that runs with the next kernel that reads them), with torch's rule: the
running variance follows the unbiased batch variance while the batch is normalized by the biased one."""
from __future__ import annotations

import math

from ... import layouts
from ...autograd.grad_mode import no_grad
from ...creation import zeros
from ...dtypes import DType, opmath
from ...float_kernels import refuse_non_floating
from ...normalization import layer_norm, rms_norm
from ...movement import cat
from ...tensor import Tensor
from ...autograd.composite import recorded_as
from ...amp.autocast_mode import autocast_op

__all__ = ["batch_norm", "instance_norm", "group_norm", "layer_norm", "rms_norm", "local_response_norm", "normalize"]


def _channel_shape(input: Tensor) -> tuple[int, ...]:
    """(1, C, 1, ...): a per-channel vector broadcast against input."""
    return (1, input.shape[1]) + (1,) * (input.ndim - 2)


def _check_features(input: Tensor, **vectors: Tensor | None) -> None:
    channels = input.shape[1]
    for name, v in vectors.items():
        if v is not None and v.numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {v.numel()}")


def _normalized(input: Tensor, mean: Tensor, var: Tensor, weight, bias, eps: float,
                stats_dtype: DType | None = None) -> Tensor:
    """In input's suggested memory format, as torch's kernels write it (channels-last stays so); float16 and
    bfloat16 computed in float32 and rounded once, a batch's mean and inverse deviation first rounded to
    stats_dtype (torch keeps them in its parameters' dtype)."""
    wide = opmath(input.dtype)
    center, scale = mean.to(wide), (var.to(wide) + eps).rsqrt()
    if stats_dtype is not None and stats_dtype is not wide:
        center, scale = center.to(stats_dtype).to(wide), scale.to(stats_dtype).to(wide)
    out = _affine((input.to(wide) - center) * scale, *(None if v is None else v.to(wide) for v in (weight, bias)))
    return out.to(input.dtype).contiguous(memory_format=layouts.suggested_format(input._shape, input._strides))


def _affine(out: Tensor, weight: Tensor | None, bias: Tensor | None) -> Tensor:
    """out * weight + bias, per channel."""
    shape = _channel_shape(out)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def _update_running(running: Tensor | None, batch: Tensor, momentum: float) -> None:
    """running = (1 - momentum) * running + momentum * batch, written lazily into running's storage."""
    if running is not None:
        with no_grad():  # (in float32 for float16 and bfloat16 buffers, rounded once, as torch updates them)
            wide = opmath(running.dtype)
            running.copy_((running.to(wide) * (1 - momentum) + batch.detach().to(wide) * momentum).to(running.dtype))


def _batch_stats(input: Tensor, dims: tuple[int, ...]) -> tuple[Tensor, Tensor, int]:
    """Mean and biased variance over dims (kept), and the number of values each is taken over."""
    mean = input.mean(dims, keepdim=True)
    centered = input - mean
    count = math.prod(input.shape[d] for d in dims)
    return mean, (centered * centered).mean(dims, keepdim=True), count


@recorded_as("NativeBatchNormBackward0", slots=("input", "weight", "bias"))
def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    """Normalize each channel (dim 1) by the batch's statistics when training (and fold them into the
    running ones), else by the running statistics."""
    if training and math.prod(input.shape) // input.shape[1] == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.shape}")
    _check_features(input, running_mean=running_mean, running_var=running_var, weight=weight, bias=bias)
    refuse_non_floating("batch_norm", input.dtype)
    shape = _channel_shape(input)
    if not training:
        for name, stat in (("running_mean", running_mean), ("running_var", running_var)):
            if stat is None:
                raise RuntimeError(f"{name} must be defined in evaluation mode")
        return _normalized(input, running_mean.reshape(shape), running_var.reshape(shape), weight, bias, eps)
    dims = (0,) + tuple(range(2, input.ndim))
    mean, var, count = _batch_stats(input.to(opmath(input.dtype)), dims)
    _update_running(running_mean, mean.reshape(-1), momentum)
    _update_running(running_var, var.reshape(-1) * (count / (count - 1)), momentum)
    return _normalized(input, mean, var, weight, bias, eps, _parameters_dtype(input, weight, bias, running_mean))


def _parameters_dtype(input: Tensor, *parameters: Tensor | None) -> DType:
    """The dtype torch's batch norm keeps a batch's statistics in: its parameters' (the input's without any)."""
    return next((p.dtype for p in parameters if p is not None), input.dtype)


def instance_norm(input: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,
                  weight: Tensor | None = None, bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each (sample, channel) over its spatial dims, as torch does: a batch norm of the input
    viewed as one sample of N*C channels (its node under a ViewBackward0); the running statistics, when
    given, follow the batch mean of the per-instance statistics."""
    if use_input_stats and math.prod(input.shape[2:]) == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
    refuse_non_floating("instance_norm", input.dtype)
    batch, channels = input.shape[:2]
    flat = input.reshape(1, batch * channels, *input.shape[2:])
    out = _instances(flat, running_mean, running_var, weight, bias, use_input_stats, momentum, eps, batch)
    return out.view(input.shape)


@recorded_as("NativeBatchNormBackward0", slots=("flat", "weight", "bias"))
def _instances(flat: Tensor, running_mean: Tensor | None, running_var: Tensor | None, weight: Tensor | None,
               bias: Tensor | None, use_input_stats: bool, momentum: float, eps: float, batch: int) -> Tensor:
    """instance_norm on its (1, N*C, *S) view: per-channel vectors repeated for every sample (so a wrong
    size is reported as torch reports it, in repeated elements)."""
    repeated = [None if v is None else v.repeat(batch) for v in (running_mean, running_var, weight, bias)]
    _check_features(flat, **dict(zip(("running_mean", "running_var", "weight", "bias"), repeated)))
    weight, bias = repeated[2:]
    shape = _channel_shape(flat)
    if not use_input_stats:
        mean, var = (stat.reshape(shape) for stat in repeated[:2])
        return _normalized(flat, mean, var, weight, bias, eps)
    mean, var, count = _batch_stats(flat.to(opmath(flat.dtype)), tuple(range(2, flat.ndim)))
    per_batch = (batch, flat.shape[1] // batch)
    _update_running(running_mean, mean.reshape(per_batch).mean(0), momentum)
    _update_running(running_var, var.reshape(per_batch).mean(0) * (count / (count - 1)), momentum)
    return _normalized(flat, mean, var, weight, bias, eps, _parameters_dtype(flat, weight, bias, running_mean))


@autocast_op("group_norm")
@recorded_as("NativeGroupNormBackward0", slots=("input", "weight", "bias"))
def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalize each sample over groups of num_groups consecutive channels (and their spatial dims)."""
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.ndim}")
    channels = input.shape[1]
    grouping = [input.shape[0] * channels // num_groups, num_groups, *input.shape[2:]]
    if math.prod(grouping) // num_groups == 1:  # (torch checks the samples times groups as a batch norm's batch)
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {grouping}")
    if channels % num_groups:
        raise RuntimeError("Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {list(input.shape)} and num_groups={num_groups}")
    for name, v in (("weight", weight), ("bias", bias)):
        if v is not None and (v.ndim != 1 or v.numel() != channels):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, "
                               f"but got {name} of shape {list(v.shape)} and input of shape {list(input.shape)}")
    refuse_non_floating("group_norm", input.dtype)
    wide = opmath(input.dtype)  # (float16 and bfloat16 computed in float32 and rounded once, as torch does)
    grouped = input.to(wide).reshape(input.shape[0], num_groups, channels // num_groups * math.prod(input.shape[2:]))
    mean, var, _ = _batch_stats(grouped, (2,))
    out = ((grouped - mean) * (var + eps).rsqrt()).reshape(input.shape)
    return _affine(out, *(None if v is None else v.to(wide) for v in (weight, bias))).to(input.dtype)


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """x / (k + alpha * mean of x² over a window of `size` neighbouring channels) ** beta (zeros past the ends)."""
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality{' ' * 26}input (got {input.ndim} dimensions)")
    if input.numel() == 0:
        return input
    squares = input * input
    before, after = size // 2, (size - 1) // 2
    edge = list(input.shape)
    parts = []
    for count in (before, after):
        edge[1] = count
        parts.append(zeros(edge, dtype=input.dtype, device=input.device))
    padded = cat([parts[0], squares, parts[1]], 1)
    window = padded.narrow(1, 0, input.shape[1])
    for shift in range(1, size):
        window = window + padded.narrow(1, shift, input.shape[1])
    return input / (window * (alpha / size) + k) ** beta


@autocast_op("normalize")
def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Tensor | None = None) -> Tensor:
    """input / max(‖input‖_p along dim, eps)."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    result = input / denom
    return result if out is None else out.copy_(result)
