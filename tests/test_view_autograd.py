"""Autograd around views, against torch: a view made under no_grad (or inference_mode) requires grad through its
base and refuses writes once recording again, the outputs of split/unbind refuse writes, and the messages of
the version counter, detach_() leaves and the order of torch's refusals. Each case is a program run on both
libraries; what it returns, or the error it raises (class and message), must be the same."""
from __future__ import annotations

import re
import warnings

import pytest

import lazygrad as lg
from oracle import torch_or_skip


def outcome(program, m):
    """What program(m) returns (tensors as their values and autograd state), or its error's class and message."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return "ok", _described(program(m))
        except Exception as e:  # noqa: BLE001 (the class is compared)
            return "error", type(e).__name__, str(e).replace("lazygrad", "torch")


def _described(value):
    if isinstance(value, tuple):
        return tuple(_described(v) for v in value)
    if hasattr(value, "requires_grad") and hasattr(value, "detach"):
        return ("tensor", value.detach().tolist(), value.requires_grad, value.is_leaf)
    if hasattr(value, "name") and hasattr(value, "next_functions"):
        return ("node", value.name())
    if isinstance(value, str):
        return re.sub(r" at 0x[0-9a-f]+", "", value.replace("lazygrad", "torch"))
    return value


def like_torch(program):
    torch = torch_or_skip()
    assert outcome(program, lg) == outcome(program, torch)


def _no_grad_view(m, of_leaf: bool = False, index=slice(1, None)):
    a = m.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], requires_grad=True)
    base = a if of_leaf else a * 1
    with m.no_grad():
        v = base[index]
    return a, base, v


def _hooked_no_grad_view(m):
    a = m.ones(3, requires_grad=True)
    with m.no_grad():
        v = a[1:]
    v.register_hook(lambda g: g * 2)
    v.requires_grad_(False)  # (a view's flag follows its base)
    return v.requires_grad, v.is_leaf, v.retains_grad


NO_GRAD_VIEWS = {
    "hooked_and_flagged": _hooked_no_grad_view,
    "requires_grad_through_base": lambda m: (lambda a, c, v: (v.requires_grad, v.is_leaf, v.grad_fn))(*_no_grad_view(m)),
    "printed": lambda m: repr(_no_grad_view(m, of_leaf=True)[2]),
    "printed_inside_no_grad": lambda m: (lambda a, c, v: _in_no_grad(m, lambda: repr(v)))(*_no_grad_view(m)),
    "ops_record_but_stop_there": lambda m: _backward_through(m, *_no_grad_view(m, of_leaf=True)),
    "ops_record_but_stop_there_non_leaf": lambda m: _backward_through(m, *_no_grad_view(m)),
    "written_in_place": lambda m: _no_grad_view(m)[2].mul_(2),
    "view_of_leaf_written": lambda m: _no_grad_view(m, of_leaf=True)[2].mul_(2),
    "view_of_view_written": lambda m: _no_grad_view(m)[2][0].add_(1),
    "view_op_in_place": lambda m: _no_grad_view(m)[2].t_(),
    "set_through_index": lambda m: _no_grad_view(m)[2].__setitem__(0, 1.0),
    "copy_into": lambda m: _no_grad_view(m)[2].copy_(m.zeros(2, 3)),
    "written_inside_no_grad": lambda m: (lambda a, c, v: _in_no_grad(m, lambda: v.mul_(2)))(*_no_grad_view(m)),
    "of_a_tensor_not_requiring_grad": lambda m: _written_with_grad_operand(m),
    "history_read_after_base_written": lambda m: _base_written(m, lambda v: v.grad_fn),
    "printed_after_base_written": lambda m: _base_written(m, lambda v: repr(v)),
    "detached_view_written": lambda m: (lambda a: _in_no_grad(m, lambda: a.detach()[1:]).mul_(2))(
        m.ones(3, requires_grad=True)),
    "inference_mode_view": lambda m: _inference_view(m).mul_(2),
    "inference_mode_view_of_view": lambda m: _inference_view(m)[0].mul_(2),
}


def _in_no_grad(m, fn):
    with m.no_grad():
        return fn()


def _inference_view(m):
    c = m.ones(3, 2, requires_grad=True) * 2
    with m.inference_mode():
        return c[1:]


def _backward_through(m, a, base, v):
    y = v * 2
    y.sum().backward()
    return y.grad_fn, [type(f).__name__ for f, _ in y.grad_fn.next_functions], a.grad, y.requires_grad


def _written_with_grad_operand(m):
    b = m.zeros(3)
    with m.no_grad():
        v = b[1:]
    return v.mul_(m.ones(2, requires_grad=True))


def _base_written(m, read):
    a, c, v = _no_grad_view(m)
    with m.no_grad():
        c.mul_(2)
    return read(v)


@pytest.mark.parametrize("name", NO_GRAD_VIEWS)
def test_views_made_under_no_grad_like_torch(name):
    like_torch(NO_GRAD_VIEWS[name])


def _parts(m, split, requires_grad: bool = True):
    a = m.arange(12.0).reshape(4, 3).requires_grad_(requires_grad)
    return split(a * 1 if requires_grad else a)


MULTI_OUTPUT_VIEWS = {
    "split": lambda m: _parts(m, lambda c: c.split(2))[0].mul_(2),
    "chunk": lambda m: _parts(m, lambda c: c.chunk(2))[1].mul_(2),
    "unbind": lambda m: _parts(m, lambda c: c.unbind(1))[1].add_(1),
    "split_with_sizes": lambda m: _parts(m, lambda c: c.split([1, 3]))[1].zero_(),
    "view_of_a_part": lambda m: _parts(m, lambda c: c.split(2))[0][1:].mul_(2),
    "transposed_part": lambda m: _parts(m, lambda c: c.split(2))[0].t().mul_(2),
    "part_view_op": lambda m: _parts(m, lambda c: c.unbind(0))[1].unsqueeze_(0),
    "of_a_leaf": lambda m: m.ones(4, requires_grad=True).unbind(0)[1].mul_(2),
    "no_grad_base_plain_write": lambda m: _parts(m, lambda c: c.split(2), requires_grad=False)[0].mul_(2),
    "no_grad_base_grad_operand": lambda m: _parts(m, lambda c: c.split(2), requires_grad=False)[0].mul_(
        m.ones(3, requires_grad=True)),
    "tensor_split_writable": lambda m: _parts(m, lambda c: c.tensor_split(2))[1].mul_(2).grad_fn,
    "unsafe_split_writable": lambda m: _parts(m, lambda c: c.unsafe_split(2))[1].mul_(2).grad_fn,
    "history_read_after_base_written": lambda m: _part_after_base_written(m, lambda p: p.grad_fn),
    "printed_after_base_written": lambda m: _part_after_base_written(m, lambda p: repr(p)),
    "under_no_grad": lambda m: _in_no_grad(m, lambda: _parts(m, lambda c: c.split(2)))[0].mul_(2),
}


def _part_after_base_written(m, read):
    c = m.arange(12.0).reshape(4, 3).requires_grad_() * 1
    parts = c.split(2)
    c.mul_(2)
    return read(parts[0])


@pytest.mark.parametrize("name", MULTI_OUTPUT_VIEWS)
def test_writes_to_views_of_several_outputs_like_torch(name):
    like_torch(MULTI_OUTPUT_VIEWS[name])


def _leaf_detached_after_use(m):
    a = m.ones(3, requires_grad=True)
    y = a.exp()
    a.detach_()
    y.sum().backward()
    return a.grad, a.requires_grad


def _leaf_moved_inside(m):
    b = m.ones(4, 5, requires_grad=True)
    part = b.select(1, 0)
    b.detach_()
    b.index_add_(0, m.tensor([0]), (part.sum() + m.ones(4, 5))[:1])
    b.sum().backward()


def _stale_view_written(m, read_first: bool):
    a = m.ones(3, 2, requires_grad=True)
    b = m.zeros(3, 2)
    v = b[1:]
    b.mul_(a)
    if read_first:
        v.grad_fn
    return v.sin_().grad_fn


def _saved_output_reshaped(m):
    y = m.ones(2, 3, requires_grad=True).sigmoid()
    s = y.t_()
    s.sum().backward()


def _saved_complex(m, dtype):
    b = m.ones(2, dtype=dtype, requires_grad=True).exp()
    b.mul_(2)
    b.sum().abs().backward()


class _Saves:
    """A custom Function saving an input, or its own output."""

    @staticmethod
    def program(m, save_output: bool, write):
        class Fn(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                y = x * 2
                ctx.save_for_backward(y if save_output else x)
                return y

            @staticmethod
            def backward(ctx, g):
                return g * ctx.saved_tensors[0]
        x = m.ones(2, 3, requires_grad=True) * 1
        out = Fn.apply(x)
        write(out if save_output else x)
        out.sum().backward()


def _retained_then_written(m, write, of_view: bool = False):
    a = m.tensor([1.0, -2.0, 3.0], requires_grad=True)
    x = a * 1
    kept = x[1:] if of_view else x
    kept.retain_grad()
    write(x)
    (kept * m.arange(1.0, kept.numel() + 1)).sum().backward()
    return kept.grad, kept.retains_grad, a.grad


def _view_of_detached_leaf(m):
    b = m.ones(3, 4, requires_grad=True)
    part = b.narrow(1, 1, 3)
    b.detach_()
    return part.sub_(1)


def _reshaped_unrecorded(m, op):
    a = m.ones(2, 3, requires_grad=True)
    x = a.clone()
    with m.no_grad():
        op(x)
    (x.sum() * 2).backward()
    return a.grad


def _view_op_under_no_grad(m, made_in_no_grad: bool):
    a = m.ones(4, 5, requires_grad=True)
    if made_in_no_grad:
        with m.no_grad():
            x = a.t()[1:3]
    else:
        x = (a * 1)[1:]
    with m.no_grad():
        x.squeeze_() if made_in_no_grad else x.t_()
    return x.grad_fn, x.shape


def _both_saved_tensors_written(m, op):
    x = m.ones(2, 2, requires_grad=True) * 1
    y = op(x)
    x.mul_(2)
    y.sum().backward()


AUTOGRAD_WRITES = {
    **{f"stale_{name}": (lambda op: lambda m: _both_saved_tensors_written(m, op))(op) for name, op in {
        "matmul": lambda x: x @ x.t(), "mul": lambda x: x * x.t(), "div": lambda x: x / x.t(),
        "pow": lambda x: x.pow(x.t()), "mv": lambda x: x.mv(x[0]), "addcmul": lambda x: x.addcmul(x, x.t())}.items()},
    "transposed_in_place_unrecorded": lambda m: _reshaped_unrecorded(m, lambda x: x.t_()),
    "unsqueezed_in_place_unrecorded": lambda m: _reshaped_unrecorded(m, lambda x: x.unsqueeze_(0)),
    "no_grad_view_squeezed_under_no_grad": lambda m: _view_op_under_no_grad(m, True),
    "view_transposed_under_no_grad": lambda m: _view_op_under_no_grad(m, False),
    "retained_then_relu_": lambda m: _retained_then_written(m, lambda x: x.relu_()),
    "retained_then_written_through_a_view": lambda m: _retained_then_written(m, lambda x: x[1:].mul_(2)),
    "retained_view_then_base_written": lambda m: _retained_then_written(m, lambda x: x.mul_(2), of_view=True),
    "retained_then_t_": lambda m: _retained_then_written(m, lambda x: x.t_()),
    "view_of_a_leaf_detached_since": _view_of_detached_leaf,
    "retain_grad_without_grad": lambda m: m.ones(2).retain_grad(),
    "retain_grad_of_a_detached": lambda m: m.ones(2, requires_grad=True).detach().retain_grad(),
    "detached_leaf_gets_no_grad": _leaf_detached_after_use,
    "leaf_moved_into_the_graph": _leaf_moved_inside,
    "stale_view_written": lambda m: _stale_view_written(m, False),
    "stale_view_read_then_written": lambda m: _stale_view_written(m, True),
    "view_op_on_view_of_leaf": lambda m: m.ones(3, 4, requires_grad=True)[1:].t_(),
    "as_strided_on_view_of_leaf": lambda m: m.ones(3, 4, requires_grad=True)[1:].as_strided_((2,), (1,)),
    "unsqueeze_on_selected_leaf": lambda m: m.ones(3, 4, requires_grad=True)[2].unsqueeze_(0),
    "t_of_3d": lambda m: m.ones(2, 2, 2).t_(),
    "leaf_refused_before_complex_abs": lambda m: m.ones(2, dtype=m.complex64, requires_grad=True).abs_(),
    "leaf_refused_before_overlap": lambda m: (lambda a: a.index_add_(0, m.tensor([0]), a[:1]))(
        m.ones(3, 2, requires_grad=True)),
    "leaf_refused_before_promotion": lambda m: m.ones(2, requires_grad=True).add_(m.ones(2, dtype=m.complex64)),
    "saved_output_reshaped_since": _saved_output_reshaped,
    "saved_complex64": lambda m: _saved_complex(m, m.complex64),
    "saved_complex128": lambda m: _saved_complex(m, m.complex128),
    "saved_bfloat16": lambda m: _saved_complex(m, m.bfloat16),
    "function_saved_input_written": lambda m: _Saves.program(m, False, lambda t: t.add_(1)),
    "function_saved_output_written": lambda m: _Saves.program(m, True, lambda t: t.mul_(3)),
    "function_saved_output_transposed": lambda m: _Saves.program(m, True, lambda t: t.t_()),
}


@pytest.mark.parametrize("name", AUTOGRAD_WRITES)
def test_autograd_of_writes_like_torch(name):
    like_torch(AUTOGRAD_WRITES[name])


def test_a_view_made_under_no_grad_is_refused_without_torch():
    """The refusal itself, checked without the oracle: its gradient would be ambiguous."""
    a = lg.ones(3, requires_grad=True) * 1
    with lg.no_grad():
        v = a[1:]
    assert v.requires_grad and v.is_leaf and v.grad_fn is None
    with pytest.raises(RuntimeError, match="A view was created in no_grad mode and is being modified inplace"):
        v.mul_(2)
    with lg.no_grad():
        v.mul_(2)  # (both inside the block: allowed, and not recorded)
    assert a.tolist() == [1.0, 2.0, 2.0]
