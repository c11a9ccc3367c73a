"""lazygrad.nn's less common layers against torch.nn: fractional max pooling, adaptive softmax, the legacy
cross-map LRN, Container, DataParallel and SyncBatchNorm without GPUs or process groups, the fused linear
cross entropy (and its options), conv_tbc and native_channel_shuffle: values, gradients, autograd node
names, printed forms, state_dict keys and torch's errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import lazygrad as lg
import lazygrad.nn as nn
import lazygrad.nn.functional as F
from oracle import assert_same, gradients_like_torch, same_error, torch_or_skip

R = np.random.default_rng(0)
X2 = R.standard_normal((2, 3, 7, 6))  # one input shape per pooling dimension keeps the kernel count low
S2 = R.random((2, 3, 2))
X3 = R.standard_normal((1, 2, 5, 6, 7))
S3 = R.random((1, 2, 3))


def raises_like_torch(call, exc: type) -> None:
    """call(module) raises torch's exception and message (torch. read as lazygrad.) for lazygrad too."""
    torch = torch_or_skip()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_error(lambda: call(lg), lambda: call(torch), exc)


def lg_state(torch_module) -> dict:
    return {k: lg.tensor(v.detach().numpy().copy()) for k, v in torch_module.state_dict().items()}


def twins(make):
    """make(module) for torch and for lazygrad, lazygrad's holding torch's parameters and buffers."""
    torch = torch_or_skip()
    ref = make(torch)
    mine = make(lg)
    mine.load_state_dict(lg_state(ref))
    return mine, ref


# ---- fractional max pooling ----------------------------------------------------------------------------

@pytest.mark.parametrize("n, x, samples, kernel, out", [
    (2, X2, S2, 2, (3, 4)),
    (2, X2, S2, (3, 1), 4),
    (3, X3, S3, (2, 2, 3), (2, 3, 4)),
])
def test_fractional_max_pool_values_indices_and_gradients_are_torchs(n, x, samples, kernel, out):
    def pool(m, t, s):
        return getattr(m.nn.functional, f"fractional_max_pool{n}d")(t, kernel, out, _random_samples=s.detach())
    gradients_like_torch(pool, [x, samples])
    torch = torch_or_skip()
    with_indices = f"fractional_max_pool{n}d_with_indices"
    got = getattr(F, with_indices)(lg.tensor(x), kernel, out, _random_samples=lg.tensor(samples))
    want = getattr(torch.nn.functional, with_indices)(torch.tensor(x), kernel, out,
                                                      _random_samples=torch.tensor(samples))
    assert_same(got, want, exact=True)


def test_fractional_max_pool_unbatched_ratio_ties_and_nans_as_torch():
    torch = torch_or_skip()
    x = np.round(X2[0] * 2).astype(np.float32)  # many ties
    x[0, 1, 1] = x[0, 2, 2] = np.nan  # two NaNs in one window: torch takes the last
    s = S2[:1].astype(np.float32)
    got = F.fractional_max_pool2d(lg.tensor(x), 2, output_ratio=(0.5, 0.5), return_indices=True,
                                  _random_samples=lg.tensor(s))
    want = torch.nn.functional.fractional_max_pool2d(torch.tensor(x), 2, output_ratio=(0.5, 0.5),
                                                     return_indices=True, _random_samples=torch.tensor(s))
    assert_same(got, want, exact=True)


def test_fractional_max_pool_draws_its_windows_from_lazygrads_generator():
    x = lg.tensor(X2)
    lg.manual_seed(3)
    values, indices = nn.FractionalMaxPool2d(2, output_ratio=0.5, return_indices=True)(x)
    lg.manual_seed(3)
    again = F.fractional_max_pool2d(x, 2, output_ratio=(0.5, 0.5))
    assert values.shape == (2, 3, 3, 3) and lg.equal(values, again)
    assert lg.equal(values, x.flatten(2).gather(2, indices.flatten(2)).reshape(values.shape))


