"""The third batch of torch functions against torch: scans (cummax, cummin, logcumsumexp), in-place comparisons
and aliases, the *_scatter views, unfold, histc, cov, corrcoef, renorm, the random fills, the special functions
and lazygrad.special: values, dtypes, shapes, strides, grad_fn names, gradients, errors, laziness.

Each case is one lambda `f(m, *tensors)` written once for both libraries: `m` is lazygrad or torch."""
from __future__ import annotations

import math

import numpy as np
import pytest

import lazygrad as lg
from oracle import (assert_same, both, drawn_on_every_backend, gradients_like_torch, raises_like_torch,
                    torch_or_skip)

RNG = np.random.default_rng(17)
NAN, INF = math.nan, math.inf


def uniform(low, high, *shape, dtype="float64"):
    return RNG.uniform(low, high, shape).astype(dtype)


# ---- scans ----------------------------------------------------------------------------------------------

TIES = np.array([[1.0, 3.0, 3.0, 2.0, NAN, 5.0, NAN, 1.0], [2.0, -1.0, -1.0, 4.0, 4.0, -2.0, 7.0, -2.0]])

SCAN_CASES = {
    "cummax": lambda m, x: m.cummax(x, 1), "cummax_dim0": lambda m, x: x.cummax(0),
    "cummin": lambda m, x: m.cummin(x, -1), "cummin_method": lambda m, x: x.cummin(dim=1),
    "cummax_long": lambda m, x: m.cummax(x.nan_to_num().long(), 1),
    "cummin_int32": lambda m, x: m.cummin(x.nan_to_num().int(), 1),
    "cummax_bool": lambda m, x: m.cummax(x > 2, 1), "cummin_bool": lambda m, x: m.cummin(x > 0, 1),
    "cummax_uint8": lambda m, x: m.cummax(x.nan_to_num().abs().to(m.uint8), 1),
    "cummax_half": lambda m, x: m.cummax(x.half(), 1), "cummax_0d": lambda m, x: m.cummax(x[0, 1], 0),
    "cummin_empty": lambda m, x: m.cummin(x[:, :0], 1),
    "logcumsumexp": lambda m, x: m.logcumsumexp(x, 1), "logcumsumexp_dim0": lambda m, x: x.logcumsumexp(0),
    "logcumsumexp_float": lambda m, x: m.logcumsumexp(x.float(), -1),
    "logcumsumexp_half": lambda m, x: m.logcumsumexp(x.half(), 1),
    "logcumsumexp_0d": lambda m, x: m.logcumsumexp(x[1, 1], 0),
    "logcumsumexp_empty": lambda m, x: m.logcumsumexp(x[:0], 0),
}


@pytest.mark.parametrize("name", sorted(SCAN_CASES))
def test_scans(name):
    """Values and indices (the last place the running extreme was reached; NaN counts as the extreme)."""
    assert_same(*both(SCAN_CASES[name], TIES))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_logcumsumexp_wide_range(dtype):
    """A log-domain scan: neither overflow nor underflow, whatever the spread of the values."""
    x = np.concatenate([uniform(-800, 800, 3, 300), np.array([[-INF] * 150 + [INF] * 150] * 2 + [[NAN] * 300])])
    assert_same(*both(lambda m, t: m.logcumsumexp(t, 1), x.astype(dtype)))
    assert_same(*both(lambda m, t: m.logcumsumexp(t, 0), np.array([-1000.0, 0.0, -INF, 1000.0]).astype(dtype)))


def test_scans_write_out():
    x = lg.tensor(TIES)
    values, indices = lg.empty(0, dtype=lg.float64), lg.empty(0, dtype=lg.int64)
    result = lg.cummax(x, 1, out=(values, indices))
    assert result.values is values and result.indices is indices
    assert_same(values, torch_or_skip().cummax(torch_or_skip().tensor(TIES), 1).values)
    out = lg.empty(0, dtype=lg.float64)
    assert lg.logcumsumexp(x, 1, out=out) is out


def test_scans_are_lazy():
    """cummax is two scan kernels; logcumsumexp is one (its running combine is a log-add-exp), with the
    work on its input fused in."""
    x = lg.rand(4, 100).realize()
    assert len(lg.schedule(*lg.cummax(x, 1))) == 2
    y = lg.logcumsumexp(x * 2 + 1, 1)
    kernels = lg.schedule(y)
    assert not y._storage.is_realized and len(kernels) == 1 and "logaddexp-scan" in kernels[0].ops


def test_return_types_print_as_torch():
    got, want = both(lambda m, x: m.cummin(x, 1), TIES[:, :3])
    assert repr(got) == repr(want).replace("torch.", "lazygrad.")
    assert lg.return_types.cummax.__name__ == "cummax"


# ---- in-place comparisons, aliases and questions -------------------------------------------------------------

@pytest.mark.parametrize("name", ["greater_", "greater_equal_", "less_", "less_equal_", "not_equal_", "eq_", "gt_"])
@pytest.mark.parametrize("other", ["scalar", "tensor"])
def test_inplace_comparisons(name, other):
    """x.greater_(y) writes 0 or 1 in x's dtype into x itself; torch's node names (Backward0 for a number,
    Backward1 for a tensor)."""
    torch = torch_or_skip()
    a, b = uniform(0, 1, 3, 4).round(1), uniform(0, 1, 4).round(1)
    for dtype in ("float64", "int64"):
        x, t = lg.tensor(a * 10).to(getattr(lg, dtype)), torch.tensor(a * 10).to(getattr(torch, dtype))
        y = lg.tensor(b * 10) if other == "tensor" else 5
        assert getattr(x, name)(y) is x
        assert_same(x, getattr(t, name)(torch.tensor(b * 10) if other == "tensor" else 5))
    x, t = lg.tensor(a, requires_grad=True) * 1, torch.tensor(a, requires_grad=True) * 1
    y, u = (lg.tensor(b), torch.tensor(b)) if other == "tensor" else (0.5, 0.5)
    assert type(getattr(x, name)(y).grad_fn).__name__ == type(getattr(t, name)(u).grad_fn).__name__


