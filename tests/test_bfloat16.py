"""bfloat16 against torch: values (bit for bit where torch rounds once per op or per fused kernel, float16 too;
within one bfloat16 step for the ops torch fuses in float32 that lazygrad composes), promotion, limits, printing,
conversions, autograd, modules, and the same values from the compiled kernels and the NumPy interpreter."""
from __future__ import annotations

import numpy as np
import pytest

import lazygrad as lg
from oracle import torch_or_skip

RNG = np.random.default_rng(3)
X = RNG.standard_normal((6, 8)).astype(np.float32) * 3
Y = RNG.standard_normal((8, 5)).astype(np.float32)
STEP = 2.0 ** -7  # bfloat16's relative spacing: 8 significant bits

# ops torch computes in float32 and rounds once: the same bits
EXACT = {
    "add": lambda m, x: x + 1.7, "mul": lambda m, x: x * x, "div": lambda m, x: x / 3, "neg": lambda m, x: -x,
    "exp": lambda m, x: x.exp(), "log": lambda m, x: x.abs().log(), "sin": lambda m, x: x.sin(),
    "tanh": lambda m, x: x.tanh(), "sqrt": lambda m, x: x.abs().sqrt(), "pow": lambda m, x: x.abs() ** 1.5,
    "floor": lambda m, x: x.floor(), "round": lambda m, x: x.round(), "clamp": lambda m, x: x.clamp(-1, 2),
    "maximum": lambda m, x: m.maximum(x, x.t().reshape(6, 8)), "where": lambda m, x: m.where(x > 0, x, x * 2),
    "sum": lambda m, x: x.sum(1), "amax": lambda m, x: x.amax(0), "cumsum": lambda m, x: x.cumsum(1),
    "sort": lambda m, x: x.sort(1)[0], "topk": lambda m, x: x.topk(3)[0], "softmax": lambda m, x: x.softmax(1),
    "log_softmax": lambda m, x: x.log_softmax(0), "layer_norm": lambda m, x: m.nn.functional.layer_norm(x, (8,)),
    "to float32": lambda m, x: x.float(), "to float16": lambda m, x: x.half(), "to int32": lambda m, x: x.int(),
    "from float32": lambda m, x: x.float().mul(1.01).bfloat16(), "index": lambda m, x: x[m.tensor([4, 0, 4])],
    "index_add": lambda m, x: m.zeros(6, 8, dtype=m.bfloat16).index_add(0, m.tensor([1, 1, 3]), x[:3]),
    "full": lambda m, x: m.full((3,), 0.1, dtype=m.bfloat16), "arange": lambda m, x: m.arange(0, 3, 0.3, dtype=m.bfloat16),
    "linspace": lambda m, x: m.linspace(-1, 1, 7, dtype=m.bfloat16), "relu": lambda m, x: x.relu(),
    "compare": lambda m, x: (x > 0.5).bfloat16(), "mixed with float16": lambda m, x: x + x.half(),
}
# ops torch fuses in float32 where lazygrad rounds an intermediate: within one bfloat16 step
CLOSE = {
    "matmul": lambda m, x: x @ m.tensor(Y).bfloat16(), "mean": lambda m, x: x.mean(0), "var": lambda m, x: x.var(1),
    "gelu": lambda m, x: m.nn.functional.gelu(x), "sigmoid": lambda m, x: x.sigmoid(),
    "linear": lambda m, x: m.nn.functional.linear(x, m.tensor(Y.T).bfloat16()),
    "cross_entropy": lambda m, x: m.nn.functional.cross_entropy(x, m.tensor([0, 3, 1, 7, 2, 2])),
}


def _values(t) -> np.ndarray:
    return np.asarray(t.float().tolist(), dtype=np.float64)


@pytest.mark.parametrize("name", list(EXACT))
def test_same_bits_as_torch(name):
    torch = torch_or_skip()
    ours, theirs = EXACT[name](lg, lg.tensor(X).bfloat16()), EXACT[name](torch, torch.tensor(X).bfloat16())
    assert str(ours.dtype).replace("lazygrad", "torch") == str(theirs.dtype)
    np.testing.assert_array_equal(_values(ours), _values(theirs))


