"""Accuracy, special values and vectorization of the float32 math prelude templates/c/lg_math.h.

A small C harness applies every lg_*f function in a `#pragma omp simd` loop (compiled with the
kernel flags, no -ffast-math) and is compared with numpy float64 rounded to float32.
"""
from __future__ import annotations

import math
import os
import platform
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from codegen.compile_c import CCompiler

INCLUDE = Path(__file__).resolve().parents[1] / "templates" / "c"
# exactly the flags kernels are compiled with (no -shared: the harness adds what it needs)
FLAGS = [f for f in CCompiler.FLAGS if f != "-shared"]
MAX_ULP = 4
TRIG = ("sinf", "cosf", "tanf")

_CC = shlex.split(os.environ.get("LAZYGRAD_CC") or "cc")
if not _CC or shutil.which(_CC[0]) is None:
    pytest.skip(f"no C compiler ({_CC[0] if _CC else '?'})", allow_module_level=True)
cffi = pytest.importorskip("cffi")

try:  # float64 erf reference; math.erf is the portable fallback
    from scipy.special import erf as _erf64
except Exception:  # pragma: no cover - depends on the environment
    _erf64 = np.frompyfunc(math.erf, 1, 1)


def _erf_ref(x):
    return np.asarray(_erf64(x), dtype=np.float64)


UNARY = {
    "expf": np.exp, "exp2f": np.exp2, "expm1f": np.expm1,
    "logf": np.log, "log2f": np.log2, "log10f": np.log10, "log1pf": np.log1p,
    "sinf": np.sin, "cosf": np.cos, "tanf": np.tan,
    "asinf": np.arcsin, "acosf": np.arccos, "atanf": np.arctan,
    "sinhf": np.sinh, "coshf": np.cosh, "tanhf": np.tanh, "erff": _erf_ref,
}
BINARY = {"atan2f": np.arctan2, "powf": np.power}

F32 = np.finfo(np.float32)
SPECIALS = np.array(
    [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 3.0, -3.0,
     F32.max, -F32.max, F32.tiny, -F32.tiny, F32.smallest_subnormal, -F32.smallest_subnormal,
     1e-40, -1e-40, 1e-30, -1e-30, 1e-8, -1e-8, 1e-4, -1e-4,
     # exp/exp2/expm1/sinh/cosh overflow and underflow thresholds
     88.72283172607422, 88.72283935546875, 89.41598510742188, 89.4159927368164,
     -87.33654022216797, -87.33655548095703, -103.27892303466797, -103.97207641601562,
     -103.972084, -104.0, 127.99999237060547, 128.0, -126.0, -149.0, -149.5, -150.0, -151.0,
     -17.32868, -16.635532, 9.010913, 9.1, 0.921875, 3.9199, 3.95, 3.96,
     math.pi, -math.pi, math.pi / 2, -math.pi / 2, 1e5, -1e5, 1e4 + 0.5, 0.41421357, 2.4142137,
     0.99999994, 1.0000001, -0.99999994, -1.0000001],
    dtype=np.float32)


def _compiler_available_flags():
    return _CC + FLAGS


def _harness_source(names_unary, names_binary) -> str:
    out = ["#include <stdint.h>", '#include "lg_math.h"']
    for n in names_unary:
        out.append(
            f"void apply_{n}(const float* in, float* out, int64_t n) {{\n"
            f"#pragma omp simd\n"
            f"  for (int64_t i = 0; i < n; i++) out[i] = lg_{n}(in[i]);\n}}")
    for n in names_binary:
        out.append(
            f"void apply_{n}(const float* a, const float* b, float* out, int64_t n) {{\n"
            f"#pragma omp simd\n"
            f"  for (int64_t i = 0; i < n; i++) out[i] = lg_{n}(a[i], b[i]);\n}}")
    # the float64 wrappers must at least compile and link against libm
    out.append("double lg_check_double(double x) { return lg_exp(x) + lg_exp2(x) + lg_expm1(x)"
               " + lg_log(x) + lg_log2(x) + lg_log10(x) + lg_log1p(x) + lg_sin(x) + lg_cos(x)"
               " + lg_tan(x) + lg_asin(x) + lg_acos(x) + lg_atan(x) + lg_atan2(x, 2.0)"
               " + lg_sinh(x) + lg_cosh(x) + lg_tanh(x) + lg_erf(x) + lg_pow(x, 1.5); }")
    return "\n\n".join(out) + "\n"


