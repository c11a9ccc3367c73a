"""torch's argument-parser refusal of a non-tensor where a function has only a Tensor overload
(`torch.maximum(x, 2)`, `x.atan2(2)`): a TypeError naming the function, the parameter and its position.
Functions check their own arguments; a method counts positions from the argument after self, as torch does."""
from __future__ import annotations

import functools
import inspect
from typing import Callable

from .tensor import Tensor
from .dtypes import NUMBER_TYPES, qualified_name


def type_name(value) -> str:
    """A value's type as torch's parser names it: builtins bare, others with their module, tensors as Tensor."""
    if isinstance(value, Tensor):
        return "Tensor"
    return qualified_name(type(value))


def refuse(fn: str, param: str, value, position: int | None = None) -> None:
    """torch's message for a parameter given something other than a tensor (a keyword has no position)."""
    where = "" if position is None else f" (position {position})"
    raise TypeError(f"{fn}(): argument '{param}'{where} must be Tensor, not {type_name(value)}")


def tensor_list(fn: str, tensors) -> list:
    """The tensors of a `tensors` argument as a list; torch's TypeError for a tensor or a number in its place,
    or for an element that is not a tensor."""
    if isinstance(tensors, Tensor) or not hasattr(tensors, "__iter__"):
        raise TypeError(f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type_name(t)}")
    return tensors


def _check(fn: str, params: tuple[str, ...], args: tuple, kwargs: dict, first: int) -> None:
    for position, (param, value) in enumerate(zip(params, args), first):
        if not isinstance(value, Tensor):
            refuse(fn, param, value, position)
    for param in params[len(args):]:
        if param in kwargs and not isinstance(kwargs[param], Tensor):
            refuse(fn, param, kwargs[param])


def tensor_parameters(*params: str, name: str | None = None) -> Callable:
    """Decorates a function whose first parameters `params` take only tensors."""
    def wrap(fn: Callable) -> Callable:
        fn_name = name or fn.__name__

        @functools.wraps(fn)
        def checked(*args, **kwargs):
            _check(fn_name, params, args, kwargs, 1)
            return fn(*args, **kwargs)
        checked.tensor_parameters = params
        return checked
    return wrap


def as_method(fn: Callable, name: str) -> Callable:
    """fn as the Tensor method `name`: its tensor parameters after self are counted from position 1."""
    params = getattr(fn, "tensor_parameters", None)
    if params is None or len(params) < 2:
        return fn
    unchecked = fn.__wrapped__

    def method(self, *args, **kwargs):
        _check(name, params[1:], args, kwargs, 1)
        return unchecked(self, *args, **kwargs)
    method.__dict__.update(fn.__dict__)
    return method


