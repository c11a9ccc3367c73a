"""nn.functional's padding, convolutions and pooling against torch: values, shapes, dtypes, gradients,
indices and errors. Shapes are small so that the whole file compiles few kernels."""
from __future__ import annotations

import numpy as np
import pytest

import lazygrad as lg
import lazygrad.nn.functional as F
from tests.oracle import assert_like_torch, same_error, torch_or_skip

RNG = np.random.default_rng(0)


def _pair(shape, dtype="float64", requires_grad=True):
    torch = torch_or_skip()
    a = RNG.standard_normal(shape).round(2).astype(dtype)
    return lg.tensor(a, requires_grad=requires_grad), torch.tensor(a, requires_grad=requires_grad)


def _grads_like_torch(out, out_t, ins, ins_t, tol=None):
    """Forward values and the gradients of every input against one random output gradient."""
    torch = torch_or_skip()
    assert_like_torch(out.detach(), out_t.detach(), **(tol or {}))
    back = RNG.standard_normal(tuple(out_t.shape)).astype(str(out_t.dtype).replace("torch.", ""))
    got = lg.autograd.grad(out, ins, lg.tensor(back))
    want = torch.autograd.grad(out_t, ins_t, torch.tensor(back))
    for g, w in zip(got, want):
        assert_like_torch(g, w, **(tol or {}))


# padding

@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("pad", [(1, 2), (2, 0, 1, 1), (1, 1, 0, 2, 1, 0), (-1, 2)])
def test_pad_modes(mode, pad):
    torch = torch_or_skip()
    shape = (3, 4, 5) if len(pad) == 2 else (2, 3, 4, 5)
    x, xt = _pair(shape)
    out, out_t = F.pad(x, pad, mode=mode), torch.nn.functional.pad(xt, pad, mode=mode)
    _grads_like_torch(out, out_t, [x], [xt])


@pytest.mark.parametrize("mode, shape, pad", [
    ("reflect", (2, 5), (-3, 3)),  # the reflection reaches back into the cropped entries
    ("reflect", (2, 3, 5), (2, -4, -1, 1)),
    ("replicate", (2, 1), (3, -1)),  # the crop passes the input's end: the other side's edge remains
    ("replicate", (1, 2, 3, 4), (-4, 2, 1, -3, 0, 0)),
    ("reflect", (1, 3, 2, 2), (0, 0, 0, 0, -2, 0)),  # an empty spatial dim, another not
    ("replicate", (1, 2, 2, 2), (-2, 0, 0, 0, 0, 0)),
    ("circular", (1, 3, 2), (1, -1, -1, 0)),
    ("circular", (3, 3, 1, 4), (3, 2, 1, -2, -1, 2)),  # an empty output: nothing to wrap
])
def test_pads_with_negative_sizes_as_torch(mode, shape, pad):
    torch = torch_or_skip()
    x, xt = _pair(shape)
    _grads_like_torch(F.pad(x, pad, mode=mode), torch.nn.functional.pad(xt, pad, mode=mode), [x], [xt])


def test_constant_pad_value_and_node():
    torch = torch_or_skip()
    x, xt = _pair((2, 3))
    out, out_t = F.pad(x, (1, -1, 2, 0), value=2.5), torch.nn.functional.pad(xt, (1, -1, 2, 0), value=2.5)
    assert type(out.grad_fn).__name__ == type(out_t.grad_fn).__name__ == "ConstantPadNdBackward0"
    _grads_like_torch(out, out_t, [x], [xt])


@pytest.mark.parametrize("call", [
    lambda F, x: F.pad(x, (1,)),
    lambda F, x: F.pad(x, (1,) * 10),
    lambda F, x: F.pad(x, (1, 1), mode="reflect"),
    lambda F, x: F.pad(x, (3, 3, 0, 0), mode="reflect"),
    lambda F, x: F.pad(x, (4, 1, 0, 0), mode="circular"),
    lambda F, x: F.pad(x, (1, 1), mode="foo"),
    lambda F, x: F.pad(x, (1, 1, 1, 1), mode="reflect", value=2.0),
    lambda F, x: F.pad(x, (1.5, 1)),
    # reflect checks the last dim first, each with its own argument number; a pad leaving no spatial dim
    lambda F, x: F.pad(x, (3, 0, 3, 0), mode="reflect"), lambda F, x: F.pad(x, (0, 0, 3, 0), mode="reflect"),
    lambda F, x: F.pad(x[0], (0, 0, 0, 0, 3, 0), mode="reflect"),
    *(lambda F, x, mode=mode, pad=pad: F.pad(x[0, 0, :1, :2] if len(pad) == 2 else x, pad, mode=mode)
      for mode in ("reflect", "replicate")
      for pad in ((-3, 1), (-2, 0), (-3, 0, -3, 0), (-1, -2, -1, -2, -1, -2), (0, 0, 0, 0, -4, 0))),
    lambda F, x: F.pad(x, (0, 0, -4, 0), mode="replicate"), lambda F, x: F.pad(x, (-4, 0, 1, 0), mode="circular"),
])
def test_pad_errors(call):
    torch = torch_or_skip()
    a = np.zeros((1, 2, 3, 3))
    same_error(lambda: call(F, lg.tensor(a)), lambda: call(torch.nn.functional, torch.tensor(a)))


