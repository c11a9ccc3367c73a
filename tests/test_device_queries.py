"""torch.cuda's and torch.accelerator's device queries where no GPU can run (the CI machines): the answers
and refusals are torch's CPU build's. (test_cuda_runtime asks them on a device.)"""
from collections import OrderedDict

import pytest

import lazygrad as lg
from oracle import same_error, torch_or_skip


@pytest.fixture(params=["no cupy", "cupy without a GPU"])
def no_gpu(request, monkeypatch):
    """lazygrad without cupy (torch built without CUDA), or with cupy and no device (built with it)."""
    found = None if request.param == "no cupy" else object()
    monkeypatch.setattr(lg.cuda, "_probe", lambda: (found, 0, "no CUDA device was found"))
    return found is not None


def test_accelerator_queries(no_gpu):
    acc = lg.accelerator
    assert acc.is_available() is False and acc.device_count() == 0
    assert acc.current_accelerator() == (lg.device("cuda") if no_gpu else None)
    assert acc.current_accelerator(check_available=True) is None
    with acc.device_index(None):  # no switch asked for: nothing to refuse
        pass


@pytest.mark.parametrize("name, args", [
    ("current_device_index", ()), ("set_device_index", (0,)), ("synchronize", ()), ("empty_cache", ()),
    ("memory_allocated", ()), ("max_memory_allocated", ()), ("memory_reserved", ()), ("max_memory_reserved", ()),
    ("memory_stats", ()), ("reset_peak_memory_stats", ()), ("reset_accumulated_memory_stats", ()),
    ("get_memory_info", ()), ("get_device_capability", ())])
def test_accelerator_refuses_like_torch(no_gpu, name, args):
    torch = torch_or_skip()
    if torch.accelerator.is_available():
        pytest.skip("torch has an accelerator here")
    same_error(lambda: getattr(lg.accelerator, name)(*args), lambda: getattr(torch.accelerator, name)(*args))


def test_cuda_memory_counters_are_zero(no_gpu):
    """torch's CPU build counts no CUDA memory rather than refusing: scripts print these unconditionally."""
    c = lg.cuda
    assert (c.memory_allocated(), c.max_memory_allocated(), c.memory_reserved(), c.max_memory_reserved()) == (0,) * 4
    assert c.memory_stats() == OrderedDict() and c.is_bf16_supported() is False
    with pytest.raises((AssertionError, RuntimeError), match="the CUDA back end is not available"):
        c.get_device_properties(0)


def test_other_devices_are_absent():
    torch = torch_or_skip()
    x, t = lg.ones(2), torch.ones(2)
    for name in ("is_mps", "is_xpu", "is_ipu", "is_xla", "is_mtia", "is_maia", "is_vulkan", "is_cpu", "is_cuda"):
        assert getattr(x, name) is getattr(t, name), name


def test_devices_are_read_only_and_shared():
    """Tensor.device hands out one object per device, so devices cannot be written (as torch's cannot)."""
    torch = pytest.importorskip("torch")
    import copy
    import pickle
    assert lg.ones(2).device is lg.zeros(3).device
    for m, name in ((lg, "lazygrad"), (torch, "torch")):
        d = m.device("cpu")
        with pytest.raises(AttributeError, match=f"attribute 'index' of '{name}.device' objects is not writable"):
            d.index = 3
        assert pickle.loads(pickle.dumps(d)) == d and copy.deepcopy(d) == d


def test_devices_equal_devices_only():
    """torch.device("cpu") == "cpu" is False in torch (compare .type, or a device): code testing device == "cuda"
    behaves as it does there."""
    torch = torch_or_skip()
    for m in (lg, torch):
        d = m.device("cpu")
        assert (d == "cpu", d != "cpu", "cpu" == d, d == m.device("cpu"), d == m.ones(1).device) == (
            False, True, False, True, True)
        assert hash(d) == hash(m.device("cpu")) and d.type == "cpu"


def test_a_cuda_generator_needs_cuda(no_gpu):
    """torch's CPU build refuses a CUDA generator; lazygrad refuses it where CUDA cannot run, as it refuses CUDA
    tensors (AssertionError without cupy, RuntimeError with cupy and no device)."""
    with pytest.raises(RuntimeError if no_gpu else AssertionError, match="the CUDA back end is not available"):
        lg.Generator(device="cuda")
    assert lg.Generator().device == lg.device("cpu")
