"""Backward nodes (torch's grad_fn objects): one class per op, named as torch names it."""
from __future__ import annotations

import re

from ..deferred_checks import TRUST
from ..hooks import HookDict, RemovableHandle, add_hook


class Context:
    """What a derivative formula sees: the op's arguments, its output, and whether each input needs a grad."""

    __slots__ = ("args", "kwargs", "out", "needs_input_grad", "user")

    def __init__(self, args, kwargs, out, needs_input_grad, user=None):
        self.args, self.kwargs, self.out, self.needs_input_grad = args, kwargs, out, needs_input_grad
        self.user = user  # the ctx object of a custom autograd.Function


def _swapped(ctx: Context, swap: dict) -> Context:
    """ctx with the tensors whose ids swap names replaced."""
    def sub(v):
        if isinstance(v, (list, tuple)) and not hasattr(v, "_fields"):
            return type(v)(sub(x) for x in v)
        return swap.get(id(v), v)
    return Context(sub(ctx.args), ctx.kwargs, sub(ctx.out), ctx.needs_input_grad, ctx.user)


def _unpacked(ctx: Context, packed: list, unpack) -> Context:
    """ctx with each saved tensor replaced by what unpack_hook gives back for it."""
    return _swapped(ctx, {id(t): unpack(p) for t, p in packed})


def _as_recorded(ctx: Context, input_meta) -> Context:
    """ctx with each input that an in-place view op (t_(), unsqueeze_()...) has laid out anew since the op seen
    as the op saw it: torch's saved sizes and variables keep their own metadata. (Its values are the same
    memory; had they been written since, the version check refused the node already.)"""
    args = ctx.args
    if any(type(a) in (list, tuple) for a in args):
        from .record import flat_args
        args = flat_args(args)
    swap = None
    for t, meta in zip(args, input_meta):
        if meta is None or len(meta) < 4 or (t._shape is meta[0] and t._strides is meta[2] and t._offset == meta[3]):
            continue
        shape, _, strides, offset = meta
        if (t._shape, t._strides, t._offset) != (shape, strides, offset):
            then = type(t)._make(t._storage, shape, strides, offset)
            then._grad_fn, then._output_nr, then._requires_grad = t._grad_fn, t._output_nr, t._requires_grad
            then._accum = t._accum
            swap = swap or {}
            swap[id(t)] = then
    return ctx if swap is None else _swapped(ctx, swap)


# nodes torch implements in C++ outside its generated ones: their name() is qualified
_TORCH_NAMES = {n: f"torch::autograd::{n}" for n in ("AccumulateGrad", "CopySlices", "CopyBackwards", "NotImplemented")}


