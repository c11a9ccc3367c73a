"""The functional forms of torch's linear, embedding and dropout layers, and one_hot. All lazy: a lookup is a
gather (its gradient a scatter-add that costs what the looked-up rows cost), dropout masks come from the
in-kernel generator and fuse with the values they mask."""
from __future__ import annotations

import math
import warnings

import numpy as np

from ... import inplace as _inplace
from ...autograd.grad_mode import is_grad_enabled, no_grad
from ...creation import arange, ones, rand, zeros
from ...searching import searchsorted
from ...dtypes import int64, torch_name, type_string
from ...int_parameters import as_int, type_name
from ...elementwise import where
from ...products import addmm, cosine_similarity, pairwise_distance, pdist
from ...sampling import dropout as _dropout
from ...tensor import Tensor, known_values
from ...tensor_parameters import tensor_parameters
from ...autograd.composite import recorded_as
from ...amp.autocast_mode import autocast_op

__all__ = ["linear", "bilinear", "embedding", "embedding_bag", "one_hot", "dropout", "alpha_dropout", "feature_alpha_dropout",
           "dropout1d", "dropout2d", "dropout3d", "cosine_similarity", "pairwise_distance", "pdist"]

# the saturation of SELU (-scale * alpha): alpha dropout sets dropped units to it, then restores mean and variance
_ALPHA_PRIME = 1.7580993408473766


@tensor_parameters("input", "weight")
@autocast_op("linear")
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """input @ weight.T + bias: one matrix-multiply kernel with the bias as its epilogue."""
    if weight.ndim == 2 and input.ndim >= 2 and input.shape[-1] != weight.shape[1]:
        rows = math.prod(input.shape[:-1])
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{input.shape[-1]} and "
                           f"{weight.shape[1]}x{weight.shape[0]})")
    if bias is not None and weight.ndim == 2 and bias.ndim <= 1 and (input.ndim <= 2 or input.is_contiguous()):
        # torch's nodes: AddmmBackward0 (and a ViewBackward0 over it for other than 2-D inputs)
        if input.ndim == 2:
            return addmm(bias, input, weight.t())
        return addmm(bias, input.reshape(-1, input.shape[-1]), weight.t()).view(*input.shape[:-1], weight.shape[0])
    out = input @ weight.t() if weight.ndim == 2 else input @ weight
    return out if bias is None else out + bias


def _check_bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None) -> None:
    if input1.ndim != input2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.ndim} and {input2.ndim}")
    for d in range(input1.ndim - 1):
        if input1.shape[d] != input2.shape[d]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: got "
                               f"{input1.shape[d]} and {input2.shape[d]}")
    for k, x in ((1, input1), (2, input2)):
        if x.shape[-1] != weight.shape[k]:
            raise RuntimeError(f"bilinear(): input{k} size does not match weight size: got {x.shape[-1]} but "
                               f"expected {weight.shape[k]}")
    if bias is not None and bias.shape[-1] != weight.shape[0]:
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {bias.shape[-1]} but expected "
                           f"{weight.shape[0]}")


@tensor_parameters("input1", "input2", "weight")
@autocast_op("bilinear")
def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y[..., o] = x1 · weight[o] · x2 + bias[o]: one matrix multiply, then a fused multiply-and-sum."""
    _check_bilinear(input1, input2, weight, bias)
    outs, in1, in2 = weight.shape
    x1 = input1.reshape(-1, in1)
    partial = (x1 @ weight.permute(1, 0, 2).reshape(in1, outs * in2)).reshape(-1, outs, in2)
    out = (partial * input2.reshape(-1, 1, in2)).sum(-1).reshape(*input1.shape[:-1], outs)
    return out if bias is None else out + bias


def _check_embedding(input: Tensor, weight: Tensor, padding_idx: int | None) -> int | None:
    """padding_idx made non-negative, after torch's checks."""
    if input.dtype.name not in ("int64", "int32"):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {type_string(input.dtype)} instead (while checking arguments for embedding)")
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    if padding_idx is None:
        return None
    if not -weight.shape[0] <= padding_idx < weight.shape[0]:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx % weight.shape[0]