# convolutions

CONV_CASES = [  # (input shape, weight shape, options)
    ((2, 4, 9), (6, 2, 3), dict(stride=2, padding=1, groups=2)),
    ((4, 9), (3, 4, 2), dict(dilation=2, padding="same")),
    ((2, 3, 7, 6), (4, 3, 3, 2), dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2))),
    ((2, 4, 6, 6), (4, 1, 3, 3), dict(padding="valid", groups=4)),
    ((3, 6, 5), (2, 3, 2, 2), dict(padding="same")),
    ((1, 2, 4, 5, 4), (3, 2, 2, 3, 2), dict(stride=(1, 2, 1), padding=1)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("x_shape,w_shape,options", CONV_CASES)
def test_conv_values_and_gradients(x_shape, w_shape, options, dtype):
    torch = torch_or_skip()
    n = len(w_shape) - 2
    x, xt = _pair(x_shape, dtype)
    w, wt = _pair(w_shape, dtype)
    b, bt = _pair((w_shape[0],), dtype)
    out = getattr(F, f"conv{n}d")(x, w, b, **options)
    out_t = getattr(torch.nn.functional, f"conv{n}d")(xt, wt, bt, **options)
    if len(x_shape) == n + 2:
        assert type(out.grad_fn).__name__ == type(out_t.grad_fn).__name__ == "ConvolutionBackward0"
    _grads_like_torch(out, out_t, [x, w, b], [xt, wt, bt], dict(rtol=1e-4, atol=1e-4) if dtype == "float32" else None)


TRANSPOSED_CASES = [
    ((2, 4, 5), (4, 3, 3), dict(stride=2, padding=1, output_padding=1)),
    ((4, 5), (4, 1, 2), dict(groups=2, dilation=2)),
    ((2, 2, 4, 3), (2, 3, 3, 2), dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2))),
    ((1, 2, 3, 2, 3), (2, 2, 2, 2, 2), dict(stride=2)),
]


@pytest.mark.parametrize("x_shape,w_shape,options", TRANSPOSED_CASES)
def test_conv_transpose_values_and_gradients(x_shape, w_shape, options):
    torch = torch_or_skip()
    n = len(w_shape) - 2
    x, xt = _pair(x_shape)
    w, wt = _pair(w_shape)
    b, bt = _pair((w_shape[1] * options.get("groups", 1),))
    out = getattr(F, f"conv_transpose{n}d")(x, w, b, **options)
    out_t = getattr(torch.nn.functional, f"conv_transpose{n}d")(xt, wt, bt, **options)
    _grads_like_torch(out, out_t, [x, w, b], [xt, wt, bt])


def test_conv_second_derivative_like_torch():
    """Double backward: the gradient of (d loss / d x)'s norm for input and weight."""
    torch = torch_or_skip()
    x, xt = _pair((1, 2, 5, 4))
    w, wt = _pair((3, 2, 2, 2))
    gx, = lg.autograd.grad((F.conv2d(x, w, stride=2, padding=1) ** 2).sum(), x, create_graph=True)
    gxt, = torch.autograd.grad((torch.nn.functional.conv2d(xt, wt, stride=2, padding=1) ** 2).sum(), xt,
                               create_graph=True)
    got = lg.autograd.grad((gx * gx).sum(), [x, w])
    want = torch.autograd.grad((gxt * gxt).sum(), [xt, wt])
    for g, t in zip(got, want):
        assert_like_torch(g, t)


def test_conv2d_is_one_matrix_multiply():
    """The padded input is stored once, and the product is the tiled matrix-multiply kernel."""
    x = lg.tensor(np.ones((2, 16, 16, 16), np.float32))
    w = lg.tensor(np.ones((32, 16, 3, 3), np.float32))
    kernels = lg.schedule(F.conv2d(x + 1, w, padding=1))
    assert len(kernels) == 2
    assert "pack" in kernels[-1].source


def test_unfold_fold_like_torch():
    torch = torch_or_skip()
    x, xt = _pair((2, 3, 5, 6))
    options = dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1))
    cols, cols_t = F.unfold(x, **options), torch.nn.functional.unfold(xt, **options)
    _grads_like_torch(cols, cols_t, [x], [xt])
    c, ct = _pair(tuple(cols_t.shape))
    out, out_t = F.fold(c, (5, 6), **options), torch.nn.functional.fold(ct, (5, 6), **options)
    _grads_like_torch(out, out_t, [c], [ct])


