"""Lazy layers (lazygrad/nn/modules/lazy.py): before their first input and after it, they print, hold,
save and load what torch's do, and become their plain class keeping their parameter objects."""
import copy

import numpy as np
import pytest

import lazygrad as lg
from oracle import torch_or_skip

LAYERS = [
    ("LazyLinear", (3,), (2, 4)), ("LazyLinear", (5, False), (2, 3, 7)),
    ("LazyConv1d", (2, 3), (5, 7)), ("LazyConv2d", (4, 3), (1, 2, 5, 5)),
    ("LazyConv2d", (4, 3, 2, 1, 1, 2), (1, 6, 7, 7)), ("LazyConv3d", (2, 2), (1, 3, 4, 4, 4)),
    ("LazyConvTranspose1d", (3, 2), (1, 4, 6)), ("LazyConvTranspose2d", (4, 2, 2), (1, 3, 5, 5)),
    ("LazyConvTranspose3d", (2, 2), (1, 3, 3, 3, 3)), ("LazyBatchNorm1d", (), (4, 6)),
    ("LazyBatchNorm2d", (), (2, 3, 2, 2)), ("LazyBatchNorm3d", (1e-3, None), (2, 3, 2, 2, 2)),
    ("LazyInstanceNorm1d", (), (2, 3, 5)), ("LazyInstanceNorm2d", (), (2, 3, 4, 4)),
    ("LazyInstanceNorm3d", (1e-5, 0.1, False, False), (2, 3, 2, 2, 2)),
]


def _shapes(module) -> dict:
    return {k: tuple(v.shape) for k, v in module.state_dict().items()}


@pytest.mark.parametrize("name, args, input_shape", LAYERS)
def test_a_lazy_layer_before_and_after_its_first_input_like_torch(name, args, input_shape):
    torch = torch_or_skip()
    seen = []
    for lib in (lg, torch):
        layer = getattr(lib.nn, name)(*args)
        before = (repr(layer), layer.has_uninitialized_params(), sorted(layer.state_dict()),
                  [type(p).__name__ for p in layer.parameters()])
        params = list(layer.parameters())
        out = layer(lib.ones(input_shape))
        after = (repr(layer), type(layer).__name__, _shapes(layer), tuple(out.shape),
                 [type(p).__name__ for p in layer.parameters()], hasattr(layer, "initialize_parameters"))
        assert all(p is q for p, q in zip(params, layer.parameters()))  # the same objects, materialized
        seen.append((before, after))
    assert seen[0] == seen[1]


def test_an_optimizer_made_before_the_first_input_trains_the_materialized_parameters():
    lg.manual_seed(0)
    model = lg.nn.Sequential(lg.nn.LazyConv2d(4, 3), lg.nn.ReLU(), lg.nn.Flatten(), lg.nn.LazyLinear(2))
    optimizer = lg.optim.SGD(model.parameters(), lr=0.1)
    x, y = lg.randn(8, 3, 6, 6), lg.tensor([0, 1] * 4)
    losses = []
    for _ in range(5):
        optimizer.zero_grad()
        loss = lg.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert type(model[3]) is lg.nn.Linear and tuple(model[3].weight.shape) == (2, 64)
    assert losses[-1] < losses[0] and all(np.isfinite(losses))


def test_a_state_dict_gives_the_shapes_and_values():
    torch = torch_or_skip()
    for lib in (lg, torch):
        layer = lib.nn.LazyLinear(2)
        layer.load_state_dict({"weight": lib.ones(2, 5), "bias": lib.zeros(2)})
        assert type(layer).__name__ == "LazyLinear" and tuple(layer.weight.shape) == (2, 5)  # (class: at forward)
        assert layer(lib.ones(1, 5)).tolist() == [[5.0, 5.0]] and type(layer).__name__ == "Linear"


def test_uninitialized_parameters_refuse_their_shape_and_ops_and_copy():
    torch = torch_or_skip()
    for lib in (lg, torch):
        layer = lib.nn.LazyLinear(3)
        assert repr(layer.weight) == "<UninitializedParameter>"
        with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized parameter or buffer"):
            layer.weight.shape
        with pytest.raises(ValueError, match="Attempted to use an uninitialized parameter in"):
            layer.weight + 1
        twin = copy.deepcopy(layer)
        assert twin.has_uninitialized_params() and twin.weight is not layer.weight
        assert tuple(twin(lib.ones(2, 6)).shape) == (2, 3) and layer.has_uninitialized_params()
    buffer = lg.nn.UninitializedBuffer()
    buffer.materialize((3,))
    assert type(buffer) is lg.Tensor and tuple(buffer.shape) == (3,)


def test_conversions_before_the_first_input_apply_to_the_parameters_it_makes():
    torch = torch_or_skip()
    for lib in (lg, torch):
        model = lib.nn.Sequential(lib.nn.LazyLinear(3), lib.nn.LazyBatchNorm1d()).double()
        out = model(lib.ones(4, 5, dtype=lib.float64))
        assert out.dtype == lib.float64 and model[0].weight.dtype == lib.float64
        assert model[1].running_mean.dtype == lib.float64 and tuple(model[0].weight.shape) == (3, 5)


@pytest.mark.parametrize("make, input_shape", [
    (lambda nn: nn.LazyBatchNorm1d(bias=False), (4, 6)), (lambda nn: nn.LazyInstanceNorm2d(bias=False), (2, 3, 4, 4)),
    (lambda nn: nn.GroupNorm(2, 4, bias=False), (2, 4, 3)), (lambda nn: nn.GroupNorm(2, 4, affine=False), (2, 4, 3))])
def test_norms_without_a_bias_like_torch(make, input_shape):
    """torch 2.13's `bias=False` of the group and lazy norms: a weight alone (printed `bias=False`)."""
    torch = torch_or_skip()
    seen = []
    for lib in (lg, torch):
        layer = make(lib.nn)
        out = layer(lib.arange(float(np.prod(input_shape))).reshape(input_shape))
        seen.append((repr(layer), sorted(dict(layer.named_parameters())), out.detach().numpy()))
    assert seen[0][:2] == seen[1][:2]
    np.testing.assert_allclose(seen[0][2], seen[1][2], rtol=1e-5, atol=1e-6)


def test_modules_can_keep_duplicates_like_torch():
    torch = torch_or_skip()
    counts = []
    for lib in (lg, torch):
        shared = lib.nn.Linear(2, 2)
        model = lib.nn.Sequential(shared, shared)
        counts.append((len(list(model.modules())), len(list(model.modules(remove_duplicate=False)))))
    assert counts[0] == counts[1] == (2, 3)
