"""Elementwise ops against torch (the oracle) and numpy: values, result dtypes (torch's type promotion),
broadcasting, scalars (also reflected), non-contiguous inputs and special float values, on both back ends.

Kernels are cached by structure, so the inputs reuse a few shapes: (3, 4) with (4,) for binary ops and
(24,) for unary ops.
"""
from __future__ import annotations

import operator
import re

import numpy as np
import pytest

import lazygrad as lg
from oracle import assert_like_torch, dtype_name, raises_like_torch, torch_of, torch_or_skip, xfail_if

BOOL = ["bool"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]
FLOATS = ["float16", "float32", "float64"]
ALL = BOOL + INTS + FLOATS
NO_BOOL = INTS + FLOATS


# ---- helpers -------------------------------------------------------------------------------------

def data(dtype: str, shape, seed: int, *, nonzero: bool = False, low: int = -9, high: int = 10) -> np.ndarray:
    """Deterministic test values of a dtype; `nonzero` keeps divisors away from 0."""
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        a = rng.integers(0, 2, shape).astype(bool)
        if nonzero:
            a[...] = True
        return a
    if dtype == "uint8":
        a = rng.integers(max(low, 0), high, shape).astype(np.uint8)
    elif dtype.startswith("int"):
        a = rng.integers(low, high, shape).astype(dtype)
    else:
        a = np.asarray(rng.standard_normal(shape) * 3).astype(dtype)
    a = np.asarray(a)
    if nonzero:
        a[a == 0] = 3
    return a


def assert_like_numpy(out, expected: np.ndarray, *, rtol: float = 1e-6, atol: float = 0.0) -> None:
    assert isinstance(out, lg.Tensor)
    assert out.dtype.name == str(expected.dtype), (out.dtype.name, expected.dtype)
    got = out.numpy()
    assert got.shape == expected.shape
    if expected.dtype.kind in "biu":
        np.testing.assert_array_equal(got, expected)
    else:
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)


# ---- binary ops over every dtype -------------------------------------------------------------------

# name -> (operator or None, dtypes, how the second operand is made). The arithmetic core runs on every dtype
# torch supports it for; variants sharing its code path (more comparisons, logical and bitwise ops) on a
# few dtypes to keep the number of compiled kernels down.
SOME_INTS = ["uint8", "int32", "int64"]
FEW = ["bool", "int8", "float16", "float64"]
BINARY = {
    "add": (operator.add, ALL, "any"),
    "sub": (operator.sub, NO_BOOL, "any"),
    "mul": (operator.mul, ALL, "any"),
    "div": (operator.truediv, ALL, "any"),
    "true_divide": (None, ["int64", "float32"], "any"),
    "floor_divide": (operator.floordiv, NO_BOOL, "nonzero"),
    "remainder": (operator.mod, NO_BOOL, "nonzero"),
    "fmod": (None, FLOATS + ["int8", "int64"], "nonzero"),
    "pow": (operator.pow, NO_BOOL, "exponent"),
    "atan2": (None, ["bool", "int32", "float16", "float32", "float64"], "any"),
    "maximum": (None, ALL, "any"),
    "minimum": (None, FEW + ["int64"], "any"),
    "eq": (operator.eq, ALL, "same"),
    "ne": (operator.ne, FEW, "same"),
    "lt": (operator.lt, ALL, "same"),
    "le": (operator.le, FEW, "same"),
    "gt": (operator.gt, FEW, "same"),
    "ge": (operator.ge, FEW, "same"),
    "logical_and": (None, ALL, "any"),
    "logical_or": (None, FEW, "any"),
    "logical_xor": (None, FEW, "any"),
    "bitwise_and": (operator.and_, BOOL + INTS, "any"),
    "bitwise_or": (operator.or_, BOOL + SOME_INTS, "any"),
    "bitwise_xor": (operator.xor, BOOL + SOME_INTS, "any"),
    "bitwise_left_shift": (operator.lshift, ["int8", "int16", "int64"], "shift"),
    "bitwise_right_shift": (operator.rshift, ["uint8", "int32", "int64"], "shift"),
}

BINARY_CASES = [(name, dt) for name, (_, dts, _) in BINARY.items() for dt in dts]


def binary_inputs(dtype: str, kind: str):
    """a: (3, 4), b: (4,) of one dtype, made so the op is defined for every element."""
    if kind == "exponent":
        a = data(dtype, (3, 4), 1, low=-4, high=5)
        b = data(dtype, (4,), 2, low=0, high=4)
        if dtype in FLOATS:
            b = np.abs(b)
        return a, b
    if kind == "shift":
        return data(dtype, (3, 4), 1), data(dtype, (4,), 2, low=0, high=5)
    a = data(dtype, (3, 4), 1)
    if kind == "same":  # comparisons see equal elements too
        b = a[1].copy()
        b[::2] = data(dtype, (2,), 7)
        return a, b
    return a, data(dtype, (4,), 2, nonzero=(kind == "nonzero"))


@pytest.mark.parametrize("name,dtype", BINARY_CASES, ids=[f"{n}-{d}" for n, d in BINARY_CASES])
def test_binary_same_dtype_vs_torch(backend, name, dtype):
    """Function, method and operator forms of every binary op, each dtype torch supports it for."""
    torch = pytest.importorskip("torch")
    op, _, kind = BINARY[name]
    a, b = binary_inputs(dtype, kind)
    ta, tb = torch_of(a), torch_of(b)
    expected = getattr(torch, name)(ta, tb)
    x, y = lg.tensor(a), lg.tensor(b)
    assert_like_torch(getattr(lg, name)(x, y), expected)
    assert_like_torch(getattr(x, name)(y), expected)
    if op is not None:
        assert_like_torch(op(x, y), op(ta, tb))


@pytest.mark.parametrize("mode", ["trunc", "floor"])
@pytest.mark.parametrize("dtype", ["uint8", "int8", "int64", "float16", "float32"])
def test_div_rounding_mode_vs_torch(backend, mode, dtype):
    torch = pytest.importorskip("torch")
    a, b = data(dtype, (3, 4), 1), data(dtype, (4,), 2, nonzero=True)
    expected = torch.div(torch_of(a), torch_of(b), rounding_mode=mode)
    assert_like_torch(lg.div(lg.tensor(a), lg.tensor(b), rounding_mode=mode), expected)
    assert_like_torch(lg.tensor(a).div(lg.tensor(b), rounding_mode=mode), expected)


def test_aliases_are_torchs(backend):
    """torch's alias names compute the same as the names they alias."""
    torch = pytest.importorskip("torch")
    a, b = data("float32", (3, 4), 1), data("float32", (4,), 2, nonzero=True)
    x, y, ta, tb = lg.tensor(a), lg.tensor(b), torch_of(a), torch_of(b)
    for name in ["subtract", "multiply", "divide", "greater", "greater_equal", "less", "less_equal", "not_equal",
                 "arctan2"]:
        assert_like_torch(getattr(lg, name)(x, y), getattr(torch, name)(ta, tb))
        assert_like_torch(getattr(x, name)(y), getattr(ta, name)(tb))
    assert_like_torch(lg.add(x, y, alpha=2), torch.add(ta, tb, alpha=2))
    assert_like_torch(lg.sub(x, y, alpha=-3), torch.sub(ta, tb, alpha=-3))
    assert_like_torch(x.clip(-1, 1), ta.clip(-1, 1))


# ---- type promotion --------------------------------------------------------------------------------

