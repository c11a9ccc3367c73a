"""Backward nodes carry torch's names: nn.functional ops built from other ops record behind one node of the
name torch gives (autograd/composite.py), with the gradients, higher derivatives, graph freeing and warning
locations of the ops they are made of."""
import warnings

import numpy as np
import pytest

import lazygrad as lg
from oracle import torch_or_skip


def calls(t):
    """name -> a call of torch's API on module t (lazygrad or torch), returning a tensor with a grad_fn."""
    F = t.nn.functional
    rng = np.random.default_rng(0)

    def tensor(*shape, grad=True, low=None):
        values = rng.uniform(0.05, 0.95, shape) if low else rng.standard_normal(shape)
        return t.tensor(values.astype(np.float32), requires_grad=grad)

    x, x1, x3 = tensor(2, 4, 6, 6), tensor(2, 4, 6), tensor(2, 4, 4, 4, 4)
    m, p = tensor(4, 5), tensor(4, 5, low=True)
    y, w = tensor(4, 5, grad=False), tensor(4)
    target = t.tensor([0, 1, 2, 3])
    return {
        "gelu": lambda: F.gelu(x), "silu": lambda: F.silu(x), "mish": lambda: F.mish(x), "elu": lambda: F.elu(x),
        "selu": lambda: F.selu(x), "celu": lambda: F.celu(x), "leaky_relu": lambda: F.leaky_relu(x),
        "hardtanh": lambda: F.hardtanh(x), "relu6": lambda: F.relu6(x), "softplus": lambda: F.softplus(x),
        "logsigmoid": lambda: F.logsigmoid(x), "hardswish": lambda: F.hardswish(x),
        "hardsigmoid": lambda: F.hardsigmoid(x), "glu": lambda: F.glu(x, 1), "prelu": lambda: F.prelu(x, w),
        "hardshrink": lambda: F.hardshrink(x), "softshrink": lambda: F.softshrink(x),
        "threshold": lambda: F.threshold(x, 0.1, 0.0), "rrelu": lambda: F.rrelu(x),
        "elu_": lambda: F.elu(x * 1, inplace=True), "leaky_relu_": lambda: F.leaky_relu(x * 1, inplace=True),
        "cross_entropy": lambda: F.cross_entropy(m, target), "cross_entropy_2d": lambda: F.cross_entropy(x, target[:2, None, None].expand(2, 6, 6)),
        "nll_loss": lambda: F.nll_loss(m, target, reduction="none"), "mse_loss": lambda: F.mse_loss(m, y),
        "ldexp": lambda: t.ldexp(m, target[:, None]), "ldexp_by_floats": lambda: t.ldexp(m, y),
        "cross_entropy_smoothed": lambda: F.cross_entropy(m, target, label_smoothing=0.1),
        "cross_entropy_smoothed_sum": lambda: F.cross_entropy(m, target, label_smoothing=0.1, reduction="sum"),
        "cross_entropy_probabilities": lambda: F.cross_entropy(m, m.detach().softmax(1)),
        "cross_entropy_1d_unreduced": lambda: F.cross_entropy(x[:, :, 0], target[:2, None].expand(2, 6), reduction="none"),
        "nll_loss_4d_unreduced": lambda: F.nll_loss(x, target[:2, None, None].expand(2, 6, 6), reduction="none"),
        "smooth_l1_loss": lambda: F.smooth_l1_loss(m, y), "huber_loss": lambda: F.huber_loss(m, y),
        "binary_cross_entropy": lambda: F.binary_cross_entropy(p, y.sigmoid()),
        "binary_cross_entropy_with_logits": lambda: F.binary_cross_entropy_with_logits(m, y.sigmoid()),
        "soft_margin_loss": lambda: F.soft_margin_loss(m, y.sign()), "multi_margin_loss": lambda: F.multi_margin_loss(m, target),
        "layer_norm": lambda: F.layer_norm(x, (6,)), "batch_norm": lambda: F.batch_norm(x, None, None, w, w, True),
        "group_norm": lambda: F.group_norm(x, 2, w, w), "instance_norm": lambda: F.instance_norm(x, weight=w, bias=w),
        "max_pool1d": lambda: F.max_pool1d(x1, 2), "max_pool2d": lambda: F.max_pool2d(x, 2), "max_pool3d": lambda: F.max_pool3d(x3, 2),
        "avg_pool2d": lambda: F.avg_pool2d(x, 2), "avg_pool3d": lambda: F.avg_pool3d(x3, 2),
        "adaptive_avg_pool2d": lambda: F.adaptive_avg_pool2d(x, 3), "global_avg_pool": lambda: F.adaptive_avg_pool2d(x, 1),
        "adaptive_max_pool2d": lambda: F.adaptive_max_pool2d(x, 3),
        "embedding": lambda: F.embedding(target, m), "embedding_bag": lambda: F.embedding_bag(target, m, t.tensor([0, 2])),
        "reflection_pad": lambda: F.pad(x, (1, 1, 1, 1), mode="reflect"), "replication_pad1d": lambda: F.pad(x1, (1, 2), mode="replicate"),
        "circular_pad": lambda: F.pad(x, (1, 2, 0, 1), mode="circular"),
        "nearest": lambda: F.interpolate(x, scale_factor=2), "bilinear": lambda: F.interpolate(x, scale_factor=2, mode="bilinear"),
        "bicubic": lambda: F.interpolate(x, size=(3, 5), mode="bicubic"), "linear": lambda: F.interpolate(x1, scale_factor=2, mode="linear"),
        "area": lambda: F.interpolate(x, size=3, mode="area"), "unfold": lambda: F.unfold(x, 2),
        "pixel_shuffle": lambda: F.pixel_shuffle(x, 2), "channel_shuffle": lambda: F.channel_shuffle(x, 2),
        "grid_sample": lambda: F.grid_sample(x, t.zeros(2, 3, 3, 2), align_corners=False),
        "pdist": lambda: F.pdist(m),
    }