def test_fractional_max_pool_layers_print_save_and_pool_as_torchs():
    torch = torch_or_skip()
    s = S2.astype(np.float32)
    mine, ref = twins(lambda m: m.nn.FractionalMaxPool2d(2, (3, 4), _random_samples=m.tensor(s)))
    assert repr(mine) == repr(ref) == "FractionalMaxPool2d()"
    assert list(mine.state_dict()) == list(ref.state_dict()) == ["_random_samples"]
    assert (mine.kernel_size, mine.output_size, mine.output_ratio) == (ref.kernel_size, ref.output_size, None)
    x = X2.astype(np.float32)
    assert_same(mine(lg.tensor(x)), ref(torch.tensor(x)), exact=True)
    three = nn.FractionalMaxPool3d(2, output_ratio=0.5, return_indices=True)
    assert (three.kernel_size, three.output_ratio, repr(three)) == ((2, 2, 2), (0.5, 0.5, 0.5),
                                                                   "FractionalMaxPool3d()")
    assert list(three.state_dict()) == []


x2, s2 = X2.astype(np.float32), S2.astype(np.float32)


@pytest.mark.parametrize("call, exc", [
    (lambda m: m.nn.functional.fractional_max_pool2d(m.tensor(x2), 2), ValueError),
    (lambda m: m.nn.functional.fractional_max_pool2d(m.tensor(x2), 2, output_ratio=(0.5, 0.5, 0.5)), ValueError),
    (lambda m: m.nn.functional.fractional_max_pool2d(m.tensor(x2), 2, output_ratio=0.5), TypeError),
    (lambda m: m.nn.functional.fractional_max_pool3d(m.tensor(X3), 2, output_ratio=(0.5, 0.5)), IndexError),
    (lambda m: m.nn.functional.fractional_max_pool2d(m.tensor(x2), (2, 2, 2), 3), RuntimeError),
    (lambda m: m.nn.functional.fractional_max_pool2d(m.tensor(x2), 2, [3]), RuntimeError),
    (lambda m: m.nn.functional.fractional_max_pool3d(m.tensor(X3), (2, 2), 2), RuntimeError),
    (lambda m: m.nn.functional.fractional_max_pool2d(m.tensor(x2), 2, 6), RuntimeError),
    (lambda m: m.nn.functional.fractional_max_pool2d(m.tensor(x2), 3, (6, 2)), RuntimeError),
    (lambda m: m.nn.functional.fractional_max_pool3d(m.tensor(X3), 2, (2, 5, 5)), RuntimeError),
    (lambda m: m.nn.functional.fractional_max_pool3d(m.tensor(X3), 2, (4, 2, 2)), RuntimeError),
    (lambda m: m.nn.functional.fractional_max_pool2d(m.tensor(x2)[0, 0], 2, 3), IndexError),
    (lambda m: m.nn.functional.fractional_max_pool2d(m.tensor(x2)[0, 0], 2, 3, _random_samples=m.tensor(s2)),
     RuntimeError),
    (lambda m: m.nn.functional.fractional_max_pool2d(m.tensor(x2)[:, :, :0], 2, 3, _random_samples=m.tensor(s2)),
     RuntimeError),
    (lambda m: m.nn.functional.fractional_max_pool2d(m.tensor(x2), 2, 3, _random_samples=m.tensor(S2)),
     RuntimeError),
    (lambda m: m.nn.functional.fractional_max_pool2d(m.tensor(x2), 2, 3, _random_samples=m.tensor(s2[0])),
     RuntimeError),
    (lambda m: m.nn.functional.fractional_max_pool2d(m.tensor(x2), 2, 3, _random_samples=m.tensor(s2[:1])),
     RuntimeError),
    (lambda m: m.nn.functional.fractional_max_pool2d(m.tensor(x2), 2, 3, _random_samples=m.tensor(s2[:, :2])),
     RuntimeError),
    (lambda m: m.nn.functional.fractional_max_pool3d(m.tensor(X3), 2, 2, _random_samples=m.tensor(S2[:1, :2])),
     RuntimeError),
    (lambda m: m.nn.FractionalMaxPool2d(2), ValueError),
    (lambda m: m.nn.FractionalMaxPool2d(2, 3, 0.5), ValueError),
    (lambda m: m.nn.FractionalMaxPool2d(2, output_ratio=1.5), ValueError),
    (lambda m: m.nn.FractionalMaxPool3d((2, 0, 1), 3), ValueError),
    (lambda m: m.nn.FractionalMaxPool3d(2, output_ratio=(0.5, 0.5, 1)), ValueError),
])
def test_fractional_max_pool_errors_are_torchs(call, exc):
    raises_like_torch(call, exc)


