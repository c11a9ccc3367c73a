"""The library routines an EXTERN node runs: numpy's on the CPU (LAPACK for the factorizations), cupy's on a
GPU (cuSOLVER) — `xp` is whichever module holds the node's arrays.

Factorizations are sequential pivoting algorithms: a generated loop nest would be slower than the
vendors' blocked routines, and torch calls the same libraries. The others (binary searches, Euclid's
algorithm, bit manipulation of floats, counting) are loops with data-dependent trip counts, which the
kernels' fixed loop nests do not express. A routine takes its sources as arrays and its parameters,
and returns its results in packing order; the EXTERN node's values are those results flattened one
after another (lazygrad/decompositions.py reads each back as a view). Failures raise LinAlgError with
torch's message, naming the batch element and the pivot or minor at fault.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import bunch_kaufman, ctc_alignment, rejection_samplers


class LinAlgError(RuntimeError):
    """A factorization failed on the values it was given (a singular matrix, one not positive-definite)."""
    __module__ = "lazygrad.linalg"


@dataclass(frozen=True)
class Routine:
    call: Callable  # (xp, arrays, *params) -> list of result arrays, in packing order
    about: str  # what runs, for the kernel listing


def _batch_prefix(a, flat_index: int) -> str:
    return f"(Batch element {flat_index}): " if a.ndim > 2 else ""


def _first_failure(info) -> int:
    """The flat batch index of the first nonzero info."""
    return int((info.reshape(-1) != 0).argmax())


LU_BLOCK = 32  # columns factored one by one before the rest of the matrix is updated by one product


def lu_factor(xp, a):
    """LAPACK getrf's factorization (numpy has none), batched: LU (unit L below the diagonal, U on and
    above it), the 1-based row swapped with each row, and info (the first exactly zero pivot, 1-based;
    0 if none). Blocked as getrf is: a panel of LU_BLOCK columns is factored column by column, then U's
    rows beside it come from one triangular solve and the trailing matrix from one matrix product, so
    most of the work is BLAS-3."""
    *batch, m, n = a.shape
    lu = a.reshape((math.prod(batch), m, n)).copy()
    count, k = lu.shape[0], min(m, n)
    pivots = xp.zeros((count, k), dtype=xp.int64)
    info = xp.zeros(count, dtype=xp.int64)
    every = xp.arange(count)
    for start in range(0, k, LU_BLOCK):
        stop = min(start + LU_BLOCK, k)
        for j in range(start, stop):
            column = lu[:, j:, j]  # (LAPACK's pivot magnitude of a complex value is |re| + |im|)
            p = j + xp.argmax(xp.abs(column.real) + xp.abs(column.imag) if lu.dtype.kind == "c" else xp.abs(column),
                              axis=1)
            pivots[:, j] = p + 1
            row = lu[every, j].copy()
            lu[every, j] = lu[every, p]
            lu[every, p] = row
            pivot = lu[:, j, j]
            zero = pivot == 0
            info = xp.where(zero & (info == 0), j + 1, info)
            lu[:, j + 1:, j] /= xp.where(zero, 1, pivot)[:, None]
            lu[:, j + 1:, j + 1:stop] -= lu[:, j + 1:, j, None] * lu[:, j, None, j + 1:stop]
        if stop < n:
            unit_lower = xp.tril(lu[:, start:stop, start:stop], -1) + xp.eye(stop - start, dtype=lu.dtype)
            lu[:, start:stop, stop:] = xp.linalg.solve(unit_lower, lu[:, start:stop, stop:])
            lu[:, stop:, stop:] -= lu[:, stop:, start:stop] @ lu[:, start:stop, stop:]
    return lu.reshape(a.shape), pivots.reshape(*batch, k), info.reshape(batch)


def cholesky_info(xp, a):
    """The order of the first leading minor that is not positive-definite (0 where all are), batched,
    and the lower factor as far as it got (the input's lower triangle beyond), as LAPACK potrf leaves it."""
    *batch, n, _ = a.shape
    low = xp.tril(a.reshape((math.prod(batch), n, n))).copy()
    info = xp.zeros(low.shape[0], dtype=xp.int64)
    for j in range(n):
        going = info == 0
        d = (low[:, j, j] - (xp.abs(low[:, j, :j]) ** 2).sum(-1)).real  # (a Hermitian matrix's diagonal is real)
        failed = going & ~(d > 0)
        info = xp.where(failed, j + 1, info)
        going = going & ~failed
        root = xp.sqrt(xp.where(going, d, 1))
        below = (low[:, j + 1:, j] - (low[:, j + 1:, :j] @ low[:, j, :j, None].conj())[..., 0]) / root[:, None]
        low[:, j, j] = xp.where(going, root, low[:, j, j])
        low[:, j + 1:, j] = xp.where(going[:, None], below, low[:, j + 1:, j])
    return low.reshape(a.shape), info.reshape(batch)


def _singular(xp, a, attempt):
    """attempt() when every matrix of a is invertible, else None: numpy raises for an exactly singular
    pivot, cupy returns non-finite values (then the factorization tells which)."""
    try:
        result = attempt(a)
    except np.linalg.LinAlgError:
        return None
    if xp is not np and not bool(xp.isfinite(result).all()) and bool(xp.isfinite(a).all()):
        if bool((lu_factor(xp, a)[2] != 0).any()):
            return None
    return result


def _each_invertible(xp, a, attempt, with_info: bool, message) -> list:
    """attempt(a) with info as LAPACK reports it; a singular matrix raises torch's error, or (with_info)
    gets NaN results and its info."""
    result = _singular(xp, a, attempt)
    info = xp.zeros(a.shape[:-2], dtype=xp.int64)
    if result is None:
        info = lu_factor(xp, a)[2]
        if not with_info:
            raise LinAlgError(message(a, info))
        bad = (info != 0)[..., None, None]
        result = xp.where(bad, xp.nan, attempt(xp.where(bad, xp.eye(a.shape[-1], dtype=a.dtype), a)))
    return [result, info] if with_info else [result]


def _inverse_failed(a, info) -> str:
    at = _first_failure(info)
    return (f"linalg.inv: {_batch_prefix(a, at)}The diagonal element {int(info.reshape(-1)[at])} is zero, the "
            "inversion could not be completed because the input matrix is singular.")


def _inv(xp, arrays, with_info: bool):
    return _each_invertible(xp, arrays[0], xp.linalg.inv, with_info, _inverse_failed)


def permutation(xp, pivots, rows: int):
    """The permutation matrix P with A = P L U, from LAPACK's 1-based row swaps (done in order)."""
    lead = pivots.shape[:-1]
    flat = pivots.reshape((math.prod(lead), pivots.shape[-1])).astype(xp.int64) - 1
    order = xp.broadcast_to(xp.arange(rows), (flat.shape[0], rows)).copy()
    every = xp.arange(flat.shape[0])
    for j in range(flat.shape[1]):
        here, there = order[:, j].copy(), order[every, flat[:, j]].copy()
        order[:, j], order[every, flat[:, j]] = there, here
    p = xp.zeros((flat.shape[0], rows, rows))
    p[every[:, None], order, xp.arange(rows)] = 1
    return p.reshape(lead + (rows, rows))


def _lu(xp, arrays, checked: str | None):
    """LU (L's unit diagonal implied), pivots, P and info. A singular matrix factors too, unless a function
    name is given to raise torch's error with (U's zero pivot would divide by zero in lu_solve)."""
    a, = arrays
    lu, pivots, info = lu_factor(xp, a)
    if checked and bool((info != 0).any()):
        at = _first_failure(info)
        i = int(info.reshape(-1)[at])
        raise RuntimeError(f"torch.{checked}: {_batch_prefix(a, at)}U[{i},{i}] is zero and using it on lu_solve would "
                           "result in a division by zero. If you still want to perform the factorization, consider "
                           "calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")
    return [lu, pivots, permutation(xp, pivots, a.shape[-2]), info]


def _det(xp, arrays):
    return [xp.linalg.det(arrays[0])]


def _slogdet(xp, arrays):
    sign, logabsdet = xp.linalg.slogdet(arrays[0])
    return [sign, logabsdet]


def _solve(xp, arrays, left: bool, vector: bool, with_info: bool):
    """A X = B, or X A = B (solved as A^T X^T = B^T); a vector B is a one-column matrix."""
    a, b = arrays
    if vector:
        b = b[..., None]
    if not left:
        a, b = xp.swapaxes(a, -1, -2), xp.swapaxes(b, -1, -2)
    results = _each_invertible(xp, a, lambda m: xp.linalg.solve(m, b), with_info,
                               lambda a, info: f"torch.linalg.solve: {_batch_prefix(a, _first_failure(info))}The "
                                               "solver failed because the input matrix is singular.")
    x = results[0] if left else xp.swapaxes(results[0], -1, -2)
    return [x[..., 0] if vector else x] + results[1:]


def _cholesky(xp, arrays, upper: bool, with_info: bool):
    """The lower factor of a's lower triangle (its conjugate transpose when upper)."""
    a, = arrays
    try:
        low, info = xp.linalg.cholesky(a), xp.zeros(a.shape[:-2], dtype=xp.int64)
        failed = not bool(xp.isfinite(low).all()) and bool(xp.isfinite(a).all())  # (cupy does not raise)
    except np.linalg.LinAlgError:
        failed = True
    if failed:
        low, info = cholesky_info(xp, a)
        if not with_info:
            at = _first_failure(info)
            raise LinAlgError(f"linalg.cholesky: {_batch_prefix(a, at)}The factorization could not be completed "
                              "because the input is not positive-definite (the leading minor of order "
                              f"{int(info.reshape(-1)[at])} is not positive-definite).")
    factor = xp.swapaxes(low, -1, -2).conj() if upper else low
    return [factor, info] if with_info else [factor]


def _qr(xp, arrays, mode: str):
    q, r = xp.linalg.qr(arrays[0], mode="complete" if mode == "complete" else "reduced")
    return [r] if mode == "r" else [q, r]


def _geqrf(xp, arrays):
    """LAPACK's compact QR: R on and above the diagonal, the Householder vectors below it, and their scales."""
    h, tau = xp.linalg.qr(arrays[0], mode="raw")
    return [xp.swapaxes(h, -1, -2), tau]


def _eigh(xp, arrays, uplo: str):
    try:
        values, vectors = xp.linalg.eigh(arrays[0], UPLO=uplo)
    except np.linalg.LinAlgError as e:
        raise LinAlgError("linalg.eigh: The algorithm failed to converge because the input matrix is "
                          f"ill-conditioned or has too many repeated eigenvalues ({e}).") from None
    return [values, vectors]


def _svd(xp, arrays, full_matrices: bool):
    try:
        u, s, vh = xp.linalg.svd(arrays[0], full_matrices=full_matrices)
    except np.linalg.LinAlgError as e:
        raise LinAlgError(f"linalg.svd: The algorithm failed to converge because the input matrix is "
                          f"ill-conditioned or has too many repeated singular values ({e}).") from None
    return [u, s, vh]


def _pinv(xp, arrays, atol: float, rtol: float, hermitian: bool):
    """Singular values at most max(atol, rtol * the largest) count as zero (torch's rule)."""
    a, = arrays
    def adjoint(m):
        return xp.swapaxes(m, -1, -2).conj()
    if hermitian:  # A = V diag(|l|) (sign(l) V^H)
        values, vectors = xp.linalg.eigh(a)
        size = xp.abs(values)
        left, right = vectors, adjoint(vectors) * xp.sign(values)[..., None]
    else:
        left, size, right = xp.linalg.svd(a, full_matrices=False)
    largest = size.max(-1, keepdims=True) if size.shape[-1] else xp.zeros(size.shape[:-1] + (1,), size.dtype)
    cutoff = xp.maximum(atol, rtol * largest)
    inverted = xp.where(size > cutoff, 1 / xp.where(size > cutoff, size, 1), 0).astype(a.dtype)
    return [adjoint(right) @ (inverted[..., None] * adjoint(left))]


def _solve_triangular(xp, arrays, upper: bool, left: bool, unitriangular: bool):
    """Substitution row by row, batched: exact IEEE results for zero pivots (inf and NaN), as torch's trsm.
    X A = B is solved as A^T X^T = B^T."""
    a, b = arrays
    if not left:
        a, b, upper = xp.swapaxes(a, -1, -2), xp.swapaxes(b, -1, -2), not upper
    n = a.shape[-1]
    x = xp.zeros(b.shape, dtype=b.dtype)
    for i in (reversed(range(n)) if upper else range(n)):
        done = slice(i + 1, n) if upper else slice(0, i)
        rest = b[..., i, :] - (a[..., i, done, None] * x[..., done, :]).sum(-2)
        x[..., i, :] = rest if unitriangular else rest / a[..., i, i, None]
    return [x if left else xp.swapaxes(x, -1, -2)]


def _cofactor(xp, arrays):
    """det(A) A^-T as det(U) det(V^H) conj(U) diag(prod of the other singular values) conj(V^H), from A = U S V^H
    (conj does nothing to a real matrix): defined for singular A too."""
    a, = arrays
    u, s, vh = xp.linalg.svd(a)
    ones = xp.ones(s.shape[:-1] + (1,), dtype=s.dtype)
    before = xp.cumprod(xp.concatenate([ones, s[..., :-1]], -1), -1)
    after = xp.flip(xp.cumprod(xp.concatenate([ones, xp.flip(s, -1)[..., :-1]], -1), -1), -1)
    sign = xp.linalg.det(u) * xp.linalg.det(vh)
    return [sign[..., None, None] * (u.conj() * (before * after)[..., None, :]) @ vh.conj()]


def _eig(xp, arrays):
    """LAPACK geev through numpy (cupy has no general eigensolver: a device matrix goes through the host)."""
    a = arrays[0] if xp is np else arrays[0].get()
    values, vectors = np.linalg.eig(a)
    return [xp.asarray(values), xp.asarray(vectors)]


def _matrix_exp(xp, arrays):
    """Scaling and squaring: A / 2^s has 1-norm at most 1/2, where a degree-18 Taylor polynomial is exact
    to far below float64's rounding; then s squarings."""
    a, = arrays
    norm = float(xp.abs(a).sum(-2).max()) if a.size else 0.0
    squarings = max(0, math.ceil(math.log2(norm * 2))) if norm > 0 and math.isfinite(norm) else 0
    scaled = a / 2.0 ** squarings
    eye = xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape)
    result, term = eye.copy(), eye.copy()
    for k in range(1, 19):
        term = term @ scaled / k
        result = result + term
    for _ in range(squarings):
        result = result @ result
    return [result]


