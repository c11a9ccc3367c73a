"""lazygrad.backends.mkl (torch.backends.mkl): lazygrad's kernels do not call Intel's MKL."""
from __future__ import annotations


def is_available() -> bool:
    return False
