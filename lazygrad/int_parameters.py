"""torch's argument parser for int and int-list parameters (dims, counts, sizes, offsets): a Python int, a NumPy
integer or an integer tensor of one element stands for an int; anything else (a float, a bool, a string, None
where torch takes none) is torch's TypeError naming the function, the parameter and its position. Top-level
functions and Tensor methods check these arguments where they enter, from the table below (torch's signatures,
checked against its stubs by tests/test_int_parameters.py); everything past the boundary sees Python ints. A call
whose argument count fits none of the signatures gets the parser's TypeError as well (the parameters missing, or
the invalid combination), and sizes spread over varargs are also taken by their name (spread_or_named)."""
from __future__ import annotations

import functools
import inspect
import operator
import sys
from typing import Callable

import numpy as np

from .tensor import Tensor
from .tensor_parameters import first_name, refuse, type_name

# name; where torch has it (f= torch.name, m= Tensor.name), with the fewest and most arguments of each of its
# signatures (the parser names the parameter at fault when one signature could take the call's number of
# arguments, else it lists them all as an invalid combination); its int parameters: int, int[1] (an int or a
# sequence of ints), ints (a sequence of ints), with ? where None is taken too
INT_PARAMETERS_TABLE = """
    adaptive_avg_pool1d              f=2-2                               output_size:int[1]
    adaptive_max_pool1d              f=2-2                               output_size:int[1]
    affine_grid_generator            f=3-3                               size:ints
    all                              f=1-2,1-4,2-4 m=0-0,0-2,1-2         dim:int[1]?
    amax                             f=1-4 m=0-2                         dim:int[1]?
    amin                             f=1-4 m=0-2                         dim:int[1]?
    aminmax                          f=1-4 m=0-2                         dim:int?
    any                              f=1-2,1-4,2-4 m=0-0,0-2,1-2         dim:int[1]?
    argmax                           f=1-4 m=0-2                         dim:int?
    argmin                           f=1-4 m=0-2                         dim:int?
    argsort                          f=2-5,1-3 m=1-3,0-2                 dim:int
    as_strided                       f=3-4 m=2-3                         size:ints stride:ints storage_offset:int?
    as_strided_scatter               f=4-5 m=3-4                         size:ints stride:ints storage_offset:int?
    avg_pool1d                       f=2-6                               kernel_size:int[1] stride:int[1]? padding:int[1]
    bartlett_window                  f=1-6,2-7                           window_length:int
    binary_cross_entropy_with_logits f=2-5                               reduction:int
    bincount                         f=1-3 m=0-2                         minlength:int
    blackman_window                  f=1-6,2-7                           window_length:int
    cat                              f=1-3                               dim:int
    channel_shuffle                  f=2-2                               groups:int
    chunk                            f=2-3 m=1-2                         chunks:int dim:int
    combinations                     f=1-3                               r:int
    concat                           f=1-3                               dim:int
    concatenate                      f=1-3                               dim:int
    constant_pad_nd                  f=2-3                               pad:ints
    conv1d                           f=2-7,2-7                           stride:int[1] dilation:int[1] groups:int
    conv2d                           f=2-7,2-7                           stride:int[1] dilation:int[1] groups:int
    conv3d                           f=2-7,2-7                           stride:int[1] dilation:int[1] groups:int
    conv_tbc                         f=3-4                               pad:int
    conv_transpose1d                 f=2-8                               stride:int[1] padding:int[1] output_padding:int[1] groups:int dilation:int[1]
    conv_transpose2d                 f=2-8                               stride:int[1] padding:int[1] output_padding:int[1] groups:int dilation:int[1]
    conv_transpose3d                 f=2-8                               stride:int[1] padding:int[1] output_padding:int[1] groups:int dilation:int[1]
    convolution                      f=9-9                               stride:ints padding:ints dilation:ints output_padding:ints groups:int
    cosine_embedding_loss            f=3-5                               reduction:int
    cosine_similarity                f=2-4                               dim:int
    count_nonzero                    f=1-2,2-2 m=0-1,1-1                 dim:int[1]?
    cov                              f=1-4 m=0-3                         correction:int
    cross                            f=2-4 m=1-2                         dim:int?
    ctc_loss                         f=4-7,4-7                           blank:int reduction:int
    cummax                           f=2-3 m=1-1                         dim:int
    cummin                           f=2-3 m=1-1                         dim:int
    cumprod                          f=2-4 m=1-2                         dim:int
    cumprod_                         m=1-2                               dim:int
    cumsum                           f=2-4 m=1-2                         dim:int
    cumsum_                          m=1-2                               dim:int
    cumulative_trapezoid             f=2-3,1-3                           dim:int
    diag                             f=1-3 m=0-1                         diagonal:int
    diag_embed                       f=1-4 m=0-3                         offset:int dim1:int dim2:int
    diagflat                         f=1-2 m=0-1                         offset:int
    diagonal                         f=1-4 m=0-3                         offset:int dim1:int dim2:int
    diagonal_scatter                 f=2-5 m=1-4                         offset:int dim1:int dim2:int
    diff                             f=1-6 m=0-4                         n:int dim:int
    embedding                        f=2-5                               padding_idx:int
    embedding_bag                    f=9-9,3-8                           mode:int padding_idx:int?
    empty_permuted                   f=2-7                               size:ints physical_layout:ints
    empty_strided                    f=2-7                               size:ints stride:ints
    eye                              f=1-7,2-8                           n:int m:int
    flatten                          f=1-3 m=0-2                         start_dim:int end_dim:int
    flip                             f=2-2                               dims:ints
    frobenius_norm                   f=2-4                               dim:int[1]
    from_file                        f=1-8                               size:int?
    full                             f=2-8                               size:ints
    gather                           f=3-5 m=2-3                         dim:int
    gradient                         f=1-4,2-4,3-4,2-4,3-4,3-4,2-3       dim:int[1]? edge_order:int
    grid_sampler                     f=5-5                               interpolation_mode:int padding_mode:int
    grid_sampler_2d                  f=5-5                               interpolation_mode:int padding_mode:int
    grid_sampler_3d                  f=5-5                               interpolation_mode:int padding_mode:int
    group_norm                       f=2-6                               num_groups:int
    hamming_window                   f=1-6,2-7,3-8,4-9                   window_length:int
    hann_window                      f=1-6,2-7                           window_length:int
    hash_tensor                      f=1-5 m=0-3                         dim:int[1]? mode:int
    hinge_embedding_loss             f=2-4                               reduction:int
    histc                            f=1-5 m=0-3                         bins:int
    index_add                        f=4-6 m=3-4                         dim:int
    index_copy                       f=4-5 m=3-3                         dim:int
    index_fill                       f=4-4,4-4 m=3-3,3-3                 dim:int
    index_reduce                     f=5-7 m=4-5                         dim:int
    index_select                     f=3-4 m=2-2                         dim:int
    istft                            f=2-10 m=1-9                        n_fft:int hop_length:int? win_length:int? length:int?
    kaiser_window                    f=1-6,2-7,3-8                       window_length:int
    kl_div                           f=2-4                               reduction:int
    kthvalue                         f=2-5 m=1-3                         k:int dim:int
    layer_norm                       f=2-6                               normalized_shape:ints
    linspace                         f=2-8,3-9,3-9,3-9,3-9               steps:int?
    log_softmax                      f=2-4 m=1-2                         dim:int
    logcumsumexp                     f=2-3 m=1-1                         dim:int
    logspace                         f=2-9,3-10,3-10,3-10,3-10           steps:int?
    logsumexp                        f=2-4 m=1-2                         dim:int[1]
    margin_ranking_loss              f=3-5                               reduction:int
    matrix_power                     f=2-3 m=1-1                         n:int
    max_pool1d                       f=2-6                               kernel_size:int[1] stride:int[1]? padding:int[1] dilation:int[1]
    max_pool1d_with_indices          f=2-6                               kernel_size:int[1] stride:int[1]? padding:int[1] dilation:int[1]
    max_pool2d                       f=2-6                               kernel_size:int[1] stride:int[1]? padding:int[1] dilation:int[1]
    max_pool3d                       f=2-6                               kernel_size:int[1] stride:int[1]? padding:int[1] dilation:int[1]
    mean                             f=1-3,2-5 m=0-1,1-3                 dim:int[1]?
    median                           f=1-1,2-4 m=0-0,1-2                 dim:int
    mode                             f=1-4 m=0-2                         dim:int
    moveaxis                         f=3-3,3-3 m=2-2,2-2                 source:int[1] destination:int[1]
    movedim                          f=3-3,3-3 m=2-2,2-2                 source:int[1] destination:int[1]
    multinomial                      f=2-5 m=1-3                         num_samples:int
    mvlgamma                         f=2-3 m=1-1                         p:int
    nanmean                          f=1-5 m=0-3                         dim:int[1]?
    nanmedian                        f=1-1,2-4 m=0-0,1-2                 dim:int
    nanquantile                      f=2-6,2-6 m=1-4,1-4                 dim:int?
    nansum                           f=1-5 m=0-3                         dim:int[1]?
    narrow                           f=4-4,4-4 m=3-3,3-3                 dim:int length:int
    narrow_copy                      f=4-5 m=3-3                         dim:int start:int length:int
    native_channel_shuffle           f=2-2                               groups:int
    native_group_norm                f=8-8                               N:int C:int HxW:int group:int
    native_layer_norm                f=5-5                               normalized_shape:ints
    native_norm                      f=5-5,1-2                           dim:int[1]
    new_empty_strided                m=2-7                               size:ints stride:ints
    new_full                         m=2-7                               size:ints
    nonzero_static                   f=2-4 m=1-2                         size:int fill_value:int
    norm_except_dim                  f=1-3                               pow:int dim:int
    normal                           f=2-4,1-4,2-4,3-10                  size:ints
    pixel_shuffle                    f=2-2                               upscale_factor:int
    pixel_unshuffle                  f=2-2                               downscale_factor:int
    poisson_nll_loss                 f=6-6                               reduction:int
    polygamma                        f=2-3 m=1-1                         n:int
    prod                             f=1-2,2-5 m=0-1,1-3                 dim:int
    quantile                         f=2-6,2-6 m=1-4,1-4                 dim:int?
    randperm                         f=2-8,1-7                           n:int
    renorm                           f=4-5 m=3-3                         dim:int
    repeat_interleave                f=2-4,1-2,2-4 m=1-3,1-3             dim:int? output_size:int?
    rms_norm                         f=2-4                               normalized_shape:ints
    roll                             f=2-3 m=1-2                         shifts:int[1] dims:int[1]?
    rot90                            f=1-3 m=0-2                         k:int dims:ints
    round                            f=1-2,2-3 m=0-0,1-1                 decimals:int
    scatter                          f=5-6,4-5,5-6,4-5 m=3-3,4-4,4-4,3-3 dim:int
    scatter_add                      f=4-5 m=3-3                         dim:int
    scatter_reduce                   f=5-7 m=4-5                         dim:int
    segment_reduce                   f=2-8                               axis:int
    select                           f=3-3 m=2-2                         dim:int index:int
    select_scatter                   f=4-4 m=3-3                         dim:int index:int
    slice_inverse                    f=2-6 m=1-5                         dim:int start:int? end:int? step:int
    slice_scatter                    f=2-7 m=1-5                         dim:int start:int? end:int? step:int
    softmax                          f=2-4 m=1-2                         dim:int
    sort                             f=2-5,1-4 m=1-3,0-2                 dim:int
    sparse_coo_tensor                f=2-8                               size:ints?
    sparse_csc_tensor                f=3-8                               size:ints?
    sparse_csr_tensor                f=3-8                               size:ints?
    split                            m=1-2,1-2                           dim:int
    split_with_sizes                 f=2-3 m=1-2                         split_sizes:ints dim:int
    squeeze                          f=1-1,2-2,2-2 m=0-0,1-1,1-1         dim:int[1]
    stack                            f=1-3                               dim:int
    sum                              f=1-2,2-5 m=0-1,1-3                 dim:int[1]?
    swapaxes                         f=3-3 m=2-2                         axis0:int axis1:int
    swapdims                         f=3-3 m=2-2                         dim0:int dim1:int
    take_along_dim                   f=2-4 m=1-2                         dim:int?
    tensor_split                     f=2-3,2-3,2-3 m=1-2,1-2,1-2         dim:int
    topk                             f=2-6 m=1-4                         k:int dim:int
    transpose                        f=3-3 m=2-2                         dim0:int dim1:int
    trapezoid                        f=2-3,1-3                           dim:int
    trapz                            f=1-3,2-3                           dim:int
    tril                             f=1-3 m=0-1                         diagonal:int
    tril_indices                     f=2-8                               row:int col:int offset:int
    triplet_margin_loss              f=3-8                               reduction:int
    triu                             f=1-3 m=0-1                         diagonal:int
    triu_indices                     f=2-8                               row:int col:int offset:int
    unbind                           f=1-2 m=0-1                         dim:int
    unflatten                        f=3-3 m=2-2                         dim:int sizes:ints
    unfold                           m=3-3                               dimension:int size:int step:int
    unsafe_chunk                     f=2-3 m=1-2                         chunks:int dim:int
    unsafe_split                     f=2-3 m=1-2                         split_size:int dim:int
    unsafe_split_with_sizes          f=2-3 m=1-2                         split_sizes:ints dim:int
    unsqueeze                        f=2-2 m=1-1                         dim:int
    vander                           f=1-3                               N:int?
"""

