"""torch's remaining top-level functions against torch: the `*_copy` views (lazygrad/view_copies.py), the
top-level forms of nn ops (lazygrad/nn_aliases.py, native_ops.py, embedding_bags.py), the functional
recurrences (recurrent_functions.py), and the rest (deprecated.py, segments.py, lowrank.py, control_flow.py,
settings.py, threads.py and single functions elsewhere): values, dtypes, shapes, grad_fn names, gradients,
warnings and errors. The last test lists torch's top-level callables: each is in lazygrad or in a skip list
of the kinds lazygrad leaves out, so a new gap shows up here.

Each case is one lambda `f(m, *tensors)` written once for both libraries: `m` is lazygrad or torch."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import lazygrad as lg
from distribution_oracle import raised
from oracle import assert_same, raises_like_torch, torch_or_skip

RNG = np.random.default_rng(11)
X = RNG.standard_normal((2, 3, 4))


def _differentiable(a) -> bool:
    return isinstance(a, np.ndarray) and a.dtype.kind == "f"


def _tensors(m, arrays):
    """Float arrays become tensors requiring grad, other arrays plain tensors."""
    return [m.tensor(a, requires_grad=_differentiable(a)) if isinstance(a, np.ndarray) else a for a in arrays]


def _outputs(out) -> list:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def grads_like_torch(fn, *arrays, check_names: bool = True, **tolerance) -> None:
    """fn(m, *tensors) (one tensor or several) has torch's values, node names and gradients (against a random
    weighting of every output)."""
    torch = torch_or_skip()
    ins_lg, ins_t = _tensors(lg, arrays), _tensors(torch, arrays)
    outs_lg, outs_t = _outputs(fn(lg, *ins_lg)), _outputs(fn(torch, *ins_t))
    assert len(outs_lg) == len(outs_t)
    if check_names:
        assert [type(o.grad_fn).__name__ for o in outs_lg] == [type(o.grad_fn).__name__ for o in outs_t]
    for g, w in zip(outs_lg, outs_t):
        assert_same(g.detach(), w.detach(), **tolerance)
    weights = [RNG.standard_normal(tuple(o.shape)) for o in outs_t]
    loss_t = sum((o * torch.tensor(w)).sum() for o, w in zip(outs_t, weights) if o.requires_grad)
    loss_lg = sum((o * lg.tensor(w)).sum() for o, w in zip(outs_lg, weights) if o.requires_grad)
    tensors = [i for i in range(len(arrays)) if _differentiable(arrays[i])]
    got = lg.autograd.grad(loss_lg, [ins_lg[i] for i in tensors], allow_unused=True)
    want = torch.autograd.grad(loss_t, [ins_t[i] for i in tensors], allow_unused=True, materialize_grads=True)
    for g, w in zip(got, want):
        assert_same(lg.zeros(w.shape, dtype=lg.float64) if g is None else g, w, **tolerance)


# ---- the *_copy views ---------------------------------------------------------------------------------

COPIES = {
    "alias_copy": lambda m, x: m.alias_copy(x),
    "as_strided_copy": lambda m, x: m.as_strided_copy(x, (2, 2), (1, 2), 1),
    "diagonal_copy": lambda m, x: m.diagonal_copy(x, 1, 1, 2),
    "expand_copy": lambda m, x: m.expand_copy(x[:, :1], (2, 2, 3, 4)),
    "permute_copy": lambda m, x: m.permute_copy(x, (2, 0, 1)),
    "select_copy": lambda m, x: m.select_copy(x, 1, -1),
    "slice_copy": lambda m, x: m.slice_copy(x, 2, 1, None, 2),
    "slice_copy_defaults": lambda m, x: m.slice_copy(x),
    "split_copy": lambda m, x: m.split_copy(x, 3, 2),
    "split_with_sizes_copy": lambda m, x: m.split_with_sizes_copy(x, [1, 3], 2),
    "squeeze_copy": lambda m, x: m.squeeze_copy(x[:, :1]),
    "squeeze_copy_dim": lambda m, x: m.squeeze_copy(x[:, :1], 1),
    "squeeze_copy_dims": lambda m, x: m.squeeze_copy(x[:, :1], (0, 1)),
    "t_copy": lambda m, x: m.t_copy(x[0]),
    "transpose_copy": lambda m, x: m.transpose_copy(x, 0, 2),
    "unbind_copy": lambda m, x: m.unbind_copy(x, 1),
    "unfold_copy": lambda m, x: m.unfold_copy(x, 2, 2, 1),
    "unsqueeze_copy": lambda m, x: m.unsqueeze_copy(x, 1),
    "view_copy": lambda m, x: m.view_copy(x, (6, -1)),
}


@pytest.mark.parametrize("name", sorted(COPIES))
def test_copies_values_nodes_and_gradients(name):
    """torch's values, its nodes (`PermuteBackward0_copy`...) and gradients; each result is contiguous."""
    grads_like_torch(COPIES[name], X)
    for out in _outputs(COPIES[name](lg, lg.tensor(X))):
        assert out.is_contiguous() and out._base is None


@pytest.mark.parametrize("name", ["permute_copy", "expand_copy", "alias_copy"])
def test_copies_share_no_memory(name):
    x = lg.tensor(X)
    out = COPIES[name](lg, x)
    out.add_(1)
    assert_same(x, torch_or_skip().tensor(X), exact=True)


