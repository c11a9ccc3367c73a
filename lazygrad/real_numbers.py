"""torch's complex-number API on real tensors (lazygrad has no complex dtypes): conjugation is the identity,
the real part is the tensor itself, there is no imaginary part; mH, H and adjoint are transposes."""
from __future__ import annotations

from .creation import ones
from .dtypes import bool_
from .movement import transpose
from .tensor import Tensor


def conj(input: Tensor) -> Tensor:
    return input


def is_conj(input: Tensor) -> bool:
    return False


def real(input: Tensor) -> Tensor:
    return input


def imag(input: Tensor) -> Tensor:
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


def isreal(input: Tensor) -> Tensor:
    return ones(input.shape, dtype=bool_, device=input.device)


def adjoint(input: Tensor) -> Tensor:
    """The conjugate transpose of the last two dims (a transpose, for real values)."""
    if input.ndim < 2:
        raise RuntimeError("tensor.adjoint() is only supported on matrices or batches of matrices. Got 1-D tensor.")
    return transpose(input, -2, -1)


def mH(input: Tensor) -> Tensor:  # noqa: N802  (torch's name)
    if input.ndim < 2:
        raise RuntimeError("tensor.mH is only supported on matrices or batches of matrices. Got 1-D tensor.")
    return transpose(input, -2, -1)


def H(input: Tensor) -> Tensor:  # noqa: N802
    if input.ndim not in (0, 2):
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {input.ndim}-D tensor."
                           + (" For batches of matrices, consider using tensor.mH" if input.ndim > 2 else ""))
    return transpose(input, 0, 1) if input.ndim == 2 else input
