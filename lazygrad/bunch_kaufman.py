"""The LDL^T factorization of a symmetric (or Hermitian) indefinite matrix with Bunch-Kaufman pivoting,
and solves with it: LAPACK's sytrf/hetrf and sytrs/hetrs (lower triangle), which numpy does not expose.

A = P L D L^H P^T: L unit lower triangular, D block diagonal with 1x1 and 2x2 blocks. LD holds L below
the diagonal and D on it (a 2x2 block's off-diagonal element just below), pivots LAPACK's 1-based
interchanges: k where row k was swapped with a 1x1 block's row, -k (twice) for a 2x2 block whose second
row was swapped with row k. Each column's pivot choice depends on the values, so the loop runs column by
column on the host (numpy; a device array is brought over), one matrix of a batch at a time; its work is
rank-1 and rank-2 updates of the trailing matrix.
"""
from __future__ import annotations

import math

import numpy as np

ALPHA = (1 + math.sqrt(17)) / 8  # Bunch and Kaufman's threshold: bounds the growth of L's elements


def _magnitude(v):
    """LAPACK's cheap magnitude for pivoting: |re| + |im| of a complex value."""
    return np.abs(v.real) + np.abs(v.imag) if np.iscomplexobj(v) else np.abs(v)


def _swap(a, first, second) -> None:
    a[first], a[second] = a[second].copy(), a[first].copy()


def _pivot(a, k: int, n: int, hermitian: bool) -> tuple[int, int] | None:
    """(kp, step) for column k: the row brought to k (or k+1 for a 2x2 block) and the block's size;
    None when the column is zero (D is singular there)."""
    diagonal = abs(a[k, k].real) if hermitian else _magnitude(a[k, k])
    imax, colmax = k, 0.0
    if k < n - 1:
        column = _magnitude(a[k + 1:, k])
        imax = k + 1 + int(np.argmax(column))
        colmax = column[imax - k - 1]
    if (colmax if diagonal != diagonal else max(diagonal, colmax)) == 0:  # (NaN: the compiled MAX's answer)
        return None
    if diagonal >= ALPHA * colmax:
        return k, 1
    rowmax = _magnitude(a[imax, k:imax]).max()
    if imax < n - 1:
        rowmax = max(rowmax, _magnitude(a[imax + 1:, imax]).max())
    if diagonal >= ALPHA * colmax * (colmax / rowmax):
        return k, 1
    if (abs(a[imax, imax].real) if hermitian else _magnitude(a[imax, imax])) >= ALPHA * rowmax:
        return imax, 1
    return imax, 2


def _interchange(a, k: int, kk: int, kp: int, step: int, hermitian: bool) -> None:
    """Swap rows and columns kk and kp of the trailing lower triangle (kp > kk)."""
    conj = np.conj if hermitian else (lambda v: v)
    _swap(a[kp + 1:], (slice(None), kk), (slice(None), kp))
    between = a[kk + 1:kp, kk].copy()
    a[kk + 1:kp, kk] = conj(a[kp, kk + 1:kp])
    a[kp, kk + 1:kp] = conj(between)
    if hermitian:
        a[kp, kk] = np.conj(a[kp, kk])
    _swap(a, (kk, kk), (kp, kp))
    if step == 2:
        _swap(a, (k + 1, k), (kp, k))


def _update(a, k: int, step: int, hermitian: bool) -> None:
    """Eliminate the block's columns from the trailing matrix and turn them into L's columns."""
    conj = np.conj if hermitian else (lambda v: v)
    rest = slice(k + step, None)
    if step == 1:
        x = a[rest, k].copy()
        scale = 1 / (a[k, k].real if hermitian else a[k, k])
        a[rest, rest] -= scale * np.outer(x, conj(x))
        a[rest, k] = x * scale
    else:
        d21 = a[k + 1, k]
        if hermitian:
            size = abs(d21)
            d11, d22 = a[k + 1, k + 1].real / size, a[k, k].real / size
            unit = d21 / size
            scale = 1 / (d11 * d22 - 1) / size
            wk = scale * (d11 * a[rest, k] - unit * a[rest, k + 1])
            wkp1 = scale * (d22 * a[rest, k + 1] - np.conj(unit) * a[rest, k])
        else:
            d11, d22 = a[k + 1, k + 1] / d21, a[k, k] / d21
            scale = 1 / (d11 * d22 - 1) / d21
            wk = scale * (d11 * a[rest, k] - a[rest, k + 1])
            wkp1 = scale * (d22 * a[rest, k + 1] - a[rest, k])
        a[rest, rest] -= np.outer(a[rest, k], conj(wk)) + np.outer(a[rest, k + 1], conj(wkp1))
        a[rest, k], a[rest, k + 1] = wk, wkp1
    if hermitian:
        tail = np.arange(k + step, a.shape[0])
        a[tail, tail] = a[tail, tail].real


