"""Attributes set on tensors (kept by copies, pickles and saved files, as torch keeps them), utils.swap_tensors,
and nn.Module's conversions under lazygrad.__future__ (the parameter objects kept, swapped or replaced)."""
import copy
import io
import pickle
import weakref

import numpy as np
import pytest

import lazygrad as lg
from oracle import torch_or_skip


def _attributes(m):
    x = m.ones(2)
    x.tag = [1]
    p = m.nn.Parameter(m.ones(2))
    p.note = "weight"
    deep = copy.deepcopy(x)
    deep.tag.append(2)
    saved = io.BytesIO()
    m.save({"x": x, "p": p}, saved)
    loaded = m.load(io.BytesIO(saved.getvalue()))
    return [x.tag, deep.tag, vars(pickle.loads(pickle.dumps(x))), vars(copy.copy(x)), vars(copy.deepcopy(p)),
            vars(pickle.loads(pickle.dumps(p))), vars(loaded["x"]), vars(loaded["p"]), vars(x * 2), vars(x.detach()),
            vars(x[0])]


def test_attributes_set_on_a_tensor_travel_as_torchs():
    """Copies, pickles and saved files keep them (a Parameter's deepcopy does not, as torch's); results and
    views are new objects without them."""
    assert _attributes(lg) == _attributes(torch_or_skip())


def test_files_with_tensor_attributes_load_both_ways():
    torch = torch_or_skip()
    for save, load in ((lg.save, torch.load), (torch.save, lg.load)):
        src = lg if save is lg.save else torch
        x, p = src.arange(3.0), src.nn.Parameter(src.ones(2))
        x.tag, p.note = 7, "bias"
        buf = io.BytesIO()
        save({"x": x, "p": p}, buf)
        got = load(io.BytesIO(buf.getvalue()), weights_only=True)
        assert got["x"].tolist() == [0.0, 1.0, 2.0] and vars(got["x"]) == {"tag": 7}
        assert vars(got["p"]) == {"note": "bias"} and type(got["p"]).__name__ == "Parameter"


def test_swap_tensors_exchanges_everything_but_identity():
    a, b = lg.arange(3.0), lg.nn.Parameter(lg.ones(2))
    a.tag = 1
    keep_a, keep_b = a, b
    lg.utils.swap_tensors(a, b)
    assert keep_a is a and type(a) is lg.nn.Parameter and type(b) is lg.Tensor
    assert a.tolist() == [1.0, 1.0] and a.requires_grad and b.tolist() == [0.0, 1.0, 2.0] and not b.requires_grad
    assert vars(b) == {"tag": 1} and vars(a) == {}
    b.add_(10)  # (b is a plain tensor now: written in place)
    assert b.tolist() == [10.0, 11.0, 12.0]


def test_swap_tensors_refuses_what_torch_refuses():
    c = lg.ones(1)
    watcher = weakref.ref(c)
    with pytest.raises(RuntimeError, match="^Cannot swap t1 because it has weakref associated with it$"):
        lg.utils.swap_tensors(c, lg.ones(1))
    with pytest.raises(RuntimeError, match="^Cannot swap t2 because it has weakref associated with it$"):
        lg.utils.swap_tensors(lg.ones(1), c)
    assert watcher() is c


@pytest.fixture
def conversion_mode(request):
    """lazygrad.__future__'s flags for the test (and torch's alike), set back afterwards."""
    modes = [lg.__future__]
    torch = None
    try:
        import torch
        modes.append(torch.__future__)
    except ImportError:
        pass
    swap, overwrite = request.param
    for future in modes:
        future.set_swap_module_params_on_conversion(swap)
        future.set_overwrite_module_params_on_conversion(overwrite)
    yield torch
    for future in modes:
        future.set_swap_module_params_on_conversion(False)
        future.set_overwrite_module_params_on_conversion(False)


def _conversion(m):
    lin = m.nn.Linear(2, 2)
    weight = lin.weight
    lin.weight.grad = m.ones(2, 2)
    grad = lin.weight.grad
    lin.double()
    kept = (weight is lin.weight, grad is lin.weight.grad, str(weight.dtype), str(lin.weight.grad.dtype))
    loaded = m.nn.Linear(2, 2)
    before = loaded.weight
    state = {"weight": m.full((2, 2), 3.0), "bias": m.zeros(2)}
    loaded.load_state_dict(state)
    stale = m.nn.Linear(2, 2)
    y = stale(m.ones(1, 2)).sum()
    y.backward(retain_graph=True)
    stale.double()
    try:
        y.backward()
        backward = "ran"
    except RuntimeError as e:
        backward = str(e).split(" this")[0]
    return kept, before is loaded.weight, before.tolist(), state["weight"].tolist(), backward


@pytest.mark.parametrize("conversion_mode", [(False, False), (True, False), (False, True)], indirect=True,
                         ids=["data", "swap", "overwrite"])
def test_module_conversion_keeps_swaps_or_replaces_parameters_as_torch(conversion_mode):
    torch = conversion_mode or pytest.skip("torch is not installed")
    got, want = _conversion(lg), _conversion(torch)
    assert str(got).replace("lazygrad.", "torch.") == str(want)


@pytest.mark.parametrize("conversion_mode", [(True, False)], indirect=True)
def test_load_state_dict_swaps_module_load_into_the_parameters(conversion_mode):
    lin = lg.nn.Linear(2, 1)
    weight = lin.weight
    lin.load_state_dict({"weight": lg.tensor([[1.0, 2.0]]), "bias": lg.tensor([0.5])}, assign=True)
    assert lin.weight is weight and type(weight) is lg.nn.Parameter and weight.requires_grad
    np.testing.assert_array_equal(lin(lg.ones(1, 2)).detach().numpy(), [[3.5]])
