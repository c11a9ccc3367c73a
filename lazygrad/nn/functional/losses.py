"""torch.nn.functional's loss functions, composed of lazy tensor ops so that a loss and its gradient fuse
into few kernels. Class-index losses pick their entries with gathers (never a one-hot over the classes);
index ranges are checked only when the indices are computed already, as everywhere in lazygrad."""
from __future__ import annotations

import math
import warnings
from typing import Callable

import numpy as np

import lazygrad as lg
from lazygrad.autograd import Function
from lazygrad.autograd.composite import recorded_as
from lazygrad import deferred_checks
from lazygrad.autograd.record import differentiable
from lazygrad.decompositions import library_call
from lazygrad.dtypes import torch_name
from lazygrad.elementwise import HALF_FLOATS
from lazygrad.float_kernels import refuse_non_floating
from lazygrad.nn.functional.activations import log_sigmoid
from lazygrad.tensor import Tensor, known_values
from ...amp.autocast_mode import autocast_op

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "cosine_embedding_loss", "cross_entropy", "ctc_loss",
           "gaussian_nll_loss", "hinge_embedding_loss", "huber_loss", "kl_div", "l1_loss", "margin_ranking_loss",
           "mse_loss", "multi_margin_loss", "multilabel_margin_loss", "multilabel_soft_margin_loss", "nll_loss",
           "poisson_nll_loss", "smooth_l1_loss", "soft_margin_loss", "triplet_margin_loss",
           "triplet_margin_with_distance_loss"]

_REDUCE: dict[str, Callable[[Tensor], Tensor]] = {"none": lambda t: t, "mean": lambda t: t.mean(),
                                                  "sum": lambda t: t.sum()}
_INVALID = "{} is not a valid value for reduction"


def _reduction(reduction: str, size_average: bool | None = None, reduce: bool | None = None,
               invalid: str = _INVALID) -> str:
    """The reduction's name, from the legacy size_average/reduce pair when either is given (with torch's
    deprecation warning); an unknown name raises torch's ValueError."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = ("mean" if size_average else "sum") if reduce else "none"
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
                      "instead.", stacklevel=3)
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
                      stacklevel=3)
        return "mean"
    if reduction not in _REDUCE:
        raise ValueError(invalid.format(reduction))
    return reduction


def _sizes(t: Tensor) -> str:
    return str(list(t.shape))


def _size_warning(input: Tensor, target: Tensor) -> None:
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size ({input.size()}). "
                      "This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", stacklevel=3)


def _check_weight(weight: Tensor, shape: tuple, reduction: str) -> None:
    if weight.shape != shape:
        raise ValueError("Weights and input must have the same size.")
    if reduction not in _REDUCE:
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def _weighted(loss: Tensor, weight: Tensor | None, reduction: str, mean: Callable[[Tensor, Tensor], Tensor]) -> Tensor:
    """The optional elementwise weight of mse/l1/huber: 'mean' is `mean(weighted, weight)`, as torch defines it."""
    if weight is None:
        return _REDUCE[reduction](loss)
    weighted = loss * weight
    return mean(weighted, weight) if reduction == "mean" else _REDUCE[reduction](weighted)


def _pointwise(input: Tensor, target: Tensor, reduction: str, size_average: bool | None, reduce: bool | None,
               weight: Tensor | None, mean: Callable[[Tensor, Tensor], Tensor] | None,
               loss: Callable[[Tensor], Tensor], rounded_once: frozenset = frozenset(),
               kernel: str | None = None) -> Tensor:
    """mse/l1/smooth_l1/huber: broadcast (warning when sizes differ), elementwise loss, optional weight. For the
    dtypes of `rounded_once` each element's loss is computed in float32 and rounded once, as torch's kernel for
    them does (for the others it rounds each step). The checks come in torch's order: the sizes, the
    reduction, then the dtypes the loss's kernel (named `kernel`) takes."""
    _size_warning(input, target)
    a, b = lg.broadcast_tensors(input, target)
    if size_average is not None or reduce is not None:
        reduction = _reduction("mean", size_average, reduce)
    elif weight is None:
        reduction = _reduction(reduction)
    if weight is not None:
        _check_weight(weight, a.shape, reduction)
    if kernel is not None:
        refuse_non_floating(kernel, lg.result_type(input, target))
    dtype = a.dtype
    if dtype in rounded_once and b.dtype is dtype:
        return _weighted(loss(a.float() - b.float()).to(dtype), weight, reduction, mean)
    return _weighted(loss(a - b), weight, reduction, mean)