@pytest.mark.parametrize("name", list(CLOSE))
def test_within_one_step_of_torch(name):
    torch = torch_or_skip()
    ours, theirs = CLOSE[name](lg, lg.tensor(X).bfloat16()), CLOSE[name](torch, torch.tensor(X).bfloat16())
    assert str(ours.dtype).replace("lazygrad", "torch") == str(theirs.dtype)
    want = _values(theirs)
    np.testing.assert_allclose(_values(ours), want, rtol=STEP, atol=STEP * np.abs(want).max())


# one rounding per torch kernel, on a dense grid where a second rounding (or a number rounded to the tensor's
# dtype first) shows: a number multiplies and divides at its float32 value, alpha is rounded to the dtype,
# addcmul/addcdiv and the activations torch computes as one kernel are computed in float32 and rounded once
ROUNDED_ONCE = {
    "times_number": lambda m, x: x * 0.01, "number_times": lambda m, x: 0.013 * x, "number_over": lambda m, x: 3.3 / x,
    "floor_over_number": lambda m, x: x // 0.37, "times_float32_scalar": lambda m, x: x * m.tensor(0.01),
    "times_float64_scalar": lambda m, x: x * m.tensor(0.01, dtype=m.float64),
    "add_alpha": lambda m, x: x.add(x.flip(0), alpha=0.0117), "sub_alpha": lambda m, x: x.sub(x, alpha=0.3),
    "addcmul": lambda m, x: x.addcmul(x, x.flip(0), value=0.013),
    "addcdiv": lambda m, x: x.addcdiv(x, x.flip(0), value=0.3),
    "hypot_float32_scalar": lambda m, x: m.hypot(x, m.tensor(0.3)), "xlogy_number": lambda m, x: m.xlogy(x, 0.37),
    # (torch rounds smooth L1 once in bfloat16 and per step in float16, Huber the other way round)
    "smooth_l1": lambda m, x: m.nn.functional.smooth_l1_loss(x, x.flip(0) * 0.7, reduction="none"),
    "huber": lambda m, x: m.nn.functional.huber_loss(x, x.flip(0) * 0.7, reduction="none"),
    **{name: (lambda m, x, name=name: getattr(m.nn.functional, name)(x))
       for name in ("logsigmoid", "softplus", "silu", "mish", "elu", "selu", "celu", "hardswish", "hardsigmoid",
                    "leaky_relu", "glu")},
}


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("name", list(ROUNDED_ONCE))
def test_half_precision_kernels_round_once_as_torch(name, dtype):
    torch = torch_or_skip()
    grid = np.linspace(-6, 6, 480, dtype=np.float32) + 0.003
    ours = ROUNDED_ONCE[name](lg, lg.tensor(grid).to(getattr(lg, dtype)))
    theirs = ROUNDED_ONCE[name](torch, torch.tensor(grid).to(getattr(torch, dtype)))
    assert str(ours.dtype).replace("lazygrad", "torch") == str(theirs.dtype)
    np.testing.assert_array_equal(_values(ours), _values(theirs))


