"""Autograd against torch (gradients, grad_fn names) and closed forms (higher derivatives)."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import lazygrad as lg

RNG = np.random.default_rng(7)
A = RNG.uniform(0.2, 1.5, (3, 4))
B = RNG.uniform(0.2, 1.5, (3, 4))
V = RNG.uniform(0.2, 1.5, (4,))
M = RNG.uniform(-1, 1, (4, 5))

# name -> f(module, a, b, v, m): each op used the way a PyTorch user writes it
OPS = {
    "add_mul_div": lambda t, a, b, v, m: (a + b * 2 - a / b).sum(),
    "broadcast": lambda t, a, b, v, m: (a * v + v).sum(),
    "pow": lambda t, a, b, v, m: (a ** 3 + a ** b + 2 ** a).sum(),
    "unary": lambda t, a, b, v, m: (a.exp() + a.log() + a.sqrt() + a.sin() + a.cos() + a.tanh() + a.sigmoid()
                                    + a.abs() + a.log1p() + a.expm1() + a.atan() + a.rsqrt()).sum(),
    "trig2": lambda t, a, b, v, m: (t.asin(a * 0.5) + t.acos(a * 0.5) + a.tan() + a.sinh() + a.cosh()
                                    + t.erf(a) + t.atan2(a, b)).sum(),
    "relu_clamp": lambda t, a, b, v, m: ((a - 0.8).relu() + a.clamp(0.5, 1.0) + t.maximum(a, b)
                                         + t.minimum(a, b)).sum(),
    "where": lambda t, a, b, v, m: t.where(a > b, a * a, b * 3).sum(),
    "reductions": lambda t, a, b, v, m: a.mean() + a.sum(1).prod() + a.amax(0).sum() + a.max() + a.min(),
    "var_std_norm": lambda t, a, b, v, m: a.var() + a.std(1).sum() + a.norm() + a.norm(p=1) + t.logsumexp(a, 1).sum(),
    "max_dim": lambda t, a, b, v, m: a.max(1).values.sum() + a.min(0)[0].sum(),
    "cumsum": lambda t, a, b, v, m: (a.cumsum(1) * b).sum() + a.cumprod(0).sum(),
    "matmul": lambda t, a, b, v, m: (a @ m).sum() + t.mv(a, v).sum() + t.dot(v, v) + (a @ v).sum()
                                    + t.mm(a, m).sum() + t.outer(v, v).sum(),
    "bmm": lambda t, a, b, v, m: t.bmm(a.reshape(1, 3, 4), m.reshape(1, 4, 5)).sum(),
    "views": lambda t, a, b, v, m: (a.t().reshape(-1)[::3] * 2).sum() + a.permute(1, 0)[1:3].sum()
                                   + (a.unsqueeze(0).expand(2, 3, 4) * b).sum() + a.flip(1)[0].sum(),
    "indexing": lambda t, a, b, v, m: (a[1] * 3).sum() + a[:, 2].sum() + a[None, ..., 1:].sum()
                                      + a[[0, 2, 2]].sum() + a[a > 1].sum(),
    "cat_stack_split": lambda t, a, b, v, m: (t.cat([a, b], 1) ** 2).sum() + t.stack([a, b]).sum()
                                             + sum(p.sum() * i for i, p in enumerate(a.split(2, 1))),
    "repeat_gather": lambda t, a, b, v, m: a.repeat(2, 1).sum() + a.gather(1, t.tensor([[0, 3], [1, 1], [2, 0]])).sum(),
    "narrow_select": lambda t, a, b, v, m: a.narrow(1, 1, 2).sum() * 2 + a.select(0, 1).sum(),
    "var_std_keepdim": lambda t, a, b, v, m: (a.var(1, keepdim=True) * b).sum() + a.std(0).sum() + a.var(False)
                                             + a.std(correction=0),
    "diagonal": lambda t, a, b, v, m: (a.diagonal() ** 2).sum() + a.diagonal(1).sum() * 3 + m.diagonal(-2).sum(),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_gradients_match_torch(name):
    torch = pytest.importorskip("torch")
    f = OPS[name]
    ours = [lg.tensor(x, dtype=lg.float64, requires_grad=True) for x in (A, B, V, M)]
    theirs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in (A, B, V, M)]
    f(lg, *ours).backward()
    f(torch, *theirs).backward()
    for o, t in zip(ours, theirs):
        if t.grad is None:
            assert o.grad is None
        else:
            np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(OPS))
def test_gradients_match_finite_differences(name):
    """The same functions, checked without torch: central differences in float64."""
    f = OPS[name]
    ins = [lg.tensor(x, dtype=lg.float64, requires_grad=True) for x in (A, B, V, M)]
    f(lg, *ins).backward()
    eps = 1e-6
    for k, base in enumerate((A, B, V, M)):
        if ins[k].grad is None:
            continue
        flat = base.reshape(-1)
        for j in RNG.choice(flat.size, size=min(4, flat.size), replace=False):
            plus, minus = flat.copy(), flat.copy()
            plus[j] += eps
            minus[j] -= eps
            args = [lg.tensor(x, dtype=lg.float64) for x in (A, B, V, M)]
            args[k] = lg.tensor(plus.reshape(base.shape), dtype=lg.float64)
            hi = f(lg, *args).item()
            args[k] = lg.tensor(minus.reshape(base.shape), dtype=lg.float64)
            lo = f(lg, *args).item()
            numeric = (hi - lo) / (2 * eps)
            assert ins[k].grad.numpy().reshape(-1)[j] == pytest.approx(numeric, rel=1e-5, abs=1e-6)


def test_grad_fn_names_and_next_functions_match_torch():
    torch = pytest.importorskip("torch")
    for m in (lg, torch):
        x = m.ones(2, 3, requires_grad=True)
    cases = {
        "add": lambda m, x: x + 2, "mul": lambda m, x: x * x, "sum": lambda m, x: x.sum(),
        "sum_dim": lambda m, x: x.sum(0), "mean": lambda m, x: x.mean(), "pow": lambda m, x: x ** 2,
        "div": lambda m, x: x / 2, "exp": lambda m, x: x.exp(), "view": lambda m, x: x.view(6),
        "t": lambda m, x: x.t(), "permute": lambda m, x: x.permute(1, 0), "dot": lambda m, x: m.dot(x[0], x[0]),
        "mm": lambda m, x: x @ x.t(), "expand": lambda m, x: x[:1].expand(4, 3), "neg": lambda m, x: -x,
        "select": lambda m, x: x[0], "slice": lambda m, x: x[:, 1:], "cat": lambda m, x: m.cat([x, x]),
        "max": lambda m, x: x.max(), "tanh": lambda m, x: x.tanh(), "sigmoid": lambda m, x: x.sigmoid(),
        "var": lambda m, x: x.var(), "std": lambda m, x: x.std(1), "diagonal": lambda m, x: x.diagonal(),
    }
    for name, f in cases.items():
        ours = f(lg, lg.ones(2, 3, requires_grad=True))
        theirs = f(torch, torch.ones(2, 3, requires_grad=True))
        assert type(ours.grad_fn).__name__ == type(theirs.grad_fn).__name__, name
    x = lg.ones(2, requires_grad=True)
    y = x * 2 + x
    names = [type(n).__name__ if n else None for n, _ in y.grad_fn.next_functions]
    assert names == ["MulBackward0", "AccumulateGrad"]


def test_third_derivatives_match_closed_forms():
    x0 = 0.7
    for f, d3 in [(lambda x: x ** 4, lambda x: 24 * x), (lambda x: x.exp(), math.exp),
                  (lambda x: x.sin(), lambda x: -math.cos(x)),
                  (lambda x: x.tanh(), lambda x: -2 * (1 - math.tanh(x) ** 2) * (1 - 3 * math.tanh(x) ** 2))]:
        x = lg.tensor(x0, dtype=lg.float64, requires_grad=True)
        (g1,) = lg.autograd.grad(f(x), x, create_graph=True)
        (g2,) = lg.autograd.grad(g1, x, create_graph=True)
        (g3,) = lg.autograd.grad(g2, x)
        assert g3.item() == pytest.approx(d3(x0), rel=1e-9)


def test_grad_of_grad_tutorial_example():
    x = lg.tensor(5.0, requires_grad=True)
    (g,) = lg.autograd.grad(x ** 2, x, create_graph=True)
    assert g.item() == 10.0 and type(g.grad_fn).__name__ == "MulBackward0"
    (gg,) = lg.autograd.grad(g, x)
    assert gg.item() == 2.0


def test_gradients_accumulate_and_reset():
    x = lg.ones(3, requires_grad=True)
    (x * 2).sum().backward()
    grad = x.grad
    (x * 3).sum().backward()
    assert x.grad is grad and x.grad.tolist() == [5.0, 5.0, 5.0]
    x.grad.zero_()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    x.grad = None
    x.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]


def test_errors_are_torchs():
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (lg.ones(3, requires_grad=True) * 2).backward()
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad and does not have a grad_fn"):
        lg.ones(3).sum().backward()
    x = lg.ones(3, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [6.0, 6.0, 6.0]
    a = lg.ones(3, requires_grad=True) * 1
    b = a * a
    a.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        b.sum().backward()
    with pytest.raises(RuntimeError, match="The differentiated Tensor at index 1 appears to not have been used"):
        lg.autograd.grad((x * 2).sum(), [x, lg.ones(1, requires_grad=True)])


def test_grad_to_an_intermediate_runs_and_frees_only_the_graph_above_it():
    """As in torch: autograd.grad(z, y) never walks y's own grad_fn, so y.backward still works after it."""
    x = lg.ones((3, 3), requires_grad=True)
    w = lg.tensor([[0.5, 1.0, 2.0]] * 3, requires_grad=True)
    y = w * x
    z = y.sum()
    z.backward(retain_graph=True)
    (gy,) = lg.autograd.grad(z, y)
    assert gy.tolist() == [[1.0] * 3] * 3
    y.backward(lg.ones(y.shape))
    assert x.grad.tolist() == [[1.0, 2.0, 4.0]] * 3 and w.grad.tolist() == [[2.0] * 3] * 3
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        z.backward()
    a = lg.ones(2, requires_grad=True)
    b = a * 3
    c = (b * b).sum()
    lg.autograd.grad(c, [b, a])  # b's node also leads to a: it runs, and is freed
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        b.sum().backward()


