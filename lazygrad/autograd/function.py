"""Backward nodes (torch's grad_fn objects): one class per op, named as torch names it."""
from __future__ import annotations


class Context:
    """What a derivative formula sees: the op's arguments, its output, and whether each input needs a grad."""

    __slots__ = ("args", "kwargs", "out", "needs_input_grad", "user")

    def __init__(self, args, kwargs, out, needs_input_grad, user=None):
        self.args, self.kwargs, self.out, self.needs_input_grad = args, kwargs, out, needs_input_grad
        self.user = user  # the ctx object of a custom autograd.Function


class BackwardNode:
    """A node of the backward graph. `next_functions` pairs each input with the node its gradient goes to."""

    _formula = None

    def __init__(self, ctx: Context | None, next_functions, saved_versions=(), output_meta=()):
        self._ctx = ctx
        self.next_functions = tuple(next_functions)
        self._saved_versions = saved_versions
        self._output_meta = output_meta  # (shape, dtype) of each output, to make zero gradients
        self._input_meta = ()  # (shape, dtype) of each input, to sum gradients back to
        self._pre_hooks: dict[int, list] = {}  # hooks of the non-leaf tensors this node produced

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    def _check_saved(self) -> Context:
        if self._ctx is None:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved tensors after they "
                "have already been freed). Saved intermediate values of the graph are freed when you call "
                ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
                "graph a second time or if you need to access saved tensors after calling backward.")
        for tensor, version in self._saved_versions:
            if tensor._storage.version != version:
                kind = {"float32": "Float", "float64": "Double", "float16": "Half"}.get(tensor.dtype.name, "")
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: [torch.{kind}Tensor {list(tensor.shape)}], which is output 0 of "
                    f"{tensor.grad_fn.name() if tensor.grad_fn else 'a leaf'}, is at version "
                    f"{tensor._storage.version}; expected version {version} instead. Hint: the backtrace further "
                    "above can help you find the operation that failed to compute its gradient.")
        return self._ctx

    def apply(self, *grads):
        """The gradients of the inputs given those of the outputs (what torch's grad_fn.apply returns)."""
        ctx = self._check_saved()
        out = type(self)._formula(ctx, *grads)
        return out if isinstance(out, tuple) else (out,)

    def release(self) -> None:
        self._ctx = None


class AccumulateGrad(BackwardNode):
    """The node that adds a leaf's gradient into its `.grad`."""

    def __init__(self, variable):
        super().__init__(None, (), output_meta=((variable._shape, variable.dtype),))
        self.variable = variable

    def apply(self, *grads):
        return grads

    def release(self) -> None:
        pass


_NODE_CLASSES: dict[tuple, type] = {}


def node_class(name: str, formula) -> type:
    """The BackwardNode subclass for an op, named as torch names it. Ops torch gives the same name
    (mul and outer are both MulBackward0) get classes of that name with their own formulas."""
    cls = _NODE_CLASSES.get((name, formula))
    if cls is None:
        cls = _NODE_CLASSES[(name, formula)] = type(name, (BackwardNode,), {"_formula": staticmethod(formula)})
    return cls
