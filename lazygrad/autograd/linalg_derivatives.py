"""Derivative formulas of the factorizations (lazygrad/decompositions.py), as data like derivatives.py's:
torch's formulas for real matrices, written with lazygrad's own linalg functions so that they are
differentiable again (a Hessian through an inverse, a solve or a Cholesky factor)."""
from __future__ import annotations

import lazygrad as lg

from ..complex_numbers import imag_part, real_part


def _first(out):
    """The factor of an op returning (factor, info) or the factor alone."""
    return out[0] if isinstance(out, tuple) else out


def _eye_like(t, n: int):
    return lg.eye(n, dtype=t.dtype, device=t.device)


def _batched_scalar(g):
    return g.unsqueeze(-1).unsqueeze(-1)


def _inv(c, g, g_info=None):
    """d(A^-1) = -A^-1 dA A^-1."""
    xt = _first(c.out).mT
    return (-(xt @ g @ xt),)


def _det(c, g):
    return (_batched_scalar(g) * lg.decompositions.cofactor(c.args[0]),)


def _cofactor(c, g):
    """C = det(A) A^-T: d<C, G> / dA = (<C, G> C - C G^T C) / det(A)."""
    cof = c.out
    inner = (cof * g).sum((-2, -1), keepdim=True)
    return ((inner * cof - cof @ g.mT @ cof) / _batched_scalar(lg.linalg.det(c.args[0])),)


def _slogdet(c, g_sign, g_logabsdet):
    """gA = (g_logabsdet - i Im(conj(g_sign) sign)) A^-H: a complex sign turns with the phase of det A."""
    scale = g_logabsdet
    if g_sign is not None and g_sign.dtype.is_complex:
        scale = scale - lg.complex(lg.zeros_like(scale), imag_part(lg.conj(g_sign) * c.out[0]))
    return (_batched_scalar(scale) * lg.linalg.inv(c.args[0]).mH,)