def _sum_over_weight(weighted: Tensor, weight: Tensor) -> Tensor:
    return weighted.sum() / weight.sum()


def _mean_of_weighted(weighted: Tensor, weight: Tensor) -> Tensor:
    return weighted.mean()


@autocast_op("mse_loss")
@recorded_as("MseLossBackward0", slots=("input", "target"))
def mse_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Squared error; with a weight, 'mean' divides by the weights' sum."""
    return _pointwise(input, _bool_as_input(input, target), reduction, size_average, reduce, weight, _sum_over_weight,
                      lambda d: d * d, kernel="mse_loss")


def _bool_as_input(input: Tensor, target: Tensor) -> Tensor:
    """A bool target of the losses whose kernels promote it (mse, smooth L1, Huber) as the number it is; l1_loss
    subtracts it and refuses it, as torch's."""
    return target.to(lg.result_type(input, target)) if target.dtype is lg.bool and input.dtype is not lg.bool \
        else target


def _in_input_dtype(loss: Callable[[Tensor], Tensor], input: Tensor, target: Tensor) -> Callable[[Tensor], Tensor]:
    """The elementwise loss written in input's dtype, as the kernels building it like input do (Huber, soft
    margin): an input of a dtype the result cannot be cast to is refused with torch's error."""
    computed = lg.result_type(input, target)

    def cast(d: Tensor) -> Tensor:
        if not lg.can_cast(computed, input.dtype):
            raise RuntimeError(f"result type {torch_name(computed)} can't be cast to the desired output type "
                               f"{torch_name(input.dtype)}")
        return loss(d).to(input.dtype)
    return cast


@autocast_op("l1_loss")
def l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Absolute error; with a weight, 'mean' divides by the weights' sum."""
    return _pointwise(input, target, reduction, size_average, reduce, weight, _sum_over_weight, lambda d: d.abs())


def _smooth_l1(d: Tensor, beta: float) -> Tensor:
    a = d.abs()
    return lg.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta)


@autocast_op("smooth_l1_loss")
@recorded_as("SmoothL1LossBackward0")
def smooth_l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Quadratic below beta, linear above (beta 0 is the L1 loss)."""
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    loss = (lambda d: d.abs()) if beta == 0 else (lambda d: _smooth_l1(d, beta))
    return _pointwise(input, _bool_as_input(input, target), reduction, size_average, reduce, None, None, loss,
                      frozenset({lg.bfloat16}), kernel="smooth_l1_loss")


@autocast_op("huber_loss")
@recorded_as("HuberLossBackward0")
def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """delta times the smooth L1 loss of beta delta; with a weight, 'mean' is the weighted losses' mean."""
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")

    def loss(d: Tensor) -> Tensor:
        a = d.abs()
        return lg.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))
    return _pointwise(input, _bool_as_input(input, target), reduction, None, None, weight, _mean_of_weighted,
                      _in_input_dtype(loss, input, target), frozenset({lg.float16}), kernel="huber_loss")


def _target_check(classes: int, ignore_index: int):
    """torch's IndexError for class indices out of range (ignore_index aside)."""
    def check(values: np.ndarray) -> None:
        bad = (values != ignore_index) & ((values < 0) | (values >= classes))
        if bad.any():
            raise IndexError(f"Target {int(values[bad].flat[0])} is out of bounds.")
    return check


