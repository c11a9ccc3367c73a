"""Forward-mode AD (torch.autograd.forward_ad): inside a dual level, a dual tensor carries a tangent t, and
every differentiable op on dual tensors gives its results their tangents J t.

There are no separate forward formulas. An op's reverse-mode formula is linear in the output gradient u,
so J t is the derivative with respect to u of <vjp(u), t>: the formula differentiated once more (the
double-vjp construction). Every op with a derivative therefore has its forward derivative too, exact and
lazy like everything else; an op torch cannot differentiate (a random draw's zero gradient aside) raises
as its backward would.
"""
from __future__ import annotations

import contextlib
import functools
import weakref
from collections import namedtuple


__all__ = ["UnpackedDualTensor", "dual_level", "enter_dual_level", "exit_dual_level", "make_dual", "unpack_dual"]

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])


class _Forward:
    level: int | None = None  # the open dual level (torch supports one: 0)
    propagating = True  # off while an op computes: its inner ops' tangents are not needed
    duals: dict[int, weakref.ref] = {}  # the tensors holding a tangent (by id: tensors compare elementwise)


FORWARD = _Forward()


def enter_dual_level() -> int:
    if FORWARD.level is not None:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    FORWARD.level = 0
    return 0


def exit_dual_level(*, level: int | None = None) -> None:
    if FORWARD.level is None or level not in (None, FORWARD.level):
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that was created. This is "
                           "not supported.")
    for ref in list(FORWARD.duals.values()):
        if (t := ref()) is not None:
            t._tangent = None
    FORWARD.duals.clear()
    FORWARD.level = None


class dual_level:
    """A context (and decorator) inside which dual tensors carry their tangents."""

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc) -> None:
        exit_dual_level()

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with dual_level():
                return fn(*args, **kwargs)
        return wrapper


@contextlib.contextmanager
def no_propagation():
    """Ops inside compute no tangents (the tangents' own computation, an op's inner steps)."""
    before, FORWARD.propagating = FORWARD.propagating, False
    try:
        yield
    finally:
        FORWARD.propagating = before


def _check_level(level: int | None, name: str) -> None:
    if FORWARD.level is None:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, make sure to "
                           "enter_dual_level() first.")
    if level not in (None, FORWARD.level):
        raise RuntimeError(f"Invalid level given to {name}")


def tangent_of(t):
    """t's tangent at the open level, or None."""
    return getattr(t, "_tangent", None) if FORWARD.level is not None else None


def duals() -> list:
    """The live tensors holding a tangent."""
    return [t for ref in list(FORWARD.duals.values()) if (t := ref()) is not None]


def set_tangent(t, tangent) -> None:
    t._tangent = tangent
    key = id(t)
    FORWARD.duals[key] = weakref.ref(t, lambda _: FORWARD.duals.pop(key, None))


def make_dual(tensor, tangent, *, level: int | None = None):
    """A view of tensor whose tangent is `tangent` (of tensor's size; it is not copied)."""
    _check_level(level, "_make_dual")
    for name, t in (("primal", tensor), ("tangent", tangent)):
        if not (t.dtype.is_floating_point or t.dtype.is_complex):
            raise ValueError(f"Expected {name} to be floating point or complex, but got: {t.dtype}")
    if tangent.shape != tensor.shape:
        raise RuntimeError("Trying to set a forward gradient that has a different size than that of the original "
                           f"Tensor, this is not supported. Tensor is of size {list(tensor.shape)} while the given "
                           f"forward gradient is of size {list(tangent.shape)}.")
    if tangent_of(tensor) is not None:
        raise RuntimeError("Making a dual Tensor based on a Tensor that already has a forward gradient at the same "
                           "level 0 is not supported.")
    dual = tensor.view_as(tensor)
    set_tangent(dual, tangent)
    return dual


