"""torch's `*_copy` functions: a view op's result in new contiguous memory that shares nothing with the
input (what functionalized programs use in place of views). Each is recorded as torch records it, behind
one node named for the view with `_copy` appended (`PermuteBackward0_copy`); `out=` takes the copy (a list
of outs for the ops that split, which then return None, as torch's do)."""
from __future__ import annotations

from typing import Callable

from . import complex_numbers as cx
from . import movement as mv
from . import shapes
from .autograd.composite import recorded_as
from .autograd.custom import Function
from .autograd.grad_mode import no_grad
from .indexing import getitem
from .inplace import write_out
from .layouts import contiguous_format
from .tensor import Tensor


def _slice(input: Tensor, dim: int = 0, start: int | None = None, end: int | None = None, step: int = 1) -> Tensor:
    return getitem(input, (slice(None),) * (dim % max(input.ndim, 1)) + (slice(start, end, step),))


def _squeeze_node(input: Tensor, dim=None) -> str:
    """torch's three squeeze overloads have three nodes: all dims, one dim, a list of dims."""
    return "SqueezeBackward" + ("0" if dim is None else "1" if isinstance(dim, int) else "2") + "_copy"


# name -> (the view, taking torch's arguments; its node name, or a function of the arguments giving it)
VIEWS: dict[str, tuple[Callable, str | Callable[..., str]]] = {
    "alias_copy": (lambda input: getitem(input, ...), "AliasBackward0_copy"),
    "as_strided_copy": (lambda input, size, stride, storage_offset=None: mv.as_strided(input, size, stride,
                                                                                       storage_offset),
                        "AsStridedBackward0_copy"),
    "diagonal_copy": (lambda input, offset=0, dim1=0, dim2=1: mv.diagonal(input, offset, dim1, dim2),
                      "DiagonalBackward0_copy"),
    "expand_copy": (lambda input, size, *, implicit=False: mv.expand(input, size), "ExpandBackward0_copy"),
    "permute_copy": (lambda input, dims: mv.permute(input, dims), "PermuteBackward0_copy"),
    "select_copy": (lambda input, dim, index: mv.select(input, dim, index), "SelectBackward0_copy"),
    "slice_copy": (_slice, "SliceBackward0_copy"),
    "split_copy": (lambda input, split_size, dim=0: mv.split(input, split_size, dim), "SplitBackward0_copy"),
    "split_with_sizes_copy": (lambda input, split_sizes, dim=0: shapes.split_with_sizes(input, split_sizes, dim),
                              "SplitWithSizesBackward0_copy"),
    "squeeze_copy": (lambda input, dim=None: mv.squeeze(input, dim), _squeeze_node),
    "t_copy": (lambda input: mv.t_(input), "TBackward0_copy"),
    "transpose_copy": (lambda input, dim0, dim1: mv.transpose(input, dim0, dim1), "TransposeBackward0_copy"),
    "unbind_copy": (lambda input, dim=0: mv.unbind(input, dim), "UnbindBackward0_copy"),
    "unfold_copy": (lambda input, dimension, size, step: mv.unfold(input, dimension, size, step),
                    "UnfoldBackward0_copy"),
    "unsqueeze_copy": (lambda input, dim: mv.unsqueeze(input, dim), "UnsqueezeBackward0_copy"),
    "view_as_real_copy": (cx.view_as_real, "ViewAsRealBackward0_copy"),
    "view_as_complex_copy": (cx.view_as_complex, "ViewAsComplexBackward0_copy"),
}


def _copied(result):
    if isinstance(result, tuple):
        return tuple(_copied(r) for r in result)
    return mv.clone(result, memory_format=contiguous_format)


def _write(result, out):
    """out= of a copy: one tensor, or (for the splitting ops) a list of them filled in order, returning None."""
    if isinstance(result, tuple):
        for r, o in zip(result, out):
            o.copy_(r)
        return None
    return write_out(result, out)


def _copy_function(name: str, view: Callable, node: str | Callable[..., str]) -> Callable:
    recorded = recorded_as(node)(lambda *args, **kwargs: _copied(view(*args, **kwargs)))

    def function(input: Tensor, *args, out=None, **kwargs):
        if out is None:
            return recorded(input, *args, **kwargs)
        with no_grad():
            return _write(_copied(view(input, *args, **kwargs)), out)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"{name.removesuffix('_copy')}'s result, copied into new contiguous memory."
    return function


globals().update({name: _copy_function(name, view, node) for name, (view, node) in VIEWS.items()})


_view_as_shape_copy = _copy_function("view_copy", lambda input, size: mv.view(input, size), "ViewBackward0_copy")


def view_copy(input: Tensor, size, *, out: Tensor | None = None) -> Tensor:
    """A dtype instead of a size reinterprets the bytes; torch records no gradient for that form."""
    if isinstance(size, (tuple, list, int)):
        return _view_as_shape_copy(input, size, out=out)
    result = _copied(mv.view_dtype(input.detach(), size))
    return result if out is None else write_out(result, out)


class _Undifferentiable(Function):
    """Passes its input through; its backward raises torch's error for an op without a derivative."""

    @staticmethod
    def forward(ctx, input):
        return input

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::detach_copy is not implemented")


@recorded_as("NotImplemented")
def _detach_copy(input: Tensor) -> Tensor:
    return _Undifferentiable.apply(_copied(input))


def detach_copy(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """A copy that, as torch's, still requires grad but whose node (`NotImplemented`) raises on backward."""
    if out is not None:
        with no_grad():
            return write_out(_copied(input), out)
    return _detach_copy(input)


__all__ = [*VIEWS, "detach_copy", "view_copy"]
