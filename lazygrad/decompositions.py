"""Factorizations and the functions computed by one: inverse, determinant, solve, Cholesky, QR, eigh, SVD,
pseudo-inverse, triangular solve, matrix exponential (torch.linalg's, and torch's older spellings).

Each is one EXTERN node in the graph: a library call (lazygrad/library_routines.py) that runs when the
graph is realized, as its own kernel, on its materialized sources. Its results are views of the node's
packed values, so the rest of the graph (the gradients' products and elementwise work) stays lazy and
fuses. Derivatives are in autograd/derivatives.py, written with these same functions, so they can be
differentiated again.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from . import graph, return_types
from .autograd.composite import recorded_as
from .autograd.record import differentiable, takes_out
from .dtypes import REAL_TYPES, int32, torch_name
from .elementwise import broadcast_shapes
from .int_parameters import type_name
from .tensor import Tensor
from .tensor_parameters import tensor_parameters

LOW_PRECISION = ("float16", "bfloat16")
# the LAPACK-backed kernels torch names when refusing float16/bfloat16 (the others say "Low precision dtypes
# not supported"): the name of the check -> the kernel
LOW_PRECISION_KERNELS = {
    **dict.fromkeys(("linalg.det", "linalg.solve", "linalg.solve_ex", "linalg.lu_factor", "linalg.lu_factor_ex",
                     "linalg.lu"), "lu_cpu"),
    **dict.fromkeys(("linalg.cholesky", "linalg.cholesky_ex"), "cholesky_cpu"),
    **dict.fromkeys(("linalg.svd", "linalg.svdvals", "linalg.cond"), "linalg_svd_cpu"),
    **dict.fromkeys(("linalg.eigh", "linalg.eigvalsh"), "linalg_eigh_cpu"),
    "cholesky_inverse": "cholesky_inverse_out_cpu", "linalg.qr": "geqrf_cpu",
    "torch.linalg.ldl_factor_ex": "ldl_factor_kernel_cpu", "linalg.solve_triangular": "triangular_solve_cpu",
    "linalg.lu_solve": "linalg.lu_solve_cpu", "linalg.householder_product": "orgqr_cpu"}
# the functions whose low-precision refusal is torch's generic one for float and double kernels
FLOAT_OR_DOUBLE_ONLY = frozenset({"torch.linalg.matrix_rank", "linalg.lstsq"})


def refuse_low_precision(name: str, A: Tensor) -> None:
    """torch's refusal of a float16/bfloat16 matrix by the linalg function `name` (a kernel's or its own)."""
    if A.dtype.name not in LOW_PRECISION:
        return
    if name in LOW_PRECISION_KERNELS:
        raise NotImplementedError(f"\"{LOW_PRECISION_KERNELS[name]}\" not implemented for '{torch_name(A.dtype)}'")
    if name in FLOAT_OR_DOUBLE_ONLY:
        raise RuntimeError("This function doesn't handle types other than float and double")
    raise RuntimeError(f"{name}: Low precision dtypes not supported. Got {torch_name(A.dtype)}")


def check_matrices(name: str, A: Tensor, square: bool = True, complex_ok: bool = False, arg: str = "A") -> None:
    """torch's checks on the matrix argument of a linalg function: dims, dtype, squareness. complex_ok: the
    function takes complex matrices (those whose routines and formulas are written for them); arg: the
    argument's name in torch's message."""
    if A.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")
    if A.dtype.is_complex and not complex_ok:
        raise NotImplementedError(f"{name}: complex matrices are not supported by lazygrad's linear algebra yet "
                                  f"(got {torch_name(A.dtype)})")
    if A.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got {torch_name(A.dtype)}")
    refuse_low_precision(name, A)
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are {A.shape[-2]} by "
                           f"{A.shape[-1]} matrices")


def _same_dtype(name: str, A: Tensor, B: Tensor) -> None:
    if A.dtype is not B.dtype:
        raise RuntimeError(f"{name}: Expected A and B to have the same dtype, but found A of type "
                           f"{torch_name(A.dtype)} and B of type {torch_name(B.dtype)} instead")


def library_call(routine: str, params: tuple, inputs: list[Tensor], shapes: list[tuple], dtype=None) -> list[Tensor]:
    """The results (of the given shapes, in packing order) of one library call on inputs, packed as dtype
    (the first input's unless given)."""
    device = inputs[0]._storage.device
    sizes = [math.prod(s) for s in shapes]
    node = graph.extern(routine, params, tuple(t.lazy for t in inputs), dtype or inputs[0].dtype, sum(sizes))
    results, start = [], 0
    for shape, size in zip(shapes, sizes):
        part = graph.reshape(graph.shrink(node, ((start, start + size),)), shape)
        results.append(Tensor._from_node(part, device))
        start += size
    return results


def _real_values(t: Tensor) -> Tensor:
    """Eigenvalues or singular values, real for complex matrices too (the library call packs every result in
    the matrix's dtype)."""
    if not t.dtype.is_complex:
        return t
    from .complex_numbers import real_part
    return real_part(t)


def _info(t: Tensor) -> Tensor:
    """A routine's info, packed as the matrices' dtype, as torch's int32."""
    return _real_values(t).to(int32)


# ---- inverse, determinant -------------------------------------------------------------------------

def _inverse(A: Tensor, with_info: bool) -> list[Tensor]:
    check_matrices("linalg.inv", A, complex_ok=True)
    return library_call("inv", (with_info,), [A], [A.shape] + ([A.shape[:-2]] if with_info else []))


@differentiable("linalg_inv")
def inv(A: Tensor) -> Tensor:
    """The inverse; a singular matrix raises LinAlgError (when the graph runs) naming its zero pivot."""
    return _inverse(A, False)[0]


@differentiable("linalg_inv_ex")
def inv_ex(A: Tensor, *, check_errors: bool = False):
    if check_errors:
        return return_types.linalg_inv_ex(inv(A), _no_failures(A))
    inverse, info = _inverse(A, True)
    return return_types.linalg_inv_ex(inverse, _info(info))


def _no_failures(A: Tensor) -> Tensor:
    """The info of an _ex call with check_errors: zeros (a failure raises instead)."""
    from .creation import zeros
    return zeros(A.shape[:-2], dtype=int32, device=A.device)


@differentiable("linalg_det")
def det(A: Tensor) -> Tensor:
    check_matrices("linalg.det", A, complex_ok=True)
    return library_call("det", (), [A], [A.shape[:-2]])[0]


@differentiable("cofactor")
def cofactor(A: Tensor) -> Tensor:
    """det(A) A^-T, the derivative of det: exact for singular matrices too (computed through the SVD)."""
    return library_call("cofactor", (), [A], [A.shape])[0]


@differentiable("linalg_slogdet")
def slogdet(A: Tensor):
    """The determinant's sign (a unit complex number for complex A) and the log of its absolute value."""
    check_matrices("linalg.slogdet", A, complex_ok=True)
    sign, logabsdet = library_call("slogdet", (), [A], [A.shape[:-2]] * 2)
    return return_types.linalg_slogdet(sign, _real_values(logabsdet))


def legacy_slogdet(input: Tensor):
    return return_types.slogdet(*slogdet(input))


def logdet(input: Tensor) -> Tensor:
    """log det: NaN where the determinant is negative (torch's where over slogdet)."""
    from .elementwise import where
    check_matrices("logdet", input, complex_ok=True)
    sign, logabsdet = slogdet(input)
    return where(sign < 0, math.nan, logabsdet)


# ---- solving ----------------------------------------------------------------------------------------

def _solve_shapes(name: str, A: Tensor, B: Tensor, left: bool) -> tuple[bool, tuple, tuple]:
    """Whether B is a (batch of) vector(s), and the broadcast shapes A and B are read at."""
    check_matrices(name, A, complex_ok=True)
    _same_dtype(name, A, B)
    n = A.shape[-1]
    vector = B.ndim == 1 or (left and B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    rows = B.shape[-1] if vector else B.shape[-2] if left else B.shape[-1]
    if B.ndim == 0 or rows != n:
        got = f"{B.shape[-1] if B.ndim else 1}x1" if vector or not B.ndim else "x".join(map(str, B.shape[-2:]))
        equation = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation {equation} ({n}x{n} and {got})")
    b_batch = B.shape[:-1] if vector else B.shape[:-2]
    batch = broadcast_shapes(A.shape[:-2], b_batch)
    b_shape = batch + ((n,) if vector else tuple(B.shape[-2:]))
    return vector, tuple(batch) + (n, n), tuple(b_shape)


def _solved(A: Tensor, B: Tensor, left: bool, with_info: bool, name: str) -> list[Tensor]:
    vector, a_shape, b_shape = _solve_shapes(name, A, B, left)
    shapes = [b_shape] + ([a_shape[:-2]] if with_info else [])
    return library_call("solve", (left, vector, with_info), [A.expand(a_shape), B.expand(b_shape)], shapes)


@differentiable("linalg_solve")
def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """X with A X = B (X A = B when not left), batched and broadcast; B may be a (batch of) vector(s)."""
    return _solved(A, B, left, False, "linalg.solve")[0]


@differentiable("linalg_solve_ex")
def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False):
    if check_errors:
        return return_types.linalg_solve_ex(solve(A, B, left=left), _no_failures(A))
    result, info = _solved(A, B, left, True, "linalg.solve_ex")
    return return_types.linalg_solve_ex(result, _info(info))


@differentiable("linalg_solve_triangular")
def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False) -> Tensor:
    """X with A X = B (X A = B when not left), reading only A's upper or lower triangle."""
    name = "linalg.solve_triangular"
    check_matrices(name, A, complex_ok=True)
    _same_dtype(name, A, B)
    check_matrices(name, B, square=False, complex_ok=True)
    n = A.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation {'AX = B' if left else 'XA = B'}"
                           f" ({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    batch = tuple(broadcast_shapes(A.shape[:-2], B.shape[:-2]))
    a, b = A.expand(batch + (n, n)), B.expand(batch + tuple(B.shape[-2:]))
    return library_call("solve_triangular", (upper, left, unitriangular), [a, b], [b.shape])[0]