# where torch's overloads put an int parameter and another in the same place: a value of the other's type
# (after |) is the other's, passed on as it is (max(x, other), std(x, unbiased), conv1d(x, w, padding="same"))
SHARED_PLACES_TABLE = """
    max      f=1-2,2-3,2-4 m=0-0,1-1,1-2 dim:int|Tensor
    min      f=1-2,2-3,2-4 m=0-0,1-1,1-2 dim:int|Tensor
    std      f=2-5,1-5,1-2 m=1-3,0-3,0-1 dim:int[1]?|bool
    var      f=2-5,1-5,1-2 m=1-3,0-3,0-1 dim:int[1]?|bool
    std_mean f=2-4,1-4,1-2               dim:int[1]?|bool
    var_mean f=2-4,1-4,1-2               dim:int[1]?|bool
    conv1d   f=2-7,2-7                   stride:int[1] padding:int[1]|str dilation:int[1] groups:int
    conv2d   f=2-7,2-7                   stride:int[1] padding:int[1]|str dilation:int[1] groups:int
    conv3d   f=2-7,2-7                   stride:int[1] padding:int[1]|str dilation:int[1] groups:int
"""


def _parse_table(text: str) -> dict[str, tuple[str, dict[str, str]]]:
    rows = {}
    for line in text.strip().splitlines():
        name, *words = line.split()
        rows[name] = (" ".join(w for w in words if w[:2] in ("f=", "m=")),
                      dict(w.split(":") for w in words if w[:2] not in ("f=", "m=")))
    return rows


