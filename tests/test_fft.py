"""lg.fft against numpy.fft (always there) and torch.fft (when installed): every transform, its
normalizations, lengths with small factors, large primes (Bluestein) and mixed ones, padding and
cutting, the n-dimensional forms, frequencies, shifts, gradients and errors."""
import numpy as np
import pytest

import lazygrad as lg

LENGTHS = [2, 3, 5, 8, 12, 32, 37, 96, 127, 1024, 1031, 2018]


def _torch():
    """torch as the oracle, when it is installed."""
    return pytest.importorskip("torch")


def _signal(shape, complex_=True, dtype=np.complex128, seed=0):
    rs = np.random.RandomState(seed)
    x = rs.randn(*shape) + (1j * rs.randn(*shape) if complex_ else 0)
    return x.astype(dtype if complex_ else np.dtype(dtype).type(0).real.dtype)


def _close(got, want, rtol):
    want = np.asarray(want)
    np.testing.assert_allclose(got.numpy(), want, rtol=rtol, atol=rtol * max(1.0, np.abs(want).max()))


@pytest.mark.parametrize("n", LENGTHS)
def test_one_dimensional_transforms_match_numpy(n):
    c, r = _signal((2, n)), _signal((2, n), complex_=False)
    for norm in (None, "ortho", "forward"):
        _close(lg.fft.fft(lg.tensor(c), norm=norm), np.fft.fft(c, norm=norm), 1e-11)
        _close(lg.fft.ifft(lg.tensor(c), norm=norm), np.fft.ifft(c, norm=norm), 1e-11)
        _close(lg.fft.rfft(lg.tensor(r), norm=norm), np.fft.rfft(r, norm=norm), 1e-11)
        _close(lg.fft.irfft(lg.tensor(c), norm=norm), np.fft.irfft(c, norm=norm), 1e-11)
        _close(lg.fft.hfft(lg.tensor(c), norm=norm), np.fft.hfft(c, norm=norm), 1e-11)
        _close(lg.fft.ihfft(lg.tensor(r), norm=norm), np.fft.ihfft(r, norm=norm), 1e-11)


@pytest.mark.parametrize("n", [5, 64, 1031])
def test_single_precision_and_result_types(n):
    c = _signal((3, n), dtype=np.complex64)
    r = _signal((3, n), complex_=False, dtype=np.complex64)
    got = lg.fft.fft(lg.tensor(c))
    assert got.dtype is lg.complex64
    _close(got, np.fft.fft(c.astype(np.complex128)), 2e-5 * np.log2(n))
    assert lg.fft.rfft(lg.tensor(r)).dtype is lg.complex64 and lg.fft.irfft(lg.tensor(c)).dtype is lg.float32
    assert lg.fft.fft(lg.tensor(r).double()).dtype is lg.complex128
    assert lg.fft.fft(lg.arange(4)).dtype is lg.complex64  # integers: the default float type first


def test_lengths_cut_and_padded():
    c = _signal((3, 10))
    for n in (1, 4, 10, 17):
        _close(lg.fft.fft(lg.tensor(c), n=n), np.fft.fft(c, n=n), 1e-12)
        _close(lg.fft.ifft(lg.tensor(c), n=n, dim=0), np.fft.ifft(c, n=n, axis=0), 1e-12)
        _close(lg.fft.irfft(lg.tensor(c), n=n), np.fft.irfft(c, n=n), 1e-12)
        _close(lg.fft.rfft(lg.tensor(c.real), n=n), np.fft.rfft(c.real, n=n), 1e-12)


def test_n_dimensional_transforms_match_numpy():
    c, r = _signal((4, 6, 10)), _signal((4, 6, 10), complex_=False)
    cases = [("fft2", "fft2", c, {}), ("ifft2", "ifft2", c, {}), ("fftn", "fftn", c, {}), ("ifftn", "ifftn", c, {}),
             ("rfft2", "rfft2", r, {}), ("irfft2", "irfft2", c, {}), ("rfftn", "rfftn", r, {}),
             ("irfftn", "irfftn", c, {}), ("fftn", "fftn", c, {"s": (3, 8), "axes": (0, 2)}),
             ("rfftn", "rfftn", r, {"s": (5, 7)}), ("irfftn", "irfftn", c, {"s": (4, 9)}),
             ("fftn", "fftn", c, {"axes": (1,)})]
    for ours, theirs, x, kw in cases:
        lkw = {("dim" if k == "axes" else k): v for k, v in kw.items()}
        for norm in (None, "ortho"):
            _close(getattr(lg.fft, ours)(lg.tensor(x), norm=norm, **lkw), getattr(np.fft, theirs)(x, norm=norm, **kw),
                   1e-11)


