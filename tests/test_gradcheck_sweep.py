"""gradcheck (float64, torch's tolerances) of every differentiable op over broadcast shapes and
non-contiguous inputs, and gradgradcheck of the ops torch double-differentiates. Runs on the numpy
interpreter: the gradient graphs are the same on every back end, and this keeps compile time out."""
from __future__ import annotations

from operator import methodcaller

import numpy as np
import pytest

import lazygrad as lg

RNG = np.random.default_rng(11)


@pytest.fixture(autouse=True)
def interpreter():
    lg.set_backend("numpy")
    yield
    lg.set_backend("c")


def leaf(shape, low=0.3, high=1.4, layout="contiguous"):
    """A float64 leaf; 'transposed' and 'strided' leaves are non-contiguous views of a bigger tensor."""
    if layout == "transposed":
        base = lg.tensor(RNG.uniform(low, high, tuple(reversed(shape))), dtype=lg.float64).t()
    elif layout == "strided":
        base = lg.tensor(RNG.uniform(low, high, (shape[0] * 2,) + tuple(shape[1:])), dtype=lg.float64)[::2]
    else:
        base = lg.tensor(RNG.uniform(low, high, shape), dtype=lg.float64)
    return base.detach().requires_grad_()


UNARY = {name: methodcaller(name) for name in [
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan", "asin",
    "acos", "atan", "sinh", "cosh", "tanh", "sigmoid", "erf", "abs", "neg", "square", "relu", "asinh", "atanh", "erfc",
    "frac", "deg2rad", "rad2deg", "logit", "sinc"]}
# inputs moved into a function's domain, or onto its other code path (erfc's continued fraction past 3)
UNARY |= {"acosh": lambda t: (t + 1).acosh(), "logit_eps": lambda t: t.logit(0.3), "erfc_tail": lambda t: (t * 5).erfc()}
# special functions, each on both sides of a branch where it has one (reflection, series against asymptotics)
UNARY |= {"lgamma": lambda t: (t * 6 - 2.5).lgamma(), "digamma": lambda t: (t * 6 - 2.5).digamma(),
          "polygamma": lambda t: (t * 2 - 0.5).polygamma(1), "mvlgamma": lambda t: (t + 1).mvlgamma(2),
          "erfinv": lambda t: (t * 1.3 - 0.6).erfinv(), "i0": lambda t: (t * 40 - 16).i0(),
          "i1": lambda t: lg.special.i1(t * 40 - 16), "ndtri": lambda t: lg.special.ndtri(t * 0.6),
          "log_ndtr": lambda t: lg.special.log_ndtr(t * 16 - 9), "entr": lambda t: lg.special.entr(t)}