def test_grad_warns_that_only_inputs_is_ignored():
    x = lg.ones(2, requires_grad=True)
    with pytest.warns(FutureWarning, match=r"^only_inputs argument is deprecated and is ignored now"):
        (got,) = lg.autograd.grad((x * 2).sum(), x, only_inputs=False)
    assert got.tolist() == [2.0, 2.0]


def test_reading_grad_of_a_non_leaf_warns_as_torch_does():
    import warnings
    x = lg.ones(3, requires_grad=True)
    y = x * 2
    with pytest.warns(UserWarning, match="The .grad attribute of a Tensor that is not a leaf Tensor is being accessed"):
        assert y.grad is None
    y.retain_grad()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y.sum().backward()
        assert y.grad.tolist() == [1.0] * 3 and x.grad.tolist() == [2.0] * 3
        assert lg.ones(2).grad is None  # a tensor that needs no grad is a leaf


@pytest.mark.parametrize("make, error", [
    (lambda lib: lib.ones(2), RuntimeError),
    (lambda lib: lib.ones(1, 3), RuntimeError),
    (lambda lib: lib.ones(3, dtype=lib.float64), RuntimeError),
    (lambda lib: lib.ones(3, dtype=lib.int64), RuntimeError),
    (lambda lib: 5, TypeError),
])
def test_assigned_grad_is_checked_as_torch_checks_it(make, error):
    x = lg.ones(3, requires_grad=True)
    with pytest.raises(error) as ours:
        x.grad = make(lg)
    assert x.grad is None
    with pytest.raises(RuntimeError, match="can't assign Variable as its own grad"):
        x.grad = x
    x.grad = lg.full((3,), 2.0)
    assert x.grad.tolist() == [2.0] * 3
    torch = pytest.importorskip("torch")
    t = torch.ones(3, requires_grad=True)
    with pytest.raises(error) as theirs:
        t.grad = make(torch)
    assert str(theirs.value).startswith(str(ours.value).split(" (defaults")[0])


