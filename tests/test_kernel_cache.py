"""The on-disk kernel cache (codegen/cache.py) and the C compiler driver (codegen/compile_c.py)."""
from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the repo root, whatever pytest's import mode
    sys.path.insert(0, str(ROOT))

from codegen import cache  # noqa: E402
from codegen.compile_c import CCompiler, CompileError, pointer  # noqa: E402
from lazygrad.stats import COUNTERS, reset_stats  # noqa: E402



def _have_cc() -> bool:
    """Probe the compiler without touching the user's real cache directory."""
    import tempfile

    old = os.environ.get("LAZYGRAD_CACHE_DIR")
    with tempfile.TemporaryDirectory() as d:
        os.environ["LAZYGRAD_CACHE_DIR"] = os.path.join(d, "cache")
        try:
            return CCompiler().available()
        finally:
            if old is None:
                del os.environ["LAZYGRAD_CACHE_DIR"]
            else:
                os.environ["LAZYGRAD_CACHE_DIR"] = old
            cache.reset_state()


pytestmark = pytest.mark.skipif(not _have_cc(), reason="no working C compiler")

ADD1 = textwrap.dedent("""
    void add1(void* a, void* n) {
        float* x = (float*)a;
        long m = *(long*)n;
        for (long i = 0; i < m; i++) x[i] += 1.0f;
    }
""")


def _src(tag: str) -> str:
    """ADD1 made unique per test (a different cache key), still the same function."""
    return f"/* {tag} */\n" + ADD1


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("LAZYGRAD_CACHE_DIR", str(d))
    cache.reset_state()
    reset_stats()
    yield d
    cache.reset_state()


def _run_add1(cc: CCompiler, so: str) -> np.ndarray:
    fn = cc.load(so, "add1", 2)
    a = np.arange(5, dtype=np.float32)
    n = np.array([a.size], dtype=np.int64)
    fn(pointer(a.ctypes.data), pointer(n.ctypes.data))
    return a


def _child_env(cache_dir: Path) -> dict:
    env = dict(os.environ)
    env["LAZYGRAD_CACHE_DIR"] = str(cache_dir)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


# The child compiles, loads and runs add1, then prints the counters as JSON on its last line.
CHILD = textwrap.dedent("""
    import json, os, sys, time
    import numpy as np
    from codegen.compile_c import CCompiler, pointer
    from lazygrad.stats import COUNTERS
    go = os.environ.get("GO_FILE")
    if go:                              # start line: all children compile at the same moment
        while not os.path.exists(go):
            time.sleep(0.002)
    if os.environ.get("NO_SUBPROCESS"):  # prove a warm process never runs the compiler
        import subprocess
        def boom(*a, **k): raise AssertionError("compiler spawned: " + repr(a))
        subprocess.run = subprocess.Popen = boom
    cc = CCompiler()
    so = cc.compile(open(sys.argv[1]).read())
    fn = cc.load(so, "add1", 2)
    a = np.zeros(3, dtype=np.float32); n = np.array([3], dtype=np.int64)
    fn(pointer(a.ctypes.data), pointer(n.ctypes.data))
    assert a.tolist() == [1.0, 1.0, 1.0], a
    print(json.dumps({"compiled": COUNTERS.kernels_compiled, "disk_hits": COUNTERS.disk_cache_hits, "so": so}))
""")