# ---- adaptive softmax ----------------------------------------------------------------------------------

def _adaptive(m):
    m.manual_seed(0)
    return m.nn.AdaptiveLogSoftmaxWithLoss(6, 10, [3, 6], div_value=2.0, head_bias=True).double()


def test_adaptive_log_softmax_output_loss_and_gradients_are_torchs():
    torch = torch_or_skip()
    mine, ref = twins(_adaptive)
    assert repr(mine) == repr(ref)
    assert list(mine.state_dict()) == list(ref.state_dict())
    x, target = R.standard_normal((5, 6)), np.array([0, 4, 9, 2, 7])
    xl, xt = lg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    got, want = mine(xl, lg.tensor(target)), ref(xt, torch.tensor(target))
    assert type(got).__name__ == "_ASMoutput" and got._fields == ("output", "loss")
    assert_same(got.output.detach(), want.output.detach())
    assert_same(got.loss.detach(), want.loss.detach())
    assert [type(t.grad_fn).__name__ for t in got] == [type(t.grad_fn).__name__ for t in want]
    got.loss.backward()
    want.loss.backward()
    assert_same(xl.grad, xt.grad)
    for (name, p), q in zip(mine.named_parameters(), ref.parameters()):
        assert_same(p.grad, q.grad), name
    assert_same(mine.log_prob(lg.tensor(x)).detach(), ref.log_prob(torch.tensor(x)).detach())
    assert_same(mine.predict(lg.tensor(x)), ref.predict(torch.tensor(x)))
    single = mine(lg.tensor(x[1]), lg.tensor(target[1]))
    expected = ref(torch.tensor(x[1]), torch.tensor(target[1]))
    assert_same(single.output.detach(), expected.output.detach())
    assert_same(single.loss.detach(), expected.loss.detach())


@pytest.mark.parametrize("call, exc", [
    (lambda m: m.nn.AdaptiveLogSoftmaxWithLoss(6, 10, []), ValueError),
    (lambda m: m.nn.AdaptiveLogSoftmaxWithLoss(6, 10, [5, 3]), ValueError),
    (lambda m: m.nn.AdaptiveLogSoftmaxWithLoss(6, 10, [3, 10]), ValueError),
    (lambda m: m.nn.AdaptiveLogSoftmaxWithLoss(6, 10, [3, 3]), ValueError),
    (lambda m: _adaptive(m)(m.zeros(5, 6, dtype=m.float64), m.tensor([0, 1, 10, 2, 3])), RuntimeError),
    (lambda m: _adaptive(m)(m.zeros(5, 6, dtype=m.float64), m.tensor([0, 1, -1, 2, 3])), RuntimeError),
    (lambda m: _adaptive(m)(m.zeros(4, 6, dtype=m.float64), m.tensor([0, 1, 2, 3, 4])), RuntimeError),
    (lambda m: _adaptive(m)(m.zeros(5, 6, dtype=m.float64), m.zeros(5, 2, dtype=m.int64)), RuntimeError),
    (lambda m: _adaptive(m)(m.zeros(5, 6, dtype=m.float64), m.tensor(1)), RuntimeError),
    (lambda m: _adaptive(m)(m.zeros(5, 6, 1, dtype=m.float64), m.zeros(5, dtype=m.int64)), RuntimeError),
])
def test_adaptive_log_softmax_errors_are_torchs(call, exc):
    raises_like_torch(call, exc)


# ---- CrossMapLRN2d -------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [2, 3])
def test_cross_map_lrn2d_forward_and_torchs_own_backward(size):
    x = R.standard_normal((2, 6, 2, 3))
    gradients_like_torch(lambda m, t: m.nn.CrossMapLRN2d(size, alpha=0.5, beta=0.75, k=1.5)(t), [x])


def test_cross_map_lrn2d_prints_and_fails_as_torch():
    torch = torch_or_skip()
    assert repr(nn.CrossMapLRN2d(3)) == repr(torch.nn.CrossMapLRN2d(3)) == "CrossMapLRN2d(3, alpha=0.0001, beta=0.75, k=1)"
    raises_like_torch(lambda m: m.nn.CrossMapLRN2d(3)(m.zeros(2, 3, 4)), ValueError)
    raises_like_torch(lambda m: m.nn.CrossMapLRN2d(1)(m.ones(1, 3, 2, 2, requires_grad=True)).sum().backward(),
                      RuntimeError)


