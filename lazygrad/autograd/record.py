"""Recording: a differentiable op runs its forward with recording off, then attaches one backward node."""
from __future__ import annotations

import functools
import inspect

from ..amp.autocast_mode import REGION, cast_inputs, no_autocast
from .anomaly_mode import forward_stack
from .forward_ad import FORWARD, any_dual, propagate
from .grad_mode import STATE
from .graph import pack_saved
from .inference_tensors import check_saved
from ..out_dtypes import CHECKED_FIRST, check_out_first


@functools.lru_cache(maxsize=None)
def _tensor_type():
    """Tensor (imported on first use: tensor.py imports the modules that import this one)."""
    from ..tensor import Tensor
    return Tensor


@functools.lru_cache(maxsize=None)
def _modules():
    """The derivative table and the node classes (imported on first use, for the same reason)."""
    from . import derivatives, function
    return derivatives, function


SIGNATURES: dict[str, inspect.Signature] = {}  # op -> its function's signature (torch's parameter names)


def differentiable(op: str):
    """Mark a public function as the op `op` of the derivatives table."""
    def deco(fn):
        signature = inspect.signature(fn)
        by_position = [p.name for p in signature.parameters.values()
                       if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        SIGNATURES.setdefault(op, signature)
        own_out = "out" not in signature.parameters  # then `out=` is handled here, for every such op

        def positional(args, kwargs):
            """Formulas see arguments by position: clamp(x, min=t) is recorded as clamp(x, t, None)."""
            if not any(name in kwargs for name in by_position[len(args):]):
                return args, kwargs
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            rest = {k: v for k, v in bound.arguments.items() if k not in by_position}
            rest.update(rest.pop(next((p.name for p in signature.parameters.values() if p.kind is p.VAR_KEYWORD),
                                      ""), {}))
            return tuple(bound.arguments[name] for name in by_position), rest

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if FORWARD.level is not None and FORWARD.propagating and any_dual(args, kwargs):
                return propagate(op, lambda: wrapper(*args, **kwargs), *positional(args, kwargs))
            if REGION.active and kwargs.get("out") is None:  # (an op given out= runs as called, as torch's)
                cast_args, cast_kwargs, handled = cast_inputs(op, args, kwargs)
                if handled:
                    with no_autocast():
                        return wrapper(*cast_args, **cast_kwargs)
            out = kwargs.get("out")
            if out is not None and op in CHECKED_FIRST and args:
                check_out_first(op, args[0], out, kwargs.get("dtype"))
            if own_out and out is not None:
                return _with_out(op, wrapper, args, kwargs)
            if out is not None and not isinstance(out, _tensor_type()):
                return _into_outs(op, wrapper, args, kwargs)
            if not STATE.enabled:
                return fn(*args, **kwargs)
            if not _any_requires_grad(args) and not _any_requires_grad(kwargs.values()):
                return fn(*args, **kwargs)
            if kwargs.get("out") is not None:
                raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic "
                                   "differentiation, but one of the arguments requires grad.")
            args, kwargs = positional(args, kwargs)
            STATE.enabled, STATE.recorded_op = False, True
            try:
                out = fn(*args, **kwargs)
            finally:
                STATE.enabled, STATE.recorded_op = True, False
            return attach(op, args, kwargs, out)
        wrapper.op = op
        return wrapper
    return deco


def _into_outs(op: str, fn, args, kwargs):
    """fn(*args) written into a tuple of outs, or refused for out= of another type in torch's words (which need
    to know whether the result is one tensor or several)."""
    from ..inplace import check_out_type, write_out
    result = fn(*args, **{**kwargs, "out": None})
    check_out_type(result, kwargs["out"], op)
    parts = result if isinstance(result, tuple) else (result,)
    if STATE.enabled and any(p.requires_grad for p in parts):
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    return write_out(result, kwargs["out"], op)