def _check_nll(input: Tensor, target: Tensor, weight: Tensor | None) -> None:
    """torch's shape and dtype checks of nll_loss_nd, in its order."""
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    if input.ndim != 1 and (target.ndim == 0 or input.shape[0] != target.shape[0]):
        batch = target.shape[0] if target.ndim else 0
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size ({batch}).")
    if input.ndim <= 2 and target.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input.ndim == 4 and target.ndim != 3:
        raise RuntimeError("only batches of spatial targets supported (3D tensors) but got targets of dimension: "
                           f"{target.ndim}")
    if input.ndim == 4 and tuple(input.shape[2:]) != tuple(target.shape[1:]):
        raise RuntimeError(f"size mismatch (got input: {_sizes(input)} , target: {_sizes(target)}")
    if input.ndim > 2 and tuple(input.shape[2:]) != tuple(target.shape[1:]):
        raise RuntimeError(f"Expected target size {[input.shape[0], *input.shape[2:]]}, got {_sizes(target)}")
    if target.dtype not in (lg.int64, lg.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {torch_name(target.dtype)}")
    if input.ndim == 1 and target.ndim == 1 and target.shape[0] != 1:
        raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {target.shape[0]}")
    classes = input.shape[1 if input.ndim > 1 else 0]
    if weight is not None and (weight.ndim != 1 or weight.numel() != classes):
        raise RuntimeError(f"weight tensor should be defined either for all {classes} classes or no classes but got "
                           f"weight tensor of shape: {_sizes(weight)}")


def _class_losses(scores: Tensor, normalizer: Tensor | None, target: Tensor, weight: Tensor | None,
                  ignore_index: int, smoothing: float) -> tuple[Tensor, Tensor]:
    """Per-element loss of the log-probabilities scores - normalizer (classes on dim 1, or 0 when 1-D; the
    normalizer is a logsumexp, so the (N, C) log-softmax is never stored) at class indices target, mixed
    with label smoothing, and the per-element weight whose sum is the 'mean' divisor. Ignored elements
    weigh 0; their (safe, in-range) index 0 is read but not used."""
    dim = 1 if scores.ndim > 1 else 0
    classes = scores.shape[dim]
    check, values = _target_check(classes, ignore_index), known_values(target)
    if values is not None:
        check(values)
    kept = target != ignore_index
    index = lg.where(kept, target.long(), 0)
    with deferred_checks.trusted():  # (index is in range once target is: its check is the loss's own)
        gathered = scores.gather(dim, index.unsqueeze(dim))
    if values is None:  # (checked when the loss is computed)
        deferred_checks.defer(gathered.lazy, target, check)
    picked = gathered.squeeze(dim)
    w = kept.to(scores.dtype) if weight is None else weight.take(index) * kept
    # (a select, not a product with the 0 weight: with every element ignored the mean is 0/0, and an ignored
    # element's gradient stays 0, as torch's, instead of 0 * inf)
    loss = lg.where(kept, -(picked if normalizer is None else picked - normalizer) * w, 0)
    if smoothing > 0:
        weights = lg.ones(classes, dtype=scores.dtype, device=scores.device) if weight is None else weight
        shaped = weights.view([-1 if d == dim else 1 for d in range(scores.ndim)])
        spread = -(scores * shaped).sum(dim)
        smooth = lg.where(kept, spread if normalizer is None else normalizer * weights.sum() + spread, 0)
        loss = (1 - smoothing) * loss + smooth * (smoothing / classes)
    return loss, w


def _reduce_classes(loss: Tensor, w: Tensor, reduction: str) -> Tensor:
    """'mean' of class-index losses divides by the weight of the elements not ignored."""
    return loss.sum() / w.sum() if reduction == "mean" else _REDUCE[reduction](loss)


def _nll_node(ndim: int, reduction: str) -> str:
    """torch's node for an nll loss of input of ndim dims: nll_loss2d beyond 2, seen through a view when
    torch reshaped the input to 4-D for it and the losses come back unreduced."""
    if ndim <= 2:
        return "NllLossBackward0"
    return "ViewBackward0" if reduction == "none" and ndim != 4 else "NllLoss2DBackward0"


@autocast_op("nll_loss")
@recorded_as(lambda input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean":
             _nll_node(input.ndim, _reduction(reduction, size_average, reduce)), slots=("input",))
def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: bool | None = None,
             ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Minus the log-probability input holds at each target class (classes on dim 1, any trailing dims)."""
    reduction = _reduction(reduction, size_average, reduce)
    _check_nll(input, target, weight)
    refuse_non_floating("nll_loss", input.dtype)
    return _reduce_classes(*_class_losses(input, None, target.reshape(()) if input.ndim == 1 else target, weight,
                                          ignore_index, 0.0), reduction)


def _check_smoothing(label_smoothing: float) -> None:
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")


@autocast_op("cross_entropy")
def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: bool | None = None,
                  ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """log_softmax over the classes (dim 1, or 0 when 1-D) and nll_loss; a target of input's shape holds
    class probabilities instead of indices."""
    reduction = _reduction(reduction, size_average, reduce)
    dim = 1 if input.ndim > 1 else 0
    if not input.dtype.is_floating_point:
        input.log_softmax(dim)  # (torch's refusal, by its log_softmax kernel's name)
    if input.shape == target.shape:
        return _cross_entropy_probabilities(input, target, weight, ignore_index, reduction, label_smoothing, dim)
    if label_smoothing > 0:
        _check_smoothing(label_smoothing)
        return _smoothed_class_cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing, dim)
    return _named_class_cross_entropy(input, target, weight, ignore_index, reduction, 0.0, dim)


def _class_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int, reduction: str,
                         label_smoothing: float, dim: int) -> Tensor:
    """Cross entropy against class indices as one fused expression: logsumexp minus the picked logit (torch
    takes log_softmax, then nll_loss: the same values, with a stored log_softmax and a longer gradient). In
    float16 and bfloat16 torch's log-probabilities are rounded to the dtype, and the loss is made from them."""
    _check_nll(input, target, weight)
    scores, normalizer = ((input.log_softmax(dim), None) if input.dtype in HALF_FLOATS
                          else (input, input.logsumexp(dim)))
    losses = _class_losses(scores, normalizer, target.reshape(()) if input.ndim == 1 else target, weight,
                           ignore_index, label_smoothing)
    return _reduce_classes(*losses, reduction)


# without smoothing torch's result comes from nll_loss: its node (over the logits here, not over a log_softmax)
_named_class_cross_entropy = recorded_as(
    lambda input, target, weight, ignore_index, reduction, label_smoothing, dim: _nll_node(input.ndim, reduction),
    slots=("input",))(_class_cross_entropy)
# with smoothing torch adds the smoothing term to the nll term last
_smoothed_class_cross_entropy = recorded_as("AddBackward0")(_class_cross_entropy)


@recorded_as(lambda input, target, weight, ignore_index, reduction, label_smoothing, dim:
             "DivBackward1" if reduction == "mean" else None, slots=("input",))  # (torch divides by a number last)
def _cross_entropy_probabilities(input: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int,
                                 reduction: str, label_smoothing: float, dim: int) -> Tensor:
    """Cross entropy against class probabilities: 'mean' divides by the number of elements per class."""
    if not target.is_floating_point():
        raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                           f"{torch_name(target.dtype)}")
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    classes = input.shape[dim]
    if weight is not None and (weight.ndim != 1 or weight.numel() != classes):
        raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all {classes} classes or no "
                           f"classes but got weight tensor of shape: {_sizes(weight)}")
    if label_smoothing > 0:
        _check_smoothing(label_smoothing)
        target = target * (1 - label_smoothing) + label_smoothing / classes
    product = input.log_softmax(dim) * target
    if weight is not None:
        product = product * weight.view([-1 if d == dim else 1 for d in range(input.ndim)])
    if reduction == "none":
        return -product.sum(dim)
    total = -product.sum()
    if reduction == "sum":
        return total
    return total / (input.numel() // classes if input.numel() else math.nan)


class _BinaryCrossEntropy(Function):
    """-(t log x + (1 - t) log(1 - x)) with each log at least -100; its gradients are torch's formulas
    (finite where x is exactly 0 or 1, which the clamped logs' own derivatives are not)."""

    @staticmethod
    def forward(ctx, input: Tensor, target: Tensor) -> Tensor:
        ctx.save_for_backward(input, target)
        ctx.save_for_forward(input, target)
        return -(target * input.log().clamp_min(-100) + (1 - target) * (-input).log1p().clamp_min(-100))

    @staticmethod
    def _slopes(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
        """The loss's derivatives with respect to input and to target."""
        return ((input - target) / (input * (1 - input)).clamp_min(1e-12),
                (-input).log1p().clamp_min(-100) - input.log().clamp_min(-100))

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        by_input, by_target = _BinaryCrossEntropy._slopes(*ctx.saved_tensors)
        return grad * by_input, grad * by_target

    @staticmethod
    def jvp(ctx, input_tangent: Tensor | None, target_tangent: Tensor | None) -> Tensor:
        slopes = _BinaryCrossEntropy._slopes(*ctx.saved_tensors)
        return sum(s * t for s, t in zip(slopes, (input_tangent, target_tangent)) if t is not None)


def _check_probabilities(input: Tensor) -> None:
    values = known_values(input)
    if values is not None and values.size and not ((values >= 0) & (values <= 1)).all():
        raise RuntimeError("all elements of input should be between 0 and 1")


@autocast_op("binary_cross_entropy")
@recorded_as("BinaryCrossEntropyBackward0")
def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """Binary cross entropy of probabilities input, each log clamped at -100 as torch does."""
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input size "
                         f"({input.size()}) is deprecated. Please ensure they have the same size.")
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {torch_name(target.dtype)} but expected {torch_name(input.dtype)}")
    refuse_non_floating("binary_cross_entropy", input.dtype)
    _check_probabilities(input)
    loss = _BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight.expand(lg.broadcast_shapes(target.shape, weight.shape))
    return _REDUCE[reduction](loss)


@autocast_op("binary_cross_entropy_with_logits")
@recorded_as("BinaryCrossEntropyWithLogitsBackward0")
def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average: bool | None = None, reduce: bool | None = None,
                                     reduction: str = "mean", pos_weight: Tensor | None = None) -> Tensor:
    """Binary cross entropy of sigmoid(input), from log-sigmoid so that large logits stay finite;
    pos_weight scales the positive term. Each step is rounded to the dtype torch writes it into: the loss
    takes target's dtype (torch builds it in place from 1 - target)."""
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    _check_logits_target(input, target)
    kept = target.dtype
    log_p = log_sigmoid(input)
    if pos_weight is not None:
        log_weight = (pos_weight - 1) * target + 1
        log_p = (log_weight * log_p).to(log_weight.dtype)
    loss = (((1 - target) * input).to(kept) - log_p).to(kept)
    return _REDUCE[reduction](loss if weight is None else (loss * weight).to(kept))