PROMOTION_OPS = {
    "add": lambda m, a, b: m.add(a, b),
    "mul": lambda m, a, b: a * b,
    "div": lambda m, a, b: a / b,
    "floor_divide": lambda m, a, b: a // b,
    "remainder": lambda m, a, b: a % b,
    "pow": lambda m, a, b: a ** b,
    "maximum": lambda m, a, b: m.maximum(a, b),
    "atan2": lambda m, a, b: m.atan2(a, b),
    "eq": lambda m, a, b: a == b,
    "lt": lambda m, a, b: a < b,
    "where": lambda m, a, b: m.where(a == a, a, b),
    "logical_or": lambda m, a, b: m.logical_or(a, b),
}


@pytest.mark.parametrize("name", list(PROMOTION_OPS))
def test_tensor_tensor_promotion_all_pairs(name):
    """The result dtype of each pair of dtypes is torch's (no realization needed: dtypes are static)."""
    torch = pytest.importorskip("torch")
    fn = PROMOTION_OPS[name]
    mismatches = []
    for d1 in ALL:
        for d2 in ALL:
            ta, tb = torch.ones(2, dtype=getattr(torch, d1)), torch.ones(2, dtype=getattr(torch, d2))
            try:
                want = dtype_name(fn(torch, ta, tb))
            except (RuntimeError, NotImplementedError, TypeError):
                continue  # torch does not define it (bool // bool ...): tests/test_errors.py's business
            got = fn(lg, lg.ones(2, dtype=getattr(lg, d1)), lg.ones(2, dtype=getattr(lg, d2))).dtype.name
            if got != want:
                mismatches.append((d1, d2, got, want))
    assert not mismatches


SCALARS = [True, 3, -2, 2.5, 0.0]
SCALAR_OPS = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "truediv": operator.truediv,
    "floordiv": operator.floordiv, "mod": operator.mod, "pow": operator.pow, "eq": operator.eq,
    "lt": operator.lt, "and": operator.and_,
}


@pytest.mark.parametrize("name", list(SCALAR_OPS))
def test_tensor_scalar_promotion(name):
    """tensor op scalar and scalar op tensor (reflected), each dtype against bool/int/float scalars,
    and 0-d tensors against 1-d ones: the result dtype is torch's."""
    torch = pytest.importorskip("torch")
    op = SCALAR_OPS[name]
    mismatches = []
    for d in ALL:
        t, x = torch.ones(2, dtype=getattr(torch, d)), lg.ones(2, dtype=getattr(lg, d))
        t0, x0 = torch.ones((), dtype=getattr(torch, d)), lg.ones((), dtype=getattr(lg, d))
        cases = [(lambda s, v: op(v, s)), (lambda s, v: op(s, v))]
        for s in SCALARS:
            for case in cases:
                try:
                    want = dtype_name(case(s, t))
                except (RuntimeError, NotImplementedError, TypeError, ZeroDivisionError):
                    continue
                if name == "pow" and d == "bool" and isinstance(s, bool) and case is cases[0]:
                    continue  # bool_tensor ** True raises: test_bool_tensor_pow_bool_scalar (xfail)
                try:
                    got = case(s, x).dtype.name
                except Exception as e:  # noqa: BLE001
                    got = type(e).__name__
                if got != want:
                    mismatches.append((d, s, got, want))
        for d1 in ALL:  # 0-d tensor of dtype d with a 1-d tensor of d1, both orders
            t1, x1 = torch.ones(2, dtype=getattr(torch, d1)), lg.ones(2, dtype=getattr(lg, d1))
            for tt, xx in (((t0, t1), (x0, x1)), ((t1, t0), (x1, x0))):
                try:
                    want = dtype_name(op(*tt))
                except (RuntimeError, NotImplementedError, TypeError, ZeroDivisionError):
                    continue
                got = op(*xx).dtype.name
                if got != want:
                    mismatches.append(("0-d", d, d1, got, want))
    assert not mismatches


def test_pow_of_bool_tensor_promotes(backend):
    """bool ** 2 and square(bool) are int64 (pow(x, 2) must not become x * x before promotion)."""
    torch = pytest.importorskip("torch")
    a = np.array([True, False, True])
    assert_like_torch(lg.tensor(a) ** 2, torch_of(a) ** 2)
    assert_like_torch(lg.square(lg.tensor(a)), torch.square(torch_of(a)))
    assert_like_torch(lg.tensor(a) ** 1.5, torch_of(a) ** 1.5)


@pytest.mark.parametrize("exponent", [True, False])
def test_bool_tensor_pow_bool_scalar(backend, exponent):
    torch = pytest.importorskip("torch")
    a = np.array([True, False, True])
    assert_like_torch(lg.tensor(a) ** exponent, torch_of(a) ** exponent)
    assert_like_torch(lg.pow(lg.tensor(a), exponent), torch.pow(torch_of(a), exponent))


PAIRS = [("bool", "uint8"), ("uint8", "int8"), ("int8", "int64"), ("int16", "int32"), ("int32", "float16"),
         ("int64", "float32"), ("float16", "float64"), ("bool", "float16")]


