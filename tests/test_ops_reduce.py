"""Reductions, scans and products against torch (the oracle) and numpy, on both back ends: dims (int,
negative, tuple, None), keepdim, the numpy spellings axis=/keepdims=, result dtypes, ties and NaN in
max/min/argmax, accumulation accuracy on large inputs, and dot/mv/mm/matmul/bmm/outer."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

import lazygrad as lg
from oracle import assert_like_torch, torch_of, torch_or_skip

ALL = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
FLOATS = ["float16", "float32", "float64"]


# ---- helpers -------------------------------------------------------------------------------------

def data(dtype: str, shape, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return np.asarray(rng.integers(0, 2, shape).astype(bool))
    if dtype == "uint8":
        return np.asarray(rng.integers(0, 5, shape).astype(np.uint8))
    if dtype.startswith("int"):
        return np.asarray(rng.integers(-5, 5, shape).astype(dtype))
    return np.asarray(rng.standard_normal(shape)).astype(dtype)


def assert_like_numpy(out, expected, *, rtol: float = 1e-6, atol: float = 1e-6) -> None:
    expected = np.asarray(expected)
    assert isinstance(out, lg.Tensor)
    assert out.dtype.name == str(expected.dtype), (out.dtype.name, expected.dtype)
    got = out.numpy()
    assert got.shape == expected.shape, (got.shape, expected.shape)
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)


X = data("float32", (3, 4, 5), 0)
DIMS = [None, 0, -1, (-1, 0), ()]


def dim_kw(dim):
    return {} if dim is None else {"dim": dim}


# ---- reductions over dims, float32 ----------------------------------------------------------------

REDUCTIONS = ["sum", "mean", "prod", "amax", "amin", "all", "any", "logsumexp", "var", "std", "norm",
              "count_nonzero"]
INT_DIM_ONLY = {"prod"}  # torch's prod takes a single int dim
NEEDS_DIM = {"logsumexp"}
NO_KEEPDIM = {"count_nonzero"}
REDUCE_CASES = [(op, d) for op in REDUCTIONS for d in DIMS
                if not (op in INT_DIM_ONLY and isinstance(d, tuple))
                and not (op in NEEDS_DIM and d is None)
                and not (d == () and op not in ("sum", "mean", "amax", "amin"))]


@pytest.mark.parametrize("op,dim", REDUCE_CASES, ids=[f"{o}-dim={d}" for o, d in REDUCE_CASES])
def test_reduction_dims_vs_torch(backend, op, dim):
    """Function and method forms, keepdim False and True, against torch."""
    torch = pytest.importorskip("torch")
    x, t = lg.tensor(X), torch_of(X)
    if op == "count_nonzero":
        a = X.copy()
        a[a < 0] = 0
        x, t = lg.tensor(a), torch_of(a)
        assert_like_torch(lg.count_nonzero(x, **dim_kw(dim)), torch.count_nonzero(t, **dim_kw(dim)))
        assert_like_torch(x.count_nonzero(**dim_kw(dim)), t.count_nonzero(**dim_kw(dim)))
        return
    for keepdim in (False, True):
        kw = dict(dim_kw(dim))
        if dim is not None or op not in ("sum", "mean", "prod"):
            kw["keepdim"] = keepdim  # torch's sum(x) without dim takes no keepdim
        elif keepdim:
            continue
        assert_like_torch(getattr(lg, op)(x, **kw), getattr(torch, op)(t, **kw), rtol=1e-5, atol=1e-6)
        assert_like_torch(getattr(x, op)(**kw), getattr(t, op)(**kw), rtol=1e-5, atol=1e-6)


def test_reductions_vs_numpy(backend):
    """The same values against numpy (runs without torch)."""
    x = lg.tensor(X)
    assert_like_numpy(x.sum(), X.sum(dtype=np.float32), rtol=1e-5)
    assert_like_numpy(x.sum(1), X.sum(1))
    assert_like_numpy(x.sum((0, 2), keepdim=True), X.sum((0, 2), keepdims=True))
    assert_like_numpy(x.mean(-1), X.mean(-1))
    assert_like_numpy(x.prod(0), X.prod(0))
    assert_like_numpy(x.amax(1), X.max(1), rtol=0, atol=0)
    assert_like_numpy(x.amin((0, 1)), X.min((0, 1)), rtol=0, atol=0)
    assert_like_numpy(x.var(2), X.var(2, ddof=1), rtol=1e-5)
    assert_like_numpy(x.std(0, correction=0), X.std(0), rtol=1e-5)
    assert_like_numpy(x.logsumexp(1), np.log(np.exp(X.astype(np.float64)).sum(1)).astype(np.float32), rtol=1e-5)
    assert_like_numpy((x > 0).all(1), (X > 0).all(1), rtol=0)
    assert_like_numpy((x > 0).any(0), (X > 0).any(0), rtol=0)
    assert_like_numpy(x.cumsum(1), X.cumsum(1), rtol=1e-5)
    assert_like_numpy(x.cumprod(-1), X.cumprod(-1), rtol=1e-5)


def test_long_float32_sums_keep_their_digits(backend):
    """float32 sums and running sums accumulate in double (as torch's cascade and its double running sums keep
    the digits): a million tenths sum to the float nearest their float64 sum, not 0.07% off."""
    tenths = np.full(10 ** 6, 0.1, dtype=np.float32)
    exact = np.float32(tenths.astype(np.float64).sum())
    x = lg.tensor(tenths)
    assert x.sum().item() == exact
    assert x.mean().item() == np.float32(exact / 10 ** 6)
    assert x.cumsum(0)[-1].item() == exact
    assert x.reshape(1000, 1000).sum(0).numpy()[0] == np.float32(tenths[:1000].astype(np.float64).sum())
    assert (x * x).sum().item() == np.float32((tenths * tenths).astype(np.float64).sum())  # (float squares)


def test_float32_running_products_and_log_sum_exps_accumulate_in_double(backend):
    """torch's CPU scans accumulate float32 in double: cumprod and logcumsumexp over long rows round each running
    value once from the double one (float lanes were tens of ulps off by the end of a 1000-long row)."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal((4, 1000)).astype(np.float32)
    factors = 1 + x / 1000
    want_prod = np.cumprod(factors.astype(np.float64), axis=1).astype(np.float32)
    np.testing.assert_array_equal(lg.tensor(factors).cumprod(1).numpy(), want_prod)
    want_lse = np.logaddexp.accumulate(x.astype(np.float64), axis=1).astype(np.float32)
    got = lg.tensor(x).logcumsumexp(1).numpy()
    assert np.abs(got - want_lse).max() <= np.spacing(np.abs(want_lse)).max()


