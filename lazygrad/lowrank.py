"""Randomized low-rank factorizations (torch.svd_lowrank, torch.pca_lowrank): Halko, Martinsson and Tropp's
range finder (their Algorithm 4.4: a Gaussian sketch refined by subspace iterations, re-orthonormalized by
QR after every product), then the exact SVD of the small projected matrix. The sketch draws from the
default generator, so a seed makes the result repeatable (its values are lazygrad's, not torch's)."""
from __future__ import annotations

from . import linalg
from .creation import randn
from .dtypes import float32
from .tensor import Tensor


def _orthonormal_basis(A: Tensor, q: int, niter: int, M: Tensor | None) -> Tensor:
    """q orthonormal columns Q with Q Q^H (A - M) close to A - M (M never subtracted from A itself). The sketch is
    of A's dtype, float32 for an integer A (whose product with it torch refuses, as here)."""
    def minus_mean(X: Tensor, product) -> Tensor:
        return X if M is None else X - product(M)

    sketch = randn(A.shape[-1], q, dtype=A.dtype if A.dtype.kind in "fc" else float32, device=A.device)
    Q = linalg.qr(minus_mean(A @ sketch, lambda m: m @ sketch)).Q
    for _ in range(niter):
        Q = linalg.qr(minus_mean(A.mH @ Q, lambda m: m.mH @ Q)).Q
        Q = linalg.qr(minus_mean(A @ Q, lambda m: m @ Q)).Q
    return Q


def svd_lowrank(A: Tensor, q: int | None = 6, niter: int | None = 2,
                M: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """U, S, V with U diag(S) V^H approximating A - M by rank q (wide matrices are factored conjugate-transposed;
    a complex A gives complex U and V)."""
    q, niter = 6 if q is None else q, 2 if niter is None else niter
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.shape)
    wide = m < n
    if wide:
        A, M = A.mH, None if M is None else M.mH
    Q = _orthonormal_basis(A, q, niter, M)
    B = Q.mH @ A if M is None else Q.mH @ A - Q.mH @ M
    U, S, Vh = linalg.svd(B, full_matrices=False)
    U, V = Q @ U, Vh.mH
    return (V, S, U) if wide else (U, S, V)


def pca_lowrank(A: Tensor, q: int | None = None, center: bool = True,
                niter: int = 2) -> tuple[Tensor, Tensor, Tensor]:
    """svd_lowrank of A with its column means subtracted (center=True): V's columns are the principal
    directions, S**2 / (m - 1) the variances along them."""
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not 0 <= q <= min(m, n):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than min(m, n)={min(m, n)}")
    if not niter >= 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if center:
        A = A - A.mean(dim=(-2,), keepdim=True)
    return svd_lowrank(A, q, niter=niter)