@pytest.mark.parametrize("d1,d2", PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_mixed_dtype_values_vs_torch(backend, d1, d2):
    """Values of mixed-dtype ops (both operands cast to the promoted dtype), both orders."""
    torch = pytest.importorskip("torch")
    a, b = data(d1, (3, 4), 3), data(d2, (4,), 4)
    assert_like_torch(lg.tensor(a) + lg.tensor(b), torch_of(a) + torch_of(b))
    assert_like_torch(lg.tensor(b) * lg.tensor(a), torch_of(b) * torch_of(a))
    assert_like_torch(lg.tensor(a) / lg.tensor(b), torch_of(a) / torch_of(b))
    assert_like_torch(lg.tensor(a) < lg.tensor(b), torch_of(a) < torch_of(b))


SCALAR_VALUE_CASES = {
    "2+x": lambda x: 2 + x, "x*2.5": lambda x: x * 2.5, "2-x": lambda x: 2 - x, "2/x": lambda x: 2 / x,
    "2**x": lambda x: 2 ** x, "x**2": lambda x: x ** 2, "2.0**x": lambda x: 2.0 ** x, "x**0.5": lambda x: x ** 0.5,
    "7//x": lambda x: 7 // x, "-7%x": lambda x: -7 % x, "x>1": lambda x: x > 1, "2.5<=x": lambda x: 2.5 <= x,
}


@pytest.mark.parametrize("dtype", ["uint8", "int64", "float16", "float32"])
def test_scalar_operands_vs_torch(backend, dtype):
    """Python scalars on either side, each dtype: result dtype and values like torch."""
    torch = pytest.importorskip("torch")
    a = data(dtype, (3, 4), 5, nonzero=True, low=1, high=6)
    x, t = lg.tensor(a), torch_of(a)
    for name, f in SCALAR_VALUE_CASES.items():
        try:
            assert_like_torch(f(x), f(t))
        except AssertionError as e:
            raise AssertionError(f"{name}: {e}") from None


@pytest.mark.parametrize("dtype", ["int64", "float32", "float64", "complex64"])
def test_number_divided_by_a_tensor_rounds_as_torch(backend, dtype):
    """`3 / x` is torch's reciprocal(x) * 3, which rounds twice: bit for bit torch's values (a complex quotient
    too, compiled: Smith's method with torch's fused multiply-adds; the interpreter's NumPy rounds its own way)."""
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(1).uniform(0.1, 10, 4096)
    a = (a + 1j * a[::-1] if dtype == "complex64" else a).astype(dtype)
    for number in (3, 2.5, 7j):
        assert_like_torch(number / lg.tensor(a), number / torch_of(a), exact=backend == "c" or dtype != "complex64")


@pytest.mark.parametrize("dtype", ["bool", "int8", "int64"])
def test_bitwise_scalar_operands_vs_torch(backend, dtype):
    torch = pytest.importorskip("torch")
    a = data(dtype, (3, 4), 5)
    x, t = lg.tensor(a), torch_of(a)
    for f in (lambda v: v & 1, lambda v: v | True, lambda v: v ^ 1, lambda v: 1 & v, lambda v: True ^ v):
        assert_like_torch(f(x), f(t))
    assert_like_torch(lg.logical_and(x, x > 0), torch.logical_and(t, t > 0))


def test_reflected_shift(backend):
    torch = pytest.importorskip("torch")
    a = np.array([0, 1, 3], np.int64)
    assert_like_torch(2 << lg.tensor(a), 2 << torch_of(a))
    assert_like_torch(64 >> lg.tensor(a), 64 >> torch_of(a))


SHIFT_INPUT = np.array([1, -8, 100, -1], np.int64)


@pytest.mark.parametrize("shift", [-3, 63, 64, 70])
def test_left_shift_outside_bit_width(backend, shift):
    """torch defines shifts by negative or too-large amounts: << gives 0."""
    torch = pytest.importorskip("torch")
    assert_like_torch(lg.tensor(SHIFT_INPUT) << shift, torch_of(SHIFT_INPUT) << shift)


@pytest.mark.parametrize("shift", [-3, 63, 64, 70])
def test_right_shift_outside_bit_width(backend, shift):
    """torch defines shifts by negative or too-large amounts: >> gives the sign fill (0 or -1)."""
    torch = pytest.importorskip("torch")
    assert_like_torch(lg.tensor(SHIFT_INPUT) >> shift, torch_of(SHIFT_INPUT) >> shift)


# ---- broadcasting, 0-d and empty tensors, non-contiguous inputs ---------------------------------------

SHAPES = [((3, 4), (4,)), ((2, 1, 3), (4, 1)), ((), (5,)), ((5,), ()), ((1,), (2, 3)), ((0, 3), (3,)),
          ((0, 3), (1, 3))]


@pytest.mark.parametrize("sa,sb", SHAPES, ids=[f"{a}+{b}" for a, b in SHAPES])
def test_broadcast_shapes_vs_torch(backend, sa, sb):
    torch = pytest.importorskip("torch")
    a, b = data("float32", sa, 1), data("float32", sb, 2)
    x, y, ta, tb = lg.tensor(a), lg.tensor(b), torch_of(a), torch_of(b)
    assert lg.broadcast_shapes(sa, sb) == tuple(torch.broadcast_shapes(sa, sb))
    assert_like_torch(x + y, ta + tb)
    assert_like_torch(y < x, tb < ta)
    assert_like_torch(lg.where(x > 0, x, y), torch.where(ta > 0, ta, tb))


def test_zero_dim_with_one_dim_vs_torch(backend):
    """A 0-d tensor takes part in promotion only through its category (as a scalar would)."""
    torch = pytest.importorskip("torch")
    cases = [(np.array(2, np.int64), data("float16", (5,), 1)), (np.array(2.5, np.float64), data("int32", (5,), 1)),
             (np.array(3, np.int64), data("uint8", (5,), 1)), (np.array(True), data("int16", (5,), 1))]
    for a0, b in cases:
        assert_like_torch(lg.tensor(a0) + lg.tensor(b), torch_of(a0) + torch_of(b))
        assert_like_torch(lg.tensor(b) * lg.tensor(a0), torch_of(b) * torch_of(a0))


def test_non_contiguous_inputs_vs_torch(backend):
    """Transposed, stepped and expanded views as operands read the right elements."""
    torch = pytest.importorskip("torch")
    a, b = data("float32", (4, 6), 1), data("float32", (4,), 2)
    x, y, ta, tb = lg.tensor(a), lg.tensor(b), torch_of(a), torch_of(b)
    assert not x.t().is_contiguous()
    assert_like_torch(x.t() + y, ta.t() + tb)
    assert_like_torch(x[::2, 1:] * 2, ta[::2, 1:] * 2)
    assert_like_torch(x[::2, 1:] - x[1::2, :-1], ta[::2, 1:] - ta[1::2, :-1])
    assert_like_torch(y.expand(3, 4) * x[:3, :4], tb.expand(3, 4) * ta[:3, :4])
    assert_like_torch(x.t()[1:, ::2].exp(), ta.t()[1:, ::2].exp())
    assert_like_torch(x.view(2, 2, 6).permute(2, 0, 1) / 3, ta.view(2, 2, 6).permute(2, 0, 1) / 3)
    assert_like_torch(y[None, :, None].expand(2, 4, 3) < x.t()[:3].t()[None],
                      tb[None, :, None].expand(2, 4, 3) < ta.t()[:3].t()[None])
    assert_like_torch(lg.where(x.t() > 0, x.t(), y), torch.where(ta.t() > 0, ta.t(), tb))


def test_chained_ops_fuse_and_stay_correct(backend):
    """A longer elementwise expression (one fused kernel) against numpy in float32."""
    a, b = data("float32", (3, 4), 1), data("float32", (4,), 2, nonzero=True)
    x, y = lg.tensor(a), lg.tensor(b)
    out = ((x * 2 - y) / (y * y + 1)).exp() + lg.maximum(x, y).abs().sqrt()
    expected = np.exp((a * np.float32(2) - b) / (b * b + np.float32(1))) + np.sqrt(np.abs(np.maximum(a, b)))
    assert_like_numpy(out, expected.astype(np.float32), rtol=1e-5)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13])
def test_a_round_trip_through_float32_rounds_in_small_kernels(backend, n):
    """x.float().double() keeps float32's digits also where a kernel's few values are computed in straight-line
    code (gcc 12 vectorized that into a copy: see codegen/compile_c.py)."""
    values = np.linspace(0.1, 200.2, n)
    x = lg.tensor(values)
    np.testing.assert_array_equal(x.float().double().numpy(), values.astype(np.float32).astype(np.float64))
    fused = (lg.linspace(0, 1, n, dtype=lg.float64) * 1.5).exp().float().double()
    np.testing.assert_array_equal(fused.numpy(), np.exp(np.linspace(0, 1, n) * 1.5).astype(np.float32))


@pytest.mark.parametrize("name,domain", [("atanh", (-1, 1)), ("asinh", (-50, 50)), ("acosh", (1, 60))])
def test_inverse_hyperbolic_functions_are_accurate_over_their_domains(backend, name, domain):
    """float32 results within 3 ulps of float64 ones, also next to atanh's poles (its log1p of a quotient near -1
    once lost 96 ulps at x = -0.998)."""
    rng = np.random.default_rng(0)
    low, high = domain
    x = np.concatenate([rng.uniform(low, high, 20000), high - rng.uniform(0, 1e-3, 2000) * (high - low),
                        low + rng.uniform(0, 1e-3, 2000) * (high - low)]).astype(np.float32)
    got = getattr(lg, name)(lg.tensor(x)).numpy()
    want = getattr(np, "arc" + name[1:])(x.astype(np.float64)).astype(np.float32)
    assert got.dtype == np.float32
    ulps = np.abs(got.view(np.int32).astype(np.int64) - want.view(np.int32).astype(np.int64))
    assert ulps[np.isfinite(want)].max() <= 3


# ---- values against numpy (runs without torch) ---------------------------------------------------------