# torch's older solvers: the names their messages give b and A, and their message for a non-matrix
_SOLVER_CHECKS = {
    "triangular_solve": (("b", "A"), "torch.triangular_solve: Expected {arg} to have at least 2 dimensions, but it has "
                                     "{n} dimensions instead"),
    "cholesky_solve": (("b", "u"), "{arg} should have at least 2 dimensions, but has {n} dimensions instead"),
}


def _check_solve_sizes(solver: str, b: Tensor, A: Tensor) -> None:
    """The checks of torch's older solvers (triangular_solve, cholesky_solve): matrices, and b's rows A's."""
    names, dims_message = _SOLVER_CHECKS[solver]
    for arg, t in zip(names, (b, A)):
        if t.ndim < 2:
            raise RuntimeError(dims_message.format(arg=arg, n=t.ndim))
    if A.shape[-1] != A.shape[-2] or b.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"Incompatible matrix sizes for {solver}: each A matrix is {A.shape[-2]} by {A.shape[-1]} "
                           f"but each b matrix is {b.shape[-2]} by {b.shape[-1]}")


def triangular_solve(b: Tensor, A: Tensor, upper: bool = True, transpose: bool = False,
                     unitriangular: bool = False):
    """torch's older spelling: (solution of op(A) X = b, a copy of A)."""
    warnings.warn("torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangular", UserWarning,
                  stacklevel=2)
    _check_solve_sizes("triangular_solve", b, A)
    a = A.mT if transpose else A
    x = solve_triangular(a, b, upper=upper != transpose, unitriangular=unitriangular)
    return return_types.triangular_solve(x, A.clone())


