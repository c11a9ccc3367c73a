"""nn.utils.parametrize and nn.utils.parametrizations against torch: registration, the injected class, state
dicts, assignment through right_inverse, caching, chains, removal, torch's errors; weight_norm, spectral_norm
(both forms), orthogonal with every map; geqrf and linalg.householder_product underneath."""
import copy
import pickle
import warnings

import numpy as np
import pytest

import lazygrad as lg
from oracle import assert_like_torch, same_error, torch_or_skip


def weights(seed: int):
    rng = np.random.default_rng(seed)
    return lambda *shape: rng.standard_normal(shape).astype(np.float32)


def fill(module, t, draw):
    """The module's parameters set from draw (the same values in both libraries)."""
    with t.no_grad():
        for p in module.parameters():
            p.copy_(t.tensor(draw(*p.shape)))
    return module


def both(program, seed: int = 0):
    """program(t, draw) on lazygrad and on torch with the same random stream of values."""
    torch = torch_or_skip()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return program(lg, weights(seed)), program(torch, weights(seed))


def assert_close(ours, theirs, tol=1e-5):
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol)


def symmetric(t):
    class Symmetric(t.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).mT

        def right_inverse(self, A):
            return A.triu()
    return Symmetric()


def test_register_parametrization_injects_a_class_and_moves_the_original():
    def program(t, draw):
        m = fill(t.nn.Linear(3, 3), t, draw)
        t.nn.utils.parametrize.register_parametrization(m, "weight", symmetric(t))
        x = t.tensor(draw(2, 3))
        m(x).sum().backward()
        P = t.nn.utils.parametrize
        facts = (type(m).__name__, P.is_parametrized(m), P.is_parametrized(m, "bias"),
                 P.type_before_parametrizations(m).__name__, sorted(m.state_dict()),
                 repr(m).replace("torch", "lazygrad"))
        return facts, (m.weight, m.parametrizations.weight.original, m.parametrizations.weight.original.grad)

    (ours, our_values), (theirs, their_values) = both(program)
    assert ours == theirs
    assert ours[0] == "ParametrizedLinear" and "ParametrizationList" in ours[-1]
    assert_close(our_values, their_values)
    w = our_values[0].detach().numpy()
    np.testing.assert_array_equal(w, w.T)


def test_assignment_goes_through_right_inverse_and_cached_reuses_the_value():
    m = lg.nn.Linear(3, 3)
    lg.nn.utils.parametrize.register_parametrization(m, "weight", symmetric(lg))
    original = m.parametrizations.weight.original
    m.weight = lg.arange(9.0).reshape(3, 3)
    assert m.parametrizations.weight.original is original  # the same parameter object, set in place
    np.testing.assert_array_equal(original.detach().numpy(), np.triu(np.arange(9.0).reshape(3, 3)))
    np.testing.assert_array_equal(m.weight.detach().numpy(), [[0, 1, 2], [1, 4, 5], [2, 5, 8]])
    assert m.weight is not m.weight
    with lg.nn.utils.parametrize.cached():
        assert m.weight is m.weight


def test_chained_parametrizations_and_removal():
    def program(t, draw):
        P = t.nn.utils.parametrize

        class Double(t.nn.Module):
            def forward(self, X):
                return X * 2

        m = fill(t.nn.Linear(3, 3), t, draw)
        P.register_parametrization(m, "weight", symmetric(t))
        P.register_parametrization(m, "weight", Double())
        chained = m.weight.detach().clone()
        P.remove_parametrizations(m, "weight")
        kept = (type(m).__name__, sorted(m.state_dict()), type(m.weight).__name__)
        n = fill(t.nn.Linear(3, 3), t, draw)
        P.register_parametrization(n, "weight", Double())
        P.remove_parametrizations(n, "weight", leave_parametrized=False)
        return kept, (chained, m.weight, n.weight)

    (ours, our_values), (theirs, their_values) = both(program)
    assert ours == theirs == ("Linear", ["bias", "weight"], "Parameter")
    assert_close(our_values, their_values)


