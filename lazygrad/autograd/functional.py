"""lazygrad.autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp, built on reverse mode as torch's are
(a Jacobian-vector product is the double-backward trick), with torch's checks of what the function is given
and returns, and of `v`, and its `strict` mode that refuses results independent of an input."""
from __future__ import annotations

from contextlib import nullcontext
from typing import Callable

# strict mode's refusals: an output, gradient or derivative that does not depend on the inputs
_NOT_REQUIRING = {
    "outputs": "Output {i} of the user-provided function does not require gradients. The outputs must be computed in "
               "a differentiable manner from the input when running in strict mode.",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of the user-provided function. "
                   "This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided function with respect to "
                "input {i} is independent of the input. This is not allowed in strict mode. You should ensure that "
                "your function is twice differentiable and that the jacobian depends on the inputs (this would be "
                "violated by a linear function for example).",
    "hessian": "The hessian of the user-provided function with respect to input {i} is independent of the input. This "
               "is not allowed in strict mode. You should ensure that your function is thrice differentiable and that "
               "the hessian depends on the inputs.",
}
_MISSING = {  # a derivative that autograd found no path to, by the stage that asked for it
    "back": "The output of the user-provided function is independent of input {i}. This is not allowed in strict "
            "mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the grad_outputs when using "
                  "the double backward trick to compute forward mode gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This is not allowed in "
                   "strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} in the grad_jacobian. "
                         "This is not allowed in strict mode as it prevents from using the double backward trick to "
                         "replace forward mode AD.",
}
_CONSTANT = {  # a derivative computed without a graph although create_graph asked for one
    False: "The jacobian of the user-provided function is independent of input {i}. This is not allowed in strict "
           "mode when create_graph=True.",
    True: "The hessian of the user-provided function is independent of input {i}. This is not allowed in strict mode "
          "when create_graph=True.",
}


def _tensors(value, what: str, fn: str) -> tuple[bool, tuple]:
    """(whether value is a tuple, its tensors as a tuple): a tensor or a tuple of them (not a list), as torch takes."""
    from ..tensor import Tensor
    is_tuple = isinstance(value, tuple)
    items = value if is_tuple else (value,)
    for i, item in enumerate(items):
        if not isinstance(item, Tensor):
            where = f"value at index {i}" if is_tuple else f"given {what}"
            raise TypeError(f"The {what} given to {fn} must be either a Tensor or a tuple of Tensors but the {where} "
                            f"has type {type(item)}.")
    return is_tuple, items


def _prepared(tensors: tuple, create_graph: bool, need_graph: bool) -> tuple:
    """Tensors to differentiate with respect to, the caller's untouched: a view keeping the caller's graph where
    create_graph asks for one, else a detached copy."""
    return tuple(t.view_as(t) if create_graph and t.requires_grad else t.detach().requires_grad_(need_graph)
                 for t in tensors)


def _check_v(v: tuple, refs: tuple, refs_tuple: bool) -> None:
    if len(v) != len(refs):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(refs)} but got {len(v)}." if refs_tuple
                           else "The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, refs)):
        if a.shape != b.shape:
            raise RuntimeError(f"{f'Entry {i} in ' if refs_tuple else ''}v has invalid size: should be {b.size()} but "
                               f"got {a.size()}.")


def _check_requires_grad(tensors: tuple, kind: str, strict: bool) -> None:
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(_MISSING["back"].format(i=i))
        if not t.requires_grad:
            raise RuntimeError(_NOT_REQUIRING[kind].format(i=i))


def _grads(outputs: tuple, inputs: tuple, grad_outputs: tuple | None = None, create_graph: bool = False,
           retain_graph: bool | None = None) -> tuple:
    """d outputs / d inputs against grad_outputs, None for an input no output depends on; outputs that do not
    require grad are left out."""
    from . import grad
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs or (None,) * len(outputs))
             if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return grad([o for o, _ in pairs], inputs, [g for _, g in pairs], retain_graph=retain_graph,
                create_graph=create_graph, allow_unused=True)


def _filled(grads: tuple, refs: tuple, strict: bool, create_graph: bool, stage: str) -> tuple:
    """The derivatives with zeros where autograd found no path (refused in strict mode)."""
    from ..creation import zeros_like
    out = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_MISSING[stage].format(i=i))
            g = zeros_like(ref)
        elif strict and create_graph and not g.requires_grad:
            raise RuntimeError(_CONSTANT["double" in stage].format(i=i))
        out.append(g)
    return tuple(out)


def _finished(tensors: tuple, create_graph: bool) -> tuple:
    if tensors and isinstance(tensors[0], tuple):
        return tuple(_finished(t, create_graph) for t in tensors)
    return tensors if create_graph else tuple(t.detach() for t in tensors)


def _unpacked(result: tuple, is_tuple):
    """A tuple result as the caller's arguments were shaped: one level per flag ((outputs, inputs) for a Jacobian)."""
    if isinstance(is_tuple, tuple):
        outputs_tuple, inputs_tuple = is_tuple
        if not inputs_tuple:
            result = tuple(r[0] for r in result)
        return result if outputs_tuple else result[0]
    return result if is_tuple else result[0]


