#!/usr/bin/env python3
"""lazygrad benchmark suite: lazygrad against numpy and torch eager (CPU), float32, in one run.

    python benchmarks/bench.py                  # full run (a few minutes at most)
    python benchmarks/bench.py --quick          # small sizes, few repetitions (smoke test, < 30 s)
    python benchmarks/bench.py --only softmax   # one benchmark (comma-separated list allowed)
    python benchmarks/bench.py --json out.json  # also write every figure and sample as JSON

Benchmarks (names for --only): chain, membw, softmax, sums, compile, overhead. See
benchmarks/README.md for what each measures and the targets.

How it times: inputs are realized before timing; a lazygrad sample is "build the expression and
call .realize() on the result" (graph building is part of the cost); every contender is warmed
up first (so compile time is excluded, except in `compile`), then the contenders of a benchmark
run round-robin (rotating the order each round, so drift and noise from a shared machine hit all
of them alike) and each figure is the median of the samples. Results are dropped after each
sample, outside the timed region, so lazygrad can never reuse a previous result through its
hash-consed graph (the kernels that ran are checked). The garbage collector is paused while
timing. The kernel cache lives in a fresh temporary directory for the run.
"""
from __future__ import annotations

import argparse
import ctypes
import datetime
import gc
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import timeit

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

BENCHMARKS = ("chain", "membw", "softmax", "sums", "compile", "overhead")

FULL = dict(chain_n=1 << 24, membw_n=1 << 24, stream_n=1 << 25, mat=4096, reps=21, warmup=2,
            compile_runs=3, tiny_iters=20000, tiny_reps=9)
QUICK = dict(chain_n=1 << 20, membw_n=1 << 20, stream_n=1 << 22, mat=1024, reps=3, warmup=1,
             compile_runs=1, tiny_iters=2000, tiny_reps=3)

# targets (ratios are lazygrad time / peer time)
CHAIN_MAX_VS_NUMPY = 1 / 3
CHAIN_MAX_VS_TORCH = 1.0
MEMBW_MIN_OF_STREAM = 0.70
SOFTMAX_MAX_VS_TORCH = 1.0
SUMS_MAX_VS_TORCH = 1.2
COLD_COMPILE_MAX_S = 0.3
WARM_LOAD_MAX_S = 0.005

lg = np = torch = None  # imported in main()


# --------------------------------------------------------------------------- timing


def _rotated(items: list, k: int) -> list:
    k %= len(items)
    return items[k:] + items[:k]


def time_group(fns: dict, reps: int, warmup: int) -> dict[str, list[float]]:
    """Samples (seconds) of each callable: warm-up each, then `reps` rounds, round-robin."""
    for f in fns.values():
        for _ in range(warmup):
            r = f()
            del r
    samples: dict[str, list[float]] = {k: [] for k in fns}
    names = list(fns)
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for i in range(reps):
            for name in _rotated(names, i):
                f = fns[name]
                t0 = time.perf_counter()
                r = f()
                t1 = time.perf_counter()
                del r
                samples[name].append(t1 - t0)
    finally:
        if was_enabled:
            gc.enable()
    return samples


def med(samples: list[float] | None) -> float | None:
    return statistics.median(samples) if samples else None


def spread(samples: list[float]) -> dict:
    s = sorted(samples)
    q = lambda p: s[min(len(s) - 1, int(round(p * (len(s) - 1))))]  # noqa: E731
    return {"median": statistics.median(s), "min": s[0], "max": s[-1], "p25": q(0.25), "p75": q(0.75), "n": len(s)}


# --------------------------------------------------------------------------- lazygrad introspection


def lg_kernels_run(build) -> tuple[list[str] | None, int]:
    """Realize build() once (untimed); the names of the kernels that ran (best effort) and their count."""
    from lazygrad import runtime
    names: list[str] = []
    orig = getattr(runtime, "run_kernel", None)

    def spy(item, *args, **kwargs):
        orig(item, *args, **kwargs)
        try:
            key, _ = runtime._structure(item)
            entry = runtime._KERNELS.get(("c", key))
            names.append(entry.kernel.name if entry is not None else "?")
        except Exception:  # internals changed: the count below still holds
            names.append("?")

    before = lg.stats().kernels_run
    if orig is not None:
        runtime.run_kernel = spy
    try:
        r = build().realize()
    finally:
        if orig is not None:
            runtime.run_kernel = orig
    count = lg.stats().kernels_run - before
    del r
    return (names if orig is not None else None), count


