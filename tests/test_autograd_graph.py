"""autograd.graph against torch: the node type and gradient edges, multi-tensor gradient hooks, and the hooks
on the tensors backward nodes save (which tensors each op saves, and that formulas read the unpacked ones)."""
from __future__ import annotations

import numpy as np
import pytest

import lazygrad as lg
from distribution_oracle import raised
from oracle import torch_or_skip

PROGRAMS = {
    "product": lambda m, x: (x * x).sum(), "exp then sin": lambda m, x: x.exp().sin().sum(),
    "sum of a sum": lambda m, x: (x + 1).sum(), "matrix product": lambda m, x: (x.reshape(2, 2) @ x.reshape(2, 2)).sum(),
    "tanh": lambda m, x: x.tanh().sum(), "division": lambda m, x: (x / (x + 2)).sum(),
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_saved_tensors_are_packed_and_unpacked_like_torch(name):
    """The same number of saved tensors per program, and gradients computed from the unpacked tensors (here
    the unpack hook doubles them, so the gradient changes the same way as torch's)."""
    torch = torch_or_skip()

    def run(m):
        calls = []

        def pack(t):
            calls.append("pack")
            return t

        def unpack(t):
            calls.append("unpack")
            return t * 2
        x = m.tensor([0.5, 1.0, 1.5, 2.0], requires_grad=True)
        with m.autograd.graph.saved_tensors_hooks(pack, unpack):
            y = PROGRAMS[name](m, x)
        y.backward()
        return calls.count("pack"), calls.count("unpack"), x.grad.tolist()
    ours, theirs = run(lg), run(torch)
    assert ours[:2] == theirs[:2]
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-5)


def test_save_on_cpu_and_disabling():
    torch = torch_or_skip()

    def run(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        with m.autograd.graph.save_on_cpu():
            y = (x * x.exp()).sum()
        y.backward()
        with m.autograd.graph.disable_saved_tensors_hooks("no hooks here"):
            message = raised(lambda: m.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t).__enter__())
        return x.grad.tolist(), message
    ours, theirs = run(lg), run(torch)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-6)
    assert ours[1] == theirs[1]


def test_multi_grad_hooks_like_torch():
    torch = torch_or_skip()

    def run(m):
        a, b = m.tensor([1.0], requires_grad=True), m.tensor([2.0], requires_grad=True)
        seen = []
        m.autograd.graph.register_multi_grad_hook((a, b), lambda grads: seen.append(
            [None if g is None else g.tolist() for g in grads]))
        (a * 3).sum().backward()
        (a * 3 + b * 2).sum().backward()
        handle = m.autograd.graph.register_multi_grad_hook((a, b), lambda g: seen.append(g.tolist()), mode="any")
        (a * 5 + b).sum().backward()
        handle.remove()
        (a * 7).sum().backward()
        return seen
    assert run(lg) == run(torch)


def test_nodes_and_edges_like_torch():
    torch = torch_or_skip()

    def run(m):
        a = m.tensor([1.0], requires_grad=True)
        edge, inner = m.autograd.graph.get_gradient_edge(a), m.autograd.graph.get_gradient_edge(a * 2)
        b = a * 1
        m.autograd.graph.increment_version(b)
        return [type(edge.node).__name__, edge.output_nr, type(inner.node).__name__,
                isinstance(inner.node, m.autograd.graph.Node), b._version,
                raised(lambda: m.autograd.graph.get_gradient_edge(m.ones(1)))]
    assert run(lg) == run(torch)


def _listing(node) -> tuple:
    """A node's name and what its next_functions list: each entry's node name (None for none) and output_nr."""
    return node.name(), [(None if n is None else n.name(), nr) for n, nr in node.next_functions]