@pytest.mark.parametrize("dtype", ["bool", "complex64", "float16"])
def test_unfold_fold_dtypes_like_torch(dtype):
    """bool columns fold as a logical or; complex and half values move exactly."""
    torch = torch_or_skip()
    x = RNG.standard_normal((1, 2, 3, 3)) > 0

    def columns_and_back(m):
        cols = m.nn.functional.unfold(m.tensor(x).to(getattr(m, dtype)), 2, padding=1)
        return cols, m.nn.functional.fold(cols[:, :, :4], (3, 3), 2)

    for got, want in zip(columns_and_back(lg), columns_and_back(torch)):
        assert_like_torch(got, want)


@pytest.mark.parametrize("call", [
    lambda m: m.nn.functional.unfold(m.zeros(2, 3, 5, 4), 0, dilation=0, padding=-1, stride=0),
    lambda m: m.nn.functional.unfold(m.zeros(2, 3, 5, 4), (2, 0)),
    lambda m: m.nn.functional.unfold(m.zeros(2, 3, 5, 4), 2, dilation=0, padding=-1, stride=0),
    lambda m: m.nn.functional.unfold(m.zeros(2, 3, 5, 4), 2, padding=-1, stride=0),
    lambda m: m.nn.functional.unfold(m.zeros(2, 3, 5, 4), 2, stride=(1, -1)),
    lambda m: m.nn.functional.unfold(m.zeros(2, 3, 5, 4), 2, dilation=(1, 2, 3), padding=(1, 2, 3)),
    lambda m: m.nn.functional.unfold(m.zeros(2, 3, 5, 4), 2, padding=(1,)),
    lambda m: m.nn.functional.unfold(m.zeros(2, 3, 5, 4), 2.5),
    lambda m: m.nn.functional.unfold(m.zeros(2, 3, 5, 4), 2, stride=None),
    lambda m: m.nn.functional.unfold(m.zeros(2, 3, 5, 4), 3, dilation=3),
    lambda m: m.nn.functional.unfold(m.zeros(2, 3, 5, 4), 7, padding=1, stride=2),
    lambda m: m.nn.functional.unfold(m.zeros(2, 0, 5, 4), 2),
    lambda m: m.nn.functional.unfold(m.zeros(0, 5, 4), 2),
    lambda m: m.nn.functional.unfold(m.zeros(1, 2, 5, 4, 3), 2),
    lambda m: m.nn.functional.unfold(m.zeros(5, 4), 2),
    lambda m: m.nn.functional.unfold(m.zeros(()), 2),
    lambda m: m.nn.functional.unfold(m.zeros(1, 1, 3, 3, dtype=m.int64), 2),
    lambda m: m.nn.functional.fold(m.zeros(2, 12, 12), (4, 5), 0, dilation=0, padding=-1, stride=0),
    lambda m: m.nn.functional.fold(m.zeros(2, 12, 12), (4, 5), 2, dilation=0, padding=-1, stride=0),
    lambda m: m.nn.functional.fold(m.zeros(2, 12, 12), (4, 5), 2, dilation=0, padding=-1),
    lambda m: m.nn.functional.fold(m.zeros(2, 12, 12), (4, 5), 2, padding=-1),
    lambda m: m.nn.functional.fold(m.zeros(2, 12, 12), (4, 5, 6), (2, 2, 2)),
    lambda m: m.nn.functional.fold(m.zeros(2, 12, 12), 2.0, 2),
    lambda m: m.nn.functional.fold(m.zeros(2, 0, 12), (4, 5), 2),
    lambda m: m.nn.functional.fold(m.zeros(12, 0), (4, 5), 2),
    lambda m: m.nn.functional.fold(m.zeros(1, 1, 12, 4), (4, 5), 2),
    lambda m: m.nn.functional.fold(m.zeros(2, 10, 12), (4, 5), 2),
    lambda m: m.nn.functional.fold(m.zeros(2, 12, 12), (0, 5), 2),
    lambda m: m.nn.functional.fold(m.zeros(2, 12, 4), (0, -3), 2),
    lambda m: m.nn.functional.fold(m.zeros(2, 4, 1), (-1, 1), 1, padding=(1, 0)),
    lambda m: m.nn.functional.fold(m.zeros(1, 4, 4, dtype=m.int32), (3, 3), 2),
])
def test_unfold_fold_errors(call):
    torch = torch_or_skip()
    same_error(lambda: call(lg), lambda: call(torch))


def test_unfold_fold_empty_batch_like_torch():
    torch = torch_or_skip()
    assert_like_torch(F.unfold(lg.zeros(0, 2, 4, 4), 2, stride=2),
                      torch.nn.functional.unfold(torch.zeros(0, 2, 4, 4), 2, stride=2))
    assert_like_torch(F.fold(lg.zeros(0, 8, 4), (4, 4), 2, stride=2),
                      torch.nn.functional.fold(torch.zeros(0, 8, 4), (4, 4), 2, stride=2))