def _with_out(op: str, fn, args, kwargs):
    """fn(*args) written into kwargs["out"] (torch refuses out= when autograd would record); the sums and products
    that compute in out's dtype get it as their dtype."""
    from ..inplace import write_out
    from ..out_dtypes import COMPUTED_FROM_OUT_DTYPE, COMPUTED_IN_OUT_DTYPE, input_for_out
    kwargs = dict(kwargs)
    out = kwargs.pop("out")
    if STATE.enabled and (_any_requires_grad(args) or _any_requires_grad(kwargs.values())):
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if op in COMPUTED_IN_OUT_DTYPE and kwargs.get("dtype") is None and isinstance(out, _tensor_type()):
        kwargs["dtype"] = out.dtype
    if op in COMPUTED_FROM_OUT_DTYPE and isinstance(out, _tensor_type()) and args:
        args = (input_for_out(op, args[0], out.dtype), *args[1:])
    with no_autocast():
        result = fn(*args, **kwargs)
    return write_out(result, out, op)


def takes_out(op: str, refused_as: str | None = None):
    """Gives a function that builds its result from other ops torch's `out=` (as `differentiable` gives its ops).
    Where the result requires grad, torch refuses out= naming the op `refused_as` (the one the function is built
    on), or, without one, copies the result into out recorded (out's grad_fn is then CopyBackwards)."""
    def deco(fn):
        @functools.wraps(fn)
        def function(*args, out=None, **kwargs):
            if out is None:
                return fn(*args, **kwargs)
            from ..inplace import write_out
            result = fn(*args, **kwargs)
            parts = result if isinstance(result, tuple) else (result,)
            if not (STATE.enabled and any(p.requires_grad for p in parts)):
                return write_out(result, out, op)
            if refused_as is not None:
                raise RuntimeError(f"{refused_as}(): functions with out=... arguments don't support automatic "
                                   "differentiation, but one of the arguments requires grad.")
            detached = type(result)(*(p.detach() for p in parts)) if isinstance(result, tuple) else result.detach()
            written = write_out(detached, out, op)  # (out resized and checked, then written again, recorded)
            for target, part in zip(written if isinstance(result, tuple) else (written,), parts):
                target.copy_(part)
            return written
        function.__signature__ = signature_with_out(fn)
        return function
    return deco


def signature_with_out(fn) -> inspect.Signature:
    """fn's signature with torch's keyword-only `out` added (what a wrapper taking it shows)."""
    signature = inspect.signature(fn)
    out = inspect.Parameter("out", inspect.Parameter.KEYWORD_ONLY, default=None)
    parameters = list(signature.parameters.values())
    at = next((i for i, p in enumerate(parameters) if p.kind is p.VAR_KEYWORD), len(parameters))
    return signature.replace(parameters=[*parameters[:at], out, *parameters[at:]])


def _any_requires_grad(values) -> bool:
    """Whether an op on values records: a tensor requires grad, or is a view of one that does (a view made
    under no_grad: the op records, but its gradient stops at the view, as in torch)."""
    Tensor = _tensor_type()
    for v in values:
        if isinstance(v, Tensor):
            if v._requires_grad or v._base is not None and v._base._requires_grad:
                return True
        elif isinstance(v, (list, tuple)) and any(isinstance(x, Tensor) and x.requires_grad for x in v):
            return True
    return False


def next_edge(t):
    """Where a tensor's gradient goes: its grad_fn, its leaf accumulator, or nowhere (a tensor that does not
    require grad itself, such as a view made under no_grad)."""
    if t.grad_fn is not None:
        return (t.grad_fn, t._output_nr)
    if t._requires_grad:
        return (t._accumulator(), 0)
    return (None, 0)


def flat_args(args):
    """Positional arguments with lists of tensors (cat, stack) spread out: one entry per input."""
    Tensor = _tensor_type()
    out = []
    for a in args:
        if isinstance(a, (list, tuple)) and any(isinstance(x, Tensor) for x in a):
            out.extend(x if isinstance(x, Tensor) else None for x in a)
        else:
            out.append(a if isinstance(a, Tensor) else None)
    return out


def flat_grads(args, grads):
    """A formula's gradients spread out the same way as flat_args."""
    Tensor = _tensor_type()
    out = []
    for a, g in zip(args, grads):
        if isinstance(a, (list, tuple)) and any(isinstance(x, Tensor) for x in a):
            out.extend(g if g is not None else [None] * len(a))
        else:
            out.append(g)
    return out