def test_copies_out():
    torch = torch_or_skip()
    for m in (lg, torch):
        out = m.empty(0, dtype=m.float64)
        assert m.permute_copy(m.tensor(X), (1, 0, 2), out=out) is out
        assert out.shape == (3, 2, 4) and out.is_contiguous()
    parts_t = [torch.empty(2, 3, 2, dtype=torch.float64) for _ in range(2)]
    parts_lg = [lg.empty(2, 3, 2, dtype=lg.float64) for _ in range(2)]
    assert lg.split_copy(lg.tensor(X), 2, 2, out=parts_lg) is None
    torch.split_copy(torch.tensor(X), 2, 2, out=parts_t)
    assert_same(tuple(parts_lg), parts_t)


def test_detach_copy_and_view_copy_dtype():
    """detach_copy still requires grad, behind a node that raises on backward; a dtype view records nothing."""
    torch = torch_or_skip()
    for m in (lg, torch):
        x = m.tensor(X, requires_grad=True)
        out = m.detach_copy(x)
        assert out.requires_grad and type(out.grad_fn).__name__ == "NotImplemented"
        assert not m.view_copy(x, m.float64).requires_grad
    raises_like_torch(lambda m: m.detach_copy(m.tensor(X, requires_grad=True)).sum().backward(), RuntimeError)
    assert_same(lg.view_copy(lg.tensor(X), lg.int32), torch.view_copy(torch.tensor(X), torch.int32))


# ---- torch's top-level forms of nn ops ----------------------------------------------------------------

P = RNG.uniform(0.05, 0.95, (3, 4))
SIGNS = np.array([1.0, -1.0, 1.0])

LOSSES = {
    "binary_cross_entropy_with_logits": (lambda m, r, x, y: m.binary_cross_entropy_with_logits(
        x, y, m.tensor(P[0]), None, *r), (X[0], P)),
    "binary_cross_entropy_with_logits_pos": (lambda m, r, x, y: m.binary_cross_entropy_with_logits(
        x, y, pos_weight=m.ones(4, dtype=m.float64) * 2, reduction=r[0] if r else 0), (X[0], P)),
    "kl_div": (lambda m, r, x, y: m.kl_div(x, y, *r), (X[0], P)),
    "kl_div_log_target": (lambda m, r, x, y: m.kl_div(x, y, *r, log_target=True), (X[0], X[1])),
    "cosine_embedding_loss": (lambda m, r, a, b: m.cosine_embedding_loss(a, b, m.tensor(SIGNS), 0.1, *r),
                              (X[0], X[1])),
    "hinge_embedding_loss": (lambda m, r, x: m.hinge_embedding_loss(x, m.tensor(np.sign(X[1])), 0.5, *r), (X[0],)),
    "margin_ranking_loss": (lambda m, r, a, b: m.margin_ranking_loss(a, b, m.tensor(SIGNS), 0.2, *r),
                            (X[0, :, 0], X[1, :, 0])),
    "poisson_nll_loss": (lambda m, r, x, y: m.poisson_nll_loss(x, y, True, True, 1e-8, *(r or (0,))), (X[0], P * 3)),
    "triplet_margin_loss": (lambda m, r, a, b, c: m.triplet_margin_loss(a, b, c, 1.0, 2, 1e-6, True, *r),
                            (X[0], X[1], P)),
}


@pytest.mark.parametrize("reduction", [(), (1,), (2,)], ids=["omitted", "mean", "sum"])
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_losses_with_integer_reductions(name, reduction):
    """aten's integer reductions; an omitted one reads as 0 (no reduction), as torch's binding reads it."""
    fn, arrays = LOSSES[name]
    # nn.functional records clamp(min=0) where torch records clamp_min (its ranking losses' unreduced node)
    names = not (name in ("margin_ranking_loss", "triplet_margin_loss") and not reduction)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (kl_div's 'mean' warning is nn.functional's alone)
        grads_like_torch(lambda m, *t: fn(m, reduction, *t), *arrays, check_names=names)


@pytest.mark.parametrize("reduction", [0, 7])
def test_losses_unreduced(reduction):
    """0, and any value but 1 and 2, give the unreduced losses."""
    for name in ("kl_div", "hinge_embedding_loss"):
        fn, arrays = LOSSES[name]
        assert_same(fn(lg, (reduction,), *(lg.tensor(a) for a in arrays)),
                    fn(torch_or_skip(), (reduction,), *(torch_or_skip().tensor(a) for a in arrays)))


def test_ctc_loss_top_level():
    torch = torch_or_skip()
    log_probs = torch.randn(5, 2, 4, dtype=torch.float64).log_softmax(2).numpy()
    targets = np.array([[1, 2], [1, 1]])
    for reduction in ((), (1,), (2,)):
        grads_like_torch(lambda m, lp, t: m.ctc_loss(lp, t, [5, 4], [2, 1], 0, *reduction), log_probs, targets)
    grads_like_torch(lambda m, lp, t: m.ctc_loss(lp, t, m.tensor([5, 4]), m.tensor([2, 1])), log_probs, targets)


def test_embedding_bag_top_level():
    """The bags' embeddings and what torch's CPU kernel returns besides: offset2bag (empty for the fast float32
    sum), bag sizes, and the rows the maxima came from."""
    torch = torch_or_skip()
    weight = RNG.standard_normal((5, 3)).astype(np.float32)
    cases = [([0, 2, 2, 5], (0,)), ([0, 2, 2, 5], (1,)), ([0, 2, 2, 5], (2,)), ([0, 2, 2, 6], (2, False, None, True)),
             ([0, 2, 2, 5], (1, False, None, False, 1)), ([0, 2, 2, 5], (2, False, None, False, 1))]
    for offsets, args in cases:
        got, want = (m.embedding_bag(m.tensor(weight), m.tensor([0, 1, 2, 1, 4, 3]), m.tensor(offsets), False, *args)
                     for m in (lg, torch))
        assert_same(got, want)
    int32 = [m.embedding_bag(m.tensor(weight, dtype=m.float64), m.tensor([0, 1, 2], dtype=m.int32),
                             m.tensor([0, 1], dtype=m.int32), False, 1) for m in (lg, torch)]
    assert_same(*int32)
    grads_like_torch(lambda m, w: m.embedding_bag(w, m.tensor([0, 1, 2, 1]), m.tensor([0, 2]), False, 1)[0],
                     weight.astype(np.float64))