def test_grad_modes():
    x = lg.ones(2, requires_grad=True)
    with lg.no_grad():
        assert not (x * 2).requires_grad
        with lg.enable_grad():
            assert (x * 2).requires_grad
    assert lg.is_grad_enabled()

    @lg.no_grad()
    def f(t):
        return t * 2
    assert not f(x).requires_grad
    with lg.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    with lg.inference_mode():
        assert not (x + 1).requires_grad
    assert (x * 2).requires_grad


def test_detach_hooks_retain_grad():
    x = lg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    assert not y.retains_grad
    y.retain_grad()
    y.retain_grad()  # a second call keeps one hook: the gradient is not counted twice
    assert y.retains_grad and not x.retains_grad
    seen = []
    y.register_hook(lambda g: seen.append(g.tolist()))
    x.register_hook(lambda g: g * 10)
    (y * y.detach()).sum().backward()
    assert seen == [[3.0, 6.0]]
    assert y.grad.tolist() == [3.0, 6.0]
    assert x.grad.tolist() == [90.0, 180.0]
    assert not y.detach().requires_grad and y.detach().data_ptr() == y.data_ptr()


def _chain_and_grad():
    x = lg.rand(1000).realize().requires_grad_()
    y = ((x * 1.5 + 2).exp().tanh() * x - 0.5).abs().sqrt()
    s = y.sum()
    (g,) = lg.autograd.grad(s, x)
    return x, s, g


def test_forward_and_backward_of_a_chain_fuse_into_two_kernels():
    """The gradient is stored from inside the loop of the forward sum: one kernel, shared subexpressions."""
    _, s, g = _chain_and_grad()
    assert len(lg.schedule(s, g)) <= 2


def test_second_derivative_takes_no_more_kernels_than_the_first():
    x = lg.rand(100).realize().requires_grad_()
    f = (x ** 3).sum()
    (g1,) = lg.autograd.grad(f, x, create_graph=True)
    (g2,) = lg.autograd.grad(g1.sum(), x)
    assert len(lg.schedule(g2)) <= len(lg.schedule(g1))
    np.testing.assert_allclose(g2.numpy(), 6 * x.detach().numpy(), rtol=1e-6)


def test_backward_is_lazy_and_correct():
    """Nothing runs until a gradient is read."""
    lg.reset_stats()
    x, s, g = _chain_and_grad()
    assert lg.stats().kernels_run == 1  # only the realize of x itself
    xn = x.detach().numpy().astype(np.float64)
    inner = np.tanh(np.exp(xn * 1.5 + 2)) * xn - 0.5
    t = np.tanh(np.exp(xn * 1.5 + 2))
    d_inner = t + xn * (1 - t * t) * np.exp(xn * 1.5 + 2) * 1.5
    ref = np.sign(inner) * d_inner / (2 * np.sqrt(np.abs(inner)))
    np.testing.assert_allclose(g.numpy(), ref, rtol=1e-4)


class Sigmoid(lg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        out = 1 / (1 + (-x).exp())
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)


