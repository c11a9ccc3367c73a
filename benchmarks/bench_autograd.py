"""Autograd speed: a Hessian-vector product against torch's double backward, an embedding lookup's
gradient (a scatter-add into a large table) against torch's, and the backward of the 8-op chain
against its forward. Medians of repeated runs, one process; float32.

    python benchmarks/bench_autograd.py [--reps N]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import lazygrad as lg  # noqa: E402


def median_ms(fn, reps: int) -> float:
    fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def repetitions(description: str, default: int) -> int:
    """The --reps option every benchmark script here takes: timed runs per case (the median is reported)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--reps", type=int, default=default)
    return parser.parse_args().reps


def torch_or_none():
    """torch on two threads (this machine's cores), or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(2)
    return torch


def hvp_lazygrad(w, x, v):
    x = x.detach().requires_grad_()
    f = ((w @ x).tanh() ** 2).sum()
    (g,) = lg.autograd.grad(f, x, create_graph=True)
    (h,) = lg.autograd.grad((g * v).sum(), x)
    return h.realize()


def hvp_torch(torch, w, x, v):
    x = x.detach().requires_grad_()
    f = (torch.tanh(w @ x) ** 2).sum()
    (g,) = torch.autograd.grad(f, x, create_graph=True)
    (h,) = torch.autograd.grad((g * v).sum(), x)
    return h


def embedding_grad(lib, table, idx, weight):
    """The gradient of a lookup of 4096 rows of a 30000 x 256 table: zeros but the rows looked up."""
    (g,) = lib.autograd.grad((table[idx] * weight).sum(), table)
    return g.realize() if lib is lg else g


def chain(t):
    return ((t * 1.5 + 2).exp().tanh() * t - 0.5).abs().sqrt()


def main() -> int:
    reps = repetitions(__doc__.splitlines()[0], 11)
    rng = np.random.default_rng(0)
    w_np = (rng.standard_normal((512, 512)) / 16).astype(np.float32)
    x_np, v_np = rng.standard_normal(512).astype(np.float32), rng.standard_normal(512).astype(np.float32)
    w, x, v = lg.tensor(w_np).realize(), lg.tensor(x_np).realize(), lg.tensor(v_np).realize()
    ours = median_ms(lambda: hvp_lazygrad(w, x, v), reps)
    h = hvp_lazygrad(w, x, v).numpy()
    rows = [("HVP sum(tanh(W@x)^2), W 512x512", ours)]
    try:
        import torch
        torch.set_num_threads(2)
        tw, tx, tv = (torch.from_numpy(a.copy()) for a in (w_np, x_np, v_np))
        theirs = median_ms(lambda: hvp_torch(torch, tw, tx, tv), reps)
        ref = hvp_torch(torch, tw, tx, tv).numpy()
        err = float(np.abs(h - ref).max() / max(np.abs(ref).max(), 1e-30))
        rows[0] = rows[0] + (theirs, err)
    except ImportError:
        torch = None
        rows[0] = rows[0] + (float("nan"), float("nan"))

    table_np = rng.standard_normal((30000, 256)).astype(np.float32)
    idx_np, weight_np = rng.integers(0, 30000, 4096), rng.standard_normal(256).astype(np.float32)
    table = lg.tensor(table_np, requires_grad=True)
    idx, weight = lg.tensor(idx_np).realize(), lg.tensor(weight_np).realize()
    lookup = [median_ms(lambda: embedding_grad(lg, table, idx, weight), reps), float("nan")]
    if torch is not None:
        ttable = torch.tensor(table_np, requires_grad=True)
        tidx, tweight = torch.from_numpy(idx_np), torch.from_numpy(weight_np)
        lookup[1] = median_ms(lambda: embedding_grad(torch, ttable, tidx, tweight), reps)
        assert np.allclose(embedding_grad(lg, table, idx, weight).numpy(),
                           embedding_grad(torch, ttable, tidx, tweight).numpy(), rtol=1e-5, atol=1e-5)

    big = lg.rand(1 << 24).realize()
    leaf = big.detach().requires_grad_()
    forward = median_ms(lambda: chain(big).sum().realize(), reps)

    def forward_and_backward():
        s = chain(leaf).sum()
        (g,) = lg.autograd.grad(s, leaf)
        lg.realize(s, g)
    both = median_ms(forward_and_backward, reps)

    name, ours, theirs, err = rows[0]
    print(f"{name:<40} lazygrad {ours:8.2f} ms   torch {theirs:8.2f} ms   ratio {ours / theirs:5.2f}x   "
          f"rel. error {err:.1e}")
    print(f"{'embedding grad, 4096 of 30000x256 rows':<40} lazygrad {lookup[0]:8.2f} ms   torch {lookup[1]:8.2f} ms   "
          f"ratio {lookup[0] / lookup[1]:5.2f}x")
    print(f"{'8-op chain 2^24: forward (sum)':<40} {forward:8.2f} ms")
    print(f"{'8-op chain 2^24: forward + gradient':<40} {both:8.2f} ms   "
          f"= {both / forward:4.2f}x the forward (target: backward within 1.5x of the forward)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
