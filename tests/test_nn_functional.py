"""lazygrad.nn.functional's activations, normalizations, linear/embedding/dropout layers and one_hot against
torch.nn.functional: values in float32 and float64, gradients (at the kinks too, where torch picks a side),
second derivatives of the smooth ones, in-place forms, running statistics, random ones by their statistics
and seeds, and torch's errors and warnings.

Each case is one lambda `f(F, *tensors)` written once for both libraries: F is lazygrad.nn.functional or
torch.nn.functional."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import lazygrad as lg
import lazygrad.nn.functional as LF
from oracle import assert_like_torch, raises_like_torch, same_error, torch_or_skip

RNG = np.random.default_rng(11)
# values that sit on the kinks of the piecewise activations, and a spread around them
KINKS = np.array([-30.0, -6.0, -3.0, -1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 3.0, 6.0, 30.0])


def tF():
    return torch_or_skip().nn.functional


def run_both(fn, *arrays, grad: bool = True, **tolerance) -> None:
    """fn(F, *tensors) gives torch's values, and (grad) torch's gradients against a random output gradient."""
    torch = torch_or_skip()
    ins_lg = [lg.tensor(a, requires_grad=grad) for a in arrays]
    ins_t = [torch.tensor(a, requires_grad=grad) for a in arrays]
    out_lg, out_t = fn(LF, *ins_lg), fn(tF(), *ins_t)
    assert_like_torch(out_lg.detach(), out_t.detach(), **tolerance)
    if not grad:
        return
    back = RNG.standard_normal(tuple(out_t.shape)).astype(arrays[0].dtype)
    grads_t = torch.autograd.grad(out_t, ins_t, torch.tensor(back), allow_unused=True, materialize_grads=True)
    grads_lg = lg.autograd.grad(out_lg, ins_lg, lg.tensor(back), allow_unused=True)
    for g, w in zip(grads_lg, grads_t):
        assert_like_torch(lg.zeros(w.shape, dtype=lg.float64) if g is None else g, w, **tolerance)


# ---- activations ------------------------------------------------------------------------------------

ACTIVATIONS = {
    "relu": lambda F, x: F.relu(x),
    "relu6": lambda F, x: F.relu6(x),
    "hardtanh": lambda F, x: F.hardtanh(x),
    "hardtanh_bounds": lambda F, x: F.hardtanh(x, -3.0, 0.5),
    "elu": lambda F, x: F.elu(x),
    "elu_alpha": lambda F, x: F.elu(x, 0.5),
    "selu": lambda F, x: F.selu(x),
    "celu": lambda F, x: F.celu(x, 2.0),
    "leaky_relu": lambda F, x: F.leaky_relu(x),
    "leaky_relu_slope": lambda F, x: F.leaky_relu(x, 0.2),
    "rrelu_eval": lambda F, x: F.rrelu(x, 0.1, 0.3),
    "gelu": lambda F, x: F.gelu(x),
    "gelu_tanh": lambda F, x: F.gelu(x, approximate="tanh"),
    "logsigmoid": lambda F, x: F.logsigmoid(x),
    "hardshrink": lambda F, x: F.hardshrink(x),
    "hardshrink_1": lambda F, x: F.hardshrink(x, 1.0),
    "softshrink": lambda F, x: F.softshrink(x, 1.0),
    "tanhshrink": lambda F, x: F.tanhshrink(x),
    "softsign": lambda F, x: F.softsign(x),
    "softplus": lambda F, x: F.softplus(x),
    "softplus_beta": lambda F, x: F.softplus(x, beta=2.0, threshold=1.0),
    "tanh": lambda F, x: F.tanh(x),
    "sigmoid": lambda F, x: F.sigmoid(x),
    "hardsigmoid": lambda F, x: F.hardsigmoid(x),
    "silu": lambda F, x: F.silu(x),
    "mish": lambda F, x: F.mish(x),
    "hardswish": lambda F, x: F.hardswish(x),
    "threshold": lambda F, x: F.threshold(x, 0.5, -2.0),
    "glu": lambda F, x: F.glu(x.reshape(13, 2)[:12].reshape(4, 6), 1),
    "softmax": lambda F, x: F.softmax(x.reshape(13, 2), 1),
    "log_softmax": lambda F, x: F.log_softmax(x.reshape(13, 2) / 10, 0),
    "softmin": lambda F, x: F.softmin(x.reshape(13, 2), dim=0),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_values_and_gradients_at_the_kinks(name):
    x = np.concatenate([KINKS, RNG.uniform(-4, 4, 13)])
    run_both(ACTIVATIONS[name], x)
    run_both(ACTIVATIONS[name], x.astype(np.float32), grad=False)


@pytest.mark.parametrize("name", ["gelu", "softplus", "elu"])
def test_second_derivatives(name):
    torch = torch_or_skip()
    x = np.array([-2.5, -0.7, -0.1, 0.3, 1.2, 4.0])
    fn = ACTIVATIONS[name]
    seconds = []
    for F, mod in ((LF, lg), (tF(), torch)):
        t = mod.tensor(x, requires_grad=True)
        (first,) = mod.autograd.grad(fn(F, t).sum(), t, create_graph=True)
        (second,) = mod.autograd.grad((first * first).sum(), t)
        seconds.append(second)
    assert_like_torch(*seconds)


@pytest.mark.parametrize("name,alpha", [("elu", 1.0), ("celu", 2.0), ("selu", None)])
def test_exponential_linear_units_are_accurate_just_below_zero(name, alpha):
    """alpha * expm1(x / alpha) (not exp(x) - 1, which loses every digit as x goes to 0): within 2 ulps of the
    float64 values."""
    x = -np.geomspace(1e-9, 1e-1, 5000).astype(np.float32)
    got = getattr(LF, name)(lg.tensor(x), *(() if alpha is None else (alpha,))).numpy()
    wide = x.astype(np.float64)
    alpha, scale = (alpha, 1.0) if alpha is not None else (1.6732632423543772, 1.0507009873554805)
    want = (np.expm1(wide / (alpha if name == "celu" else 1.0)) * alpha * scale).astype(np.float32)
    assert np.abs(got.view(np.int32).astype(np.int64) - want.view(np.int32).astype(np.int64)).max() <= 2


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("name", ["hardswish", "hardsigmoid"])
def test_hard_activations_and_their_gradients_are_torchs_bits(name, dtype):
    """torch's kernels: x * min(max(x + 3, 0), 6) / 6 (-0.0 below -3, NaN at -inf) and its piecewise gradient
    g * (x / 3 + 1/2) with the outer slopes at -3 and 3; hardsigmoid's g * (1/6 in float32) between them and +0.0
    outside. Signs of zeros compared too (the gradient at a NaN input left out: torch's float64 kernel gives NaN,
    its float32 one the gradient itself)."""
    torch = torch_or_skip()
    rng = np.random.default_rng(9)
    x = np.concatenate([rng.standard_normal(5000) * 3, [-5, -3, 3, 5, -np.inf, np.inf, np.nan, 0, -0.0]])
    g = rng.standard_normal(x.size)
    results = []
    for mod, F in ((lg, LF), (torch, tF())):
        t = mod.tensor(x).to(getattr(mod, dtype)).requires_grad_()
        y = getattr(F, name)(t)
        y.backward(mod.tensor(g).to(t.dtype))
        results.append([np.asarray(v.detach().double().numpy()) for v in (y, t.grad)])
    for (got, want), kept in zip(zip(*results), (slice(None), ~np.isnan(x))):
        np.testing.assert_array_equal(got[kept], want[kept])
        assert (np.signbit(got) == np.signbit(want))[kept][~np.isnan(want[kept])].all()


def test_hardsigmoid_keeps_its_digits_just_above_minus_three():
    """(x + 3) / 6, as torch's kernel (x / 6 + 1/2 cancels there): torch's bits, and within an ulp of float64."""
    torch = torch_or_skip()
    x = np.linspace(-3.01, -2.9, 20001, dtype=np.float32)
    got = LF.hardsigmoid(lg.tensor(x)).numpy()
    np.testing.assert_array_equal(got, tF().hardsigmoid(torch.tensor(x)).numpy())
    want = np.clip((x.astype(np.float64) + 3) / 6, 0, 1)
    assert np.all(np.abs(got - want) <= np.spacing(np.float32(want)))


@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_float16_embedding_bags_sum_in_float32_as_torch(mode):
    """A float16 bag is summed in float32 and rounded once (its mean: that sum over the count, rounded), as
    torch's kernel does: the same bits (adding in float16 was one step off in a tenth of the elements)."""
    torch = torch_or_skip()
    table = (np.random.default_rng(4).standard_normal((64, 64)) * 3).astype(np.float32)
    bags = [[1, 2, 3], [4, 5, 6], list(range(7, 18))]
    got = LF.embedding_bag(lg.tensor(bags[:2]), lg.tensor(table).half(), mode=mode)
    want = tF().embedding_bag(torch.tensor(bags[:2]), torch.tensor(table).half(), mode=mode)
    np.testing.assert_array_equal(got.float().numpy(), want.float().numpy())
    flat, offsets = sum(bags, []), [0, 3, 6]
    got = LF.embedding_bag(lg.tensor(flat), lg.tensor(table).half(), lg.tensor(offsets), mode=mode)
    want = tF().embedding_bag(torch.tensor(flat), torch.tensor(table).half(), torch.tensor(offsets), mode=mode)
    np.testing.assert_array_equal(got.float().numpy(), want.float().numpy())


