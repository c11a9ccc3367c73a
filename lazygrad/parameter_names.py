"""One function under torch's other spelling of its parameters: torch.orgqr(input, input2) is
torch.linalg.householder_product(A, tau), torch.concatenate(tensors, axis) is torch.cat(tensors, dim)."""
from __future__ import annotations

import functools
from typing import Callable


def respelled(fn: Callable, **names: str) -> Callable:
    """fn taking its parameters by the names given (new=old) as well as by its own (its signature stays)."""
    @functools.wraps(fn)
    def function(*args, **kwargs):
        for new, old in names.items():
            if new in kwargs:
                kwargs[old] = kwargs.pop(new)
        return fn(*args, **kwargs)
    return function
