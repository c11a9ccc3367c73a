"""lazygrad.printing against torch's printer (the oracle) and against literal expected strings."""
from __future__ import annotations

import math
import time

import numpy as np
import pytest

from lazygrad import printing
from lazygrad.printing import format_size, format_tensor, get_printoptions, printoptions, set_printoptions

try:
    import torch
except ImportError:  # the literal tests still run
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the oracle) is not installed")

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
DEFAULT_OPTS = dict(precision=4, threshold=1000, edgeitems=3, linewidth=80, sci_mode=None)


@pytest.fixture(autouse=True)
def _restore_print_options():
    saved = get_printoptions()
    torch_saved = None
    if torch is not None:
        torch_saved = torch._tensor_str.get_printoptions()
        torch_dtype = torch.get_default_dtype()
    yield
    set_printoptions(**saved)
    if torch is not None:
        torch.set_printoptions(**torch_saved)
        torch.set_default_dtype(torch_dtype)


def both_set(**opts):
    """Apply the same options to lazygrad and to torch (starting from the defaults)."""
    set_printoptions(profile="default")
    set_printoptions(**opts)
    torch.set_printoptions(profile="default")
    torch.set_printoptions(**opts)


def ours(a, **kw):
    """lazygrad's repr of `a`, with show_dtype chosen the way a caller following torch's rule would."""
    name = str(np.asarray(a).dtype)
    default = "float32" if torch is None else str(torch.get_default_dtype()).replace("torch.", "")
    kw.setdefault("show_dtype", name not in (default, "int64", "bool"))
    return format_tensor(a, name, **kw)


def expected(t):
    return repr(t).replace("torch.", "lazygrad.")


def extras_of(t):
    """The autograd suffix torch shows for `t` (what the lazygrad caller passes as extras)."""
    if t.grad_fn is not None:
        return (f"grad_fn=<{type(t.grad_fn).__name__}>",)
    if t.requires_grad:
        return ("requires_grad=True",)
    return ()


def check(a, **kw):
    t = torch.from_numpy(np.array(a, copy=True, order="C"))
    want = expected(t)
    got = ours(a, **kw)
    assert got == want, f"\nshape={a.shape} dtype={a.dtype} opts={get_printoptions()}\nvalues={a!r}\n" \
                        f"torch:\n{want}\nours:\n{got}"


# ----------------------------------------------------------------------------------------------
# Literal expectations (no torch needed)
# ----------------------------------------------------------------------------------------------