class WrongSquare(lg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x  # should be 2x


class MultiplyAdd(lg.autograd.Function):
    @staticmethod
    def forward(ctx, w, x, b):
        ctx.save_for_backward(w, x)
        return w * x + b

    @staticmethod
    def backward(ctx, grad):
        w, x = ctx.saved_tensors
        return grad * x, grad * w, grad


def test_custom_function_passes_gradcheck_and_a_wrong_one_fails():
    x = lg.randn(5, dtype=lg.float64, requires_grad=True)
    y = Sigmoid.apply(x)
    assert type(y.grad_fn).__name__ == "SigmoidBackward"
    assert lg.autograd.gradcheck(Sigmoid.apply, (x,))
    assert not lg.autograd.gradcheck(WrongSquare.apply, (x,), raise_exception=False)
    with pytest.raises(lg.autograd.GradcheckError):
        lg.autograd.gradcheck(WrongSquare.apply, (x,))


def test_gradcheck_mismatch_prints_the_jacobians_as_tensors():
    torch = pytest.importorskip("torch")
    messages = []
    for m in (lg, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        with warnings.catch_warnings(), pytest.raises(RuntimeError) as error:
            warnings.simplefilter("ignore")
            m.autograd.gradcheck(lambda a: a.sin(), x)
        messages.append(str(error.value))
    assert messages[0] == messages[1]


RETURNED = {  # what a custom Function's backward returns, and the arguments forward took besides its tensor
    "trailing None dropped": (lambda m, g: (g, None, None), ()),
    "one too many": (lambda m, g: (g, g), ()),
    "one too few": (lambda m, g: g, (3.0,)),
    "None for the number": (lambda m, g: (g, None), (3.0,)),
    "gradient for the number": (lambda m, g: (g, g), (3.0,)),
    "summed down": (lambda m, g: g.reshape(1, 2).expand(3, 2), ()),
    "scalar": (lambda m, g: g.sum(), ()),
    "transposed": (lambda m, g: g.reshape(2, 1), ()),
    "too short": (lambda m, g: g[:1], ()),
    "not a tensor": (lambda m, g: 3, ()),
    "a list": (lambda m, g: [g], ()),
    "complex for a real input": (lambda m, g: g.to(m.complex64), ()),
    "int cast back": (lambda m, g: g.int(), ()),
}


@pytest.mark.parametrize("name", RETURNED)
def test_custom_function_gradients_are_checked_as_torch_checks_them(name):
    torch = pytest.importorskip("torch")
    returned, extra = RETURNED[name]
    results = []
    for m in (lg, torch):
        class Doubled(m.autograd.Function):
            @staticmethod
            def forward(ctx, a, *rest):
                return a * 2

            @staticmethod
            def backward(ctx, g):
                return returned(m, g)

        x = m.tensor([1.0, 3.0], requires_grad=True)
        try:
            Doubled.apply(x, *extra).sum().backward()
            results.append((x.grad.tolist(), str(x.grad.dtype).split(".")[1]))
        except RuntimeError as error:
            results.append(str(error))
    assert results[0] == results[1]


def test_instantiating_a_function_warns_and_calling_it_is_refused():
    with pytest.warns(DeprecationWarning, match="should not be instantiated"):
        f = Sigmoid()
    with pytest.raises(RuntimeError, match="Legacy autograd function with non-static forward method"):
        f(lg.ones(1))


def test_gradcheck_checks_its_inputs_as_torch_does():
    """float32 inputs warn (the tutorial's eps=1e-3 check still passes); no input requiring grad is an error."""
    x = lg.tensor([[0.3, -1.2, 0.8], [2.0, -0.1, 0.5]], requires_grad=True)
    with pytest.warns(UserWarning, match="Input #0 requires gradient and is not a double precision floating point"):
        assert lg.autograd.gradcheck(Sigmoid.apply, x, eps=1e-3)
    with pytest.raises(ValueError, match="gradcheck expects at least one input tensor to require gradient"):
        lg.autograd.gradcheck(lg.sin, lg.ones(2, dtype=lg.float64))
    with pytest.raises(ValueError, match="gradcheck expects at least one input tensor to require gradient"):
        lg.autograd.gradgradcheck(lg.sin, lg.ones(2, dtype=lg.float64))


def test_custom_function_grad_fn_apply_returns_input_gradients():
    w, x, b = (lg.tensor(v, requires_grad=True) for v in (1.0, 2.0, 3.0))
    z = MultiplyAdd.apply(w, x, b)
    assert z.item() == 5.0 and type(z.grad_fn).__name__ == "MultiplyAddBackward"
    gw, gx, gb = z.grad_fn.apply(lg.tensor(1.0))
    assert (gw.item(), gx.item(), gb.item()) == (2.0, 1.0, 1.0)
    z.backward()
    assert (w.grad.item(), x.grad.item(), b.grad.item()) == (2.0, 1.0, 1.0)


@pytest.mark.parametrize("name", ["tanh_x", "exp_sin", "pow_log", "matmul"])
def test_gradgradcheck(name):
    lg.manual_seed(3)
    fns = {
        "tanh_x": lambda x: (x.tanh() * x).sum(),
        "exp_sin": lambda x: x.exp() * x.sin(),
        "pow_log": lambda x: (x.abs() + 1).log() * x ** 3,
        "matmul": lambda x: (x.reshape(2, 2) @ x.reshape(2, 2)).sum(1),
    }
    assert lg.autograd.gradgradcheck(fns[name], (lg.randn(4, dtype=lg.float64, requires_grad=True),))


def test_functional_against_torch():
    torch = pytest.importorskip("torch")
    F, TF = lg.autograd.functional, torch.autograd.functional
    a = np.array([0.3, -1.2, 2.0])
    v = np.array([1.0, 0.5, -2.0])

    def f(m):
        return lambda x: (x.tanh() ** 2 * x).sum()

    def g(m):
        return lambda x: x.exp() * x[0]
    L = lambda arr: lg.tensor(arr, dtype=lg.float64)  # noqa: E731
    T = lambda arr: torch.tensor(arr, dtype=torch.float64)  # noqa: E731
    pairs = [
        (F.jacobian(g(lg), L(a)), TF.jacobian(g(torch), T(a))),
        (F.hessian(f(lg), L(a)), TF.hessian(f(torch), T(a))),
        (F.vjp(g(lg), L(a), L(v))[1], TF.vjp(g(torch), T(a), T(v))[1]),
        (F.jvp(g(lg), L(a), L(v))[1], TF.jvp(g(torch), T(a), T(v))[1]),
        (F.hvp(f(lg), L(a), L(v))[1], TF.hvp(f(torch), T(a), T(v))[1]),
        (F.vhp(f(lg), L(a), L(v))[1], TF.vhp(f(torch), T(a), T(v))[1]),
    ]
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)


_FUNCTIONAL_CASES = {  # name: the function of (x, y) in either library's terms
    "cubic": lambda m: lambda x, y: (x ** 3 * y).sum(),
    "vector": lambda m: lambda x, y: x * y,
    "one_input": lambda m: lambda x, y: (x ** 2).sum(),  # (independent of y: refused in strict mode)
    "linear": lambda m: lambda x, y: (x * 2 + y.sum(0)).sum(),  # (a constant Hessian)
    "constant": lambda m: lambda x, y: m.ones(()),
    "detached": lambda m: lambda x, y: (x * y).sum().detach(),
    "pair": lambda m: lambda x, y: (x.sum(), y.sum()),
    "number": lambda m: lambda x, y: 3.0,
    "list": lambda m: lambda x, y: [x.sum()],
}
_V_KINDS = ("none", "ones", "short", "bad_shape", "list")


def _functional_call(m, api: str, name: str, options: dict, v_kind: str, inputs_as: str):
    """The api's results (flattened, detached) and whether each requires grad, or its error."""
    fn = _FUNCTIONAL_CASES[name](m)
    x = m.tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)
    y = m.tensor(np.array([[0.5, 1.5, -0.7], [1.1, -0.4, 0.9]]))
    inputs = (x, y) if inputs_as == "tuple" else [x, y]
    F = getattr(m.autograd.functional, api)
    if api in ("jacobian", "hessian"):
        result = F(fn, inputs, **options)
    else:
        out = fn(x, y)
        v = {"none": None, "short": (m.ones_like(x),), "list": [m.ones_like(x), m.ones_like(y)],
             "bad_shape": m.ones(5) if api == "vjp" else (m.ones(4), m.ones_like(y)),
             "ones": ((tuple(m.ones_like(o) for o in out) if isinstance(out, tuple) else m.ones_like(out)
                       if isinstance(out, m.Tensor) else m.ones(())) if api == "vjp"
                      else (m.ones_like(x), m.ones_like(y)))
             }[v_kind]
        result = F(fn, inputs, v, **options)

    def flat(r):
        return [t for item in r for t in flat(item)] if isinstance(r, (tuple, list)) else [r]
    return flat(result)