def _arities(flags: str, where: str) -> list[tuple[int, int]] | None:
    """The (fewest, most) arguments of each of torch's signatures of the function (f) or the method (m)."""
    for word in flags.split():
        if word.startswith(where + "="):
            return [tuple(map(int, span.split("-"))) for span in word[2:].split(",")]
    return None


INT_PARAMETERS = _parse_table(INT_PARAMETERS_TABLE) | _parse_table(SHARED_PLACES_TABLE)

# the bool flags of those functions, which torch's parser takes as a Python bool only (x.sum(0, 1) is refused: 1 is
# no keepdim, and reads as if it summed dims 0 and 1)
BOOL_PARAMETERS = frozenset({"keepdim", "descending", "largest", "sorted", "stable", "unbiased"})
_OTHER_TYPES = {"Tensor": Tensor, "bool": bool, "str": str}


def described(value) -> str:
    """A value as torch's parser describes an argument it refuses: a list or tuple with its elements' types."""
    if isinstance(value, list):
        return f"list of [{', '.join(type_name(v) for v in value)}]"
    if isinstance(value, tuple):
        return f"tuple of ({', '.join(type_name(v) for v in value)})"
    return type_name(value)


def as_int(value, whole_tensor: bool = False) -> int | None:
    """value as the int torch's parser reads it as, else None: not a bool, a tensor only when integral and 0-d
    (of one element where the tensor is a whole int[1] argument)."""
    if type(value) is int:
        return value
    if isinstance(value, Tensor):
        one = value.numel() == 1 if whole_tensor else value.ndim == 0
        return int(value.item()) if one and value.dtype.kind in "ui" else None
    if isinstance(value, (bool, np.bool_)):
        return None
    try:
        return operator.index(value)
    except TypeError:
        return None