# products: exact products summed in float32 and rounded once, addmm's beta * input added before that rounding;
# addr rounds each step in the dtype (beta and alpha too), as torch's kernel does
PRODUCTS = {
    "mm": lambda m, a, b, c: a @ b.T, "mv": lambda m, a, b, c: a @ b[0], "dot": lambda m, a, b, c: m.dot(a[0], b[1]),
    "linear": lambda m, a, b, c: m.nn.functional.linear(a, b, c),
    "addmm": lambda m, a, b, c: m.addmm(c, a, b.T, beta=0.5, alpha=2),
    "addmv": lambda m, a, b, c: m.addmv(a[:, 0], a, b[0]),
    "baddbmm": lambda m, a, b, c: m.baddbmm(c.expand(1, 6, 5), a[None], b.T[None], alpha=1.5),
    "addbmm": lambda m, a, b, c: m.addbmm(c.expand(6, 5), a[None], b.T[None], beta=0.25),
    # (several batches: the sum rounded after each batch's product, as torch's loop of addmm_ rounds it)
    "addbmm_of_3": lambda m, a, b, c: m.addbmm(c.expand(6, 5), a.expand(3, 6, 10) * 0.5, b.T.expand(3, 10, 5)),
    "addr": lambda m, a, b, c: m.addr(c.expand(6, 5), a[:, 1], b[:, 2], beta=0.7, alpha=1.3),
    "conv2d": lambda m, a, b, c: m.nn.functional.conv2d(a.reshape(1, 1, 6, 10), b[:2, :9].reshape(2, 1, 3, 3),
                                                        padding=1),
}


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("name", list(PRODUCTS))
def test_half_precision_products_round_as_torch(name, dtype):
    torch = torch_or_skip()
    rng = np.random.default_rng(7)
    arrays = [rng.standard_normal(shape).astype(np.float32) * 2 for shape in ((6, 10), (5, 10), (5,))]
    ours = PRODUCTS[name](lg, *(lg.tensor(v).to(getattr(lg, dtype)) for v in arrays))
    theirs = PRODUCTS[name](torch, *(torch.tensor(v).to(getattr(torch, dtype)) for v in arrays))
    assert str(ours.dtype).replace("lazygrad", "torch") == str(theirs.dtype)
    np.testing.assert_array_equal(_values(ours), _values(theirs))


# reductions of a half-precision tensor computed in float32 and rounded once (torch's softmax over another dim
# than the last rounds its exponentials in some parts of the tensor, by its vector chunks: not compared); the
# last-dim log-softmax rounds the sum of exponentials and its log to the dtype first, as torch's kernel keeps them
REDUCED = {
    "softmax_last_dim": lambda m, x: x.softmax(1), "norm": lambda m, x: x.norm(dim=1),
    "log_softmax_last_dim": lambda m, x: x.log_softmax(-1), "log_softmax_dim_0": lambda m, x: x.log_softmax(0),
    "cross_entropy": lambda m, x: m.nn.functional.cross_entropy(x, m.arange(16) % 5, reduction="none"),
    "vector_norm_3": lambda m, x: m.linalg.vector_norm(x, 3, dim=0), "dist": lambda m, x: m.dist(x[0], x[1]),
    "dist_past_float16": lambda m, x: m.dist(x * 40, x.flip(0) * 40), "dist_3": lambda m, x: m.dist(x, x.flip(0), 3),
    "renorm": lambda m, x: x.renorm(2, 0, 5), "renorm_1": lambda m, x: x.renorm(1, 1, 20),
    "cosine_similarity": lambda m, x: m.nn.functional.cosine_similarity(x[:8], x[8:]),
    "adaptive_avg_pool": lambda m, x: m.nn.functional.adaptive_avg_pool2d(x[None], (5, 7)),
}


# normalizations: computed in float32 and rounded once; a batch's statistics kept in the parameters' dtype (torch's
# bfloat16 batch norm with bfloat16 parameters takes another path: not compared)
NORMALIZED = {
    "group_norm": lambda m, x, t: m.nn.functional.group_norm(x, 3, m.full((6,), 1.3, dtype=t),
                                                             m.full((6,), 0.2, dtype=t)),
    "rms_norm": lambda m, x, t: m.nn.functional.rms_norm(x, (5,), m.full((5,), 1.3, dtype=t)),
    "batch_norm_eval": lambda m, x, t: m.nn.functional.batch_norm(x, m.full((6,), 0.3, dtype=t),
                                                                  m.full((6,), 2.0, dtype=t)),
}


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("name", list(NORMALIZED))
def test_half_precision_normalizations_round_as_torch(name, dtype):
    torch = torch_or_skip()
    x = (np.random.default_rng(0).standard_normal((8, 6, 5)) * 2 + 1).astype(np.float32)
    ours, theirs = (NORMALIZED[name](lib, lib.tensor(x).to(getattr(lib, dtype)), getattr(lib, dtype))
                    for lib in (lg, torch))
    np.testing.assert_array_equal(_values(ours), _values(theirs))