def lg_schedule_source(build) -> str:
    try:
        return str(lg.schedule(build()))
    except Exception as e:  # pragma: no cover - report, never crash the benchmark
        return f"<lg.schedule failed: {type(e).__name__}: {e}>"


def to_numpy(t) -> np.ndarray:
    """A lazygrad tensor's values as a fresh numpy array (without making its buffer numpy-shared)."""
    return np.array(np.asarray(t), copy=True)


def to_torch(a: np.ndarray):
    return torch.from_numpy(a.copy()) if torch is not None else None


def max_rel_err(got: np.ndarray, ref: np.ndarray, floor: float) -> float:
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    return float(np.max(np.abs(got - ref) / np.maximum(np.abs(ref), floor)))


def accuracy(got, ref64, np32, floor: float, tol: float) -> tuple[float, float, bool]:
    """lazygrad's error against a float64 reference, numpy float32's error, and whether lazygrad's is
    acceptable: below `tol`, or no worse than twice what float32 arithmetic itself gives (numpy)."""
    err = max_rel_err(got, ref64, floor)
    err_np = max_rel_err(np32, ref64, floor)
    return err, err_np, err <= max(tol, 2 * err_np)


# --------------------------------------------------------------------------- STREAM


class Stream:
    """benchmarks/stream.c compiled with -O3 -march=native -fopenmp, loaded with ctypes."""

    def __init__(self, n: int, tmp: str):
        cc = os.environ.get("CC", "cc")
        so = os.path.join(tmp, "stream.so")
        cmd = [cc, "-O3", "-march=native", "-fopenmp", "-fPIC", "-shared", "-o", so, os.path.join(HERE, "stream.c")]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"cannot build the STREAM kernel ({' '.join(cmd)}):\n{r.stderr}")
        self.command = " ".join(cmd)
        lib = ctypes.CDLL(so)
        P, L = ctypes.c_void_p, ctypes.c_long
        lib.stream_init.argtypes = [P, P, P, L]
        lib.stream_triad.argtypes = [P, P, P, ctypes.c_float, L]
        lib.stream_copy.argtypes = [P, P, L]
        lib.stream_threads.restype = ctypes.c_int
        self.lib, self.n = lib, n
        self.a = np.empty(n, np.float32)
        self.b = np.empty(n, np.float32)
        self.c = np.empty(n, np.float32)
        self.pa, self.pb, self.pc = (x.ctypes.data for x in (self.a, self.b, self.c))
        lib.stream_init(self.pa, self.pb, self.pc, n)
        self.threads = lib.stream_threads()

    def triad(self):
        self.lib.stream_triad(self.pa, self.pb, self.pc, 3.0, self.n)

    def copy(self):
        self.lib.stream_copy(self.pa, self.pb, self.n)

    def check(self) -> bool:
        self.triad()
        return bool(self.a[0] == 7.0 and self.a[-1] == 7.0)


# --------------------------------------------------------------------------- results


class Report:
    def __init__(self):
        self.rows: list[dict] = []
        self.failures: list[dict] = []

    def add(self, **row) -> dict:
        row.setdefault("status", "info")
        self.rows.append(row)
        if row["status"] == "FAIL":
            self.failures.append(row)
        return row


def _fmt_time(s: float | None, unit: str) -> str:
    if s is None:
        return "-"
    if unit == "us":
        return f"{s * 1e6:.2f} us"
    if unit == "ms":
        v = s * 1e3
        return f"{v:.3f} ms" if v < 10 else f"{v:.1f} ms"
    if unit == "s":
        return f"{s:.3f} s"
    if unit == "GB/s":
        return f"{s:.1f} GB/s"
    return f"{s:g} {unit}"


def _acc(err: float, err_np: float, ok: bool) -> str:
    return f"(err {err:.1e})" if ok else f"(WRONG RESULT: err {err:.1e}, numpy f32 {err_np:.1e})"


def _status(ok: bool, torch_ratio: float | None, acc_ok: bool) -> str:
    """PASS/FAIL of a target against torch; "n/a" without torch (unless the result is wrong)."""
    if torch_ratio is None and acc_ok:
        return "n/a"
    return "PASS" if ok else "FAIL"


