"""torch.linalg and torch's factorization functions: values against numpy.linalg (always) and torch (when
installed), gradients against torch and finite differences (second derivatives too), torch's errors, and
the library-call kernels in the schedule (lazy until realized, their sources materialized)."""
import warnings

import numpy as np
import pytest

import lazygrad as lg
from lazygrad.autograd import gradcheck, gradgradcheck
from oracle import assert_same, raises_like_torch, torch_or_skip

RNG = np.random.default_rng(7)
SQUARE = RNG.standard_normal((3, 4, 4)) + 4 * np.eye(4)  # well conditioned
SPD = SQUARE @ SQUARE.transpose(0, 2, 1) + np.eye(4)
TALL = RNG.standard_normal((2, 5, 3))
WIDE = RNG.standard_normal((2, 3, 5))
RHS = RNG.standard_normal((3, 4, 2))
DTYPES = [np.float32, np.float64]


def _tol(dtype):
    return dict(rtol=2e-4, atol=2e-4) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)


# ---- values against numpy.linalg (no torch needed) ---------------------------------------------------

NUMPY_CASES = {
    "inv": (lambda m, a: m.linalg.inv(a), [SQUARE]),
    "det": (lambda m, a: m.linalg.det(a), [SQUARE]),
    "slogdet": (lambda m, a: tuple(m.linalg.slogdet(a)), [SQUARE]),
    "solve": (lambda m, a, b: m.linalg.solve(a, b), [SQUARE, RHS]),
    "cholesky": (lambda m, a: m.linalg.cholesky(a), [SPD]),
    "eigvalsh": (lambda m, a: m.linalg.eigvalsh(a), [SPD]),
    "svdvals": (lambda m, a: m.linalg.svd(a, compute_uv=False) if m is np else m.linalg.svdvals(a), [TALL]),
    "pinv": (lambda m, a: m.linalg.pinv(a), [WIDE]),
    "matrix_rank": (lambda m, a: m.linalg.matrix_rank(a), [np.ones((2, 4, 4))]),
    "matrix_power": (lambda m, a: m.linalg.matrix_power(a, -3), [SQUARE]),
    "multi_dot": (lambda m, a, b: m.linalg.multi_dot([a[0], a[1], b[0], b[1][:, 0]]), [SQUARE, RHS[:, :, :1]
                                                                                      .repeat(4, 2)]),
    "norm_nuc": (lambda m, a: m.linalg.norm(a[0], "nuc"), [TALL]),
    "norm_inf": (lambda m, a: m.linalg.norm(a[0], np.inf), [TALL]),
    "cond": (lambda m, a: m.linalg.cond(a), [SQUARE]),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(NUMPY_CASES))
def test_values_match_numpy(name, dtype, backend):
    fn, arrays = NUMPY_CASES[name]
    arrays = [a.astype(dtype) for a in arrays]
    want = fn(np, *arrays)
    got = fn(lg, *(lg.tensor(a) for a in arrays))
    for g, w in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
        np.testing.assert_allclose(g.numpy(), w, **_tol(dtype))


def test_factorizations_reconstruct_their_input(backend):
    q, r = lg.linalg.qr(lg.tensor(TALL))
    np.testing.assert_allclose((q @ r).numpy(), TALL, atol=1e-12)
    np.testing.assert_allclose((q.mT @ q).numpy(), np.broadcast_to(np.eye(3), (2, 3, 3)), atol=1e-12)
    assert np.allclose(np.tril(r.numpy(), -1), 0)
    u, s, vh = lg.linalg.svd(lg.tensor(WIDE))
    assert u.shape == (2, 3, 3) and s.shape == (2, 3) and vh.shape == (2, 5, 5)
    np.testing.assert_allclose((u @ lg.diag_embed(s) @ vh[:, :3]).numpy(), WIDE, atol=1e-12)
    values, vectors = lg.linalg.eigh(lg.tensor(SPD))
    np.testing.assert_allclose((vectors @ lg.diag_embed(values) @ vectors.mT).numpy(), SPD, atol=1e-10)
    upper = lg.linalg.cholesky(lg.tensor(SPD), upper=True)
    np.testing.assert_allclose((upper.mT @ upper).numpy(), SPD, atol=1e-10)
    np.testing.assert_allclose(lg.linalg.matrix_exp(lg.zeros(2, 3, 3, dtype=lg.float64)).numpy(),
                               np.broadcast_to(np.eye(3), (2, 3, 3)))


def test_solve_triangular_substitutes_exactly(backend):
    a = np.triu(SQUARE)
    x = lg.linalg.solve_triangular(lg.tensor(a), lg.tensor(RHS), upper=True)
    np.testing.assert_allclose(a @ x.numpy(), RHS, atol=1e-12)
    # a zero pivot gives IEEE infinities and NaNs, no error (torch's trsm does the same)
    singular = lg.linalg.solve_triangular(lg.tensor([[1.0, 0], [0, 0]]), lg.tensor([[1.0], [1.0]]), upper=False)
    assert np.isinf(singular.numpy()[1, 0])


# ---- values, dtypes, result types and grad_fn names against torch -------------------------------------