LITERAL = [
    (np.array(3.0, np.float32), "tensor(3.)"),
    (np.array(-0.0, np.float32), "tensor(-0.)"),
    (np.array(2.5), "tensor(2.5000, dtype=lazygrad.float64)"),
    (np.array(True), "tensor(True)"),
    (np.array(7, np.int32), "tensor(7, dtype=lazygrad.int32)"),
    (np.arange(4, dtype=np.float32).reshape(2, 2), "tensor([[0., 1.],\n        [2., 3.]])"),
    (np.array([1.0, 2.0], np.float32), "tensor([1., 2.])"),
    (np.array([1.5, -2.25, 3.0], np.float32), "tensor([ 1.5000, -2.2500,  3.0000])"),
    (np.array([1e10, 1.0], np.float32), "tensor([1.0000e+10, 1.0000e+00])"),
    (np.array([1e-5, 1.0], np.float32), "tensor([1.0000e-05, 1.0000e+00])"),
    (np.array([1.0, np.nan, np.inf, -np.inf], np.float32), "tensor([1., nan, inf, -inf])"),
    (np.array([0.5, np.nan, -np.inf], np.float32), "tensor([0.5000,    nan,   -inf])"),
    (np.array([np.nan, np.nan], np.float32), "tensor([nan, nan])"),
    (np.array([-0.0, 0.0, 1.0], np.float32), "tensor([-0., 0., 1.])"),
    (np.array([0.0, 0.0], np.float32), "tensor([0., 0.])"),
    (np.array([1, -20, 300]), "tensor([  1, -20, 300])"),
    (np.array([1, 255], np.uint8), "tensor([  1, 255], dtype=lazygrad.uint8)"),
    (np.array([True, False]), "tensor([ True, False])"),
    (np.array([1.0, 2.5], np.float16), "tensor([1.0000, 2.5000], dtype=lazygrad.float16)"),
    (np.zeros((0, 3), np.float32), "tensor([], size=(0, 3))"),
    (np.zeros((0,), np.float32), "tensor([])"),
    (np.zeros((0,), np.int64), "tensor([], dtype=lazygrad.int64)"),
    (np.zeros((0,), np.bool_), "tensor([], dtype=lazygrad.bool)"),
    (np.zeros((2, 0), np.int32), "tensor([], size=(2, 0), dtype=lazygrad.int32)"),
    (np.zeros((0,), np.complex64), "tensor([], dtype=lazygrad.complex64)"),  # hidden only when not empty
    (np.arange(8).reshape(2, 2, 2), "tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]])"),
    (np.arange(30, dtype=np.float32),
     "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
     "        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n"
     "        28., 29.])"),
    (np.arange(2000), "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"),
    (np.arange(2000, dtype=np.float32).reshape(40, 50),  # max/min ratio > 1000: scientific, rows wrap
     "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 4.7000e+01, 4.8000e+01,\n"
     "         4.9000e+01],\n"
     "        [5.0000e+01, 5.1000e+01, 5.2000e+01,  ..., 9.7000e+01, 9.8000e+01,\n"
     "         9.9000e+01],\n"
     "        [1.0000e+02, 1.0100e+02, 1.0200e+02,  ..., 1.4700e+02, 1.4800e+02,\n"
     "         1.4900e+02],\n"
     "        ...,\n"
     "        [1.8500e+03, 1.8510e+03, 1.8520e+03,  ..., 1.8970e+03, 1.8980e+03,\n"
     "         1.8990e+03],\n"
     "        [1.9000e+03, 1.9010e+03, 1.9020e+03,  ..., 1.9470e+03, 1.9480e+03,\n"
     "         1.9490e+03],\n"
     "        [1.9500e+03, 1.9510e+03, 1.9520e+03,  ..., 1.9970e+03, 1.9980e+03,\n"
     "         1.9990e+03]])"),
    (np.arange(2000, dtype=np.float32).reshape(40, 50) + 1000,
     "tensor([[1000., 1001., 1002.,  ..., 1047., 1048., 1049.],\n"
     "        [1050., 1051., 1052.,  ..., 1097., 1098., 1099.],\n"
     "        [1100., 1101., 1102.,  ..., 1147., 1148., 1149.],\n"
     "        ...,\n"
     "        [2850., 2851., 2852.,  ..., 2897., 2898., 2899.],\n"
     "        [2900., 2901., 2902.,  ..., 2947., 2948., 2949.],\n"
     "        [2950., 2951., 2952.,  ..., 2997., 2998., 2999.]])"),
    (np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.5], np.float64) * 1e7,
     "tensor([1.0000e+07, 2.0000e+07, 3.0000e+07, 4.0000e+07, 5.0000e+07, 6.0000e+07,\n"
     "        7.0000e+07, 8.0000e+07, 9.0000e+07, 1.0500e+08], dtype=lazygrad.float64)"),
]


@pytest.mark.parametrize("values, text", LITERAL, ids=[str(i) for i in range(len(LITERAL))])
def test_literal(values, text):
    name = str(values.dtype)
    show = name not in ("float32", "int64", "bool")
    assert format_tensor(values, name, show_dtype=show) == text