# ---- LU ----------------------------------------------------------------------------------------------

def _lu_parts(A: Tensor, pivot: bool, name: str, checked: bool) -> list[Tensor]:
    """LU, pivots (int32), P and info of one library call; checked raises torch's error for a zero pivot."""
    if A.ndim < 2:
        raise RuntimeError(f"{'linalg.lu' if name == 'linalg.lu' else 'torch.lu_factor'}: Expected tensor with 2 or "
                           f"more dimensions. Got size: {list(A.shape)} instead")
    check_matrices(name, A, square=False, complex_ok=True)
    if not pivot:
        raise RuntimeError(f"{name}: LU without pivoting is not implemented on the CPU")
    *batch, m, n = A.shape
    batch = tuple(batch)
    shapes = [A.shape, batch + (min(m, n),), batch + (m, m), batch]
    lu, pivots, p, info = library_call("lu", (name if checked else None,), [A], shapes)
    return [lu, _info(pivots), p, _info(info)]


def unpack(lu: Tensor, m: int, n: int) -> tuple[Tensor, Tensor]:
    """L (unit lower, m x k) and U (upper, k x n) stored together in LU."""
    from .creation import eye
    k = min(m, n)
    low = lu[..., :, :k].tril(-1) + eye(m, k, dtype=lu.dtype, device=lu.device)
    return low, lu[..., :k, :].triu()


