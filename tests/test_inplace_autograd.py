"""Autograd with mutation, against torch: rebased histories (CopySlices, AsStridedBackward0), the
leaf and version-counter errors, and gradients of in-place ops on non-leaf tensors and their views."""
import numpy as np
import pytest

import lazygrad as lg

torch = pytest.importorskip("torch")


def _run(lib, case):
    w = lib.tensor([0.5, -1.0, 2.0, 3.0], requires_grad=True)
    v = lib.tensor([1.5, 2.5], requires_grad=True)
    out = case(lib, w, v)
    out.sum().backward()
    grads = [None if t.grad is None else np.array(t.grad.tolist()) for t in (w, v)]
    return type(out.grad_fn).__name__, np.array(out.tolist()), grads


CASES = {
    "mul_on_nonleaf": lambda m, w, v: (lambda y: y.mul_(3))(w * 2),
    "view_mul_by_tensor": lambda m, w, v: (lambda y: (y[1:3].mul_(v), y)[1])(w * 2),
    "setitem_slice_tensor": lambda m, w, v: (lambda y: (y.__setitem__(slice(1, 3), v), y)[1])(w * 2),
    "setitem_int_scalar": lambda m, w, v: (lambda y: (y.__setitem__(0, 5.0), y)[1])(w * 1),
    "setitem_index_list": lambda m, w, v: (lambda y: (y.__setitem__([0, 2], v), y)[1])(w * 1),
    "setitem_mask_scalar": lambda m, w, v: (lambda y: (y.__setitem__(y > 0, 0.0), y)[1])(w * 1),
    "masked_fill_": lambda m, w, v: (lambda y: y.masked_fill_(y < 1, 7.0))(w * 1),
    "index_fill_": lambda m, w, v: (lambda y: y.index_fill_(0, m.tensor([1, 3]), 0.5))(w * 1),
    "index_put_accumulate": lambda m, w, v: (lambda y: y.index_put_((m.tensor([1, 1]),), v, accumulate=True))(w * 1),
    "write_into_plain_zeros": lambda m, w, v: (lambda y: (y.__setitem__(slice(1, 3), v), y * w)[1])(m.zeros(4)),
    "strided_view_of_view": lambda m, w, v: (lambda y: (y.t()[0].mul_(v), y)[1])(w.reshape(2, 2) * 1),
    "copy_from_expression": lambda m, w, v: (lambda y: y.copy_(v.sum() * w))(w * 1),
    "clamp_then_pow": lambda m, w, v: (lambda y: y.clamp_(0, 1).pow_(2))(w * 1),
    "sin_then_exp": lambda m, w, v: (lambda y: y.sin_().exp_())(w * 1),
    "view_exp_then_square": lambda m, w, v: (lambda y: (y[::2].exp_(), y * y)[1])(w * 1),
    "fill_zero_": lambda m, w, v: (lambda y: (y[1:].zero_(), y * w)[1])(w * 1),
    "fill_tensor_value": lambda m, w, v: (lambda y: y.fill_(v[0]))(w * 1),
    "scatter_": lambda m, w, v: (lambda y: y.scatter_(0, m.tensor([2, 0]), v))(w * 1),
    "scatter_add_": lambda m, w, v: (lambda y: y.scatter_add_(0, m.tensor([1, 1]), v * v))(w * 1),
    "index_add_": lambda m, w, v: (lambda y: y.index_add_(0, m.tensor([3, 3]), v, alpha=-2))(w * 1),
    "two_writes_two_views": lambda m, w, v: (lambda y: (y[:2].add_(v), y[2:].mul_(v), y)[2])(w * 1),
}


@pytest.mark.parametrize("name", list(CASES))
def test_inplace_gradients_match_torch(name):
    want_name, want_values, want_grads = _run(torch, CASES[name])
    got_name, got_values, got_grads = _run(lg, CASES[name])
    assert got_name == want_name
    np.testing.assert_allclose(got_values, want_values, rtol=1e-6)
    for got, want in zip(got_grads, want_grads):
        assert (got is None) == (want is None)
        if want is not None:
            np.testing.assert_allclose(got, want, rtol=1e-6)