def factor_one(a: np.ndarray, hermitian: bool) -> tuple[np.ndarray, np.ndarray, int]:
    """LD (lower triangle; a is overwritten), pivots and info (the first zero 1x1 block, 1-based) of one
    matrix, as LAPACK's unblocked sytf2/hetf2 compute them."""
    n = a.shape[0]
    hermitian = hermitian and np.iscomplexobj(a)
    pivots, info, k = np.zeros(n, dtype=np.int64), 0, 0
    while k < n:
        choice = _pivot(a, k, n, hermitian)
        if choice is None:
            info = info or k + 1
            kp, step = k, 1
            if hermitian:
                a[k, k] = a[k, k].real
        else:
            kp, step = choice
            kk = k + step - 1
            if kp != kk:
                _interchange(a, k, kk, kp, step, hermitian)
            elif hermitian:
                a[k, k] = a[k, k].real
                if step == 2:
                    a[k + 1, k + 1] = a[k + 1, k + 1].real
            if k + step < n:
                _update(a, k, step, hermitian)
        pivots[k:k + step] = kp + 1 if step == 1 else -(kp + 1)
        k += step
    return np.tril(a), pivots, info


def solve_one(ld: np.ndarray, pivots: np.ndarray, b: np.ndarray, hermitian: bool) -> np.ndarray:
    """X with A X = B (B overwritten), A = P L D L^H P^T as factor_one gives it: sytrs's two sweeps."""
    n = ld.shape[0]
    hermitian = hermitian and np.iscomplexobj(ld)
    conj = np.conj if hermitian else (lambda v: v)
    k = 0
    while k < n:  # L D Y = P^T B, from the top
        if pivots[k] > 0:
            _swap(b, k, pivots[k] - 1)
            b[k + 1:] -= np.outer(ld[k + 1:, k], b[k])
            b[k] /= ld[k, k].real if hermitian else ld[k, k]
            k += 1
            continue
        _swap(b, k + 1, -pivots[k] - 1)
        b[k + 2:] -= np.outer(ld[k + 2:, k], b[k]) + np.outer(ld[k + 2:, k + 1], b[k + 1])
        d21 = ld[k + 1, k]
        d11, d22 = ld[k, k] / conj(d21), ld[k + 1, k + 1] / d21
        b1, b2 = b[k] / conj(d21), b[k + 1] / d21
        det = d11 * d22 - 1
        b[k], b[k + 1] = (d22 * b1 - b2) / det, (d11 * b2 - b1) / det
        k += 2
    k = n - 1
    while k >= 0:  # L^H P^T X = Y, from the bottom
        step = 1 if pivots[k] > 0 else 2
        for j in range(k, k - step, -1):
            b[j] -= conj(ld[k + 1:, j]) @ b[k + 1:]
        _swap(b, k, abs(pivots[k]) - 1)
        k -= step
    return b


def ldl_factor(xp, arrays, hermitian: bool, checked: str | None):
    """LD, pivots and info of each matrix of a batch; checked names the function raising torch's error
    for a singular D."""
    a, = arrays
    host = np.asarray(a.get() if hasattr(a, "get") else a)
    *batch, n, _ = host.shape
    flat = host.reshape((math.prod(batch), n, n))
    ld, pivots, info = np.empty_like(flat), np.zeros(flat.shape[:2], dtype=np.int64), np.zeros(len(flat), np.int64)
    for i, matrix in enumerate(flat):
        ld[i], pivots[i], info[i] = factor_one(matrix.copy(), hermitian)
    if checked and info.any():
        at = int(np.flatnonzero(info)[0])
        where = f"(Batch element {at}): " if batch else ""
        raise RuntimeError(f"torch.{checked}: {where}The factorization could not be completed because the block "
                           f"diagonal matrix D is exactly singular (its element {info[at]} is zero).")
    return [xp.asarray(r) for r in (ld.reshape(host.shape), pivots.reshape(*batch, n), info.reshape(batch))]


def ldl_solve(xp, arrays, hermitian: bool):
    """X with A X = B for each matrix of a batch (the arrays broadcast to one batch shape already)."""
    ld, pivots, b = (np.asarray(x.get() if hasattr(x, "get") else x) for x in arrays)
    n = ld.shape[-1]
    count = math.prod(b.shape[:-2])
    flat_ld, flat_b = ld.reshape((count, n, n)), b.reshape((count,) + b.shape[-2:]).copy()
    flat_pivots = pivots.reshape((count, n)).real.astype(np.int64)
    for i in range(len(flat_b)):
        solve_one(flat_ld[i], flat_pivots[i], flat_b[i], hermitian)
    return [xp.asarray(flat_b.reshape(b.shape))]