def test_prelu_per_channel_and_shared_slope():
    x = np.concatenate([KINKS[:12], RNG.uniform(-2, 2, 12)]).reshape(2, 3, 4)
    run_both(lambda F, x, w: F.prelu(x, w), x, np.array([0.1, -0.3, 0.7]))
    run_both(lambda F, x, w: F.prelu(x, w), x, np.array([0.25]))


@pytest.mark.parametrize("case", [
    lambda F: F.celu(_t(F), 0.0), lambda F: F.gelu(_t(F), approximate="erf"), lambda F: F.glu(_t(F)),
    lambda F: F.glu(_t(F)[0, 0]), lambda F: F.softshrink(_t(F), -1.0), lambda F: F.softshrink(_t(F).double(), -1.0),
    lambda F: F.prelu(_t(F), _t(F)[0, :2]), lambda F: F.prelu(_t(F), _t(F)), lambda F: F.prelu(_t(F), _t(F)[:1, :1]),
    lambda F: F.rrelu(_t(F), 0.5, 0.1), lambda F: F.rrelu(_t(F), 0.5, 0.1, training=True),
    lambda F: F.relu(_t(F) > 0),
])
def test_activation_errors(case):
    raises_like_torch(lambda m: case(m.nn.functional), RuntimeError)


def test_hardtanh_bounds_error():
    raises_like_torch(lambda m: m.nn.functional.hardtanh(_t(m.nn.functional), 2.0, 1.0), ValueError)


@pytest.mark.parametrize("name", ["elu", "selu", "leaky_relu", "gelu", "softplus", "silu", "mish", "hardswish",
                                  "hardsigmoid", "hardshrink", "softshrink", "logsigmoid"])
def test_integer_inputs_are_refused_where_torch_refuses(name):
    raises_like_torch(lambda m: ACTIVATIONS[name](m.nn.functional, m.tensor([1, -2])), NotImplementedError)


@pytest.mark.parametrize("name", ["relu", "relu6", "hardtanh", "threshold", "softsign", "sigmoid"])
def test_integer_inputs_keep_torch_dtypes(name):
    torch = torch_or_skip()
    x = np.array([-7, -1, 0, 1, 7])
    assert_like_torch(ACTIVATIONS[name](LF, lg.tensor(x)), ACTIVATIONS[name](tF(), torch.tensor(x)))


def _t(F):
    """A (2, 3) float32 tensor of the library F belongs to."""
    mod = lg if F is LF else torch_or_skip()
    return mod.tensor([[-1.0, 0.0, 2.0], [3.0, -4.0, 0.5]])