def test_parametrize_errors_match_torch():
    torch = torch_or_skip()

    def bad(t):
        class First(t.nn.Module):
            def forward(self, X):
                return X[0]
        return First()

    def program(t, which):
        P = t.nn.utils.parametrize
        m = t.nn.Linear(3, 3)
        calls = {"shape": lambda: P.register_parametrization(m, "weight", bad(t)),
                 "missing": lambda: P.register_parametrization(t.nn.ReLU(), "weight", symmetric(t)),
                 "not parametrized": lambda: P.remove_parametrizations(t.nn.ReLU(), "weight")}
        return calls[which]

    for which in ("shape", "missing", "not parametrized"):
        same_error(program(lg, which), program(torch, which), ValueError)


def test_parametrized_modules_deepcopy_but_refuse_pickling():
    m = lg.nn.utils.parametrizations.weight_norm(lg.nn.Linear(3, 4))
    clone = copy.deepcopy(m)
    assert type(clone).__name__ == "ParametrizedLinear"
    np.testing.assert_allclose(clone.weight.detach().numpy(), m.weight.detach().numpy())
    with pytest.raises(RuntimeError, match="Serialization of parametrized modules is only supported through "
                                           "state_dict()"):
        pickle.dumps(m)


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_matches_torch(dim):
    def program(t, draw):
        m = fill(t.nn.Conv2d(2, 3, 3), t, draw)
        t.nn.utils.parametrizations.weight_norm(m, dim=dim)
        x = t.tensor(draw(1, 2, 5, 5))
        m(x).square().sum().backward()
        chain = m.parametrizations.weight
        return sorted(m.state_dict()), (m.weight, chain.original0, chain.original0.grad, chain.original1.grad)

    (ours, our_values), (theirs, their_values) = both(program)
    assert ours == theirs
    assert_close(our_values, their_values, 1e-4)


def test_legacy_weight_norm_warns_and_its_checkpoint_loads_into_the_parametrization():
    def program(t, draw):
        m = fill(t.nn.Linear(3, 4), t, draw)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            t.nn.utils.weight_norm(m)
        state = m.state_dict()
        x = t.tensor(draw(2, 3))
        m(x).sum().backward()
        target = t.nn.utils.parametrizations.weight_norm(t.nn.Linear(3, 4))
        target.load_state_dict(state)
        grads = (m.weight_g.grad, m.weight_v.grad)
        t.nn.utils.remove_weight_norm(m)
        facts = (sorted(state), [str(w.message) for w in caught], sorted(m.state_dict()))
        return facts, (target.weight, m.weight) + grads

    (ours, our_values), (theirs, their_values) = both(program)
    assert ours == theirs
    assert "deprecated" in ours[1][0]
    assert_close(our_values, their_values)


def spectral_norm_of(w) -> float:
    return float(np.linalg.norm(w.detach().numpy().reshape(w.shape[0], -1), 2))


@pytest.mark.parametrize("form", ["parametrization", "hook"])
def test_spectral_norm_divides_by_the_largest_singular_value(form):
    """The power iteration starts from a random vector (lazygrad's generator is not torch's), so the
    oracle is numpy's 2-norm after enough training-mode calls; names and layout match torch."""
    torch = torch_or_skip()
    apply = {"parametrization": lambda t: t.nn.utils.parametrizations.spectral_norm,
             "hook": lambda t: t.nn.utils.spectral_norm}[form]
    draw = weights(1)
    module = fill(lg.nn.Linear(4, 6), lg, draw)
    reference = fill(torch.nn.Linear(4, 6), torch, weights(1))
    raw = module.weight.detach().clone()
    apply(lg)(module)
    apply(torch)(reference)
    assert sorted(module.state_dict()) == sorted(reference.state_dict())
    x = lg.tensor(draw(2, 4))
    for _ in range(20):
        module(x)
    np.testing.assert_allclose(spectral_norm_of(module.weight), 1.0, rtol=1e-4)
    np.testing.assert_allclose(module.weight.detach().numpy(), raw.numpy() / spectral_norm_of(raw), rtol=1e-4,
                               atol=1e-6)
    module.eval()
    frozen = module.weight.detach().numpy()
    module(x)
    np.testing.assert_array_equal(module.weight.detach().numpy(), frozen)  # no power iteration in eval