TORCH_CASES = {
    "inv": (lambda m, a: m.linalg.inv(a), [SQUARE]),
    "inv_ex": (lambda m, a: tuple(m.linalg.inv_ex(a)), [SQUARE]),
    "inverse": (lambda m, a: m.inverse(a), [SQUARE]),
    "det": (lambda m, a: m.linalg.det(a), [SQUARE]),
    "det_method": (lambda m, a: a.det(), [SQUARE]),
    "slogdet": (lambda m, a: tuple(m.linalg.slogdet(a)), [SQUARE]),
    "logdet": (lambda m, a: m.logdet(a), [SQUARE]),
    "solve": (lambda m, a, b: m.linalg.solve(a, b), [SQUARE, RHS]),
    "solve_vector": (lambda m, a, b: m.linalg.solve(a, b[..., 0]), [SQUARE, RHS]),
    "solve_1d": (lambda m, a, b: m.linalg.solve(a[0], b[0, :, 0]), [SQUARE, RHS]),
    "solve_broadcast": (lambda m, a, b: m.linalg.solve(a[:1], b), [SQUARE, RHS]),
    "solve_right": (lambda m, a, b: m.linalg.solve(a, b.mT, left=False), [SQUARE, RHS]),
    "solve_ex": (lambda m, a, b: tuple(m.linalg.solve_ex(a, b)), [SQUARE, RHS]),
    "solve_triangular": (lambda m, a, b: m.linalg.solve_triangular(a, b, upper=True), [SQUARE, RHS]),
    "solve_triangular_right_unit": (lambda m, a, b: m.linalg.solve_triangular(a, b.mT, upper=False, left=False,
                                                                             unitriangular=True), [SQUARE, RHS]),
    "cholesky": (lambda m, a: m.linalg.cholesky(a), [SPD]),
    "cholesky_upper": (lambda m, a: m.linalg.cholesky(a, upper=True), [SPD]),
    "cholesky_ex": (lambda m, a: tuple(m.linalg.cholesky_ex(a)), [SPD]),
    "cholesky_solve": (lambda m, a, b: m.cholesky_solve(b, m.linalg.cholesky(a)), [SPD, RHS]),
    "cholesky_inverse": (lambda m, a: m.cholesky_inverse(m.linalg.cholesky(a)), [SPD]),
    "qr_r": (lambda m, a: m.linalg.qr(a, mode="r").R.abs(), [TALL]),
    "eigvalsh": (lambda m, a: m.linalg.eigvalsh(a, UPLO="U"), [SPD]),
    "svdvals": (lambda m, a: m.linalg.svdvals(a), [WIDE]),
    "pinv": (lambda m, a: m.linalg.pinv(a), [TALL]),
    "pinv_hermitian": (lambda m, a: m.linalg.pinv(a, hermitian=True), [SPD]),
    "pinverse": (lambda m, a: m.pinverse(a), [WIDE]),
    "matrix_exp": (lambda m, a: m.linalg.matrix_exp(a * 0.5), [SQUARE]),
    "matrix_power": (lambda m, a: m.linalg.matrix_power(a, 5), [SQUARE]),
    "matrix_power_zero": (lambda m, a: m.linalg.matrix_power(a, 0), [SQUARE]),
    "matrix_rank": (lambda m, a: m.linalg.matrix_rank(a, atol=0.5, rtol=0.1), [TALL]),
    "matrix_rank_hermitian": (lambda m, a: m.linalg.matrix_rank(a, hermitian=True), [SPD]),
    "matrix_norm_fro": (lambda m, a: m.linalg.matrix_norm(a), [TALL]),
    "matrix_norm_nuc": (lambda m, a: m.linalg.matrix_norm(a, "nuc", keepdim=True), [TALL]),
    "matrix_norm_2": (lambda m, a: m.linalg.matrix_norm(a, -2), [TALL]),
    "matrix_norm_1": (lambda m, a: m.linalg.matrix_norm(a, 1, dim=(0, 2)), [TALL]),
    "matrix_norm_inf": (lambda m, a: m.linalg.matrix_norm(a, -float("inf"), keepdim=True), [TALL]),
    "norm_vector": (lambda m, a: m.linalg.norm(a, dim=1), [TALL]),
    "norm_flat": (lambda m, a: m.linalg.norm(a), [TALL]),
    "norm_matrix_ord": (lambda m, a: m.linalg.norm(a[0], 1), [TALL]),
    "vector_norm": (lambda m, a: m.linalg.vector_norm(a, 3, dim=(0, 2), keepdim=True), [TALL]),
    "vector_norm_inf": (lambda m, a: m.linalg.vector_norm(a, float("inf")), [TALL]),
    "cond": (lambda m, a: m.linalg.cond(a), [SQUARE]),
    "cond_1": (lambda m, a: m.linalg.cond(a[0], 1), [SQUARE]),
    "vecdot": (lambda m, a, b: m.linalg.vecdot(a, b, dim=1), [SQUARE, SQUARE]),
    "vander": (lambda m, a: m.linalg.vander(a[0, 0], N=3), [SQUARE]),
    "diagonal": (lambda m, a: m.linalg.diagonal(a, offset=1), [SQUARE]),
    "multi_dot": (lambda m, a, b: m.linalg.multi_dot([a[0, :1, :], a[1], a[2], b[0]]), [SQUARE, RHS]),
    "tensorinv": (lambda m, a: m.linalg.tensorinv(a[0].reshape(2, 2, 4), 2), [SQUARE]),
    "tensorsolve": (lambda m, a, b: m.linalg.tensorsolve(a[0].reshape(2, 2, 4), b[0, :, 0].reshape(2, 2)),
                    [SQUARE, RHS]),
    "lstsq": (lambda m, a: tuple(m.linalg.lstsq(a, a[..., :2].exp()))[:3], [TALL]),
    "lstsq_gelsd": (lambda m, a: tuple(m.linalg.lstsq(a, a[..., :2].exp(), driver="gelsd"))[:2], [TALL]),
    "legacy_svd_values": (lambda m, a: m.svd(a, compute_uv=False).S, [TALL]),
    "lu_factor": (lambda m, a: tuple(m.linalg.lu_factor(a)), [SQUARE]),
    "lu_factor_ex_wide": (lambda m, a: tuple(m.linalg.lu_factor_ex(a)), [WIDE]),
    "lu_tall": (lambda m, a: tuple(m.linalg.lu(a)), [TALL]),
    "lu_singular": (lambda m, a: tuple(m.linalg.lu(a * 0)), [SQUARE]),
    "lu_solve": (lambda m, a, b: m.linalg.lu_solve(*m.linalg.lu_factor(a), b), [SQUARE, RHS]),
    "lu_solve_adjoint_right": (lambda m, a, b: m.linalg.lu_solve(*m.linalg.lu_factor(a), b.mT, left=False,
                                                                  adjoint=True), [SQUARE, RHS]),
    "lu_unpack": (lambda m, a: tuple(m.lu_unpack(*m.linalg.lu_factor(a))), [WIDE]),
}