def test_arithmetic_vs_numpy(backend):
    a, b = data("float32", (3, 4), 1), data("float32", (4,), 2, nonzero=True)
    x, y = lg.tensor(a), lg.tensor(b)
    assert_like_numpy(x + y, a + b)
    assert_like_numpy(x - y, a - b)
    assert_like_numpy(x * y, a * b)
    assert_like_numpy(x / y, a / b)
    assert_like_numpy(-x, -a)
    assert_like_numpy(abs(x), np.abs(a))
    assert_like_numpy(lg.maximum(x, y), np.maximum(a, b))
    assert_like_numpy(lg.minimum(x, y), np.minimum(a, b))
    assert_like_numpy(x < y, a < b)
    assert_like_numpy(x == x, a == a)
    assert_like_numpy(x.exp(), np.exp(a), rtol=1e-6)
    assert_like_numpy(x.tanh(), np.tanh(a), rtol=1e-6)


def test_integer_floor_semantics_vs_numpy(backend):
    """torch's floor_divide and remainder follow the divisor's sign, like numpy's // and %."""
    a = np.array([[7, -7, 7, -7, 0, 5]], np.int64)
    b = np.array([2, 2, -2, -2, 3, -5], np.int64)
    x, y = lg.tensor(a), lg.tensor(b)
    assert_like_numpy(x // y, a // b)
    assert_like_numpy(x % y, a % b)
    assert_like_numpy(lg.fmod(x, y), np.fmod(a, b))
    assert_like_numpy(lg.div(x, y, rounding_mode="trunc"), np.trunc(a / b).astype(np.int64))
    assert_like_numpy(x / y, (a / b).astype(np.float32))
    af, bf = a.astype(np.float32) + np.float32(0.5), b.astype(np.float32)
    assert_like_numpy(lg.tensor(af) // lg.tensor(bf), np.floor_divide(af, bf))
    assert_like_numpy(lg.tensor(af) % lg.tensor(bf), np.mod(af, bf))
    assert_like_numpy(lg.fmod(lg.tensor(af), lg.tensor(bf)), np.fmod(af, bf))


@pytest.mark.parametrize("divide", [lambda a, b: a // b, lambda a, b: a % b, lambda a, b: lg.fmod(a, b),
                                    lambda a, b: lg.div(a, b, rounding_mode="trunc"),
                                    lambda a, b: lg.floor_divide(a, b, out=lg.empty(3, dtype=lg.int8)),
                                    lambda a, b: 7 // b])
def test_integer_division_by_a_lazy_zero_raises_when_computed(divide):
    """torch raises ZeroDivisionError for an integer divisor holding 0; a lazy divisor is checked when the
    quotient is computed (at every try), a divisor without 0 gives the quotient, and a float division gives inf
    or nan as torch's."""
    a = lg.tensor([7, -7, 9], dtype=lg.int8)
    zero_inside = lg.tensor([1, 3, 2], dtype=lg.int8) - 2  # -1, 1, 0
    quotient = divide(a, zero_inside)
    for _ in range(2):
        with pytest.raises(RuntimeError, match="^ZeroDivisionError$"):
            quotient.numpy()
    assert zero_inside.tolist() == [-1, 1, 0]
    nonzero = lg.tensor([1, 3, 4], dtype=lg.int8) - 2  # -1, 1, 2
    want = divide(a, lg.tensor([-1, 1, 2], dtype=lg.int8).realize())
    np.testing.assert_array_equal(divide(a, nonzero).numpy(), want.numpy())
    assert np.isinf(lg.floor_divide(a.float(), zero_inside).numpy()[2])


def test_in_place_integer_division_by_a_lazy_zero_leaves_its_target():
    x = lg.tensor([4, 5, 6])
    with pytest.raises(RuntimeError, match="^ZeroDivisionError$"):
        x //= lg.tensor([1, 2, 3]) - 2
    assert x.tolist() == [4, 5, 6]


def test_integer_wraparound_vs_numpy(backend):
    """Integer overflow wraps (as in torch) rather than saturating or promoting."""
    a = np.array([120, -120, 100], np.int8)
    assert_like_numpy(lg.tensor(a) + lg.tensor(a), (a + a).astype(np.int8))
    u = np.array([250, 3, 0], np.uint8)
    assert_like_numpy(lg.tensor(u) + 10, (u + np.uint8(10)).astype(np.uint8))
    assert_like_numpy(lg.tensor(u) - lg.tensor(u[::-1].copy()), (u - u[::-1]).astype(np.uint8))


def test_round_half_to_even_and_clamp_vs_numpy(backend):
    a = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, 3.7], np.float32)
    x = lg.tensor(a)
    assert_like_numpy(x.round(), np.round(a))
    assert_like_numpy(lg.round(x, decimals=1), np.round(a, 1), rtol=1e-6)
    assert_like_numpy(x.clamp(-1, 2), np.clip(a, -1, 2))
    assert_like_numpy(x.clamp(min=0), np.clip(a, 0, None))
    assert_like_numpy(x.clamp(max=0.25), np.clip(a, None, 0.25))
    assert_like_numpy(lg.where(x > 0, x, 0.0), np.where(a > 0, a, np.float32(0)))


# ---- unary ops ------------------------------------------------------------------------------------

SPECIAL = [np.nan, np.inf, -np.inf, -0.0, 0.0, 0.5, -0.5, 1.0, -1.0, 1.5, 2.5, -2.5, 0.3, -0.7, 3.7, -3.7,
           0.01, -0.001, 7.0, -9.5, 12.25, -15.0, 20.0, 1e-3]

FLOAT_FUNCS = ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "sin", "cos", "tan", "asin",
               "acos", "atan", "sinh", "cosh", "tanh", "erf", "sigmoid", "rsqrt", "reciprocal"]
KEEP_DTYPE = ["abs", "neg", "sign", "square", "floor", "ceil", "round", "trunc", "relu"]
PREDICATES = ["isnan", "isinf", "isfinite", "isposinf", "isneginf"]

UNARY_CASES = ([(n, d) for n in FLOAT_FUNCS for d in FLOATS]
               + [(n, "int64") for n in ("exp", "log", "sqrt", "sin", "tanh", "sigmoid", "reciprocal")]
               + [(n, d) for n in KEEP_DTYPE for d in ["float16", "float32", "uint8", "int64"]]
               + [(n, d) for n in PREDICATES for d in ["float16", "float64", "int64"]]
               + [("logical_not", d) for d in ["bool", "uint8", "int32", "float32"]]
               + [("bitwise_not", d) for d in BOOL + SOME_INTS]
               + [("nan_to_num", d) for d in FLOATS])


def unary_input(dtype: str) -> np.ndarray:
    if dtype in FLOATS:
        return np.array(SPECIAL, dtype=dtype)
    return data(dtype, (24,), 11)


@pytest.mark.parametrize("name,dtype", UNARY_CASES, ids=[f"{n}-{d}" for n, d in UNARY_CASES])
def test_unary_vs_torch(backend, name, dtype):
    """Every unary op as a function and a method; floats include nan, +-inf and -0.0. Integer inputs of
    float functions give the default float dtype, as in torch."""
    torch = pytest.importorskip("torch")
    a = unary_input(dtype)
    t, x = torch_of(a), lg.tensor(a)
    expected = getattr(torch, name)(t)
    assert_like_torch(getattr(lg, name)(x), expected)
    if hasattr(torch.Tensor, name):
        assert_like_torch(getattr(x, name)(), getattr(t, name)())


@pytest.mark.parametrize("dtype", ALL)
def test_unary_operators_vs_torch(backend, dtype):
    """-x, abs(x), ~x and +x where torch defines them."""
    torch = pytest.importorskip("torch")
    a = unary_input(dtype)
    t, x = torch_of(a), lg.tensor(a)
    if dtype != "bool":
        assert_like_torch(-x, -t)
        assert_like_torch(abs(x), abs(t))
    if dtype not in FLOATS:
        assert_like_torch(~x, ~t)
    if dtype == "bool":
        with pytest.raises(RuntimeError, match="operator, on a bool tensor is not supported"):
            +t
        with pytest.raises(RuntimeError, match="operator, on a bool tensor is not supported"):
            +x
    else:
        assert (+x) is x


def test_unary_aliases_vs_torch(backend):
    torch = pytest.importorskip("torch")
    a = np.clip(np.array(SPECIAL, np.float32), -1, 1)
    t, x = torch_of(a), lg.tensor(a)
    for name in ["arcsin", "arccos", "arctan", "absolute", "negative", "fix"]:
        assert_like_torch(getattr(lg, name)(x), getattr(torch, name)(t))
    for name in ["arcsin", "arccos", "arctan", "absolute", "negative"]:
        assert_like_torch(getattr(x, name)(), getattr(t, name)())


@pytest.mark.parametrize("dtype", FLOATS)
def test_parametrized_unary_vs_torch(backend, dtype):
    """clamp / clamp_min / clamp_max / round(decimals) / nan_to_num with arguments / lerp."""
    torch = pytest.importorskip("torch")
    a = np.array(SPECIAL, dtype=dtype)
    t, x = torch_of(a), lg.tensor(a)
    assert_like_torch(x.clamp(-2, 3), t.clamp(-2, 3))
    assert_like_torch(lg.clamp(x, min=-1.5), torch.clamp(t, min=-1.5))
    assert_like_torch(x.clamp_min(0.5), t.clamp_min(0.5))
    assert_like_torch(x.clamp_max(0.5), t.clamp_max(0.5))
    assert_like_torch(lg.round(x, decimals=1), torch.round(t, decimals=1))
    assert_like_torch(lg.nan_to_num(x, nan=1.0, posinf=2.0, neginf=-2.0),
                      torch.nan_to_num(t, nan=1.0, posinf=2.0, neginf=-2.0))


@pytest.mark.parametrize("dtype", FLOATS)
def test_lerp_vs_torch(backend, dtype):
    """float16 included: lerp(-0.7, 2.5, 0.25) must round once (0.09985), not after each op (0.0996)."""
    torch = pytest.importorskip("torch")
    finite = SPECIAL[3:]  # torch's lerp formula differs for infinite endpoints
    a = np.array(finite + [-0.7], dtype=dtype)
    b = np.array(finite[::-1] + [2.5], dtype=dtype)
    assert_like_torch(lg.lerp(lg.tensor(a), lg.tensor(b), 0.25), torch.lerp(torch_of(a), torch_of(b), 0.25))
    assert_like_torch(lg.tensor(a).lerp(lg.tensor(b), 0.75), torch_of(a).lerp(torch_of(b), 0.75))


def test_lerp_of_complex_tensors_by_a_complex_weight_vs_torch():
    """The side of the formula is chosen by the weight's magnitude."""
    torch = pytest.importorskip("torch")
    a, b = np.array([1 + 1j, 2 - 1j], np.complex64), np.array([3 + 0j, -1 + 2j], np.complex64)
    for weight in (0.3 + 0.4j, 0.6j, 0.2):
        assert_like_torch(lg.lerp(lg.tensor(a), lg.tensor(b), weight), torch.lerp(torch_of(a), torch_of(b), weight))


def test_lerp_by_a_zero_dim_weight_of_another_dtype_vs_torch():
    torch = pytest.importorskip("torch")
    a, b = np.array([1.0, -2.0], np.float16), np.array([0.5, 4.0], np.float16)
    for weight in (np.array(0.25), np.array(3)):
        assert_like_torch(lg.lerp(lg.tensor(a), lg.tensor(b), lg.tensor(weight)),
                          torch.lerp(torch_of(a), torch_of(b), torch_of(weight)))


@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_integer_clamp_and_relu_vs_torch(backend, dtype):
    torch = pytest.importorskip("torch")
    a = data(dtype, (3, 4), 9)
    t, x = torch_of(a), lg.tensor(a)
    assert_like_torch(x.clamp(-2, 3), t.clamp(-2, 3))
    assert_like_torch(x.clamp(-2.5, 3.5), t.clamp(-2.5, 3.5))
    assert_like_torch(x.relu(), t.relu())
    assert_like_torch(lg.relu(x), torch.relu(t))


# ---- casts --------------------------------------------------------------------------------------------

CASTS = ["bool", "byte", "char", "short", "int", "long", "half", "float", "double"]


@pytest.mark.parametrize("src", ["bool", "int64", "float32"])
def test_casts_vs_torch(backend, src):
    """Casting methods and .to(dtype); float->int truncates toward zero, nonzero->True."""
    torch = pytest.importorskip("torch")
    a = data(src, (3, 4), 4)
    if src in FLOATS:
        a = np.clip(a, -100, 100)  # float -> int of out-of-range values is undefined in torch too
    t, x = torch_of(a), lg.tensor(a)
    for m in CASTS:
        if m == "byte" and src in FLOATS:
            continue  # negative float -> uint8 is undefined behaviour in torch
        assert_like_torch(getattr(x, m)(), getattr(t, m)())
    assert_like_torch(x.to(lg.float64), t.to(torch.float64))
    assert x.to(x.dtype) is x


# ---- special values --------------------------------------------------------------------------------

SPECIAL_PAIR = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1.0, -1.0, 2.5, -2.5, 1e-30, 0.5, 3.0], np.float32)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "floor_divide", "remainder", "atan2", "maximum",
                                  "minimum", "eq", "lt", "ge"])