def _searchsorted(xp, arrays, right: bool):
    """Where each value goes in its sorted row (the left or right end of a run of equal ones): torch's binary
    search, all values at once, whose comparisons step right past a NaN in the row or in the value (NumPy's
    searchsorted orders NaN last and lands elsewhere)."""
    boundaries, values = arrays
    n = boundaries.shape[-1]
    start, end = xp.zeros(values.shape, dtype=xp.int64), xp.full(values.shape, n, dtype=xp.int64)
    while bool((start < end).any()):
        active = start < end
        middle = start + (end - start) // 2
        at = xp.minimum(middle, n - 1)
        middle_value = boundaries[at] if boundaries.ndim == 1 else xp.take_along_axis(boundaries, at, -1)
        onward = ~(middle_value > values) if right else ~(middle_value >= values)
        start = xp.where(active & onward, middle + 1, start)
        end = xp.where(active & ~onward, middle, end)
    return [start]


def _nextafter(xp, arrays):
    """C's nextafter: equal arguments give the second (nextafter(0.0, -0.0) is -0.0; NumPy's float16 one gives the
    first)."""
    a, b = arrays
    return [xp.where(a == b, b, xp.nextafter(a, b))]


def _mode(xp, arrays):
    """The most frequent value of each row (the smallest on ties) and the last index holding it; the value is
    the element there, as torch's (of equal -0.0 and 0.0, the last one's sign)."""
    a, = arrays
    n = a.shape[-1]
    ordered = xp.sort(a, axis=-1)
    starts = xp.ones(a.shape, dtype=bool)
    starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    run_start = xp.maximum.accumulate(xp.where(starts, xp.arange(n), 0), axis=-1)
    length = xp.arange(n) - run_start + 1  # how many equal values end here
    best = xp.argmax(length, axis=-1)[..., None]
    value = xp.take_along_axis(ordered, best, -1)
    last = n - 1 - xp.argmax(xp.flip(a == value, -1), axis=-1)
    return [xp.take_along_axis(a, last[..., None], -1)[..., 0], last]