def _renorm_rows(weight: Tensor, index: Tensor, max_norm: float, norm_type: float) -> None:
    """Rows of weight that index looks up and whose norm exceeds max_norm, scaled (in place) to max_norm."""
    with no_grad():
        rows = weight.index_select(0, index)
        norms = rows.norm(norm_type, 1, keepdim=True)
        scale = where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight.index_copy_(0, index, rows * scale.to(rows.dtype))


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """The rows of weight that input indexes. The padding_idx row gets no gradient; max_norm first renormalizes
    the looked-up rows of weight in place; scale_grad_by_freq divides each row's gradient by how often it occurs
    in input. With sparse, weight's gradient is a sparse tensor of the looked-up rows."""
    if sparse and weight.requires_grad and is_grad_enabled():
        from ...sparse.gradients import with_sparse_rows_gradient
        with no_grad():
            out = _embedding(input, weight, padding_idx, max_norm, norm_type)
        padding_idx = _check_embedding(input, weight, padding_idx)
        return with_sparse_rows_gradient(out, weight, input, padding_idx, scale_grad_by_freq)
    return _embedding(input, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq)


@recorded_as("EmbeddingBackward0")
def _embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,
               norm_type: float = 2.0, scale_grad_by_freq: bool = False) -> Tensor:
    padding_idx = _check_embedding(input, weight, padding_idx)
    index = input.reshape(-1).to(int64)
    if max_norm is not None:
        _renorm_rows(weight, index, max_norm, norm_type)
    rows = weight.index_select(0, index)
    if scale_grad_by_freq:
        counts = zeros(weight.shape[0], dtype=weight.dtype, device=weight.device)
        counts = counts.index_add(0, index, ones(index.shape, dtype=weight.dtype, device=weight.device))
        fixed = rows.detach()
        rows = fixed + (rows - fixed) / counts.index_select(0, index).unsqueeze(1)
    if padding_idx is not None:
        rows = where((index == padding_idx).unsqueeze(1), rows.detach(), rows)
    return rows.reshape(*input.shape, weight.shape[1])


def _check_offsets(offsets: Tensor, length: int) -> None:
    """torch's errors for bag offsets that do not start at 0, pass the input's end or go backwards."""
    starts = offsets.numpy()
    if starts.size and starts[0] != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           f"position 0. However, got {starts[0]}\n[ torch.{torch_name(offsets.dtype)}Tensor{{}} ]")
    if starts.size and starts[-1] > length:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {length} but got offsets[-1] of "
                           f"{starts[-1]}")
    if (np.diff(starts) < 0).any():
        raise RuntimeError("Expected i < index_size to be true, but got false.  (Could this error message be improved?  "
                           "If so, please report an enhancement request to PyTorch.)")


def _bag_ids(input: Tensor, offsets: Tensor | None, include_last_offset: bool) -> tuple[Tensor, int]:
    """The bag of each flattened index and the number of bags; indices past the last bag go to bag `bags`."""
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
        rows, length = input.shape
        return arange(rows * length, device=input.device) // max(length, 1), rows
    if input.ndim != 1:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}")
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    if offsets.ndim != 1:
        raise ValueError("offsets has to be a 1D Tensor")
    _check_offsets(offsets, input.shape[0])
    bags = offsets.shape[0] - 1 if include_last_offset else offsets.shape[0]
    position = arange(input.shape[0], device=input.device)
    return searchsorted(offsets.to(int64), position, right=True) - 1, bags


@recorded_as("EmbeddingBagBackward0", slots=("weight", "per_sample_weights"))
def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None, max_norm: float | None = None,
                  norm_type: float = 2, scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """Sum, mean or max of the embeddings of each bag (a row of 2-D input, or a run of 1-D input starting at
    each offset), as lazy scatter-reductions into one row per bag. padding_idx entries are left out (empty
    bags give zeros). With sparse, weight's gradient is a sparse tensor of the looked-up rows."""
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")
    bag, bags = _bag_ids(input, offsets, include_last_offset)
    padding_idx = _check_embedding(input, weight, padding_idx)
    index = input.reshape(-1).to(int64)
    if max_norm is not None:
        _renorm_rows(weight, index, max_norm, norm_type)
    rows = embedding(index, weight, padding_idx, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1, 1)
    if padding_idx is not None:
        bag = where(index == padding_idx, bags, bag)
    if bags == 0 or index.numel() == 0:
        return zeros(bags, weight.shape[1], dtype=weight.dtype, device=weight.device)
    table = zeros(bags + 1, weight.shape[1], dtype=weight.dtype, device=weight.device)
    if mode == "max":
        return table.index_reduce(0, bag, rows, "amax", include_self=False)[:bags]
    summed = table.index_add(0, bag, rows)[:bags]
    if mode == "sum":
        return summed
    counts = zeros(bags + 1, dtype=weight.dtype, device=weight.device).index_add(0, bag, ones(bag.shape,
                                                                                              dtype=weight.dtype))
    return summed / counts[:bags].clamp(min=1).unsqueeze(1)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 indicator vectors of the classes in tensor (a new last dim). With num_classes=-1 the count is
    the largest value + 1, so the values are computed now, as torch computes them."""
    classes = as_int(num_classes)
    if classes is None:
        raise TypeError(f"one_hot(): argument 'num_classes' (position 2) must be int, not {type_name(num_classes)}")
    num_classes = classes
    if tensor.dtype is not int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() == 0:
        if num_classes <= 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        return zeros(*tensor.shape, num_classes, dtype=int64, device=tensor.device)
    values = known_values(tensor)
    if num_classes == -1:
        values = tensor.numpy()
        num_classes = int(values.max()) + 1
    if values is not None:
        if values.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if values.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return (tensor.unsqueeze(-1) == arange(num_classes, device=tensor.device)).to(int64)


# ---- dropout ----------------------------------------------------------------------------------------------

def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _maybe_inplace(fn, input: Tensor, inplace: bool, *args) -> Tensor:
    return _inplace.apply(input, fn, *args) if inplace else fn(input, *args)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Each element zeroed with probability p, the rest scaled by 1 / (1 - p), when training."""
    _check_p(p)
    if not training or p == 0:
        return input
    return _maybe_inplace(_dropout, input, inplace, p, training)