INPLACE = {
    "relu": lambda F, x: F.relu(x, inplace=True), "relu_": lambda F, x: F.relu_(x),
    "relu6": lambda F, x: F.relu6(x, inplace=True), "hardtanh_": lambda F, x: F.hardtanh_(x, -0.5, 0.5),
    "elu_": lambda F, x: F.elu_(x, 0.7), "selu_": lambda F, x: F.selu_(x), "celu_": lambda F, x: F.celu_(x, 2.0),
    "leaky_relu_": lambda F, x: F.leaky_relu_(x, 0.3), "rrelu_": lambda F, x: F.rrelu_(x),
    "threshold_": lambda F, x: F.threshold_(x, 0.25, 9.0), "silu": lambda F, x: F.silu(x, inplace=True),
    "hardswish": lambda F, x: F.hardswish(x, inplace=True), "mish": lambda F, x: F.mish(x, inplace=True),
    "hardsigmoid": lambda F, x: F.hardsigmoid(x, inplace=True),
}


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_forms_write_into_their_input_lazily(name):
    torch = torch_or_skip()
    x = np.concatenate([KINKS, RNG.uniform(-4, 4, 5)])
    back = RNG.standard_normal(x.shape)
    results = []
    for F, mod in ((LF, lg), (tF(), torch)):
        leaf = mod.tensor(x, requires_grad=True)
        y = leaf * 1.0
        out = INPLACE[name](F, y)
        assert out is y
        assert mod is torch or not y._storage.is_realized
        (g,) = mod.autograd.grad(y, leaf, mod.tensor(back))
        results.append((y.detach(), g))
    for got, want in zip(results[0], results[1]):
        assert_like_torch(got, want)


def test_inplace_on_a_leaf_that_requires_grad_is_refused():
    raises_like_torch(lambda m: m.nn.functional.elu_(m.ones(3, requires_grad=True)), RuntimeError)


def test_implicit_softmax_dim_warns_and_picks_torchs_dim():
    torch = torch_or_skip()
    for name in ("softmax", "log_softmax", "softmin"):
        for shape in ((4,), (2, 3), (2, 3, 2)):
            x = RNG.standard_normal(shape)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                got = getattr(LF, name)(lg.tensor(x))
                want = getattr(tF(), name)(torch.tensor(x))
            assert [str(w.message) for w in caught[:1]] == [str(w.message) for w in caught[1:]]
            assert_like_torch(got, want)


def test_softmax_dtype_argument():
    torch = torch_or_skip()
    x = RNG.standard_normal((3, 4)).astype(np.float32)
    for name in ("softmax", "log_softmax", "softmin"):
        assert_like_torch(getattr(LF, name)(lg.tensor(x), 1, dtype=lg.float64),
                          getattr(tF(), name)(torch.tensor(x), 1, dtype=torch.float64))


def test_rrelu_training_draws_a_slope_per_element():
    lower, upper = 0.1, 0.4
    x = lg.tensor(np.where(np.arange(4000) % 2, -1.0, 2.0), requires_grad=True)
    lg.manual_seed(5)
    y = LF.rrelu(x, lower, upper, training=True)
    lg.manual_seed(5)
    again = LF.rrelu(x, lower, upper, training=True).detach().numpy()
    values = y.detach().numpy()
    np.testing.assert_array_equal(values, again)
    np.testing.assert_array_equal(values[::2], 2.0)
    slopes = -values[1::2]
    assert lower <= slopes.min() and slopes.max() <= upper and len(np.unique(slopes)) > 1000
    assert abs(slopes.mean() - (lower + upper) / 2) < 0.01
    (g,) = lg.autograd.grad(y.sum(), x)
    np.testing.assert_allclose(g.numpy()[1::2], slopes)


def test_gumbel_softmax_soft_and_hard():
    # (class 2 favoured in every row, so "picked most often" does not hang on which tests drew from RNG first)
    logits = lg.tensor(np.random.default_rng(12).standard_normal((500, 4)) + [0, 0, 1.5, 0], requires_grad=True)
    lg.manual_seed(2)
    soft = LF.gumbel_softmax(logits, tau=0.5)
    lg.manual_seed(2)
    hard = LF.gumbel_softmax(logits, tau=0.5, hard=True)
    s, h = soft.detach().numpy(), hard.detach().numpy()
    np.testing.assert_allclose(s.sum(1), 1.0)
    np.testing.assert_array_equal(h.sum(1), 1.0)
    np.testing.assert_array_equal(h.argmax(1), s.argmax(1))
    assert set(np.unique(h)) == {0.0, 1.0}
    (g_hard,) = lg.autograd.grad((hard * lg.arange(4.0)).sum(), logits)
    (g_soft,) = lg.autograd.grad((soft * lg.arange(4.0)).sum(), logits)
    np.testing.assert_allclose(g_hard.numpy(), g_soft.numpy())
    # the most likely class is picked most often
    picked = np.bincount(h.argmax(1), minlength=4)
    assert picked.argmax() == np.bincount(logits.detach().numpy().argmax(1), minlength=4).argmax()


# ---- normalization ----------------------------------------------------------------------------------

def test_batch_norm_running_statistics_over_training_steps_then_eval():
    torch = torch_or_skip()
    shapes = [(4, 3), (4, 3, 5), (2, 3, 2, 2)]
    w, b = RNG.uniform(0.5, 1.5, 3), RNG.standard_normal(3)
    for shape in shapes:
        stats_lg = [lg.zeros(3, dtype=lg.float64), lg.ones(3, dtype=lg.float64)]
        stats_t = [torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)]
        for step in range(3):
            x = RNG.standard_normal(shape) * (step + 1) + step
            run_both(lambda F, x, w, b: F.batch_norm(x, *(stats_lg if F is LF else stats_t), w, b, training=True,
                                                     momentum=0.2), x, w, b)
        # run_both ran each function once: the running statistics took exactly 3 updates
        for got, want in zip(stats_lg, stats_t):
            assert_like_torch(got, want)
        x = RNG.standard_normal(shape)
        run_both(lambda F, x, w, b: F.batch_norm(x, *(stats_lg if F is LF else stats_t), w, b, eps=1e-3), x, w, b)