def _fmt_ratio(r: float | None) -> str:
    return "-" if r is None else f"{r:.2f}x"


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def print_table(rep: Report) -> None:
    head = ["#", "benchmark", "lazygrad", "numpy", "torch", "lg/numpy", "lg/torch", "target (measured)", "result"]
    lines = []
    for r in rep.rows:
        unit = r.get("unit", "ms")
        lines.append([r.get("id", ""), r["name"], _fmt_time(r.get("lazygrad"), unit),
                      _fmt_time(r.get("numpy"), unit), _fmt_time(r.get("torch"), unit),
                      _fmt_ratio(r.get("ratio_numpy")), _fmt_ratio(r.get("ratio_torch")),
                      r.get("target", ""), r["status"]])
    widths = [max(len(str(x[i])) for x in [head, *lines]) for i in range(len(head))]
    fmt = lambda row: "  ".join(str(c).ljust(w) if i in (0, 1, 7, 8) else str(c).rjust(w)  # noqa: E731
                                for i, (c, w) in enumerate(zip(row, widths)))
    print(fmt(head))
    print("  ".join("-" * w for w in widths))
    for row in lines:
        print(fmt(row))


# --------------------------------------------------------------------------- the benchmarks


def bench_chain(cfg, rep: Report, extra: dict) -> None:
    n = cfg["chain_n"]
    x = lg.rand(n).realize()
    xn = to_numpy(x)
    xt = to_torch(xn)

    def build():
        return ((x * 1.5 + 2).exp().tanh() * x - 0.5).abs().sqrt()

    fns = {"lazygrad": lambda: build().realize(),
           "numpy": lambda: np.sqrt(np.abs(np.tanh(np.exp(xn * 1.5 + 2)) * xn - 0.5))}
    if torch is not None:
        fns["torch"] = lambda: ((xt * 1.5 + 2).exp().tanh() * xt - 0.5).abs().sqrt()
    samples = time_group(fns, cfg["reps"], cfg["warmup"])
    got = to_numpy(build().realize())
    x64 = xn.astype(np.float64)
    ref = np.sqrt(np.abs(np.tanh(np.exp(x64 * 1.5 + 2)) * x64 - 0.5))
    err, err_np, acc_ok = accuracy(got, ref, fns["numpy"](), 1e-3, 1e-5)
    names, count = lg_kernels_run(build)
    t = {k: med(v) for k, v in samples.items()}
    rn, rt = ratio(t["lazygrad"], t["numpy"]), ratio(t["lazygrad"], t.get("torch"))
    ok = acc_ok and rn <= CHAIN_MAX_VS_NUMPY and (rt is None or rt < CHAIN_MAX_VS_TORCH)
    tgt = f"lg/np <= 0.333 and lg/torch < 1{'' if rt is not None else ' (no torch: not checked)'} {_acc(err, err_np, acc_ok)}"
    rep.add(id="1", key="chain", name=f"8-op chain exp/tanh, 2^{n.bit_length() - 1}", unit="ms",
            lazygrad=t["lazygrad"], numpy=t["numpy"], torch=t.get("torch"), ratio_numpy=rn, ratio_torch=rt,
            target=tgt, status="PASS" if ok else "FAIL", max_rel_err=err, numpy_max_rel_err=err_np, kernels=names, kernels_run=count,
            samples={k: spread(v) for k, v in samples.items()}, schedule=lg_schedule_source(build))


