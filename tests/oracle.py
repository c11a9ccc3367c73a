"""Comparing lazygrad results with torch's: shared by the op test files."""
from __future__ import annotations

import numpy as np
import pytest

import lazygrad as lg


def torch_of(a):
    """A torch tensor with a copy of NumPy array a (other values pass through)."""
    torch = pytest.importorskip("torch")
    return torch.from_numpy(np.array(a, copy=True)) if isinstance(a, np.ndarray) else a


def dtype_name(t) -> str:
    return str(t.dtype).replace("torch.", "")


def assert_like_torch(out, expected, *, exact: bool = False, rtol=None, atol=None, check_stride: bool = False) -> None:
    """lazygrad tensor `out` has torch tensor `expected`'s dtype, shape (strides) and values (NaNs equal)."""
    torch = pytest.importorskip("torch")
    assert isinstance(out, lg.Tensor), type(out)
    assert out.dtype.name == dtype_name(expected), (out.dtype.name, dtype_name(expected))
    assert tuple(out.shape) == tuple(expected.shape), (tuple(out.shape), tuple(expected.shape))
    if check_stride:
        assert out.stride() == expected.stride(), (out.stride(), expected.stride())
    got = torch.from_numpy(np.array(out.numpy(), copy=True))
    if exact:
        rtol = atol = 0
    torch.testing.assert_close(got, expected, equal_nan=True, rtol=rtol, atol=atol)


def xfail_if(request, condition: bool, reason: str) -> None:
    """Strict xfail for a gap seen only under some parameters (a back end, a dtype)."""
    if condition:
        request.node.add_marker(pytest.mark.xfail(strict=True, reason=reason))


def same_error(lg_call, torch_call, exc=Exception) -> None:
    """Both raise the same exception class, lazygrad with torch's message (torch. -> lazygrad.)."""
    with pytest.raises(exc) as want:
        torch_call()
    with pytest.raises(exc) as got:
        lg_call()
    assert type(got.value) is want.type, (got.value, want.value)
    assert str(got.value) == str(want.value).replace("torch.", "lazygrad."), (str(got.value), str(want.value))