def test_grid_sampler_and_affine_grid_generator():
    image, grid = X[:1, None], RNG.uniform(-1, 1, (1, 2, 2, 2))
    for modes in ((1, 1), (0, 2)):
        grads_like_torch(lambda m, x, g: m.grid_sampler(x, g, *modes, False), image, grid)
    grads_like_torch(lambda m, x, g: m.grid_sampler_2d(x, g, 0, 0, True), image, grid)
    grads_like_torch(lambda m, t: m.affine_grid_generator(t, (1, 1, 2, 3), False), X[:1, :2, :3])
    raises_like_torch(lambda m: m.grid_sampler_3d(m.tensor(image), m.tensor(grid), 0, 0, False), RuntimeError)


def test_native_normalizations():
    """The result (the only differentiable output) and the statistics each group was normalized by."""
    torch = torch_or_skip()
    weight = RNG.standard_normal(3)
    grads_like_torch(lambda m, x, w: m.native_layer_norm(x, (4,), w, None, 1e-5), X, RNG.standard_normal(4))
    grads_like_torch(lambda m, x: m.native_layer_norm(x, (3, 4), None, None, 1e-5), X)
    grads_like_torch(lambda m, x, w: m.native_group_norm(x, w, None, 2, 3, 4, 3, 1e-5)[0], X, weight)
    assert_same(lg.native_group_norm(lg.tensor(X), None, None, 2, 3, 4, 3, 1e-5)[1:],
                torch.native_group_norm(torch.tensor(X), None, None, 2, 3, 4, 3, 1e-5)[1:])
    stats = {m: (m.zeros(3, dtype=m.float64), m.ones(3, dtype=m.float64)) for m in (lg, torch)}
    grads_like_torch(lambda m, x, w: m.native_batch_norm(x, w, None, *stats[m], True, 0.1, 1e-5), X, weight)
    assert_same(stats[lg], stats[torch])
    grads_like_torch(lambda m, x, w: m.native_batch_norm(x, w, None, *stats[m], False, 0.1, 1e-5), X, weight)


def test_native_dropout():
    torch = torch_or_skip()
    for m in (lg, torch):
        x = m.tensor(X, requires_grad=True)
        out, keep = m.native_dropout(x, 0.5, False)
        assert out is not x and type(out.grad_fn).__name__ == "NativeDropoutBackward0"
        assert keep.dtype == m.bool and bool(keep.all())
        out, keep = m.native_dropout(x, 0.5, True)
        assert np.allclose(out.detach().numpy(), np.where(keep.numpy(), X * 2, 0))
        out, keep = m.native_dropout(x, 1.0, None)
        assert not bool(keep.any()) and float(out.detach().abs().sum()) == 0
    raises_like_torch(lambda m: m.native_dropout(m.tensor(X), 1.5, True), RuntimeError)
    with pytest.raises(NotImplementedError) as want:
        torch.native_norm(torch.tensor(X))
    with pytest.raises(NotImplementedError) as got:
        lg.native_norm(lg.tensor(X))
    assert str(want.value).startswith(str(got.value))


@pytest.mark.parametrize("name", ["dropout_", "alpha_dropout", "alpha_dropout_", "feature_dropout", "feature_dropout_",
                                  "feature_alpha_dropout", "feature_alpha_dropout_"])
def test_dropouts_in_aten_form(name):
    """(input, p, train): input itself when not training; when training, written in place by the `_` forms;
    a bad p is a RuntimeError."""
    torch = torch_or_skip()
    for m in (lg, torch):
        x = m.tensor(X)
        assert getattr(m, name)(x, 0.5, False) is x
        out = getattr(m, name)(x, 0.5, True)
        assert (out is x) == name.endswith("_") and out.shape == x.shape
    raises_like_torch(lambda m: getattr(m, name)(m.tensor(X), 1.5, True), RuntimeError)


def test_embedding_renorm_():
    torch = torch_or_skip()
    weights = [m.tensor(X[0] * 3) for m in (lg, torch)]
    for w, m in zip(weights, (lg, torch)):
        assert m.embedding_renorm_(w, m.tensor([0, 2, 2]), 1.0, 2.0) is w
    assert_same(*weights)


# ---- recurrences -----------------------------------------------------------------------------------------

def _flat_params(gates: int, layers: int, bidirectional: bool, bias: bool, proj: int = 0, hidden: int = 4,
                 inputs: int = 3) -> list:
    params = []
    for layer in range(layers):
        for _ in range(2 if bidirectional else 1):
            width = inputs if layer == 0 else (proj or hidden) * (2 if bidirectional else 1)
            params += [RNG.standard_normal((gates * hidden, width)) * 0.5,
                       RNG.standard_normal((gates * hidden, proj or hidden)) * 0.5]
            params += [RNG.standard_normal(gates * hidden) * 0.5 for _ in range(2 if bias else 0)]
            params += [RNG.standard_normal((proj, hidden)) * 0.5] if proj else []
    return params