def _check_logits_target(input: Tensor, target: Tensor) -> None:
    """torch computes 1 - target in target's dtype, then writes into it: a bool target is its subtraction's
    error, an integer one its cast error; an integer input has no log-sigmoid."""
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"log_sigmoid_cpu\" not implemented for '{torch_name(input.dtype)}'")
    if target.dtype is lg.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                           "`logical_xor()` operator instead.")
    if not (target.dtype.is_floating_point or target.dtype.is_complex):
        raise RuntimeError(f"result type {torch_name(lg.result_type(input, target))} can't be cast to the desired "
                           f"output type {torch_name(target.dtype)}")


@autocast_op("kl_div")
def kl_div(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL divergence of target from input (log-probabilities); 'batchmean' divides the sum by the batch size."""
    if size_average is not None or reduce is not None:
        reduction = _reduction(reduction, size_average, reduce)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      stacklevel=2)
    elif reduction != "batchmean":
        reduction = _reduction(reduction)
    dtypes = (input.dtype, target.dtype)
    if any(d.is_complex for d in dtypes):
        raise RuntimeError("kl_div: Complex inputs not supported.")
    if any(not d.is_floating_point for d in dtypes):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    loss = target.exp() * (target - input) if log_target else lg.xlogy(target, target) - target * input
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim else loss.sum()
    return _REDUCE[reduction](loss)


@autocast_op("poisson_nll_loss")
def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average: bool | None = None, eps: float = 1e-8, reduce: bool | None = None,
                     reduction: str = "mean") -> Tensor:
    """Poisson negative log-likelihood of target for rate exp(input) (or input); full adds Stirling's term
    for targets above 1."""
    reduction = _reduction(reduction, size_average, reduce)
    loss = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _REDUCE[reduction](loss)


def _gaussian_var(input: Tensor, var: Tensor | float) -> Tensor:
    """var as a tensor broadcasting with input, checked as torch checks it (negative values only when known)."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        return var * lg.ones_like(input)
    values = known_values(var)
    if values is not None and (values < 0).any():
        raise ValueError("var has negative entry/entries")
    if var.shape == input.shape:
        return var
    if tuple(input.shape[:-1]) == tuple(var.shape):
        return var.unsqueeze(-1)
    if input.ndim == var.ndim and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1:
        return var
    raise ValueError("var is of incorrect size")


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor | float, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """Gaussian negative log-likelihood; var is clamped to eps in value only (its gradient passes unclamped)."""
    var = _gaussian_var(input, var)
    reduction = _reduction(reduction, invalid="{} is not valid")
    var = var + (var.detach().clamp_min(eps) - var.detach())
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _REDUCE[reduction](loss)


@autocast_op("soft_margin_loss")
@recorded_as("SoftMarginLossBackward0", slots=("input",))
def soft_margin_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
                     reduction: str = "mean") -> Tensor:
    """log(1 + exp(-target * input)), targets being 1 or -1, in input's dtype."""
    reduction = _reduction(reduction, size_average, reduce)
    return _REDUCE[reduction](_in_input_dtype(lambda t: (-input * t).exp().log1p(), input, target)(target))


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average: bool | None = None, reduce: bool | None = None,
                                reduction: str = "mean") -> Tensor:
    """Binary logistic loss of each class, averaged over the classes (the last dim)."""
    if size_average is not None or reduce is not None:
        reduction = _reduction(reduction, size_average, reduce)
    refuse_non_floating("multilabel_soft_margin_loss", input.dtype)
    loss = -(target * log_sigmoid(input) + (1 - target) * log_sigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(input.ndim - 1) / input.shape[-1]
    if reduction not in _REDUCE:
        raise ValueError(f"{reduction} is not valid")
    return _REDUCE[reduction](loss)


# torch's CPU kernels of the margin losses, which have no float16 or bfloat16 version
_MARGIN_KERNELS = {"multi_margin_loss": "multi_margin_loss_cpu_kernel",
                   "multilabel_margin_loss": "multilabel_margin_loss_forward_out_frame"}


def _check_margin_input(input: Tensor, loss: str) -> None:
    if not ((input.ndim == 2 and input.shape[1] != 0) or (input.ndim == 1 and input.shape[0] != 0)
            or input.ndim == 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{_sizes(input)}")


def _refuse_margin_dtype(input: Tensor, loss: str) -> None:
    """The margin kernels take float and double only (after the shapes are checked; an empty batch never
    reaches them)."""
    if input.dtype not in (lg.float32, lg.float64) and input.numel():
        raise NotImplementedError(f"\"{_MARGIN_KERNELS[loss]}\" not implemented for '{torch_name(input.dtype)}'")


@autocast_op("multi_margin_loss")
@recorded_as("MultiMarginLossBackward0")
def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,
                      size_average: bool | None = None, reduce: bool | None = None,
                      reduction: str = "mean") -> Tensor:
    """Mean over the other classes j of w[y] max(0, margin - x[y] + x[j]) ** p (the target's own
    class excluded by comparing positions, not by a one-hot)."""
    reduction = _reduction(reduction, size_average, reduce)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    _check_margin_input(input, "multi_margin_loss")
    rows = input.reshape(-1, input.shape[-1] if input.ndim else 1)
    samples, classes = rows.shape
    if target.ndim > 1 or target.numel() != samples:
        raise RuntimeError("multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
                           f"samples (batch size). Expected target size {[samples]}, but got {_sizes(target)}. "
                           f"Input has shape {_sizes(input)}.")
    if weight is not None and weight.numel() != classes:
        raise RuntimeError(f"inconsistent weight size, expected {classes} but got {_sizes(weight)}")
    _refuse_margin_dtype(input, "multi_margin_loss")
    values = known_values(target)
    if values is not None and ((values < 0) | (values >= classes)).any():
        raise RuntimeError("target out of range")
    index = target.reshape(samples, 1).long()
    z = (margin - rows.gather(1, index) + rows).clamp_min(0)
    z = z if p == 1 else z * z
    if weight is not None:
        z = z * weight.take(index)
    others = lg.arange(classes, device=input.device) != index
    loss = lg.where(others, z, 0).sum(1) / classes
    return _REDUCE[reduction](loss.reshape(()) if input.ndim <= 1 and target.ndim == 0 else loss)


@autocast_op("multilabel_margin_loss")
@recorded_as("MultilabelMarginLossBackward0")
def multilabel_margin_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
                           reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Sum over target classes j (those before the first -1) and non-target classes k of
    max(0, 1 - x[j] + x[k]), over the number of classes."""
    reduction = _reduction(reduction, size_average, reduce)
    _check_margin_input(input, "multilabel_margin_loss")
    rows = input.reshape(-1, input.shape[-1] if input.ndim else 1)
    samples, classes = rows.shape
    if input.ndim <= 1:
        bad = not (target.ndim <= 1 and target.numel() == classes)
    else:
        bad = not (target.ndim == 2 and tuple(target.shape) == (samples, classes))
    if bad:
        raise RuntimeError(f"inconsistent target size: {_sizes(target)} for input of size: {_sizes(input)}")
    _refuse_margin_dtype(input, "multilabel_margin_loss")
    values = known_values(target)
    if values is not None and ((values < -1) | (values >= classes)).any():
        raise RuntimeError("argument #2 'target' is out of range")
    labels = target.reshape(samples, classes).long()
    valid = (labels < 0).long().cumsum(1) == 0
    index = lg.where(valid, labels, 0)
    is_target = lg.zeros_like(rows).scatter_reduce(1, index, valid.to(rows.dtype), "amax")
    hinge = (1 - rows.gather(1, index).unsqueeze(2) + rows.unsqueeze(1)).clamp_min(0)
    pairs = hinge * (1 - is_target).unsqueeze(1) * valid.unsqueeze(2)
    loss = pairs.sum((1, 2)) / classes
    return _REDUCE[reduction](loss.reshape(()) if input.ndim <= 1 else loss)


@autocast_op("hinge_embedding_loss")
def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average: bool | None = None,
                         reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """input where target is 1, max(0, margin - input) where it is -1 (other targets add both)."""
    reduction = _reduction(reduction, size_average, reduce)
    loss = lg.where(target != 1, (margin - input).clamp_min(0), 0) + lg.where(target != -1, input, 0)
    return _REDUCE[reduction](loss)


@autocast_op("margin_ranking_loss")
def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average: bool | None = None, reduce: bool | None = None,
                        reduction: str = "mean") -> Tensor:
    """max(0, -target * (input1 - input2) + margin)."""
    reduction = _reduction(reduction, size_average, reduce)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ")
    return _REDUCE[reduction]((-target * (input1 - input2) + float(margin)).clamp_min(0))  # (a double, as torch's)


@autocast_op("cosine_embedding_loss")
def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average: bool | None = None, reduce: bool | None = None,
                          reduction: str = "mean") -> Tensor:
    """1 - cos where target is 1, max(0, cos - margin) where it is -1; the squared norms get 1e-12 each."""
    reduction = _reduction(reduction, size_average, reduce)
    if target.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input1.ndim != target.ndim + 1 or input2.ndim != target.ndim + 1:
        raise RuntimeError(f"{target.ndim}D target tensor expects {target.ndim + 1}D input tensors, but found "
                           f"inputs with sizes {_sizes(input1)} and {_sizes(input2)}.")
    dim = target.ndim
    dot = (input1 * input2).sum(dim)
    squares = ((input1 * input1).sum(dim) + 1e-12) * ((input2 * input2).sum(dim) + 1e-12)
    cos = dot / squares.sqrt()
    loss = lg.where(target == 1, 1 - cos, 0) + lg.where(target == -1, (cos - margin).clamp_min(0), 0)
    return _REDUCE[reduction](loss)


def _check_triplet(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float) -> None:
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative "
                           f"{negative.ndim}D inputs")


def _triplet(anchor: Tensor, positive: Tensor, negative: Tensor, distance: Callable[[Tensor, Tensor], Tensor],
             margin: float, swap: bool, reduction: str) -> Tensor:
    """max(0, margin + d(a, p) - d(a, n)); swap takes d(p, n) when smaller than d(a, n)."""
    far = distance(anchor, negative)
    if swap:
        far = lg.minimum(far, distance(positive, negative))
    return _REDUCE[reduction]((margin + distance(anchor, positive) - far).clamp_min(0))


@autocast_op("triplet_margin_loss")
def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average: bool | None = None,
                        reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Triplet loss with the p-norm pairwise distance."""
    reduction = _reduction(reduction, size_average, reduce)
    _check_triplet(anchor, positive, negative, margin)
    return _triplet(anchor, positive, negative, lambda a, b: lg.pairwise_distance(a, b, p, eps), margin, swap,
                    reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
                                      margin: float = 1.0, swap: bool = False, reduction: str = "mean") -> Tensor:
    """Triplet loss with any distance function (pairwise_distance by default)."""
    reduction = _reduction(reduction)
    _check_triplet(anchor, positive, negative, margin)
    return _triplet(anchor, positive, negative, distance_function or lg.pairwise_distance, margin, swap, reduction)


# ---- connectionist temporal classification ------------------------------------------------------------------

@differentiable("ctc_loss")
def _ctc(log_probs: Tensor, targets: Tensor, input_lengths: Tensor, target_lengths: Tensor, blank: int,
         zero_infinity: bool, width: int) -> tuple[Tensor, Tensor]:
    """Each sample's negative log-likelihood (N,) and the forward variables (T, N, 2 * width + 1) it came from:
    one library call (lazygrad/ctc_alignment.py), as the recursion's length depends on the lengths' values."""
    steps, n, _ = log_probs.shape
    return tuple(library_call("ctc_loss", (blank,), [log_probs, targets, input_lengths, target_lengths],
                              [(n,), (steps, n, 2 * width + 1)]))


@differentiable("ctc_loss_backward")
def ctc_loss_backward(grad: Tensor, log_probs: Tensor, targets: Tensor, input_lengths: Tensor,
                      target_lengths: Tensor, nll: Tensor, alpha: Tensor, blank: int, zero_infinity: bool) -> Tensor:
    """torch's CTC gradient with respect to log_probs (exact once through log_softmax), from the backward
    recursion; it has no derivative of its own, as in torch."""
    return library_call("ctc_loss_backward", (blank, zero_infinity),
                        [grad, log_probs, targets, input_lengths, target_lengths, nll, alpha], [log_probs.shape])[0]


def _lengths(values, batch: int, what: str, device) -> Tensor:
    lengths = values if isinstance(values, Tensor) else lg.tensor(list(values), dtype=lg.int64)
    if lengths.numel() != batch:
        raise RuntimeError(f"{what} must be of size batch_size")
    return lengths.reshape(batch).to(device=device, dtype=lg.int64)


def _check_ctc(steps: int, targets: Tensor, input_lengths: np.ndarray, target_lengths: np.ndarray) -> None:
    where = " (while checking arguments for ctc_loss_allocate_outputs)"
    if input_lengths.size and input_lengths.max() > steps:
        raise RuntimeError(f"Expected input_lengths to have value at most {steps}, but got value "
                           f"{int(input_lengths.max())}{where}")
    width = int(target_lengths.max()) if target_lengths.size else 0
    if targets.ndim == 2 and targets.shape[1] < width:
        raise RuntimeError(f"Expected tensor to have size at least {width} at dimension 1, but got size "
                           f"{targets.shape[1]} for argument #2 'targets'{where}")
    if targets.ndim == 1 and targets.shape[0] < target_lengths.sum():
        raise RuntimeError(f"Expected tensor to have size at least {int(target_lengths.sum())} at dimension 0, "
                           f"but got size {targets.shape[0]} for argument #2 'targets'{where}")


@autocast_op("ctc_loss")
def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """The connectionist temporal classification loss of log_probs (T, N, C) (or (T, C)) for target label
    sequences, summed over every alignment; 'mean' divides each sample's loss by its target length first."""
    reduction = _reduction(reduction)
    unbatched = log_probs.ndim == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
        targets = targets.unsqueeze(0) if targets.ndim == 1 else targets
    steps, batch, _ = log_probs.shape
    input_lengths = _lengths(input_lengths, batch, "input_lengths", log_probs.device)
    target_lengths = _lengths(target_lengths, batch, "target_lengths", log_probs.device)
    il, tl = (np.asarray(t.cpu().numpy()) for t in lg.realize(input_lengths, target_lengths))
    if not 0 <= blank < log_probs.shape[2]:
        raise RuntimeError("blank must be in label range")
    _check_ctc(steps, targets, il, tl)
    width = int(tl.max()) if tl.size else 0
    nll, _ = _ctc(log_probs, targets, input_lengths, target_lengths, blank, zero_infinity, width)
    if zero_infinity:
        nll = lg.where(nll == math.inf, lg.zeros((), dtype=nll.dtype, device=nll.device), nll)
    if reduction == "none":
        return nll.squeeze(0) if unbatched else nll
    if reduction == "sum":
        return nll.sum()
    return (nll / target_lengths.clamp_min(1).to(nll.dtype)).mean()
