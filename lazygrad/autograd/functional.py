"""lazygrad.autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp built on reverse mode."""
from __future__ import annotations


def _items(x):
    """(the tensors as a tuple, whether the caller passed a tuple)."""
    return (tuple(x), True) if isinstance(x, (tuple, list)) else ((x,), False)


def _shaped(items, was_tuple: bool):
    return tuple(items) if was_tuple else items[0]


def _leaves(inputs, create_graph: bool):
    """Leaves requiring grad, so the caller's tensors are not touched (kept as they are under create_graph)."""
    return tuple(x if create_graph and x.requires_grad else x.detach().requires_grad_(True) for x in inputs)


def _grad(outputs, inputs, grad_outputs, create_graph: bool):
    from . import grad
    from ..creation import zeros_like
    gs = grad(outputs, inputs, grad_outputs, retain_graph=True, create_graph=create_graph, allow_unused=True)
    return tuple(g if g is not None else zeros_like(x) for g, x in zip(gs, inputs))


def _finish(tensors, create_graph: bool):
    return tuple(t if create_graph else t.detach() for t in tensors)


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T J)."""
    ins, in_tuple = _items(inputs)
    ins = _leaves(ins, create_graph)
    outs, out_tuple = _items(func(*ins))
    vs = _items(v)[0] if v is not None else (None,) * len(outs)
    res = _grad(outs, ins, vs, create_graph)
    return _shaped(_finish(outs, create_graph), out_tuple), _shaped(_finish(res, create_graph), in_tuple)


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), J v): the derivative of a vector-Jacobian product with respect to its vector."""
    from ..creation import ones_like, zeros_like
    ins, _ = _items(inputs)
    ins = _leaves(ins, True)
    outs, out_tuple = _items(func(*ins))
    vs = _items(v)[0] if v is not None else tuple(ones_like(x) for x in ins)
    us = tuple(zeros_like(o).requires_grad_(True) for o in outs)
    res = _grad(_grad(outs, ins, us, True), us, vs, create_graph)
    return _shaped(_finish(outs, create_graph), out_tuple), _shaped(_finish(res, create_graph), out_tuple)


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode"):
    """d out / d in; for one input and one output a tensor of shape out.shape + in.shape."""
    from ..movement import stack
    ins, in_tuple = _items(inputs)
    ins = _leaves(ins, create_graph)
    outs, out_tuple = _items(func(*ins))
    table = []
    for o in outs:
        flat = o.reshape(-1)
        rows = [_grad(flat[k], ins, None, create_graph) for k in range(o.numel())]
        blocks = []
        for i, x in enumerate(ins):
            shape = tuple(o.shape) + tuple(x.shape)
            j = stack([r[i] for r in rows]).reshape(shape) if rows else x.new_zeros(shape)
            blocks.append(j if create_graph else j.detach())
        table.append(_shaped(blocks, in_tuple))
    return _shaped(table, out_tuple)


def hessian(func, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode"):
    """The Jacobian of the gradient of a scalar function."""
    ins, in_tuple = _items(inputs)

    def gradient(*xs):
        return _shaped(_grad(func(*xs), xs, None, True), in_tuple)
    return jacobian(gradient, _shaped(ins, in_tuple), create_graph=create_graph)


def hvp(func, inputs, v, create_graph: bool = False, strict: bool = False):
    """(func(inputs), H v) for a scalar function: the gradient of (grad . v)."""
    ins, in_tuple = _items(inputs)
    ins = _leaves(ins, True)
    out = func(*ins)
    g = _grad(out, ins, None, True)
    total = sum((gi * vi).sum() for gi, vi in zip(g, _items(v)[0]))
    res = _grad(total, ins, None, create_graph)
    return _finish((out,), create_graph)[0], _shaped(_finish(res, create_graph), in_tuple)


def vhp(func, inputs, v, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T H); a twice-differentiable function's Hessian is symmetric, so this is H v."""
    return hvp(func, inputs, v, create_graph, strict)