@pytest.mark.parametrize("case", [
    lambda m, x: x.fix(), lambda m, x: m.fix(x), lambda m, x: (x * 1).fix_(), lambda m, x: (x * 1).cumsum_(1),
    lambda m, x: (x * 1).cumprod_(0), lambda m, x: x.long().cumsum_(0, dtype=m.int64),
    lambda m, x: x.int().cumsum_(1), lambda m, x: x.int().cumprod_(0),
])
def test_aliases(case):
    assert_same(*both(case, uniform(-3, 3, 3, 4)))


@pytest.mark.parametrize("fn", ["is_complex", "is_signed", "is_inference", "get_device", "is_floating_point"])
def test_questions(fn):
    torch = torch_or_skip()
    for dtype in ("float32", "float64", "int64", "int8", "uint8", "bool", "float16"):
        x, t = lg.zeros(2, dtype=getattr(lg, dtype)), torch.zeros(2, dtype=getattr(torch, dtype))
        assert getattr(x, fn)() == getattr(t, fn)()
        if hasattr(torch, fn):
            assert getattr(lg, fn)(x) == getattr(torch, fn)(t)


def test_is_nonzero_and_is_same_size():
    torch = torch_or_skip()
    for values in ([0.0], [2], [True], [[0]], [NAN]):
        assert lg.tensor(values).is_nonzero() == torch.tensor(values).is_nonzero()
        assert lg.is_nonzero(lg.tensor(values)) == torch.is_nonzero(torch.tensor(values))
    x = lg.zeros(2, 3)
    assert x.is_same_size(lg.ones(2, 3)) and not x.is_same_size(x.t()) and lg.is_same_size(x, x * 2)


def test_empty_strided():
    torch = torch_or_skip()
    x = lg.ones(2, dtype=lg.float64).new_empty_strided((2, 3), (1, 2))
    t = torch.ones(2, dtype=torch.float64).new_empty_strided((2, 3), (1, 2))
    assert (x.shape, x.stride(), x.dtype.name) == (tuple(t.shape), t.stride(), "float64")
    assert x.untyped_storage().nbytes() == t.untyped_storage().nbytes()
    y = lg.empty_strided((3, 0), (1, 1), dtype=lg.int32, requires_grad=False)
    assert y.shape == (3, 0) and y.dtype is lg.int32 and y.untyped_storage().nbytes() == 0
    assert lg.empty_strided((2,), (3,), requires_grad=True).requires_grad


VIEW_CASES = {
    "narrow_copy": lambda m, x: x.narrow_copy(1, 1, 2), "narrow_copy_neg": lambda m, x: m.narrow_copy(x, 0, -2, 2),
    "split_with_sizes": lambda m, x: x.split_with_sizes([1, 3], 1),
    "split_with_sizes_fn": lambda m, x: m.split_with_sizes(x, (2, 0, 1)),
    "unsafe_split": lambda m, x: x.unsafe_split(3, 1), "unsafe_split_fn": lambda m, x: m.unsafe_split(x, 2),
    "unsafe_chunk": lambda m, x: x.unsafe_chunk(3, 1), "unsafe_chunk_fn": lambda m, x: m.unsafe_chunk(x, 2, -1),
    "sum_to_size": lambda m, x: x.sum_to_size(1, 4), "sum_to_size_lead": lambda m, x: x.sum_to_size((4,)),
    "sum_to_size_col": lambda m, x: x.sum_to_size(3, 1), "sum_to_size_all": lambda m, x: x.sum_to_size(1, 1),
    "unfold": lambda m, x: x.unfold(1, 2, 1), "unfold_step": lambda m, x: x.unfold(1, 2, 2),
    "unfold_dim0": lambda m, x: x.unfold(0, 3, 1), "unfold_t": lambda m, x: x.t().unfold(1, 2, 1),
    "unfold_empty": lambda m, x: x.unfold(1, 0, 1), "unfold_0d": lambda m, x: x[1, 1].unfold(0, 1, 1),
    "unfold_last": lambda m, x: x.unfold(-1, 4, 3),
    "select_scatter": lambda m, x: m.select_scatter(x, x[0] * 10, 0, 1),
    "select_scatter_t": lambda m, x: m.select_scatter(x.t(), x[:, 0] * 10, 0, -1),
    "select_scatter_cast": lambda m, x: x.long().select_scatter(x[:, 0] / 3, 1, 2),
    "slice_scatter": lambda m, x: m.slice_scatter(x, x[:, :2] * 10, 1, 1, 3),
    "slice_scatter_step": lambda m, x: x.slice_scatter(x[:, :2] * 10, 1, step=2),
    "slice_scatter_clamp": lambda m, x: m.slice_scatter(x, x[:, :2] * 10, 1, -2, 100),
    "slice_scatter_dim0": lambda m, x: m.slice_scatter(x, x[:1] * 10, start=2),
    "diagonal_scatter": lambda m, x: m.diagonal_scatter(x, x[0, :3] * 10),
    "diagonal_scatter_k": lambda m, x: x.diagonal_scatter(x[0, :3] * 10, 1),
    "diagonal_scatter_dims": lambda m, x: m.diagonal_scatter(x, x[0, :3] * 10, -1, 1, 0),
    "as_strided_scatter": lambda m, x: m.as_strided_scatter(x, x[0, :4].reshape(2, 2) * 10, (2, 2), (4, 1), 1),
    "as_strided_scatter_t": lambda m, x: x.t().as_strided_scatter(x[0, :4].reshape(2, 2) * 10, (2, 2), (4, 1), 1),
    "as_strided_scatter_view": lambda m, x: m.as_strided_scatter(x[1:], x[0, :2].reshape(2, 1), (2, 1), (4, 1)),
}


@pytest.mark.parametrize("name", sorted(VIEW_CASES))
def test_views_splits_and_scatters(name):
    """Values, dtypes, shapes and strides (the scatters lay out their copy as torch's clone does)."""
    assert_same(*both(VIEW_CASES[name], np.arange(12.0).reshape(3, 4)), exact=True, strides=True)


