"""Shared fixtures: run a test on both back ends (compiled C and the numpy reference interpreter)."""
from __future__ import annotations

import pytest

import lazygrad as lg
from lazygrad import runtime


@pytest.fixture(params=["c", "numpy"])
def backend(request):
    """Each test using it runs once per back end; the previous back end is restored afterwards."""
    previous = runtime.backend()
    lg.set_backend(request.param)
    yield request.param
    lg.set_backend(previous)


def torch_or_skip():
    return pytest.importorskip("torch", reason="torch is the oracle for this test")
