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


def compile_all(sources: dict[str, str], folder: Path) -> list[str]:
    """Compile every kernel for every arch; the problems found (none: every kernel became a PTX entry).
    Unoptimized PTX (-O0 in NVVM): the front end and code generation check every kernel as fully, in a
    quarter of the time; test_cuda_codegen looks at optimized PTX (registers, vector loads, tensor cores)."""
    path = folder / "kernels.cu"
    path.write_text(translation_unit(sources))
    with concurrent.futures.ThreadPoolExecutor(len(ARCHS)) as pool:
        results = list(pool.map(lambda arch: nvcc(path, arch, "-Xcicc", "-O0"), ARCHS))
    kernels = sum(source.count('extern "C" __global__') for source in sources)
    problems = []
    for arch, result in zip(ARCHS, results):
        if result.returncode != 0:
            problems.append(f"{arch}: {result.stderr[-4000:]}")
        elif (entries := path.with_suffix(f".{arch}.ptx").read_text().count(".entry")) != kernels:
            problems.append(f"{arch}: {entries} PTX entries for {kernels} kernels")
    return problems