def attach(op: str, args, kwargs, out):
    derivatives, function = _modules()
    Tensor = _tensor_type()
    outputs = out if isinstance(out, tuple) else (out,)
    inputs = flat_args(args)
    given = {id(i) for i in inputs if i is not None}
    kinds = {o.dtype.kind for o in outputs if isinstance(o, Tensor)}
    if any(id(o) in given for o in outputs) or not kinds & {"f", "c"}:
        # the op returned its input unchanged (x.to(x.dtype), contiguous x), or nothing differentiable
        return out
    name, formula = derivatives.DERIVATIVES[op]
    if callable(name):
        name = name(args, kwargs)
    edges, needs, input_meta = [], [], []
    for i in inputs:
        if i is None:
            edges.append((None, 0))
            needs.append(False)
            input_meta.append(None)
        else:
            edges.append(next_edge(i))
            needs.append(i._requires_grad)
            input_meta.append((i._shape, i.dtype, i._strides, i._offset))
            kinds.add(i.dtype.kind)
    ctx = function.Context(args, kwargs, out, tuple(needs))
    saved = saved_versions(op, inputs, outputs, ctx.needs_input_grad)
    check_saved(t for t, _, is_output, _ in saved if not is_output)
    node = function.node_class(name, formula)(
        ctx, edges, saved,
        tuple((o._shape, o.dtype, o._storage.device) if isinstance(o, Tensor) else None for o in outputs))
    node._input_meta = tuple(input_meta)
    node._listing_of = node._op = op
    node._conjugate = "c" in kinds and op not in derivatives.COMPLEX_AWARE
    node._forward_stack = forward_stack()
    pack_saved(node)
    for nr, o in enumerate(outputs):
        if isinstance(o, Tensor) and o.dtype.kind in "fc":  # (fresh results: no leaf checks to make)
            o._requires_grad, o._grad_fn, o._output_nr = True, node, nr
    return out


@functools.lru_cache(maxsize=None)
def _listing_rule(op: str) -> tuple | None:
    """The op's rows of derivatives' listing tables, None when it follows the default rule alone."""
    d = _modules()[0]
    rule = (op in d.ANY_DTYPE_OPERANDS, d.WRAPPED_NUMBERS.get(op, ()), d.NOT_LISTED.get(op, ()),
            d.OPTIONAL_TENSORS.get(op, ()), d.TENSOR_OVERLOADS.get(op, ()))
    return rule if rule != (False, (), (), (), ()) else None


def listed_inputs(op: str, args) -> tuple[int, ...] | None:
    """The inputs (positions in flat_args) torch's node of the op lists in next_functions; None: all of them.
    The rules are derivatives' tables (ANY_DTYPE_OPERANDS and the ones after it); by default the floating
    and complex tensors are listed."""
    Tensor = _tensor_type()
    rule = _listing_rule(op)
    if rule is None and all(type(a) is Tensor and a.dtype.kind in "fc" for a in args):
        return None
    any_dtype, numbers, skipped, optional, overload = rule or (False, (), (), (), ())
    if overload and any(isinstance(args[i], Tensor) for i in overload if i < len(args)):
        optional = overload
    listed, flat = [], 0
    for position, arg in enumerate(args):
        spread = isinstance(arg, (list, tuple)) and any(isinstance(x, Tensor) for x in arg)
        for x in arg if spread else (arg,):
            if position in skipped:
                pass
            elif isinstance(x, Tensor):
                if any_dtype or x.dtype.kind in "fc":
                    listed.append(flat)
            elif (x is None and position in optional) or (position in numbers and isinstance(x, (int, float, complex))):
                listed.append(flat)
            flat += 1
    return None if len(listed) == flat else tuple(listed)


def saved_versions(op: str, inputs, outputs, needs) -> tuple:
    """(tensor, version, is_output, shape) for each tensor the op's formula reads: the version check watches
    these (and names the shape saved). As in torch, an input is watched only when a gradient that will be
    computed reads it."""
    d = _modules()[0]
    Tensor = _tensor_type()
    if op in d.READS_FOR_GRAD:
        read = {j for i, reads in enumerate(d.READS_FOR_GRAD[op]) if needs[i] for j in reads}
        saved = tuple((t, t._storage.version, False, t._shape) for j, t in enumerate(inputs)
                      if t is not None and j in read)
    elif op in d.READS_NO_INPUT:
        saved = ()
    else:
        saved = tuple((i, i._storage.version, False, i._shape) for i in inputs if i is not None)
    if op in d.READS_RESULT:
        saved += tuple((o, o._storage.version, True, o._shape) for o in outputs if isinstance(o, Tensor))
    return saved