def _run_cc(args, cwd):
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise AssertionError("compile failed:\n" + " ".join(args) + "\n" + proc.stderr[-4000:])


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    d = tmp_path_factory.mktemp("cmath")
    (d / "harness.c").write_text(_harness_source(UNARY, BINARY))
    so = d / "harness.so"
    _run_cc(_compiler_available_flags() + ["-shared", "-I", str(INCLUDE), "harness.c",
                                           "-o", str(so), "-lm"], d)
    ffi = cffi.FFI()
    ffi.cdef("\n".join(
        [f"void apply_{n}(const float*, float*, int64_t);" for n in UNARY]
        + [f"void apply_{n}(const float*, const float*, float*, int64_t);" for n in BINARY]
        + ["double lg_check_double(double);"]))
    handle = ffi.dlopen(str(so))
    return ffi, handle


def _apply(lib, name, *args):
    ffi, h = lib
    arrs = [np.ascontiguousarray(a, dtype=np.float32) for a in args]
    out = np.empty_like(arrs[0])
    ptrs = [ffi.cast("float *", a.ctypes.data) for a in arrs]
    getattr(h, f"apply_{name}")(*ptrs, ffi.cast("float *", out.ctypes.data), out.size)
    return out


def _reference(name, *args):
    fn = UNARY.get(name) or BINARY[name]
    with np.errstate(all="ignore"):
        return fn(*[a.astype(np.float64) for a in args]).astype(np.float32)


def _ordered(a):
    i = a.view(np.int32).astype(np.int64)
    return np.where(i < 0, -(i & 0x7FFFFFFF), i)


def _check(name, got, ref, *inputs, max_ulp=MAX_ULP):
    """Exact NaN / inf / signed-zero agreement, and max ulp distance on finite results."""
    def where(mask):
        k = int(np.flatnonzero(mask)[0])
        return f"{name}{tuple(float(a[k]) for a in inputs)} = {got[k]!r}, expected {ref[k]!r}"

    bad = np.isnan(got) != np.isnan(ref)
    assert not bad.any(), "NaN mismatch: " + where(bad)
    fin = ~np.isnan(ref)
    bad = fin & (np.isinf(got) != np.isinf(ref))
    assert not bad.any(), "inf mismatch: " + where(bad)
    bad = fin & np.isinf(ref) & (got != ref)
    assert not bad.any(), "inf sign mismatch: " + where(bad)
    bad = (ref == 0) & (got == 0) & (np.signbit(got) != np.signbit(ref))
    assert not bad.any(), "signed zero mismatch: " + where(bad)
    fin &= np.isfinite(ref)
    ulp = np.abs(_ordered(got) - _ordered(ref))
    ulp = np.where(fin, ulp, 0)
    worst = int(ulp.max()) if ulp.size else 0
    assert worst <= max_ulp, f"{worst} ulp: " + where(ulp == worst)
    return worst


def _samples(name, rng):
    """~1e6 points: dense [-100, 100], all bit patterns (every exponent, both signs,
    subnormals), plus the regions where each function is delicate."""
    bits = rng.integers(0, 2**32, 400_000, dtype=np.uint64).astype(np.uint32).view(np.float32)
    bits = bits[np.isfinite(bits)]
    parts = [SPECIALS, rng.uniform(-100, 100, 300_000).astype(np.float32), bits,
             (rng.uniform(-1, 1, 100_000) * 10.0 ** rng.uniform(-8, 1, 100_000)).astype(np.float32)]
    extra = {
        "expf": (-104.5, 89.0), "exp2f": (-151.0, 129.0), "expm1f": (-20.0, 2.0),
        "sinhf": (-90.0, 90.0), "coshf": (-90.0, 90.0), "tanhf": (-10.0, 10.0),
        "logf": (0.0, 4.0), "log2f": (0.0, 4.0), "log10f": (0.0, 4.0), "log1pf": (-1.0, 2.0),
        "sinf": (-1e5, 1e5), "cosf": (-1e5, 1e5), "tanf": (-1e5, 1e5),
        "asinf": (-1.0, 1.0), "acosf": (-1.0, 1.0), "atanf": (-5.0, 5.0), "erff": (-4.5, 4.5),
    }[name]
    parts.append(rng.uniform(*extra, 200_000).astype(np.float32))
    if name in TRIG:
        parts.append(_large_trig_arguments(rng))
    return np.concatenate(parts)


