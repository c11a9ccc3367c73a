"""torch.linalg: the factorizations (lazygrad/decompositions.py), the products (lazygrad/products.py), and
the functions composed from them here: norms, condition numbers, ranks, powers, chained products,
least squares, tensor inverses and solves, Vandermonde matrices."""
from __future__ import annotations

import math

from . import return_types
from .decompositions import (check_matrices, cholesky, cholesky_ex, det, eig, eigh, eigvals, eigvalsh, inv, inv_ex,
                             ldl_factor, ldl_factor_ex, ldl_solve, lu, lu_factor, lu_factor_ex, lu_solve, matrix_exp,
                             pinv, qr, refuse_low_precision, slogdet, solve, solve_ex, solve_triangular, svd, svdvals,
                             tolerances)
from .dtypes import to_dtype, torch_name
from .inplace import write_out
from .library_routines import LinAlgError
from .movement import cat, diagonal as _diagonal
from . import products
from .products import cross
from .tensor_parameters import tensor_parameters
from .reductions import amax, amin, check_norm_input, norm_dtype, vector_norm as _vector_norm
from .tensor import Tensor
from .amp.autocast_mode import autocast_op
from .int_parameters import dim_list, type_name
from .autograd.record import takes_out

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eig", "eigh", "eigvals",
           "eigvalsh", "householder_product",
           "inv",
           "inv_ex", "ldl_factor", "ldl_factor_ex", "ldl_solve", "lstsq", "lu", "lu_factor", "lu_factor_ex", "lu_solve", "matmul", "matrix_exp", "matrix_norm",
           "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet", "solve", "solve_ex",
           "solve_triangular", "svd", "svdvals", "tensorinv", "tensorsolve", "vander", "vecdot", "vector_norm"]

matmul = tensor_parameters("input", "other", name="linalg_matmul")(products.matmul.__wrapped__)


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """The ord-norm of x's elements (over dim, or all of them)."""
    if isinstance(ord, str):
        raise TypeError("linalg_vector_norm(): argument 'ord' (position 2) must be Number, not str")
    return _vector_norm(x, ord, dim, keepdim, dtype=dtype, **({"out": out} if out is not None else {}))



_MATRIX_ORDERS = ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)


@takes_out("linalg_matrix_norm")
def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None) -> Tensor:
    """Frobenius, nuclear, spectral (2, -2), max column sum (1, -1) or max row sum (inf, -inf) norms."""
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if ord not in _MATRIX_ORDERS:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    dims = list(dim_list(dim))
    if len(dims) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dims))}")
    check_norm_input(A, "linalg.matrix_norm")
    A = A.to(norm_dtype(A.dtype, to_dtype(dtype), "linalg.matrix_norm")) if dtype is not None else A
    rows, cols = (d % A.ndim for d in dims)
    if ord == "fro":
        return vector_norm(A, 2, (rows, cols), keepdim)
    if ord in ("nuc", 2, -2):
        refuse_low_precision("linalg.matrix_norm", A)
        last = A.movedim((rows, cols), (-2, -1))
        s = svdvals(last)
        out = s.sum(-1) if ord == "nuc" else _largest(s, -1) if ord == 2 else amin(s, -1)
        if keepdim:
            for d in sorted((rows, cols)):
                out = out.unsqueeze(d)
        return out
    summed, reduced = (rows, cols) if abs(ord) == 1 else (cols, rows)
    if not keepdim and summed < reduced:
        reduced -= 1
    return (_largest if ord > 0 else amin)(A.abs().sum(summed, keepdim=keepdim), reduced, keepdim=keepdim)


def _largest(t: Tensor, dim: int, keepdim: bool = False) -> Tensor:
    """The largest of non-negative values along dim: 0 where there are none, as torch's positive orders give
    (the negative ones refuse an empty matrix, as amin does)."""
    return amax(t, dim, keepdim=keepdim) if t.shape[dim] else t.sum(dim, keepdim=keepdim)


@takes_out("linalg_norm")
def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """A vector norm (dim an int, or no dim and no ord) or a matrix norm (dim two ints, a 2-D A with ord, or an
    ord named by a string, as torch reads it)."""
    if dim is None and ord is not None and A.ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                           f"Got {A.ndim}D.")
    if isinstance(ord, str):
        return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    if dim is not None:
        dims = dim_list(dim)
        if len(dims) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
        return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.ndim == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    return vector_norm(A, ord, None, keepdim, dtype=dtype)


