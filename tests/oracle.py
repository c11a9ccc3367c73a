"""Comparing lazygrad results with torch's: shared by the op test files."""
from __future__ import annotations

import numpy as np
import pytest

import lazygrad as lg


def torch_of(a):
    """A torch tensor with a copy of NumPy array a (other values pass through)."""
    torch = pytest.importorskip("torch")
    return torch.from_numpy(np.array(a, copy=True)) if isinstance(a, np.ndarray) else a


def dtype_name(t) -> str:
    return str(t.dtype).replace("torch.", "")


def assert_like_torch(out, expected, *, exact: bool = False, rtol=None, atol=None, check_stride: bool = False) -> None:
    """lazygrad tensor `out` has torch tensor `expected`'s dtype, shape (strides) and values (NaNs equal)."""
    torch = pytest.importorskip("torch")
    assert isinstance(out, lg.Tensor), type(out)
    assert out.dtype.name == dtype_name(expected), (out.dtype.name, dtype_name(expected))
    assert tuple(out.shape) == tuple(expected.shape), (tuple(out.shape), tuple(expected.shape))
    if check_stride:
        assert out.stride() == expected.stride(), (out.stride(), expected.stride())
    got = torch.from_numpy(np.array(out.numpy(), copy=True))
    if exact:
        rtol = atol = 0
    torch.testing.assert_close(got, expected, equal_nan=True, rtol=rtol, atol=atol)


def xfail_if(request, condition: bool, reason: str) -> None:
    """Strict xfail for a gap seen only under some parameters (a back end, a dtype)."""
    if condition:
        request.node.add_marker(pytest.mark.xfail(strict=True, reason=reason))


def same_error(lg_call, torch_call, exc=Exception) -> None:
    """Both raise the same exception class, lazygrad with torch's message (torch. -> lazygrad.)."""
    with pytest.raises(exc) as want:
        torch_call()
    with pytest.raises(exc) as got:
        lg_call()
    assert type(got.value) is want.type, (got.value, want.value)
    assert str(got.value) == str(want.value).replace("torch.", "lazygrad."), (str(got.value), str(want.value))


def torch_or_skip():
    return pytest.importorskip("torch", reason="torch is the oracle for this test")


def both(fn, *arrays, **kwargs):
    """fn applied to lazygrad and to torch tensors holding the same arrays (fn takes the module first)."""
    torch = torch_or_skip()
    return (fn(lg, *(lg.tensor(a, **kwargs) for a in arrays)),
            fn(torch, *(torch.tensor(a, **kwargs) for a in arrays)))


def assert_same(got, want, *, strides: bool = False, **tolerance) -> None:
    """Tensors (or tuples of them) with torch's dtypes, shapes and values (and strides)."""
    if isinstance(want, (tuple, list)):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            assert_same(g, w, strides=strides, **tolerance)
        return
    assert_like_torch(got, want, check_stride=strides, **tolerance)


def raises_like_torch(fn, exc: type) -> None:
    """fn(module) raises torch's exception class and message for lazygrad too (warnings aside)."""
    import warnings
    torch = torch_or_skip()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(exc) as want:
            fn(torch)
        with pytest.raises(exc) as got:
            fn(lg)
    assert type(got.value) is type(want.value)
    assert str(got.value) == str(want.value)


def drawn_on_every_backend(draw, seed: int, generator_seed: int) -> list:
    """draw(generator) on the compiled and on the interpreted back end, each after the same seeding (of the
    default stream and of the Generator it is given): the in-kernel generator must give both the same numbers."""
    previous = lg.runtime.backend()
    drawn = []
    try:
        for backend in ("c", "numpy"):
            lg.set_backend(backend)
            lg.manual_seed(seed)
            drawn.append(draw(lg.Generator().manual_seed(generator_seed)))
    finally:
        lg.set_backend(previous)
    return drawn


def edges(node) -> list[bool]:
    """What a node's next_functions show, as torch's: which of its inputs' gradients go on (an entry for
    each tensor parameter of the op's schema; a None entry for one that needs no gradient)."""
    return [n is not None for n, _ in node.next_functions]


def gradients_like_torch(fn, arrays, *, check_values: bool = True, seed: int = 0) -> None:
    """fn(module, *inputs) records torch's node (by name), and the gradients of every input against a random
    output gradient are torch's; unused inputs get zeros, as torch's materialize_grads gives them."""
    torch = torch_or_skip()
    ins_lg = [lg.tensor(a, requires_grad=True) for a in arrays]
    ins_t = [torch.tensor(a, requires_grad=True) for a in arrays]
    out_lg, out_t = fn(lg, *ins_lg), fn(torch, *ins_t)
    assert type(out_lg.grad_fn).__name__ == type(out_t.grad_fn).__name__
    assert edges(out_lg.grad_fn) == edges(out_t.grad_fn)
    if check_values:
        assert_same(out_lg.detach(), out_t.detach())
    back = np.random.default_rng(seed).standard_normal(tuple(out_t.shape))
    grads_t = torch.autograd.grad(out_t, ins_t, torch.tensor(back), allow_unused=True, materialize_grads=True)
    grads_lg = lg.autograd.grad(out_lg, ins_lg, lg.tensor(back), allow_unused=True)
    for g, w in zip(grads_lg, grads_t):
        assert_same(lg.zeros(w.shape, dtype=lg.float64) if g is None else g, w)