def test_literal_options():
    a = np.array([1.12345, 100.5], np.float32)
    with printoptions(precision=2):
        assert format_tensor(a, "float32", show_dtype=False) == "tensor([  1.12, 100.50])"
    with printoptions(sci_mode=True):
        assert format_tensor(a, "float32", show_dtype=False) == "tensor([1.1235e+00, 1.0050e+02])"
    with printoptions(sci_mode=False):
        b = np.array([1e-6, 1e6], np.float32)
        assert format_tensor(b, "float32", show_dtype=False) == "tensor([      0.0000, 1000000.0000])"
    with printoptions(threshold=5):
        assert format_tensor(np.arange(10), "int64", show_dtype=False) == "tensor([0, 1, 2,  ..., 7, 8, 9])"
    with printoptions(threshold=5, edgeitems=1):
        assert (format_tensor(np.arange(24).reshape(2, 3, 4), "int64", show_dtype=False)
                == "tensor([[[ 0,  ...,  3],\n         ...,\n         [ 8,  ..., 11]],\n\n"
                   "        [[12,  ..., 15],\n         ...,\n         [20,  ..., 23]]])")
    with printoptions(edgeitems=0):
        assert format_tensor(np.arange(6.0).reshape(2, 3), "float64", show_dtype=True) == \
            "tensor([[0., 1., 2.],\n        [3., 4., 5.]], size=(2, 3), dtype=lazygrad.float64)"
    with printoptions(edgeitems=0, threshold=3):
        assert format_tensor(np.arange(6.0).reshape(2, 3), "float32", show_dtype=False) == \
            "tensor([...], size=(2, 3))"
        assert format_tensor(np.arange(6), "int64", show_dtype=False) == "tensor([...], size=(6,))"
    with printoptions(linewidth=20):
        assert format_tensor(np.arange(8), "int64", show_dtype=False) == \
            "tensor([0, 1, 2, 3,\n        4, 5, 6, 7])"


def test_literal_suffixes():
    a = np.array([1.0, 2.0], np.float32)
    assert format_tensor(a, "float32", show_dtype=False, extras=["requires_grad=True"]) == \
        "tensor([1., 2.], requires_grad=True)"
    assert format_tensor(a, "float16", show_dtype=True, device="cuda:0", extras=["grad_fn=<AddBackward0>"]) == \
        "tensor([1., 2.], device='cuda:0', dtype=lazygrad.float16, grad_fn=<AddBackward0>)"
    assert format_tensor(np.zeros((0, 2), np.int64), "int64", show_dtype=False, device="cuda:0") == \
        "tensor([], device='cuda:0', size=(0, 2), dtype=lazygrad.int64)"
    assert format_tensor(a, "float32", show_dtype=False, prefix="Parameter(") == "Parameter([1., 2.])"
    # a suffix that does not fit on the last line goes to a new one, indented by the prefix
    row = np.arange(14, dtype=np.float64) + 0.5
    assert format_tensor(row, "float64", show_dtype=True) == (
        "tensor([ 0.5000,  1.5000,  2.5000,  3.5000,  4.5000,  5.5000,  6.5000,  7.5000,\n"
        "         8.5000,  9.5000, 10.5000, 11.5000, 12.5000, 13.5000],\n"
        "       dtype=lazygrad.float64)")


def test_format_size():
    assert format_size((3, 4)) == "lazygrad.Size([3, 4])"
    assert format_size(()) == "lazygrad.Size([])"
    assert format_size((5,)) == "lazygrad.Size([5])"


def test_classes_are_shown_as_torch_shows_its_own():
    import pickle

    import lazygrad as lg
    shown = {"Tensor": lg.ones(1), "Size": lg.Size([2]), "dtype": lg.float32, "device": lg.device("cpu")}
    for name, obj in shown.items():
        assert repr(type(obj)) == f"<class 'lazygrad.{name}'>"
        assert getattr(lg, name) is type(obj)
    assert pickle.loads(pickle.dumps(lg.float64)) is lg.float64
    if torch is not None:
        assert repr(type(torch.ones(1))) == "<class 'torch.Tensor'>"
        assert repr(type(torch.float32)) == "<class 'torch.dtype'>"


def test_options_api():
    assert get_printoptions() == DEFAULT_OPTS
    assert list(get_printoptions()) == ["precision", "threshold", "edgeitems", "linewidth", "sci_mode"]
    set_printoptions(profile="short")
    assert get_printoptions() == dict(precision=2, threshold=1000, edgeitems=2, linewidth=80, sci_mode=None)
    set_printoptions(profile="full", sci_mode=True)
    assert get_printoptions() == dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80, sci_mode=True)
    set_printoptions(precision=3)  # like torch: sci_mode is reset when not given
    assert get_printoptions()["sci_mode"] is None
    set_printoptions(profile="default", linewidth=100)
    assert get_printoptions() == dict(DEFAULT_OPTS, linewidth=100)
    before = get_printoptions()
    with printoptions(precision=1, sci_mode=False, threshold=10):
        assert get_printoptions() == dict(before, precision=1, sci_mode=False, threshold=10)
    assert get_printoptions() == before
    with pytest.raises(RuntimeError):
        with printoptions(edgeitems=1):
            raise RuntimeError
    assert get_printoptions() == before