SEQ = RNG.standard_normal((3, 2, 3))
LAYERS = {
    "lstm_bidirectional": (lambda m, x, h, c, *p: m.lstm(x, (h, c), p, True, 1, 0.0, False, True, False),
                           [SEQ, RNG.standard_normal((2, 2, 4)), RNG.standard_normal((2, 2, 4)),
                            *_flat_params(4, 1, True, True)]),
    "lstm_projections": (lambda m, x, h, c, *p: m.lstm(x, [h, c], p, True, 1, 0.0, False, False, False),
                         [SEQ, RNG.standard_normal((1, 2, 2)), RNG.standard_normal((1, 2, 4)),
                          *_flat_params(4, 1, False, True, proj=2)]),
    "gru_packed_no_bias": (lambda m, x, h, *p: m.gru(x, m.tensor([3, 2, 1]), h, p, False, 1, 0.0, False, False),
                           [SEQ.reshape(-1, 3)[:6], RNG.standard_normal((1, 3, 4)), *_flat_params(3, 1, False, False)]),
    "lstm_cell": (lambda m, x, h, c, *p: m.lstm_cell(x, (h, c), *p),
                  [SEQ[0], SEQ[1, :, :2].repeat(2, 1), SEQ[2, :, :2].repeat(2, 1), *_flat_params(4, 1, False, True)]),
    "gru_cell": (lambda m, x, h, *p: m.gru_cell(x, h, *p), [SEQ[0], SEQ[1, :, :2].repeat(2, 1),
                                                            *_flat_params(3, 1, False, False)]),
    "rnn_tanh_cell": (lambda m, x, h, *p: m.rnn_tanh_cell(x, h, *p), [SEQ[0], SEQ[1, :, :2].repeat(2, 1),
                                                                      *_flat_params(1, 1, False, True)]),
    "rnn_relu_cell": (lambda m, x, h, *p: m.rnn_relu_cell(x, h, *p), [SEQ[0], SEQ[1, :, :2].repeat(2, 1),
                                                                      *_flat_params(1, 1, False, True)]),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_recurrent_functions(name):
    fn, arrays = LAYERS[name]
    grads_like_torch(fn, *arrays)


def test_recurrence_two_layers_batch_first():
    """torch.rnn_relu over two layers with batch_first, as nn.RNN calls it (torch's in-place transpose records
    TransposeBackward1, which lazygrad's transpose_ does not name yet: values and gradients only)."""
    params = _flat_params(1, 2, False, True)
    grads_like_torch(lambda m, x, h, *p: m.rnn_relu(x, h, p, True, 2, 0.0, False, False, True),
                     SEQ.transpose(1, 0, 2).copy(), RNG.standard_normal((2, 2, 4)), *params, check_names=False)


# ---- deprecated and removed functions -------------------------------------------------------------------

def _warnings(call) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [str(w.message).split(" (Triggered internally")[0] for w in caught]


@pytest.mark.parametrize("name, call", [
    ("chain_matmul", lambda m: m.chain_matmul(m.tensor(X[0]), m.tensor(X[1]).T, m.tensor(X[0]))),
    ("frobenius_norm", lambda m: m.frobenius_norm(m.tensor(X), (0, 2))),
    ("nuclear_norm", lambda m: m.nuclear_norm(m.tensor(X[0]))),
])
def test_deprecations_warn_once_unless_warn_always(name, call):
    """torch's once-per-process warnings: a second call is silent, and every call warns under
    set_warn_always(True)."""
    torch = torch_or_skip()
    twice = {}
    for m in (lg, torch):
        _warnings(lambda: call(m))
        assert _warnings(lambda: call(m)) == []
        assert not m.is_warn_always_enabled()
        m.set_warn_always(True)
        try:
            assert m.is_warn_always_enabled()
            twice[m] = _warnings(lambda: (call(m), call(m)))
        finally:
            m.set_warn_always(False)
    assert len(twice[torch]) == 2 and twice[lg] == twice[torch]
    assert_same(call(lg), call(torch))


def test_deprecated_values_and_gradients():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grads_like_torch(lambda m, a, b: m.chain_matmul(a, b.T, a), X[0], X[1])
        grads_like_torch(lambda m, a: m.chain_matmul(a), X[0])
        grads_like_torch(lambda m, x: m.frobenius_norm(x, 1, True), X)
        grads_like_torch(lambda m, x: m.nuclear_norm(x), X[0])
        # (linalg.matrix_norm keeping dims, or over dims other than the last two, records Unsqueeze where torch
        # records Permute)
        grads_like_torch(lambda m, x: m.nuclear_norm(x, True), X[0], check_names=False)
        grads_like_torch(lambda m, x: m.nuclear_norm(x, (0, 2)), X, check_names=False)
        raises_like_torch(lambda m: m.chain_matmul(), RuntimeError)
        raises_like_torch(lambda m: m.chain_matmul(m.tensor(X[0, 0])), RuntimeError)
        raises_like_torch(lambda m: m.frobenius_norm(m.tensor(X), (0, 1, 2)), RuntimeError)
        raises_like_torch(lambda m: m.nuclear_norm(m.tensor(X[0, 0])), RuntimeError)


def test_set_default_tensor_type():
    torch = torch_or_skip()
    try:
        for m in (lg, torch):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                m.set_default_tensor_type(m.DoubleTensor)
            assert m.get_default_dtype() == m.float64 and m.tensor([1.5]).dtype == m.float64
            m.set_default_tensor_type("torch.FloatTensor")
            assert m.get_default_dtype() == m.float32
            assert str(caught[0].message).startswith("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1")
        raises_like_torch(lambda m: m.set_default_tensor_type(m.LongTensor), TypeError)
    finally:
        lg.set_default_dtype(lg.float32)
        torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("call", [
    lambda m: m.matrix_rank(m.eye(2)), lambda m: m.solve(m.eye(2), m.eye(2)), lambda m: m.lstsq(m.eye(2), m.eye(2)),
    lambda m: m.eig(m.eye(2)), lambda m: m.symeig(m.eye(2)), lambda m: m.eye(2).solve(m.eye(2)),
    lambda m: m.eye(2).lstsq(m.eye(2)), lambda m: m.eye(2).eig(), lambda m: m.eye(2).symeig(True),
    lambda m: m.ones(2).reinforce(1.0),
])
def test_removed_functions_raise_torchs_messages(call):
    raises_like_torch(call, RuntimeError)


def test_volatile_is_always_false_with_torchs_warnings():
    torch = torch_or_skip()
    said = {}
    for m in (lg, torch):
        x = m.ones(2)
        said[m] = _warnings(lambda: x.volatile) + _warnings(lambda: setattr(x, "volatile", True))
        assert x.volatile is False
    assert said[lg] == said[torch] and len(said[lg]) == 2


def test_tensor_resize_and_resize_as():
    torch = torch_or_skip()
    for m in (lg, torch):
        assert _warnings(lambda: m.tensor(X).resize(4, 6)) == ["non-inplace resize is deprecated"]
        assert _warnings(lambda: m.tensor(X).resize_as(m.ones(24))) == ["non-inplace resize_as is deprecated"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grads_like_torch(lambda m, x: x.transpose(0, 2).resize(4, 6), X)
        grads_like_torch(lambda m, x: x.resize_as(m.ones(24)), X)
        raises_like_torch(lambda m: m.tensor(X).resize(5, 5), RuntimeError)
    got, want = (m.resize_as_(m.tensor(X), m.ones(2, 2)) for m in (lg, torch))
    assert_same(got, want, strides=True)


# ---- the rest ----------------------------------------------------------------------------------------------

def test_empty_permuted():
    torch = torch_or_skip()
    for size, layout in (((2, 3), (1, 0)), ((), ()), ((2, 3, 4), (2, 0, 1))):
        got, want = (m.empty_permuted(size, layout, dtype=m.int32) for m in (lg, torch))
        assert (tuple(got.shape), got.stride(), got.dtype.name) == (tuple(want.shape), want.stride(), "int32")
        assert got._base is None
    assert lg.empty_permuted((2, 3), (1, 0), requires_grad=True).requires_grad
    for bad in (((2, 3), (0, 0)), ((2, 3), (0, 2)), ((2, 3, 4), (0, 1))):
        raises_like_torch(lambda m: m.empty_permuted(*bad), RuntimeError)


def test_nonzero_static():
    """A fixed number of rows (padded with fill_value, or cut), computed lazily."""
    torch = torch_or_skip()
    x = np.array([[0, 1, 3], [2, 0, 0]])
    for input, kwargs in ((x, {"size": 4}), (x, {"size": 2, "fill_value": 9}), (np.zeros((0, 2)), {"size": 2}),
                          (np.array(3.0), {"size": 2}), (np.zeros(3), {"size": 1})):
        got = lg.nonzero_static(lg.tensor(input), **kwargs)
        assert not got._storage.is_realized
        assert_same(got, torch.nonzero_static(torch.tensor(input), **kwargs))
    assert_same(lg.tensor(x).nonzero_static(size=1), torch.tensor(x).nonzero_static(size=1))
    raises_like_torch(lambda m: m.nonzero_static(m.tensor(x), size=-1), RuntimeError)


def test_histogramdd():
    torch = torch_or_skip()
    points = np.array([[0.0, 1.0], [1.0, 2.0], [2.0, 0.5], [0.5, 0.5]])
    cases = [lambda m, p: m.histogramdd(p, bins=[2, 3]),
             lambda m, p: m.histogramdd(p, bins=2, range=[0.0, 4.0, 0.0, 2.0], weight=m.tensor([1.0, 2, 3, 4],
                                                                                                 dtype=m.float64),
                                        density=True),
             lambda m, p: m.histogramdd(p, bins=[m.tensor([0.0, 1.0, 3.0], dtype=m.float64),
                                                 m.tensor([0.0, 2.0], dtype=m.float64)]),
             lambda m, p: m.histogramdd(p.reshape(2, 2, 2), 2),
             lambda m, p: m.histogramdd(m.ones(3, 1), 2)]
    for case in cases:
        got, want = case(lg, lg.tensor(points)), case(torch, torch.tensor(points))
        assert type(got).__name__ == "histogramdd" and got._fields == ("hist", "bin_edges")
        assert_same(got.hist, want.hist)
        assert_same(got.bin_edges, want.bin_edges)
    raises_like_torch(lambda m: m.histogramdd(m.tensor(points).long(), 2), NotImplementedError)
    raises_like_torch(lambda m: m.histogramdd(m.tensor(points), [2]), RuntimeError)
    raises_like_torch(lambda m: m.histogramdd(m.tensor(points), 0), RuntimeError)


def test_modes_and_thread_counts(monkeypatch):
    torch = torch_or_skip()
    for m in (lg, torch):
        assert m.is_inference_mode_enabled() is False
        assert m.set_flush_denormal(False) in (True, False)
        assert isinstance(m.get_num_interop_threads(), int) and m.get_num_interop_threads() > 0
        m.init_num_threads()
        assert m.is_distributed(m.ones(2)) is False
    raises_like_torch(lambda m: m.set_flush_denormal(1), RuntimeError)
    raises_like_torch(lambda m: m.set_warn_always(1), RuntimeError)
    for bad in (0, "a"):
        raises_like_torch(lambda m: m.set_num_interop_threads(bad), RuntimeError)
    monkeypatch.setattr(lg.threads, "_interop", None)
    lg.set_num_interop_threads(3)
    assert lg.get_num_interop_threads() == 3
    with pytest.raises(RuntimeError, match="cannot set number of interop threads after parallel work has started"):
        lg.set_num_interop_threads(2)


def test_inference_mode_is_seen():
    with lg.inference_mode():
        assert lg.is_inference_mode_enabled()
        with lg.inference_mode(False):
            assert not lg.is_inference_mode_enabled()
    assert not lg.is_inference_mode_enabled()


def test_slice_inverse_and_unsafe_split_with_sizes():
    torch = torch_or_skip()
    for m in (lg, torch):
        base = m.tensor(X)
        whole = m.slice_inverse(base[:, 1:], base, 1, 1, None)
        assert whole._base is base and bool((whole == base).all())
        assert whole.shape == base.shape and whole.stride() == base.stride()
        assert base[:, 1:].slice_inverse(base, 1, 1).shape == base.shape
    grads_like_torch(lambda m, x: m.unsafe_split_with_sizes(x, [1, 3], 2), X)
    grads_like_torch(lambda m, x: x.unsafe_split_with_sizes([2, 1], 1), X)


SEGMENT_DATA = np.array([1.0, 2.0, 3.0, 4.0, 5.0])


@pytest.mark.parametrize("reduce", ["sum", "mean", "max", "min", "prod", "amax"])
@pytest.mark.parametrize("initial", [None, 2.0])
def test_segment_reduce(reduce, initial):
    """Empty segments give the identity (nan for mean) or initial; tied extrema share a positive gradient
    (torch gives each the whole of a negative one: that is not followed)."""
    torch = torch_or_skip()
    grads_like_torch(lambda m, d: m.segment_reduce(d, reduce, lengths=m.tensor([2, 0, 3]), initial=initial),
                     SEGMENT_DATA)
    ties = [m.tensor([3.0, 3.0, 0.0], requires_grad=True) for m in (lg, torch)]
    grads = [m.autograd.grad(m.segment_reduce(t, reduce, lengths=m.tensor([2, 0, 1]), initial=initial), t,
                             m.tensor([1.0, 2.0, 3.0]))[0] for m, t in zip((lg, torch), ties)]
    assert_same(*grads)


def test_segment_reduce_axes_offsets_and_errors():
    torch = torch_or_skip()
    data = np.arange(24.0).reshape(2, 6, 2)
    for case in (lambda m, d: m.segment_reduce(d, "sum", lengths=m.tensor([[2, 4], [3, 3]]), axis=1),
                 lambda m, d: m.segment_reduce(d, "mean", lengths=m.tensor([[2, 4], [3, 3]]), axis=-2),
                 lambda m, d: m.segment_reduce(d[0], "max", offsets=m.tensor([0, 2, 2, 6])),
                 lambda m, d: m.segment_reduce(d[0], "sum", lengths=m.tensor([2, 0, 2]), unsafe=True)):
        assert_same(case(lg, lg.tensor(data)), case(torch, torch.tensor(data)))
    d = lambda m: m.tensor(SEGMENT_DATA)  # noqa: E731
    raises_like_torch(lambda m: m.segment_reduce(d(m), "sum", lengths=m.tensor([2, 2])), RuntimeError)
    raises_like_torch(lambda m: m.segment_reduce(d(m), "sum", lengths=m.tensor([2, -1, 4])), RuntimeError)
    raises_like_torch(lambda m: m.segment_reduce(d(m), "foo", lengths=m.tensor([2, 3])), RuntimeError)
    raises_like_torch(lambda m: m.segment_reduce(d(m), "sum", indices=m.tensor([0, 1])), RuntimeError)
    raises_like_torch(lambda m: m.segment_reduce(d(m), "sum"), RuntimeError)
    raises_like_torch(lambda m: m.segment_reduce(m.tensor([1, 2]), "sum", lengths=m.tensor([2])), NotImplementedError)


def test_low_rank_factorizations():
    """Random sketches differ from torch's; on a matrix of lower rank than q the factors are exact, so the
    singular values and the reconstruction agree."""
    torch = torch_or_skip()
    A = RNG.standard_normal((7, 2)) @ RNG.standard_normal((2, 5))
    for matrix in (A, A.T):
        U, S, V = lg.svd_lowrank(lg.tensor(matrix), q=3)
        want = torch.svd_lowrank(torch.tensor(matrix), q=3)
        assert [tuple(t.shape) for t in (U, S, V)] == [tuple(t.shape) for t in want]
        assert_same(S[:2], want[1][:2])
        np.testing.assert_allclose((U @ lg.diag(S) @ V.mT).numpy(), matrix, atol=1e-10)
    assert_same(lg.pca_lowrank(lg.tensor(A), q=2)[1], torch.pca_lowrank(torch.tensor(A), q=2)[1])
    raises_like_torch(lambda m: m.pca_lowrank(m.tensor(A), q=6), ValueError)
    raises_like_torch(lambda m: m.pca_lowrank(m.tensor(A), niter=-1), ValueError)


@pytest.fixture
def torch_validation_kept():
    """torch's cond compiles with dynamo, which turns distribution argument validation off for the whole
    process: put it back for the tests that follow."""
    torch = torch_or_skip()
    kept = torch.distributions.Distribution._validate_args
    yield
    torch.distributions.Distribution.set_default_validate_args(kept)


def test_cond_and_while_loop(torch_validation_kept):
    grads_like_torch(lambda m, x: m.cond(m.tensor(True), lambda v: v * 3, lambda v: v - 1, (x,)), X[0])
    grads_like_torch(lambda m, x: m.cond(m.tensor([False]), lambda v: (v * 3, v + 1), lambda v: (v - 1, v * 2), [x]),
                     X[0])
    assert lg.cond(0, lambda: 1, lambda: 2) == 2
    grads_like_torch(lambda m, x: m.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * 2),
                                               (m.tensor(0), x))[1], X[0])
    # (what torch gives for these, checked once: its eager while_loop compiles each with dynamo, slowly)
    assert lg.while_loop(lambda i: i < 3, lambda i: i + 1, (lg.tensor(0),)).tolist() == 3
    assert lg.while_loop(lambda i: i < 0, lambda i: (i + 1,), (lg.tensor(5),))[0].tolist() == 5
    assert lg.while_loop(lambda i: i < 3, lambda i: (i + 1,), (0,)) == (3,)
    raises_like_torch(lambda m: m.cond(m.tensor([True, False]), lambda: 1, lambda: 2), RuntimeError)
    raises_like_torch(lambda m: m.cond("a", lambda: 1, lambda: 2), RuntimeError)
    raises_like_torch(lambda m: m.while_loop(1, lambda i: i, (m.tensor(0),)), RuntimeError)
    with pytest.raises(AssertionError, match=r"\[1.5\] can only be of"):
        lg.while_loop(lambda i: i < 0, lambda i: (i,), (1.5,))


