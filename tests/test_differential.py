"""Random expression graphs (broadcasting, views, reductions): the compiled back end against the interpreter."""
from __future__ import annotations

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import lazygrad as lg  # noqa: E402

UNARY = ["exp", "tanh", "abs", "sqrt", "neg", "sin", "sigmoid", "floor"]
BINARY = ["add", "sub", "mul", "maximum", "minimum"]
# ops whose float32 result amplifies its argument's last-bit differences by the argument's size (exp(y) by y,
# sin(y) by y): their arguments are clamped, so two correct evaluations agree to float32 rounding
BOUNDED = ("exp", "sin")


@st.composite
def programs(draw):
    shape = tuple(draw(st.lists(st.integers(1, 5), min_size=1, max_size=3)))
    steps = draw(st.lists(st.tuples(st.sampled_from(["unary", "binary", "view", "reduce", "broadcast"]),
                                    st.integers(0, 1000)), min_size=1, max_size=8))
    return shape, steps


def _build(x, steps):
    for kind, k in steps:
        if kind == "unary":
            name = UNARY[k % len(UNARY)]
            x = getattr(x.abs() if name == "sqrt" else x.clamp(-10, 10) if name in BOUNDED else x, name)()
        elif kind == "binary":
            x = getattr(lg, BINARY[k % len(BINARY)])(x, x.flip(-1) * 0.5)
        elif kind == "view" and x.ndim >= 2:
            x = x.transpose(0, -1)[1:] if k % 3 == 0 and x.shape[0] > 1 else x.permute(*reversed(range(x.ndim)))
        elif kind == "view":
            x = x[::2] if k % 2 else x.unsqueeze(0)
        elif kind == "reduce" and x.ndim >= 2:
            x = x.sum(k % x.ndim, keepdim=bool(k % 2))
        elif kind == "broadcast":
            x = x.unsqueeze(0).expand(2, *x.shape) + x
    return x


def _on_both_backends(compute) -> list[list[np.ndarray]]:
    """compute() run on the compiled back end and on the interpreter: [c results, numpy results]."""
    results = []
    for backend in ("c", "numpy"):
        lg.set_backend(backend)
        try:
            outs = compute()
            lg.realize(*outs)
            results.append([o.numpy() for o in outs])
        finally:
            lg.set_backend("c")
    return results


def _assert_same(results) -> None:
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-6, equal_nan=True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(), st.integers(0, 2 ** 31))
def test_compiled_matches_interpreter(prog, seed):
    shape, steps = prog
    lg.manual_seed(seed)
    x0 = lg.randn(*shape).realize()
    _assert_same(_on_both_backends(lambda: [_build(x0, steps)]))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(), programs(), st.integers(0, 2 ** 31))
def test_targets_realized_together_match_the_interpreter(first, second, seed):
    """Several targets in one schedule (shared kernels, side outputs of reductions) against the interpreter."""
    shape, steps = first
    lg.manual_seed(seed)
    x0 = lg.randn(*shape).realize()
    _assert_same(_on_both_backends(
        lambda: [_build(x0, steps), _build(x0, second[1]), x0.exp() * 2, (x0 * 3).sum()]))


def test_the_interpreter_rounds_float32_functions_once():
    """float32 tanh(9.6) is 1.0 correctly rounded (torch's and the C back end's); NumPy's float32 tanh gives
    0.99999994, so the interpreter evaluates such functions in float64 and a floor after them agrees. (The C
    back end's float32 sin is within an ulp, as torch's vectorized one: sin(9.6) is one ulp from the correctly
    rounded value the interpreter gives.)"""
    x = lg.tensor([9.6, -9.6, 0.5])
    c, interpreted = _on_both_backends(lambda: [x.tanh().floor(), x.exp().log(), x.sin()])
    for got, want in zip(c[:2], interpreted[:2]):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_max_ulp(c[2], interpreted[2], maxulp=1)
    rounded_once = np.sin(np.array([9.6, -9.6, 0.5], np.float32).astype(np.float64)).astype(np.float32)
    np.testing.assert_array_equal(interpreted[2], rounded_once)
    assert c[0].tolist() == [1.0, -1.0, 0.0]