def test_summarized_formats_only_shown_values(monkeypatch):
    calls = []
    original = printing._ElementFormatter.__call__

    def counting(self, value):
        calls.append(value)
        return original(self, value)

    monkeypatch.setattr(printing._ElementFormatter, "__call__", counting)
    a = np.random.default_rng(0).random((1000, 1000), dtype=np.float32)
    start = time.perf_counter()
    text = format_tensor(a, "float32", show_dtype=False)
    assert time.perf_counter() - start < 0.5
    assert len(calls) == 36
    assert text.count("...") == 7


def test_no_other_lazygrad_imports():
    import ast
    from pathlib import Path
    tree = ast.parse(Path(printing.__file__).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0 and not (node.module or "").startswith("lazygrad")
        elif isinstance(node, ast.Import):
            assert all(not alias.name.startswith("lazygrad") for alias in node.names)


# ----------------------------------------------------------------------------------------------
# Oracle: hand-picked edge cases under every option combination
# ----------------------------------------------------------------------------------------------

OPTION_COMBOS = [
    {},
    dict(precision=2),
    dict(precision=0),
    dict(precision=7),
    dict(sci_mode=True),
    dict(sci_mode=False),
    dict(precision=2, sci_mode=False),
    dict(precision=1, sci_mode=True),
    dict(linewidth=20),
    dict(linewidth=120),
    dict(linewidth=1),
    dict(threshold=5),
    dict(threshold=5, edgeitems=1),
    dict(threshold=0, edgeitems=2),
    dict(threshold=10, edgeitems=0),
    dict(edgeitems=0),
    dict(threshold=math.inf),
    dict(profile="short"),
    dict(profile="full"),
    dict(profile="default"),
    dict(profile="short", sci_mode=True, linewidth=40),
]


def _edge_cases():
    f32, f64, f16 = np.float32, np.float64, np.float16
    with np.errstate(over="ignore"):
        return [
            np.array(3.0, f32), np.array(-0.0, f32), np.array(np.nan, f32), np.array(-np.inf, f64),
            np.array(1e-7, f64), np.array(123456789.0, f32), np.array(0.1, f16), np.array(True),
            np.array(False), np.array(-5, np.int8), np.array(200, np.uint8),
            np.zeros((0,), f32), np.zeros((0,), np.int64), np.zeros((0,), np.bool_), np.zeros((0, 3), f32),
            np.zeros((3, 0, 2), f16), np.zeros((0,), np.uint8), np.zeros((1, 0), np.int32),
            np.arange(4, dtype=f32).reshape(2, 2), np.array([1.0, 2.0], f32), np.array([1.0, 2.0], f64),
            np.array([1e10, 1.0], f32), np.array([1e-10, 1.0], f64), np.array([1e8, 1.5e8], f64),
            np.array([1e-4, 2e-4], f32), np.array([9.99e-5, 1.0], f64), np.array([1.0, 1000.0], f32),
            np.array([1.0, 1001.0], f32), np.array([1.5, 1000.5], f32), np.array([1e100, 1e-100, -1e-300]),
            np.array([1.0, np.nan, np.inf, -np.inf], f32), np.array([0.25, np.nan, np.inf, -np.inf], f64),
            np.array([np.nan, -np.inf], f16), np.array([-0.0, 0.0], f32), np.array([-0.0, 2.5], f32),
            np.array([-0.0, 1e9], f64), np.array([0.0, -0.0, np.nan], f32), np.array([5e-324, 1.0]),
            np.array([np.finfo(f64).max, -1.0]), np.array([65504.0, -65504.0, 6e-8], f16),
            np.array([0.1, 0.2, 0.3], f16), np.array([9.99995, 0.5], f64), np.array([99999.5, 0.5], f32),
            np.array([2.5, 3.5, -2.5], f32), np.array([0.5, 1.5], f32),
            np.array([np.iinfo(np.int64).min, np.iinfo(np.int64).max]), np.array([-128, 127], np.int8),
            np.array([0, 255], np.uint8), np.array([-32768, 7], np.int16), np.array([2**31 - 1, -3], np.int32),
            np.array([True, False, True]), np.ones((3, 4), np.bool_),
            np.arange(30, dtype=f32), np.arange(30, dtype=f32) / 3, np.arange(24).reshape(2, 3, 4),
            np.arange(120, dtype=f64).reshape(2, 3, 4, 5) - 60.5, np.arange(2000, dtype=f32).reshape(40, 50) / 7,
            np.arange(5000).reshape(10, 10, 50), (np.arange(1500, dtype=f32) - 750) * 1e5,
            np.linspace(-1, 1, 1001, dtype=f32), np.arange(7 * 7 * 7 * 7, dtype=f16).reshape(7, 7, 7, 7),
            np.ones((1, 1, 1, 1), f32), np.full((2, 1, 3), -0.0, f32),
        ]


EDGE_CASES = _edge_cases()


@needs_torch
@pytest.mark.parametrize("opts", OPTION_COMBOS, ids=[repr(o) for o in OPTION_COMBOS])
def test_oracle_edge_cases(opts):
    both_set(**opts)
    for a in EDGE_CASES:
        check(a)


# ----------------------------------------------------------------------------------------------
# Oracle: seeded random sweep
# ----------------------------------------------------------------------------------------------

_SMALL_DIMS = [0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 9]
_LARGE_DIMS = [8, 11, 13, 20, 33, 50, 120]


def _random_shape(rng):
    ndim = int(rng.integers(0, 5))
    shape = []
    for _ in range(ndim):
        dims = _LARGE_DIMS if rng.random() < 0.25 else _SMALL_DIMS
        shape.append(int(rng.choice(dims)))
    while math.prod(shape) > 30000:
        shape[int(np.argmax(shape))] //= 2
    return tuple(shape)


def _random_values(rng, dtype, shape):
    n = math.prod(shape)
    if dtype == "bool":
        return (rng.random(n) < rng.random()).reshape(shape)
    if dtype in ("uint8", "int8", "int16", "int32", "int64"):
        info = np.iinfo(dtype)
        span = int(rng.choice([10, 1000, 10**6, 2**62]))
        lo, hi = max(info.min, -span), min(info.max, span)
        return rng.integers(lo, hi, n, endpoint=True).astype(dtype).reshape(shape)
    style = rng.integers(0, 4)
    lo_exp, hi_exp = sorted(rng.uniform(-10, 10, 2))
    if style == 0:  # integer valued
        vals = np.round(rng.normal(0, 10 ** rng.uniform(0, 9), n))
    elif style == 1:  # log-uniform magnitudes, random signs
        vals = 10 ** rng.uniform(lo_exp, hi_exp, n) * rng.choice([-1.0, 1.0], n)
    elif style == 2:  # narrow band around one magnitude
        vals = rng.normal(1.0, 0.3, n) * 10 ** lo_exp
    else:  # ordinary values
        vals = rng.normal(0, 3, n)
    if rng.random() < 0.4:  # sprinkle specials
        specials = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0])
        mask = rng.random(n) < rng.uniform(0.02, 0.5)
        vals[mask] = rng.choice(specials, int(mask.sum()))
    with np.errstate(over="ignore"):
        return vals.astype(dtype).reshape(shape)


