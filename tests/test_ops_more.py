"""The functions built on the core ops (lazygrad/pointwise.py, shapes.py, diagonals.py, einsum.py, sampling.py and
the products in products.py) against torch: values, dtypes, shapes, strides, grad_fn names, gradients, in-place forms,
error messages, and that they stay lazy and fuse.

Each case is one lambda `f(m, *tensors)` written once for both libraries: `m` is lazygrad or torch."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import lazygrad as lg
from oracle import (assert_like_torch, assert_same, both, drawn_on_every_backend, gradients_like_torch,
                    raises_like_torch, torch_or_skip)

RNG = np.random.default_rng(7)
NAN, INF = math.nan, math.inf


def uniform(low, high, *shape, dtype="float64"):
    return RNG.uniform(low, high, shape).astype(dtype)


# ---- elementwise ------------------------------------------------------------------------------------

# name -> (function, input range)
UNARY = {
    "acosh": (lambda m, x: m.acosh(x), (1.0, 40.0)), "asinh": (lambda m, x: m.asinh(x), (-40.0, 40.0)),
    "atanh": (lambda m, x: m.atanh(x), (-0.99, 0.99)), "arccosh": (lambda m, x: m.arccosh(x), (1.0, 3.0)),
    "arcsinh": (lambda m, x: m.arcsinh(x), (-3.0, 3.0)), "arctanh": (lambda m, x: m.arctanh(x), (-0.9, 0.9)),
    "deg2rad": (lambda m, x: m.deg2rad(x), (-400.0, 400.0)), "rad2deg": (lambda m, x: m.rad2deg(x), (-7.0, 7.0)),
    "frac": (lambda m, x: m.frac(x), (-9.0, 9.0)), "erfc": (lambda m, x: m.erfc(x), (-3.0, 9.0)),
    "logit": (lambda m, x: m.logit(x), (0.01, 0.99)), "logit_eps": (lambda m, x: m.logit(x, 0.2), (0.0, 1.0)),
    "sinc": (lambda m, x: m.sinc(x), (-5.0, 5.0)), "sgn": (lambda m, x: m.sgn(x), (-3.0, 3.0)),
    "signbit": (lambda m, x: m.signbit(x), (-3.0, 3.0)),
}


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_values(name, dtype):
    fn, (low, high) = UNARY[name]
    x = uniform(low, high, 24, dtype=dtype)
    assert_same(*both(fn, x))


@pytest.mark.parametrize("name", ["acosh", "asinh", "atanh", "deg2rad", "erfc", "logit", "sinc", "sgn", "signbit"])
def test_unary_integer_inputs(name):
    """Integer inputs of float functions give the default float dtype (sgn and signbit keep theirs)."""
    assert_same(*both(UNARY[name][0], np.arange(-3, 5, dtype=np.int64)))


def test_erfc_keeps_its_digits_in_the_tail(backend):
    """float64 erfc within 2 ulps of libm's all the way down its tail (1 - erf(x) had 2e-12 relative error at 3),
    and erfcx = e^(x^2) erfc(x) within 4e-16 below 2."""
    x = np.linspace(-3, 26, 3001)
    want = np.array([math.erfc(v) for v in x])
    np.testing.assert_allclose(lg.erfc(lg.tensor(x)).numpy(), want, rtol=4.5e-16, atol=0)
    near = x[x < 2]
    np.testing.assert_allclose(lg.special.erfcx(lg.tensor(near)).numpy(),
                               np.exp(near * near) * want[x < 2], rtol=4e-15, atol=0)


SPECIAL = np.array([0.0, -0.0, 1.0, -1.0, 0.5, 1e-30, -1e-30, 1e10, -1e10, 1e30, 3.0, 27.0, INF, -INF, NAN])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_special_values(name, dtype):
    """Zeros of both signs, huge and tiny values, infinities and NaN behave as in torch (signs of zero too).
    sinc leaves out |x| > 1e6, where float32 sin (templates/c/lg_math.h) is not meaningful."""
    x = SPECIAL[np.abs(SPECIAL) <= 1e6] if name == "sinc" else SPECIAL
    got, want = both(UNARY[name][0], x.astype(dtype))
    assert_same(got, want)
    if want.dtype.is_floating_point:
        values, expected = got.numpy(), want.numpy()
        numbers = ~np.isnan(expected)
        assert np.array_equal(np.signbit(values[numbers]), np.signbit(expected[numbers]))


# name -> (function, range of the first operand, range of the second)
BINARY = {
    "hypot": (lambda m, a, b: m.hypot(a, b), (-5, 5), (-5, 5)),
    "logaddexp": (lambda m, a, b: m.logaddexp(a, b), (-50, 50), (-50, 50)),
    "logaddexp2": (lambda m, a, b: m.logaddexp2(a, b), (-50, 50), (-50, 50)),
    "xlogy": (lambda m, a, b: m.xlogy(a, b), (-3, 3), (0.01, 5)),
    "copysign": (lambda m, a, b: m.copysign(a, b), (-3, 3), (-3, 3)),
    "heaviside": (lambda m, a, b: m.heaviside(m.round(a), b), (-2, 2), (-3, 3)),
    "fmax": (lambda m, a, b: m.fmax(a, b), (-3, 3), (-3, 3)), "fmin": (lambda m, a, b: m.fmin(a, b), (-3, 3), (-3, 3)),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_values_broadcast(name, dtype):
    fn, ra, rb = BINARY[name]
    assert_same(*both(fn, uniform(*ra, 3, 4, dtype=dtype), uniform(*rb, 4, dtype=dtype)))


SPECIAL_PAIRS = (np.array([INF, NAN, 3e30, 0.0, -0.0, INF, -INF, 1.0, NAN, 0.0, 2.0, -1.0]),
                 np.array([NAN, INF, 4e30, 0.0, 0.0, INF, -INF, NAN, 1.0, NAN, -0.0, 0.0]))


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_special_values(name):
    assert_same(*both(BINARY[name][0], *SPECIAL_PAIRS))


@pytest.mark.parametrize("case", [
    lambda m, a, b: m.hypot(a, b.double()), lambda m, a, b: m.logaddexp(a.half(), b.half()),
    lambda m, a, b: m.xlogy(a, 2.5), lambda m, a, b: m.xlogy(3, b), lambda m, a, b: m.xlogy(a.long(), b.long()),
    lambda m, a, b: m.copysign(a, -1), lambda m, a, b: m.copysign(a.long(), b), lambda m, a, b: m.fmax(a.long(), b),
    lambda m, a, b: m.fmin(a.long(), b.long()), lambda m, a, b: m.heaviside(a.long(), b.long()),
    lambda m, a, b: m.fmax(a > 0, b > 0), lambda m, a, b: a.copysign(b), lambda m, a, b: a.hypot(b),
    lambda m, a, b: a.xlogy(b), lambda m, a, b: a.logaddexp2(b), lambda m, a, b: a.fmin(b),
])
def test_binary_promotion_and_methods(case):
    assert_same(*both(case, uniform(-3, 3, 2, 3, dtype="float32").round(), uniform(0.5, 3, 3, dtype="float32")))


def test_positive_and_sgn():
    x = lg.tensor([1.0, -2.0])
    assert lg.positive(x) is x and x.positive() is x and +x is x
    assert lg.sgn(lg.tensor([True, False])).dtype is lg.bool
    for call in (lambda: +lg.tensor([True]), lambda: lg.positive(lg.tensor([True]))):
        with pytest.raises(RuntimeError, match="The `\\+` operator, on a bool tensor is not supported."):
            call()


# ---- NaN-ignoring reductions and closeness ------------------------------------------------------------

@pytest.mark.parametrize("case", [
    lambda m, x: m.nansum(x), lambda m, x: m.nansum(x, 1), lambda m, x: m.nansum(x, (0, 1), keepdim=True),
    lambda m, x: x.nansum(0, dtype=m.float64), lambda m, x: m.nanmean(x), lambda m, x: x.nanmean(1, keepdim=True),
    lambda m, x: m.nanmean(x, 0, dtype=m.float64), lambda m, x: m.nansum(x.long()), lambda m, x: m.nansum(x > 0),
    lambda m, x: m.nanmean(x[:, :0], 1),
])
def test_nan_reductions(case):
    x = uniform(-3, 3, 3, 4, dtype="float32")
    x[0, 1] = x[2, 2] = x[1, 0] = NAN
    x[:, 3] = NAN
    assert_same(*both(case, x))


CLOSE = (np.array([1.0, 1.0, INF, -INF, NAN, 1e8, 0.0, 1e-9, 2.0]),
         np.array([1.0 + 1e-6, 1.1, INF, INF, NAN, 1e8 + 100, 1e-9, 0.0, 2.0]))


@pytest.mark.parametrize("case", [
    lambda m, a, b: m.isclose(a, b), lambda m, a, b: m.isclose(a, b, equal_nan=True),
    lambda m, a, b: m.isclose(a, b, rtol=0, atol=0), lambda m, a, b: m.isclose(a, b, rtol=0.2, atol=0),
    lambda m, a, b: m.isclose(a.float(), b.float()), lambda m, a, b: a.isclose(b[:1]),
    lambda m, a, b: m.isclose(a.nan_to_num().long(), b.nan_to_num().long(), atol=5),
    lambda m, a, b: m.isclose((a > 1), (b > 1)),
    lambda m, a, b: m.isclose(a * 1j + b, b * 1j + a), lambda m, a, b: m.isclose(a * 0.5j, a * 1j, equal_nan=True),
    lambda m, a, b: m.isclose((a + 1j).to(m.complex64), (b + 1j).to(m.complex64), rtol=0.2),
])
def test_isclose(case):
    assert_same(*both(case, *CLOSE))


def test_reversed_flips_the_first_dim_and_pow_refuses_a_modulus_as_torch():
    torch = torch_or_skip()
    for shape in ((), (3,), (2, 3)):
        a = np.arange(float(np.prod(shape))).reshape(shape)
        assert_same(reversed(lg.tensor(a)), reversed(torch.tensor(a)))
    with pytest.raises(TypeError) as want:
        pow(torch.tensor(3), 2, 5)
    with pytest.raises(TypeError) as got:
        pow(lg.tensor(3), 2, 5)
    assert str(got.value) == str(want.value)


def test_allclose_and_equal_are_python_bools():
    torch = torch_or_skip()
    a, b = (np.array(v) for v in CLOSE)
    for kwargs in ({}, {"equal_nan": True}, {"rtol": 1.0, "equal_nan": True}):
        for x, y in ((a, b), (a, a), (a[:2], b[:2])):
            assert lg.allclose(lg.tensor(x), lg.tensor(y), **kwargs) is torch.allclose(torch.tensor(x),
                                                                                       torch.tensor(y), **kwargs)
    pairs = [(lg.tensor([1.0, 2.0]), lg.tensor([1.0, 2.0])), (lg.tensor([1.0, NAN]), lg.tensor([1.0, NAN])),
             (lg.tensor([1.0, 2.0]), lg.tensor([1, 2], dtype=lg.int32)), (lg.ones(2, 2), lg.ones(2)),
             (lg.tensor([1.5]), lg.tensor([1]))]
    for x, y in pairs:
        assert lg.equal(x, y) is torch.equal(torch.tensor(x.numpy()), torch.tensor(y.numpy()))
    assert lg.ones(3).equal(lg.ones(3)) is True and lg.ones(3).allclose(lg.ones(3) + 1e-9) is True


# ---- shapes, triangles, diagonals ---------------------------------------------------------------------

X = np.arange(1.0, 13.0).reshape(3, 4)
B = np.arange(24.0).reshape(2, 3, 4)
V = np.array([2.0, -1.0, 5.0])

# each case: (function, arrays); the result is compared with torch's (values, dtype, shape, and strides)
SHAPE_CASES = {
    "movedim": (lambda m, b: m.movedim(b, 0, 2), [B]), "movedim_many": (lambda m, b: b.movedim((0, -1), (2, 0)), [B]),
    "moveaxis": (lambda m, b: m.moveaxis(b, -1, 0), [B]), "ravel": (lambda m, x: m.ravel(x.t()), [X]),
    "ravel_view": (lambda m, x: x.ravel(), [X]),
    "type_as": (lambda m, x: x.type_as(m.tensor([1], dtype=m.int16)), [X]),
    "hstack": (lambda m, x: m.hstack([x, x[:, :1]]), [X]), "hstack_1d": (lambda m, v: m.hstack((v, v, v[0])), [V]),
    "vstack": (lambda m, x, v: m.vstack([x[:, :3], v]), [X, V]), "row_stack": (lambda m, v: m.row_stack([v, v]), [V]),
    "dstack": (lambda m, x: m.dstack([x, x * 2]), [X]), "dstack_1d": (lambda m, v: m.dstack([v, v]), [V]),
    "column_stack": (lambda m, x, v: m.column_stack([v, x[:, :2], v]), [X, V]),
    "column_stack_0d": (lambda m, v: m.column_stack([v[0], v[1:2]]), [V]),
    "atleast_1d": (lambda m, v: m.atleast_1d(v[0]), [V]), "atleast_2d": (lambda m, v: m.atleast_2d(v), [V]),
    "atleast_2d_0d": (lambda m, v: m.atleast_2d(v[1]), [V]), "atleast_3d": (lambda m, x: m.atleast_3d(x), [X]),
    "atleast_3d_1d": (lambda m, v: m.atleast_3d(v), [V]),
    "atleast_many": (lambda m, x, v: m.atleast_2d(x, v, v[0]), [X, V]),
    "atleast_list": (lambda m, x, v: m.atleast_3d([x, v]), [X, V]),
    "broadcast_tensors": (lambda m, x, v: m.broadcast_tensors(x[:, :1], v[None, :]), [X, V]),
    "meshgrid_ij": (lambda m, v, x: m.meshgrid(v, x[0], indexing="ij"), [V, X]),
    "meshgrid_xy": (lambda m, v, x: m.meshgrid([v, x[0], x[1, :2]], indexing="xy"), [V, X]),
    "meshgrid_0d": (lambda m, v: m.meshgrid(v[0], v, indexing="ij"), [V]),
    "roll": (lambda m, x: m.roll(x, 1, 0), [X]), "roll_dims": (lambda m, b: m.roll(b, (-1, 6), (2, 0)), [B]),
    "roll_flat": (lambda m, x: x.roll(-5), [X]), "roll_zero": (lambda m, x: m.roll(x, 4, 1), [X]),
    "roll_0d": (lambda m, v: m.roll(v[0], 3), [V]),
    "flipud": (lambda m, x: m.flipud(x), [X]), "fliplr": (lambda m, b: b.fliplr(), [B]),
    "rot90": (lambda m, x: m.rot90(x), [X]), "rot90_2": (lambda m, x: x.rot90(2), [X]),
    "rot90_3": (lambda m, b: m.rot90(b, 3, (2, 0)), [B]), "rot90_neg": (lambda m, b: m.rot90(b, -1, (1, 2)), [B]),
    "rot90_0": (lambda m, x: m.rot90(x, 4), [X]),
    "tril": (lambda m, x: m.tril(x), [X]), "tril_k": (lambda m, b: b.tril(2), [B]),
    "triu": (lambda m, x: m.triu(x, -1), [X]), "triu_t": (lambda m, x: x.t().triu(1), [X]),
    "tril_bool": (lambda m, x: m.tril(x > 4, -1), [X]), "triu_int": (lambda m, x: m.triu(x.long(), 5), [X]),
    "diag_1d": (lambda m, v: m.diag(v), [V]), "diag_1d_k": (lambda m, v: m.diag(v, 2), [V]),
    "diag_1d_neg": (lambda m, v: v.diag(-1), [V]), "diag_2d": (lambda m, x: m.diag(x), [X]),
    "diag_2d_k": (lambda m, x: x.diag(2), [X]), "diag_2d_neg": (lambda m, x: m.diag(x.t(), -1), [X]),
    "diag_embed": (lambda m, x: m.diag_embed(x), [X]), "diag_embed_k": (lambda m, x: x.diag_embed(-2), [X]),
    "diag_embed_dims": (lambda m, x: m.diag_embed(x, 1, 0, 2), [X]),
    "diag_embed_dims2": (lambda m, b: m.diag_embed(b, -1, -1, 1), [B]),
    "diagflat": (lambda m, x: m.diagflat(x[:2, :2]), [X]), "diagflat_k": (lambda m, v: v.diagflat(1), [V]),
    "diagflat_0d": (lambda m, v: m.diagflat(v[0]), [V]),
    "trace": (lambda m, x: m.trace(x), [X]), "trace_t": (lambda m, x: x.t().trace(), [X]),
    "trace_int": (lambda m, x: m.trace(x.int()), [X]),
    "tensor_split": (lambda m, x: m.tensor_split(x, 3, 1), [X]),
    "tensor_split_idx": (lambda m, b: b.tensor_split([1, -1, 9], dim=2), [B]),
    "tensor_split_t": (lambda m, x: m.tensor_split(x, m.tensor(2)), [X]),
    "tensor_split_t1": (lambda m, x: m.tensor_split(x, m.tensor([1, 2]), 1), [X]),
    "hsplit": (lambda m, x: m.hsplit(x, 2), [X]), "hsplit_1d": (lambda m, v: m.hsplit(v, [1]), [V]),
    "vsplit": (lambda m, x: x.vsplit([2]), [X]), "dsplit": (lambda m, b: m.dsplit(b, 2), [B]),
    "diff": (lambda m, x: m.diff(x), [X]), "diff_n": (lambda m, x: x.diff(2, 0), [X]),
    "diff_edges": (lambda m, x: m.diff(x, 1, 0, prepend=x[:1] * 3, append=x[1:] ** 2), [X]),
    "diff_long": (lambda m, x: m.diff(x.long(), 5), [X]), "diff_bool": (lambda m, x: m.diff(x > 5, dim=0), [X]),
    "diff_zero": (lambda m, x: m.diff(x, 0), [X]),
    "repeat_interleave": (lambda m, x: m.repeat_interleave(x, 2), [X]),
    "repeat_interleave_dim": (lambda m, x: x.repeat_interleave(3, -1), [X]),
    "repeat_interleave_t": (lambda m, x: m.repeat_interleave(x, m.tensor([2, 0, 1]), 0), [X]),
    "repeat_interleave_t1": (lambda m, x: m.repeat_interleave(x, m.tensor([2]), 1), [X]),
    "repeat_interleave_0d": (lambda m, x: x.repeat_interleave(m.tensor(2)), [X]),
    "repeat_interleave_idx": (lambda m, x: m.repeat_interleave(m.tensor([3, 0, 2, 1])), [X]),
    "repeat_interleave_out": (lambda m, x: m.repeat_interleave(x, m.tensor([1, 2, 1]), 0, output_size=4), [X]),
    "cartesian_prod": (lambda m, v, x: m.cartesian_prod(v, x[0], v[:2]), [V, X]),
    "cartesian_prod_1": (lambda m, v: m.cartesian_prod(v), [V]),
    "block_diag": (lambda m, x, v: m.block_diag(x, v, v[0], x[:2, :1].long()), [X, V]),
    "block_diag_empty": (lambda m, x: m.block_diag(x[:0], x[:, :0], x[:1]), [X]),
}


@pytest.mark.parametrize("name", sorted(SHAPE_CASES))
def test_shape_ops(name):
    fn, arrays = SHAPE_CASES[name]
    got, want = both(fn, *arrays)
    assert_same(got, want, exact=True)
    for g, w in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
        assert g.stride() == w.stride(), (g.stride(), w.stride())


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("size", [(4, 4, 0), (3, 5, 1), (5, 3, -2), (1, 4, 0), (4, 1, 2), (0, 3, 0), (3, 0, 1),
                                  (6, 6, -9), (6, 6, 9), (7, 4, -1), (9, 11, 3)])
def test_triangle_indices(size, upper):
    torch = torch_or_skip()
    fn = "triu_indices" if upper else "tril_indices"
    assert_same(getattr(lg, fn)(*size), getattr(torch, fn)(*size), exact=True)


def test_triangle_indices_dtype():
    torch = torch_or_skip()
    assert_same(lg.tril_indices(3, 4, 1, dtype=lg.int32), torch.tril_indices(3, 4, 1, dtype=torch.int32), exact=True)


def test_views_share_storage():
    """movedim, ravel of a contiguous tensor, broadcast_tensors, meshgrid and the splits are views, as in torch."""
    x = lg.arange(12.0).reshape(3, 4)
    views = (x.movedim(0, 1), x.ravel(), lg.broadcast_tensors(x[:1], x)[0],
             lg.meshgrid(x[0], x[:, 0], indexing="ij")[0], x.tensor_split(2)[1], lg.hsplit(x, 2)[0], lg.atleast_3d(x))
    for v in views:
        assert v._storage is x._storage


# ---- products ---------------------------------------------------------------------------------------

M23, M34, M24 = (RNG.standard_normal(s) for s in ((2, 3), (3, 4), (2, 4)))
B234, B245, B345 = (RNG.standard_normal(s) for s in ((2, 3, 4), (2, 4, 5), (3, 4, 5)))

PRODUCT_CASES = {
    "addmm": (lambda m, i, a, b: m.addmm(i, a, b), [M24, M23, M34]),
    "addmm_scaled": (lambda m, i, a, b: m.addmm(i[0], a, b, beta=0.5, alpha=-2), [M24, M23, M34]),
    "addmm_beta0": (lambda m, i, a, b: (i * NAN).addmm(a, b, beta=0), [M24, M23, M34]),
    "addmm_int": (lambda m, i, a, b: m.addmm(i.long(), a.long(), b.long(), beta=0.5, alpha=2.5), [M24, M23, M34]),
    "addmv": (lambda m, a, v: m.addmv(v[:2], a, v, alpha=3), [M23, V]),
    "addmv_0d": (lambda m, a, v: m.addmv(v[0], a, v, beta=2), [M23, V]),
    "addbmm": (lambda m, a, b: m.addbmm(a[0, :, :1], a, b, beta=2), [B234, B245]),
    "baddbmm": (lambda m, a, b: m.baddbmm(a[:, :, :1], a, b, alpha=0.25), [B234, B245]),
    "addr": (lambda m, v, x: m.addr(x[:, :3], v, v, beta=3), [V, X]),
    "addr_promote": (lambda m, v, x: m.addr(x[:3, :3].float(), v.long(), v, alpha=2), [V, X]),
    "addr_bool": (lambda m, v, x: m.addr(x[:, :3] > 5, v > 0, v > 1), [V, X]),
    "tensordot": (lambda m, a, b: m.tensordot(a, b), [B234, B345]),
    "tensordot_1": (lambda m, a, b: m.tensordot(a, b, 1), [B234, B245[0]]),
    "tensordot_lists": (lambda m, a, b: m.tensordot(a, b, ([0, 2], [0, 1])), [B234, B245]),
    "tensordot_0": (lambda m, a, b: m.tensordot(a, b, 0), [M23, M34]),
    "tensordot_all": (lambda m, a, b: m.tensordot(a, b, dims=([0, 1], [0, 1])), [M23, M23]),
    "kron": (lambda m, a, b: m.kron(a, b), [M23, M34]), "kron_ranks": (lambda m, a, v: a.kron(v), [B234, V]),
    "kron_0d": (lambda m, a, v: m.kron(v[0], a), [M23, V]),
    "cross": (lambda m, a, b: m.cross(a, b, dim=1), [M23, M23[::-1].copy()]),
    "cross_broadcast": (lambda m, a, b: m.linalg.cross(a.t()[:, None], b[None]), [M34[:, :3], M23]),
    "cross_dim0": (lambda m, a, b: a.cross(b, 0), [M34[:, :3], M34[:, 1:]]),
    "cross_int": (lambda m, a, b: m.linalg.cross(a.long(), b.long(), dim=0), [M34 * 5, M34 * 3]),
    "cdist": (lambda m, a, b: m.cdist(a, b), [M34, M24]),
    "cdist_batch": (lambda m, a, b: m.cdist(a, b[:1], p=1), [B234, B245.transpose(0, 2, 1)]),
    "cdist_p": (lambda m, a, b: m.cdist(a, b, p=3.5), [M34, M24]),
    "cdist_inf": (lambda m, a, b: m.cdist(a, b, p=INF), [M34, M24]),
    "cdist_0": (lambda m, a, b: m.cdist(a.round(), b.round(), p=0), [M34, M24]),
    "cdist_same": (lambda m, a, b: m.cdist(a, a), [M34, M24]),
    "dist": (lambda m, a, b: m.dist(a, b), [M23, M23[0]]), "dist_p": (lambda m, a, b: a.dist(b, 0.5), [M23, M23]),
    "dist_inf": (lambda m, a, b: m.dist(a, b, -INF), [M23, M34[:2, :3]]),
    "dist_mixed": (lambda m, a, b: m.dist(a.float(), b), [M23, M23[::-1].copy()]),
}


@pytest.mark.parametrize("name", sorted(PRODUCT_CASES))
def test_products(name):
    fn, arrays = PRODUCT_CASES[name]
    assert_same(*both(fn, *arrays))


@pytest.mark.parametrize("equation, shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("ii", [(3, 3)]), ("ii->i", [(3, 3)]),
    ("ij->", [(2, 3)]), ("ij->ji", [(2, 3)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]), ("i,j->ij", [(3,), (4,)]),
    ("i,i->", [(3,), (3,)]), ("ij,ij->ij", [(2, 3), (2, 3)]), ("...ij,...jk", [(2, 3, 4), (4, 2)]),
    ("i...->...", [(2, 3, 4)]), ("...ij,...jk->...ik", [(5, 1, 2, 3), (4, 3, 2)]), ("Ab,bA", [(2, 3), (3, 2)]),
    ("bA", [(2, 3)]), ("iij->j", [(2, 2, 3)]), ("ij,ij,ij->", [(2, 3), (2, 3), (2, 3)]), (",i->i", [(), (3,)]),
    ("ij,ij->ij", [(3, 3), (1, 3)]), ("ijk,jl,lk->il", [(2, 3, 4), (3, 5), (5, 4)]), ("iii->i", [(3, 3, 3)]),
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]), ("i,j,k->", [(2,), (3,), (4,)]),
    ("ij...,jk...->ik", [(2, 3, 4), (3, 2, 4)]), ("ji,jk->ki", [(3, 2), (3, 0)]),
    (" i j , j k -> i k ", [(2, 3), (3, 2)]),
    ("ij,jk->", [(2, 3), (3, 4)]), ("bij,bkj->bki", [(2, 3, 4), (1, 5, 4)]),
])
def test_einsum(equation, shapes):
    arrays = [RNG.standard_normal(s) for s in shapes]
    assert_same(*both(lambda m, *ops: m.einsum(equation, *ops), *arrays))


def test_einsum_operand_list_and_sublists():
    a, b = RNG.standard_normal((2, 3)), RNG.standard_normal((3, 4))
    assert_same(*both(lambda m, x, y: m.einsum("ij,jk", [x, y]), a, b))
    assert_same(*both(lambda m, x, y: m.einsum(x, [0, 27], y, [27, 30], [30, 0]), a, b))
    assert_same(*both(lambda m, x: m.einsum(x, [Ellipsis, 1]), a))


@pytest.mark.parametrize("equation, shapes", [
    ("...a,...a->", [(3, 2, 5), (3, 4, 5)]), ("a...,...->", [(2, 3, 4), (1, 5)]), ("...,...->", [(2, 3), (1, 2, 4)]),
    ("ij,ik", [(2, 3), (3, 4)]), ("ii", [(2, 3)]), ("ij,jk->ikk", [(2, 3), (3, 4)]),
])
def test_einsum_refusals_name_the_dimension_at_fault(equation, shapes):
    raises_like_torch(lambda m: m.einsum(equation, *[m.ones(s) for s in shapes]), RuntimeError)


# ---- autograd: torch's node names and gradients ---------------------------------------------------------

# name -> (function, input shapes, input range)
GRAD_CASES = {
    "acosh": (lambda m, x: m.acosh(x), [(3, 4)], (1.1, 3)), "asinh": (lambda m, x: m.asinh(x - 0.5), [(3, 4)], None),
    "atanh": (lambda m, x: m.atanh(x), [(3, 4)], None), "erfc": (lambda m, x: m.erfc(x * 8 - 4), [(3, 4)], None),
    "hypot": (lambda m, x, y: m.hypot(x, y), [(3, 4), (4,)], None),
    "logaddexp": (lambda m, x, y: m.logaddexp(x, y), [(3, 4), (4,)], None),
    "logaddexp2": (lambda m, x, y: m.logaddexp2(x, y), [(3, 4), (4,)], None),
    "deg2rad": (lambda m, x: m.deg2rad(x), [(3,)], None), "rad2deg": (lambda m, x: m.rad2deg(x), [(3,)], None),
    "frac": (lambda m, x: m.frac(x * 5), [(3,)], None),
    "xlogy": (lambda m, x, y: m.xlogy(x, y), [(3, 4), (4,)], None),
    "xlogy_scalar_self": (lambda m, y: m.xlogy(2.0, y), [(3, 4)], None),
    "xlogy_scalar_other": (lambda m, x: m.xlogy(x, 3.0), [(3, 4)], None),
    "logit": (lambda m, x: m.logit(x * 1.4 - 0.2), [(3, 4)], None),
    "logit_eps": (lambda m, x: m.logit(x, 0.3), [(3, 4)], None),
    "sinc": (lambda m, x: m.sinc(x * 3 - 1), [(3, 4)], None),
    "copysign": (lambda m, x, y: m.copysign(x, y - 0.5), [(3, 4), (4,)], None),
    "copysign_scalar": (lambda m, x: m.copysign(x, -1.0), [(3, 4)], None),
    "sgn": (lambda m, x: m.sgn(x - 0.5), [(3, 4)], None),
    "fmax": (lambda m, x, y: m.fmax(x, y), [(3, 4), (4,)], None),
    "fmin": (lambda m, x, y: m.fmin(x, y.round()), [(3, 4), (4,)], None),
    "nansum": (lambda m, x: m.nansum(x.log() - 1, 1), [(3, 4)], (-0.5, 2)),
    "nanmean": (lambda m, x: m.nanmean(x.log(), 0, keepdim=True), [(3, 4)], (-0.5, 2)),
    "movedim": (lambda m, x: m.movedim(x, 0, 2), [(2, 3, 4)], None),
    "hstack": (lambda m, x, y: m.hstack([x, y]), [(3, 4), (3, 2)], None),
    "column_stack": (lambda m, x, y: m.column_stack([x, y]), [(3,), (3, 4)], None),
    "atleast_3d": (lambda m, x: m.atleast_3d(x), [(3,)], None),
    "ravel": (lambda m, x: m.ravel(x.t()), [(3, 4)], None),
    "broadcast_tensors": (lambda m, x, y: m.broadcast_tensors(x, y)[1], [(3, 4), (4,)], None),
    "meshgrid": (lambda m, x, y: m.meshgrid(x, y, indexing="xy")[0], [(3,), (4,)], None),
    "roll": (lambda m, x: m.roll(x, (1, -2), (0, 1)), [(3, 4)], None),
    "roll_flat": (lambda m, x: m.roll(x, 5), [(3, 4)], None),
    "rot90": (lambda m, x: m.rot90(x, 1, (1, 0)), [(3, 4)], None),
    "tril": (lambda m, x: m.tril(x, -1), [(3, 4)], None), "triu": (lambda m, x: m.triu(x, 1), [(2, 3, 4)], None),
    "diag_1d": (lambda m, x: m.diag(x, -1), [(3,)], None), "diag_2d": (lambda m, x: m.diag(x, 1), [(3, 4)], None),
    "diag_embed": (lambda m, x: m.diag_embed(x, 1, 0, 2), [(3, 4)], None),
    "diagflat": (lambda m, x: m.diagflat(x, -2), [(2, 2)], None), "trace": (lambda m, x: m.trace(x), [(3, 4)], None),
    "tensor_split": (lambda m, x: m.tensor_split(x, 3, 1)[1], [(3, 4)], None),
    "diff": (lambda m, x, y: m.diff(x, 2, 0, prepend=y), [(3, 4), (2, 4)], None),
    "repeat_interleave": (lambda m, x: m.repeat_interleave(x, 2, 1), [(3, 4)], None),
    "repeat_interleave_tensor": (lambda m, x: m.repeat_interleave(x, m.tensor([1, 0, 3]), 0), [(3, 4)], None),
    "cartesian_prod": (lambda m, x, y: m.cartesian_prod(x, y), [(3,), (2,)], None),
    "block_diag": (lambda m, x, y, z: m.block_diag(x, y, z), [(2, 3), (), (2,)], None),
    "addmm": (lambda m, i, a, b: m.addmm(i, a, b, beta=0.5, alpha=2), [(3,), (2, 4), (4, 3)], None),
    "addmv": (lambda m, i, a, b: m.addmv(i, a, b, beta=0.5, alpha=2), [(2,), (2, 4), (4,)], None),
    "addbmm": (lambda m, i, a, b: m.addbmm(i, a, b, beta=0.5, alpha=2), [(2, 3), (5, 2, 4), (5, 4, 3)], None),
    "baddbmm": (lambda m, i, a, b: m.baddbmm(i, a, b, beta=0.5, alpha=2), [(2, 3), (5, 2, 4), (5, 4, 3)], None),
    "addr": (lambda m, i, a, b: m.addr(i, a, b, beta=0.5, alpha=2), [(3, 4), (3,), (4,)], None),
    "tensordot": (lambda m, a, b: m.tensordot(a, b, ([0, 2], [2, 1])), [(2, 3, 4), (5, 4, 2)], None),
    "kron": (lambda m, a, b: m.kron(a, b), [(2, 3), (3, 2, 2)], None),
    "einsum": (lambda m, a, b: m.einsum("bij,bjk->bik", a, b), [(2, 3, 4), (2, 4, 2)], None),
    "einsum_trace": (lambda m, a: m.einsum("ii", a), [(3, 3)], None),
    "einsum_chain": (lambda m, a, b, c: m.einsum("ij,jk,ki->", a, b, c), [(2, 3), (3, 4), (4, 2)], None),
    "cross": (lambda m, a, b: m.cross(a, b, dim=0), [(3, 4), (3, 1)], None),
    "linalg_cross": (lambda m, a, b: m.linalg.cross(a, b), [(4, 3), (4, 3)], None),
    "cdist": (lambda m, a, b: m.cdist(a, b), [(3, 4), (5, 4)], None),
    "cdist_p1": (lambda m, a, b: m.cdist(a, b, p=1), [(2, 3, 4), (5, 4)], None),
    "cdist_p3": (lambda m, a, b: m.cdist(a, b, p=3), [(3, 4), (5, 4)], None),
    "cdist_inf": (lambda m, a, b: m.cdist(a, b, p=float("inf")), [(3, 4), (5, 4)], None),
    "dist": (lambda m, a, b: m.dist(a, b), [(3, 4), (4,)], None),
    "dist_p": (lambda m, a, b: m.dist(a, b, 1.5), [(3, 4), (4,)], None),
    "dist_inf": (lambda m, a, b: m.dist(a, b, float("inf")), [(3, 4), (4,)], None),
    "normal": (lambda m, a, b: m.normal(a, b), [(3, 4), (4,)], None),
    "normal_std": (lambda m, a: m.normal(a, 2.0), [(3,)], None),
    "normal_mean": (lambda m, b: m.normal(1.0, b), [(3,)], None),
    "bernoulli": (lambda m, p: m.bernoulli(p), [(3,)], None),
}


@pytest.mark.parametrize("name", sorted(GRAD_CASES))
def test_grad_fn_and_gradients(name):
    """The node torch records (by name) and the gradients of every input, in float64."""
    fn, shapes, bounds = GRAD_CASES[name]
    gradients_like_torch(fn, [uniform(*(bounds or (0.2, 0.9)), *s) for s in shapes],
                         check_values=not name.startswith(("normal", "bernoulli")))  # (random values differ)


@pytest.mark.parametrize("fn, message", [
    (lambda m, x: m.heaviside(x, x), "derivative for aten::heaviside is not implemented"),
    (lambda m, x: m.bernoulli(x, 0.5), "derivative for aten::bernoulli is not implemented"),
])
def test_not_differentiable(fn, message):
    x = lg.tensor([0.2, 0.7], requires_grad=True)
    out = fn(lg, x)
    assert type(out.grad_fn).__name__ == "NotImplemented"
    with pytest.raises(RuntimeError, match=message):
        out.sum().backward()


# ---- in-place forms -----------------------------------------------------------------------------------

INPLACE_CASES = {
    "hypot_": (lambda m, x, y: (x * 1).hypot_(y), "HypotBackward0"),
    "deg2rad_": (lambda m, x, y: (x * 1).deg2rad_(), "Deg2RadBackward0"),
    "rad2deg_": (lambda m, x, y: (x * 1).rad2deg_(), "Rad2DegBackward0"),
    "frac_": (lambda m, x, y: (x * 3).frac_(), "FracBackward0"),
    "erfc_": (lambda m, x, y: (x * 1).erfc_(), "ErfcBackward0"),
    "xlogy_": (lambda m, x, y: (x * 1).xlogy_(y), "XlogyBackward0"),
    "logit_": (lambda m, x, y: (x * 1).logit_(0.25), "LogitBackward0"),
    "sinc_": (lambda m, x, y: (x * 1).sinc_(), "SincBackward0"),
    "copysign_": (lambda m, x, y: (x * 1).copysign_(-2), "CopysignBackward1"),
    "sgn_": (lambda m, x, y: (x - 0.5).sgn_(), "SgnBackward0"),
    "tril_": (lambda m, x, y: (x * 1).tril_(), "TrilBackward0"),
    "triu_": (lambda m, x, y: (x * 1).triu_(1), "TriuBackward0"),
    "addmm_": (lambda m, x, y: (x * 1).addmm_(x, y.t(), beta=2), "AddmmBackward0"),
    "addr_": (lambda m, x, y: (x * 1).addr_(x[0], y[1], alpha=3), "AddrBackward0"),
    "addmv_": (lambda m, x, y: (x[0] * 1).addmv_(y, x[1]), "AddmvBackward0"),
    "baddbmm_": (lambda m, x, y: (x[None] * 1).baddbmm_(x[None], y[None].transpose(1, 2)), "BaddbmmBackward0"),
    "addbmm_": (lambda m, x, y: (x * 1).addbmm_(x[None], y[None].transpose(1, 2)), "AddbmmBackward0"),
}


@pytest.mark.parametrize("name", sorted(INPLACE_CASES))
def test_inplace_forms(name):
    """x.op_() writes into x (same object), records torch's node and gives torch's gradients."""
    torch = torch_or_skip()
    fn, node = INPLACE_CASES[name]
    a, b = uniform(0.2, 0.9, 3, 3), uniform(0.2, 0.9, 3, 3)
    xs = [lg.tensor(a, requires_grad=True), lg.tensor(b, requires_grad=True)]
    ts = [torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)]
    out_lg, out_t = fn(lg, *xs), fn(torch, *ts)
    assert type(out_lg.grad_fn).__name__ == type(out_t.grad_fn).__name__ == node
    assert_same(out_lg.detach(), out_t.detach())
    grads = lg.autograd.grad(out_lg.sum(), xs, allow_unused=True)
    want = torch.autograd.grad(out_t.sum(), ts, allow_unused=True, materialize_grads=True)
    assert_same(tuple(lg.zeros(3, 3, dtype=lg.float64) if g is None else g for g in grads), want)


@pytest.mark.parametrize("name", ["acosh_", "asinh_", "arctanh_"])
def test_inplace_inverse_hyperbolics(name):
    """torch records these in-place forms as ...Backward1 nodes without a derivative."""
    torch = torch_or_skip()
    a = uniform(1.2, 1.9, 3)
    x, t = lg.tensor(a, requires_grad=True) * 0.5, torch.tensor(a, requires_grad=True) * 0.5
    out, want = getattr(x, name)(), getattr(t, name)()
    assert out is x and type(out.grad_fn).__name__ == type(want.grad_fn).__name__
    assert_same(out.detach(), want.detach())
    with pytest.raises(NotImplementedError) as expected:
        want.sum().backward()
    with pytest.raises(NotImplementedError, match=str(expected.value)):
        out.sum().backward()


def test_inplace_keeps_the_tensor():
    x = lg.arange(9.0).reshape(3, 3)
    view = x[1:]
    assert x.tril_() is x and x.acosh_() is x
    assert_like_torch(view, torch_or_skip().arange(9.0).reshape(3, 3).tril().acosh()[1:])


# ---- random sampling ---------------------------------------------------------------------------------

def test_normal_overloads():
    lg.manual_seed(0)
    mean, std = lg.zeros(3, 1), lg.full((4,), 2.0, dtype=lg.float64)
    assert lg.normal(mean, std).shape == (3, 4) and lg.normal(mean, std).dtype is lg.float32
    assert lg.normal(mean.double(), 0.5).shape == (3, 1) and lg.normal(1.0, std).dtype is lg.float64
    assert lg.normal(2.0, 3.0, (2, 5)).shape == (2, 5) and lg.normal(0.0, 1.0, size=[7]).dtype is lg.float32
    assert lg.normal(0.0, 1.0, (3,), dtype=lg.float16).dtype is lg.float16
    assert lg.normal(0.0, 1.0, (3,), requires_grad=True).requires_grad
    x = lg.normal(5.0, 2.0, (200_000,), dtype=lg.float64)
    assert abs(x.mean().item() - 5.0) < 0.02 and abs(x.std().item() - 2.0) < 0.02
    y = lg.normal(lg.tensor([-100.0, 0.0, 100.0]), lg.tensor([0.0, 1e-3, 0.0]))
    assert y[0].item() == -100.0 and abs(y[1].item()) < 0.01 and y[2].item() == 100.0


def test_bernoulli():
    lg.manual_seed(1)
    p = lg.tensor([0.0, 1.0, 0.25]).expand(50_000, 3)
    s = lg.bernoulli(p)
    assert s.dtype is lg.float32 and set(np.unique(s.numpy())) <= {0.0, 1.0}
    freq = s.mean(0).numpy()
    assert freq[0] == 0 and freq[1] == 1 and abs(freq[2] - 0.25) < 0.01
    assert abs(lg.bernoulli(lg.zeros(40_000, dtype=lg.float64), 0.75).mean().item() - 0.75) < 0.01
    x = lg.zeros(40_000, dtype=lg.int64)
    assert x.bernoulli_(0.5) is x and x.dtype is lg.int64 and abs(x.double().mean().item() - 0.5) < 0.01
    y = lg.zeros(2, 20_000, dtype=lg.float16).bernoulli_(lg.tensor([[0.1], [0.9]]))
    assert np.allclose(y.float().mean(1).numpy(), [0.1, 0.9], atol=0.01)


def test_sampling_is_reproducible_on_every_backend():
    """The in-kernel generator: one seed gives one sequence on the compiled and the interpreted back end,
    and a Generator passed as generator= has its own state."""
    values = drawn_on_every_backend(lambda gen: [
        lg.normal(lg.zeros(5), 2.0).numpy().copy(), lg.bernoulli(lg.full((5,), 0.5)).numpy().copy(),
        lg.normal(0.0, 1.0, (4,), generator=gen).numpy().copy(),
        lg.zeros(6).bernoulli_(0.3, generator=gen).numpy().copy()], seed=123, generator_seed=9)
    for a, b in zip(*values):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert not np.array_equal(values[0][0], lg.normal(lg.zeros(5), 2.0).numpy())


def test_sampling_gradients_are_zero():
    mean = lg.tensor([1.0, 2.0], requires_grad=True)
    std = lg.tensor([0.5, 0.1], requires_grad=True)
    out = lg.normal(mean, std)
    assert type(out.grad_fn).__name__ == "NormalBackward3"
    out.sum().backward()
    assert mean.grad.tolist() == [0.0, 0.0] and std.grad.tolist() == [0.0, 0.0]
    y = mean * 1
    y.bernoulli_(std)
    assert type(y.grad_fn).__name__ == "BernoulliBackward1"


# ---- laziness ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda a, b: lg.acosh(a + 1), lambda a, b: lg.asinh(a), lambda a, b: lg.hypot(a, b),
    lambda a, b: lg.logaddexp(a, b), lambda a, b: lg.erfc(a), lambda a, b: lg.fmax(a, b), lambda a, b: lg.sinc(a),
    lambda a, b: lg.logit(a, 0.1), lambda a, b: lg.tril(a), lambda a, b: lg.roll(a, 1, 1), lambda a, b: lg.rot90(a),
    lambda a, b: lg.diag_embed(a), lambda a, b: lg.trace(a), lambda a, b: lg.addmm(b, a.t(), a),
    lambda a, b: lg.cdist(a, a), lambda a, b: lg.dist(a, b), lambda a, b: lg.kron(a, a),
    lambda a, b: lg.linalg.cross(a[:, :3], a[:, 1:]), lambda a, b: lg.nansum(a, 1), lambda a, b: lg.isclose(a, a),
    lambda a, b: lg.normal(a, b), lambda a, b: lg.bernoulli(a), lambda a, b: lg.block_diag(a, a),
    lambda a, b: lg.einsum("ij,kj->ik", a, a), lambda a, b: lg.diff(a), lambda a, b: lg.hstack([a, a]) * 2,
])
def test_composites_stay_lazy_and_fuse(make):
    """Each composite builds graph only, and realizes as a single kernel over realized inputs."""
    a, b = lg.rand(3, 4).realize(), lg.rand(4).realize()
    y = make(a, b)
    assert not y._storage.is_realized
    assert len(lg.schedule(y)) == 1


# ---- errors -------------------------------------------------------------------------------------------

def _errors():
    x = np.ones((3, 3))
    v = np.ones(3)
    b = np.ones((2, 3, 4))
    i = np.arange(6).reshape(2, 3)
    return [
        (lambda m: m.hypot(m.tensor(i), m.tensor(i)), NotImplementedError),
        (lambda m: m.logaddexp(m.tensor(x), 1.0), TypeError),
        (lambda m: m.frac(m.tensor(i)), NotImplementedError),
        (lambda m: m.heaviside(m.tensor(x), m.tensor(x).float()), RuntimeError),
        (lambda m: m.positive(m.tensor(x) > 0), RuntimeError),
        (lambda m: m.nanmean(m.tensor(i)), RuntimeError),
        (lambda m: m.isclose(m.tensor(x), m.tensor(x).float()), RuntimeError),
        (lambda m: m.isclose(m.tensor(x), m.tensor(x), rtol=-1), RuntimeError),
        (lambda m: m.movedim(m.tensor(b), (0, 1), (0,)), RuntimeError),
        (lambda m: m.movedim(m.tensor(b), (0, -3), (0, 1)), RuntimeError),
        (lambda m: m.hstack([]), RuntimeError),
        (lambda m: m.meshgrid([], indexing="ij"), RuntimeError),
        (lambda m: m.meshgrid(m.tensor(v), indexing="yx"), RuntimeError),
        (lambda m: m.meshgrid(m.tensor(v), m.tensor(v).float(), indexing="ij"), RuntimeError),
        (lambda m: m.roll(m.tensor(x), (1, 2), 0), RuntimeError),
        (lambda m: m.roll(m.tensor(x), ()), RuntimeError),
        (lambda m: m.roll(m.tensor(1.0), 1, 0), IndexError),
        (lambda m: m.flipud(m.tensor(1.0)), RuntimeError),
        (lambda m: m.fliplr(m.tensor(v)), RuntimeError),
        (lambda m: m.rot90(m.tensor(b), 1, (0, 1, 2)), RuntimeError),
        (lambda m: m.rot90(m.tensor(v)), RuntimeError),
        (lambda m: m.rot90(m.tensor(x), 1, (0, -2)), RuntimeError),
        (lambda m: m.tril(m.tensor(v)), RuntimeError),
        (lambda m: m.tril_indices(-1, 3), RuntimeError),
        (lambda m: m.triu_indices(3, 3, dtype=m.float32), NotImplementedError),
        (lambda m: m.diag(m.tensor(b)), RuntimeError),
        (lambda m: m.diag_embed(m.tensor(x), 0, 1, -2), RuntimeError),
        (lambda m: m.trace(m.tensor(v)), RuntimeError),
        (lambda m: m.trace(m.tensor(x) > 0), NotImplementedError),
        (lambda m: m.tensor_split(m.tensor(x), 0), RuntimeError),
        (lambda m: m.tensor_split(m.tensor(x), m.tensor([1.0])), RuntimeError),
        (lambda m: m.hsplit(m.tensor(x), 2), RuntimeError),
        (lambda m: m.vsplit(m.tensor(v), 1), RuntimeError),
        (lambda m: m.dsplit(m.tensor(b), 3), RuntimeError),
        (lambda m: m.diff(m.tensor(1.0)), RuntimeError),
        (lambda m: m.diff(m.tensor(x), -1), RuntimeError),
        (lambda m: m.diff(m.tensor(x), prepend=m.tensor(v)), RuntimeError),
        (lambda m: m.diff(m.tensor(x), dim=0, prepend=m.tensor(np.ones((2, 2)))), RuntimeError),
        (lambda m: m.repeat_interleave(m.tensor(x), -1), RuntimeError),
        (lambda m: m.repeat_interleave(m.tensor(v), m.tensor([1, -1, 1])), RuntimeError),
        (lambda m: m.repeat_interleave(m.tensor(x), m.tensor([1, 2]), 0), RuntimeError),
        (lambda m: m.repeat_interleave(m.tensor(x), m.tensor([[1, 2, 1]]), 0), RuntimeError),
        (lambda m: m.repeat_interleave(m.tensor(x), m.tensor([1.0, 2.0, 1.0]), 0), NotImplementedError),
        (lambda m: m.cartesian_prod(m.tensor(x), m.tensor(v)), RuntimeError),
        (lambda m: m.block_diag(m.tensor(x), m.tensor(b)), RuntimeError),
        (lambda m: m.addmm(m.tensor(x), m.tensor(v), m.tensor(x)), RuntimeError),
        (lambda m: m.addmm(m.tensor(x), m.tensor(x), m.tensor(np.ones((2, 3)))), RuntimeError),
        (lambda m: m.addmm(m.tensor(np.ones(2)), m.tensor(x), m.tensor(x)), RuntimeError),
        (lambda m: m.addmm(m.tensor(x), m.tensor(x).float(), m.tensor(x)), RuntimeError),
        (lambda m: m.addmm(m.tensor(x).float(), m.tensor(x), m.tensor(x)), RuntimeError),
        (lambda m: m.addmv(m.tensor(v), m.tensor(x), m.tensor(x)), RuntimeError),
        (lambda m: m.addmv(m.tensor(v), m.tensor(x), m.tensor(np.ones(2))), RuntimeError),
        (lambda m: m.addbmm(m.tensor(x), m.tensor(b), m.tensor(np.ones((3, 4, 3)))), RuntimeError),
        (lambda m: m.addbmm(m.tensor(b[0]), m.tensor(b), m.tensor(b)), RuntimeError),
        (lambda m: m.baddbmm(m.tensor(x), m.tensor(x), m.tensor(x)), IndexError),
        (lambda m: m.baddbmm(m.tensor(b), m.tensor(b), m.tensor(b)), RuntimeError),
        (lambda m: m.addr(m.tensor(x), m.tensor(x), m.tensor(v)), RuntimeError),
        (lambda m: m.addr(m.tensor(i[:1]), m.tensor(i[0]), m.tensor(i[0]), beta=1.5), RuntimeError),
        (lambda m: m.tensordot(m.tensor(x), m.tensor(x), -1), RuntimeError),
        (lambda m: m.tensordot(m.tensor(x), m.tensor(b), ([1], [2])), RuntimeError),
        (lambda m: m.tensordot(m.tensor(x), m.tensor(x).float()), RuntimeError),
        (lambda m: m.tensordot(m.tensor(x), m.tensor(b), ([0, 1], [1])), RuntimeError),
        (lambda m: m.cross(m.tensor(np.ones((2, 2))), m.tensor(np.ones((2, 2)))), RuntimeError),
        (lambda m: m.linalg.cross(m.tensor(np.ones((3, 2))), m.tensor(np.ones((3, 2)))), RuntimeError),
        (lambda m: m.linalg.cross(m.tensor(np.ones((4, 3))), m.tensor(v)), RuntimeError),
        (lambda m: m.linalg.cross(m.tensor(v), m.tensor(v).long()), RuntimeError),
        (lambda m: m.cdist(m.tensor(v), m.tensor(v)), RuntimeError),
        (lambda m: m.cdist(m.tensor(x), m.tensor(np.ones((2, 2)))), RuntimeError),
        (lambda m: m.cdist(m.tensor(x), m.tensor(x), p=-1), RuntimeError),
        (lambda m: m.cdist(m.tensor(i), m.tensor(i)), RuntimeError),
        (lambda m: m.dist(m.tensor(i), m.tensor(i)), RuntimeError),
        (lambda m: m.einsum("ij", m.tensor(v)), RuntimeError),
        (lambda m: m.einsum("ij,jk", m.tensor(x)), RuntimeError),
        (lambda m: m.einsum("ij", m.tensor(x), m.tensor(x)), RuntimeError),
        (lambda m: m.einsum("ij->ii", m.tensor(x)), RuntimeError),
        (lambda m: m.einsum("ij->k", m.tensor(x)), RuntimeError),
        (lambda m: m.einsum("i1", m.tensor(x)), RuntimeError),
        (lambda m: m.einsum("ij,ij->", m.tensor(x), m.tensor(np.ones((2, 3)))), RuntimeError),
        (lambda m: m.einsum("ij,jk", m.tensor(x), m.tensor(x).float()), RuntimeError),
        (lambda m: m.einsum("...i...", m.tensor(b)), RuntimeError),
        (lambda m: m.einsum("i.j", m.tensor(x)), RuntimeError),
        (lambda m: m.einsum("ii", m.tensor(np.ones((2, 3)))), RuntimeError),
        (lambda m: m.einsum("ijk", m.tensor(x)), RuntimeError),
        (lambda m: m.einsum("ij"), ValueError),
        (lambda m: m.einsum(m.tensor(x), [0, 55]), ValueError),
        (lambda m: m.normal(0.0, -1.0, (2,)), RuntimeError),
        (lambda m: m.normal(m.tensor(x), -1.0), RuntimeError),
        (lambda m: m.normal(m.tensor(i), 1.0), NotImplementedError),
        (lambda m: m.normal(m.zeros(3), m.ones(4)), RuntimeError),
        (lambda m: m.bernoulli(m.tensor(i)), NotImplementedError),
        (lambda m: m.bernoulli(m.tensor(x), 2.0), RuntimeError),
        (lambda m: m.tensor(x).bernoulli_(-0.5), RuntimeError),
        (lambda m: m.bernoulli(m.tensor(x + 1)), RuntimeError),
    ]


@pytest.mark.parametrize("index", range(len(_errors())))
def test_errors_match_torch(index):
    """torch's exception class and message for bad input."""
    raises_like_torch(*_errors()[index])


def test_warnings():
    """meshgrid without indexing= and torch.cross without dim= warn as torch does."""
    v = lg.arange(3.0)
    with pytest.warns(UserWarning, match="it will be required to pass the indexing argument"):
        lg.meshgrid(v, v)
    with pytest.warns(UserWarning, match="Using torch.cross without specifying the dim arg is deprecated"):
        lg.cross(lg.ones(2, 3), lg.ones(2, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lg.meshgrid(v, v, indexing="xy")
        lg.cross(lg.ones(2, 3), lg.ones(2, 3), dim=1)


def test_xlogy_gradient_where_x_is_zero():
    """d/dx xlogy(x, y) is log(y) at x = 0 too (0 only where y <= 0 there), as torch's."""
    x, y = np.array([0.0, 0.0, 0.0, 1.0, 0.0]), np.array([2.0, 0.0, -1.0, 2.0, 0.5])
    gradients_like_torch(lambda m, a, b: m.xlogy(a, b), [x, y])
    gradients_like_torch(lambda m, a, b: m.xlogy(a, 3.0) * b, [x, y])
