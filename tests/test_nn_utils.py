"""The rest of torch.nn.utils against torch: batch-norm fusion into convolutions and linear layers, skip_init
and Module.to_empty, weight memory formats, and the deprecated clip_grad_norm."""
import warnings

import numpy as np

import lazygrad as lg
from oracle import torch_or_skip


def _program(t):
    rng = np.random.default_rng(0)
    nn = t.nn

    def filled(module):
        with t.no_grad():
            for p in [*module.parameters(), *(b for b in module.buffers() if b.dtype == t.float32)]:
                p.copy_(t.tensor(np.abs(rng.standard_normal(tuple(p.shape))) + 0.1, dtype=t.float32))
        return module.eval()

    def close(a, b):
        return bool(np.abs((a - b).detach().numpy()).max() < 1e-4)

    seen = []
    x = t.tensor(rng.standard_normal((2, 3, 6, 6)), dtype=t.float32)
    conv, bn = filled(nn.Conv2d(3, 4, 3)), filled(nn.BatchNorm2d(4))
    fused = nn.utils.fuse_conv_bn_eval(conv, bn)
    seen += [fused(x).detach().numpy(), close(fused(x), bn(conv(x))), type(fused.weight).__name__,
             fused.weight.requires_grad, conv.weight is not fused.weight]
    convt, bnt = filled(nn.ConvTranspose2d(3, 4, 2)), filled(nn.BatchNorm2d(4))
    seen.append(close(nn.utils.fuse_conv_bn_eval(convt, bnt, transpose=True)(x), bnt(convt(x))))
    lin, bn1 = filled(nn.Linear(5, 3)), filled(nn.BatchNorm1d(3))
    z = t.tensor(rng.standard_normal((4, 5)), dtype=t.float32)
    fused_linear = nn.utils.fuse_linear_bn_eval(lin, bn1)
    seen += [fused_linear(z).detach().numpy(), close(fused_linear(z), bn1(lin(z)))]
    for bad in (lambda: nn.utils.fuse_conv_bn_eval(nn.Conv2d(3, 4, 3), bn),
                lambda: nn.utils.fuse_linear_bn_eval(lin, nn.BatchNorm1d(2).eval())):
        try:
            bad()
        except AssertionError as e:
            seen.append(str(e))
    skipped = nn.utils.skip_init(nn.Linear, 5, 1)
    seen += [type(skipped).__name__, tuple(skipped.weight.shape), skipped.weight.requires_grad]
    for bad in (lambda: nn.utils.skip_init(nn.ReLU), lambda: nn.utils.skip_init(int)):
        try:
            bad()
        except RuntimeError as e:
            seen.append(str(e).replace("torch", "lazygrad"))
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Sequential(nn.ConvTranspose2d(4, 2, 2)))
    before = net[0].weight.detach().clone()
    nn.utils.convert_conv2d_weight_memory_format(net, t.channels_last)
    seen += [net[0].weight.stride(), net[2][0].weight.stride(), type(net[0].weight).__name__,
             bool(t.equal(net[0].weight.detach(), before))]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lin.weight.grad = t.ones(3, 5) * 3
        seen += [round(float(nn.utils.clip_grad_norm(lin.parameters(), 1.0)), 4),
                 str(caught[0].message), caught[0].category.__name__]
    return seen


def test_nn_utils_match_torch():
    torch = torch_or_skip()
    ours, theirs = _program(lg), _program(torch)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        if isinstance(a, np.ndarray):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
        else:
            assert a == b


def test_to_empty_replaces_every_tensor_without_computing_the_old_values():
    layer = lg.nn.Linear(4, 3)
    weight = layer.weight
    before = lg.stats().kernels_run
    layer.to_empty(device="cpu")
    assert layer.weight is weight and tuple(layer.weight.shape) == (3, 4)  # the parameter object stays
    assert lg.stats().kernels_run == before