LISTINGS = {
    "a number added": lambda m, a, w: a + 2, "added to a number": lambda m, a, w: 2 + a,
    "subtracted from a number": lambda m, a, w: 2 - a, "a number divided by it": lambda m, a, w: 3 / a,
    "an integer operand": lambda m, a, w: a * m.tensor([1, 2, 3]), "a mask operand": lambda m, a, w: a * (a > 0),
    "where with a number": lambda m, a, w: m.where(a > 0, 2.0, a), "clamp by numbers": lambda m, a, w: a.clamp(0, 1),
    "clamp by a tensor": lambda m, a, w: a.clamp(None, a), "lerp": lambda m, a, w: m.lerp(a, a.exp(), 0.5),
    "a shape": lambda m, a, w: a.reshape(3, 1).expand(3, 2), "an index": lambda m, a, w: a.gather(0, m.tensor([2, 0])),
    "a masked fill": lambda m, a, w: a.masked_fill(a > 0, m.tensor(1.0)), "cat": lambda m, a, w: m.cat([a, w, a]),
    "a convolution without bias": lambda m, a, w: m.nn.functional.conv1d(a.reshape(1, 1, 3), w.reshape(1, 1, 2)),
    "a layer norm without affine": lambda m, a, w: m.nn.functional.layer_norm(a, (3,)),
    "a weighted nll loss": lambda m, a, w: m.nn.functional.nll_loss(a.reshape(1, 3), m.tensor([1]),
                                                                    weight=m.tensor([0.5, 2.0, 1.0])),
    "an embedding": lambda m, a, w: m.nn.functional.embedding(m.tensor([1, 0]), a.reshape(3, 1)),
    "a kron": lambda m, a, w: m.kron(a, w).sum(), "a slice written": lambda m, a, w: _written(a, w),
    "a number written": lambda m, a, w: _written(a, 5.0),
    "a custom function": lambda m, a, w: _scaled(m).apply(a, 3, w.sum()),
}


def _written(a, value):
    b = a * 1
    b[1:] = value
    return b


def _scaled(m):
    class Scaled(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, k, y):
            return x * k + y

        @staticmethod
        def backward(ctx, g):
            return g * 3, None, g.sum()
    return Scaled


@pytest.mark.parametrize("name", list(LISTINGS))
def test_next_functions_list_torchs_inputs(name):
    """A node lists what torch's lists: the tensor parameters of the op's schema (an index, a mask, a shape or a
    number left out, except a number an arithmetic op takes as a tensor), in torch's order, with the nodes (by
    torch's qualified names) each gradient goes to."""
    torch = torch_or_skip()

    def run(m):
        a, w = m.tensor([0.5, -1.0, 2.0], requires_grad=True), m.tensor([1.5, 0.25], requires_grad=True)
        return _listing(LISTINGS[name](m, a, w).grad_fn)
    assert run(lg) == run(torch)


def _shown(value):
    """A node call's result in a form both libraries print alike."""
    if isinstance(value, tuple):
        return tuple(_shown(v) for v in value)
    return None if value is None else np.asarray(value.detach()).round(6).tolist()


NODE_CALLS = {
    "two inputs, one needing none": lambda m, x: (x * 2).grad_fn(m.ones(3)),
    "one input": lambda m, x: x.exp().grad_fn(m.ones(3)),
    "a detached operand": lambda m, x: (x + x.detach()).grad_fn(m.ones(3)),
    "two outputs": lambda m, x: x.split(2)[0].grad_fn(m.ones(2), m.ones(1)),
    "a sum": lambda m, x: x.sum().grad_fn(m.tensor(1.0)),
    "a linear layer (the bias's gradient unsummed)": lambda m, x: m.nn.functional.linear(
        m.ones(4, 3), x.reshape(1, 3).expand(2, 3), x[:2]).grad_fn(m.ones(4, 2)),
    "a number divided by it": lambda m, x: (1 / x).grad_fn(m.ones(3)),
    "a convolution": lambda m, x: m.nn.functional.conv1d(m.ones(1, 2, 4), x.reshape(1, 1, 3).expand(1, 2, 3)).grad_fn(
        m.ones(1, 1, 2)),
}


@pytest.mark.parametrize("name", list(NODE_CALLS))
def test_calling_a_node_like_torch(name):
    """grad_fn(*grad_outputs) gives the node's input gradients as torch's call does (None where an input
    needs none, a lone tensor for one input)."""
    torch = torch_or_skip()
    got = NODE_CALLS[name](lg, lg.tensor([1.0, 2.0, 3.0], requires_grad=True))
    want = NODE_CALLS[name](torch, torch.tensor([1.0, 2.0, 3.0], requires_grad=True))
    assert _shown(got) == _shown(want)