def test_tensor_as_subclass_and_map2_():
    torch = torch_or_skip()
    for m in (lg, torch):
        class Sub(m.Tensor):
            pass
        x = m.tensor(X[0], requires_grad=True)
        s = x.as_subclass(Sub)
        assert type(s) is Sub and s._base is x and type(s.grad_fn).__name__ == "AliasBackward0"
        (s * 3).sum().backward()
        assert np.array_equal(x.grad.numpy(), np.full((3, 4), 3.0))
        a = m.tensor([1.0, 2.0, 3.0])
        assert a.map2_(m.tensor([10.0, 20, 30]), m.tensor([100.0]), lambda p, q, r: p + q + r) is a
        assert a.tolist() == [111.0, 122.0, 133.0]
    raises_like_torch(lambda m: m.ones(2).as_subclass(int), TypeError)
    raises_like_torch(lambda m: m.ones(3).map2_(m.ones(3), m.ones(3, dtype=m.int64), lambda *v: 0), TypeError)
    raises_like_torch(lambda m: m.ones(3).map2_(m.ones(2), m.ones(3), lambda *v: 0), RuntimeError)


def test_ormqr_put_and_dlpack():
    torch = torch_or_skip()
    for shape, modes in (((4, 3), ((True, False), (False, True))), ((3, 4), ((True, True), (False, False)))):
        a, tau = torch.geqrf(torch.tensor(RNG.standard_normal(shape)))
        other = RNG.standard_normal((shape[0], 2))
        for left, transpose in modes:
            c = other if left else other.T.copy()
            grads_like_torch(lambda m, x, t, y: m.ormqr(x, t, y, left, transpose), a.numpy(), tau.numpy(), c)
    raises_like_torch(lambda m: m.ormqr(*(m.tensor(v.numpy()) for v in (a, tau)), m.ones(4, 2, dtype=m.float64)),
                      RuntimeError)
    grads_like_torch(lambda m, x, s: m.put(x, m.tensor([1, 3, 1]), s, accumulate=True), X[0, 0], X[1, 0, :3])
    assert_same(lg.from_dlpack(lg.to_dlpack(lg.tensor(X))), torch.tensor(X))
    assert_same(lg.from_dlpack(torch.to_dlpack(torch.tensor(X))), torch.tensor(X))


