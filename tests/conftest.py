"""Shared fixtures: run a test on both back ends (compiled C and the numpy reference interpreter), and
render every kernel the suite compiles for C as CUDA too; when the session ends, nvcc compiles all of
them, each for one of the archs (with pytest-xdist, each worker hands its kernels to the controller,
which compiles them once)."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

import lazygrad as lg
import nvcc_check
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


@pytest.fixture
def interpreted():
    """The numpy interpreter alone, for tests of how arguments are read rather than of kernels."""
    previous = runtime.backend()
    lg.set_backend("numpy")
    yield
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


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """(xdist controller) a worker is done: keep the CUDA kernels it rendered."""
    CUDA_SOURCES.update(getattr(node, "workeroutput", {}).get("cuda_sources", {}))


def pytest_sessionfinish(session, exitstatus):
    """A worker hands its kernels over; the controller (or a run without workers) compiles every kernel of
    the session with nvcc, and a kernel nvcc refuses fails the run."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["cuda_sources"] = dict(CUDA_SOURCES)
        return
    if not CUDA_SOURCES or not nvcc_check.available():
        return
    with tempfile.TemporaryDirectory() as folder:
        problems = nvcc_check.compile_all(CUDA_SOURCES, Path(folder), spread=True)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if problems:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if reporter is not None:
        title = (f"nvcc --ptx (shared by {', '.join(nvcc_check.ARCHS)}): the CUDA twins of {len(CUDA_SOURCES)} "
                 "kernels")
        reporter.write_sep("=", title + (": FAILED" if problems else ": ok"), red=bool(problems), green=not problems)
        for problem in problems:
            reporter.write_line(problem)
