"""The C back end's packed matrix multiply (templates/c/matmul.c.j2): where memory to pack into
cannot be had, its plain loops compute the very same values; a broadcast operand too large to pack
is computed as a plain reduction."""
import re

import numpy as np
import pytest

import lazygrad as lg
from codegen.c_program import CProgram

STDLIB = "#include <stdlib.h>\n"


def _kernel(y):
    (k,) = [k for k in lg.schedule(y) if "b_pack" in k.source]
    return k


def _without_memory(source: str, failing_bytes: int) -> str:
    """The kernel with malloc failing for one allocation size."""
    shim = (f"static void *lg_test_malloc(size_t n) {{ return n == {failing_bytes} ? NULL : malloc(n); }}\n"
            "#define malloc lg_test_malloc\n")
    return source.replace(STDLIB, STDLIB + shim)


@pytest.mark.parametrize("failing", ["b_pack", "a_pack"])
def test_plain_loops_when_packing_memory_is_refused(failing):
    a, b = lg.randn(150, 70).realize(), lg.randn(70, 130).realize()  # several row blocks and panels
    k = _kernel((a @ b).relu())
    bytes_of = int(re.search(rf"\* {failing} = malloc\(sizeof\(float\) \* (\d+)\)", k.source).group(1)) * 4
    rng = np.random.default_rng(1)
    inputs = [rng.standard_normal(150 * 130).astype(np.float32) for _ in range(2)]  # either operand fits
    results = []
    for source in (k.source, _without_memory(k.source, bytes_of)):
        out = np.full(150 * 130, np.nan, np.float32)
        CProgram(k.name, source, 3)([out.ctypes.data] + [x.ctypes.data for x in inputs])
        results.append(out)
    assert not np.isnan(results[0]).any()
    np.testing.assert_array_equal(results[1], results[0])  # the same sums, in the same order


def test_a_broadcast_operand_too_large_to_pack_is_a_plain_reduction():
    x = lg.randn(64, 40000).realize()
    wide = lg.randn(1, 2000).realize().expand(40000, 2000)  # 8 KB of memory, 320 MB packed
    kernels = lg.schedule(x @ wide)
    assert not any("b_pack" in k.source for k in kernels)
    np.testing.assert_allclose((x @ wide).numpy(), x.numpy() @ np.broadcast_to(wide.numpy(), (40000, 2000)),
                               rtol=1e-3, atol=1e-2)


def _pack_loops(source: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The loop variables of the packing of A and of B, outermost first."""
    loop = r"for \(int64_t (\w+) = 0;[^\n]*\n\s*"
    a = re.search(2 * loop + r"const int64_t \w+ = m0 \+ mm;", source).groups()
    b = re.search(3 * loop + r"const int64_t \w+ = nt \* \d+ \+ nn;", source).groups()
    return a, b


@pytest.mark.parametrize("m, k, n", [(130, 77, 70), (64, 48, 32)])  # ragged tiles, whole tiles
@pytest.mark.parametrize("a_t", [False, True])
@pytest.mark.parametrize("b_t", [False, True])
def test_transposed_operands_are_packed_along_their_memory(a_t, b_t, m, k, n):
    """Each operand is packed with its contiguous axis innermost (a backward pass multiplies by
    transposes); the work on the result runs on whole tiles and on the ragged edge alike."""
    rng = np.random.default_rng(m + k)
    a_np = rng.standard_normal((k, m) if a_t else (m, k)).astype(np.float32)
    b_np = rng.standard_normal((n, k) if b_t else (k, n)).astype(np.float32)
    mask_np = rng.standard_normal((m, n)).astype(np.float32)
    a, b = lg.tensor(a_np).realize(), lg.tensor(b_np).realize()
    a, b = a.t() if a_t else a, b.t() if b_t else b
    y = (a @ b) * (lg.tensor(mask_np) > 0) + 1
    a_loops, b_loops = _pack_loops(_kernel(y).source)
    assert a_loops[-1] == ("mm" if a_t else "r1")
    assert b_loops[-1] == ("r1" if b_t else "nn")
    a64, b64 = (a_np.T if a_t else a_np).astype(np.float64), (b_np.T if b_t else b_np).astype(np.float64)
    np.testing.assert_allclose(y.numpy(), (a64 @ b64) * (mask_np > 0) + 1, rtol=1e-4, atol=1e-4)
