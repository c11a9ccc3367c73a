"""Hooks on the backward pass against torch: a node's pre-hooks and hooks (grad_fn.register_prehook /
register_hook), custom Functions that return their inputs, and nn.Module's full, plain and global backward
hooks with the gradients they see and replace."""
import warnings

import numpy as np
import pytest

import lazygrad as lg
import lazygrad.nn as nn
from oracle import same_error, torch_or_skip


def shapes(grads):
    return [None if g is None else tuple(g.shape) for g in grads]


def values(grads):
    return [None if g is None else np.asarray(g.detach().numpy()).tolist() for g in grads]


def run_both(program):
    """program(module) run on lazygrad and on torch: what it returns, for the two to be compared."""
    torch = torch_or_skip()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return program(lg), program(torch)


def test_node_hooks_see_and_replace_gradients():
    def program(t):
        x = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * t.tensor([4.0, 5.0, 6.0])
        seen = []
        y.grad_fn.register_prehook(lambda go: seen.append(("pre", values(go))) or (go[0] * 2,))
        handle = y.grad_fn.register_hook(lambda gi, go: seen.append(("post", values(gi), values(go))) or
                                         (gi[0] + 1, None))
        y.sum().backward(retain_graph=True)
        first = x.grad.tolist()
        handle.remove()
        x.grad = None
        y.sum().backward()
        return seen, first, x.grad.tolist()

    ours, theirs = run_both(program)
    assert ours == theirs
    assert ours[1] == [9.0, 11.0, 13.0] and ours[2] == [8.0, 10.0, 12.0]


def test_accumulate_grad_node_hooks():
    def program(t):
        x = t.ones(2, requires_grad=True)
        acc = (x * 3).grad_fn.next_functions[0][0]
        seen = []
        acc.register_prehook(lambda go: seen.append(("pre", values(go))) or (go[0] * 10,))
        acc.register_hook(lambda gi, go: seen.append(("post", len(gi), values(go))))
        (x * 3).sum().backward()
        return seen, x.grad.tolist()

    ours, theirs = run_both(program)
    assert ours == theirs and ours[1] == [30.0, 30.0]


def test_node_hook_returning_the_wrong_count_raises_torchs_error():
    torch = torch_or_skip()

    def program(t):
        x = t.ones(2, requires_grad=True)
        y = x * 2

        def bad(go):
            return go[0], go[0]
        y.grad_fn.register_prehook(bad)
        return lambda: y.sum().backward()

    same_error(program(lg), program(torch), RuntimeError)


@pytest.mark.parametrize("hook, exc", [(lambda g: g[:1], RuntimeError), (lambda g: 3, TypeError)])
@pytest.mark.parametrize("on_leaf", [True, False])
def test_a_tensor_hook_must_keep_its_gradients_size_and_type(hook, exc, on_leaf):
    torch = torch_or_skip()

    def program(t):
        x = t.ones(3, requires_grad=True)
        y = x * 2
        (x if on_leaf else y).register_hook(hook)
        return lambda: y.sum().backward()

    same_error(program(lg), program(torch), exc)
    x = lg.ones(3, requires_grad=True)
    x.register_hook(lambda g: g.double())
    with pytest.raises(RuntimeError, match=r"has changed the type of value \(was torch.FloatTensor got "
                                           r"torch.DoubleTensor\)"):
        (x * 2).sum().backward()


def test_nodes_keep_the_users_metadata_and_grad_fn_is_read_only():
    x = lg.ones(2, requires_grad=True)
    y = x * 2
    y.grad_fn.metadata["step"] = 3
    assert y.grad_fn.metadata == {"step": 3}
    with pytest.raises(AttributeError, match="attribute 'grad_fn' of 'lazygrad.Tensor' objects is not writable"):
        y.grad_fn = None


def test_custom_function_returning_an_input_gives_a_view_and_leaves_the_input_alone():
    def program(t):
        class Identity(t.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                ctx.mark_non_differentiable(b)
                return a, b

            @staticmethod
            def backward(ctx, ga, gb):
                return ga * 2, None

        x, w = t.ones(3, requires_grad=True), t.ones(3, requires_grad=True)
        a, b = Identity.apply(x, w)
        (a * 3).sum().backward()
        return (a is x, a._base is x, x.is_leaf, x.grad_fn is None, b.requires_grad, b._base is None,
                type(a.grad_fn).__name__, x.grad.tolist())

    ours, theirs = run_both(program)
    assert ours == theirs
    assert ours[-1] == [6.0, 6.0, 6.0]


def linear_program(t, input_requires_grad: bool):
    layer = t.nn.Linear(3, 2)
    with t.no_grad():
        layer.weight.copy_(t.arange(6.0).reshape(2, 3))
        layer.bias.copy_(t.tensor([0.5, -1.0]))
    seen = []
    layer.register_full_backward_pre_hook(lambda m, go: seen.append(("pre", values(go))) or (go[0] * 2,))
    layer.register_full_backward_hook(lambda m, gi, go: seen.append(("hook", type(m).__name__, values(gi),
                                                                      values(go))))
    x = t.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]], requires_grad=input_requires_grad)
    layer(x).sum().backward()
    return seen, layer.bias.grad.tolist(), layer.weight.grad.tolist(), None if x.grad is None else x.grad.tolist()


