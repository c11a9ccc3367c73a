"""aten's `native_*` forms of normalization and dropout: the op's result together with what its backward
saves (the statistics each group was normalized by, the dropout mask), as torch.native_layer_norm and the
others return them. The statistics are plain values: only the result is differentiable."""
from __future__ import annotations

import importlib

from .autograd.composite import recorded_as
from .creation import empty, full_like, ones
from .dtypes import bool_
from .normalization import layer_norm
from .sampling import bernoulli
from .tensor import Tensor


def _mean_and_rstd(values: Tensor, dims: tuple[int, ...], eps: float) -> tuple[Tensor, Tensor]:
    """The mean and 1 / sqrt(biased variance + eps) over dims, kept as size-1 dims."""
    values = values.detach()
    mean = values.mean(dims, keepdim=True)
    return mean, (values.var(dims, correction=0, keepdim=True) + eps).rsqrt()


def native_layer_norm(input: Tensor, normalized_shape, weight: Tensor | None, bias: Tensor | None,
                      eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """layer_norm, its mean and its reciprocal standard deviation (the normalized dims kept, of size 1)."""
    out = layer_norm(input, normalized_shape, weight, bias, eps)
    mean, rstd = _mean_and_rstd(input, tuple(range(input.ndim - len(normalized_shape), input.ndim)), eps)
    return out, mean, rstd


def native_batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None, running_mean: Tensor | None,
                      running_var: Tensor | None, training: bool, momentum: float,
                      eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """batch_norm (updating the running statistics when training), with the batch's per-channel mean and
    inverse standard deviation when training, empty tensors otherwise."""
    functional = importlib.import_module("lazygrad.nn.functional")
    out = functional.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
    if not training:
        return out, *(empty(0, dtype=input.dtype, device=input.device) for _ in range(2))
    mean, invstd = _mean_and_rstd(input, (0, *range(2, input.ndim)), eps)
    return out, mean.reshape(-1), invstd.reshape(-1)


def native_group_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None, N: int, C: int, HxW: int,
                      group: int, eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """group_norm over `group` groups, with each (sample, group)'s mean and reciprocal standard deviation."""
    functional = importlib.import_module("lazygrad.nn.functional")
    out = functional.group_norm(input, group, weight, bias, eps)
    mean, rstd = _mean_and_rstd(input.reshape(N, group, -1), (2,), eps)
    return out, mean.reshape(N, group), rstd.reshape(N, group)


@recorded_as("NativeDropoutBackward0")
def _dropout(input: Tensor, p: float, train: bool) -> tuple[Tensor, Tensor]:
    if not train:
        return input.clone(), ones(input.shape, dtype=bool_, device=input.device)
    keep = bernoulli(full_like(input.detach(), 1 - p)).to(bool_)
    return input * keep * (0.0 if p == 1 else 1 / (1 - p)), keep


def native_dropout(input: Tensor, p: float, train: bool | None) -> tuple[Tensor, Tensor]:
    """dropout and its keep mask (bool); train=None means training."""
    if not 0 <= 1 - p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={1 - p:g}")
    return _dropout(input, p, train is not False)


def native_norm(input: Tensor, p=2, dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """torch runs native_norm on sparse tensors only: every strided tensor gets its dispatcher's error."""
    raise NotImplementedError("Could not run 'aten::native_norm' with arguments from the 'CPU' backend. This could be "
                              "because the operator doesn't exist for this backend, or was omitted during the "
                              "selective/custom build process (if using custom build).")