@pytest.mark.parametrize("name", list(TORCH_CASES))
def test_like_torch(name):
    torch = torch_or_skip()
    fn, arrays = TORCH_CASES[name]
    got = fn(lg, *(lg.tensor(a) for a in arrays))
    want = fn(torch, *(torch.tensor(a) for a in arrays))
    assert_same(got, want, rtol=1e-9, atol=1e-9)


def test_named_results_print_like_torch():
    torch = torch_or_skip()
    for fn in (lambda m: m.linalg.slogdet(m.eye(2) * 2), lambda m: m.linalg.inv_ex(m.eye(2)),
               lambda m: m.slogdet(m.eye(2)), lambda m: m.linalg.cholesky_ex(m.eye(2))):
        assert repr(fn(lg)) == repr(fn(torch)).replace("torch.", "lazygrad.")
    for fn, fields in ((lg.linalg.qr, ("Q", "R")), (lg.linalg.svd, ("U", "S", "Vh")), (lg.linalg.eigh, None),
                       (lg.qr, ("Q", "R")), (lg.svd, ("U", "S", "V"))):
        result = fn(lg.eye(3))
        assert result._fields == (fields or ("eigenvalues", "eigenvectors"))


# ---- gradients: against torch (sign-invariant functions of the factors) and finite differences ------

GRAD_CASES = {
    "inv": (lambda m, a: m.linalg.inv(a), [SQUARE]),
    "det": (lambda m, a: m.linalg.det(a), [SQUARE]),
    "slogdet": (lambda m, a: m.linalg.slogdet(a).logabsdet, [SQUARE]),
    "solve": (lambda m, a, b: m.linalg.solve(a, b), [SQUARE, RHS]),
    "solve_vector": (lambda m, a, b: m.linalg.solve(a, b[..., 0]), [SQUARE, RHS]),
    "solve_right_broadcast": (lambda m, a, b: m.linalg.solve(a[:1], b.mT, left=False), [SQUARE, RHS]),
    "solve_triangular": (lambda m, a, b: m.linalg.solve_triangular(a, b, upper=False), [SQUARE, RHS]),
    "solve_triangular_unit_right": (lambda m, a, b: m.linalg.solve_triangular(a, b.mT, upper=True, left=False,
                                                                             unitriangular=True), [SQUARE, RHS]),
    "cholesky": (lambda m, a: m.linalg.cholesky(a), [SPD]),
    "cholesky_upper": (lambda m, a: m.linalg.cholesky(a, upper=True), [SPD]),
    "qr_tall": (lambda m, a: m.linalg.qr(a).Q * m.linalg.qr(a).R[..., :1, :1].sign(), [TALL]),
    "qr_tall_r": (lambda m, a: m.linalg.qr(a).R.abs(), [TALL]),
    "qr_wide": (lambda m, a: m.linalg.qr(a).R.abs(), [WIDE]),
    "eigh_values": (lambda m, a: m.linalg.eigh(a).eigenvalues, [SPD]),
    "eigh_vectors": (lambda m, a: m.linalg.eigh(a).eigenvectors ** 2, [SPD]),
    "eigvalsh": (lambda m, a: m.linalg.eigvalsh(a), [SPD]),
    "svd_tall": (lambda m, a: m.linalg.svd(a, full_matrices=False).U ** 2, [TALL]),
    "svd_wide": (lambda m, a: m.linalg.svd(a, full_matrices=False).Vh ** 2, [WIDE]),
    "svd_full": (lambda m, a: m.linalg.svd(a).S, [WIDE]),
    "svdvals": (lambda m, a: m.linalg.svdvals(a), [TALL]),
    "pinv_tall": (lambda m, a: m.linalg.pinv(a), [TALL]),
    "pinv_wide": (lambda m, a: m.linalg.pinv(a), [WIDE]),
    "matrix_exp": (lambda m, a: m.linalg.matrix_exp(a * 0.3), [SQUARE]),
    "matrix_norm_nuc": (lambda m, a: m.linalg.matrix_norm(a, "nuc"), [TALL]),
    "vector_norm": (lambda m, a: m.linalg.vector_norm(a, 3, dim=-1), [TALL]),
    "lu_square": (lambda m, a: m.linalg.lu(a).U, [SQUARE]),
    "lu_wide": (lambda m, a: m.linalg.lu(a).L, [WIDE]),
    "lu_factor_tall": (lambda m, a: m.linalg.lu_factor(a).LU, [TALL]),
}


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_gradients_like_torch(name):
    torch = torch_or_skip()
    fn, arrays = GRAD_CASES[name]
    ins_lg = [lg.tensor(a, requires_grad=True) for a in arrays]
    ins_t = [torch.tensor(a, requires_grad=True) for a in arrays]
    out_lg, out_t = fn(lg, *ins_lg), fn(torch, *ins_t)
    assert type(out_lg.grad_fn).__name__ == type(out_t.grad_fn).__name__
    assert_same(out_lg.detach(), out_t.detach(), rtol=1e-9, atol=1e-9)
    back = np.random.default_rng(1).standard_normal(tuple(out_t.shape))
    want = torch.autograd.grad(out_t, ins_t, torch.tensor(back), allow_unused=True, materialize_grads=True)
    got = lg.autograd.grad(out_lg, ins_lg, lg.tensor(back), allow_unused=True)
    for g, w in zip(got, want):
        assert_same(g, w, rtol=1e-8, atol=1e-9)


