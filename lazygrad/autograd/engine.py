"""The backward pass: walks the graph of backward nodes from the outputs, building gradient graph.

Nothing is computed here: every gradient is a lazy tensor, simplified and fused with the forward
pass when it is read. Under create_graph the formulas record backward nodes themselves, which is
all that second and higher derivatives need.
"""
from __future__ import annotations

from ..graph import toposort
from .anomaly_mode import ANOMALY, check_gradients, report
from .custom import checked_gradients
from .function import AccumulateGrad, run_hooks, run_tensor_hook
from .grad_mode import STATE
from .record import flat_grads


def sum_to(grad, shape):
    """Undo broadcasting: sum grad over the dims that broadcasting added or expanded."""
    if tuple(grad.shape) == tuple(shape):
        return grad
    lead = grad.ndim - len(shape)
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and grad.shape[lead + i] != 1)
    out = grad.sum(dims, keepdim=True) if dims else grad
    return out.reshape(shape) if tuple(out.shape) != tuple(shape) else out


def _topological(roots):
    """Backward nodes from the outputs down: each node before the nodes its gradients flow to."""
    return list(reversed(toposort(roots, lambda n: [m for m, _ in n._edges if m is not None])))


def _zeros(meta):
    from ..creation import zeros
    shape, dtype, device = meta
    return zeros(shape, dtype=dtype, device=device)


def _leading_to(targets: set[int], order) -> set[int]:
    """The nodes with a path to a target node: the only ones to run when gradients go to given inputs.

    A target itself runs only when it also leads to another target, so the graph behind a non-leaf
    input is neither walked nor released, as in torch."""
    leading: set[int] = set()
    for node in reversed(order):
        if any(nxt is not None and (id(nxt) in targets or id(nxt) in leading) for nxt, _ in node._edges):
            leading.add(id(node))
    return leading


# per backward pass running (innermost last): whether it accumulates into leaves' .grad (a .backward()
# without inputs), the only way a reentrant checkpoint's recomputation can hand its gradients on
_ACCUMULATING: list[bool] = []


def accumulating_into_leaves() -> bool:
    return not _ACCUMULATING or _ACCUMULATING[-1]


_PASSES = [0]  # backward passes begun (an inner pass of a node made of ops counts as part of its outer one)
_DEPTH = [0]
_QUEUED: list = []  # callbacks to run when the outermost pass ends


def current_pass() -> int:
    return _PASSES[0]


def queue_callback(callback) -> None:
    """callback() once the running backward pass has finished (torch's queue_callback)."""
    _QUEUED.append(callback)


def run_backward(outputs, grad_outputs, retain_graph: bool, create_graph: bool, inputs=None,
                 accumulate: bool = True, allow_unused: bool = False, partial: bool = False):
    """run_backward_pass, counted, with the callbacks queued during it run at the end of the outermost one."""
    if _DEPTH[0] == 0:
        _PASSES[0] += 1
    _DEPTH[0] += 1
    try:
        result = _run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs, accumulate, allow_unused,
                               partial)
    finally:
        _DEPTH[0] -= 1
    if _DEPTH[0] == 0:
        while _QUEUED:
            _QUEUED.pop(0)()
    return result


def _run_backward(outputs, grad_outputs, retain_graph: bool, create_graph: bool, inputs=None,
                 accumulate: bool = True, allow_unused: bool = False, partial: bool = False):
    """Propagate gradients; accumulate into leaves' .grad, or return the grads of `inputs`. With `partial`,
    gradients stop at the inputs' nodes: each input's gradient is the one through the outputs alone, as
    if the inputs were independent (what a node made of several ops passes on)."""
    roots = [o.grad_fn if o.grad_fn is not None else o._accumulator() for o in outputs]
    pending: dict[int, list] = {}
    for root, out, g in zip(roots, outputs, grad_outputs):
        slot = pending.setdefault(id(root), [None] * max(len(root._output_meta), 1))
        nr = out._output_nr if out.grad_fn is not None else 0
        slot[nr] = g if slot[nr] is None else _summed(slot[nr], g)
    wanted = {}
    if inputs is not None:
        for i, t in enumerate(inputs):
            key = (id(t.grad_fn), t._output_nr) if t.grad_fn is not None else (id(t._accumulator()), 0)
            wanted.setdefault(key, []).append(i)
    captured = [None] * (len(inputs) if inputs is not None else 0)
    order = _topological(roots)
    targets = {key[0] for key in wanted}
    needed = _leading_to(targets, order) if inputs is not None else None
    prev = STATE.enabled
    STATE.enabled = create_graph
    # (a node made of other ops runs its own pass inside: it takes the kind of the pass it is part of)
    _ACCUMULATING.append(accumulating_into_leaves() if partial else inputs is None)
    try:
        for node in order:
            grads = pending.pop(id(node), None)
            if grads is None:
                continue
            for nr, g in enumerate(grads):
                for i in wanted.get((id(node), nr), ()):
                    captured[i] = g
            if partial and id(node) in targets:
                continue
            for nr, hooks in getattr(node, "_pre_hooks", {}).items():
                for hook in hooks:
                    if grads[nr] is not None:
                        grads[nr] = run_tensor_hook(hook, grads[nr])
            if isinstance(node, AccumulateGrad):
                if accumulate and grads[0] is not None:
                    grads = run_hooks(node._prehooks, tuple(grads))
                    if node.variable._grad_fn is not None:
                        raise RuntimeError("leaf variable has been moved into the graph interior")
                    if node.variable._requires_grad:  # (a leaf detach_()-ed since gets nothing, as in torch)
                        _accumulate(node.variable, grads[0], create_graph)
                        for hook in list(node.post_accumulate_hooks):
                            hook(node.variable)
                    run_hooks(node._posthooks, (), grads)
                continue
            if needed is not None and id(node) not in needed:
                continue
            if all(g is None for g in grads):
                continue
            grads = run_hooks(node._prehooks, tuple(grads))
            filled = [g if g is not None else _zeros(m) for g, m in zip(grads, node._output_meta)]
            raw = node.apply(*filled)  # first: it raises torch's error when the graph was already freed
            input_grads = _input_grads(node, raw)
            if ANOMALY.enabled:
                try:
                    check_gradients(node, input_grads)
                except RuntimeError:
                    report(node)
                    raise
            if node._posthooks:
                input_grads = run_hooks(node._posthooks, tuple(input_grads), grads)
            for (nxt, nr), g in zip(node._edges, input_grads):
                if nxt is None or g is None:
                    continue
                slot = pending.setdefault(id(nxt), [None] * max(len(nxt._output_meta), 1))
                slot[nr] = g if slot[nr] is None else _summed(slot[nr], g)
            if not retain_graph:
                node.release()
    finally:
        STATE.enabled = prev
        _ACCUMULATING.pop()
    if inputs is not None:
        for i, g in enumerate(captured):
            if g is None and not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in the "
                                   "graph. Set allow_unused=True if this is the desired behavior.")
    return captured


