"""lazygrad.masked (torch.masked's reductions and normalizations) against torch, and against numpy.ma where
torch is not installed: values, dtypes, empty slices, broadcast masks, gradients and errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

import lazygrad as lg
from oracle import torch_or_skip

X = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], np.float32)
MASK = np.array([[True, False, True], [False, False, False]])  # the second row keeps nothing

CASES = {
    "sum": lambda M, x, m: M.masked.sum(x, 1, mask=m), "sum of all": lambda M, x, m: M.masked.sum(x, mask=m),
    "sum, a row mask broadcast": lambda M, x, m: M.masked.sum(x, 1, keepdim=True, mask=m[0]),
    "prod": lambda M, x, m: M.masked.prod(x, 1, mask=m), "amax": lambda M, x, m: M.masked.amax(x, 1, mask=m),
    "amin over dims": lambda M, x, m: M.masked.amin(x, (0, 1), mask=m),
    "argmax": lambda M, x, m: M.masked.argmax(x, 1, mask=m), "argmin": lambda M, x, m: M.masked.argmin(x, 0, mask=m),
    "mean": lambda M, x, m: M.masked.mean(x, 1, mask=m), "median": lambda M, x, m: M.masked.median(x, 1, mask=m),
    "norm": lambda M, x, m: M.masked.norm(x, 2.0, 1, mask=m),
    "norm -inf": lambda M, x, m: M.masked.norm(x, -math.inf, 1, mask=m),
    "var": lambda M, x, m: M.masked.var(x, 1, unbiased=False, mask=m),
    "var, correction": lambda M, x, m: M.masked.var(x, 1, correction=1, mask=m),
    "std of all": lambda M, x, m: M.masked.std(x, None, mask=m),
    "logsumexp": lambda M, x, m: M.masked.logsumexp(x, 1, mask=m),
    "softmax": lambda M, x, m: M.masked.softmax(x, 1, mask=m),
    "log_softmax": lambda M, x, m: M.masked.log_softmax(x, 1, mask=m),
    "softmin": lambda M, x, m: M.masked.softmin(x, 1, mask=m),
    "normalize": lambda M, x, m: M.masked.normalize(x, 2.0, 1, mask=m),
    "cumsum": lambda M, x, m: M.masked.cumsum(x, 1, mask=m), "cumprod": lambda M, x, m: M.masked.cumprod(x, 1, mask=m),
    "logaddexp": lambda M, x, m: M.masked.logaddexp(x, x * 2, input_mask=m, other_mask=m[0]),
    "int sum (int64)": lambda M, x, m: M.masked.sum(x.to(M.int32), 1, mask=m),
    "int amax": lambda M, x, m: M.masked.amax(x.to(M.int16), 1, mask=m),
    "int median": lambda M, x, m: M.masked.median(x.to(M.int32), 1, mask=m | True),
    "int var": lambda M, x, m: M.masked.var(x.to(M.int64), 1, mask=m),
    "mean without a mask": lambda M, x, m: M.masked.mean(x, 0),
    "gradient of a softmax": lambda M, x, m: M.autograd.grad(
        M.masked.softmax(x.requires_grad_(), 1, mask=m[:1].expand(2, 3)).pow(2).sum(), x)[0],
    "gradient of a mean": lambda M, x, m: M.autograd.grad(M.masked.mean(x.requires_grad_(), mask=m), x)[0],
}


@pytest.mark.parametrize("name", list(CASES))
def test_masked_ops_like_torch(name):
    torch = torch_or_skip()
    got = CASES[name](lg, lg.tensor(X), lg.tensor(MASK))
    want = CASES[name](torch, torch.tensor(X), torch.tensor(MASK))
    assert got.dtype.name == str(want.dtype).split(".")[-1]
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-6, atol=1e-6, equal_nan=True)


ERRORS = [
    (lambda M, x, m: M.masked.mean(x.to(M.int32), 1, mask=m), ValueError,
     "mean(): Could not infer output dtype. Input dtype must be either a floating point or complex dtype."),
    (lambda M, x, m: M.masked.median(x.to(M.int32), 1, mask=m), ValueError,
     "masked median expects no fully masked out rows if dtype is not floating point"),
    (lambda M, x, m: M.masked.sum(x, (1, 1), mask=m), RuntimeError, "dim=1 appears multiple times in the list of dims"),
    (lambda M, x, m: M.masked.sum(x, 3, mask=m), IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got 3)"),
    (lambda M, x, m: M.masked.sum(x, 1, mask=m[None]), IndexError,
     "_input_mask expected broadcastable mask (got mask dimensionality higher than of the input)"),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_masked_errors_like_torch(case):
    """lazygrad's error class and message, which torch's start with too (when it is installed)."""
    fn, kind, message = ERRORS[case]
    try:
        import torch
    except ImportError:
        torch = None
    for M in (lg, torch) if torch is not None else (lg,):
        with pytest.raises(kind) as caught:
            fn(M, M.tensor(X), M.tensor(MASK))
        assert str(caught.value).startswith(message)


def test_masked_reductions_match_numpy_masked_arrays():
    """A random mask over a 3-D input: sums, means, maxima and variances of the kept elements (numpy.ma
    masks what is True: the inverse of lazygrad's mask)."""
    rng = np.random.default_rng(4)
    x_np, keep = rng.standard_normal((4, 5, 6)), rng.random((4, 5, 6)) < 0.6
    keep[0, 0] = False  # a slice with nothing kept
    ma = np.ma.masked_array(x_np, mask=~keep)
    x, m = lg.tensor(x_np), lg.tensor(keep)
    np.testing.assert_allclose(lg.masked.sum(x, (0, 2), mask=m).numpy(), ma.sum((0, 2)).filled(0), rtol=1e-12)
    means = lg.masked.mean(x, 2, mask=m).numpy()
    assert np.isnan(means[0, 0])
    np.testing.assert_allclose(means[1:], ma.mean(2)[1:].filled(np.nan), rtol=1e-12)
    np.testing.assert_allclose(lg.masked.amax(x, -1, mask=m).numpy(), ma.max(-1).filled(-np.inf))
    np.testing.assert_allclose(lg.masked.var(x, 1, mask=m).numpy(), ma.var(1, ddof=1).filled(np.nan), rtol=1e-12)