def test_batch_norm_without_running_statistics_and_float32():
    x = RNG.standard_normal((5, 2, 3)).astype(np.float32)
    run_both(lambda F, x: F.batch_norm(x, None, None, training=True), x, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case,exc", [
    (lambda F, m: F.batch_norm(m.ones(2, 3), None, None), RuntimeError),
    (lambda F, m: F.batch_norm(m.ones(1, 3), None, None, training=True), ValueError),
    (lambda F, m: F.batch_norm(m.ones(2, 3), m.zeros(2), m.ones(3), training=True), RuntimeError),
    (lambda F, m: F.batch_norm(m.ones(2, 3), m.zeros(3), m.ones(3), m.ones(2)), RuntimeError),
    (lambda F, m: F.instance_norm(m.ones(2, 3, 1)), ValueError),
    (lambda F, m: F.group_norm(m.ones(2, 3, 4), 2), RuntimeError),
    (lambda F, m: F.group_norm(m.ones(2, 3, 4), 3, m.ones(2)), RuntimeError),
    (lambda F, m: F.group_norm(m.ones(1, 3, 1, 1), 3), ValueError),  # (one value a group: torch's batch check)
    (lambda F, m: F.group_norm(m.ones(1, 2), 2), ValueError), (lambda F, m: F.group_norm(m.ones(3), 1), RuntimeError),
    (lambda F, m: F.group_norm(m.ones(2, 4), 0), ZeroDivisionError),
    (lambda F, m: F.local_response_norm(m.ones(2, 3), 2), ValueError),
])
def test_normalization_errors(case, exc):
    same_error(lambda: case(LF, lg), lambda: case(tF(), torch_or_skip()), exc)


DTYPE_ERRORS = {
    "layer_norm_bool": lambda F, m: F.layer_norm(m.ones(2, 3, dtype=m.bool), (3,)),
    "rms_norm_int": lambda F, m: F.rms_norm(m.ones(2, 3, dtype=m.int64), (3,)),
    "group_norm_int": lambda F, m: F.group_norm(m.ones(2, 4, dtype=m.int64), 2),
    "batch_norm_int": lambda F, m: F.batch_norm(m.ones(2, 3, dtype=m.int64), m.zeros(3), m.ones(3)),
    "instance_norm_int": lambda F, m: F.instance_norm(m.ones(2, 4, 3, dtype=m.int64)),
    "prelu_int": lambda F, m: F.prelu(m.ones(2, 3, dtype=m.int64), m.ones(1, dtype=m.int64)),
    "prelu_promoting": lambda F, m: F.prelu(m.ones(2, 3), m.ones(1, dtype=m.float64)),
    "mse_int": lambda F, m: F.mse_loss(m.ones(2, dtype=m.int64), m.ones(2, dtype=m.int64)),
    "cross_entropy_int_logits": lambda F, m: F.cross_entropy(m.ones(2, 3, dtype=m.int64), m.tensor([0, 2])),
    "cross_entropy_int_logits_3d": lambda F, m: F.cross_entropy(m.ones(2, 3, 4, dtype=m.int64), m.zeros(2, 4, dtype=m.int64)),
    "bce_logits_int_target": lambda F, m: F.binary_cross_entropy_with_logits(m.ones(2, dtype=m.float64), m.ones(2, dtype=m.int32)),
    "bce_logits_bool_target": lambda F, m: F.binary_cross_entropy_with_logits(m.ones(2), m.ones(2, dtype=m.bool)),
    "cosine_similarity_ints": lambda F, m: F.cosine_similarity(m.ones(2, 3, dtype=m.int64), m.ones(2, 3, dtype=m.int64)),
    "conv2d_small_double_weight": lambda F, m: F.conv2d(m.ones(1, 1, 3, 3), m.ones(1, 1, 2, 2, dtype=m.float64)),
    "conv2d_batch_double_weight": lambda F, m: F.conv2d(m.ones(2, 3, 16, 16), m.ones(4, 3, 3, 3, dtype=m.float64)),
    "conv2d_double_bias": lambda F, m: F.conv2d(m.ones(2, 3, 16, 16), m.ones(4, 3, 3, 3), m.ones(4, dtype=m.float64)),
    "conv2d_double_input": lambda F, m: F.conv2d(m.ones(2, 1, 3, 3, dtype=m.float64), m.ones(1, 1, 2, 2), m.ones(1)),
    "conv_transpose2d_batch_double_bias": lambda F, m: F.conv_transpose2d(m.ones(2, 1, 3, 3), m.ones(1, 1, 2, 2),
                                                                          m.ones(1, dtype=m.float64)),
    # losses whose kernels take real floating point only, and the normalizations refusing complex numbers
    **{f"{name}_{kind}": (lambda F, m, call=call, kind=kind: call(F, m, m.ones(2, 3, dtype=getattr(m, kind))))
       for kind in ("int64", "complex64") for name, call in (
           ("smooth_l1", lambda F, m, x: F.smooth_l1_loss(x, x)), ("huber", lambda F, m, x: F.huber_loss(x, x)),
           ("nll", lambda F, m, x: F.nll_loss(x, m.tensor([0, 1]))),
           ("bce", lambda F, m, x: F.binary_cross_entropy(x, x)),
           ("kl_div", lambda F, m, x: F.kl_div(x, x, reduction="sum")),
           ("kl_div_target", lambda F, m, x: F.kl_div(m.ones(2, 3), x, reduction="sum")),
           ("multilabel_soft_margin", lambda F, m, x: F.multilabel_soft_margin_loss(x, x)),
           ("cross_entropy", lambda F, m, x: F.cross_entropy(x, m.tensor([0, 1]))),
           ("mse", lambda F, m, x: F.mse_loss(x, x)), ("layer_norm", lambda F, m, x: F.layer_norm(x, (3,))),
           ("group_norm", lambda F, m, x: F.group_norm(x.reshape(2, 3, 1), 1)),
           ("batch_norm", lambda F, m, x: F.batch_norm(x, None, None, training=True)))},
}


