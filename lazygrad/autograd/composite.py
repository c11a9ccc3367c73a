"""Ops built from other ops but recorded, as torch records them, as one backward node of torch's name
(`NllLossBackward0`, `GeluBackward0`, `MaxPool2DWithIndicesBackward0`, ...), so that printed tensors and
`grad_fn` walks look as they do in torch.

The composing ops record their graph as usual; the named node stands in front of it. Its gradient is that
graph's gradient with respect to the op's inputs (a nested backward pass), which under create_graph is
recorded again, so higher derivatives work as for any op. Releasing the node releases the graph behind it.
"""
from __future__ import annotations

import functools
import inspect
import warnings
from typing import Callable

from ..graph import toposort
from ..warning_sites import reissue
from .function import BackwardNode, Context
from .forward_ad import set_tangent, tangent_of
from .grad_mode import STATE
from .record import _tensor_type, next_edge


class CompositeNode(BackwardNode):
    """A named node whose gradient runs the backward pass of the ops the forward was made of."""

    def release(self) -> None:
        if self._ctx is not None:
            outputs, inputs = self._ctx.user
            stop = {id(next_edge(i)[0]) for i in inputs}
            roots = [o.grad_fn for o in outputs if o is not None and o.grad_fn is not None]
            for node in toposort(roots, lambda n: [m for m, _ in n._edges
                                                   if m is not None and id(m) not in stop]):
                node.release()
        super().release()


def _through_composition(c: Context, *grads):
    from .engine import run_backward
    outputs, inputs = c.user
    pairs = [(o, g) for o, g in zip(outputs, grads) if o is not None and g is not None]
    wanted = [i for i, need in zip(inputs, c.needs_input_grad) if need]
    got = iter(run_backward([o for o, _ in pairs], [g for _, g in pairs], retain_graph=True,
                            create_graph=STATE.enabled, inputs=wanted, accumulate=False, allow_unused=True,
                            partial=True))
    return tuple(next(got) if need else None for need in c.needs_input_grad)


@functools.lru_cache(maxsize=None)
def _node_class(name: str) -> type:
    return type(name, (CompositeNode,), {"_formula": staticmethod(_through_composition)})


def _tensors(values) -> list:
    """The tensors among the arguments, each once (a tensor passed twice gets its whole gradient once)."""
    Tensor = _tensor_type()
    out, seen = [], set()
    for v in values:
        for x in v if isinstance(v, (list, tuple)) else (v,):
            if isinstance(x, Tensor) and id(x) not in seen:
                seen.add(id(x))
                out.append(x)
    return out


def _listed(inputs: list, slots: list | None) -> tuple[int, ...] | None:
    """The edges next_functions shows (record.listed_inputs for a composed op): what torch's schema lists,
    `slots` (a tensor, or None for an optional one left out: an extra edge (None, 0) after the inputs'), or
    by default the floating and complex tensors among the inputs (not an index, a target class, a mask)."""
    if slots is None:
        listed = tuple(n for n, i in enumerate(inputs) if i.dtype.kind in "fc")
        return None if len(listed) == len(inputs) else listed
    at = {id(i): n for n, i in enumerate(inputs)}
    return tuple(len(inputs) if s is None else at[id(s)] for s in slots if s is not _OMITTED)


def _wrap(name: str, out, inputs: list, slots: list | None = None):
    """out's differentiable tensors re-issued behind one node `name` whose inputs are `inputs`."""
    Tensor = _tensor_type()
    outputs = out if isinstance(out, tuple) else (out,)
    inner = tuple(o if isinstance(o, Tensor) and o.grad_fn is not None else None for o in outputs)
    if all(o is None for o in inner):
        return out
    needs = tuple(i._requires_grad for i in inputs)
    ctx = Context(tuple(inputs), {}, None, needs, user=(inner, inputs))
    listed = _listed(inputs, slots)
    left_out = [(None, 0)] if listed is not None and len(inputs) in listed else []
    node = _node_class(name)(ctx, [*(next_edge(i) for i in inputs), *left_out], (),
                             tuple((o._shape, o.dtype, o._storage.device) if isinstance(o, Tensor) else None
                                   for o in outputs))
    node._input_meta = tuple((i._shape, i.dtype) for i in inputs)
    node._listed = listed
    results = []
    for nr, (o, i) in enumerate(zip(outputs, inner)):
        if i is None:
            results.append(o)
            continue
        r = o.detach()
        if any(o._storage is x._storage for x in inputs):  # a view of an input: torch's op returns new memory
            r = r.clone()
        r._requires_grad, r._grad_fn, r._output_nr = True, node, nr
        if tangent_of(o) is not None:
            set_tangent(r, tangent_of(o))
        results.append(r)
    return tuple(results) if isinstance(out, tuple) else results[0]


_OMITTED = object()  # an optional parameter left out that the node does not list


def recorded_as(name: str | Callable[..., str | None], slots: tuple[str, ...] | None = None):
    """Record the decorated function's result behind one node named `name` (or name(*args, **kwargs), None
    for the composing ops' own nodes). `slots`: the parameters torch's node lists as next_functions, where
    that is not the floating-point tensors passed; one named with a trailing "?" is listed only when given."""
    def deco(fn):
        signature = inspect.signature(fn) if slots else None

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                out = fn(*args, **kwargs)
            reissue(caught, __file__)
            if not STATE.enabled:
                return out
            inputs = _tensors(list(args) + list(kwargs.values()))
            if not any(i._requires_grad for i in inputs):
                return out
            label = name(*args, **kwargs) if callable(name) else name
            if label is None:
                return out
            given = None
            if signature is not None:
                bound = signature.bind(*args, **kwargs)
                bound.apply_defaults()
                given = [bound.arguments[s.rstrip("?")] for s in slots]
                given = [_OMITTED if v is None and s.endswith("?") else v for s, v in zip(slots, given)]
            return _wrap(label, out, inputs, given)
        return wrapper
    return deco