def test_half_precision_batch_norm_with_float32_parameters_keeps_float32_statistics():
    torch = torch_or_skip()
    x = (np.random.default_rng(0).standard_normal((8, 6, 5)) * 2 + 1).astype(np.float32)
    ours, theirs = (lib.nn.functional.batch_norm(lib.tensor(x).bfloat16(), lib.zeros(6), lib.ones(6), training=True)
                    for lib in (lg, torch))
    np.testing.assert_array_equal(_values(ours), _values(theirs))


def test_float16_batch_norm_training_and_its_running_statistics_as_torch():
    torch = torch_or_skip()
    x = (np.random.default_rng(0).standard_normal((8, 6, 5)) * 2 + 1).astype(np.float32)
    results = []
    for lib in (lg, torch):
        mean, var = lib.zeros(6, dtype=lib.float16), lib.ones(6, dtype=lib.float16)
        out = lib.nn.functional.batch_norm(lib.tensor(x).half(), mean, var, training=True)
        results.append([out, mean, var, lib.nn.functional.instance_norm(lib.tensor(x).half())])
    for ours, theirs in zip(*results):
        np.testing.assert_array_equal(_values(ours), _values(theirs))


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("name", list(REDUCED))
def test_half_precision_reductions_round_as_torch(name, dtype):
    torch = torch_or_skip()
    x = (np.random.default_rng(0).standard_normal((16, 40)) * 3).astype(np.float32)
    ours = REDUCED[name](lg, lg.tensor(x).to(getattr(lg, dtype)))
    theirs = REDUCED[name](torch, torch.tensor(x).to(getattr(torch, dtype)))
    assert str(ours.dtype).replace("lazygrad", "torch") == str(theirs.dtype)
    np.testing.assert_array_equal(_values(ours), _values(theirs))


# gradients: torch's fused backward kernels (tanh, sigmoid, softmax) evaluated in float32 and rounded once, the
# composed ones (pow, reciprocal, erf) in torch's order of rounding
GRADIENTS = {
    "tanh": lambda m, x: x.tanh(), "sigmoid": lambda m, x: x.sigmoid(), "softmax": lambda m, x: x.softmax(1),
    "cube": lambda m, x: x ** 3, "reciprocal": lambda m, x: (x.abs() + 0.1).reciprocal(), "erf": lambda m, x: x.erf(),
    "exp": lambda m, x: (x / 3).exp(), "sqrt": lambda m, x: x.abs().sqrt(), "times_number": lambda m, x: x * 0.37,
    "silu": lambda m, x: m.nn.functional.silu(x), "mish": lambda m, x: m.nn.functional.mish(x),
    "matmul": lambda m, x: x @ m.tensor(np.eye(24, dtype=np.float32) * 0.5 + 0.01).to(x.dtype),
    "mse": lambda m, x: m.nn.functional.mse_loss(x, x.detach().flip(0), reduction="none"),
}


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("name", list(GRADIENTS))
def test_half_precision_gradients_round_as_torch(name, dtype):
    torch = torch_or_skip()
    rng = np.random.default_rng(0)
    x, g = (rng.standard_normal((16, 24)) * 2).astype(np.float32), rng.standard_normal((16, 24)).astype(np.float32)
    grads = []
    for lib in (lg, torch):
        leaf = lib.tensor(x).to(getattr(lib, dtype)).requires_grad_()
        GRADIENTS[name](lib, leaf).backward(lib.tensor(g).to(getattr(lib, dtype)))
        grads.append(leaf.grad)
    assert str(grads[0].dtype).replace("lazygrad", "torch") == str(grads[1].dtype)
    np.testing.assert_array_equal(_values(grads[0]), _values(grads[1]))