@pytest.mark.parametrize("name", DTYPE_ERRORS)
def test_dtype_errors_like_torch(name):
    same_error(lambda: DTYPE_ERRORS[name](LF, lg), lambda: DTYPE_ERRORS[name](tF(), torch_or_skip()))


def test_mixed_dtypes_torch_computes():
    """An integer and a float tensor have a floating common dtype; a transposed convolution casts its bias."""
    torch = torch_or_skip()
    for case in (lambda F, m: F.cosine_similarity(m.arange(6).reshape(2, 3), m.ones(2, 3)),
                 lambda F, m: F.mse_loss(m.arange(3), m.ones(3)),
                 lambda F, m: F.conv_transpose2d(m.ones(1, 1, 3, 3), m.ones(1, 1, 2, 2), m.ones(1, dtype=m.float64))):
        assert_like_torch(case(LF, lg), case(tF(), torch), rtol=1e-6, atol=1e-6)


def test_cosine_similarity_clamps_norms_as_torch_in_value_and_gradient():
    """Each norm is clamped to eps in value only (the gradient is the norm's), and an infinite norm stays
    infinite: vectors of 1e30 floats, whose squares overflow, give torch's 0 (was NaN)."""
    torch = torch_or_skip()
    for x, y in ((np.full((1, 4), 1e30, np.float32), np.full((1, 4), 1e30, np.float32)),
                 (np.array([[1e-10, 0, 0], [3, 4, 0], [0, 0, 0]], np.float32), np.ones((3, 3), np.float32))):
        grads = []
        for F, m in ((LF, lg), (tF(), torch)):
            a = m.tensor(x, requires_grad=True)
            c = F.cosine_similarity(a, m.tensor(y))
            c.sum().backward()
            grads.append((c.detach(), a.grad))
        assert_like_torch(grads[0][0], grads[1][0], rtol=1e-6, atol=0)
        assert_like_torch(grads[0][1], grads[1][1], rtol=1e-5, atol=1e-6)


def test_instance_norm_with_and_without_running_statistics():
    torch = torch_or_skip()
    w, b = RNG.uniform(0.5, 1.5, 3), RNG.standard_normal(3)
    run_both(lambda F, x, w, b: F.instance_norm(x, weight=w, bias=b), RNG.standard_normal((2, 3, 5)), w, b)
    stats_lg, stats_t = [lg.zeros(3, dtype=lg.float64), lg.ones(3, dtype=lg.float64)], \
        [torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)]
    for _ in range(2):
        run_both(lambda F, x: F.instance_norm(x, *(stats_lg if F is LF else stats_t), momentum=0.3),
                 RNG.standard_normal((2, 3, 2, 3)) + 1)
    for got, want in zip(stats_lg, stats_t):
        assert_like_torch(got, want)
    run_both(lambda F, x: F.instance_norm(x, *(stats_lg if F is LF else stats_t), use_input_stats=False),
             RNG.standard_normal((2, 3, 4)))


def test_group_norm_layer_norm_rms_norm():
    x = RNG.standard_normal((2, 6, 3))
    w, b = RNG.uniform(0.5, 1.5, 6), RNG.standard_normal(6)
    run_both(lambda F, x, w, b: F.group_norm(x, 3, w, b, eps=1e-3), x, w, b)
    run_both(lambda F, x: F.group_norm(x, 2), x)
    run_both(lambda F, x: F.group_norm(x, 2), RNG.standard_normal((0, 4, 3)))  # (an empty batch)
    run_both(lambda F, x, w, b: F.layer_norm(x, (3,), w[:3], b[:3]), x, w, b)
    run_both(lambda F, x, w: F.rms_norm(x, [6, 3], w.reshape(6, 1).expand(6, 3)), x, w)


@pytest.mark.parametrize("shape,size", [((2, 5, 3), 3), ((1, 6, 2, 3), 4), ((2, 4, 1, 2, 2), 2)])
def test_local_response_norm(shape, size):
    run_both(lambda F, x: F.local_response_norm(x, size, alpha=0.5, beta=0.6, k=1.5), RNG.standard_normal(shape))


@pytest.mark.parametrize("p,dim", [(2.0, 1), (1.0, -1), (3.0, 0)])
def test_normalize(p, dim):
    x = RNG.standard_normal((3, 4))
    x[1] = 0.0
    run_both(lambda F, x: F.normalize(x, p=p, dim=dim), x)


# ---- linear, embedding, one_hot -----------------------------------------------------------------------

def test_linear_and_bilinear():
    x, w, b = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((5, 4)), RNG.standard_normal(5)
    run_both(lambda F, x, w, b: F.linear(x, w, b), x, w, b)
    run_both(lambda F, x, w: F.linear(x, w), x[0], w)
    x2, wb = RNG.standard_normal((2, 3, 6)), RNG.standard_normal((5, 4, 6))
    run_both(lambda F, x1, x2, w, b: F.bilinear(x1, x2, w, b), x, x2, wb, b)


@pytest.mark.parametrize("case", [
    lambda F, m: F.linear(m.ones(2, 3, 4), m.ones(5, 3)),
    lambda F, m: F.bilinear(m.ones(2, 3), m.ones(3, 4), m.ones(5, 3, 4)),
    lambda F, m: F.bilinear(m.ones(2, 3), m.ones(2, 4), m.ones(5, 3, 3)),
    lambda F, m: F.bilinear(m.ones(2, 3), m.ones(2, 4), m.ones(5, 4, 4)),
    lambda F, m: F.bilinear(m.ones(2, 3), m.ones(2, 3, 4), m.ones(5, 3, 4)),
    lambda F, m: F.bilinear(m.ones(2, 3), m.ones(2, 4), m.ones(5, 3, 4), m.ones(4)),
    lambda F, m: F.embedding(m.tensor([1]), m.ones(3)),
    lambda F, m: F.embedding(m.tensor([1.0]), m.ones(3, 2)),
    lambda F, m: F.one_hot(m.tensor([1.0])),
    lambda F, m: F.one_hot(m.tensor([-1])),
    lambda F, m: F.one_hot(m.tensor([3]), 3),
    lambda F, m: F.one_hot(m.tensor([], dtype=m.long)),
])
def test_layer_errors(case):
    raises_like_torch(lambda m: case(m.nn.functional, m), RuntimeError)


