"""lazygrad.nn.functional's losses against torch's: values for each reduction in float32 and float64,
gradients of every differentiable argument, a second derivative, torch's errors and warnings, laziness
of the index checks and the number of kernels a loss and its gradient take."""
from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest

import lazygrad as lg
import lazygrad.nn.functional as F
from tests.oracle import assert_like_torch, same_error, torch_or_skip

R = np.random.default_rng(0)


def _x(*shape):
    return R.standard_normal(shape)


def _probs(*shape, dim=1):
    e = np.exp(R.standard_normal(shape))
    return e / e.sum(dim, keepdims=True)


def _signs(*shape):
    return np.where(R.random(shape) < 0.5, -1.0, 1.0)


def _uniform(lo, hi, *shape):
    return R.uniform(lo, hi, shape)


def _classes(high, *shape):
    return R.integers(0, high, shape)


def _cosine_distance(F_, a, b):
    return 1 - F_.cosine_similarity(a, b)


# (id, call(F, *args), args as (array, differentiable)); float arrays take the test's dtype, integer ones stay
CASES = [
    ("cross_entropy", lambda F_, x, t: F_.cross_entropy(x, t), [(_x(4, 5), True), (_classes(5, 4), False)]),
    ("cross_entropy_weight_ignore", lambda F_, x, t, w: F_.cross_entropy(x, t, weight=w, ignore_index=2),
     [(_x(6, 5), True), (np.array([0, 2, 4, 1, 2, 3]), False), (_uniform(0.5, 2, 5), False)]),
    ("cross_entropy_smoothing", lambda F_, x, t, w: F_.cross_entropy(x, t, weight=w, label_smoothing=0.2),
     [(_x(5, 4), True), (np.array([0, -100, 3, 1, 1]), False), (_uniform(0.5, 2, 4), False)]),
    ("cross_entropy_nd", lambda F_, x, t, w: F_.cross_entropy(x, t, w, ignore_index=0, label_smoothing=0.1),
     [(_x(2, 3, 4), True), (_classes(3, 2, 4), False), (_uniform(0.5, 2, 3), False)]),
    ("cross_entropy_4d", lambda F_, x, t: F_.cross_entropy(x, t),
     [(_x(2, 3, 2, 2), True), (_classes(3, 2, 2, 2), False)]),
    ("cross_entropy_1d", lambda F_, x, t: F_.cross_entropy(x, t), [(_x(5), True), (np.array(3), False)]),
    ("cross_entropy_probabilities", lambda F_, x, t, w: F_.cross_entropy(x, t, w, label_smoothing=0.1),
     [(_x(4, 5), True), (_probs(4, 5), True), (_uniform(0.5, 2, 5), False)]),
    ("cross_entropy_probabilities_nd", lambda F_, x, t: F_.cross_entropy(x, t),
     [(_x(2, 3, 4), True), (_probs(2, 3, 4), True)]),
    ("nll_loss", lambda F_, x, t, w: F_.nll_loss(x, t, w, ignore_index=1),
     [(_x(5, 4), True), (np.array([0, 1, 3, 2, 1]), False), (_uniform(0.5, 2, 4), False)]),
    ("nll_loss_4d", lambda F_, x, t: F_.nll_loss(x, t), [(_x(2, 3, 2, 2), True), (_classes(3, 2, 2, 2), False)]),
    # every target ignored: the mean is 0/0 (NaN) and the gradient 0, as torch's
    ("cross_entropy_all_ignored", lambda F_, x, t: F_.cross_entropy(x, t, ignore_index=1, label_smoothing=0.1),
     [(_x(2, 3), True), (np.array([1, 1]), False)]),
    ("mse_loss", lambda F_, x, t: F_.mse_loss(x, t), [(_x(3, 4), True), (_x(3, 4), True)]),
    ("mse_loss_weight", lambda F_, x, t, w: F_.mse_loss(x, t, weight=w),
     [(_x(3, 4), True), (_x(3, 4), True), (_uniform(0, 1, 3, 4), False)]),
    ("l1_loss", lambda F_, x, t: F_.l1_loss(x, t), [(_x(3, 4), True), (_x(3, 4), True)]),
    ("l1_loss_weight", lambda F_, x, t, w: F_.l1_loss(x, t, weight=w),
     [(_x(3, 4), True), (_x(3, 4), True), (_uniform(0, 1, 3, 4), False)]),
    ("smooth_l1_loss", lambda F_, x, t: F_.smooth_l1_loss(x, t, beta=0.5), [(_x(3, 4), True), (_x(3, 4), True)]),
    ("smooth_l1_loss_beta0", lambda F_, x, t: F_.smooth_l1_loss(x, t, beta=0.0), [(_x(3, 4), True), (_x(3, 4), True)]),
    ("huber_loss", lambda F_, x, t: F_.huber_loss(x, t, delta=0.7), [(_x(3, 4), True), (_x(3, 4), True)]),
    ("huber_loss_weight", lambda F_, x, t, w: F_.huber_loss(x, t, delta=0.7, weight=w),
     [(_x(3, 4), True), (_x(3, 4), True), (_uniform(0, 1, 3, 4), False)]),
    ("binary_cross_entropy", lambda F_, x, t, w: F_.binary_cross_entropy(x, t, w),
     [(_uniform(0.05, 0.95, 3, 4), True), (_uniform(0, 1, 3, 4), True), (_uniform(0.5, 2, 4), False)]),
    ("binary_cross_entropy_with_logits",
     lambda F_, x, t, w, pw: F_.binary_cross_entropy_with_logits(x, t, w, pos_weight=pw),
     [(_x(3, 4) * 5, True), (_uniform(0, 1, 3, 4), True), (_uniform(0.5, 2, 4), False), (_uniform(0.5, 3, 4), False)]),
    ("kl_div", lambda F_, x, t: F_.kl_div(x, t), [(np.log(_probs(3, 4)), True), (_probs(3, 4), True)]),
    ("kl_div_log_target", lambda F_, x, t: F_.kl_div(x, t, log_target=True),
     [(np.log(_probs(3, 4)), True), (np.log(_probs(3, 4)), True)]),
    ("poisson_nll_loss", lambda F_, x, t: F_.poisson_nll_loss(x, t), [(_x(3, 4), True), (_uniform(0, 4, 3, 4), True)]),
    ("poisson_nll_loss_full", lambda F_, x, t: F_.poisson_nll_loss(x, t, log_input=False, full=True),
     [(_uniform(0.1, 3, 3, 4), True), (_uniform(0.1, 4, 3, 4), True)]),
    ("gaussian_nll_loss", lambda F_, x, t, v: F_.gaussian_nll_loss(x, t, v, full=True),
     [(_x(3, 4), True), (_x(3, 4), True), (_uniform(0.1, 2, 3, 4), True)]),
    ("gaussian_nll_loss_homoscedastic", lambda F_, x, t, v: F_.gaussian_nll_loss(x, t, v, eps=0.3),
     [(_x(3, 4), True), (_x(3, 4), True), (_uniform(0.1, 2, 3), True)]),
    ("soft_margin_loss", lambda F_, x, t: F_.soft_margin_loss(x, t), [(_x(3, 4), True), (_signs(3, 4), False)]),
    ("multilabel_soft_margin_loss", lambda F_, x, t, w: F_.multilabel_soft_margin_loss(x, t, w),
     [(_x(3, 4), True), ((R.random((3, 4)) < 0.5) * 1.0, True), (_uniform(0.5, 2, 4), False)]),
    ("multilabel_margin_loss", lambda F_, x, t: F_.multilabel_margin_loss(x, t),
     [(_x(3, 5), True), (np.array([[3, 0, -1, 1, 2], [4, 4, 1, -1, -1], [-1, 0, 1, 2, 3]]), False)]),
    ("multilabel_margin_loss_1d", lambda F_, x, t: F_.multilabel_margin_loss(x, t),
     [(_x(4), True), (np.array([2, 0, -1, 1]), False)]),
    ("multi_margin_loss", lambda F_, x, t: F_.multi_margin_loss(x, t), [(_x(4, 5), True), (_classes(5, 4), False)]),
    ("multi_margin_loss_p2_weight", lambda F_, x, t, w: F_.multi_margin_loss(x, t, p=2, margin=0.7, weight=w),
     [(_x(4, 5), True), (_classes(5, 4), False), (_uniform(0.5, 2, 5), False)]),
    ("multi_margin_loss_1d", lambda F_, x, t: F_.multi_margin_loss(x, t), [(_x(5), True), (np.array(2), False)]),
    ("hinge_embedding_loss", lambda F_, x, t: F_.hinge_embedding_loss(x, t, margin=0.5),
     [(_x(3, 4), True), (_signs(3, 4), False)]),
    ("margin_ranking_loss", lambda F_, a, b, t: F_.margin_ranking_loss(a, b, t, margin=0.2),
     [(_x(6), True), (_x(6), True), (_signs(6), True)]),
    ("cosine_embedding_loss", lambda F_, a, b, t: F_.cosine_embedding_loss(a, b, t, margin=0.1),
     [(_x(5, 3), True), (_x(5, 3), True), (_signs(5), False)]),
    ("triplet_margin_loss", lambda F_, a, p, n: F_.triplet_margin_loss(a, p, n),
     [(_x(4, 3), True), (_x(4, 3), True), (_x(4, 3), True)]),
    ("triplet_margin_loss_p1_swap", lambda F_, a, p, n: F_.triplet_margin_loss(a, p, n, margin=2.0, p=1, swap=True),
     [(_x(4, 3), True), (_x(4, 3), True), (_x(4, 3), True)]),
    ("triplet_margin_with_distance_loss", lambda F_, a, p, n: F_.triplet_margin_with_distance_loss(a, p, n),
     [(_x(4, 3), True), (_x(4, 3), True), (_x(4, 3), True)]),
    ("triplet_margin_with_distance_loss_cosine",
     lambda F_, a, p, n: F_.triplet_margin_with_distance_loss(
         a, p, n, distance_function=lambda u, v: _cosine_distance(F_, u, v), margin=0.5, swap=True),
     [(_x(4, 3), True), (_x(4, 3), True), (_x(4, 3), True)]),
]