def test_calling_nodes_checks_arity_and_accumulates_into_leaves():
    torch = torch_or_skip()
    for m in (torch, lg):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(TypeError, match="expected 2 arguments, got 1 instead"):
            x.split(1)[0].grad_fn(m.ones(1))
        accumulate = x.exp().grad_fn.next_functions[0][0]
        assert accumulate(m.ones(2)) == () and accumulate(m.ones(2)) == ()
        assert x.grad.tolist() == [2.0, 2.0]
    images = lg.ones(1, 2, 5, 5)
    w, b = lg.ones(3, 2, 3, 3, requires_grad=True), lg.ones(3, requires_grad=True)
    y = lg.nn.functional.conv2d(images, w, b)
    gx, gw, gb = y.grad_fn(lg.ones_like(y))
    assert gx is None and gw.shape == w.shape and gb.tolist() == [9.0, 9.0, 9.0]


SAVED = {  # program, the node attribute read, and how its value is compared
    "pow keeps its input": (lambda m, x, w: x.pow(2), "_saved_self"),
    "pow keeps its exponent": (lambda m, x, w: x.pow(3), "_saved_exponent"),
    "exp keeps its result": (lambda m, x, w: x.exp(), "_saved_result"),
    "mul keeps both operands": (lambda m, x, w: x * w, "_saved_other"),
    "add keeps alpha": (lambda m, x, w: m.add(x, w, alpha=2), "_saved_alpha"),
    "add keeps no tensor": (lambda m, x, w: x + w, "_saved_self"),
    "softmax keeps dim and result": (lambda m, x, w: x.softmax(0), "_saved_result"),
    "no such value": (lambda m, x, w: x.exp(), "_saved_nothing"),
}


def _saved(m, name):
    program, attribute = SAVED[name]
    x, w = m.tensor([1.0, 2.0], requires_grad=True), m.tensor([3.0, -4.0], requires_grad=True)
    y = program(m, x, w)
    try:
        value = getattr(y.grad_fn, attribute)
    except AttributeError as error:
        return "AttributeError", str(error)
    if isinstance(value, m.Tensor):  # which tensor: an input itself, or another object with the output's values
        return value.tolist(), value is x, value is w, value is y, value.grad_fn is y.grad_fn
    return value


@pytest.mark.parametrize("name", SAVED)
def test_saved_values_are_named_like_torch(name):
    """grad_fn._saved_<parameter>, as torch's autograd docs read them: the same object for a saved input, a new
    one for the output (its values and node), the arguments that are not tensors."""
    torch = torch_or_skip()
    assert _saved(lg, name) == _saved(torch, name)


@pytest.mark.parametrize("program", [lambda m, x, w: x * w, lambda m, x, w: x.exp(), lambda m, x, w: x.pow(2),
                                     lambda m, x, w: x.clamp(0, 1), lambda m, x, w: x.tanh(),
                                     lambda m, x, w: m.add(x, w, alpha=2), lambda m, x, w: m.cat([x, w])])
def test_dir_of_a_node_lists_its_saved_values(program):
    torch = torch_or_skip()
    listed = []
    for m in (lg, torch):
        x, w = m.tensor([1.0, 2.0], requires_grad=True), m.tensor([3.0, -4.0], requires_grad=True)
        node = program(m, x, w).grad_fn
        names = [n for n in dir(node) if n.startswith("_saved_")]
        assert all(hasattr(node, n) for n in names)
        listed.append(names)
    assert listed[0] == listed[1]


def test_saved_values_are_gone_after_backward():
    torch = torch_or_skip()
    errors = []
    for m in (lg, torch):
        y = m.tensor([1.0, 2.0], requires_grad=True).exp()
        y.sum().backward()
        errors.append(raised(lambda: y.grad_fn._saved_result))
    assert errors[0] == errors[1] and errors[0][0] == "RuntimeError"
