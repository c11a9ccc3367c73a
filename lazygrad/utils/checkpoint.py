"""torch.utils.checkpoint: run part of a model without keeping what its backward pass would read, and
recompute it when the gradient gets there.

The reentrant form (torch's default when use_reentrant is not given) is a custom Function: its forward
runs under no_grad, so no graph and no saved tensors hold the part's activations; its backward reruns
the part with the random state it first ran with and passes the output gradients through the new graph,
into the inputs and into every parameter the part used (their .grad), which is why it only works under
`.backward()`. The non-reentrant form records the part's graph as any other code does: lazygrad's graph
is lazy, so it holds no activation a realization did not store, and the graph, gradients and node names
are torch's (torch recomputes the saved tensors of such a graph through saved-tensor hooks instead).
"""
from __future__ import annotations

import contextlib
import enum
import warnings
from typing import Callable

from ..autograd import engine
from ..autograd.custom import Function
from ..autograd.grad_mode import enable_grad, no_grad
from ..random import get_rng_state, set_rng_state
from ..tensor import Tensor

__all__ = ["CheckpointError", "CheckpointPolicy", "DefaultDeviceType", "SelectiveCheckpointContext",
           "check_backward_validity", "checkpoint", "checkpoint_sequential", "create_selective_checkpoint_contexts",
           "detach_variable", "get_device_states", "noop_context_fn", "set_checkpoint_debug_enabled",
           "set_checkpoint_early_stop", "set_device_states"]


class CheckpointError(RuntimeError):
    """A recomputation that did not match its forward run (torch's non-reentrant check)."""


class CheckpointPolicy(enum.Enum):
    """What selective checkpointing does with an op's output: keep it or recompute it."""
    MUST_SAVE = 0
    PREFER_SAVE = 1
    MUST_RECOMPUTE = 2
    PREFER_RECOMPUTE = 3
    MUST_CPU_OFFLOAD = 4
    PREFER_CPU_OFFLOAD = 5


class SelectiveCheckpointContext:
    """What a selective-checkpoint policy function is told about the op it decides on."""

    def __init__(self, *, is_recompute: bool):
        self.is_recompute = is_recompute


class DefaultDeviceType:
    """The device type whose random state a checkpoint keeps when its inputs are all on the CPU (unless set:
    the GPU's where there is one, as torch's accelerator)."""
    _default_device_type: str | None = None

    @staticmethod
    def set_device_type(device: str = "cuda") -> None:
        DefaultDeviceType._default_device_type = device

    @staticmethod
    def get_device_type() -> str:
        from .. import cuda
        chosen = DefaultDeviceType._default_device_type
        return chosen if chosen is not None else "cuda" if cuda.is_available() else "cpu"


def check_backward_validity(inputs) -> None:
    if not any(inp.requires_grad for inp in inputs if isinstance(inp, Tensor)):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", stacklevel=2)


def detach_variable(inputs: tuple) -> tuple:
    """The tensors of inputs detached, each keeping whether it requires grad."""
    if not isinstance(inputs, tuple):
        raise RuntimeError(f"Only tuple of tensors is supported. Got Unsupported input type: {type(inputs).__name__}")
    return tuple(x.detach().requires_grad_(x.requires_grad) if isinstance(x, Tensor) else x for x in inputs)


def get_device_states(*args) -> tuple[list, list]:
    """(devices, their random states) of the GPU tensors in args: lazygrad's generator is one stream for
    every device, kept by the checkpoint itself, so there are none to add."""
    return [], []


def set_device_states(devices, states, *, device_type=None) -> None:
    """(See get_device_states: nothing to restore per device.)"""


@contextlib.contextmanager
def set_checkpoint_early_stop(enable: bool):
    """torch stops a recomputation once it has what the backward needs; lazygrad's recomputation is the
    reentrant one, which runs the part whole, so this is accepted and has no effect."""
    yield


