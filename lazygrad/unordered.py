"""Complex numbers have no order: the errors torch raises when an op that compares values (extremes,
sorting, ranks, running extremes) meets them, by op (and one op lazygrad computes by comparing)."""
from __future__ import annotations

from .dtypes import torch_name

_NOT_FOR = "\"{}\" not implemented for '{{t}}'"
REFUSALS = {
    **{name: (NotImplementedError, _NOT_FOR.format(kernel)) for name, kernel in (
        ("amax", "max_values_cpu"), ("amin", "min_values_cpu"), ("aminmax", "aminmax_cpu"), ("max_all", "max_all"),
        ("min_all", "min_all"), ("median", "median_cpu"), ("median_dim", "median_out"), ("kthvalue", "kthvalue_cpu"),
        ("cummax", "cummax_cpu"), ("cummin", "cummin_cpu"), ("unique", "unique"), ("unique_dim", "unique_dim"),
        ("mode", "mode_cpu"))},
    **{name: (RuntimeError, f"{name}(): does not support complex input") for name in ("max", "min", "argmax", "argmin")},
    "sort": (RuntimeError, " Sort does not support complex dtypes on CPU"),
    "topk": (RuntimeError, " topk does not support complex dtypes on CPU"),
    "quantile": (RuntimeError, "quantile() input tensor must be either float or double dtype"),
}


# ops torch answers for a 0-d tensor without calling its kernel, whatever the dtype
ZERO_DIM_ANSWERED = frozenset({"kthvalue", "mode", "cummax", "cummin"})


def refuse_complex(x, name: str, bools: bool = False) -> None:
    """torch's error for op `name` when x is complex (or bool, for the kernels that take no bools either)."""
    if x.ndim == 0 and name in ZERO_DIM_ANSWERED:
        return
    if x.dtype.is_complex or (bools and x.dtype.kind == "b"):
        error, message = REFUSALS[name]
        raise error(message.format(t=torch_name(x.dtype)))