def test_special_value_pairs_vs_torch(backend, name):
    """Every pair of special values (nan, +-inf, +-0, tiny, ...) through each binary op."""
    torch = pytest.importorskip("torch")
    a = np.repeat(SPECIAL_PAIR, len(SPECIAL_PAIR)).reshape(12, 12)
    b = a.T.copy()
    assert_like_torch(getattr(lg, name)(lg.tensor(a), lg.tensor(b)), getattr(torch, name)(torch_of(a), torch_of(b)))


def test_pow_special_values_vs_torch(backend):
    torch = pytest.importorskip("torch")
    a = np.repeat(SPECIAL_PAIR, len(SPECIAL_PAIR)).reshape(12, 12)
    b = a.T.copy()
    assert_like_torch(lg.tensor(a) ** lg.tensor(b), torch_of(a) ** torch_of(b))
    for e in (2, 3, -1, 0, 1.5, 2.0):
        assert_like_torch(lg.tensor(SPECIAL_PAIR) ** e, torch_of(SPECIAL_PAIR) ** e)


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128", "bfloat16", "float16"])
def test_integer_exponents_are_torchs_products_and_reciprocals(dtype, backend):
    """x ** 3, x ** -1 and x ** -2 as torch computes them (x*x*x, 1/x, 1/(x*x); float16 by one float32 pow):
    the same bits for real numbers, where exp(3 log x) would differ in the last place; complex products round
    as torch's vector code does only to the last bit (and complex ** -1 is a value, not the integers' error)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    a = rng.standard_normal(64) * 3 + (1j * rng.standard_normal(64) if dtype.startswith("complex") else 0)
    t, x = torch.tensor(a).to(getattr(torch, dtype)), lg.tensor(a).to(getattr(lg, dtype))
    wide = "complex128" if dtype.startswith("complex") else "float64"
    for e in (3, -1, -2):
        want, got = (t ** e).to(getattr(torch, wide)).numpy(), (x ** e).to(getattr(lg, wide)).numpy()
        if dtype.startswith("complex"):
            np.testing.assert_allclose(got, want, rtol=4 * np.finfo(getattr(np, dtype)).eps, err_msg=f"x ** {e}")
        else:
            np.testing.assert_array_equal(got, want, err_msg=f"x ** {e}")


def test_pow_half_is_sqrt_like_torch(backend):
    """torch computes x ** 0.5 as sqrt and x ** -0.5 as rsqrt: (-inf) ** 0.5 is nan, (-0.0) ** -0.5 is -inf."""
    torch = pytest.importorskip("torch")
    a = np.array([-np.inf, -0.0, 4.0, np.inf], np.float32)
    assert_like_torch(lg.tensor(a) ** 0.5, torch_of(a) ** 0.5)
    assert_like_torch(lg.tensor(a) ** -0.5, torch_of(a) ** -0.5)


@pytest.mark.xfail(strict=True, reason="float16 x ** 0.5 / x ** -0.5 are computed as sqrt/rsqrt: (-inf) ** 0.5 is nan "
                                       "and (-0.0) ** -0.5 is -inf; torch's float16 pow gives inf and inf")
def test_pow_half_float16_special_values(backend):
    torch = pytest.importorskip("torch")
    a = np.array([-np.inf, -0.0, 4.0, np.inf], np.float16)
    assert_like_torch(lg.tensor(a) ** 0.5, torch_of(a) ** 0.5)
    assert_like_torch(lg.tensor(a) ** -0.5, torch_of(a) ** -0.5)


def test_div_trunc_uint8_by_negative_scalar(backend):
    torch = pytest.importorskip("torch")
    a = np.array([5, 250], np.uint8)
    assert_like_torch(lg.div(lg.tensor(a), -3, rounding_mode="trunc"), torch.div(torch_of(a), -3, rounding_mode="trunc"))


SIGNED_ZERO_CASES = {
    "relu": (lambda m, x: m.relu(x), np.array([-0.0, 0.0, 1.0], np.float32)),
    "remainder": (lambda m, x: m.remainder(x, 3.0), np.array([-0.0, 0.0, -3.0], np.float32)),
    "neg": (lambda m, x: -x, np.array([0.0, -0.0], np.float32)),
    "mul": (lambda m, x: x * -1.0, np.array([0.0, -0.0], np.float32)),
    "floor": (lambda m, x: m.floor(x), np.array([-0.0, -0.5], np.float32)),
    "trunc": (lambda m, x: m.trunc(x), np.array([-0.0, -0.5], np.float32)),
    "round": (lambda m, x: m.round(x), np.array([-0.0, -0.4], np.float32)),
    "clamp": (lambda m, x: x.clamp(-1, 1), np.array([-0.0, 0.0], np.float32)),
    "sign": (lambda m, x: m.sign(x), np.array([-0.0, 0.0], np.float32)),
    "atan2": (lambda m, x: m.atan2(x, x.abs() + 1), np.array([-0.0, 0.0], np.float32)),
}
SIGNED_ZERO_BUGS = {
    ("remainder", "numpy"): "numpy back end: remainder(-0.0, 3.0) is +0.0 (c back end and torch: -0.0)",
}


@pytest.mark.parametrize("name", list(SIGNED_ZERO_CASES))
def test_signed_zeros_vs_torch(backend, name, request):
    """The sign of zero results is torch's (assert_close does not look at it). maximum/minimum are left out:
    torch's own sign for maximum(-0.0, 0.0) depends on its vectorized or scalar path."""
    torch = pytest.importorskip("torch")
    xfail_if(request, (name, backend) in SIGNED_ZERO_BUGS, SIGNED_ZERO_BUGS.get((name, backend), ""))
    f, a = SIGNED_ZERO_CASES[name]
    got, want = f(lg, lg.tensor(a)), f(torch, torch_of(a))
    assert_like_torch(got, want)
    np.testing.assert_array_equal(np.signbit(got.numpy()), np.signbit(want.numpy()))


