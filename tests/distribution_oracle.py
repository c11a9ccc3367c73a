"""Comparing what a distributions case gives in lazygrad with what it gives in torch."""
from __future__ import annotations

import numpy as np
import pytest


def assert_same(got, want, path: str = "") -> None:
    """got (from lazygrad) matches want (from torch): tensors by dtype, shape and value (NaNs equal), other
    values by their printed forms (module prefixes aside)."""
    if isinstance(want, (list, tuple)):
        assert isinstance(got, (list, tuple)) and len(got) == len(want), (path, got, want)
        for i, (g, w) in enumerate(zip(got, want)):
            assert_same(g, w, f"{path}[{i}]")
    elif hasattr(want, "detach"):
        assert hasattr(got, "detach"), (path, got, want)
        assert str(got.dtype).replace("lazygrad.", "") == str(want.dtype).replace("torch.", ""), (path, got, want)
        assert tuple(got.shape) == tuple(want.shape), (path, got, want)
        np.testing.assert_allclose(np.asarray(got.detach().numpy(), dtype=float),
                                   np.asarray(want.detach().numpy(), dtype=float), rtol=2e-5, atol=1e-6,
                                   equal_nan=True, err_msg=path)
    else:
        assert str(got).replace("lazygrad.", "") == str(want).replace("torch.", ""), (path, got, want)


def raised(fn) -> tuple[str, str]:
    """The class and message (module prefixes aside) of what fn raises."""
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value).__name__, str(info.value).replace("torch.", "").replace("lazygrad.", "")
