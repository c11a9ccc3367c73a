"""Complex tensors (complex64, complex128) against torch and numpy: type promotion, creation, printing,
elementwise functions and reductions, views between complex numbers and float pairs, errors, and
torch's complex gradients (the conjugate Wirtinger convention)."""
import math
import warnings

import numpy as np
import pytest

import lazygrad as lg

def _torch():
    """torch as the oracle, when it is installed."""
    return pytest.importorskip("torch")


def _values(shape, dtype=np.complex64, seed=0):
    rs = np.random.RandomState(seed)
    return (rs.randn(*shape) + 1j * rs.randn(*shape)).astype(dtype)


def _close(got, want, rtol=2e-5, atol=2e-5):
    want = want.resolve_conj().detach().numpy() if hasattr(want, "resolve_conj") else np.asarray(want)
    assert got.dtype.name == str(want.dtype)
    np.testing.assert_allclose(got.detach().numpy(), want, rtol=rtol, atol=atol, equal_nan=True)


# ---- dtypes ----------------------------------------------------------------------------------------

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64", "complex64",
         "complex128"]


@pytest.mark.parametrize("a", NAMES)
@pytest.mark.parametrize("b", ["complex64", "complex128"])
def test_promotion_matches_torch(a, b):
    t = _torch()
    assert lg.promote_types(getattr(lg, a), getattr(lg, b)).name == str(
        t.promote_types(getattr(t, a), getattr(t, b))).removeprefix("torch.")
    assert lg.can_cast(getattr(lg, a), getattr(lg, b)) == t.can_cast(getattr(t, a), getattr(t, b))
    assert lg.can_cast(getattr(lg, b), getattr(lg, a)) == t.can_cast(getattr(t, b), getattr(t, a))


@pytest.mark.parametrize("dtype", ["bool", "int64", "float32", "float64", "complex64", "complex128"])
@pytest.mark.parametrize("other", [1j, 2.5, 3, "0-d complex128", "0-d complex64"])
def test_result_types_with_scalars_and_zero_dim_tensors(dtype, other):
    t = _torch()
    ours, theirs = lg.ones(2, dtype=getattr(lg, dtype)), t.ones(2, dtype=getattr(t, dtype))
    if isinstance(other, str):
        name = other.split()[1]
        o_l, o_t = lg.tensor(1 + 1j, dtype=getattr(lg, name)), t.tensor(1 + 1j, dtype=getattr(t, name))
    else:
        o_l = o_t = other
    assert (ours * o_l).dtype.name == str((theirs * o_t).dtype).removeprefix("torch.")


def test_dtype_names_and_questions():
    assert lg.cfloat is lg.complex64 and lg.cdouble is lg.complex128
    assert lg.complex64.is_complex and not lg.complex64.is_floating_point and lg.complex64.is_signed
    assert lg.float64.to_complex() is lg.complex128 and lg.complex64.to_real() is lg.float32
    z = lg.zeros(3, dtype=lg.cfloat)
    assert z.is_complex() and lg.is_complex(z) and not z.is_floating_point() and z.element_size() == 8
    assert lg.tensor([1 + 2j]).dtype is lg.complex64 and lg.tensor(np.array([1j])).dtype is lg.complex128
    lg.set_default_dtype(lg.float64)
    try:
        assert lg.tensor([1j]).dtype is lg.complex128
        assert repr(lg.tensor([1j])) == "tensor([0.+1.j])"
    finally:
        lg.set_default_dtype(lg.float32)


# ---- creation, values, printing ---------------------------------------------------------------------

def test_creation_and_python_values():
    z = lg.tensor([[1 + 2j, 3], [4.5, -1j]])
    assert z.dtype is lg.complex64 and z.shape == (2, 2)
    assert z.tolist() == [[1 + 2j, 3 + 0j], [4.5 + 0j, -1j]]
    assert lg.tensor(1 + 2j).item() == 1 + 2j
    assert lg.full((2,), 1 - 1j).dtype is lg.complex64 and lg.full((2,), 1 - 1j).tolist() == [1 - 1j, 1 - 1j]
    assert lg.ones(2, dtype=lg.cdouble).numpy().dtype == np.complex128
    a = _values((3, 4))
    np.testing.assert_array_equal(lg.tensor(a).numpy(), a)
    shared = lg.from_numpy(a)
    a[0, 0] = 7 - 7j
    assert shared[0, 0].item() == 7 - 7j
    assert (lg.tensor([1, 2]) * (1 + 1j)).tolist() == [1 + 1j, 2 + 2j]
    real = lg.tensor([1.5, -2.0], requires_grad=True)
    as_complex = real.cfloat()
    assert as_complex.dtype is lg.complex64 and as_complex.tolist() == [1.5 + 0j, -2 + 0j]
    assert real.cdouble().dtype is lg.complex128 and as_complex.cdouble().cfloat().tolist() == as_complex.tolist()
    (as_complex * (2 - 1j)).real.sum().backward()
    assert real.grad.tolist() == [2.0, 2.0]


def test_nan_to_num_replaces_each_part():
    t = _torch()
    a = np.array([np.inf - 1j, complex(np.nan, np.inf), complex(-np.inf, -np.inf), 1 + 2j], np.complex64)
    _close(lg.nan_to_num(lg.tensor(a)), t.nan_to_num(t.tensor(a)), rtol=0, atol=0)
    _close(lg.tensor(a).nan_to_num(1.0, 2.0, -3.0), t.tensor(a).nan_to_num(1.0, 2.0, -3.0), rtol=0, atol=0)


PRINTED = [np.array([1 + 2j, 3 - 1j]), np.array([1.5 + 2j, 1e10j, np.nan + 1j]), np.array([[1 + 2j, 3], [4, 5.5j]]),
           np.array(1 + 2j), np.zeros(2, complex), np.array([-0.0 - 0.0j, 0.0 + 0j, 1 - 0j]),
           np.array([np.inf - np.inf * 1j, 2.25 + 1e-5j]), _values((30, 7)) * 100, _values((2000,))]


@pytest.mark.parametrize("case", range(len(PRINTED)))
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_printing_matches_torch(case, dtype):
    t = _torch()
    a = PRINTED[case].astype(dtype)
    assert repr(lg.tensor(a)) == repr(t.tensor(a)).replace("torch.", "lazygrad.")


# ---- functions ---------------------------------------------------------------------------------------