class BackwardNode:
    """A node of the backward graph. Its edges pair each input of the formula (each positional argument of
    the op) with the node its gradient goes to; `next_functions` shows those torch's schema of the op lists."""

    _formula = None
    _packed = None  # ([(saved tensor, what pack_hook made of it)], unpack_hook) under saved_tensors_hooks
    _conjugate = False  # whether complex values pass: torch's complex gradient is then conj(formula(conj(g)))
    _listed: tuple[int, ...] | None = None  # the edges next_functions shows (record.listed_inputs); None: all
    _listing_of: str | None = None  # the op whose schema decides _listed, until it is worked out (when asked)
    _op: str | None = None  # the derivatives-table op that recorded the node (names its saved values)

    def __init__(self, ctx: Context | None, edges, saved_versions=(), output_meta=()):
        self._ctx = ctx
        self._edges = tuple(edges)
        self._versions_saved = saved_versions
        self._output_meta = output_meta  # (shape, dtype, device) of each output, to make zero gradients
        self._input_meta = ()  # (shape, dtype[, strides, offset]) of each input, to sum gradients back to
        self._pre_hooks: dict[int, list] = {}  # hooks of the non-leaf tensors this node produced

    _prehooks: HookDict | None = None  # hook(grad_outputs) before the formula runs
    _posthooks: HookDict | None = None  # hook(grad_inputs, grad_outputs) after it

    @property
    def next_functions(self) -> tuple:
        """(node, output_nr) per input torch lists: the op's differentiable tensor parameters, (None, 0) for
        one that needs no gradient, a Python number an arithmetic op takes as a tensor, or an optional tensor
        left out."""
        listed = self._listing()
        if listed is None:
            return self._edges
        return tuple(self._edges[i] for i in listed)

    def _listing(self) -> tuple[int, ...] | None:
        """_listed, worked out from the op's arguments on first use (recording an op does not pay for it)."""
        if self._listing_of is not None:
            from .record import listed_inputs
            self._listed, self._listing_of = listed_inputs(self._listing_of, self._ctx.args), None
        return self._listed

    def name(self) -> str:
        name = type(self).__name__
        return _TORCH_NAMES.get(name, name)

    def register_prehook(self, hook) -> RemovableHandle:
        """hook(grad_outputs) runs before this node's formula; it may return replacement grad_outputs."""
        if self._prehooks is None:
            self._prehooks = HookDict()
        return add_hook(self._prehooks, hook)

    def register_hook(self, hook) -> RemovableHandle:
        """hook(grad_inputs, grad_outputs) runs after this node's formula; it may return replacement
        grad_inputs (what goes on to the next nodes)."""
        if self._posthooks is None:
            self._posthooks = HookDict()
        return add_hook(self._posthooks, hook)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    @property
    def metadata(self) -> dict:
        """A dict of the user's own notes on this node (torch's Node.metadata)."""
        return self.__dict__.setdefault("_metadata", {})

    def __getattr__(self, name: str):
        """torch's `_saved_<parameter>` attributes: what the node keeps for its formula, named by the op's
        parameters (`self` for the first, `result` for the output): the tensors its formula reads and the
        arguments that are not tensors."""
        op = self.__dict__.get("_op")
        key = name.removeprefix("_saved_")
        if op is not None and key != name:
            if self._ctx is None and key in _saved_names(op):
                self._check_saved()  # (torch's error for values a backward pass freed)
            value = _saved_values(self, op).get(key, _MISSING)
            if value is not _MISSING:
                self._check_saved()
                return value
        user = self.__dict__.get("_user")  # (a custom Function's node is its ctx in torch: ctx.k, saved_tensors)
        if user is not None and not name.startswith("__"):
            return getattr(user, name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __dir__(self):
        """With torch's `_saved_<parameter>` attributes the node holds now."""
        op = self.__dict__.get("_op")
        saved = [f"_saved_{name}" for name in _saved_values(self, op)] if op is not None else []
        return sorted({*super().__dir__(), *saved})

    def _check_saved(self) -> Context:
        if self._ctx is None:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved tensors after they "
                "have already been freed). Saved intermediate values of the graph are freed when you call "
                ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
                "graph a second time or if you need to access saved tensors after calling backward.")
        stale = [saved for saved in self._versions_saved if saved[0]._storage.version != saved[1]]
        if stale:  # (torch unpacks its saved tensors in the order of their names: it names the first stale one)
            tensor, version, is_output, shape = min(stale, key=lambda saved: self._name_of_saved(saved[0], saved[2]))
            raise RuntimeError(modified_message(tensor, version, self if is_output else tensor.grad_fn,
                                                self._output_nr_of_saved(tensor) if is_output else tensor._output_nr,
                                                shape if is_output else None))
        return self._ctx

    def _name_of_saved(self, tensor, is_output: bool) -> str:
        """torch's name of a saved tensor (`other`, `self`, `result`...; empty where the op has none)."""
        if is_output:
            return "result"
        op = self.__dict__.get("_op")
        from .record import SIGNATURES
        if op not in SIGNATURES:
            return ""
        try:
            bound = SIGNATURES[op].bind(*self._ctx.args, **self._ctx.kwargs)
        except TypeError:
            return ""
        return next((n for n, v in zip(_saved_names(op), bound.arguments.values()) if v is tensor), "")

    def _output_nr_of_saved(self, tensor) -> int:
        outs = self._ctx.out if isinstance(self._ctx.out, tuple) else (self._ctx.out,)
        return next((nr for nr, o in enumerate(outs) if o is tensor), 0)

    def apply(self, *grads):
        """The gradients of the inputs given those of the outputs (what torch's grad_fn.apply returns)."""
        ctx = _as_recorded(self._check_saved(), self._input_meta)
        if self._packed is not None:
            ctx = _unpacked(ctx, *self._packed)
        TRUST.depth += 1  # (deferred_checks.trusted, inline on this hot path: the indices are the forward's)
        try:
            if self._conjugate:  # torch's complex gradients from the real formula (derivatives.COMPLEX_AWARE)
                out = type(self)._formula(ctx, *map(_conj, grads))
                return tuple(map(_conj_result, out if isinstance(out, tuple) else (out,)))
            out = type(self)._formula(ctx, *grads)
        finally:
            TRUST.depth -= 1
        return out if isinstance(out, tuple) else (out,)

    def __call__(self, *grads):
        """grad_fn(*grad_outputs), as torch calls a node: the formula's gradients, one per entry of
        next_functions (None where an input needs none; one tensor for a node of one input), not yet summed to
        broadcast inputs' shapes and without running hooks (the backward pass does both)."""
        self._check_arity(grads)
        from .record import flat_grads
        out = flat_grads(self._ctx.args, self.apply(*grads))
        if self._ctx.user is None:
            out = [g if need else None for g, need in zip(out, self._ctx.needs_input_grad)]
        listed = self._listing()
        if listed is not None:
            out = [out[i] if i < len(out) else None for i in listed]
        return out[0] if len(out) == 1 else tuple(out)

    def _check_arity(self, grads) -> None:
        expected = max(len(self._output_meta), 1)
        if len(grads) != expected:
            raise TypeError(f"expected {expected} arguments, got {len(grads)} instead")

    def release(self) -> None:
        """Drop the saved tensors (as torch frees them after a backward pass): lazy values that read a
        parameter's memory no longer keep an optimizer from updating it in place."""
        self._listing()  # (from the arguments, before they go)
        self._ctx, self._versions_saved = None, ()


