"""The CTC forward-backward recursions (Graves et al. 2006), as library routines: a loop over time whose
length depends on each sample's input and target lengths, vectorized over the batch and over the
positions of the blank-separated label sequence. `xp` is numpy on the CPU, cupy on a GPU.

Positions s of the extended sequence alternate blank, label 1, blank, label 2, ..., blank (2S+1 of them).
alpha[t, s] is the log-probability of the prefixes of length t+1 that end at s; beta[t, s] that of the
suffixes from t that start at s (both include the emission at t, as torch's do).
"""
from __future__ import annotations

import numpy as np


def _logsumexp3(xp, a, b, c):
    top = xp.maximum(xp.maximum(a, b), c)
    safe = xp.where(xp.isneginf(top), 0, top)
    with np.errstate(divide="ignore"):
        return safe + xp.log(xp.exp(a - safe) + xp.exp(b - safe) + xp.exp(c - safe))


def _shifted(xp, x, by: int):
    """x moved `by` positions along the last axis (right when positive), -inf where nothing moved in."""
    out = xp.full_like(x, -np.inf)
    if by > 0 and x.shape[-1] > by:
        out[..., by:] = x[..., :-by]
    elif by < 0 and x.shape[-1] > -by:
        out[..., :by] = x[..., -by:]
    return out


def _padded_targets(xp, targets, target_lengths):
    """Targets as (N, S) rows: 2-D as given, or cut out of the 1-D concatenation."""
    if targets.ndim == 2:
        return targets.astype(np.int64)
    n, width = len(target_lengths), int(target_lengths.max()) if len(target_lengths) else 0
    starts = xp.cumsum(target_lengths) - target_lengths
    positions = xp.minimum(starts[:, None] + xp.arange(width)[None, :], max(targets.shape[0] - 1, 0))
    return targets.astype(np.int64)[positions] if targets.shape[0] else xp.zeros((n, width), np.int64)


class _Lattice:
    """A batch's extended label sequences, their emissions at every step, and which may skip a blank."""

    def __init__(self, xp, log_probs, targets, input_lengths, target_lengths, blank: int):
        self.xp = xp
        self.il, self.tl = input_lengths.astype(np.int64), target_lengths.astype(np.int64)
        labels = _padded_targets(xp, targets, self.tl)
        width = int(self.tl.max()) if len(self.tl) else 0
        steps, n, _ = log_probs.shape
        self.ext = xp.full((n, 2 * width + 1), blank, np.int64)
        self.ext[:, 1::2] = labels[:, :width]
        self.emit = xp.take_along_axis(log_probs, xp.broadcast_to(self.ext[None], (steps,) + self.ext.shape), axis=2)
        # s may be reached from s - 2 when it holds a label that differs from the one two places back
        self.skip = xp.zeros(self.ext.shape, bool)
        self.skip[:, 3::2] = self.ext[:, 3::2] != self.ext[:, 1:-2:2]
        self.rows = xp.arange(n)

    def ends(self, table_at_last):
        """The entries at each sample's last two positions (2tl and 2tl - 1, the latter only with labels)."""
        xp = self.xp
        last = table_at_last[self.rows, 2 * self.tl]
        before = table_at_last[self.rows, xp.maximum(2 * self.tl - 1, 0)]
        return last, xp.where(self.tl > 0, before, -np.inf)


def ctc_loss(xp, arrays, blank: int):
    """[negative log-likelihood (N,), alpha (T, N, 2S+1)]."""
    log_probs, targets, input_lengths, target_lengths = arrays
    g = _Lattice(xp, log_probs, targets, input_lengths, target_lengths, blank)
    steps = log_probs.shape[0]
    alpha = xp.full(g.emit.shape, -np.inf, log_probs.dtype)
    if steps:
        alpha[0, :, 0] = g.emit[0, :, 0]
        if alpha.shape[2] > 1:
            alpha[0, :, 1] = xp.where(g.tl > 0, g.emit[0, :, 1], -np.inf)
    for t in range(1, steps):
        prev = alpha[t - 1]
        jump = xp.where(g.skip, _shifted(xp, prev, 2), -np.inf)
        alpha[t] = _logsumexp3(xp, prev, _shifted(xp, prev, 1), jump) + g.emit[t]
    last, before = g.ends(alpha[xp.maximum(g.il - 1, 0), g.rows])
    nll = -xp.logaddexp(last, before)
    nll = xp.where((g.il == 0) & (g.tl > 0), np.inf, xp.where(g.il == 0, 0, nll))
    return [nll, alpha]


def ctc_loss_backward(xp, arrays, blank: int, zero_infinity: bool):
    """[d loss / d log_probs (T, N, C)] as torch computes it: exp(log_probs) minus each class's share of the
    alignments, so that through log_softmax it is the exact gradient; zero from each input length on."""
    grad_out, log_probs, targets, input_lengths, target_lengths, nll, alpha = arrays
    g = _Lattice(xp, log_probs, targets, input_lengths, target_lengths, blank)
    steps, n, classes = log_probs.shape
    beta = xp.full(g.emit.shape, -np.inf, log_probs.dtype)
    jump_from = xp.zeros_like(g.skip)  # s may go on to s + 2 where s + 2 may be reached from s
    jump_from[:, :-2] = g.skip[:, 2:]
    for t in reversed(range(steps)):
        start = xp.full(beta.shape[1:], -np.inf, log_probs.dtype)
        last, before = g.ends(g.emit[t])
        start[g.rows, 2 * g.tl] = last
        has_labels = g.tl > 0
        start[g.rows[has_labels], 2 * g.tl[has_labels] - 1] = before[has_labels]
        if t + 1 < steps:
            nxt = beta[t + 1]
            jump = xp.where(jump_from, _shifted(xp, nxt, -2), -np.inf)
            inner = _logsumexp3(xp, nxt, _shifted(xp, nxt, -1), jump) + g.emit[t]
        else:
            inner = start
        at_end, inside = (t == g.il - 1)[:, None], (t < g.il - 1)[:, None]
        beta[t] = xp.where(at_end, start, xp.where(inside, inner, -np.inf))
    both = alpha + beta
    top = both.max(axis=2, keepdims=True) if both.shape[2] else xp.zeros(both.shape[:2] + (1,), both.dtype)
    top = xp.where(xp.isneginf(top), 0, top)
    share = xp.zeros((steps, n, classes), log_probs.dtype)
    for s in range(both.shape[2]):  # one label per sample at each s: no two writes meet
        share[:, g.rows, g.ext[:, s]] += xp.exp(both[:, :, s] - top[:, :, 0])
    with np.errstate(divide="ignore", invalid="ignore"):
        grad = xp.exp(log_probs) - xp.exp(xp.log(share) + top + nll[None, :, None] - log_probs)
    grad = xp.where((xp.arange(steps)[:, None] < g.il[None, :])[:, :, None], grad, 0)
    if zero_infinity:
        grad = xp.where(xp.isinf(nll)[None, :, None], 0, grad)
    return [grad * grad_out[None, :, None]]