UNARY = ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "sin", "cos", "tan", "asin", "acos", "atan",
         "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "abs", "neg", "reciprocal", "rsqrt", "sigmoid", "square",
         "sgn", "angle", "conj", "conj_physical", "isnan", "isinf", "isfinite", "isreal", "logical_not", "sinc",
         "sum", "mean", "prod", "var", "std", "norm", "real", "imag", "view_as_real"]


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_unary_functions_match_torch(name, dtype):
    t = _torch()
    a = _values((4, 5), dtype)
    tol = 2e-5 if dtype == np.complex64 else 1e-12
    _close(getattr(lg, name)(lg.tensor(a)), getattr(t, name)(t.tensor(a)), rtol=tol, atol=tol)


@pytest.mark.parametrize("name", ["sum", "mean", "prod", "cumsum", "cumprod", "logsumexp", "var", "std"])
def test_reductions_over_a_dim_match_torch(name):
    t = _torch()
    a = _values((6, 7))
    _close(getattr(lg, name)(lg.tensor(a), 1), getattr(t, name)(t.tensor(a), 1), rtol=1e-4, atol=1e-5)


def test_values_match_numpy_near_special_points():
    """Values near the axes and |z| = 1, where the formulas need care, against numpy's complex128 functions."""
    parts = [-2.0, -1.0, -1e-3, 0.0, 1e-3, 0.5, 1.0, 3.0]
    z = np.array([complex(x, y) for x in parts for y in parts])
    for name, fn in [("exp", np.exp), ("log", np.log), ("sqrt", np.sqrt), ("log1p", np.log1p), ("expm1", np.expm1),
                     ("tanh", np.tanh), ("tan", np.tan), ("sin", np.sin), ("cosh", np.cosh)]:
        with np.errstate(all="ignore"):
            want = fn(z)
        got = getattr(lg, name)(lg.tensor(z)).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15, err_msg=name)
    big = np.array([50 + 1j, -50 - 2j, 400 + 0.5j])
    np.testing.assert_allclose(lg.tanh(lg.tensor(big)).numpy(), np.tanh(big), rtol=1e-15)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow", "eq", "ne"])