@differentiable("linalg_lu_factor")
def lu_factor(A: Tensor, *, pivot: bool = True):
    """LU (L below the diagonal, U on and above it) and LAPACK's 1-based pivots, A = P L U; a zero pivot
    raises (lu_factor_ex and lu factor singular matrices)."""
    lu, pivots, _, _ = _lu_parts(A, pivot, "linalg.lu_factor", True)
    return return_types.linalg_lu_factor(lu, pivots)


@differentiable("linalg_lu_factor_ex")
def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False):
    lu, pivots, _, info = _lu_parts(A, pivot, "linalg.lu_factor_ex", check_errors)
    return return_types.linalg_lu_factor_ex(lu, pivots, info)


@differentiable("linalg_lu")
def lu(A: Tensor, *, pivot: bool = True):
    """P, L, U with A = P L U (L unit lower triangular, U upper)."""
    factors, _, p, _ = _lu_parts(A, pivot, "linalg.lu", False)
    return return_types.linalg_lu(p, *unpack(factors, *A.shape[-2:]))


def lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True, adjoint: bool = False) -> Tensor:
    """X with A X = B (X A = B when not left; A^H for adjoint), A = P L U given as lu_factor returns it:
    a permutation and two triangular solves, differentiable through each."""
    name = "linalg.lu_solve"
    refuse_low_precision(name, LU)
    n = LU.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation {'AX = B' if left else 'XA = B'} "
                           f"({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    low, up = unpack(LU, n, n)
    p = permutation_matrix(pivots, n, LU.dtype)
    if not left:  # X A = B: A^H X^H = B^H
        return lu_solve(LU, pivots, B.mH, adjoint=not adjoint).mH
    if adjoint:  # A^H = U^H L^H P^T
        y = solve_triangular(up.mH, B, upper=False)
        return p @ solve_triangular(low.mH, y, upper=True, unitriangular=True)
    y = solve_triangular(low, p.mT @ B, upper=False, unitriangular=True)
    return solve_triangular(up, y, upper=True)


def permutation_matrix(pivots: Tensor, rows: int, dtype) -> Tensor:
    """P of A = P L U from LAPACK's pivots (row swaps made in order)."""
    return library_call("permutation", (rows,), [pivots], [tuple(pivots.shape[:-1]) + (rows, rows)], dtype=dtype)[0]


def lu_unpack(LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True, unpack_pivots: bool = True):
    """P, L, U from lu_factor's results (empty tensors for the parts not asked for)."""
    from .creation import empty
    m, n = LU_data.shape[-2:]
    nothing = empty(0, dtype=LU_data.dtype, device=LU_data.device)
    p = permutation_matrix(LU_pivots, m, LU_data.dtype) if unpack_pivots else nothing
    low, up = unpack(LU_data, m, n) if unpack_data else (nothing, nothing)
    return return_types.lu_unpack(p, low, up)


@tensor_parameters("input", name="_lu_with_info")
def legacy_lu(A: Tensor, pivot: bool = True, get_infos: bool = False):
    warnings.warn("torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and will be "
                  "removed in a future PyTorch release.", UserWarning, stacklevel=2)
    result = lu_factor_ex(A, pivot=pivot)
    return tuple(result) if get_infos else tuple(result[:2])