@takes_out("linalg_cond")
def cond(A: Tensor, p=None) -> Tensor:
    """The condition number: a ratio of singular values (p None, 2, -2), sum(s) * sum(1/s) for "nuc", else
    norm(A) * norm(A^-1), infinite where A is singular (as torch gives them all)."""
    if p not in (None, 2, -2, 1, -1, math.inf, -math.inf, "fro", "nuc"):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    check_matrices("linalg.cond" if p in (None, 2, -2) else f"linalg.cond(ord={p})", A, square=p not in (None, 2, -2),
                   complex_ok=True)
    if p in (None, 2, -2):
        s = svdvals(A)
        if s.shape[-1] == 0:  # empty matrices: 0, as torch gives
            return s.sum(-1)
        return s[..., 0] / s[..., -1] if p != -2 else s[..., -1] / s[..., 0]
    if p == "nuc":
        s = svdvals(A)
        return s.sum(-1) * s.reciprocal().sum(-1)
    inverse, info = inv_ex(A)
    return (matrix_norm(A, p) * matrix_norm(inverse, p)).masked_fill(info > 0, math.inf)


@takes_out("linalg_matrix_rank")
def matrix_rank(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False, tol=None) -> Tensor:
    """How many singular values exceed max(atol, rtol * the largest)."""
    check_matrices("torch.linalg.matrix_rank", A, square=hermitian, complex_ok=True, arg="input")
    if tol is not None:
        atol, rtol = tol, 0.0
    atol, rtol = tolerances(A, atol, rtol, "matrix_rank")
    s = eigvalsh(A).abs() if hermitian else svdvals(A)
    if s.shape[-1] == 0:
        return s.sum(-1).long()
    cutoff = (amax(s, -1, keepdim=True) * rtol).clamp(min=atol)
    return (s > cutoff).sum(-1)


@takes_out("linalg_matrix_power", refused_as="matmul")
def matrix_power(A: Tensor, n: int) -> Tensor:
    """A^n by repeated squaring (A^-1 for negative n; the identity for 0)."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"linalg_matrix_power(): argument 'n' (position 2) must be int, not {type_name(n)}")
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they are {A.shape[-2]} by "
                           f"{A.shape[-1]} matrices")
    if n == 0:
        from .creation import eye
        return eye(A.shape[-1], dtype=A.dtype, device=A.device).expand(A.shape).clone()
    base = inv(A) if n < 0 else A
    result, n = None, abs(n)
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result


@takes_out("linalg_multi_dot", refused_as="mm")
@autocast_op("linalg_multi_dot")
def multi_dot(tensors) -> Tensor:
    """The product of a chain of matrices, multiplied in the order with the fewest operations (the
    first may be a row vector, the last a column vector, 1-D either)."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        where = "first" if i == 0 else "last" if i == len(tensors) - 1 else None
        if where and t.ndim not in (1, 2):
            raise RuntimeError(f"multi_dot(): the {where} tensor must be 1D or 2D but got {t.ndim}D")
        if not where and t.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    row, col = tensors[0].ndim == 1, tensors[-1].ndim == 1
    mats = [tensors[0].unsqueeze(0) if row else tensors[0], *tensors[1:-1],
            tensors[-1].unsqueeze(1) if col else tensors[-1]]
    for i in range(len(mats) - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes {list(tensors[i].shape)} and "
                               f"{list(tensors[i + 1].shape)} cannot be multiplied")
    out = _chain(mats, _chain_order([m.shape[0] for m in mats] + [mats[-1].shape[1]]), 0, len(mats) - 1)
    if row:
        out = out.squeeze(0)
    return out.squeeze(-1) if col else out


def _chain_order(dims: list[int]) -> dict:
    """The classic dynamic program: split[(i, j)] is where the product of matrices i..j is cut."""
    n = len(dims) - 1
    cost = {(i, i): 0 for i in range(n)}
    split = {}
    for length in range(2, n + 1):
        for i in range(n - length + 1):
            j = i + length - 1
            cost[(i, j)], split[(i, j)] = min(
                (cost[(i, k)] + cost[(k + 1, j)] + dims[i] * dims[k + 1] * dims[j + 1], k) for k in range(i, j))
    return split


def _chain(mats: list[Tensor], split: dict, i: int, j: int) -> Tensor:
    if i == j:
        return mats[i]
    k = split[(i, j)]
    return matmul(_chain(mats, split, i, k), _chain(mats, split, k + 1, j))


@tensor_parameters("x", "y", name="linalg_vecdot")
@autocast_op("linalg_vecdot")
def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    if x.dtype is not y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x of type "
                           f"{torch_name(x.dtype)} and y of type {torch_name(y.dtype)} instead")
    return (x.conj() * y).sum(dim)


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    return _diagonal(A, offset, dim1, dim2)