# ---- coverage of torch's top-level callables ---------------------------------------------------------------

# what lazygrad leaves out, by kind (name prefixes and substrings, then single names)
SKIPPED_KINDS = (
    "sparse",  # sparse layouts (COO, CSR, CSC, BSR, BSC) and their products
    "quantize", "q_", "fbgemm_",  # quantized tensors and their kernels
    "autocast",  # mixed-precision autocasting
    "cudnn_", "miopen_", "mkldnn_",  # backend-specific kernels
    "sym_",  # symbolic shapes (torch.compile's SymInt machinery)
)
SKIPPED_NAMES = {
    # sparse: products and the index tensors of compressed layouts
    "resize_as_sparse_", "indices_copy",
    "values_copy", "ccol_indices_copy", "col_indices_copy", "crow_indices_copy", "row_indices_copy",
    # quantization
    "dequantize", "int_repr", "choose_qparams_optimized", "fused_moving_avg_obs_fake_quant",
    # CUDA-only kernels (SyncBatchNorm's statistics) and other back ends
    "batch_norm_backward_elemt", "batch_norm_backward_reduce", "batch_norm_elemt", "batch_norm_gather_stats",
    "batch_norm_gather_stats_with_counts", "batch_norm_stats", "batch_norm_update_stats", "is_vulkan_available",
    # TorchScript: IR, schemas, type comments, futures
    "fork", "wait", "parse_ir", "parse_schema", "parse_type_comment", "merge_type_from_type_comment",
    "unify_type_list", "import_ir_module", "import_ir_module_from_buffer",
    # torch's build, packaging, profiler and data-loader machinery
    "compiled_with_cxx11_abi", "get_file_path", "prepare_multiprocessing_environment", "classproperty",
    "profiler_allow_cudagraph_cupti_lazy_reinit_cuda12", "thread_safe_generator",
    # not in lazygrad yet: LOBPCG
    "lobpcg",
}