def _large_trig_arguments(rng) -> np.ndarray:
    """Around 2^19, where the reduction changes hands, and over every exponent up to the largest float."""
    near = rng.uniform(2.0 ** 18, 2.0 ** 20, 100_000)
    spread = 2.0 ** rng.uniform(20, 128, 100_000)
    return (np.concatenate([near, spread]) * rng.choice([-1, 1], 200_000)).astype(np.float32)


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_accuracy(lib, name):
    rng = np.random.default_rng(sum(map(ord, name)))
    x = _samples(name, rng)
    got = _apply(lib, name, x)
    ref = _reference(name, x)
    _check(name, got, ref, x)


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_special_values(lib, name):
    x = SPECIALS
    got = _apply(lib, name, x)
    ref = _reference(name, x)
    _check(name, got, ref, x)
    # NaN in -> NaN out, and the listed exact identities
    assert np.isnan(got[np.isnan(x)]).all()
    exact = {
        "expf": [(-np.inf, 0.0), (np.inf, np.inf), (0.0, 1.0), (-0.0, 1.0)],
        "exp2f": [(-np.inf, 0.0), (np.inf, np.inf), (-150.0, 0.0), (-149.0, 2.0**-149)],
        "expm1f": [(-np.inf, -1.0), (np.inf, np.inf), (-0.0, -0.0)],
        "logf": [(0.0, -np.inf), (-0.0, -np.inf), (1.0, 0.0), (np.inf, np.inf), (-1.0, np.nan)],
        "log2f": [(0.0, -np.inf), (1.0, 0.0), (2.0, 1.0), (-1.0, np.nan)],
        "log10f": [(0.0, -np.inf), (1.0, 0.0), (-1.0, np.nan)],
        "log1pf": [(-1.0, -np.inf), (-0.0, -0.0), (-2.0, np.nan), (np.inf, np.inf)],
        "sinf": [(-0.0, -0.0), (np.inf, np.nan), (-np.inf, np.nan)],
        "cosf": [(0.0, 1.0), (np.inf, np.nan)],
        "tanf": [(-0.0, -0.0), (np.inf, np.nan)],
        "asinf": [(-0.0, -0.0), (1.0, np.pi / 2), (2.0, np.nan)],
        "acosf": [(1.0, 0.0), (-1.0, np.pi), (2.0, np.nan)],
        "atanf": [(-0.0, -0.0), (np.inf, np.pi / 2), (-np.inf, -np.pi / 2)],
        "sinhf": [(-0.0, -0.0), (np.inf, np.inf), (-np.inf, -np.inf), (89.5, np.inf)],
        "coshf": [(0.0, 1.0), (-np.inf, np.inf), (-89.5, np.inf)],
        "tanhf": [(-0.0, -0.0), (np.inf, 1.0), (-np.inf, -1.0), (10.0, 1.0)],
        "erff": [(-0.0, -0.0), (np.inf, 1.0), (-np.inf, -1.0), (4.0, 1.0)],
    }[name]
    xs = np.array([a for a, _ in exact], np.float32)
    want = np.array([b for _, b in exact], np.float32)
    got = _apply(lib, name, xs)
    assert np.array_equal(got, want, equal_nan=True), (xs, got, want)
    z = want == 0
    assert (np.signbit(got[z]) == np.signbit(want[z])).all(), (xs, got, want)


