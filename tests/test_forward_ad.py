"""Forward-mode AD (autograd.forward_ad) against torch's: the tangents of many ops' results, dual-tensor
levels, printing and errors, in-place ops, custom Functions' jvp, and forward-over-reverse products."""
from __future__ import annotations

import numpy as np
import pytest

import lazygrad as lg
from distribution_oracle import assert_same, raised
from oracle import torch_or_skip

RNG = np.random.default_rng(5)
A, B = RNG.uniform(0.3, 1.4, (3, 4)), RNG.uniform(0.3, 1.4, (3, 4))
TA, TB = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
SQUARE, T_SQUARE = RNG.uniform(-1, 1, (3, 3)) + 3 * np.eye(3), RNG.standard_normal((3, 3))
IMAGE, T_IMAGE = RNG.standard_normal((2, 3, 5, 5)), RNG.standard_normal((2, 3, 5, 5))
KERNEL = RNG.standard_normal((4, 3, 3, 3))

# op(m, x, y): x and y are dual (tangents TA, TB) of shape (3, 4); the tangent of the result is compared
PAIRS = {
    "add": lambda m, x, y: x + y * 2, "mul": lambda m, x, y: x * y, "div": lambda m, x, y: x / y,
    "pow": lambda m, x, y: x ** y, "atan2": lambda m, x, y: m.atan2(x, y), "maximum": lambda m, x, y: m.maximum(x, y),
    "where": lambda m, x, y: m.where(x > 0.8, x, y), "hypot": lambda m, x, y: m.hypot(x, y),
    "matmul": lambda m, x, y: x @ y.t(), "cat": lambda m, x, y: m.cat([x, y], 1), "stack": lambda m, x, y: m.stack([x, y]),
    "lerp": lambda m, x, y: m.lerp(x, y, 0.3), "xlogy": lambda m, x, y: m.xlogy(x, y),
    "mse_loss": lambda m, x, y: m.nn.functional.mse_loss(x, y),
    "bce": lambda m, x, y: m.nn.functional.binary_cross_entropy(x.sigmoid(), y / 2),
    "addcmul": lambda m, x, y: m.addcmul(x, x, y, value=0.5),
}
SINGLE = {name: (lambda fn: lambda m, x, y: fn(m, x))(fn) for name, fn in {
    "exp": lambda m, x: x.exp(), "log": lambda m, x: x.log(), "sin": lambda m, x: x.sin(),
    "tanh": lambda m, x: x.tanh(), "sigmoid": lambda m, x: x.sigmoid(), "sqrt": lambda m, x: x.sqrt(),
    "abs": lambda m, x: (x - 0.8).abs(), "relu": lambda m, x: (x - 0.8).relu(), "erf": lambda m, x: x.erf(),
    "lgamma": lambda m, x: x.lgamma(), "digamma": lambda m, x: x.digamma(), "clamp": lambda m, x: x.clamp(0.5, 1.0),
    "sum": lambda m, x: x.sum(1), "mean": lambda m, x: x.mean(), "prod": lambda m, x: x.prod(0),
    "amax": lambda m, x: x.amax(1), "std": lambda m, x: x.std(0), "norm": lambda m, x: x.norm(),
    "logsumexp": lambda m, x: x.logsumexp(1), "cumsum": lambda m, x: x.cumsum(1), "cumprod": lambda m, x: x.cumprod(1),
    "softmax": lambda m, x: x.softmax(1), "log_softmax": lambda m, x: x.log_softmax(0),
    "max with indices": lambda m, x: x.max(1)[0], "sort": lambda m, x: x.sort(1)[0], "topk": lambda m, x: x.topk(2)[0],
    "transpose": lambda m, x: x.t(), "reshape": lambda m, x: x.reshape(2, 6), "getitem": lambda m, x: x[1:, ::2],
    "gather": lambda m, x: x.gather(1, m.tensor([[0, 3], [1, 1], [2, 0]])),
    "index_select": lambda m, x: x.index_select(1, m.tensor([3, 0])), "flip": lambda m, x: x.flip(0),
    "expand": lambda m, x: x[:1].expand(3, 4), "pad": lambda m, x: m.nn.functional.pad(x, (1, 2)),
    "gelu": lambda m, x: m.nn.functional.gelu(x), "silu": lambda m, x: m.nn.functional.silu(x),
    "layer_norm": lambda m, x: m.nn.functional.layer_norm(x, (4,)),
    "cross_entropy": lambda m, x: m.nn.functional.cross_entropy(x, m.tensor([0, 3, 1])),
    "linear": lambda m, x: m.nn.functional.linear(x, x[:2] * 0.5, x[0, :2]),
    "tril": lambda m, x: x.tril(), "trace": lambda m, x: x[:, :3].trace(), "outer": lambda m, x: m.outer(x[0], x[1]),
}.items()}
MATRICES = {
    "inv": lambda m, x: m.linalg.inv(x), "det": lambda m, x: m.linalg.det(x), "slogdet": lambda m, x: m.linalg.slogdet(x)[1],
    "cholesky": lambda m, x: m.linalg.cholesky(x @ x.mT), "solve": lambda m, x: m.linalg.solve(x, x[:, :1] + 1),
    "eigvalsh": lambda m, x: m.linalg.eigvalsh(x + x.mT), "svdvals": lambda m, x: m.linalg.svdvals(x),
    "matrix_exp": lambda m, x: m.linalg.matrix_exp(x * 0.3), "qr R": lambda m, x: m.linalg.qr(x)[1],
}