def test_hermitian_n_dimensional_transforms_match_torch():
    t = _torch()
    c, r = _signal((4, 6, 10)), _signal((4, 6, 10), complex_=False)
    for name, x in (("hfft2", c), ("ihfft2", r), ("hfftn", c), ("ihfftn", r)):
        for norm in (None, "ortho", "forward"):
            _close(getattr(lg.fft, name)(lg.tensor(x), norm=norm),
                   getattr(t.fft, name)(t.tensor(x), norm=norm).resolve_conj().numpy(), 1e-11)


def test_frequencies_and_shifts():
    for n, d in ((5, 1.0), (6, 0.5), (1, 2.0)):
        _close(lg.fft.fftfreq(n, d), np.fft.fftfreq(n, d), 1e-7)
        _close(lg.fft.rfftfreq(n, d), np.fft.rfftfreq(n, d), 1e-7)
    assert lg.fft.fftfreq(4, dtype=lg.float64).dtype is lg.float64 and lg.fft.fftfreq(4).dtype is lg.float32
    torch = pytest.importorskip("torch")
    for n in (0, -1, -3):  # torch's degenerate lengths (C's division: rfftfreq(-1) has one NaN-free element)
        want = torch.fft.rfftfreq(n).numpy()
        np.testing.assert_array_equal(lg.fft.rfftfreq(n).numpy(), want)
    assert lg.fft.fftfreq(0).shape == (0,)
    x = np.arange(30.0).reshape(5, 6)
    for axes in (None, 0, (0, 1), 1):
        np.testing.assert_array_equal(lg.fft.fftshift(lg.tensor(x), axes).numpy(), np.fft.fftshift(x, axes))
        np.testing.assert_array_equal(lg.fft.ifftshift(lg.tensor(x), axes).numpy(), np.fft.ifftshift(x, axes))


def test_round_trips_and_parseval():
    c = _signal((3, 1031))
    z = lg.tensor(c)
    _close(lg.fft.ifft(lg.fft.fft(z)), c, 1e-12)
    r = lg.tensor(c.real)
    _close(lg.fft.irfft(lg.fft.rfft(r), n=1031), c.real, 1e-12)
    spectrum = lg.fft.fft(z, norm="ortho")
    np.testing.assert_allclose((spectrum.abs() ** 2).sum().item(), (np.abs(c) ** 2).sum(), rtol=1e-12)


GRADIENTS = {
    "fft": lambda m, F, c, r, w: (F.fft(c) * w).abs().sum(),
    "ifft_ortho_padded": lambda m, F, c, r, w: (F.ifft(c, norm="ortho", n=16) ** 2).real.sum(),
    "fft_of_real": lambda m, F, c, r, w: F.fft(r).abs().sum(),
    "rfft": lambda m, F, c, r, w: (F.rfft(r) * w[:, :7]).abs().sum(),
    "irfft": lambda m, F, c, r, w: (F.irfft(c) * m.arange(22.0)).sum(),
    "irfft_odd": lambda m, F, c, r, w: (F.irfft(c, n=9) ** 2).sum(),
    "hfft": lambda m, F, c, r, w: (F.hfft(c) ** 3).sum(),
    "ihfft": lambda m, F, c, r, w: (F.ihfft(r) * w[:, :7]).imag.sum(),
    "fft2": lambda m, F, c, r, w: F.fft2(c).abs().sum(),
    "rfft2": lambda m, F, c, r, w: F.rfft2(r).abs().sum(),
    "irfftn": lambda m, F, c, r, w: (F.irfftn(c) ** 2).sum(),
    "bluestein": lambda m, F, c, r, w: F.fft(m.cat([c] * 6, 1)[:, :67]).abs().sum(),
    "fftshift": lambda m, F, c, r, w: (F.fftshift(r) * m.arange(12.0)).sum(),
}