def test_sums_of_one_negative_zero_start_from_zero(backend):
    """A sum (or running sum, or log-sum-exp) over one term is 0 + x, as torch's starts from its identity: -0.0
    gives +0.0 (printed `tensor(0.)`); a product or a maximum keeps the term itself."""
    x = lg.tensor([[-0.0]])
    y = lg.tensor([[-0.0, -0.0]], dtype=lg.float64)
    positive = [x.sum(), x.sum(0), x.sum(1, keepdim=True), x.mean(), x.nansum(), x.cumsum(0), x.logcumsumexp(0),
                y.sum(0), y.mean(0), y.to(lg.float16).sum(0).float(), y.cumsum(1), lg.tensor(-0.0).sum(),
                lg.einsum("ij->j", y), y.to(lg.complex128).sum(0).real]
    for t in positive:
        assert not np.signbit(t.numpy()).any(), t
    assert np.signbit(x.prod().item()) and np.signbit(x.amax().item())
    assert str(lg.tensor([-0.0]).sum()) == "tensor(0.)"


def _fsum_rows(a: np.ndarray) -> np.ndarray:
    """The correctly rounded sum of each row of a 2-D array."""
    return np.array([math.fsum(row) for row in a])


def test_long_float64_sums_are_cascaded(backend):
    """A long float64 sum keeps its digits as torch's cascade does (plain double lanes over 1e7 values were
    2.5e-12 off): full, per row, per column, over several axes, and complex."""
    rng = np.random.default_rng(0)
    a = rng.random(4_000_000) + 0.5
    x = lg.tensor(a)
    assert abs(x.sum().item() - math.fsum(a)) <= 4e-15 * math.fsum(a)
    rows = a.reshape(400, 10_000)
    np.testing.assert_allclose(lg.tensor(rows).sum(1).numpy(), _fsum_rows(rows), rtol=4e-15, atol=0)
    cols = a.reshape(1_000_000, 4)
    np.testing.assert_allclose(lg.tensor(cols).sum(0).numpy(), _fsum_rows(cols.T), rtol=4e-15, atol=0)
    cube = a.reshape(100, 400, 100)
    want = _fsum_rows(cube.transpose(1, 0, 2).reshape(400, -1))
    np.testing.assert_allclose(lg.tensor(cube).sum((0, 2)).numpy(), want, rtol=4e-15, atol=0)
    z = a[:2_000_000] + 1j * a[2_000_000:]
    got = lg.tensor(z).sum().item()
    assert abs(got.real - math.fsum(z.real)) <= 4e-15 * math.fsum(z.real)
    assert abs(got.imag - math.fsum(z.imag)) <= 4e-15 * math.fsum(z.imag)


def test_variance_of_values_far_from_zero_is_computed_wide(backend):
    """var and std center on a mean that is not rounded to float (rows near 1e6, spaced 1/16 apart as floats,
    lost 1% of their deviation)."""
    rows = (1e6 + np.random.default_rng(0).standard_normal((50, 100))).astype(np.float32)
    want = rows.astype(np.float64).std(1, ddof=1)
    np.testing.assert_allclose(lg.tensor(rows).std(1).numpy(), want, rtol=2e-7)
    np.testing.assert_allclose(lg.tensor(rows).var(1).numpy(), want ** 2, rtol=2e-7)


def test_numpy_spellings_axis_keepdims(backend):
    torch = pytest.importorskip("torch")
    x, t = lg.tensor(X), torch_of(X)
    assert_like_torch(x.sum(axis=0, keepdims=True), t.sum(axis=0, keepdims=True))
    assert_like_torch(lg.mean(x, axis=-1), torch.mean(t, axis=-1))
    assert_like_torch(lg.amax(x, axis=(0, 1), keepdims=True), torch.amax(t, axis=(0, 1), keepdims=True))
    assert_like_torch(x.any(axis=1), t.any(axis=1))
    assert_like_torch(x.cumsum(axis=2), t.cumsum(axis=2))
    assert_like_torch(x.std(axis=1, keepdims=True), t.std(axis=1, keepdims=True))


def test_full_max_min_vs_torch(backend):
    """max()/min() without dim reduce everything to a 0-d tensor; with a tensor they are maximum/minimum."""
    torch = pytest.importorskip("torch")
    for a in (X, data("int32", (3, 4, 5), 1), data("uint8", (3, 4, 5), 2)):
        x, t = lg.tensor(a), torch_of(a)
        assert_like_torch(x.max(), t.max())
        assert_like_torch(lg.min(x), torch.min(t))
        assert_like_torch(x.amax(), t.amax())
    x, t = lg.tensor(X), torch_of(X)
    assert_like_torch(lg.max(x, x.flip(0)), torch.max(t, t.flip(0)))
    assert_like_torch(x.min(x * 2), t.min(t * 2))
    nan = np.array([1.0, np.nan, 3.0], np.float32)
    assert_like_torch(lg.tensor(nan).max(), torch_of(nan).max())
    assert_like_torch(lg.tensor(nan).amin(), torch_of(nan).amin())


# ---- max/min with dim, argmax/argmin: indices incl. ties and NaN -------------------------------------------

TIES = np.array([[1, 3, 3, 0, 3], [2, 2, 1, 2, 1], [np.nan, 1, np.nan, 5, 5], [-1, -1, -1, -1, -1]], np.float32)
INT_TIES = np.array([[1, 3, 3, 0], [2, 2, 1, 2], [5, 5, 0, 5]], np.int64)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_max_min_with_dim_vs_torch(backend, dim):
    """(values, indices) as torch: the first index among ties, NaN wins max and min."""
    torch = pytest.importorskip("torch")
    for a in (TIES, INT_TIES, X[0]):
        x, t = lg.tensor(a), torch_of(a)
        for keepdim in (False, True):
            for name in ("max", "min"):
                got, want = getattr(x, name)(dim, keepdim), getattr(t, name)(dim, keepdim)
                assert_like_torch(got.values, want.values, exact=True)
                assert_like_torch(got.indices, want.indices, exact=True)
                assert_like_torch(got[1], want[1], exact=True)
                vals, idx = getattr(lg, name)(x, dim=dim, keepdim=keepdim)
                assert_like_torch(idx, want.indices, exact=True)


@pytest.mark.parametrize("dim", [None, 0, 1, -1])
def test_argmax_argmin_vs_torch(backend, dim):
    torch = pytest.importorskip("torch")
    for a in (TIES, INT_TIES, X[1]):
        x, t = lg.tensor(a), torch_of(a)
        for keepdim in (False, True):
            assert_like_torch(x.argmax(dim, keepdim), t.argmax(dim, keepdim), exact=True)
            assert_like_torch(lg.argmin(x, dim=dim, keepdim=keepdim), torch.argmin(t, dim=dim, keepdim=keepdim),
                              exact=True)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_with_dim_of_bool_vs_torch(backend, name):
    torch = pytest.importorskip("torch")
    a = np.array([[True, False, True], [False, False, True]])
    got, want = getattr(lg.tensor(a), name)(1), getattr(torch_of(a), name)(1)
    assert_like_torch(got.values, want.values, exact=True)
    assert_like_torch(got.indices, want.indices, exact=True)