def _skipped(name: str) -> bool:
    return name in SKIPPED_NAMES or any(name.startswith(k) or k in name for k in SKIPPED_KINDS)


def test_every_torch_top_level_function_is_here():
    torch = torch_or_skip()
    callables = [n for n in dir(torch) if not n.startswith("_") and callable(getattr(torch, n))
                 and not isinstance(getattr(torch, n), type)]
    missing = sorted(n for n in callables if not _skipped(n) and not hasattr(lg, n))
    assert missing == []


def test_constants_exceptions_and_device_modules():
    """torch's top-level constants (torch.pi, -torch.inf in masks, x[:, torch.newaxis]), its exception
    classes, the default generator and get_device_module."""
    import math
    torch = torch_or_skip()
    for name in ("e", "pi", "inf"):
        assert getattr(lg, name) == getattr(torch, name)
    assert math.isnan(lg.nan) and lg.newaxis is torch.newaxis is None
    x = lg.arange(3.0)
    assert lg.full((2,), -lg.inf).tolist() == [-math.inf, -math.inf] and x[:, lg.newaxis].shape == (3, 1)
    assert issubclass(lg.OutOfMemoryError, RuntimeError) and issubclass(lg.AcceleratorError, RuntimeError)
    assert lg.cuda.OutOfMemoryError is lg.OutOfMemoryError and lg.GradScaler is lg.amp.GradScaler
    lg.default_generator.manual_seed(3)
    first = lg.rand(4).tolist()
    lg.manual_seed(3)
    assert lg.rand(4).tolist() == first
    assert lg.get_device_module("cpu") is lg.cpu and lg.get_device_module(lg.device("cuda:0")) is lg.cuda
    assert lg.get_device_module() is (lg.cuda if lg.cuda.is_available() else lg.cpu)
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda device type at start of device string: foo"):
        lg.get_device_module("foo")


