"""The CUDA emulator (emulated_cuda.py) and what only it can reach: the float16 conversions it stands
in for, and generated kernels run on pointers a tensor never has (misaligned, odd sizes)."""
import numpy as np
import pytest

import emulated_cuda
import lazygrad as lg
from codegen import cuda_vectors, lower, render_cuda
from lazygrad.runtime import _structure
from lazygrad.schedule import create_schedule

pytestmark = pytest.mark.skipif(not emulated_cuda.available(), reason="the CUDA emulator needs g++")


def _program(y: lg.Tensor):
    (item,) = create_schedule([y._storage.target()])
    _, args = _structure(item)
    return lower.lower(item.outputs, item.inputs, args.rand_slots(), args.scalar_slots())


def test_half_conversions_round_like_the_device():
    runtime = emulated_cuda._runtime()
    runtime.lg_emu_half_bits.restype, runtime.lg_emu_half_value.restype = np.ctypeslib.ctypes.c_ushort, \
        np.ctypeslib.ctypes.c_float
    runtime.lg_emu_half_bits.argtypes = [np.ctypeslib.ctypes.c_double]
    runtime.lg_emu_half_value.argtypes = [np.ctypeslib.ctypes.c_ushort]
    bits = np.arange(1 << 16, dtype=np.uint16)
    values = np.array([runtime.lg_emu_half_value(int(b)) for b in bits], dtype=np.float32)
    np.testing.assert_array_equal(values, bits.view(np.float16).astype(np.float32))
    rng = np.random.default_rng(3)
    finite = bits.view(np.float16)[np.isfinite(bits.view(np.float16))].astype(np.float64)
    ties = (finite[:-1] + np.diff(finite) / 2)[::7]  # halfway between neighbours: to the even one
    samples = np.concatenate([rng.standard_normal(3000) * 10.0 ** rng.integers(-9, 6, 3000), ties,
                              [0.0, -0.0, 65504.0, 65519.99, 65520.0, 1e6, -1e300, np.inf, -np.inf, 2.0 ** -25, 2.0 ** -24 * 1.5]])
    got = np.array([runtime.lg_emu_half_bits(float(v)) for v in samples], dtype=np.uint16)
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(got, samples.astype(np.float16).view(np.uint16))


@pytest.mark.parametrize("n", [1027, 4096])
@pytest.mark.parametrize("misaligned", [False, True])
def test_vector_loop_with_tails_and_misaligned_pointers(n, misaligned):
    """The vector loop takes aligned pointers, the scalar loop the tail and misaligned pointers:
    values are the same either way."""
    x, b = lg.tensor(np.zeros(n, np.float32)), lg.tensor(np.zeros(n))
    prog = _program((x * 3 + b).float())
    vectors = cuda_vectors.plan(prog)
    assert vectors.lanes == 2 and set(vectors.params) == {"out0", "in0", "in1"}
    source, launch = render_cuda.render(prog)
    kernel = emulated_cuda.kernel(source)
    rng = np.random.default_rng(n)
    shift = int(misaligned)
    xs, bs = rng.standard_normal(n).astype(np.float32), rng.standard_normal(n)

    def placed(values):  # at the start of a buffer, or one element in
        at = np.zeros(n + 1, values.dtype)[shift:shift + n]
        at[:] = values
        return at
    out, by_dtype = placed(np.full(n, np.nan, np.float32)), {a.dtype: placed(a) for a in (xs, bs)}
    scalars = np.array([3.0])  # the multiplier arrives at run time
    pointers = [(out if p.is_output else scalars if p.name == "scalars" else by_dtype[p.dtype.np]).ctypes.data
                for p in prog.params]
    kernel((launch.grid, launch.block), pointers)
    np.testing.assert_array_equal(out, (xs * np.float32(3) + bs).astype(np.float32))


def test_transposed_and_broadcast_reads_stay_scalar():
    x, col, c = (lg.tensor(np.zeros(shape, np.float32)) for shape in ((64, 48), (48, 1), (48, 64)))
    prog = _program(c + x.t() * col)  # (c first: a row-major result, as torch lays it out)
    params = cuda_vectors.plan(prog).params
    loads = {s.args[0]: s.args[1].render() for s in prog.post if s.op == "load"}
    contiguous = {name for name, index in loads.items() if index == "i0*64 + i1"}
    assert set(params) == contiguous | {"out0"} and len(loads) == 3 and len(contiguous) == 1
    source, launch = render_cuda.render(prog)
    a, col, c = np.arange(64 * 48, dtype=np.float32).reshape(64, 48), np.arange(48, dtype=np.float32), \
        np.linspace(0, 1, 48 * 64, dtype=np.float32).reshape(48, 64)
    host = {"out0": np.zeros((48, 64), np.float32)}
    for s in prog.post:
        if s.op == "load":
            host[s.args[0]] = {"i0 + i1*48": a, "i0": col, "i0*64 + i1": c}[s.args[1].render()]
    assert len(host) == 4
    emulated_cuda.kernel(source)((launch.grid, launch.block), [host[p.name].ctypes.data for p in prog.params])
    np.testing.assert_array_equal(host["out0"], a.T * col[:, None] + c)


RACY = """#include "prelude.cuh"
extern "C" __global__ void racy(float* __restrict__ out0) {
  __shared__ float seen[64];
  seen[threadIdx.x] = (float)(blockIdx.x * 64 + threadIdx.x);
  %s
  const int other = (int)threadIdx.x + %d;
  out0[blockIdx.x * 64 + threadIdx.x] = seen[other >= 0 && other < 64 ? other : threadIdx.x];
  __syncthreads();
}
"""


@pytest.mark.parametrize("step", [1, -1])
def test_a_missing_barrier_shows(step):
    """Threads of odd blocks resume last to first: a thread reading what another writes without a
    barrier in between reads stale memory in some block, whichever neighbour it reads."""
    want = np.array([b * 64 + (t + step if 0 <= t + step < 64 else t) for b in range(2) for t in range(64)], np.float32)
    for barrier, stale in (("__syncthreads();", False), ("", True)):
        kernel = emulated_cuda.kernel(RACY % (barrier, step))
        out = np.full(128, np.nan, np.float32)
        kernel(((2, 1, 1), 64), [out.ctypes.data])
        assert (not np.array_equal(out, want)) == stale