SECOND_ORDER = {
    "inv": (lambda a: lg.linalg.inv(a), SQUARE[0]),
    "det": (lambda a: lg.linalg.det(a), SQUARE[0]),
    "slogdet": (lambda a: lg.linalg.slogdet(a).logabsdet, SQUARE[:2]),
    "solve": (lambda a: lg.linalg.solve(a, a[..., :1] * 2 + 1), SQUARE[0]),
    "cholesky": (lambda a: lg.linalg.cholesky(a @ a.mT + lg.eye(4, dtype=a.dtype)), SQUARE[0]),
    "qr": (lambda a: lg.linalg.qr(a).R.abs(), TALL[0]),
    "eigh": (lambda a: lg.linalg.eigh(a + a.mT).eigenvalues, SQUARE[0]),
    "svdvals": (lambda a: lg.linalg.svdvals(a), TALL[0]),
    "pinv": (lambda a: lg.linalg.pinv(a), WIDE[0]),
    "solve_triangular": (lambda a: lg.linalg.solve_triangular(a, a.mT, upper=True), SQUARE[0]),
    "matrix_exp": (lambda a: lg.linalg.matrix_exp(a * 0.2), SQUARE[0]),
    "lu": (lambda a: lg.linalg.lu(a).U, SQUARE[0]),
    "lu_solve": (lambda a: lg.linalg.lu_solve(*lg.linalg.lu_factor(a), a.mT), SQUARE[0]),
}


@pytest.mark.parametrize("name", list(SECOND_ORDER))
def test_first_and_second_derivatives_by_finite_differences(name):
    fn, value = SECOND_ORDER[name]
    x = lg.tensor(value, requires_grad=True)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_determinant_gradient_is_the_cofactor_matrix_even_when_singular():
    """Through the SVD: exact where A^-1 does not exist (torch 2.13 returns zeros for this matrix)."""
    a = np.array([[1.0, 2, 3], [2, 4, 6], [1, 0, 1]])
    cofactor = np.array([[(-1) ** (i + j) * np.linalg.det(np.delete(np.delete(a, i, 0), j, 1)) for j in range(3)]
                         for i in range(3)])
    x = lg.tensor(a, requires_grad=True)
    lg.linalg.det(x).backward()
    np.testing.assert_allclose(x.grad.numpy(), cofactor, atol=1e-12)


def test_hessian_of_log_det_is_minus_the_inverse_sandwich():
    """d2 log det(A) [E, F] = -tr(A^-1 E A^-1 F): a Hessian-vector product through slogdet and inv."""
    a = lg.tensor(SPD[0], requires_grad=True)
    e = lg.tensor(RNG.standard_normal((4, 4)))
    (g,) = lg.autograd.grad(lg.linalg.slogdet(a).logabsdet, a, create_graph=True)
    (hv,) = lg.autograd.grad((g * e).sum(), a)
    inv = np.linalg.inv(SPD[0])
    np.testing.assert_allclose(hv.numpy(), -(inv @ e.numpy() @ inv).T, rtol=1e-9, atol=1e-12)


# ---- errors: torch's classes and messages --------------------------------------------------------------

