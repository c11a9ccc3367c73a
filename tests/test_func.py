"""lg.func (torch.func's transforms) against torch.func: values, nesting (grad of grad, hessian, vmap of grad),
argnums and has_aux, what is returned detached, and torch's errors; a hessian against the closed form
without torch."""
import numpy as np
import pytest

import lazygrad as lg
from distribution_oracle import raised
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
    # outputs independent of an input (zeros, of the output's dtype forward), pytrees of outputs
    "grad_independent_with_aux": lambda m, F, x: F.grad_and_value(lambda a, b: ((b ** 2).sum(), a.cos()),
                                                                  argnums=(0,), has_aux=True)(x, x + 1),
    "jacfwd_constant": lambda m, F, x: F.jacfwd(lambda a: m.ones(()))(x),
    "jacrev_constant": lambda m, F, x: F.jacrev(lambda a: m.ones(2))(x),
    "jvp_constant": lambda m, F, x: F.jvp(lambda a: m.ones(()), (x,), (x,)),
    "linearize_constant": lambda m, F, x: (lambda out, fn: (out, fn(x)))(*F.linearize(lambda a: m.ones(()), x)),
    "jacfwd_tuple_output": lambda m, F, x: F.jacfwd(lambda a, b: (a.sum(), (b * a).sum()), argnums=1)(x, x * 3),
    "hessian_tuple_output": lambda m, F, x: F.hessian(lambda a, b: (a.sum(), (b * a ** 2).sum()),
                                                      argnums=(0, 1))(x, x * 3),
    "jacrev_dict_output": lambda m, F, x: list(F.jacrev(lambda a: {"s": a.sum(), "p": a.prod()})(x).values()),
    "jvp_dict_output": lambda m, F, x: [list(d.values()) for d in F.jvp(lambda a: {"s": a.sum(), "e": a.exp()},
                                                                        (x,), (x,))],
    "vjp_dict_output": lambda m, F, x: (lambda out, fn: fn({"s": m.tensor(2.0, dtype=m.float64), "e": x}))(
        *F.vjp(lambda a: {"s": a.sum(), "e": a.exp()}, x)),
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
               lambda m: m.func.grad(lambda x: x.sum(), has_aux=True)(m.ones(3)),
               lambda m: m.func.grad(lambda x: (x.sum(), x))(m.ones(3)),
               lambda m: m.func.jacrev(lambda x: x.sum(), has_aux=True)(m.ones(3)),
               lambda m: m.func.jacfwd(lambda x: x.sum(), has_aux=True)(m.ones(3)),
               lambda m: m.func.vjp(lambda x: x.sum(), m.ones(3), has_aux=True),
               lambda m: m.func.jvp(lambda x: x.sum(), (m.ones(3),), (m.ones(3),), has_aux=True)):
        with pytest.raises(RuntimeError) as want:
            fn(torch)
        with pytest.raises(RuntimeError) as got:
            fn(lg)
        assert str(got.value) == str(want.value)


def _model_program(t):
    """torch.func's per-sample-gradient and ensemble recipes on one small model (the same weights in both
    libraries): functional_call with a dict of parameters under grad, vmap and jacrev, and
    stack_module_state."""
    import importlib
    F, nn = importlib.import_module(f"{t.__name__}.func"), t.nn
    rng = np.random.default_rng(0)

    def filled(module):
        with t.no_grad():
            for p in module.parameters():
                p.copy_(t.tensor(rng.standard_normal(tuple(p.shape)), dtype=t.float32))
        return module

    model = filled(nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)))
    params = {k: v.detach() for k, v in model.named_parameters()}
    x, y = t.tensor(rng.standard_normal((5, 3)), dtype=t.float32), t.tensor([0, 1, 1, 0, 1])

    def loss(p, xb, yb):
        return t.nn.functional.cross_entropy(F.functional_call(model, p, (xb.unsqueeze(0),)), yb.unsqueeze(0))

    out = {"grad": F.grad(loss)(params, x[0], y[0]),
           "per_sample": F.vmap(F.grad(loss), in_dims=(None, 0, 0))(params, x, y),
           "split": F.functional_call(model, ({k: v * 2 for k, v in params.items() if "weight" in k},
                                              {k: v for k, v in params.items() if "bias" in k}), x),
           "jacrev": F.jacrev(lambda p: F.functional_call(model, p, (x[:1],)).sum())(params)}
    members = [filled(nn.Linear(3, 2)) for _ in range(3)]
    stacked, _ = F.stack_module_state(members)
    out["ensemble"] = F.vmap(lambda p, xx: F.functional_call(members[0], p, (xx,)), in_dims=(0, None))(stacked, x)
    out["stacked_leaves"] = {k: (v.requires_grad, v.is_leaf) for k, v in stacked.items()}
    out["model_unchanged"] = model[0].weight.detach()
    tied = filled(nn.Linear(2, 2))
    tied.other = tied.weight  # one parameter under two names: the value given stands for both
    out["tied"] = F.functional_call(tied, {"weight": t.ones(2, 2)}, t.ones(1, 2))
    return out