def test_spectral_norm_on_transposed_convolutions_uses_dim_1_and_its_gradient_flows():
    m = lg.nn.utils.parametrizations.spectral_norm(lg.nn.ConvTranspose2d(3, 5, 2))
    assert m.parametrizations.weight[0].dim == 1
    assert tuple(m.parametrizations.weight[0]._u.shape) == (5,)
    m(lg.randn(1, 3, 4, 4)).sum().backward()
    assert m.parametrizations.weight.original.grad.shape == (3, 5, 2, 2)


def test_spectral_norm_errors_match_torch():
    torch = torch_or_skip()
    for kwargs, exc in (({"dim": 3}, IndexError), ({"n_power_iterations": 0}, ValueError)):
        same_error(lambda: lg.nn.utils.parametrizations.spectral_norm(lg.nn.Linear(3, 5), **kwargs),
                   lambda: torch.nn.utils.parametrizations.spectral_norm(torch.nn.Linear(3, 5), **kwargs), exc)


@pytest.mark.parametrize("orthogonal_map", ["matrix_exp", "cayley", "householder"])
@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5)])
def test_orthogonal_without_trivialization_matches_torch(orthogonal_map, shape):
    def program(t, draw):
        m = fill(t.nn.Linear(shape[1], shape[0]), t, draw)
        t.nn.utils.parametrizations.orthogonal(m, orthogonal_map=orthogonal_map, use_trivialization=False)
        x = t.tensor(draw(2, shape[1]))
        (m(x) * t.tensor(draw(2, shape[0]))).sum().backward()
        return m.weight, m.parametrizations.weight.original.grad

    ours, theirs = both(program)
    assert_close(ours, theirs, 1e-4)
    w = ours[0].detach().numpy()
    gram = w.T @ w if shape[0] >= shape[1] else w @ w.T
    np.testing.assert_allclose(gram, np.eye(min(shape)), atol=1e-5)


@pytest.mark.parametrize("shape", [(4, 4), (5, 3)])
def test_orthogonal_with_trivialization_keeps_an_orthogonal_weight(shape):
    torch = torch_or_skip()

    def program(t, draw):
        m = fill(t.nn.Linear(shape[1], shape[0]), t, draw)
        q = t.linalg.qr(t.tensor(draw(*shape))).Q
        with t.no_grad():
            m.weight.copy_(q)
        t.nn.utils.parametrizations.orthogonal(m)
        return sorted(m.state_dict()), m.weight, q

    (our_keys, our_w, our_q), (their_keys, their_w, _) = program(lg, weights(2)), program(torch, weights(2))
    assert our_keys == their_keys
    # an orthogonal weight maps to itself (a tall one gets random extra columns in its base: compare the weight)
    np.testing.assert_allclose(our_w.detach().numpy(), our_q.numpy(), atol=1e-5)
    np.testing.assert_allclose(our_w.detach().numpy(), their_w.detach().numpy(), atol=1e-5)


