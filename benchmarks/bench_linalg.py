"""Factorizations on the CPU: lazygrad's library-call kernels against numpy.linalg and torch.linalg on the same
float32 matrices (a batch of 64 small ones, one of 256 and one of 1024), and a gradient through a
solve. lazygrad's figure includes building the graph and running it (`.realize()`). Medians, one
process. Reported, no targets.

    python benchmarks/bench_linalg.py [--reps N]
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import lazygrad as lg  # noqa: E402
from bench_autograd import median_ms, repetitions, torch_or_none  # noqa: E402  (a script's own folder)

SHAPES = {"64 x 16x16": (64, 16, 16), "256x256": (256, 256), "1024x1024": (1024, 1024)}
CASES = {
    "inv": (lambda m, a, b: m.linalg.inv(a), lambda a, b: np.linalg.inv(a)),
    "solve": (lambda m, a, b: m.linalg.solve(a, b), lambda a, b: np.linalg.solve(a, b)),
    "cholesky": (lambda m, a, b: m.linalg.cholesky(a @ a.mT), lambda a, b: np.linalg.cholesky(a @ a.swapaxes(-1, -2))),
    "eigh": (lambda m, a, b: m.linalg.eigh(a + a.mT)[0], lambda a, b: np.linalg.eigh(a + a.swapaxes(-1, -2))[0]),
    "svdvals": (lambda m, a, b: m.linalg.svdvals(a), lambda a, b: np.linalg.svd(a, compute_uv=False)),
    "lu_factor": (lambda m, a, b: m.linalg.lu_factor(a)[0], None),
}


def main() -> int:
    reps = repetitions(__doc__.splitlines()[0], 7)
    torch = torch_or_none()
    rng = np.random.default_rng(0)
    print(f"{'float32':<24}{'lazygrad':>11}{'numpy':>11}{'torch':>11}")
    for label, shape in SHAPES.items():
        a_np = (rng.standard_normal(shape) + np.eye(shape[-1]) * shape[-1] ** 0.5).astype(np.float32)
        b_np = rng.standard_normal(shape[:-1] + (4,)).astype(np.float32)
        a, b = lg.tensor(a_np).realize(), lg.tensor(b_np).realize()
        for name, (ours, theirs) in CASES.items():
            lg_ms = median_ms(lambda: ours(lg, a, b).realize(), reps)
            np_ms = median_ms(lambda: theirs(a_np, b_np), reps) if theirs else float("nan")
            torch_ms = float("nan")
            if torch is not None:
                ta, tb = torch.from_numpy(a_np), torch.from_numpy(b_np)
                torch_ms = median_ms(lambda: ours(torch, ta, tb), reps)
            print(f"{name + ' ' + label:<24}{lg_ms:9.2f}ms{np_ms:9.2f}ms{torch_ms:9.2f}ms")
    a_np = (rng.standard_normal((256, 256)) + 16 * np.eye(256)).astype(np.float32)
    b_np = rng.standard_normal((256, 4)).astype(np.float32)

    def grad_of_solve(m):
        a = m.tensor(a_np, requires_grad=True)
        x = m.linalg.solve(a, m.tensor(b_np))
        (g,) = m.autograd.grad((x * x).sum(), a)
        return g
    ours = median_ms(lambda: grad_of_solve(lg).realize(), reps)
    theirs = median_ms(lambda: grad_of_solve(torch), reps) if torch is not None else float("nan")
    print(f"{'grad of solve 256x256':<24}{ours:9.2f}ms{'':>11}{theirs:9.2f}ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