def legacy_lu_solve(b: Tensor, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:
    warnings.warn("torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in a future "
                  "PyTorch release.", UserWarning, stacklevel=2)
    return lu_solve(LU_data, LU_pivots, b)


# ---- LDL (Bunch-Kaufman) -------------------------------------------------------------------------------

def _ldl_parts(A: Tensor, hermitian: bool, name: str, checked: bool) -> list[Tensor]:
    """LD, pivots (int32) and info of one library call (lazygrad/bunch_kaufman.py); checked: a singular D
    raises, naming the function `name`."""
    if A.dtype.name in LOW_PRECISION:
        raise NotImplementedError(f'"ldl_factor_kernel_cpu" not implemented for \'{torch_name(A.dtype)}\'')
    check_matrices("torch.linalg.ldl_factor_ex", A, complex_ok=True)  # (torch's ldl_factor is its _ex's)
    shapes = [A.shape, A.shape[:-1], A.shape[:-2]]
    ld, pivots, info = library_call("ldl_factor", (hermitian, name if checked else None), [A], shapes)
    return [ld, _info(pivots), _info(info)]


@differentiable("linalg_ldl_factor")
def ldl_factor(A: Tensor, *, hermitian: bool = False):
    """A = P L D L^T P^T of a symmetric (hermitian: Hermitian) indefinite matrix, from its lower triangle:
    LD (L below the diagonal, D's 1x1 and 2x2 blocks on it) and LAPACK's pivots. A singular D raises."""
    ld, pivots, _ = _ldl_parts(A, hermitian, "linalg.ldl_factor", True)
    return return_types.linalg_ldl_factor(ld, pivots)


@differentiable("linalg_ldl_factor_ex")
def ldl_factor_ex(A: Tensor, *, hermitian: bool = False, check_errors: bool = False):
    """ldl_factor with info (the first zero 1x1 block of D, 1-based; 0 if none) instead of the error."""
    return return_types.linalg_ldl_factor_ex(*_ldl_parts(A, hermitian, "linalg.ldl_factor_ex", check_errors))


@differentiable("linalg_ldl_solve")
def ldl_solve(LD: Tensor, pivots: Tensor, B: Tensor, *, hermitian: bool = False) -> Tensor:
    """X with A X = B, A given as ldl_factor returns it; LD and B broadcast over their batch dims."""
    name = "torch.linalg.ldl_solve"
    check_matrices(name, LD, complex_ok=True)
    if B.ndim == 0:
        raise IndexError("Dimension specified as -2 but tensor has no dimensions")
    if B.ndim < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(B.ndim, 1)}, "
                         f"{max(B.ndim, 1) - 1}], but got -2)")
    if tuple(pivots.shape) != tuple(LD.shape[:-1]):
        raise RuntimeError(f"{name}: Expected LD.shape[:-1] and pivots.shape to be the same, but got pivots with "
                           f"shape {list(pivots.shape)} instead")
    if pivots.dtype.kind not in "iu":
        raise RuntimeError(f"{name}: Expected pivots to be integers. Got {torch_name(pivots.dtype)}")
    if B.dtype is not LD.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type {torch_name(B.dtype)} and "
                           f"A of type {torch_name(LD.dtype)} instead.")
    n = LD.shape[-1]
    if B.shape[-2] != n:
        raise RuntimeError(f"Incompatible matrix sizes for {name}: each A matrix is {n} by {n} but each b matrix is "
                           f"{B.shape[-2]} by {B.shape[-1]}")
    batch = broadcast_shapes(LD.shape[:-2], B.shape[:-2])
    inputs = [LD.expand(*batch, n, n), pivots.expand(*batch, n), B.expand(*batch, *B.shape[-2:])]
    return library_call("ldl_solve", (hermitian,), inputs, [tuple(batch) + tuple(B.shape[-2:])])[0]


# ---- Cholesky ---------------------------------------------------------------------------------------

def _factor(A: Tensor, upper: bool, with_info: bool, name: str) -> list[Tensor]:
    check_matrices(name, A, complex_ok=True)
    return library_call("cholesky", (upper, with_info), [A], [A.shape] + ([A.shape[:-2]] if with_info else []))


@differentiable("linalg_cholesky")
def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """L with A = L L^H (U with A = U^H U when upper); reads A's lower triangle."""
    return _factor(A, upper, False, "linalg.cholesky")[0]


@differentiable("linalg_cholesky_ex")
def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False):
    if check_errors:
        return return_types.linalg_cholesky_ex(cholesky(A, upper=upper), _no_failures(A))
    factor, info = _factor(A, upper, True, "linalg.cholesky")
    return return_types.linalg_cholesky_ex(factor, _info(info))


@takes_out("cholesky", refused_as="cholesky")
def legacy_cholesky(input: Tensor, upper: bool = False) -> Tensor:
    warnings.warn("torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a future "
                  "PyTorch release.", UserWarning, stacklevel=2)
    return cholesky(input, upper=upper)


@takes_out("cholesky_solve", refused_as="cholesky_solve")
def cholesky_solve(B: Tensor, L: Tensor, upper: bool = False) -> Tensor:
    """X with (L L^T) X = B (U^T U when upper), by two triangular solves."""
    _check_solve_sizes("cholesky_solve", B, L)
    low = L.mH if upper else L
    return solve_triangular(low.mH, solve_triangular(low, B, upper=False), upper=True)