@pytest.mark.parametrize("case,exc", [
    (lambda F, m: F.embedding(m.tensor([1]), m.ones(3, 2), padding_idx=3), AssertionError),
    (lambda F, m: F.embedding(m.tensor([1]), m.ones(3, 2), padding_idx=-4), AssertionError),
    (lambda F, m: F.embedding(m.tensor([5]), m.ones(3, 2)), IndexError),
    (lambda F, m: F.embedding(m.tensor([1.0]), m.ones(3), padding_idx=5), AssertionError),
    (lambda F, m: F.embedding(m.tensor([1.0]), m.ones(3), max_norm=1.0), RuntimeError),
    (lambda F, m: F.embedding(m.tensor([1.0]), m.ones(3, 2), max_norm=1.0), RuntimeError),
    (lambda F, m: F.embedding(m.tensor([1, 3]), m.ones(3, 2), max_norm=1.0), IndexError),
    (lambda F, m: F.embedding(m.tensor([1, -4]), m.ones(3, 2), max_norm=1.0), IndexError),
    (lambda F, m: F.embedding(m.tensor([1]), m.ones(()), padding_idx=0), RuntimeError),
])
def test_embedding_index_errors(case, exc):
    raises_like_torch(lambda m: case(m.nn.functional, m), exc)


@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 2}, {"padding_idx": -1}, {"scale_grad_by_freq": True},
                                    {"padding_idx": 0, "scale_grad_by_freq": True}])
def test_embedding_values_and_gradients(kwargs):
    torch = torch_or_skip()
    index = np.array([[0, 2, 4], [2, 2, 1]])
    weight = RNG.standard_normal((5, 3))
    run_both(lambda F, w: F.embedding(torch.tensor(index) if F is not LF else lg.tensor(index), w, **kwargs), weight)


def test_embedding_max_norm_renormalizes_looked_up_rows_in_place():
    torch = torch_or_skip()
    index = np.array([0, 3, 3, 1])
    weight = RNG.standard_normal((5, 4)) * 2
    weight[1] *= 0.01  # a looked-up row under the limit stays
    results = []
    for F, mod in ((LF, lg), (tF(), torch)):
        w = mod.tensor(weight, requires_grad=True)
        out = F.embedding(mod.tensor(index), w, max_norm=1.5, norm_type=1.0)
        (g,) = mod.autograd.grad((out * out).sum(), w)
        results.append((out.detach(), w.detach(), g))
    for got, want in zip(*results):
        assert_like_torch(got, want)


# name -> (indices, offsets, whether per-sample weights are given, keyword arguments)
BAGS = {
    "2d_mean": (np.array([[0, 2, 4], [2, 2, 1]]), None, False, {}),
    "2d_sum": (np.array([[0, 2, 4], [2, 2, 1]]), None, False, {"mode": "sum"}),
    "2d_max": (np.array([[0, 2, 4], [3, 2, 1]]), None, False, {"mode": "max"}),
    "1d_sum_weighted": (np.array([4, 0, 2, 2, 1]), np.array([0, 2, 2]), True, {"mode": "sum"}),
    "1d_mean_last_offset": (np.array([4, 0, 2, 2, 1]), np.array([0, 1, 1, 5]), False, {"include_last_offset": True}),
    "1d_max_padding": (np.array([4, 0, 2, 3, 1]), np.array([0, 2, 3]), False, {"mode": "max", "padding_idx": 2}),
    "1d_mean_padding": (np.array([4, 0, 2, 2, 1]), np.array([0, 2]), False, {"padding_idx": 2}),
}


@pytest.mark.parametrize("name", BAGS)
def test_embedding_bag(name):
    torch = torch_or_skip()
    index, offsets, weighted, kwargs = BAGS[name]
    arrays = [RNG.standard_normal((5, 3))] + ([RNG.standard_normal(index.shape)] if weighted else [])

    def bag(F, w, *per_sample):
        mod = lg if F is LF else torch
        return F.embedding_bag(mod.tensor(index), w, None if offsets is None else mod.tensor(offsets),
                               per_sample_weights=per_sample[0] if per_sample else None, **kwargs)
    run_both(bag, *arrays)