def check_finite_ranges(xp, points, counts: tuple, ranges: tuple | None) -> None:
    """torch's refusal of equal bins over a range that is not finite: the given one, or the data's own (a NaN or
    an infinity among the values of that dim of the (N, D) points)."""
    for d, count in enumerate(counts):
        if count is None or (ranges is None and not len(points)):
            continue
        low, high = ranges[d] if ranges else (float(xp.min(points[:, d])), float(xp.max(points[:, d])))
        if not (math.isfinite(low) and math.isfinite(high)):
            raise RuntimeError(f"torch.histogramdd: dimension {d}'s range [{low:g}, {high:g}] is not finite")


def _histogram(xp, arrays, bins: int | None, value_range: tuple | None, density: bool):
    """Counts (weighted) in bins equal bins over value_range (the data's range when None), or in the bins
    a tensor of edges gives (bins None)."""
    a, *rest = arrays
    check_finite_ranges(xp, a.reshape(-1, 1), (bins,), (value_range,) if value_range else None)
    edges = rest.pop(0) if bins is None else bins
    weights = rest[0].reshape(-1) if rest else None
    if bins is None:
        return [_counts_in_edges(xp, a.reshape(-1), edges, weights, density), edges]
    hist, edges = xp.histogram(a.reshape(-1), bins=edges, range=value_range, weights=weights, density=density)
    return [hist, edges]