def householder_product(A: Tensor, tau: Tensor, *, out=None) -> Tensor:
    """The first n columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^H with v_i the i-th column of A below
    a unit diagonal (LAPACK's orgqr). Built at once in the compact WY form H_1 ... H_k = I - V T V^H, where
    T = (I + diag(tau) triu(V^H V, 1))^-1 diag(tau): one triangular solve and matrix products, so its
    gradient is that of the ops."""
    name = "lazygrad.linalg.householder_product"
    if A.ndim < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    *batch, m, n = A.shape
    if m < n:
        raise RuntimeError(f"{name}: input.shape[-2] must be greater than or equal to input.shape[-1]")
    if tau.ndim != A.ndim - 1:
        raise RuntimeError(f"{name}: Expected tau to have one dimension less than input, but got tau.ndim equal to "
                           f"{tau.ndim} and input.ndim is equal to {A.ndim}")
    k = tau.shape[-1]
    if n < k:
        raise RuntimeError(f"{name}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    if tuple(tau.shape[:-1]) != tuple(batch):
        raise RuntimeError(f"{name}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got "
                           f"{list(tau.shape[:-1])}")
    if tau.dtype is not A.dtype:
        raise RuntimeError(f"{name}: tau dtype {torch_name(tau.dtype)} does not match input dtype "
                           f"{torch_name(A.dtype)}")
    refuse_low_precision("linalg.householder_product", A)
    from .creation import eye
    identity = eye(m, n, dtype=A.dtype, device=A.device)
    if k == 0:
        result = identity.expand(*batch, m, n).clone()
    else:
        v = A[..., :k].tril(-1) + eye(m, k, dtype=A.dtype, device=A.device)
        t = solve_triangular((v.mH @ v).triu(1) * tau.unsqueeze(-1), tau.diag_embed(), upper=True,
                             unitriangular=True)
        result = identity - v @ t @ v[..., :n, :].mH
    return result if out is None else write_out(result, out)


def vander(x: Tensor, *, N: int | None = None) -> Tensor:
    """Columns x^0, x^1, ..., x^(N-1) (N defaults to x's last size)."""
    n = x.shape[-1] if x.ndim else 1
    N = n if N is None else N
    if N <= 1:
        raise RuntimeError("N must be greater than 1.")
    column = x.unsqueeze(-1)
    return cat([column ** 0, column.expand(*column.shape[:-1], N - 1).cumprod(-1)], -1)


def tensorinv(A: Tensor, ind: int = 2) -> Tensor:
    """The inverse of A read as a matrix (its first ind dims by the rest), shaped back."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = A.shape[:ind], A.shape[ind:]
    if math.prod(rows) != math.prod(cols):
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {math.prod(cols)} != {math.prod(rows)}")
    return inv(A.reshape(math.prod(rows), math.prod(cols))).reshape(*cols, *rows)


def tensorsolve(A: Tensor, B: Tensor, dims=None) -> Tensor:
    """X with tensordot(A, X, X.ndim) = B (dims of A moved to the end first)."""
    if dims is not None:
        A = A.movedim(tuple(dims), tuple(range(A.ndim - len(dims), A.ndim)))
    rest = A.shape[B.ndim:]
    rows = math.prod(A.shape[:B.ndim])
    if math.prod(rest) != rows:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           f"prod(self.shape[:other.ndim]), but got {math.prod(rest)} != {rows}")
    return solve(A.reshape(rows, rows), B.reshape(rows)).reshape(rest)


def lstsq(A: Tensor, B: Tensor, rcond=None, *, driver=None):
    """The least-squares (minimum-norm) solution of A X = B, as torch's default CPU driver 'gelsy' returns
    it: the rank is given, residuals and singular values are empty (the 'gelsd' and 'gelss' drivers fill
    them in)."""
    from .creation import empty
    if A.ndim < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    if not 0 <= A.ndim - B.ndim <= 1:
        raise RuntimeError("torch.linalg.lstsq: input.dim() must be greater or equal to other.dim() and "
                           "(input.dim() - other.dim()) <= 1")
    check_matrices("linalg.lstsq", A, square=False, complex_ok=True)
    if A.dtype is not B.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, but got "
                           f"input's dtype {torch_name(A.dtype)} and other's dtype {torch_name(B.dtype)}")
    vector = B.ndim == A.ndim - 1
    b = B.unsqueeze(-1) if vector else B
    if b.shape[-2] != A.shape[-2]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size({-1 if vector else -2})")
    rtol = rcond if rcond is not None and rcond > 0 else None
    solution = matmul(pinv(A, rtol=rtol), b)
    rank = matrix_rank(A, rtol=rtol)
    nothing = empty(0, dtype=A.dtype.to_real(), device=A.device)
    if driver in ("gelsd", "gelss"):
        m, n = A.shape[-2:]
        full = bool((rank == min(m, n)).all())
        residuals = (matmul(A, solution) - b).abs().square().sum(-2) if m > n and full else nothing
        return return_types.linalg_lstsq(solution.squeeze(-1) if vector else solution, residuals, rank, svdvals(A))
    return return_types.linalg_lstsq(solution.squeeze(-1) if vector else solution, nothing, rank, nothing)
