"""Models written with lg.nn and lg.optim against the same models in torch.nn / torch.optim, CPU, float32:
a convolution forward, one Adam step of the 784-512-512-10 MLP (batch 256), one Adam step of a small
convolutional network (batch 32 of 3x32x32 images) and one of a tutorial-sized 4-16-3 classifier (the
per-op Python cost). Both sides start from the same weights (torch's
state_dict loaded into the lazygrad model) and the losses are checked to agree. lazygrad's figure
includes building the graphs and realizing the step. Medians, one process. Reported, no targets.

    python benchmarks/bench_nn.py [--reps N]
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import lazygrad as lg  # noqa: E402
from bench_autograd import median_ms, repetitions, torch_or_none  # noqa: E402  (a script's own folder)


def mlp(nn):
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))


def tiny(nn):
    """A tutorial-sized classifier: its step is all per-op Python cost, the kernels take microseconds."""
    return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))


def convnet(nn):
    return nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(32 * 8 * 8, 10))


def training_step(lib, model, optimizer, x, y):
    """One step as torch users write it (lazygrad's API is the same)."""
    optimizer.zero_grad()
    loss = lib.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return loss


def compare_step(name: str, make, x_np: np.ndarray, y_np: np.ndarray, torch, reps: int) -> None:
    ours = make(lg.nn)
    theirs = None
    if torch is not None:
        theirs = make(torch.nn)
        ours.load_state_dict({k: lg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    x, y = lg.tensor(x_np).realize(), lg.tensor(y_np).realize()
    opt = lg.optim.Adam(ours.parameters(), lr=1e-3)
    first = training_step(lg, ours, opt, x, y).item()
    ours_ms = median_ms(lambda: training_step(lg, ours, opt, x, y).item(), reps)
    torch_ms = float("nan")
    if theirs is not None:
        tx, ty = torch.from_numpy(x_np), torch.from_numpy(y_np)
        topt = torch.optim.Adam(theirs.parameters(), lr=1e-3)
        want = training_step(torch, theirs, topt, tx, ty).item()
        assert abs(first - want) <= 1e-4 * max(1.0, abs(want)), (first, want)
        torch_ms = median_ms(lambda: training_step(torch, theirs, topt, tx, ty).item(), reps)
    print(f"{name:<44}{ours_ms:10.2f}ms{torch_ms:10.2f}ms{ours_ms / torch_ms:8.2f}x")


def main() -> int:
    reps = repetitions(__doc__.splitlines()[0], 11)
    torch = torch_or_none()
    if torch is not None:
        torch.set_num_threads(lg.get_num_threads())
    rng = np.random.default_rng(0)
    print(f"{'float32, CPU':<44}{'lazygrad':>12}{'torch':>12}{'ratio':>9}")

    x_np = rng.standard_normal((16, 32, 32, 32)).astype(np.float32)
    w_np = (rng.standard_normal((64, 32, 3, 3)) * 0.1).astype(np.float32)
    x, w = lg.tensor(x_np).realize(), lg.tensor(w_np).realize()
    conv = lg.nn.functional.conv2d
    ours_ms = median_ms(lambda: conv(x, w, padding=1).realize(), reps)
    torch_ms = float("nan")
    if torch is not None:
        tx, tw = torch.from_numpy(x_np), torch.from_numpy(w_np)
        want = torch.nn.functional.conv2d(tx, tw, padding=1).numpy()
        assert np.allclose(conv(x, w, padding=1).numpy(), want, rtol=1e-3, atol=1e-3)
        torch_ms = median_ms(lambda: torch.nn.functional.conv2d(tx, tw, padding=1), reps)
    print(f"{'conv2d (16,32,32,32) * (64,32,3,3), pad 1':<44}{ours_ms:10.2f}ms{torch_ms:10.2f}ms"
          f"{ours_ms / torch_ms:8.2f}x")

    compare_step("MLP 784-512-512-10 Adam step, batch 256", mlp,
                 rng.standard_normal((256, 784)).astype(np.float32), rng.integers(0, 10, 256), torch, reps)
    compare_step("convnet Adam step, batch 32 of 3x32x32", convnet,
                 rng.standard_normal((32, 3, 32, 32)).astype(np.float32), rng.integers(0, 10, 32), torch, reps)
    compare_step("tiny MLP 4-16-3 Adam step, batch 32", tiny,
                 rng.standard_normal((32, 4)).astype(np.float32), rng.integers(0, 3, 32), torch, reps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
