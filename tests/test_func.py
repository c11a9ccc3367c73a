"""lg.func (torch.func's transforms) against torch.func: values, nesting (grad of grad, hessian, vmap of grad),
argnums and has_aux, what is returned detached, and torch's errors; a hessian against the closed form
without torch."""
import numpy as np
import pytest

import lazygrad as lg
from oracle import assert_same, torch_or_skip

X = np.array([0.5, -1.25, 2.0])


def _flat(result):
    if isinstance(result, (tuple, list)):
        return [y for r in result for y in _flat(r)]
    return [result]


CASES = {
    "grad": lambda m, F, x: F.grad(lambda x: (x.sin() * x).sum())(x),
    "grad_of_grad": lambda m, F, x: F.grad(lambda x: F.grad(lambda y: (y ** 3).sum())(x).sum())(x),
    "grad_argnums": lambda m, F, x: F.grad(lambda a, b: (a * b.exp()).sum(), argnums=(0, 1))(x, x * 2),
    "grad_second_arg": lambda m, F, x: F.grad(lambda a, b: (a * b.exp()).sum(), argnums=1)(x, x * 2),
    "grad_has_aux": lambda m, F, x: F.grad(lambda x: ((x ** 2).sum(), x.mean()), has_aux=True)(x),
    "grad_and_value": lambda m, F, x: F.grad_and_value(lambda x: (x.sin() * x).sum())(x),
    "vjp": lambda m, F, x: (lambda out, fn: (out, fn(x.cos())))(*F.vjp(lambda x: x ** 2 * x.sin(), x)),
    "vjp_two_primals": lambda m, F, x: F.vjp(lambda a, b: a * b, x, x + 1)[1](m.ones(3, dtype=m.float64)),
    "jvp": lambda m, F, x: F.jvp(lambda x: x.exp() * x, (x,), (x.cos(),)),
    "jvp_two_primals": lambda m, F, x: F.jvp(lambda a, b: a * b.sin(), (x, x * 2), (m.ones(3, dtype=m.float64), x)),
    "jacrev": lambda m, F, x: F.jacrev(lambda x: x.outer(x.exp()))(x),
    "jacrev_argnums": lambda m, F, x: F.jacrev(lambda a, b: a * b, argnums=(0, 1))(x, x + 1),
    "jacfwd": lambda m, F, x: F.jacfwd(lambda x: x ** 2 * x.sum())(x),
    "hessian": lambda m, F, x: F.hessian(lambda x: (x.sin() * x).sum() * x.prod())(x),
    "vmap": lambda m, F, x: F.vmap(lambda r: r.sum())(m.ones(4, 3, dtype=m.float64) * x),
    "vmap_in_dims": lambda m, F, x: F.vmap(lambda a, b: a @ b, in_dims=(1, None))(m.ones(3, 4, dtype=m.float64), x),
    "vmap_out_dims": lambda m, F, x: F.vmap(lambda r: r * 2, out_dims=1)(m.ones(4, 3, dtype=m.float64) * x),
    "vmap_of_grad": lambda m, F, x: F.vmap(F.grad(lambda r: (r ** 2 * r.sin()).sum()))(m.ones(4, 3,
                                                                                          dtype=m.float64) * x),
}


@pytest.mark.parametrize("name", list(CASES))
def test_like_torch_func(name):
    torch = torch_or_skip()
    got = CASES[name](lg, lg.func, lg.tensor(X))
    want = CASES[name](torch, torch.func, torch.tensor(X))
    for g, w in zip(_flat(got), _flat(want)):
        if isinstance(w, torch.Tensor):
            assert_same(g.detach(), w.detach())
        else:
            assert g == w


def test_results_are_detached_unless_something_differentiates_them():
    torch = torch_or_skip()
    x = lg.tensor(X)
    g = lg.func.grad(lambda x: (x ** 2).sum())(x)
    assert not g.requires_grad and g.grad_fn is None
    y = lg.tensor(X, requires_grad=True)
    g = lg.func.grad(lambda x: (x ** 3).sum())(y)  # the caller differentiates it further: as torch keeps it
    assert g.requires_grad == torch.func.grad(lambda x: (x ** 3).sum())(torch.tensor(X, requires_grad=True)).requires_grad
    (gg,) = lg.autograd.grad(g.sum(), y)
    np.testing.assert_allclose(gg.numpy(), 6 * X)


def test_hessian_matches_the_closed_form_without_torch():
    a = np.array([[2.0, 0.5, 0.0], [0.5, 1.0, 0.25], [0.0, 0.25, 3.0]])
    quadratic = lambda x: 0.5 * (x * (lg.tensor(a) @ x)).sum() + x.exp().sum()  # noqa: E731
    h = lg.func.hessian(quadratic)(lg.tensor(X))
    np.testing.assert_allclose(h.numpy(), a + np.diag(np.exp(X)), rtol=1e-12)
    jv = lg.func.jvp(quadratic, (lg.tensor(X),), (lg.tensor([1.0, 0.0, 0.0]),))[1]
    np.testing.assert_allclose(jv.item(), (a @ X + np.exp(X))[0], rtol=1e-12)


def test_errors_like_torch():
    torch = torch_or_skip()
    for fn in (lambda m: m.func.grad(lambda x: x ** 2)(m.ones(3)),
               lambda m: m.func.grad(lambda x: x.sum(), has_aux=True)(m.ones(3))):
        with pytest.raises(RuntimeError) as want:
            fn(torch)
        with pytest.raises(RuntimeError) as got:
            fn(lg)
        assert str(got.value) == str(want.value)
