"""Where results lie in memory, as torch lays them out: an elementwise result follows its inputs' dim order
(TensorIterator's rule: transposed or channels-last in, the same out), kernels torch writes row-major
(softmax, layer_norm, tril...) give row-major results, and convolution and pooling keep channels-last.
Visible through .stride(), .is_contiguous() and what .view() accepts."""
import itertools

import numpy as np
import pytest

import lazygrad as lg
from oracle import torch_or_skip


def _inputs(lib):
    x = lib.arange(1.0, 25.0).reshape(2, 3, 4) / 10
    return x, x.transpose(0, 2)


OPS = {
    "mul": lambda lib, t: t * 2, "add_self": lambda lib, t: t + t, "exp": lambda lib, t: t.exp(),
    "cast": lambda lib, t: t.double(), "to_int": lambda lib, t: t.to(lib.int64), "bool": lambda lib, t: t.bool(),
    "sign": lambda lib, t: t.sign(), "where": lambda lib, t: lib.where(t > 1, t, -t), "neg": lambda lib, t: -t,
    "broadcast_row": lambda lib, t: t + lib.ones(2), "scalar_tensor": lambda lib, t: t + lib.tensor(2.0),
    "gelu": lambda lib, t: lib.nn.functional.gelu(t), "clamp": lambda lib, t: t.clamp(0.2, 0.5),
    "addcmul": lambda lib, t: lib.addcmul(t, t, t), "flip": lambda lib, t: t.flip(0),
    "erfinv": lambda lib, t: (t / 3).erfinv(), "digamma": lambda lib, t: t.digamma(),
    "clone": lambda lib, t: t.clone(), "empty_like": lambda lib, t: lib.empty_like(t),
    "softmax": lambda lib, t: t.softmax(-1), "log_softmax": lambda lib, t: t.log_softmax(1),
    "logsigmoid": lambda lib, t: lib.nn.functional.logsigmoid(t), "tril": lambda lib, t: t.tril(),
    "layer_norm": lambda lib, t: lib.nn.functional.layer_norm(t, (2,)),
    "rms_norm": lambda lib, t: lib.nn.functional.rms_norm(t, (2,)),
    "batch_norm": lambda lib, t: lib.nn.functional.batch_norm(t, None, None, training=True),
    "mvlgamma": lambda lib, t: lib.mvlgamma(t + 2, 1), "sum_keepdim": lambda lib, t: t.sum(1, keepdim=True),
    "mixed_layouts": lambda lib, t: t + t.contiguous(),
}


@pytest.mark.parametrize("name", OPS)
def test_results_lie_as_torchs(name):
    torch = torch_or_skip()
    got, want = OPS[name](lg, _inputs(lg)[1]), OPS[name](torch, _inputs(torch)[1])
    assert (tuple(got.stride()), got.is_contiguous()) == (tuple(want.stride()), want.is_contiguous())
    if name != "empty_like":
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)


def test_random_operand_layouts_give_torchs_strides():
    """Two operands, each permuted, broadcast and sliced at random, some with size-1 dims: the result's
    strides are torch's (the first operand with a preference decides the dim order)."""
    torch = torch_or_skip()
    rng = np.random.default_rng(7)
    for _ in range(60):
        shape = tuple(int(s) for s in rng.choice([1, 2, 3, 4], size=3))
        operands = []
        for _ in range(2):
            perm = tuple(rng.permutation(3))
            base = rng.standard_normal([shape[p] * (2 if rng.random() < 0.3 else 1) for p in perm])
            kept = tuple(slice(None, None, 2 if base.shape[i] != shape[perm[i]] else 1) for i in range(3))
            inverse = tuple(int(i) for i in np.argsort(perm))
            drop = rng.random() < 0.3  # a broadcast operand: one dim of size 1
            operands.append((base, kept, inverse, drop))

        def build(lib):
            out = []
            for base, kept, inverse, drop in operands:
                t = lib.tensor(base)[kept].permute(*inverse)
                out.append(t[:, :1] if drop else t)
            return out[0] * out[1]
        got, want = build(lg), build(torch)
        assert tuple(got.stride()) == tuple(want.stride()), (shape, operands[0][2], operands[1][2])
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)