def _tangents(m, fn, primals, tangents):
    fw = m.autograd.forward_ad
    with fw.dual_level():
        duals = [fw.make_dual(m.tensor(p), m.tensor(t)) for p, t in zip(primals, tangents)]
        out = fn(m, *duals)
        primal, tangent = fw.unpack_dual(out)
        return primal, tangent


@pytest.mark.parametrize("name", list(PAIRS) + list(SINGLE))
def test_tangents_like_torch(name):
    torch = torch_or_skip()
    fn = PAIRS.get(name) or SINGLE[name]
    assert_same(_tangents(lg, fn, (A, B), (TA, TB)), _tangents(torch, fn, (A, B), (TA, TB)))


@pytest.mark.parametrize("name", list(MATRICES))
def test_matrix_function_tangents_like_torch(name):
    torch = torch_or_skip()
    assert_same(_tangents(lg, MATRICES[name], (SQUARE,), (T_SQUARE,)),
                _tangents(torch, MATRICES[name], (SQUARE,), (T_SQUARE,)))


def test_convolution_and_pooling_tangents_like_torch():
    torch = torch_or_skip()

    def net(m, x):
        y = m.nn.functional.conv2d(x, m.tensor(KERNEL), padding=1)
        y = m.nn.functional.batch_norm(y, None, None, training=True)
        return m.nn.functional.max_pool2d(y.relu(), 2).sum((2, 3))
    assert_same(_tangents(lg, net, (IMAGE,), (T_IMAGE,)), _tangents(torch, net, (IMAGE,), (T_IMAGE,)))


def test_tangents_are_directional_derivatives():
    """The tangent of f(x) along t is (f(x + h t) - f(x - h t)) / 2h, in float64."""
    fw = lg.autograd.forward_ad
    f = lambda x: (x.sin() * x.exp()).cumsum(0).softmax(0) @ x  # noqa: E731
    x, t = RNG.standard_normal(5), RNG.standard_normal(5)
    with fw.dual_level():
        tangent = fw.unpack_dual(f(fw.make_dual(lg.tensor(x), lg.tensor(t)))).tangent
    h = 1e-6
    expected = (f(lg.tensor(x + h * t)) - f(lg.tensor(x - h * t))) / (2 * h)
    np.testing.assert_allclose(tangent.numpy(), expected.numpy(), rtol=1e-7)


def test_levels_printing_and_unpacking():
    torch = torch_or_skip()

    def session(m):
        fw = m.autograd.forward_ad
        with fw.dual_level() as level:
            x = fw.make_dual(m.tensor([[1.0, 2.0], [3.0, 4.0]]), m.tensor([[0.5, 1.0], [2.0, 3.0]]))
            y = fw.make_dual(m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True),
                             m.tensor([0.5, 1.0], dtype=m.float64))
            inside = [level, repr(x), repr(x.sum()), repr(y), y.requires_grad, fw.unpack_dual(x.detach()).tangent,
                      fw.unpack_dual(m.ones(2)), fw.unpack_dual(x)._fields, repr(x.clone()), repr(x[0])]
        return inside + [fw.unpack_dual(x), repr(x)]
    assert_same(session(lg), session(torch))