def unpack_dual(tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """(primal, tangent): the primal an alias of tensor without the tangent; the tangent None outside a
    level or where tensor has none."""
    tangent = tangent_of(tensor) if level in (None, FORWARD.level) else None
    with no_propagation():
        return UnpackedDualTensor(tensor.view_as(tensor), tangent)


def any_dual(args, kwargs) -> bool:
    from ..tensor import Tensor
    for v in (*args, *kwargs.values()):
        if isinstance(v, Tensor):
            if getattr(v, "_tangent", None) is not None:
                return True
        elif isinstance(v, (list, tuple)) and any(isinstance(x, Tensor) and getattr(x, "_tangent", None) is not None
                                                  for x in v):
            return True
    return False


@functools.lru_cache(maxsize=None)
def _lazygrad():
    """lazygrad and the autograd pieces a tangent is computed with (imported on first use: this module
    is imported while they are)."""
    import lazygrad
    from . import derivatives
    from .function import Context
    return lazygrad, derivatives, Context


def propagate(op: str, call, args: tuple, kwargs: dict):
    """call()'s results, given their tangents: op's formula (with arguments args, kwargs by position, as
    formulas read them) applied to output gradients u, paired with the inputs' tangents, differentiated
    with respect to u."""
    from .record import flat_args, flat_grads
    lg, derivatives, Context = _lazygrad()
    with no_propagation():
        out = call()
    inputs = flat_args(args)
    tangents = [tangent_of(i) if i is not None else None for i in inputs]
    outputs = out if isinstance(out, tuple) else (out,)
    if all(t is None for t in tangents) or not any(_differentiable(o) for o in outputs):
        return out
    keep_graph = any(t is not None and (t.requires_grad or i.requires_grad) for i, t in zip(inputs, tangents))
    try:
        with no_propagation(), lg.enable_grad():
            us = [lg.zeros_like(o).requires_grad_() if _differentiable(o) else
                  (lg.zeros_like(o) if isinstance(o, lg.Tensor) else None) for o in outputs]
            ctx = Context(args, kwargs, out, tuple(t is not None for t in tangents))
            grads = _transposed(op, derivatives, ctx, us, inputs, outputs)
            grads = flat_grads(args, grads if isinstance(grads, tuple) else (grads,))
            total = sum(pairing(g, t) for g, t in zip(grads, tangents) if g is not None and t is not None)
            wrt = [u for u in us if u is not None and u.requires_grad]
            found = (lg.autograd.grad(total, wrt, allow_unused=True, create_graph=keep_graph)
                     if isinstance(total, lg.Tensor) and total.requires_grad else [None] * len(wrt))
    except RuntimeError as e:
        if "is not implemented" not in str(e):
            raise
        raise NotImplementedError(f"Trying to use forward AD with {op} that does not support it because it has not "
                                  "been implemented yet.") from e
    found = iter(found)
    for o in outputs:
        if _differentiable(o):
            t = next(found)
            set_tangent(o, lg.zeros_like(o) if t is None else t)
    return out


def _transposed(op: str, derivatives, ctx, us: list, inputs: list, outputs: tuple):
    """op's backward formula applied to the output cotangents us, with torch's complex gradients: where complex
    values pass and the formula is written for real ones, conj(formula(conj(u))), as the backward engine takes
    it (derivatives.COMPLEX_AWARE)."""
    from .function import _conj, _conj_result
    formula = derivatives.DERIVATIVES[op][1]
    kinds = {t.dtype.kind for t in (*inputs, *outputs) if t is not None and hasattr(t, "dtype")}
    if "c" not in kinds or op in derivatives.COMPLEX_AWARE:
        return formula(ctx, *us)
    out = formula(ctx, *map(_conj, us))
    return tuple(map(_conj_result, out)) if isinstance(out, tuple) else _conj_result(out)


def pairing(g, t):
    """The real inner product of an input's gradient g (for the output cotangents u) and its tangent t, a complex
    number counted as its pair of reals: Re(sum(conj(g) t)). g is the transposed Jacobian applied to u, so this
    is u's real inner product with the Jacobian applied to t, and its gradient with respect to u (torch's
    convention for complex numbers: dRe + i dIm) is that jvp."""
    if g.dtype.is_complex or t.dtype.is_complex:
        return (g.conj() * t).real.sum()
    return (g * t.to(g.dtype)).sum()


def _differentiable(o) -> bool:
    from ..tensor import Tensor
    return isinstance(o, Tensor) and (o.dtype.is_floating_point or o.dtype.is_complex)