def bench_membw(cfg, rep: Report, extra: dict) -> None:
    n = cfg["membw_n"]
    a = lg.rand(n).realize()
    b = lg.rand(n).realize()
    an, bn = to_numpy(a), to_numpy(b)
    at, bt = to_torch(an), to_torch(bn)
    stream = Stream(cfg["stream_n"], extra["tmp"])
    if not stream.check():
        raise RuntimeError("STREAM triad kernel computed a wrong result")

    def build():
        return a * 2 + b * 3 - 1

    fns = {"lazygrad": lambda: build().realize(), "numpy": lambda: an * 2 + bn * 3 - 1,
           "stream_triad": stream.triad, "stream_copy": stream.copy}
    if torch is not None:
        fns["torch"] = lambda: at * 2 + bt * 3 - 1
    samples = time_group(fns, cfg["reps"], cfg["warmup"])
    got = to_numpy(build().realize())
    ref = an.astype(np.float64) * 2 + bn.astype(np.float64) * 3 - 1
    err, err_np, acc_ok = accuracy(got, ref, fns["numpy"](), 1e-3, 1e-6)
    names, count = lg_kernels_run(build)
    t = {k: med(v) for k, v in samples.items()}
    moved = 3 * 4 * n  # two float32 reads and one write per element
    bw = {k: moved / t[k] / 1e9 for k in ("lazygrad", "numpy", "torch") if t.get(k)}
    triad_bw = 3 * 4 * stream.n / t["stream_triad"] / 1e9
    copy_bw = 2 * 4 * stream.n / t["stream_copy"] / 1e9
    frac = bw["lazygrad"] / triad_bw
    sz = f"2^{n.bit_length() - 1}"
    rep.add(id="2", key="membw", name=f"a*2+b*3-1, {sz}", unit="ms", lazygrad=t["lazygrad"], numpy=t["numpy"],
            torch=t.get("torch"), ratio_numpy=ratio(t["lazygrad"], t["numpy"]),
            ratio_torch=ratio(t["lazygrad"], t.get("torch")), target=f"(see bandwidth row; err {err:.1e})",
            status="info" if acc_ok else "FAIL", max_rel_err=err, numpy_max_rel_err=err_np, kernels=names, kernels_run=count,
            samples={k: spread(v) for k, v in samples.items()}, schedule=lg_schedule_source(build))
    ok = acc_ok and frac >= MEMBW_MIN_OF_STREAM
    rep.add(id="2", key="membw_bandwidth", name="  effective bandwidth (12 B/elem)", unit="GB/s",
            lazygrad=bw["lazygrad"], numpy=bw.get("numpy"), torch=bw.get("torch"),
            target=f"lg >= 0.70 x STREAM triad {triad_bw:.1f} GB/s (lg = {frac:.2f}x)",
            status="PASS" if ok else "FAIL", fraction_of_stream=frac, stream_triad_gbs=triad_bw,
            stream_copy_gbs=copy_bw, stream_n=stream.n, stream_threads=stream.threads,
            stream_command=stream.command)
    extra["stream"] = {"n": stream.n, "threads": stream.threads, "triad_gbs": triad_bw, "copy_gbs": copy_bw,
                       "triad_s": spread(samples["stream_triad"]), "copy_s": spread(samples["stream_copy"]),
                       "command": stream.command}


def bench_softmax(cfg, rep: Report, extra: dict) -> None:
    m = cfg["mat"]
    x = lg.rand(m, m).realize()
    xn = to_numpy(x)
    xt = to_torch(xn)

    def build():
        e = (x - x.amax(1, keepdim=True)).exp()
        return e / e.sum(1, keepdim=True)

    def np_softmax():
        e = np.exp(xn - xn.max(1, keepdims=True))
        return e / e.sum(1, keepdims=True)

    fns = {"lazygrad": lambda: build().realize(), "numpy": np_softmax}
    if torch is not None:
        fns["torch"] = lambda: torch.softmax(xt, 1)
    samples = time_group(fns, cfg["reps"], cfg["warmup"])
    got = to_numpy(build().realize())
    x64 = xn.astype(np.float64)
    e64 = np.exp(x64 - x64.max(1, keepdims=True))
    err, err_np, acc_ok = accuracy(got, e64 / e64.sum(1, keepdims=True), np_softmax(), 1e-30, 1e-5)
    names, count = lg_kernels_run(build)
    t = {k: med(v) for k, v in samples.items()}
    rt = ratio(t["lazygrad"], t.get("torch"))
    ok = acc_ok and (rt is None or rt < SOFTMAX_MAX_VS_TORCH)
    rep.add(id="3", key="softmax", name=f"row softmax {m}x{m}", unit="ms", lazygrad=t["lazygrad"], numpy=t["numpy"],
            torch=t.get("torch"), ratio_numpy=ratio(t["lazygrad"], t["numpy"]), ratio_torch=rt,
            target=f"lg/torch < 1 {_acc(err, err_np, acc_ok)}", status=_status(ok, rt, acc_ok), max_rel_err=err,
            numpy_max_rel_err=err_np, kernels=names, kernels_run=count,
            samples={k: spread(v) for k, v in samples.items()}, schedule=lg_schedule_source(build))