def test_tangents_through_in_place_ops():
    torch = torch_or_skip()

    def session(m):
        fw = m.autograd.forward_ad
        with fw.dual_level():
            x, w = fw.make_dual(m.tensor(A), m.tensor(TA)), fw.make_dual(m.tensor(B), m.tensor(TB))
            x.mul_(w).add_(1).exp_()
            y = m.zeros(3, 4, dtype=m.float64)
            y.copy_(x)
            y[1:] += w[1:]
            base = m.zeros(3)
            dual = fw.make_dual(base, m.ones(3))
            view = dual[1:]
            view.mul_(5)
            return [fw.unpack_dual(x), fw.unpack_dual(y), fw.unpack_dual(dual), fw.unpack_dual(view),
                    fw.unpack_dual(base)]
    assert_same(session(lg), session(torch))


def test_forward_over_reverse_gives_hessian_vector_products():
    """The tangent of a gradient is H t: forward mode over the reverse pass."""
    fw = lg.autograd.forward_ad
    w = lg.tensor(RNG.standard_normal((4, 4)))
    f = lambda x: (x @ w @ x).sin() + x.pow(3).sum()  # noqa: E731
    x, t = RNG.standard_normal(4), RNG.standard_normal(4)
    with fw.dual_level():
        primal = lg.tensor(x, requires_grad=True)
        dual = fw.make_dual(primal, lg.tensor(t))
        (g,) = lg.autograd.grad(f(dual), dual, create_graph=True)
        hvp = fw.unpack_dual(g).tangent
    _, expected = lg.autograd.functional.hvp(f, lg.tensor(x), lg.tensor(t))
    np.testing.assert_allclose(hvp.detach().numpy(), expected.numpy(), rtol=1e-10)