# ---- Container, DataParallel, SyncBatchNorm --------------------------------------------------------------

def test_container_warns_and_holds_its_keyword_modules():
    torch = torch_or_skip()
    with pytest.warns(FutureWarning, match="`nn.Container` is deprecated") as record:
        mine = nn.Container(a=nn.Linear(2, 3), b=nn.ReLU())
    assert record[0].filename == __file__
    with pytest.warns(FutureWarning):
        class Sub(nn.Container):
            pass
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Sub()
    with pytest.warns(FutureWarning):
        ref = torch.nn.Container(a=torch.nn.Linear(2, 3), b=torch.nn.ReLU())
    assert repr(mine) == repr(ref)
    assert list(mine.state_dict()) == list(ref.state_dict()) == ["a.weight", "a.bias"]
    raises_like_torch(lambda m: m.nn.Container()(1), NotImplementedError)


def test_data_parallel_without_gpus_runs_the_module():
    torch = torch_or_skip()
    if lg.cuda.is_available() or torch.cuda.is_available():
        pytest.skip("DataParallel without GPUs")
    mine, ref = twins(lambda m: m.nn.DataParallel(m.nn.Linear(2, 3)))
    assert repr(mine) == repr(ref)
    assert mine.device_ids == ref.device_ids == [] and not hasattr(mine, "dim")
    assert list(mine.state_dict()) == list(ref.state_dict()) == ["module.weight", "module.bias"]
    x = R.standard_normal((4, 2)).astype(np.float32)
    assert_same(mine(input=lg.tensor(x)).detach(), ref(input=torch.tensor(x)).detach())
    assert type(mine(lg.tensor(x)).grad_fn).__name__ == type(ref(torch.tensor(x)).grad_fn).__name__


def test_sync_batch_norm_without_a_process_group_is_batch_norm():
    torch = torch_or_skip()
    mine, ref = twins(lambda m: m.nn.SyncBatchNorm(3, momentum=None, bias=False))
    assert repr(mine) == repr(ref)
    assert list(mine.state_dict()) == list(ref.state_dict())
    x = R.standard_normal((4, 3, 2)).astype(np.float32)
    for _ in range(2):
        assert_same(mine(lg.tensor(x)).detach(), ref(torch.tensor(x)).detach(), rtol=1e-5, atol=1e-6)
    mine.eval(), ref.eval()
    assert_same(mine(lg.tensor(x)).detach(), ref(torch.tensor(x)).detach(), rtol=1e-5, atol=1e-6)
    for name, buffer in ref.state_dict().items():
        assert_same(mine.state_dict()[name], buffer, rtol=1e-5, atol=1e-6)
    raises_like_torch(lambda m: m.nn.SyncBatchNorm(3)(m.zeros(3)), ValueError)
    raises_like_torch(lambda m: m.nn.SyncBatchNorm(3)(m.zeros(3, 0)), ValueError)


def test_convert_sync_batchnorm_replaces_batch_norms_sharing_their_state():
    torch = torch_or_skip()

    def tree(m):
        model = m.nn.Sequential(m.nn.Linear(2, 3), m.nn.BatchNorm1d(3, affine=False),
                                m.nn.Sequential(m.nn.BatchNorm1d(3, bias=False)))
        model[2][0].eval()
        return model[2][0], m.nn.SyncBatchNorm.convert_sync_batchnorm(model, process_group="group")
    (norm, converted), (_, expected) = tree(lg), tree(torch)
    assert repr(converted) == repr(expected)
    assert list(converted.state_dict()) == list(expected.state_dict())
    inner = converted[2][0]
    assert type(inner) is nn.SyncBatchNorm and inner is not norm and not inner.training
    assert inner.process_group == "group" and inner.weight is norm.weight and inner.running_var is norm.running_var
    assert type(nn.SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm2d(3))) is nn.SyncBatchNorm


# ---- linear cross entropy ------------------------------------------------------------------------------