# torch's top-level functions whose every overload takes a tensor first: its name is `input`, or as listed
FIRST_IS_INPUT = frozenset("""
    abs abs_ absolute acos acos_ acosh acosh_ adaptive_avg_pool1d adaptive_max_pool1d addmm adjoint alias_copy
    all allclose alpha_dropout alpha_dropout_ amax amin aminmax angle any arccos arccos_ arccosh arccosh_ arcsin
    arcsin_ arcsinh arcsinh_ arctan arctan2 arctan_ arctanh arctanh_ argmax argmin argsort argwhere as_strided
    as_strided_ as_strided_copy as_strided_scatter asin asin_ asinh asinh_ atan atan2 atan_ atanh atanh_
    avg_pool1d baddbmm batch_norm bernoulli binary_cross_entropy_with_logits bincount bitwise_not bmm
    broadcast_to ceil ceil_ celu celu_ channel_shuffle cholesky cholesky_inverse cholesky_solve chunk clamp
    clamp_ clamp_max clamp_max_ clamp_min clamp_min_ clip clip_ clone combinations conj conj_physical
    conj_physical_ constant_pad_nd conv1d conv2d conv3d conv_tbc conv_transpose1d conv_transpose2d
    conv_transpose3d convolution copysign corrcoef cos cos_ cosh cosh_ count_nonzero cov cross cummax cummin
    cumprod cumsum deg2rad deg2rad_ det detach detach_ detach_copy diag diag_embed diagflat diagonal
    diagonal_copy diagonal_scatter diff digamma dist div divide dot dropout dropout_ dsplit embedding_renorm_
    empty_like eq equal erf erf_ erfc erfc_ erfinv exp exp2 exp2_ exp_ expand_copy expm1 expm1_
    feature_alpha_dropout feature_alpha_dropout_ feature_dropout feature_dropout_ fill fill_ fix fix_ flatten
    flip fliplr flipud floor floor_ floor_divide fmax fmin fmod frac frac_ frexp frobenius_norm full_like gather
    gcd gcd_ ge geqrf ger get_device gradient greater greater_equal grid_sampler grid_sampler_2d grid_sampler_3d
    group_norm gru_cell gt hardshrink hash_tensor heaviside hinge_embedding_loss histc histogram histogramdd
    hsplit hypot i0
    i0_ igamma igammac imag index_add index_copy index_fill index_put index_put_ index_reduce index_select inner
    instance_norm inverse is_complex is_conj is_distributed is_floating_point is_inference is_neg is_nonzero
    is_same_size is_signed isclose isfinite isinf isnan isneginf isposinf isreal istft kl_div kron kthvalue
    layer_norm lcm lcm_ ldexp ldexp_ le lerp less less_equal lgamma log log10 log10_ log1p log1p_ log2 log2_
    log_ log_softmax logaddexp logaddexp2 logcumsumexp logdet logical_and logical_not logical_or logical_xor
    logit logit_ logsumexp lstm_cell lt lu_solve masked_fill masked_scatter masked_select matmul matrix_exp
    matrix_power max max_pool1d max_pool1d_with_indices max_pool2d max_pool3d maximum mean median min minimum mm
    mode moveaxis movedim msort mul multinomial multiply mv mvlgamma nan_to_num nan_to_num_ nanmean nanmedian
    nanquantile nansum narrow narrow_copy native_batch_norm native_channel_shuffle native_dropout
    native_group_norm native_layer_norm native_norm ne neg neg_ negative negative_ nextafter nonzero
    nonzero_static not_equal nuclear_norm numel ones_like orgqr ormqr outer pdist permute permute_copy pinverse
    pixel_shuffle pixel_unshuffle poisson poisson_nll_loss positive prelu prod put qr quantile rad2deg rad2deg_
    rand_like randint_like randn_like ravel real reciprocal reciprocal_ relu relu_ renorm reshape resize_as_
    resolve_conj resolve_neg rms_norm rnn_relu_cell rnn_tanh_cell roll rot90 round round_ rrelu rrelu_ rsqrt
    rsqrt_ rsub scatter scatter_add scatter_reduce select select_copy select_scatter selu selu_ sgn sigmoid
    sigmoid_ sign signbit sin sin_ sinc sinc_ sinh sinh_ slice_copy slice_inverse slice_scatter slogdet smm
    softmax sort split_copy split_with_sizes split_with_sizes_copy sqrt sqrt_ square square_ squeeze
    squeeze_copy std std_mean subtract sum svd swapaxes swapdims t t_copy take take_along_dim tan tan_ tanh
    tanh_ tensor_split threshold threshold_ tile topk trace transpose transpose_copy triangular_solve tril triu
    true_divide trunc trunc_ unbind unbind_copy unflatten unfold_copy unique_consecutive unsafe_chunk
    unsafe_split unsafe_split_with_sizes unsqueeze unsqueeze_copy var var_mean vdot view_as_complex
    view_as_complex_copy view_as_real view_as_real_copy view_copy vsplit xlogy_ zero_ zeros_like
""".split())
FIRST_NAMED = {
    "affine_grid_generator": "theta", "bilinear": "input1", "binomial": "count", "complex": "real",
    "cosine_embedding_loss": "input1", "cosine_similarity": "x1", "ctc_loss": "log_probs",
    "cumulative_trapezoid": "y", "embedding": "weight", "embedding_bag": "weight", "hspmm": "mat1", "lu_unpack":
    "LU_data", "margin_ranking_loss": "input1", "norm_except_dim": "v", "pairwise_distance": "x1", "polar":
    "abs", "searchsorted": "sorted_sequence", "segment_reduce": "data", "trapezoid": "y", "trapz": "y",
    "triplet_margin_loss": "anchor", "vander": "x", "where": "condition",
}