def test_max_with_axis_alias(backend):
    torch = pytest.importorskip("torch")
    x, t = lg.tensor(X), torch_of(X)
    assert_like_torch(lg.max(x, axis=1).indices, torch.max(t, axis=1).indices, exact=True)


# ---- result dtypes ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL)
def test_reduction_result_dtypes_vs_torch(backend, dtype):
    """sum/prod/cumsum of integers and bools give int64; amax keeps the dtype; all/any give bool
    (uint8 for uint8 input, as torch)."""
    torch = pytest.importorskip("torch")
    a = data(dtype, (3, 4), 3)
    x, t = lg.tensor(a), torch_of(a)
    assert_like_torch(x.sum(1), t.sum(1))
    assert_like_torch(x.prod(0), t.prod(0))
    assert_like_torch(x.cumsum(1), t.cumsum(1))
    assert_like_torch(x.amax(1), t.amax(1))
    if dtype in FLOATS:
        assert_like_torch(x.mean(1), t.mean(1))
    assert_like_torch(x.all(1), t.all(1))
    assert_like_torch(x.any(), t.any())


@pytest.mark.parametrize("dtype", ["bool", "int8", "int64", "float16"])
def test_more_result_dtypes_vs_torch(backend, dtype):
    torch = pytest.importorskip("torch")
    a = data(dtype, (3, 4), 3)
    x, t = lg.tensor(a), torch_of(a)
    assert_like_torch(x.sum(), t.sum())
    assert_like_torch(x.cumprod(0), t.cumprod(0))
    assert_like_torch(lg.count_nonzero(x, 0), torch.count_nonzero(t, 0))
    assert_like_torch(x.sum(0, dtype=lg.float64), t.sum(0, dtype=torch.float64))


def test_mean_with_dtype_of_int_tensor(backend):
    torch = pytest.importorskip("torch")
    a = data("int32", (3, 4), 3)
    assert_like_torch(lg.tensor(a).mean(dtype=lg.float64), torch_of(a).mean(dtype=torch.float64))
    assert_like_torch(lg.tensor(a).sum(1, dtype=lg.int32), torch_of(a).sum(1, dtype=torch.int32))


DTYPE_REFUSALS = {
    "mean_int_dtype": lambda m: m.ones(2, 3).mean(dtype=m.int64),
    "mean_of_ints": lambda m: m.ones(2, 3, dtype=m.int32).mean(),
    "vector_norm_of_ints": lambda m: m.linalg.vector_norm(m.ones(3, dtype=m.int64), dtype=m.float64),
    "vector_norm_int_dtype": lambda m: m.linalg.vector_norm(m.ones(3), dtype=m.int64),
    "vector_norm_narrowing": lambda m: m.linalg.vector_norm(m.ones(3, dtype=m.float64), dtype=m.float32),
    "vector_norm_complex_of_real": lambda m: m.linalg.vector_norm(m.ones(3), dtype=m.complex64),
    "vector_norm_real_of_complex": lambda m: m.ones(3, dtype=m.complex64).norm(dtype=m.float64),
}


@pytest.mark.parametrize("name", DTYPE_REFUSALS)
def test_reduction_dtypes_torch_refuses(name):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError) as want:
        DTYPE_REFUSALS[name](torch)
    with pytest.raises(RuntimeError, match=f"^{re.escape(str(want.value))}$"):
        DTYPE_REFUSALS[name](lg)


def test_norm_in_a_wider_dtype(backend):
    torch = pytest.importorskip("torch")
    a, z = data("float32", (3, 4), 1), data("float32", (3, 4), 2) + 1j * data("float32", (3, 4), 3)
    assert_like_torch(lg.linalg.vector_norm(lg.tensor(a), dtype=lg.float64),
                      torch.linalg.vector_norm(torch_of(a), dtype=torch.float64))
    assert_like_torch(lg.tensor(z.astype(np.complex64)).norm(1, dtype=lg.complex128),
                      torch_of(z.astype(np.complex64)).norm(1, dtype=torch.complex128))


# ---- var / std, norm, logsumexp --------------------------------------------------------------------

@pytest.mark.parametrize("correction", [0, 1, 2])
def test_var_std_correction_vs_torch(backend, correction):
    torch = pytest.importorskip("torch")
    x, t = lg.tensor(X), torch_of(X)
    for dim, keepdim in ((None, False), (1, True), ((0, 2), False)):
        assert_like_torch(x.var(dim, correction=correction, keepdim=keepdim),
                          t.var(dim, correction=correction, keepdim=keepdim), rtol=1e-5, atol=1e-6)
    assert_like_torch(lg.std(x, 1, correction=correction), torch.std(t, 1, correction=correction),
                      rtol=1e-5, atol=1e-6)
    var, mean = lg.var_mean(x, 1, correction=correction)
    tvar, tmean = torch.var_mean(t, 1, correction=correction)
    assert_like_torch(var, tvar, rtol=1e-5, atol=1e-6)
    assert_like_torch(mean, tmean)
    std, mean = lg.std_mean(x, correction=correction)
    tstd, tmean = torch.std_mean(t, correction=correction)
    assert_like_torch(std, tstd, rtol=1e-5, atol=1e-6)


@pytest.mark.filterwarnings("ignore:var\\(\\). degrees of freedom:UserWarning")
def test_var_std_unbiased_vs_torch(backend):
    torch = pytest.importorskip("torch")
    x, t = lg.tensor(X), torch_of(X)
    assert_like_torch(x.var(unbiased=False), t.var(unbiased=False))
    assert_like_torch(x.std(1, unbiased=True), t.std(1, unbiased=True))
    assert_like_torch(x.var(False), t.var(False))
    assert_like_torch(x.std(0, False, True), t.std(0, False, True))
    one = np.array([3.0], np.float32)  # one element: unbiased variance is nan, biased is 0
    assert_like_torch(lg.tensor(one).var(), torch_of(one).var())
    assert_like_torch(lg.tensor(one).var(correction=0), torch_of(one).var(correction=0))


@pytest.mark.parametrize("p", [1, 2, float("inf"), "fro", 3, 0, -float("inf")], ids=str)
def test_norm_vs_torch(backend, p):
    torch = pytest.importorskip("torch")
    x, t = lg.tensor(X), torch_of(X)
    assert_like_torch(lg.norm(x, p=p), torch.norm(t, p=p), rtol=1e-5, atol=1e-6)
    assert_like_torch(x.norm(p=p, dim=-1), t.norm(p=p, dim=-1), rtol=1e-5, atol=1e-6)
    assert_like_torch(x.norm(p, 0, True), t.norm(p, 0, True), rtol=1e-5, atol=1e-6)
    if p != "fro":
        assert_like_torch(x.norm(p=p, dim=(0, 2)), t.norm(p=p, dim=(0, 2)), rtol=1e-5, atol=1e-6)