@pytest.mark.parametrize("api", ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"])
def test_functional_values_checks_and_strict_mode_like_torch(api):
    """Every function against each option, v and input form: the same values, the same results requiring grad
    (create_graph), and torch's errors for what the function is given or returns, for v, and in strict mode."""
    torch = pytest.importorskip("torch")
    options = [{}, dict(strict=True), dict(create_graph=True), dict(strict=True, create_graph=True)]
    if api == "jacobian":
        options += [dict(vectorize=True), dict(vectorize=True, strict=True), dict(strategy="forward-mode"),
                    dict(strategy="forward-mode", vectorize=True), dict(strategy="forward-mode", create_graph=True)]
    if api == "hessian":
        options += [dict(outer_jacobian_strategy="forward-mode", vectorize=True)]
    for name in _FUNCTIONAL_CASES:
        for opts in options:
            for v_kind in _V_KINDS if api in ("vjp", "jvp", "vhp", "hvp") else ("-",):
                for inputs_as in ("tuple", "list"):
                    case = (api, name, opts, v_kind, inputs_as)
                    try:
                        want = _functional_call(torch, *case)
                    except Exception as e:  # noqa: BLE001  (torch's error is the expectation)
                        with pytest.raises(type(e)) as got:
                            _functional_call(lg, *case)
                        assert str(got.value) == str(e).replace("torch.", "lazygrad."), case
                        continue
                    got = _functional_call(lg, *case)
                    assert len(got) == len(want), case
                    for a, b in zip(got, want):
                        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12,
                                                   err_msg=str(case))
                        assert a.dtype.name == str(b.dtype).removeprefix("torch."), case
                        if "strategy" not in opts:  # (torch's forward mode runs under vmap: its flags are vmap's)
                            assert a.requires_grad == b.requires_grad, case


