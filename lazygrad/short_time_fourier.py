"""torch.stft and torch.istft: transforms of overlapping windowed frames, and their inverse by
weighted overlap-add. Frames are a strided view of the (padded) signal, the transforms lg.fft's, and
the overlap-add a fold; all lazy and differentiable."""
from __future__ import annotations

import warnings

import numpy as np

from . import fft
from .complex_numbers import real_part, view_as_real
from .dtypes import torch_name
from .tensor import Tensor

_NO_WINDOW = ("A window was not provided. A rectangular window will be applied,which is known to cause spectral "
              "leakage. Other windows such as torch.hann_window or torch.hamming_window are recommended to reduce "
              "spectral leakage.To suppress this warning and use a rectangular window, explicitly set "
              "`window=torch.ones(n_fft, device=<device>)`.")
_NO_WINDOW_INVERSE = ("A window was not provided. A rectangular window will be applied.Please provide the same "
                      "window used by stft to make the inversion lossless.To suppress this warning and use a "
                      "rectangular window, explicitly set `window=torch.ones(n_fft, device=<device>)`.")
_REAL_FORMAT = ("stft with return_complex=False is deprecated. In a future pytorch release, stft will return complex "
                "tensors for all inputs, and return_complex=False will raise an error.\nNote: you can still call "
                "torch.view_as_real on the complex output to recover the old return format.")


def _flag(value) -> str:
    return "None" if value is None else str(int(value))


def _described(t: Tensor | None, braces: bool = False) -> str:
    """A tensor as torch's messages name it: torch.FloatTensor[3, 4] (torch.FloatTensor{[3, 4]})."""
    if t is None:
        return "None"
    shape = ", ".join(map(str, t.shape))
    return f"torch.{torch_name(t.dtype)}Tensor" + (f"{{[{shape}]}}" if braces else f"[{shape}]")


def _check_frames(fail, n_fft: int, hop: int, win: int, window: Tensor | None) -> None:
    """The frame arguments stft and istft share, each problem reported through fail(reason)."""
    if hop <= 0:
        fail(f"expected hop_length > 0, but got hop_length={hop}")
    if not 0 < win <= n_fft:
        fail(f"expected 0 < win_length <= n_fft, but got win_length={win}")
    if window is not None and (window.ndim != 1 or window.shape[0] != win):
        fail(f"expected a 1D window tensor of size equal to win_length={win}, but got window with size "
             f"{list(window.shape)}")


def _frame_window(window: Tensor | None, n_fft: int, win_length: int, like: Tensor, name: str) -> Tensor:
    """The window centered in n_fft points (ones when none is given)."""
    from .creation import ones
    from .nn.functional import pad
    if window is None:
        warnings.warn(_NO_WINDOW if name == "stft" else _NO_WINDOW_INVERSE, UserWarning, stacklevel=3)
        window = ones(win_length, dtype=like.dtype.to_real(), device=like.device)
    left = (n_fft - win_length) // 2
    return pad(window, (left, n_fft - win_length - left)) if win_length < n_fft else window