def test_views_share_storage():
    x = lg.arange(12.0).reshape(3, 4)
    assert x.unfold(1, 2, 1)._storage is x._storage and x.split_with_sizes([1, 3], 1)[1]._storage is x._storage
    assert x.narrow_copy(1, 0, 2)._storage is not x._storage and x.sum_to_size(3, 4) is x


@pytest.mark.parametrize("case", [
    lambda m, x: m.aminmax(x), lambda m, x: x.aminmax(dim=1), lambda m, x: m.aminmax(x, dim=0, keepdim=True),
    lambda m, x: m.aminmax(x.long()), lambda m, x: m.aminmax(x > 0, dim=1), lambda m, x: m.aminmax(x[0, 0], dim=0),
    lambda m, x: m.aminmax(x[:0], dim=1),
])
def test_aminmax(case):
    x = uniform(-3, 3, 3, 4).round()
    x[1, 2] = NAN
    assert_same(*both(case, x))


# ---- histc, cov, corrcoef, renorm --------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("args", [(10,), (7, -1.0, 1.5), (4, 0.5, 0.5), (25, -2.3, 0.9), (1, -9.0, 9.0), (3, 5.0, 8.0)])
def test_histc(args, dtype):
    """Values on bin edges land where torch puts them (bins computed in the input's dtype, as torch does)."""
    x = RNG.uniform(-3, 3, 300).round(1).astype(dtype)
    assert_same(*both(lambda m, t: m.histc(t, *args), x), exact=True)
    if len(args) == 3 and args[1] != args[2]:  # (a range of the data's own must be finite)
        assert_same(*both(lambda m, t: t.histc(*args), np.append(x, [NAN, INF, -INF]).astype(dtype)), exact=True)
    assert_same(*both(lambda m, t: m.histc(t, bins=4), np.full(5, 2.0, dtype=dtype)), exact=True)
    assert_same(*both(lambda m, t: m.histc(t, 3), np.zeros(0, dtype=dtype)), exact=True)


def test_histc_is_lazy():
    x = lg.rand(100).realize()
    y = lg.histc(x, 10, 0, 1)
    assert not y._storage.is_realized and len(lg.schedule(y)) == 1
    assert y.sum().item() == 100 and not lg.histc(x * 2, 5)._storage.is_realized


M = np.array([[0.0, 1.0, 2.0, 5.0], [2.0, 1.0, 0.5, -1.0], [1.0, 4.0, 2.0, 0.0]])
FW, AW = np.array([1, 2, 1, 3]), np.array([0.5, 2.0, 1.0, 0.25])

COV_CASES = {
    "cov": lambda m, x, f, a: m.cov(x), "correction0": lambda m, x, f, a: m.cov(x, correction=0),
    "correction2": lambda m, x, f, a: x.cov(correction=2), "1d": lambda m, x, f, a: m.cov(x[0]),
    "fweights": lambda m, x, f, a: m.cov(x, fweights=f), "aweights": lambda m, x, f, a: m.cov(x, aweights=a),
    "both": lambda m, x, f, a: m.cov(x, fweights=f, aweights=a, correction=3),
    "float32_aweights64": lambda m, x, f, a: m.cov(x.float(), aweights=a),
    "long": lambda m, x, f, a: m.cov(x.long()), "one_row": lambda m, x, f, a: m.cov(x[:1]),
    "corrcoef": lambda m, x, f, a: m.corrcoef(x), "corrcoef_1d": lambda m, x, f, a: x[0].corrcoef(),
    "corrcoef_long": lambda m, x, f, a: m.corrcoef(x.long()),
    "corrcoef_constant_row": lambda m, x, f, a: m.corrcoef(m.stack([x[0] * 0 + 1, x[1]])),
    "corrcoef_complex": lambda m, x, f, a: m.corrcoef(m.complex(x, x.flip(1) * x)),
}


@pytest.mark.parametrize("name", sorted(COV_CASES))
def test_cov_and_corrcoef(name):
    assert_same(*both(COV_CASES[name], M, FW, AW), strides=True)


def test_cov_warns_without_degrees_of_freedom():
    torch = torch_or_skip()
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0") as got:
        out = lg.cov(lg.tensor(M[:, :1]))
    with pytest.warns(UserWarning) as want:
        expected = torch.cov(torch.tensor(M[:, :1]))
    assert str(want[0].message).startswith(str(got[0].message) + " (Triggered internally")
    assert_same(out, expected)


@pytest.mark.parametrize("case", [
    lambda m, x: m.renorm(x, 2, 0, 5), lambda m, x: x.renorm(1, 1, 5), lambda m, x: m.renorm(x, INF, 0, 5),
    lambda m, x: m.renorm(x, 0.5, -1, 3), lambda m, x: m.renorm(x.float(), 3, 0, 0.5),
    lambda m, x: (x * 1).renorm_(2, 1, 4), lambda m, x: m.renorm(x[None], 2, 1, 5),
])
def test_renorm(case):
    assert_same(*both(case, np.array([[1.0, 2.0, 3.0], [4.0, -5.0, 6.0], [0.1, 0.1, -0.1]])))


# ---- random fills -------------------------------------------------------------------------------------------

def test_random_fill_distributions():
    """Sample moments and quantiles of each fill (400k float64 samples)."""
    lg.manual_seed(3)
    n = 400_000
    x = lg.zeros(n, dtype=lg.float64)
    assert x.exponential_(2.0) is x and abs(x.mean().item() - 0.5) < 0.005 and x.min().item() >= 0
    geometric = lg.zeros(n, dtype=lg.float64).geometric_(0.25)
    assert geometric.min().item() == 1 and abs(geometric.mean().item() - 4) < 0.03
    assert np.array_equal(geometric.numpy(), np.round(geometric.numpy()))
    log_normal = lg.zeros(n, dtype=lg.float64).log_normal_(0.5, 0.3)
    assert abs(log_normal.log().mean().item() - 0.5) < 0.003 and abs(log_normal.log().std().item() - 0.3) < 0.003
    cauchy = lg.zeros(n, dtype=lg.float64).cauchy_(1.0, 2.0)
    quartiles = lg.quantile(cauchy, lg.tensor([0.25, 0.5, 0.75], dtype=lg.float64)).numpy()
    assert np.allclose(quartiles, [-1.0, 1.0, 3.0], atol=0.03)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"])
