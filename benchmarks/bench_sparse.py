"""Sparse tensors on the CPU: lazygrad against torch.sparse (COO and CSR) on a 20000 x 20000 matrix with
400000 random entries (float32): building and coalescing it, products with a dense 20000 x 64 matrix, the
gradient of such a product with respect to both operands, and a sparse softmax. lazygrad's figure includes
building the graph and running it (`.realize()`). Medians, one process. Reported, no targets.

    python benchmarks/bench_sparse.py [--reps N]
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import lazygrad as lg  # noqa: E402
from bench_autograd import median_ms, repetitions, torch_or_none  # noqa: E402  (a script's own folder)

N, NNZ, K = 20000, 400_000, 64


def main() -> int:
    reps = repetitions(__doc__.splitlines()[0], 7)
    torch = torch_or_none()
    rng = np.random.default_rng(0)
    indices = rng.integers(0, N, (2, NNZ))
    values = rng.standard_normal(NNZ).astype(np.float32)
    dense = rng.standard_normal((N, K)).astype(np.float32)

    def made(m):
        return m.sparse_coo_tensor(m.tensor(indices), m.tensor(values), (N, N)).coalesce()

    ours, d = made(lg).realize(), lg.tensor(dense).realize()
    ours_csr = ours.to_sparse_csr().realize()
    theirs = made(torch) if torch else None
    t_d = torch.from_numpy(dense) if torch else None
    theirs_csr = theirs.to_sparse_csr() if torch else None

    def gradient(m, s, x):
        s = m.sparse_coo_tensor(s._indices(), s._values(), s.shape, requires_grad=True)
        x = x.detach().requires_grad_()
        grads = m.autograd.grad((m.sparse.mm(s, x) ** 2).sum(), (s, x))
        return grads

    cases = {
        "coalesce 400k entries": (lambda: made(lg).realize(), lambda: made(torch)),
        "COO @ dense (20000 x 64)": (lambda: lg.sparse.mm(ours, d).realize(), lambda: torch.sparse.mm(theirs, t_d)),
        "CSR @ dense (20000 x 64)": (lambda: (ours_csr @ d).realize(), lambda: theirs_csr @ t_d),
        "grad of |COO @ dense|^2": (lambda: [g.realize() for g in gradient(lg, ours, d)],
                                    lambda: gradient(torch, theirs, t_d)),
        "sparse softmax, dim 1": (lambda: lg.sparse.softmax(ours, 1).realize(),
                                  lambda: torch.sparse.softmax(theirs, 1)),
    }
    print(f"{'float32':<30}{'lazygrad':>11}{'torch':>11}")
    for label, (ours_call, theirs_call) in cases.items():
        lg_ms = median_ms(ours_call, reps)
        torch_ms = median_ms(theirs_call, reps) if torch else float("nan")
        print(f"{label:<30}{lg_ms:9.2f}ms{torch_ms:9.2f}ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
