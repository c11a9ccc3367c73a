"""Denoising signals with a filter learned in the frequency domain.

Three tones are buried in noise as loud as they are. A complex gain for every bin of the real FFT is
learned by gradient descent so that irfft(gain * rfft(noisy)) matches the clean training signals: a
complex parameter, lg.fft's transforms (lazy graphs of products, fused with the loss around them) and
torch's complex gradients (gain.grad = dL/dRe gain + i dL/dIm gain, so plain SGD descends). A short-time
transform of a denoised signal then shows which frequencies carry its energy:

    python examples/spectral_denoising.py
"""
import numpy as np

import lazygrad as lg

N = 256  # samples per signal
TONES = (12, 31, 57)  # cycles per signal
rng = np.random.default_rng(0)


def signals(count: int) -> tuple[lg.Tensor, lg.Tensor]:
    """count clean signals (the tones with random phases) and the same with unit-variance noise added."""
    t = np.arange(N)
    phases = rng.uniform(0, 2 * np.pi, (count, len(TONES)))
    clean = sum(np.cos(2 * np.pi * f * t / N + phases[:, [i]]) for i, f in enumerate(TONES))
    return lg.tensor(clean), lg.tensor(clean + rng.normal(0, 1.0, clean.shape))


def denoise(noisy: lg.Tensor, gain: lg.Tensor) -> lg.Tensor:
    return lg.fft.irfft(lg.fft.rfft(noisy) * gain, n=N)


clean, noisy = signals(32)
gain = lg.zeros(N // 2 + 1, dtype=lg.complex128, requires_grad=True)
optimizer = lg.optim.SGD([gain], lr=1.5, momentum=0.5)
for step in range(60):
    optimizer.zero_grad()
    loss = ((denoise(noisy, gain) - clean) ** 2).mean()
    loss.backward()
    optimizer.step()
    if step % 20 == 0:
        print(f"step {step:2d}  loss {loss.item():.4f}")

test_clean, test_noisy = signals(200)
with lg.no_grad():
    denoised = denoise(test_noisy, gain)
    before = ((test_noisy - test_clean) ** 2).mean().item()
    after = ((denoised - test_clean) ** 2).mean().item()
    passbands = gain.abs().topk(len(TONES)).indices.sort().values.tolist()
    spectrogram = lg.stft(denoised[0], 64, hop_length=16, window=lg.hann_window(64, dtype=lg.float64),
                          return_complex=True).abs()
    # the short-time transform's bins are N / 64 = 4 cycles per signal wide
    loudest = (spectrogram.mean(1).topk(len(TONES)).indices.sort().values * (N // 64)).tolist()
print(f"denoised: mean squared error {before:.3f} -> {after:.3f}")
print(f"learned passbands at {passbands} cycles per signal (the tones: {list(TONES)})")
print(f"loudest bins of the denoised signal's spectrogram: {loudest} cycles per signal (4 wide)")