@pytest.mark.parametrize("case,exc", [
    (lambda F, m: F.embedding_bag(m.tensor([0, 1]), m.ones(3, 2)), ValueError),
    (lambda F, m: F.embedding_bag(m.tensor([[[0]]]), m.ones(3, 2)), ValueError),
    (lambda F, m: F.embedding_bag(m.tensor([0, 1]), m.ones(3, 2), m.tensor([0]), mode="min"), ValueError),
    (lambda F, m: F.embedding_bag(m.tensor([0, 1]), m.ones(3, 2), m.tensor([0]), per_sample_weights=m.ones(2)),
     NotImplementedError),
    (lambda F, m: F.embedding_bag(m.tensor([0, 1]), m.ones(3), m.tensor([0])), ValueError),
    (lambda F, m: F.embedding_bag(m.zeros(2, 0, dtype=m.long), m.ones(3, 2)), RuntimeError),
    (lambda F, m: F.embedding_bag(m.tensor([0]), m.ones(3, 2), m.tensor([0]), mode="max", scale_grad_by_freq=True),
     ValueError),
    (lambda F, m: F.embedding_bag(m.tensor([0]), m.ones(3, 2), m.tensor([0]), mode="max", sparse=True), ValueError),
    (lambda F, m: F.embedding_bag(m.tensor([0.0]), m.ones(3, 2), m.tensor([0])), RuntimeError),
    (lambda F, m: F.embedding_bag(m.tensor([0]), m.ones(3, 2), m.tensor([0.0])), RuntimeError),
    (lambda F, m: F.embedding_bag(m.tensor([0]), m.ones(3, 2, dtype=m.long), m.tensor([0])), RuntimeError),
    (lambda F, m: F.embedding_bag(m.tensor([0]), m.ones(3, 2, dtype=m.cfloat), m.tensor([0])), RuntimeError),
    (lambda F, m: F.embedding_bag(m.tensor([0]), m.ones(3, 2), m.tensor([0]), mode="sum",
                                  per_sample_weights=m.ones(1, dtype=m.double)), RuntimeError),
    (lambda F, m: F.embedding_bag(m.tensor([0]), m.ones(3, 2), m.tensor([], dtype=m.long), include_last_offset=True),
     RuntimeError),
    (lambda F, m: F.embedding_bag(m.tensor([0]), m.ones(3, 2), m.tensor([0]), padding_idx=3), RuntimeError),
    (lambda F, m: F.embedding_bag(m.tensor([0]), m.ones(3, 2), m.tensor([0]), padding_idx=-4), RuntimeError),
    (lambda F, m: F.embedding_bag(m.tensor([0, 1]), m.ones(3, 2), m.tensor([1])), RuntimeError),
    (lambda F, m: F.embedding_bag(m.tensor([0, 1]), m.ones(3, 2), m.tensor([0, 3])), RuntimeError),
    (lambda F, m: F.embedding_bag(m.tensor([0, 1, 5, -1]), m.ones(3, 2), m.tensor([0])), RuntimeError),
    (lambda F, m: F.embedding_bag(m.tensor([0, 1, 5, -1]), m.ones(3, 2, dtype=m.double), m.tensor([0])), RuntimeError),
    (lambda F, m: F.embedding_bag(m.tensor([0, -1, 5]), m.ones(3, 2), m.tensor([0]), mode="max"), RuntimeError),
    (lambda F, m: F.embedding_bag(m.tensor([0, 1, 5]), m.ones(3, 2), m.tensor([0]), padding_idx=1), RuntimeError),
    (lambda F, m: F.embedding_bag(m.tensor([0, 5]), m.ones(3, 2), m.tensor([0]), max_norm=1.0), IndexError),
])
def test_embedding_bag_errors(case, exc):
    raises_like_torch(lambda m: case(m.nn.functional, m), exc)


@pytest.mark.parametrize("call", [
    lambda m: m.nn.functional.embedding_bag(m.tensor([0, 1]), m.ones(3, 2), m.tensor([0]), mode="sum",
                                            per_sample_weights=m.ones(3)),
    lambda m: m.nn.functional.embedding_bag(m.tensor([[0, 1]]), m.ones(3, 2), m.tensor([0])),
])
def test_embedding_bag_errors_naming_types(call):
    """Messages that name a torch type (torch.Size, torch.Tensor) name lazygrad's."""
    torch = torch_or_skip()
    same_error(lambda: call(lg), lambda: call(torch), ValueError)


def test_embedding_bag_max_gradient_goes_to_the_first_maximum():
    """Ties (here with the zero an empty scatter starts from) give the whole gradient to the bag's first maximum,
    as torch's max_indices do; an input of no bags still records the gradient."""
    torch = torch_or_skip()
    weight = np.array([[0.0, 1.0], [0.0, 1.0], [-1.0, 0.0]])
    results = []
    for F, mod in ((LF, lg), (tF(), torch)):
        w = mod.tensor(weight, requires_grad=True)
        out = F.embedding_bag(mod.tensor([2, 0, 1, 2, 2]), w, mod.tensor([0, 3, 5]), mode="max")
        (g,) = mod.autograd.grad((out * mod.tensor([[1.0, 2.0], [3.0, 5.0], [7.0, 11.0]])).sum(), w)
        none = F.embedding_bag(mod.tensor([], dtype=mod.long), w, mod.tensor([0]), mode="max", include_last_offset=True)
        results.append((out.detach(), g, none.detach(), none.requires_grad))
    for got, want in zip(results[0][:3], results[1][:3]):
        assert_like_torch(got, want)
    assert results[0][3] == results[1][3]