def test_the_dtype_itself():
    torch = torch_or_skip()
    for m in (lg, torch):
        assert m.bfloat16.itemsize == 2 and m.bfloat16.is_floating_point
    assert str(lg.finfo(lg.bfloat16)).replace("lazygrad", "torch") == str(torch.finfo(torch.bfloat16))
    assert lg.finfo(lg.bfloat16).eps == torch.finfo(torch.bfloat16).eps
    pairs = [(lg.bfloat16, lg.float16), (lg.bfloat16, lg.float32), (lg.bfloat16, lg.int64), (lg.bfloat16, lg.float64)]
    for a, b in pairs:
        ta, tb = getattr(torch, a.name), getattr(torch, b.name)
        assert lg.promote_types(a, b).name == str(torch.promote_types(ta, tb)).removeprefix("torch.")
    x = lg.tensor([1.1, 2.2], dtype=lg.bfloat16)
    assert (x + 1.5).dtype is lg.bfloat16 and (x + lg.tensor([1.0, 2.0])).dtype is lg.float32
    assert repr(x).replace("lazygrad", "torch") == repr(torch.tensor([1.1, 2.2], dtype=torch.bfloat16))
    assert x.tolist() == [1.1015625, 2.203125] and isinstance(x[0].item(), float)
    assert lg.BFloat16Tensor.dtype is lg.bfloat16 and x.type() == "torch.BFloat16Tensor"
    with pytest.raises(TypeError, match="Got unsupported ScalarType BFloat16"):
        x.numpy()


def test_default_dtype_bfloat16():
    before = lg.get_default_dtype()
    lg.set_default_dtype(lg.bfloat16)
    try:
        assert lg.tensor([1.1]).dtype is lg.bfloat16 and lg.ones(2).dtype is lg.bfloat16
    finally:
        lg.set_default_dtype(before)


def test_gradients_in_bfloat16():
    torch = torch_or_skip()

    def grads(m):
        x = m.tensor(X).bfloat16().requires_grad_()
        w = m.tensor(Y).bfloat16().requires_grad_()
        ((x * 2).exp().sum(1) + (x.tanh() @ w).sum(1)).sum().backward()
        return x.grad, w.grad
    for ours, theirs in zip(grads(lg), grads(torch)):
        assert ours.dtype is lg.bfloat16
        want = _values(theirs)
        np.testing.assert_allclose(_values(ours), want, rtol=2 * STEP, atol=2 * STEP * np.abs(want).max())


def test_a_model_in_bfloat16():
    torch = torch_or_skip()

    def run(m):
        m.manual_seed(0)
        model = m.nn.Sequential(m.nn.Linear(8, 16), m.nn.GELU(), m.nn.Linear(16, 3))
        model.load_state_dict({k: m.tensor(v) for k, v in STATE.items()})
        model = model.bfloat16()
        return model(m.tensor(X).bfloat16())
    ours, theirs = run(lg), run(torch)
    assert ours.dtype is lg.bfloat16 and next(iter(STATE)) == "0.weight"
    want = _values(theirs)
    np.testing.assert_allclose(_values(ours), want, rtol=4 * STEP, atol=4 * STEP * np.abs(want).max())


STATE = {"0.weight": RNG.standard_normal((16, 8)).astype(np.float32) * 0.3,
         "0.bias": RNG.standard_normal(16).astype(np.float32), "2.weight": RNG.standard_normal((3, 16)).astype(np.float32),
         "2.bias": RNG.standard_normal(3).astype(np.float32)}


def test_interpreter_agrees_with_the_kernels():
    def compute():
        x = lg.tensor(X).bfloat16()
        return [_values(t) for t in (x.exp() + x, x.sum(0), x.round(), x.cumsum(1), x.sort(0)[0], x.softmax(1),
                                     lg.zeros(8, dtype=lg.bfloat16).index_add(0, lg.tensor([2, 2]), x[0, :2]))]
    compiled = compute()
    lg.set_backend("numpy")
    try:
        interpreted = compute()
    finally:
        lg.set_backend("c")
    for a, b in zip(compiled, interpreted):
        np.testing.assert_array_equal(a, b)


def test_rounding_to_nearest_even():
    """Halfway values round to the even neighbour; NaN and infinities survive."""
    torch = torch_or_skip()
    values = [1.0 + 2.0 ** -8, 1.0 + 3 * 2.0 ** -8, -(1.0 + 2.0 ** -8), 3.0e38, float("inf"), float("nan"), 1e-40]
    ours = lg.tensor(values).bfloat16() * 1.0
    theirs = torch.tensor(values).bfloat16() * 1.0
    np.testing.assert_array_equal(_values(ours), _values(theirs))