def bench_sums(cfg, rep: Report, extra: dict) -> None:
    m = cfg["mat"]
    x = lg.rand(m, m).realize()
    xn = to_numpy(x)
    xt = to_torch(xn)
    x64 = xn.astype(np.float64)
    cases = [("sum_dim1", "x.sum(1) (each row)", 1), ("sum_dim0", "x.sum(0) (each column)", 0),
             ("sum_all", "x.sum() (full)", None)]
    for key, label, axis in cases:
        if axis is None:
            build = lambda: x.sum()  # noqa: E731
            fns = {"lazygrad": lambda: build().realize(), "numpy": lambda: xn.sum()}
            if torch is not None:
                fns["torch"] = lambda: xt.sum()
        else:
            build = (lambda ax: lambda: x.sum(ax))(axis)
            fns = {"lazygrad": (lambda b: lambda: b().realize())(build),
                   "numpy": (lambda ax: lambda: xn.sum(ax))(axis)}
            if torch is not None:
                fns["torch"] = (lambda ax: lambda: xt.sum(ax))(axis)
        samples = time_group(fns, cfg["reps"], cfg["warmup"])
        got = to_numpy(build().realize())
        err, err_np, acc_ok = accuracy(got, x64.sum(axis), fns["numpy"](), 1e-3, 1e-5)
        names, count = lg_kernels_run(build)
        t = {k: med(v) for k, v in samples.items()}
        rt = ratio(t["lazygrad"], t.get("torch"))
        ok = acc_ok and (rt is None or rt <= SUMS_MAX_VS_TORCH)
        rep.add(id="4", key=key, name=f"{label} {m}x{m}", unit="ms", lazygrad=t["lazygrad"], numpy=t["numpy"],
                torch=t.get("torch"), ratio_numpy=ratio(t["lazygrad"], t["numpy"]), ratio_torch=rt,
                target=f"lg/torch <= 1.2 {_acc(err, err_np, acc_ok)}", status=_status(ok, rt, acc_ok), max_rel_err=err,
                numpy_max_rel_err=err_np, kernels=names, kernels_run=count, samples={k: spread(v) for k, v in samples.items()},
                schedule=lg_schedule_source(build))


# The child process of the compile benchmark. "cold": a fresh cache directory; realize kernel K1
# (the process's first kernel: compiler identity probe and template set-up included), run it again,
# then a second new kernel K2 (the cost of compiling one more kernel), run it again. "warm": the same
# cache directory in a new process; realize K1 (loaded from the disk cache), run it again.
_CHILD = textwrap.dedent("""
    import json, sys, time
    t0 = time.perf_counter()
    import numpy as np
    import lazygrad as lg
    t_import = time.perf_counter() - t0
    mode, c1, c2, n = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    x = lg.tensor(np.linspace(0, 1, n, dtype=np.float32))  # a copy into a buffer: no kernel
    def kernel(c, second):  # the second kernel differs in structure (constants are run-time arguments)
        y = x * c
        return (y.abs() if second else y) + 0.25
    def timed(c, second=False):
        before = lg.stats()
        t0 = time.perf_counter()
        r = kernel(c, second).realize()
        dt = time.perf_counter() - t0
        after = lg.stats()
        ok = bool(np.allclose(np.asarray(r), np.linspace(0, 1, n, dtype=np.float32) * np.float32(c) + 0.25))
        del r
        return {"s": dt, "compiled": after.kernels_compiled - before.kernels_compiled,
                "disk_hits": after.disk_cache_hits - before.disk_cache_hits,
                "kernels_run": after.kernels_run - before.kernels_run, "ok": ok}
    out = {"import_s": t_import, "k1_first": timed(c1), "k1_second": timed(c1)}
    if mode == "cold":
        out["k2_first"] = timed(c2, True)
        out["k2_second"] = timed(c2, True)
    print("RESULT " + json.dumps(out))
""")


def _run_child(mode: str, cache: str, c1: float, c2: float, n: int) -> dict:
    env = dict(os.environ, LAZYGRAD_CACHE_DIR=cache)
    env["PYTHONPATH"] = REPO + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    r = subprocess.run([sys.executable, "-c", _CHILD, mode, repr(c1), repr(c2), str(n)], env=env,
                       capture_output=True, text=True, timeout=300, cwd=REPO)
    line = [ln for ln in r.stdout.splitlines() if ln.startswith("RESULT ")]
    if r.returncode != 0 or not line:
        raise RuntimeError(f"compile benchmark child ({mode}) failed (exit {r.returncode}):\n{r.stderr[-4000:]}")
    return json.loads(line[-1][len("RESULT "):])


