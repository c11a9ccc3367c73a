"""Process-wide switches torch scripts set (lazygrad/settings.py): their values and errors as torch has
them, and what determinism changes (nothing on the CPU, whose kernels are deterministic)."""
import warnings

import numpy as np
import pytest

import lazygrad as lg
from oracle import same_error, torch_or_skip


@pytest.fixture(autouse=True)
def restore():
    yield
    lg.use_deterministic_algorithms(False)
    lg.set_float32_matmul_precision("highest")


def test_switches_read_back_as_torchs_do():
    torch = torch_or_skip()
    try:
        for lib in (lg, torch):
            assert (lib.are_deterministic_algorithms_enabled(), lib.get_deterministic_debug_mode()) == (False, 0)
        for mode in ["warn", 2, "default", 1, 0]:
            for lib in (lg, torch):
                lib.set_deterministic_debug_mode(mode)
            assert (lg.get_deterministic_debug_mode(), lg.are_deterministic_algorithms_enabled(),
                    lg.is_deterministic_algorithms_warn_only_enabled()) == (
                torch.get_deterministic_debug_mode(), torch.are_deterministic_algorithms_enabled(),
                torch.is_deterministic_algorithms_warn_only_enabled())
        for lib in (lg, torch):
            lib.use_deterministic_algorithms(True, warn_only=True)
        assert lg.get_deterministic_debug_mode() == torch.get_deterministic_debug_mode() == 1
        for lib in (lg, torch):
            lib.set_float32_matmul_precision("medium")
        assert lg.get_float32_matmul_precision() == torch.get_float32_matmul_precision() == "medium"
    finally:
        torch.use_deterministic_algorithms(False)
        torch.set_float32_matmul_precision("highest")


@pytest.mark.parametrize("call", [lambda m: m.use_deterministic_algorithms("yes"),
                                  lambda m: m.use_deterministic_algorithms(True, warn_only=1),
                                  lambda m: m.set_deterministic_debug_mode("loud"),
                                  lambda m: m.set_deterministic_debug_mode(3)])
def test_bad_switches_raise_like_torch(call):
    torch = torch_or_skip()
    same_error(lambda: call(lg), lambda: call(torch))


def test_an_unknown_precision_warns_and_changes_nothing():
    with pytest.warns(UserWarning, match="low is not one of 'highest', 'high', or 'medium'"):
        lg.set_float32_matmul_precision("low")
    assert lg.get_float32_matmul_precision() == "highest"


def test_cpu_kernels_are_deterministic_under_the_switch():
    """Scatter-adds with repeated positions give the same bits run after run, determinism asked or not."""
    lg.use_deterministic_algorithms(True)
    rng = np.random.default_rng(0)
    index = lg.tensor(rng.integers(0, 7, 5000))
    values = lg.tensor(rng.standard_normal(5000).astype(np.float32))
    first = lg.zeros(7).index_add(0, index, values).numpy()
    for _ in range(3):
        np.testing.assert_array_equal(lg.zeros(7).index_add(0, index, values).numpy(), first)
    np.testing.assert_allclose(first, np.bincount(index.numpy(), values.numpy().astype(np.float64), 7), rtol=1e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (lg.randn(64, 64) @ lg.randn(64, 64)).sum().numpy()


def test_unravel_index_like_torch():
    torch = torch_or_skip()
    for indices, shape in [([12, -1, -13, 5], (3, 4)), ([[1, 2], [3, 11]], (3, 4)), (5, (2, 3)), ([1], ())]:
        got = lg.unravel_index(lg.tensor(indices), shape)
        want = torch.unravel_index(torch.tensor(indices), shape)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.dtype is lg.int64 and g.tolist() == w.tolist()
    same_error(lambda: lg.unravel_index(lg.tensor([1.0]), (3, 4)), lambda: torch.unravel_index(torch.tensor([1.0]), (3, 4)))
    same_error(lambda: lg.unravel_index(lg.tensor([1]), (3, -4)), lambda: torch.unravel_index(torch.tensor([1]), (3, -4)))


def test_vmap_is_func_vmap():
    assert lg.vmap is lg.func.vmap
    np.testing.assert_allclose(lg.vmap(lambda r: r.sum())(lg.ones(3, 4)).numpy(), [4.0, 4.0, 4.0])
