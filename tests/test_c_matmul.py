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