def _child_result(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


# --------------------------------------------------------------------------- basics


def test_compile_load_and_call(cache_dir):
    cc = CCompiler()
    so = cc.compile(_src("basic"))
    assert COUNTERS.kernels_compiled == 1 and COUNTERS.disk_cache_hits == 0
    assert _run_add1(cc, so).tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    # layout and modes
    p = Path(so)
    assert p.parent.parent == cache_dir and p.parent.name == p.name[:2] and p.suffix == ".so"
    assert p.with_suffix(".sha256").is_file()
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(p.stat().st_mode) & 0o077 == 0
    # same process, same source: from disk, no compile; load() hands back the cached callable
    assert cc.compile(_src("basic")) == so
    assert COUNTERS.kernels_compiled == 1 and COUNTERS.disk_cache_hits == 1
    assert cc.load(so, "add1", 2) is cc.load(so, "add1", 2)
    with pytest.raises(AttributeError):
        cc.load(so, "no_such_symbol", 2)


def test_identity_and_key_parts(cache_dir, tmp_path):
    cc = CCompiler()
    ident = cc.identity
    assert cc.identity is ident  # computed once
    assert "version=" in ident and "flags=" in ident and "cpu=" in ident
    assert "-O3" in cc.flags and "-shared" in cc.flags
    # include dirs (and the headers in them) are part of the key
    inc = tmp_path / "inc"
    inc.mkdir()
    (inc / "k.h").write_text("#define ONE 1.0f\n")
    src = '#include "k.h"\n' + ADD1.replace("+= 1.0f", "+= ONE")
    a = cc.compile(src, include_dirs=[str(inc)])
    assert _run_add1(cc, a).tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    inc2 = tmp_path / "inc2"
    inc2.mkdir()
    (inc2 / "k.h").write_text("#define ONE 2.0f\n")
    c = cc.compile(src, include_dirs=[str(inc2)])
    assert c != a
    assert _run_add1(cc, c).tolist() == [2.0, 3.0, 4.0, 5.0, 6.0]


def test_make_key_is_unambiguous():
    assert cache.make_key("ab", "c") != cache.make_key("a", "bc")
    assert len(cache.make_key("x")) == 64
    with pytest.raises(ValueError):
        cache.entry_path("../../etc/passwd")


def test_compiler_command_with_arguments(cache_dir):
    cc = CCompiler("env cc")  # a command with arguments, split with shlex, run without a shell
    assert cc.argv == ("env", "cc")
    assert cc.available()
    assert _run_add1(cc, cc.compile(_src("env"))).tolist()[0] == 1.0


def test_env_var_selects_compiler(cache_dir, monkeypatch):
    monkeypatch.setenv("LAZYGRAD_CC", "no-such-compiler-lazygrad-test --flag")
    cc = CCompiler()
    assert cc.argv == ("no-such-compiler-lazygrad-test", "--flag")
    assert cc.available() is False  # never raises
    with pytest.raises(CompileError, match="not found"):
        cc.compile(_src("missing"))


def test_openmp_fallback(cache_dir, tmp_path):
    """A compiler that rejects -fopenmp (clang without libomp) is used without it, and says so."""
    fake = tmp_path / "no-openmp-cc"
    fake.write_text('#!/bin/sh\nfor a in "$@"; do [ "$a" = -fopenmp ] && { echo "unsupported option -fopenmp" >&2; exit 1; }; done\n'
                    'exec cc "$@"\n')
    fake.chmod(0o755)
    cc = CCompiler(str(fake))
    assert cc.available() and not cc.openmp
    assert "-fopenmp" not in cc.flags and "openmp=no" in cc.identity
    assert _run_add1(cc, cc.compile(_src("no-openmp"))).tolist()[0] == 1.0
    assert CCompiler().cache_key(_src("no-openmp")) != cc.cache_key(_src("no-openmp"))


def test_threads_compile_once(cache_dir):
    from concurrent.futures import ThreadPoolExecutor

    cc = CCompiler()
    cc.identity
    with ThreadPoolExecutor(4) as ex:
        paths = list(ex.map(lambda _: cc.compile(_src("threads")), range(4)))
    assert len(set(paths)) == 1
    assert COUNTERS.kernels_compiled == 1 and COUNTERS.disk_cache_hits == 3


def test_syntax_error_raises_compile_error(cache_dir):
    cc = CCompiler()
    bad = "void broken(void* a) { int x = ; }\n"
    with pytest.raises(CompileError) as ei:
        cc.compile(bad)
    err = ei.value
    assert "error" in err.stderr and "expected expression" in err.stderr
    assert "expected expression" in str(err)
    assert err.source_path and Path(err.source_path).read_text() == bad
    assert cache.cache_info()["entries"] == 0  # nothing stored
    import shutil
    shutil.rmtree(Path(err.source_path).parent, ignore_errors=True)


def _adder(name: str, step: float) -> str:
    return ADD1.replace("add1", name).replace("1.0f", f"{step}f")


def test_compile_many_builds_the_missing_sources_in_one_run(cache_dir):
    """One compiler run for the sources not on disk; each gets its own entry (holding all of them), a
    source already built is a disk hit, and every function loads from its path and runs."""
    cc = CCompiler()
    first = cc.compile(_adder("add_one", 1.0))
    reset_stats()
    sources = [_adder("add_one", 1.0), _adder("add_two", 2.0), _adder("add_three", 3.0), _adder("add_two", 2.0)]
    paths = cc.compile_many(sources)
    assert COUNTERS.kernels_compiled == 2 and COUNTERS.disk_cache_hits == 1
    assert paths[0] == first and paths[1] == paths[2] == paths[3] != first
    assert cache.cache_info()["entries"] == 3
    for source, path, step in zip(sources, paths, (1, 2, 3, 2)):
        fn = cc.load(path, source.split("(")[0].split()[-1], 2)
        a = np.zeros(4, np.float32)
        fn(pointer(a.ctypes.data), pointer(np.array([4], np.int64).ctypes.data))
        assert a.tolist() == [step] * 4
    assert cc.compile_many(sources) == [first, *[cache.entry_path(cc.cache_key(s)) for s in sources[1:]]]


def test_overlapping_runs_build_each_source_once(cache_dir):
    """Threads building overlapping sets lock the keys in one order: no deadlock, nothing built twice."""
    from concurrent.futures import ThreadPoolExecutor

    cc = CCompiler()
    cc.identity
    a, b, c = (_adder(f"overlap_{n}", 1.0) for n in "abc")
    with ThreadPoolExecutor(3) as ex:
        results = list(ex.map(cc.compile_many, [[a, b], [b, c], [c, a]]))
    assert COUNTERS.kernels_compiled == 3 and len(results) == 3
    assert cache.cache_info()["entries"] == 3


# --------------------------------------------------------------------------- across processes


def test_second_process_hits_disk_cache(cache_dir, tmp_path):
    src = _src("second-process")
    so = CCompiler().compile(src)
    (tmp_path / "k.c").write_text(src)
    r = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "k.c")], capture_output=True, text=True,
                       env={**_child_env(cache_dir), "NO_SUBPROCESS": "1"}, timeout=60)
    assert r.returncode == 0, r.stderr
    res = _child_result(r.stdout)
    assert res == {"compiled": 0, "disk_hits": 1, "so": so}