def test_custom_functions_forward_mode():
    torch = torch_or_skip()

    def session(m):
        class WithCtx(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_forward(x)
                return x * x

            @staticmethod
            def backward(ctx, g):
                return g

            @staticmethod
            def jvp(ctx, t):
                (x,) = ctx.saved_tensors
                return 2 * x * t

        class WithSetup(m.autograd.Function):
            @staticmethod
            def forward(x):
                return x.exp()

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.save_for_forward(output)
                ctx.save_for_backward(output)

            @staticmethod
            def jvp(ctx, t):
                (y,) = ctx.saved_tensors
                return y * t

            @staticmethod
            def vjp(ctx, g):
                (y,) = ctx.saved_tensors
                return y * g * 3

        class NoJvp(WithCtx):
            jvp = m.autograd.Function.jvp

        fw = m.autograd.forward_ad
        x = m.tensor([1.0, 2.0], requires_grad=True)
        (grad,) = m.autograd.grad(WithSetup.apply(x).sum(), x)
        with fw.dual_level():
            d = fw.make_dual(m.tensor([1.0, 2.0]), m.tensor([1.0, 0.5]))
            return [fw.unpack_dual(WithCtx.apply(d)), fw.unpack_dual(WithSetup.apply(d)), grad,
                    raised(lambda: NoJvp.apply(d))]
    assert_same(session(lg), session(torch))


ERRORS = {
    "no level": lambda m, fw: fw.make_dual(m.ones(2), m.ones(2)),
    "wrong size": lambda m, fw: _in_level(fw, lambda: fw.make_dual(m.ones(2), m.ones(3))),
    "integer primal": lambda m, fw: _in_level(fw, lambda: fw.make_dual(m.tensor([1, 2]), m.tensor([1, 2]))),
    "integer tangent": lambda m, fw: _in_level(fw, lambda: fw.make_dual(m.ones(2), m.tensor([1, 2]))),
    "nested levels": lambda m, fw: _in_level(fw, fw.enter_dual_level),
    "dual of a dual": lambda m, fw: _in_level(fw, lambda: fw.make_dual(fw.make_dual(m.ones(2), m.ones(2)), m.ones(2))),
    "invalid level": lambda m, fw: _in_level(fw, lambda: fw.make_dual(m.ones(2), m.ones(2), level=3)),
}


def _in_level(fw, fn):
    with fw.dual_level():
        return fn()


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_like_torch(name):
    torch = torch_or_skip()
    assert raised(lambda: ERRORS[name](lg, lg.autograd.forward_ad)) == raised(
        lambda: ERRORS[name](torch, torch.autograd.forward_ad))


def test_the_level_closes_after_an_error():
    fw = lg.autograd.forward_ad
    with pytest.raises(ValueError):
        with fw.dual_level():
            fw.make_dual(lg.tensor([1, 2]), lg.tensor([1, 2]))
    with fw.dual_level():
        assert fw.unpack_dual(fw.make_dual(lg.ones(2), lg.ones(2)) * 3).tangent.tolist() == [3.0, 3.0]


COMPLEX_TANGENTS = {
    "exp": lambda m, z, r: z.exp(), "product": lambda m, z, r: z * z, "abs": lambda m, z, r: z.abs(),
    "conj": lambda m, z, r: z.conj() * 2, "real": lambda m, z, r: z.real * 3, "imag": lambda m, z, r: z.imag,
    "view_as_real": lambda m, z, r: m.view_as_real(z), "complex": lambda m, z, r: m.complex(r, r * 2),
    "polar": lambda m, z, r: m.polar(r.abs() + 1, r), "sum": lambda m, z, r: z.sum().reshape(1),
    "matmul": lambda m, z, r: z[None] @ z[:, None], "quotient": lambda m, z, r: z / (z + 2),
    "angle": lambda m, z, r: z.angle(), "sqrt": lambda m, z, r: z.sqrt(), "log": lambda m, z, r: z.log(),
    "mixed": lambda m, z, r: z * r, "view_as_complex": lambda m, z, r: m.view_as_complex(m.stack([r, r * 0.5], -1)),
    "sgn": lambda m, z, r: z.sgn(), "tanh": lambda m, z, r: z.tanh(), "power": lambda m, z, r: z ** 2.5,
    "inverse": lambda m, z, r: m.linalg.inv(m.outer(z, z.conj()) + m.eye(3)), "fft": lambda m, z, r: m.fft.fft(z),
    "where": lambda m, z, r: m.where(r > 0, z, z * 2), "addcmul": lambda m, z, r: m.addcmul(z, z, z, value=0.5),
}


@pytest.mark.parametrize("name", COMPLEX_TANGENTS)
def test_complex_tangents_like_torch(name):
    """Tangents through complex values: f'(z) t for holomorphic functions, the real-linear ones for conj, abs,
    real, polar... (forward mode refused complex tensors)."""
    torch = torch_or_skip()
    z, t = np.array([0.3 + 1j, -0.5 + 0.25j, 1.5 - 2j]), np.array([1.0 - 0.5j, 0.25 + 2j, -1 + 1j])
    r, rt = np.array([0.3, -1.2, 0.7]), np.array([0.5, 1.0, -2.0])
    tangents = []
    for m in (lg, torch):
        fw = m.autograd.forward_ad
        with fw.dual_level():
            dual_z, dual_r = fw.make_dual(m.tensor(z), m.tensor(t)), fw.make_dual(m.tensor(r), m.tensor(rt))
            out = COMPLEX_TANGENTS[name](m, dual_z, dual_r)
            tangents.append(fw.unpack_dual(out).tangent.numpy())
    assert tangents[0].dtype == tangents[1].dtype
    np.testing.assert_allclose(tangents[0], tangents[1], rtol=1e-10, atol=1e-12)


def test_complex_jvp_and_gradcheck_in_forward_mode():
    """torch.func.jvp of a complex function is torch's; gradcheck's check_forward_ad compares forward-mode
    Jacobians with finite differences (of complex inputs too) and finds a wrong custom jvp."""
    torch = torch_or_skip()
    got, want = (m.func.jvp(lambda a: a.exp() * a.conj(), (m.tensor([1j, 0.5 - 1j]),), (m.tensor([1.0 + 0j, 0.5j]),))
                 for m in (lg, torch))
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-6)
    z = lg.tensor([0.3 + 1j, 0.5 - 2j], dtype=lg.complex128, requires_grad=True)
    assert lg.autograd.gradcheck(lambda a: (a.sin() / (a + 3)).abs() * a, (z,), check_forward_ad=True)

    class WrongJvp(lg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

        @staticmethod
        def jvp(ctx, t):
            return t * 3
    x = lg.tensor([0.3, 0.5], dtype=lg.float64, requires_grad=True)
    assert lg.autograd.gradcheck(WrongJvp.apply, (x,))
    with pytest.raises(lg.autograd.GradcheckError, match="^Jacobian computed with forward mode mismatch"):
        lg.autograd.gradcheck(WrongJvp.apply, (x,), check_forward_ad=True)
    assert not lg.autograd.gradcheck(WrongJvp.apply, (x,), check_forward_ad=True, check_backward_ad=False,
                                     raise_exception=False)


def test_jacobians_of_complex_functions_refused_as_torch():
    torch = torch_or_skip()
    for call in (lambda m: m.func.jacrev(lambda a: a * 1j)(m.tensor([1.0])),
                 lambda m: m.func.jacfwd(lambda a: a.abs())(m.tensor([1.0j])),
                 lambda m: m.func.hessian(lambda a: (a * a).sum())(m.tensor([1.0j]))):
        assert raised(lambda: call(lg)) == raised(lambda: call(torch))
