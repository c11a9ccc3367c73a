"""The C compiler driver: source text -> cached shared object -> callable C function.

    cc = CCompiler()                       # $LAZYGRAD_CC or "cc"; "ccache gcc" works too
    so = cc.compile(src)                   # path of a verified .so in the disk cache
    fn = cc.load(so, "add1", 2)            # void add1(void*, void*)
    fn(pointer(a.ctypes.data), pointer(n.ctypes.data))

The compiler is always run from an argument list (never a shell). The cache key covers the
source, the compiler identity (resolved path, ``--version`` line, effective flags, a hash of the
CPU feature flags, compiler-relevant environment variables), the include directories and the
contents of the headers in them.

The compiler identity costs a ``cc --version`` run and an OpenMP probe compile; both results
are persisted in the cache directory keyed by the compiler executables' paths, mtimes, sizes and
inodes, so a process with a warm cache never spawns the compiler.

Loading uses cffi's ABI mode through its C backend (``_cffi_backend``: ``load_library`` is what
``FFI.dlopen`` calls) with function types built directly, not parsed from a cdef: creating a
``cffi.FFI()`` imports pycparser (~25 ms), five times the warm-load budget.
"""
from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import threading
from typing import Any, Sequence


from . import cache

__all__ = ["CompileError", "CCompiler", "pointer"]

_IDENTITY_FORMAT = "lazygrad-cc-identity/1"
_OPENMP = "-fopenmp"
# Environment variables that change what the compiler produces for the same argv.
_ENV_KEYS = ("CPATH", "C_INCLUDE_PATH", "GCC_EXEC_PREFIX", "COMPILER_PATH", "LIBRARY_PATH")
_HEADER_SUFFIXES = (".h", ".hh", ".hpp", ".inc", ".inl", ".def")
_COMPILE_TIMEOUT = 600
_PROBE_SOURCE = r"""
#ifdef _OPENMP
#include <omp.h>
#endif
void lazygrad_probe(void* a, void* n) {
    float* x = (float*)a;
    long m = *(long*)n;
#pragma omp parallel for
    for (long i = 0; i < m; i++) x[i] += 1.0f;
}
"""


class CompileError(RuntimeError):
    """The C compiler failed. ``stderr``: its messages; ``source_path``: the source, kept in a temp dir."""

    def __init__(self, message: str, stderr: str = "", source_path: str | None = None,
                 command: Sequence[str] = ()):
        self.stderr = stderr
        self.source_path = source_path
        self.command = list(command)
        text = message
        if source_path:
            text += f"\nsource kept at {source_path}"
        if command:
            text += "\ncommand: " + shlex.join(self.command)
        if stderr:
            tail = stderr if len(stderr) <= 8000 else "...\n" + stderr[-8000:]
            text += "\n" + tail.rstrip()
        super().__init__(text)


# --------------------------------------------------------------------------- identity


_state_lock = threading.Lock()
_identities: dict[tuple, dict] = {}   # (argv, stat signature) -> identity record, per process
_persisted: set[tuple] = set()        # (memo key, cache dir) whose record is on disk (or cannot be)
_cpu_hash: str | None = None
_header_digests: dict[str, str] = {}


def _cpu_features_hash() -> str:
    """A short hash of the CPU feature flags (first ``flags``/``Features`` line of /proc/cpuinfo)."""
    global _cpu_hash
    if _cpu_hash is not None:
        return _cpu_hash
    line = ""
    try:
        # Read only until the first CPU's flags line: the kernel generates the file lazily,
        # and the whole of it is slow to produce on machines with many cores.
        with open("/proc/cpuinfo", "rb") as f:
            buf = b""
            while not line:
                chunk = f.read(8192)
                buf += chunk
                lines = buf.split(b"\n")
                for raw in (lines if not chunk else lines[:-1]):  # complete lines only
                    key, sep, val = raw.partition(b":")
                    if sep and key.strip() in (b"flags", b"Features"):
                        line = " ".join(sorted(val.decode("ascii", "replace").split()))
                        break
                if not chunk:
                    break
    except OSError:
        pass
    if not line:
        line = "machine=" + os.uname().machine
    _cpu_hash = hashlib.sha256(line.encode()).hexdigest()[:16]
    return _cpu_hash


def _resolve_argv(argv: Sequence[str]) -> tuple[list[str], list]:
    """(argv with executables resolved to real paths, their (path, mtime_ns, size, ino) signature)."""
    resolved, sig = [], []
    for i, a in enumerate(argv):
        path = shutil.which(a) if (i == 0 or not a.startswith("-")) else None
        if path:
            real = os.path.realpath(path)
            try:
                st = os.stat(real)
            except OSError:
                resolved.append(a)
                continue
            resolved.append(real)
            sig.append([real, st.st_mtime_ns, st.st_size, st.st_ino])
        else:
            resolved.append(a)
    return resolved, sig


