"""Random programs of views, in-place writes, lazy reads and realizations, run in lazygrad and torch:
every value read and the final contents must agree. This exercises the lazy write machinery
(strided embedding, in-place buffer reuse, pending readers, chain bounding) in combinations no
hand-written test lists."""
import random

import numpy as np
import pytest

import lazygrad as lg

torch = pytest.importorskip("torch")

VIEWS = [
    lambda t: t,
    lambda t: t[1:],
    lambda t: t[:, ::2],
    lambda t: t[1::2, 1:4],
    lambda t: t.t(),
    lambda t: t.t()[1:3],
    lambda t: t[2],
    lambda t: t[:, 3],
    lambda t: t.diagonal(),
    lambda t: t.diagonal(1),
    lambda t: t.view(-1)[3:17:3],
    lambda t: t.view(2, 10)[1],
    lambda t: t.narrow(1, 1, 3),
    lambda t: t.unsqueeze(0)[0, :, 1:],
]

WRITES = [
    lambda v, m: v.add_(1.5),
    lambda v, m: v.mul_(-2),
    lambda v, m: v.fill_(3.25),
    lambda v, m: v.zero_(),
    lambda v, m: v.clamp_(-4, 4),
    lambda v, m: v.copy_(m.arange(v.numel(), dtype=m.float32).reshape(v.shape) * 0.5),
    lambda v, m: v.__setitem__(..., -1.0),
    lambda v, m: v.sub_(v * 0.25),
    lambda v, m: v.abs_(),
    lambda v, m: v.masked_fill_(v > 2, 9.0),
]


# what a read keeps of a view: a lazy value computed from it, a copy (a clone of a computed tensor holds its
# buffer itself until computed), or the view itself (an alias, which later writes reach)
READS = [
    lambda v: v * 2 + 1,
    lambda v: v.clone(),
    lambda v: v.contiguous(),
    lambda v: v.reshape(-1),
    lambda v: v.detach(),
    lambda v: v + 0,
]


def _program(seed: int):
    """A list of steps: ('write', view, write), ('read', view, read), ('realize',), ('realize read', k)."""
    rng = random.Random(seed)
    steps = []
    for _ in range(rng.randint(4, 12)):
        kind = rng.random()
        if kind < 0.55:
            steps.append(("write", rng.randrange(len(VIEWS)), rng.randrange(len(WRITES))))
        elif kind < 0.8:
            steps.append(("read", rng.randrange(len(VIEWS)), rng.randrange(len(READS))))
        elif kind < 0.9:
            steps.append(("realize read", rng.randrange(8)))
        else:
            steps.append(("realize",))
    return steps


def _run(m, steps, realize_reads: bool, numpy_shared: bool):
    base = m.arange(20, dtype=m.float32).reshape(4, 5) - 7
    seen_by_numpy = base.numpy()  # with lazygrad, from now on every write goes through at once
    if not numpy_shared:
        base = base.clone()
    reads = []
    for step in steps:
        if step[0] == "write":
            WRITES[step[2]](VIEWS[step[1]](base), m)
        elif step[0] == "read":
            r = READS[step[2]](VIEWS[step[1]](base))
            if realize_reads and m is lg:
                r.realize()
            reads.append(r)
        elif step[0] == "realize read":
            if reads and m is lg:
                reads[step[1] % len(reads)].realize()
        elif m is lg:
            base.realize()
    if numpy_shared:
        np.testing.assert_array_equal(seen_by_numpy, base.numpy())
    return base, reads


@pytest.mark.parametrize("numpy_shared", [False, True], ids=["lazy", "numpy-shared"])
@pytest.mark.parametrize("seed", range(60))
def test_random_write_programs_match_torch(backend, seed, numpy_shared):
    steps = _program(seed)
    for realize_reads in (False, True):
        got_base, got_reads = _run(lg, steps, realize_reads, numpy_shared)
        want_base, want_reads = _run(torch, steps, realize_reads, numpy_shared)
        np.testing.assert_array_equal(got_base.numpy(), want_base.numpy(), err_msg=str(steps))
        for g, w in zip(got_reads, want_reads):
            np.testing.assert_array_equal(g.numpy(), w.numpy(), err_msg=str(steps))


GRAD_WRITES = [
    lambda v, w, m: v.add_(1.5),
    lambda v, w, m: v.mul_(-2),
    lambda v, w, m: v.mul_(w[: v.shape[-1]] if v.ndim else w[0]),
    lambda v, w, m: v.copy_((w[: v.shape[-1]] if v.ndim else w[0]) * 3),
    lambda v, w, m: v.sin_(),
    lambda v, w, m: v.pow_(2),
    lambda v, w, m: v.zero_(),
    lambda v, w, m: v.exp_(),
    lambda v, w, m: v.__setitem__(..., w.sum()),
]


def _grad_run(m, steps):
    w = m.linspace(-1, 1, 5, requires_grad=True)
    base = (m.arange(20, dtype=m.float32).reshape(4, 5) * 0.1 - 1) * w
    loss = 0
    for step in steps:
        if step[0] == "write":
            GRAD_WRITES[step[2] % len(GRAD_WRITES)](VIEWS[step[1]](base), w, m)
        elif step[0] == "read":
            loss = loss + (VIEWS[step[1]](base) * 0.5).sum()
    loss = loss + (base * m.arange(20, dtype=m.float32).reshape(4, 5)).sum()
    loss.backward()
    return w.grad


@pytest.mark.parametrize("seed", range(100))
def test_random_write_programs_differentiate_like_torch(seed):
    steps = _program(1000 + seed)
    outcomes = []
    for m in (lg, torch):
        try:
            outcomes.append(np.array(_grad_run(m, steps).tolist()))
        except RuntimeError as e:
            outcomes.append(str(e).replace("torch.", "lazygrad."))
    got, want = outcomes
    if isinstance(want, str) or isinstance(got, str):
        assert str(got) == str(want), steps
    else:
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-5, err_msg=str(steps))