def bench_compile(cfg, rep: Report, extra: dict) -> None:
    rng = random.Random(time.time_ns() ^ os.getpid())
    runs = []
    for i in range(cfg["compile_runs"]):
        cache = os.path.join(extra["tmp"], f"compile-cache-{i}")  # does not exist yet: created 0700 by lazygrad
        c1 = round(1 + rng.random(), 9)  # (positive: |x * c| = x * c for x in [0, 1])
        c2 = round(2 + rng.random(), 9)
        cold = _run_child("cold", cache, c1, c2, 4096)
        warm = _run_child("warm", cache, c1, c2, 4096)
        runs.append({"cold": cold, "warm": warm, "constants": [c1, c2]})
    compile_s = [r["cold"]["k2_first"]["s"] - r["cold"]["k2_second"]["s"] for r in runs]
    first_s = [r["cold"]["k1_first"]["s"] - r["cold"]["k1_second"]["s"] for r in runs]
    load_s = [r["warm"]["k1_first"]["s"] - r["warm"]["k1_second"]["s"] for r in runs]
    import_s = [r["warm"]["import_s"] for r in runs]
    # were the measured events what they claim to be?
    cold_ok = all(r["cold"]["k2_first"]["compiled"] == 1 and r["cold"]["k1_first"]["compiled"] >= 1
                  and r["cold"][k]["ok"] for r in runs for k in ("k1_first", "k2_first"))
    warm_ok = all(r["warm"]["k1_first"]["compiled"] == 0 and r["warm"]["k1_first"]["disk_hits"] >= 1
                  and r["warm"]["k1_first"]["ok"] for r in runs)
    c, f, ld = med(compile_s), med(first_s), med(load_s)
    note = "" if cold_ok else "; CHECK FAILED: not exactly one compile"
    rep.add(id="5", key="cold_compile", name="cold compile of one new kernel", unit="s", lazygrad=c,
            target=f"< 0.3 s{note}", status="PASS" if c < COLD_COMPILE_MAX_S and cold_ok else "FAIL",
            samples=compile_s, runs=runs)
    rep.add(id="5", key="first_kernel_fresh_process", name="  first kernel of a process, empty cache", unit="s",
            lazygrad=f, target="info (includes compiler probe + templates)", status="info", samples=first_s)
    note = "" if warm_ok else "; CHECK FAILED: not a disk-cache hit"
    rep.add(id="5", key="warm_load", name="warm process: first kernel from disk cache", unit="ms", lazygrad=ld,
            target=f"< 5 ms (load = 1st - 2nd realize){note}",
            status="PASS" if ld < WARM_LOAD_MAX_S and warm_ok else "FAIL", samples=load_s)
    rep.add(id="5", key="import", name="  import lazygrad (+numpy) in the warm child", unit="ms",
            lazygrad=med(import_s), target="info", status="info", samples=import_s)


