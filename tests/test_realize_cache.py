"""The disk cache seen from the user's side: across processes, corrupt entries, concurrency, permissions."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import json, sys
import lazygrad as lg
x = lg.arange(1000, dtype=lg.float32)
y = ((x * {c} + 1).exp() * 0.5).sum()
value = y.item()
s = lg.stats()
print(json.dumps({{"value": value, "compiled": s.kernels_compiled, "disk": s.disk_cache_hits}}))
"""


def _run(cache: Path, c: float) -> dict:
    env = dict(os.environ, LAZYGRAD_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT))
    env.pop("LAZYGRAD_BACKEND", None)
    out = subprocess.run([sys.executable, "-c", SCRIPT.format(c=c)], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_second_process_compiles_nothing(tmp_path):
    first = _run(tmp_path / "cache", 0.001)
    second = _run(tmp_path / "cache", 0.001)
    assert first["compiled"] >= 1
    assert second["compiled"] == 0 and second["disk"] >= 1
    assert second["value"] == first["value"]


def test_truncated_entry_is_rebuilt(tmp_path):
    cache = tmp_path / "cache"
    first = _run(cache, 0.002)
    for so in cache.rglob("*.so"):
        so.write_bytes(so.read_bytes()[:100])
    again = _run(cache, 0.002)
    assert again["compiled"] >= 1 and again["value"] == first["value"]


def test_four_processes_realize_the_same_new_graph(tmp_path):
    cache = tmp_path / "cache"
    env = dict(os.environ, LAZYGRAD_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", SCRIPT.format(c=0.003)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert len({r["value"] for r in results}) == 1


def test_cache_dir_writable_by_others_is_refused(tmp_path):
    cache = tmp_path / "open"
    cache.mkdir()
    os.chmod(cache, 0o777)
    env = dict(os.environ, LAZYGRAD_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", SCRIPT.format(c=0.004)], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode != 0
    assert "PermissionError" in out.stderr and str(cache) in out.stderr


def test_a_schedule_builds_its_new_kernels_in_one_compiler_run(monkeypatch, tmp_path):
    """Kernels not compiled yet build together before the first runs (a compiler run's fixed cost, paid
    once, is several kernels' own work); the values and the counters are those of one at a time."""
    import numpy as np

    import lazygrad as lg
    from codegen.compile_c import CCompiler

    runs = []
    build = CCompiler._build
    monkeypatch.setattr(CCompiler, "_build", lambda self, source, incs, kernels=1: (
        runs.append(kernels), build(self, source, incs, kernels))[1])
    from codegen import cache
    monkeypatch.setenv("LAZYGRAD_CACHE_DIR", str(tmp_path / "cache"))  # nothing on disk
    cache.reset_state()
    c = 0.001
    n = 64 + int(np.random.default_rng().integers(1 << 12))  # a length no kernel in memory has (constants are
    x = lg.arange(float(n)).realize()                         # run-time arguments, so a new one would not do)
    lg.reset_stats()
    runs.clear()
    a, b = (x * c).exp().sum(), (x - c).sum(0, keepdim=True) * x
    lg.realize(a, b)
    assert runs == [2] and lg.stats().kernels_compiled == 2 and lg.stats().memory_cache_hits == 0
    xs = np.arange(float(n), dtype=np.float32)
    np.testing.assert_allclose(a.item(), np.exp(xs * np.float32(c)).sum(), rtol=1e-5)
    np.testing.assert_allclose(b.numpy(), (xs - np.float32(c)).sum() * xs, rtol=1e-5)
    cache.reset_state()


def _kernel(name: str, body: str = "") -> object:
    from types import SimpleNamespace
    return SimpleNamespace(name=name, nargs=1, source=f"void {name}(float* out) {{ out[0] = 1.0f; {body}}}\n")


def test_compiler_runs_split_by_cores_and_names():
    """Several runs side by side only with enough kernels for each; a name twice never in one run (one
    translation unit cannot define it twice)."""
    from codegen import c_program

    eight = [_kernel(f"k{i}", "/* runs */ ") for i in range(8)]
    assert [len(r) for r in c_program.compiler_runs(eight, cores=2)] == [4, 4]
    assert [len(r) for r in c_program.compiler_runs(eight, cores=1)] == [8]
    assert [len(r) for r in c_program.compiler_runs(eight[:7], cores=2)] == [7]
    same = [_kernel("twin", f"/* {i} */ ") for i in range(3)] + [eight[0], eight[0]]
    runs = c_program.compiler_runs(same, cores=4)
    assert sorted(len(r) for r in runs) == [1, 1, 2]
    assert all(len({k.name for k in r}) == len(r) for r in runs)


def test_a_compile_error_in_a_run_names_its_kernel(monkeypatch, tmp_path):
    """A run that fails builds its kernels one by one, so the error shows the faulty kernel's own source;
    the good ones of the run are built and load."""
    import shutil

    import numpy as np
    import pytest

    from codegen import c_program, cache
    from codegen.compile_c import CompileError

    monkeypatch.setenv("LAZYGRAD_CACHE_DIR", str(tmp_path / "cache"))
    cache.reset_state()
    good, bad = _kernel("fine_kernel", "/* errors */ "), _kernel("broken_kernel", "int x = ; ")
    with pytest.raises(CompileError) as err:
        c_program.build_all([good, bad], cores=1)
    kept = Path(err.value.source_path)
    assert kept.read_text() == bad.source
    shutil.rmtree(kept.parent)
    out = np.zeros(1, np.float32)
    c_program.get_program(good)([out.ctypes.data])
    assert out[0] == 1.0
    cache.reset_state()


def test_a_training_loop_is_scheduled_once(monkeypatch):
    """Every step builds a graph of the same structure over new buffers: the second step takes its
    schedule (and its kernels' structures) from the first, and computes what plain numpy computes."""
    import numpy as np

    import lazygrad as lg
    from lazygrad import runtime

    calls = []
    schedule = runtime.create_schedule
    monkeypatch.setattr(runtime, "create_schedule", lambda targets: calls.append(1) or schedule(targets))
    rng = np.random.default_rng(5)
    x_np, y_np = rng.standard_normal((64, 7)), rng.standard_normal(64)
    w_np = np.zeros(7)
    x, y, w = lg.tensor(x_np), lg.tensor(y_np), lg.tensor(w_np, requires_grad=True)
    steps = []
    for step in range(4):
        loss = ((x @ w - y) ** 2).mean()
        loss.backward()
        with lg.no_grad():
            w -= 0.1 * w.grad
        w.grad = None
        lg.realize(w)
        steps.append(len(calls))
        w_np = w_np - 0.1 * (2 / 64) * x_np.T @ (x_np @ w_np - y_np)
    # two schedules, both made in the first step: the loss, which still reads w, is computed first (from the
    # old w), then the update, in w's own buffer
    assert steps == [2, 2, 2, 2]
    np.testing.assert_allclose(w.detach().numpy(), w_np, rtol=1e-12)


def test_random_numbers_stay_fresh_when_the_schedule_is_reused():
    import numpy as np

    import lazygrad as lg

    lg.manual_seed(3)
    x = lg.ones(1000)
    drops = [(x * (lg.rand(1000) > 0.5)).numpy() for _ in range(3)]
    assert not np.array_equal(drops[0], drops[1]) and not np.array_equal(drops[1], drops[2])
    lg.manual_seed(3)
    again = [(x * (lg.rand(1000) > 0.5)).numpy() for _ in range(3)]
    np.testing.assert_array_equal(np.array(drops), np.array(again))


def test_a_changing_learning_rate_compiles_nothing_new(backend):
    """Float constants are run-time arguments: a step size that changes at every step (a schedule, Adam's
    bias corrections) reuses the step's kernels and its schedule, and each step uses its own value."""
    import numpy as np

    import lazygrad as lg

    rng = np.random.default_rng(6)
    x_np, y_np = rng.standard_normal((32, 5)), rng.standard_normal(32)
    x, y = lg.tensor(x_np), lg.tensor(y_np)
    w, w_np = lg.zeros(5, dtype=lg.float64, requires_grad=True), np.zeros(5)
    compiled = []
    for step in range(1, 6):
        rate = 0.3 / step + 0.01 * step  # a new value every step
        loss = ((x @ w - y) ** 2).mean()
        (g,) = lg.autograd.grad(loss, w)
        with lg.no_grad():
            w -= rate * g
        lg.realize(w)
        compiled.append(lg.stats().kernels_compiled)
        w_np = w_np - rate * (2 / 32) * x_np.T @ (x_np @ w_np - y_np)
    assert len(set(compiled[1:])) == 1, compiled  # nothing compiled after the first step
    np.testing.assert_allclose(w.detach().numpy(), w_np, rtol=1e-12)


def test_scalar_arguments_keep_float32_rounding_and_literals(backend):
    """A float32 kernel rounds its run-time constant to float32 as torch does; 0, 1, 2 and 0.5 stay literals."""
    import numpy as np

    import lazygrad as lg

    x = lg.tensor(np.linspace(-1, 1, 9, dtype=np.float32))
    got = (x * 0.1 + 0.5) * 2.0
    source = lg.schedule(got)[0].source
    assert "scalars[0]" in source and "0.5f" in source and "2.0f" in source
    want = (np.linspace(-1, 1, 9, dtype=np.float32) * np.float32(0.1) + np.float32(0.5)) * np.float32(2)
    np.testing.assert_array_equal(got.numpy(), want)