@takes_out("cholesky_inverse", refused_as="cholesky_inverse")
def cholesky_inverse(L: Tensor, upper: bool = False) -> Tensor:
    from .creation import eye
    check_matrices("cholesky_inverse", L, complex_ok=True)
    identity = eye(L.shape[-1], dtype=L.dtype, device=L.device).expand(L.shape)
    return cholesky_solve(identity, L, upper)


# ---- QR, eigh, SVD ----------------------------------------------------------------------------------

@differentiable("linalg_qr")
def qr(A: Tensor, mode: str = "reduced"):
    """Q with orthonormal columns and upper triangular R, A = Q R; mode 'complete' gives a square Q, 'r'
    only R (and an empty Q)."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           "or 'complete'")
    check_matrices("linalg.qr", A, square=False, complex_ok=True)
    *batch, m, n = A.shape
    k = m if mode == "complete" else min(m, n)
    r_shape = tuple(batch) + (k, n)
    if mode == "r":
        from .creation import empty
        return return_types.linalg_qr(empty(0, dtype=A.dtype, device=A.device),
                                      library_call("qr", (mode,), [A], [r_shape])[0])
    return return_types.linalg_qr(*library_call("qr", (mode,), [A], [tuple(batch) + (m, k), r_shape]))


@differentiable("geqrf")
def geqrf(input: Tensor):
    """LAPACK's QR in Householder form: (a, tau) with R in a's upper triangle and reflector i being
    I - tau[i] v v^H, v = (0, ..., 0, 1, a[i+1:, i]) (linalg.householder_product rebuilds Q)."""
    if input.ndim < 2:
        raise RuntimeError("lazygrad.geqrf: input must have at least 2 dimensions.")
    if input.dtype.kind not in "fc":
        raise NotImplementedError(f"\"geqrf_cpu\" not implemented for '{torch_name(input.dtype)}'")
    *batch, m, n = input.shape
    return return_types.geqrf(*library_call("geqrf", (), [input], [tuple(input.shape), tuple(batch) + (min(m, n),)]))


@recorded_as("OrmqrBackward0")
def ormqr(input: Tensor, input2: Tensor, input3: Tensor, left: bool = True, transpose: bool = False) -> Tensor:
    """input3 multiplied by the full Q of geqrf's (input, input2 = tau): Q C, Q^T C (transpose), C Q or C Q^T
    (left=False). Q is linalg.householder_product of input widened to a square with zero columns."""
    from .creation import zeros
    from .linalg import householder_product
    from .movement import cat
    m, n = input.shape[-2:]
    side = -2 if left else -1
    if input3.shape[side] != m:
        raise RuntimeError(f"torch.ormqr: other.shape[{side}] must be equal to input.shape[-2]")
    padding = zeros(*input.shape[:-1], max(m - n, 0), dtype=input.dtype, device=input.device)
    Q = householder_product(cat([input[..., :m], padding], -1), input2)
    Q = Q.mT if transpose else Q
    return Q @ input3 if left else input3 @ Q


def legacy_qr(input: Tensor, some: bool = True):
    warnings.warn("torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future PyTorch "
                  "release.", UserWarning, stacklevel=2)
    return return_types.qr(*qr(input, "reduced" if some else "complete"))


@differentiable("linalg_eig")
def eig(A: Tensor):
    """Eigenvalues and eigenvectors (unit 2-norm, as LAPACK geev gives them) of a general square matrix:
    complex even for a real matrix."""
    if A.dtype.name in LOW_PRECISION:
        raise NotImplementedError(f"\"linalg_eig_out_cpu\" not implemented for '{torch_name(A.dtype)}'")
    check_matrices("linalg.eig", A, complex_ok=True)
    values, vectors = library_call("eig", (), [A], [A.shape[:-1], A.shape], dtype=A.dtype.to_complex())
    return return_types.linalg_eig(values, vectors)


@takes_out("linalg_eigvals")
def eigvals(A: Tensor) -> Tensor:
    """The eigenvalues of a general square matrix (its gradient needs the eigenvectors too, as torch's)."""
    return eig(A).eigenvalues


def _check_uplo(UPLO: str) -> None:
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


@differentiable("linalg_eigh")
def eigh(A: Tensor, UPLO: str = "L"):
    """Eigenvalues (ascending, real) and orthonormal eigenvectors of a symmetric (Hermitian) matrix, from one
    triangle."""
    check_matrices("linalg.eigh", A, complex_ok=True)
    _check_uplo(UPLO)
    values, vectors = library_call("eigh", (UPLO,), [A], [A.shape[:-1], A.shape])
    return return_types.linalg_eigh(_real_values(values), vectors)


@differentiable("linalg_eigvalsh")
def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """The eigenvalues alone (the gradient computes the eigenvectors when it is needed)."""
    check_matrices("linalg.eigvalsh", A, complex_ok=True)
    _check_uplo(UPLO)
    return _real_values(library_call("eigvalsh", (UPLO,), [A], [A.shape[:-1]])[0])


def _svd_parts(A: Tensor, full_matrices: bool, name: str) -> list[Tensor]:
    check_matrices(name, A, square=False, complex_ok=True)
    *batch, m, n = A.shape
    k = min(m, n)
    left, right = (m, m) if full_matrices else (m, k), (n, n) if full_matrices else (k, n)
    u, s, vh = library_call("svd", (full_matrices,), [A], [tuple(batch) + left, tuple(batch) + (k,),
                                                            tuple(batch) + right])
    return [u, _real_values(s), vh]


@differentiable("linalg_svd")
def svd(A: Tensor, full_matrices: bool = True, *, driver=None):
    """U, S (descending) and Vh with A = U diag(S) Vh."""
    return return_types.linalg_svd(*_svd_parts(A, full_matrices, "linalg.svd"))


@differentiable("linalg_svdvals")
def svdvals(A: Tensor, *, driver=None) -> Tensor:
    """The singular values alone (the gradient computes the vectors when it is needed)."""
    check_matrices("linalg.svd", A, square=False, complex_ok=True)
    return _real_values(library_call("svdvals", (), [A], [tuple(A.shape[:-2]) + (min(A.shape[-2:]),)])[0])


def legacy_svd(input: Tensor, some: bool = True, compute_uv: bool = True):
    """torch.svd: U, S, V (not V^T); without compute_uv, U and V are zeros."""
    if not compute_uv:
        from .creation import zeros
        *batch, m, n = input.shape
        s = svdvals(input)
        return return_types.svd(zeros(*batch, m, m, dtype=input.dtype, device=input.device), s,
                                zeros(*batch, n, n, dtype=input.dtype, device=input.device))
    u, s, vh = svd(input, full_matrices=not some)
    return return_types.svd(u, s, vh.mH)


# ---- pseudo-inverse, matrix exponential --------------------------------------------------------------

def _tolerance(value, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise NotImplementedError(f"linalg.{name}: a tensor {name} with more than one element is not supported "
                                      "by lazygrad")
        return float(value.item())
    return float(value)


def tolerances(A: Tensor, atol, rtol, name: str) -> tuple[float, float]:
    """torch's (atol, rtol) defaults: rtol = eps * max(m, n) when neither is given, 0 when only atol is."""
    atol, rtol = _tolerance(atol, "atol"), _tolerance(rtol, "rtol")
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else float(np.finfo(A.dtype.np).eps) * max(A.shape[-2:])
    return atol or 0.0, rtol


@differentiable("linalg_pinv")
def pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:
    """The pseudo-inverse: singular values at most max(atol, rtol * the largest) are dropped."""
    if A.ndim < 2 or A.dtype.kind not in "fc" or A.dtype.name in LOW_PRECISION:
        raise RuntimeError(f"linalg.pinv({torch_name(A.dtype)}{{{list(A.shape)}}}): expected a tensor with 2 or more "
                           "dimensions of float, double, cfloat or cdouble types")
    atol, rtol = tolerances(A, atol, rtol, "pinv")
    return library_call("pinv", (atol, rtol, hermitian), [A], [tuple(A.shape[:-2]) + (A.shape[-1], A.shape[-2])])[0]


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    if not isinstance(rcond, REAL_TYPES):
        raise TypeError(f"pinverse(): argument 'rcond' (position 2) must be float, not {type_name(rcond)}")
    return pinv(input, rtol=rcond)


@differentiable("linalg_matrix_exp")
def matrix_exp(A: Tensor) -> Tensor:
    if A.dtype.name in LOW_PRECISION:  # (torch computes these too: here in float32, rounded once)
        return matrix_exp(A.float()).to(A.dtype)
    check_matrices("linalg.matrix_exp", A, complex_ok=True)
    return library_call("matrix_exp", (), [A], [A.shape])[0]