LX, LW, LB, LT = R.standard_normal((5, 3)), R.standard_normal((4, 3)), R.standard_normal(4), np.array([0, 3, 1, 1, 2])
CW = R.uniform(0.5, 2.0, 4)  # class weights (not differentiable, as in torch)


# (lazygrad's cross_entropy records other nodes than torch's for label smoothing, probabilities and K-dimensional
# targets: those cases compare a sum of the loss, so that values and gradients are still torch's)
@pytest.mark.parametrize("call", [
    lambda m, x, w, b: m.nn.functional.linear_cross_entropy(x, w, m.tensor(LT), linear_bias=b, weight=m.tensor(CW),
                                                            ignore_index=1),
    lambda m, x, w, b: m.nn.functional.linear_cross_entropy(x, w, m.tensor(LT), linear_bias=b, reduction="sum",
                                                            label_smoothing=0.1).sum(),
    lambda m, x, w, b: m.nn.functional.linear_cross_entropy(x, w, (x @ w.T).softmax(1).detach(),
                                                            weight=m.tensor(CW)).sum(),
    lambda m, x, w, b: m.nn.functional.linear_cross_entropy(
        x, w.reshape(2, 2, 3), m.tensor(LT[:, None] % 2).expand(5, 2), linear_bias=b.reshape(2, 2),
        reduction="none").sum(),
    lambda m, x, w, b: m.nn.functional.linear_cross_entropy(x[1], w, m.tensor(LT[1]), linear_bias=b),
], ids=["weight_ignore", "sum_smoothing", "probabilities", "k_dimensional", "unbatched"])
def test_linear_cross_entropy_is_cross_entropy_of_linear(call):
    gradients_like_torch(call, [LX, LW, LB])


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_linear_cross_entropy_options_take_torchs_chunked_path(reduction):
    torch_or_skip()

    def chunked(m, x, w, b, target=LT):
        return m.nn.functional.linear_cross_entropy(x, w, m.tensor(target), linear_bias=b, weight=m.tensor(CW),
                                                    reduction=reduction,
                                                    options=m.nn.LinearCrossEntropyOptions(batch_chunk_size=2))
    gradients_like_torch(chunked, [LX, LW, LB])
    gradients_like_torch(lambda m, x, w, b: chunked(m, x[0], w, b, LT[0]), [LX, LW, LB])


def test_linear_cross_entropy_options_accumulate_float16_in_float32():
    torch = torch_or_skip()
    x, w = LX.astype(np.float16), LW.astype(np.float16)

    def loss(m, opts):
        return m.nn.functional.linear_cross_entropy(m.tensor(x), m.tensor(w), m.tensor(LT), options=opts)
    assert_same(loss(lg, nn.LinearCrossEntropyOptions()), loss(torch, torch.nn.LinearCrossEntropyOptions()))
    assert_same(loss(lg, None), loss(torch, None))


def test_linear_cross_entropy_options_resolve_and_print_as_torchs():
    torch = torch_or_skip()
    for kwargs in ({}, {"batch_chunk_size": 2}, {"chunking_method": "aspect_ratio:3", "acc_policy": "balanced"}):
        for dtype in ("float32", "float16"):
            got = nn.LinearCrossEntropyOptions(**kwargs)._adjust(5, 3, 40, getattr(lg, dtype), lg.device("cpu"))
            want = torch.nn.LinearCrossEntropyOptions(**kwargs)._adjust(5, 3, 40, getattr(torch, dtype),
                                                                        torch.device("cpu"))
            assert repr(got) == repr(want).replace("torch.", "lazygrad.")
    with pytest.warns(UserWarning, match="``options`` ignored") as record:
        F.linear_cross_entropy(lg.tensor(LX), lg.tensor(LW), lg.tensor(LT), label_smoothing=0.1,
                               options=nn.LinearCrossEntropyOptions())
    with pytest.warns(UserWarning) as expected:
        torch.nn.functional.linear_cross_entropy(torch.tensor(LX), torch.tensor(LW), torch.tensor(LT),
                                                 label_smoothing=0.1, options=torch.nn.LinearCrossEntropyOptions())
    assert str(record[0].message) == str(expected[0].message).replace("torch.", "lazygrad.")