THREE_OPERAND_OPS = {
    "lerp": lambda lib, x, y, z: lib.lerp(x, y, 0.7), "lerp_tensor": lambda lib, x, y, z: lib.lerp(x, y, z),
    "addcmul": lambda lib, x, y, z: lib.addcmul(x, y, z, value=0.5),
    "addcdiv": lambda lib, x, y, z: lib.addcdiv(x, y, z, value=0.3),
}
_LAYOUTS = {"row-major": lambda t: t, "transposed": lambda t: t.transpose(0, 2).contiguous().transpose(0, 2),
            "broadcast": lambda t: t[:1].expand(2, 3, 4), "scalar": lambda t: t[0, 0, 0]}


@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "int32"])
@pytest.mark.parametrize("name", THREE_OPERAND_OPS)
def test_three_operand_ops_lie_as_torchs(name, dtype):
    """lerp, addcmul and addcdiv are one op over all their tensors, laid out as torch lays out its result
    (a tensor weight of lerp's took the layout of the weight)."""
    torch = torch_or_skip()
    for layouts in itertools.product(_LAYOUTS, repeat=3):
        results = []
        for lib in (lg, torch):
            x = lib.arange(1.0, 25.0).reshape(2, 3, 4).to(getattr(lib, dtype))
            operands = [_LAYOUTS[k](x + i) for i, k in enumerate(layouts)]
            try:
                out = THREE_OPERAND_OPS[name](lib, *operands)
                results.append((tuple(out.stride()), str(out.dtype).split(".")[-1], out.double().numpy()))
            except RuntimeError as error:
                results.append((str(error),))
        got, want = results
        assert got[:2] == want[:2], layouts
        if len(got) == 3:
            np.testing.assert_allclose(got[2], want[2], rtol=1e-2 if dtype == "bfloat16" else 1e-6)


def test_view_of_a_transposed_result_fails_as_in_torch():
    torch = torch_or_skip()
    for lib in (lg, torch):
        y = _inputs(lib)[1] * 2
        with pytest.raises(RuntimeError, match="view size is not compatible with input tensor's size and stride"):
            y.view(-1)
        assert y.reshape(-1).tolist() == pytest.approx((_inputs(lib)[1] * 2).contiguous().view(-1).tolist())


CHANNELS_LAST_LAYERS = {
    "conv": lambda F, x, w: F.conv2d(x, w), "max_pool": lambda F, x, w: F.max_pool2d(x, 2),
    "avg_pool": lambda F, x, w: F.avg_pool2d(x, 2), "relu": lambda F, x, w: F.relu(x - 1),
    "batch_norm": lambda F, x, w: F.batch_norm(x, None, None, training=True),
    "group_norm": lambda F, x, w: F.group_norm(x, 3),
    "pad": lambda F, x, w: F.pad(x, (1, 2, 0, 1), value=0.5), "reflect": lambda F, x, w: F.pad(x, (1, 1, 2, 2), mode="reflect"),
    "replicate": lambda F, x, w: F.pad(x, (1, 1, 2, 2), mode="replicate"),
    "circular (row-major)": lambda F, x, w: F.pad(x, (1, 1, 2, 2), mode="circular"),
    "nearest": lambda F, x, w: F.interpolate(x, scale_factor=2),
    "bilinear": lambda F, x, w: F.interpolate(x, size=(5, 9), mode="bilinear"),
    "bicubic": lambda F, x, w: F.interpolate(x, scale_factor=1.5, mode="bicubic", align_corners=True),
    "area": lambda F, x, w: F.interpolate(x, size=(3, 4), mode="area"),
    "a 1x1 slice upsampled": lambda F, x, w: F.interpolate(x[:, :, :1, :1], scale_factor=2),
}


@pytest.mark.parametrize("layer", list(CHANNELS_LAST_LAYERS))
def test_channels_last_stays_channels_last(layer):
    """Channels-last input gives channels-last results where torch's kernels write them so (and row-major
    ones where torch's do), with torch's strides and values."""
    torch = torch_or_skip()

    def run(lib):
        lib.manual_seed(0)
        x = lib.arange(2 * 3 * 6 * 6, dtype=lib.float32).reshape(2, 3, 6, 6).to(memory_format=lib.channels_last) / 50
        return CHANNELS_LAST_LAYERS[layer](lib.nn.functional, x, lib.ones(4, 3, 3, 3) / 10)
    got, want = run(lg), run(torch)
    assert tuple(got.stride()) == tuple(want.stride())
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-4, atol=1e-5)


def test_channels_last_3d_pads_and_upsamples_keep_their_format():
    torch = torch_or_skip()

    def strides(lib):
        x = lib.ones(2, 3, 4, 5, 6).to(memory_format=lib.channels_last_3d)
        F = lib.nn.functional
        return [tuple(F.pad(x, (1, 1, 1, 1, 1, 1)).stride()), tuple(F.interpolate(x, scale_factor=2).stride())]
    assert strides(lg) == strides(torch)


