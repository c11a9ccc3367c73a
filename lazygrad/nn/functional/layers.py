"""The functional forms of torch's linear and dropout layers, and one_hot. All lazy: dropout masks come from the
in-kernel generator and fuse with the values they mask."""
from __future__ import annotations

import math
import warnings

from ... import inplace as _inplace
from ...creation import arange, rand, zeros
from ...dtypes import int64
from ...int_parameters import as_int, type_name
from ...products import addmm, cosine_similarity, pairwise_distance, pdist
from ...sampling import dropout as _dropout
from ...tensor import Tensor, known_values
from ...tensor_parameters import tensor_parameters
from ...amp.autocast_mode import autocast_op

__all__ = ["linear", "bilinear", "one_hot", "dropout", "alpha_dropout", "feature_alpha_dropout",
           "dropout1d", "dropout2d", "dropout3d", "cosine_similarity", "pairwise_distance", "pdist"]

# the saturation of SELU (-scale * alpha): alpha dropout sets dropped units to it, then restores mean and variance
_ALPHA_PRIME = 1.7580993408473766


@tensor_parameters("input", "weight")
@autocast_op("linear")
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """input @ weight.T + bias: one matrix-multiply kernel with the bias as its epilogue."""
    if input.ndim == 0 or weight.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {input.ndim}D and "
                           f"{weight.ndim}D")
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