class AccumulateGrad(BackwardNode):
    """The node that adds a leaf's gradient into its `.grad`."""

    def __init__(self, variable):
        super().__init__(None, (), output_meta=((variable._shape, variable.dtype, variable._storage.device),))
        self.variable = variable
        self.post_accumulate_hooks: list = []  # hook(variable) after each accumulation

    def _output_nr_of_saved(self, tensor) -> int:
        outs = self._ctx.out if isinstance(self._ctx.out, tuple) else (self._ctx.out,)
        return next((nr for nr, o in enumerate(outs) if o is tensor), 0)

    def apply(self, *grads):
        return grads

    def __call__(self, *grads):
        """Accumulates the gradient into the leaf's .grad, as the backward pass does; passes nothing on."""
        self._check_arity(grads)
        from .engine import _accumulate
        if self.variable._requires_grad:
            _accumulate(self.variable, grads[0], False)
        return ()

    def release(self) -> None:
        pass


class _SliceWrite(BackwardNode):
    """torch's CopySlices (a write into a view of a tensor with history) lists the base's edge, then the edges of
    the op that wrote the view beyond the view's own."""

    @property
    def next_functions(self) -> tuple:
        base, (writer, _) = self._edges[0], self._edges[1]
        return (base, *(writer.next_functions[1:] if writer is not None else ()))


_NODE_CLASSES: dict[tuple, type] = {}
_NODE_BASES = {"CopySlices": _SliceWrite}


_MISSING = object()


def _saved_names(op: str) -> list[str]:
    """The op's parameter names as torch's schema spells them (the first is `self`), and `result`."""
    from .record import SIGNATURES
    names = list(SIGNATURES[op].parameters) if op in SIGNATURES else []
    return ["self" if i == 0 and n == "input" else n for i, n in enumerate(names)] + ["result"]


def _saved_values(node: BackwardNode, op: str) -> dict:
    """name -> value of what node keeps: the arguments that are not tensors (defaults filled in), the tensors
    its formula reads, and its output when the formula reads that (a new tensor object on the same memory, as
    in torch)."""
    from ..tensor import Tensor
    from .record import SIGNATURES
    ctx = node._ctx
    if ctx is None or op not in SIGNATURES:
        return {}
    try:
        bound = SIGNATURES[op].bind(*ctx.args, **ctx.kwargs)
    except TypeError:  # (a formula's own reading of the arguments: nothing named)
        return {}
    bound.apply_defaults()
    named = dict(zip(_saved_names(op), bound.arguments.values()))
    values = {n: v for n, v in named.items() if n != "out" and (not isinstance(v, (Tensor, list, tuple)) or
              isinstance(v, (list, tuple)) and not any(isinstance(x, Tensor) for x in v))}
    outs = ctx.out if isinstance(ctx.out, tuple) else (ctx.out,)
    for tensor, _, is_output, _ in node._versions_saved:
        if is_output:
            nr = next(i for i, o in enumerate(outs) if o is tensor)
            values["result" if len(outs) == 1 else f"result{nr}"] = _alias(tensor)
        else:
            values.update((n, v) for n, v in named.items() if v is tensor)
    return values


def _alias(t):
    """Another tensor object for t, sharing its memory and its place in the graph."""
    from ..tensor import Tensor
    alias = Tensor._make(t._storage, t._shape, t._strides, t._offset)
    alias._requires_grad, alias._grad_fn, alias._output_nr = t._requires_grad, t._grad_fn, t._output_nr
    return alias


def _conj(g):
    """The conjugate of a complex gradient (others, and lists of them, as they are)."""
    if isinstance(g, (list, tuple)):
        return type(g)(map(_conj, g))
    if g is None or not hasattr(g, "dtype") or not g.dtype.is_complex:
        return g
    from ..complex_numbers import conj_physical
    return conj_physical(g)