def test_logsumexp_large_and_infinite_vs_torch(backend):
    """Shifted by the max: no overflow for large inputs, -inf rows give -inf, +inf gives +inf."""
    torch = pytest.importorskip("torch")
    a = np.array([[1000.0, 1000.0, 999.0], [-np.inf, -np.inf, -np.inf], [np.inf, 1.0, 2.0], [-1e4, 0.0, 1.0]],
                 np.float32)
    assert_like_torch(lg.logsumexp(lg.tensor(a), 1), torch.logsumexp(torch_of(a), 1))
    assert_like_torch(lg.tensor(a).logsumexp(0, keepdim=True), torch_of(a).logsumexp(0, keepdim=True))
    i = data("int64", (3, 4), 5)
    assert_like_torch(lg.tensor(i).logsumexp(1), torch_of(i).logsumexp(1))


def test_nan_and_inf_in_reductions_vs_torch(backend):
    torch = pytest.importorskip("torch")
    a = np.array([[1.0, np.nan, 2.0], [np.inf, 1.0, -np.inf], [np.inf, np.inf, 1.0], [-0.0, 0.0, 5.0]],
                 np.float32)
    x, t = lg.tensor(a), torch_of(a)
    for name in ("sum", "mean", "prod", "amax", "amin", "var", "cumsum", "cumprod"):
        assert_like_torch(getattr(x, name)(1), getattr(t, name)(1))
    for name in ("sum", "prod", "amax", "amin"):
        assert_like_torch(getattr(x, name)(0), getattr(t, name)(0))
    assert_like_torch(x.max(), t.max())
    assert_like_torch(x.norm(dim=1), t.norm(dim=1))


# ---- scans ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dim", [0, 1, -1, 2])
def test_cumsum_cumprod_vs_torch(backend, dim):
    torch = pytest.importorskip("torch")
    x, t = lg.tensor(X), torch_of(X)
    assert_like_torch(x.cumsum(dim), t.cumsum(dim), rtol=1e-5, atol=1e-6)
    assert_like_torch(lg.cumprod(x, dim), torch.cumprod(t, dim), rtol=1e-5, atol=1e-6)
    assert_like_torch(lg.cumsum(x, dim=dim, dtype=lg.float64), torch.cumsum(t, dim=dim, dtype=torch.float64))
    xt, tt = x.transpose(0, 2), t.transpose(0, 2)  # non-contiguous input
    assert_like_torch(xt.cumsum(dim), tt.cumsum(dim), rtol=1e-5, atol=1e-6)


# ---- non-contiguous inputs, 0-d and empty tensors ------------------------------------------------------

def test_reductions_of_views_vs_torch(backend):
    torch = pytest.importorskip("torch")
    x, t = lg.tensor(X), torch_of(X)
    for f in (lambda v: v.transpose(0, 2).sum(1), lambda v: v[:, ::2, 1:].mean((0, 2)),
              lambda v: v.permute(1, 2, 0).amax(-1), lambda v: v[0].t().var(0),
              lambda v: v[:, :1].expand(3, 6, 5).sum(1), lambda v: v.flip(1).cumsum(1)):
        assert_like_torch(f(x), f(t), rtol=1e-5, atol=1e-6)


def test_zero_dim_reductions_vs_torch(backend):
    torch = pytest.importorskip("torch")
    a = np.array(2.5, np.float32)
    x, t = lg.tensor(a), torch_of(a)
    for f in (lambda v: v.sum(), lambda v: v.sum(0), lambda v: v.sum(-1, keepdim=True), lambda v: v.mean(0),
              lambda v: v.prod(0), lambda v: v.amax(), lambda v: v.max(), lambda v: v.cumsum(0),
              lambda v: v.logsumexp(0), lambda v: v.norm(), lambda v: v.all(), lambda v: v.std(correction=0)):
        assert_like_torch(f(x), f(t))


def test_reductions_of_empty_vs_torch(backend):
    """Sums of nothing are 0, products 1, all() True, any() False, mean NaN, logsumexp -inf."""
    torch = pytest.importorskip("torch")
    a = np.zeros((0, 3), np.float32)
    x, t = lg.tensor(a), torch_of(a)
    for f in (lambda v: v.sum(), lambda v: v.sum(0), lambda v: v.sum(1), lambda v: v.prod(0),
              lambda v: v.mean(0), lambda v: v.cumsum(0), lambda v: v.amax(1), lambda v: v.all(),
              lambda v: v.any(0), lambda v: v.logsumexp(0)):
        assert_like_torch(f(x), f(t))


@pytest.mark.parametrize("call", [
    lambda m: m.ones(2, 0).amin(-1), lambda m: m.ones(0, 0).amax((-1, -2)), lambda m: m.ones(0, 2).amax((-2, 1)),
    lambda m: m.ones(2, 0).amin((-1, 1)), lambda m: m.hash_tensor(m.ones(2, 0), dim=-1), lambda m: m.ones(2, 0).max(-1),
    lambda m: m.ones(2, 0).argmin(-1), lambda m: m.ones(2, 0).amax((5, 1)),
])
def test_reductions_without_identity_over_nothing_refused_as_torch(call):
    """Ops taking a list of dims name the empty one as written (the first in the order written, before a
    repeated dim is refused); those taking one dim name it normalized."""
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as want:
        call(torch)
    with pytest.raises(want.type, match=f"^{re.escape(str(want.value))}$"):
        call(lg)


def test_reductions_of_empty_1d_vs_torch(backend):
    torch = pytest.importorskip("torch")
    x, t = lg.tensor([]), torch.tensor([])
    assert_like_torch(x.sum(), t.sum())
    assert_like_torch(x.prod(), t.prod())
    assert_like_torch(lg.zeros(0, 3).sum(0), torch.zeros(0, 3).sum(0))
    assert_like_torch(lg.ones(0, 3).prod(0), torch.ones(0, 3).prod(0))


# ---- accumulation accuracy ------------------------------------------------------------------------------

def test_large_reductions_accuracy(backend):
    """1000x300 float32 reductions agree with a float64 reference to rtol 1e-5."""
    rng = np.random.default_rng(42)
    a = (rng.random((1000, 300)) + 0.5).astype(np.float32)
    ref = a.astype(np.float64)
    x = lg.tensor(a)
    lg.realize(s := x.sum(), s0 := x.sum(0), s1 := x.sum(1), m := x.mean(), v := x.var(), sd := x.std(0),
               n := x.norm(), lse := x.logsumexp(1), cs := x.cumsum(0), st := x.t().sum(1))
    cases = [(s, ref.sum()), (s0, ref.sum(0)), (s1, ref.sum(1)), (m, ref.mean()), (v, ref.var(ddof=1)),
             (sd, ref.std(0, ddof=1)), (n, np.sqrt((ref ** 2).sum())), (lse, np.log(np.exp(ref).sum(1))),
             (cs, ref.cumsum(0)), (st, ref.sum(0))]
    for got, want in cases:
        assert got.dtype is lg.float32
        np.testing.assert_allclose(got.numpy().astype(np.float64), want, rtol=1e-5)


