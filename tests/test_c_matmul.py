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


def _product():
    a, b = lg.randn(150, 70).realize(), lg.randn(70, 130).realize()  # several row blocks and panels
    return (a @ b).relu(), 150 * 130


def _long_product():
    a, b = lg.randn(40, 700).realize(), lg.randn(700, 50).realize()  # k in blocks of 256, summed in order
    return (a @ b) * 2, 40 * 50


def _batched_product():
    a, b = lg.randn(6, 40, 30).realize(), lg.randn(6, 30, 50).realize()  # threads take whole batches
    return a @ b, 6 * 40 * 50


def _weight_gradient():
    """A convolution's weight gradient: its window reads are looked up in offset tables."""
    x = lg.randn(4, 3, 10, 10).realize()
    g = lg.randn(4, 8, 10, 10).realize()
    w = lg.zeros(8, 3, 3, 3, requires_grad=True)
    lg.nn.functional.conv2d(x, w, padding=1).backward(g)
    return w.grad, 8 * 3 * 3 * 3


@pytest.mark.parametrize("program, failing", [(_product, "b_pack"), (_product, "a_pack"), (_long_product, "b_pack"),
                                              (_batched_product, "b_pack"), (_batched_product, "a_pack"),
                                              (_weight_gradient, "offsets")])
def test_plain_loops_when_packing_memory_is_refused(program, failing):
    y, numel = program()
    k = _kernel(y)
    size = re.search(rf"\* {failing} = malloc\(sizeof\((float|int64_t)\) \* (\d+)\)", k.source)
    bytes_of = int(size.group(2)) * (8 if size.group(1) == "int64_t" else 4)
    rng = np.random.default_rng(1)
    n_inputs = len(re.findall(r"const float\* restrict in\d", k.source.split("{")[0]))
    inputs = [rng.standard_normal(1 << 16).astype(np.float32) for _ in range(n_inputs)]  # larger than any read
    results = []
    for source in (k.source, _without_memory(k.source, bytes_of)):
        out = np.full(numel, np.nan, np.float32)
        CProgram(k.name, source, 1 + len(inputs))([out.ctypes.data] + [x.ctypes.data for x in inputs])
        results.append(out)
    assert not np.isnan(results[0]).any()
    np.testing.assert_array_equal(results[1], results[0])  # the same sums, in the same order


def test_a_float_product_sums_in_float_and_other_float_sums_in_double():
    """The tiled product keeps float accumulators, as torch's BLAS (lowering widens float32 sums to double for
    the sums that are not matrix products: a row sum, a dot product too short to tile)."""
    a, b = lg.randn(64, 96).realize(), lg.randn(96, 80).realize()
    product = lg.schedule(a @ b)[0].source
    assert re.search(r"\bfloat c\[", product) and "double" not in product
    assert "double acc0" in lg.schedule(a.sum(1))[0].source
    np.testing.assert_allclose((a @ b).numpy(), a.numpy().astype(np.float64) @ b.numpy(), rtol=1e-4, atol=1e-4)


def test_threads_share_batches_tiles_and_index_tables_and_the_values_hold():
    """A batched product gives threads whole batches, a thin one (a weight gradient, few rows) its
    tiles; window reads with divisions go through tables. Each against numpy."""
    y, _ = _batched_product()
    assert "#pragma omp for schedule(static)\n    for (int64_t batch" in _kernel(y).source
    a, b = lg.randn(6, 40, 30), lg.randn(6, 30, 50)
    np.testing.assert_allclose((a @ b).numpy(), a.numpy() @ b.numpy(), rtol=1e-4, atol=1e-4)
    x, g = lg.randn(4, 3, 10, 10), lg.randn(4, 8, 10, 10)
    w = lg.zeros(8, 3, 3, 3, requires_grad=True)
    lg.nn.functional.conv2d(x, w, padding=1).backward(g)
    source = _kernel(w.grad).source
    assert "collapse(2)" in source and "_at[" in source
    xp = np.pad(x.numpy(), ((0, 0), (0, 0), (1, 1), (1, 1)))
    windows = np.lib.stride_tricks.sliding_window_view(xp, (3, 3), axis=(2, 3))  # (4, 3, 10, 10, 3, 3)
    expected = np.einsum("nohw,nchwij->ocij", g.numpy(), windows)
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-4, atol=1e-4)


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


