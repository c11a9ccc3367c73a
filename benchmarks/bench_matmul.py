"""Matrix multiplies on the CPU, and the training step they dominate: float32 n x n products against
numpy (OpenBLAS) and torch, and one SGD step of a 784-512-512-10 MLP on a batch of 256 (the
workload of ../shared/FACTS.md) against torch. Medians of repeated runs, one process. Reported,
no targets.

    python benchmarks/bench_matmul.py [--reps N]
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import lazygrad as lg  # noqa: E402
from bench_autograd import median_ms, repetitions, torch_or_none  # noqa: E402  (a script's own folder)

LAYERS = (784, 512, 512, 10)
BATCH, LR = 256, 0.01


def mlp_step(lib, params, x, y, no_grad):
    """Forward, cross-entropy, backward and an SGD update, in torch's API (lazygrad's is the same)."""
    h = x
    for i in range(0, len(params), 2):
        h = h @ params[i] + params[i + 1]
        if i + 2 < len(params):
            h = h.relu()
    loss = -h.log_softmax(-1)[lib.arange(len(y)), y].mean()
    loss.backward()
    with no_grad():
        for p in params:
            p -= LR * p.grad
            p.grad = None
    return loss


def main() -> int:
    reps = repetitions(__doc__.splitlines()[0], 11)
    torch = torch_or_none()
    rng = np.random.default_rng(0)

    print(f"{'float32 product':<28}{'lazygrad':>12}{'numpy':>12}{'torch':>12}")
    for n in (256, 512, 1024):
        a_np, b_np = (rng.standard_normal((n, n)).astype(np.float32) for _ in range(2))
        a, b = lg.tensor(a_np).realize(), lg.tensor(b_np).realize()
        ours = median_ms(lambda: (a @ b).realize(), reps)
        assert np.allclose((a @ b).numpy(), a_np @ b_np, rtol=1e-3, atol=1e-3)
        numpy_ms = median_ms(lambda: a_np @ b_np, reps)
        torch_ms = float("nan")
        if torch is not None:
            ta, tb = torch.from_numpy(a_np), torch.from_numpy(b_np)
            torch_ms = median_ms(lambda: ta @ tb, reps)
        print(f"{n} x {n} @ {n} x {n}{'':<{13 - 3 * len(str(n))}}{ours:10.2f}ms{numpy_ms:10.2f}ms{torch_ms:10.2f}ms"
              f"   ({2 * n ** 3 / ours / 1e6:.0f} GFLOP/s)")

    shapes = [s for i in range(len(LAYERS) - 1) for s in ((LAYERS[i], LAYERS[i + 1]), (LAYERS[i + 1],))]
    init = [(rng.standard_normal(s) * (0.05 if len(s) == 2 else 0)).astype(np.float32) for s in shapes]
    x_np = rng.standard_normal((BATCH, LAYERS[0])).astype(np.float32)
    y_np = rng.integers(0, LAYERS[-1], BATCH)
    params = [lg.tensor(p, requires_grad=True) for p in init]
    x, y = lg.tensor(x_np).realize(), lg.tensor(y_np).realize()

    def ours_step():
        mlp_step(lg, params, x, y, lg.no_grad)
        lg.realize(*params)
    ours = median_ms(ours_step, reps)
    theirs = float("nan")
    if torch is not None:
        tparams = [torch.tensor(p, requires_grad=True) for p in init]
        tx, ty = torch.from_numpy(x_np), torch.from_numpy(y_np)
        theirs = median_ms(lambda: mlp_step(torch, tparams, tx, ty, torch.no_grad), reps)
    print(f"{'MLP 784-512-512-10 SGD step':<28}{ours:10.2f}ms{'':>12}{theirs:10.2f}ms   (batch {BATCH})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
