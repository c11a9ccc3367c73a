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
