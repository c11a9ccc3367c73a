"""Shared fixtures: run a test on both back ends (compiled C and the numpy reference interpreter), and
render every kernel the suite compiles for C as CUDA too, so test_cuda_codegen can compile them all."""
from __future__ import annotations

import pytest

import lazygrad as lg
from lazygrad import runtime

# CUDA source -> kernel name, for every kernel the session ran on the C back end
CUDA_SOURCES: dict[str, str] = {}


@pytest.fixture(params=["c", "numpy"])
def backend(request):
    """Each test using it runs once per back end; the previous back end is restored afterwards."""
    previous = runtime.backend()
    lg.set_backend(request.param)
    yield request.param
    lg.set_backend(previous)


def torch_or_skip():
    return pytest.importorskip("torch", reason="torch is the oracle for this test")


@pytest.fixture(scope="session", autouse=True)
def render_every_kernel_for_cuda():
    original = runtime._compiled

    def also_cuda(item, rands, key, target="c"):
        entry = original(item, rands, key, target)
        if target == "c":
            twin = original(item, rands, key, "cuda").kernel
            CUDA_SOURCES.setdefault(twin.source, twin.name)
        return entry
    runtime._compiled = also_cuda
    yield
    runtime._compiled = original


def pytest_configure(config):
    config.addinivalue_line("markers", "run_last: run after every other test (it uses what they produced)")


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: item.get_closest_marker("run_last") is not None)
