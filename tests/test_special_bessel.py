"""torch.special's Bessel functions (bessel_j0 ... scaled_modified_bessel_k1, airy_ai) and the Hurwitz zeta
function against torch: values over wide ranges in float64 and float32, special values, dtypes, errors and
gradients. torch's own float64 J and Y are good to only about 1e-7 between 2.3 and 21, and its Ai to about 3e-6
between -5.4 and -2.09; there mpmath (which torch installs) is the oracle. Each function runs on one fixed grid
per dtype, so that the test compiles few kernels."""
import re

import numpy as np
import pytest

import lazygrad as lg
from oracle import assert_same, raises_like_torch, torch_or_skip

INF, NAN = np.inf, np.nan
# name -> (the range of the grid, the interval where torch's float64 values are not to be trusted)
BESSEL = {
    "bessel_j0": ((-1000.0, 1000.0), (2.0, 21.5)), "bessel_j1": ((-1000.0, 1000.0), (2.0, 21.5)),
    "bessel_y0": ((-1.0, 1000.0), (2.0, 21.5)), "bessel_y1": ((-1.0, 1000.0), (2.0, 21.5)),
    "modified_bessel_i0": ((-800.0, 800.0), None), "modified_bessel_i1": ((-800.0, 800.0), None),
    "modified_bessel_k0": ((-1.0, 800.0), None), "modified_bessel_k1": ((-1.0, 800.0), None),
    "scaled_modified_bessel_k0": ((-1.0, 1e4), None), "scaled_modified_bessel_k1": ((-1.0, 1e4), None),
    "airy_ai": ((-60.0, 110.0), (-5.5, -2.0)),
}
EDGES = np.array([-INF, -1e3, -104.0, -50.0, -1.0, -1e-300, -0.0, 0.0, 1e-310, 1e-300, 1e-20, 1e-10, 1e-5, 1.0, 2.0,
                  20.0, 25.8, 30.0, 88.0, 100.0, 103.89, 103.892, 103.9, 110.0, 700.0, 710.0, 800.0, 1e4, INF, NAN])
MPMATH = {"bessel_j0": lambda mp, x: mp.besselj(0, x), "bessel_j1": lambda mp, x: mp.besselj(1, x),
          "bessel_y0": lambda mp, x: mp.bessely(0, x), "bessel_y1": lambda mp, x: mp.bessely(1, x),
          "airy_ai": lambda mp, x: mp.airyai(x)}


def grid(name: str) -> np.ndarray:
    """The range, both sides of 0 on a log scale, the interval where torch is off (densely), and the edges."""
    (lo, hi), off = BESSEL[name]
    small = np.geomspace(1e-8, 30, 150)
    dense = np.linspace(*off, 100) if off else np.array([])
    points = [np.linspace(lo, hi, 1200), small, -small if lo < -30 else small[:0], dense,
              -dense if name.startswith("bessel_j") else dense[:0]]
    edges = EDGES[np.isnan(EDGES) | np.isinf(EDGES) | (EDGES == 0) | ((EDGES >= min(lo, -1.0)) & (EDGES <= hi))]
    return np.concatenate(points + [edges])


def trusted(name: str, x: np.ndarray) -> np.ndarray:
    """Where torch's float64 values are good to 1e-12."""
    off = BESSEL[name][1]
    if off is None:
        return np.ones(x.shape, bool)
    t = np.abs(x) if name.startswith("bessel") else x
    return ~((t > off[0]) & (t < off[1]))