SWEEP_COMBOS = OPTION_COMBOS[:16] + [dict(profile="short"), dict(profile="full", linewidth=60),
                                     dict(precision=3, threshold=50, edgeitems=2, linewidth=50)]


@needs_torch
@pytest.mark.parametrize("combo", range(len(SWEEP_COMBOS)), ids=[repr(o) for o in SWEEP_COMBOS])
def test_oracle_random_sweep(combo):
    both_set(**SWEEP_COMBOS[combo])
    rng = np.random.default_rng(1234 + combo)
    for _ in range(45):
        dtype = str(rng.choice(DTYPES))
        shape = _random_shape(rng)
        check(_random_values(rng, dtype, shape))


@needs_torch
def test_oracle_random_linewidths():
    rng = np.random.default_rng(99)
    for _ in range(150):
        both_set(linewidth=int(rng.integers(1, 140)), precision=int(rng.integers(0, 8)),
                 threshold=int(rng.choice([0, 10, 100, 1000])), edgeitems=int(rng.integers(0, 5)),
                 sci_mode=[None, True, False][int(rng.integers(0, 3))])
        dtype = str(rng.choice(DTYPES))
        check(_random_values(rng, dtype, _random_shape(rng)))


# ----------------------------------------------------------------------------------------------
# Oracle: suffixes (autograd, device, prefix, default dtype)
# ----------------------------------------------------------------------------------------------