def test_fmod_large_divisor(backend):
    """fmod(-1.0, inf) and fmod(-1.0, 3e38) are -1.0 (C fmod), not nan / 0.0."""
    torch = pytest.importorskip("torch")
    a = np.array([1.0, -1.0, -2.5, 2.5], np.float32)
    b = np.array([np.inf, np.inf, 3e38, -np.inf], np.float32)
    assert_like_torch(lg.fmod(lg.tensor(a), lg.tensor(b)), torch.fmod(torch_of(a), torch_of(b)))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_fmod_small_dividend_is_exact(backend, dtype):
    """fmod(1e-6, -5.0) is 1e-6 exactly (computing it as remainder minus the divisor cancels)."""
    torch = pytest.importorskip("torch")
    a = np.array([1e-3, -1e-3, 1e-6 if dtype != "float16" else 1e-4], dtype=dtype)
    b = np.array([-5.0, 5.0, -7.0], dtype=dtype)
    if dtype == "float64":
        a[2], b[2] = 1e-17, -3.0
    # fmod is exact in IEEE arithmetic, so compare exactly (the default atol would hide 1e-6 being 9.5e-7)
    assert_like_torch(lg.fmod(lg.tensor(a), lg.tensor(b)), torch.fmod(torch_of(a), torch_of(b)), exact=True)


def test_float_power_is_double(backend):
    """float_power computes and returns float64 whatever the input dtype."""
    torch = pytest.importorskip("torch")
    a, i = data("float32", (3, 4), 1), data("int32", (3, 4), 2, low=0, high=5)
    assert_like_torch(lg.float_power(lg.tensor(a), 2), torch.float_power(torch_of(a), 2))
    assert_like_torch(lg.float_power(lg.tensor(i), 3), torch.float_power(torch_of(i), 3))
    assert_like_torch(lg.tensor(a).float_power(lg.tensor(a)) if hasattr(lg.Tensor, "float_power")
                      else lg.float_power(lg.tensor(a), lg.tensor(a)), torch.float_power(torch_of(a), torch_of(a)))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int32", "int8", "uint8", "bool"])
def test_signbit_reads_the_sign_bit_of_zeros_and_nans(backend, dtype):
    """-0.0 and a NaN whose sign bit is set (what 0/0 gives on x86) count as negative, as in torch."""
    torch = torch_or_skip()
    floats = np.array([1.5, -1.5, 0.0, -0.0, np.nan, -np.nan, np.inf, -np.inf], np.float32)
    sign = 1 if dtype in ("uint8", "bool") else -1
    values = floats if "float" in dtype else np.array([3, 0, 1, 0, 2, 1, 7, 0]) * sign
    got = lg.signbit(lg.tensor(values).to(getattr(lg, dtype)))
    want = torch.signbit(torch.tensor(values).to(getattr(torch, dtype)))
    assert got.dtype is lg.bool and got.tolist() == want.tolist()
    assert lg.signbit(lg.zeros(2) / 0).tolist() == torch.signbit(torch.zeros(2) / 0).tolist()