def _leaves(tree):
    if isinstance(tree, dict):
        return [leaf for k in sorted(tree) for leaf in _leaves(tree[k])]
    return [tree]


def test_functional_call_with_grad_vmap_jacrev_and_stacked_models_matches_torch():
    torch = torch_or_skip()
    ours, theirs = _model_program(lg), _model_program(torch)
    assert ours.keys() == theirs.keys()
    assert ours.pop("stacked_leaves") == theirs.pop("stacked_leaves")
    for key in ours:
        a, b = _leaves(ours[key]), _leaves(theirs[key])
        assert len(a) == len(b), key
        for u, v in zip(a, b):
            np.testing.assert_allclose(u.detach().numpy(), v.detach().numpy(), rtol=1e-5, atol=1e-6, err_msg=key)


def test_functional_call_errors_match_torch():
    torch = torch_or_skip()
    from oracle import same_error

    def calls(t):
        import importlib
        F = importlib.import_module(f"{t.__name__}.func")
        model = t.nn.Linear(2, 2)
        w = model.weight.detach()
        return [lambda: F.functional_call(model, [{"weight": w}, {"weight": w}], t.ones(1, 2)),
                lambda: F.functional_call(model, {"weight": w, "extra": w}, t.ones(1, 2), strict=True),
                lambda: F.functional_call(model, 3, t.ones(1, 2))]

    for ours, theirs in zip(calls(lg), calls(torch)):
        same_error(ours, theirs, Exception)


def test_stateless_functional_call_is_deprecated_but_works():
    layer = lg.nn.Linear(2, 1)
    with pytest.warns(FutureWarning, match="stateless.functional_call` is deprecated"):
        out = lg.nn.utils.stateless.functional_call(layer, {"weight": lg.ones(1, 2), "bias": lg.zeros(1)},
                                                     (lg.tensor([[1.0, 2.0]]),))
    assert out.tolist() == [[3.0]]
    assert layer.weight is not None and layer.weight.shape == (1, 2)


def test_linearize_functionalize_and_batch_norms_like_torch():
    torch = torch_or_skip()

    def run(m):
        f = lambda x: x.sin() * x  # noqa: E731
        out, jvp_fn = m.func.linearize(f, m.tensor([1.0, 2.0]))
        wrong = raised(lambda: jvp_fn(m.ones(3)))
        mutated = m.func.functionalize(lambda x: x.add_(1))(m.ones(2))
        model = m.nn.Sequential(m.nn.BatchNorm1d(3), m.nn.Linear(3, 2))
        m.func.replace_all_batch_norm_modules_(model)
        bn = model[0]
        return [out.tolist(), jvp_fn(m.tensor([1.0, 0.0])).tolist(), jvp_fn(m.tensor([0.5, 2.0])).tolist(), wrong,
                mutated.tolist(), bn.running_mean, bn.running_var, bn.track_running_stats]
    ours, theirs = run(lg), run(torch)
    np.testing.assert_allclose(ours[0] + ours[1] + ours[2], theirs[0] + theirs[1] + theirs[2], rtol=1e-6)
    assert ours[3:] == theirs[3:]