class _Refusal(Exception):
    """An argument the parser refuses, with the words after the parameter's name where they are not the plain
    "must be int, not float" (an element of a sequence at fault)."""

    def __init__(self, message: str | None):
        self.message = message


def _element(value, at: int) -> int:
    """A later element of a sequence of ints: anything with __index__ (bools too), as torch unpacks it."""
    if isinstance(value, Tensor):
        number = as_int(value)
    else:
        try:
            number = operator.index(value)
        except TypeError:
            number = None
    if number is None:
        raise _Refusal(f"failed to unpack the object at pos {at + 1} with error \"type must be tuple of ints,but "
                       f"got {type_name(value)}\"")
    return number


def _parse(value, kind: str):
    """value read as `kind`, or _Refusal with the part of torch's message after the parameter's name."""
    kind, _, other = kind.partition("|")
    if other and isinstance(value, _OTHER_TYPES[other]):
        return value
    if value is None and kind.endswith("?"):
        return None
    kind = kind.rstrip("?")
    number = as_int(value, whole_tensor=kind == "int[1]")
    if kind == "int":
        if number is None:
            raise _Refusal(None)
        return number
    if number is not None and kind == "int[1]":
        return number
    if not isinstance(value, (tuple, list)):
        raise _Refusal(None)
    if all(type(v) is int for v in value):
        return value
    first = as_int(value[0])
    if first is None:
        raise _Refusal(f"must be tuple of ints, but found element of type {type_name(value[0])} at pos 0")
    parsed = [first, *(_element(v, at) for at, v in enumerate(value[1:], 1))]
    return type(value)(parsed) if type(value) in (tuple, list) else tuple(parsed)