@pytest.mark.parametrize("input_requires_grad", [True, False])
def test_full_backward_hooks_on_a_linear_layer(input_requires_grad):
    ours, theirs = run_both(lambda t: linear_program(t, input_requires_grad))
    assert ours == theirs
    assert ours[1] == [4.0, 4.0]  # the pre-hook doubled grad_output


def test_full_backward_hook_without_input_gradients_warns_as_torch_does():
    torch_or_skip()
    with pytest.warns(UserWarning, match="Full backward hook is firing when gradients are computed with respect "
                                         "to module outputs since no inputs require gradients"):
        linear_program(lg, False)


def mix_forward(self, a, k, b):
    return a * b, a + k, "label"


def test_full_backward_hook_replaces_grad_input_and_sees_every_argument():
    """grad_input has a slot per positional argument (None for the int); grad_output one per output."""
    def program(t):
        module = type("Mix", (t.nn.Module,), {"forward": mix_forward})()
        seen = []
        module.register_full_backward_hook(lambda m, gi, go: seen.append((shapes(gi), shapes(go))) or
                                           (gi[0] * 10, None, gi[2]))
        a, b = t.tensor([1.0, 2.0], requires_grad=True), t.tensor([3.0, 4.0])
        out = module(a, 5, b)
        (out[0].sum() + out[1].sum()).backward()
        return seen, a.grad.tolist(), out[2]

    ours, theirs = run_both(program)
    assert ours == theirs
    assert ours[1] == [40.0, 50.0]


def test_backward_hook_wrong_count_and_mixing_kinds_raise_torchs_errors():
    torch = torch_or_skip()

    def wrong_count(t):
        layer = t.nn.Linear(2, 2)
        layer.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
        x = t.ones(1, 2, requires_grad=True)
        return lambda: layer(x).sum().backward()

    same_error(wrong_count(lg), wrong_count(torch), RuntimeError)

    def mixing(t):
        layer = t.nn.Linear(2, 2)
        layer.register_full_backward_hook(lambda m, gi, go: None)
        return lambda: layer.register_backward_hook(lambda m, gi, go: None)

    same_error(mixing(lg), mixing(torch), RuntimeError)


def test_plain_backward_hook_sees_the_output_node_and_warns():
    def program(t):
        layer = t.nn.Linear(3, 2)
        seen = []
        layer.register_backward_hook(lambda m, gi, go: seen.append((shapes(gi), shapes(go))))
        x = t.ones(4, 3, requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = layer(x)
        out.sum().backward()
        return seen, [str(w.message) for w in caught], type(out.grad_fn).__name__

    ours, theirs = run_both(program)
    assert ours == theirs
    assert ours[2] == "AddmmBackward0" and "multiple autograd Nodes" in ours[1][0]


def test_global_module_hooks_run_for_every_module_in_order():
    def program(t):
        from importlib import import_module
        registry = import_module(f"{t.__name__}.nn.modules.module")
        seen = []
        handles = [registry.register_module_full_backward_hook(lambda m, gi, go: seen.append(("bw", type(m).__name__))),
                   registry.register_module_forward_hook(lambda m, a, o: seen.append(("fw", type(m).__name__)))]
        try:
            model = t.nn.Sequential(t.nn.Linear(3, 3), t.nn.Tanh())
            model(t.ones(2, 3, requires_grad=True)).sum().backward()
        finally:
            for h in handles:
                h.remove()
        model(t.ones(2, 3, requires_grad=True)).sum().backward()
        return seen

    ours, theirs = run_both(program)
    assert ours == theirs
    assert ours[-1] == ("bw", "Sequential")


def test_backward_hooks_do_not_fire_without_grad():
    layer = nn.Linear(2, 2)
    seen = []
    layer.register_full_backward_hook(lambda m, gi, go: seen.append(1))
    with lg.no_grad():
        out = layer(lg.ones(1, 2, requires_grad=True))
    assert not out.requires_grad and seen == []
    np.testing.assert_allclose(out.numpy(), (lg.ones(1, 2) @ layer.weight.detach().t() + layer.bias.detach()).numpy())


def _identity(t):
    """A custom Function (of library t) that returns its input as it is."""
    class Identity(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g
    return Identity


def test_writing_in_place_into_a_custom_functions_returned_input_raises_torchs_error():
    """An input a custom Function returns as it is comes back as a view; modifying it in place under autograd
    would bypass the Function's backward, so torch forbids it (a module's in-place ReLU under a full
    backward hook hits the same rule); under no_grad it is allowed."""
    torch = torch_or_skip()

    def program(t):
        x = t.ones(3, requires_grad=True) * 1
        calls = [lambda: _identity(t).apply(x).add_(1)]
        model = t.nn.Sequential(t.nn.Linear(3, 3), t.nn.ReLU(inplace=True))
        model[1].register_full_backward_hook(lambda m, gi, go: None)
        calls.append(lambda: model(t.ones(2, 3, requires_grad=True)))
        return calls

    for ours, theirs in zip(program(lg), program(torch)):
        same_error(ours, theirs, RuntimeError)
    x = lg.ones(3, requires_grad=True) * 1
    with lg.no_grad():
        _identity(lg).apply(x).add_(1)
    np.testing.assert_array_equal(x.detach().numpy(), [2.0, 2.0, 2.0])
