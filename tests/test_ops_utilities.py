"""The smaller parts of torch's API against torch: dtype limits (finfo, iinfo), searches (searchsorted,
bucketize, isin), number functions (gcd, lcm, nextafter, frexp, ldexp, angle, rsub), mode, histogram,
unique_consecutive, windows, the trapezoidal rule, combinations, creation helpers (logspace, range,
asarray, frombuffer, scalar_tensor), the complex-number API on real tensors, torch-level in-place
functions, typename, the RNG state. numpy is the oracle where torch is not installed."""
import array

import numpy as np
import pytest

import lazygrad as lg
from oracle import assert_same, raises_like_torch, torch_or_skip

RNG = np.random.default_rng(11)
X = RNG.standard_normal((3, 7))
INTS = RNG.integers(-30, 30, (4, 5))
SORTED = np.sort(RNG.standard_normal((3, 6)), axis=1)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64"])
def test_dtype_limits_like_torch(dtype):
    torch = torch_or_skip()
    info, want = (lg.finfo, torch.finfo) if "float" in dtype else (lg.iinfo, torch.iinfo)
    got, want = info(getattr(lg, dtype)), want(getattr(torch, dtype))
    assert repr(got) == repr(want)
    for field in ("bits", "max", "min", "dtype") + (("eps", "tiny", "smallest_normal", "resolution")
                                                    if "float" in dtype else ()):
        assert getattr(got, field) == getattr(want, field), field
    assert repr(lg.finfo()) == repr(torch.finfo())


def test_dtype_limits_without_torch():
    assert lg.finfo(lg.float32).eps == np.finfo(np.float32).eps
    assert lg.iinfo(lg.int16).max == 32767 and lg.finfo(lg.float64) == lg.finfo(lg.double)
    with pytest.raises(TypeError, match="requires a floating point input type"):
        lg.finfo(lg.int32)
    with pytest.raises(TypeError, match="is not supported by lazygrad.iinfo"):
        lg.iinfo(lg.bool)