def test_large_integer_sums_are_exact(backend):
    rng = np.random.default_rng(7)
    a = rng.integers(-100, 100, (1000, 300)).astype(np.int8)
    x = lg.tensor(a)
    assert x.sum().item() == int(a.astype(np.int64).sum())
    np.testing.assert_array_equal(x.sum(0).numpy(), a.astype(np.int64).sum(0))
    np.testing.assert_array_equal(x.cumsum(1).numpy()[:, -1], a.astype(np.int64).sum(1))
    assert (x > 0).sum().item() == int((a > 0).sum())


# ---- products --------------------------------------------------------------------------------------------

A = data("float32", (3, 4), 10)
B = data("float32", (4, 5), 11)
V4 = data("float32", (4,), 12)
V3 = data("float32", (3,), 13)
BA = data("float32", (2, 3, 4), 14)
BB = data("float32", (2, 4, 5), 15)
BC = data("float32", (4, 1, 4, 5), 16)

PRODUCTS = {
    "dot": (lambda m, a, b: m.dot(a, b), (V4, V4)),
    "dot_method": (lambda m, a, b: a.dot(b), (V4, V4)),
    "mv": (lambda m, a, b: m.mv(a, b), (A, V4)),
    "mv_method": (lambda m, a, b: a.mv(b), (A, V4)),
    "mm": (lambda m, a, b: m.mm(a, b), (A, B)),
    "mm_method": (lambda m, a, b: a.mm(b), (A, B)),
    "matmul_1d_1d": (lambda m, a, b: a @ b, (V4, V4)),
    "matmul_1d_2d": (lambda m, a, b: a @ b, (V4, B)),
    "matmul_2d_1d": (lambda m, a, b: m.matmul(a, b), (A, V4)),
    "matmul_2d_2d": (lambda m, a, b: a.matmul(b), (A, B)),
    "matmul_3d_2d": (lambda m, a, b: a @ b, (BA, B)),
    "matmul_3d_3d": (lambda m, a, b: a @ b, (BA, BB)),
    "matmul_broadcast_batch": (lambda m, a, b: a @ b, (BA, BC)),
    "matmul_1d_3d": (lambda m, a, b: a @ b, (V4, BB)),
    "matmul_3d_1d": (lambda m, a, b: a @ b, (BA, V4)),
    "bmm": (lambda m, a, b: m.bmm(a, b), (BA, BB)),
    "bmm_method": (lambda m, a, b: a.bmm(b), (BA, BB)),
    "outer": (lambda m, a, b: m.outer(a, b), (V3, V4)),
    "outer_method": (lambda m, a, b: a.outer(b), (V3, V4)),
    "mm_transposed": (lambda m, a, b: a.t().mm(a), (A, B)),
    "matmul_transposed_both": (lambda m, a, b: b.t() @ a.t(), (A, B)),
    "rmatmul": (lambda m, a, b: b.__rmatmul__(a), (A, B)),
}


@pytest.mark.parametrize("name", list(PRODUCTS))
def test_products_vs_torch(backend, name):
    torch = pytest.importorskip("torch")
    f, (a, b) = PRODUCTS[name]
    assert_like_torch(f(lg, lg.tensor(a), lg.tensor(b)), f(torch, torch_of(a), torch_of(b)), rtol=1e-5, atol=1e-5)


def test_products_vs_numpy(backend):
    assert_like_numpy(lg.tensor(A) @ lg.tensor(B), A @ B, rtol=1e-5)
    assert_like_numpy(lg.tensor(BA) @ lg.tensor(BC), BA @ BC, rtol=1e-5)
    assert_like_numpy(lg.tensor(A) @ lg.tensor(V4), A @ V4, rtol=1e-5)
    assert_like_numpy(lg.dot(lg.tensor(V4), lg.tensor(V4)), np.float32(V4 @ V4), rtol=1e-5)
    assert_like_numpy(lg.outer(lg.tensor(V3), lg.tensor(V4)), np.outer(V3, V4), rtol=1e-6)


@pytest.mark.parametrize("dtype", ["int64", "int32", "float64"])
def test_products_other_dtypes_vs_torch(backend, dtype):
    torch = pytest.importorskip("torch")
    a, b, v = data(dtype, (3, 4), 20), data(dtype, (4, 5), 21), data(dtype, (4,), 22)
    assert_like_torch(lg.tensor(a) @ lg.tensor(b), torch_of(a) @ torch_of(b))
    assert_like_torch(lg.mv(lg.tensor(a), lg.tensor(v)), torch.mv(torch_of(a), torch_of(v)))
    assert_like_torch(lg.dot(lg.tensor(v), lg.tensor(v)), torch.dot(torch_of(v), torch_of(v)))
    assert_like_torch(lg.outer(lg.tensor(v), lg.tensor(v)), torch.outer(torch_of(v), torch_of(v)))


def test_outer_promotes_like_torch(backend):
    torch = pytest.importorskip("torch")
    i, f = data("int64", (3,), 1), data("float32", (4,), 2)
    assert_like_torch(lg.outer(lg.tensor(i), lg.tensor(f)), torch.outer(torch_of(i), torch_of(f)))


def test_matmul_accuracy_large_inner_dim(backend):
    """K = 300: float32 products agree with a float64 reference (torch's own blocking differs)."""
    rng = np.random.default_rng(3)
    a = rng.standard_normal((64, 300)).astype(np.float32)
    b = rng.standard_normal((300, 32)).astype(np.float32)
    ref = a.astype(np.float64) @ b.astype(np.float64)
    got = (lg.tensor(a) @ lg.tensor(b)).numpy().astype(np.float64)
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4 * np.abs(ref).max())


def test_matmul_with_empty_inner_dim(backend):
    torch = pytest.importorskip("torch")
    x, t = lg.tensor(A), torch_of(A)
    y, u = lg.tensor(B), torch_of(B)
    assert_like_torch(x[:, :0] @ y[:0], t[:, :0] @ u[:0])


