"""Random graphs whose nodes are realized several at a time, against NumPy: the scheduler's grouping of
targets into multi-output kernels, the order of those kernels and the loops each walks meet shapes no
hand-written test lists (two groups waiting on each other, a group nesting reductions of two loop shapes)."""
import random

import numpy as np
import pytest

import lazygrad as lg

SHAPES = [(4,), (4, 3), (3, 4), (2, 4, 3)]


def _softmax(v, axis):
    e = np.exp(v - v.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def _step(rng: random.Random, g: np.random.Generator, x, xn):
    """One new node from x (lazygrad) and xn (its NumPy value), or None where the op does not apply."""
    r = rng.random()
    if r < 0.2:
        return (x * 0.1).exp() + x * x, np.exp(xn * 0.1) + xn * xn
    if r < 0.4 and xn.ndim:
        axis, keep = rng.randrange(xn.ndim), rng.random() < 0.4
        if rng.random() < 0.5:
            return x.sum(axis, keepdim=keep), xn.sum(axis, keepdims=keep)
        return x.amax(axis, keepdim=keep), xn.max(axis, keepdims=keep)
    if r < 0.5:
        return x.sum(), xn.sum()
    if r < 0.6 and xn.ndim:
        axis = rng.randrange(xn.ndim)
        return x.softmax(axis), _softmax(xn, axis)
    if r < 0.7 and xn.ndim >= 2:
        return x.transpose(0, 1), np.swapaxes(xn, 0, 1)
    if r < 0.8 and xn.ndim:
        positions = g.integers(0, xn.shape[0], 5)
        return x[lg.tensor(positions)], xn[positions]
    if r < 0.9 and xn.ndim and xn.shape[0] > 1:
        return x[1:], xn[1:]
    return None


def _program(seed: int):
    rng, g = random.Random(seed), np.random.default_rng(seed)
    values = [g.standard_normal(rng.choice(SHAPES)) for _ in range(rng.randint(1, 3))]
    ours, theirs = [lg.tensor(v).realize() for v in values], values
    for _ in range(rng.randint(8, 24)):
        i = rng.randrange(len(ours))
        if rng.random() < 0.3:  # a binary op with another node (summed down when it does not broadcast)
            j = rng.randrange(len(ours))
            other, other_np = ours[j], theirs[j]
            try:
                np.broadcast_shapes(theirs[i].shape, other_np.shape)
            except ValueError:
                other, other_np = other.sum(), other_np.sum()
            made = (ours[i] * other + other, theirs[i] * other_np + other_np)
        else:
            made = _step(rng, g, ours[i], theirs[i])
        if made is not None:
            ours.append(made[0])
            theirs.append(np.asarray(made[1]))
    together = rng.sample(range(len(ours)), min(len(ours), rng.randint(3, 12)))
    return ours, theirs, together


@pytest.mark.parametrize("chunk", range(4))
def test_nodes_realized_together_match_numpy(chunk):
    for seed in range(chunk * 15, chunk * 15 + 15):
        ours, theirs, together = _program(seed)
        lg.realize(*[ours[k] for k in together])
        for k, (got, want) in enumerate(zip(ours, theirs)):
            np.testing.assert_allclose(got.numpy(), want, rtol=1e-6, atol=1e-9, err_msg=f"seed {seed}, node {k}")