class _Reducing:
    """A functional module whose losses take the given reduction (other functions pass through)."""

    def __init__(self, module, reduction: str):
        self.module, self.reduction = module, reduction

    def __getattr__(self, name: str):
        fn = getattr(self.module, name)
        return functools.partial(fn, reduction=self.reduction) if name in F.losses.__all__ else fn


def _inputs(module, args, dtype: str):
    return [module.tensor(a, dtype=getattr(module, dtype) if a.dtype.kind == "f" else None, requires_grad=grad)
            if a.dtype.kind == "f" else module.tensor(a) for a, grad in args]


@pytest.mark.parametrize("reduction, dtype", [("none", "float64"), ("mean", "float64"), ("sum", "float64"),
                                              ("mean", "float32")])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_like_torch(case, reduction, dtype):
    """The loss and the gradient of each differentiable argument (against a random output gradient); float32
    with one reduction, as each dtype compiles its own kernels."""
    torch = torch_or_skip()
    _, call, args = case
    ins_lg, ins_t = _inputs(lg, args, dtype), _inputs(torch, args, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out_t = call(_Reducing(torch.nn.functional, reduction), *ins_t)
        out_lg = call(_Reducing(F, reduction), *ins_lg)
    wrt = [i for i, (_, grad) in enumerate(args) if grad]
    back = R.standard_normal(tuple(out_t.shape))
    grads_t = torch.autograd.grad(out_t, [ins_t[i] for i in wrt], torch.tensor(back, dtype=out_t.dtype))
    grads_lg = lg.autograd.grad(out_lg, [ins_lg[i] for i in wrt], lg.tensor(back, dtype=out_lg.dtype))
    tolerance = {"rtol": 1e-4, "atol": 1e-5} if dtype == "float32" else {}
    assert_like_torch(out_lg.detach(), out_t.detach(), **tolerance)
    for got, want in zip(grads_lg, grads_t):
        assert_like_torch(got, want, **tolerance)


def test_loss_and_gradient_realized_together():
    torch = torch_or_skip()
    a, b, back = _x(5, 3), _x(5, 3), _x(5)
    x = lg.tensor(a, requires_grad=True)
    out = F.triplet_margin_loss(x, lg.tensor(b), lg.tensor(b[::-1].copy()), reduction="none")
    grad, = lg.autograd.grad(out, [x], lg.tensor(back))
    lg.realize(out, grad)
    xt = torch.tensor(a, requires_grad=True)
    out_t = torch.nn.functional.triplet_margin_loss(xt, torch.tensor(b), torch.tensor(b[::-1].copy()), reduction="none")
    assert_like_torch(grad, torch.autograd.grad(out_t, [xt], torch.tensor(back))[0])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cross_entropy_second_derivative_like_torch(dtype):
    """Hessian-vector product of cross entropy with weights, ignore_index and label smoothing."""
    torch = torch_or_skip()
    x, t, w, v = _x(4, 5), np.array([1, -100, 4, 0]), _uniform(0.5, 2, 5), _x(4, 5)

    def hvp(module, grad):
        xs = module.tensor(x, dtype=getattr(module, dtype), requires_grad=True)
        loss = module.nn.functional.cross_entropy(xs, module.tensor(t), module.tensor(w, dtype=xs.dtype),
                                                  label_smoothing=0.15)
        g, = grad(loss, [xs], create_graph=True)
        return grad((g * module.tensor(v, dtype=xs.dtype)).sum(), [xs])[0]
    tolerance = {"rtol": 1e-4, "atol": 1e-6} if dtype == "float32" else {}
    assert_like_torch(hvp(lg, lg.autograd.grad), hvp(torch, torch.autograd.grad), **tolerance)


@pytest.mark.parametrize("dtypes", [("float64", "float32"), ("float32", "float64"), ("float16", "float32"),
                                    ("float32", "float16"), ("bfloat16", "float16")])
def test_bce_with_logits_of_mixed_dtypes_takes_the_targets_like_torch(dtypes):
    """torch builds the loss in place from 1 - target: its dtype is target's, each step rounded to it."""
    torch = torch_or_skip()
    x, t, pw, w = [0.3, -1.7, 2.2], [0.2, 1.0, 0.0], [2.0, 1.0, 3.0], [1.0, 2.0, 0.5]
    for lib, mod in ((lg, F), (torch, torch.nn.functional)):
        first, second = (getattr(lib, d) for d in dtypes)
        args = (lib.tensor(x, dtype=first), lib.tensor(t, dtype=second))
        results = [mod.binary_cross_entropy_with_logits(*args, reduction="none"),
                   mod.binary_cross_entropy_with_logits(*args, lib.tensor(w, dtype=first),
                                                        pos_weight=lib.tensor(pw, dtype=first))]
        if lib is lg:
            ours = results
    for got, want in zip(ours, results):  # (log-sigmoid of a float32 input may differ in its last bit)
        assert_like_torch(got, want)


def test_kl_div_batchmean_and_legacy_reductions_like_torch():
    torch = torch_or_skip()
    x, t = np.log(_probs(3, 4)), _probs(3, 4)
    calls = [dict(reduction="batchmean"), dict(reduction="batchmean", log_target=True), dict(size_average=False),
             dict(reduce=False), dict(size_average=True, reduce=True)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for kwargs in calls:
            target = np.log(t) if kwargs.get("log_target") else t
            assert_like_torch(F.kl_div(lg.tensor(x), lg.tensor(target), **kwargs),
                              torch.nn.functional.kl_div(torch.tensor(x), torch.tensor(target), **kwargs))
        assert_like_torch(F.kl_div(lg.tensor(0.3), lg.tensor(0.5), reduction="batchmean"),
                          torch.nn.functional.kl_div(torch.tensor(0.3), torch.tensor(0.5), reduction="batchmean"))


@pytest.mark.parametrize("legacy", [dict(size_average=False), dict(reduce=False), dict(size_average=True),
                                    dict(size_average=False, reduce=True)])
def test_legacy_size_average_and_reduce_like_torch(legacy):
    """The legacy pair picks the reduction (over reduction=) and warns as torch does."""
    torch = torch_or_skip()
    x, t = _x(4, 5), _classes(5, 4)
    with pytest.warns(UserWarning) as want:
        expected = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(t), reduction="sum", **legacy)
    with pytest.warns(UserWarning) as got:
        out = F.cross_entropy(lg.tensor(x), lg.tensor(t), reduction="sum", **legacy)
    assert [str(w.message) for w in got] == [str(w.message) for w in want]
    assert_like_torch(out, expected)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_like_torch(F.mse_loss(lg.tensor(x), lg.tensor(x[::-1].copy()), **legacy),
                          torch.nn.functional.mse_loss(torch.tensor(x), torch.tensor(x[::-1].copy()), **legacy))


@pytest.mark.parametrize("call", [
    lambda F_, m: F_.mse_loss(m.ones(3, 4), m.ones(4)),
    lambda F_, m: F_.l1_loss(m.ones(3, 1), m.ones(3, 4)),
    lambda F_, m: F_.smooth_l1_loss(m.ones(3, 4), m.ones(1, 4)),
    lambda F_, m: F_.huber_loss(m.ones(4), m.ones(2, 4)),
    lambda F_, m: F_.kl_div(m.zeros(2, 3), m.ones(2, 3)),
    lambda F_, m: F_.mse_loss(m.ones(3), m.ones(3), reduction="elementwise_mean"),
], ids=["mse", "l1", "smooth_l1", "huber", "kl_div_mean", "elementwise_mean"])
def test_warnings_like_torch(call):
    """Size-mismatch, 'mean' KL and deprecated-name warnings, with torch's text; the broadcast values too."""
    torch = torch_or_skip()
    with pytest.warns(UserWarning) as want:
        expected = call(torch.nn.functional, torch)
    with pytest.warns(UserWarning) as got:
        out = call(F, lg)
    assert [str(w.message) for w in got] == [str(w.message).replace("torch.", "lazygrad.") for w in want]
    assert_like_torch(out, expected)


def _f(m):
    return m.nn.functional


ERRORS = [
    (RuntimeError, lambda m: _f(m).cross_entropy(m.ones(3, 4), m.tensor([0, 2, 1], dtype=m.int32))),
    (RuntimeError, lambda m: _f(m).cross_entropy(m.ones(3, 4), m.zeros(3, 4, dtype=m.long))),
    (ValueError, lambda m: _f(m).cross_entropy(m.ones(3, 4), m.tensor([0, 1]))),
    (RuntimeError, lambda m: _f(m).cross_entropy(m.ones(2, 3, 4), m.zeros(2, 5, dtype=m.long))),
    (RuntimeError, lambda m: _f(m).cross_entropy(m.ones(2, 3, 4, 5), m.zeros(2, 5, 4, dtype=m.long))),
    (RuntimeError, lambda m: _f(m).cross_entropy(m.ones(2, 3, 4, 5), m.zeros(2, 4, dtype=m.long))),
    (RuntimeError, lambda m: _f(m).cross_entropy(m.ones(3, 4), m.zeros(3, 2, dtype=m.long))),
    (IndexError, lambda m: _f(m).cross_entropy(m.ones(3, 4), m.tensor([0, 4, 1]))),
    (IndexError, lambda m: _f(m).cross_entropy(m.ones(3, 4), m.tensor([0, -1, 1]))),
    (RuntimeError, lambda m: _f(m).cross_entropy(m.ones(3, 4), m.tensor([0, 2, 1]), weight=m.ones(3))),
    (RuntimeError, lambda m: _f(m).cross_entropy(m.ones(3, 4), m.ones(3, 4), weight=m.ones(3))),
    (RuntimeError, lambda m: _f(m).cross_entropy(m.ones(3, 4), m.ones(3, 4), ignore_index=1)),
    (RuntimeError, lambda m: _f(m).cross_entropy(m.ones(3, 4), m.tensor([0, 2, 1]), label_smoothing=1.5)),
    (RuntimeError, lambda m: _f(m).cross_entropy(m.ones(3, 4), m.ones(3, 4), label_smoothing=1.5)),
    (ValueError, lambda m: _f(m).cross_entropy(m.ones(3, 4), m.tensor([0, 2, 1]), reduction="foo")),
    (ValueError, lambda m: _f(m).nll_loss(m.ones(3), m.zeros(3, dtype=m.long))),
    (ValueError, lambda m: _f(m).nll_loss(m.ones(2, 3), m.tensor(0))),
    (RuntimeError, lambda m: _f(m).nll_loss(m.ones(2, 3, 4), m.zeros(2, dtype=m.long))),
    (RuntimeError, lambda m: _f(m).nll_loss(m.ones(3, 4), m.tensor([0, 2, 1]), weight=m.ones(2, 2))),
    (RuntimeError, lambda m: _f(m).mse_loss(m.ones(3, 4), m.ones(2, 4))),
    (ValueError, lambda m: _f(m).mse_loss(m.ones(3, 4), m.ones(3, 4), weight=m.ones(4))),
    (ValueError, lambda m: _f(m).l1_loss(m.ones(3, 4), m.ones(3, 4), weight=m.ones(3, 4), reduction="foo")),
    (ValueError, lambda m: _f(m).huber_loss(m.ones(3, 4), m.ones(3, 4), reduction="foo")),
    (RuntimeError, lambda m: _f(m).smooth_l1_loss(m.ones(3), m.ones(3), beta=-1.0)),
    (RuntimeError, lambda m: _f(m).huber_loss(m.ones(3), m.ones(3), delta=0.0)),
    (ValueError, lambda m: _f(m).binary_cross_entropy(m.full((3, 4), 0.5), m.ones(3, 1))),
    (RuntimeError, lambda m: _f(m).binary_cross_entropy(m.full((3, 4), 1.5), m.ones(3, 4))),
    (RuntimeError, lambda m: _f(m).binary_cross_entropy(m.full((3, 4), 0.5), m.ones(3, 4, dtype=m.float64))),
    (ValueError, lambda m: _f(m).binary_cross_entropy_with_logits(m.ones(3, 4), m.ones(3, 1))),
    (ValueError, lambda m: _f(m).kl_div(m.ones(3), m.ones(3), reduction="x")),
    (ValueError, lambda m: _f(m).poisson_nll_loss(m.ones(3), m.ones(3), reduction="x")),
    (ValueError, lambda m: _f(m).gaussian_nll_loss(m.ones(3, 4), m.ones(3, 4), -m.ones(3, 4))),
    (ValueError, lambda m: _f(m).gaussian_nll_loss(m.ones(3, 4), m.ones(3, 4), -1.0)),
    (ValueError, lambda m: _f(m).gaussian_nll_loss(m.ones(3, 4), m.ones(3, 4), m.ones(2))),
    (ValueError, lambda m: _f(m).gaussian_nll_loss(m.ones(3, 4), m.ones(3, 4), m.ones(3, 4), reduction="x")),
    (ValueError, lambda m: _f(m).multilabel_soft_margin_loss(m.ones(3, 4), m.ones(3, 4), reduction="x")),
    (ValueError, lambda m: _f(m).multi_margin_loss(m.ones(3, 4), m.tensor([0, 2, 1]), p=3)),
    (ValueError, lambda m: _f(m).multi_margin_loss(m.ones(3, 4), m.tensor([0, 2, 1]), weight=m.ones(4, 1))),
    (RuntimeError, lambda m: _f(m).multi_margin_loss(m.ones(3, 4), m.tensor([0, 2, 1]), weight=m.ones(3))),
    (RuntimeError, lambda m: _f(m).multi_margin_loss(m.ones(3, 4), m.tensor([0, 1]))),
    (RuntimeError, lambda m: _f(m).multi_margin_loss(m.ones(3, 4), m.tensor([0, 4, 1]))),
    (RuntimeError, lambda m: _f(m).multi_margin_loss(m.ones(3, 0), m.tensor([0, 4, 1]))),
    (RuntimeError, lambda m: _f(m).multilabel_margin_loss(m.ones(3, 4), m.zeros(3, 3, dtype=m.long))),
    (RuntimeError, lambda m: _f(m).multilabel_margin_loss(m.ones(3, 4), m.full((3, 4), 5))),
    (RuntimeError, lambda m: _f(m).cosine_embedding_loss(m.ones(3, 4), m.ones(3, 4), m.ones(3, 1))),
    (RuntimeError, lambda m: _f(m).cosine_embedding_loss(m.ones(3), m.ones(3), m.ones(3))),
    (RuntimeError, lambda m: _f(m).cosine_embedding_loss(m.ones(3, 4), m.ones(3, 4), m.tensor(1.0))),
    (RuntimeError, lambda m: _f(m).margin_ranking_loss(m.ones(3, 4), m.ones(3, 4), m.ones(4))),
    (RuntimeError, lambda m: _f(m).triplet_margin_loss(m.ones(3, 4), m.ones(3, 4), m.ones(4))),
    (ValueError, lambda m: _f(m).triplet_margin_loss(m.ones(3, 4), m.ones(3, 4), m.ones(3, 4), margin=0)),
    (ValueError, lambda m: _f(m).triplet_margin_with_distance_loss(m.ones(3), m.ones(3), m.ones(3), margin=-1.0)),
    (ValueError, lambda m: _f(m).triplet_margin_with_distance_loss(m.ones(3), m.ones(3), m.ones(3), reduction="x")),
    (RuntimeError, lambda m: _f(m).triplet_margin_with_distance_loss(m.ones(3, 4), m.ones(3, 4), m.ones(4))),
    # (torch's order of checks: the target's dtype before a 1-D input's target size, sizes before the reduction
    # before the kernel's dtypes, the margin losses' target shapes before their dtypes)
    (RuntimeError, lambda m: _f(m).nll_loss(m.ones(3), m.zeros(3))),
    (RuntimeError, lambda m: _f(m).mse_loss(m.ones(4, 3), m.ones(4), reduction="batchmean")),
    (ValueError, lambda m: _f(m).mse_loss(m.ones(4, 3, dtype=m.long), m.ones(4, 3), reduction="batchmean")),
    (ValueError, lambda m: _f(m).huber_loss(m.ones(4, 3, dtype=m.long), m.ones(4, 3), reduction="batchmean")),
    (ValueError, lambda m: _f(m).mse_loss(m.ones(4, 3, dtype=m.long), m.ones(4, 3), weight=m.ones(4, 3),
                                          reduction="batchmean")),
    (NotImplementedError, lambda m: _f(m).smooth_l1_loss(m.ones(4, 3, dtype=m.long), m.ones(4, 3, dtype=m.long))),
    (RuntimeError, lambda m: _f(m).multi_margin_loss(m.ones(4, 3, dtype=m.half), m.zeros(4, 3, dtype=m.long))),
    (NotImplementedError, lambda m: _f(m).multi_margin_loss(m.ones(4, 3, dtype=m.long), m.zeros(4, dtype=m.long))),
    (RuntimeError, lambda m: _f(m).multilabel_margin_loss(m.ones(4, 3, dtype=m.half), m.zeros(1, 3, dtype=m.long))),
    (NotImplementedError, lambda m: _f(m).multilabel_margin_loss(m.ones(4, 3, dtype=m.bfloat16),
                                                                 m.zeros(4, 3, dtype=m.long))),
]


@pytest.mark.parametrize("exc, call", ERRORS)
def test_errors_like_torch(exc, call):
    """torch's class and message (warnings aside), torch's Size printed as lazygrad's."""
    torch = torch_or_skip()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_error(lambda: call(lg), lambda: call(torch), exc)


def test_margin_ranking_of_integers_and_margin_losses_of_an_empty_batch_like_torch():
    """The margin is a double in torch's kernel, so integer inputs give a float result; an empty batch never
    reaches the margin kernels, whatever its dtype."""
    torch = torch_or_skip()

    def results(m):
        x = m.tensor([1, 3], dtype=m.long)
        empty = m.zeros(0, 3, dtype=m.half)
        return [(str(r.dtype), r.tolist()) for r in (
            _f(m).margin_ranking_loss(x, x.flip(0), m.tensor([1, -1]), margin=1, reduction="none"),
            _f(m).margin_ranking_loss(x.int(), x.int(), x.int(), reduction="sum"),
            _f(m).multi_margin_loss(empty, m.zeros(0, dtype=m.long), reduction="none"),
            _f(m).multilabel_margin_loss(empty, m.zeros(0, 3, dtype=m.long), reduction="none"))]
    assert [(d.replace("lazygrad.", ""), v) for d, v in results(lg)] == [
        (d.replace("torch.", ""), v) for d, v in results(torch)]


def test_lazy_class_indices_are_checked_when_the_loss_is_computed():
    """A lazy target is not computed at the op (nothing runs there); computing the loss computes the target
    first and raises torch's error for a class out of range (ignore_index aside), at every try."""
    before = lg.stats().kernels_run
    target = lg.tensor([0, 2, 1]) * 3
    loss = F.cross_entropy(lg.ones(3, 4, requires_grad=True), target)
    F.multi_margin_loss(lg.ones(3, 4), target)
    assert lg.stats().kernels_run == before
    for _ in range(2):
        with pytest.raises(IndexError, match="^Target 6 is out of bounds.$"):
            loss.item()
    kept = lg.tensor([0, -100, 2]) * 1
    assert F.nll_loss(lg.zeros(3, 4), kept, reduction="sum").item() == 0.0


def test_cross_entropy_and_gradient_fuse_into_few_kernels():
    """Forward and backward of cross entropy with weights, ignore_index and smoothing: a handful of kernels,
    reading the logits through gathers (no one-hot over the classes)."""
    x, target, weight = lg.realize(lg.randn(64, 10, requires_grad=True), lg.randint(0, 10, (64,)), lg.rand(10))
    plain = F.cross_entropy(x, target)
    every_option = F.cross_entropy(x, target, weight=weight, ignore_index=3, label_smoothing=0.1)
    for loss, kernels in ((plain, 7), (every_option, 12)):
        grad, = lg.autograd.grad(loss, [x])
        assert len(lg.schedule(loss, grad)) <= kernels


def _ctc_case(t, dtype_name="float64", targets_form="padded", blank=0):
    rng = np.random.default_rng(7)
    logits = t.tensor(rng.standard_normal((12, 3, 5)), dtype=getattr(t, dtype_name), requires_grad=True)
    padded = [[1, 2, 2, 4], [3, 1, 0, 0], [4, 4, 4, 1]]
    if blank:
        padded = [[c - 1 if c else 4 for c in row] for row in padded]
    lengths = [4, 2, 4]
    targets = (t.tensor(padded) if targets_form == "padded" else
               t.tensor([c for row, n in zip(padded, lengths) for c in row[:n]]))
    return logits, targets, t.tensor([12, 9, 10]), t.tensor(lengths)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("targets_form", ["padded", "concatenated"])
@pytest.mark.parametrize("blank", [0, 4])
def test_ctc_loss_and_gradient_match_torch(reduction, targets_form, blank):
    torch = torch_or_skip()
    results = []
    for t in (lg, torch):
        logits, targets, il, tl = _ctc_case(t, targets_form=targets_form, blank=blank)
        log_probs = logits.log_softmax(2)
        log_probs.retain_grad()
        loss = t.nn.functional.ctc_loss(log_probs, targets, il, tl, blank=blank, reduction=reduction)
        (loss * t.linspace(1, 2, loss.numel()).reshape(loss.shape).to(loss.dtype)).sum().backward()
        results.append((loss, log_probs.grad, logits.grad, type(loss.grad_fn).__name__))
    for ours, theirs in zip(results[0][:3], results[1][:3]):
        assert_like_torch(ours.detach(), theirs.detach(), rtol=1e-6, atol=1e-8)
    assert results[0][3] == results[1][3]


def test_ctc_loss_gradient_through_log_softmax_is_the_finite_difference_one():
    logits, targets, il, tl = _ctc_case(lg)
    check = lg.autograd.gradcheck(lambda x: F.ctc_loss(x.log_softmax(2), targets, il, tl), (logits.detach().requires_grad_(),))
    assert check


def test_ctc_loss_impossible_alignments_zero_infinity_unbatched_and_module():
    torch = torch_or_skip()
    outs = []
    for t in (lg, torch):
        logits, targets, il, tl = _ctc_case(t, "float32")
        lp = logits.log_softmax(2)
        short = t.tensor([2, 9, 10])  # 2 steps cannot emit 4 labels: an infinite loss
        outs.append([t.nn.functional.ctc_loss(lp, targets, short, tl, reduction="none"),
                     t.nn.functional.ctc_loss(lp, targets, short, tl, zero_infinity=True),
                     t.nn.functional.ctc_loss(lp[:, 0], targets[0], t.tensor(12), t.tensor(4)),
                     t.nn.functional.ctc_loss(lp, targets, (12, 9, 10), (4, 2, 4)),
                     t.nn.CTCLoss(reduction="sum")(lp, targets, il, tl)])
    for ours, theirs in zip(*outs):
        assert_like_torch(ours.detach(), theirs.detach(), rtol=1e-5, atol=1e-6)
    assert np.isinf(outs[0][0].detach().numpy()[0])


def test_ctc_loss_errors_match_torch():
    torch = torch_or_skip()

    def call(t, which):
        logits, targets, il, tl = _ctc_case(t)
        lp = logits.log_softmax(2)
        args = {"long input": (lp, targets, t.tensor([13, 5, 5]), tl),
                "short targets": (lp, targets, il, t.tensor([5, 2, 2])),
                "batch": (lp, targets, il[:2], tl)}[which]
        return lambda: t.nn.functional.ctc_loss(*args)

    for which in ("long input", "short targets", "batch"):
        same_error(call(lg, which), call(torch, which), RuntimeError)
    logits, targets, il, tl = _ctc_case(lg)
    loss = F.ctc_loss(logits.log_softmax(2), targets, il, tl)
    grad, = lg.autograd.grad(loss, logits, create_graph=True)
    with pytest.raises(RuntimeError, match="derivative for aten::_ctc_loss_backward is not implemented"):
        lg.autograd.grad(grad.sum(), logits)


MIXED_DTYPE_LOSSES = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "soft_margin_loss",
                      "binary_cross_entropy_with_logits", "poisson_nll_loss"]