@pytest.mark.parametrize("call", [
    lambda F, x, w: F.conv2d(x, w),
    lambda F, x, w: F.conv2d(x[0, 0], w[:, :4]),
    lambda F, x, w: F.conv2d(x[:, :3], w, stride=0),
    lambda F, x, w: F.conv2d(x[:, :3], w, padding=-1),
    lambda F, x, w: F.conv2d(x[:, :3], w, padding="same", stride=2),
    lambda F, x, w: F.conv2d(x[:, :3], w, padding="foo"),
    lambda F, x, w: F.conv2d(x[:, :3], w, stride=(1, 1, 1)),
    lambda F, x, w: F.conv2d(x[:, :3, :2, :2], w),
    lambda F, x, w: F.conv2d(x[:, :3], w, bias=w[:5, 0, 0, 0]),
    lambda F, x, w: F.conv2d(x[:, :3], w[:5], groups=2),
    lambda F, x, w: F.conv2d(x[:, :3], w.double()),
    lambda F, x, w: F.conv_transpose2d(x[:, :4], w),
    lambda F, x, w: F.conv_transpose2d(x[:, :6], w, stride=2, output_padding=2),
    lambda F, x, w: F.conv_transpose1d(x[:, :6, 0], w[..., 0], output_padding=1),
])
def test_conv_errors(call):
    torch = torch_or_skip()
    x, w = np.zeros((2, 6, 5, 5), np.float32), np.zeros((6, 3, 3, 3), np.float32)
    same_error(lambda: call(F, lg.tensor(x), lg.tensor(w)),
               lambda: call(torch.nn.functional, torch.tensor(x), torch.tensor(w)))


@pytest.mark.parametrize("call", [
    lambda F, m: F.conv_transpose2d(m.ones(1, 1, 2, 2), m.ones(1, 1, 1, 1), padding=(1, 0)),
    lambda F, m: F.conv_transpose2d(m.ones(1, 1, 2, 2, dtype=m.float64), m.ones(1, 1, 1, 1, dtype=m.float64),
                                    padding=(1, 0)),
    # torch's oneDNN path (float32, a batch of two) computes an empty output, unless the output padding is as
    # large as the stride
    lambda F, m: F.conv_transpose3d(m.ones(2, 2, 6, 4, 7), m.ones(2, 2, 2, 1, 3), stride=(2, 1, 1),
                                    padding=(1, 2, 1), dilation=(1, 2, 2)),
    lambda F, m: F.conv_transpose2d(m.ones(2, 2, 1, 2), m.ones(2, 2, 2, 2), stride=(3, 1), padding=1,
                                    output_padding=1, dilation=2),
    lambda F, m: F.conv_transpose1d(m.ones(1, 2, 3), m.ones(2, 1, 1), padding=1),
])
def test_transposed_convolutions_with_no_output_as_torch(call):
    """torch refuses one on its plain CPU path, and its oneDNN one returns an empty tensor."""
    torch = torch_or_skip()
    try:
        want = call(torch.nn.functional, torch)
    except RuntimeError:
        same_error(lambda: call(F, lg), lambda: call(torch.nn.functional, torch), RuntimeError)
        return
    assert_like_torch(call(F, lg), want)


def test_a_transposed_convolution_with_a_negative_output_size_is_refused_on_every_path():
    """(torch's oneDNN kernel fails inside the library, in its own words)"""
    with pytest.raises(RuntimeError, match=r"^Given input size per channel: \(5 x 2\)\. Calculated output size per "
                                           r"channel: \(9 x -1\)\. Output size is too small$"):
        F.conv_transpose2d(lg.ones(2, 3, 5, 2), lg.ones(3, 2, 3, 1), stride=2, padding=2, groups=3, dilation=2)


@pytest.mark.parametrize("n, options", [(1, dict(output_padding=1, dilation=2)),
                                        (2, dict(stride=(3, 1), output_padding=1, dilation=2, groups=2)),
                                        (3, dict(stride=(1, 2, 1), padding=1, output_padding=(1, 1, 2), dilation=3))])
def test_transposed_convolution_gradients_with_an_output_padding_past_the_stride(n, options):
    """An output padding no smaller than the stride (allowed below the dilation) adds output positions no input
    reaches: the input's gradient, a convolution of the output's, is cut back to the input's size."""
    torch = torch_or_skip()
    x, xt = _pair((2, 4) + (3, 4, 2)[:n])
    w, wt = _pair((4, 3) + (2, 3, 2)[:n])
    out = getattr(F, f"conv_transpose{n}d")(x, w, **options)
    out_t = getattr(torch.nn.functional, f"conv_transpose{n}d")(xt, wt, **options)
    _grads_like_torch(out, out_t, [x, w], [xt, wt])