def _got(args: tuple, kwargs: dict) -> str:
    """The argument types as torch's invalid-combination message lists them (keywords last, latest first)."""
    named = [f"{k}={type_name(v)}" for k, v in reversed(kwargs.items())]
    return ", ".join([type_name(a) for a in args] + named) if args else "".join(n + ", " for n in named)


def refuse_combination(fn: Callable, args: tuple, kwargs: dict | None = None, signatures: tuple[str, ...] = ()) -> None:
    """torch's TypeError for arguments no overload of fn takes (a string where it takes a tensor or a number),
    listing the signatures given (else lazygrad's own) after its first line."""
    listing = "\n * ".join(signatures) or _listing(list(inspect.signature(fn).parameters.values()))
    raise TypeError(f"{fn.__name__}() received an invalid combination of arguments - got "
                    f"({_got(args, kwargs or {})}), but expected one of:\n * {listing}") from None


def _refuse(fn: str, param: str, kind: str, value, position: int | None, refusal: _Refusal, one_signature: bool,
            listing: str = "", args: tuple = (), kwargs: dict | None = None):
    """torch's TypeError: the parameter named where one signature could take the call (or where a later element of
    a sequence fails), else the invalid combination with the argument types and lazygrad's signature."""
    if refusal.message is not None and refusal.message.startswith("failed"):
        raise TypeError(f"{fn}(): argument '{param}' {refusal.message}") from None
    if not one_signature:
        raise TypeError(f"{fn}() received an invalid combination of arguments - got ({_got(args, kwargs or {})}), "
                        f"but expected one of:\n * {listing}") from None
    where = "" if position is None else f" (position {position})"
    expected = "int" if kind.partition("|")[0].rstrip("?") == "int" else "tuple of ints"
    message = f"must be {expected}, not {type_name(value)}"
    if refusal.message and position is not None:  # (a keyword's first element at fault gets the plain words)
        message = refusal.message
    raise TypeError(f"{fn}(): argument '{param}'{where} {message}") from None


def int_list(value, fn: str, param: str, position: int | None = None, kind: str = "ints") -> list[int]:
    """A sequence of ints read as torch's parser reads an int-list parameter of a one-signature function (of
    kind "int[1]": an int stands for a list of one)."""
    try:
        parsed = _parse(value, kind)
    except _Refusal as refusal:
        _refuse(fn, param, kind, value, position, refusal, one_signature=True)
    return [parsed] if isinstance(parsed, int) else list(parsed)