def test_random_default_ranges(dtype):
    """random_() covers [0, 2^mantissa digits] for floats and [0, max] for integers, as torch's does."""
    torch = torch_or_skip()
    lg.manual_seed(4)
    x = lg.zeros(50_000, dtype=getattr(lg, dtype)).random_()
    info = np.finfo(x.dtype.np) if x.dtype.is_floating_point else None
    high = 2 ** (info.nmant + 1) if info else (1 if dtype == "bool" else np.iinfo(x.dtype.np).max)
    values = x.numpy().astype(np.float64)
    assert values.min() >= 0 and values.max() <= high and values.max() > 0.99 * high
    assert np.array_equal(values, np.round(values)) and x.dtype.name == str(torch.zeros(1, dtype=getattr(
        torch, dtype)).random_().dtype).replace("torch.", "")


@pytest.mark.parametrize("args, low, high", [((7,), 0, 6), ((-3, 4), -3, 3), ((250, None), 250, 2 ** 24),
                                             ((-(2 ** 40), 2 ** 40), -(2 ** 40), 2 ** 40 - 1)])
def test_random_ranges(args, low, high):
    lg.manual_seed(5)
    dtype = lg.float64 if abs(low) > 2 ** 24 else lg.float32
    values = lg.zeros(20_000, dtype=dtype).random_(*args).numpy()
    assert values.min() >= low and values.max() <= high and np.array_equal(values, np.round(values))
    assert values.min() < low + (high - low) / 100 and values.max() > high - (high - low) / 100
    assert set(np.unique(lg.zeros(1000, dtype=lg.int8).random_(to=3).numpy())) == {0, 1, 2}


FILLS = {
    "exponential_": lambda t, **kw: t.exponential_(1.5, **kw), "geometric_": lambda t, **kw: t.geometric_(0.3, **kw),
    "log_normal_": lambda t, **kw: t.log_normal_(0.2, 0.5, **kw), "cauchy_": lambda t, **kw: t.cauchy_(-1, 0.5, **kw),
    "random_": lambda t, **kw: t.random_(-5, 9, **kw), "random_long": lambda t, **kw: t.long().random_(**kw),
}