TRAINING_LOOP = """
import lazygrad as lg
w = lg.randn(300, 200, requires_grad=True)
x = lg.randn(256, 300).realize()
for _ in range(3):
    (x @ w).relu().sum().backward()
    with lg.no_grad():
        w -= 0.01 * w.grad
    w.grad = None
    lg.realize(w)
"""


def test_processes_exit_cleanly_after_parallel_kernels(cache_dir):
    """The OpenMP runtime stays loaded until the process is gone: unloading it with the kernels at exit,
    while its worker threads still ran, crashed about half of these processes."""
    for _ in range(6):
        r = subprocess.run([sys.executable, "-c", TRAINING_LOOP], capture_output=True, text=True,
                           env=_child_env(cache_dir), timeout=120)
        assert r.returncode == 0, f"exit status {r.returncode}: {r.stderr[-2000:]}"


def test_concurrent_processes_compile_once(cache_dir, tmp_path):
    src = _src("concurrent")
    go = tmp_path / "go"
    env = {**_child_env(cache_dir), "GO_FILE": str(go)}
    (tmp_path / "k.c").write_text(src)
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path / "k.c")], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for _ in range(4)]
    time.sleep(0.3)  # let them import and reach the start line
    go.touch()
    results = []
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        results.append(_child_result(out))
    assert sum(r["compiled"] for r in results) == 1
    assert sum(r["disk_hits"] for r in results) == 3
    assert len({r["so"] for r in results}) == 1
    info = cache.cache_info()
    assert info["entries"] == 1 and info["problem"] is None
    assert not [f for f in Path(results[0]["so"]).parent.iterdir() if f.name.startswith(".tmp-")]