def _summed(a, b):
    """Two gradients of one tensor added up: a sparse one (an embedding's) is added into a dense one, and
    two sparse ones make a sparse one."""
    return b + a if getattr(a, "is_sparse", False) and not getattr(b, "is_sparse", False) else a + b


def _input_grads(node, raw) -> list:
    """The gradients a node passes on, summed to its inputs' shapes and cast to their dtypes. As in torch, a
    built-in node has none for an input that needs none; a custom Function's node keeps what it returned.
    A sparse gradient reaches a leaf as it is; any other node gets it dense."""
    keep_all = node._ctx.user is not None
    if keep_all:
        raw = checked_gradients(node, raw)
    grads = []
    for i, ((nxt, nr), g, meta) in enumerate(zip(node._edges, flat_grads(node._ctx.args, raw), node._input_meta)):
        if g is None or meta is None or (nxt is None and not keep_all):
            grads.append(None)
        elif g.is_sparse:
            grads.append(g if isinstance(nxt, AccumulateGrad) else g.to_dense())
        else:
            g = sum_to(g, meta[0])
            # (what the receiving node made: another shape when a tensor was reshaped in place unrecorded since)
            out = nxt._output_meta[nr] if nxt is not None and nr < len(nxt._output_meta) else None
            made = meta[0] if out is None else out[0]
            if g._shape != made and not _expandable(made, g._shape):
                raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {i} - got "
                                   f"{list(g.shape)} but expected shape compatible with {list(made)}")
            if g.dtype.is_complex and not meta[1].is_complex:  # a real input gets the real part, silently
                from ..complex_numbers import real_part
                g = real_part(g)
            # (a leaf takes its grad_dtype: its own dtype, another one, or None for whatever comes)
            target = nxt.variable._wanted_grad_dtype() if isinstance(nxt, AccumulateGrad) else meta[1]
            grads.append(g if target is None or g.dtype is target else g.to(target))
    return grads


def _expandable(shape, to) -> bool:
    """Whether shape broadcasts to `to` (a gradient of that shape sums down to it)."""
    lead = len(to) - len(shape)
    return lead >= 0 and all(n in (1, m) for n, m in zip(shape, to[lead:]))


def _laid_like(leaf, grad):
    """A copy of grad in memory as torch's gradient layout contract says: with the leaf's strides where the
    leaf is dense and does not overlap (a channels-last or transposed parameter), else row-major."""
    from ..movement import copy_of, laid_out
    from ..view import contiguous_strides, memory_order
    strides = tuple(leaf._strides)
    if memory_order(leaf._shape, strides) is None or strides == contiguous_strides(leaf._shape):
        return copy_of(grad.detach())
    return laid_out(leaf, grad.detach().lazy, strides)


def _recorded_copy(leaf, grad):
    from ..creation import empty_like
    copy = empty_like(leaf)
    copy.copy_(grad)
    return copy


def _accumulate(leaf, grad, create_graph: bool) -> None:
    """Into .grad: the first gradient becomes it, later ones are added in place (the .grad object stays)."""
    for hook in leaf._hooks or ():
        grad = run_tensor_hook(hook, grad)
    if leaf.grad is None:
        # a storage of its own, so that zeroing .grad never touches a tensor the user passed in; under
        # create_graph a recorded copy (torch's CopyBackwards) in the leaf's layout
        if grad.is_sparse:
            leaf.grad = grad if create_graph else grad.detach().clone()
        else:
            leaf.grad = _recorded_copy(leaf, grad) if create_graph else _laid_like(leaf, grad)
    elif create_graph or leaf.grad.is_sparse:
        leaf.grad = _summed(leaf.grad, grad)
    else:
        leaf.grad.add_(grad.detach())
