"""lazygrad.autograd.Function: user-defined ops with a forward and a backward, as in torch."""
from __future__ import annotations

from .function import Context, node_class
from .grad_mode import STATE
from .record import flat_args, next_edge


class FunctionCtx:
    """The `ctx` a custom Function's forward and backward share."""

    def __init__(self):
        self._saved: tuple = ()
        self._versions: tuple = ()
        self._non_differentiable: set[int] = set()
        self.needs_input_grad: tuple[bool, ...] = ()
        self.materialize_grads = True

    def save_for_backward(self, *tensors) -> None:
        self._saved = tensors
        self._versions = tuple(t._storage.version if t is not None else None for t in tensors)

    @property
    def saved_tensors(self) -> tuple:
        for t, v in zip(self._saved, self._versions):
            if t is not None and t._storage.version != v:
                raise RuntimeError("one of the variables needed for gradient computation has been modified by an "
                                   f"inplace operation: is at version {t._storage.version}; expected version {v} "
                                   "instead.")
        return self._saved

    def mark_non_differentiable(self, *tensors) -> None:
        self._non_differentiable |= {id(t) for t in tensors}

    def mark_dirty(self, *tensors) -> None:
        pass

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value


def _call_backward(c: Context, *grads):
    cls = c.user.__class__.function
    return cls.backward(c.user, *grads)


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._ctx_class = type(f"{name}Ctx", (FunctionCtx,), {"function": cls})


class Function(metaclass=_FunctionMeta):
    """Subclass with static forward(ctx, *args) and backward(ctx, *grads); call with .apply(*args)."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        from ..tensor import Tensor
        ctx = cls._ctx_class()
        inputs = flat_args(args)
        ctx.needs_input_grad = tuple(i is not None and i.requires_grad for i in inputs)
        prev = STATE.enabled
        STATE.enabled = False
        try:
            out = cls.forward(ctx, *args, **kwargs)
        finally:
            STATE.enabled = prev
        if not (prev and any(ctx.needs_input_grad)):
            return out
        outputs = out if isinstance(out, tuple) else (out,)
        node = node_class(f"{cls.__name__}Backward", _call_backward)(
            Context(args, kwargs, out, ctx.needs_input_grad, user=ctx),
            [next_edge(i) if i is not None else (None, 0) for i in inputs], (),
            tuple((o._shape, o.dtype, o._storage.device) if isinstance(o, Tensor) else None for o in outputs))
        node._input_meta = tuple((i._shape, i.dtype) if i is not None else None for i in inputs)
        for nr, o in enumerate(outputs):
            if isinstance(o, Tensor) and o.dtype.is_floating_point and id(o) not in ctx._non_differentiable:
                o._requires_grad = True
                o.grad_fn = node
                o._output_nr = nr
        return out