@pytest.mark.parametrize("shape", [(5, 3), (4, 4), (2, 6, 4)])
def test_geqrf_and_householder_product_match_torch(shape):
    torch = torch_or_skip()
    a = np.random.default_rng(3).standard_normal(shape)
    ours, theirs = lg.geqrf(lg.tensor(a)), torch.geqrf(torch.tensor(a))
    assert type(ours).__name__ == "geqrf" and ours._fields == ("a", "tau")
    for o, t in zip(ours, theirs):
        assert_like_torch(o, t)
    assert_like_torch(lg.linalg.householder_product(*ours), torch.linalg.householder_product(*theirs))
    assert_like_torch(ours.a.orgqr(ours.tau[..., :1]), theirs.a.orgqr(theirs.tau[..., :1]))
    # Q R = A
    q = lg.linalg.householder_product(*ours).numpy()
    k = min(shape[-2:])
    np.testing.assert_allclose(q[..., :, :k] @ np.triu(ours.a.numpy()[..., :k, :]), a, atol=1e-10)


def test_householder_product_gradients_match_torch_and_finite_differences():
    torch = torch_or_skip()
    rng = np.random.default_rng(4)
    a, tau, g = rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 2)), rng.standard_normal((2, 5, 3))
    grads = []
    for t in (lg, torch):
        x, s = t.tensor(a, requires_grad=True), t.tensor(tau, requires_grad=True)
        (t.linalg.householder_product(x, s) * t.tensor(g)).sum().backward()
        grads.append((x.grad, s.grad))
    assert_like_torch(grads[0][0], grads[1][0])
    assert_like_torch(grads[0][1], grads[1][1])
    x, s = lg.tensor(a[0], requires_grad=True), lg.tensor(tau[0], requires_grad=True)
    assert lg.autograd.gradcheck(lg.linalg.householder_product, (x, s))


def test_householder_product_and_geqrf_errors_match_torch():
    torch = torch_or_skip()
    for a, tau in (((3,), (1,)), ((2, 3), (1,)), ((3, 2), (3,)), ((3, 2), (2, 2)), ((2, 3, 2), (3, 2))):
        same_error(lambda: lg.linalg.householder_product(lg.ones(*a), lg.ones(*tau)),
                   lambda: torch.linalg.householder_product(torch.ones(*a), torch.ones(*tau)), RuntimeError)
    same_error(lambda: lg.geqrf(lg.ones(3)), lambda: torch.geqrf(torch.ones(3)), RuntimeError)
    same_error(lambda: lg.geqrf(lg.ones(3, 2, requires_grad=True)).a.sum().backward(),
               lambda: torch.geqrf(torch.ones(3, 2, requires_grad=True)).a.sum().backward(), NotImplementedError)


def test_norm_except_dim_and_weight_norm_match_torch():
    torch = torch_or_skip()
    v = np.random.default_rng(5).standard_normal((3, 4, 5))
    for dim in (-1, 0, 1, 2):
        expected_norm = torch.norm_except_dim(torch.tensor(v), 2, dim)
        assert_like_torch(lg.norm_except_dim(lg.tensor(v), 2, dim), expected_norm)
        assert_like_torch(lg._weight_norm(lg.tensor(v), lg.norm_except_dim(lg.tensor(v), 2, dim) * 2, dim),
                          torch._weight_norm(torch.tensor(v), expected_norm * 2, dim))


def test_training_a_weight_normalized_orthogonal_model_matches_torch():
    """Optimizer steps update the originals in place; the parametrized weights follow at the next forward."""
    def program(t, draw):
        model = t.nn.Sequential(fill(t.nn.Linear(4, 4), t, draw), t.nn.Tanh(), fill(t.nn.Linear(4, 2), t, draw))
        t.nn.utils.parametrizations.orthogonal(model[0], orthogonal_map="cayley", use_trivialization=False)
        t.nn.utils.parametrizations.weight_norm(model[2])
        opt = t.optim.Adam(model.parameters(), lr=0.05)
        x, y = t.tensor(draw(8, 4)), t.tensor(draw(8, 2))
        losses = []
        for _ in range(5):
            opt.zero_grad()
            loss = t.nn.functional.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            losses.append(loss.detach())
        return losses + [model[0].weight, model[2].weight]

    ours, theirs = both(program)
    assert_close(ours, theirs, 1e-4)
    assert float(ours[4]) < float(ours[0])