def _is_vector(A, B, left: bool) -> bool:
    return B.ndim == 1 or (left and B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


def _solve(c, g, g_info=None):
    """X = A^-1 B: B's gradient solves with A^T, A's is minus that times X^T (X A = B: mirrored)."""
    A, B = c.args[:2]
    left = c.kwargs.get("left", True)
    x = _first(c.out)
    g_b = lg.linalg.solve(A.mT, g, left=left)
    if _is_vector(A, B, left):
        outer = g_b.unsqueeze(-1) * x.unsqueeze(-2) if left else x.unsqueeze(-1) * g_b.unsqueeze(-2)
        return (-outer, g_b)
    return (-(g_b @ x.mT) if left else -(x.mT @ g_b), g_b)


def _solve_triangular(c, g):
    A = c.args[0]
    upper, left = c.kwargs["upper"], c.kwargs.get("left", True)
    unit = c.kwargs.get("unitriangular", False)
    x = c.out
    g_b = lg.linalg.solve_triangular(A.mT, g, upper=not upper, left=left, unitriangular=unit)
    g_a = -(g_b @ x.mT) if left else -(x.mT @ g_b)
    return (g_a.triu(1 if unit else 0) if upper else g_a.tril(-1 if unit else 0), g_b)


def _cholesky(c, g, g_info=None):
    """torch's: A = L L^H, gA = L^-H Phi L^-1 with Phi = (X + tril(X, -1)^H) / 2, X = tril(L^H gL)."""
    upper = c.kwargs.get("upper", False)
    low = _first(c.out).mH if upper else _first(c.out)
    g_low = g.mH if upper else g
    phi = (low.mH @ g_low).tril()
    phi = 0.5 * (phi + phi.tril(-1).mH)
    left = lg.linalg.solve_triangular(low.mH, phi, upper=True)
    return (lg.linalg.solve_triangular(low, left, upper=False, left=False),)


def _lu_square(p, low, up, g_low, g_up):
    """A = P L U, square: gA = P L^-H (tril(L^H gL, -1) + triu(gU U^H)) U^-H."""
    phi = (low.mH @ g_low).tril(-1) + (g_up @ up.mH).triu()
    left = lg.linalg.solve_triangular(low.mH, phi, upper=True, unitriangular=True)
    return p @ lg.linalg.solve_triangular(up.mH, left, upper=False, left=False)


def lu_grad(p, low, up, g_low, g_up):
    """torch's linalg_lu_backward for real matrices: a wide A = P L [U1 U2] moves U2's gradient onto L (U2 =
    L^-1 P^T A2), a tall A = P [L1; L2] U moves L2's onto U (L2 = P^T A2 U^-1); the square part is then
    differentiated as one."""
    m, n = low.shape[-2], up.shape[-1]
    if m == n:
        return _lu_square(p, low, up, g_low, g_up)
    if m < n:
        u1, u2, g_u1, g_u2 = up[..., :m], up[..., m:], g_up[..., :m], g_up[..., m:]
        g_l = g_low - lg.linalg.solve_triangular(low.mH, g_u2 @ u2.mH, upper=True, unitriangular=True)
        g_a1 = _lu_square(p, low, u1, g_l, g_u1)
        g_a2 = p @ lg.linalg.solve_triangular(low.mH, g_u2, upper=True, unitriangular=True)
        return lg.cat([g_a1, g_a2], -1)
    l1, l2, g_l1, g_l2 = low[..., :n, :], low[..., n:, :], g_low[..., :n, :], g_low[..., n:, :]
    g_a2 = lg.linalg.solve_triangular(up.mH, g_l2, upper=False, left=False)  # gL2 U^-H
    g_u = g_up - lg.linalg.solve_triangular(up.mH, l2.mH @ g_l2, upper=False, left=False)
    eye = lg.eye(n, dtype=p.dtype, device=p.device)
    g_a1 = _lu_square(eye, l1, up, g_l1, g_u)
    return p @ lg.cat([g_a1, g_a2], -2)


def _lu(c, g_p, g_low, g_up):
    p, low, up = c.out
    return (lu_grad(p, low, up, g_low, g_up),)


def _lu_factor(c, g_lu, *rest):
    """The gradient of LU packed together: L's part below the diagonal, U's on and above it."""
    A = c.args[0]
    factors = c.out[0]
    p = lg.decompositions.permutation_matrix(c.out[1], A.shape[-2], A.dtype)
    low, up = lg.decompositions.unpack(factors, *A.shape[-2:])
    k = min(A.shape[-2:])
    return (lu_grad(p, low, up, g_lu[..., :, :k].tril(-1), g_lu[..., :k, :].triu()),)


def _copyltu(m):
    """The lower triangle copied onto the upper one as its conjugate (the diagonal's real part kept)."""
    below = m.tril(-1)
    return below + below.mH + lg.diag_embed(real_part(m.diagonal(0, -2, -1)))


def _qr_tall(q, r, g_q, g_r):
    """A = QR with m >= n: gA = (gQ + Q copyltu(M)) R^-T, M = R gR^T - gQ^T Q."""
    m = r @ g_r.mH - g_q.mH @ q
    b = g_q + q @ _copyltu(m)
    return lg.linalg.solve_triangular(r.mH, b, upper=False, left=False)


def _qr(c, g_q, g_r):
    A = c.args[0]
    mode = c.kwargs.get("mode", c.args[1] if len(c.args) > 1 else "reduced")
    rows, cols = A.shape[-2:]
    if mode == "r":
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please "
                           "use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.")
    if mode == "complete" and rows > cols:
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
    q, r = c.out
    if rows >= cols:
        return (_qr_tall(q, r, g_q, g_r),)
    # A = [X | Y] = Q [U | V]: X = QU is square, Y = QV
    y, u, g_u, g_v = A[..., rows:], r[..., :rows], g_r[..., :rows], g_r[..., rows:]
    g_x = _qr_tall(q, u, g_q + y @ g_v.mH, g_u)
    return (lg.cat([g_x, q @ g_v], -1),)