def _counts_in_edges(xp, x, edges, weights, density: bool):
    """Counts in the bins edges give, found as torch finds them (in any order of edges, which numpy refuses):
    values between the first and the last edge, in the bin before the first edge above them (a binary search
    that is std::upper_bound's), the last edge in the last bin."""
    n = len(edges) - 1
    inside = (x >= edges[0]) & (x <= edges[-1]) if n >= 0 else xp.zeros(x.shape, bool)
    position = xp.searchsorted(edges, x, side="right") - 1
    position = xp.where(position == n, n - 1, position)
    kept = inside & (position >= 0)
    hist = xp.bincount(position[kept], None if weights is None else weights[kept], minlength=max(n, 0))[:max(n, 0)]
    hist = hist.astype(x.dtype)
    if density:
        hist = hist / (hist.sum() * xp.diff(edges))
    return hist


def _histogramdd(xp, arrays, counts: tuple, value_range: tuple | None, density: bool, weighted: bool):
    """Counts (weighted) of points (N, D) in the bins of each dim: `counts[d]` equal bins (over value_range[d]
    or the data's range), or, where counts[d] is None, the next array of edges."""
    points, *rest = arrays
    check_finite_ranges(xp, points, counts, value_range)
    weights = rest.pop().reshape(-1) if weighted else None
    edges = iter(rest)
    bins = [next(edges) if count is None else count for count in counts]
    hist, edges = xp.histogramdd(points, bins=bins, range=value_range, weights=weights, density=density)
    return [hist, *edges]