def stft(input: Tensor, n_fft: int, hop_length: int | None = None, win_length: int | None = None,
         window: Tensor | None = None, center: bool = True, pad_mode: str = "reflect", normalized: bool = False,
         onesided: bool | None = None, return_complex: bool | None = None, align_to_window: bool | None = None) -> Tensor:
    """The transforms of the signal's frames of n_fft points, hop_length apart: (channel, frequency, frame)."""
    from .nn.functional import pad
    if return_complex is None and not input.dtype.is_complex and (window is None or not window.dtype.is_complex):
        raise RuntimeError("stft requires the return_complex parameter be given for real inputs, and will further "
                           "require that return_complex=True in a future PyTorch release.")
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    x = input.unsqueeze(0) if input.ndim == 1 else input
    if center and input.ndim in (1, 2):
        x = pad(x.unsqueeze(1), (n_fft // 2, n_fft // 2), mode=pad_mode).squeeze(1)

    def fail(reason: str):
        signal = x.squeeze(0) if input.ndim == 1 else x
        raise RuntimeError(f"stft({_described(signal)}, n_fft={n_fft}, hop_length={hop}, win_length={win}, "
                           f"window={_described(window, True)}, normalized={_flag(normalized)}, onesided="
                           f"{_flag(onesided)}, return_complex={_flag(return_complex)}, align_to_window="
                           f"{_flag(align_to_window)}) : {reason}")
    if input.ndim not in (1, 2):
        fail("expected a 1D or 2D tensor")
    if not 0 < n_fft <= x.shape[-1]:
        fail(f"expected 0 < n_fft < {x.shape[-1]}, but got n_fft={n_fft}")
    _check_frames(fail, n_fft, hop, win, window)
    frames = x.unfold(-1, n_fft, hop) * _frame_window(window, n_fft, win, x, "stft")
    if onesided is None:
        onesided = not frames.dtype.is_complex
    spectrum = fft.rfft(frames) if onesided else fft.fft(frames)
    if normalized:
        spectrum = spectrum * n_fft ** -0.5
    out = spectrum.transpose(-1, -2)
    out = out.squeeze(0) if input.ndim == 1 else out
    if return_complex is False:
        warnings.warn(_REAL_FORMAT, UserWarning, stacklevel=2)
        return view_as_real(out.contiguous())
    return out


def istft(input: Tensor, n_fft: int, hop_length: int | None = None, win_length: int | None = None,
          window: Tensor | None = None, center: bool = True, normalized: bool = False, onesided: bool | None = None,
          length: int | None = None, return_complex: bool = False) -> Tensor:
    """The signal whose stft is input: each frame's inverse transform, windowed, overlapped and added, divided
    by the overlapped squared window."""
    from .nn.functional import fold, pad
    if not input.dtype.is_complex:
        raise RuntimeError("istft requires a complex-valued input tensor matching the output from stft with "
                           "return_complex=True.")
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    shape = ", ".join(map(str, input.shape))
    described = (f"istft(CPU{torch_name(input.dtype)}Type[{shape}], n_fft={n_fft}, hop_length={hop}, win_length="
                 f"{win}, window={_described(window, True)}, center={_flag(center)}, normalized={_flag(normalized)}, "
                 f"onesided={_flag(onesided)}, length={length}, return_complex={_flag(return_complex)})")

    def fail(reason: str):
        raise RuntimeError(f"{described} : {reason}")
    if input.ndim not in (2, 3):
        fail(f"expected a tensor with 2 or 3 dimensions of complex, but got {input.ndim}")
    _check_frames(fail, n_fft, hop, win, window)
    z = input.unsqueeze(0) if input.ndim == 2 else input
    one_sided = z.shape[-2] != n_fft if onesided is None else onesided
    if one_sided and z.shape[-2] != n_fft // 2 + 1:
        fail("expected the frequency dimension (3rd to the last) of the input tensor to match n_fft / 2 + 1 when "
             f"onesided=True, but got {z.shape[-2]}")
    if not one_sided and z.shape[-2] != n_fft:
        fail("expected the frequency dimension (3rd to the last) of the input tensor to match n_fft when "
             f"onesided=False, but got {z.shape[-2]}")
    onesided = one_sided
    w = _frame_window(window, n_fft, win, z, "istft")
    spectra = z.transpose(-1, -2)
    if normalized:
        spectra = spectra * n_fft ** 0.5
    frames = fft.irfft(spectra, n=n_fft) if onesided else fft.ifft(spectra, n=n_fft)
    if not return_complex and frames.dtype.is_complex:
        frames = real_part(frames)
    frames = frames * w
    count = z.shape[-1]
    total = n_fft + hop * (count - 1)
    signal = fold(frames.transpose(-1, -2), (1, total), (1, n_fft), stride=(1, hop)).reshape(z.shape[0], total)
    weights = np.asarray(w.detach().cpu().numpy(), dtype=np.float64) ** 2
    envelope = np.zeros(total)
    for t in range(count):
        envelope[t * hop: t * hop + n_fft] += weights
    start = n_fft // 2 if center else 0
    end = start + length if length is not None else total - n_fft // 2 if center else total
    kept = envelope[start:min(end, total)]
    if kept.size and np.abs(kept).min() < 1e-11:  # (torch's message shows the failed check as a tensor)
        raise RuntimeError(f"{described} window overlap add min: 1\n[ CPUBoolType{{}} ]")
    from .creation import tensor
    signal = signal[:, start:min(end, total)] / tensor(kept, dtype=signal.dtype.to_real(), device=signal.device)
    if end > total:
        signal = pad(signal, (0, end - total))
    return signal.squeeze(0) if input.ndim == 2 else signal
