"""torch.amp against torch: the dtype every listed op gives inside a CPU autocast region (and its values,
to bfloat16's precision), regions and their switches, GradScaler's steps and skips, and the deprecated
device spellings."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import lazygrad as lg
from distribution_oracle import raised
from oracle import torch_or_skip

RNG = np.random.default_rng(9)
A, B, V = (RNG.uniform(0.5, 1.5, s).astype(np.float32) for s in ((4, 4), (4, 4), (4,)))
IMAGE, KERNEL = RNG.standard_normal((1, 2, 5, 5)).astype(np.float32), RNG.standard_normal((3, 2, 3, 3)).astype(np.float32)

CASES = {
    "matmul": lambda m, F, a, b: a @ b, "mm": lambda m, F, a, b: m.mm(a, b), "bmm": lambda m, F, a, b: m.bmm(a[None], b[None]),
    "addmm": lambda m, F, a, b: m.addmm(a, a, b), "baddbmm": lambda m, F, a, b: m.baddbmm(a[None], a[None], b[None]),
    "einsum": lambda m, F, a, b: m.einsum("ij,jk->ik", a, b), "linear": lambda m, F, a, b: F.linear(a, b, b[0]),
    "conv2d": lambda m, F, a, b: F.conv2d(m.tensor(IMAGE), m.tensor(KERNEL)),
    "conv_transpose2d": lambda m, F, a, b: F.conv_transpose2d(m.tensor(IMAGE), m.tensor(KERNEL).transpose(0, 1)),
    "prelu": lambda m, F, a, b: F.prelu(a, b[0, :1]), "multi_dot": lambda m, F, a, b: m.linalg.multi_dot([a, b, a]),
    "attention": lambda m, F, a, b: F.scaled_dot_product_attention(a[None], b[None], a[None]),
    "mv stays": lambda m, F, a, b: m.mv(a, b[0]), "elementwise stays": lambda m, F, a, b: (a * b).exp(),
    "softmax stays": lambda m, F, a, b: a.softmax(-1), "sum stays": lambda m, F, a, b: a.sum(),
    "float32 losses": lambda m, F, a, b: [F.mse_loss(a.bfloat16(), b.bfloat16()),
                                          F.cross_entropy(a.bfloat16(), m.tensor([0, 1, 2, 3])),
                                          F.l1_loss(a.bfloat16(), b.bfloat16()),
                                          F.binary_cross_entropy_with_logits(a.bfloat16(), (b / 2).bfloat16())],
    "float32 linear algebra": lambda m, F, a, b: [m.linalg.inv(a.bfloat16()), m.cdist(a.bfloat16(), b.bfloat16()),
                                                  a.bfloat16().prod()],
    "promoted": lambda m, F, a, b: [m.cat([a, b.bfloat16()]), m.stack([a.bfloat16(), b])],
    "float64 stays": lambda m, F, a, b: a.double() @ b.double(),
    "in place and out= stay": lambda m, F, a, b: [a.clone().addmm_(a, b), m.mm(a, b, out=m.empty(4, 4))],
    "a model": lambda m, F, a, b: F.linear(F.relu(F.linear(a, b)), b).log_softmax(-1),
}


def _run(m, name, device_dtype=None):
    with m.autocast("cpu", dtype=device_dtype or m.bfloat16):
        out = CASES[name](m, m.nn.functional, m.tensor(A), m.tensor(B))
    return out if isinstance(out, list) else [out]


@pytest.mark.parametrize("name", list(CASES))
def test_dtypes_and_values_like_torch(name):
    torch = torch_or_skip()
    for ours, theirs in zip(_run(lg, name), _run(torch, name)):
        assert str(ours.dtype).replace("lazygrad", "torch") == str(theirs.dtype), name
        want = np.asarray(theirs.detach().float().tolist(), dtype=np.float64)
        np.testing.assert_allclose(np.asarray(ours.detach().float().tolist()), want, rtol=2 ** -6,
                                   atol=2 ** -6 * np.abs(want).max())


def test_float16_regions_and_gradients():
    """dtype=float16 on the CPU; gradients flow back through the casts to float32 parameters."""
    torch = torch_or_skip()

    def run(m):
        w = m.tensor(B, requires_grad=True)
        with m.autocast("cpu", dtype=m.float16):
            y = m.tensor(A) @ w
            loss = m.nn.functional.mse_loss(y, m.tensor(A))
        loss.backward()
        return y.dtype, loss.dtype, w.grad
    (y_ours, loss_ours, grad_ours), (y_theirs, loss_theirs, grad_theirs) = run(lg), run(torch)
    assert (y_ours, loss_ours) == (lg.float16, lg.float32) and (y_theirs, loss_theirs) == (torch.float16, torch.float32)
    np.testing.assert_allclose(grad_ours.numpy(), grad_theirs.numpy(), rtol=5e-3, atol=5e-3)


def test_regions_and_switches():
    torch = torch_or_skip()

    def session(m):
        seen = [m.is_autocast_enabled("cpu"), m.get_autocast_dtype("cpu"), m.get_autocast_dtype("cuda"),
                m.amp.is_autocast_available("cpu")]
        with m.autocast("cpu") as region:
            seen += [m.is_autocast_enabled("cpu"), region.device, region.fast_dtype]
            with m.autocast("cpu", enabled=False):
                seen += [m.is_autocast_enabled("cpu"), (m.tensor(A) @ m.tensor(B)).dtype]
            seen.append((m.tensor(A) @ m.tensor(B)).dtype)

        @m.autocast("cpu")
        def decorated(a, b):
            return (a @ b).dtype
        seen += [decorated(m.tensor(A), m.tensor(B)), m.is_autocast_enabled("cpu"), m.is_autocast_enabled()]
        return [str(s).replace("torch.", "").replace("lazygrad.", "") for s in seen]
    assert session(lg) == session(torch)


ERRORS = {
    "device type not a string": lambda m: m.autocast(device_type=3),
    "unknown device type": lambda m: m.autocast("xpu2").__enter__(),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_like_torch(name):
    torch = torch_or_skip()
    assert raised(lambda: ERRORS[name](lg)) == raised(lambda: ERRORS[name](torch))


def test_warnings_like_torch():
    torch = torch_or_skip()

    def caught(m, fn):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            fn(m)
        return [(w.category.__name__, str(w.message).replace("torch.", "").replace("lazygrad.", "")) for w in seen]
    calls = [lambda m: m.autocast("cpu", dtype=m.float64), lambda m: m.cpu.amp.autocast(),
             lambda m: m.amp.GradScaler("cpu", enabled=False) and None]
    for call in calls:
        assert caught(lg, call) == caught(torch, call)


def _training(m, poison_step: int | None, steps: int = 4):
    """A few scaled steps of SGD on a linear model; the step numbered poison_step gets an inf gradient."""
    m.manual_seed(0)
    model = m.nn.Linear(4, 2)
    model.load_state_dict({"weight": m.tensor(B[:2]), "bias": m.tensor(V[:2])})
    optimizer = m.optim.SGD(model.parameters(), lr=0.1)
    scaler = m.amp.GradScaler("cpu", init_scale=256.0, growth_interval=2)
    scales, returned = [], []
    for step in range(steps):
        optimizer.zero_grad()
        with m.autocast("cpu"):
            loss = m.nn.functional.mse_loss(model(m.tensor(A)), m.zeros(4, 2))
        scaler.scale(loss).backward()
        if step == poison_step:
            model.weight.grad[0, 0] = float("inf")
        scaler.unscale_(optimizer)
        returned.append(scaler.step(optimizer))
        scaler.update()
        scales.append(scaler.get_scale())
    return scales, returned, model.weight.detach().float(), scaler.state_dict()


def test_grad_scaler_steps_skips_and_scales_like_torch():
    torch = torch_or_skip()
    for poison in (None, 1):
        ours, theirs = _training(lg, poison), _training(torch, poison)
        assert ours[0] == theirs[0] and ours[1] == theirs[1] and ours[3] == theirs[3]
        np.testing.assert_allclose(ours[2].numpy(), theirs[2].numpy(), rtol=1e-2, atol=1e-2)


def test_grad_scaler_errors_like_torch():
    torch = torch_or_skip()

    def twice(m):
        model = m.nn.Linear(2, 1)
        optimizer = m.optim.SGD(model.parameters(), lr=0.1)
        scaler = m.amp.GradScaler("cpu")
        scaler.scale(model(m.ones(1, 2)).sum()).backward()
        scaler.unscale_(optimizer)
        scaler.unscale_(optimizer)

    def closure(m):
        model = m.nn.Linear(2, 1)
        m.amp.GradScaler("cpu").step(m.optim.SGD(model.parameters(), lr=0.1), closure=lambda: None)
    for fn in (twice, closure):
        assert raised(lambda: fn(lg)) == raised(lambda: fn(torch))


def test_custom_functions_under_autocast():
    """custom_fwd(cast_inputs=float32) runs the forward in float32 inside a region; custom_bwd runs the
    backward with the forward's autocast state."""
    seen = []

    class Square(lg.autograd.Function):
        @staticmethod
        @lg.amp.custom_fwd(device_type="cpu", cast_inputs=lg.float32)
        def forward(ctx, x):
            ctx.save_for_backward(x)
            seen.append((x.dtype, lg.is_autocast_enabled("cpu")))
            return x * x

        @staticmethod
        @lg.amp.custom_bwd(device_type="cpu")
        def backward(ctx, g):
            seen.append(lg.is_autocast_enabled("cpu"))
            (x,) = ctx.saved_tensors
            return 2 * x * g
    x = lg.tensor([1.0, 2.0], dtype=lg.bfloat16, requires_grad=True)
    with lg.autocast("cpu"):
        y = Square.apply(x)
    y.sum().backward()
    assert seen == [(lg.float32, False), True] and y.dtype is lg.float32 and x.grad.tolist() == [2.0, 4.0]