def _float_cases(rng):
    cases = [np.array(2.0, np.float32), np.array([1.0, 2.0], np.float32), np.array([0.5], np.float64),
             np.zeros((0, 4), np.float32), np.zeros((0,), np.float64), np.zeros((0,), np.float16)]
    for n in range(1, 40, 3):  # rows that end at every column, so suffixes wrap at different points
        cases.append((np.arange(n) + 0.5).astype(np.float64))
        cases.append((np.arange(n) * 1.5).astype(np.float16))
        cases.append(np.arange(n, dtype=np.float32))
    for _ in range(30):
        dtype = str(rng.choice(["float16", "float32", "float64"]))
        cases.append(_random_values(rng, dtype, _random_shape(rng)))
    return cases


@needs_torch
@pytest.mark.parametrize("opts", [{}, dict(linewidth=40), dict(linewidth=100, precision=2),
                                  dict(edgeitems=0), dict(threshold=8, edgeitems=1)], ids=repr)
def test_oracle_autograd_suffixes(opts):
    both_set(**opts)
    for a in _float_cases(np.random.default_rng(7)):
        leaf = torch.from_numpy(a).clone().requires_grad_(True)
        derived = [leaf, leaf * 2, leaf + 1, leaf.view(a.shape), -leaf]
        if a.ndim == 2:
            derived.append(leaf.t())
        for t in derived:
            want = expected(t)
            got = ours(t.detach().numpy(), extras=extras_of(t))
            assert got == want, f"\ntorch:\n{want}\nours:\n{got}"


@needs_torch
@pytest.mark.parametrize("opts", [{}, dict(linewidth=30), dict(edgeitems=0)], ids=repr)
def test_oracle_device_suffix(monkeypatch, opts):
    # torch shows device='cpu' when the default device type differs from 'cpu'
    monkeypatch.setattr(torch._C, "_get_default_device", lambda: "cuda")
    both_set(**opts)
    rng = np.random.default_rng(3)
    cases = _float_cases(rng) + [np.arange(n) for n in range(0, 30, 4)] + [np.zeros((0, 2), np.int32),
                                                                         np.array(True), np.array([True])]
    for a in cases:
        for grad in (False, True):
            t = torch.from_numpy(a).clone()
            if grad:
                if not t.is_floating_point():
                    continue
                t = t.requires_grad_(True) * 3
            want = expected(t)
            got = ours(t.detach().numpy(), device="cpu", extras=extras_of(t))
            assert got == want, f"\ntorch:\n{want}\nours:\n{got}"


@needs_torch
def test_oracle_subclass_prefix():
    class MyTensor(torch.Tensor):
        pass

    class LongerNamedTensor(torch.Tensor):
        pass

    for opts in ({}, dict(linewidth=33), dict(threshold=20)):
        both_set(**opts)
        for a in _float_cases(np.random.default_rng(11)) + [np.arange(60).reshape(3, 4, 5)]:
            for cls in (MyTensor, LongerNamedTensor):
                t = torch.from_numpy(a).clone().as_subclass(cls)
                want = expected(t)
                got = ours(a, prefix=cls.__name__ + "(")
                assert got == want, f"\ntorch:\n{want}\nours:\n{got}"


@needs_torch
def test_oracle_default_dtype_float64():
    torch.set_default_dtype(torch.float64)
    rng = np.random.default_rng(5)
    cases = _float_cases(rng) + [np.zeros((0,), np.int64), np.zeros((2, 0), np.bool_), np.arange(5)]
    for a in cases:
        check(a)
