"""Ordering ops (lazygrad/sorting.py) on the SORT graph op: values, indices, NaN order, stability,
gradients and errors against torch (the oracle) and numpy; the sort kernel on both back ends."""
from __future__ import annotations

import numpy as np
import pytest

import lazygrad as lg

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int8", "uint8", "bool"]


def _data(shape, dtype: str, seed: int = 0, ties: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * 10
    if ties:
        x = np.round(x / 5)
    if dtype == "bool":
        return x > 0
    if dtype == "uint8":
        return np.abs(x).astype(np.uint8)
    return x.astype(dtype)


def _stable_order(x: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """numpy's stable order, NaN last ascending and first descending (torch's)."""
    if not descending:
        return np.argsort(x, axis=axis, kind="stable")
    back = np.argsort(np.flip(x, axis), axis=axis, kind="stable")
    return x.shape[axis] - 1 - np.flip(back, axis)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("descending", [False, True])
def test_sort_is_stable_and_matches_numpy(dtype, descending, backend):
    x = _data((5, 33), dtype, ties=True)
    if dtype.startswith("float"):
        x[1, [3, 7, 8]] = np.nan
        x[2, 0] = np.inf
        x[3, 4] = -np.inf
    for axis in (0, 1, -1):
        values, indices = lg.sort(lg.tensor(x), dim=axis, descending=descending)
        order = _stable_order(x, axis, descending)
        np.testing.assert_array_equal(indices.numpy(), order)
        np.testing.assert_array_equal(values.numpy(), np.take_along_axis(x, order, axis))
        assert values.dtype == lg.tensor(x).dtype and indices.dtype is lg.int64
        np.testing.assert_array_equal(lg.argsort(lg.tensor(x), axis, descending).numpy(), order)


def test_sort_matches_torch_on_views_and_is_one_kernel():
    torch = pytest.importorskip("torch")
    x = _data((6, 8, 5), "float32", seed=1)
    a = lg.tensor(x).permute(2, 0, 1)[:, ::2]
    t = torch.tensor(x).permute(2, 0, 1)[:, ::2]
    for dim in range(3):
        ours, theirs = a.sort(dim, descending=True), t.sort(dim=dim, descending=True, stable=True)
        np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
    stored = lg.tensor(x).realize()
    kinds = [k.name.split("_")[0] for k in lg.schedule(lg.argsort(stored, 1))]
    assert kinds == ["s"] and "sort kernel" in lg.schedule(lg.argsort(stored, 1))[0].source
    assert repr(lg.sort(lg.tensor([2.0, 1.0]))).startswith("lazygrad.return_types.sort(\nvalues=tensor([1., 2.]),")


def test_derived_orderings_match_torch():
    torch = pytest.importorskip("torch")
    x = _data((4, 9), "float32", seed=2)
    x[1, 2] = np.nan
    a, t = lg.tensor(x), torch.tensor(x)
    no_nan_a, no_nan_t = lg.tensor(x[[0, 2, 3]]), torch.tensor(x[[0, 2, 3]])
    cases = [
        (lambda m: m.topk(3)), (lambda m: m.topk(2, dim=0, largest=False)), (lambda m: m.kthvalue(4, 1, keepdim=True)),
        (lambda m: m.median()), (lambda m: m.median(1)), (lambda m: m.median(0, keepdim=True)),
        (lambda m: m.nanmedian()), (lambda m: m.nanmedian(1)), (lambda m: m.msort()),
        (lambda m: m.quantile(0.3, dim=1)), (lambda m: m.nanquantile(0.8, dim=1, keepdim=True)),
    ]
    for f in cases:
        for ours, theirs in ((f(a), f(t)), (f(no_nan_a), f(no_nan_t))):
            ours = ours if isinstance(ours, tuple) else (ours,)
            theirs = theirs if isinstance(theirs, tuple) else (theirs,)
            for o, e in zip(ours, theirs):
                assert tuple(o.shape) == tuple(e.shape)
                np.testing.assert_allclose(o.numpy().astype(float), e.numpy().astype(float), rtol=1e-6, equal_nan=True)
    q = [0.0, 0.1, 0.5, 0.93, 1.0]
    for mode in ("linear", "lower", "higher", "midpoint", "nearest"):
        ours = no_nan_a.quantile(lg.tensor(q), dim=0, keepdim=True, interpolation=mode)
        theirs = no_nan_t.quantile(torch.tensor(q), dim=0, keepdim=True, interpolation=mode)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    np.testing.assert_allclose(a.quantile(lg.tensor(q)).numpy(), t.quantile(torch.tensor(q)).numpy(), equal_nan=True)


def test_quantile_reads_torchs_ranks():
    """nearest rounds a rank's half to even (q = 0.3 of six values is the third, not the second); lower, higher
    and nearest return the element itself, linear and midpoint lerp between neighbours (-0.0 stays -0.0)."""
    x = lg.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    got = [lg.quantile(x, q, interpolation="nearest").item() for q in (0.1, 0.3, 0.5, 0.7, 0.9)]
    assert got == [1.0, 3.0, 3.0, 5.0, 5.0]
    zeros = lg.tensor([-0.0, -0.0, 1.0])
    for mode in ("linear", "lower", "higher", "midpoint", "nearest"):
        assert np.signbit(lg.quantile(zeros, 0.25, interpolation=mode).item()), mode
    np.testing.assert_allclose(lg.quantile(x, lg.tensor([0.25, 0.55]), interpolation="midpoint").numpy(), [2.5, 3.5])


def test_gradients_match_torch():
    torch = pytest.importorskip("torch")
    x = _data((3, 6), "float64", seed=3)
    cases = {
        "SortBackward0": lambda m: m.sort(1, descending=True).values * m.new_tensor([1.0, 2, 3, 4, 5, 6]),
        "TopkBackward0": lambda m: m.topk(2, dim=0).values ** 2,
        "KthvalueBackward0": lambda m: m.kthvalue(2, 1).values.exp(),
        "MedianBackward1": lambda m: m.median(1).values * 3,
        "MedianBackward0": lambda m: m.median() * 3,
        "NanmedianBackward0": lambda m: m.nanmedian() * 2,
    }
    for name, f in cases.items():
        a = lg.tensor(x, requires_grad=True)
        t = torch.tensor(x, requires_grad=True)
        out_a, out_t = f(a), f(t)
        node = out_a.grad_fn
        while type(node).__name__ not in (name, "NotFound") and node.next_functions:
            node = node.next_functions[0][0]
        assert type(node).__name__ == name
        out_a.sum().backward()
        out_t.sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-12)
    a = lg.tensor(x, requires_grad=True)
    assert lg.autograd.gradcheck(lambda m: m.sort(0).values, (a,))
    assert lg.autograd.gradgradcheck(lambda m: m.topk(3).values ** 2, (a,))
    assert lg.autograd.gradcheck(lambda m: m.quantile(lg.tensor([0.2, 0.7], dtype=lg.float64), dim=1), (a,))


def test_zero_dim_and_empty():
    torch = pytest.importorskip("torch")
    for f in (lambda m: m.sort(), lambda m: m.topk(1), lambda m: m.median(0), lambda m: m.kthvalue(1)):
        ours, theirs = f(lg.tensor(5.0)), f(torch.tensor(5.0))
        assert [v.item() for v in ours] == [v.item() for v in theirs]
    assert lg.argsort(lg.tensor(3)).item() == 0
    assert lg.sort(lg.ones(0)).values.shape == (0,)
    assert np.isnan(lg.ones(0).median().item())


def test_errors_are_torchs():
    x = lg.ones(2, 3)
    for call, error, message in [
        (lambda: x.topk(4), RuntimeError, "selected index k out of range"),
        (lambda: x.topk(-1), RuntimeError, "selected index k out of range"),
        (lambda: x.kthvalue(4), RuntimeError, r"kthvalue\(\): selected number k out of range for dimension 1"),
        (lambda: x.kthvalue(0, 0), RuntimeError, r"kthvalue\(\): selected number k out of range for dimension 0"),
        (lambda: x.sort(dim=3), IndexError, r"Dimension out of range \(expected to be in range of \[-2, 1\]"),
        (lambda: lg.ones(2, 0).median(1), IndexError, r"median\(\): Expected reduction dim 1 to have non-zero size"),
        (lambda: x.quantile(1.5), RuntimeError, r"quantile\(\) q must be in the range \[0, 1\] but got 1.5"),
        (lambda: lg.ones(3, dtype=lg.int64).quantile(0.5), RuntimeError, "input tensor must be either float or double"),
        (lambda: x.quantile(0.5, interpolation="foo"), RuntimeError, "interpolation must be one of linear, lower"),
        (lambda: lg.randperm(-1), RuntimeError, r"Trying to create tensor with negative dimension -1: \[-1\]"),
    ]:
        with pytest.raises(error, match=message):
            call()


def test_randperm_is_a_permutation_from_the_seeded_stream():
    lg.manual_seed(7)
    first = lg.randperm(1000)
    lg.manual_seed(7)
    again = lg.randperm(1000)
    assert first.dtype is lg.int64 and sorted(first.tolist()) == list(range(1000))
    assert first.tolist() == again.tolist() and first.tolist() != list(range(1000))
    assert lg.randperm(5, dtype=lg.float32).dtype is lg.float32
    assert lg.randperm(0).shape == (0,)


def test_unique_matches_torch():
    torch = pytest.importorskip("torch")
    x = _data((4, 5), "int64", seed=4, ties=True)
    ours = lg.unique(lg.tensor(x), return_inverse=True, return_counts=True)
    theirs = torch.unique(torch.tensor(x), return_inverse=True, return_counts=True)
    for o, e in zip(ours, theirs):
        np.testing.assert_array_equal(o.numpy(), e.numpy())
    f = np.array([2.0, np.nan, 1.0, 2.0, np.nan], np.float32)
    np.testing.assert_array_equal(lg.tensor(f).unique().numpy(), torch.tensor(f).unique().numpy())


def test_unique_slices_match_torch():
    torch = pytest.importorskip("torch")
    x = np.array([[1, 2], [3, 4], [1, 2], [0, 9]])
    for dim in (0, 1, -1):
        ours = lg.unique(lg.tensor(x), dim=dim, return_inverse=True, return_counts=True)
        theirs = torch.unique(torch.tensor(x), dim=dim, return_inverse=True, return_counts=True)
        for o, e in zip(ours, theirs):
            np.testing.assert_array_equal(o.numpy(), e.numpy())
    y = np.array([[[1.5, 2], [1.5, 2]], [[0, 1], [0, 1]]], np.float32)
    ours, theirs = lg.tensor(y).unique(dim=2), torch.tensor(y).unique(dim=2)
    assert ours.dtype is lg.float32 and np.array_equal(ours.numpy(), theirs.numpy())
    assert lg.unique(lg.ones(0, 3), dim=0).shape == (0, 3)
    for unique in (lg.unique, lg.unique_consecutive):  # empty along dim, the one empty dim
        values, inverse, counts = unique(lg.ones(2, 0), dim=1, return_inverse=True, return_counts=True)
        assert values.shape == (2, 0) and inverse.shape == counts.shape == (0,) and counts.dtype is lg.int64
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 3\)"):
        lg.unique(lg.tensor(x), dim=3)


def test_searchsorted_is_torchs_binary_search():
    """torch's binary search steps right past a NaN, in the row or in the value: [-1, 0, nan, nan] puts 1.0, NaN
    and even -2.0 at 4 (NumPy's, which orders NaN last, would say 2, 2, 0); rows without NaN are plain."""
    nan = float("nan")
    got = lg.searchsorted(lg.tensor([-1.0, 0.0, nan, nan]), lg.tensor([1.0, nan, -2.0]))
    np.testing.assert_array_equal(got.numpy(), [4, 4, 4])
    rows = lg.tensor([[0.0, 1.0, 1.0, 2.0], [-1.0, 0.5, nan, nan]])
    values = lg.tensor([[1.0, 3.0], [0.5, 0.7]])
    np.testing.assert_array_equal(lg.searchsorted(rows, values).numpy(), [[1, 4], [4, 4]])
    np.testing.assert_array_equal(lg.searchsorted(rows, values, right=True).numpy(), [[3, 4], [4, 4]])
    buckets = lg.bucketize(lg.tensor([0.5, 1.0, 5.0]), lg.tensor([0.0, 1.0, 2.0]))
    np.testing.assert_array_equal(buckets.numpy(), [1, 1, 3])