def test_grad_fn_names_match_torch():
    torch = torch_or_skip()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = {k: type(f().grad_fn).__name__ for k, f in calls(lg).items()}
        theirs = {k: type(f().grad_fn).__name__ for k, f in calls(torch).items()}
    assert ours == theirs


@pytest.mark.parametrize("name", ["gelu", "mish", "elu_", "cross_entropy", "mse_loss", "binary_cross_entropy",
                                  "layer_norm", "batch_norm", "instance_norm", "max_pool2d", "avg_pool2d", "bilinear",
                                  "unfold"])
def test_gradients_through_named_nodes_match_torch(name):
    torch = torch_or_skip()
    results = []
    for t in (lg, torch):
        out = calls(t)[name]()
        leaves = [v for v in (out.grad_fn.next_functions if out.grad_fn else ()) if v[0] is not None]
        assert leaves, name
        weights = t.linspace(-1, 1, out.numel()).reshape(out.shape)
        total = (out * weights).sum()
        graph_inputs = [x for x in _leaves(out)]
        results.append([g.detach().numpy() for g in t.autograd.grad(total, graph_inputs)])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def _leaves(out):
    """The leaf tensors behind out's graph, in a fixed order."""
    found, stack, seen = [], [out.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if hasattr(node, "variable"):
            found.append(node.variable)
        stack.extend(n for n, _ in reversed(node.next_functions))
    return found


@pytest.mark.parametrize("fn", [lambda F, x: F.gelu(x), lambda F, x: F.elu(x), lambda F, x: F.mish(x),
                                lambda F, x: F.layer_norm(x, (4,)), lambda F, x: F.mse_loss(x, x.new_ones(3, 4)),
                                lambda F, x: F.cross_entropy(x, lg.tensor([0, 3, 1])),
                                lambda F, x: F.max_pool1d(x.unsqueeze(0), 2)])
def test_higher_derivatives_through_named_nodes(fn):
    x = lg.randn(3, 4, dtype=lg.float64, requires_grad=True)
    F = lg.nn.functional
    assert lg.autograd.gradcheck(lambda t: fn(F, t), (x,))
    assert lg.autograd.gradgradcheck(lambda t: fn(F, t), (x,))


def test_a_printed_loss_shows_torchs_node_and_its_graph_is_freed_after_backward():
    x = lg.randn(4, 5, requires_grad=True)
    loss = lg.nn.functional.cross_entropy(x, lg.tensor([0, 1, 2, 3]))
    assert repr(loss).endswith("grad_fn=<NllLossBackward0>)")
    loss.backward(retain_graph=True)
    first = x.grad.clone()
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first.numpy(), rtol=1e-6)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        loss.backward()


