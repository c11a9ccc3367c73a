"""torch.distributions.utils: the helpers distributions are written with (broadcasting parameters, probs and
logits, lazily computed parameters) and the packing of lower triangles into vectors."""
from __future__ import annotations

import lazygrad as lg

from ..tensor import Tensor
from .distribution import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs", "probs_to_logits",
           "tril_matrix_to_vec", "vec_to_tril_matrix"]


def clamp_probs(probs: Tensor) -> Tensor:
    """probs within [eps, 1 - eps] of their dtype (so their logits are finite)."""
    eps = lg.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def _tril_mask(n: int, diag: int, device) -> Tensor:
    arange = lg.arange(n, device=device)
    return arange < arange.view(-1, 1) + (diag + 1)


def tril_matrix_to_vec(mat: Tensor, diag: int = 0) -> Tensor:
    """The elements on and below diagonal `diag` of (a batch of) square matrices, row by row."""
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    return mat[..., _tril_mask(n, diag, mat.device)]


def vec_to_tril_matrix(vec: Tensor, diag: int = 0) -> Tensor:
    """The inverse of tril_matrix_to_vec: the matrix size n solves n^2 + (1 + 2 diag) n = 2 len + |diag| (diag + 1)."""
    n = (-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * vec.shape[-1] + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    if round(n) - n > lg.finfo(vec.dtype).eps:
        raise ValueError(f"The size of last dimension is {vec.shape[-1]} which cannot be expressed as the lower "
                         "triangular part of a square D x D matrix.")
    n = round(n)
    mat = vec.new_zeros(vec.shape[:-1] + (n, n))
    mat[..., _tril_mask(n, diag, vec.device)] = vec
    return mat