def envelope(name: str, x: np.ndarray, want: np.ndarray) -> np.ndarray:
    """The scale errors are measured against: |value|, or for the oscillating functions their amplitude
    (so that near their zeros the error is absolute)."""
    a = np.abs(x.astype(np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        if name.startswith("bessel"):
            amplitude = np.minimum(1.0, np.sqrt(2 / (np.pi * a)))
        elif name == "airy_ai":
            amplitude = np.where(x < 0, np.minimum(0.5, a ** -0.25 / np.sqrt(np.pi)), 0.0)
        else:
            amplitude = np.zeros_like(a)
    return np.fmax(np.abs(want.astype(np.float64)), amplitude)


def assert_close(name, x, got, want, tol: float, floor: float) -> None:
    """NaNs, infinities and signs of zeros where want has them; |got - want| <= tol * envelope + floor."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    assert np.array_equal(np.isnan(got), np.isnan(want)), x[np.isnan(got) != np.isnan(want)]
    infinite = np.isinf(want)
    assert np.array_equal(got[infinite], want[infinite]), x[infinite]
    zero = want == 0
    assert np.array_equal(np.signbit(got[zero]), np.signbit(want[zero])), x[zero]
    finite = np.isfinite(want)
    error = np.abs(got[finite] - want[finite]) - tol * envelope(name, x[finite], want[finite])
    worst = int(np.argmax(error))
    assert error[worst] <= floor, (x[finite][worst], got[finite][worst], want[finite][worst])


@pytest.mark.parametrize("name", sorted(BESSEL))
def test_float64_like_torch_and_exact_where_torch_is_not(name):
    torch = torch_or_skip()
    x = grid(name)
    got = getattr(lg.special, name)(lg.tensor(x)).numpy()
    want = getattr(torch.special, name)(torch.tensor(x)).numpy()
    keep = trusted(name, x)
    assert_close(name, x[keep], got[keep], want[keep], tol=1e-12, floor=1e-300)
    if name in MPMATH:
        mp = pytest.importorskip("mpmath")
        with mp.workdps(30):
            exact = np.array([float(MPMATH[name](mp, mp.mpf(float(v)))) for v in x[~keep]])
        assert_close(name, x[~keep], got[~keep], exact, tol=1e-13, floor=0)
        assert_close(name, x[~keep], want[~keep], exact, tol=1e-5, floor=0)  # torch's own error there


@pytest.mark.parametrize("name", sorted(BESSEL))
def test_float32_is_float64_rounded_once(name):
    """float32 results are near torch's float32 ones, which are computed in float32 (off by up to 3e-5 of the
    amplitude for Ai near -50, 4e-6 for J and Y), and are the float64 values rounded: within an ulp of torch's
    float64 ones where those are good."""
    torch = torch_or_skip()
    x = grid(name).astype(np.float32)
    got = getattr(lg.special, name)(lg.tensor(x))
    assert got.dtype is lg.float32
    got = got.numpy()
    want = getattr(torch.special, name)(torch.tensor(x, dtype=torch.float64)).float().numpy()
    theirs = getattr(torch.special, name)(torch.tensor(x)).numpy()
    assert_close(name, x, got, theirs, tol=3e-5, floor=1e-37)
    keep = trusted(name, x) & (np.isfinite(theirs) | ~np.isfinite(x))  # (I0 and I1 overflow where e^x does)
    assert_close(name, x[keep], got[keep], want[keep], tol=1.2e-7, floor=1e-44)


@pytest.mark.parametrize("name", sorted(BESSEL))
def test_no_gradient_like_torch(name):
    torch = torch_or_skip()
    x = np.array([0.5, 2.0])
    theirs = getattr(torch.special, name)(torch.tensor(x, requires_grad=True))
    ours = getattr(lg.special, name)(lg.tensor(x, requires_grad=True))
    assert (ours.requires_grad, ours.grad_fn) == (theirs.requires_grad, theirs.grad_fn) == (False, None)


@pytest.mark.parametrize("name, dtype", [("bessel_j0", "int64"), ("modified_bessel_k1", "bool"), ("airy_ai", "uint8")])
def test_integer_inputs_like_torch(name, dtype):
    """Integers and bools give float32."""
    torch = torch_or_skip()
    x = np.array([0, 1, 2, 3]).astype(dtype)
    assert_same(getattr(lg.special, name)(lg.tensor(x)), getattr(torch.special, name)(torch.tensor(x)),
                rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", sorted(BESSEL))
def test_no_float16_like_torch(name):
    """torch has no float16 or bfloat16 kernels for these."""
    for dtype in ("float16", "bfloat16"):
        raises_like_torch(lambda m: getattr(m.special, name)(m.tensor([1.0], dtype=getattr(m, dtype))),
                          NotImplementedError)


def test_arguments_and_out_like_torch():
    torch = torch_or_skip()
    raises_like_torch(lambda m: m.special.bessel_y0(1.0), TypeError)
    raises_like_torch(lambda m: m.special.modified_bessel_i0([1.0]), TypeError)
    raises_like_torch(lambda m: m.special.bessel_j1(m.tensor([1.0]), out=m.empty(1, dtype=m.int64)), RuntimeError)
    out = lg.empty(3, dtype=lg.float64)
    x = np.array([0.5, 1.5, 4.0])
    assert lg.special.scaled_modified_bessel_k0(lg.tensor(x, requires_grad=True), out=out) is out
    assert_same(out, torch.special.scaled_modified_bessel_k0(torch.tensor(x)), rtol=1e-14, atol=0)


# ---- zeta ---------------------------------------------------------------------------------------------------

ZETA_X = np.array([-INF, -2.0, 0.0, 0.5, 1.0, 1.0000001, 1.5, 2.0, 3.0, 4.0, 60.0, 100.0, 1000.0, INF, NAN])
ZETA_Q = np.array([-INF, -100.5, -3.0, -2.5, -1.25, -0.5, -0.1, -0.0, 0.0, 1e-300, 1e-10, 0.5, 1.0, 2.0, 10.0, 1e3,
                   1e10, 1e300, INF, NAN])
RNG = np.random.default_rng(5)
# x in (1, 60] (down to 1 + 1e-10) against q in (0, 1000]: a broadcast grid
WIDE_X = np.concatenate([1 + 10 ** RNG.uniform(-10, 0, 15), RNG.uniform(1, 60, 25)])[:, None]
WIDE_Q = np.concatenate([10 ** RNG.uniform(-3, 3, 30), RNG.uniform(0, 1000, 20)])[None, :]


def zeta_allowance(x, q, want, rtol: float):
    """rtol of the value, and for q < 0 (odd x) rtol of the largest term too: there the terms on either side of
    0 cancel, in torch's sums as in these."""
    distance = np.where(q < 0, np.minimum(q - np.floor(q), np.ceil(q) - q), np.inf)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        return rtol * np.abs(want) + rtol * np.nan_to_num(distance ** -x, posinf=0.0)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_zeta_special_values_like_torch(dtype):
    """x = 1 (inf), x < 1 (NaN), the poles at q = 0, -1, ... (inf), q < 0 with x not an integer (NaN), x = inf
    (inf, 1 or NaN as q is below, at or above 1), q = inf, NaN, overflow and underflow: torch's values."""
    torch = torch_or_skip()
    x, q = ZETA_X[:, None], ZETA_Q[None, :]
    got, want = (m.special.zeta(m.tensor(x, dtype=getattr(m, dtype)), m.tensor(q, dtype=getattr(m, dtype)))
                 for m in (lg, torch))
    assert got.dtype.name == dtype and tuple(got.shape) == tuple(want.shape)
    got, want = got.numpy().astype(np.float64), want.numpy().astype(np.float64)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    assert np.array_equal(got[np.isinf(want)], want[np.isinf(want)])
    finite = np.isfinite(want)
    allowance = zeta_allowance(*np.broadcast_arrays(x, q), want, 1e-12 if dtype == "float64" else 2.5e-7)
    assert np.all(np.abs(got - want)[finite] <= allowance[finite])


def test_zeta_float64_over_wide_ranges():
    torch = torch_or_skip()
    got = lg.special.zeta(lg.tensor(WIDE_X), lg.tensor(WIDE_Q))
    assert_same(got, torch.special.zeta(torch.tensor(WIDE_X), torch.tensor(WIDE_Q)), rtol=1e-12, atol=1e-300)


def test_zeta_float32_rounds_once():
    torch = torch_or_skip()
    x, q = WIDE_X.astype(np.float32), WIDE_Q.astype(np.float32)
    got = lg.special.zeta(lg.tensor(x), lg.tensor(q))
    assert_same(got, torch.special.zeta(torch.tensor(x), torch.tensor(q)), rtol=2.5e-7, atol=1e-38)


def test_zeta_negative_q_of_integer_x():
    """zeta(x, q) for q < 0 (not an integer) and integer x, where the terms below 0 alternate in sign with x."""
    torch = torch_or_skip()
    x = np.arange(2.0, 14.0)[:, None]
    q = -np.concatenate([RNG.uniform(0, 3, 10), RNG.uniform(3, 50, 10)])[None, :]
    got = lg.special.zeta(lg.tensor(x), lg.tensor(q)).numpy()
    want = torch.special.zeta(torch.tensor(x), torch.tensor(q)).numpy()
    assert np.all(np.abs(got - want) <= zeta_allowance(*np.broadcast_arrays(x, q), want, 1e-12))


def test_zeta_dtypes_and_errors_like_torch():
    torch = torch_or_skip()
    cases = [(lambda m: m.tensor([2, 3]), lambda m: m.tensor([1])), (lambda m: 2, lambda m: m.tensor([1.5, 4.0])),
             (lambda m: m.tensor([2.5], dtype=m.float64), lambda m: 3),
             (lambda m: m.tensor(2.0, dtype=m.float64), lambda m: m.tensor([1.0, 2.0])),
             (lambda m: m.tensor([True, False]), lambda m: m.tensor([[1], [2]], dtype=m.int32))]
    for x, q in cases:
        assert_same(lg.special.zeta(x(lg), q(lg)), torch.special.zeta(x(torch), q(torch)), rtol=1e-6, atol=0)
    raises_like_torch(lambda m: m.special.zeta(m.tensor([2.0], dtype=m.float16), 1.0), NotImplementedError)
    raises_like_torch(lambda m: m.special.zeta(m.tensor([2.0], dtype=m.bfloat16), m.tensor([1.0], dtype=m.bfloat16)),
                      NotImplementedError)
    with pytest.raises(TypeError, match="special_zeta"):
        lg.special.zeta(2, 3)
    with pytest.raises(TypeError, match="special_zeta"):
        lg.special.zeta(lg.tensor([2.0]), "1")


def test_zeta_gradients_like_torch():
    """torch differentiates zeta(x, q) in q only (-x zeta(x + 1, q)); in x it raises."""
    torch = torch_or_skip()
    x, q = np.array([[2.0], [3.5]]), np.array([0.5, 2.0, 7.0])
    for make_x, make_q in [(lambda m, a: m.tensor(a), lambda m, a: m.tensor(a, requires_grad=True)),
                           (lambda m, a: 3.0, lambda m, a: m.tensor(a, requires_grad=True)),
                           (lambda m, a: m.tensor(a, requires_grad=True), lambda m, a: 2.0),
                           (lambda m, a: m.tensor(a, requires_grad=True), lambda m, a: m.tensor(a))]:
        ours = [make_x(lg, x), make_q(lg, q)]
        theirs = [make_x(torch, x), make_q(torch, q)]
        out_lg, out_t = lg.special.zeta(*ours), torch.special.zeta(*theirs)
        assert type(out_lg.grad_fn).__name__ == type(out_t.grad_fn).__name__
        if getattr(theirs[0], "requires_grad", False):
            with pytest.raises(NotImplementedError) as want:
                out_t.sum().backward()
            with pytest.raises(NotImplementedError) as got:
                out_lg.sum().backward()
            assert str(got.value) == str(want.value)
            continue
        assert_same(lg.autograd.grad(out_lg.sum(), ours[1])[0], torch.autograd.grad(out_t.sum(), theirs[1])[0],
                    rtol=1e-12, atol=0)


REFUSING = ["airy_ai", "bessel_j0", "bessel_y1", "modified_bessel_k1", "scaled_modified_bessel_k0", "erfcx", "log_ndtr",
            "ndtri", "spherical_bessel_j0", "zeta", "chebyshev_polynomial_t", "hermite_polynomial_he",
            "laguerre_polynomial_l", "shifted_chebyshev_polynomial_w"]
TWO_ARGUMENTS = {"zeta", "chebyshev_polynomial_t", "hermite_polynomial_he", "laguerre_polynomial_l",
                 "shifted_chebyshev_polynomial_w"}


@pytest.mark.parametrize("name", REFUSING)
@pytest.mark.parametrize("dtype", ["complex64", "complex128", "float16", "bfloat16"])
def test_dtypes_special_kernels_refuse_like_torch(name, dtype):
    """Complex values (and, for most, half precision) are refused by torch's kernels, named in its message."""
    def call(m):
        x = m.ones(2, dtype=getattr(m, dtype))
        return getattr(m.special, name)(*((x, x) if name in TWO_ARGUMENTS else (x,)))
    torch = torch_or_skip()
    try:
        want = call(torch)
    except NotImplementedError as refusal:
        with pytest.raises(NotImplementedError, match=f"^{re.escape(str(refusal))}$"):
            call(lg)
        return
    assert_same(call(lg), want, rtol=1e-2, atol=1e-2)


def test_legacy_constructor_of_a_tensor_is_an_alias():
    torch = torch_or_skip()
    for m in (lg, torch):
        t = m.arange(3)
        alias = m.Tensor(t)
        assert alias.dtype == m.int64 and alias.data_ptr() == t.data_ptr()
        assert m.Tensor(m.ones(2, requires_grad=True)).requires_grad
