"""torch.utils.checkpoint (lazygrad/utils/checkpoint.py): a checkpointed part gives torch's values, input
and parameter gradients and nodes in both forms; the reentrant form keeps no graph inside the part,
recomputes it with the same random numbers, and refuses autograd.grad as torch does."""
import warnings

import numpy as np
import pytest

import lazygrad as lg
from oracle import same_error, torch_or_skip

X = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)


def _model(lib, weights=None):
    lib.manual_seed(0)
    first, second = lib.nn.Linear(3, 5), lib.nn.Linear(5, 2)
    if weights is not None:
        for layer, state in zip((first, second), weights):
            layer.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
    return first, second


def _step(lib, reentrant, weights=None):
    first, second = _model(lib, weights)
    x = lib.tensor(X, requires_grad=True)
    hidden = lib.utils.checkpoint.checkpoint(lambda h: first(h).relu() * 2, x, use_reentrant=reentrant)
    loss = second(hidden).square().sum()
    loss.backward()
    return (type(hidden.grad_fn).__name__, loss.item(), x.grad.numpy(), first.weight.grad.numpy(),
            second.bias.grad.numpy())


@pytest.mark.parametrize("reentrant", [True, False])
def test_values_gradients_and_nodes_like_torch(reentrant):
    torch = torch_or_skip()
    first, second = _model(torch)
    weights = [{k: v.detach().numpy() for k, v in layer.state_dict().items()} for layer in (first, second)]
    ours, theirs = _step(lg, reentrant, weights), _step(torch, reentrant, weights)
    assert ours[0] == theirs[0] == ("CheckpointFunctionBackward" if reentrant else "MulBackward0")
    assert ours[1] == pytest.approx(theirs[1], rel=1e-5)
    for a, b in zip(ours[2:], theirs[2:]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_the_reentrant_part_keeps_no_graph_and_matches_running_it_plainly():
    first, second = _model(lg)
    x = lg.tensor(X, requires_grad=True)
    hidden = lg.utils.checkpoint.checkpoint(lambda h: first(h).tanh(), x, use_reentrant=True)
    (node, _), = [e for e in hidden.grad_fn.next_functions if e[0] is not None]
    assert type(node).__name__ == "AccumulateGrad" and node.variable is x  # nothing of Linear in between
    (hidden * lg.arange(10.0).reshape(2, 5)[:1]).sum().backward()
    grads = x.grad.numpy(), first.weight.grad.numpy()
    x.grad = first.weight.grad = None
    (first(x).tanh() * lg.arange(10.0).reshape(2, 5)[:1]).sum().backward()
    np.testing.assert_allclose(grads[0], x.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(grads[1], first.weight.grad.numpy(), rtol=1e-6)


def test_recomputation_draws_the_same_random_numbers_and_leaves_the_stream_alone():
    lg.manual_seed(3)
    x = lg.ones(2000, requires_grad=True)
    y = lg.utils.checkpoint.checkpoint(lambda a: lg.nn.functional.dropout(a, 0.5), x, use_reentrant=True)
    state = lg.get_rng_state()
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())  # (kept elements are 2, dropped 0)
    assert lg.get_rng_state().tolist() == state.tolist()


def test_autograd_grad_through_a_reentrant_part_raises_like_torch():
    torch = torch_or_skip()

    def call(lib):
        x = lib.tensor(X, requires_grad=True)
        return lib.autograd.grad(lib.utils.checkpoint.checkpoint(lambda a: a.sin(), x, use_reentrant=True).sum(), x)
    same_error(lambda: call(lg), lambda: call(torch))
    x = lg.tensor(X, requires_grad=True)
    (g,) = lg.autograd.grad(lg.utils.checkpoint.checkpoint(lambda a: a.sin(), x, use_reentrant=False).sum(), x)
    np.testing.assert_allclose(g.numpy(), np.cos(X), rtol=1e-6)


@pytest.mark.parametrize("call", [
    lambda m: m.utils.checkpoint.checkpoint(lambda a: a, m.ones(1, requires_grad=True), use_reentrant=True, debug=True),
    lambda m: m.utils.checkpoint.checkpoint(lambda a: a, m.ones(1, requires_grad=True), use_reentrant=True, foo=1),
    lambda m: m.utils.checkpoint.checkpoint_sequential([m.nn.ReLU()], 1, m.ones(1), use_reentrant=True, foo=1)])
def test_bad_arguments_raise_like_torch(call):
    torch = torch_or_skip()
    same_error(lambda: call(lg), lambda: call(torch))


def test_warnings_without_use_reentrant_or_inputs_needing_grad():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = lg.utils.checkpoint.checkpoint(lambda a: a * 2, lg.ones(2))
    messages = [str(w.message) for w in caught]
    assert any("use_reentrant parameter should be passed explicitly" in m for m in messages)
    assert any("None of the inputs have requires_grad=True" in m for m in messages)
    assert not y.requires_grad and y.tolist() == [2.0, 2.0]


def test_checkpoint_sequential_matches_the_plain_sequential():
    lg.manual_seed(0)
    model = lg.nn.Sequential(*[lg.nn.Linear(3, 3) for _ in range(5)], lg.nn.Tanh())
    results = []
    for checkpointed in (True, False):
        model.zero_grad()
        x = lg.tensor(X, requires_grad=True)
        out = lg.utils.checkpoint.checkpoint_sequential(model, 3, x, use_reentrant=True) if checkpointed else model(x)
        out.square().sum().backward()
        results.append([out.detach().numpy(), x.grad.numpy(), model[0].weight.grad.numpy()])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_the_module_helpers_like_torch():
    torch = torch_or_skip()

    def run(m):
        c = m.utils.checkpoint
        x = m.tensor([1.0, 2.0], requires_grad=True)
        detached = c.detach_variable((x, 3, m.ones(2)))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            c.check_backward_validity([m.ones(2), 1])
        context = c.create_selective_checkpoint_contexts(lambda ctx, op, *a, **k: c.CheckpointPolicy.MUST_SAVE)
        y = c.checkpoint(lambda v: (v * v).sin(), x, use_reentrant=False, context_fn=lambda: context)
        (g,) = m.autograd.grad(y.sum(), x)
        return [[type(d).__name__ for d in detached], detached[0].requires_grad, detached[0] is x,
                detached[2].requires_grad, [str(w.message) for w in caught],
                [p.name for p in c.CheckpointPolicy], c.DefaultDeviceType.get_device_type(),
                [type(cm).__name__ for cm in c.noop_context_fn()], g.tolist(), issubclass(c.CheckpointError, RuntimeError)]
    ours, theirs = run(lg), run(torch)
    np.testing.assert_allclose(ours[8], theirs[8], rtol=1e-6)
    assert ours[:8] + ours[9:] == theirs[:8] + theirs[9:]