# the functions whose size torch's parser matches against several overloads: a call giving none lists them
_SIZE_OVERLOADS = {
    "view": ("(torch.dtype dtype)", "(tuple of ints size)"),
    **{fn: tuple(f"(tuple of ints size, *, {generator}Tensor out = None, torch.dtype dtype = None, torch.layout "
                 "layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)"
                 for generator in ("torch.Generator generator, ", "")) for fn in ("rand", "randn")},
}


def spread_or_named(spread: tuple, named, fn: str, param: str) -> tuple:
    """A size or dims torch's parser takes spread out (x.view(2, 3)), as one sequence (x.view((2, 3))) or by its
    name (x.view(size=(2, 3)), a sequence then): the arguments in one of the first two forms. Giving none is
    torch's TypeError (an empty size is `()`)."""
    if named is None:
        if not spread:
            if fn in _SIZE_OVERLOADS:
                listing = "".join(f" * {o}\n" for o in _SIZE_OVERLOADS[fn])
                raise TypeError(f"{fn}() received an invalid combination of arguments - got (), but expected one "
                                f"of:\n{listing}")
            raise TypeError(f'{fn}() missing 1 required positional arguments: "{param}"')
        return spread
    if spread:
        raise TypeError(f"{fn}() got multiple values for argument '{param}'")
    return (int_list(named, fn, param),)


def _listing(parameters: list[inspect.Parameter]) -> str:
    return "(" + ", ".join(p.name if p.default is p.empty else f"{p.name}={p.default!r}" for p in parameters) + ")"


# Tensor methods torch writes in Python (over its parser's): their missing arguments are Python's TypeError
PYTHON_METHODS = frozenset({"split", "unflatten", "istft", "stft"})


def _python_missing(name: str, missing: list[str]) -> None:
    quoted = [f"'{m}'" for m in missing]
    listed = quoted[0] if len(quoted) == 1 else (
        " and ".join(quoted) if len(quoted) == 2 else ", ".join(quoted[:-1]) + ", and " + quoted[-1])
    plural = "" if len(missing) == 1 else "s"
    raise TypeError(f"Tensor.{name}() missing {len(missing)} required positional argument{plural}: {listed}")


def _unfitting(name: str, parameters: list[inspect.Parameter], arities: list[tuple[int, int]], slots: list,
               args: tuple, kwargs: dict, listing: str, method: bool) -> None:
    """A call whose argument count fits none of torch's signatures: the invalid combination where torch has
    several; with one, its parameters read in order, so the first given int argument it refuses or the first
    required one missing is the error (too many arguments are left to Python, whose words are torch's)."""
    if method and name in PYTHON_METHODS:
        required = [p for p in parameters if p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD]
        missing = [p.name for at, p in enumerate(required) if at >= len(args) and p.name not in kwargs]
        if missing:
            _python_missing(name, missing)
        return
    if len(arities) > 1:
        raise TypeError(f"{name}() received an invalid combination of arguments - got ({_got(args, kwargs)}), "
                        f"but expected one of:\n * {listing}")
    required = parameters[:arities[0][0]]
    kinds = {param: kind for _, param, kind in slots}
    for at, parameter in enumerate(required):
        given = at < len(args) or parameter.name in kwargs
        if not given:
            missing = [p.name for p in required[at:]]
            plural = "s" if len(missing) == 1 else ""  # sic: torch's message has the plural the wrong way round
            raise TypeError(f"{name}() missing {len(missing)} required positional argument{plural}: "
                            + ", ".join(f'"{m}"' for m in missing))
        value = args[at] if at < len(args) else kwargs[parameter.name]
        if at == 0 and not method and first_name(name) and not isinstance(value, Tensor):
            refuse(name, parameter.name, value, 1 if args else None)
        if parameter.name in kinds:
            try:
                _parse(value, kinds[parameter.name])
            except _Refusal as refusal:
                _refuse(name, parameter.name, kinds[parameter.name], value, at + 1 if at < len(args) else None,
                        refusal, one_signature=True)


