"""lazygrad.autograd.Function: user-defined ops with a forward and a backward (and a jvp for forward-mode
AD), as in torch: forward(ctx, *args), or forward(*args) with setup_context(ctx, inputs, output)."""
from __future__ import annotations

import functools
import inspect
import warnings
import weakref

from .forward_ad import FORWARD, any_dual, no_propagation, set_tangent, tangent_of
from .function import Context, modified_message, node_class
from .grad_mode import STATE
from .record import flat_args, next_edge


class FunctionCtx:
    """The `ctx` a custom Function's forward and backward share."""

    def __init__(self):
        self._saved: tuple = ()
        self._versions: tuple = ()
        self._non_differentiable: set[int] = set()
        self._dirty: set[int] = set()  # inputs forward wrote in place: returned as themselves
        self.needs_input_grad: tuple[bool, ...] = ()
        self.materialize_grads = True
        self._node: weakref.ref | None = None  # the backward node, once forward's outputs are recorded
        self._returned: tuple[int, ...] = ()  # the ids of what forward returned (alive beside the saved ones)

    def save_for_backward(self, *tensors) -> None:
        from ..tensor import Tensor
        for k, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {k} is of type "
                                f"{type(t).__name__}")
        self._saved = tensors
        self._versions = tuple((t._storage.version, t._shape) if t is not None else None for t in tensors)

    def save_for_forward(self, *tensors) -> None:
        """Tensors jvp reads as ctx.saved_tensors."""
        self._saved_for_forward = tensors

    @property
    def saved_tensors(self) -> tuple:
        for t, saved in zip(self._saved, self._versions):
            if t is not None and t._storage.version != saved[0]:
                raise RuntimeError(self._modified(t, *saved))
        return self._saved

    def _modified(self, t, version: int, shape: tuple) -> str:
        """torch's message for a saved tensor written since: a saved output is named as this Function's, an
        input as the output of whatever node made it last."""
        node = self._node() if self._node is not None else None
        nr = next((k for k, o in enumerate(self._returned) if o == id(t)), None)
        if node is not None and nr is not None:
            return modified_message(t, version, node, nr, shape)
        return modified_message(t, version, t.grad_fn, t._output_nr)

    def mark_non_differentiable(self, *tensors) -> None:
        self._non_differentiable |= {id(t) for t in tensors}

    def mark_dirty(self, *tensors) -> None:
        self._dirty |= {id(t) for t in tensors}

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value


def _bound(forward, args: tuple, kwargs: dict) -> tuple:
    """forward's arguments as setup_context's `inputs`: keywords and defaults in their places, as torch binds them."""
    bound = _signature(forward).bind(*args, **kwargs)
    bound.apply_defaults()
    return bound.args


@functools.lru_cache(maxsize=None)
def _signature(forward) -> inspect.Signature:
    return inspect.signature(forward)


def _aliased_inputs(outputs: tuple, inputs: list, dirty: set[int], differentiable: list[bool]) -> tuple:
    """An input a forward returns as it is comes back as a view of it (as in torch): the node then
    owns the output without turning the caller's tensor into a non-leaf. A non-differentiable one comes
    back detached (an alias that is no view for autograd)."""
    from ..movement import as_view
    ids = {id(i) for i in inputs if i is not None} - dirty
    return tuple(o if id(o) not in ids else as_view(o, o._shape, o._strides, o._offset) if grads else o.detach()
                 for o, grads in zip(outputs, differentiable))


def _call_backward(c: Context, *grads):
    cls = c.user.__class__.function
    backward = cls.backward if cls.backward is not Function.backward else cls.vjp
    return backward(c.user, *grads)


def checked_gradients(node, raw) -> tuple:
    """What a custom Function's backward returned, checked as torch checks it: a tensor or None for each
    argument of forward (Nones past them are dropped), None for an argument that is no tensor, and each of
    a shape its input broadcasts to."""
    from ..tensor import Tensor
    grads = raw if isinstance(raw, tuple) else (raw,)
    expected = len(node._input_meta)
    if expected != len(node._ctx.args):  # (a list of tensors spread into several inputs: lazygrad's own reading)
        return raw
    name = node.name()
    if len(grads) > expected and all(g is None for g in grads[expected:]):
        grads = grads[:expected]
    if len(grads) != expected:
        raise RuntimeError(f"function {name} returned an incorrect number of gradients (expected {expected}, got "
                           f"{len(grads)})")
    for i, (g, meta) in enumerate(zip(grads, node._input_meta)):
        if g is None:
            continue
        if not isinstance(g, Tensor):
            raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
        if meta is None:
            raise RuntimeError(f"function {name} returned a gradient different than None at position {i + 1}, but "
                               "the corresponding forward input was not a Variable")
        shape, lead = meta[0], g.ndim - len(meta[0])
        if lead < 0 or any(s not in (1, n) for s, n in zip(shape, g.shape[lead:])):
            raise RuntimeError(f"Function {name} returned an invalid gradient at index {i} - got {list(g.shape)} "
                               f"but expected shape compatible with {list(shape)}")
        if g.dtype.is_complex and not meta[1].is_complex:
            raise RuntimeError("Expected isFloatingType(grad.scalar_type()) || (input_is_complex == grad_is_complex) "
                               "to be true, but got false.  (Could this error message be improved?  If so, please "
                               "report an enhancement request to PyTorch.)")
    return grads


