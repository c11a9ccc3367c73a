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


def check_compressed(compressed, plain, nnz: int, limit: int, names: tuple[str, str, str]) -> None:
    """torch's checks of a compressed matrix's index arrays (numpy), with its messages: names are the
    compressed and plain index names and the plain dim's ('crow_indices', 'col_indices', 'ncols' for CSR;
    'ccol_indices', 'row_indices', 'nrows' for CSC)."""
    import numpy as np
    pointers, indices, size = names
    checks = [(compressed[0] == 0, f"`{pointers}[..., 0] == 0` is not satisfied."),
              (compressed[-1] == nnz, f"`{pointers}[..., -1] == nnz` is not satisfied."),
              (np.all(np.diff(compressed) >= 0),
               f"`0 <= {pointers}[..., 1:] - {pointers}[..., :-1] <= {size}` is not satisfied."),
              (plain.size == nnz, f"`{indices}.size(-1) == nnz` is not satisfied."),
              (not plain.size or (plain.min() >= 0 and plain.max() < limit),
               f"`0 <= {indices} < {size}` is not satisfied.")]
    for ok, message in checks:
        if not ok:
            raise RuntimeError(message)
