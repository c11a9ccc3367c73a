"""torch.cond and torch.while_loop on eager tensors: torch checks the arguments, then runs the branch the
predicate picks (or the body while the condition holds) as plain Python would, recording the result's
gradient behind one node (`CondAutogradOpBackward`, `WhileLoopAutogradOpBackward`). lazygrad compiles every
graph already, so there is no captured form to build: the checks and the eager semantics are all there is."""
from __future__ import annotations

from typing import Any, Callable

from .autograd.composite import recorded_as
from .tensor import Tensor


def _leaves(tree) -> list:
    """The leaves of nested tuples, lists and dicts."""
    if isinstance(tree, (tuple, list)):
        return [leaf for item in tree for leaf in _leaves(item)]
    if isinstance(tree, dict):
        return [leaf for item in tree.values() for leaf in _leaves(item)]
    return [tree]


@recorded_as("CondAutogradOpBackward")
def _branch(fn: Callable, operands: tuple) -> Any:
    return fn(*operands)


def cond(pred: bool | int | float | Tensor, true_fn: Callable, false_fn: Callable, operands: tuple | list = ()) -> Any:
    """true_fn(*operands) if pred else false_fn(*operands); pred a Python value or a one-element tensor."""
    if isinstance(pred, (bool, int, float)):
        return (true_fn if pred else false_fn)(*operands)
    if not isinstance(pred, Tensor):
        raise RuntimeError(f"Expected pred to be bool or tensor, but got {pred}.")
    if pred.numel() != 1:
        raise RuntimeError(f"Expected pred to be bool or single-element tensor, but got {pred}.")
    if not callable(true_fn) or not callable(false_fn):
        raise RuntimeError("Expect both branches to be callable.")
    if not isinstance(operands, (tuple, list)) or not all(isinstance(t, Tensor) for t in _leaves(operands)):
        raise RuntimeError("Expect operands to be a tuple of possibly nested dict/list/tuple that only consists of "
                           f"tensor leaves, but got {operands}.")
    return _branch(true_fn if bool(pred) else false_fn, tuple(operands))


@recorded_as("WhileLoopAutogradOpBackward")
def _loop(cond_fn: Callable, body_fn: Callable, carried: tuple) -> Any:
    result = carried
    while bool(cond_fn(*carried)):
        result = body_fn(*carried)
        carried = result if isinstance(result, tuple) else (result,)
    return result


def while_loop(cond_fn: Callable, body_fn: Callable, carried_inputs: tuple | list) -> Any:
    """carried_inputs passed through body_fn while cond_fn of them holds; the last body_fn result (the
    carried inputs when cond_fn fails at once)."""
    if not callable(cond_fn) or not callable(body_fn):
        raise RuntimeError("Expect cond_fn and body_fn to be callable.")
    leaves = _leaves(carried_inputs)
    if not all(isinstance(leaf, (Tensor, int)) for leaf in leaves):
        raise AssertionError(f"{leaves} can only be of {(Tensor, int)} but got {tuple(type(a) for a in leaves)}")
    return _loop(cond_fn, body_fn, tuple(carried_inputs))