def _vector(v, refs: tuple, refs_tuple: bool, create_graph: bool, fn: str, none_refusal: str) -> tuple | None:
    if v is None:
        if len(refs) != 1 or refs[0].numel() != 1:
            raise RuntimeError(none_refusal)
        return None
    v = _prepared(_tensors(v, "v", fn)[1], create_graph, need_graph=False)
    _check_v(v, refs, refs_tuple)
    return v


_V_FOR_OUTPUT = ("The vector v can only be None if the user-provided function returns a single Tensor with a single "
                 "element.")
_V_FOR_INPUT = ("The vector v can only be None if the input to the user-provided function is a single Tensor with a "
                "single element.")


def vjp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T J)."""
    from .grad_mode import enable_grad, is_grad_enabled, set_grad_enabled
    with enable_grad():
        inputs_tuple, ins = _tensors(inputs, "inputs", "vjp")
        ins = _prepared(ins, create_graph, need_graph=True)
        outputs_tuple, outs = _tensors(func(*ins), "outputs of the user-provided function", "vjp")
        _check_requires_grad(outs, "outputs", strict)
        v = _vector(v, outs, outputs_tuple, create_graph, "vjp", _V_FOR_OUTPUT)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        result = _filled(_grads(outs, ins, v, create_graph), ins, strict, create_graph, "back")
    return (_unpacked(_finished(outs, create_graph), outputs_tuple),
            _unpacked(_finished(result, create_graph), inputs_tuple))


def jvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), J v): the derivative of a vector-Jacobian product with respect to its vector."""
    from ..creation import zeros_like
    from .grad_mode import enable_grad, set_grad_enabled
    with enable_grad():
        inputs_tuple, ins = _tensors(inputs, "inputs", "jvp")
        ins = _prepared(ins, create_graph, need_graph=True)
        v = _vector(v, ins, inputs_tuple, create_graph, "jvp", _V_FOR_INPUT)
        outputs_tuple, outs = _tensors(func(*ins), "outputs of the user-provided function", "jvp")
        _check_requires_grad(outs, "outputs", strict)
        us = tuple(zeros_like(o, requires_grad=True) for o in outs)
        grad_inputs = _grads(outs, ins, us, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
    with set_grad_enabled(True) if create_graph else nullcontext():
        result = _filled(_grads(grad_inputs, us, v, create_graph), outs, strict, create_graph, "back_trick")
    return (_unpacked(_finished(outs, create_graph), outputs_tuple),
            _unpacked(_finished(result, create_graph), outputs_tuple))


def _check_strategy(strategy: str, create_graph: bool, strict: bool) -> None:
    """torch's refusals of jacobian's options."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your function '
                             'has more outputs than inputs, "forward-mode" tends to be more performant. Otherwise, '
                             'prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError('lazygrad.autograd.functional.jacobian: `create_graph=True` and '
                                      '`strategy="forward-mode"` are not supported together (yet). Please either set '
                                      '`create_graph=False` or `strategy="reverse-mode"`.')
        if strict:
            raise RuntimeError('lazygrad.autograd.functional.jacobian: `strict=True` and `strategy="forward-mode"` are '
                               'not supported together (yet). Please either set `strict=False` or `strategy="reverse-'
                               'mode"`.')


def jacobian(func: Callable, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode"):
    """d out / d in, one row of each output at a time; for one input and one output a tensor of shape
    out.shape + in.shape, else tuples (per output, then per input)."""
    from ..creation import zeros_like
    from ..movement import stack
    from .grad_mode import enable_grad
    _check_strategy(strategy, create_graph, strict)
    if strategy == "forward-mode":
        return _forward_jacobian(func, inputs, vectorize)
    with enable_grad():
        inputs_tuple, ins = _tensors(inputs, "inputs", "jacobian")
        ins = _prepared(ins, create_graph, need_graph=True)
        outputs_tuple, outs = _tensors(func(*ins), "outputs of the user-provided function", "jacobian")
        _check_requires_grad(outs, "outputs", strict)
        if vectorize and strict:
            raise RuntimeError("lazygrad.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
                               "supported together. Please either set `strict=False` or `vectorize=False`.")
        table = []
        for i, out in enumerate(outs):
            rows: list[list] = [[] for _ in ins]
            flat = out.reshape(-1)
            for k in range(out.numel()):
                for j, (g, x) in enumerate(zip(_grads((flat[k],), ins, retain_graph=True, create_graph=create_graph),
                                               ins)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is independent of input "
                                               f"{j}. This is not allowed in strict mode.")
                        g = zeros_like(x)
                    elif strict and create_graph and not g.requires_grad:
                        raise RuntimeError(_CONSTANT[False].format(i=i))
                    rows[j].append(g)
            table.append(tuple(stack(r).reshape(out.shape + x.shape) for r, x in zip(rows, ins)))
    return _unpacked(_finished(tuple(table), create_graph), (outputs_tuple, inputs_tuple))


def _forward_jacobian(func: Callable, inputs, vectorize: bool):
    """The Jacobian in forward mode, one column (a tangent along one input element) at a time: the tangents of
    the outputs, in their dtype."""
    from ..creation import zeros, zeros_like
    from ..movement import stack
    from . import forward_ad
    inputs_tuple, ins = _tensors(inputs, "inputs", "jacobian")
    if not vectorize:
        raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse Hessian isonly "
                                  "implemented for `vectorize=True`.")
    columns: list[list[list]] = [[] for _ in ins]  # per input, per element: the outputs' tangents
    outputs_tuple, outs = False, ()
    for j, x in enumerate(ins):
        for k in range(x.numel()):
            with forward_ad.dual_level():
                duals = tuple(forward_ad.make_dual(t, _basis(t, k) if i == j else zeros_like(t))
                              for i, t in enumerate(ins))
                outputs_tuple, outs = _tensors(func(*duals), "outputs", None)
                unpacked = [forward_ad.unpack_dual(o) for o in outs]
                outs = tuple(u.primal for u in unpacked)
                columns[j].append([zeros_like(u.primal) if u.tangent is None else u.tangent for u in unpacked])
    if not outs:  # (no input element: the function runs once, for its outputs' shapes)
        outputs_tuple, outs = _tensors(func(*ins), "outputs", None)
    table = tuple(tuple(stack([c[i] for c in cols]).movedim(0, -1).reshape(o.shape + x.shape) if cols
                        else zeros(o.shape + x.shape, dtype=o.dtype, device=o.device)
                        for cols, x in zip(columns, ins))
                  for i, o in enumerate(outs))
    return _unpacked(table, (outputs_tuple, inputs_tuple))


def _basis(t, k: int):
    """A tangent like t, one at its k-th element (in memory order of a row-major t) and zero elsewhere."""
    from ..creation import zeros
    flat = zeros(t.numel(), dtype=t.dtype, device=t.device)
    flat[k] = 1
    return flat.reshape(t.shape)


def _one_element(out, fn: str, strict: bool):
    """The single-element tensor a scalar function must return (hessian, vhp, hvp)."""
    from ..tensor import Tensor
    is_tuple, outs = _tensors(out, "outputs of the user-provided function", fn)
    _check_requires_grad(outs, "outputs", strict)
    if is_tuple or not isinstance(outs[0], Tensor):
        raise RuntimeError(f"The function given to {fn} should return a single Tensor")
    if outs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn} should contain a single element")
    return outs[0]


def hessian(func: Callable, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode"):
    """The Jacobian of the gradient of a scalar function: per pair of inputs when given a tuple."""
    inputs_tuple, ins = _tensors(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def gradient(*xs):
        if outer_jacobian_strategy == "forward-mode":  # (so the reverse pass keeps the duals, not detached copies)
            xs = tuple(x.requires_grad_(True) for x in xs)
        jac = jacobian(lambda *ys: _one_element(func(*ys), "hessian", strict).squeeze(), xs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac
    result = jacobian(gradient, ins, create_graph=create_graph, strict=strict, vectorize=vectorize,
                      strategy=outer_jacobian_strategy)
    return _unpacked(result, (inputs_tuple, inputs_tuple))


def _second_order(func: Callable, inputs, v, create_graph: bool, strict: bool, fn: str):
    """What vhp and hvp share: the prepared inputs, v, the function's value and its gradient (with a graph)."""
    from .grad_mode import enable_grad
    with enable_grad():
        inputs_tuple, ins = _tensors(inputs, "inputs", fn)
        ins = _prepared(ins, create_graph, need_graph=True)
        v = _vector(v, ins, inputs_tuple, create_graph, fn, _V_FOR_INPUT)
        out = _one_element(func(*ins), fn, strict)
        jac = _grads((out,), ins, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
    return inputs_tuple, ins, v, out, jac


def vhp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T H) for a scalar function: the gradient of (grad . v)."""
    from .grad_mode import is_grad_enabled, set_grad_enabled
    inputs_tuple, ins, v, out, jac = _second_order(func, inputs, v, create_graph, strict, "vhp")
    with set_grad_enabled(create_graph or is_grad_enabled()):
        result = _filled(_grads(jac, ins, v, create_graph), ins, strict, create_graph, "double_back")
    return _finished((out,), create_graph)[0], _unpacked(_finished(result, create_graph), inputs_tuple)


def hvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), H v) for a scalar function, by the double-backward trick."""
    from ..creation import zeros_like
    from .grad_mode import enable_grad, is_grad_enabled, set_grad_enabled
    inputs_tuple, ins, v, out, jac = _second_order(func, inputs, v, create_graph, strict, "hvp")
    with enable_grad():
        us = tuple(zeros_like(x, requires_grad=True) for x in ins)
        double_back = _grads(jac, ins, us, create_graph=True)
        _check_requires_grad(jac, "hessian", strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        result = _filled(_grads(double_back, us, v, create_graph), ins, strict, create_graph, "double_back_trick")
    return _finished((out,), create_graph)[0], _unpacked(_finished(result, create_graph), inputs_tuple)