def is_function_node(node) -> bool:
    """Whether a backward node is a custom autograd.Function's."""
    return getattr(type(node), "_formula", None) is _call_backward


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._ctx_class = type(f"{name}Ctx", (FunctionCtx,), {"function": cls})


class Function(metaclass=_FunctionMeta):
    """Subclass with static forward(ctx, *args) and backward(ctx, *grads); call with .apply(*args)."""

    def __init__(self, *args, **kwargs):
        warnings.warn(f"{type(self)} should not be instantiated. Methods on autograd functions are all static, so "
                      "you should invoke them on the class itself. Instantiating an autograd function will raise "
                      "an error in a future version of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is deprecated. Please use "
                           "new-style autograd function with static forward method. (Example: "
                           "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    @staticmethod
    def vjp(ctx, *grad_outputs):
        return ctx.function.backward(ctx, *grad_outputs)

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("You must implement the jvp function for custom autograd.Function to use it with "
                                  "forward mode AD.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        """Overridden by a Function whose forward takes no ctx: what forward would have saved."""
        raise NotImplementedError("setup_context is not implemented.")

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = cls._ctx_class()
        inputs = flat_args(args)
        ctx.needs_input_grad = tuple(i is not None and i.requires_grad for i in inputs)
        prev, prev_op = STATE.enabled, STATE.recorded_op
        STATE.enabled, STATE.recorded_op = False, prev or prev_op
        FORWARD.propagating, propagating = False, FORWARD.propagating
        try:
            if cls.setup_context is not Function.setup_context:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, _bound(cls.forward, args, kwargs), out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        finally:
            STATE.enabled, STATE.recorded_op, FORWARD.propagating = prev, prev_op, propagating
        for i in inputs:
            if i is not None and id(i) in ctx._dirty:
                i._storage.version += 1  # (torch counts mark_dirty as a write of its own)
        out = cls._recorded(ctx, args, kwargs, inputs, out) if prev and any(ctx.needs_input_grad) else out
        if FORWARD.level is not None and propagating and any_dual(args, kwargs):
            cls._forward_tangents(ctx, inputs, out)
        return out

    @classmethod
    def _forward_tangents(cls, ctx, inputs: list, out) -> None:
        """The outputs' tangents: jvp(ctx, *input tangents), reading what save_for_forward kept."""
        from ..tensor import Tensor
        saved, versions = ctx._saved, ctx._versions
        ctx._saved, ctx._versions = getattr(ctx, "_saved_for_forward", ()), ()
        try:
            with no_propagation():
                tangents = cls.jvp(ctx, *(tangent_of(i) if i is not None else None for i in inputs))
        finally:
            ctx._saved, ctx._versions = saved, versions
        outputs = out if isinstance(out, tuple) else (out,)
        tangents = tangents if isinstance(tangents, tuple) else (tangents,)
        for o, t in zip(outputs, tangents):
            if isinstance(o, Tensor) and t is not None:
                set_tangent(o, t)

    @classmethod
    def _recorded(cls, ctx, args, kwargs, inputs: list, out):
        """out behind one backward node of this Function."""
        from ..tensor import Tensor
        if any(i is not None and id(i) in ctx._dirty and i._requires_grad and i._grad_fn is None and i._base is None
               for i in inputs):
            raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
        returned = out if isinstance(out, tuple) else (out,)
        differentiable = [isinstance(o, Tensor) and o.dtype.kind in "fc" and id(o) not in ctx._non_differentiable
                          for o in returned]
        outputs = _aliased_inputs(returned, inputs, ctx._dirty, differentiable)
        out = outputs if isinstance(out, tuple) else outputs[0]
        node = node_class(f"{cls.__name__}Backward", _call_backward)(
            Context(args, kwargs, out, ctx.needs_input_grad, user=ctx),
            [next_edge(i) if i is not None else (None, 0) for i in inputs], (),
            tuple((o._shape, o.dtype, o._storage.device) if isinstance(o, Tensor) else None for o in outputs))
        node._input_meta = tuple((i._shape, i.dtype) if i is not None else None for i in inputs)
        ctx._node, ctx._returned = weakref.ref(node), tuple(map(id, returned))
        node._user = ctx
        if None in inputs:  # torch's node of a Function lists its tensor arguments only
            node._listed = tuple(n for n, i in enumerate(inputs) if i is not None)
        for nr, (o, grads) in enumerate(zip(outputs, differentiable)):
            if grads:
                o._requires_grad = True
                o._grad_fn = node
                o._output_nr = nr
        return out
