"""lazygrad: the PyTorch tensor API, lazy. Every op builds a graph; realizing it fuses the graph into
few kernels, renders them as C from jinja2 templates, compiles them at runtime and caches them."""
from __future__ import annotations

import importlib

from . import autograd, cuda, return_types, special
from . import methods as _methods  # noqa: F401  (attaches Tensor methods)
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (arange, as_tensor, empty, empty_like, empty_strided, eye, from_numpy, full, full_like, linspace,
                       ones, ones_like, rand, rand_like, randint, randint_like, randn, randn_like, tensor, zeros,
                       zeros_like)
from .device import device, get_default_device, set_default_device
from .dtypes import DType as dtype
from .dtypes import NUMBER_TYPES as _NUMBER_TYPES
from .dtypes import bool_ as bool  # noqa: A001  (torch's names shadow builtins in this namespace only)
from .dtypes import (bfloat16, complex64, complex128, float16, float32, float64, get_default_dtype, int8, int16, int32,
                     int64, promote_types)
from .dtypes import float16 as half
from .dtypes import float32 as float  # noqa: A001
from .dtypes import float64 as double
from .dtypes import complex64 as cfloat, complex128 as cdouble
from .dtypes import int16 as short
from .dtypes import int32 as int  # noqa: A001
from .dtypes import int64 as long
from .dtypes import result_type as _result_type
from .dtypes import set_default_dtype, uint8, uint16, uint32, uint64
from .elementwise import (abs, absolute, acos, add, addcdiv, addcmul, arccos, arcsin, arctan, arctan2, asin, atan, atan2,
                          bitwise_and, bitwise_left_shift, bitwise_not, bitwise_or, bitwise_right_shift, bitwise_xor,
                          broadcast_shapes, ceil, clamp, clamp_max, clamp_min, clip, cos, cosh, div, divide, eq, erf,
                          exp, exp2, expm1, fix, float_power, floor, floor_divide, fmod, ge, greater, greater_equal,
                          gt, isfinite, isinf, isnan, isneginf, isposinf, le, lerp, less, less_equal, log, log1p,
                          log2, log10, logical_and, logical_not, logical_or, logical_xor, lt, maximum, minimum, mul,
                          multiply, nan_to_num, ne, neg, negative, not_equal, pow, reciprocal, relu, remainder,
                          round, rsqrt, sigmoid, sign, sin, sinh, sqrt, square, sub, subtract, tan, tanh,
                          true_divide, trunc, where)
from .diagonals import diag, diag_embed, diagflat, trace, tril, tril_indices, triu, triu_indices
from .einsum import einsum
from .interop import from_dlpack
from .indexing import (bincount, gather, index_add, index_copy, index_fill, index_reduce, index_select, masked_fill,
                       masked_scatter, masked_select, nonzero, scatter, scatter_add, scatter_reduce, take,
                       take_along_dim, unravel_index)
from .indexing import public_index_put as index_put
from .products import (addbmm, addmm, addmv, addr, baddbmm, bmm, cdist, dist, dot, ger, inner, kron, matmul, mm, mv,
                       outer, tensordot, vdot)
from .products import legacy_cross as cross
from . import fft, func, linalg
from .short_time_fourier import istft, stft
from .func import vmap
from .decompositions import (cholesky_inverse, cholesky_solve, det, logdet, matrix_exp, pinverse, triangular_solve)
from .decompositions import inv as inverse, legacy_cholesky as cholesky, legacy_qr as qr, legacy_slogdet as slogdet
from .decompositions import geqrf, legacy_svd as svd
from .parameter_names import respelled as _respelled
orgqr = _respelled(linalg.householder_product, input="A", input2="tau")
from .decompositions import legacy_lu as lu, legacy_lu_solve as lu_solve, lu_unpack
from .linalg import matrix_power
from .autograd.anomaly_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled, set_anomaly_enabled
from .arithmetic import frexp, gcd, lcm, ldexp, nextafter, rsub
from .creation import asarray, frombuffer, logspace, scalar_tensor
from .creation import inclusive_range as range
from .dtype_info import finfo, iinfo
from .dtypes import can_cast
from .integration import cumulative_trapezoid, trapezoid, trapz
from .random import get_rng_state, set_rng_state
from .complex_numbers import (adjoint, angle, complex, conj, conj_physical, imag, is_conj, isreal, polar, real, sgn,
                              view_as_complex, view_as_real)
from .complex_numbers import is_conj as is_neg, resolve as resolve_conj, resolve as resolve_neg
from .searching import argwhere, bucketize, isin, searchsorted
from .shapes import combinations, vander
from .sorting import unique_consecutive
from .statistics import histogram, mode
from .tensor_info import is_storage, typename
from .layouts import (channels_last, channels_last_3d, contiguous_format, layout, memory_format, preserve_format,
                      sparse_coo, sparse_csc, sparse_csr, strided)