def test_exp_subnormal_results(lib):
    # every result in the subnormal range must be right, not flushed to 0 early
    x = np.linspace(-104.0, -87.0, 200_001, dtype=np.float32)
    got = _apply(lib, "expf", x)
    ref = _reference("expf", x)
    assert _check("expf", got, ref, x, max_ulp=1) <= 1
    assert (got[x > -103.9] > 0).all()


def _binary_samples(rng):
    sp = SPECIALS
    ga, gb = np.meshgrid(sp, sp)
    bits = rng.integers(0, 2**32, (2, 300_000), dtype=np.uint64).astype(np.uint32).view(np.float32)
    bits = bits[:, np.isfinite(bits).all(axis=0)]
    n = 200_000
    a = [ga.ravel(), bits[0], rng.uniform(-100, 100, n), rng.uniform(0, 4, n),
         np.round(rng.uniform(-50, 50, n)), 1 + rng.uniform(-1e-3, 1e-3, n)]
    b = [gb.ravel(), bits[1], rng.uniform(-100, 100, n), rng.uniform(-40, 40, n),
         rng.uniform(-3, 3, n), rng.uniform(-3e4, 3e4, n)]
    # negative bases with integer exponents
    a.append(-rng.uniform(0, 3, n))
    b.append(np.round(rng.uniform(-60, 60, n)))
    return (np.concatenate(a).astype(np.float32), np.concatenate(b).astype(np.float32))


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_accuracy(lib, name):
    rng = np.random.default_rng(sum(map(ord, name)))
    a, b = _binary_samples(rng)
    got = _apply(lib, name, a, b)
    ref = _reference(name, a, b)
    _check(name, got, ref, a, b)


def test_binary_special_values(lib):
    inf, nan = np.inf, np.nan
    pz, nz = 0.0, -0.0
    pi = np.pi
    atan2_cases = [
        (pz, pz, pz), (nz, pz, nz), (pz, nz, pi), (nz, nz, -pi), (pz, -1, pi), (nz, -1, -pi),
        (pz, 1, pz), (nz, 1, nz), (1, pz, pi / 2), (-1, nz, -pi / 2), (1, -inf, pi),
        (-1, -inf, -pi), (1, inf, pz), (-1, inf, nz), (inf, 1, pi / 2), (-inf, 1, -pi / 2),
        (inf, -inf, 3 * pi / 4), (-inf, -inf, -3 * pi / 4), (inf, inf, pi / 4),
        (-inf, inf, -pi / 4), (nan, 1, nan), (1, nan, nan), (3e38, 2e38, math.atan2(3, 2)),
        (1e-45, 1, 1e-45), (-1e-45, -1, -pi),
    ]
    pow_cases = [
        (nan, 0, 1), (nan, nz, 1), (1, nan, 1), (1, inf, 1), (-1, inf, 1), (-1, -inf, 1),
        (nan, 1, nan), (2, nan, nan), (pz, -3, inf), (nz, -3, -inf), (pz, -2, inf),
        (nz, -2, inf), (nz, -0.5, inf), (pz, -inf, inf), (nz, -inf, inf), (pz, 3, pz),
        (nz, 3, nz), (nz, 2, pz), (nz, 0.5, pz), (nz, inf, pz), (-2, 0.5, nan), (-8, 1 / 3, nan),
        (0.5, -inf, inf), (-0.5, -inf, inf), (2, -inf, pz), (-2, -inf, pz), (0.5, inf, pz),
        (-0.5, inf, pz), (2, inf, inf), (-2, inf, inf), (-inf, -3, nz), (-inf, -2, pz),
        (-inf, -0.5, pz), (-inf, 3, -inf), (-inf, 2, inf), (-inf, 0.5, inf), (inf, -1, pz),
        (inf, 0.5, inf), (-2, 3, -8), (-2, 2, 4), (-2, -1, -0.5), (2, 128, inf), (2, -149, 2**-149),
        (2, -150, pz), (-2, -151, nz), (-1e-30, 3, nz), (-3, 1e30, inf), (-0.5, 1e30, pz),
        (3, 0.5, math.sqrt(3)), (10, 38, 1e38), (-1, 1e10, 1),
    ]
    for name, cases in (("atan2f", atan2_cases), ("powf", pow_cases)):
        a = np.array([c[0] for c in cases], np.float32)
        b = np.array([c[1] for c in cases], np.float32)
        want = np.array([c[2] for c in cases], np.float32)
        got = _apply(lib, name, a, b)
        _check(name, got, want, a, b, max_ulp=1)
        ref = _reference(name, a, b)
        _check(name, got, ref, a, b)