BINARY = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b, "div": lambda a, b: a / b,
    "pow": lambda a, b: a ** b, "atan2": lambda a, b: lg.atan2(a, b), "maximum": lambda a, b: lg.maximum(a, b * 1.3),
    "minimum": lambda a, b: lg.minimum(a, b * 1.3), "remainder": lambda a, b: lg.remainder(a, b + 1.5),
    "fmod": lambda a, b: lg.fmod(a, b + 1.5), "where": lambda a, b: lg.where(a > 0.8, a, b),
    "lerp": lambda a, b: lg.lerp(a, b, 0.3), "lerp_tensor": lambda a, b: lg.lerp(a, b * 2, b),
    "clamp_tensor": lambda a, b: lg.clamp(a, b * 0.8, b * 1.2),
    "hypot": lambda a, b: lg.hypot(a, b), "logaddexp": lambda a, b: lg.logaddexp(a, b),
    "logaddexp2": lambda a, b: lg.logaddexp2(a, b * 2), "xlogy": lambda a, b: lg.xlogy(a, b),
    "copysign": lambda a, b: lg.copysign(a, b - 0.85), "fmax": lambda a, b: lg.fmax(a, b * 1.3),
    "fmin": lambda a, b: lg.fmin(a, b * 1.3),
}
SHAPES = [((2, 3), (2, 3)), ((2, 3), (3,)), ((3, 1), (1, 2)), ((2, 1, 3), (2, 3))]
REDUCE = {
    "sum": lambda x: x.sum(1), "mean": lambda x: x.mean(), "prod": lambda x: x.prod(0), "amax": lambda x: x.amax(1),
    "max": lambda x: x.max(), "max_dim": lambda x: x.max(0).values, "min_dim": lambda x: x.min(1)[0],
    "var": lambda x: x.var(1), "std": lambda x: x.std(), "logsumexp": lambda x: x.logsumexp(1),
    "softmax": lambda x: x.softmax(1), "log_softmax": lambda x: x.log_softmax(0),
    "norm": lambda x: x.norm(), "norm1": lambda x: x.norm(p=1, dim=0), "norm3": lambda x: x.norm(p=3),
    "cumsum": lambda x: x.cumsum(1), "cumprod": lambda x: x.cumprod(0),
    "nansum": lambda x: x.nansum(1), "nanmean": lambda x: x.nanmean(0), "trace": lambda x: x.trace(),
    "cummax": lambda x: x.cummax(1).values, "cummin": lambda x: x.cummin(0)[0],
    "logcumsumexp": lambda x: (x * 20).logcumsumexp(1),
    "aminmax": lambda x: (lambda r: r.min + 2 * r.max)(x.aminmax(dim=1)),
    "renorm": lambda x: x.renorm(2, 0, 1.5), "renorm_inf": lambda x: x.renorm(float("inf"), 1, 1.0),
    "cov": lambda x: x.cov(aweights=lg.arange(1.0, x.shape[1] + 1, dtype=lg.float64, device=x.device)),
    "corrcoef": lambda x: x.corrcoef(),
}
MOVEMENT = {
    "view": lambda x: x.reshape(-1), "permute": lambda x: x.permute(1, 0), "t": lambda x: x.t(),
    "expand": lambda x: x[:, :1].expand(3, 4), "unsqueeze": lambda x: x.unsqueeze(1), "flip": lambda x: x.flip(0),
    "slice": lambda x: x[1:, ::2], "select": lambda x: x[1], "narrow": lambda x: x.narrow(1, 1, 2),
    "advanced": lambda x: x[[0, 2, 0]], "mask": lambda x: x[x > 0.8], "gather": lambda x: x.gather(1, lg.tensor([[0, 0], [3, 1], [2, 2]])),
    "cat": lambda x: lg.cat([x, x * 2], 1), "stack": lambda x: lg.stack([x, x.flip(1)]), "repeat": lambda x: x.repeat(2, 1),
    "split": lambda x: x.split(2, 1)[1], "diagonal": lambda x: x.diagonal(1), "index_select": lambda x: x.index_select(0, lg.tensor([2, 0])),
    "clone": lambda x: x.clone(), "take": lambda x: x.t().take(lg.tensor([[5, -1], [5, 0]])),
    "scatter_reduce_amax": lambda x: x.scatter_reduce(1, lg.tensor([[0, 0], [3, 1], [2, 2]]), x * 2, "amax"),
    "scatter_reduce_prod": lambda x: x.scatter_reduce(0, lg.tensor([[2, 0, 2, 1]]), x[1:] + 1, "prod",
                                                      include_self=False),
    "index_reduce_mean": lambda x: x.index_reduce(1, lg.tensor([3, 0, 3]), x[:, :3].exp(), "mean"),
    "index_copy": lambda x: x.index_copy(0, lg.tensor([2, 0]), x[:2] * 3),
    "put": lambda x: x.put(lg.tensor([7, -1, 7]), x[0, :3].sin(), accumulate=True),
    "masked_scatter": lambda x: x.masked_scatter(x > 0.5, x.flip(0) * 2),
    "as_strided": lambda x: x.contiguous().as_strided((2, 2), (4, 1), 1),
    "as_strided_overlapping": lambda x: x.contiguous().as_strided((3, 3), (1, 1)),
    "masked_fill": lambda x: x.masked_fill(x > 0.8, 2.0), "index_fill": lambda x: x.index_fill(1, lg.tensor([0, 2]), -1.0),
    "index_put": lambda x: x.index_put((lg.tensor([0, 2]),), x[1] * 3),
    "index_put_accumulate": lambda x: x.index_put((lg.tensor([0, 0]),), x[1:] * 3, accumulate=True),
    "inplace_on_view": lambda x: (lambda y: (y[1:, ::2].mul_(x[:2, :2] + 1), y)[1])(x * 1),
    "scatter": lambda x: x.scatter(0, lg.tensor([[0, 2, 1, 0], [2, 0, 0, 1]]), x[1:] * 2),
    "scatter_value": lambda x: x.scatter(1, lg.tensor([[0], [3], [1]]), 5.0),
    "scatter_add": lambda x: x.scatter_add(0, lg.tensor([[0, 0, 1, 0]]), x.flip(0)),
    "index_add": lambda x: x.index_add(1, lg.tensor([0, 0, 3]), x[:, 1:] * 3, alpha=2),
    "setitem_tensor": lambda x: (lambda y: (y.__setitem__((slice(None), 1), x[:, 0].exp()), y)[1])(x * 2),
    "movedim": lambda x: x.reshape(3, 2, 2).movedim(0, 2), "roll": lambda x: x.roll((1, -1), (0, 1)),
    "rot90": lambda x: x.rot90(), "tril": lambda x: x.tril(1), "triu": lambda x: x.triu(-1),
    "diag": lambda x: x.diag(1), "diag_embed": lambda x: x.diag_embed(1), "diff": lambda x: x.diff(dim=0),
    "repeat_interleave": lambda x: x.repeat_interleave(lg.tensor([1, 0, 2]), 0),
    "block_diag": lambda x: lg.block_diag(x, x[0]), "hstack": lambda x: lg.hstack([x, x * 2]),
    "unfold": lambda x: x.unfold(1, 3, 1), "narrow_copy": lambda x: x.narrow_copy(1, -3, 2),
    "split_with_sizes": lambda x: x.split_with_sizes([1, 3], 1)[1], "unsafe_chunk": lambda x: x.unsafe_chunk(2, 1)[0],
    "sum_to_size": lambda x: x.sum_to_size(1, 4), "select_scatter": lambda x: x.select_scatter(x[0].exp(), 0, 1),
    "slice_scatter": lambda x: x.slice_scatter(x[:, :2] * 3, 1, 1, 4, 2),
    "diagonal_scatter": lambda x: x.diagonal_scatter(x[0, 1:] ** 2, 1),
    "as_strided_scatter": lambda x: x.as_strided_scatter(x[1, :2].reshape(2, 1) * 2, (2, 1), (4, 1), 5),
}
MATMUL = {
    "dot": (lambda a, b: lg.dot(a, b), (3,), (3,)), "mv": (lambda a, b: lg.mv(a, b), (2, 3), (3,)),
    "mm": (lambda a, b: a @ b, (2, 3), (3, 2)), "bmm": (lambda a, b: lg.bmm(a, b), (2, 2, 3), (2, 3, 2)),
    "batched": (lambda a, b: a @ b, (2, 2, 3), (3, 2)), "outer": (lambda a, b: lg.outer(a, b), (3,), (2,)),
    "addmm": (lambda a, b: lg.addmm(b[0], a, b, beta=0.5, alpha=2), (2, 3), (3, 2)),
    "addmv": (lambda a, b: lg.addmv(a[:, 0], a, b, beta=2), (2, 3), (3,)),
    "addbmm": (lambda a, b: lg.addbmm(a[0, :, :2], a, b), (2, 2, 3), (2, 3, 2)),
    "baddbmm": (lambda a, b: lg.baddbmm(a[:, :, :2], a, b, alpha=0.5), (2, 2, 3), (2, 3, 2)),
    "addr": (lambda a, b: lg.addr(lg.outer(a, b), a, b, beta=0.5), (3,), (2,)),
    "tensordot": (lambda a, b: lg.tensordot(a, b, ([1, 2], [0, 1])), (2, 3, 2), (3, 2, 2)),
    "kron": (lambda a, b: lg.kron(a, b), (2, 2), (2, 3)),
    "einsum": (lambda a, b: lg.einsum("bij,bkj->bik", a, b), (2, 2, 3), (2, 2, 3)),
    "cross": (lambda a, b: lg.linalg.cross(a, b), (2, 3), (2, 3)),
    "cdist": (lambda a, b: lg.cdist(a, b), (3, 2), (4, 2)), "dist": (lambda a, b: lg.dist(a, b, 3), (2, 3), (3,)),
}


