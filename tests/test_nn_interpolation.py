"""interpolate, upsample*, affine_grid and grid_sample against torch: values, gradients, warnings, errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import lazygrad as lg
import lazygrad.nn.functional as LF
from tests.oracle import assert_like_torch, raises_like_torch, same_error, torch_or_skip

SPATIAL = {1: (5,), 2: (5, 7), 3: (4, 5, 3)}
MODE_DIMS = {"nearest": 2, "nearest-exact": 2, "linear": 1, "bilinear": 2, "trilinear": 3, "bicubic": 2, "area": 2}


def _array(n: int, dtype=np.float32, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((2, 3, *SPATIAL[n])).astype(dtype)


def _interp_cases():
    """(mode, spatial dims, dtype, keyword arguments): up and down, sizes, integer and fractional scales."""
    per_dim = {1: [(9,), (3,)], 2: [(9, 3), (2, 11)], 3: [(6, 2, 5), (3, 7, 1)]}
    scales = {1: (2.5,), 2: (2.5, 0.5), 3: (1.5, 0.6, 2.0)}
    cases = []
    for mode, n in [*MODE_DIMS.items(), ("nearest", 1), ("nearest", 3), ("nearest-exact", 3)]:
        corners = [False, True] if mode in ("linear", "bilinear", "trilinear", "bicubic") else [None]
        for i, ac in enumerate(corners):
            dtype = np.float32 if i == 0 else np.float64
            for kw in [dict(size=per_dim[n][0]), dict(size=per_dim[n][1]), dict(scale_factor=2),
                       dict(scale_factor=1.7), dict(scale_factor=scales[n]),
                       dict(scale_factor=0.6, recompute_scale_factor=True)]:
                cases.append(pytest.param(mode, n, dtype, ac, kw, id=f"{mode}-{n}d-{dtype.__name__}-ac{ac}-{kw}"))
    return cases


@pytest.mark.parametrize("mode,n,dtype,align_corners,kw", _interp_cases())
def test_interpolate_values(mode, n, dtype, align_corners, kw):
    torch = torch_or_skip()
    a = _array(n, dtype)
    want = torch.nn.functional.interpolate(torch.tensor(a), mode=mode, align_corners=align_corners, **kw)
    got = LF.interpolate(lg.tensor(a), mode=mode, align_corners=align_corners, **kw)
    assert_like_torch(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("n,size,scale", [(1, 33, 1.9), (1, 16, 47 / 16), (2, (9, 9), (1.05, 2.0))])
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "linear"])
def test_interpolate_index_rounding(mode, n, size, scale):
    """Sizes where torch's float arithmetic decides the source index (ties, unit steps kept as copies)."""
    torch = torch_or_skip()
    mode = {1: mode, 2: "bilinear" if mode == "linear" else mode}[n]
    a = np.random.default_rng(1).standard_normal((1, 2, *([size] if n == 1 else size))).astype(np.float32)
    for dtype in (np.float32, np.float64):
        x = a.astype(dtype)
        for kw in (dict(scale_factor=scale), dict(size=[int(s * f) for s, f in zip(x.shape[2:], np.broadcast_to(
                scale, (n,)))])):
            want = torch.nn.functional.interpolate(torch.tensor(x), mode=mode, **kw)
            assert_like_torch(LF.interpolate(lg.tensor(x), mode=mode, **kw), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("mode,n,align_corners,kw", [
    ("nearest", 2, None, dict(scale_factor=1.5)), ("nearest-exact", 1, None, dict(size=3)),
    ("linear", 1, False, dict(scale_factor=2.5)), ("bilinear", 2, True, dict(size=(3, 10))),
    ("bilinear", 2, False, dict(scale_factor=0.7)), ("trilinear", 3, False, dict(size=(6, 3, 4))),
    ("bicubic", 2, False, dict(scale_factor=1.5)), ("bicubic", 2, True, dict(size=(3, 4))),
    ("area", 2, None, dict(size=(3, 4)))])
def test_interpolate_gradients(mode, n, align_corners, kw):
    torch = torch_or_skip()
    a = _array(n, np.float64, seed=2)
    x_t, x_l = torch.tensor(a, requires_grad=True), lg.tensor(a, requires_grad=True)
    out_t = torch.nn.functional.interpolate(x_t, mode=mode, align_corners=align_corners, **kw)
    out_l = LF.interpolate(x_l, mode=mode, align_corners=align_corners, **kw)
    back = np.random.default_rng(3).standard_normal(tuple(out_t.shape))
    (want,) = torch.autograd.grad(out_t, x_t, torch.tensor(back))
    (got,) = lg.autograd.grad(out_l, x_l, lg.tensor(back))
    assert_like_torch(got, want, rtol=1e-7, atol=1e-9)


def test_interpolate_fuses_to_one_kernel_per_dim():
    """Each spatial dim is one gather-and-weigh kernel; torch's numbers come out."""
    torch = torch_or_skip()
    a = _array(2)
    out = LF.interpolate(lg.tensor(a), scale_factor=2, mode="bicubic", align_corners=False)
    assert len(lg.schedule(out)) <= 2
    want = torch.nn.functional.interpolate(torch.tensor(a), scale_factor=2, mode="bicubic", align_corners=False)
    assert_like_torch(out, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("mode,kw", [("bilinear", dict(scale_factor=1.5)), ("bicubic", dict(scale_factor=1.5)),
                                     ("bilinear", dict(scale_factor=1.5, align_corners=True)),
                                     ("linear", dict(scale_factor=1.7)), ("trilinear", dict(scale_factor=1.5))])
def test_half_precision_upsampling_weighs_in_float_as_torch(mode, kw, dtype):
    """torch keeps the weights in the input's dtype (a linear pair as t and 1 - t of the rounded t), weighs the
    last dim innermost in float32 and rounds once: the same bits but for a few elements one step apart (its
    float32 sums fused differently), where half of them differed."""
    torch = torch_or_skip()
    spatial = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}[mode]
    a = (np.random.default_rng(4).standard_normal((1, 3) + (64,) * spatial if spatial < 3 else (1, 1, 16, 64, 64))
         * 3).astype(np.float32)
    got = LF.interpolate(lg.tensor(a).to(getattr(lg, dtype)), mode=mode, **kw)
    want = torch.nn.functional.interpolate(torch.tensor(a).to(getattr(torch, dtype)), mode=mode, **kw)
    assert got.dtype == getattr(lg, dtype)
    got, want = got.float().numpy(), want.float().numpy()
    assert (got != want).mean() <= 1e-3
    np.testing.assert_allclose(got, want, rtol=2.0 ** -7 if dtype == "bfloat16" else 2.0 ** -10, atol=1e-6)


@pytest.mark.parametrize("name,kw,mode", [("upsample", dict(scale_factor=2, mode="bilinear"), "bilinear"),
                                          ("upsample_nearest", dict(size=(3, 9)), "nearest"),
                                          ("upsample_bilinear", dict(scale_factor=1.5), "bilinear")])
def test_deprecated_upsample_warns_and_matches(name, kw, mode):
    torch = torch_or_skip()
    a = _array(2)
    with pytest.warns(UserWarning) as caught_t:
        want = getattr(torch.nn.functional, name)(torch.tensor(a), **kw)
    with pytest.warns(UserWarning) as caught_l:
        got = getattr(LF, name)(lg.tensor(a), **kw)
    assert [str(w.message) for w in caught_l] == [str(w.message) for w in caught_t]
    assert caught_l[0].filename == __file__
    assert_like_torch(got, want, rtol=1e-5, atol=1e-5)


ERRORS = [
    (lambda m, x: m.nn.functional.interpolate(x, size=(0, 3)), RuntimeError),
    (lambda m, x: m.nn.functional.interpolate(x, scale_factor=0.1, mode="bilinear"), RuntimeError),
    (lambda m, x: m.nn.functional.interpolate(x[:, :, 0], scale_factor=0.1, mode="linear"), RuntimeError),
    (lambda m, x: m.nn.functional.interpolate(x[:, :, :0], size=3), RuntimeError),
    (lambda m, x: m.nn.functional.interpolate(x.unsqueeze(2), scale_factor=0.1, mode="trilinear"), RuntimeError),
    (lambda m, x: m.nn.functional.interpolate(x[0, 0], size=3), NotImplementedError),
    (lambda m, x: m.nn.functional.interpolate(x, size=3, mode="foo"), NotImplementedError),
    (lambda m, x: m.nn.functional.interpolate(x, size=3, mode="linear"), NotImplementedError),
    (lambda m, x: m.nn.functional.interpolate(x, size=3, mode="trilinear"), NotImplementedError),
    (lambda m, x: m.nn.functional.interpolate(x[:, 0], size=3, mode="bilinear"), NotImplementedError),
    (lambda m, x: m.nn.functional.interpolate(x, size=3, mode="nearest", align_corners=True), ValueError),
    (lambda m, x: m.nn.functional.interpolate(x, size=3, scale_factor=2), ValueError),
    (lambda m, x: m.nn.functional.interpolate(x), ValueError),
    (lambda m, x: m.nn.functional.interpolate(x, size=(3,)), ValueError),
    (lambda m, x: m.nn.functional.interpolate(x, scale_factor=(2.0, 2.0, 2.0)), ValueError),
    (lambda m, x: m.nn.functional.interpolate(x, size=(3, 3.5)), TypeError),
    (lambda m, x: m.nn.functional.interpolate(x, size=3, recompute_scale_factor=True), ValueError),
    (lambda m, x: m.nn.functional.interpolate(x[0], size=3, mode="linear", antialias=True), ValueError),
    (lambda m, x: m.nn.functional.interpolate(x.long(), scale_factor=2), NotImplementedError),
    (lambda m, x: m.nn.functional.grid_sample(x, m.zeros(1, 3, 3, 2, dtype=m.float64), align_corners=False),
     RuntimeError),
    (lambda m, x: m.nn.functional.grid_sample(x, m.zeros(2, 3, 3, 2), align_corners=False), RuntimeError),
    (lambda m, x: m.nn.functional.grid_sample(x, m.zeros(1, 3, 3, 3), align_corners=False), RuntimeError),
    (lambda m, x: m.nn.functional.grid_sample(x.unsqueeze(2), m.zeros(1, 2, 3, 3, 3), mode="bicubic",
                                              align_corners=False), RuntimeError),
    (lambda m, x: m.nn.functional.grid_sample(x[:, :, :0], m.zeros(1, 3, 3, 2), align_corners=False), RuntimeError),
    (lambda m, x: m.nn.functional.grid_sample(x, m.zeros(1, 3, 3, 2), mode="area", align_corners=False), ValueError),
    (lambda m, x: m.nn.functional.grid_sample(x, m.zeros(1, 3, 3, 2), padding_mode="wrap"), ValueError),
    (lambda m, x: m.nn.functional.grid_sample(x, m.zeros(1, 3, 3, 1, 2), align_corners=False), RuntimeError),
    (lambda m, x: m.nn.functional.grid_sample(x.unsqueeze(2), m.zeros(1, 3, 3, 3), align_corners=False), RuntimeError),
    (lambda m, x: m.nn.functional.grid_sample(x.long(), m.zeros(1, 3, 3, 2), align_corners=False),
     NotImplementedError),
    (lambda m, x: m.nn.functional.grid_sample(x.cfloat().unsqueeze(2), m.zeros(1, 2, 3, 3, 3), align_corners=False),
     NotImplementedError),
    (lambda m, x: m.nn.functional.grid_sample(x.float(), m.zeros(1, 3, 3, 2, dtype=m.cfloat), align_corners=False),
     RuntimeError),
    (lambda m, x: m.nn.functional.affine_grid(m.zeros(1, 2, 3), (1, 1, 0, 3), align_corners=False), ValueError),
    (lambda m, x: m.nn.functional.affine_grid(m.zeros(1, 3, 3), (1, 1, 4, 3), align_corners=False), ValueError),
    (lambda m, x: m.nn.functional.affine_grid(m.zeros(1, 2, 4), (1, 1, 4, 3, 2), align_corners=False), ValueError),
    (lambda m, x: m.nn.functional.affine_grid(m.zeros(1, 2, 3), (2, 1, 4, 3), align_corners=False), RuntimeError),
    (lambda m, x: m.nn.functional.affine_grid(m.zeros(1, 2, 3), (1, 4, 3), align_corners=False),
     NotImplementedError),
]


def test_affine_grid_needs_floating_theta():
    torch = torch_or_skip()
    same_error(lambda: LF.affine_grid(lg.zeros(1, 2, 3, dtype=lg.long), (1, 1, 4, 3), align_corners=False),
               lambda: torch.nn.functional.affine_grid(torch.zeros(1, 2, 3, dtype=torch.long), (1, 1, 4, 3),
                                                       align_corners=False), ValueError)


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors_like_torch(case):
    fn, exc = ERRORS[case]
    a = _array(2)[:1, :2, :4, :4]
    raises_like_torch(lambda m: fn(m, m.tensor(a)), exc)


def _grid(n: int, dtype, seed: int) -> np.ndarray:
    """Points in [-1.3, 1.3]: inside the image and past its borders, never on a half-pixel tie."""
    shape = (2, 3, 4, n) if n == 2 else (2, 3, 2, 4, n)
    return np.random.default_rng(seed).uniform(-1.3, 1.3, shape).astype(dtype)


GRID_CASES = [pytest.param(mode, pad, ac, n, id=f"{mode}-{pad}-ac{ac}-{n}d")
              for n, modes in ((2, ("bilinear", "nearest", "bicubic")), (3, ("bilinear", "nearest")))
              for mode in modes for pad in ("zeros", "border", "reflection") for ac in (False, True)
              if n == 2 or ac == (pad == "reflection")]


@pytest.mark.parametrize("mode,padding_mode,align_corners,n", GRID_CASES)
def test_grid_sample_values_and_gradients(mode, padding_mode, align_corners, n):
    torch = torch_or_skip()
    a = np.random.default_rng(4).standard_normal((2, 2, *((5, 6) if n == 2 else (3, 4, 5))))
    g = _grid(n, np.float64, seed=5)
    ins_t = [torch.tensor(a, requires_grad=True), torch.tensor(g, requires_grad=True)]
    ins_l = [lg.tensor(a, requires_grad=True), lg.tensor(g, requires_grad=True)]
    kw = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    out_t = torch.nn.functional.grid_sample(*ins_t, **kw)
    out_l = LF.grid_sample(*ins_l, **kw)
    assert_like_torch(out_l.detach(), out_t.detach(), rtol=1e-7, atol=1e-9)
    back = np.random.default_rng(6).standard_normal(tuple(out_t.shape))
    grads_t = torch.autograd.grad(out_t, ins_t, torch.tensor(back))
    grads_l = lg.autograd.grad(out_l, ins_l, lg.tensor(back))
    for got, want in zip(grads_l, grads_t):
        assert_like_torch(got, want, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("padding_mode", ["border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_grid_gradient_on_the_borders(padding_mode, align_corners):
    """Points exactly on a border (or reflected onto one) get no grid gradient: torch counts borders as outside."""
    torch = torch_or_skip()
    a = np.random.default_rng(9).standard_normal((1, 1, 4, 3))
    g = np.random.default_rng(10).integers(-6, 7, (1, 3, 5, 2)) / 4
    results = []
    for mod, F in ((lg, LF), (torch, torch.nn.functional)):
        x, grid = mod.tensor(a, requires_grad=True), mod.tensor(g, requires_grad=True)
        out = F.grid_sample(x, grid, padding_mode=padding_mode, align_corners=align_corners)
        results.append((out, *mod.autograd.grad(out.sum(), [x, grid])))
    for got, want in zip(*results):
        assert_like_torch(got.detach(), want.detach(), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("shape", [(0, 2, 3, 4), (2, 0, 3, 4), (2, 0, 3, 4, 2)])
def test_grid_sample_of_no_batch_or_channels(shape):
    torch = torch_or_skip()
    grid = _grid(len(shape) - 2, np.float64, seed=3)[:shape[0]]
    assert_like_torch(LF.grid_sample(lg.zeros(shape, dtype=lg.float64), lg.tensor(grid), align_corners=False),
                      torch.nn.functional.grid_sample(torch.zeros(shape, dtype=torch.float64), torch.tensor(grid),
                                                      align_corners=False))


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
def test_grid_sample_float32(mode):
    torch = torch_or_skip()
    a, g = _array(2), _grid(2, np.float32, seed=7)[:, :, :, :]
    want = torch.nn.functional.grid_sample(torch.tensor(a), torch.tensor(g), mode=mode, align_corners=False)
    assert_like_torch(LF.grid_sample(lg.tensor(a), lg.tensor(g), mode=mode, align_corners=False), want,
                      rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("size,align_corners", [((2, 3, 4, 5), False), ((2, 3, 4, 5), True),
                                                ((2, 1, 3, 2, 4), False), ((2, 1, 3, 2, 4), True)])
def test_affine_grid_values_and_gradient(size, align_corners):
    torch = torch_or_skip()
    n = len(size) - 2
    theta = np.random.default_rng(8).standard_normal((2, n, n + 1))
    t_t, t_l = torch.tensor(theta, requires_grad=True), lg.tensor(theta, requires_grad=True)
    out_t = torch.nn.functional.affine_grid(t_t, size, align_corners=align_corners)
    out_l = LF.affine_grid(t_l, size, align_corners=align_corners)
    assert_like_torch(out_l.detach(), out_t.detach(), rtol=1e-7, atol=1e-9)
    back = np.random.default_rng(9).standard_normal(tuple(out_t.shape))
    (want,) = torch.autograd.grad(out_t, t_t, torch.tensor(back))
    (got,) = lg.autograd.grad(out_l, t_l, lg.tensor(back))
    assert_like_torch(got, want, rtol=1e-7, atol=1e-9)


def test_affine_grid_then_grid_sample_float32():
    """The usual spatial-transformer pipeline, gradients to theta through both."""
    torch = torch_or_skip()
    theta = np.array([[[0.9, -0.2, 0.1], [0.3, 1.1, -0.2]]], dtype=np.float32)
    a = _array(2)[:1]
    t_t, t_l = torch.tensor(theta, requires_grad=True), lg.tensor(theta, requires_grad=True)
    out_t = torch.nn.functional.grid_sample(torch.tensor(a), torch.nn.functional.affine_grid(
        t_t, (1, 3, 4, 6), align_corners=False), align_corners=False)
    out_l = LF.grid_sample(lg.tensor(a), LF.affine_grid(t_l, (1, 3, 4, 6), align_corners=False), align_corners=False)
    assert_like_torch(out_l.detach(), out_t.detach(), rtol=1e-5, atol=1e-5)
    assert_like_torch(lg.autograd.grad(out_l.sum(), t_l)[0], torch.autograd.grad(out_t.sum(), t_t)[0],
                      rtol=1e-4, atol=1e-4)


def test_align_corners_default_warnings():
    torch = torch_or_skip()
    theta = np.zeros((1, 2, 3), dtype=np.float32)
    messages = []
    for m, f in ((torch, torch.nn.functional), (lg, LF)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            grid = f.affine_grid(m.tensor(theta), (1, 1, 2, 2))
            f.grid_sample(m.ones(1, 1, 2, 2), grid)
            f.affine_grid(m.tensor(theta), (1, 1, 1, 2), align_corners=True)
        messages.append([(w.category, str(w.message)) for w in caught])
        assert all(w.filename == __file__ for w in caught)
    assert messages[1] == messages[0] and len(messages[0]) == 3


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("kw", [dict(size=(5, 7)), dict(size=(9, 40)), dict(scale_factor=0.3),
                                dict(scale_factor=(0.5, 2.5)), dict(size=(34, 11))])
def test_antialiased_interpolation_values_gradients_and_node(mode, align_corners, kw):
    """Shrinking widens the filter over every input pixel under an output pixel (PIL's and torch's rule);
    growing uses the same normalized filter."""
    torch = torch_or_skip()
    a = np.random.default_rng(3).standard_normal((2, 3, 17, 23))
    results = []
    for m in (lg, torch):
        x = m.tensor(a, requires_grad=True)
        out = m.nn.functional.interpolate(x, mode=mode, align_corners=align_corners, antialias=True, **kw)
        (out * m.linspace(-1, 1, out.numel(), dtype=m.float64).reshape(out.shape)).sum().backward()
        results.append((out, x.grad, type(out.grad_fn).__name__))
    assert_like_torch(results[0][0].detach(), results[1][0].detach(), rtol=1e-9, atol=1e-9)
    assert_like_torch(results[0][1], results[1][1], rtol=1e-9, atol=1e-9)
    assert results[0][2] == results[1][2]


def test_antialiased_shrinking_averages_a_constant_and_a_stripe_pattern():
    """A constant stays constant; alternating stripes shrunk 4x come out as their mean (no aliasing)."""
    flat = LF.interpolate(lg.full((1, 1, 16, 16), 3.0), size=(4, 4), mode="bilinear", antialias=True)
    np.testing.assert_allclose(flat.numpy(), 3.0, rtol=1e-6)
    stripes = lg.tensor(np.tile([[0.0], [1.0]], (8, 16)).astype(np.float32)).reshape(1, 1, 16, 16)
    shrunk = LF.interpolate(stripes, size=(4, 4), mode="bilinear", antialias=True).numpy()
    np.testing.assert_allclose(shrunk[0, 0, 1:-1], 0.5, atol=0.02)