@pytest.mark.parametrize("name", sorted(FILLS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_random_fills_are_the_same_on_every_backend(name, dtype):
    """The same seed (and the same Generator) gives the same numbers compiled and interpreted."""
    draws = drawn_on_every_backend(lambda gen: [
        FILLS[name](lg.zeros(9, dtype=getattr(lg, dtype))).numpy().copy(),
        FILLS[name](lg.zeros(9, dtype=getattr(lg, dtype)), generator=gen).numpy().copy()], seed=11, generator_seed=2)
    for a, b in zip(*draws):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert not np.array_equal(draws[0][0], draws[0][1])


@pytest.mark.parametrize("name, node", [("exponential_", "ExponentialBackward0"), ("geometric_", "GeometricBackward0"),
                                        ("log_normal_", "LogNormalBackward0"), ("cauchy_", "CauchyBackward0"),
                                        ("random_", "RandomBackward0")])
def test_random_fills_record_torch_nodes(name, node):
    """The fills keep the tensor, stay lazy and record torch's node, whose gradient is zero."""
    x = lg.tensor([0.5, 2.0], requires_grad=True)
    y = x * 1
    assert FILLS[name](y) is y and type(y.grad_fn).__name__ == node and not y._storage.is_realized
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]
    for fill, node in ((lambda t: t.random_(), "RandomBackward2"), (lambda t: t.random_(3), "RandomBackward1"),
                       (lambda t: t.random_(to=3), "RandomBackward1")):
        assert type(fill(x * 1).grad_fn).__name__ == node


def test_random_warns_past_exact_floats():
    torch = torch_or_skip()
    with pytest.warns(UserWarning) as want:
        torch.zeros(3).random_(0, 2 ** 25)
    with pytest.warns(UserWarning) as got:
        lg.zeros(3).random_(0, 2 ** 25)
    assert str(want[0].message).startswith(str(got[0].message) + " (Triggered internally")
    with pytest.warns(UserWarning, match="c10::Half can support"):
        lg.zeros(3, dtype=lg.float16).random_(-(2 ** 12), 2)


# ---- special functions -------------------------------------------------------------------------------------

WIDE = np.concatenate([RNG.uniform(-30, 30, 600), RNG.uniform(0, 3, 600), 10 ** RNG.uniform(-8, 8, 300),
                       -(10 ** RNG.uniform(-8, 3, 300)), [0.5, 1.0, 1.5, 2.0, 2.5, 7.999999, 8.0, 10.0, 20.0]])
UNIT = np.concatenate([RNG.uniform(-1, 1, 600), 1 - 10 ** RNG.uniform(-16, -1, 300),
                       -1 + 10 ** RNG.uniform(-16, -1, 300), 10 ** RNG.uniform(-300, -1, 100)])
PROBABILITY = np.concatenate([RNG.uniform(0, 1, 600), 10 ** RNG.uniform(-300, -1, 300),
                              1 - 10 ** RNG.uniform(-16, -1, 300)])

# name -> (function, inputs)
SPECIAL = {
    "lgamma": (lambda m, x: m.lgamma(x), WIDE), "digamma": (lambda m, x: m.digamma(x), WIDE),
    "polygamma1": (lambda m, x: m.polygamma(1, x), WIDE), "polygamma2": (lambda m, x: x.polygamma(2), WIDE),
    "polygamma4": (lambda m, x: m.polygamma(4, x), WIDE), "polygamma0": (lambda m, x: m.polygamma(0, x), WIDE),
    "mvlgamma": (lambda m, x: m.mvlgamma(x, 3), np.abs(WIDE) + 1.01), "erfinv": (lambda m, x: m.erfinv(x), UNIT),
    "i0": (lambda m, x: m.i0(x), WIDE[np.abs(WIDE) < 85]),
    "i1": (lambda m, x: m.special.i1(x), WIDE[np.abs(WIDE) < 85]),
    "ndtri": (lambda m, x: m.special.ndtri(x), PROBABILITY),
    "log_ndtr": (lambda m, x: m.special.log_ndtr(x), WIDE[WIDE > -1e4]), "entr": (lambda m, x: m.special.entr(x), WIDE),
}


@pytest.mark.parametrize("name", sorted(SPECIAL))
def test_special_functions_float64(name):
    """Against torch over wide ranges, as close as torch's own accuracy allows (torch's trigamma and its digamma
    near the root at 1.46 are good to about 5e-10)."""
    fn, x = SPECIAL[name]
    assert_same(*both(fn, x), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", sorted(SPECIAL))
def test_special_functions_float32_round_once(name):
    """float32 results are the float64 values rounded once (within one float32 ulp of torch in float64, which
    torch's own float32 kernels are not everywhere: near poles and roots)."""
    torch = torch_or_skip()
    fn, x = SPECIAL[name]
    x32 = x.astype(np.float32)
    got = fn(lg, lg.tensor(x32))
    assert got.dtype is lg.float32
    want = fn(torch, torch.tensor(x32.astype(np.float64))).float()
    assert_same(got, want, rtol=1.2e-7, atol=1e-38)


SPECIAL_POINTS = np.array([0.0, -0.0, 1.0, 2.0, -1.0, -2.0, -2.5, 0.5, INF, -INF, NAN, 1e-300, -1e-300, 1e300, 171.7,
                           -171.5, 3.0, -3.5, 1e-20, 800.0, -800.0, 0.25, 0.75, 89.0, -100.0])


@pytest.mark.parametrize("name", sorted(SPECIAL) + ["ndtr"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_special_function_edges(name, dtype):
    """Zeros of both signs, poles, infinities, NaN, overflow: torch's values (and signs of zero). polygamma(1, x)
    at the negative integers is inf here, where torch's sin(pi x) rounding gives a large finite number; torch's
    higher polygammas lose digits at large negative x (its Hurwitz zeta sums cancel), so those are left out."""
    fn = SPECIAL[name][0] if name != "ndtr" else (lambda m, x: m.special.ndtr(x))
    x = SPECIAL_POINTS.astype(dtype)
    if name == "polygamma1":
        x = x[(x >= 0) | (x != np.round(x))]
    if name in ("polygamma2", "polygamma4"):
        x = x[(x > -100) | np.isinf(x)]
    got, want = both(fn, x)
    assert_same(got, want, rtol=1e-9 if dtype == "float64" else 1.3e-6, atol=0)
    numbers = ~np.isnan(want.numpy())
    assert np.array_equal(np.signbit(got.numpy()[numbers]), np.signbit(want.numpy()[numbers]))


@pytest.mark.parametrize("name", ["lgamma", "digamma", "polygamma1", "erfinv", "i0", "entr"])
@pytest.mark.parametrize("dtype", ["int64", "bool", "float16"])
def test_special_function_dtypes(name, dtype):
    """Integers and bools give the default float dtype, float16 stays float16."""
    fn, _ = SPECIAL[name]
    x = np.array([0, 1, 2, 3])
    x = (x > 1) if dtype == "bool" else x.astype(dtype)
    assert_same(*both(fn, x), atol=1e-3 if dtype == "float16" else None, rtol=1e-3 if dtype == "float16" else None)


def test_special_functions_of_constant_integers():
    """A constant integer tensor (a node, not a buffer: folded when the graph is simplified)."""
    torch = torch_or_skip()
    for name in ("erfinv", "erf", "lgamma"):
        got = getattr(lg, name)(lg.ones(3, dtype=lg.long))
        assert_same(got, getattr(torch, name)(torch.ones(3, dtype=torch.long)))


def test_polygamma_of_higher_orders():
    for n in (3, 5, 8):
        assert_same(*both(lambda m, x: m.polygamma(n, x), np.concatenate([uniform(0.05, 40, 200),
                                                                          uniform(-9.9, -0.1, 200)])),
                    rtol=1e-9, atol=0)


SPECIAL_NAMES = ["digamma", "entr", "erf", "erfc", "erfinv", "exp2", "expit", "expm1", "gammaln", "i0", "i1", "log1p",
                 "log_ndtr", "ndtr", "ndtri", "psi", "round", "sinc"]


@pytest.mark.parametrize("name", SPECIAL_NAMES)
def test_special_namespace(name):
    """lazygrad.special has torch.special's names, values, dtypes and nodes."""
    torch = torch_or_skip()
    a = uniform(0.05, 0.95, 3, 4)
    got, want = both(lambda m, x: getattr(m.special, name)(x), a)
    assert_same(got, want, rtol=1e-9, atol=1e-12)
    if name != "round":  # (torch.special.round refuses integers, as tested among the errors)
        assert_same(*both(lambda m, x: getattr(m.special, name)(x), (a * 10).astype(np.int64)), rtol=1e-6, atol=1e-7)
    x, t = lg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    assert type(getattr(lg.special, name)(x).grad_fn).__name__ == type(getattr(torch.special, name)(t).grad_fn).__name__


@pytest.mark.parametrize("case", [
    lambda m, x: m.special.logit(x, eps=0.2), lambda m, x: m.special.xlogy(x, 2.0), lambda m, x: m.special.xlogy(3, x),
    lambda m, x: m.special.logsumexp(x, 1), lambda m, x: m.special.logsumexp(x, (0, 1), keepdim=True),
    lambda m, x: m.special.softmax(x, 0), lambda m, x: m.special.softmax(x, 1, dtype=m.float32),
    lambda m, x: m.special.log_softmax(x, -1), lambda m, x: m.special.polygamma(2, x),
    lambda m, x: m.special.multigammaln(x + 2, 3), lambda m, x: m.special.round(x * 10, decimals=1),
])
def test_special_namespace_arguments(case):
    got, want = both(case, uniform(0.05, 0.95, 3, 4))
    assert_same(got, want, **({"rtol": 1e-9, "atol": 1e-12} if got.dtype is lg.float64 else {}))


def test_special_functions_are_one_kernel():
    x = lg.rand(3, 4).realize()
    for y in (lg.lgamma(x), lg.digamma(x), lg.polygamma(3, x), lg.erfinv(x), lg.i0(x), lg.mvlgamma(x + 2, 4),
              lg.special.ndtri(x), lg.special.log_ndtr(x), lg.special.i1(x)):
        assert not y._storage.is_realized and len(lg.schedule(y)) == 1


# ---- autograd: torch's node names and gradients ----------------------------------------------------------

# name -> (function, input shapes)
GRAD_CASES = {
    "cummax": (lambda m, x: m.cummax(x, 1).values, [(3, 4)]),
    "cummin": (lambda m, x: x.round(decimals=1).cummin(0)[0], [(3, 4)]),
    "logcumsumexp": (lambda m, x: m.logcumsumexp(x * 30 - 15, 1), [(3, 5)]),
    "aminmax": (lambda m, x: (lambda r: r.min * 2 + r.max)(m.aminmax(x, dim=1)), [(3, 4)]),
    "aminmax_ties": (lambda m, x: m.aminmax(x.round()).max, [(3, 4)]),
    "renorm": (lambda m, x: m.renorm(x, 2, 0, 1.0), [(3, 4)]),
    "renorm_inf": (lambda m, x: x.renorm(INF, 1, 0.5), [(3, 4)]),
    "renorm_p": (lambda m, x: m.renorm(x, 1.5, 1, 0.7), [(3, 4)]),
    "select_scatter": (lambda m, x, s: m.select_scatter(x, s, 0, 1), [(3, 4), (4,)]),
    "slice_scatter": (lambda m, x, s: m.slice_scatter(x, s, 1, 0, 4, 2), [(3, 4), (3, 2)]),
    "diagonal_scatter": (lambda m, x, s: m.diagonal_scatter(x, s, 1), [(3, 4), (3,)]),
    "unfold": (lambda m, x: x.unfold(1, 3, 1), [(3, 4)]),
    "narrow_copy": (lambda m, x: x.narrow_copy(1, -3, 2), [(3, 4)]),
    "split_with_sizes": (lambda m, x: x.split_with_sizes([1, 3], 1)[1], [(3, 4)]),
    "split_list": (lambda m, x: m.split(x, [3, 1], 1)[0], [(3, 4)]),
    "unsafe_split": (lambda m, x: x.unsafe_split(3, 1)[0], [(3, 4)]),
    "unsafe_chunk": (lambda m, x: x.unsafe_chunk(2, 0)[1], [(3, 4)]),
    "sum_to_size": (lambda m, x: x.sum_to_size(4), [(3, 4)]),
    "cov": (lambda m, x, a: m.cov(x, aweights=a), [(3, 4), (4,)]), "corrcoef": (lambda m, x: m.corrcoef(x), [(3, 4)]),
    "lgamma": (lambda m, x: m.lgamma(x * 10 - 5), [(3, 4)]), "digamma": (lambda m, x: m.digamma(x * 10 - 5), [(3, 4)]),
    "polygamma": (lambda m, x: m.polygamma(2, x * 3), [(3, 4)]),
    "polygamma0": (lambda m, x: m.polygamma(0, x * 3), [(3, 4)]),
    "mvlgamma": (lambda m, x: m.mvlgamma(x + 2, 3), [(3, 4)]), "erfinv": (lambda m, x: m.erfinv(x * 2 - 1), [(3, 4)]),
    "i0": (lambda m, x: m.i0(x * 30 - 15), [(3, 4)]), "i1": (lambda m, x: m.special.i1(x * 30 - 15), [(3, 4)]),
    "ndtri": (lambda m, x: m.special.ndtri(x), [(3, 4)]), "ndtr": (lambda m, x: m.special.ndtr(x * 6 - 3), [(3, 4)]),
    "log_ndtr": (lambda m, x: m.special.log_ndtr(x * 20 - 10), [(3, 4)]),
    "entr": (lambda m, x: m.special.entr(x), [(3, 4)]), "gammaln": (lambda m, x: m.special.gammaln(x), [(3, 4)]),
    "psi": (lambda m, x: m.special.psi(x), [(3, 4)]), "round": (lambda m, x: m.special.round(x), [(3, 4)]),
    "round_decimals": (lambda m, x: m.round(x, decimals=2), [(3, 4)]),
    "fix_": (lambda m, x: (x * 4).fix_(), [(3, 4)]), "cumsum_": (lambda m, x: (x * 1).cumsum_(1), [(3, 4)]),
    "cumprod_": (lambda m, x: (x * 1).cumprod_(0), [(3, 4)]), "lgamma_": (lambda m, x: (x * 1).lgamma_(), [(3, 4)]),
    "digamma_": (lambda m, x: (x * 1).digamma_(), [(3, 4)]), "erfinv_": (lambda m, x: (x * 1).erfinv_(), [(3, 4)]),
    "i0_": (lambda m, x: (x * 1).i0_(), [(3, 4)]), "polygamma_": (lambda m, x: (x * 1).polygamma_(1), [(3, 4)]),
    "mvlgamma_": (lambda m, x: (x + 2).mvlgamma_(2), [(3, 4)]),
    "renorm_": (lambda m, x: (x * 1).renorm_(2, 0, 1.0), [(3, 4)]),
}


@pytest.mark.parametrize("name", sorted(GRAD_CASES))
def test_grad_fn_and_gradients(name):
    """The node torch records (by name) and the gradients of every input, in float64."""
    fn, shapes = GRAD_CASES[name]
    gradients_like_torch(fn, [uniform(0.2, 0.9, *s) for s in shapes])


def test_as_strided_scatter_gradient():
    """torch's node; src's gradient is torch's, input's is g outside the written region (torch 2.13 gives g
    inside it instead, which fails its own gradcheck: out does not depend on input there)."""
    torch = torch_or_skip()
    a, s, seed = uniform(0.2, 0.9, 3, 4), uniform(0.2, 0.9, 2, 2), RNG.standard_normal((3, 4))
    x, src = lg.tensor(a, requires_grad=True), lg.tensor(s, requires_grad=True)
    t, t_src = torch.tensor(a, requires_grad=True), torch.tensor(s, requires_grad=True)
    out, want = lg.as_strided_scatter(x, src, (2, 2), (4, 1), 1), torch.as_strided_scatter(t, t_src, (2, 2), (4, 1), 1)
    assert type(out.grad_fn).__name__ == type(want.grad_fn).__name__
    grad_x, grad_src = lg.autograd.grad(out, [x, src], lg.tensor(seed))
    assert_same(grad_src, torch.autograd.grad(want, [t_src], torch.tensor(seed))[0])
    outside = torch.as_strided_scatter(torch.tensor(seed), torch.zeros(2, 2, dtype=torch.float64), (2, 2), (4, 1), 1)
    assert_same(grad_x, outside)
    assert lg.autograd.gradcheck(lambda u, v: lg.as_strided_scatter(u, v, (2, 2), (4, 1), 1), (x, src))


def test_nondifferentiable_results():
    """histc and the indices of cummax record nothing, as in torch."""
    x = lg.tensor([0.2, 0.7, 0.4], requires_grad=True)
    assert lg.histc(x, 4).grad_fn is None and not lg.histc(x, 4).requires_grad
    assert lg.cummax(x, 0).indices.grad_fn is None


# ---- errors -------------------------------------------------------------------------------------------------

def _errors():
    x = np.arange(12.0).reshape(3, 4)
    v = np.ones(3)
    i = np.arange(6).reshape(2, 3)
    return [
        (lambda m: m.cummax(m.tensor(x), 2), IndexError),
        (lambda m: m.cummin(m.tensor(1.0), 1), IndexError),
        (lambda m: m.logcumsumexp(m.tensor(i), 0), NotImplementedError),
        (lambda m: m.logcumsumexp(m.tensor(i) > 2, 0), NotImplementedError),
        (lambda m: m.tensor(i).int().cumsum_(0, dtype=m.int64), RuntimeError),
        (lambda m: m.tensor(x).cumprod_(1, dtype=m.float32), RuntimeError),
        (lambda m: m.is_nonzero(m.tensor(x)), RuntimeError),
        (lambda m: m.tensor([]).is_nonzero(), RuntimeError),
        (lambda m: m.empty_strided((2, 3), (1,)), RuntimeError),
        (lambda m: m.tensor(x).split_with_sizes([1, 2], 1), RuntimeError),
        (lambda m: m.tensor(x).unsafe_split([1, 3], 1), TypeError),
        (lambda m: m.tensor(x).unsafe_chunk(0), RuntimeError),
        (lambda m: m.tensor(x).sum_to_size(2, 4), RuntimeError),
        (lambda m: m.tensor(x).sum_to_size(1, 3, 4), RuntimeError),
        (lambda m: m.tensor(x).narrow_copy(1, 3, 2), RuntimeError),
        (lambda m: m.aminmax(m.tensor([])), RuntimeError),
        (lambda m: m.aminmax(m.ones(2, 0), dim=1), IndexError),
        (lambda m: m.aminmax(m.tensor(x), dim=2), IndexError),
        (lambda m: m.select_scatter(m.tensor(x), m.ones(3), 0, 1), RuntimeError),
        (lambda m: m.select_scatter(m.tensor(x), m.ones(4), 0, 5), IndexError),
        (lambda m: m.select_scatter(m.tensor(x), m.ones(()), 0, 1), RuntimeError),
        (lambda m: m.slice_scatter(m.tensor(x), m.ones(3, 3), 1, 1, 3), RuntimeError),
        (lambda m: m.slice_scatter(m.tensor(x), m.ones(3, 4), 1, 0, 4, 0), RuntimeError),
        (lambda m: m.diagonal_scatter(m.tensor(x), m.ones(2)), RuntimeError),
        (lambda m: m.as_strided_scatter(m.tensor(x), m.ones(3, 2), (2, 2), (4, 1), 1), RuntimeError),
        (lambda m: m.as_strided_scatter(m.tensor(x), m.ones(2, 2), (2, 2), (4, 1), 20), RuntimeError),
        (lambda m: m.tensor(x).unfold(1, 5, 1), RuntimeError),
        (lambda m: m.tensor(x).unfold(1, 2, 0), RuntimeError),
        (lambda m: m.tensor(x).unfold(1, -1, 1), RuntimeError),
        (lambda m: m.tensor(x).unfold(2, 1, 1), IndexError),
        (lambda m: m.tensor(3.0).unfold(0, 2, 1), RuntimeError),
        (lambda m: m.histc(m.tensor(i), 4), NotImplementedError),
        (lambda m: m.histc(m.tensor(x), 0), RuntimeError),
        (lambda m: m.histc(m.tensor(x), 4, 3, 1), RuntimeError),
        (lambda m: m.histc(m.tensor(x), 4, 0, INF), RuntimeError),
        (lambda m: m.histc(m.tensor([1.0, INF]), 4), RuntimeError),
        (lambda m: m.histc(m.tensor([1.0, NAN]), 4), RuntimeError),
        (lambda m: m.cov(m.ones(2, 2, 2)), RuntimeError),
        (lambda m: m.cov(m.tensor(x) > 1), RuntimeError),
        (lambda m: m.cov(m.tensor(x), fweights=m.tensor([1.0, 2.0, 1.0, 1.0])), RuntimeError),
        (lambda m: m.cov(m.tensor(x), fweights=m.tensor([[1, 2, 1, 1]])), RuntimeError),
        (lambda m: m.cov(m.tensor(x), fweights=m.tensor([1, 2, 1])), RuntimeError),
        (lambda m: m.cov(m.tensor(x), fweights=m.tensor([1, -2, 1, 1])), RuntimeError),
        (lambda m: m.cov(m.tensor(x), aweights=m.tensor([1, 2, 1, 1])), RuntimeError),
        (lambda m: m.cov(m.tensor(x), aweights=m.tensor([1.0, 2.0])), RuntimeError),
        (lambda m: m.cov(m.tensor(x), aweights=m.tensor([1.0, -2.0, 1.0, 0.0])), RuntimeError),
        (lambda m: m.corrcoef(m.ones(2, 2, 2)), RuntimeError),
        (lambda m: m.renorm(m.tensor(x), 0, 0, 1), RuntimeError),
        (lambda m: m.renorm(m.tensor(x), -1, 0, 1), RuntimeError),
        (lambda m: m.renorm(m.tensor(x), 2, 0, -5), RuntimeError),
        (lambda m: m.renorm(m.tensor(v), 2, 0, 1), RuntimeError),
        (lambda m: m.renorm(m.tensor(i), 2, 0, 1), RuntimeError),
        (lambda m: m.renorm(m.tensor(x), 2, 3, 1), IndexError),
        (lambda m: m.zeros(3).exponential_(0), RuntimeError),
        (lambda m: m.zeros(3).exponential_(-1.5), RuntimeError),
        (lambda m: m.zeros(3, dtype=m.long).exponential_(), RuntimeError),
        (lambda m: m.zeros(3).geometric_(0), RuntimeError),
        (lambda m: m.zeros(3).geometric_(1), RuntimeError),
        (lambda m: m.zeros(3, dtype=m.bool).geometric_(0.5), NotImplementedError),
        (lambda m: m.zeros(3).log_normal_(1, 0), RuntimeError),
        (lambda m: m.zeros(3, dtype=m.long).log_normal_(), NotImplementedError),
        (lambda m: m.zeros(3).cauchy_(0, -1), RuntimeError),
        (lambda m: m.zeros(3, dtype=m.long).cauchy_(), RuntimeError),
        (lambda m: m.zeros(3).random_(5, 3), RuntimeError),
        (lambda m: m.zeros(3).random_(5, 5), RuntimeError),
        (lambda m: m.zeros(3, dtype=m.uint8).random_(-3, 5), RuntimeError),
        (lambda m: m.zeros(3, dtype=m.int8).random_(0, 500), RuntimeError),
        (lambda m: m.zeros(3, dtype=m.int16).random_(-2 ** 20, 5), RuntimeError),
        (lambda m: m.zeros(3, dtype=m.bool).random_(0, 3), RuntimeError),
        (lambda m: m.zeros(3, dtype=m.int8).random_(200, None), RuntimeError),
        (lambda m: m.polygamma(-1, m.tensor(x)), RuntimeError),
        (lambda m: m.mvlgamma(m.tensor(x), 0), RuntimeError),
        (lambda m: m.mvlgamma(m.tensor(x) > 1, 2), RuntimeError),
        (lambda m: m.unsafe_split(m.tensor(x), [1, 3], 1), TypeError),
        (lambda m: m.cummax(m.tensor(1.0), -2), IndexError),
        (lambda m: m.special.round(m.tensor(i)), NotImplementedError),
        (lambda m: m.special.round(m.tensor(i) > 1, decimals=2), NotImplementedError),
        (lambda m: m.round(m.tensor(i), decimals=0), NotImplementedError),
        (lambda m: m.tensor(i).round(decimals=3), NotImplementedError),
        (lambda m: m.logcumsumexp(m.tensor(1.0), 1), IndexError),
        (lambda m: m.tensor(x).long().lgamma_(), RuntimeError),
    ]


@pytest.mark.parametrize("index", range(len(_errors())))
def test_errors_match_torch(index):
    """torch's exception class and message for bad input."""
    raises_like_torch(*_errors()[index])


def test_methods_and_functions_exist_where_torch_has_them():
    torch = torch_or_skip()
    methods = ["cummax", "cummin", "logcumsumexp", "greater_", "greater_equal_", "less_", "less_equal_", "not_equal_",
               "fix", "fix_", "cumsum_", "cumprod_", "is_complex", "is_nonzero", "is_same_size", "is_signed",
               "is_inference", "get_device", "new_empty_strided", "narrow_copy", "split_with_sizes", "unsafe_chunk",
               "unsafe_split", "sum_to_size", "aminmax", "select_scatter", "slice_scatter", "diagonal_scatter",
               "as_strided_scatter", "unfold", "histc", "cov", "corrcoef", "renorm", "renorm_", "exponential_",
               "geometric_", "log_normal_", "cauchy_", "random_", "lgamma", "lgamma_", "digamma", "digamma_",
               "polygamma", "polygamma_", "erfinv", "erfinv_", "i0", "i0_", "mvlgamma", "mvlgamma_"]
    for name in methods:
        assert hasattr(torch.Tensor, name) and hasattr(lg.Tensor, name), name
    functions = ["cummax", "cummin", "logcumsumexp", "is_complex", "is_nonzero", "is_signed", "is_same_size",
                 "is_inference", "get_device", "narrow_copy", "split_with_sizes", "unsafe_chunk", "unsafe_split",
                 "aminmax", "select_scatter", "slice_scatter", "diagonal_scatter", "as_strided_scatter", "histc",
                 "cov", "corrcoef", "renorm", "lgamma", "digamma", "polygamma", "erfinv", "i0", "mvlgamma",
                 "empty_strided", "fix"]
    for name in functions:
        assert hasattr(torch, name) and hasattr(lg, name), name
    for name in lg.special.__all__:
        assert hasattr(torch.special, name), name