from .legacy_types import LEGACY_TYPES as _LEGACY_TYPES
from .finite_differences import gradient
from .normalization import _weight_norm, layer_norm, norm_except_dim, rms_norm
from .products import cosine_similarity, pairwise_distance, pdist
from .windows import bartlett_window, blackman_window, hamming_window, hann_window, kaiser_window
from .movement import (as_strided, broadcast_to, cat, chunk, clone, concat, concatenate, diagonal, flatten, flip, fliplr,
                       flipud, moveaxis, movedim, narrow, narrow_copy, permute, ravel, repeat, reshape, roll, rot90,
                       select, split, squeeze, stack, swapaxes, swapdims, tile, transpose, unbind, unflatten, unsqueeze)
from .movement import t_ as t
from .pointwise import (acosh, allclose, arccosh, arcsinh, arctanh, asinh, atanh, copysign, deg2rad, equal, erfc, fmax,
                        fmin, frac, heaviside, hypot, isclose, logaddexp, logaddexp2, logit, nanmean, nansum, positive,
                        rad2deg, signbit, sinc, xlogy)
from .printing import get_printoptions, printoptions, set_printoptions
from .random import Generator, initial_seed, manual_seed, seed
from .reductions import (all, amax, amin, aminmax, any, argmax, argmin, count_nonzero, cumprod, cumsum, hash_tensor,
                         log_softmax, logsumexp, max, mean, min, norm, prod, renorm, softmax, std, std_mean, sum, var,
                         var_mean)
from .runtime import Kernel, Schedule, set_backend
from .settings import (are_deterministic_algorithms_enabled, get_deterministic_debug_mode, get_float32_matmul_precision,
                       is_deterministic_algorithms_warn_only_enabled, set_deterministic_debug_mode,
                       set_float32_matmul_precision, use_deterministic_algorithms)
from .sampling import (_sample_dirichlet, _standard_gamma, _standard_gamma_grad, bernoulli, binomial, dropout,
                       multinomial, normal, poisson)
from .scans import cummax, cummin, logcumsumexp
from .scatters import as_strided_scatter, diagonal_scatter, select_scatter, slice_scatter
from .serialization import load, save
from .sorting import (argsort, kthvalue, median, msort, nanmedian, nanquantile, quantile, randperm, sort,
                      topk, unique)
from .shapes import (atleast_1d, atleast_2d, atleast_3d, block_diag, broadcast_tensors, cartesian_prod, column_stack,
                     diff, dsplit, dstack, hsplit, hstack, meshgrid, repeat_interleave, row_stack, split_with_sizes,
                     tensor_split, unsafe_chunk, unsafe_split, vsplit, vstack)
from .special_functions import digamma, erfinv, i0, lgamma, mvlgamma, polygamma
from .special_functions import gammainc as igamma, gammaincc as igammac
from .statistics import corrcoef, cov, histc
from .stats import Stats, reset_stats, stats
from .tensor import Size, Tensor
from .tensor_info import get_device, is_complex, is_inference, is_nonzero, is_same_size, is_signed
from .threads import get_num_threads, set_num_threads
from .typed_storage import TypedStorage, UntypedStorage
from .legacy_types import legacy_storages as _legacy_storages
from .mapped_files import from_file
from . import nn_aliases as _nn_aliases
from .native_ops import native_batch_norm, native_dropout, native_group_norm, native_layer_norm, native_norm
from .view_copies import (alias_copy, as_strided_copy, detach_copy, diagonal_copy, expand_copy, permute_copy,
                          select_copy, slice_copy, split_copy, split_with_sizes_copy, squeeze_copy, t_copy,
                          transpose_copy, unbind_copy, unfold_copy, unsqueeze_copy, view_as_complex_copy,
                          view_as_real_copy, view_copy)
from .control_flow import cond, while_loop
from .creation import empty_permuted
from .deprecated import (chain_matmul, eig, frobenius_norm, lstsq, matrix_rank, nuclear_norm, set_default_tensor_type,
                         solve, symeig)
from .indexing import nonzero_static
from .lowrank import pca_lowrank, svd_lowrank
from .movement import slice_inverse
from .recurrent_functions import gru, gru_cell, lstm, lstm_cell, rnn_relu, rnn_relu_cell, rnn_tanh, rnn_tanh_cell
from .segments import segment_reduce
from .settings import is_inference_mode_enabled, is_warn_always_enabled, set_flush_denormal, set_warn_always
from .shapes import unsafe_split_with_sizes
from .statistics import histogramdd
from .threads import get_num_interop_threads, set_num_interop_threads
from .typed_storage import resize_as_
from .decompositions import ormqr
from .indexing import put
from . import __future__, amp, cpu
from .amp import autocast
from .amp.autocast_mode import (autocast_decrement_nesting, autocast_increment_nesting, clear_autocast_cache,
                                get_autocast_cpu_dtype, get_autocast_dtype, get_autocast_gpu_dtype,
                                is_autocast_cache_enabled, is_autocast_cpu_enabled, is_autocast_enabled,
                                set_autocast_cache_enabled, set_autocast_cpu_dtype, set_autocast_cpu_enabled,
                                set_autocast_dtype, set_autocast_enabled, set_autocast_gpu_dtype)