@pytest.mark.parametrize("call, exc", [
    (lambda m: m.nn.functional.linear_cross_entropy(m.zeros(2, 2, 3), m.zeros(4, 3), m.zeros(2)), RuntimeError),
    (lambda m: m.nn.functional.linear_cross_entropy(m.zeros(2, 3), m.zeros(3), m.zeros(2)), RuntimeError),
    (lambda m: m.nn.functional.linear_cross_entropy(m.zeros(2, 3), m.zeros(4, 2), m.zeros(2)), RuntimeError),
    (lambda m: m.nn.functional.linear_cross_entropy(m.zeros(2, 3), m.zeros(4, 3), m.zeros(2),
                                                    linear_bias=m.zeros(3)), RuntimeError),
    (lambda m: m.nn.functional.linear_cross_entropy(m.zeros(3), m.zeros(4, 2, 3), m.zeros(2)), RuntimeError),
    (lambda m: m.nn.functional.linear_cross_entropy(m.zeros(2, 3), m.zeros(4, 3), m.zeros(2, 4), ignore_index=1),
     RuntimeError),
    (lambda m: m.nn.functional.linear_cross_entropy(
        m.zeros(2, 3), m.zeros(4, 3), m.zeros(2, dtype=m.int64),
        options=m.nn.LinearCrossEntropyOptions(acc_dtype=m.float64)), RuntimeError),
    (lambda m: m.nn.functional.linear_cross_entropy(
        m.zeros(5, 3), m.zeros(40, 3), m.zeros(5, dtype=m.int64),
        options=m.nn.LinearCrossEntropyOptions(batch_chunk_size=2, chunking_method="aspect_ratio")), ValueError),
    (lambda m: m.nn.LinearCrossEntropyOptions(acc_policy="fast"), ValueError),
    (lambda m: m.nn.LinearCrossEntropyOptions(chunking_method="aspect_ratio:0"), ValueError),
    (lambda m: m.nn.LinearCrossEntropyOptions(batch_chunk_size=0), ValueError),
    (lambda m: m.nn.LinearCrossEntropyLoss(3, 4, weight=m.ones(3)), RuntimeError),
    (lambda m: m.nn.LinearCrossEntropyLoss(3, 4, label_smoothing=1.5), RuntimeError),
])
def test_linear_cross_entropy_errors_are_torchs(call, exc):
    raises_like_torch(call, exc)


def test_linear_cross_entropy_loss_layer_as_torchs():
    torch = torch_or_skip()
    weight = R.uniform(0.5, 2.0, 2)
    mine, ref = twins(lambda m: m.nn.LinearCrossEntropyLoss(3, 2, out_features=(2,), bias=True,
                                                            weight=m.tensor(weight), ignore_index=0).double())
    assert repr(mine) == repr(ref)
    assert list(mine.state_dict()) == list(ref.state_dict()) == ["weight", "linear.weight", "linear.bias"]
    target = LT[:, None].repeat(2, 1) % 2
    assert_same(mine(lg.tensor(LX), lg.tensor(target)).detach(), ref(torch.tensor(LX), torch.tensor(target)).detach())
    options = nn.LinearCrossEntropyOptions(allow_retain_graph=True)
    assert repr(nn.LinearCrossEntropyLoss(3, 4, options=options)) == repr(
        torch.nn.LinearCrossEntropyLoss(3, 4, options=torch.nn.LinearCrossEntropyOptions(allow_retain_graph=True)))


# ---- conv_tbc, native_channel_shuffle -------------------------------------------------------------------

def test_conv_tbc_is_torchs():
    x, w, b = R.standard_normal((5, 2, 3)), R.standard_normal((3, 3, 4)), R.standard_normal(4)
    gradients_like_torch(lambda m, *a: m.nn.functional.conv_tbc(*a, 1), [x, w, b])
    gradients_like_torch(lambda m, *a: m.conv_tbc(*a), [x, w, b])


@pytest.mark.parametrize("args", [
    lambda m: (m.zeros(2, 3), m.zeros(3, 3, 4), m.zeros(4)),
    lambda m: (m.zeros(5, 2, 3), m.zeros(3, 4), m.zeros(4)),
    lambda m: (m.zeros(5, 2, 3), m.zeros(3, 3, 4), m.zeros(1, 4)),
    lambda m: (m.zeros(5, 2, 3), m.zeros(3, 2, 4), m.zeros(4)),
    lambda m: (m.zeros(5, 2, 3), m.zeros(3, 3, 4), m.zeros(3)),
])
def test_conv_tbc_errors_are_torchs(args):
    raises_like_torch(lambda m: m.nn.functional.conv_tbc(*args(m)), RuntimeError)