def test_dead_lock_holder_does_not_block(cache_dir):
    """A process that dies holding a key's lock releases it (flock): the next compile proceeds."""
    cc = CCompiler()
    src = _src("dead-holder")
    key = cc.cache_key(src)
    shard = cache_dir / key[:2]
    shard.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import fcntl, os, sys, time
        fd = os.open({str(shard / (key + '.lock'))!r}, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        print("locked", flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        os.kill(holder.pid, signal.SIGKILL)  # dies while holding the lock
        holder.wait(timeout=10)
        so = cc.compile(src)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    assert Path(so).parent == shard
    assert COUNTERS.kernels_compiled == 1
    assert _run_add1(cc, so)[0] == 1.0


# --------------------------------------------------------------------------- corrupt entries


def _truncate_so(so: Path) -> None:
    data = so.read_bytes()
    so.write_bytes(data[: len(data) // 2])


def _flip_byte_so(so: Path) -> None:
    data = bytearray(so.read_bytes())
    data[len(data) // 2] ^= 0xFF
    so.write_bytes(bytes(data))


def _garbage_sidecar(so: Path) -> None:
    so.with_suffix(".sha256").write_bytes(b"\x00\xffnot a digest")


def _wrong_digest_sidecar(so: Path) -> None:
    side = so.with_suffix(".sha256")
    digest, size = side.read_text().split()
    side.write_text(("0" if digest[0] != "0" else "1") + digest[1:] + " " + size + "\n")


def _missing_sidecar(so: Path) -> None:
    so.with_suffix(".sha256").unlink()


def _empty_so(so: Path) -> None:
    so.write_bytes(b"")


@pytest.mark.parametrize("damage", [_truncate_so, _flip_byte_so, _empty_so, _garbage_sidecar,
                                    _wrong_digest_sidecar, _missing_sidecar])
def test_corrupt_entry_is_rebuilt(cache_dir, damage):
    cc = CCompiler()
    src = _src("corrupt-" + damage.__name__)
    so = Path(cc.compile(src))  # not loaded before damaging: rewriting a mapped .so in place is unsafe
    damage(so)
    assert cache.lookup(cc.cache_key(src)) is None  # never handed out
    reset_stats()
    so2 = Path(cc.compile(src))
    assert so2 == so
    assert COUNTERS.kernels_compiled == 1 and COUNTERS.disk_cache_hits == 0
    assert _run_add1(cc, str(so2)).tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    reset_stats()
    assert Path(cc.compile(src)) == so  # and the rebuilt entry is valid
    assert COUNTERS.kernels_compiled == 0 and COUNTERS.disk_cache_hits == 1


# --------------------------------------------------------------------------- the directory


def test_new_directory_is_private_parents_are_not(tmp_path, monkeypatch):
    d = tmp_path / "a" / "b" / "lazygrad"
    monkeypatch.setenv("LAZYGRAD_CACHE_DIR", str(d))
    cache.reset_state()
    old = os.umask(0o002)  # a permissive umask must not leak into the cache dir
    try:
        assert cache.ensure_cache_dir() == str(d)
    finally:
        os.umask(old)
    assert stat.S_IMODE(d.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o775


def test_default_location_follows_xdg(tmp_path, monkeypatch):
    monkeypatch.delenv("LAZYGRAD_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == str(tmp_path / "xdg" / "lazygrad")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == str(tmp_path / "home" / ".cache" / "lazygrad")


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o757, 0o720])
def test_writable_directory_is_refused(tmp_path, monkeypatch, mode):
    d = tmp_path / "shared"
    d.mkdir()
    os.chmod(d, mode)
    monkeypatch.setenv("LAZYGRAD_CACHE_DIR", str(d))
    cache.reset_state()
    with pytest.raises(PermissionError) as ei:
        CCompiler().compile(_src("insecure"))
    msg = str(ei.value)
    assert str(d) in msg and "writable" in msg and f"{mode:04o}" in msg and "chmod 700" in msg
    assert stat.S_IMODE(d.stat().st_mode) == mode  # never silently chmod-ed
    assert list(d.iterdir()) == []                  # nothing written into it
    assert cache.cache_info()["problem"] == msg
    with pytest.raises(PermissionError):
        cache.clear_cache()


def test_symlinked_directory_is_refused(tmp_path, monkeypatch):
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(real)
    monkeypatch.setenv("LAZYGRAD_CACHE_DIR", str(link))
    cache.reset_state()
    with pytest.raises(PermissionError, match="symbolic link") as ei:
        CCompiler().compile(_src("symlink"))
    assert str(link) in str(ei.value)
    assert list(real.iterdir()) == []


def test_non_directory_is_refused(tmp_path, monkeypatch):
    f = tmp_path / "file"
    f.write_text("")
    monkeypatch.setenv("LAZYGRAD_CACHE_DIR", str(f))
    cache.reset_state()
    with pytest.raises(PermissionError, match="not a directory"):
        cache.ensure_cache_dir()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to chown")
def test_directory_owned_by_someone_else_is_refused(tmp_path, monkeypatch):
    d = tmp_path / "theirs"
    d.mkdir(mode=0o700)
    os.chown(d, 65534, 65534)
    monkeypatch.setenv("LAZYGRAD_CACHE_DIR", str(d))
    cache.reset_state()
    with pytest.raises(PermissionError, match="owned by uid 65534") as ei:
        cache.ensure_cache_dir()
    assert str(d) in str(ei.value)


def test_cache_info_and_clear(cache_dir):
    assert cache.cache_info() == {"path": str(cache_dir), "exists": False, "entries": 0, "bytes": 0,
                                  "problem": None}
    cc = CCompiler()
    sos = [cc.compile(_src(f"info-{i}")) for i in range(3)]
    info = cache.cache_info()
    assert info["entries"] == 3 and info["bytes"] >= sum(os.path.getsize(s) for s in sos)
    (cache_dir / "keep-me.txt").write_text("not ours")
    assert cache.clear_cache() == 3
    assert cache.cache_info()["entries"] == 0
    assert (cache_dir / "keep-me.txt").exists()  # only files the cache manages are removed
    reset_stats()
    cc.compile(_src("info-0"))  # works again afterwards
    assert COUNTERS.kernels_compiled == 1