ROUTINES: dict[str, Routine] = {
    "inv": Routine(_inv, "the inverse (LAPACK getrf + getri; cupy: cuSOLVER getrf + getrs)"),
    "lu": Routine(_lu, "the LU factorization with partial pivoting (column by column, batched)"),
    "ldl_factor": Routine(bunch_kaufman.ldl_factor, "the LDL^T factorization with Bunch-Kaufman pivoting (LAPACK "
                          "sytrf/hetrf's algorithm, column by column on the host)"),
    "ldl_solve": Routine(bunch_kaufman.ldl_solve, "a solve with an LDL^T factorization (LAPACK sytrs/hetrs's "
                         "sweeps, on the host)"),
    "permutation": Routine(lambda xp, arrays, rows: [permutation(xp, arrays[0], rows)],
                           "the permutation matrix of LU pivots"),
    "det": Routine(_det, "the determinant (LU factorization)"),
    "slogdet": Routine(_slogdet, "sign and log of the absolute determinant (LU factorization)"),
    "solve": Routine(_solve, "the solution of A X = B (LAPACK gesv; cupy: cuSOLVER getrf + getrs)"),
    "cholesky": Routine(_cholesky, "the lower Cholesky factor (LAPACK potrf; cupy: cuSOLVER potrf)"),
    "qr": Routine(_qr, "the QR factorization (LAPACK geqrf + orgqr; cupy: cuSOLVER geqrf + orgqr)"),
    "geqrf": Routine(_geqrf, "the QR factorization in Householder form (LAPACK geqrf; cupy: cuSOLVER geqrf)"),
    "eig": Routine(_eig, "eigenvalues and eigenvectors of a general matrix (LAPACK geev, on the host)"),
    "eigh": Routine(_eigh, "eigenvalues and eigenvectors of a symmetric matrix (LAPACK syevd; cupy: cuSOLVER syevj)"),
    "svd": Routine(_svd, "the singular value decomposition (LAPACK gesdd; cupy: cuSOLVER gesvd)"),
    "svdvals": Routine(lambda xp, arrays: [xp.linalg.svd(arrays[0], compute_uv=False)],
                       "the singular values alone (LAPACK gesdd without vectors)"),
    "eigvalsh": Routine(lambda xp, arrays, uplo: [xp.linalg.eigvalsh(arrays[0], UPLO=uplo)],
                        "the eigenvalues of a symmetric matrix alone (LAPACK syevd without vectors)"),
    "pinv": Routine(_pinv, "the pseudo-inverse through the SVD (or eigh when hermitian)"),
    "solve_triangular": Routine(_solve_triangular, "the solution of a triangular system, by substitution"),
    "cofactor": Routine(_cofactor, "the cofactor matrix det(A) A^-T, through the SVD"),
    "matrix_exp": Routine(_matrix_exp, "the matrix exponential (scaling and squaring of a Taylor polynomial)"),
    "isin": Routine(lambda xp, arrays, invert: [xp.isin(*arrays, invert=invert)], "membership (isin)"),
    "searchsorted": Routine(_searchsorted, "binary searches in sorted rows (searchsorted)"),
    "gcd": Routine(lambda xp, arrays: [xp.gcd(*arrays)], "greatest common divisors (Euclid's algorithm)"),
    "lcm": Routine(lambda xp, arrays: [xp.lcm(*arrays)], "least common multiples"),
    "nextafter": Routine(_nextafter, "the next float towards another (nextafter)"),
    "frexp": Routine(lambda xp, arrays: list(xp.frexp(arrays[0])), "mantissas and exponents (frexp)"),
    "mode": Routine(_mode, "the most frequent value of each row and where it is (a sort and run lengths)"),
    "histogram": Routine(_histogram, "counts in bins (histogram)"),
    "histogramdd": Routine(_histogramdd, "counts of points in a grid of bins (histogramdd)"),
    "ctc_loss": Routine(ctc_alignment.ctc_loss, "the CTC forward recursion over time (log-space alphas)"),
    "standard_gamma": Routine(rejection_samplers.standard_gamma, "Gamma(alpha, 1) draws (Marsaglia-Tsang rejection, "
                              "numpy's Philox stream of the node's seed and offset)"),
    "standard_gamma_grad": Routine(rejection_samplers.standard_gamma_grad,
                                   "the derivative of gamma draws with respect to their shape"),
    "poisson": Routine(rejection_samplers.poisson, "Poisson draws (numpy's Philox stream of the node's seed and offset)"),
    "binomial": Routine(rejection_samplers.binomial, "binomial draws (numpy's Philox stream of the node's seed and offset)"),
    "ctc_loss_backward": Routine(ctc_alignment.ctc_loss_backward,
                                 "the CTC backward recursion and each class's share of the alignments"),
}


def run(routine: str, params: tuple, arrays: list, xp, dtype):
    """The routine's results on arrays, packed into one flat array of dtype."""
    results = ROUTINES[routine].call(xp, arrays, *params)
    return xp.concatenate([xp.asarray(r).astype(dtype, copy=False).reshape(-1) for r in results])


def describe(routine: str, params: tuple, name: str, shapes: list[tuple]) -> str:
    """What a library-call kernel runs, shown where a generated kernel shows its source."""
    args = ", ".join("x".join(map(str, s)) or "scalar" for s in shapes)
    shown = f"({', '.join(map(repr, params))})" if params else ""
    return (f"/* {name}: library call, no generated code\n * {routine}{shown} on {args}: "
            f"{ROUTINES[routine].about} */\n")