# torch's top-level functions whose later leading parameters take only tensors too: their names after the first
# (the first named above, or in _FIRST_OF_LATER where an old overload of torch's takes a number there)
LATER_TENSORS = {
    "addbmm": ("batch1", "batch2"), "addmm": ("mat1", "mat2"), "addmv": ("mat", "vec"), "addr": ("vec1", "vec2"),
    "baddbmm": ("batch1", "batch2"), "bmm": ("mat2",), "mm": ("mat2",), "mv": ("vec",), "smm": ("mat2",),
    "hspmm": ("mat2",), "dot": ("tensor",), "vdot": ("other",), "ger": ("vec2",), "outer": ("vec2",),
    "inner": ("other",), "kron": ("other",), "cross": ("other",), "dist": ("other",), "cdist": ("x2",),
    "logaddexp": ("other",), "logaddexp2": ("other",), "is_same_size": ("other",), "polar": ("angle",),
    "complex": ("imag",), "masked_select": ("mask",), "masked_scatter": ("mask", "source"),
    "put": ("index", "source"), "take_along_dim": ("indices",), "diagonal_scatter": ("src",),
    "slice_scatter": ("src",), "slice_inverse": ("src",), "cholesky_solve": ("input2",), "orgqr": ("input2",),
    "ormqr": ("input2", "input3"), "triangular_solve": ("A",), "lu_solve": ("LU_data", "LU_pivots"),
    "lu_unpack": ("LU_pivots",), "embedding": ("indices",), "embedding_bag": ("indices", "offsets"),
    "conv_transpose1d": ("weight",), "conv_transpose2d": ("weight",), "conv_transpose3d": ("weight",),
    "prelu": ("weight",), "bilinear": ("input2", "weight"), "kl_div": ("target",),
    "binary_cross_entropy_with_logits": ("target",), "hinge_embedding_loss": ("target",),
    "poisson_nll_loss": ("target",), "cosine_embedding_loss": ("input2", "target"),
    "margin_ranking_loss": ("input2", "target"), "triplet_margin_loss": ("positive", "negative"),
    "cosine_similarity": ("x2",), "pairwise_distance": ("x2",), "binomial": ("prob",),
}


_FIRST_OF_LATER = {"addbmm": "input", "addmv": "input", "addr": "input", "cdist": "x1"}


# the arithmetic torch's parser lets a Python number stand in for a tensor (`torch.mul(2, x)`)
NUMBERS_AS_TENSORS = frozenset({"add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide",
                                "floor_divide"})


def first_name(name: str) -> str | None:
    """The name torch gives the first parameter of its top-level function `name` when that takes only tensors."""
    return FIRST_NAMED.get(name, "input" if name in FIRST_IS_INPUT else _FIRST_OF_LATER.get(name))


def _first_parameter(fn: Callable) -> str | None:
    try:
        return next(iter(inspect.signature(fn).parameters), None)
    except (TypeError, ValueError):
        return None


def _first_checked(fn: Callable, name: str, param: str) -> Callable:
    takes = (Tensor, *NUMBER_TYPES) if name in NUMBERS_AS_TENSORS else Tensor
    renamed = _first_parameter(fn) not in (param, None)  # (linalg's A as torch.det's input)
    later = LATER_TENSORS.get(name, ())

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        if args:
            if not isinstance(args[0], takes):
                refuse(name, param, args[0], 1)
            for position, (other, value) in enumerate(zip(later, args[1:]), 2):
                if not isinstance(value, Tensor):
                    refuse(name, other, value, position)
        elif param in kwargs:
            if not isinstance(kwargs[param], takes):
                refuse(name, param, kwargs[param])
            if renamed:
                args = (kwargs.pop(param),)
        return fn(*args, **kwargs)
    checked.tensor_parameters = (param, *later)
    return checked


def first_checked(name: str, fn):
    """fn as the top-level function `name`: checked when torch's parser gives it a tensor first (and, for the
    functions of LATER_TENSORS, tensors after it)."""
    param = first_name(name)
    checks_itself = getattr(fn, "tensor_parameters", None) and getattr(fn, "__name__", None) == name and \
        len(fn.tensor_parameters) > len(LATER_TENSORS.get(name, ()))
    if param is None or not callable(fn) or checks_itself:
        return fn
    return _first_checked(fn, name, param)


def check_first_arguments(namespace: dict) -> None:
    """Wraps the namespace's functions that torch's parser gives a tensor first, so that a number or a list
    there is torch's TypeError, not an error from deep inside (methods need no check: self is a tensor)."""
    for name in (*FIRST_IS_INPUT, *FIRST_NAMED, *_FIRST_OF_LATER):
        if name in namespace:
            namespace[name] = first_checked(name, namespace[name])