@pytest.mark.parametrize("name", GRADIENTS)
def test_gradients_and_nodes_match_torch(name):
    t = _torch()
    c, r, w = _signal((3, 12)), _signal((3, 12), complex_=False, seed=1), _signal((3, 12), seed=2)
    ours = [lg.tensor(v, requires_grad=True) for v in (c, r)]
    theirs = [t.tensor(v, requires_grad=True) for v in (c, r)]
    out_l = GRADIENTS[name](lg, lg.fft, *ours, lg.tensor(w))
    out_t = GRADIENTS[name](t, t.fft, *theirs, t.tensor(w))
    out_l.backward()
    out_t.backward()
    for o, th in zip(ours, theirs):
        if th.grad is None:
            assert o.grad is None
        else:
            _close(o.grad, th.grad.resolve_conj().numpy(), 1e-9)


def test_node_names_match_torch():
    z = lg.tensor(_signal((8,)), requires_grad=True)
    x = lg.tensor(_signal((8,), complex_=False), requires_grad=True)
    assert type(lg.fft.fft(z).grad_fn).__name__ == "FftC2CBackward0"
    assert type(lg.fft.fft(x).grad_fn).__name__ == "FftR2CBackward0"
    assert type(lg.fft.rfft(x).grad_fn).__name__ == "FftR2CBackward0"
    assert type(lg.fft.irfft(z).grad_fn).__name__ == "FftC2RBackward0"
    assert type(lg.fft.ihfft(x).grad_fn).__name__ == "ConjBackward0"


def test_second_derivatives_through_a_transform():
    c = _signal((10,))
    z = lg.tensor(c, requires_grad=True)
    (g,) = lg.autograd.grad((lg.fft.fft(z).abs() ** 2).sum(), z, create_graph=True)
    _close(g.detach(), 2 * 10 * c, 1e-12)  # Parseval: sum |F z|² = N sum |z|², whose gradient is 2 N z
    (h,) = lg.autograd.grad(g.real.sum(), z)
    _close(h, np.full(10, 20.0 + 0j), 1e-12)


