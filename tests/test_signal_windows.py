"""lg.signal.windows against numpy formulas (always there) and torch.signal.windows (when installed): every
window, symmetric and periodic, lengths 0, 1, 2, 7, 10, both dtypes, requires_grad, signatures and errors.
Each test realizes all its windows at once, so the file compiles few kernels."""
import inspect
import itertools
import re

import numpy as np
import pytest

import lazygrad as lg
from lazygrad.signal import windows

LENGTHS = (0, 1, 2, 7, 10)
NUTTALL = (0.3635819, 0.4891775, 0.1365995, 0.0106411)


def _cosine_sum(coefficients):
    """The symmetric cosine-sum window of the given coefficients, in numpy."""
    def window(M):
        if M <= 1:
            return np.ones(M)
        n = np.arange(M)
        return sum((-1) ** k * a * np.cos(2 * np.pi * k * n / (M - 1)) for k, a in enumerate(coefficients))
    return window


def _centered(f):
    """f(distance from the middle) as a symmetric window."""
    return lambda M: f(np.arange(M) - (M - 1) / 2)


# symmetric windows of M points in numpy; the periodic one of M > 1 points is the first M of M + 1
SYMMETRIC = {
    "bartlett": np.bartlett,
    "blackman": np.blackman,
    "cosine": lambda M: np.sin(np.pi * (np.arange(M) + 0.5) / M),
    "exponential": _centered(lambda d: np.exp(-np.abs(d))),
    "gaussian": _centered(lambda d: np.exp(-d ** 2 / 2)),
    "general_cosine": _cosine_sum((0.46, 0.23, 0.31)),
    "general_hamming": _cosine_sum((0.6, 0.4)),
    "hamming": np.hamming,
    "hann": np.hanning,
    "kaiser": lambda M: np.kaiser(M, 12.0),
    "nuttall": _cosine_sum(NUTTALL),
}
# the parameters each window is tried with, and more tried against torch on fewer lengths (an empty iterator
# passes torch's emptiness check and sums no terms)
PARAMETERS = {"general_cosine": {"a": [0.46, 0.23, 0.31]}, "general_hamming": {"alpha": 0.6}}
MORE = [("exponential", {"tau": 2.5}), ("gaussian", {"std": 2.5}), ("kaiser", {"beta": 0.0}),
        ("kaiser", {"beta": 3.0}), ("general_cosine", {"a": (1.0,)}), ("general_cosine", {"a": iter(())})]


def _torch():
    """torch as the oracle, when it is installed."""
    return pytest.importorskip("torch")


def _all(make, *axes):
    """make(*combination) for every combination of the axes, realized together: {combination: numpy array}."""
    made = {combo: make(*combo) for combo in itertools.product(*axes)}
    lg.realize(*made.values())
    return {combo: w.numpy() for combo, w in made.items()}