@contextlib.contextmanager
def set_checkpoint_debug_enabled(enabled: bool | None):
    """(torch's debug traces of non-reentrant recomputations; accepted, with no effect here.)"""
    yield


def create_selective_checkpoint_contexts(policy_fn_or_list, allow_cache_entry_mutation: bool = False):
    """The context_fn pair for selective checkpointing: lazygrad's non-reentrant checkpoint keeps no
    activations it does not realize, so every policy comes to the same run (the pair is accepted)."""
    if not (callable(policy_fn_or_list) or isinstance(policy_fn_or_list, list)):
        raise TypeError("policy_fn_or_list must be either a function or a list of ops.")
    return contextlib.nullcontext(), contextlib.nullcontext()


class CheckpointFunction(Function):
    @staticmethod
    def forward(ctx, run_function: Callable, preserve_rng_state: bool, *args):
        ctx.run_function, ctx.rng_state = run_function, get_rng_state() if preserve_rng_state else None
        ctx.tensor_positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.others = [None if isinstance(a, Tensor) else a for a in args]
        ctx.save_for_backward(*(a for a in args if isinstance(a, Tensor)))
        with no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grads):
        if not engine.accumulating_into_leaves():
            raise RuntimeError("When use_reentrant=True, lazygrad.utils.checkpoint is incompatible with .grad() or "
                               "passing an `inputs` parameter to .backward(). To resolve this error, you can either "
                               "set use_reentrant=False, or call .backward() without passing the `inputs` "
                               "argument.")
        args = list(ctx.others)
        inputs = [t.detach().requires_grad_(t.requires_grad) for t in ctx.saved_tensors]
        for i, t in zip(ctx.tensor_positions, inputs):
            args[i] = t
        resumed = get_rng_state()
        if ctx.rng_state is not None:
            set_rng_state(ctx.rng_state)
        try:
            with enable_grad():
                outputs = ctx.run_function(*args)
        finally:
            set_rng_state(resumed)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grads) if isinstance(o, Tensor) and o.requires_grad]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not necessary")
        from ..autograd import backward
        backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None, *(a.grad if isinstance(a, Tensor) else None for a in args))


def _reentrant(use_reentrant: bool | None) -> bool:
    if use_reentrant is None:
        warnings.warn("lazygrad.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting "
                      "in PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. "
                      "use_reentrant=False is recommended, but if you need to preserve the current default "
                      "behavior, you can pass use_reentrant=True. Refer to docs for more details on the "
                      "differences between the two variants.", UserWarning, stacklevel=3)
        return True
    return use_reentrant


def noop_context_fn():
    return contextlib.nullcontext(), contextlib.nullcontext()


def checkpoint(function: Callable, *args, use_reentrant: bool | None = None, context_fn: Callable = noop_context_fn,
               determinism_check: str = "default", debug: bool = False, early_stop: bool = True,
               preserve_rng_state: bool = True, **kwargs):
    """function(*args), recomputed in the backward pass instead of keeping its activations (see above).
    context_fn's first context manager wraps the forward run (the second, torch's recomputation's, has
    no run to wrap here); determinism_check and early_stop concern that recomputation."""
    if not _reentrant(use_reentrant):
        with context_fn()[0]:
            return function(*args, **kwargs)
    if context_fn is not noop_context_fn or debug:
        raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", UserWarning, stacklevel=2)
    return CheckpointFunction.apply(function, preserve_rng_state, *args)


def checkpoint_sequential(functions, segments: int, input: Tensor, use_reentrant: bool | None = None, **kwargs):
    """A Sequential (or list of modules) run as `segments` checkpointed chunks, the last one as usual."""
    reentrant = _reentrant(use_reentrant)
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    functions = list(functions.children()) if hasattr(functions, "children") else list(functions)
    size = len(functions) // segments

    def run(start: int, end: int) -> Callable:
        def forward(x):
            for f in functions[start:end + 1]:
                x = f(x)
            return x
        return forward

    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=reentrant, preserve_rng_state=preserve)
    return run(end + 1, len(functions) - 1)(input)
