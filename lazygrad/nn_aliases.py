"""torch's top-level spellings of nn.functional ops (torch.conv2d, torch.max_pool2d, ...) and the two that
are Tensor methods too. Most are the functional op itself; a few take their arguments in aten's order,
aten's integer enums (a loss's reduction, grid_sampler's modes) or aten's (input, p, train) dropout form, or
always return indices. Nothing here imports lazygrad.nn until one of them is used: `import lazygrad` stays
as cheap as the tensor core."""
from __future__ import annotations

import importlib
from typing import Callable

from .tensor import Tensor

SAME_AS_FUNCTIONAL = (
    "adaptive_avg_pool1d", "avg_pool1d", "bilinear", "celu", "celu_", "channel_shuffle",
    "constant_pad_nd", "conv1d", "conv2d", "conv3d", "conv_tbc", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "convolution", "hardshrink", "max_pool1d", "max_pool2d", "max_pool3d", "pixel_shuffle",
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


# ---- losses: aten's integer reduction (0 none, 1 mean, 2 sum; any other value: none) -------------------------

_REDUCTIONS = {1: "mean", 2: "sum"}
# torch's Python binding reads an omitted `reduction` as 0, not as the 1 its schema gives: leaving it out
# returns the unreduced losses
NONE = 0


def _reduction(reduction: int) -> str:
    return _REDUCTIONS.get(reduction, "none")


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     pos_weight: Tensor | None = None, reduction: int = NONE) -> Tensor:
    return _functional().binary_cross_entropy_with_logits(input, target, weight, reduction=_reduction(reduction),
                                                          pos_weight=pos_weight)


def kl_div(input: Tensor, target: Tensor, reduction: int = NONE, *, log_target: bool = False) -> Tensor:
    """Without nn.functional's warning about 'mean' (a plain mean over every element here, as in aten)."""
    loss = _functional().kl_div(input, target, reduction="none", log_target=log_target)
    return {"mean": loss.mean, "sum": loss.sum}.get(_reduction(reduction), lambda: loss)()


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          reduction: int = NONE) -> Tensor:
    return _functional().cosine_embedding_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, reduction: int = NONE) -> Tensor:
    return _functional().hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        reduction: int = NONE) -> Tensor:
    return _functional().margin_ranking_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool, full: bool, eps: float,
                     reduction: int) -> Tensor:
    return _functional().poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=_reduction(reduction))


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, reduction: int = NONE) -> Tensor:
    return _functional().triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                             reduction=_reduction(reduction))


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths, target_lengths, blank: int = 0,
             reduction: int = NONE, zero_infinity: bool = False) -> Tensor:
    return _functional().ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, _reduction(reduction),
                                  zero_infinity)


# ---- sampling grids: aten's integer modes -------------------------------------------------------------------

_INTERPOLATIONS = ("bilinear", "nearest", "bicubic")
_PADDINGS = ("zeros", "border", "reflection")


def grid_sampler(input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int,
                 align_corners: bool) -> Tensor:
    return _functional().grid_sample(input, grid, _INTERPOLATIONS[interpolation_mode], _PADDINGS[padding_mode],
                                     align_corners)


def _grid_sampler_nd(dims: int) -> Callable:
    def sampler(input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int,
                align_corners: bool) -> Tensor:
        if input.ndim != dims + 2 or grid.ndim != dims + 2:
            raise RuntimeError(f"grid_sampler(): expected {dims + 2}D input and grid with same number of dimensions, "
                               f"but got input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
        return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)
    sampler.__name__ = sampler.__qualname__ = f"grid_sampler_{dims}d"
    return sampler


grid_sampler_2d, grid_sampler_3d = _grid_sampler_nd(2), _grid_sampler_nd(3)


def affine_grid_generator(theta: Tensor, size, align_corners: bool) -> Tensor:
    return _functional().affine_grid(theta, size, align_corners)


# ---- dropout in aten's form: (input, p, train), RuntimeError for a bad p; `_` forms write in place ---------

def _dropout(per_channel: bool, alpha: bool, inplace: bool) -> Callable:
    def function(input: Tensor, p: float, train: bool) -> Tensor:
        if not 0 <= p <= 1:
            raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p:g}")
        layers = importlib.import_module("lazygrad.nn.functional.layers")
        return layers._dropout_family(input, p, train, inplace, per_channel, alpha)
    return function


_DROPOUTS = {"dropout_": (False, False, True), "alpha_dropout": (False, True, False),
             "alpha_dropout_": (False, True, True), "feature_dropout": (True, False, False),
             "feature_dropout_": (True, False, True), "feature_alpha_dropout": (True, True, False),
             "feature_alpha_dropout_": (True, True, True)}


def embedding_renorm_(input: Tensor, indices: Tensor, max_norm: float, norm_type: float) -> Tensor:
    """The rows of input that indices name rescaled, in place, to norm at most max_norm."""
    importlib.import_module("lazygrad.nn.functional.embedding")._renorm_rows(input, indices, max_norm, norm_type)
    return input


_EMBEDDING_BAG_MODES = ("sum", "mean", "max")


def embedding_bag(weight: Tensor, indices: Tensor, offsets: Tensor, scale_grad_by_freq: bool = False, mode: int = 0,
                  sparse: bool = False, per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """aten's form: the bags' embeddings and what its backward keeps (offset2bag, bag_size, max_indices), with
    the CPU kernel's conventions: the plain float32 sum leaves offset2bag empty and the sizes zero, and mean
    gives the bag sizes again as max_indices."""
    from .embedding_bags import bag_statistics
    output = _functional().embedding_bag(indices, weight, offsets, None, 2, scale_grad_by_freq,
                                         _EMBEDDING_BAG_MODES[mode], sparse, per_sample_weights, include_last_offset,
                                         padding_idx)
    return (output, *bag_statistics(weight, indices, offsets, _EMBEDDING_BAG_MODES[mode], include_last_offset,
                                    padding_idx))


_WRAPPERS = {f.__name__: f for f in (
    adaptive_max_pool1d, max_pool1d_with_indices, embedding, group_norm, batch_norm, instance_norm,
    binary_cross_entropy_with_logits, kl_div, cosine_embedding_loss, hinge_embedding_loss, margin_ranking_loss,
    poisson_nll_loss, triplet_margin_loss, ctc_loss, grid_sampler, grid_sampler_2d, grid_sampler_3d,
    affine_grid_generator, embedding_renorm_, embedding_bag)}
for _name, _form in _DROPOUTS.items():
    _WRAPPERS[_name] = _dropout(*_form)
    _WRAPPERS[_name].__name__ = _WRAPPERS[_name].__qualname__ = _name
del _name, _form
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