def _eigh_grad(values, vectors, g_values, g_vectors):
    """gA = V (skew(V^T gV) / E + diag(gL)) V^T, E_ij = L_j - L_i."""
    n = values.shape[-1]
    eye = _eye_like(values, n)
    inner = vectors.mH @ g_vectors
    gaps = values.unsqueeze(-2) - values.unsqueeze(-1) + eye
    middle = 0.5 * (inner - inner.mH) / gaps + lg.diag_embed(g_values)
    return vectors @ middle @ vectors.mH


def _eigh(c, g_values, g_vectors):
    return (_eigh_grad(*c.out, g_values, g_vectors),)


def _eigvalsh(c, g):
    vectors = lg.linalg.eigh(c.args[0], c.kwargs.get("UPLO", c.args[1] if len(c.args) > 1 else "L")).eigenvectors
    return (vectors @ lg.diag_embed(g).to(vectors.dtype) @ vectors.mH,)


def _svd_grad(u, s, vh, g_u, g_s, g_vh, rows: int, cols: int):
    """torch's svd_backward (u, vh narrowed to the k singular values); for complex matrices a loss must not
    depend on the phases of the singular vectors, and theirs add a diagonal term."""
    v, g_v = vh.mH, g_vh.mH
    eye = _eye_like(s, s.shape[-1])
    s2 = s * s
    gaps = s2.unsqueeze(-2) - s2.unsqueeze(-1) + eye
    inner_u, inner_v = u.mH @ g_u, v.mH @ g_v
    phases = imag_part(inner_u.diagonal(0, -2, -1)) if u.dtype.is_complex else None
    if phases is not None and not bool((phases + imag_part(inner_v.diagonal(0, -2, -1))).abs().le(1e-2).all()):
        raise RuntimeError("svd_backward: The singular vectors in the complex case are specified up to multiplication "
                           "by e^{i phi}. The specified loss function depends on this quantity, so it is ill-defined.")
    u_skew, v_skew = inner_u - inner_u.mH, inner_v - inner_v.mH
    middle = (u_skew * s.unsqueeze(-2) + s.unsqueeze(-1) * v_skew) / gaps + lg.diag_embed(g_s)
    if phases is not None:  # the phases of U's columns: i Im(diag(U^H gU)) / S on the diagonal
        middle = middle + lg.diag_embed(lg.complex(lg.zeros_like(s), phases / s))
    g_a = u @ middle @ vh
    if rows > cols:
        g_a = g_a + ((g_u - u @ (u.mH @ g_u)) / s.unsqueeze(-2)) @ vh
    elif rows < cols:
        g_a = g_a + u @ ((g_v - v @ (v.mH @ g_v)) / s.unsqueeze(-2)).mH
    return g_a


def _svd(c, g_u, g_s, g_vh):
    A = c.args[0]
    full = c.kwargs.get("full_matrices", c.args[1] if len(c.args) > 1 else True)
    u, s, vh = c.out
    rows, cols = A.shape[-2:]
    k = min(rows, cols)
    if full:
        u, vh, g_u, g_vh = u[..., :k], vh[..., :k, :], g_u[..., :k], g_vh[..., :k, :]
    return (_svd_grad(u, s, vh, g_u, g_s, g_vh, rows, cols),)


def _svdvals(c, g):
    u, _, vh = lg.linalg.svd(c.args[0], full_matrices=False)
    return (u @ lg.diag_embed(g).to(u.dtype) @ vh,)


def _pinv(c, g):
    """torch's pinv_backward, with conjugate transposes (the transposes of the real formula)."""
    A, p = c.args[0], c.out
    rows, cols = A.shape[-2:]
    if rows <= cols:
        k = g.mH @ p
        k_ph = k @ p.mH
        return (-(p @ k).mH + k_ph - A @ p @ k_ph + p.mH @ p @ (g.mH - k @ A),)
    k = p @ g.mH
    ph_k = p.mH @ k
    return (-(k @ p).mH + (g.mH - A @ k) @ p @ p.mH + ph_k - ph_k @ p @ A,)


def _matrix_exp(c, g):
    """The upper right block of exp([[A^T, G], [0, A^T]])."""
    A = c.args[0]
    n = A.shape[-1]
    at = A.mT
    block = lg.cat([lg.cat([at, g], -1), lg.cat([lg.zeros_like(A), at], -1)], -2)
    return (lg.linalg.matrix_exp(block)[..., :n, n:],)