# pooling

MAX_POOL_CASES = [
    ("max_pool1d", (2, 3, 9), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("max_pool2d", (2, 7, 6), dict(kernel_size=(3, 2), padding=1, dilation=(2, 1))),
    ("max_pool2d", (1, 2, 7, 6), dict(kernel_size=2, ceil_mode=True)),
    ("max_pool3d", (1, 2, 4, 5, 4), dict(kernel_size=2, stride=(1, 2, 2))),
    ("max_pool2d", (2, 3, 9, 11), dict(kernel_size=2)),  # tiling windows (the last row and column in none)
    ("max_pool1d", (2, 3, 12), dict(kernel_size=3)),
    ("max_pool3d", (1, 2, 4, 6, 4), dict(kernel_size=2)),
    ("adaptive_max_pool1d", (2, 3, 7), dict(output_size=3)),
    ("adaptive_max_pool2d", (2, 7, 6), dict(output_size=(3, 4))),
    ("adaptive_max_pool3d", (1, 2, 5, 4, 6), dict(output_size=(2, None, 4))),
]


@pytest.mark.parametrize("name,shape,options", MAX_POOL_CASES)
def test_max_pools_values_indices_gradients(name, shape, options):
    """Rounded values make ties: the gradient goes to the element torch picks (its index)."""
    torch = torch_or_skip()
    x, xt = _pair(shape)
    x_t = xt.detach().round(decimals=0).requires_grad_()
    x = lg.tensor(x_t.detach().numpy(), requires_grad=True)
    (out, idx), (out_t, idx_t) = (getattr(m, name)(v, **options, return_indices=True)
                                  for m, v in ((F, x), (torch.nn.functional, x_t)))
    assert_like_torch(idx, idx_t, exact=True)
    _grads_like_torch(out, out_t, [x], [x_t])


@pytest.mark.parametrize("options", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1)])
def test_max_pool_second_derivatives_and_tiling_windows_need_no_scatter(options):
    """The gradient of a max pool is linear in the output gradient: its own gradient (a double backward)
    matches torch's. Windows that tile the input send it back elementwise, with no scatter kernel."""
    torch = torch_or_skip()
    x_np = RNG.standard_normal((2, 3, 9, 11)).round(0).astype(np.float32)  # (ties)
    g_np = RNG.standard_normal(tuple(torch.nn.functional.max_pool2d(torch.tensor(x_np), **options).shape))
    w_np = RNG.standard_normal(x_np.shape)
    results = []
    for lib, mod in ((lg, F), (torch, torch.nn.functional)):
        x, g = lib.tensor(x_np, requires_grad=True), lib.tensor(g_np.astype(np.float32), requires_grad=True)
        (gx,) = lib.autograd.grad(mod.max_pool2d(x, **options), x, g, create_graph=True)
        (gg,) = lib.autograd.grad((gx * lib.tensor(w_np.astype(np.float32))).sum(), g)
        results.append((gx, gg))
        if lib is lg:
            scatters = [k for k in lg.schedule(gx) if k.name.startswith("s_")]
            assert (not scatters) == (options["kernel_size"] == 2), [k.name for k in lg.schedule(gx)]
    for got, want in zip(*results):
        assert_like_torch(got.detach(), want.detach())


