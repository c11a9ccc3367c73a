"""Seeing the kernels: LAZYGRAD_DEBUG, LAZYGRAD_DUMP_DIR, `python -m lazygrad dump|cache`, stats, fallback."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = "import lazygrad as lg\nx = lg.arange(64, dtype=lg.float32)\nprint(((x * 0.0325).exp() + 1).sum().item())\n"


def _env(tmp_path, **extra):
    env = dict(os.environ, PYTHONPATH=str(ROOT), LAZYGRAD_CACHE_DIR=str(tmp_path / "cache"), **extra)
    env.pop("LAZYGRAD_BACKEND", None)
    return env


def _python(args, env, **kw):
    out = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=120, **kw)
    assert out.returncode == 0, out.stderr
    return out


def test_debug_1_lists_kernels_and_2_adds_source(tmp_path):
    one = _python(["-c", SCRIPT], _env(tmp_path, LAZYGRAD_DEBUG="1"))
    assert "r_mul_exp_add_sum" in one.stderr and " ms " in one.stderr and " MB" in one.stderr
    assert "#include" not in one.stderr
    two = _python(["-c", SCRIPT], _env(tmp_path, LAZYGRAD_DEBUG="2"))
    assert "void r_mul_exp_add_sum" in two.stderr and "lg_expf" in two.stderr


def test_dump_dir_env_writes_sources(tmp_path):
    out = tmp_path / "kernels"
    _python(["-c", SCRIPT], _env(tmp_path, LAZYGRAD_DUMP_DIR=str(out)))
    sources = list(out.glob("*.c"))
    assert len(sources) == 1 and "lg_expf" in sources[0].read_text()


def test_dump_command_runs_a_script_and_writes_an_index(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(SCRIPT)
    out = tmp_path / "dumped"
    run = _python(["-m", "lazygrad", "dump", str(script), "--out", str(out)], _env(tmp_path))
    index = json.loads((out / "index.json").read_text())
    assert index["kernels"] and all((out / k).exists() for k in index["kernels"])
    assert float(run.stdout.strip()) > 0


def test_cache_info_and_clear(tmp_path):
    env = _env(tmp_path)
    _python(["-c", SCRIPT], env)
    info = _python(["-m", "lazygrad", "cache", "info"], env).stdout
    assert str(tmp_path / "cache") in info and "entries  1" in info
    cleared = _python(["-m", "lazygrad", "cache", "clear"], env).stdout
    assert "removed 1 compiled kernel " in cleared
    assert "entries  0" in _python(["-m", "lazygrad", "cache", "info"], env).stdout


def test_no_compiler_falls_back_to_the_interpreter_with_a_warning(tmp_path):
    run = _python(["-c", SCRIPT], _env(tmp_path, LAZYGRAD_CC="/nonexistent/cc"))
    assert "falling back to the slow numpy interpreter" in run.stderr
    ref = _python(["-c", SCRIPT], _env(tmp_path))
    assert abs(float(run.stdout) - float(ref.stdout)) <= 1e-5 * abs(float(ref.stdout))


def test_stats_count_runs_compiles_and_hits():
    import lazygrad as lg
    lg.reset_stats()
    x = lg.rand(5).realize()
    (x + 0.123456).realize()
    (x + 0.123456).realize()
    s = lg.stats()
    assert s.kernels_run == 3
    assert s.memory_cache_hits >= 1
    assert isinstance(s.kernels_compiled, int) and isinstance(s.disk_cache_hits, int)