def test_binary_functions_match_torch(name):
    t = _torch()
    a, b, r = _values((4, 5)), _values((4, 5), seed=1), np.random.RandomState(2).randn(4, 5).astype(np.float32)
    for x, y in [(a, b), (a, r), (r, b), (a, 2.5), (a, 2), (a, 1 + 2j), (r, 1j), (a, b[0])]:
        wrap_l = [lg.tensor(v) if isinstance(v, np.ndarray) else v for v in (x, y)]
        wrap_t = [t.tensor(v) if isinstance(v, np.ndarray) else v for v in (x, y)]
        _close(getattr(lg, name)(*wrap_l), getattr(t, name)(*wrap_t), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("p", [2, 1, 0, 3.5, float("inf"), -float("inf")])
def test_distances_of_complex_tensors_are_real(p):
    t = _torch()
    a, b, r = _values((4, 5)), _values((4, 5), np.complex128, seed=1), np.random.RandomState(2).randn(5)
    for x, y in [(a, b), (a, r), (r.astype(np.float32), b[0])]:
        _close(lg.dist(lg.tensor(x), lg.tensor(y), p), t.dist(t.tensor(x), t.tensor(y), p), rtol=1e-5)


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_quotients_are_torchs_bit_for_bit(dtype):
    """torch divides complex numbers by Smith's method with fused multiply-adds; so do the kernels, to the
    last bit, also at zeros, infinities and NaNs."""
    t = _torch()
    special = np.array([0, 1j, np.inf, np.inf * 1j, complex(np.nan, 0), complex(1e-40, 0), complex(0, -0.0),
                        complex(-np.inf, 2), 3 - 4j], dtype=dtype)
    a, b = _values((40, 50), dtype), _values((40, 50), dtype, seed=1)
    real = np.random.RandomState(2).uniform(0.5, 3, (40, 50)).astype(np.float32)
    for x, y in [(a, b), (a, 2.5), (a, real), (special[:, None], special[None, :]), (special, 0), (a, 2 + 1j),
                 (special, 1)]:
        got = lg.div(lg.tensor(x), lg.tensor(y) if isinstance(y, np.ndarray) else y).numpy()
        want = t.div(t.tensor(x), t.tensor(y) if isinstance(y, np.ndarray) else y).numpy()
        _assert_same_bits(got, want)


def _assert_same_bits(got, want):
    parts = got.real.dtype
    same = (got.view(parts) == want.view(parts)) | (np.isnan(got.view(parts)) & np.isnan(want.view(parts)))
    assert same.all(), f"{(~same).sum()} parts of {same.size} differ from torch's"


@pytest.mark.parametrize("one", [1, 1.0, 1 + 0j, "tensor"])
def test_times_one_is_a_full_complex_product(one):
    """x * 1 is no identity for complex x: torch multiplies by 1+0j in full, so inf+1j becomes inf+nanj."""
    t = _torch()
    special = np.array([complex(np.inf, 1), complex(np.nan, 0), complex(1, np.inf), 2 + 3j, complex(-0.0, 0)])
    for op in ("mul", "div"):
        got = getattr(lg, op)(lg.tensor(special), lg.tensor(1.0) if one == "tensor" else one).numpy()
        want = getattr(t, op)(t.tensor(special), t.tensor(1.0) if one == "tensor" else one).numpy()
        _assert_same_bits(got, want)


def test_products_match_torch():
    t = _torch()
    a, b, r = _values((4, 5)), _values((5, 3), seed=1), np.random.RandomState(2).randn(5, 3).astype(np.complex64)
    _close(lg.tensor(a) @ lg.tensor(b), t.tensor(a) @ t.tensor(b), rtol=1e-4, atol=1e-5)
    _close(lg.tensor(a) @ lg.tensor(r), t.tensor(a) @ t.tensor(r), rtol=1e-4, atol=1e-5)
    for fn in ("dot", "vdot"):
        _close(getattr(lg, fn)(lg.tensor(a[0]), lg.tensor(a[1])), getattr(t, fn)(t.tensor(a[0]), t.tensor(a[1])),
               rtol=1e-4, atol=1e-5)
    _close(lg.tensor(a).mH, t.tensor(a).mH)


def test_parts_and_polar_form():
    re, im = np.float32([1.5, -2, 0]), np.float32([0.5, 3, -1])
    z = lg.complex(lg.tensor(re), lg.tensor(im))
    assert z.dtype is lg.complex64
    np.testing.assert_array_equal(z.numpy(), re + 1j * im)
    np.testing.assert_allclose(lg.polar(lg.tensor(re), lg.tensor(im)).numpy(), re * np.exp(1j * im), rtol=1e-6)
    np.testing.assert_array_equal(lg.complex(lg.tensor([np.inf]), lg.tensor([1.0])).numpy(), [complex(np.inf, 1)])
    np.testing.assert_array_equal(lg.tensor([1 + 2j]).to(lg.float32).numpy(), [1.0])
    np.testing.assert_array_equal(lg.tensor([0.5]).to(lg.complex128).numpy(), [0.5 + 0j])


@pytest.mark.parametrize("dtypes", [("float32", "float64"), ("int64", "int64"), ("float16", "float16")])
def test_polar_refuses_parts_as_torch(dtypes):
    """polar's parts are one float dtype, float or double (its integer inputs were computed in floats)."""
    from oracle import raises_like_torch
    raises_like_torch(lambda m: m.polar(m.ones(2, dtype=getattr(m, dtypes[0])), m.ones(2, dtype=getattr(m, dtypes[1]))),
                      (RuntimeError, NotImplementedError))


# ---- views --------------------------------------------------------------------------------------------

def test_real_and_imag_are_views():
    z = lg.tensor([1 + 2j, 3 - 1j, -2 + 0.5j])
    assert z.real.stride() == (2,) and z.real._base is z
    z.real.mul_(10)
    z.imag[1] = 7
    assert z.tolist() == [10 + 2j, 30 + 7j, -20 + 0.5j]
    z.imag = lg.tensor([0.0, 0.0, 1.0])
    z.real = 1.0
    assert z.tolist() == [1 + 0j, 1 + 0j, 1 + 1j]
    pairs = lg.view_as_real(z)
    assert pairs.shape == (3, 2) and pairs.dtype is lg.float32
    pairs[0, 1] = -4
    assert z[0].item() == 1 - 4j
    x = lg.tensor([[1.0, 2.0], [3.0, 4.0]])
    w = lg.view_as_complex(x)
    w.mul_(1j)
    assert x.tolist() == [[-2.0, 1.0], [-4.0, 3.0]]
    assert lg.view_as_complex(lg.arange(8.0).reshape(2, 2, 2)[:, 1]).tolist() == [2 + 3j, 6 + 7j]


def test_real_of_a_real_tensor_is_itself():
    x = lg.tensor([1.0, -2.0])
    assert x.real is x and x.conj() is x and not x.is_conj() and lg.isreal(x).all()
    assert lg.isreal(lg.tensor([1 + 0j, 1j])).tolist() == [True, False]


# ---- errors -------------------------------------------------------------------------------------------

ERRORS = {
    "floor": lambda m, z: m.floor(z), "ceil": lambda m, z: z.ceil(), "round": lambda m, z: z.round(),
    "erf": lambda m, z: m.erf(z), "lt": lambda m, z: z < z, "gt": lambda m, z: z > 0, "le": lambda m, z: z <= z,
    "maximum": lambda m, z: m.maximum(z, z), "minimum": lambda m, z: m.minimum(z, z),
    "fmod": lambda m, z: m.fmod(z, z), "remainder": lambda m, z: z % z, "floor_divide": lambda m, z: z // z,
    "atan2": lambda m, z: m.atan2(z, z), "relu": lambda m, z: m.relu(z), "clamp": lambda m, z: z.clamp(0, 1),
    "sign": lambda m, z: m.sign(z), "bitwise_and": lambda m, z: z & z, "isposinf": lambda m, z: m.isposinf(z),
    "xlogy": lambda m, z: m.xlogy(z, z), "view_as_real": lambda m, z: m.view_as_real(z.real),
    "view_as_complex": lambda m, z: m.view_as_complex(m.ones(3, 3)),
    "view_as_complex_stride": lambda m, z: m.view_as_complex(m.ones(2, 4)[:, ::2]),
    "imag_of_real": lambda m, z: z.real.imag,
    "complex_dtypes": lambda m, z: m.complex(m.ones(2), m.ones(2, dtype=m.float64)),
    "complex_ints": lambda m, z: m.complex(m.ones(2, dtype=m.int64), m.ones(2, dtype=m.int64)),
    "backward": lambda m, z: (z.detach().requires_grad_() * 2).sum().backward(),
    "lgamma": lambda m, z: m.lgamma(z), "digamma": lambda m, z: z.digamma(), "erfc": lambda m, z: m.erfc(z),
    "erfinv": lambda m, z: z.erfinv(), "i0": lambda m, z: m.i0(z), "logit": lambda m, z: z.logit(),
    "trigamma": lambda m, z: m.polygamma(1, z), "ndtr": lambda m, z: m.special.ndtr(z),
    "i1e": lambda m, z: m.special.i1e(z), "deg2rad": lambda m, z: z.deg2rad(), "rad2deg": lambda m, z: m.rad2deg(z),
    "signbit": lambda m, z: z.signbit(),
    "fmax": lambda m, z: m.fmax(z, z), "fmin": lambda m, z: z.fmin(z.real),
    "heaviside": lambda m, z: m.heaviside(z, z), "heaviside_real_input": lambda m, z: m.heaviside(z.real, z),
    "dist_bool": lambda m, z: m.dist(z, z.real > 0),
}


@pytest.mark.parametrize("name", ["kthvalue", "mode", "cummax", "cummin"])
@pytest.mark.parametrize("dtype", [np.complex64, np.bool_])
def test_a_zero_dim_tensor_needs_no_order(name, dtype):
    """torch answers these of a 0-d tensor without its kernel, which refuses complex numbers (and bools)."""
    t = _torch()
    value = np.array(1.5 - 2j if dtype is np.complex64 else True, dtype=dtype)
    call = {"kthvalue": lambda m, x: m.kthvalue(x, 1), "mode": lambda m, x: m.mode(x),
            "cummax": lambda m, x: m.cummax(x, 0), "cummin": lambda m, x: x.cummin(-1)}[name]
    for got, want in zip(call(lg, lg.tensor(value)), call(t, t.tensor(value))):
        _close(got, want)


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_torch(name):
    t = _torch()
    a = _values((3,))
    with pytest.raises(Exception) as want:
        ERRORS[name](t, t.tensor(a))
    with pytest.raises(type(want.value)) as got:
        ERRORS[name](lg, lg.tensor(a))
    assert str(got.value) in (str(want.value), str(want.value).replace("torch.", "lazygrad."))


# ---- gradients ----------------------------------------------------------------------------------------

GRADIENTS = {
    "abs": lambda m, z, w, r: z.abs().sum(),
    "abs_squared": lambda m, z, w, r: (z.abs() ** 2).sum(),
    "analytic": lambda m, z, w, r: (m.exp(z) * m.sin(w) / (z + 3) + m.tanh(z) * m.log(w)).abs().sum(),
    "sqrt_pow": lambda m, z, w, r: (m.sqrt(z) + z ** 3 + m.pow(w, 0.5) + z.reciprocal()).abs().sum(),
    "real_imag": lambda m, z, w, r: (z.real * w.imag + z.imag ** 2).sum(),
    "angle": lambda m, z, w, r: m.angle(z * w).sum(),
    "sgn": lambda m, z, w, r: (m.sgn(z) * w).real.sum(),
    "conj": lambda m, z, w, r: (z.conj() * w).imag.sum(),
    "view_as_real": lambda m, z, w, r: (m.view_as_real(z * w) ** 2 * m.arange(2.0)).sum(),
    "mixed_real": lambda m, z, w, r: ((z * r).abs() + m.complex(r, r * r).angle()).sum(),
    "polar": lambda m, z, w, r: (m.polar(r.abs() + 1, r) * z).real.sum(),
    "matmul": lambda m, z, w, r: (z.reshape(3, 4) @ w.reshape(4, 3)).abs().sum(),
    "reductions": lambda m, z, w, r: (z.sum() * w.mean() + z.prod()).abs() + z.var() + w.norm(),
    "view_as_complex": lambda m, z, w, r: m.view_as_complex(m.stack([r, r * 2], -1)).abs().sum(),
    "logaddexp": lambda m, z, w, r: (m.logaddexp(z, w * 2) * m.logaddexp(w, z - 1)).abs().sum(),
    "dist": lambda m, z, w, r: m.dist(z, w) + m.dist(z, w, 1) + m.dist(z, w * 3, 3.5) + m.dist(z, w, float("inf")),
    # a complex exponent tensor (its gradient masks 0 ** b for b real and non-negative); a negative real base
    # raised to it has a complex logarithm
    "pow_of_tensors": lambda m, z, w, r: ((z ** w) * 0.5 + r ** w + z ** r).abs().sum(),
}


@pytest.mark.parametrize("name", GRADIENTS)
def test_gradients_match_torch(name):
    t = _torch()
    a, b = _values((12,), np.complex128), _values((12,), np.complex128, seed=1)
    r = np.random.RandomState(3).randn(12)
    ours = [lg.tensor(v, requires_grad=True) for v in (a, b, r)]
    theirs = [t.tensor(v, requires_grad=True) for v in (a, b, r)]
    GRADIENTS[name](lg, *ours).backward()
    GRADIENTS[name](t, *theirs).backward()
    for o, th in zip(ours, theirs):
        assert (o.grad is None) == (th.grad is None)
        if o.grad is not None:
            _close(o.grad, th.grad, rtol=1e-10, atol=1e-12)


def test_gradient_is_the_real_loss_gradient_by_finite_differences():
    """Without torch: for a real loss L, z.grad = dL/dx + i dL/dy (numpy finite differences)."""
    a = _values((5,), np.complex128)

    def loss(v):
        z = lg.tensor(v)
        return (lg.exp(z) * z.conj()).abs().sum() + lg.angle(z).sum()

    z = lg.tensor(a, requires_grad=True)
    ((lg.exp(z) * z.conj()).abs().sum() + lg.angle(z).sum()).backward()
    h, fd = 1e-6, np.zeros(5, complex)
    for i in range(5):
        for step in (1, 1j):
            e = np.zeros(5, complex)
            e[i] = h * step
            d = (loss(a + e).item() - loss(a - e).item()) / (2 * h)
            fd[i] += d * step
    np.testing.assert_allclose(z.grad.numpy(), fd, rtol=1e-6, atol=1e-8)


def test_second_derivatives_match_torch():
    t = _torch()
    a = _values((6,), np.complex128)
    z_l, z_t = lg.tensor(a, requires_grad=True), t.tensor(a, requires_grad=True)
    (g_l,) = lg.autograd.grad((lg.exp(z_l) * z_l).abs().sum(), z_l, create_graph=True)
    (g_t,) = t.autograd.grad((t.exp(z_t) * z_t).abs().sum(), z_t, create_graph=True)
    _close(g_l, g_t, rtol=1e-10, atol=1e-12)
    (h_l,) = lg.autograd.grad(g_l.abs().sum(), z_l)
    (h_t,) = t.autograd.grad(g_t.abs().sum(), z_t)
    _close(h_l, h_t, rtol=1e-9, atol=1e-11)


def test_complex_parameters_train_with_sgd():
    """Fitting a complex weight by gradient descent: torch's convention makes the plain update descend."""
    target = lg.tensor([2 - 1j, 0.5 + 3j], dtype=lg.complex128)
    w = lg.zeros(2, dtype=lg.complex128, requires_grad=True)
    opt = lg.optim.SGD([w], lr=0.1)
    for _ in range(100):
        opt.zero_grad()
        ((w - target).abs() ** 2).sum().backward()
        opt.step()
    np.testing.assert_allclose(w.detach().numpy(), target.numpy(), atol=1e-8)


def test_random_complex_values_have_torchs_distribution():
    """randn: independent normal parts of variance 1/2 (E|z|² = 1); rand: uniform parts in [0, 1)."""
    lg.manual_seed(0)
    z = lg.randn(200_000, dtype=lg.cfloat)
    assert z.dtype is lg.complex64
    assert abs(z.real.var().item() - 0.5) < 0.01 and abs(z.imag.var().item() - 0.5) < 0.01
    assert abs((z.real * z.imag).mean().item()) < 0.01
    u = lg.rand(100_000, dtype=lg.cdouble).numpy()
    assert 0 <= u.real.min() and u.real.max() < 1 and 0 <= u.imag.min() and u.imag.max() < 1
    assert abs(u.imag.mean() - 0.5) < 0.01


def test_casting_to_real_warns_and_keeps_the_real_part():
    z = lg.tensor([1 + 2j, -3 - 1j])
    with pytest.warns(UserWarning, match="Casting complex values to real discards the imaginary part"):
        assert z.to(lg.float64).tolist() == [1.0, -3.0]


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_casting_to_bool_is_true_where_either_part_is_nonzero(dtype, backend):
    """A complex number is True unless both parts are zero (an imaginary one too), without a warning."""
    z = lg.tensor([-0.5j, 0j, 1 + 0j, 2j, complex("nan"), complex(0.0, -0.0)], dtype=getattr(lg, dtype))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert z.bool().tolist() == z.to(lg.bool).tolist() == [True, False, True, True, True, False]


def test_interchange_with_torch():
    """DLPack both ways and torch's checkpoint format keep complex values."""
    t = _torch()
    import io
    z = lg.tensor(_values((3, 2), np.complex128))
    np.testing.assert_array_equal(t.from_dlpack(z).numpy(), z.numpy())
    np.testing.assert_array_equal(lg.from_dlpack(t.tensor([1 + 1j, 2j])).numpy(), [1 + 1j, 2j])
    buffer = io.BytesIO()
    lg.save(z, buffer)
    buffer.seek(0)
    np.testing.assert_array_equal(t.load(buffer).numpy(), z.numpy())


MORE = {
    "amax": lambda m, z: z.amax(), "max": lambda m, z: z.max(), "max_dim": lambda m, z: z.max(0),
    "argmax": lambda m, z: z.argmax(), "aminmax": lambda m, z: m.aminmax(z), "sort": lambda m, z: z.sort(),
    "argsort": lambda m, z: z.argsort(), "topk": lambda m, z: z.topk(1), "median": lambda m, z: z.median(),
    "cummax": lambda m, z: z.cummax(0), "kthvalue": lambda m, z: z.kthvalue(1), "unique": lambda m, z: m.unique(z),
    "quantile": lambda m, z: z.quantile(0.5), "softmax": lambda m, z: z.softmax(0), "nansum": lambda m, z: m.nansum(z),
    "isclose": lambda m, z: m.isclose(z, z * 1.0000001), "equal": lambda m, z: m.equal(z, z),
    "complex_of": lambda m, z: complex(z[0, 0]), "float_of": lambda m, z: float(z[0, 0]),
    "float_of_real": lambda m, z: float(z[0, 0].real.to(z.dtype)), "bool_of": lambda m, z: bool(z[0, 0]),
    "einsum": lambda m, z: m.einsum("ij,jk->ik", z, z), "linear": lambda m, z: m.nn.functional.linear(z, z),
    "nonzero": lambda m, z: z.nonzero(), "masked": lambda m, z: z[z.abs() > 1],
    "index_add": lambda m, z: z.index_add(0, m.tensor([0, 0, 1]), z),
    "scatter_add": lambda m, z: m.zeros(3, 3, dtype=z.dtype).scatter_add(0, m.tensor([[0, 1, 0]] * 3), z),
    "trace": lambda m, z: z.trace(), "diag": lambda m, z: z.diag(), "tril": lambda m, z: z.tril(),
    "roll": lambda m, z: z.roll(1), "lerp": lambda m, z: m.lerp(z, z * 2, 0.3),
    "addcmul": lambda m, z: z.addcmul(z, z, value=2), "count_nonzero": lambda m, z: m.count_nonzero(z),
    "any": lambda m, z: z.any(), "cov": lambda m, z: m.cov(z), "kron": lambda m, z: m.kron(z, z),
    "outer": lambda m, z: m.outer(z[0], z[1]), "cross": lambda m, z: m.linalg.cross(z, z), "diff": lambda m, z: m.diff(z),
    "trapezoid": lambda m, z: m.trapezoid(z), "pow_tensor": lambda m, z: z ** z, "rpow": lambda m, z: 2 ** z,
    "rdiv": lambda m, z: 1 / z, "cube": lambda m, z: z ** 3, "in_place": lambda m, z: z.clone().exp_().mul_(2.5),
    "fill": lambda m, z: m.zeros(2, dtype=m.cfloat).fill_(1 + 2j), "full_like": lambda m, z: m.full_like(z, 2j),
    "sum_dtype": lambda m, z: z.sum(dtype=m.complex128), "prod_dim": lambda m, z: z.prod(1),
    "mean_dim": lambda m, z: z.mean(1, keepdim=True), "std_mean": lambda m, z: m.std_mean(z),
    "logaddexp": lambda m, z: m.logaddexp(z, z.T * 3), "logaddexp_real": lambda m, z: m.logaddexp(z, z.real),
    "logaddexp2": lambda m, z: m.logaddexp2(z, z), "float_power": lambda m, z: m.float_power(z, 2),
    "float_power_of_reals": lambda m, z: m.float_power(z.real, 1j), "ldexp": lambda m, z: m.ldexp(z, m.tensor(3)),
    "ldexp_of_reals": lambda m, z: m.ldexp(z.real.int(), z), "gcd": lambda m, z: m.gcd(z, z),
    "copysign": lambda m, z: m.copysign(z, z), "nextafter": lambda m, z: m.nextafter(z, z),
}


@pytest.mark.parametrize("name", MORE)
def test_more_ops_match_torch(name):
    """Values, or torch's error for the ops that need an order complex numbers lack."""
    t = _torch()
    a = _values((3, 3))
    try:
        want = MORE[name](t, t.tensor(a))
    except Exception as error:
        with pytest.raises(type(error)) as got:
            MORE[name](lg, lg.tensor(a))
        assert str(got.value) == str(error)
        return
    got = MORE[name](lg, lg.tensor(a))
    if isinstance(want, tuple):
        want, got = want[0], got[0]
    if not isinstance(want, t.Tensor):
        assert got == want
        return
    _close(got, want, rtol=1e-4, atol=1e-5)


BRANCH_POINTS = [0j, complex(0, -0.0), 2 + 0j, complex(2, -0.0), -2 + 0j, complex(-2, -0.0), 0.5 + 0j, 100 + 0j,
                 -100 + 0j, complex(0, 100), complex(0, -100), 1 + 1j, -1 - 2j, 3 - 0.5j, 1e-10 + 1e-10j, 50 + 50j,
                 complex(-0.0, 2), complex(-0.0, -2)]


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("name", ["asin", "acos", "atan", "asinh", "acosh", "atanh", "sin", "cos", "sinh", "cosh",
                                  "tan", "tanh"])
def test_trigonometry_on_branch_cuts_and_far_out_is_torchs(name, dtype):
    """Each side of a branch cut (a signed zero imaginary part picks it), real parts whose hyperbolic functions
    overflow, tiny and huge arguments: torch's (C99's) values, signs of the parts included."""
    t = _torch()
    got = getattr(lg, name)(lg.tensor(BRANCH_POINTS, dtype=getattr(lg, dtype))).to(lg.complex128).numpy()
    want = getattr(t, name)(t.tensor(BRANCH_POINTS, dtype=getattr(t, dtype))).to(t.complex128).numpy()
    tolerance = 3e-6 if dtype == "complex64" else 1e-14
    for part in (np.real, np.imag):
        np.testing.assert_allclose(part(got), part(want), rtol=tolerance, atol=1e-30, equal_nan=True, err_msg=name)
        nonzero = part(want) != 0
        assert (np.signbit(part(got)) == np.signbit(part(want)))[nonzero].all(), name


def test_inverse_trigonometry_far_out_keeps_its_digits():
    """Where the real part is large the small parts are 1/x-sized (glibc, torch's oracle, loses digits there):
    against mpmath at 50 digits."""
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    z = [1e7 + 1j, -3e9 + 0.5j, 1e9 - 1j, 2e8j + 1]
    for name in ("asin", "acos", "atan", "asinh", "acosh", "atanh"):
        got = getattr(lg, name)(lg.tensor(z, dtype=lg.complex128)).numpy()
        want = np.array([complex(getattr(mpmath, name)(mpmath.mpc(v.real, v.imag))) for v in z])
        np.testing.assert_allclose(got.real, want.real, rtol=1e-13, err_msg=name)
        np.testing.assert_allclose(got.imag, want.imag, rtol=1e-13, err_msg=name)


def _near_one(rng) -> np.ndarray:
    """4000 values within 3e-3 of 1 or -1."""
    return rng.choice([-1, 1], 4000) * (1 + rng.uniform(-3e-3, 3e-3, 4000))


@pytest.mark.parametrize("name", ["log", "tanh", "atan", "atanh"])
def test_complex64_functions_keep_their_digits_where_their_formulas_cancel(name):
    """log near |z| = 1 (|z|^2 - 1 from exactly split squares), tanh near its poles at i pi/2 (Kahan's form from
    tan and sinh, not cosh(2x) + cos(2y)), atan near +-i and atanh near +-1 (log1p of a positive quotient): within
    a few float32 steps of the complex128 values, where the textbook formulas were off by up to 1e5 of them."""
    rng = np.random.default_rng(8)
    angle = rng.uniform(-np.pi, np.pi, 4000)
    near = {"log": np.exp(1j * angle) * (1 + rng.uniform(-1e-3, 1e-3, 4000)),
            "tanh": rng.uniform(-1e-2, 1e-2, 4000) + 1j * (np.pi / 2 + rng.uniform(-1e-3, 1e-3, 4000)),
            "atan": rng.uniform(-1e-2, 1e-2, 4000) + 1j * _near_one(rng),
            "atanh": _near_one(rng) + 1j * rng.uniform(-1e-2, 1e-2, 4000)}
    z = near[name].astype(np.complex64)
    got = getattr(lg, name)(lg.tensor(z)).numpy()
    want = getattr(np, {"atan": "arctan", "atanh": "arctanh"}.get(name, name))(z.astype(np.complex128))
    for part in (np.real, np.imag):
        steps = np.abs(part(got) - part(want)) / np.spacing(np.abs(part(want)).astype(np.float32))
        assert steps.max() <= 6, (name, steps.max())  # (torch's tanh: 4.5 steps there)


SPECIAL_PARTS = [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -3.0, float("inf"), float("-inf"), float("nan"), 1e30, -1e30]


def _same_part(got: float, want: float, rtol: float) -> bool:
    """Equal as IEEE values with NaN equal to NaN and the sign of a zero compared."""
    if math.isnan(got) or math.isnan(want):
        return math.isnan(got) and math.isnan(want)
    if got == 0 or want == 0 or math.isinf(want):
        return got == want and math.copysign(1, got) == math.copysign(1, want)
    return abs(got - want) <= rtol * abs(want)


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("name", ["exp", "expm1", "log", "log1p", "sqrt", "sin", "cos", "tan", "sinh", "cosh",
                                  "tanh", "asin", "acos", "atan", "asinh", "acosh", "atanh", "sigmoid"])
def test_special_parts_give_torchs_values(name, dtype):
    """Every pair of zeros of both signs, ones, infinities, NaN and huge parts: C99's values (torch's, glibc's)
    where a part is infinite or NaN, signs of zero parts included; acos of a real number is left out (torch's
    vectorized acos computes pi/2 - asin(z): +0 where C99 and lazygrad give -0)."""
    t = _torch()
    z = [complex(x, y) for x in SPECIAL_PARTS for y in SPECIAL_PARTS]
    got = getattr(lg, name)(lg.tensor(z, dtype=getattr(lg, dtype))).to(lg.complex128).numpy()
    want = getattr(t, name)(t.tensor(z, dtype=getattr(t, dtype))).to(t.complex128).numpy()
    rtol = 2e-5 if dtype == "complex64" else 1e-12
    for v, g, w in zip(z, got, want):
        if name == "acos" and (v.imag == 0 and abs(v.real) < math.inf or abs(v.real) == 1e30):
            continue
        assert _same_part(g.real, w.real, rtol) and _same_part(g.imag, w.imag, rtol), (v, g, w)


def test_logaddexp_of_infinities_and_nans_is_torchs():
    """Equal infinite real parts give the smaller operand (-inf) or log(exp(a) + exp(b)) (+inf); a NaN part
    anywhere gives NaN in both parts; tiny operands keep their digits (log1p)."""
    t = _torch()
    inf, nan = float("inf"), float("nan")
    a = [complex(inf, 1), complex(-inf, 1), complex(nan, 0), complex(inf, 0), complex(0, nan), 1e-20 + 0j, 700 + 1j]
    b = [complex(inf, 2), complex(-inf, 3), 1 + 0j, 1 + 0j, 0j, 1e-20 + 1e-20j, 700 - 1j]
    _close(lg.logaddexp(lg.tensor(a), lg.tensor(b)), t.logaddexp(t.tensor(a), t.tensor(b)), rtol=1e-6, atol=0)


@pytest.mark.parametrize("driver", [None, "gelsd"])
def test_least_squares_results_of_complex_matrices(driver):
    """The solution, residuals (real), rank and singular values, with torch's dtypes and shapes."""
    t = _torch()
    for a_shape, b_shape in (((5, 3), (5, 2)), ((3, 5), (3, 2)), ((5, 3), (5,))):
        a, b = _values(a_shape, np.complex128, seed=1), _values(b_shape, np.complex128, seed=2)
        ours, theirs = lg.linalg.lstsq(lg.tensor(a), lg.tensor(b), driver=driver), t.linalg.lstsq(
            t.tensor(a), t.tensor(b), driver=driver)
        for got, want in zip(ours, theirs):
            assert got.dtype.name == str(want.dtype).split(".")[1] and tuple(got.shape) == tuple(want.shape)
            if want.numel():
                _close(got, want, rtol=1e-10, atol=1e-12)


def test_a_loss_depending_on_singular_vector_phases_has_no_gradient():
    t = _torch()
    a = _values((3, 4, 3), np.complex128)
    for m in (t, lg):
        z = m.tensor(a, requires_grad=True)
        u, s, vh = m.linalg.svd(z, full_matrices=False)
        with pytest.raises(RuntimeError, match="specified up to multiplication by e"):
            u.imag.sum().backward()


# ---- linear algebra ---------------------------------------------------------------------------------

LINALG = {
    "eig_values": lambda m, a, b: m.linalg.eig(a)[0].abs().sum() + m.linalg.eig(a)[0].real.sum(),
    "eig_vectors": lambda m, a, b: (m.linalg.eig(a)[1].abs() ** 3 * m.arange(4.0)).sum(),
    "eigvals": lambda m, a, b: m.linalg.eigvals(a).imag.pow(2).sum(),
    "inv": lambda m, a, b: m.linalg.inv(a).abs().sum(),
    "det": lambda m, a, b: m.linalg.det(a).abs().sum(),
    "matrix_exp": lambda m, a, b: m.linalg.matrix_exp(a).abs().sum(),
    "solve": lambda m, a, b: m.linalg.solve(a, b).abs().sum(),
    "solve_right": lambda m, a, b: m.linalg.solve(a, b.mT, left=False).abs().sum(),
    "cholesky": lambda m, a, b: (m.linalg.cholesky(_hermitian(a)) * m.arange(4.0)).abs().sum()
    + m.linalg.cholesky(_hermitian(a)).real.sum(),
    "cholesky_upper": lambda m, a, b: _imag(m.linalg.cholesky(_hermitian(a), upper=True)).sum(),
    "eigh": lambda m, a, b: m.linalg.eigh(_hermitian(a))[0].pow(2).sum() + (m.linalg.eigh(_hermitian(a))[1].abs() ** 3).sum(),
    "eigvalsh": lambda m, a, b: m.linalg.eigvalsh(_hermitian(a), UPLO="U").pow(3).sum(),
    "svdvals": lambda m, a, b: m.linalg.svdvals(b).pow(3).sum(),
    "svd": lambda m, a, b: (lambda u, s, vh: (u @ vh).real.sum() + (u.abs() ** 3).sum() + s.sum())(
        *m.linalg.svd(b, full_matrices=False)),
    "svd_wide": lambda m, a, b: (lambda u, s, vh: _imag(u @ vh).sum() + s.pow(2).sum())(
        *m.linalg.svd(b.mT, full_matrices=False)),
    "qr": lambda m, a, b: m.linalg.qr(b)[0].real.sum() + (m.linalg.qr(b)[1].abs() ** 2).sum() + _imag(m.linalg.qr(b)[1]).sum(),
    "qr_wide": lambda m, a, b: _imag(m.linalg.qr(b.mT)[0]).sum() + m.linalg.qr(b.mT)[1].real.sum(),
    "lu_factor": lambda m, a, b: (m.linalg.lu_factor(a)[0].abs() ** 2).sum() + m.linalg.lu_factor(a)[0].real.sum(),
    "lu_wide": lambda m, a, b: sum((x.abs() ** 2).sum() for x in m.linalg.lu(b.mT)[1:]),
    "lu_solve": lambda m, a, b: m.linalg.lu_solve(*m.linalg.lu_factor(a), b, adjoint=True).abs().sum()
    + m.linalg.lu_solve(*m.linalg.lu_factor(a), b.mH, left=False).abs().sum(),
    "slogdet": lambda m, a, b: m.linalg.slogdet(a)[1].sum() + (m.linalg.slogdet(a)[0] * (1 + 2j)).real.sum(),
    "cholesky_inverse": lambda m, a, b: m.cholesky_inverse(m.linalg.cholesky(_hermitian(a))).abs().sum(),
    "cond": lambda m, a, b: m.linalg.cond(a).sum(),
    "pinv": lambda m, a, b: (m.linalg.pinv(b) * m.arange(4.0)).abs().sum() + _imag(m.linalg.pinv(b.mT)).sum(),
    "pinv_hermitian": lambda m, a, b: m.linalg.pinv(_hermitian(a), hermitian=True).abs().sum(),
    "lstsq": lambda m, a, b: m.linalg.lstsq(b, a[..., :2]).solution.abs().sum(),
}


def _imag(x):
    """The imaginary parts (zeros for a real x, where .imag raises)."""
    return (x * -1j).real


def _hermitian(a):
    """A positive-definite (Hermitian) matrix made of a."""
    return a @ a.mH + 4 * a.new_ones(()).expand(a.shape[-1]).diag_embed()


@pytest.mark.parametrize("name", LINALG)
@pytest.mark.parametrize("kind", ["real", "complex"])
def test_linear_algebra_values_and_gradients_match_torch(name, kind):
    """eig and eigvals (complex results of real matrices too), and the complex inverse, determinant,
    exponential and solve, with their gradients."""
    t = _torch()
    a = _values((2, 4, 4), np.complex128, seed=4)
    b = _values((2, 4, 3), np.complex128, seed=5)
    if kind == "real":
        a, b = a.real.copy(), b.real.copy()
    ours = [lg.tensor(a, requires_grad=True), lg.tensor(b, requires_grad=True)]
    theirs = [t.tensor(a, requires_grad=True), t.tensor(b, requires_grad=True)]
    out_l, out_t = LINALG[name](lg, *ours), LINALG[name](t, *theirs)
    _close(out_l, out_t, rtol=1e-10, atol=1e-10)
    out_l.backward()
    out_t.backward()
    for o, th in zip(ours, theirs):
        if th.grad is not None:
            _close(o.grad, th.grad, rtol=1e-8, atol=1e-10)


def test_eig_results():
    t = _torch()
    a = np.random.RandomState(6).randn(3, 5, 5).astype(np.float32)
    values, vectors = lg.linalg.eig(lg.tensor(a))
    assert values.dtype is lg.complex64 and vectors.shape == (3, 5, 5)
    want = t.linalg.eig(t.tensor(a))
    _close(values, want.eigenvalues, rtol=1e-4, atol=1e-5)
    # eigenvectors are unit vectors up to a phase (LAPACK builds may choose differently): compare |v| and |V^H W|
    np.testing.assert_allclose(vectors.abs().numpy(), want.eigenvectors.abs().numpy(), rtol=1e-4, atol=1e-5)
    overlaps = (vectors.mH @ lg.tensor(want.eigenvectors.numpy())).abs().diagonal(0, -2, -1)
    np.testing.assert_allclose(overlaps.numpy(), np.ones((3, 5)), atol=1e-4)
    with pytest.raises(RuntimeError, match="specified up to multiplication by e"):
        z = lg.tensor(a, requires_grad=True)
        lg.linalg.eig(z)[1].imag.sum().backward()
    np.testing.assert_allclose((lg.tensor(a).to(lg.complex64) @ vectors).numpy(),
                               (vectors * values.unsqueeze(-2)).numpy(), atol=1e-4)
    assert repr(lg.linalg.eig(lg.tensor([[2.0, 0.0], [0.0, 3.0]]))).startswith("lazygrad.return_types.linalg_eig(")
    with pytest.raises(RuntimeError, match="A must be batches of square matrices, but they are 2 by 3 matrices"):
        lg.linalg.eig(lg.ones(2, 3))


class _Square(lg.autograd.Function):
    """z², with the gradient torch's convention asks for (g conj(2z)) or, when wrong, without the conjugate."""
    conjugate = True

    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return z * z

    @classmethod
    def backward(cls, ctx, g):
        (z,) = ctx.saved_tensors
        return g * 2 * (z.conj() if cls.conjugate else z)


class _SquareWithoutConjugate(_Square):
    conjugate = False


def test_gradcheck_checks_complex_gradients():
    """gradcheck compares the real Jacobian over (real, imaginary) pairs: right gradients pass, a gradient
    missing torch's conjugate fails, as in torch."""
    z = lg.tensor(_values((4,), np.complex128), requires_grad=True)
    x = lg.tensor(np.random.RandomState(7).randn(4), requires_grad=True)
    assert lg.autograd.gradcheck(lambda z, x: lg.fft.fft(z * x).abs() + lg.angle(z), (z, x))
    assert lg.autograd.gradgradcheck(lambda z: lg.sin(z) * z.conj(), (z,))
    assert lg.autograd.gradcheck(_Square.apply, (z,))
    assert not lg.autograd.gradcheck(_SquareWithoutConjugate.apply, (z,), raise_exception=False)
    t = _torch()

    class TorchSquare(t.autograd.Function):
        forward = staticmethod(_Square.forward)
        backward = staticmethod(lambda ctx, g: g * 2 * ctx.saved_tensors[0])
    assert not t.autograd.gradcheck(TorchSquare.apply, (t.tensor(_values((4,), np.complex128), requires_grad=True),),
                                    raise_exception=False)


def test_logcumsumexp_of_complex_values_and_derivative_match_torch():
    """The running complex log-sum-exp (doubling passes of logaddexp), far-apart values and a -inf included,
    and its derivative (small: every kernel the suite runs is compiled as CUDA too)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    a = rng.standard_normal((3, 6)) * 3 + 1j * rng.standard_normal((3, 6)) * 4
    a[0, 2], a[1, 0], a[2, 3] = -np.inf, 1000, -1000 + 2j
    np.testing.assert_allclose(lg.tensor(a).logcumsumexp(1).numpy(), torch.tensor(a).logcumsumexp(1).numpy(),
                               rtol=1e-12)
    b = a[:2, 1:4].copy()
    b[0, 1] = 0.5
    x, xt = lg.tensor(b, requires_grad=True), torch.tensor(b, requires_grad=True)
    g, = lg.autograd.grad(x.logcumsumexp(1).abs().sum(), x)
    gt, = torch.autograd.grad(xt.logcumsumexp(1).abs().sum(), xt)
    np.testing.assert_allclose(g.resolve_conj().numpy(), gt.resolve_conj().numpy(), rtol=1e-10, atol=1e-12)


def test_angle_gradient_is_zero_at_zero_like_torch():
    """torch's angle gradient is 0 at 0 (atan2's through the parts would be 0/0); values keep atan2's signs."""
    torch = pytest.importorskip("torch")
    results = []
    for m in (lg, torch):
        z = m.tensor([0j, 1 + 1j, -2 + 0j, -0.0 - 0.0j, 3 - 4j], requires_grad=True)
        angle = z.angle()
        grad, = m.autograd.grad((angle * m.tensor([1.0, 2.0, 3.0, 4.0, 5.0])).sum(), z)
        results.append((angle.tolist(), grad.resolve_conj().tolist()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-6)


GRADIENT_PROGRAMS = {
    "scaled": lambda x: (x * 2).real, "squared": lambda x: (x * x).real, "sine": lambda x: x.sin().real,
    "divided": lambda x: (x / 3).abs(), "shifted": lambda x: ((x + 1j) * 2).imag, "summed": lambda x: x.sum().real,
    "flipped": lambda x: x.flip(0).real, "zeroed": lambda x: (x * 0).real, "sliced": lambda x: x[0:2].real,
}


@pytest.mark.parametrize("name", GRADIENT_PROGRAMS)
def test_complex_gradients_print_as_torchs(name):
    """A real formula's complex gradient is conj(formula(conj(g))); its imaginary part is taken from +0, as
    torch's g * conj(f') leaves it, so a gradient with none prints 2.+0.j as torch's does (not 2.-0.j)."""
    torch = pytest.importorskip("torch")
    grads = []
    for m in (lg, torch):
        x = m.tensor([1 + 0j, 2 - 1j, -0.5 + 0.25j], dtype=m.complex64, requires_grad=True)
        GRADIENT_PROGRAMS[name](x).sum().backward()
        grads.append((repr(x.grad).replace("lazygrad", "torch"), np.signbit(np.asarray(x.grad.detach()).imag).tolist()))
    assert grads[0] == grads[1]