AVG_POOL_CASES = [
    ("avg_pool1d", (2, 3, 9), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("avg_pool2d", (2, 3, 7, 6), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    ("avg_pool2d", (3, 7, 6), dict(kernel_size=2, divisor_override=3)),
    ("avg_pool3d", (1, 2, 5, 4, 6), dict(kernel_size=2, stride=1, padding=1)),
    ("adaptive_avg_pool1d", (3, 7), dict(output_size=5)),
    ("adaptive_avg_pool2d", (2, 3, 7, 6), dict(output_size=(3, 4))),
    ("adaptive_avg_pool3d", (1, 2, 5, 4, 6), dict(output_size=(2, 3, 4))),
    ("lp_pool1d", (2, 3, 7), dict(norm_type=2, kernel_size=3, stride=2)),
    ("lp_pool2d", (2, 3, 7, 6), dict(norm_type=1.5, kernel_size=2)),
]


@pytest.mark.parametrize("name,shape,options", AVG_POOL_CASES)
def test_average_pools_values_gradients(name, shape, options):
    torch = torch_or_skip()
    x, xt = _pair(shape)
    if name.startswith("lp"):
        x, xt = (v.detach().abs().requires_grad_() for v in (x, xt))
    _grads_like_torch(getattr(F, name)(x, **options), getattr(torch.nn.functional, name)(xt, **options), [x], [xt])


def test_max_unpool_and_pixel_shuffles():
    torch = torch_or_skip()
    x, xt = _pair((2, 3, 6, 5))
    values_t, idx_t = torch.nn.functional.max_pool2d(xt.detach(), 2, return_indices=True)
    v, vt = lg.tensor(values_t.numpy(), requires_grad=True), values_t.clone().requires_grad_()
    out = F.max_unpool2d(v, lg.tensor(idx_t.numpy()), 2, output_size=(6, 5))
    _grads_like_torch(out, torch.nn.functional.max_unpool2d(vt, idx_t, 2, output_size=(6, 5)), [v], [vt])
    y, yt = _pair((2, 8, 3, 2))
    _grads_like_torch(F.pixel_shuffle(y, 2), torch.nn.functional.pixel_shuffle(yt, 2), [y], [yt])
    z, zt = _pair((3, 4, 6))
    _grads_like_torch(F.pixel_unshuffle(z, 2), torch.nn.functional.pixel_unshuffle(zt, 2), [z], [zt])


def test_integer_pools_like_torch():
    torch = torch_or_skip()
    a = np.arange(50).reshape(1, 2, 5, 5)
    for name in ("avg_pool2d", "max_pool2d"):
        assert_like_torch(getattr(F, name)(lg.tensor(a), 2), getattr(torch.nn.functional, name)(torch.tensor(a), 2),
                          exact=True)


@pytest.mark.parametrize("call", [
    lambda F, x: F.max_pool2d(x, 3, padding=2),
    lambda F, x: F.max_pool2d(x, 2, stride=0),
    lambda F, x: F.max_pool2d(x[0, 0], 2),
    lambda F, x: F.max_pool2d(x, 7),
    lambda F, x: F.max_pool1d(x[0], 2, padding=2),
    lambda F, x: F.avg_pool2d(x, 3, padding=2),
    lambda F, x: F.max_pool2d(x, (2, 2, 2)),
    lambda F, x: F.adaptive_avg_pool2d(x[0, 0], 2),
    lambda F, x: F.pixel_shuffle(x[:, :1, :3], 2),
    lambda F, x: F.pixel_unshuffle(x, 2),
    lambda F, x: F.pixel_shuffle(x, 0), lambda F, x: F.pixel_shuffle(x, -1), lambda F, x: F.pixel_unshuffle(x, -2),
    lambda F, x: F.pixel_shuffle(x[0, 0], 0),
    # 1-d pools: torch's own checks, then those of the 2-d pool of the input given a height of 1
    *(lambda F, x, kw=kw: F.max_pool1d(x[:, :, 0], **kw) for kw in (
        dict(kernel_size=(2, 2)), dict(kernel_size=2, stride=(1, 1)), dict(kernel_size=2, padding=(0, 0)),
        dict(kernel_size=2, dilation=(1, 1)), dict(kernel_size=2, padding=-1), dict(kernel_size=-2),
        dict(kernel_size=2, stride=0), dict(kernel_size=2, dilation=0), dict(kernel_size=9),
        dict(kernel_size=(2, 2), return_indices=True), dict(kernel_size=2, stride=0, return_indices=True),
        dict(kernel_size=2, padding=-1, return_indices=True), dict(kernel_size=-1, return_indices=True),
        dict(kernel_size=2, padding=2, return_indices=True), dict(kernel_size=9, return_indices=True),
        dict(kernel_size=2, dilation=0, return_indices=True))),
    lambda F, x: F.max_pool1d(x, 2, return_indices=True), lambda F, x: F.max_pool1d(x[:, :, 0, :0], 2),
    lambda F, x: F.max_pool1d(x[:, :, 0, :0], 2, return_indices=True), lambda F, x: F.max_pool1d(x.long()[0, 0], 2),
    lambda F, x: F.max_pool1d(x[0, 0].requires_grad_(), 0), lambda F, x: F.max_pool1d(x[0, 0].requires_grad_(), 2, 1, 2),
    lambda F, x: F.avg_pool1d(x[0, 0], 2, padding=2), lambda F, x: F.avg_pool1d(x[0, 0], 9),
    lambda F, x: F.avg_pool1d(x[0, 0], (2, 2)), lambda F, x: F.avg_pool1d(x[0, 0], 2, (1, 1)),
    lambda F, x: F.avg_pool1d(x, 2), lambda F, x: F.avg_pool1d(x[0, 0, :0], 2), lambda F, x: F.avg_pool1d(x[0, 0], -1),
    lambda F, x: F.adaptive_avg_pool1d(x, 2), lambda F, x: F.adaptive_avg_pool1d(x[0, 0], (2, 2)),
    lambda F, x: F.adaptive_avg_pool1d(x[0, 0, :, :0], 2), lambda F, x: F.adaptive_avg_pool1d(x[0, 0], -1),
    lambda F, x: F.adaptive_max_pool1d(x[0, 0, 0], 2), lambda F, x: F.adaptive_max_pool1d(x[0, 0, :, :0], 2),
    lambda F, x: F.adaptive_max_pool1d(x[0, 0], -1), lambda F, x: F.adaptive_max_pool1d(x[0].long(), 2),
    # 2-d and 3-d pools
    lambda F, x: F.avg_pool2d(x[None], 2), lambda F, x: F.avg_pool2d(x[0, 0], 2), lambda F, x: F.avg_pool2d(x[:, :, :0], 2),
    lambda F, x: F.avg_pool2d(x, (2, -1)), lambda F, x: F.avg_pool2d(x, 2, -1), lambda F, x: F.avg_pool2d(x, 2, 1, -1),
    lambda F, x: F.avg_pool2d(x, 2, (1, 1, 1)), lambda F, x: F.avg_pool2d(x.short(), 2),
    lambda F, x: F.max_pool2d(x[:, :0], 2), lambda F, x: F.max_pool2d(x, -1), lambda F, x: F.max_pool2d(x, 2, dilation=0),
    lambda F, x: F.max_pool2d(x, 2, padding=(1, 1, 1)), lambda F, x: F.max_pool2d(x, 2, dilation=(1, 1, 1)),
    lambda F, x: F.max_pool2d(x.bool(), 2),
    lambda F, x: F.max_pool3d(x[None, :, :, :0], 2), lambda F, x: F.max_pool3d(x[None], 3),
    lambda F, x: F.max_pool3d(x[None], -1), lambda F, x: F.max_pool3d(x[0], 2), lambda F, x: F.max_pool3d(x[None], (2, 2)),
    lambda F, x: F.avg_pool3d(x[None], 3), lambda F, x: F.avg_pool3d(x[None, :, :, :, :0], 2),
    lambda F, x: F.avg_pool3d(x[None], (2, 2)), lambda F, x: F.avg_pool3d(x[None], 2, 1, (0, 0)),
    lambda F, x: F.avg_pool3d(x[None].int(), 1),
    lambda F, x: F.adaptive_avg_pool2d(x, (2, 2, 2)), lambda F, x: F.adaptive_avg_pool2d(x[:, :, :0], 2),
    lambda F, x: F.adaptive_avg_pool2d(x, -1), lambda F, x: F.adaptive_avg_pool2d(x, None),
    lambda F, x: F.adaptive_avg_pool2d(x[0, 0], (2, 2)), lambda F, x: F.adaptive_avg_pool2d(x.long(), 2),
    lambda F, x: F.adaptive_avg_pool2d(x.long(), 1), lambda F, x: F.adaptive_avg_pool3d(x[None], (2, -1, 2)),
    lambda F, x: F.adaptive_max_pool2d(x[0, 0], 2), lambda F, x: F.adaptive_max_pool2d(x, (2, 2, 2)),
    lambda F, x: F.adaptive_max_pool2d(x[:, :, :0], 2), lambda F, x: F.adaptive_max_pool2d(x, -1),
    lambda F, x: F.adaptive_max_pool3d(x[None], (2, 2)), lambda F, x: F.adaptive_max_pool3d(x[None].long(), 2),
    # a dilation lets a padding past half the kernel through the first check; max pools check the kernel itself
    lambda F, x: F.max_pool2d(x, 3, 1, 2, 2), lambda F, x: F.max_pool2d(x, (3, 4), 1, (1, 3), 2, True, True),
    lambda F, x: F.max_pool1d(x[0], 3, 1, 2, 2, return_indices=True), lambda F, x: F.max_pool1d(x[0], 3, 1, 2, 2),
    lambda F, x: F.max_pool3d(x[None], (3, 2, 4), 1, (1, 1, 3), 2),
    lambda F, x: F.max_pool2d(x[..., :1, :1], 3, 1, 2, 5),
    # int-list parameters as torch's parser reads them, through nn.functional too
    lambda F, x: F.adaptive_max_pool1d(x[0], (None,)), lambda F, x: F.adaptive_avg_pool1d(x[0], (2.0,)),
    lambda F, x: F.adaptive_avg_pool1d(x[0], output_size=(None,)), lambda F, x: F.pixel_shuffle(x, 1.5),
    lambda F, x: F.avg_pool1d(x[0], 1.5),
])
def test_pool_errors(call):
    torch = torch_or_skip()
    a = np.zeros((1, 2, 5, 5), np.float32)
    same_error(lambda: call(F, lg.tensor(a)), lambda: call(torch.nn.functional, torch.tensor(a)))


@pytest.mark.parametrize("name, shape, options", [
    ("max_pool1d", (2, 1, 5), dict(kernel_size=3, padding=1, dilation=2)),  # -inf values: no element beats them
    ("max_pool2d", (1, 1, 5, 1), dict(kernel_size=2, padding=1, dilation=2, ceil_mode=True)),  # windows in the padding
    ("max_pool2d", (1, 2, 3, 4), dict(kernel_size=2, stride=2, padding=1, dilation=3)),
    ("max_pool3d", (1, 2, 3, 2, 4), dict(kernel_size=2, padding=1, dilation=(3, 2, 2))),
])
def test_max_pool_windows_with_nothing_above_the_lowest_value(name, shape, options):
    """A window whose values are all -inf, or which lies wholly in the padding, has torch's index: where its
    search began, the first position of each dim at or past 0 (even one past the input's end, naming another
    element), and its gradient goes there."""
    torch = torch_or_skip()
    x_np = np.where(RNG.random(shape) < 0.5, -np.inf, RNG.standard_normal(shape)).astype(np.float32)
    x, x_t = lg.tensor(x_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
    (out, idx), (out_t, idx_t) = (getattr(m, name)(v, **options, return_indices=True)
                                  for m, v in ((F, x), (torch.nn.functional, x_t)))
    assert_like_torch(idx, idx_t, exact=True)
    assert_like_torch(out.detach(), out_t.detach(), exact=True)
    weights = np.arange(out_t.numel(), dtype=np.float32).reshape(tuple(out_t.shape))
    (out * lg.tensor(weights)).sum().backward()
    (out_t * torch.tensor(weights)).sum().backward()
    assert_like_torch(x.grad, x_t.grad, exact=True)


def test_max_pool_gradient_of_a_window_past_the_input_is_dropped():
    """torch's index for a window wholly past the input's last element names no element (its backward writes
    outside the input); lazygrad gives that index and drops the window's gradient."""
    torch = torch_or_skip()
    x_np = RNG.standard_normal((2, 2, 1)).astype(np.float32)
    options = dict(kernel_size=2, stride=1, padding=1, dilation=2, return_indices=True)
    (_, idx_t) = torch.nn.functional.max_pool2d(torch.tensor(x_np), **options)
    x = lg.tensor(x_np, requires_grad=True)
    out, idx = F.max_pool2d(x, **options)
    assert_like_torch(idx, idx_t, exact=True)
    assert idx.max().item() == x_np[0].size  # (one past the plane)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros_like(x_np) + np.array([0, 1], np.float32)[:, None])


@pytest.mark.parametrize("name, shape, args", [("max_pool1d_with_indices", (2, 3, 9), (3, 2, 1)),
                                               ("max_pool2d_with_indices", (1, 2, 7, 6), (2,)),
                                               ("max_pool3d_with_indices", (1, 2, 4, 5, 4), (2,)),
                                               ("adaptive_max_pool1d_with_indices", (2, 3, 7), (3,)),
                                               ("adaptive_max_pool2d_with_indices", (2, 7, 6), ((3, 4),)),
                                               ("adaptive_max_pool3d_with_indices", (1, 2, 5, 4, 6), (2,))])
def test_with_indices_forms_return_both_whatever_return_indices_says(name, shape, args):
    torch = torch_or_skip()
    x, xt = _pair(shape)
    for kwargs in ({}, {"return_indices": False}):
        (out, idx), (out_t, idx_t) = (getattr(m, name)(v, *args, **kwargs)
                                      for m, v in ((F, x), (torch.nn.functional, xt)))
        assert_like_torch(idx, idx_t, exact=True)
        assert_like_torch(out.detach(), out_t.detach())


@pytest.mark.parametrize("n", [1, 2, 3])
def test_nn_grad_functions_like_torch(n):
    """torch.nn.grad's conv{n}d_input and conv{n}d_weight: the gradients of a convolution (strided, padded,
    dilated, grouped) given its output's gradient."""
    torch = pytest.importorskip("torch")
    import torch.nn.grad  # noqa: F401
    rng = np.random.default_rng(n)
    spatial = (9, 8, 7)[:n]
    x = rng.standard_normal((2, 4, *spatial)).astype(np.float32)
    w = rng.standard_normal((6, 2, *(3,) * n)).astype(np.float32)
    options = dict(stride=2, padding=1, dilation=1, groups=2)
    out = torch.nn.functional.__dict__[f"conv{n}d"](torch.tensor(x), torch.tensor(w), **options)
    go = rng.standard_normal(tuple(out.shape)).astype(np.float32)
    for name, args in ((f"conv{n}d_input", lambda m: (x.shape, m.tensor(w), m.tensor(go))),
                       (f"conv{n}d_weight", lambda m: (m.tensor(x), w.shape, m.tensor(go)))):
        want = getattr(torch.nn.grad, name)(*args(torch), **options)
        got = getattr(lg.nn.grad, name)(*args(lg), **options)
        assert tuple(got.shape) == tuple(want.shape) and not got.requires_grad
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-4, atol=1e-4)