def test_a_tensor_passed_twice_gets_its_gradient_once():
    x = lg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    lg.nn.functional.mse_loss(x * 2, x, reduction="sum").backward()  # sum((2x - x)^2) = sum(x^2)
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0, 6.0])
    y = lg.tensor([1.0, 2.0], requires_grad=True)
    lg.nn.functional.mse_loss(y, y).backward()
    np.testing.assert_allclose(y.grad.numpy(), [0.0, 0.0])


def test_warnings_inside_named_ops_point_at_the_caller():
    theta = lg.zeros(1, 2, 3, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        grid = lg.nn.functional.affine_grid(theta, (1, 1, 2, 2))
        lg.nn.functional.grid_sample(lg.ones(1, 1, 2, 2, requires_grad=True), grid)
    assert len(caught) == 2 and all(w.filename == __file__ for w in caught), [(w.filename, w.message) for w in caught]


def operator_calls(t):
    """Arithmetic whose node torch names by the form of its call: a number on the left (rsub, a division
    made a product, a power of a number), tensor bounds of clamp, the norms."""
    x = t.tensor([0.7, 1.5, 2.0], requires_grad=True)
    y = t.tensor([0.2, 0.9, 3.0], requires_grad=True)
    m = t.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], requires_grad=True)
    return {"2 - x": lambda: 2 - x, "2 / x": lambda: 2 / x, "2 ** x": lambda: 2 ** x, "x ** y": lambda: x ** y,
            "x ** 2": lambda: x ** 2, "rsub(x, y)": lambda: t.rsub(x, y, alpha=2), "rsub(x, 2)": lambda: t.rsub(x, 2),
            "x - 2": lambda: x - 2, "pow(2, x)": lambda: t.pow(2, x), "clamp(x, 1)": lambda: x.clamp(1),
            "clamp(x, y)": lambda: x.clamp(y), "clamp(max=y)": lambda: x.clamp(max=y), "norm": lambda: m.norm(),
            "norm(3, 1)": lambda: m.norm(3, 1), "norm fro": lambda: t.norm(m, "fro", (0, 1)),
            "norm nuc": lambda: t.norm(m, "nuc"), "vector_norm": lambda: t.linalg.vector_norm(m, 1),
            # indexing: the last op its indices apply; a whole-dim slice in a tuple applies none
            "m[:, 1]": lambda: m[:, 1], "m[1:, 0]": lambda: m[1:, 0], "m[0, 1:]": lambda: m[0, 1:], "m[None, 0]": lambda: m[None, 0],
            "m[0, None]": lambda: m[0, None], "m[..., 1]": lambda: m[..., 1], "m[:]": lambda: m[:], "m[:, :]": lambda: m[:, :],
            "m[...]": lambda: m[...], "m[:, 0:3]": lambda: m[:, 0:3], "m[True]": lambda: m[True], "m[:, ::2]": lambda: m[:, ::2],
            "squeeze()": lambda: m[None].squeeze(), "squeeze(0)": lambda: m[None].squeeze(0),
            "squeeze((0,))": lambda: m[None].squeeze((0,)), "reshape (view)": lambda: m.reshape(3, 2),
            "reshape (copy)": lambda: m.t().reshape(6), "flatten (copy)": lambda: m.t().flatten(),
            "unbind": lambda: m.unbind(1)[2], "tile(2)": lambda: m.tile(2), "tile(2, 1)": lambda: m.tile(2, 1),
            # one node for both results, or torch's own node over a composition
            "var_mean": lambda: t.var_mean(m, 0)[0], "std_mean": lambda: t.std_mean(m, 1, keepdim=True)[1],
            "masked_select": lambda: m.masked_select(m > 0.4), "broadcast_to": lambda: x.broadcast_to(2, 3),
            "pairwise_distance": lambda: t.nn.functional.pairwise_distance(m, m.flip(0))}, (x, y, m)


