"""Compiling generated CUDA kernels with nvcc: one translation unit of many kernels, PTX for each arch.
test_cuda_codegen uses it for its own kernels; conftest for every kernel the whole suite generated."""
from __future__ import annotations

import concurrent.futures
import re
import shutil
import subprocess
from pathlib import Path

from codegen.templates_dir import templates_dir

ARCHS = ("sm_80", "sm_90")


def available() -> bool:
    return shutil.which("nvcc") is not None


def translation_unit(sources: dict[str, str]) -> str:
    """Every kernel (source -> name) in one file, each under a unique name."""
    parts = ['#include "prelude.cuh"']
    for n, (source, name) in enumerate(sources.items()):
        body = source.replace('#include "prelude.cuh"', "")
        parts.append(re.sub(rf"\b{re.escape(name)}", f"{name}_k{n}", body))  # (its helpers and a scatter's fill too)
    return "\n".join(parts)


def nvcc(path: Path, arch: str, *options: str) -> subprocess.CompletedProcess:
    includes = [f"-I{templates_dir() / 'cuda'}", f"-I{templates_dir() / 'common'}"]
    return subprocess.run(["nvcc", "--ptx", f"-arch={arch}", "-diag-suppress=186", *options, *includes, str(path),
                           "-o", str(path.with_suffix(f".{arch}.ptx"))], capture_output=True, text=True)


def compile_all(sources: dict[str, str], folder: Path, spread: bool = False) -> list[str]:
    """Compile every kernel for every arch (spread: each kernel for one arch, the archs taking turns, so the
    session's thousands of kernels take half the wall time and both archs still see their kinds); the
    problems found (none: every kernel became a PTX entry). Unoptimized PTX (-O0 in NVVM): the front end
    and code generation check every kernel as fully, in a quarter of the time; test_cuda_codegen looks at
    optimized PTX (registers, vector loads, tensor cores)."""
    items = list(sources.items())
    units = {arch: dict(items[n::len(ARCHS)] if spread else items) for n, arch in enumerate(ARCHS)}
    paths = {arch: folder / f"kernels_{arch}.cu" for arch in ARCHS}
    for arch, unit in units.items():
        paths[arch].write_text(translation_unit(unit))
    with concurrent.futures.ThreadPoolExecutor(len(ARCHS)) as pool:
        results = list(pool.map(lambda arch: nvcc(paths[arch], arch, "-Xcicc", "-O0"), ARCHS))
    problems = []
    for arch, result in zip(ARCHS, results):
        kernels = sum(source.count('extern "C" __global__') for source in units[arch])
        if result.returncode != 0:
            problems.append(f"{arch}: {result.stderr[-4000:]}")
        elif (entries := paths[arch].with_suffix(f".{arch}.ptx").read_text().count(".entry")) != kernels:
            problems.append(f"{arch}: {entries} PTX entries for {kernels} kernels")
    return problems
