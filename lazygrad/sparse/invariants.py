"""torch.sparse.check_sparse_tensor_invariants: whether sparse_coo_tensor checks its indices against its size
(off by default, as in torch). A context manager and a decorator; enable/disable set it for the process."""
from __future__ import annotations

import functools

_ENABLED = [False]


def checking_invariants() -> bool:
    return _ENABLED[-1]


class check_sparse_tensor_invariants:  # noqa: N801  (torch's name)
    """Check the indices of every sparse tensor made while active (or everywhere after enable())."""

    @staticmethod
    def is_enabled() -> bool:
        return _ENABLED[-1]

    @staticmethod
    def enable() -> None:
        _ENABLED[0] = True

    @staticmethod
    def disable() -> None:
        _ENABLED[0] = False

    def __init__(self, enable: bool = True) -> None:
        self.state = enable

    def __enter__(self) -> None:
        _ENABLED.append(self.state)

    def __exit__(self, *exc) -> None:
        _ENABLED.pop()

    def __call__(self, fn):
        @functools.wraps(fn)
        def checked(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return checked