ERRORS = {
    "half": lambda m: m.fft.fft(m.ones(3, dtype=m.half)),
    "no_points": lambda m: m.fft.fft(m.ones(3), n=0),
    "dim": lambda m: m.fft.fft(m.ones(3), dim=3),
    "norm": lambda m: m.fft.fft(m.ones(3), norm="bad"),
    "rfft_of_complex": lambda m: m.fft.rfft(m.ones(3, dtype=m.cfloat)),
    "shape_and_dims": lambda m: m.fft.fftn(m.ones(2, 4), s=(3,), dim=(0, 1)),
    **{f"{name}_of_a_scalar": (lambda m, name=name: getattr(m.fft, name)(m.tensor(1.0 + 0j)))
       for name in ("fft", "ifft", "irfft", "hfft", "fft2", "irfftn", "hfftn")},
    **{f"{name}_of_a_real_scalar": (lambda m, name=name: getattr(m.fft, name)(m.tensor(1.0)))
       for name in ("rfft", "ihfft", "rfftn", "ihfftn")},
    "rfftn_over_no_dims": lambda m: m.fft.rfftn(m.ones(3), dim=()),
    # complex input to the real transforms, each in its kernel's words (ihfftn's after its dims are checked)
    **{f"{name}_of_complex": (lambda m, name=name: getattr(m.fft, name)(m.ones(2, 3, dtype=m.cfloat)))
       for name in ("ihfft", "rfft2", "rfftn", "ihfft2", "ihfftn")},
    "ihfft2_of_complex_vector": lambda m: m.fft.ihfft2(m.ones(3, dtype=m.cfloat)),
    "ihfftn_of_complex_repeated_dims": lambda m: m.fft.ihfftn(m.ones(3, dtype=m.cfloat), dim=(0, 0)),
    "rfftn_of_complex_repeated_dims": lambda m: m.fft.rfftn(m.ones(3, dtype=m.cfloat), dim=(0, 0)),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_torch(name):
    t = _torch()
    with pytest.raises(Exception) as want:
        ERRORS[name](t)
    with pytest.raises(type(want.value), match=None) as got:
        ERRORS[name](lg)
    assert str(got.value) == str(want.value)


# ---- short-time transforms ---------------------------------------------------------------------------

STFT_CASES = [dict(n_fft=16), dict(n_fft=16, hop_length=5, win_length=10, window="hann", center=False),
              dict(n_fft=16, normalized=True, window="hann"), dict(n_fft=32, hop_length=8, window="hann",
                                                                    pad_mode="constant"),
              dict(n_fft=16, onesided=False), dict(n_fft=15, hop_length=3, window="hamming")]


def _stft_arguments(module, case: dict) -> dict:
    kw = dict(case)
    if "window" in kw:
        kw["window"] = getattr(module, f"{kw['window']}_window")(kw.get("win_length", kw["n_fft"]),
                                                                   dtype=module.float64)
    return kw


@pytest.mark.filterwarnings("ignore:A window was not provided")
@pytest.mark.parametrize("case", range(len(STFT_CASES)))
def test_stft_and_istft_match_torch(case):
    t = _torch()
    x = np.random.RandomState(case).randn(2, 100)
    ours, theirs = _stft_arguments(lg, STFT_CASES[case]), _stft_arguments(t, STFT_CASES[case])
    for signal in (x, x[0]):
        want = t.stft(t.tensor(signal), return_complex=True, **theirs)
        got = lg.stft(lg.tensor(signal), return_complex=True, **ours)
        _close(got, want.numpy(), 1e-12)
        ours.pop("pad_mode", None), theirs.pop("pad_mode", None)
        for length in (None, 100, 90, 120):
            try:
                inverse = t.istft(want, length=length, **theirs).numpy()
            except RuntimeError as error:  # a window whose overlap-add vanishes somewhere (not invertible)
                with pytest.raises(RuntimeError, match="window overlap add min"):
                    lg.istft(got, length=length, **ours)
                assert "window overlap add min" in str(error)
                continue
            _close(lg.istft(got, length=length, **ours), inverse, 1e-10)


def test_stft_round_trip_and_gradient_match_torch():
    t = _torch()
    x = np.random.RandomState(0).randn(2, 64)
    ours = lg.tensor(x, requires_grad=True)
    theirs = t.tensor(x, requires_grad=True)
    spec_l = lg.stft(ours, 16, hop_length=4, window=lg.hann_window(16, dtype=lg.float64), return_complex=True)
    spec_t = t.stft(theirs, 16, hop_length=4, window=t.hann_window(16, dtype=t.float64), return_complex=True)
    back = lg.istft(spec_l, 16, hop_length=4, window=lg.hann_window(16, dtype=lg.float64), length=64)
    _close(back.detach(), x, 1e-12)
    (spec_l.abs() ** 1.5).sum().backward()
    (spec_t.abs() ** 1.5).sum().backward()
    _close(ours.grad, theirs.grad.numpy(), 1e-10)


def test_stft_warnings_and_errors_match_torch():
    t = _torch()
    x = np.random.RandomState(0).randn(100)
    with pytest.warns(UserWarning, match="A window was not provided"):
        lg.stft(lg.tensor(x), 16, return_complex=True)
    with pytest.warns(UserWarning, match="stft with return_complex=False is deprecated"):
        pairs = lg.stft(lg.tensor(x), 16, window=lg.ones(16, dtype=lg.float64), return_complex=False)
    assert pairs.shape == (9, 26, 2)
    calls = [lambda m: m.stft(m.tensor(x), 16),
             lambda m: m.stft(m.tensor(x), 16, hop_length=0, window=m.ones(16), return_complex=True),
             lambda m: m.stft(m.tensor(x), 16, win_length=20, window=m.ones(20), return_complex=True),
             lambda m: m.stft(m.tensor(x), 16, window=m.ones(15), return_complex=True),
             lambda m: m.istft(m.ones(9, 5), 16, window=m.ones(16)),
             lambda m: m.istft(m.stft(m.tensor(x), 16, window=m.ones(16), return_complex=True), 16,
                               window=m.zeros(16))]
    for call in calls:
        with pytest.raises(RuntimeError) as want:
            call(t)
        with pytest.raises(RuntimeError) as got:
            call(lg)
        assert str(got.value).replace("lazygrad.", "torch.") == str(want.value)