def test_embedding_bag_reversed_arguments_warn_and_swap():
    torch = torch_or_skip()
    weight = RNG.standard_normal((3, 2))
    with pytest.warns(UserWarning, match="Argument order of nn.functional.embedding_bag was changed"):
        got = LF.embedding_bag(lg.tensor(weight), lg.tensor([[0, 2]]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = tF().embedding_bag(torch.tensor(weight), torch.tensor([[0, 2]]))
    assert_like_torch(got, want)


def test_one_hot():
    torch = torch_or_skip()
    x = np.array([[0, 3], [1, 1]])
    assert_like_torch(LF.one_hot(lg.tensor(x)), tF().one_hot(torch.tensor(x)), exact=True)
    assert_like_torch(LF.one_hot(lg.tensor(x), 6), tF().one_hot(torch.tensor(x), 6), exact=True)
    empty = np.zeros((0, 2), dtype=np.int64)
    assert_like_torch(LF.one_hot(lg.tensor(empty), 3), tF().one_hot(torch.tensor(empty), 3), exact=True)


def test_distance_functions_are_the_top_level_ones():
    assert LF.cosine_similarity is lg.cosine_similarity and LF.pairwise_distance is lg.pairwise_distance
    assert LF.pdist is lg.pdist and LF.layer_norm is lg.layer_norm and LF.rms_norm is lg.rms_norm


# ---- dropout ----------------------------------------------------------------------------------------

def test_dropout_keeps_the_expected_fraction_scaled_and_is_seeded():
    x = lg.ones(100, 100, requires_grad=True)
    lg.manual_seed(9)
    y = LF.dropout(x, 0.3)
    lg.manual_seed(9)
    again = LF.dropout(x, 0.3)
    values = y.detach().numpy()
    np.testing.assert_array_equal(values, again.detach().numpy())
    assert set(np.unique(values)) == {0.0, np.float32(1 / 0.7)}
    assert abs((values > 0).mean() - 0.7) < 0.02
    (g,) = lg.autograd.grad(y.sum(), x)
    np.testing.assert_array_equal(g.numpy(), values)
    assert LF.dropout(x, 0.3, training=False) is x
    assert (LF.dropout(x, 1.0).detach().numpy() == 0).all()


def test_dropout_inplace_writes_into_input():
    x = lg.ones(1000)
    lg.manual_seed(1)
    out = LF.dropout(x, 0.5, inplace=True)
    assert out is x
    assert set(np.unique(x.numpy())) == {0.0, 2.0}


@pytest.mark.parametrize("fn,shape,spatial", [(LF.dropout1d, (20, 30, 7), 1), (LF.dropout1d, (300, 7), 1),
                                              (LF.dropout2d, (20, 30, 2, 3), 2), (LF.dropout3d, (10, 30, 2, 1, 3), 3),
                                              (LF.dropout3d, (300, 2, 2, 1), 3)])
def test_channel_dropout_zeroes_whole_channels(fn, shape, spatial):
    lg.manual_seed(4)
    channels = fn(lg.ones(shape), 0.25).numpy().reshape(-1, math.prod(shape[-spatial:]))
    assert set(np.unique(channels)) == {0.0, np.float32(1 / 0.75)}
    assert (channels.min(1) == channels.max(1)).all()
    assert abs((channels[:, 0] > 0).mean() - 0.75) < 0.08


def test_alpha_dropout_is_torchs_affine_map_and_keeps_mean_and_variance():
    torch = torch_or_skip()
    p = 0.2
    x = RNG.standard_normal(40000).astype(np.float32)
    want = tF().alpha_dropout(torch.tensor(x), p, training=True).numpy()
    values, counts = np.unique(want, return_counts=True)
    dropped = values[counts.argmax()]
    kept = want != dropped
    scale, shift = np.polyfit(x[kept], want[kept], 1)
    lg.manual_seed(3)
    got = LF.alpha_dropout(lg.tensor(x), p, training=True).numpy()
    got_dropped = np.isclose(got, dropped, rtol=0, atol=1e-6) & ~np.isclose(x * scale + shift, dropped, atol=1e-6)
    np.testing.assert_allclose(got[~got_dropped], x[~got_dropped] * scale + shift, rtol=1e-5, atol=1e-5)
    assert abs(got_dropped.mean() - p) < 0.01
    assert abs(got.mean()) < 0.03 and abs(got.std() - 1) < 0.03
    untouched = lg.tensor(x)
    assert LF.alpha_dropout(untouched, p) is untouched  # training is off by default


def test_feature_alpha_dropout_is_per_channel():
    lg.manual_seed(6)
    values = LF.feature_alpha_dropout(lg.ones(50, 40, 3), 0.5, training=True).numpy()
    assert (values.min(2) == values.max(2)).all() and len(np.unique(values)) == 2


@pytest.mark.parametrize("case,exc", [
    (lambda F, m: F.dropout(m.ones(3), 1.5), ValueError),
    (lambda F, m: F.alpha_dropout(m.ones(3), -1), ValueError),
    (lambda F, m: F.feature_alpha_dropout(m.ones(3), 2), ValueError),
    (lambda F, m: F.dropout1d(m.ones(2, 3, 4, 5)), RuntimeError),
])
def test_dropout_errors(case, exc):
    raises_like_torch(lambda m: case(m.nn.functional, m), exc)


@pytest.mark.parametrize("case", [lambda F, m: F.dropout2d(m.ones(2, 3, 4)), lambda F, m: F.dropout2d(m.ones(2, 3)),
                                  lambda F, m: F.dropout3d(m.ones(2, 3, 4))])
def test_dropout_rank_warnings(case):
    torch = torch_or_skip()
    messages = []
    for F, mod in ((LF, lg), (tF(), torch)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            case(F, mod)
        messages.append([(w.category, str(w.message)) for w in caught])
    assert messages[0] == messages[1] and messages[0]


ACTIVATION_DTYPES = {
    "silu_complex": lambda m: m.nn.functional.silu(m.tensor([[1 + 2j, -0.5j, 3.0]])),
    "silu_complex_grad": lambda m: m.nn.functional.silu(m.tensor([1j], requires_grad=True)),
    "glu_complex": lambda m: m.nn.functional.glu(m.tensor([[1 + 2j, -0.5j]])),
    "glu_int": lambda m: m.nn.functional.glu(m.tensor([[1, 2]])),
    "threshold_complex": lambda m: m.nn.functional.threshold(m.tensor([1j]), 0.5, 0.0),
    "threshold_bool": lambda m: m.nn.functional.threshold_(m.tensor([True]), 0.5, 0.0),
    "threshold_int": lambda m: m.nn.functional.threshold(m.tensor([1, 2]), 1, 0),
    "rrelu_int": lambda m: m.nn.functional.rrelu(m.tensor([1, 2])),
    "rrelu_complex_training": lambda m: m.nn.functional.rrelu(m.tensor([1j]), training=True),
    "hardtanh_bool": lambda m: m.nn.functional.hardtanh(m.tensor([True])),
    "relu6_complex": lambda m: m.nn.functional.relu6(m.tensor([1j])),
    "relu6_int": lambda m: m.nn.functional.relu6(m.tensor([1, 9])),
}


@pytest.mark.parametrize("name", ACTIVATION_DTYPES)
def test_activations_take_and_refuse_dtypes_as_torch(name):
    """silu computes complex values (and refuses to differentiate them, as torch); the piecewise activations
    refuse bools and complex numbers with torch's errors."""
    torch = torch_or_skip()
    outcomes = []
    for m in (lg, torch):
        try:
            out = ACTIVATION_DTYPES[name](m)
            outcomes.append((str(out.dtype).split(".")[-1], np.round(out.detach().to(m.complex128).numpy(), 5).tolist()))
        except Exception as error:  # noqa: BLE001  (class and message compared)
            outcomes.append((type(error).__name__, str(error)))
    assert outcomes[0] == outcomes[1]
