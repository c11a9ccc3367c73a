"""Fourier transforms on the CPU: lg.fft against numpy.fft and torch.fft on the same complex64 and float32
signals (power-of-two lengths, a length with a factor of 3, a prime that takes Bluestein's algorithm,
a batch of short ones, a 2-d image, a short-time transform), and a gradient through one. lazygrad's
figure includes building the graph and running it (`.realize()`). Medians, one process. Reported, no
targets.

    python benchmarks/bench_fft.py [--reps N]
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import lazygrad as lg  # noqa: E402
from bench_autograd import median_ms, repetitions, torch_or_none  # noqa: E402  (a script's own folder)

# label -> (signal shape, whether complex, lazygrad/torch call, numpy call)
CASES = {
    "fft 4096": ((4096,), True, lambda m, x: m.fft.fft(x), np.fft.fft),
    "fft 2^16": ((1 << 16,), True, lambda m, x: m.fft.fft(x), np.fft.fft),
    "fft 2^20": ((1 << 20,), True, lambda m, x: m.fft.fft(x), np.fft.fft),
    "fft 3 x 2^15": ((3 << 15,), True, lambda m, x: m.fft.fft(x), np.fft.fft),
    "fft 10007 (prime)": ((10007,), True, lambda m, x: m.fft.fft(x), np.fft.fft),
    "fft 4096 x 64": ((4096, 64), True, lambda m, x: m.fft.fft(x), np.fft.fft),
    "rfft 2^20": ((1 << 20,), False, lambda m, x: m.fft.rfft(x), np.fft.rfft),
    "irfft 2^20": ((1 << 19 | 1,), True, lambda m, x: m.fft.irfft(x), np.fft.irfft),
    "fft2 1024x1024": ((1024, 1024), True, lambda m, x: m.fft.fft2(x), np.fft.fft2),
    "stft 16 x 2^16, n_fft 512": ((16, 1 << 16), False,
                                  lambda m, x: m.stft(x, 512, window=m.hann_window(512), return_complex=True), None),
}


def main() -> int:
    reps = repetitions(__doc__.splitlines()[0], 7)
    torch = torch_or_none()
    rng = np.random.default_rng(0)
    print(f"{'complex64 / float32':<28}{'lazygrad':>11}{'numpy':>11}{'torch':>11}")
    for label, (shape, is_complex, ours, theirs) in CASES.items():
        x_np = rng.standard_normal(shape).astype(np.float32)
        if is_complex:
            x_np = (x_np + 1j * rng.standard_normal(shape)).astype(np.complex64)
        x = lg.tensor(x_np).realize()
        lg_ms = median_ms(lambda: ours(lg, x).realize(), reps)
        np_ms = median_ms(lambda: theirs(x_np), reps) if theirs else float("nan")
        torch_ms = median_ms(lambda: ours(torch, torch.from_numpy(x_np)), reps) if torch else float("nan")
        print(f"{label:<28}{lg_ms:9.2f}ms{np_ms:9.2f}ms{torch_ms:9.2f}ms")

    signal = rng.standard_normal((8, 4096)).astype(np.float32)

    def grad_of_power_spectrum(m):
        x = m.tensor(signal, requires_grad=True)
        (g,) = m.autograd.grad((m.fft.rfft(x).abs() ** 2).sum(), x)
        return g
    ours_ms = median_ms(lambda: grad_of_power_spectrum(lg).realize(), reps)
    theirs_ms = median_ms(lambda: grad_of_power_spectrum(torch), reps) if torch else float("nan")
    print(f"{'grad |rfft|^2, 8 x 4096':<28}{ours_ms:9.2f}ms{'':>11}{theirs_ms:9.2f}ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