@pytest.mark.parametrize("name", list(UNARY))
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided"])
def test_unary(name, layout):
    x = leaf((2, 3), 0.2, 0.9, layout)
    assert lg.autograd.gradcheck(UNARY[name], (x,))


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_binary_broadcast(name, shapes):
    a, b = leaf(shapes[0]), leaf(shapes[1])
    assert lg.autograd.gradcheck(BINARY[name], (a, b))


@pytest.mark.parametrize("name", sorted(REDUCE))
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_reductions(name, layout):
    assert lg.autograd.gradcheck(REDUCE[name], (leaf((3, 4), layout=layout),))


@pytest.mark.parametrize("name", sorted(MOVEMENT))
def test_movement_and_indexing(name):
    assert lg.autograd.gradcheck(MOVEMENT[name], (leaf((3, 4), layout="strided"),))


def test_dtype_round_trip():
    """Through float32 the finite differences themselves are only float32-accurate."""
    assert lg.autograd.gradcheck(lambda x: (x.to(lg.float32) * 3).to(lg.float64), (leaf((2, 3)),), eps=1e-3,
                                 atol=1e-3, rtol=1e-3)


@pytest.mark.parametrize("name", sorted(MATMUL))
def test_products(name):
    f, sa, sb = MATMUL[name]
    assert lg.autograd.gradcheck(f, (leaf(sa), leaf(sb)))


@pytest.mark.parametrize("name", list(UNARY))
def test_gradgradcheck_unary(name):
    assert lg.autograd.gradgradcheck(UNARY[name], (leaf((2, 2), 0.3, 0.9),))


@pytest.mark.parametrize("name", sorted(BINARY))
def test_gradgradcheck_binary(name):
    assert lg.autograd.gradgradcheck(BINARY[name], (leaf((2, 2)), leaf((2,))))


@pytest.mark.parametrize("name", sorted(REDUCE))
def test_gradgradcheck_reductions(name):
    assert lg.autograd.gradgradcheck(REDUCE[name], (leaf((2, 3)),))


@pytest.mark.parametrize("name", sorted(MOVEMENT))
def test_gradgradcheck_movement(name):
    assert lg.autograd.gradgradcheck(MOVEMENT[name], (leaf((3, 4)),))


@pytest.mark.parametrize("name", sorted(MATMUL))
def test_gradgradcheck_products(name):
    f, sa, sb = MATMUL[name]
    assert lg.autograd.gradgradcheck(f, (leaf(sa), leaf(sb)))
