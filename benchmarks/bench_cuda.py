#!/usr/bin/env python3
"""lazygrad's CUDA back end against the device and cupy, float32, in one run (needs a GPU and cupy).

    python benchmarks/bench_cuda.py           # full sizes
    python benchmarks/bench_cuda.py --quick   # small sizes (smoke test)

Measured (median of timed repetitions, CUDA events, after warm-up so compilation is excluded):
- copy: the device's copy bandwidth (cupy copying a large array, ten copies between two events),
  the yardstick for the next line;
- chain: an 8-op elementwise chain over 2^26 floats, as GB/s of compulsory traffic (one read, one
  write) and as a fraction of the copy bandwidth (target >= 0.80);
- softmax: row softmax of 4096 x 4096 against cupy's unfused composition (target: faster);
- matmul: float32 4096^3 against cupy's matmul (cuBLAS) (target: >= 0.50 of its speed);
- matmul16: float16 4096^3 (tensor cores) against cupy's (cuBLAS), reported without a target.
lazygrad's figure against each target is the device time of the kernels a realization launches
(events around each launch): what the generated code costs. The end-to-end time of the same call,
which also counts building the graph, scheduling it and launching from Python while the GPU
waits, is printed beside it; cupy's figures are end to end (its launches are asynchronous, so
they overlap its Python work).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import lazygrad as lg  # noqa: E402
from codegen import cuda_program  # noqa: E402

CHAIN_MIN_OF_COPY = 0.80
SOFTMAX_MAX_VS_CUPY = 1.0
MATMUL_MIN_OF_CUBLAS = 0.50
SIZES = {"full": (1 << 26, 4096, 15), "quick": (1 << 22, 1024, 3)}  # chain elements, matrix side, repetitions


def timed(cp, fn, reps: int, warmup: int = 2) -> float:
    """Median milliseconds of fn() on the GPU."""
    for _ in range(warmup):
        fn()
    cp.cuda.runtime.deviceSynchronize()
    samples = []
    for _ in range(reps):
        start, stop = cp.cuda.Event(), cp.cuda.Event()
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        samples.append(cp.cuda.get_elapsed_time(start, stop))
    return statistics.median(samples)


def kernel_ms(cp, fn, reps: int, warmup: int = 2) -> float:
    """Median device milliseconds of the kernels that fn() launches, summed over its launches."""
    get_program = cuda_program.get_program
    spans = []

    def timed_program(kernel, device):
        program = get_program(kernel, device)

        def launch(args):
            start, stop = cp.cuda.Event(), cp.cuda.Event()
            start.record()
            program(args)
            stop.record()
            spans.append((start, stop))
        return launch
    cuda_program.get_program = timed_program
    try:
        for _ in range(warmup):
            fn()
        samples = []
        for _ in range(reps):
            spans.clear()
            fn()
            cp.cuda.runtime.deviceSynchronize()
            samples.append(sum(cp.cuda.get_elapsed_time(start, stop) for start, stop in spans))
    finally:
        cuda_program.get_program = get_program
    return statistics.median(samples)


def chain(x):
    return ((x * 1.5 + 0.5).sin() * x - x.exp().tanh()).abs() + 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if not lg.cuda.is_available():
        print("bench_cuda: skipped, no CUDA device here (lg.cuda.is_available() is False)")
        return 0
    cp = lg.cuda.cupy()
    n, m, reps = SIZES["quick" if args.quick else "full"]
    print(f"device: {lg.cuda.get_device_name()}")

    src = cp.ones(n, dtype=cp.float32)
    dst = cp.empty_like(src)
    copy_ms = timed(cp, lambda: [dst.__setitem__(slice(None), src) for _ in range(10)], reps) / 10
    copy_gbs = 2 * n * 4 / copy_ms / 1e6
    print(f"copy     {copy_ms:8.3f} ms  {copy_gbs:8.1f} GB/s (cupy, the device's copy bandwidth)")

    x = lg.rand(n, device="cuda").realize()
    chain_ms = kernel_ms(cp, lambda: chain(x).realize(), reps)
    chain_gbs = 2 * n * 4 / chain_ms / 1e6
    ok = chain_gbs / copy_gbs >= CHAIN_MIN_OF_COPY
    print(f"chain    {chain_ms:8.3f} ms  {chain_gbs:8.1f} GB/s = {chain_gbs / copy_gbs:.2f} of copy "
          f"(target >= {CHAIN_MIN_OF_COPY}) {'ok' if ok else 'MISSED'}; "
          f"end to end {timed(cp, lambda: chain(x).realize(), reps):.3f} ms")

    a = lg.randn(m, m, device="cuda").realize()
    ca = cp.asarray(a)

    def cupy_softmax():
        e = cp.exp(ca - ca.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    lg_ms = kernel_ms(cp, lambda: a.softmax(-1).realize(), reps)
    cp_ms = timed(cp, cupy_softmax, reps)
    print(f"softmax  {lg_ms:8.3f} ms  vs cupy {cp_ms:8.3f} ms = {lg_ms / cp_ms:.2f}x "
          f"(target < {SOFTMAX_MAX_VS_CUPY}) {'ok' if lg_ms / cp_ms < SOFTMAX_MAX_VS_CUPY else 'MISSED'}; "
          f"end to end {timed(cp, lambda: a.softmax(-1).realize(), reps):.3f} ms")

    b = lg.randn(m, m, device="cuda").realize()
    cb = cp.asarray(b)
    lg_ms = kernel_ms(cp, lambda: (a @ b).realize(), reps, warmup=1)
    cp_ms = timed(cp, lambda: ca @ cb, reps)
    flops = 2 * m ** 3
    ratio = cp_ms / lg_ms
    print(f"matmul   {lg_ms:8.3f} ms ({flops / lg_ms / 1e9:.1f} TFLOP/s) vs cuBLAS {cp_ms:8.3f} ms "
          f"= {ratio:.2f} of its speed (target >= {MATMUL_MIN_OF_CUBLAS}) "
          f"{'ok' if ratio >= MATMUL_MIN_OF_CUBLAS else 'MISSED'}; "
          f"end to end {timed(cp, lambda: (a @ b).realize(), reps, warmup=1):.3f} ms")

    a16, b16 = a.half().realize(), b.half().realize()
    ca16, cb16 = cp.asarray(a16), cp.asarray(b16)
    lg_ms = kernel_ms(cp, lambda: (a16 @ b16).realize(), reps)
    cp_ms = timed(cp, lambda: ca16 @ cb16, reps)
    print(f"matmul16 {lg_ms:8.3f} ms ({flops / lg_ms / 1e9:.1f} TFLOP/s) vs cuBLAS {cp_ms:8.3f} ms "
          f"= {cp_ms / lg_ms:.2f} of its speed (tensor cores; reported)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
