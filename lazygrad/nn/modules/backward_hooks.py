"""Module backward hooks (torch.utils.hooks.BackwardHook): a module call routes its tensor inputs and outputs
through identity nodes; the node behind the outputs sees grad_output first (and runs the backward pre-hooks),
the node in front of the inputs then sees grad_input and runs the full backward hooks on both."""
from __future__ import annotations

import warnings

from ...autograd.custom import Function
from ...autograd.grad_mode import is_grad_enabled
from ...tensor import Tensor


class BackwardHookFunction(Function):
    """The identity whose node carries a module's hooks; inputs that need no gradient stay without one."""

    @staticmethod
    def forward(ctx, *args):
        ctx.mark_non_differentiable(*[a for a in args if not a.requires_grad])
        return args

    @staticmethod
    def backward(ctx, *grads):
        return grads

    @staticmethod
    def jvp(ctx, *tangents):
        return tangents


def _pack(indices, values, size: int) -> tuple:
    """Gradients of the tensor positions, with None at every other position of an argument tuple."""
    out = [None] * size
    for i, v in zip(indices, values):
        out[i] = v
    return tuple(out)


class BackwardHook:
    """One module call's hooks: set up on its inputs before forward and on its outputs after."""

    def __init__(self, module, hooks: list, pre_hooks: list):
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.grad_outputs: tuple | None = None
        self.n_inputs = self.n_outputs = 0
        self.input_index: list[int] | None = None
        self.output_index: list[int] | None = None

    def _route(self, args: tuple, on_node) -> tuple[tuple, list[int] | None]:
        """args with their tensors passed through one identity node (given to on_node), and the tensors'
        positions; args unchanged (and None) when no tensor needs a gradient."""
        index = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in index]
        if not (is_grad_enabled() and any(t.requires_grad for t in tensors)):
            return args, None
        routed = BackwardHookFunction.apply(*tensors)
        on_node(next(t.grad_fn for t in routed if t.grad_fn is not None))
        out = list(args)
        for i, t in zip(index, routed):
            out[i] = t
        return tuple(out), index

    def setup_input_hook(self, args: tuple) -> tuple:
        args, self.input_index = self._route(args, lambda node: node.register_hook(self._input_hook))
        self.n_inputs = len(args)
        return args

    def setup_output_hook(self, result):
        single = not isinstance(result, tuple)
        outputs, self.output_index = self._route((result,) if single else result,
                                                 lambda node: node.register_prehook(self._output_hook))
        self.n_outputs = len(outputs)
        return outputs[0] if single else outputs

    def _output_hook(self, grads: tuple) -> tuple:
        self.grad_outputs = _pack(self.output_index, grads, self.n_outputs)
        for hook in self.pre_hooks:
            new = hook(self.module, self.grad_outputs)
            if new is None:
                continue
            if len(new) != len(self.grad_outputs):
                raise RuntimeError(f"Backward pre hook returned an invalid number of grad_output, got {len(new)}, "
                                   f"but expected {len(self.grad_outputs)}")
            self.grad_outputs = new
        grad_outputs = self.grad_outputs
        if self.input_index is None:  # no input needs a gradient: the hooks run now, with grad_input all None
            warnings.warn("Full backward hook is firing when gradients are computed with respect to module outputs "
                          "since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
                          "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.",
                          stacklevel=6)
            for hook in self.hooks:
                res = hook(self.module, (None,) * self.n_inputs, grad_outputs)
                if res is not None and not (isinstance(res, tuple) and all(r is None for r in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient should always "
                                       "return None or None for all gradients.")
            self.grad_outputs = None
        return tuple(grad_outputs[i] for i in self.output_index)

    def _input_hook(self, grads: tuple, _grad_outputs: tuple):
        if self.grad_outputs is None:  # the gradient reached the inputs without passing the outputs
            return None
        res = _pack(self.input_index, grads, self.n_inputs)
        for hook in self.hooks:
            new = hook(self.module, res, self.grad_outputs)
            if new is None:
                continue
            if len(new) != len(res):
                raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got {len(new)}, but "
                                   f"expected {len(res)}")
            res = new
        self.grad_outputs = None
        return tuple(res[i] for i in self.input_index)


_DEPRECATED = "is deprecated and will be removed in future versions."
_USE_FULL = "Please use register_full_backward_hook to get the documented behavior."


def warn_non_full_hook(inputs: tuple, result, node) -> None:
    """torch's FutureWarning for each way a register_backward_hook hook misses gradients."""
    if isinstance(result, Tensor):
        result = (result,)
    elif not (isinstance(result, tuple) and all(isinstance(r, Tensor) for r in result)):
        return _warn(f"Using non-full backward hooks on a Module that does not return a single Tensor or a tuple "
                     f"of Tensors {_DEPRECATED} This hook will be missing some of the grad_output. {_USE_FULL}")
    if not all(isinstance(i, Tensor) for i in inputs):
        return _warn(f"Using non-full backward hooks on a Module that does not take as input a single Tensor or a "
                     f"tuple of Tensors {_DEPRECATED} This hook will be missing some of the grad_input. {_USE_FULL}")
    out_nodes = {r.grad_fn for r in result if r.grad_fn is not None}
    if not out_nodes or (len(out_nodes) == 1 and node not in out_nodes):
        _warn(f"Using a non-full backward hook when outputs are nested in python data structure {_DEPRECATED} "
              "This hook will be missing some grad_output.")
    elif len(out_nodes) > 1:
        _warn(f"Using a non-full backward hook when outputs are generated by different autograd Nodes {_DEPRECATED} "
              f"This hook will be missing some grad_output. {_USE_FULL}")
    elif {i.grad_fn for i in inputs if i.grad_fn is not None} != {n for n, _ in node._edges}:
        _warn(f"Using a non-full backward hook when the forward contains multiple autograd Nodes {_DEPRECATED} "
              f"This hook will be missing some grad_input. {_USE_FULL}")


def _warn(message: str) -> None:
    warnings.warn(message, FutureWarning, stacklevel=4)