def test_float64_wrappers(lib):
    ffi, h = lib
    x = 0.3
    want = sum(f(x) for f in (math.exp, lambda v: 2.0**v, math.expm1, math.log, math.log2,
                               math.log10, math.log1p, math.sin, math.cos, math.tan, math.asin,
                               math.acos, math.atan, lambda v: math.atan2(v, 2.0), math.sinh,
                               math.cosh, math.tanh, math.erf, lambda v: v**1.5))
    assert h.lg_check_double(x) == pytest.approx(want, rel=1e-14)


def test_trig_without_fma_is_accurate_for_large_arguments(tmp_path):
    """Without FMA the near reduction holds to 1e6 only; the table-driven one takes over from 2^19, with no
    FMA of its own (its products are exact by construction)."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        pytest.skip("the no-FMA target is x86-64's baseline")
    (tmp_path / "h.c").write_text(_harness_source(TRIG, []))
    flags = [f for f in FLAGS if f != "-march=native"] + ["-march=x86-64", "-mno-fma"]
    _run_cc(_CC + flags + ["-shared", "-I", str(INCLUDE), "h.c", "-o", str(tmp_path / "h.so"), "-lm"], tmp_path)
    ffi = cffi.FFI()
    ffi.cdef("\n".join(f"void apply_{n}(const float*, float*, int64_t);" for n in TRIG))
    h = ffi.dlopen(str(tmp_path / "h.so"))
    rng = np.random.default_rng(21)
    x = np.concatenate([rng.uniform(-2.0 ** 19, 2.0 ** 19, 100_000).astype(np.float32), _large_trig_arguments(rng)])
    for name in TRIG:
        got = _apply((ffi, h), name, x)
        _check(name, got, _reference(name, x), x, max_ulp=4)


# ---------------------------------------------------------------------------- vectorization

VEC_FUNCS = ["expf", "tanhf", "logf", "sinf"]


def _function_asm(asm: str, fn: str) -> str:
    m = re.search(rf"^{fn}:\s*$(.*?)^\s*\.size\s+{fn},", asm, re.S | re.M)
    assert m, f"{fn} not found in the assembly"
    return m.group(1)


def test_vectorized():
    if platform.machine().lower() not in ("x86_64", "amd64"):
        pytest.skip("vectorization check written for x86-64")
    src = _harness_source(VEC_FUNCS, [])
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        Path(d, "h.c").write_text(src)
        try:
            _run_cc(_CC + FLAGS + ["-S", "-I", str(INCLUDE), "h.c", "-o", "h.s"], d)
        except FileNotFoundError:
            pytest.skip("compiler missing")
        asm = Path(d, "h.s").read_text()
        probe = subprocess.run(_CC + ["-march=native", "-dM", "-E", "-x", "c", os.devnull],
                               capture_output=True, text=True)
    has_avx = "__AVX__" in probe.stdout
    for fn in VEC_FUNCS:
        body = _function_asm(asm, f"apply_{fn}")
        assert not re.search(r"\bcall\b", body), f"apply_{fn} calls out:\n" + \
            "\n".join(l for l in body.splitlines() if "call" in l)
        # packed single-precision arithmetic, not scalar ss code
        assert re.search(r"\b(v?mulps|vfn?m(add|sub)\d*ps)\b", body), f"apply_{fn} not vectorized"
        if has_avx:
            assert re.search(r"%[yz]mm\d", body), f"apply_{fn} uses no ymm/zmm registers"