REARRANGED = {
    "transpose": ("a b c -> c a b", {}), "merge": ("a b c -> (a b) c", {}), "split": ("a b (c d) -> a b c d", {"d": 2}),
    "split_and_merge": ("a b (c d) -> d a (b c)", {"d": 2}), "ellipsis": ("a ... -> ... a", {}),
    "ellipsis_merged": ("a ... -> a (...)", {}), "ellipsis_in_the_middle": ("a ... c -> c ... a", {}),
    "ellipsis_of_nothing": ("a b c ... -> c ... b a", {}), "units": ("a b c -> a 1 b c ()", {}),
    "unit_in_a_group": ("a b c -> (a 1) b c", {}), "given_size": ("a b c -> c b a", {"a": 2}),
    "names": ("a_1 b2 c -> c b2 a_1", {}),
}


@pytest.mark.parametrize("name", list(REARRANGED))
def test_rearrange_matches_torch(name):
    torch = pytest.importorskip("torch")
    pattern, lengths = REARRANGED[name]
    x = np.arange(24).reshape(2, 3, 4)
    ours, theirs = lg.func.rearrange(lg.tensor(x), pattern, **lengths), torch.func.rearrange(torch.tensor(x), pattern,
                                                                                              **lengths)
    assert tuple(ours.shape) == tuple(theirs.shape) and ours.tolist() == theirs.tolist()


def test_rearrange_stacks_lists_and_carries_gradients():
    torch = pytest.importorskip("torch")
    images = np.arange(2 * 4 * 6 * 3.0).reshape(2, 4, 6, 3)
    pattern = "b (h h2) (w w2) c -> (b h2 w2) h w c"
    ours = lg.func.rearrange(lg.tensor(images), pattern, h2=2, w2=2)
    assert ours.tolist() == torch.func.rearrange(torch.tensor(images), pattern, h2=2, w2=2).tolist()
    assert lg.func.rearrange([lg.ones(3), lg.zeros(3)], "n c -> c n").tolist() == [[1.0, 0.0]] * 3
    x = lg.tensor(images, requires_grad=True)
    weights = lg.arange(float(images.size)).reshape(ours.shape)
    (lg.func.rearrange(x, pattern, h2=2, w2=2) * weights).sum().backward()
    expected = torch.func.rearrange(torch.arange(float(images.size)).reshape(ours.shape),
                                    "(b h2 w2) h w c -> b (h h2) (w w2) c", b=2, h2=2, w2=2)
    assert x.grad.tolist() == expected.tolist()
    assert lg.func.debug_unwrap(x) is x


@pytest.mark.parametrize("pattern, lengths, error", [
    ("a b c", {}, ValueError), ("a b -> b a", {}, ValueError), ("a b c -> a b c d", {}, ValueError),
    ("a a c -> a c", {}, ValueError), ("a b c -> a b c", {"e": 3}, ValueError),
    ("a b ((c d)) -> a b c d", {"d": 2}, ValueError), ("a b c -> a b c 2", {}, ValueError),
])
def test_rearrange_refuses_patterns_as_torch(pattern, lengths, error):
    torch = pytest.importorskip("torch")
    with pytest.raises(error) as want:
        torch.func.rearrange(torch.ones(2, 3, 4), pattern, **lengths)
    with pytest.raises(error) as got:
        lg.func.rearrange(lg.ones(2, 3, 4), pattern, **lengths)
    assert str(got.value) == str(want.value)


def test_rearrange_sizes_that_do_not_fit():
    from lazygrad.rearrange import DimensionBindError
    for pattern, lengths in (("a b (c d) -> a b c d", {"d": 3}), ("a b (c d) -> a b c d", {}),
                             ("a b c -> c b a", {"a": 5})):
        with pytest.raises(DimensionBindError):
            lg.func.rearrange(lg.ones(2, 3, 4), pattern, **lengths)


def test_jvp_strict_refuses_an_output_independent_of_the_primals():
    torch = pytest.importorskip("torch")

    def program(m):
        x = m.tensor([1.0, 2.0])
        tangent = m.func.jvp(lambda v: v * 3, (x,), (m.ones(2),), strict=True)[1].tolist()
        loose = m.func.jvp(lambda v: m.ones(2), (x,), (m.ones(2),))[1].tolist()
        with pytest.raises(RuntimeError) as refused:
            m.func.jvp(lambda v: m.ones(2), (x,), (m.ones(2),), strict=True)
        return tangent, loose, str(refused.value)
    assert program(lg) == program(torch)