CASES = {
    "searchsorted": (lambda m, s, x: m.searchsorted(s, x), [SORTED, X[:, :4]]),
    "searchsorted_right": (lambda m, s, x: m.searchsorted(s[0], x, right=True), [SORTED, X]),
    "searchsorted_side_int32": (lambda m, s, x: m.searchsorted(s, x[:, :2], side="right", out_int32=True),
                                [SORTED, X]),
    "searchsorted_ties": (lambda m, s, x: m.searchsorted(s[0].round(), s.round()), [SORTED, X]),
    "searchsorted_sorter": (lambda m, s, x: m.searchsorted(s[0].flip(0), x[0], sorter=m.arange(6).flip(0)),
                            [SORTED, X]),
    "bucketize": (lambda m, s, x: m.bucketize(x, s[0]), [SORTED, X]),
    "bucketize_right": (lambda m, s, x: m.bucketize(x.round(), s[0].round(), right=True), [SORTED, X]),
    "isin": (lambda m, a, b: m.isin(a, b[0]), [INTS, INTS[:, :2]]),
    "isin_invert": (lambda m, a, b: m.isin(a, b, invert=True), [INTS, INTS[:2]]),
    "isin_mixed": (lambda m, a, b: m.isin(a.double(), b), [INTS, INTS[:1]]),
    "gcd": (lambda m, a, b: m.gcd(a, b), [INTS, INTS[::-1]]),
    "gcd_broadcast": (lambda m, a, b: a.gcd(b[0]), [INTS, INTS[::-1]]),
    "lcm": (lambda m, a, b: m.lcm(a, b), [INTS, INTS[::-1]]),
    "nextafter": (lambda m, a, b: m.nextafter(a, b), [X, X[::-1]]),
    "nextafter_float32": (lambda m, a, b: m.nextafter(a.float(), b.float()), [X, X * 0]),
    "frexp": (lambda m, a: tuple(m.frexp(a * 100)), [X]),
    "ldexp": (lambda m, a, b: m.ldexp(a, b), [X, INTS[:3, :1] % 5]),
    "ldexp_int": (lambda m, a, b: m.ldexp(a, b), [INTS, INTS % 4]),
    # (torch composes input * pow(2.0, other): the power in other's dtype, then an ordinary product)
    "ldexp_float64_by_halves": (lambda m, a, b: m.ldexp(a.double(), (b / 3).bfloat16()), [X, X * 3]),
    "ldexp_half_by_bytes": (lambda m, a, b: m.ldexp(a.half(), (b % 4).to(m.uint8)), [X, INTS[:3, :1]]),
    "ldexp_uint32": (lambda m, a, b: m.ldexp(a.abs().to(m.uint32), b.int()), [INTS, INTS % 4]),
    "angle": (lambda m, a: m.angle(a), [X]),
    "angle_int": (lambda m, a: m.angle(a), [INTS]),
    "rsub": (lambda m, a, b: m.rsub(a, b, alpha=2), [X, X[::-1]]),
    "rsub_scalar": (lambda m, a: m.rsub(a, 3), [INTS]),
    "mode": (lambda m, a: tuple(m.mode(a % 4)), [INTS]),
    "mode_dim_keepdim": (lambda m, a: tuple(a.abs().remainder(3).double().mode(0, keepdim=True)), [INTS]),
    "histogram": (lambda m, a: tuple(m.histogram(a, 5)), [X]),
    "histogram_range_weight": (lambda m, a, w: tuple(m.histogram(a, 4, range=(-1.0, 1.0), weight=w.abs())),
                               [X, X[::-1]]),
    "histogram_edges_density": (lambda m, a, e: tuple(m.histogram(a, e[0], density=True)), [X, SORTED]),
    "trapezoid": (lambda m, y: m.trapezoid(y), [X]),
    "trapezoid_x": (lambda m, y, x: m.trapezoid(y, x[0].cumsum(0), dim=1), [X, np.abs(X)]),
    "trapezoid_dx": (lambda m, y: m.trapezoid(y, dx=0.5, dim=0), [X]),
    "trapz": (lambda m, y, x: m.trapz(y, x[0].abs().cumsum(0)), [X, X]),
    "cumulative_trapezoid": (lambda m, y, x: m.cumulative_trapezoid(y, x.abs().cumsum(1)), [X, X]),
    "trapezoid_of_no_samples_keeps_the_dtype": (lambda m, a: (m.trapezoid(a[:, :0].int()), m.trapezoid(a[:, :0] > 0)),
                                                [X]),
    "combinations": (lambda m, a: m.combinations(a[0, :5], 3), [X]),
    "combinations_replacement": (lambda m, a: m.combinations(a[0, :4], with_replacement=True), [INTS]),
    "combinations_too_many": (lambda m, a: m.combinations(a[0, :2], 3), [INTS]),
    "unique_consecutive": (lambda m, a: m.unique_consecutive((a // 20).flatten(), return_inverse=True,
                                                             return_counts=True), [INTS]),
    "unique_consecutive_dim": (lambda m, a: m.unique_consecutive(a[[0, 0, 1, 1, 1, 2]], dim=0,
                                                                 return_counts=True), [INTS]),
    "adjoint": (lambda m, a: m.adjoint(a), [X]),
    "mH": (lambda m, a: a.mH, [X]),
    "H": (lambda m, a: a.H, [X]),
    "real": (lambda m, a: m.real(a), [X]),
    "conj": (lambda m, a: m.conj(a).conj_physical().resolve_conj().resolve_neg(), [X]),
    "isreal": (lambda m, a: m.isreal(a), [X]),
    "argwhere": (lambda m, a: m.argwhere(a > 0), [X]),
    "float_power": (lambda m, a: a.float().float_power(2), [X]),
    "inner": (lambda m, a: a.inner(a), [X]),
    "fill": (lambda m, a: m.fill(a, 2.5), [X]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_like_torch(name):
    torch = torch_or_skip()
    fn, arrays = CASES[name]
    got = fn(lg, *(lg.tensor(a) for a in arrays))
    want = fn(torch, *(torch.tensor(np.ascontiguousarray(a)) for a in arrays))
    assert_same(got, want)


def test_values_without_torch(backend):
    np.testing.assert_array_equal(lg.searchsorted(lg.tensor(SORTED), lg.tensor(X[:, :4])).numpy(),
                                  [np.searchsorted(s, x) for s, x in zip(SORTED, X[:, :4])])
    np.testing.assert_array_equal(lg.isin(lg.tensor(INTS), lg.tensor(INTS[0])).numpy(), np.isin(INTS, INTS[0]))
    np.testing.assert_array_equal(lg.gcd(lg.tensor(INTS), lg.tensor(INTS[::-1])).numpy(), np.gcd(INTS, INTS[::-1]))
    mantissa, exponent = lg.frexp(lg.tensor(X))
    np.testing.assert_array_equal(mantissa.numpy(), np.frexp(X)[0])
    hist, edges = lg.histogram(lg.tensor(X), 6)
    np.testing.assert_allclose(hist.numpy(), np.histogram(X, 6)[0])
    np.testing.assert_allclose(lg.trapezoid(lg.tensor(X)).numpy(), np.trapezoid(X))
    np.testing.assert_allclose(lg.hann_window(8).numpy(), np.hanning(9)[:8], atol=1e-6)
    np.testing.assert_allclose(lg.logspace(0, 3, 4).numpy(), [1, 10, 100, 1000])


def test_search_and_counts_are_library_calls_in_the_graph():
    s, x = lg.tensor(SORTED), lg.tensor(X[:, :4])
    kinds = [k.kind for k in lg.schedule(lg.searchsorted(s * 2, x * 2) + 1)]
    assert kinds.count("library call") == 1 and kinds[-1] == "elementwise", kinds  # sources first, then the call


GRADIENTS = {
    "mode": (lambda m, a: m.mode(a.round(), 1).values, [X * 2]),
    "trapezoid_x": (lambda m, y, x: m.trapezoid(y, x.abs().cumsum(1)), [X, X]),
    "cumulative_trapezoid": (lambda m, y: m.cumulative_trapezoid(y, dx=0.3), [X]),
    "ldexp": (lambda m, a: m.ldexp(a, m.tensor([2])), [X]),
    "combinations": (lambda m, a: m.combinations(a[0], 2), [X]),
    "angle": (lambda m, a: m.angle(a), [X]),
    "kaiser": (lambda m, a: a * m.kaiser_window(7, False, 3.0, dtype=m.float64), [X]),
}


@pytest.mark.parametrize("name", list(GRADIENTS))
def test_gradients_like_torch(name):
    torch = torch_or_skip()
    fn, arrays = GRADIENTS[name]
    ins_lg = [lg.tensor(a, requires_grad=True) for a in arrays]
    ins_t = [torch.tensor(np.ascontiguousarray(a), requires_grad=True) for a in arrays]
    out_lg, out_t = fn(lg, *ins_lg), fn(torch, *ins_t)
    back = np.random.default_rng(2).standard_normal(tuple(out_t.shape))
    want = torch.autograd.grad(out_t, ins_t, torch.tensor(back), allow_unused=True, materialize_grads=True)
    got = lg.autograd.grad(out_lg, ins_lg, lg.tensor(back), allow_unused=True)
    for g, w in zip(got, want):
        assert_same(g, w)


@pytest.mark.parametrize("window", ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
                                    "kaiser_window"])
@pytest.mark.parametrize("length", [0, 1, 2, 7, 16])
@pytest.mark.parametrize("periodic", [True, False])
def test_windows_like_torch(window, length, periodic):
    torch = torch_or_skip()
    got = getattr(lg, window)(length, periodic, dtype=lg.float64)
    want = getattr(torch, window)(length, periodic, dtype=torch.float64)
    assert_same(got, want, atol=1e-12, rtol=1e-12)
    assert_same(getattr(lg, window)(length), getattr(torch, window)(length), atol=1e-6, rtol=1e-6)


def test_creation_helpers_like_torch():
    torch = torch_or_skip()
    with pytest.warns(UserWarning, match="range is deprecated"):
        got = lg.range(0, 1, 0.25)
    assert_same(got, torch.range(0, 1, 0.25))
    assert_same(lg.logspace(0, 2, 3, base=2, dtype=lg.long), torch.logspace(0, 2, 3, base=2, dtype=torch.long))
    assert_same(lg.logspace(-1, 1, 5), torch.logspace(-1, 1, 5))
    assert_same(lg.scalar_tensor(3), torch.scalar_tensor(3))
    assert_same(lg.asarray([1, 2]), torch.asarray([1, 2]))
    assert_same(lg.asarray(2.5, dtype=lg.float64), torch.asarray(2.5, dtype=torch.float64))


def test_asarray_and_frombuffer_share_memory():
    host = np.ones(3)
    shared = lg.asarray(host)
    host[0] = 5
    assert shared[0].item() == 5
    copied = lg.asarray(host, copy=True)
    host[1] = 7
    assert copied[1].item() == 1
    with pytest.raises(ValueError, match="copy=False"):
        lg.asarray([1, 2], copy=False)
    values = array.array("f", [1, 2, 3])
    view = lg.frombuffer(values, dtype=lg.float32, count=2, offset=4)
    values[1] = 9
    assert view.tolist() == [9.0, 3.0]
    assert lg.frombuffer(b"\x01\x00\x00\x00", dtype=lg.int32).tolist() == [1]
    with pytest.raises(ValueError, match="must be a multiple of element size"):
        lg.frombuffer(bytearray(3), dtype=lg.int32)


def test_in_place_helpers_like_torch():
    torch = torch_or_skip()
    for fn in (lambda m, t: t.fill_diagonal_(5), lambda m, t: t[:, :2].fill_diagonal_(-1, wrap=True),
               lambda m, t: m.sigmoid_(t), lambda m, t: m.abs_(t), lambda m, t: m.zero_(t),
               lambda m, t: t.apply_(lambda v: v * 2 + 1), lambda m, t: t.map_(t[0].clone(), lambda a, b: a - b)):
        ours, theirs = lg.tensor(X[:, :5].T.copy()), torch.tensor(X[:, :5].T.copy())
        fn(lg, ours)
        fn(torch, theirs)
        assert_same(ours, theirs)
    ints = lg.tensor(INTS)
    ints.gcd_(lg.tensor(INTS[::-1]))
    assert_same(ints, torch.tensor(INTS).gcd_(torch.tensor(INTS[::-1].copy())))


def test_legacy_new_and_queries_like_torch():
    torch = torch_or_skip()
    assert lg.ones(2).new(3, 2).shape == torch.ones(2).new(3, 2).shape
    assert_same(lg.ones(2, dtype=lg.int32).new([4, 5]), torch.ones(2, dtype=torch.int32).new([4, 5]))
    assert lg.ones(2).is_cpu and not lg.ones(2).is_conj() and not lg.is_neg(lg.ones(2))
    assert lg.typename(lg.ones(2, dtype=lg.long)) == torch.typename(torch.ones(2, dtype=torch.long))
    assert lg.typename(3) == "int" and lg.typename(lg.Tensor) == "lazygrad.Tensor"
    assert lg.is_storage(lg.ones(2).untyped_storage()) and not lg.is_storage(lg.ones(2))
    assert lg.can_cast(lg.int32, lg.float32) and not lg.can_cast(lg.float32, lg.int32)


def test_rng_state_round_trips():
    lg.manual_seed(5)
    state = lg.get_rng_state()
    first = lg.rand(4).tolist()
    lg.set_rng_state(state)
    assert lg.rand(4).tolist() == first
    assert state.dtype is lg.uint8
    with pytest.raises(RuntimeError, match="generator state of size 16 but found the input RNG state size to be 3"):
        lg.set_rng_state(lg.zeros(3, dtype=lg.uint8))
    with pytest.raises(TypeError, match="^RNG state must be a torch.ByteTensor$"):
        lg.set_rng_state(lg.zeros(16))
    with pytest.raises(TypeError, match="^expected a torch.ByteTensor, but got list$"):
        lg.Generator().set_state([1, 2])


def test_generator_seed_draws_a_new_seed_like_torch():
    torch = pytest.importorskip("torch")
    for m in (lg, torch):
        g = m.Generator()
        drawn = g.seed()
        assert isinstance(drawn, int) and drawn == g.initial_seed() and 0 <= drawn < 2**64
        assert g.seed() != drawn  # (63 random bits: a repeat is practically impossible)
        first = m.rand(3, generator=g.manual_seed(drawn)).tolist()
        assert m.rand(3, generator=g.manual_seed(drawn)).tolist() == first


ERRORS = {
    "searchsorted_shapes": (lambda m: m.searchsorted(m.ones(2, 2), m.ones(2)), RuntimeError),
    "bucketize_boundaries": (lambda m: m.bucketize(m.ones(2), m.ones(1, 2)), RuntimeError),
    "isin_bool": (lambda m: m.isin(m.ones(2), m.tensor([True])), RuntimeError),
    "gcd_float": (lambda m: m.gcd(m.ones(2), m.ones(2)), NotImplementedError),
    "nextafter_int": (lambda m: m.nextafter(m.ones(2, dtype=m.long), m.ones(2, dtype=m.long)), NotImplementedError),
    "frexp_int": (lambda m: m.frexp(m.ones(2, dtype=m.long)), RuntimeError),
    "histogram_int": (lambda m: m.histogram(m.ones(2, dtype=m.long), 3), NotImplementedError),
    "combinations_2d": (lambda m: m.combinations(m.ones(2, 2)), RuntimeError),
    "imag": (lambda m: m.ones(2).imag, RuntimeError),
    "H_1d": (lambda m: m.ones(2).H, RuntimeError),
    "window_int": (lambda m: m.hann_window(4, dtype=m.long), RuntimeError),
    "trapezoid_points": (lambda m: m.trapezoid(m.ones(3), m.ones(2)), RuntimeError),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_like_torch(name):
    fn, exc = ERRORS[name]
    if name == "window_int":  # torch prints its C++ TensorOptions; the class and the start agree
        torch = torch_or_skip()
        with pytest.raises(exc, match="hann_window expects floating point dtypes"):
            fn(torch)
        with pytest.raises(exc, match="hann_window expects floating point dtypes"):
            fn(lg)
        return
    raises_like_torch(fn, exc)


def test_multinomial_draws_follow_the_probabilities():
    lg.manual_seed(3)
    p = np.array([0.2, 0.0, 0.3, 0.5])
    draws = lg.multinomial(lg.tensor(p), 40000, replacement=True).numpy()
    np.testing.assert_allclose(np.bincount(draws, minlength=4) / draws.size, p, atol=0.01)
    rows = lg.multinomial(lg.tensor([[1.0, 0, 3, 1], [0, 2.0, 2, 0]]), 4)
    for row, probs in zip(rows.tolist(), ([1, 0, 3, 1], [0, 2, 2, 0])):
        assert sorted(row) == [0, 1, 2, 3]  # without replacement: each category once, the impossible ones last
        assert all(probs[c] == 0 for c in row[sum(v > 0 for v in probs):])
    first = np.zeros(4)
    for _ in range(300):
        first[lg.multinomial(lg.tensor([1.0, 2, 3, 4]), 2)[0].item()] += 1
    assert first[3] > first[0] * 2  # the first draw is proportional to the weights
    lg.manual_seed(9)
    again = lg.multinomial(lg.tensor([1.0, 2, 3]), 5, True).tolist()
    lg.manual_seed(9)
    assert lg.multinomial(lg.tensor([1.0, 2, 3]), 5, True).tolist() == again


MULTINOMIAL_ERRORS = {
    "too_many": lambda m: m.multinomial(m.ones(2), 3),
    "negative": lambda m: m.multinomial(m.tensor([-0.1, 1.0]), 1),
    "all_zero": lambda m: m.multinomial(m.zeros(2), 1),
    "three_dims": lambda m: m.multinomial(m.ones(2, 2, 2), 1),
    "no_samples": lambda m: m.multinomial(m.ones(2), 0),
}


@pytest.mark.parametrize("name", list(MULTINOMIAL_ERRORS))
def test_multinomial_errors_like_torch(name):
    raises_like_torch(MULTINOMIAL_ERRORS[name], RuntimeError)


def test_legacy_tensor_types_like_torch():
    torch = torch_or_skip()
    for name in ("FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "ByteTensor", "BoolTensor"):
        ours, theirs = getattr(lg, name), getattr(torch, name)
        assert_same(ours([1, 0, 2]), theirs([1, 0, 2]))
        assert ours(2, 3).shape == theirs(2, 3).shape and ours().shape == theirs().shape
        assert ours.dtype.name == str(theirs.dtype).replace("torch.", "")
        assert isinstance(lg.zeros(2, dtype=ours.dtype), ours) and not isinstance(lg.zeros(2, dtype=lg.half), ours)
    assert lg.ones(2).type(lg.DoubleTensor).dtype is lg.float64
    assert lg.ones(2).type("torch.LongTensor").dtype is lg.int64
    assert repr(lg.FloatTensor) == "<class 'lazygrad.FloatTensor'>"


def test_compile_returns_the_function():
    def f(x):
        return x * 2
    assert lg.compile(f) is f and lg.compile(mode="max-autotune")(f) is f


SPECIAL_X = np.array([-30.0, -3.0, -0.5, 0.0, 1e-3, 0.5, 1.9, 2.0, 2.1, 3.0, 10.0, 30.0, 700.0, np.inf, -np.inf, np.nan])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["i0e", "i1e", "erfcx", "spherical_bessel_j0"])
def test_special_functions_like_torch(name, dtype):
    torch = torch_or_skip()
    got = getattr(lg.special, name)(lg.tensor(SPECIAL_X, dtype=getattr(lg, dtype)))
    want = getattr(torch.special, name)(torch.tensor(SPECIAL_X, dtype=getattr(torch, dtype)))
    assert_same(got, want, rtol=2e-6 if dtype == "float32" else 1e-13, atol=0)


@pytest.mark.parametrize("name", ["i0e", "i1e", "erfcx"])
def test_special_function_gradients_like_torch(name):
    torch = torch_or_skip()
    x = SPECIAL_X[1:12]
    ours, theirs = lg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_lg, out_t = getattr(lg.special, name)(ours), getattr(torch.special, name)(theirs)
    assert type(out_lg.grad_fn).__name__ == type(out_t.grad_fn).__name__
    assert_same(lg.autograd.grad(out_lg.sum(), ours)[0], torch.autograd.grad(out_t.sum(), theirs)[0], rtol=1e-12, atol=1e-15)
    assert not lg.special.spherical_bessel_j0(ours).requires_grad  # torch gives it no gradient either


def test_xlog1py_like_torch():
    torch = torch_or_skip()
    a, b = np.array([0.0, 0.0, 1.0, 2.0, -1.5]), np.array([np.nan, -2.0, 1.0, 3.0, 0.25])
    assert_same(lg.special.xlog1py(lg.tensor(a), lg.tensor(b)), torch.special.xlog1py(torch.tensor(a), torch.tensor(b)))
    ours = [lg.tensor(a[2:], requires_grad=True), lg.tensor(b[2:], requires_grad=True)]
    theirs = [torch.tensor(a[2:], requires_grad=True), torch.tensor(b[2:], requires_grad=True)]
    got = lg.autograd.grad(lg.special.xlog1py(*ours).sum(), ours)
    want = torch.autograd.grad(torch.special.xlog1py(*theirs).sum(), theirs)
    for g, w in zip(got, want):
        assert_same(g, w)


A = np.array([[1.0, 2, 3], [0, 0, 0], [1e-9, 0, 0], [-2, 0.5, 1]])
B = np.array([[2.0, 0, 1], [1, 1, 1], [1e-9, 0, 0], [0.25, -1, 3]])
DISTANCES = {
    "cosine_similarity": lambda m, x, y: m.cosine_similarity(x, y),
    "cosine_similarity_dim0": lambda m, x, y: m.cosine_similarity(x, y, dim=0),
    "cosine_similarity_broadcast": lambda m, x, y: m.cosine_similarity(x.unsqueeze(1), y, dim=-1),
    "pairwise_distance": lambda m, x, y: m.pairwise_distance(x, y),
    "pairwise_distance_p1": lambda m, x, y: m.pairwise_distance(x, y, p=1, eps=0, keepdim=True),
    "pdist": lambda m, x, y: m.pdist(x + y),
    "pdist_inf": lambda m, x, y: m.pdist(x, p=float("inf")),
    "layer_norm": lambda m, x, y: m.layer_norm(x, (3,), y[0] * 2, y[1]),
    "layer_norm_2d": lambda m, x, y: m.layer_norm(x * y, [4, 3]),
    "rms_norm": lambda m, x, y: m.rms_norm(x + y, [3], y[3]),
    "dropout_eval": lambda m, x, y: m.dropout(x, 0.3, False),
}


@pytest.mark.parametrize("name", list(DISTANCES))
def test_distances_and_normalizations_like_torch(name):
    torch = torch_or_skip()
    fn = DISTANCES[name]
    ours = [lg.tensor(A, requires_grad=True), lg.tensor(B, requires_grad=True)]
    theirs = [torch.tensor(A, requires_grad=True), torch.tensor(B, requires_grad=True)]
    out_lg, out_t = fn(lg, *ours), fn(torch, *theirs)
    assert_same(out_lg.detach(), out_t.detach(), rtol=1e-9, atol=1e-12)
    back = np.random.default_rng(4).standard_normal(tuple(out_t.shape))
    want = torch.autograd.grad(out_t, theirs, torch.tensor(back), allow_unused=True, materialize_grads=True)
    got = lg.autograd.grad(out_lg, ours, lg.tensor(back), allow_unused=True)
    for g, w in zip(got, want):
        assert_same(lg.zeros(w.shape, dtype=lg.float64) if g is None else g, w, rtol=1e-7, atol=1e-9)


def test_dropout_keeps_the_expected_value():
    lg.manual_seed(2)
    kept = lg.dropout(lg.ones(20000), 0.25, True).numpy()
    assert abs((kept == 0).mean() - 0.25) < 0.02 and np.allclose(kept[kept > 0], 4 / 3)
    assert lg.dropout(lg.ones(3), 1.0, True).tolist() == [0.0, 0.0, 0.0]
    raises_like_torch(lambda m: m.dropout(m.ones(3), 1.5, True), RuntimeError)
    raises_like_torch(lambda m: m.layer_norm(m.ones(2, 3), (2,)), RuntimeError)
    raises_like_torch(lambda m: m.rms_norm(m.ones(2, 3), (2,)), RuntimeError)
    raises_like_torch(lambda m: m.pdist(m.ones(3)), RuntimeError)


def test_resize_like_torch():
    torch = torch_or_skip()
    for m in (torch, lg):
        t = m.arange(6.0)
        view = t[:4]
        assert t.resize_(2, 2) is t
        grown = t.resize_(3, 3)
        assert grown.shape == (3, 3) and grown.flatten()[:6].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
        view.add_(10)  # the grown storage is still the one the old view reads
        assert t.flatten()[:4].tolist() == [10.0, 11.0, 12.0, 13.0]
        u = m.ones(5)
        assert u.resize_as_(m.ones(2, 2)).shape == (2, 2)
    raises_like_torch(lambda m: m.ones(2, requires_grad=True).resize_(3), RuntimeError)


def test_generator_state_and_fork_rng():
    g = lg.Generator().manual_seed(4)
    state = g.get_state()
    first = lg.rand(3, generator=g).tolist()
    g.set_state(state)
    assert lg.rand(3, generator=g).tolist() == first and state.dtype is lg.uint8
    lg.manual_seed(8)
    with lg.random.fork_rng():
        inside = lg.rand(2).tolist()
    assert lg.rand(2).tolist() == inside  # the block's draws are not consumed from the stream
    assert lg.special.modified_bessel_i0(lg.tensor([1.0])).item() == lg.special.i0(lg.tensor([1.0])).item()


Y = np.array([[1.0, 2, 4, 8, 9], [10, 20, 40, 80, 70], [0.5, -1, 2, -3, 0.25]])
COORDINATES = np.array([0.0, 1, 1.5, 3.5, 4])
GRADIENTS_OF = {
    "all_dims": lambda m, t: m.gradient(t),
    "one_dim": lambda m, t: m.gradient(t, dim=1),
    "spacing": lambda m, t: m.gradient(t, spacing=2.0),
    "spacing_per_dim": lambda m, t: m.gradient(t, spacing=[0.5, 2.0]),
    "edge_order_2": lambda m, t: m.gradient(t, edge_order=2, dim=1),
    "coordinates": lambda m, t: m.gradient(t, spacing=[m.tensor(COORDINATES, dtype=m.float64)], dim=1),
    "coordinates_edge_2": lambda m, t: m.gradient(t, spacing=[m.tensor(COORDINATES, dtype=m.float64)], dim=1,
                                                  edge_order=2),
    "integers": lambda m, t: m.gradient((t * 4).long(), dim=-1),
}


@pytest.mark.parametrize("name", list(GRADIENTS_OF))
def test_finite_difference_gradient_like_torch(name):
    torch = torch_or_skip()
    got, want = GRADIENTS_OF[name](lg, lg.tensor(Y)), GRADIENTS_OF[name](torch, torch.tensor(Y))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert_same(g, w)


def test_finite_differences_without_torch():
    (d,) = lg.gradient(lg.tensor([1.0, 4, 9, 16, 25]), edge_order=2)
    np.testing.assert_allclose(d.numpy(), np.gradient(np.array([1.0, 4, 9, 16, 25]), edge_order=2))
    (d,) = lg.gradient(lg.tensor(Y), spacing=[lg.tensor(COORDINATES)], dim=1, edge_order=2)
    np.testing.assert_allclose(d.numpy(), np.gradient(Y, COORDINATES, axis=1, edge_order=2))
    with pytest.raises(RuntimeError, match="at least edge_order\\+1"):
        lg.gradient(lg.tensor([1.0]))


@pytest.mark.parametrize("args", [(None, False), (3, True), (1, False), (0, False)])
def test_vander_like_torch(args):
    torch = torch_or_skip()
    n, increasing = args
    x = np.array([1.0, 2, 3, 5])
    assert_same(lg.vander(lg.tensor(x), N=n, increasing=increasing),
                torch.vander(torch.tensor(x), N=n, increasing=increasing))
    assert_same(lg.vander(lg.tensor([2, 3]), N=n), torch.vander(torch.tensor([2, 3]), N=n))


POLYNOMIALS = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
               "hermite_polynomial_h", "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p",
               "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
               "shifted_chebyshev_polynomial_w"]


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_orthogonal_polynomials_like_torch(name):
    torch = torch_or_skip()
    x, n = np.array([-1.0, -0.5, 0.0, 0.3, 1.0, 2.0]), np.array([0, 1, 2, -1, 5, 3])
    ours, theirs = getattr(lg.special, name), getattr(torch.special, name)
    for degree in (3, 9, n):
        got = ours(lg.tensor(x), lg.tensor(degree) if isinstance(degree, np.ndarray) else degree)
        want = theirs(torch.tensor(x), torch.tensor(degree) if isinstance(degree, np.ndarray) else degree)
        assert_same(got, want, rtol=1e-10, atol=1e-10)
    assert_same(ours(lg.tensor([1, 2]), lg.tensor([3])), theirs(torch.tensor([1, 2]), torch.tensor([3])))
    assert not ours(lg.tensor(x, requires_grad=True), 3).requires_grad  # torch records no gradient for these
    # infinities: P_0 is 1 and a negative degree's 0 there too, the leading term wins for the others
    edges = np.array([np.inf, -np.inf, np.inf, -np.inf, np.inf, np.nan, np.nan])
    degrees = np.array([0, 0, -1, 2, 2, 0, -1])
    assert_same(ours(lg.tensor(edges), lg.tensor(degrees)), theirs(torch.tensor(edges), torch.tensor(degrees)))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["gammainc", "gammaincc"])
def test_incomplete_gamma_like_torch(name, dtype):
    torch = torch_or_skip()
    rng = np.random.default_rng(9)
    a = np.concatenate([[0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 0.1, 100.0, 0.0, 1.0, -1.0, 1.0, 2.0], rng.uniform(0.05, 100, 100)])
    x = np.concatenate([[0.1, 1.0, 3.0, 5.0, 12.0, 25.0, 5.0, 90.0, 1.0, 0.0, 1.0, np.inf, -1.0], rng.uniform(0.01, 150, 100)])
    got = getattr(lg.special, name)(lg.tensor(a, dtype=getattr(lg, dtype)), lg.tensor(x, dtype=getattr(lg, dtype)))
    want = getattr(torch.special, name)(torch.tensor(a, dtype=getattr(torch, dtype)), torch.tensor(x, dtype=getattr(torch, dtype)))
    assert_same(got, want, rtol=1e-8 if dtype == "float64" else 1e-5, atol=1e-12 if dtype == "float64" else 1e-6)


def test_incomplete_gamma_at_its_ends_like_torch():
    """The ends in torch's order of checks: a = 0 (1 for x > 0, else NaN), x = 0 (0, even for a NaN a), an
    infinite a (0, NaN with an infinite x), an infinite x (1, even for a NaN a); negative arguments NaN."""
    nan, inf = float("nan"), float("inf")
    a = lg.tensor([0.0, nan, nan, inf, inf, 0.0, -1.0, 2.0, 2.0, -0.0], dtype=lg.float64)
    x = lg.tensor([0.0, 0.0, inf, inf, 5.0, 2.0, 0.0, inf, -0.0, 3.0], dtype=lg.float64)
    p = [nan, 0.0, 1.0, nan, 0.0, 1.0, nan, 1.0, 0.0, 1.0]
    np.testing.assert_array_equal(lg.special.gammainc(a, x).numpy(), p)
    np.testing.assert_array_equal(lg.special.gammaincc(a, x).numpy(), [1.0 - v for v in p])


def test_incomplete_gamma_gradients_like_torch():
    torch = torch_or_skip()
    a, x = np.array([0.5, 2.0, 7.0]), np.array([0.3, 3.0, 4.5])
    for name, method in (("gammainc", "igamma"), ("gammaincc", "igammac")):
        ours = lg.tensor(x, requires_grad=True)
        theirs = torch.tensor(x, requires_grad=True)
        out_lg, out_t = getattr(lg.special, name)(lg.tensor(a), ours), getattr(torch.special, name)(torch.tensor(a), theirs)
        assert type(out_lg.grad_fn).__name__ == type(out_t.grad_fn).__name__
        assert_same(lg.autograd.grad(out_lg.sum(), ours)[0], torch.autograd.grad(out_t.sum(), theirs)[0], rtol=1e-9,
                    atol=1e-12)
        assert_same(getattr(lg.tensor(a), method)(lg.tensor(x)), getattr(torch.tensor(a), method)(torch.tensor(x)),
                    rtol=1e-8, atol=1e-12)
    with pytest.raises(NotImplementedError, match="the derivative for 'igamma: input' is not implemented."):
        lg.special.gammainc(lg.tensor(a, requires_grad=True), lg.tensor(x)).sum().backward()
    raises_like_torch(lambda m: m.special.gammainc(m.tensor([1, 2]), m.tensor([1, 2])), NotImplementedError)