def test_running_out_of_host_memory_raises_torchs_error(capfd):
    """An allocation the system refuses: torch's CPU allocator message, as a RuntimeError naming the bytes;
    the tensor stays unrealized and nothing is left half made."""
    torch = torch_or_skip()
    with pytest.raises(RuntimeError) as want:
        torch.empty(1 << 50)
    x = lg.empty(1 << 50)
    with pytest.raises(RuntimeError, match="DefaultCPUAllocator: can't allocate memory: you tried to allocate "
                                           "4503599627370496 bytes. Error code 12") as got:
        x.realize()
    assert str(got.value) in str(want.value)
    del x, got
    assert "Exception ignored" not in capfd.readouterr().err
    assert (lg.ones(3) + 1).tolist() == [2.0, 2.0, 2.0]


def test_is_set_to_and_module_load_like_torch():
    torch = torch_or_skip()
    results = []
    for m in (lg, torch):
        a = m.arange(6.0)
        d = m.empty(0)
        d.set_(a)
        flags = (a.is_set_to(a[:]), a.is_set_to(a.view(2, 3)), a.is_set_to(a.view(6)), d.is_set_to(a),
                 a.is_set_to(a.clone()))
        buffer, values = m.zeros(2), m.tensor([1.0, 2.0])
        loaded = buffer.module_load(values)
        assigned = buffer.module_load(values, assign=True)
        results.append((flags, loaded.tolist(), buffer.tolist(), loaded is buffer, assigned.tolist(),
                        assigned is values, raised(lambda: a.is_set_to(1)),
                        raised(lambda: m.nn.Parameter(m.zeros(2)).module_load(values))))
    assert results[0] == results[1]


HISTOGRAM_EDGES = {
    "increasing": dict(bins=[-2.0, 0.0, 1.0, 3.0]), "a repeated edge": dict(bins=[-2.0, 0.0, 0.0, 3.0]),
    "unordered": dict(bins=[-1.0, 3.0, 0.0, 2.5]), "decreasing": dict(bins=[2.0, -1.0, 0.5]),
    "density": dict(bins=[-2.0, 0.0, 1.0, 3.0], density=True), "weighted": dict(bins=[-2.0, 0.0, 1.0, 3.0], weight=True),
    "weighted density": dict(bins=[-2.0, 0.0, 1.0, 3.0], weight=True, density=True),
    "one edge": dict(bins=[5.0]), "two dims": dict(bins=[[0.0, 1.0], [2.0, 3.0]]), "a 0-d edge": dict(bins=2.0),
    "integer edges": dict(bins=[1, 2]),
}


@pytest.mark.parametrize("case", HISTOGRAM_EDGES)
def test_histogram_with_edges_like_torch(case):
    """Edges in any order are read as torch reads them (numpy refused unordered ones with its ValueError); edges
    of another dtype or shape are refused with torch's error."""
    torch = torch_or_skip()
    spec = HISTOGRAM_EDGES[case]
    outcomes = []
    for m in (lg, torch):
        x = m.tensor([[0.5, -1.5, 2.0], [0.25, 3.0, -0.75]])
        weight = m.arange(6.0).reshape(2, 3) if spec.get("weight") else None
        try:
            hist, edges = m.histogram(x, m.tensor(spec["bins"]), weight=weight, density=spec.get("density", False))
            outcomes.append((np.round(hist.numpy(), 6).tolist(), edges.tolist()))
        except RuntimeError as error:
            outcomes.append(str(error))
    assert outcomes[0] == outcomes[1]


def test_complex_values_refused_by_searches_as_torch():
    for call in (lambda m: m.searchsorted(m.tensor([1.0, 2.0]), m.tensor([1.5 + 0j])),
                 lambda m: m.bucketize(m.tensor([1.5 + 0j]), m.tensor([1.0, 2.0]))):
        raises_like_torch(call, NotImplementedError)
    raises_like_torch(lambda m: m.isin(m.tensor([1.0]), m.tensor([1 + 0j])), RuntimeError)