def _operands_with_work():
    """Products whose operands are computed from memory, not just read: each is packed once per element."""
    rng = np.random.default_rng(3)
    a_np, b_np = rng.standard_normal((70, 90)).astype(np.float32), rng.standard_normal((90, 40)).astype(np.float32)
    idx_np = rng.integers(0, 70, 50)
    a, b, idx = lg.tensor(a_np).realize(), lg.tensor(b_np).realize(), lg.tensor(idx_np).realize()
    scale = lg.tensor(0.5).realize()
    return [
        ("relu(a) @ b", a.relu() @ b, np.maximum(a_np, 0) @ b_np),
        ("a*s @ b.t()*2", (a * scale) @ (b.t() * 2).t(), (a_np * 0.5) @ (b_np * 2)),
        ("where(a > 0, a, 1) @ exp(b / 4)", lg.where(a > 0, a, 1.0) @ (b / 4).exp(),
         np.where(a_np > 0, a_np, 1) @ np.exp(b_np / 4)),
        ("a.gather(idx) @ b", lg.index_select(a, 0, idx) @ b, a_np[idx_np] @ b_np),
        ("pad(a) @ b", lg.nn.functional.pad(a, (0, 0, 3, 2)) @ b, np.pad(a_np, ((3, 2), (0, 0))) @ b_np),
        ("(a*s) @ (b*s)", (a * scale) @ (b * scale), (a_np * 0.5) @ (b_np * 0.5)),  # one load both operands share
        ("(a*2.5) @ (b*2.5)", (a * 2.5) @ (b * 2.5), (a_np * 2.5) @ (b_np * 2.5)),  # one run-time scalar shared
    ]


@pytest.mark.parametrize("case", range(7))
def test_operands_computed_from_memory_are_packed_by_the_tiled_product(case):
    """Elementwise work, a gather or padding on an operand fuses into packing: the kernel is still the
    tiled product (not a plain reduction over recomputed values), with numpy's values."""
    name, y, expected = _operands_with_work()[case]
    assert any("b_pack" in k.source for k in lg.schedule(y)), name
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-4, atol=1e-3)


def _fail_allocations_after(source: str, allowed: int) -> str:
    """The kernel with every malloc after the first `allowed` ones refused (counted across threads)."""
    shim = ("static int lg_test_calls;\n"
            f"static void *lg_test_malloc(size_t n) {{ return __atomic_add_fetch(&lg_test_calls, 1, __ATOMIC_SEQ_CST) "
            f"> {allowed} ? NULL : malloc(n); }}\n#define malloc lg_test_malloc\n")
    return source.replace(STDLIB, STDLIB + shim)


def test_a_thin_product_over_a_long_k_is_split_along_k():
    """Few rows and columns, a long k (a convolution's weight gradient): each thread takes a range of k
    and the threads' sums are added in order. numpy's values; where the threads cannot have memory to
    pack into, their plain loops give the very same sums."""
    rng = np.random.default_rng(5)
    a_np, b_np = rng.standard_normal((20, 3000)).astype(np.float32), rng.standard_normal((3000, 30)).astype(np.float32)
    a, b = lg.tensor(a_np).realize(), lg.tensor(b_np).realize()
    y = (a @ b) * 2 + 1
    k = _kernel(y)
    assert "lg_thread()" in k.source
    np.testing.assert_allclose(y.numpy(), (a_np.astype(np.float64) @ b_np) * 2 + 1, rtol=1e-4, atol=1e-3)
    operands = (b_np, a_np) if re.search(r"in0\[[^\]]*r1\*30\]", k.source) else (a_np, b_np)  # (B read first?)
    results = []
    for source in (k.source, _fail_allocations_after(k.source, 1)):  # (the first: the threads' sums)
        out = np.full(20 * 30, np.nan, np.float32)
        CProgram(k.name, source, 3)([out.ctypes.data] + [x.ctypes.data for x in operands])
        results.append(out)
    np.testing.assert_allclose(results[0], y.numpy().reshape(-1), rtol=1e-6)
    np.testing.assert_array_equal(results[1], results[0])