from .interop import dlpack as to_dlpack
from .tensor_info import is_distributed
from .threads import init_num_threads
from .amp import GradScaler
from .errors import AcceleratorError, OutOfMemoryError
from .random import default_generator
from math import e, inf, nan, pi

newaxis = None  # (x[:, lg.newaxis] inserts a dim, as x[:, None] does)


def realize(*tensors: Tensor) -> tuple[Tensor, ...]:
    """Compute several tensors in one schedule, so work they share runs once."""
    from .tensor import realize as _realize
    _realize(*tensors)
    return tensors


def schedule(*tensors: Tensor, target: str | None = None) -> Schedule:
    """The kernels realizing these tensors would run (name, device, source, fused ops), without running
    them. target 'c' or 'cuda' picks the language (default: the tensors' device); CUDA sources render
    on any machine, GPU or not."""
    from .runtime import plan
    pending = {id(t._storage): t._storage for t in tensors if not t._storage.is_realized}
    if target is None:  # (`any` is lazygrad's here)
        target = "cuda" if "cuda" in {st.device.partition(":")[0] for st in pending.values()} else "c"
    return plan([st.target() for st in pending.values()], target)


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    return input.numel()


def result_type(tensor, other):
    for operand in (tensor, other):
        if not isinstance(operand, (Tensor, *_NUMBER_TYPES)):
            from .int_parameters import _got
            raise TypeError(f"result_type() received an invalid combination of arguments - got "
                            f"({_got((tensor, other), {})}), but expected one of:\n * (Tensor tensor, Tensor other)\n"
                            " * (Tensor tensor, Number other)\n * (Number scalar, Tensor tensor)\n"
                            " * (Number scalar1, Number scalar2)\n")
    return _result_type(tensor, other)


def is_floating_point(input: Tensor) -> bool:
    return input.is_floating_point()


__version__ = "0.1.0"


def _torch_level_inplace(name: str):
    """torch.abs_(t) and friends: the method of the same name."""
    def function(input: Tensor, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    function.__name__ = function.__qualname__ = name
    return function


for _name in ("abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_",
              "arctanh_", "as_strided_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_", "clamp_max_",
              "clamp_min_", "clip_", "cos_", "cosh_", "deg2rad_", "detach_", "erf_", "erfc_", "exp2_", "exp_",
              "expm1_", "fill_", "fix_", "floor_", "frac_", "gcd_", "i0_", "index_put_", "lcm_", "ldexp_",
              "log10_", "log1p_", "log2_", "log_", "logit_", "nan_to_num_", "neg_", "negative_", "rad2deg_",
              "reciprocal_", "relu_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_", "square_",
              "tan_", "tanh_", "trunc_", "xlogy_", "zero_", "detach", "conj_physical_"):
    globals()[_name] = _torch_level_inplace(_name)
del _name


globals().update(_LEGACY_TYPES)
globals().update(_legacy_storages())
for _name in _nn_aliases.METHODS:
    setattr(Tensor, _name, _nn_aliases.method(_name))
del _name

from . import sparse
from .sparse.construction import sparse_coo_tensor
from .sparse.csr_construction import sparse_csr_tensor
from .sparse.dispatch import install as _install_sparse
_install_sparse(globals())


_SUBMODULES = ("nn", "optim", "utils", "distributions", "testing", "backends", "jit", "profiler", "accelerator",
               "compiler", "signal", "distributed", "masked")


def __getattr__(name: str):
    """nn, optim, utils (data loading) and distributions, and torch's top-level spellings of nn ops (lg.conv2d...), load on
    first use: they are most of what `import lazygrad` would otherwise cost beyond the tensor core."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _nn_aliases.NAMES:
        globals()[name] = function = _int_checked(_first_checked(name, _nn_aliases.resolve(name)), name, method=False)
        return function
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBMODULES) | _nn_aliases.NAMES)


def compile(model=None, **options):  # noqa: A001  (torch's name)
    """torch.compile's place: lazygrad compiles every graph already, so the model (or function) is returned
    as it is; with no model, a decorator doing the same."""
    return model if model is not None else (lambda fn: fn)


def get_device_module(device=None):
    """The module of a device type (lg.cuda for "cuda", lg.cpu for "cpu"); with none, that of the current
    accelerator, or lg.cpu on a machine without one."""
    if device is None:
        kind = "cuda" if cuda.is_available() else "cpu"
    else:
        kind = globals()["device"](device).type  # (the class: the argument shadows its name here)
    return {"cpu": cpu, "cuda": cuda}[kind]


def fill(input: Tensor, value) -> Tensor:
    """A tensor like input filled with value (input is not changed)."""
    return full_like(input, value)


from .tensor_parameters import check_first_arguments as _check_first_arguments, first_checked as _first_checked
_check_first_arguments(globals())
from .int_parameters import check_int_arguments as _check_int_arguments, int_checked as _int_checked
_check_int_arguments(globals())