def bench_overhead(cfg, rep: Report, extra: dict) -> None:
    iters, reps = cfg["tiny_iters"], cfg["tiny_reps"]
    a = lg.rand(16).realize()
    b = lg.rand(16).realize()
    an, bn = to_numpy(a), to_numpy(b)
    at, bt = to_torch(an), to_torch(bn)

    def per_stmt(stmt: str, env: dict, number: int) -> float:
        """Median seconds per execution of `stmt` (timeit: a compiled loop, gc paused)."""
        timer = timeit.Timer(stmt, globals=env)
        timer.timeit(number=max(number // 10, 1))  # warm-up
        return med([t / number for t in timer.repeat(repeat=reps, number=number)])

    # building `c = a + b` without realizing it (peers compute it eagerly)
    build_lg = per_stmt("c = a + b", {"a": a, "b": b}, iters)
    np_add = per_stmt("c = a + b", {"a": an, "b": bn}, iters)
    torch_add = per_stmt("c = a + b", {"a": at, "b": bt}, iters) if torch is not None else None
    rep.add(id="6", key="build_add", name="build c = a + b (no realize), per op", unit="us", lazygrad=build_lg,
            numpy=np_add, torch=torch_add, ratio_numpy=ratio(build_lg, np_add), ratio_torch=ratio(build_lg, torch_add),
            target="info (peers compute a+b eagerly)", status="info")

    # a tiny realize with a warm kernel cache; the result is dropped at once, so each one builds,
    # schedules and runs a fresh graph (checked: one e_add kernel per realize)
    (a + b).realize()
    names, count = lg_kernels_run(lambda: a + b)
    tiny = per_stmt("(a + b).realize()", {"a": a, "b": b}, max(iters // 10, 100))
    got = to_numpy((a + b).realize())
    ok = bool(np.array_equal(got, an + bn)) and count == 1
    rep.add(id="6", key="tiny_realize", name="(a+b).realize() on 16 elements, warm", unit="us", lazygrad=tiny,
            numpy=np_add, torch=torch_add, ratio_numpy=ratio(tiny, np_add), ratio_torch=ratio(tiny, torch_add),
            target="info" + ("" if ok else "; CHECK FAILED (wrong result or kernel count)"),
            status="info" if ok else "FAIL", kernels=names, kernels_run=count)


RUNNERS = {"chain": bench_chain, "membw": bench_membw, "softmax": bench_softmax, "sums": bench_sums,
           "compile": bench_compile, "overhead": bench_overhead}


# --------------------------------------------------------------------------- machine


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def _busy_jiffies() -> float | None:
    try:
        with open("/proc/stat") as f:
            parts = f.readline().split()[1:]
        v = [int(p) for p in parts]
        return float(v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0))  # user nice sys irq softirq steal
    except (OSError, ValueError, IndexError):
        return None


def _own_cpu_s() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _openmp_runtime() -> list[str]:
    try:
        with open("/proc/self/maps") as f:
            return sorted({ln.split()[-1] for ln in f if "gomp" in ln or "libomp" in ln or "iomp" in ln})
    except OSError:
        return []


def meta(args, cfg) -> dict:
    flags = _cpu_flags()
    info = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": _cpu_model(), "nproc": os.cpu_count(),
        "sched_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "avx512f": "avx512f" in flags, "avx2": "avx2" in flags,
        "python": platform.python_version(), "numpy": np.__version__,
        "torch": getattr(torch, "__version__", None), "torch_threads": torch.get_num_threads() if torch else None,
        "lazygrad": getattr(lg, "__version__", "?"), "quick": bool(args.quick), "config": cfg,
        "loadavg_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }
    try:
        mem = open("/proc/meminfo").readline().split()
        info["mem_gib"] = round(int(mem[1]) / 2**20, 1)
    except (OSError, IndexError, ValueError):
        pass
    return info


# --------------------------------------------------------------------------- main


def main(argv=None) -> int:
    global lg, np, torch
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, few repetitions (smoke test, < 30 s)")
    ap.add_argument("--only", metavar="NAME", help="run only these benchmarks (comma-separated): " + ", ".join(BENCHMARKS))
    ap.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    ap.add_argument("--reps", type=int, help="repetitions per contender (default: 21, or 3 with --quick)")
    ap.add_argument("--strict", action="store_true", help="exit with status 1 when a target is missed")
    ap.add_argument("--no-torch", action="store_true", help="leave out the torch columns")
    ap.add_argument("--show-kernels", action="store_true", help="print the generated kernel source of every case "
                    "(by default only of failing ones)")
    args = ap.parse_args(argv)
    only = BENCHMARKS
    if args.only:
        only = tuple(s.strip() for s in args.only.split(",") if s.strip())
        bad = [s for s in only if s not in RUNNERS]
        if bad:
            ap.error(f"unknown benchmark(s) {', '.join(bad)}; choose from {', '.join(BENCHMARKS)}")
    cfg = dict(QUICK if args.quick else FULL)
    if args.reps:
        cfg["reps"] = args.reps

    wall0 = time.perf_counter()
    busy0, own0 = _busy_jiffies(), _own_cpu_s()
    tmp = tempfile.mkdtemp(prefix="lazygrad-bench-")
    # a private kernel cache for the run (fresh: nothing stale, nothing left in the user's cache)
    os.environ["LAZYGRAD_CACHE_DIR"] = os.path.join(tmp, "cache")
    if REPO not in sys.path:
        sys.path.insert(0, REPO)
    import numpy as _np
    np = _np
    import lazygrad as _lg
    lg = _lg
    # one kernel before torch is imported: lazygrad's kernels then run on the system's OpenMP
    # runtime, as they do without torch (a torch imported first would lend them its bundled libgomp)
    (lg.rand(1 << 20) + 1).realize()
    if not args.no_torch:
        try:
            import torch as _torch
            torch = _torch
            torch.set_num_threads(2)
        except ImportError:
            torch = None
    lg.manual_seed(0)
    from lazygrad import runtime
    backend = runtime.backend()

    info = meta(args, cfg)
    info["lazygrad_backend"] = backend
    print(f"lazygrad benchmarks  {info['date']}  {info['cpu']}, nproc {info['nproc']}"
          f"{', AVX-512' if info['avx512f'] else ''}; python {info['python']}, numpy {info['numpy']}, "
          f"torch {info['torch'] or '(not installed: no torch columns)'}"
          f"{' (threads ' + str(info['torch_threads']) + ')' if torch else ''}; lazygrad backend {backend}")
    print(f"{'quick' if args.quick else 'full'} run: medians of {cfg['reps']} round-robin samples after "
          f"{cfg['warmup']} warm-up call(s); float32; ratios are lazygrad time / peer time")
    if args.quick:
        print("quick: smaller sizes than the targets are set for (inputs fit in cache): PASS/FAIL is indicative only")
    la = info["loadavg_start"]
    if la and la[0] > 0.5:
        print(f"warning: load average {la[0]:.2f} at start: other processes are using the CPUs, figures are noisy")
    if backend != "c":
        print("warning: lazygrad is not using its compiled C back end: figures are not meaningful")
    sys.stdout.flush()

    rep = Report()
    extra = {"tmp": tmp}
    errors = {}
    try:
        for name in BENCHMARKS:
            if name not in only:
                continue
            t0 = time.perf_counter()
            try:
                RUNNERS[name](cfg, rep, extra)
            except Exception as e:  # report and go on with the other benchmarks
                import traceback
                errors[name] = f"{type(e).__name__}: {e}"
                traceback.print_exc()
                rep.add(name=f"{name}: ERROR ({type(e).__name__}, traceback above)", unit="ms", status="FAIL",
                        key=name, target=str(e).splitlines()[0][:60] if str(e) else "")
            gc.collect()
            print(f"  ... {name} done in {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    wall = time.perf_counter() - wall0
    busy1, own1 = _busy_jiffies(), _own_cpu_s()
    if busy0 is not None and busy1 is not None:
        hz = os.sysconf("SC_CLK_TCK")
        info["foreign_cpu_cores"] = round(max(0.0, (busy1 - busy0) / hz - (own1 - own0)) / wall, 2)
    info["loadavg_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    info["wall_s"] = round(wall, 1)
    info["openmp_runtime"] = _openmp_runtime()

    print()
    print_table(rep)
    print()
    if "stream" in extra:
        s = extra["stream"]
        print(f"STREAM (benchmarks/stream.c, {s['n']} floats, {s['threads']} threads): triad {s['triad_gbs']:.1f} GB/s, "
              f"copy {s['copy_gbs']:.1f} GB/s")
    fc = info.get("foreign_cpu_cores")
    la_end = info["loadavg_end"]
    print(f"run took {wall:.1f} s; other processes used {fc if fc is not None else '?'} CPU cores on average "
          f"meanwhile" + (f" (load average {la_end[0]:.2f} at the end)" if la_end else ""))
    judged = [r for r in rep.rows if r["status"] in ("PASS", "FAIL")]
    n_fail = sum(r["status"] == "FAIL" for r in judged)
    print(f"{len(judged) - n_fail}/{len(judged)} targets met" + (f"; FAILED: {', '.join(r['key'] for r in judged if r['status'] == 'FAIL')}" if n_fail else ""))

    # the kernels of missed targets (in a quick run only with --show-kernels: its sizes are not the targets')
    shown = [r for r in rep.rows if r.get("schedule")
             and (args.show_kernels or (r["status"] == "FAIL" and not args.quick))]
    for r in shown:
        print()
        print(f"==== generated kernels of {r['key']} ({r['status']}): print(lg.schedule(expr)) ====")
        print(r["schedule"])

    if args.json:
        out = {"meta": info, "stream": extra.get("stream"), "results": rep.rows, "errors": errors,
               "targets": {"chain_max_vs_numpy": CHAIN_MAX_VS_NUMPY, "chain_max_vs_torch": CHAIN_MAX_VS_TORCH,
                           "membw_min_of_stream": MEMBW_MIN_OF_STREAM, "softmax_max_vs_torch": SOFTMAX_MAX_VS_TORCH,
                           "sums_max_vs_torch": SUMS_MAX_VS_TORCH, "cold_compile_max_s": COLD_COMPILE_MAX_S,
                           "warm_load_max_s": WARM_LOAD_MAX_S}}
        d = os.path.dirname(os.path.abspath(args.json))
        os.makedirs(d, exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1, default=str)
        print(f"\nwrote {args.json}")
    if errors:
        return 2
    return 1 if args.strict and n_fail else 0


if __name__ == "__main__":
    sys.exit(main())