SOFTMAX_CASES = [((5,), 0), ((3, 4), -1), ((3, 4), 0), ((2, 3, 4), 1), ((), 0), ((2, 0), 1)]


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape,dim", SOFTMAX_CASES, ids=[f"{s}-{d}" for s, d in SOFTMAX_CASES])
def test_softmax_values_and_gradients_vs_torch(backend, name, shape, dim):
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(3).standard_normal(shape).astype(np.float32) * 4
    w = np.random.default_rng(4).standard_normal(shape).astype(np.float32)
    x, tx = lg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, ty = getattr(x, name)(dim), getattr(tx, name)(dim)
    assert type(y.grad_fn).__name__ == type(ty.grad_fn).__name__
    assert_like_torch(y.detach(), ty.detach(), rtol=1e-5, atol=1e-6)
    (y * lg.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    assert_like_torch(x.grad, tx.grad, rtol=1e-4, atol=1e-6)


def test_softmax_dtype_and_errors_vs_torch():
    torch = pytest.importorskip("torch")
    assert_like_torch(lg.arange(4).softmax(0, dtype=lg.float64), torch.arange(4).softmax(0, dtype=torch.float64))
    for f in (lambda m: m.arange(3).softmax(0), lambda m: m.arange(6).reshape(2, 3).log_softmax(0),
              lambda m: m.ones(3).softmax(1)):
        with pytest.raises(Exception) as want:
            f(torch)
        with pytest.raises(type(want.value), match=re.escape(str(want.value))):
            f(lg)


def test_row_softmax_is_three_kernels():
    x = lg.ones(256, 512)
    x.realize()
    assert len(lg.schedule(x.softmax(-1))) == 3


def test_column_sums_under_elementwise_work_run_along_the_columns():
    """An SGD update of a bias, p - lr * g.sum(0): the kernel's loops follow p's shape, yet its loads
    step along the columns, so neighbouring outputs add neighbouring elements (C: a tile of column
    sums; CUDA: a thread per column)."""
    rng = np.random.default_rng(11)
    g_np, p_np = rng.standard_normal((256, 512)).astype(np.float32), rng.standard_normal(512).astype(np.float32)
    g, p = lg.tensor(g_np).realize(), lg.tensor(p_np).realize()
    y = p - 0.01 * g.sum(0)
    (c,), (cuda,) = lg.schedule(y), lg.schedule(y, target="cuda")
    assert "for (int64_t tile = 0;" in c.source and "red_flat++" in cuda.source
    np.testing.assert_allclose(y.numpy(), p_np - 0.01 * g_np.astype(np.float64).sum(0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("length", [15, 16, 20, 33, 100, 127, 128, 191])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_short_and_ragged_rows_vs_numpy(backend, length, dtype):
    """Rows too short for the long-row lanes run one vector's worth of lanes; the tail past the last
    whole block feeds the first lanes: every length around those boundaries, each reduction kind."""
    x_np = data(dtype, (37, length), length)
    x = lg.tensor(x_np)
    assert_like_numpy(x.sum(-1), x_np.astype(np.float64).sum(-1).astype(x_np.dtype), rtol=1e-5, atol=1e-5)
    assert_like_numpy(x.amax(-1), x_np.max(-1))
    assert_like_numpy(x.argmin(-1), x_np.argmin(-1))
    if dtype != "int64":
        want = np.log(np.exp(x_np.astype(np.float64)).sum(-1)).astype(dtype)
        assert_like_numpy(x.logsumexp(-1), want, rtol=1e-5)


def test_reduced_axes_that_lie_together_are_one_loop():
    """Summing a channel's values over batch and space (a bias gradient): the two spatial axes are one
    contiguous range, reduced as one long loop with vector lanes; the loop over the batch stays apart."""
    x_np = data("float32", (8, 6, 10, 12), 3)
    x = lg.tensor(x_np).realize()
    y = x.sum((0, 2, 3))
    (kernel,) = lg.schedule(y)
    assert "in0[i1*120 + r0*720 + r2]" in kernel.source and "r3" not in kernel.source
    np.testing.assert_allclose(y.numpy(), x_np.astype(np.float64).sum((0, 2, 3)), rtol=1e-5)


def test_reduced_axes_read_through_a_division_stay_apart():
    """A max-pool gradient summed per channel reads the pooled gradient at (row / 2, column / 2): those
    axes cannot merge, and the values still match."""
    rng = np.random.default_rng(5)
    x_np = rng.standard_normal((4, 3, 8, 8)).astype(np.float32)
    x = lg.tensor(x_np, requires_grad=True)
    lg.nn.functional.max_pool2d(x, 2).sum().backward()
    torch = pytest.importorskip("torch")
    tx = torch.tensor(x_np, requires_grad=True)
    torch.nn.functional.max_pool2d(tx, 2).sum().backward()
    g = x.grad.sum((0, 2, 3))
    np.testing.assert_allclose(g.numpy(), tx.grad.sum((0, 2, 3)).numpy(), rtol=1e-6)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_spread_of_half_precision_is_computed_wide_and_rounded_once(dtype):
    """var and std of float16/bfloat16 (and their _mean forms) are torch's: computed in double, rounded once
    (through float), so values of wide range and spread near bfloat16's largest are exact."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    wide = rng.standard_normal((7, 9)) * 10.0 ** rng.integers(-3, 4, (1, 9)) + rng.standard_normal(9) * 1e3
    for a in (rng.standard_normal((7, 9)) * 3 + np.arange(9), wide, np.array([[0.0, 0.0, 3e38, 0.0]])):
        if dtype == "float16":
            a = np.clip(a, -6e4, 6e4)
        x, t = lg.tensor(a).to(getattr(lg, dtype)), torch.tensor(a).to(getattr(torch, dtype))
        for fn in (lambda m, v: v.var(0), lambda m, v: v.std(1, correction=0), lambda m, v: v.std(),
                   lambda m, v: m.var_mean(v, 1)[0], lambda m, v: m.std_mean(v, 0)[0]):
            got, want = fn(lg, x), fn(torch, t)
            assert got.dtype.name == dtype
            assert_like_torch(got.float(), want.float(), exact=True)  # (numpy has no bfloat16)


def test_complex_variance_is_its_parts_variances_added():
    """torch's complex var: the real and imaginary parts' variances (each in double, rounded to float) added."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    a = (rng.standard_normal((5, 30)) + 1j * rng.standard_normal((5, 30))) * 10.0 ** rng.integers(-3, 5, (5, 1))
    a = (a + (rng.standard_normal((5, 1)) + 1j * rng.standard_normal((5, 1))) * 1e6).astype(np.complex64)
    x, t = lg.tensor(a), torch.tensor(a)
    for fn in (lambda v: v.var(1), lambda v: v.var(0, correction=0), lambda v: v.var()):
        assert_like_torch(fn(x), fn(t), exact=True)
    assert_like_torch(x.std(1), t.std(1), rtol=1e-6, atol=0)  # (torch's vectorized float sqrt is not correctly rounded)


def test_unique_of_bfloat16_values():
    torch = pytest.importorskip("torch")
    a = [[1.5, -2.0, 1.5], [3.0, 1.5, -2.0]]
    x, t = lg.tensor(a, dtype=lg.bfloat16), torch.tensor(a, dtype=torch.bfloat16)
    for got, want in ((lg.unique(x, return_counts=True), torch.unique(t, return_counts=True)),
                      ((lg.unique(x, dim=1),), (torch.unique(t, dim=1),)),
                      ((lg.unique_consecutive(x.flatten()),), (torch.unique_consecutive(t.flatten()),))):
        for g, w in zip(got, want):
            assert str(g.dtype).split(".")[1] == str(w.dtype).split(".")[1]
            assert_like_torch(g.float() if g.dtype.is_floating_point else g, w.float() if w.is_floating_point() else w,
                              exact=True)


@pytest.mark.parametrize("call", [
    lambda m: m.tensor([1.0]).var(), lambda m: m.tensor([1.0]).std(), lambda m: m.ones(2, 1).var(1),
    lambda m: m.ones(3).var(correction=3), lambda m: m.var_mean(m.ones(1)), lambda m: m.std_mean(m.ones(2), correction=2),
    lambda m: m.ones(0).var(), lambda m: m.ones(1, dtype=m.float16).std(),
])
def test_no_degrees_of_freedom_warns_like_torch(call):
    torch = pytest.importorskip("torch")
    with pytest.warns(UserWarning) as want:
        expected = call(torch)
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0") as got:
        out = call(lg)
    assert str(want[0].message).startswith(str(got[0].message)) and got[0].filename == __file__
    for o, e in zip(out if isinstance(out, tuple) else (out,), expected if isinstance(expected, tuple) else (expected,)):
        assert_like_torch(o, e)


@pytest.mark.parametrize("name", ["std", "std_mean", "std_dim", "std_mean_dim"])
def test_std_gradient_is_zero_where_the_values_do_not_spread_like_torch(name):
    """torch masks std's gradient g / (2 std) to 0 where std is 0, rather than giving 0 / 0."""
    torch = pytest.importorskip("torch")
    calls = {"std": lambda m, x: x.std(), "std_mean": lambda m, x: sum(m.std_mean(x)),
             "std_dim": lambda m, x: x.std(1).sum(),
             "std_mean_dim": lambda m, x: sum(m.std_mean(x, 1, keepdim=True)).sum()}
    grads = []
    for m in (lg, torch):
        x = m.tensor([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]], dtype=m.float64, requires_grad=True)
        calls[name](m, x).backward()
        grads.append(x.grad.numpy())
    assert not np.isnan(grads[0]).any()
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


@pytest.mark.parametrize("values", [[0.0, 2.0, -1.5], [1.0, 0.0, 3.0, 0.0, 2.0], [2.0, 3.0, 4.0], [0.0, 0.0, 0.0]])
def test_cumprod_gradients_through_zeros_like_torch(values):
    """The first and the second derivative of cumprod are exact where the input holds zeros (no 0 / 0)."""
    torch = pytest.importorskip("torch")
    results = []
    for m in (lg, torch):
        x = m.tensor(values, dtype=m.float64, requires_grad=True)
        w = m.tensor([1.0, -2.0, 3.0, 0.5, 2.0][:len(values)], dtype=m.float64)
        first, = m.autograd.grad((x.cumprod(0) * w).sum(), x, create_graph=True)
        second, = m.autograd.grad((first * w).sum(), x)
        results.append((first.detach().numpy(), second.numpy()))
    assert not np.isnan(results[0][0]).any()
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)


def test_cumprod_with_zeros_passes_gradgradcheck():
    x = lg.tensor([[[0.0, 2.0, 1.5], [3.0, 0.0, 0.0]]], dtype=lg.float64, requires_grad=True)
    for dim in (1, 2):
        assert lg.autograd.gradcheck(lambda a: a.cumprod(dim), (x,))
        assert lg.autograd.gradgradcheck(lambda a: a.cumprod(dim), (x,))


HASHED = {
    "all": lambda m, a: m.hash_tensor(a), "dim0": lambda m, a: m.hash_tensor(a, 0),
    "dim1_keepdim": lambda m, a: m.hash_tensor(a, 1, keepdim=True), "dims": lambda m, a: a.hash_tensor((0, 1)),
    "transposed": lambda m, a: m.hash_tensor(a.t(), -1), "halves": lambda m, a: m.hash_tensor(a.half(), 1),
    "ints": lambda m, a: m.hash_tensor((a * 100).to(m.int8), 0), "bools": lambda m, a: m.hash_tensor(a > 0, 1),
    "wide": lambda m, a: m.hash_tensor((a * 1e6).long().repeat(40, 30), 1),
}


@pytest.mark.parametrize("name", list(HASHED))
def test_hash_tensor_matches_torch(backend, name):
    """Each element's 64-bit float or integer bits, xor-reduced: bit for bit torch's (NaN and -0.0 included)."""
    torch = pytest.importorskip("torch")
    a = np.array([[1.5, -2.0, 3.25, np.nan], [0.0, -0.0, 7.0, 1e-3], [-1e30, 2.5, -7.5, 0.1]], np.float32)
    ours, theirs = HASHED[name](lg, lg.tensor(a)), HASHED[name](torch, torch.tensor(a))
    assert ours.dtype is lg.uint64 and ours.tolist() == theirs.tolist()


def test_norm_of_one_term_is_its_modulus(backend):
    """torch's norm over one term is |x| for every order: no power that overflows (3e38) or underflows (1e-25)."""
    x = lg.tensor([[3e38, -2e38]])
    for got in (x.norm(dim=0), x.norm(p=3, dim=0), lg.linalg.vector_norm(x, 0.5, dim=(0,))):
        np.testing.assert_array_equal(got.numpy(), np.float32([3e38, 2e38]))
    assert lg.tensor(-3e38).norm(p=3).item() == np.float32(3e38)
    assert lg.linalg.vector_norm(lg.tensor([1e-25]), 4).item() == np.float32(1e-25)
    assert x.norm(dim=1).item() == np.inf  # (two terms: the squares overflow, as in torch)
    np.testing.assert_array_equal(lg.tensor([[1.0, 0.0]]).norm(p=0, dim=0).numpy(), [1.0, 0.0])
    y = lg.tensor([-2.0], requires_grad=True)
    lg.linalg.vector_norm(y, 3).backward()
    assert y.grad.item() == -1.0


def test_mode_value_is_the_element_at_its_index(backend):
    """mode's value is the element at the index it returns (of equal -0.0 and 0.0, that one's sign)."""
    values, indices = lg.mode(lg.tensor([[0.0, -0.0, 1.0], [-0.0, 0.0, -0.0], [0.0, 0.0, -0.0]]), 1)
    np.testing.assert_array_equal(indices.numpy(), [1, 2, 2])
    np.testing.assert_array_equal(np.signbit(values.numpy()), [True, True, True])
    values, indices = lg.mode(lg.tensor([0.0, 0.0, 1.0, -0.0, 0.5], dtype=lg.float16), 0)
    assert indices.item() == 3 and np.signbit(values.float().item())


def test_kthvalue_checks_in_torchs_order():
    with pytest.raises(IndexError, match="Expected reduction dim 0 to have non-zero size"):
        lg.kthvalue(lg.zeros(0, dtype=lg.complex64), 1)
    with pytest.raises(RuntimeError, match="selected number k out of range for dimension 0"):
        lg.kthvalue(lg.zeros(3, dtype=lg.complex64), 5)
    with pytest.raises(NotImplementedError, match="not implemented for 'ComplexFloat'"):
        lg.kthvalue(lg.zeros(3, dtype=lg.complex64), 1)


DTYPE_ARGUMENT = {
    "sum": lambda m, x, d: m.sum(x, 1, dtype=d), "prod": lambda m, x, d: m.prod(x, dtype=d),
    "mean": lambda m, x, d: m.mean(x, 1, dtype=d), "nansum": lambda m, x, d: m.nansum(x, 1, dtype=d),
    "nanmean": lambda m, x, d: m.nanmean(x, 1, dtype=d), "cumsum": lambda m, x, d: m.cumsum(x, 1, dtype=d),
    "cumprod": lambda m, x, d: x.cumprod(1, dtype=d), "softmax": lambda m, x, d: m.softmax(x, 1, dtype=d),
    "log_softmax": lambda m, x, d: m.nn.functional.log_softmax(x, 1, dtype=d),
    "vector_norm": lambda m, x, d: m.linalg.vector_norm(x, dim=1, dtype=d),
    "matrix_norm": lambda m, x, d: m.linalg.matrix_norm(x, dtype=d),
    "matrix_norm_nuc": lambda m, x, d: m.linalg.matrix_norm(x, "nuc", dtype=d),
    "linalg_norm": lambda m, x, d: m.linalg.norm(x, 2, dtype=d), "norm": lambda m, x, d: m.norm(x, dim=1, dtype=d),
}
DTYPE_PAIRS = [("float32", "float64"), ("float32", "float16"), ("int64", "float32"), ("int32", "int64"),
               ("float32", "int64"), ("float64", "float32"), ("complex64", "float64"), ("float32", "complex64")]


@pytest.mark.parametrize("name", DTYPE_ARGUMENT)
def test_the_dtype_argument_of_reductions_like_torch(name):
    """dtype= computes in that dtype, or is refused with torch's error (norms: of the input's kind, holding it
    without narrowing; means: a floating one)."""
    torch = torch_or_skip()
    values = np.random.default_rng(3).standard_normal((3, 4)) * 3
    for given, wanted in DTYPE_PAIRS:
        results = []
        for m in (lg, torch):
            x = m.tensor(values).to(getattr(m, given))
            try:
                out = DTYPE_ARGUMENT[name](m, x, getattr(m, wanted))
                results.append((str(out.dtype).split(".")[-1], out.to(m.complex128).numpy()))
            except Exception as error:  # noqa: BLE001  (class and message compared)
                results.append((type(error).__name__, str(error)))
        (got, got_values), (want, want_values) = results
        assert got == want, (given, wanted)
        if isinstance(want_values, str):
            assert got_values == want_values
        else:
            np.testing.assert_allclose(got_values, want_values, rtol=2e-3, atol=1e-3)


@pytest.mark.parametrize("dims", [(), [], (0,), (0, 1), None])
@pytest.mark.parametrize("name", ["any", "all", "sum", "amax", "mean"])
def test_an_empty_dim_list_like_torch(name, dims):
    """any/all over an empty list of dims reduce none (the elementwise truth, uint8 kept); sum, amax and mean
    over one reduce every dim."""
    torch = torch_or_skip()
    results = []
    for m in (lg, torch):
        x = m.tensor([[0, 1, 3], [2, 0, 5]], dtype=m.uint8 if name in ("any", "all") else m.float32)
        out = getattr(m, name)(x) if dims is None else getattr(m, name)(x, dims)
        results.append((str(out.dtype).split(".")[-1], tuple(out.shape), out.double().numpy().tolist()))
    assert results[0] == results[1]


ZERO_D_DIM_OPS = {
    "median": lambda m, x, d: m.median(x, d).values, "nanmedian": lambda m, x, d: m.nanmedian(x, d).values,
    "mode": lambda m, x, d: m.mode(x, d).values, "cumsum": lambda m, x, d: m.cumsum(x, d),
    "cumprod": lambda m, x, d: m.cumprod(x, d), "sort": lambda m, x, d: m.sort(x, d).values,
    "argsort": lambda m, x, d: m.argsort(x, d), "topk": lambda m, x, d: m.topk(x, 1, d).values,
    "kthvalue": lambda m, x, d: m.kthvalue(x, 1, d).values, "gradient": lambda m, x, d: m.gradient(x, dim=d)[0],
    "quantile": lambda m, x, d: m.quantile(x, 0.5, d), "quantiles": lambda m, x, d: m.quantile(x, m.tensor([0.2, 0.5]), d),
    "cummax": lambda m, x, d: m.cummax(x, d).values,
}


@pytest.mark.parametrize("name", ZERO_D_DIM_OPS)
def test_ops_along_a_dim_of_a_0d_tensor_like_torch(name):
    """A 0-d tensor takes dim 0 or -1 (another is torch's IndexError, where several ops took any dim)."""
    torch = torch_or_skip()
    for dim in (0, -1, 1, -2):
        outcomes = []
        for m in (lg, torch):
            try:
                out = ZERO_D_DIM_OPS[name](m, m.tensor(2.5), dim)
                outcomes.append((tuple(out.shape), out.double().numpy().tolist()))
            except IndexError as error:
                outcomes.append(str(error))
        assert outcomes[0] == outcomes[1], dim


@pytest.mark.parametrize("call", [
    lambda m, x: m.nansum(x, dtype=m.complex64), lambda m, x: m.nansum(x.bool(), 0, dtype=m.complex128),
    lambda m, x: m.nansum(x.int(), dtype=m.int8), lambda m, x: x.cumsum(0, dtype=m.bool),
    lambda m, x: x.float().cumprod(0, dtype=m.bool), lambda m, x: m.cumsum(x, 0, out=m.empty(0, dtype=m.bool)),
    lambda m, x: m.nansum(x.float(), dtype=m.complex64),
])
def test_nansum_of_integers_is_sum_and_running_sums_have_no_bool_kernel(call):
    """An integer input has no NaN: torch's nansum is its sum there (any dtype, complex too); cumsum and
    cumprod into bool are refused by their kernels' names; a float input's nansum refuses complex."""
    torch = torch_or_skip()

    def outcome(m):
        try:
            r = call(m, m.tensor([1, 2, 300]))
        except (RuntimeError, NotImplementedError) as e:
            return type(e).__name__, str(e)
        return str(r.dtype).split(".")[1], r.tolist()
    assert outcome(lg) == outcome(torch)
