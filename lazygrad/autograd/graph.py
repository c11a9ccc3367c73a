"""torch.autograd.graph: the backward graph's node type and edges, hooks over several tensors' gradients,
and hooks on the tensors a backward node saves (saved_tensors_hooks: pack when the op records, unpack when
its formula runs; save_on_cpu keeps them in host memory in between)."""
from __future__ import annotations

import contextlib
from typing import Callable, NamedTuple

from .function import BackwardNode

Node = BackwardNode  # (every grad_fn and AccumulateGrad is one)

_HOOKS: list[tuple[Callable, Callable]] = []  # the open saved_tensors_hooks regions, innermost last
_DISABLED: list[str] = []  # the open disable_saved_tensors_hooks regions' messages


class GradientEdge(NamedTuple):
    """Where a tensor's gradient flows: a node and which of its outputs."""
    node: BackwardNode
    output_nr: int
    ownership_token: object = None


def get_gradient_edge(tensor) -> GradientEdge:
    if not tensor.requires_grad:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor that does not require gradients")
    if tensor.grad_fn is None:
        return GradientEdge(tensor._accumulator(), 0)
    return GradientEdge(tensor.grad_fn, tensor._output_nr)


def increment_version(tensor) -> None:
    """Mark tensor's memory as written (what an in-place op does), so formulas that saved it refuse to run."""
    tensor._storage.version += 1


class saved_tensors_hooks:  # noqa: N801  (torch's name)
    """Inside: each tensor a recorded op saves for its backward is passed to pack_hook, and what that returns
    to unpack_hook when the backward formula runs (which reads the tensor unpack_hook returns)."""

    def __init__(self, pack_hook: Callable, unpack_hook: Callable):
        self.pack_hook, self.unpack_hook = pack_hook, unpack_hook

    def __enter__(self):
        if _DISABLED:
            raise RuntimeError(_DISABLED[-1])
        _HOOKS.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc) -> None:
        _HOOKS.pop()


class save_on_cpu(saved_tensors_hooks):  # noqa: N801
    """Saved tensors kept in host memory until the backward needs them back on their device."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda"):
        super().__init__(lambda t: (t.device, t.cpu()), lambda packed: packed[1].to(packed[0]))


@contextlib.contextmanager
def disable_saved_tensors_hooks(error_message: str):
    """Inside, opening a saved_tensors_hooks region raises RuntimeError(error_message)."""
    _DISABLED.append(error_message)
    try:
        yield
    finally:
        _DISABLED.pop()


def pack_saved(node: BackwardNode) -> None:
    """node's saved tensors through the innermost open saved_tensors_hooks region, if there is one."""
    if _HOOKS:
        pack, unpack = _HOOKS[-1]
        node._packed = ([(t, pack(t)) for t, *_ in node._versions_saved], unpack)


class _MultiGradHook:
    """register_multi_grad_hook's state: the gradients of one backward pass so far."""

    def __init__(self, tensors, fn: Callable, mode: str):
        from .engine import current_pass, queue_callback
        self.count, self.fn, self.mode = len(tensors), fn, mode
        self.seen_pass, self.grads = None, None
        self._current_pass, self._queue = current_pass, queue_callback
        self.handles = [t.register_hook(self._hook(i)) for i, t in enumerate(tensors)]

    def _hook(self, i: int):
        def hook(grad):
            new_pass = self.seen_pass != self._current_pass()
            if new_pass:
                self.seen_pass, self.grads = self._current_pass(), [None] * self.count
            if self.mode == "any":
                if new_pass:
                    self.fn(grad)
                return None
            self.grads[i] = grad
            if new_pass:
                grads = self.grads
                self._queue(lambda: self.fn(tuple(grads)))
            return None
        return hook

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()


def register_multi_grad_hook(tensors, fn: Callable, *, mode: str = "all"):
    """fn(grads) once per backward pass that reaches any of tensors, after it computed all of theirs it will
    (None for the others); with mode="any", fn(grad) with the first one computed. Returns a handle."""
    if mode not in ("all", "any"):
        raise ValueError(f"Expects mode to be one of ('all', 'any') but got {mode}")
    return _MultiGradHook(list(tensors), fn, mode)