def test_gradient_read_between_backward_passes_accumulates(backend):
    """A constant gradient realized into .grad's buffer, then added to in place by the next pass: the
    kernel reads the constant's memoized buffer before it overwrites it."""
    x = lg.ones(2, requires_grad=True)
    for expected in (3.0, 6.0, 9.0):
        (x * 3).sum().backward()
        assert x.grad.tolist() == [expected, expected]


def test_post_accumulate_grad_hooks_like_torch():
    x = lg.ones(2, requires_grad=True)
    seen = []
    handle = x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
    (x * 3).sum().backward()
    (x * 2).sum().backward()
    handle.remove()
    (x * 2).sum().backward()
    assert seen == [[3.0, 3.0], [5.0, 5.0]]
    with pytest.raises(RuntimeError, match="cannot be registered on non-leaf tensors"):
        (x * 2).register_post_accumulate_grad_hook(print)
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        lg.ones(2).register_post_accumulate_grad_hook(print)


def test_detect_anomaly_names_the_node_that_made_nan_like_torch():
    torch = pytest.importorskip("torch")
    import warnings
    messages = {}
    for m in (torch, lg):
        x = m.tensor([0.0, 1.0], requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(RuntimeError) as err:
                with m.autograd.detect_anomaly():
                    (x.sqrt() * 0).sum().backward()
        messages[m] = (str(err.value), [str(w.message).split("\n")[0] for w in caught])
        assert not m.is_anomaly_enabled()
    assert messages[lg] == messages[torch]
    x = lg.tensor([4.0], requires_grad=True)
    with lg.autograd.set_detect_anomaly(True):  # no NaN: the usual gradient
        assert lg.is_anomaly_enabled()
        x.sqrt().sum().backward()
    assert x.grad.tolist() == [0.25] and not lg.is_anomaly_enabled()


def test_variable_is_a_leaf_sharing_memory_like_torch():
    torch = pytest.importorskip("torch")
    for m in (torch, lg):
        x = m.ones(2)
        v = m.autograd.Variable(x, requires_grad=True)
        assert v is not x and v.requires_grad and v.is_leaf and not x.requires_grad
        assert isinstance(x, m.autograd.Variable)
        with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
            m.autograd.Variable([1, 2])
    x = lg.ones(2)
    lg.autograd.Variable(x).add_(1)
    assert x.tolist() == [2.0, 2.0]


# views of views that read a storage element more than once: each read is a separate element of the inner view
OVERLAPPING_VIEWS = {
    "unfold_unfold": lambda x: x.unfold(0, 2, 1).unfold(1, 2, 1),
    "unfold_unfold_last": lambda x: x.unfold(1, 3, 1).unfold(2, 2, 1),
    "transpose_unfold_unfold": lambda x: x.t().unfold(1, 2, 1).unfold(0, 3, 1),
    "unfold_permute_unfold": lambda x: x.unfold(1, 3, 1).permute(2, 0, 1).unfold(2, 2, 1),
    "expand_unfold": lambda x: x[0].expand(3, 5).unfold(0, 2, 1),
    "step_over_size": lambda x: x.unfold(1, 1, 3).unfold(0, 3, 2),
    "unfold_diagonal": lambda x: x.unfold(1, 3, 1).diagonal(0, 0, 2),
    "as_strided_of_unfold": lambda x: x.unfold(1, 3, 1).as_strided((3, 3), (1, 1), 1),
    "as_strided_of_expand": lambda x: x[0].expand(3, 5).as_strided((2, 2), (1, 1), 0),
}


@pytest.mark.parametrize("name", list(OVERLAPPING_VIEWS))
def test_gradient_through_overlapping_views_like_torch(name):
    """First and second derivatives of a view of an overlapping view agree with torch's."""
    torch = pytest.importorskip("torch")
    view = OVERLAPPING_VIEWS[name]
    rng = np.random.default_rng(3)
    a = rng.standard_normal((4, 5))
    up = rng.standard_normal(tuple(view(torch.tensor(a)).shape))
    w = rng.standard_normal(a.shape)
    grads = {}
    for m in (torch, lg):
        x = m.tensor(a, requires_grad=True)
        (g,) = m.autograd.grad((view(x) * m.tensor(up)).pow(2).sum(), x, create_graph=True)
        (gg,) = m.autograd.grad((g * m.tensor(w)).sum(), x)
        grads[m] = (g.detach().numpy(), gg.numpy())
    np.testing.assert_allclose(grads[lg][0], grads[torch][0], atol=1e-12)
    np.testing.assert_allclose(grads[lg][1], grads[torch][1], atol=1e-12)


def test_dot_product_of_vectors_through_matmul():
    """x @ y of two vectors is a dot product: its gradients are g y and g x (g 0-d)."""
    x, y = lg.tensor([1.0, 2.0], requires_grad=True), lg.tensor([3.0, -1.0], requires_grad=True)
    (x @ y).backward()
    assert x.grad.tolist() == [3.0, -1.0] and y.grad.tolist() == [1.0, 2.0]
    (gx,) = lg.autograd.grad(x @ x, x, create_graph=True)
    (hx,) = lg.autograd.grad(gx.sum(), x)
    assert gx.tolist() == [2.0, 4.0] and hx.tolist() == [2.0, 2.0]


# ---- torch's words around the engine: warnings, the .grad of create_graph, the grad-mode objects ---------

def test_backward_with_create_graph_keeps_a_recorded_copy_in_grad():
    """torch copies the first gradient into .grad through a recorded copy (CopyBackwards), so .grad can be
    differentiated again; it warns once a process of the reference cycle that makes."""
    torch = pytest.importorskip("torch")
    import lazygrad.autograd as lazy_autograd
    lazy_autograd._WARNED.discard("create_graph")
    grads = []
    for m in (lg, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            (x * x * x).sum().backward(create_graph=True)
        assert m is torch or any("create a reference cycle" in str(w.message) for w in caught)
        assert type(x.grad.grad_fn).__name__ == "CopyBackwards"
        assert x.grad.grad_fn.name() == "torch::autograd::CopyBackwards"
        (second,) = m.autograd.grad(x.grad.sum(), x)
        grads.append((x.grad.detach().numpy().tolist(), second.numpy().tolist()))
    assert grads[0] == grads[1] == ([3.0, 12.0], [6.0, 12.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (once a process)
        y = lg.ones(2, requires_grad=True)
        (y * y).sum().backward(create_graph=True)


def test_float_of_a_tensor_requiring_grad_warns_as_torch_does():
    """Once a process, with grad mode on (an optimizer's float(loss) under no_grad does not warn)."""
    import sys
    tensor_module = sys.modules["lazygrad.tensor"]  # (the package's `tensor` is the function)
    x = lg.ones(1, requires_grad=True)
    for convert in (float, complex):
        tensor_module._WARNED_SCALAR.clear()
        with pytest.warns(UserWarning, match="^Converting a tensor with requires_grad=True to a scalar") as got:
            convert(x * 3)
        assert got[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        float(x)  # (once)
        tensor_module._WARNED_SCALAR.clear()
        assert int(x) == 1 and x.item() == 1.0 and float(x.detach()) == 1.0
        with lg.no_grad():
            assert float(x) == 1.0


def test_set_grad_enabled_prints_its_mode():
    assert repr(lg.set_grad_enabled(False)) == "lazygrad.autograd.grad_mode.set_grad_enabled(mode=False)"
    lg.set_grad_enabled(True)


MASKED_GRADIENTS = {  # ops whose gradient torch masks or zeroes (a NaN gradient does not reach the masked side)
    "maximum": lambda m, a, b: m.maximum(a, b), "minimum": lambda m, a, b: m.minimum(a, b),
    "max of two": lambda m, a, b: m.max(a, b), "fmax": lambda m, a, b: m.fmax(a, b),
    "relu": lambda m, a, b: a.relu() + b.relu(), "clamp": lambda m, a, b: a.clamp(min=b),
    "piecewise constant": lambda m, a, b: a.floor() + a.ceil() + a.round() + b.trunc() + b.sign() + b ** 0,
}


@pytest.mark.parametrize("name", MASKED_GRADIENTS)
@pytest.mark.parametrize("incoming", ["ones", "nans"])
def test_gradients_with_nans_are_masked_like_torch(name, incoming):
    torch = pytest.importorskip("torch")
    nan = float("nan")
    grads = []
    for m in (lg, torch):
        a = m.tensor([1.0, 2.0, nan, 3.0, nan, -1.0], dtype=m.float64, requires_grad=True)
        b = m.tensor([2.0, 2.0, 1.0, nan, nan, -2.0], dtype=m.float64, requires_grad=True)
        out = MASKED_GRADIENTS[name](m, a, b)
        seed = m.ones_like(out) if incoming == "ones" else m.full_like(out, nan)
        grads.append([None if g is None else g.numpy() for g in m.autograd.grad(out, (a, b), seed,
                                                                                  allow_unused=True)])
    for ours, theirs in zip(*grads):
        assert (ours is None) == (theirs is None)
        if ours is not None:
            np.testing.assert_array_equal(ours, theirs)


def test_grad_dtype_casts_what_reaches_a_leaf_as_torch():
    """grad_dtype: the leaf's dtype by default, another dtype (gradients cast on arrival, hooks see the cast
    ones, autograd.grad returns them cast), or None (kept as they come); leaves only."""
    torch = pytest.importorskip("torch")
    results = []
    for m in (lg, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        assert x.grad_dtype is m.float32
        x.grad_dtype = m.float16
        seen = []
        x.register_hook(lambda g: seen.append(str(g.dtype).split(".")[1]))
        (x * 3).sum().backward()
        (x * 3).sum().backward()
        y = m.tensor([1.0, 2.0], requires_grad=True)
        y.grad_dtype = None
        y.grad = m.ones(2, dtype=m.float64)  # (any dtype is taken)
        w = m.tensor([1.0, 2.0], requires_grad=True)
        w.grad_dtype = m.float64
        returned, = m.autograd.grad((w * 2).sum(), w)
        results.append((x.grad.tolist(), str(x.grad.dtype).split(".")[1], seen, y.grad_dtype,
                        str(y.grad.dtype).split(".")[1], str(returned.dtype).split(".")[1],
                        str(w.detach().grad_dtype).split(".")[1]))
    assert results[0] == results[1]
    for call in (lambda m: (m.ones(1, requires_grad=True) * 2).grad_dtype,
                 lambda m: setattr(m.ones(1, requires_grad=True) * 2, "grad_dtype", m.half),
                 lambda m: setattr(m.ones(1), "grad_dtype", 3),
                 lambda m: setattr(m.ones(1, requires_grad=True), "grad", m.ones(1, dtype=m.float64))):
        with pytest.raises(RuntimeError) as want:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                call(torch)
        with pytest.raises(RuntimeError) as got:
            call(lg)
        assert str(got.value) == str(want.value).replace("torch.", "lazygrad.")


def test_grad_with_batched_grad_outputs_stacks_one_backward_per_row():
    """is_grads_batched: each grad_output's first dim is a batch (torch vmaps the backward): a Jacobian's rows
    from the identity, a Hessian under create_graph, and torch's refusals of unbatched or mismatched batches."""
    torch = pytest.importorskip("torch")

    def program(m):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        jac, = m.autograd.grad(x * x, x, grad_outputs=m.eye(3), is_grads_batched=True, retain_graph=True)
        pair = m.autograd.grad([x * 2, x.sum()], x, grad_outputs=[m.ones(2, 3), m.ones(2)], is_grads_batched=True)
        g, = m.autograd.grad((x ** 3).sum(), x, create_graph=True)
        hess, = m.autograd.grad(g, x, grad_outputs=m.eye(3), is_grads_batched=True)
        refusals = []
        for grads in (m.ones(3), [m.ones(2, 3), m.ones(3)]):
            outs = x * 2 if not isinstance(grads, list) else [x * 2, x.sum()]
            try:
                m.autograd.grad(outs, x, grad_outputs=grads, is_grads_batched=True)
            except (RuntimeError, ValueError) as e:
                refusals.append((type(e).__name__, str(e).replace("lazygrad", "torch")))
        return jac.tolist(), pair[0].tolist(), hess.tolist(), refusals
    assert program(lg) == program(torch)


def test_backward_takes_grad_variables_with_torchs_deprecation():
    torch = pytest.importorskip("torch")

    def program(m):
        x = m.ones(2, requires_grad=True)
        with pytest.warns(FutureWarning, match="`grad_variables` is deprecated"):
            m.autograd.backward([x * 2], grad_variables=[m.full((2,), 3.0)])
        with pytest.raises(RuntimeError) as both:
            m.autograd.backward([x * 2], [m.ones(2)], grad_variables=[m.ones(2)])
        return x.grad.tolist(), str(both.value)
    assert program(lg) == program(torch)


def test_once_differentiable_backward_refuses_a_second_derivative():
    """A custom Function whose backward is @once_differentiable gives its gradients; differentiating them
    again (create_graph) meets torch's Error node and message. mark_dirty on a leaf that requires grad is
    refused, and counts as a write of its own (the version moves twice)."""
    torch = pytest.importorskip("torch")
    from importlib import import_module

    def program(m):
        once = import_module(m.__name__ + ".autograd.function").once_differentiable

        class Square(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            @once
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return 2 * x * g

        class Doubled(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.mul_(2)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 2
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = Square.apply(x)
        g, = m.autograd.grad((y * y).sum(), x, create_graph=True)
        with pytest.raises(RuntimeError) as twice:
            g.sum().backward()
        with pytest.raises(RuntimeError) as leaf:
            Doubled.apply(m.ones(2, requires_grad=True))
        inner = m.ones(2, requires_grad=True) * 1
        Doubled.apply(inner)
        return g.tolist(), type(g.grad_fn).__name__, str(twice.value), str(leaf.value), inner._version
    assert program(lg) == program(torch)


def test_custom_function_ctx_is_read_through_its_node_and_inputs_are_bound():
    """torch's node of a custom Function is its ctx (grad_fn.k, grad_fn.saved_tensors); setup_context gets
    forward's arguments bound (keywords and defaults in place); save_for_backward takes tensors only."""
    torch = pytest.importorskip("torch")

    def program(m):
        class Scale(m.autograd.Function):
            @staticmethod
            def forward(x, k=4.0):
                return x * k

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.k, ctx.count = inputs[1], len(inputs)
                ctx.save_for_backward(inputs[0])

            @staticmethod
            def backward(ctx, g):
                return g * ctx.k, None

        class SavesANumber(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(3)
                return x * 1

            @staticmethod
            def backward(ctx, g):
                return g
        x = m.tensor([1.0, 2.0], requires_grad=True)
        by_default, by_name = Scale.apply(x), Scale.apply(x, k=2.0)
        by_name.sum().backward()
        with pytest.raises(TypeError) as refused:
            SavesANumber.apply(x)
        return (by_default.grad_fn.k, by_default.grad_fn.count, by_name.grad_fn.k,
                [t.tolist() for t in by_default.grad_fn.saved_tensors], x.grad.tolist(), str(refused.value))
    assert program(lg) == program(torch)