@pytest.mark.parametrize("name", list(operator_calls(lg)[0]))
def test_operator_nodes_values_and_gradients_match_torch(name):
    torch = torch_or_skip()
    results = []
    for t in (lg, torch):
        calls, inputs = operator_calls(t)
        out = calls[name]()
        weights = t.linspace(-1, 2, out.numel()).reshape(out.shape)
        grads = t.autograd.grad((out * weights).sum(), inputs, allow_unused=True)
        results.append((type(out.grad_fn).__name__, out.detach().numpy(),
                        [None if g is None else g.numpy() for g in grads]))
    (ours, value, grads), (theirs, value_t, grads_t) = results
    assert ours == theirs
    np.testing.assert_allclose(value, value_t, rtol=1e-5, atol=1e-6)
    for g, g_t in zip(grads, grads_t):
        assert (g is None) == (g_t is None)
        if g is not None:
            np.testing.assert_allclose(g, g_t, rtol=1e-5, atol=1e-6)


def test_a_count_of_nonzeros_has_no_gradient_and_string_orders_are_matrix_norms():
    torch = torch_or_skip()
    for t in (lg, torch):
        x = t.tensor([[0.0, 1.5], [2.0, -1.0]], requires_grad=True)
        t.norm(x, p=0).backward()
        assert x.grad is None
        with pytest.raises(RuntimeError, match="The differentiated Tensor at index 0 appears to not have been used"):
            t.autograd.grad(t.norm(x, p=0), x)
        with pytest.raises(RuntimeError, match="dim must be a 2-tuple. Got 0 1 2"):
            t.norm(t.ones(2, 3, 4), p="nuc")
        with pytest.raises(RuntimeError, match="Order abc not supported"):
            t.norm(x, p="abc")


@pytest.mark.parametrize("split", [lambda x: x.split(2)[0], lambda x: x.split([1, 3])[1], lambda x: x.chunk(2)[1],
                                   lambda x: x.unbind(0)[1], lambda x: x.chunk(2)[0].unsqueeze(0).transpose(1, 2),
                                   lambda x: x[1:].split(1)[0][:, 1:]])
def test_views_of_an_op_returning_several_are_not_written_in_place_under_autograd(split):
    """torch's error for in-place writes into split/chunk/unbind outputs that require grad (allowed without), and
    into views of them (the message names the view's own node)."""
    torch = torch_or_skip()
    messages = []
    for t in (lg, torch):
        x = t.ones(4, 3, requires_grad=True) * 1
        with pytest.raises(RuntimeError) as caught:
            split(x).mul_(2)
        assert "is a view and is being modified inplace. This view is the output of a function that returns " \
               "multiple views." in str(caught.value)
        messages.append(str(caught.value))
        with t.no_grad():
            split(x).mul_(2)
        plain = t.ones(4, 3)
        split(plain).mul_(2)
        assert float(plain.sum()) > 12
    assert messages[0] == messages[1]


def test_in_place_views_record_torchs_in_place_nodes():
    torch = torch_or_skip()
    calls = ["transpose_(0, 1)", "swapdims_(0, 1)", "swapaxes_(0, 1)", "unsqueeze_(0)", "squeeze_()", "squeeze_(1)",
             "squeeze_((0, 1))", "as_strided_((3, 2), (1, 3))"]

    def names(m):
        x = m.zeros(2, 1, 3, requires_grad=True) * 1
        out = []
        for call in calls:
            y = x.clone()
            eval(f"y.{call}")
            out.append(type(y.grad_fn).__name__)
        y = x[0].clone()
        y.t_()
        return out + [type(y.grad_fn).__name__]
    assert names(lg) == names(torch)


def test_one_sided_clamps_record_torchs_nodes_and_gradients():
    torch = torch_or_skip()

    def run(m):
        a, bound = m.tensor([1.0, 2.0, 0.5], requires_grad=True), m.tensor([1.5, 1.0, 1.0], requires_grad=True)
        out = []
        for f in (lambda: a.clamp_min(1), lambda: a.clamp_max(1), lambda: a.clamp_min(bound),
                  lambda: a.clamp_max(bound), lambda: m.nn.functional.margin_ranking_loss(a, bound, a, reduction="none")):
            y = f()
            grads = m.autograd.grad(y.sum(), [a, bound], allow_unused=True)
            out.append((type(y.grad_fn).__name__, [None if g is None else g.tolist() for g in grads]))
        return out
    assert run(lg) == run(torch)
