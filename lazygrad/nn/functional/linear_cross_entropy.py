"""linear_cross_entropy: cross entropy of a linear layer's output, as torch 2.13 defines it.

torch computes it by default as cross_entropy(linear(...)); with `options` it runs a chunked op that never
holds all the logits at once. In lazygrad the product, softmax and loss are one lazy graph either way, so
chunking has nothing to save; `options` keeps what the chunked op means for the result: its checks, its
accumulation dtype (float16 inputs accumulate in float32) and the name of its autograd node.
"""
from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING

from ...autograd.composite import recorded_as
from ...dtypes import bfloat16, float16, float32, int64
from ...tensor import Tensor
from .layers import linear
from .losses import cross_entropy

if TYPE_CHECKING:
    from ..modules.linear_cross_entropy import LinearCrossEntropyOptions

__all__ = ["linear_cross_entropy"]

_CHUNKED = "GeneratedBackwardFor_torch_nn__linear_cross_entropy_batch_chunked{}_defaultBackward"
_CHUNKED_NODE = {"mean": _CHUNKED.format(""), "sum": _CHUNKED.format(""), "none": _CHUNKED.format("_no_reduction")}


@recorded_as(lambda input, linear_weight, target, linear_bias, weight, reduction, ignore_index, acc_dtype:
             _CHUNKED_NODE[reduction], slots=("input", "linear_weight", "target", "linear_bias?", "weight?"))
def _chunked(input: Tensor, linear_weight: Tensor, target: Tensor, linear_bias: Tensor | None, weight: Tensor | None,
             reduction: str, ignore_index: int, acc_dtype) -> Tensor:
    """torch's chunked op on (N, in_features) input: the loss accumulated in acc_dtype, in input's dtype."""
    if input.dtype is not acc_dtype and not (input.dtype in (float16, bfloat16) and acc_dtype is float32):
        raise RuntimeError(f"linear_cross_entropy supports float32 acc_dtype with float16/bfloat16 inputs, but got "
                           f"{acc_dtype} acc_dtype and {input.dtype} inputs.")
    logits = linear(input.to(acc_dtype), linear_weight.to(acc_dtype),
                    linear_bias.to(acc_dtype) if linear_bias is not None else None)
    loss = cross_entropy(logits, target, weight=weight.to(acc_dtype) if weight is not None else None,
                         reduction=reduction, ignore_index=ignore_index)
    return loss.to(input.dtype)


def linear_cross_entropy(input: Tensor, linear_weight: Tensor, target: Tensor, *, linear_bias: Tensor | None = None,
                         weight: Tensor | None = None, reduction: str = "mean", ignore_index: int | None = None,
                         label_smoothing: float = 0.0, options: LinearCrossEntropyOptions | None = None) -> Tensor:
    """cross_entropy(linear(input, linear_weight, linear_bias) shaped (*batch, C, *out_features), target, ...)
    for linear_weight of shape (C, *out_features, in_features); ignore_index None means -100."""
    if input.dim() < 1 or input.dim() > 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.dim()}")
    if linear_weight.dim() < 2:
        raise RuntimeError(f"expected linear_weight with dimensionality at least 2, got {linear_weight.dim()}")
    batches, in_features = tuple(input.shape[:-1]), input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError("expected equal input and linear_weight last dimensions (in_features), got "
                           f"{input.shape[-1]} and {linear_weight.shape[-1]}, respectively")
    num_classes, out_features = linear_weight.shape[0], tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (num_classes, *out_features):
        raise RuntimeError(f"expected linear_bias shape {(num_classes, *out_features)}, got "
                           f"{tuple(linear_bias.shape)}")
    if out_features and not batches:
        raise RuntimeError(f"K-dimensional loss defined by linear_weight shape {tuple(linear_weight.shape)} requires "
                           f"batched input, (N, {in_features}), got unbatched input with shape {tuple(input.shape)}")
    logits_shape = (*batches, num_classes, *out_features)
    if tuple(target.shape) == logits_shape and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    ignore_index = ignore_index if ignore_index is not None else -100
    if options is not None:
        chunkable = (not out_features and reduction in _CHUNKED_NODE and label_smoothing == 0.0
                     and target.dtype is int64)
        if not chunkable:
            warnings.warn("linear_cross_entropy: ``options`` ignored; chunked path needs reduction in "
                          "{'mean','sum','none'}, label_smoothing == 0, target.dtype == int64, out_features == (). "
                          f"Got reduction={reduction!r}, label_smoothing={label_smoothing}, target.dtype="
                          f"{target.dtype}, out_features={out_features}, tracing=False, linear_bias.shape="
                          f"{tuple(linear_bias.shape) if linear_bias is not None else None}.", stacklevel=2)
        else:
            rows = input if batches else input.unsqueeze(0)
            adjusted = options._adjust(num_batches=rows.shape[0], in_features=in_features, num_classes=num_classes,
                                       dtype=input.dtype, device=input.device)
            loss = _chunked(rows, linear_weight, target if batches else target.unsqueeze(0), linear_bias, weight,
                            reduction, ignore_index, adjusted.acc_dtype)
            return loss if batches else loss.squeeze(0)
    flat_classes = math.prod(out_features, start=num_classes)
    logits = linear(input, linear_weight.reshape(flat_classes, in_features),
                    linear_bias.reshape(flat_classes) if linear_bias is not None else None).reshape(logits_shape)
    return cross_entropy(logits, target, weight=weight, reduction=reduction, ignore_index=ignore_index,
                         label_smoothing=label_smoothing)