def _compiler_env() -> dict[str, str]:
    env = dict(os.environ)
    env["LC_ALL"] = "C"  # stable, untranslated messages
    return env


def _run(cmd: Sequence[str], cwd: str | None = None, timeout: float = _COMPILE_TIMEOUT):
    import subprocess

    return subprocess.run(list(cmd), cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, errors="replace", env=_compiler_env(), timeout=timeout, check=False)


def _probe(argv: Sequence[str], all_flags: Sequence[str]) -> dict:
    """Run ``--version`` and try the flags on a trivial OpenMP source; return a record."""
    import subprocess
    import tempfile

    rec: dict[str, Any] = {"version": "", "openmp": False, "ok": False, "error": ""}
    try:
        r = _run([*argv, "--version"], timeout=60)
        rec["version"] = (r.stdout.splitlines() or r.stderr.splitlines() or [""])[0].strip()
    except (OSError, subprocess.SubprocessError) as e:
        rec["error"] = f"cannot run {shlex.join(argv)}: {e}"
        return rec
    tmp = tempfile.mkdtemp(prefix="lazygrad-probe-")
    try:
        src = os.path.join(tmp, "probe.c")
        with open(src, "w") as f:
            f.write(_PROBE_SOURCE)
        for openmp in (True, False):
            flags = [f for f in all_flags if openmp or f != _OPENMP]
            try:
                r = _run([*argv, *flags, "-o", os.path.join(tmp, "probe.so"), src], cwd=tmp, timeout=120)
            except (OSError, subprocess.SubprocessError) as e:
                rec["error"] = str(e)
                break
            if r.returncode == 0:
                rec["ok"], rec["openmp"] = True, openmp
                break
            rec["error"] = r.stderr.strip()[-4000:]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if rec["ok"]:
        rec["error"] = ""
    return rec


def _identity_record(argv: tuple[str, ...], all_flags: tuple[str, ...]) -> tuple[list[str], dict]:
    """(resolved argv, {"version", "openmp", "ok", "error"}); memoised per process and on disk.

    The record is persisted in the cache directory under the compiler executables' paths, mtimes,
    sizes and inodes, so a process with a warm cache never spawns the compiler to identify it.
    """
    resolved, sig = _resolve_argv(argv)
    if not sig:  # argv[0] not found on PATH
        return resolved, {"version": "", "openmp": False, "ok": False, "missing": True,
                          "error": f"C compiler {shlex.join(argv)} not found on PATH"}
    mkey = (argv, all_flags, tuple(map(tuple, sig)))
    root = cache.cache_dir()
    rec = _identities.get(mkey)
    if rec is not None and (mkey, root) in _persisted:
        return resolved, rec
    name = "\0".join([_IDENTITY_FORMAT, repr(list(argv)), repr(sig), " ".join(all_flags)])
    with _state_lock:
        rec = _identities.get(mkey)
        stored = None
        try:
            stored = cache.read_record(name)
        except OSError:  # an unusable cache dir: compile() reports it; the identity still works
            _persisted.add((mkey, root))
        if stored is not None and not (isinstance(stored.get("version"), str)
                                       and isinstance(stored.get("openmp"), bool)):
            stored = None
        if rec is None and stored is not None:
            rec = {"version": stored["version"], "openmp": stored["openmp"], "ok": True, "error": ""}
        if rec is None:
            rec = _probe(argv, all_flags)
        if (mkey, root) not in _persisted:
            if stored is None and rec["ok"]:
                try:
                    cache.write_record(name, {"version": rec["version"], "openmp": rec["openmp"], "ok": True})
                except OSError:
                    pass
            _persisted.add((mkey, root))
        _identities[mkey] = rec
    return resolved, rec


def _headers_digest(include_dirs: Sequence[str]) -> str:
    """A digest of the header files under the include dirs (memoised per process and dir)."""
    parts = []
    for d in include_dirs:
        dg = _header_digests.get(d)
        if dg is None:
            h = hashlib.sha256()
            for base, dirs, files in os.walk(d):
                dirs.sort()
                for fn in sorted(files):
                    if fn.endswith(_HEADER_SUFFIXES):
                        p = os.path.join(base, fn)
                        try:
                            with open(p, "rb") as f:
                                data = f.read()
                        except OSError:
                            continue
                        rel = os.path.relpath(p, d).encode("utf-8", "surrogateescape")
                        h.update(len(rel).to_bytes(8, "little") + rel)
                        h.update(len(data).to_bytes(8, "little") + data)
            dg = _header_digests[d] = h.hexdigest()
        parts.append(dg)
    return ",".join(parts)


# --------------------------------------------------------------------------- loading