def test_native_channel_shuffle_shuffles_as_torch():
    torch = torch_or_skip()
    x = R.standard_normal((2, 6, 3))
    assert_same(F.native_channel_shuffle(lg.tensor(x), 3), torch.nn.functional.native_channel_shuffle(
        torch.tensor(x), 3))
    for bad in (lambda m: m.nn.functional.native_channel_shuffle(m.zeros(6, 3), 2),
                lambda m: m.nn.functional.native_channel_shuffle(m.zeros(2, 6, 3), 4),
                lambda m: m.nn.functional.native_channel_shuffle(m.zeros(2, 6, 3), 0)):
        raises_like_torch(bad, RuntimeError)


LAYER_SHAPE_ERRORS = {
    "linear_0d": (RuntimeError, lambda m: m.nn.functional.linear(m.tensor(1.0), m.ones(2, 3))),
    "linear_features": (RuntimeError, lambda m: m.nn.Linear(4, 5)(m.ones(2, 3))),
    "instance_norm_affine": (ValueError, lambda m: m.nn.InstanceNorm1d(3, affine=True)(m.ones(2, 4, 5))),
    "instance_norm_unbatched": (ValueError, lambda m: m.nn.InstanceNorm1d(3, affine=True)(m.ones(4, 5))),
    "conv_channels": (RuntimeError, lambda m: m.nn.Conv2d(3, 4, 3)(m.ones(1, 2, 5, 5))),
    "batch_norm_features": (RuntimeError, lambda m: m.nn.BatchNorm1d(3)(m.ones(4, 5))),
    "lstm_input": (RuntimeError, lambda m: m.nn.LSTM(3, 4)(m.ones(5, 2, 6))),
    "conv_zero_dilation": (RuntimeError, lambda m: m.nn.functional.conv2d(m.ones(1, 2, 5, 5), m.ones(2, 2, 3, 3),
                                                                          dilation=(0, 1))),
    "conv1d_zero_dilation": (RuntimeError, lambda m: m.nn.functional.conv1d(m.ones(1, 2, 5), m.ones(2, 2, 3),
                                                                            dilation=0)),
    "conv_negative_dilation": (RuntimeError, lambda m: m.nn.functional.conv2d(m.ones(1, 2, 5, 5), m.ones(2, 2, 3, 3),
                                                                              dilation=-1)),
    "conv_transpose_zero_dilation": (RuntimeError, lambda m: m.nn.functional.conv_transpose1d(
        m.ones(1, 2, 5), m.ones(2, 2, 3), dilation=0)),
    "threshold_str": (TypeError, lambda m: m.nn.functional.threshold(m.ones(2), 1, "a")),
    "ctc_blank": (RuntimeError, lambda m: m.nn.functional.ctc_loss(m.zeros(3, 1, 4).log_softmax(2),
                                                                   m.tensor([[1, 2]]), [3], [2], blank=4)),
}


@pytest.mark.parametrize("name", list(LAYER_SHAPE_ERRORS))
def test_layers_name_the_shapes_at_fault_like_torch(name):
    exc, call = LAYER_SHAPE_ERRORS[name]
    torch = torch_or_skip()
    same_error(lambda: call(lg), lambda: call(torch), exc)


def test_instance_norm_without_affine_warns_of_an_unused_num_features():
    with pytest.warns(UserWarning, match="input's size at dim=1 does not match num_features"):
        out = nn.InstanceNorm1d(3)(lg.ones(2, 4, 5))
    assert out.shape == (2, 4, 5)


def test_embedding_max_norm_scales_rows_as_torch_rounds():
    """torch's renorm scale is max_norm / (norm + 1e-7) in double, cast to the weight's type."""
    torch = torch_or_skip()
    got = F.embedding(lg.tensor([0]), lg.ones(2, 2) * 3, max_norm=1.0)
    want = torch.nn.functional.embedding(torch.tensor([0]), torch.ones(2, 2) * 3, max_norm=1.0)
    assert got.tolist() == want.tolist()