def _eig(c, g_values, g_vectors):
    """torch's: gA = V^-H (diag(gL) + (V^H gV - V^H V diag(Re diag(V^H gV))) / conj(L_j - L_i)) V^H, the
    off-diagonal part only where gV is given (the eigenvectors' unit length fixes the diagonal's real part)."""
    values, vectors = c.out
    vh = vectors.mH
    n = values.shape[-1]
    if g_vectors is None:
        inner = lg.zeros_like(vectors)
    else:
        projected = vh @ g_vectors
        diagonal = projected.diagonal(0, -2, -1)
        if c.args[0].dtype.is_complex or values.dtype.is_complex:
            # a loss that changes when an eigenvector is multiplied by e^{i phi} has no gradient (torch checks too)
            from .. import complex_numbers
            if not bool((complex_numbers.imag_part(diagonal).abs() <= 1e-2).all()):
                raise RuntimeError("linalg_eig_backward: The eigenvectors in the complex case are specified up to "
                                   "multiplication by e^{i phi}. The specified loss function depends on this quantity, "
                                   "so it is ill-defined.")
        inner = projected - vh @ (vectors * real_part(diagonal).unsqueeze(-2))
        gaps = lg.conj(values.unsqueeze(-2) - values.unsqueeze(-1))
        eye = lg.eye(n, dtype=lg.bool, device=values.device)
        inner = lg.where(eye, 0, inner / lg.where(eye, 1, gaps))
    if g_values is not None:
        inner = inner + lg.diag_embed(g_values)
    return (lg.linalg.solve(vh, inner @ vh),)


def _geqrf(c, g_a, g_tau):
    raise NotImplementedError("the derivative for 'geqrf' is not implemented.")


LINALG_DERIVATIVES = {
    "geqrf": ("GeqrfBackward0", _geqrf),
    "linalg_inv": ("LinalgInvExBackward0", _inv),
    "linalg_inv_ex": ("LinalgInvExBackward0", _inv),
    "linalg_det": ("LinalgDetBackward0", _det),
    "cofactor": ("CofactorBackward0", _cofactor),
    "linalg_slogdet": ("LinalgSlogdetBackward0", _slogdet),
    "linalg_solve": ("LinalgSolveExBackward0", _solve),
    "linalg_solve_ex": ("LinalgSolveExBackward0", _solve),
    "linalg_solve_triangular": ("LinalgSolveTriangularBackward0", _solve_triangular),
    "linalg_cholesky": ("LinalgCholeskyExBackward0", _cholesky),
    "linalg_cholesky_ex": ("LinalgCholeskyExBackward0", _cholesky),
    "linalg_qr": ("LinalgQrBackward0", _qr),
    "linalg_eigh": ("LinalgEighBackward0", _eigh),
    "linalg_eig": ("LinalgEigBackward0", _eig),
    "linalg_eigvalsh": ("LinalgEighBackward0", _eigvalsh),
    "linalg_svd": ("LinalgSvdBackward0", _svd),
    "linalg_svdvals": ("LinalgSvdBackward0", _svdvals),
    "linalg_pinv": ("LinalgPinvBackward0", _pinv),
    "linalg_matrix_exp": ("LinalgMatrixExpBackward0", _matrix_exp),
    "linalg_lu": ("LinalgLuBackward0", _lu),
    "linalg_lu_factor": ("LinalgLuFactorExBackward0", _lu_factor),
    "linalg_lu_factor_ex": ("LinalgLuFactorExBackward0", _lu_factor),
}
# formulas that read the op's results (watched by the version check, as torch saves them)
READS_RESULT = frozenset({"linalg_inv", "linalg_inv_ex", "cofactor", "linalg_solve", "linalg_solve_ex",
                          "linalg_solve_triangular", "linalg_cholesky", "linalg_cholesky_ex", "linalg_qr",
                          "linalg_eigh", "linalg_eig", "linalg_svd", "linalg_pinv", "linalg_lu", "linalg_lu_factor",
                          "linalg_lu_factor_ex"})