_B = None          # the _cffi_backend module, imported on first load
_VOID = _VOIDP = None
_fn_types: dict[int, Any] = {}
_libs: dict[str, Any] = {}                    # so path -> library handle (kept alive forever)
_funcs: dict[tuple[str, str, int], Any] = {}  # (path, symbol, nargs) -> function cdata
_load_lock = threading.Lock()


def _backend():
    global _B, _VOID, _VOIDP
    if _B is None:
        import _cffi_backend as B  # cffi's C backend: what cffi.FFI wraps

        _VOID = B.new_void_type()
        _VOIDP = B.new_pointer_type(_VOID)
        _B = B
    return _B


def pointer(address: int):
    """A ``void *`` cdata for an integer address (e.g. ``arr.ctypes.data``), to pass to kernels."""
    B = _B if _B is not None else _backend()
    return B.cast(_VOIDP, address)


# --------------------------------------------------------------------------- the compiler


class CCompiler:
    # -fno-tree-loop-distribute-patterns: gcc 12 with AVX-512 turned the zeroing loop of a column reduction's
    # accumulators (`float acc0_lanes[20]`) into an inline memset whose aligned vector stores missed the
    # realigned stack frame (a segfault); the kernels' loops zero only small arrays, so nothing is lost.
    # -fcx-fortran-rules: a complex product is (ac - bd) + (ad + bc)i, as torch's and the CUDA kernels' are,
    # inline and vectorizable (C's Annex G calls a library routine for each to rescue NaN + NaN i results);
    # division keeps its range reduction.
    # -fno-tree-slp-vectorize: gcc 12's straight-line vectorizer drops a double -> float -> double round trip
    # (`out[0] = (double)(float)s[0]; out[1] = ...` becomes a copy), so a small kernel's x.float().double() kept
    # its float64 digits; the kernels' loops are vectorized by the loop vectorizer (omp simd), which is correct
    # and unaffected (matmul and the benchmarks' kernels ran as fast without it).
    # -fno-trapping-math: no kernel reads the floating-point exception flags, and with them deemed observable
    # gcc keeps a conditional float -> double conversion behind a branch and gives up vectorizing the loop (a
    # max-pool gradient fused into a bias gradient ran 8x slower on random data). It also lets gcc fold a round
    # trip (double)(int)x into trunc(x) (-0.4 became -0.0, NaN stayed NaN): the prelude's lg_f2i32/lg_f2i64 convert
    # floats to integers with x86's results written out and their integer held by gcc 12's __builtin_assoc_barrier.
    FLAGS: tuple[str, ...] = ("-O3", "-march=native", "-fopenmp", "-fwrapv", "-fno-math-errno", "-fno-trapping-math",
                              "-ffp-contract=off",
                              "-fno-tree-loop-distribute-patterns", "-fno-tree-slp-vectorize", "-fcx-fortran-rules",
                              "-std=gnu11", "-fPIC", "-shared")

    def __init__(self, cc: str | None = None):
        spec = cc if cc is not None else (os.environ.get("LAZYGRAD_CC") or "cc")
        argv = tuple(shlex.split(spec)) if isinstance(spec, str) else tuple(spec)
        if not argv:
            raise ValueError("empty C compiler command (check LAZYGRAD_CC)")
        self.argv: tuple[str, ...] = argv
        self._identity: str | None = None
        self._flags: tuple[str, ...] | None = None
        self._rec: dict | None = None
        self._available: bool | None = None

    def __repr__(self) -> str:
        return f"CCompiler({shlex.join(self.argv)!r})"

    def _ensure_identity(self) -> None:
        if self._identity is not None:
            return
        resolved, rec = _identity_record(self.argv, tuple(self.FLAGS))
        flags = tuple(f for f in self.FLAGS if rec["openmp"] or f != _OPENMP) if rec["ok"] else self.FLAGS
        env = ";".join(f"{k}={os.environ[k]}" for k in _ENV_KEYS if k in os.environ)
        self._rec, self._flags = rec, flags
        self._identity = "\n".join([
            _IDENTITY_FORMAT,
            "cc=" + shlex.join(resolved),
            "version=" + (rec["version"] or "unknown"),
            "flags=" + " ".join(flags),
            "openmp=" + ("yes" if rec["openmp"] else "no"),
            "cpu=" + _cpu_features_hash(),
            "env=" + env,
        ])

    @property
    def identity(self) -> str:
        """Resolved compiler path, ``--version`` line, effective flags, CPU-features hash (cached)."""
        self._ensure_identity()
        return self._identity  # type: ignore[return-value]

    @property
    def flags(self) -> tuple[str, ...]:
        """The flags actually used: FLAGS, less ``-fopenmp`` if the compiler cannot do OpenMP."""
        self._ensure_identity()
        return self._flags  # type: ignore[return-value]

    @property
    def openmp(self) -> bool:
        self._ensure_identity()
        return bool(self._rec and self._rec["openmp"])

    def available(self) -> bool:
        """Whether the compiler can build a trivial shared object. Cached; never raises."""
        if self._available is None:
            try:
                self._ensure_identity()
                self._available = bool(self._rec and self._rec["ok"])
            except Exception:
                self._available = False
        return self._available

    def compile(self, source: str, include_dirs: Sequence[str] = ()) -> str:
        """Path of a verified shared object for ``source``: from the disk cache, else compiled.

        Raises CompileError if the compiler fails (or is missing), PermissionError if the cache
        directory is not private.
        """
        incs = [os.path.abspath(d) for d in include_dirs]
        key = self.cache_key(source, incs)
        return cache.get_or_build(key, lambda: self._build(source, incs))

    def compile_many(self, sources: Sequence[str], include_dirs: Sequence[str] = ()) -> list[str]:
        """Paths of verified shared objects for several sources (one translation unit when
        concatenated: no two define the same name), the missing ones built by one compiler run.

        A compiler run costs about 60 ms before it compiles anything (the driver, the prelude's parse,
        the assembler and the linker), several kernels' own work, so a schedule's kernels build
        together: each missing source's cache entry holds the shared object of them all.
        """
        incs = [os.path.abspath(d) for d in include_dirs]
        keys = [self.cache_key(s, incs) for s in sources]
        return cache.get_or_build_many(
            keys, lambda missing: self._build("".join(sources[i] for i in missing), incs, len(missing)))

    def cache_key(self, source: str, include_dirs: Sequence[str] = ()) -> str:
        """The disk-cache key of ``source``: sha256 of source, identity, include dirs, their headers."""
        self._ensure_identity()
        incs = [os.path.abspath(d) for d in include_dirs]
        return cache.make_key(source, self._identity, *("-I" + d for d in incs),  # type: ignore[arg-type]
                              _headers_digest(incs) if incs else "")

    def _build(self, source: str, incs: Sequence[str], kernels: int = 1) -> bytes:
        import subprocess
        import tempfile

        rec = self._rec or {}
        if rec.get("missing"):
            raise CompileError(rec["error"] + "; install a C compiler or set LAZYGRAD_CC")
        tmp = tempfile.mkdtemp(prefix="lazygrad-cc-")
        src = os.path.join(tmp, "kernel.c")
        out = os.path.join(tmp, "kernel.so")
        with open(src, "w", encoding="utf-8") as f:
            f.write(source)
        cmd = [*self.argv, *self._flags, *("-I" + d for d in incs), "-o", out, src]  # type: ignore[misc]
        cache.counters().kernels_compiled += kernels
        try:
            r = _run(cmd, cwd=tmp)
        except subprocess.TimeoutExpired as e:
            raise CompileError(f"C compiler timed out after {e.timeout} s", source_path=src, command=cmd) from None
        except OSError as e:
            raise CompileError(f"cannot run the C compiler: {e}", source_path=src, command=cmd) from None
        if r.returncode != 0:
            raise CompileError(f"C compiler failed (exit status {r.returncode})", stderr=r.stderr,
                               source_path=src, command=cmd)
        try:
            with open(out, "rb") as f:
                data = f.read()
        except OSError as e:
            raise CompileError(f"C compiler produced no output file: {e}", stderr=r.stderr,
                               source_path=src, command=cmd) from None
        shutil.rmtree(tmp, ignore_errors=True)
        return data

    def load(self, so_path: str, symbol: str, nargs: int):
        """``void symbol(void*, ..., void*)`` (nargs params) from ``so_path`` as a cffi function.

        Call it with ``pointer(addr)`` values. The library handle is kept open for the life of
        the process (one per path), so repeated loads are dict lookups. Libraries are loaded never
        to be unloaded (RTLD_NODELETE): closing the last kernel at exit would unload the OpenMP
        runtime it brought in while that runtime's idle worker threads still run its code.
        """
        k = (so_path, symbol, nargs)
        fn = _funcs.get(k)
        if fn is not None:
            return fn
        B = _backend()
        with _load_lock:
            fn = _funcs.get(k)
            if fn is not None:
                return fn
            lib = _libs.get(so_path)
            if lib is None:
                lib = _libs[so_path] = B.load_library(so_path, B.RTLD_NOW | B.RTLD_LOCAL | os.RTLD_NODELETE)
            ftype = _fn_types.get(nargs)
            if ftype is None:
                if nargs < 0:
                    raise ValueError(f"nargs must be >= 0, got {nargs}")
                ftype = _fn_types[nargs] = B.new_function_type((_VOIDP,) * nargs, _VOID, False)
            fn = _funcs[k] = lib.load_function(ftype, symbol)
        return fn