MIXED_DTYPES = [("float32", "float64"), ("float64", "float32"), ("float32", "bool"), ("int64", "float32"),
                ("float32", "int64")]


@pytest.mark.parametrize("loss", MIXED_DTYPE_LOSSES)
def test_losses_of_mixed_dtypes_like_torch(loss):
    """The dtype each loss computes and returns for an input and a target of different dtypes, or torch's error:
    a bool target is a number to mse, smooth L1 and Huber (l1_loss subtracts it, and refuses it); Huber and the
    soft margin loss write their elements in input's dtype."""
    torch = torch_or_skip()
    rng = np.random.default_rng(5)
    x, t = rng.standard_normal(6) * 2, rng.standard_normal(6)
    for given, target in MIXED_DTYPES:
        outcomes = []
        for m in (lg, torch):
            a = m.tensor(x).to(getattr(m, given))
            b = m.tensor(t > 0 if target == "bool" else t * 3).to(getattr(m, target))
            try:
                out = getattr(m.nn.functional, loss)(a, b, reduction="none")
                outcomes.append((str(out.dtype).split(".")[-1], out.double().numpy()))
            except (RuntimeError, NotImplementedError) as error:
                outcomes.append((type(error).__name__, str(error)))
        (got, got_values), (want, want_values) = outcomes
        assert got == want, (given, target)
        if isinstance(want_values, str):
            assert got_values == want_values
        else:
            np.testing.assert_allclose(got_values, want_values, rtol=1e-6, atol=1e-7)