def _tolerances(dtype: str) -> dict:
    return {"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {"rtol": 1e-12, "atol": 1e-14}


def _compare_with_torch(name: str, kwargs: dict, got: dict) -> None:
    torch = _torch()
    for (M, sym, dt), values in got.items():
        want = getattr(torch.signal.windows, name)(M, sym=sym, dtype=getattr(torch, dt), **kwargs).numpy()
        assert values.dtype == want.dtype and values.shape == want.shape
        np.testing.assert_allclose(values, want, **_tolerances(dt), err_msg=f"{name}({M}, sym={sym}, {dt})")


def test_the_module_has_torchs_names():
    assert sorted(windows.__all__) == sorted(SYMMETRIC)


def _every_variant(name: str) -> dict:
    """The window at every length, sym and dtype (the same graphs each time, so compiled once)."""
    kwargs = PARAMETERS.get(name, {})
    return _all(lambda M, sym, dt: getattr(windows, name)(M, sym=sym, dtype=getattr(lg, dt), **kwargs),
                LENGTHS, (True, False), ("float32", "float64"))


@pytest.mark.parametrize("name", list(SYMMETRIC))
def test_windows_match_numpy(name):
    for (M, sym, dt), values in _every_variant(name).items():
        want = SYMMETRIC[name](M if sym or M <= 1 else M + 1)[:M]
        np.testing.assert_allclose(values, want, **_tolerances(dt), err_msg=f"{name}({M}, sym={sym}, {dt})")


@pytest.mark.parametrize("name", list(SYMMETRIC))
def test_windows_match_torch(name):
    _compare_with_torch(name, PARAMETERS.get(name, {}), _every_variant(name))


@pytest.mark.parametrize("name, kwargs", MORE, ids=[f"{name}{i}" for i, (name, _) in enumerate(MORE)])
def test_parameters_match_torch(name, kwargs):
    _torch()
    got = _all(lambda M, sym, dt: getattr(windows, name)(M, sym=sym, dtype=getattr(lg, dt), **kwargs),
               (1, 7), (True, False), ("float32", "float64"))
    _compare_with_torch(name, kwargs, got)


def test_exponential_with_a_center_matches_torch():
    torch = _torch()
    got = _all(lambda M, center, tau: windows.exponential(M, center=center, tau=tau, sym=False),
               (1, 7), (0.0, 2.0, 9.5), (1.0, 0.5))
    for (M, center, tau), values in got.items():
        want = torch.signal.windows.exponential(M, center=center, tau=tau, sym=False).numpy()
        np.testing.assert_allclose(values, want, **_tolerances("float32"))


def test_the_default_dtype_is_followed():
    previous = lg.get_default_dtype()
    try:
        assert windows.hann(4).dtype == windows.kaiser(0).dtype == lg.float32
        lg.set_default_dtype(lg.float64)
        assert windows.gaussian(4).dtype == windows.bartlett(1).dtype == lg.float64
    finally:
        lg.set_default_dtype(previous)


@pytest.mark.parametrize("name", list(SYMMETRIC))
def test_requires_grad_and_leaves_like_torch(name):
    """torch's windows of one point or none are constant leaves; the others are computed from a leaf."""
    torch = _torch()
    kwargs = PARAMETERS.get(name, {})
    for M in (0, 1, 4):
        got = getattr(windows, name)(M, requires_grad=True, **kwargs)
        want = getattr(torch.signal.windows, name)(M, requires_grad=True, **kwargs)
        assert (got.requires_grad, got.is_leaf) == (want.requires_grad, want.is_leaf), (name, M)
        assert not getattr(windows, name)(M, **kwargs).requires_grad


@pytest.mark.parametrize("name", list(SYMMETRIC))
def test_signatures_are_torchs(name):
    torch = _torch()

    def shape(f, lib):
        return [(p.name, p.kind, "strided" if p.default is lib.strided else p.default)
                for p in inspect.signature(f).parameters.values()]
    assert shape(getattr(windows, name), lg) == shape(getattr(torch.signal.windows, name), torch)


# (window, M, keyword arguments with dtype and layout by name, error, message with {lib} for the module's name)
ERRORS = [
    ("hann", -1, {}, ValueError, "general_cosine requires non-negative window length, got M=-1"),
    ("blackman", -1, {}, ValueError, "blackman requires non-negative window length, got M=-1"),
    ("kaiser", -3, {"dtype": "int64"}, ValueError, "kaiser requires non-negative window length, got M=-3"),
    ("cosine", 3, {"dtype": "int64"}, ValueError, "cosine expects float32 or float64 dtypes, got: {lib}.int64"),
    ("hamming", 3, {"dtype": "float16"}, ValueError,
     "general_cosine expects float32 or float64 dtypes, got: {lib}.float16"),
    ("gaussian", 3, {"layout": "sparse_coo"}, ValueError,
     "gaussian is implemented for strided tensors only, got: {lib}.sparse_coo"),
    ("bartlett", 3, {"layout": None}, ValueError, "bartlett is implemented for strided tensors only, got: None"),
    ("exponential", 3, {"tau": 0}, ValueError, "Tau must be positive, got: 0 instead."),
    ("exponential", 3, {"tau": -1.0, "center": 1.0}, ValueError, "Tau must be positive, got: -1.0 instead."),
    ("exponential", 0, {"center": 1.0}, ValueError, "Center must be None for symmetric windows"),
    ("gaussian", 3, {"std": -0.5}, ValueError, "Standard deviation must be positive, got: -0.5 instead."),
    ("kaiser", 3, {"beta": -1.0}, ValueError, "beta must be non-negative, got: -1.0 instead."),
    ("general_cosine", 3, {"a": []}, ValueError, "Coefficients cannot be empty"),
    ("general_cosine", 3, {"a": 5}, TypeError, "Coefficients must be a list/tuple"),
]


def _arguments(lib, kwargs: dict) -> dict:
    return {k: getattr(lib, v) if k in ("dtype", "layout") and v is not None else v for k, v in kwargs.items()}


@pytest.mark.parametrize("name, M, kwargs, error, message", ERRORS)
def test_errors(name, M, kwargs, error, message):
    with pytest.raises(error, match=f"^{re.escape(message.format(lib='lazygrad'))}$"):
        getattr(windows, name)(M, **_arguments(lg, kwargs))


@pytest.mark.parametrize("name, M, kwargs, error, message", ERRORS)
def test_torch_raises_the_same_errors(name, M, kwargs, error, message):
    torch = _torch()
    with pytest.raises(error, match=f"^{re.escape(message.format(lib='torch'))}$"):
        getattr(torch.signal.windows, name)(M, **_arguments(torch, kwargs))


def test_coefficients_are_looked_at_only_from_two_points():
    assert windows.general_cosine(1, a=5).tolist() == [1.0]
    assert windows.general_cosine(0, a=[]).shape == (0,)
