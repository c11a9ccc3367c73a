"""lazygrad.autograd: symbolic, lazy reverse-mode differentiation with torch's API."""
from __future__ import annotations

import warnings

from . import forward_ad, functional, graph
from .anomaly_mode import detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled, set_detect_anomaly
from .custom import Function, FunctionCtx
from .engine import run_backward
from .function import BackwardNode
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from ..warning_sites import warn_at_caller


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _default_grads(outputs, grad_outputs):
    from ..creation import ones_like
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is not None and tuple(g.shape) != tuple(out.shape):
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] has a "
                               f"shape of {out.shape}.")
        if g is not None and g.dtype.is_complex != out.dtype.is_complex:
            raise RuntimeError(f"For complex Tensors, both grad_output and output are required to have the same dtype. "
                               f"Mismatch in dtype: grad_output[{i}] has a dtype of {g.dtype} and output[{i}] has a "
                               f"dtype of {out.dtype}.")
        if g is None:
            if out.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out.dtype.is_complex:
                raise RuntimeError("grad can be implicitly created only for real scalar outputs but got "
                                   f"torch.{out.dtype.name}")
            g = ones_like(out)
        grads.append(g)
    return grads


def _batched_grad(outs, ins, grad_outputs, retain_graph, create_graph: bool, allow_unused: bool,
                  materialize_grads: bool) -> tuple:
    """grad for each entry of the grad_outputs' first dim, stacked per input (None where none is used)."""
    from ..movement import stack
    for i, (out, g) in enumerate(zip(outs, grad_outputs)):
        if g is None:
            _default_grads([out], [None])
        elif tuple(g.shape[1:]) != tuple(out.shape):
            from ..tensor import Size
            raise RuntimeError("If `is_grads_batched=True`, we interpret the first dimension of each grad_output as "
                               "the batch dimension. The sizes of the remaining dimensions are expected to match the "
                               f"shape of corresponding output, but a mismatch was detected: grad_output[{i}] has a "
                               f"shape of {Size(g.shape[1:])} and output[{i}] has a shape of {out.shape}. If you "
                               "only want some tensors in `grad_output` to be considered batched, consider using vmap.")
    sizes = [g.shape[0] for g in grad_outputs if g is not None]
    if len(set(sizes)) > 1:
        raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                         f"{sizes} for the mapped dimension")
    batch = sizes[0] if sizes else 1
    retain = create_graph if retain_graph is None else retain_graph
    rows = [grad(outs, ins, [g[b] if g is not None else None for g in grad_outputs], b < batch - 1 or retain,
                 create_graph, allow_unused=allow_unused, materialize_grads=materialize_grads)
            for b in range(batch)]
    return tuple(None if column[0] is None else stack(list(column)) for column in zip(*rows))


def _check_outputs(outputs) -> None:
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")


def _carrier(t):
    """The tensor whose graph a tensor's gradient flows through: a sparse tensor's values, else itself."""
    return getattr(t, "_carrier", t)


CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter and its gradient "
    "which can cause a memory leak. We recommend using autograd.grad when creating the graph to avoid this. If you "
    "have to use this function, make sure to reset the .grad fields of your parameters to None after use to break "
    "the cycle and avoid the leak.")
_WARNED = set()


def _warn_reference_cycle() -> None:
    """torch's warning, once a process, that a .grad holding its own graph keeps the graph alive."""
    if "create_graph" not in _WARNED:
        _WARNED.add("create_graph")
        warn_at_caller(CREATE_GRAPH_WARNING)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph: bool = False, grad_variables=None,
             inputs=None) -> None:
    """Accumulate d(tensors)/d(leaf) into every leaf's .grad (or only those in `inputs`); grad_variables is
    grad_tensors' deprecated name."""
    if grad_variables is not None:
        warnings.warn("`grad_variables` is deprecated. Use `grad_tensors` instead.", FutureWarning, stacklevel=2)
        if grad_tensors is not None:
            raise RuntimeError("`grad_tensors` and `grad_variables` (deprecated) arguments both passed to `backward()`. "
                               "Please only use `grad_tensors`.")
        grad_tensors = grad_variables
    outputs = _as_list(tensors)
    _check_outputs(outputs)
    if create_graph:
        _warn_reference_cycle()
    grads = _default_grads(outputs, _as_list(grad_tensors) if grad_tensors is not None else [None] * len(outputs))
    retain = create_graph if retain_graph is None else retain_graph
    if inputs is not None:
        inputs = [_carrier(t) for t in _as_list(inputs)]
        got = run_backward(outputs, grads, retain, create_graph, inputs=inputs, accumulate=False, allow_unused=True)
        from .engine import _accumulate
        for t, g in zip(inputs, got):
            if g is not None:
                _accumulate(t, g, create_graph)
        return
    run_backward(outputs, grads, retain, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph: bool = False,
         only_inputs: bool = True, allow_unused: bool | None = None, is_grads_batched: bool = False,
         materialize_grads: bool = False):
    """The gradients of outputs with respect to inputs, returned (not accumulated). With is_grads_batched, each
    grad_output's first dim is a batch: one backward per entry, the gradients stacked (torch vmaps them)."""
    outs, ins = _as_list(outputs), _as_list(inputs)
    if not ins:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    _check_outputs(outs)
    if not only_inputs:
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to True). To accumulate "
                      "gradient for other parts of the graph, please use torch.autograd.backward.", FutureWarning,
                      stacklevel=2)
    if is_grads_batched:
        return _batched_grad(outs, ins, _as_list(grad_outputs) if grad_outputs is not None else [None] * len(outs),
                             retain_graph, create_graph, bool(allow_unused), materialize_grads)
    for t in ins:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _default_grads(outs, _as_list(grad_outputs) if grad_outputs is not None else [None] * len(outs))
    retain = create_graph if retain_graph is None else retain_graph
    got = run_backward(outs, grads, retain, create_graph, inputs=[_carrier(t) for t in ins], accumulate=False,
                       allow_unused=allow_unused or materialize_grads)
    got = [t._on_pattern(g) if g is not None and _carrier(t) is not t else g for t, g in zip(ins, got)]
    if materialize_grads:
        from ..creation import zeros_like
        got = [g if g is not None else zeros_like(t) for g, t in zip(got, ins)]
    return tuple(got)


__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "BackwardNode", "Function", "FunctionCtx", "functional", "gradcheck", "gradgradcheck", "GradcheckError"]


class _VariableType(type):
    """Variable is torch's old name for a tensor: every tensor is one, and calling it makes a leaf."""

    def __instancecheck__(cls, obj) -> bool:
        from ..tensor import Tensor
        return isinstance(obj, Tensor)

    def __call__(cls, data, requires_grad: bool = False, volatile: bool = False):
        from ..tensor import Tensor
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        return data.detach().requires_grad_(requires_grad)


class Variable(metaclass=_VariableType):
    """torch.autograd.Variable(tensor, requires_grad=False): a leaf sharing tensor's memory."""


def __getattr__(name: str):
    """autograd.profiler (the older spelling of lazygrad.profiler) loads on first use."""
    if name == "profiler":
        import importlib
        return importlib.import_module(f"{__name__}.profiler")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