ERRORS = {
    "not_square": (lambda m: m.linalg.inv(m.ones(2, 3)), RuntimeError),
    "integer": (lambda m: m.linalg.det(m.ones(2, 2, dtype=m.long)), RuntimeError),
    "half": (lambda m: m.linalg.inv(m.ones(2, 2, dtype=m.half)), RuntimeError),
    "one_dim": (lambda m: m.linalg.svd(m.ones(3)), RuntimeError),
    "solve_shapes": (lambda m: m.linalg.solve(m.eye(3), m.ones(2)), RuntimeError),
    "solve_dtypes": (lambda m: m.linalg.solve(m.eye(3), m.ones(3, 2, dtype=m.float64)), RuntimeError),
    "solve_triangular_shapes": (lambda m: m.linalg.solve_triangular(m.eye(3), m.ones(3, 2), upper=True,
                                                                    left=False), RuntimeError),
    "qr_mode": (lambda m: m.linalg.qr(m.eye(2), mode="x"), RuntimeError),
    "eigh_not_square": (lambda m: m.linalg.eigh(m.ones(2, 3)), RuntimeError),
    "matrix_power_not_square": (lambda m: m.linalg.matrix_power(m.ones(2, 3), 2), RuntimeError),
    "matrix_power_float": (lambda m: m.linalg.matrix_power(m.eye(2), 1.5), TypeError),
    "matrix_norm_order": (lambda m: m.linalg.matrix_norm(m.eye(2), 3), RuntimeError),
    "norm_3d_with_ord": (lambda m: m.linalg.norm(m.ones(2, 2, 2), 2), RuntimeError),
    "pinv_1d": (lambda m: m.linalg.pinv(m.ones(3)), RuntimeError),
    "multi_dot_one": (lambda m: m.linalg.multi_dot([m.eye(2)]), RuntimeError),
    "multi_dot_shapes": (lambda m: m.linalg.multi_dot([m.ones(5, 3), m.ones(4, 3)]), RuntimeError),
    "vecdot_dtypes": (lambda m: m.linalg.vecdot(m.ones(3), m.ones(3, dtype=m.float64)), RuntimeError),
    "vander_n": (lambda m: m.linalg.vander(m.ones(3), N=1), RuntimeError),
    "lu_without_pivoting": (lambda m: m.linalg.lu_factor(m.eye(2), pivot=False), RuntimeError),
    "lu_solve_shapes": (lambda m: m.linalg.lu_solve(*m.linalg.lu_factor(m.eye(3)), m.ones(2, 2)), RuntimeError),
    "lu_factor_1d": (lambda m: m.linalg.lu_factor(m.ones(3)), RuntimeError),
    "lu_1d": (lambda m: m.linalg.lu(m.ones(3)), RuntimeError),
    "cond_order": (lambda m: m.linalg.cond(m.eye(3), 3), RuntimeError),
    "cond_not_square": (lambda m: m.linalg.cond(m.ones(2, 3), "fro"), RuntimeError),
    "cholesky_ex_not_square": (lambda m: m.linalg.cholesky_ex(m.ones(2, 3)), RuntimeError),
    "cholesky_solve_1d": (lambda m: m.cholesky_solve(m.ones(3), m.eye(3)), RuntimeError),
    "cholesky_solve_shapes": (lambda m: m.cholesky_solve(m.ones(2, 1), m.eye(3)), RuntimeError),
    "logdet_1d": (lambda m: m.logdet(m.ones(3)), RuntimeError),
    "logdet_not_square": (lambda m: m.logdet(m.ones(2, 3)), RuntimeError),
    "triangular_solve_shapes": (lambda m: m.triangular_solve(m.ones(2, 1), m.eye(3)), RuntimeError),
    "matrix_rank_1d": (lambda m: m.linalg.matrix_rank(m.ones(3)), RuntimeError),
    "lstsq_1d": (lambda m: m.linalg.lstsq(m.ones(3), m.ones(3)), RuntimeError),
    "lstsq_dims": (lambda m: m.linalg.lstsq(m.ones(2, 3, 4), m.ones(3)), RuntimeError),
    "lstsq_vector_rows": (lambda m: m.linalg.lstsq(m.ones(2, 3), m.ones(3)), RuntimeError),
    # a zero pivot: a RuntimeError (not LinAlgError) in torch, raised when the call runs here
    "lu_factor_singular": (lambda m: m.linalg.lu_factor(m.tensor([[1.0, 2], [2, 4]])).LU.sum().item(), RuntimeError),
    "lu_factor_ex_checked": (lambda m: m.linalg.lu_factor_ex(m.zeros(2, 2, 2), check_errors=True).LU.sum().item(),
                             RuntimeError),
    "norm_fro_of_a_vector": (lambda m: m.linalg.norm(m.ones(3), "fro"), RuntimeError),
    "norm_nuc_one_dim": (lambda m: m.linalg.norm(m.ones(3, 4), "nuc", dim=(0,)), RuntimeError),
    "norm_ord_of_3d": (lambda m: m.linalg.norm(m.ones(2, 3, 4), "fro"), RuntimeError),
    # half precision: refused by torch's LAPACK kernels (by name) or by its own checks
    **{f"half_{name}": (call, NotImplementedError) for name, call in (
        ("det", lambda m: m.linalg.det(m.eye(3).half())), ("solve", lambda m: m.linalg.solve(m.eye(3).half(), m.eye(3).half())),
        ("lu", lambda m: m.linalg.lu(m.eye(3).bfloat16())), ("cholesky", lambda m: m.linalg.cholesky(m.eye(3).half())),
        ("qr", lambda m: m.linalg.qr(m.eye(3).half())), ("svdvals", lambda m: m.linalg.svdvals(m.eye(3).bfloat16())),
        ("eigh", lambda m: m.linalg.eigh(m.eye(3).half())), ("cholesky_inverse", lambda m: m.cholesky_inverse(m.eye(3).half())),
        ("solve_triangular", lambda m: m.linalg.solve_triangular(m.eye(3).half(), m.eye(3).half(), upper=True)),
        ("lu_solve", lambda m: m.linalg.lu_solve(m.eye(3).half(), m.ones(3, dtype=m.int32), m.eye(3).half())),
        ("householder_product", lambda m: m.linalg.householder_product(m.eye(3).half(), m.ones(2).half())))},
    "half_inv": (lambda m: m.linalg.inv(m.eye(3).half()), RuntimeError),
    "half_matrix_rank": (lambda m: m.linalg.matrix_rank(m.eye(3).half()), RuntimeError),
    "half_nuclear_norm": (lambda m: m.linalg.matrix_norm(m.eye(3).half(), "nuc"), RuntimeError),
}
# value errors, raised when the library call runs (torch raises at the call, lazygrad at realization)
VALUE_ERRORS = {
    "singular": (lambda m: m.linalg.inv(m.tensor([[1.0, 2], [2, 4]])).sum().item(), RuntimeError),
    "singular_batch": (lambda m: m.linalg.inv(m.zeros(2, 3, 3)).sum().item(), RuntimeError),
    "not_positive_definite": (lambda m: m.linalg.cholesky(m.stack([m.eye(3), -m.eye(3)])).sum().item(),
                              RuntimeError),
    "solve_singular": (lambda m: m.linalg.solve(m.zeros(2, 2), m.ones(2)).sum().item(), RuntimeError),
    "solve_singular_batch": (lambda m: m.linalg.solve(m.stack([m.eye(2), m.zeros(2, 2)]), m.ones(2, 2)).sum().item(),
                             RuntimeError),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_like_torch(name):
    fn, exc = ERRORS[name]
    raises_like_torch(fn, exc)


def test_matrix_exp_of_half_precision_is_computed():
    """torch takes float16/bfloat16 here (its CPU result is garbage: -21056 for a matrix of norm 1); lazygrad
    computes in float32 and rounds once, which the float64 value confirms."""
    a = np.array([[0.5, 0.25], [-0.125, 0.75]])
    want, term = np.eye(2), np.eye(2)
    for k in range(1, 30):  # (the exponential's series, converged far below half precision)
        term = term @ a / k
        want = want + term
    for dtype in ("float16", "bfloat16"):
        got = lg.linalg.matrix_exp(lg.tensor(a).to(getattr(lg, dtype)))
        assert got.dtype is getattr(lg, dtype)
        np.testing.assert_allclose(got.float().numpy(), want, rtol=1e-2)


@pytest.mark.parametrize("name", list(VALUE_ERRORS))
def test_value_errors_like_torch(name):
    """torch.linalg.LinAlgError's message, from lazygrad.linalg.LinAlgError (both RuntimeErrors)."""
    torch = torch_or_skip()
    fn, _ = VALUE_ERRORS[name]
    with pytest.raises(torch.linalg.LinAlgError) as want:
        fn(torch)
    with pytest.raises(lg.linalg.LinAlgError) as got:
        fn(lg)
    assert str(got.value) == str(want.value)


def test_linalg_error_is_a_runtime_error_raised_at_realization():
    x = lg.linalg.inv(lg.zeros(2, 2))  # building the graph does not factorize anything
    with pytest.raises(lg.linalg.LinAlgError, match="The diagonal element 1 is zero"):
        x.realize()
    assert issubclass(lg.linalg.LinAlgError, RuntimeError)


def test_ex_variants_report_info_instead_of_raising():
    torch = torch_or_skip()
    for fn in (lambda m: m.linalg.cholesky_ex(m.stack([m.eye(3), -m.eye(3) + 2 * m.eye(3)[:, [1, 0, 2]]])),
               lambda m: m.linalg.inv_ex(m.stack([m.eye(2), m.zeros(2, 2)])).info,
               lambda m: m.linalg.solve_ex(m.zeros(2, 2), m.ones(2)).info):
        got, want = fn(lg), fn(torch)
        got, want = (got, want) if isinstance(want, torch.Tensor) else (got.info, want.info)
        assert_same(got, want)
    with pytest.raises(lg.linalg.LinAlgError):
        lg.linalg.inv_ex(lg.zeros(2, 2), check_errors=True)[0].realize()


def test_legacy_spellings_warn_as_torch_does():
    with pytest.warns(UserWarning, match="torch.qr is deprecated"):
        lg.qr(lg.eye(2))
    with pytest.warns(UserWarning, match="deprecated in favor of torch.linalg.cholesky"):
        lg.cholesky(lg.eye(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lg.linalg.qr(lg.eye(2))


# ---- the graph: one library-call kernel, lazy until realized ------------------------------------------

def test_a_factorization_is_one_library_call_kernel_between_fused_ones():
    m = lg.tensor(SQUARE[0], dtype=lg.float32)
    y = (lg.linalg.inv(m @ m.mT + lg.eye(4)) * 2).sum()
    kernels = lg.schedule(y)
    kinds = [k.kind for k in kernels]
    assert kinds.count("library call") == 1
    call = next(k for k in kernels if k.kind == "library call")
    assert call.name == "lib_inv_4x4" and "library call" in call.source and "LAPACK" in call.source
    cuda = lg.schedule(y, target="cuda")  # rendered for a GPU without one: the call is listed the same way
    assert [k.kind for k in cuda].count("library call") == 1
    np.testing.assert_allclose(y.item(), 2 * np.linalg.inv(SQUARE[0] @ SQUARE[0].T + np.eye(4)).sum(), rtol=1e-5)


def test_results_of_one_call_share_it():
    """U, S and Vh read one call's packed results; a stored input is passed as it is (no copy first)."""
    a = lg.tensor(TALL)
    u, s, vh = lg.linalg.svd(a, full_matrices=False)
    names = [k.name for k in lg.schedule(u, s, vh)]
    assert names.count("lib_svd_2x5x3") == 1 and len(names) == 4, names  # the call, a copy per result
    lg.realize(u, s, vh)
    again = [k.kind for k in lg.schedule(lg.linalg.svd(a, full_matrices=False).S)]
    assert again == ["elementwise"], again  # the same call, stored already: only S is read out
    alone = [k.name for k in lg.schedule(lg.linalg.svdvals(a))]
    assert alone == ["lib_svdvals_2x5x3"], alone  # values alone: LAPACK skips the vectors


def test_a_view_is_copied_before_the_call(backend):
    a = lg.tensor(SQUARE.transpose(1, 0, 2).copy()).transpose(0, 1)  # non-contiguous
    np.testing.assert_allclose(lg.linalg.inv(a).numpy(), np.linalg.inv(SQUARE), rtol=1e-10)


EMPTY = {
    "inv": lambda m, a: m.linalg.inv(a), "det": lambda m, a: m.linalg.det(a),
    "lu_factor": lambda m, a: m.linalg.lu_factor(a).LU, "cond": lambda m, a: m.linalg.cond(a),
    "svdvals": lambda m, a: m.linalg.svdvals(a), "cholesky": lambda m, a: m.linalg.cholesky(a),
    "matrix_rank": lambda m, a: m.linalg.matrix_rank(a), "pinv": lambda m, a: m.linalg.pinv(a),
}


@pytest.mark.parametrize("shape", [(0, 0), (0, 3, 3), (2, 0, 0)])
@pytest.mark.parametrize("name", list(EMPTY))
def test_empty_matrices_like_torch(name, shape):
    torch = torch_or_skip()
    a = np.zeros(shape)
    assert_same(EMPTY[name](lg, lg.tensor(a)), EMPTY[name](torch, torch.tensor(a)))


@pytest.mark.parametrize("matrix", [[[1.0, 2], [2, 4]], [[0.0, 0], [0, 0]], [[1.0, 0], [0, 0]], [[2.0, 1], [1, 3]]])
def test_condition_numbers_of_singular_matrices_like_torch(matrix):
    """Infinite through the inverse (fro, 1, inf and their negatives) wherever LU finds A singular, even for a zero
    matrix; "nuc" is sum(s) * sum(1/s) (NaN for a zero matrix, as torch gives)."""
    torch = torch_or_skip()
    a = np.array(matrix)
    for p in ("fro", "nuc", 1, -1, np.inf, -np.inf):
        assert_same(lg.linalg.cond(lg.tensor(a), p), torch.linalg.cond(torch.tensor(a), p))
    batch = np.stack([a, np.eye(2)])
    assert_same(lg.linalg.cond(lg.tensor(batch), "fro"), torch.linalg.cond(torch.tensor(batch), "fro"))


def test_vecdot_conjugates_its_first_argument():
    torch = torch_or_skip()
    rng = np.random.default_rng(5)
    x, y = (rng.standard_normal((2, 3, 4)) + 1j * rng.standard_normal((2, 3, 4)) for _ in range(2))
    assert_same(lg.linalg.vecdot(lg.tensor(x), lg.tensor(y), dim=1),
                torch.linalg.vecdot(torch.tensor(x), torch.tensor(y), dim=1))
    np.testing.assert_allclose(lg.linalg.vecdot(lg.tensor(x), lg.tensor(x)).numpy().imag, 0, atol=1e-12)


@pytest.mark.parametrize("shape", [(0, 1), (1, 0), (0, 0), (2, 0, 3), (3, 0)])
@pytest.mark.parametrize("ord", ["fro", "nuc", 2, -2, 1, -1, np.inf, -np.inf])
def test_matrix_norms_of_empty_matrices_like_torch(ord, shape):
    """Positive orders give 0 where there is nothing to take the largest of; negative ones refuse, naming the
    dim of the minimum that is empty (the singular values' -1 for -2)."""
    torch = torch_or_skip()
    a = np.ones(shape)
    for keepdim in (False, True):
        try:
            want = torch.linalg.matrix_norm(torch.tensor(a), ord, keepdim=keepdim)
        except IndexError:
            raises_like_torch(lambda m: m.linalg.matrix_norm(m.tensor(a), ord, keepdim=keepdim), IndexError)
            continue
        assert_same(lg.linalg.matrix_norm(lg.tensor(a), ord, keepdim=keepdim), want)


# ---- LDL^T with Bunch-Kaufman pivoting -----------------------------------------------------------------

def _symmetric(n: int, dtype, hermitian: bool, batch=(2,), seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((*batch, n, n))
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.standard_normal((*batch, n, n))
    a = a.astype(dtype)
    return a + (a.conj() if hermitian else a).swapaxes(-1, -2)


def _ldl_product(ld: np.ndarray, pivots: np.ndarray, hermitian: bool) -> np.ndarray:
    """P L D L^H P^T rebuilt from LD and LAPACK's pivots, by applying the factorization's steps backwards
    (numpy only: the oracle that does not need torch)."""
    n = ld.shape[0]
    conj = np.conj if hermitian else (lambda v: v)
    m, k, steps = np.zeros_like(ld), 0, []
    while k < n:  # D, and each step's block, interchange and L columns
        step = 1 if pivots[k] > 0 else 2
        m[k:k + step, k:k + step] = ld[k:k + step, k:k + step]
        if step == 2:
            m[k, k + 1] = conj(ld[k + 1, k])
        steps.append((k, step, abs(pivots[k]) - 1))
        k += step
    for k, step, kp in reversed(steps):  # A_k = P_k L_k [D_k 0; 0 A_{k+step}] L_k^H P_k^T
        low = np.eye(n, dtype=ld.dtype)
        low[k + step:, k:k + step] = ld[k + step:, k:k + step]
        m = low @ m @ conj(low).T
        swap = np.eye(n, dtype=ld.dtype)
        swap[[k + step - 1, kp]] = swap[[kp, k + step - 1]]
        m = swap @ m @ swap.T
    return m


@pytest.mark.parametrize("n", [1, 2, 5, 12, 70])
@pytest.mark.parametrize("dtype,hermitian", [(np.float64, False), (np.float32, False), (np.complex128, True),
                                             (np.complex128, False)])
def test_ldl_factor_rebuilds_the_matrix_and_solves(n, dtype, hermitian):
    a = _symmetric(n, dtype, hermitian, seed=n)
    ld, pivots = lg.linalg.ldl_factor(lg.tensor(a), hermitian=hermitian)
    assert pivots.dtype is lg.int32 and ld.shape == a.shape and pivots.shape == a.shape[:-1]
    tol = 1e-3 if dtype == np.float32 else 1e-10
    for i in range(a.shape[0]):
        np.testing.assert_allclose(_ldl_product(ld.numpy()[i], pivots.numpy()[i], hermitian), a[i],
                                   rtol=tol, atol=tol * n)
        assert np.all(np.triu(ld.numpy()[i], 1) == 0)
    b = np.random.default_rng(1).standard_normal((2, n, 3)).astype(dtype)
    x = lg.linalg.ldl_solve(ld, pivots, lg.tensor(b), hermitian=hermitian)
    np.testing.assert_allclose(a @ x.numpy(), b, rtol=tol * 10, atol=tol * 10 * n)


@pytest.mark.parametrize("n", [3, 8, 70])
@pytest.mark.parametrize("dtype,hermitian", [(np.float64, False), (np.complex128, True), (np.complex128, False)])
def test_ldl_factor_and_solve_match_torch(n, dtype, hermitian):
    """The same pivots as LAPACK's sytrf/hetrf (torch's) and the same factors, blocked (n = 70) or not."""
    torch = torch_or_skip()
    a = _symmetric(n, dtype, hermitian, batch=(3,), seed=10 + n)
    b = np.random.default_rng(2).standard_normal((3, n, 2)).astype(dtype)
    got = lg.linalg.ldl_factor_ex(lg.tensor(a), hermitian=hermitian)
    want = torch.linalg.ldl_factor_ex(torch.tensor(a), hermitian=hermitian)
    assert_same(got, want, rtol=1e-9, atol=1e-9)
    assert_same(lg.linalg.ldl_solve(got.LD, got.pivots, lg.tensor(b), hermitian=hermitian),
                torch.linalg.ldl_solve(want.LD, want.pivots, torch.tensor(b), hermitian=hermitian),
                rtol=1e-8, atol=1e-8)


def test_ldl_edge_cases_match_torch():
    """Zero columns (info, and pivots without interchange), a NaN on the diagonal, a zero diagonal (a 2x2
    block), empty batches, and solves broadcasting LD over B's batch."""
    torch = torch_or_skip()
    nan = float("nan")
    for a in (np.zeros((3, 3)), np.array([[nan]]), np.array([[nan, 2.0], [2.0, 1.0]]), np.array([[0.0, 1], [1, 0]]),
              np.zeros((2, 0, 0)), np.diag([0.0, 2.0, 0.0])):
        assert_same(lg.linalg.ldl_factor_ex(lg.tensor(a)), torch.linalg.ldl_factor_ex(torch.tensor(a)))
    a, b = _symmetric(4, np.float64, False, batch=()), np.ones((5, 4, 2))
    ld, pivots = lg.linalg.ldl_factor(lg.tensor(a))
    want = torch.linalg.ldl_solve(*torch.linalg.ldl_factor(torch.tensor(a)), torch.tensor(b))
    assert_same(lg.linalg.ldl_solve(ld, pivots, lg.tensor(b)), want, rtol=1e-10, atol=1e-10)
    assert_same(lg.linalg.ldl_solve(ld, pivots.long(), lg.tensor(b)), want, rtol=1e-10, atol=1e-10)


LDL_ERRORS = [
    (lambda m: m.linalg.ldl_factor(m.zeros(3)), RuntimeError),
    (lambda m: m.linalg.ldl_factor_ex(m.zeros(2, 3)), RuntimeError),
    (lambda m: m.linalg.ldl_factor(m.zeros(3, 3, dtype=m.int64)), RuntimeError),
    (lambda m: m.linalg.ldl_factor(m.eye(3, dtype=m.float16)), NotImplementedError),
    (lambda m: m.linalg.ldl_solve(*m.linalg.ldl_factor(m.eye(3)), m.zeros(2, 2)), RuntimeError),
    (lambda m: m.linalg.ldl_solve(*m.linalg.ldl_factor(m.eye(3)), m.zeros(3, 2, dtype=m.float64)), RuntimeError),
    (lambda m: m.linalg.ldl_solve(m.eye(3), m.ones(2, dtype=m.int32), m.zeros(3, 2)), RuntimeError),
    (lambda m: m.linalg.ldl_solve(m.eye(3), m.ones(3), m.zeros(3, 2)), RuntimeError),
    (lambda m: m.linalg.ldl_solve(m.zeros(3), m.ones(3, dtype=m.int32), m.zeros(3, 2)), RuntimeError),
    (lambda m: m.linalg.ldl_solve(m.eye(3), m.ones(3, dtype=m.int32), m.zeros(3)), IndexError),
    (lambda m: m.linalg.ldl_solve(m.eye(3), m.ones(3, dtype=m.int32), m.tensor(1.0)), IndexError),
    (lambda m: m.linalg.ldl_factor(m.eye(3, requires_grad=True)).LD.sum().backward(), RuntimeError),
    (lambda m: m.linalg.ldl_solve(m.eye(3), m.ones(3, dtype=m.int32), m.ones(3, 1, requires_grad=True)).sum()
     .backward(), RuntimeError),
]


@pytest.mark.parametrize("case", range(len(LDL_ERRORS)))
def test_ldl_errors_like_torch(case):
    fn, exc = LDL_ERRORS[case]
    raises_like_torch(fn, exc)


def test_ldl_factor_of_a_singular_matrix_raises():
    """torch raises a RuntimeError here too (its message is an internal assert), when the factors are computed
    (lazily here, as every check on values); ldl_factor_ex reports it."""
    ld, _ = lg.linalg.ldl_factor(lg.stack([lg.eye(3), lg.zeros(3, 3)]))
    with pytest.raises(RuntimeError, match=r"torch.linalg.ldl_factor: \(Batch element 1\): The factorization could "
                                           r"not be completed because the block diagonal matrix D is exactly singular"):
        ld.numpy()
    assert lg.linalg.ldl_factor_ex(lg.stack([lg.eye(3), lg.zeros(3, 3)])).info.tolist() == [0, 1]


@pytest.mark.parametrize("shape", [(2, 3), (3, 2), (2, 3, 3)])
def test_complex_legacy_svd_and_lowrank_factor_their_input(shape):
    """torch.svd's V (not V^H) conjugates V^H; svd_lowrank keeps a complex matrix complex: U diag(S) V^H is A."""
    rng = np.random.default_rng(8)
    a = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex128)
    A = lg.tensor(a)
    for U, S, V in (lg.svd(A), lg.svd_lowrank(A, q=min(shape[-2:]))):
        assert U.dtype is lg.complex128 and V.dtype is lg.complex128 and S.dtype is lg.float64
        np.testing.assert_allclose((U @ lg.diag_embed(S).to(U.dtype) @ V.mH).numpy(), a, atol=1e-10)


def test_lowrank_and_edge_refusals_like_torch():
    torch = torch_or_skip()
    calls = [lambda m: m.svd_lowrank(m.ones(3, 4, dtype=m.int64)), lambda m: m.geqrf(m.ones(2, 2, dtype=m.int64)),
             lambda m: m.pdist(m.ones(2, 2, dtype=m.int64)), lambda m: m.pdist(m.ones(2, 2, dtype=m.complex64)),
             lambda m: m.gradient(m.ones(2, 2, dtype=m.bool))]
    for call in calls:
        raises_like_torch(call, (RuntimeError, NotImplementedError))
    for m in (lg, torch):
        with pytest.warns(UserWarning, match="adjoint\\(\\) is deprecated on 0-D tensors"):
            assert m.adjoint(m.tensor(1.5 + 2j)).item() == 1.5 - 2j