def _conj_result(g):
    """conj(formula(conj(g))) with its imaginary part taken from +0 (adding -0+0j), as torch's g * conj(f')
    leaves it: a gradient with no imaginary part prints 2.+0.j, not 2.-0.j."""
    if isinstance(g, (list, tuple)):
        return type(g)(map(_conj_result, g))
    g = _conj(g)
    dense_complex = g is not None and hasattr(g, "dtype") and g.dtype.is_complex and not getattr(g, "is_sparse", False)
    return g + complex(-0.0, 0.0) if dense_complex else g


def node_class(name: str, formula) -> type:
    """The BackwardNode subclass for an op, named as torch names it. Ops torch gives the same name
    (mul and outer are both MulBackward0) get classes of that name with their own formulas."""
    cls = _NODE_CLASSES.get((name, formula))
    if cls is None:
        cls = _NODE_CLASSES[(name, formula)] = type(name, (_NODE_BASES.get(name, BackwardNode),),
                                                     {"_formula": staticmethod(formula)})
    return cls


def run_tensor_hook(hook, grad):
    """A tensor's hook on its gradient: what it returns replaces the gradient, which must stay a tensor of the
    same type, device and size (torch's checks, naming the hook)."""
    new = hook(grad)
    if new is None:
        return grad
    from ..dtypes import type_string
    from ..tensor import Tensor
    name = getattr(hook, "__name__", hook)
    if not isinstance(new, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
    if new.dtype is not grad.dtype:
        raise RuntimeError(f"hook '{name}' has changed the type of value (was {type_string(grad.dtype)} got "
                           f"{type_string(new.dtype)})")
    if new.device != grad.device:
        raise RuntimeError(f"hook '{name}' has changed the device of value (was {grad.device} got {new.device})")
    if new.shape != grad.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value")
    return new


def run_hooks(hooks: HookDict | None, grads: tuple, *extra) -> tuple:
    """Pass grads through node hooks in order; each may return a tuple of the same length to replace them."""
    for hook in list((hooks or {}).values()):
        new = hook(grads, *extra)
        if new is None:
            continue
        new = tuple(new) if isinstance(new, (tuple, list)) else (new,)
        if len(new) != len(grads):
            raise RuntimeError(f"hook '{getattr(hook, '__name__', hook)}' has returned an incorrect number of "
                               f"values (got {len(new)}, but expected {len(grads)})")
        grads = new
    return grads


def modified_message(tensor, expected: int, producer, output_nr: int, shape: tuple | None = None) -> str:
    """torch's message for a saved tensor that an in-place op changed; it names the producing node
    without "Backward" ("output 0 of Exp" for ExpBackward0, "of Transpose1" for TransposeBackward1), and the
    shape saved for a saved output (an input is named as it is now)."""
    from ..dtypes import type_string
    which = f", which is output {output_nr} of {re.sub(r'Backward(0$)?', '', producer.name())}," if producer else ""
    return ("one of the variables needed for gradient computation has been modified by an inplace operation: "
            f"[{type_string(tensor.dtype)} {list(tensor.shape if shape is None else shape)}]{which} is at version "
            f"{tensor._storage.version}; expected version {expected} instead. Hint: enable anomaly detection to "
            "find the operation that failed to compute its gradient, with "
            "torch.autograd.set_detect_anomaly(True, check_nan=False).")


_TWICE = "trying to differentiate twice a function that was marked with @once_differentiable"


def once_differentiable(fn):
    """A custom Function's backward that is not differentiable itself: it runs without recording, and where
    its gradients would need a graph (create_graph), they come behind an Error node that refuses to be
    differentiated, as torch's decorator does."""
    import functools

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        from ..tensor import Tensor
        from .grad_mode import STATE, no_grad
        from .record import next_edge
        with no_grad():
            outputs = fn(ctx, *args)
        tracked = [a for a in args if isinstance(a, Tensor) and a.requires_grad]
        if not STATE.enabled or not tracked:
            return outputs
        outs = outputs if isinstance(outputs, tuple) else (outputs,)
        node = node_class("Error", lambda c, *grads: _refuse(_TWICE))(
            Context(tuple(tracked), {}, outs, tuple(True for _ in tracked)), [next_edge(a) for a in tracked], (),
            tuple((o._shape, o.dtype, o._storage.device) if isinstance(o, Tensor) else None for o in outs))
        marked = []
        for nr, o in enumerate(outs):
            if isinstance(o, Tensor):
                o = o.detach()
                o._requires_grad, o._grad_fn, o._output_nr = True, node, nr
            marked.append(o)
        return tuple(marked) if isinstance(outputs, tuple) else marked[0]
    return wrapper


def _refuse(message: str):
    raise RuntimeError(message)
