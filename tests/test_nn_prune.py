"""nn.utils.prune against torch: the parameters, buffers and hooks pruning leaves, the masks of each method
(alone, combined, global), gradients through the mask, remove, and torch's errors. Random methods are
checked by how much they prune (lazygrad draws from its own stream)."""
from __future__ import annotations

import numpy as np
import pytest

import lazygrad as lg
from oracle import torch_or_skip


def _models(m):
    rng = np.random.default_rng(0)
    conv, lin = m.nn.Conv2d(2, 4, 3), m.nn.Linear(5, 3)
    conv.load_state_dict({"weight": m.tensor(rng.standard_normal((4, 2, 3, 3)).astype(np.float32)),
                          "bias": m.tensor(rng.standard_normal(4).astype(np.float32))})
    lin.load_state_dict({"weight": m.tensor(rng.standard_normal((3, 5)).astype(np.float32)),
                         "bias": m.tensor(rng.standard_normal(3).astype(np.float32))})
    return conv, lin, m.tensor(rng.standard_normal((1, 2, 5, 5)).astype(np.float32))


def _session(m) -> list:
    """Pruning steps on a conv and a linear layer, and what each leaves."""
    prune = m.nn.utils.prune
    conv, lin, x = _models(m)
    seen = []
    prune.l1_unstructured(conv, "weight", amount=0.3)
    seen += [sorted(conv.state_dict()), [n for n, _ in conv.named_parameters()], conv.weight_mask.sum().item()]
    prune.ln_structured(conv, "weight", amount=1, n=2, dim=0)  # combined: a PruningContainer
    seen += [conv.weight_mask.sum((1, 2, 3)).tolist(), type(next(iter(conv._forward_pre_hooks.values()))).__name__]
    prune.l1_unstructured(conv, "bias", amount=2)
    conv(x).sum().backward()
    seen += [conv.bias.tolist(), np.round(conv.weight_orig.grad.numpy(), 4).tolist(), prune.is_pruned(conv)]
    prune.remove(conv, "weight")
    seen += [sorted(conv.state_dict()), type(conv.weight).__name__, (conv.weight == 0).sum().item()]
    prune.global_unstructured([(lin, "weight"), (lin, "bias")], pruning_method=prune.L1Unstructured, amount=0.5)
    seen += [lin.weight_mask.tolist(), lin.bias_mask.tolist()]
    prune.custom_from_mask(lin, "weight", mask=m.tensor([[1.0, 0, 1, 1, 1]] * 3))
    seen += [lin.weight_mask.tolist(), prune.L1Unstructured(amount=2).prune(m.tensor([3.0, -1, 2, 0.5])).tolist()]
    prune.ln_structured(lin, "weight", amount=0.34, n=1, dim=1, importance_scores=m.ones(3, 5).cumsum(1))
    seen += [lin.weight_mask.tolist(), prune.is_pruned(m.nn.Sequential(m.nn.ReLU(), lin))]
    return seen


def test_pruning_like_torch():
    torch = torch_or_skip()
    import torch.nn.utils.prune  # noqa: F401  (a submodule torch does not import)
    got, want = _session(lg), _session(torch)
    assert [str(g) for g in got] == [str(w) for w in want]


ERRORS = [
    (lambda m, p, lin: p.l1_unstructured(lin, "weight", amount=-1), ValueError),
    (lambda m, p, lin: p.l1_unstructured(lin, "weight", amount=1.5), ValueError),
    (lambda m, p, lin: p.l1_unstructured(lin, "weight", amount="x"), TypeError),
    (lambda m, p, lin: p.l1_unstructured(lin, "weight", amount=100), ValueError),
    (lambda m, p, lin: p.ln_structured(lin, "bias", amount=1, n=2, dim=0), ValueError),
    (lambda m, p, lin: p.remove(lin, "weight"), ValueError),
    (lambda m, p, lin: p.global_unstructured([(lin, "weight")], pruning_method=p.LnStructured, amount=1, n=2, dim=0),
     TypeError),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_pruning_errors_like_torch(case):
    torch = torch_or_skip()
    import torch.nn.utils.prune  # noqa: F401
    fn, kind = ERRORS[case]
    messages = []
    for m in (torch, lg):
        _, lin, _ = _models(m)
        with pytest.raises(kind) as caught:
            fn(m, m.nn.utils.prune, lin)
        messages.append(str(caught.value).replace("torch", "lazygrad"))
    assert messages[0] == messages[1]


def test_random_pruning_prunes_the_amount_and_keeps_the_rest():
    """Random methods (no oracle for the draws): how many entries and slices go, the rest untouched; a
    failed prune leaves the module as it was."""
    prune = lg.nn.utils.prune
    conv, lin, _ = _models(lg)
    before = conv.weight.detach().clone()
    prune.random_unstructured(conv, "weight", amount=10)
    assert conv.weight_mask.sum().item() == 72 - 10
    kept = conv.weight_mask.numpy() == 1
    np.testing.assert_array_equal(conv.weight.detach().numpy()[kept], before.numpy()[kept])
    prune.random_structured(lin, "weight", amount=0.4, dim=1)
    columns = lin.weight_mask.sum(0).numpy()
    assert sorted(columns.tolist()) == [0.0, 0.0, 3.0, 3.0, 3.0]
    with pytest.raises(ValueError):
        prune.l1_unstructured(lin, "bias", amount=7)
    assert sorted(n for n, _ in lin.named_parameters()) == ["bias", "weight_orig"] and not hasattr(lin, "bias_mask")