def test_gradients_through_transposed_results():
    """The layouts are storage only: gradients and second derivatives are those of the values."""
    torch = torch_or_skip()
    a = np.random.default_rng(1).standard_normal((3, 4))
    results = []
    for lib in (lg, torch):
        x = lib.tensor(a, requires_grad=True)
        y = (x.t().exp() * x.t()).sin()
        g, = lib.autograd.grad(y.sum(), x, create_graph=True)
        h, = lib.autograd.grad(g.sum(), x)
        results.append((y.detach().numpy(), g.detach().numpy(), h.numpy()))
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-10)


def test_leaf_gradients_follow_torchs_layout_contract():
    """A leaf's .grad takes the leaf's strides where the leaf is dense and does not overlap (a channels-last
    or transposed parameter), else row-major strides (a strided slice, an expanded leaf)."""
    torch = torch_or_skip()

    def strides(lib):
        leaves = [lib.randn(3, 4).t(), lib.randn(3, 8)[:, ::2], lib.randn(2, 3, 4, 5).permute(0, 2, 3, 1),
                  lib.randn(3).expand(2, 3), lib.randn(2, 3, 5, 5).contiguous(memory_format=lib.channels_last)]
        out = []
        for leaf in leaves:
            leaf = leaf.detach().requires_grad_()
            (leaf * 2).sum().backward()
            out.append(tuple(leaf.grad.stride()))
            assert leaf.grad.tolist() == (lib.ones_like(leaf) * 2).tolist()
        conv = lib.nn.Conv2d(3, 2, 3).to(memory_format=lib.channels_last)
        conv(lib.ones(1, 3, 5, 5)).sum().backward()
        return out + [tuple(conv.weight.grad.stride())]
    assert strides(lg) == strides(torch)


def test_creation_functions_take_memory_format_like_torch():
    """empty(memory_format=...), and the *_like functions' preserve_format default (the input's layout where
    it is dense, its dim order where it is not) or an explicit format, including rand_like and randn_like."""
    torch = torch_or_skip()

    def strides(m):
        x = m.ones(2, 3, 4, 5).contiguous(memory_format=m.channels_last)
        t = m.ones(3, 4).t()
        made = [m.empty(2, 3, 4, 5, memory_format=m.channels_last), m.zeros_like(x),
                m.ones_like(x, memory_format=m.contiguous_format), m.empty_like(m.ones(2, 3, 4, 5),
                                                                               memory_format=m.channels_last),
                m.rand_like(x), m.randn_like(t), m.full_like(t, 2.0), m.empty_like(x[:, :, ::2]),
                m.randn_like(t, requires_grad=True)]
        with pytest.raises(RuntimeError, match="required rank 4 tensor to use channels_last format"):
            m.empty(2, 3, memory_format=m.channels_last)
        return [tuple(a.stride()) for a in made] + [made[-1].requires_grad]
    assert strides(lg) == strides(torch)


def test_casting_methods_take_memory_format_like_torch():
    """x.float(memory_format=...), x.cpu(memory_format=...): a tensor already laid out in the format it
    suggests comes back itself (torch's aliasing rule), others are copied into the format; the format is
    a keyword only."""
    torch = torch_or_skip()

    def results(m):
        x = m.randn(2, 3, 4, 5)
        p, c = x.permute(0, 2, 3, 1), x.contiguous(memory_format=m.channels_last)
        made = [x.float(memory_format=m.channels_last), x.double(memory_format=m.channels_last),
                p.double(memory_format=m.contiguous_format), p.int(memory_format=m.contiguous_format),
                p.float(memory_format=m.channels_last), c.float(memory_format=m.contiguous_format),
                x.cpu(memory_format=m.channels_last), p.double(), p.to(m.float32, copy=True,
                                                                      memory_format=m.contiguous_format)]
        aliases = [p.float(memory_format=m.contiguous_format) is p, x.float(memory_format=m.channels_last) is x,
                   c.half(memory_format=m.channels_last).dtype == m.float16]
        for call, message in ((lambda: x.float(2), r"float\(\) takes 0 positional arguments but 1 was given"),
                              (lambda: x.cpu(1, 2), r"cpu\(\) takes 0 positional arguments but 2 were given")):
            with pytest.raises(TypeError, match=message):
                call()
        return [tuple(a.stride()) for a in made] + aliases
    assert results(lg) == results(torch)