def _keep_mask(input: Tensor, p: float, per_channel: bool) -> Tensor:
    """1 with probability 1 - p, one draw per element or per (sample, channel) slice."""
    if per_channel and input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    shape = input.shape[:2] + (1,) * (input.ndim - 2) if per_channel else input.shape
    return (rand(shape, dtype=input.dtype, device=input.device) < 1 - p).to(input.dtype)


def _dropped(input: Tensor, p: float, per_channel: bool, alpha: bool) -> Tensor:
    if p == 1:
        return input * 0
    keep = _keep_mask(input, p, per_channel)
    if not alpha:
        return input * (keep * (1 / (1 - p)))
    a = 1 / math.sqrt((_ALPHA_PRIME ** 2 * p + 1) * (1 - p))
    return input * (keep * a) + ((keep - 1) * (_ALPHA_PRIME * a) + _ALPHA_PRIME * a * p)


def _dropout_family(input: Tensor, p: float, training: bool, inplace: bool, per_channel: bool,
                    alpha: bool) -> Tensor:
    _check_p(p)
    if not training or p == 0 or input.numel() == 0:
        return input
    return _maybe_inplace(_dropped, input, inplace, p, per_channel, alpha)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """Dropout for SELU networks: dropped units take SELU's saturation value, then an affine map restores
    the input's mean and variance."""
    return _dropout_family(input, p, training, inplace, False, True)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """alpha_dropout of whole channels."""
    return _dropout_family(input, p, training, inplace, True, True)


def _channel_dropout(input: Tensor, p: float, training: bool, inplace: bool, batched: bool) -> Tensor:
    """Whole channels zeroed; an unbatched input is treated as one sample."""
    if batched:
        return _dropout_family(input, p, training, inplace, True, False)
    _check_p(p)
    if not training or p == 0 or input.numel() == 0:
        return input
    return _maybe_inplace(lambda x: _dropped(x.unsqueeze(0), p, True, False).squeeze(0), input, inplace)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Channel-wise dropout of (N, C, L) or (C, L) input."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
                           "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a "
                           "channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    return _channel_dropout(input, p, training, inplace, input.ndim == 3)


def _deprecated_rank(name: str, ndim: int, spatial: int) -> None:
    warnings.warn(f"{name}: Received a {ndim}-D input to {name}, which is deprecated and will result in an error "
                  f"in a future release. To retain the behavior and silence this warning, please use dropout "
                  f"instead. Note that {name} exists to provide channel-wise dropout on inputs with {spatial} "
                  f"spatial dimensions, a channel dimension, and an optional batch dimension (i.e. {spatial + 1}D "
                  f"or {spatial + 2}D inputs).", UserWarning, stacklevel=3)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Channel-wise dropout of (N, C, H, W) input; any other input is read as (N, C, ...), as torch still does
    (a 3-D one as (N, C, L))."""
    if input.ndim not in (3, 4):
        _deprecated_rank("dropout2d", input.ndim, 2)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. "
                      "This behavior will change in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please "
                      "switch to using dropout1d instead.", UserWarning, stacklevel=2)
    return _channel_dropout(input, p, training, inplace, True)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Channel-wise dropout of (N, C, D, H, W) or (C, D, H, W) input."""
    if input.ndim not in (4, 5):
        _deprecated_rank("dropout3d", input.ndim, 3)
    return _channel_dropout(input, p, training, inplace, input.ndim == 5)