@pytest.mark.parametrize("x", [1e4, 1e6, 1e7, 1e9, 1e15, 3e38])
def test_trig_of_large_float32_arguments(backend, x):
    """Every float's reduction keeps its digits (from 2^19 up the C back end takes 2/pi's bits from a table)."""
    torch = pytest.importorskip("torch")
    a = np.array([x, -x, x / 3], np.float32)
    for name in ("sin", "cos", "tan"):
        assert_like_torch(getattr(lg, name)(lg.tensor(a)), getattr(torch, name)(torch_of(a)), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_hypot_of_floats_is_rounded_once_as_torch(backend, dtype):
    """float32 (and narrower) hypot in double, where the squares are exact and nothing overflows, rounded once:
    torch's bits (the scaled formula in float was up to 2 ulps off), infinities and NaN included."""
    torch = torch_or_skip()
    rng = np.random.default_rng(7)
    a, b = (rng.standard_normal(20000) * 10.0 ** rng.integers(-3, 4, 20000) for _ in range(2))
    special = np.array([0, -0.0, np.inf, -np.inf, np.nan, 3e38, 1e-45])
    a, b = np.concatenate([a, np.repeat(special, 7)]), np.concatenate([b, np.tile(special, 7)])
    got = lg.hypot(lg.tensor(a).to(getattr(lg, dtype)), lg.tensor(b).to(getattr(lg, dtype)))
    want = torch.hypot(torch.tensor(a).to(getattr(torch, dtype)), torch.tensor(b).to(getattr(torch, dtype)))
    np.testing.assert_array_equal(got.double().numpy(), want.double().numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["div", "atan2", "asin", "acos", "atan"])
def test_gradients_round_in_torchs_order(name, dtype):
    """Derivative formulas in torch's order of operations (div's -g * ((x / y) / y), atan2's through the
    reciprocal of x^2 + y^2, asin's rsqrt(1 - x^2)...): the same bits (a rearranged formula differed in about
    half the elements)."""
    torch = torch_or_skip()
    rng = np.random.default_rng(9)
    a, b = (rng.standard_normal(5000) * 2 for _ in range(2))
    fn = {"div": lambda m, x, y: x / (y.abs() + 0.1), "atan2": lambda m, x, y: m.atan2(x, y),
          "asin": lambda m, x, y: m.asin(x / 10) * y, "acos": lambda m, x, y: m.acos(x / 10) * y,
          "atan": lambda m, x, y: m.atan(x) * y}[name]
    grads = []
    for m in (lg, torch):
        x, y = (m.tensor(v).to(getattr(m, dtype)).requires_grad_() for v in (a, b))
        fn(m, x, y).backward(m.tensor(b).to(getattr(m, dtype)))
        grads.append([x.grad.numpy(), y.grad.numpy()])
    for got, want in zip(*grads) if name in ("div", "atan2") else [(grads[0][0], grads[1][0])]:  # (y's: f's value)
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_add_and_sub_with_alpha_fuse_their_multiply_add_as_torch(backend, dtype):
    """torch's add kernel computes input + alpha * other as one multiply-add (sub adds -alpha): the same bits,
    where float64 rounded the product first in a fifth of the elements."""
    torch = torch_or_skip()
    rng = np.random.default_rng(9)
    a, b = (rng.standard_normal(20000) * 3 for _ in range(2))
    for fn in (lambda m, x, y: m.add(x, y, alpha=0.3), lambda m, x, y: m.sub(x, y, alpha=0.3),
               lambda m, x, y: x.add(y[:1], alpha=-1.7), lambda m, x, y: x.clone().sub_(y, alpha=2.5),
               lambda m, x, y: x.add(2.5, alpha=-1.7)):
        got = fn(lg, lg.tensor(a).to(getattr(lg, dtype)), lg.tensor(b).to(getattr(lg, dtype)))
        want = fn(torch, torch.tensor(a).to(getattr(torch, dtype)), torch.tensor(b).to(getattr(torch, dtype)))
        np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("case", [
    lambda m: m.add(m.ones(2), m.ones(2), alpha=1j), lambda m: m.add(m.ones(2, dtype=m.int64), 1, alpha=1.0),
    lambda m: m.sub(m.ones(2, dtype=m.int64), m.ones(2, dtype=m.int64), alpha=True),
    lambda m: m.ones(2).add_(m.ones(2), alpha=False)])
def test_alpha_a_result_cannot_take_is_refused_as_torch(case):
    raises_like_torch(case, RuntimeError)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_lerp_and_addcmul_fuse_their_multiply_add_as_torch(backend, dtype):
    """torch's vectorized lerp (either side of its formula) and addcmul round a * b + c once (an FMA): the same
    bits, where a product rounded first differed in a quarter of the elements."""
    torch = torch_or_skip()
    rng = np.random.default_rng(9)
    a, b = (rng.standard_normal(20000).astype(np.float32) * 3 for _ in range(2))
    w = torch.sigmoid(torch.tensor(b)).numpy()
    ours = [lg.tensor(v).to(getattr(lg, dtype)) for v in (a, b, w)]
    theirs = [torch.tensor(v).to(getattr(torch, dtype)) for v in (a, b, w)]
    for fn in (lambda m, x, y, t: m.lerp(x, y, 0.3), lambda m, x, y, t: m.lerp(x, y, 0.7),
               lambda m, x, y, t: m.lerp(x, y, t), lambda m, x, y, t: m.addcmul(x, y, t),
               lambda m, x, y, t: m.addcmul(x, x, y, value=0.3), lambda m, x, y, t: x.clone().lerp_(y, 0.3)):
        np.testing.assert_array_equal(fn(lg, *ours).double().numpy(), fn(torch, *theirs).double().numpy())


@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_addcmul_addcdiv_values_and_gradients_vs_torch(backend, name, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    a, b, c = (rng.uniform(0.5, 2, s).astype(dtype) for s in ((2, 3), (3,), (2, 1)))
    ins = [lg.tensor(x, requires_grad=True) for x in (a, b, c)]
    tins = [torch.tensor(x, requires_grad=True) for x in (a, b, c)]
    out, tout = getattr(lg, name)(*ins, value=-0.5), getattr(torch, name)(*tins, value=-0.5)
    assert type(out.grad_fn).__name__ == type(tout.grad_fn).__name__
    assert_like_torch(out.detach(), tout.detach(), rtol=1e-6, atol=1e-7)
    out.sum().backward()
    tout.sum().backward()
    for g, tg in zip(ins, tins):
        assert_like_torch(g.grad, tg.grad, rtol=1e-5, atol=1e-7)


ADDC_DTYPES = [("int64", "int64", 2.5), ("int32", "bool", -2.5), ("bool", "int16", 3), ("float16", "int64", 1 / 3),
               ("int64", "float32", 2), ("complex64", "float32", 1j), ("float32", "float64", True)]


@pytest.mark.parametrize("input_dtype, other_dtype, value", ADDC_DTYPES)
def test_addcmul_casts_its_value_to_the_tensors_dtype(input_dtype, other_dtype, value):
    """The value does not take part in the promotion: torch casts it (toward zero for integers)."""
    torch = pytest.importorskip("torch")
    x, y = np.array([3, 1, -2]), np.array([2, 0, 5])
    got = lg.addcmul(*(lg.tensor(v).to(getattr(lg, d)) for v, d in ((x, input_dtype), (y, other_dtype), (x, other_dtype))), value=value)
    want = torch.addcmul(*(torch.tensor(v).to(getattr(torch, d)) for v, d in ((x, input_dtype), (y, other_dtype), (x, other_dtype))), value=value)
    assert_like_torch(got, want, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("call", [
    lambda m: m.addcmul(m.ones(2, dtype=m.int64), m.ones(2), m.ones(2), value=1j),
    lambda m: m.addcdiv(m.ones(2, dtype=m.float16), m.ones(2, dtype=m.float16), m.ones(2, dtype=m.float16), value=1j),
    lambda m: m.addcmul(m.ones(2, dtype=m.int32), m.ones(2, dtype=m.int32), m.ones(2, dtype=m.int32), value=1e10),
    lambda m: m.addcmul(m.ones(2, dtype=m.bool), m.ones(2, dtype=m.bool), m.ones(2, dtype=m.bool)),
])
def test_addcmul_values_torch_refuses(call):
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as want:
        call(torch)
    with pytest.raises(type(want.value), match=f"^{re.escape(str(want.value))}$"):
        call(lg)


def test_adam_style_updates_match_torch():
    """An optimizer's in-place moment updates and step, under no_grad, for a few hundred steps."""
    torch = pytest.importorskip("torch")
    g = np.random.default_rng(6).standard_normal(50).astype(np.float32)
    results = []
    for m in (lg, torch):
        p, grad, avg, sq = m.ones(50), m.tensor(g), m.zeros(50), m.zeros(50)
        with m.no_grad():
            for _ in range(300):
                avg.mul_(0.9).add_(grad, alpha=0.1)
                sq.mul_(0.999).addcmul_(grad, grad, value=0.001)
                p.addcdiv_(avg, sq.sqrt().add_(1e-8), value=-0.01)
        results.append(np.array(p.tolist()))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_sigmoid_and_angle_are_torchs(dtype):
    """sigmoid computed in float32 and rounded once; angle keeps the dtype."""
    torch = pytest.importorskip("torch")
    a = np.linspace(-12, 12, 97)
    x, t = lg.tensor(a).to(getattr(lg, dtype)), torch.tensor(a).to(getattr(torch, dtype))
    for fn in (lambda v: v.sigmoid(), lambda v: (-v).angle()):
        got, want = fn(x), fn(t)
        assert got.dtype.name == dtype
        assert_like_torch(got.float(), want.float(), exact=True)



def test_signed_zero_ties_are_torchs(backend):
    """Equal values give torch's choice: maximum/minimum/fmax/fmin keep their first operand, clamp and hardtanh keep
    the value at a bound (relu6(-0.0) is -0.0), a max or min reduction keeps the first of equal extremes, cummax and
    cummin the last (their values are the elements at the index they return)."""
    z, nz = lg.tensor([0.0, -0.0]), lg.tensor([-0.0, 0.0])
    for fn in (lg.maximum, lg.minimum, lg.fmax, lg.fmin):
        np.testing.assert_array_equal(np.signbit(fn(z, nz).numpy()), [False, True])
    negative = [lg.tensor([-0.0]).clamp(min=0.0), lg.tensor([-0.0]).clamp(0.0, 1.0), lg.nn.functional.relu6(-z),
                lg.nn.functional.hardtanh(lg.tensor([-0.0]), -0.0, 1.0), lg.tensor([[0.0, -0.0], [-0.0, 0.0]]).amax(0)]
    assert [np.signbit(t.numpy()).tolist() for t in negative] == [[True], [True], [True, False], [True], [False, True]]
    assert not np.signbit(lg.tensor([0.0]).clamp(max=-0.0).item())
    rows = lg.tensor([[0.0, -0.0, 0.0, -0.0], [-0.0, 0.0, -0.0, 0.0]])
    for values in (rows.max(1).values, rows.min(1).values, rows.amax(1), rows.amin(1)):
        np.testing.assert_array_equal(np.signbit(values.numpy()), [False, True])
    run = lg.tensor([0.0, -0.0, 0.0, -1.0, -0.0])
    np.testing.assert_array_equal(np.signbit(lg.cummax(run, 0).values.numpy()), [False, True, False, False, True])
    np.testing.assert_array_equal(np.signbit(lg.cummin(-run, 0).values.numpy()), [True, False, True, True, False])
    x = lg.tensor([-0.0, 0.5, 6.0, float("nan")], requires_grad=True)
    lg.nn.functional.relu6(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 0.0, 1.0])


def test_add_with_alpha_rounds_as_torchs_fused_kernel(backend):
    """add/sub with alpha: a number is multiplied in the op's dtype (-1 * 0 is -0.0), and float32 rounds once, as
    torch's multiply-add does: 0.1 - 3 * 0.1 is the float nearest -0.2, not the two-rounding -0.20000002."""
    assert np.signbit(lg.add(lg.tensor(-0.0), 0, alpha=-1).item())
    assert not np.signbit(lg.sub(lg.tensor(-0.0), 0, alpha=-1).item())
    x = lg.tensor([0.1, 1e-3] * 8)
    for got in (lg.sub(x, 0.1, alpha=3), lg.sub(x, lg.full_like(x, 0.1), alpha=3), lg.add(x, 0.1, alpha=-3)):
        np.testing.assert_array_equal(got.numpy()[:2], np.float32([-0.2, -0.299]))
    w = np.random.default_rng(0).standard_normal(1000).astype(np.float32)
    g = np.random.default_rng(1).standard_normal(1000).astype(np.float32)
    fused = (w.astype(np.float64) + np.float64(np.float32(-0.01)) * g).astype(np.float32)
    np.testing.assert_array_equal(lg.tensor(w).add(lg.tensor(g), alpha=-0.01).numpy(), fused)
    wide = lg.sub(lg.tensor([1.0], dtype=lg.float64), lg.tensor([-3e38]), alpha=2)  # (2 * other in float64)
    assert wide.item() == 1.0 + 2 * float(np.float32(3e38))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_nextafter_of_equal_arguments_is_the_second(backend, dtype):
    dt = getattr(lg, dtype)
    got = lg.nextafter(lg.tensor([0.0, -0.0], dtype=dt), lg.tensor([-0.0, 0.0], dtype=dt))
    np.testing.assert_array_equal(np.signbit(got.float().numpy()), [True, False])


def test_only_a_second_operand_number_keeps_full_precision_beside_half_floats(backend):
    """torch reads a number (or 0-d tensor of another dtype) at full precision only as the second operand of a
    product or quotient (its CPU-scalar path); as the first it is rounded to the tensor's dtype like any operand."""
    x = lg.tensor([-1.0, 3.0, 0.1, 7.0], dtype=lg.float16)
    np.testing.assert_array_equal(lg.mul(lg.tensor(1e5), x).float().numpy(), [-np.inf, np.inf, np.inf, np.inf])
    np.testing.assert_array_equal(lg.mul(x, lg.tensor(1e5)).float().numpy(), [-np.inf, np.inf, 10000.0, np.inf])
    assert np.isnan(lg.floor_divide(lg.tensor(3e38), x).float().numpy()).all()  # (inf // -1 is NaN)
    assert np.isnan((3e38 // x).float().numpy()).all()
    b = lg.tensor([-1.0, 3.0, 0.1, 7.0], dtype=lg.bfloat16)
    np.testing.assert_array_equal(lg.floor_divide(lg.tensor(0.1), b).float().numpy(), [-1.0, 0.0, 1.0, 0.0])


@pytest.mark.parametrize("size", [1, 20])
@pytest.mark.parametrize("source", ["float32", "float64"])
@pytest.mark.parametrize("integer", ["int8", "int16", "int32", "int64"])
def test_float_to_integer_and_back_in_one_kernel_like_torch(integer, source, size):
    """x.long().float() is torch's x86 conversion both ways, not trunc(x): -0.4 gives +0, and NaN, infinities and
    values out of range give the integer type's minimum (through int32 for the narrow types) - one kernel, which
    gcc folded into a trunc (scalar and vector loops alike)."""
    torch = torch_or_skip()
    values = [-0.4, -0.0, 0.6, -2.5, 127.9, 255.0, 300.0, -129.0, 65504.0, 1e10, -1e10, float("nan"), float("inf"),
              float("-inf")]
    results = []
    for m in (lg, torch):
        x = m.tensor((values * size)[: max(size, len(values))], dtype=getattr(m, source))
        back = x.to(getattr(m, integer)).to(getattr(m, source))
        results.append(back.double().numpy())
    np.testing.assert_array_equal(np.signbit(results[0]), np.signbit(results[1]))
    np.testing.assert_array_equal(results[0], results[1])