def int_checked(fn: Callable, name: str, method: bool, spelled: str | None = None) -> Callable:
    """fn as torch.name (or Tensor.name), its int parameters parsed as torch's parser does; fn itself when the
    table has none for it or fn's parameters cannot be read. Messages name it `spelled` where given (torch's
    special_polygamma is polygamma's row)."""
    row = INT_PARAMETERS.get(name)
    arities = row and _arities(row[0], "m" if method else "f")
    if not arities or not callable(fn):
        return fn
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return fn
    first = None if method else first_name(name)
    if first and parameters and parameters[0].name != first:  # (messages name it as torch does)
        parameters[0] = parameters[0].replace(name=first)
    places = {p.name: (at if p.kind is not inspect.Parameter.KEYWORD_ONLY else None) for at, p in enumerate(parameters)}
    slots = [(places[param], param, kind) for param, kind in row[1].items() if param in places]
    flags = [(places[param], param) for param in BOOL_PARAMETERS if param in places]
    shown = 1 if method else 0  # a method's self is not among the arguments torch's messages count
    listing = _listing(parameters[shown:])
    fitting = frozenset(n for low, high in arities for n in range(low, high + 1))
    name = spelled or name

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        count = len(args) - shown + len(kwargs)
        if count not in fitting:
            _unfitting(name, parameters[shown:], arities, slots, args[shown:], kwargs, listing, method)
        for at, param, kind in slots:
            positional = at is not None and at < len(args)
            if not positional and param not in kwargs:
                continue
            value = args[at] if positional else kwargs[param]
            if type(value) is int and not kind.startswith("ints"):
                continue
            try:
                parsed = _parse(value, kind)
            except _Refusal as refusal:
                one = len(arities) == 1 or sum(low <= count <= high for low, high in arities) == 1
                _refuse(name, param, kind, value, at + 1 - shown if positional else None, refusal, one, listing,
                        args[shown:], kwargs)
            if parsed is not value:
                if positional:
                    args = (*args[:at], parsed, *args[at + 1:])
                else:
                    kwargs[param] = parsed
        for at, param in flags:
            positional = at is not None and at < len(args)
            value = args[at] if positional else kwargs.get(param, False)
            if type(value) is not bool:
                one = len(arities) == 1 or sum(low <= count <= high for low, high in arities) == 1
                if not one:
                    raise TypeError(f"{name}() received an invalid combination of arguments - got "
                                    f"({_got(args[shown:], kwargs)}), but expected one of:\n * {listing}")
                where = f" (position {at + 1 - shown})" if positional else ""
                raise TypeError(f"{name}(): argument '{param}'{where} must be bool, not {type_name(value)}")
        return fn(*args, **kwargs)
    return checked


def check_int_arguments(namespace: dict) -> None:
    """Wraps the namespace's functions that have int parameters in torch's table."""
    for name in INT_PARAMETERS:
        if name in namespace:
            namespace[name] = int_checked(namespace[name], name, method=False)


def share_checked(namespace: dict, top_spellings: frozenset[str]) -> None:
    """The functions of namespace that are torch's top-level functions too (nn.functional's conv1d is
    torch.conv1d), as the top level holds them: checked. top_spellings are those the top level creates on
    first use, from namespace itself (created here)."""
    top = sys.modules[__name__.rpartition(".")[0]]
    for name, fn in list(namespace.items()):
        if name not in INT_PARAMETERS:
            continue
        if name in top_spellings:
            namespace[name] = getattr(top, name)
        elif getattr(vars(top).get(name), "__wrapped__", None) is fn:
            namespace[name] = vars(top)[name]


def dim_list(dim) -> tuple[int, ...]:
    """One dim (an int-like) or a sequence of them as a tuple of ints: for the functions torch writes in Python
    (norms, normalize, hsplit...), whose dims its parser never sees."""
    one = as_int(dim)
    if one is not None:
        return (one,)
    dims = tuple(dim) if hasattr(dim, "__iter__") and not isinstance(dim, str) else None
    numbers = [as_int(d) for d in dims] if dims is not None else [None]
    if None in numbers:
        held = "" if dims is None else f" holding {', '.join(type_name(d) for d in dims)}"
        raise TypeError(f"dim must be an int or a tuple of ints, not {type_name(dim)}{held}")
    return tuple(numbers)