def test_view_grad_fn_after_write_to_base():
    """A view made before its base was written is re-derived from the base (AsStridedBackward0)."""
    for lib in (torch, lg):
        w = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        y = w * 1
        z = y[::2]
        assert type(z.grad_fn).__name__ == "SliceBackward0"
        y.mul_(2)
        assert type(z.grad_fn).__name__ == "AsStridedBackward0"
        assert type(y.grad_fn).__name__ == "MulBackward0"
        z.sum().backward()
        assert w.grad.tolist() == [2.0, 0.0, 2.0, 0.0]


def test_base_of_views_like_torch():
    for lib in (torch, lg):
        x = lib.zeros(4, 4)
        assert x[1:]._base is x and x[1:][1:]._base is x and x.t()._base is x
        assert x._base is None and x.detach()._base is None and not x._is_view() and x[0]._is_view()


ERRORS = {
    "leaf": lambda m, w: w.add_(1),
    "view_of_leaf": lambda m, w: w[:2].mul_(2),
    "setitem_on_leaf": lambda m, w: w.__setitem__(0, 1.0),
    "saved_input_modified": lambda m, w: (lambda y: (lambda z: (y.add_(1), z.sum().backward()))(y * w))(w * 1),
    "saved_result_modified": lambda m, w: (lambda z: (z.add_(1), z.sum().backward()))(w.exp()),
    "result_of_inplace_modified": lambda m, w: (lambda y: (y.sigmoid_(), y.mul_(2), y.sum().backward()))(w * 1),
    "inplace_result_modified_again": lambda m, w: (lambda y: (y.exp_().sin_(), y.sum().backward()))(w * 1),
    "plain_tensor_saved": lambda m, w: (lambda u: (lambda z: (u.add_(1), z.sum().backward()))(w * u))(m.ones(3)),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_autograd_mutation_errors_match_torch(name):
    def raised(lib):
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        with pytest.raises(RuntimeError) as info:
            ERRORS[name](lib, w)
        return str(info.value)
    assert raised(lg) == raised(torch)


def test_no_error_when_the_modified_tensor_is_not_needed():
    """add does not save its inputs, exp saves its result: modifying the input of either is fine."""
    for lib in (torch, lg):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        y = w * 1
        z = y + 1
        e = y.exp()
        y.add_(1)
        (z + e).sum().backward()
        np.testing.assert_allclose(np.array(w.grad.tolist()), 1 + np.exp([1.0, 2.0]), rtol=1e-6)


def test_inplace_allowed_on_leaf_under_no_grad():
    w = lg.tensor([1.0, 2.0], requires_grad=True)
    with lg.no_grad():
        w -= 0.5 * lg.ones(2)
        w[0] = 3.0
    assert w.tolist() == [3.0, 1.5] and w.is_leaf and w.requires_grad
    (w * w).sum().backward()
    assert w.grad.tolist() == [6.0, 3.0]


def test_data_writes_are_not_tracked():
    w = lg.tensor([1.0, 2.0], requires_grad=True)
    y = w * w
    w.data.mul_(10)  # torch's escape hatch: no version bump, no error, the new value is used
    y.sum().backward()
    assert w.grad.tolist() == [20.0, 40.0]


def test_data_assignment_takes_tensors_and_keeps_gradients_floating():
    """x.data = y takes y's shape and dtype; torch refuses a non-tensor, and an integer y for an x requiring grad."""
    w = lg.ones(2, requires_grad=True)
    w.data = lg.zeros(3, dtype=lg.float64)
    assert (w.shape, w.dtype, w.requires_grad) == ((3,), lg.float64, True)
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got int"):
        w.data = 3
    with pytest.raises(RuntimeError, match="data set to a tensor that requires gradients must be floating point"):
        w.data = lg.ones(2, dtype=lg.long)
    plain = lg.ones(2)
    plain.data = lg.ones(2, dtype=lg.long)
    assert plain.dtype is lg.int64


def test_second_derivative_through_copy_slices():
    for lib in (torch, lg):
        w = lib.tensor([0.5, 1.5, -2.0], requires_grad=True)
        y = w * 1
        y[1:] = w[1:] ** 3
        (g,) = (torch.autograd.grad if lib is torch else lg.autograd.grad)(y.sum(), w, create_graph=True)
        g.sum().backward()
        assert w.grad.tolist() == [0.0, 9.0, -12.0]
