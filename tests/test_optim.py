"""lazygrad.optim against torch.optim: the same parameters after every step, the same state_dicts, errors and
learning-rate schedules; and an update that is one fused kernel."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import lazygrad as lg
import lazygrad.optim as optim
from lazygrad.optim import lr_scheduler
from tests.oracle import raises_like_torch, torch_or_skip

SHAPES = [(3, 4), (5,), (2, 1, 3)]

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1, weight_decay=0.1)),
    ("Adadelta", dict(lr=1.0, weight_decay=0.1, maximize=True)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.01, etas=(0.3, 1.5), step_sizes=(1e-3, 0.02), maximize=True)),
    ("ASGD", dict(lr=0.01, weight_decay=0.1)),
    ("ASGD", dict(lr=0.01, t0=3)),
    ("Adafactor", dict()),
    ("Adafactor", dict(lr=0.05, weight_decay=0.1, maximize=True, d=1.5, eps=(1e-6, 1e-3), beta2_decay=-0.5)),
]


def _arrays(rng, dtype):
    return [rng.standard_normal(s).astype(dtype) for s in SHAPES]


def _pair(name, kwargs, init, groups=None):
    """The same optimizer over the same initial parameters, in lazygrad and in torch."""
    torch = torch_or_skip()
    lp = [lg.tensor(a, requires_grad=True) for a in init]
    tp = [torch.tensor(a, requires_grad=True) for a in init]
    arrange = groups or (lambda ps: ps)
    return lp, tp, getattr(optim, name)(arrange(lp), **kwargs), getattr(torch.optim, name)(arrange(tp), **kwargs)


def _feed(rng, lp, tp, dtype):
    torch = torch_or_skip()
    for a, b, g in zip(lp, tp, _arrays(rng, dtype)):
        a.grad, b.grad = lg.tensor(g), torch.tensor(g)


def _assert_state_like(lg_state, torch_state, rtol):
    """Two optimizer state_dicts agree: same layout, tensor types and values, same groups."""
    torch = torch_or_skip()
    assert lg_state["param_groups"] == torch_state["param_groups"]
    assert list(lg_state["state"]) == list(torch_state["state"])
    for i, want in torch_state["state"].items():
        got = lg_state["state"][i]
        assert list(got) == list(want), (got.keys(), want.keys())
        for key, w in want.items():
            g = got[key]
            if isinstance(w, torch.Tensor):
                assert isinstance(g, lg.Tensor) and g.dtype.name == str(w.dtype).replace("torch.", "")
                np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=rtol, atol=rtol * np.abs(w.numpy()).max(),
                                           err_msg=key)
            else:
                assert g == w, key


def _assert_params_like(lp, tp, rtol):
    for a, b in zip(lp, tp):
        want = b.detach().numpy()
        np.testing.assert_allclose(a.detach().numpy(), want, rtol=rtol, atol=rtol * np.abs(want).max())


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_steps_match_torch(name, kwargs):
    rng = np.random.default_rng(0)
    lp, tp, lo, to = _pair(name, kwargs, _arrays(rng, np.float32))
    for _ in range(7):
        _feed(rng, lp, tp, np.float32)
        lo.step()
        to.step()
        _assert_params_like(lp, tp, 2e-6)
        _assert_state_like(lo.state_dict(), to.state_dict(), 2e-6)


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_float64_steps_match_torch(name, kwargs):
    """In float64 every constant of an update must be exact too (a factor rounded to float32 shows)."""
    rng = np.random.default_rng(1)
    lp, tp, lo, to = _pair(name, kwargs, _arrays(rng, np.float64))
    for _ in range(4):
        _feed(rng, lp, tp, np.float64)
        lo.step()
        to.step()
        _assert_params_like(lp, tp, 1e-12)
    _assert_state_like(lo.state_dict(), to.state_dict(), 1e-12)


def test_param_groups_with_their_own_lr_and_a_loss_closure():
    torch = torch_or_skip()
    rng = np.random.default_rng(2)
    init = _arrays(rng, np.float32)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    split = lambda ps: [{"params": ps[:2]}, {"params": ps[2:], "lr": 0.5, "momentum": 0.0}]  # noqa: E731
    lp, tp, lo, to = _pair("SGD", dict(lr=0.05, momentum=0.9), init, split)
    assert [g["lr"] for g in lo.param_groups] == [0.05, 0.5] and lo.param_groups[1]["momentum"] == 0.0

    def closure(mod, ps, opt):
        def run():
            opt.zero_grad()
            loss = (ps[0] * mod.tensor(x)).tanh().sum() + (ps[1] ** 2).sum() + ps[2].exp().mean()
            loss.backward()
            return loss
        return run

    for _ in range(4):
        loss_lg, loss_t = lo.step(closure(lg, lp, lo)), to.step(closure(torch, tp, to))
        assert loss_lg.item() == pytest.approx(loss_t.item(), rel=1e-5)
        _assert_params_like(lp, tp, 1e-5)
    assert repr(lo) == repr(to)


def test_zero_grad():
    p = lg.ones(3, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    p.grad = lg.ones(3)
    opt.zero_grad(set_to_none=False)
    assert p.grad is not None and p.grad.tolist() == [0.0, 0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None
    opt.step()  # no gradient: nothing moves
    assert p.tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("name,kwargs", [("Adam", dict(lr=0.01, amsgrad=True)), ("RMSprop", dict(momentum=0.5)),
                                         ("NAdam", {}), ("ASGD", dict(t0=1))])
def test_state_dict_round_trip_continues_like_torch(name, kwargs):
    rng = np.random.default_rng(3)
    init = _arrays(rng, np.float32)
    lp, tp, lo, to = _pair(name, kwargs, init)
    for _ in range(3):
        _feed(rng, lp, tp, np.float32)
        lo.step()
        to.step()
    fresh = getattr(optim, name)(lp, **kwargs)
    fresh.load_state_dict(lo.state_dict())
    for _ in range(3):
        _feed(rng, lp, tp, np.float32)
        fresh.step()
        to.step()
        _assert_params_like(lp, tp, 2e-6)
    _assert_state_like(fresh.state_dict(), to.state_dict(), 2e-6)


def test_loading_torch_state_continues_like_torch():
    torch = torch_or_skip()
    rng = np.random.default_rng(4)
    lp, tp, lo, to = _pair("Adam", dict(lr=0.02), _arrays(rng, np.float64))
    for _ in range(3):
        _feed(rng, lp, tp, np.float64)
        to.step()
    for a, b in zip(lp, tp):
        a.detach().copy_(lg.tensor(b.detach().numpy()))
    saved = to.state_dict()
    converted = {"param_groups": saved["param_groups"],
                 "state": {i: {k: lg.tensor(v.numpy()) for k, v in s.items()} for i, s in saved["state"].items()}}
    lo.load_state_dict(converted)
    assert lo.state[lp[0]]["exp_avg"].dtype == lg.float64 and lo.state[lp[0]]["step"].dtype == lg.float32
    for _ in range(3):
        _feed(rng, lp, tp, np.float64)
        lo.step()
        to.step()
        _assert_params_like(lp, tp, 1e-12)
    assert isinstance(torch.tensor(0.0), torch.Tensor)


def test_load_state_dict_casts_state_to_the_parameter_dtype():
    p = lg.zeros(2, dtype=lg.float64, requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    opt.load_state_dict({"state": {0: {"momentum_buffer": lg.ones(2)}}, "param_groups": opt.state_dict()["param_groups"]})
    assert opt.state[p]["momentum_buffer"].dtype == lg.float64


def test_adafactor_step_reads_no_value_back():
    """torch reads the parameter's and the update's norms with .item(); here they stay lazy."""
    p = lg.randn(8, 16, requires_grad=True).realize()
    opt = optim.Adafactor([p], lr=1e-2)

    def refuse(*args):
        raise AssertionError("a value was read back during the step")

    for _ in range(2):
        p.grad = lg.randn(8, 16).realize()
        with pytest.MonkeyPatch.context() as patch:
            for name in ("item", "tolist", "numpy", "__float__", "__bool__"):
                patch.setattr(lg.Tensor, name, refuse)
            opt.step()
    assert p._storage.is_realized  # the step realized its updates itself


def _swa_run(t, rng):
    """Averaged copies (running mean, EMA by lists, EMA of one tensor with buffers) of a model trained under
    SWALR, then update_bn on the running mean."""
    nn, swa_utils = t.nn, t.optim.swa_utils
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    with t.no_grad():
        for p in model.parameters():
            p.copy_(t.tensor(rng.standard_normal(tuple(p.shape)), dtype=t.float32))
    averages = [swa_utils.AveragedModel(model), swa_utils.AveragedModel(model, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(0.9)),
                swa_utils.AveragedModel(model, avg_fn=swa_utils.get_ema_avg_fn(0.8), use_buffers=True)]
    opt = t.optim.SGD(model.parameters(), lr=0.1)
    schedule = swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=3)
    x, y = (t.tensor(rng.standard_normal(s), dtype=t.float32) for s in ((8, 3), (8, 2)))
    lrs = []
    for _ in range(5):
        opt.zero_grad()
        t.nn.functional.mse_loss(model(x), y).backward()
        opt.step()
        schedule.step()
        lrs.append(opt.param_groups[0]["lr"])
        for a in averages:
            a.update_parameters(model)
    swa_utils.update_bn([(x[:4], 0), (x[4:], 1)], averages[0])
    tensors = [v.detach().numpy() for a in averages for v in a.state_dict().values()]
    return lrs, tensors, averages[0](x).detach().numpy()


def test_swa_utils_match_torch():
    torch = torch_or_skip()
    (lrs, tensors, out), (want_lrs, want_tensors, want_out) = (_swa_run(t, np.random.default_rng(5)) for t in (lg, torch))
    np.testing.assert_allclose(lrs, want_lrs, rtol=1e-12)
    assert len(tensors) == len(want_tensors)
    for a, b in zip(tensors, want_tensors):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out, want_out, rtol=1e-5, atol=1e-6)


def test_adam_step_on_one_parameter_is_one_kernel():
    p = lg.randn(8, 16, requires_grad=True).realize()
    opt = optim.Adam([p], lr=1e-3, weight_decay=0.01)
    for _ in range(3):
        p.grad = lg.randn(8, 16).realize()
        lg.reset_stats()
        opt.step()
        stats = lg.stats()
        assert stats.kernels_run == 1, stats
    assert stats.kernels_compiled == 0  # a new step count and bias correction reuse the kernel


def test_hooks_run_around_step_and_can_be_removed():
    p = lg.ones(2, requires_grad=True)
    opt = optim.SGD([p], lr=0.5)
    seen = []
    pre = opt.register_step_pre_hook(lambda o, args, kwargs: seen.append("pre"))
    opt.register_step_post_hook(lambda o, args, kwargs: seen.append(("post", o is opt)))
    p.grad = lg.ones(2)
    opt.step()
    pre.remove()
    opt.step()
    assert seen == ["pre", ("post", True), ("post", True)]
    assert p.tolist() == [0.0, 0.0]


ERRORS = [
    (lambda m, p: m.optim.SGD(p), TypeError),
    (lambda m, p: m.optim.SGD([p * 2]), ValueError),
    (lambda m, p: m.optim.SGD([{"params": {p}}]), TypeError),
    (lambda m, p: m.optim.SGD([{"params": [p]}, {"params": [p]}]), ValueError),
    (lambda m, p: m.optim.SGD([]), ValueError),
    (lambda m, p: m.optim.SGD([p], lr=-1.0), ValueError),
    (lambda m, p: m.optim.SGD([p], nesterov=True), ValueError),
    (lambda m, p: m.optim.SGD([p], momentum=-0.5), ValueError),
    (lambda m, p: m.optim.Adam([p], betas=(1.0, 0.9)), ValueError),
    (lambda m, p: m.optim.Adam([p], betas=(0.9, -0.1)), ValueError),
    (lambda m, p: m.optim.Adam([p], eps=-1.0), ValueError),
    (lambda m, p: m.optim.AdamW([p], weight_decay=-1.0), ValueError),
    (lambda m, p: m.optim.Adam([p], fused=True, foreach=True), RuntimeError),
    (lambda m, p: m.optim.RMSprop([p], alpha=-1.0), ValueError),
    (lambda m, p: m.optim.Adagrad([p], lr_decay=-1.0), ValueError),
    (lambda m, p: m.optim.Adadelta([p], rho=1.5), ValueError),
    (lambda m, p: m.optim.NAdam([p], momentum_decay=-1.0), ValueError),
    (lambda m, p: m.optim.Rprop([p], etas=(1.5, 2.0)), ValueError),
    (lambda m, p: m.optim.LBFGS([{"params": [p]}, {"params": [p * 1]}]), ValueError),
    (lambda m, p: m.optim.LBFGS([p], line_search_fn="armijo").step(lambda: _backward(p.sum())), RuntimeError),
    (lambda m, p: m.optim.SGD([p]).load_state_dict({"state": {}, "param_groups": []}), ValueError),
    (lambda m, p: m.optim.SGD([p]).load_state_dict({"state": {}, "param_groups": [{"params": [0, 1]}]}), ValueError),
    (lambda m, p: m.optim.lr_scheduler.LinearLR(m.optim.SGD([p]), start_factor=0.0), ValueError),
    (lambda m, p: m.optim.lr_scheduler.ReduceLROnPlateau(m.optim.SGD([p]), factor=2.0), ValueError),
    (lambda m, p: m.optim.lr_scheduler.OneCycleLR(m.optim.SGD([p]), max_lr=0.1), ValueError),
    (lambda m, p: m.optim.lr_scheduler.StepLR(object(), 2), TypeError),
    (lambda m, p: m.optim.Adafactor([p], beta2_decay=0.5), ValueError),
    (lambda m, p: m.optim.Adafactor([p], d=0.5), ValueError),
    (lambda m, p: m.optim.Adafactor([p], eps=(-1.0, 1e-3)), ValueError),
    (lambda m, p: m.optim.swa_utils.SWALR(m.optim.SGD([p]), 0.1, anneal_strategy="step"), ValueError),
    (lambda m, p: m.optim.swa_utils.SWALR(m.optim.SGD([p]), 0.1, anneal_epochs=-1), ValueError),
    (lambda m, p: m.optim.swa_utils.get_ema_multi_avg_fn(1.5), ValueError),
]


def _backward(loss):
    loss.backward()
    return loss


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors_match_torch(case):
    call, exc = ERRORS[case]
    raises_like_torch(lambda m: call(m, m.ones(3, requires_grad=True)), exc)


def _quadratic_closure(mod, ps, opt, a):
    def run():
        opt.zero_grad()
        x = ps[0]
        loss = ((mod.tensor(a) @ x - 1.0) ** 2).sum() + (x ** 4).sum() * 0.1
        loss.backward()
        return loss
    return run


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_matches_torch(line_search_fn):
    torch = torch_or_skip()
    rng = np.random.default_rng(5)
    a = rng.standard_normal((4, 3))
    init = [rng.standard_normal(3)]
    kwargs = dict(lr=0.5 if line_search_fn is None else 1.0, max_iter=6, history_size=4,
                  line_search_fn=line_search_fn)
    lp, tp, lo, to = _pair("LBFGS", kwargs, init)
    for _ in range(3):
        loss_lg = lo.step(_quadratic_closure(lg, lp, lo, a))
        loss_t = to.step(_quadratic_closure(torch, tp, to, a))
        assert loss_lg.item() == pytest.approx(loss_t.item(), rel=1e-9)
        _assert_params_like(lp, tp, 1e-9)
    state_lg, state_t = lo.state[lp[0]], to.state[tp[0]]
    assert (state_lg["func_evals"], state_lg["n_iter"]) == (state_t["func_evals"], state_t["n_iter"])
    assert set(state_lg) == set(state_t)


def _lrs(mod, make, epochs=30, metrics=None):
    """The lr of each group after each of `epochs` scheduler steps (an optimizer step before each)."""
    params = [mod.zeros(2, requires_grad=True), mod.zeros(3, requires_grad=True)]
    opt = mod.optim.SGD([{"params": params[:1]}, {"params": params[1:], "lr": 0.5}], lr=0.1, momentum=0.9)
    scheduler = make(mod.optim.lr_scheduler, opt)
    seen = [[float(v) for v in scheduler.get_last_lr()] + [float(g["momentum"]) for g in opt.param_groups]]
    for epoch in range(epochs):
        opt.step()
        if metrics is None:
            scheduler.step()
        else:
            scheduler.step(metrics[epoch])
        seen.append([float(g["lr"]) for g in opt.param_groups] + [float(g["momentum"]) for g in opt.param_groups])
        assert [float(v) for v in scheduler.get_last_lr()] == seen[-1][:2]
    return seen, scheduler.state_dict()


SCHEDULERS = [
    lambda s, o: s.LambdaLR(o, lambda e: 0.95 ** e),
    lambda s, o: s.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.5]),
    lambda s, o: s.MultiplicativeLR(o, lambda e: 0.9),
    lambda s, o: s.StepLR(o, step_size=4, gamma=0.5),
    lambda s, o: s.MultiStepLR(o, milestones=[3, 8, 8, 20], gamma=0.3),
    lambda s, o: s.ConstantLR(o, factor=0.25, total_iters=6),
    lambda s, o: s.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=12),
    lambda s, o: s.ExponentialLR(o, gamma=0.9),
    lambda s, o: s.PolynomialLR(o, total_iters=20, power=2.0),
    lambda s, o: s.CosineAnnealingLR(o, T_max=7, eta_min=0.01),
    lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2, eta_min=0.001),
    lambda s, o: s.CyclicLR(o, base_lr=0.01, max_lr=[0.1, 0.2], step_size_up=4, step_size_down=6),
    lambda s, o: s.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3, mode="triangular2"),
    lambda s, o: s.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5, mode="exp_range", gamma=0.95),
    lambda s, o: s.OneCycleLR(o, max_lr=[0.3, 0.6], total_steps=30),
    lambda s, o: s.OneCycleLR(o, max_lr=0.3, epochs=5, steps_per_epoch=6, anneal_strategy="linear",
                              three_phase=True),
    lambda s, o: s.SequentialLR(o, [s.ConstantLR(o, factor=0.5, total_iters=3), s.ExponentialLR(o, gamma=0.9),
                                    s.StepLR(o, step_size=3)], milestones=[5, 12]),
    lambda s, o: s.ChainedScheduler([s.ConstantLR(o, factor=0.5, total_iters=4), s.ExponentialLR(o, gamma=0.9)]),
]


@pytest.mark.parametrize("case", range(len(SCHEDULERS)))
def test_scheduler_lrs_match_torch(case):
    torch = torch_or_skip()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want, want_state = _lrs(torch, SCHEDULERS[case])
    got, got_state = _lrs(lg, SCHEDULERS[case])
    np.testing.assert_allclose(np.array(got), np.array(want), rtol=1e-12, atol=0)
    assert "optimizer" not in got_state and got_state.get("last_epoch") == want_state.get("last_epoch")


@pytest.mark.parametrize("kwargs", [dict(patience=2), dict(mode="max", factor=0.5, patience=1, cooldown=2,
                                                           threshold_mode="abs", threshold=0.1, min_lr=[0.01, 0.2])])
def test_reduce_lr_on_plateau_matches_torch(kwargs):
    torch = torch_or_skip()
    metrics = [1.0, 0.9, 0.95, 0.97, 0.99, 0.85, 0.9, 0.9, 1.2, 1.1, 1.3, 0.8, 0.8, 0.8, 0.8, 0.8]
    make = lambda s, o: s.ReduceLROnPlateau(o, **kwargs)  # noqa: E731
    want, _ = _lrs(torch, make, len(metrics), metrics)
    got, state = _lrs(lg, make, len(metrics), metrics)
    np.testing.assert_allclose(np.array(got), np.array(want), rtol=1e-12, atol=0)
    assert state["last_epoch"] == len(metrics)


def test_scheduler_state_dict_round_trip_and_initial_lr():
    p = lg.zeros(2, requires_grad=True)
    opt = optim.SGD([p], lr=1.0)
    sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    assert opt.param_groups[0]["initial_lr"] == 1.0 and sched.last_epoch == 0
    for _ in range(5):
        opt.step()
        sched.step()
    resumed = lr_scheduler.StepLR(opt, step_size=9, gamma=0.1, last_epoch=4)
    resumed.load_state_dict(sched.state_dict())
    opt.step()
    resumed.step()
    assert (resumed.last_epoch, resumed.get_last_lr()) == (6, [0.125])
    assert lr_scheduler._LRScheduler is lr_scheduler.LRScheduler


def test_a_tensor_learning_rate_is_used_and_scheduled():
    torch = torch_or_skip()
    rng = np.random.default_rng(6)
    init = _arrays(rng, np.float32)
    lp = [lg.tensor(a, requires_grad=True) for a in init]
    tp = [torch.tensor(a, requires_grad=True) for a in init]
    lo, to = optim.Adam(lp, lr=lg.tensor(0.01)), torch.optim.Adam(tp, lr=torch.tensor(0.01))
    ls, ts = lr_scheduler.ExponentialLR(lo, 0.5), torch.optim.lr_scheduler.ExponentialLR(to, 0.5)
    for _ in range(3):
        _feed(rng, lp, tp, np.float32)
        lo.step()
        to.step()
        ls.step()
        ts.step()
        _assert_params_like(lp, tp, 2e-6)
    assert isinstance(lo.param_groups[0]["lr"], lg.Tensor)
    assert lo.param_groups[0]["lr"].item() == pytest.approx(to.param_groups[0]["lr"].item())


@pytest.mark.parametrize("kwargs", [{}, {"nesterov": False, "adjust_lr_fn": "match_rms_adamw", "weight_decay": 0.0},
                                    {"ns_steps": 3, "momentum": 0.5}])
def test_muon_steps_match_torch(kwargs):
    """Muon orthogonalizes in bfloat16 (as torch does): parameters and buffers agree to bfloat16's precision."""
    torch = torch_or_skip()
    rng = np.random.default_rng(4)
    w0, x = rng.standard_normal((6, 4)).astype(np.float32), rng.standard_normal((5, 4)).astype(np.float32)

    def run(m):
        w = m.nn.Parameter(m.tensor(w0))
        opt = m.optim.Muon([w], lr=0.02, **kwargs)
        for _ in range(3):
            opt.zero_grad()
            ((m.tensor(x) @ w.T) ** 2).sum().backward()
            opt.step()
        return w.detach().numpy(), opt.state[w]["momentum_buffer"].numpy()
    for ours, theirs in zip(run(lg), run(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=2e-2, atol=1e-2)


def test_muon_errors_like_torch():
    from tests.distribution_oracle import raised
    torch = torch_or_skip()
    calls = [lambda m: m.optim.Muon([m.nn.Parameter(m.ones(3))]),
             lambda m: m.optim.Muon([m.nn.Parameter(m.ones(2, 2))], lr=-1.0),
             lambda m: m.optim.Muon([m.nn.Parameter(m.ones(2, 2))], adjust_lr_fn="other"),
             lambda m: m.optim.Muon([m.nn.Parameter(m.ones(2, 2))], weight_decay=-0.1)]
    for call in calls:
        assert raised(lambda: call(lg)) == raised(lambda: call(torch))


def test_scheduler_warns_as_torch_of_steps_out_of_order_and_of_get_lr():
    optimizer = lg.optim.SGD([lg.nn.Parameter(lg.ones(1))], lr=1.0)
    scheduler = lg.optim.lr_scheduler.StepLR(optimizer, 2)
    with pytest.warns(UserWarning, match=r"^Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`"):
        scheduler.step()
    with pytest.warns(UserWarning, match=r"^To get the last learning rate computed by the scheduler"):
        scheduler.get_lr()
    optimizer = lg.optim.SGD([lg.nn.Parameter(lg.ones(1))], lr=1.0)
    scheduler = lg.optim.lr_scheduler.StepLR(optimizer, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optimizer.step()
        scheduler.step()
    assert scheduler.get_last_lr() == [1.0] and optimizer._opt_called


def _epoch_steps(m, make, epochs):
    """Learning rates, warnings and any error of a scheduler stepped with explicit epochs (torch's deprecated form)."""
    opt = m.optim.SGD([m.nn.Parameter(m.ones(1))], lr=0.1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            scheduler = make(m.optim.lr_scheduler, opt)
            lrs = []
            for epoch in epochs:
                opt.step()
                scheduler.step(1.0, epoch) if isinstance(scheduler, m.optim.lr_scheduler.ReduceLROnPlateau) \
                    else scheduler.step(epoch)
                lrs.append(opt.param_groups[0]["lr"])
        except ZeroDivisionError as error:
            lrs = str(error)
    return lrs, sorted({str(w.message) for w in caught})


@pytest.mark.parametrize("make", [lambda s, o: s.LinearLR(o, start_factor=0.5, end_factor=0.25, total_iters=3),
                                  lambda s, o: s.LinearLR(o, start_factor=1.0, end_factor=0.5, total_iters=0),
                                  lambda s, o: s.ExponentialLR(o, gamma=0.7),
                                  lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2),
                                  lambda s, o: s.ReduceLROnPlateau(o, patience=0)])
def test_scheduler_step_with_an_epoch_is_torchs_closed_form_and_warns(make):
    """step(epoch) jumps to the closed form with torch's deprecation warning, exactly as torch rounds it (a
    LinearLR of total_iters=0 fails with torch's float division)."""
    torch = torch_or_skip()
    epochs = [3, 1, 5, 2]
    assert _epoch_steps(lg, make, epochs) == _epoch_steps(torch, make, epochs)


def test_scheduler_state_has_torchs_keys():
    torch = pytest.importorskip("torch")
    states = []
    for m in (lg, torch):
        optimizer = m.optim.SGD([m.nn.Parameter(m.ones(1))], lr=1.0)
        scheduler = m.optim.lr_scheduler.StepLR(optimizer, 2)
        optimizer.step()
        scheduler.step()
        states.append(scheduler.state_dict())
    assert states[0] == states[1]
