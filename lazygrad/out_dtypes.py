"""The dtype torch requires of an op's `out=` tensor, and its message when out has another: by op family. Ops
not listed take any out their result casts to safely (lazygrad/inplace.py: write_out); the sums and products
listed in COMPUTED_IN_OUT_DTYPE compute in out's dtype instead."""
from __future__ import annotations

from .dtypes import C_NAMES, DType, bool_, int64, to_dtype, torch_name
from .tensor import Tensor

# the unary TensorIterator ops that keep their input's dtype: out must have it
_SAME = "Found dtype {out} but expected {result}"
# the ops torch's kernels write through resize_output and a dtype check
_EXACT = "Expected out tensor to have dtype {result_c}, but got {out_c} instead"
_SAME_AS_SELF = "{op}(): self and result must have the same scalar type"

# op -> (the error class, its message: {out}/{result} torch's type names, {out_c}/{result_c} the C ones)
RULES: dict[str, tuple[type, str]] = {
    **dict.fromkeys(("abs", "absolute", "neg", "negative", "sign", "sgn", "floor", "ceil", "round", "trunc", "fix",
                     "frac", "clamp", "clip", "clamp_min", "clamp_max", "bitwise_not"), (RuntimeError, _SAME)),
    **dict.fromkeys(("mm", "matmul", "bmm", "addmm", "addmv", "addbmm", "baddbmm", "mv", "argmax", "argmin", "diag",
                     "gather", "tril", "triu", "softmax", "log_softmax", "sort", "topk", "max", "min", "norm",
                     "linalg_vector_norm", "renorm", "scatter", "scatter_add", "index_add", "take_along_dim",
                     "inverse", "linalg_inv", "linalg_det", "linalg_cross", "cross", "isin"), (RuntimeError, _EXACT)),
    **dict.fromkeys(("amax", "amin"), (RuntimeError, "Expected the dtype for input and out to match, but got {result} "
                                                     "for input's dtype and {out} for out's dtype.")),
    **dict.fromkeys(("dot", "vdot"), (RuntimeError, "result dtype {out} does not match input dtype {result}")),
    **dict.fromkeys(("any", "all"), (RuntimeError, "{op} only supports bool tensor for result, got: {out}")),
    **dict.fromkeys(("index_select", "masked_select"), (RuntimeError, _SAME_AS_SELF)),
    **dict.fromkeys(("quantile", "nanquantile"),
                    (RuntimeError, "quantile() out tensor must be same dtype as the input tensor")),
    **dict.fromkeys(("cummax", "cummin", "logcumsumexp"),
                    (RuntimeError, "expected scalar_type {result} but found {out}")),
    **dict.fromkeys(("cat", "concat", "concatenate", "stack"),
                    (TypeError, "torch.cat(): input types can't be cast to the desired output type {out}")),
    "nonzero": (RuntimeError, "nonzero: Expected out tensor to have scalar type Long but got scalar type{out}"),
    "where": (RuntimeError, "Expected out type to be {result} but got {out}"),
    "nan_to_num": (RuntimeError, "nan_to_num: dtype of out: {out} should be same as input: {result}"),
    "take": (RuntimeError, "take(): self and out expected to have the same dtype, but got self.dtype = {result} and "
                           "out.dtype = {out}"),
    "kthvalue": (RuntimeError, "output values must be of same type as input"),
    "signbit": (RuntimeError, "signbit does not support non-boolean outputs."),
    "logsumexp": (RuntimeError, "logsumexp(): Expected floating point type for result tensor, but got: {out}"),
    "tensordot": (RuntimeError, "tensordot: Expected the output tensor to have dtype {result}, but got an output "
                                "tensor with dtype {out}"),
}

# the ops whose out's dtype, where none is given, is the dtype they compute in (as `dtype=` would be)
COMPUTED_IN_OUT_DTYPE = frozenset({"sum", "nansum", "prod", "cumsum", "cumprod"})

# the ops whose kernel computes from the input cast to out's dtype (var(double, out=half) is the variance of the
# halves), by the kernel torch names when it lacks out's dtype
COMPUTED_FROM_OUT_DTYPE = {"var": "std_cpu", "std": "std_cpu", "nanmean": "nansum_cpu"}


def input_for_out(op: str, input, out: DType):
    """op's input as its kernel reads it for an out of dtype `out`: cast to out's type (its complex twin for a
    complex input); an integer out is refused later by the result's cast, except by nanmean's kernel; a complex
    out of a real input is refused by both kernels."""
    kernel = COMPUTED_FROM_OUT_DTYPE[op]
    if input.dtype.kind not in "fc":  # (refused by the op itself first)
        return input
    refused = (out.is_complex and not input.dtype.is_complex) or (op == "nanmean" and out.kind not in "fc")
    if refused:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{torch_name(out)}'")
    if out.kind not in "fc" or out is input.dtype:
        return input
    if not input.dtype.is_complex:
        return input.to(out)
    if out.itemsize == 2:  # (torch's complex half: parts rounded to half precision; lazygrad has no complex32)
        from .complex_numbers import complex as join
        return join(input.real.to(out).float(), input.imag.to(out).float())
    return input.to(out.to_complex())


# ops whose out may have any dtype their result casts to, whose message names the op
_CASTABLE_ONLY = frozenset({"cat", "concat", "concatenate", "stack"})


# the ops whose kernels check out against their first input's dtype (or the dtype asked for) before anything
# else, even the operands' agreement: mm(long, float, out=float) names out's dtype, not the operands'
CHECKED_FIRST = frozenset({"mm", "matmul", "softmax", "log_softmax", "dot", "vdot"})


def check_out_first(op: str, first, out, dtype) -> None:
    """torch's early refusal of an out of CHECKED_FIRST's op whose dtype is not the first input's."""
    if isinstance(first, Tensor) and isinstance(out, Tensor):
        check_out_dtype(op, to_dtype(dtype) if dtype is not None else first.dtype, out.dtype)


def fits(op: str, result: DType, out: DType) -> bool:
    """Whether torch writes a result of dtype `result` of op into an out of dtype `out`."""
    if op in _CASTABLE_ONLY:
        from .dtypes import can_cast
        return can_cast(result, out)
    if op == "nonzero":
        return out is int64
    if op == "signbit" or op in ("any", "all") and result is bool_:
        return out is bool_
    if op == "logsumexp":  # (any floating out: the result is cast to it)
        return out.is_floating_point
    return out is result


def check_out_dtype(op: str, result: DType, out: DType) -> bool:
    """Raise torch's error for an out of op whose dtype does not fit; False where op has no rule of its own."""
    rule = RULES.get(op)
    if rule is None:
        return False
    if not fits(op, result, out):
        error, message = rule
        raise error(message.format(op=op, out=torch_name(out), result=torch_name(result), out_c=C_NAMES[out.name],
                                   result_c=C_NAMES[result.name]))
    return True
