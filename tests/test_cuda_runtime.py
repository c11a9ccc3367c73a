"""The CUDA back end on a GPU: ops, autograd, in-place writes, transfers, RNG and interop on "cuda",
against the CPU back end and numpy; every op of the gradcheck sweep and test_inplace_fuzz's programs
on the device. Skipped where lazygrad.cuda.is_available() is False."""
import re

import numpy as np
import pytest

import lazygrad as lg


@pytest.fixture(autouse=True)
def gpu():
    """A real GPU (test_cuda_stand_in.py runs these tests again on a stand-in for one)."""
    if not lg.cuda.is_available():
        pytest.skip("needs cupy and a CUDA GPU")
    return "real"

DTYPES = ["bool", "uint8", "int8", "int32", "int64", "float16", "float32", "float64"]


def _pair(shape=(37, 53), dtype="float32", seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape) * 3
    if dtype == "bool":
        a = a > 0
    return a.astype(getattr(np, dtype) if dtype != "bool" else np.bool_)


def _same(gpu: lg.Tensor, cpu: lg.Tensor, rtol=1e-5, atol=1e-6):
    assert gpu.device.type == "cuda" and gpu.dtype == cpu.dtype and gpu.shape == cpu.shape
    np.testing.assert_allclose(gpu.cpu().numpy().astype(np.float64), cpu.numpy().astype(np.float64),
                               rtol=rtol, atol=atol, equal_nan=True)


ELEMENTWISE = {
    "add": lambda x, y: x + y, "mul": lambda x, y: x * y, "sub_scalar": lambda x, y: x - 2,
    "div": lambda x, y: x / (y.abs() + 1), "max": lambda x, y: lg.maximum(x, y), "eq": lambda x, y: x == y,
    "where": lambda x, y: lg.where(x > y, x, y), "floor_divide": lambda x, y: x // (y.abs() % 7 + 1),
    "remainder": lambda x, y: x % (y.abs() % 7 + 1), "abs": lambda x, y: x.abs(), "neg": lambda x, y: -x,
}
BOOLEAN = {
    "and": lambda x, y: x & y, "or": lambda x, y: x | y, "xor": lambda x, y: x ^ y, "not": lambda x, y: ~x,
    "eq": lambda x, y: x == y, "where": lambda x, y: lg.where(x, y, ~y), "to_float": lambda x, y: x.float() + y,
}
UNARY_FLOAT = ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "erf", "floor", "round", "rsqrt", "expm1"]


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int32", "int64", "float16", "float32", "float64"])
@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_elementwise_matches_cpu(name, dtype):
    a, b = _pair(dtype=dtype), _pair(dtype=dtype, seed=1)
    cpu = ELEMENTWISE[name](lg.tensor(a), lg.tensor(b))
    gpu = ELEMENTWISE[name](lg.tensor(a, device="cuda"), lg.tensor(b, device="cuda"))
    _same(gpu, cpu, rtol=1e-3 if dtype == "float16" else 1e-6)


@pytest.mark.parametrize("name", list(BOOLEAN))
def test_boolean_ops_match_cpu(name):
    """One-byte values: sixteen to a vector access."""
    a, b = _pair((37, 53), "bool"), _pair((37, 53), "bool", seed=1)
    _same(BOOLEAN[name](lg.tensor(a, device="cuda"), lg.tensor(b, device="cuda")),
          BOOLEAN[name](lg.tensor(a), lg.tensor(b)))


@pytest.mark.parametrize("name", UNARY_FLOAT)
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_unary_math_matches_cpu(name, dtype):
    a = np.abs(_pair(dtype=dtype)) + 0.5
    cpu = getattr(lg.tensor(a), name)()
    gpu = getattr(lg.tensor(a, device="cuda"), name)()
    _same(gpu, cpu, rtol=2e-3 if dtype == "float16" else 1e-5)


REDUCTIONS = {
    "sum": lambda x: x.sum(), "sum_rows": lambda x: x.sum(1), "sum_cols": lambda x: x.sum(0),
    "mean": lambda x: x.float().mean(1), "amax": lambda x: x.amax(0), "amin": lambda x: x.amin(),
    "argmax": lambda x: x.argmax(1), "prod": lambda x: (x[:4, :5] % 3 + 1).prod(1), "cumsum": lambda x: x.cumsum(1),
    "any": lambda x: (x > 2).any(1), "softmax": lambda x: x.float().softmax(-1),
    "logsumexp": lambda x: x.float().logsumexp(0), "var": lambda x: x.float().var(1),
}


@pytest.mark.parametrize("dtype", ["int64", "float16", "float32", "float64"])
@pytest.mark.parametrize("name", list(REDUCTIONS))
def test_reductions_match_cpu(name, dtype):
    """float16 accumulates in float32 on both devices, in another order: results may differ in the
    last bit of the float16 they are rounded to."""
    a = _pair((67, 1031), dtype)
    tol = {"rtol": 2e-3, "atol": 1e-2} if dtype == "float16" else {"rtol": 1e-4, "atol": 1e-4}
    _same(REDUCTIONS[name](lg.tensor(a, device="cuda")), REDUCTIONS[name](lg.tensor(a)), **tol)


@pytest.mark.parametrize("name", ["sum", "amax", "argmax", "mean"])
def test_reductions_to_few_values_match_cpu(name):
    """Tall and narrow, short and wide: the GPU reduces these in two passes."""
    for shape, dim in (((20001, 5), 0), ((3, 33335), 1), ((4, 70001), None)):
        a = _pair(shape)
        run = lambda x: getattr(x, name)(dim) if dim is not None else getattr(x, name)()  # noqa: E731
        _same(run(lg.tensor(a, device="cuda")), run(lg.tensor(a)), rtol=1e-4, atol=1e-3)


def test_matmul_matches_numpy():
    a, b = _pair((65, 129)), _pair((129, 33), seed=2)
    out = lg.tensor(a, device="cuda") @ lg.tensor(b, device="cuda")
    np.testing.assert_allclose(out.cpu().numpy(), a @ b, rtol=1e-4, atol=1e-4)


def test_matmul_of_computed_operands():
    """Operands computed in the tile loads: a ReLU, a gather, a padded read, a scalar both share."""
    a, b = _pair((70, 90)), _pair((90, 40), seed=2)
    idx = np.random.default_rng(3).integers(0, 70, 50)
    da, db, di = lg.tensor(a, device="cuda"), lg.tensor(b, device="cuda"), lg.tensor(idx, device="cuda")
    cases = [(da.relu() @ db, np.maximum(a, 0) @ b), (lg.index_select(da, 0, di) @ db, a[idx] @ b),
             (lg.nn.functional.pad(da, (0, 0, 3, 2)) @ db, np.pad(a, ((3, 2), (0, 0))) @ b),
             ((da * 2.5) @ (db * 2.5), (a * 2.5) @ (b * 2.5))]
    for got, want in cases:
        np.testing.assert_allclose(got.cpu().numpy(), want, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("a_t, b_t", [(False, True), (True, False), (True, True)])
@pytest.mark.parametrize("shape", [(3, 70, 16, 50), (1, 33, 40, 130)])
def test_matmul_of_transposed_operands(shape, a_t, b_t):
    """Tiles of transposed operands are read along their other axis; k of exactly one tile step and
    of several, partial tiles at the edges, a batch."""
    batch, m, k, n = shape
    a, b = _pair((batch, m, k)), _pair((batch, k, n), seed=4)
    da, db = lg.tensor(a, device="cuda"), lg.tensor(b, device="cuda")
    # a transposed operand is stored transposed: its copy is realized before the product reads it
    da = da.transpose(1, 2).contiguous().realize().transpose(1, 2) if a_t else da
    db = db.transpose(1, 2).contiguous().realize().transpose(1, 2) if b_t else db
    np.testing.assert_allclose((da @ db).cpu().numpy(), a @ b, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("shape, b_t", [((2, 64, 48, 70), False), ((1, 33, 200, 17), True),
                                        ((1, 1030, 40, 1025), False)])
def test_float16_matmul_on_tensor_cores(shape, b_t):
    """float16 products run on tensor cores: exact products, float32 sums, one rounding to float16
    (the small tiles with a batch, a transposed operand, k over several steps; the large tiles)."""
    batch, m, k, n = shape
    a, b = _pair((batch, m, k), "float16"), _pair((batch, k, n), "float16", seed=5)
    da, db = lg.tensor(a, device="cuda"), lg.tensor(b, device="cuda")
    db = db.transpose(1, 2).contiguous().realize().transpose(1, 2) if b_t else db
    out = (da @ db).relu().cpu().numpy()  # (elementwise work after the product runs in its kernel)
    exact = np.maximum(a.astype(np.float64) @ b.astype(np.float64), 0)
    assert out.dtype == np.float16
    np.testing.assert_allclose(out.astype(np.float64), exact, rtol=2e-3, atol=1e-2)


def test_large_matmul_takes_the_wide_tiles():
    """Sides of 2048 and more take 128x128 tiles of 8x8 accumulators a thread; the odd sizes leave
    partial tiles at every edge."""
    a, b = _pair((2050, 17)), _pair((17, 2049), seed=3)
    out = lg.tensor(a, device="cuda") @ lg.tensor(b, device="cuda")
    np.testing.assert_allclose(out.cpu().numpy(), a @ b, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("dtype", ["bool", "int8", "int32", "int64", "float16", "float32", "float64"])
def test_index_put_accumulates_repeated_positions(dtype):
    """Threads adding at one position race: atomics (a compare-and-swap for narrow types) add them all."""
    rows = np.array([5, 1, 5, 5, 0, 5])
    base, vals = _pair((6, 3), dtype), _pair((6, 3), dtype, seed=1)
    cpu = lg.tensor(base).index_put((lg.tensor(rows),), lg.tensor(vals), accumulate=True)
    gpu = lg.tensor(base, device="cuda").index_put((lg.tensor(rows, device="cuda"),), lg.tensor(vals, device="cuda"),
                                                   accumulate=True)
    _same(gpu, cpu, rtol=2e-3 if dtype == "float16" else 1e-6, atol=2e-2 if dtype == "float16" else 1e-6)


@pytest.mark.parametrize("reduce", ["prod", "amax", "amin", "mean"])
@pytest.mark.parametrize("dtype", ["int8", "int32", "int64", "float16", "float32", "float64"])
def test_scatter_reduce_of_racing_threads(reduce, dtype):
    """max, min and products where threads meet at one position: compare-and-swap loops of every width."""
    rng = np.random.default_rng(10)
    base = rng.integers(-3, 4, (5, 4)).astype(dtype)
    index, src = rng.integers(0, 5, (9, 4)), rng.integers(-3, 4, (9, 4)).astype(dtype)
    cpu = lg.tensor(base).scatter_reduce(0, lg.tensor(index), lg.tensor(src), reduce)
    gpu = lg.tensor(base, device="cuda").scatter_reduce(0, lg.tensor(index, device="cuda"),
                                                        lg.tensor(src, device="cuda"), reduce)
    _same(gpu, cpu, rtol=2e-3 if dtype == "float16" else 1e-6)


def test_embedding_lookup_and_its_gradient():
    rng = np.random.default_rng(9)
    table_np, idx_np = rng.standard_normal((1000, 24)).astype(np.float32), rng.integers(0, 40, (64, 3))
    results = []
    for device in ("cpu", "cuda"):
        table = lg.tensor(table_np, device=device, requires_grad=True)
        rows = table[lg.tensor(idx_np, device=device)]
        (rows.tanh() * lg.arange(24.0, device=device)).sum().backward()
        results.append((rows, table.grad))
    for (gpu, cpu) in zip(results[1], results[0]):
        _same(gpu.detach(), cpu.detach(), rtol=1e-5, atol=1e-5)


def test_creation_on_the_device_and_same_random_stream():
    for make in (lambda d: lg.zeros(3, 4, device=d), lambda d: lg.arange(10, device=d),
                 lambda d: lg.full((2,), 7, device=d), lambda d: lg.eye(3, device=d)):
        _same(make("cuda"), make("cpu"))
    lg.manual_seed(7)
    cpu = (lg.rand(1000), lg.randn(1000, dtype=lg.float64), lg.randint(0, 100, (1000,)))
    lg.manual_seed(7)
    gpu = (lg.rand(1000, device="cuda"), lg.randn(1000, dtype=lg.float64, device="cuda"),
           lg.randint(0, 100, (1000,), device="cuda"))
    for g, c in zip(gpu, cpu):
        _same(g, c, rtol=1e-6, atol=1e-6)


def test_issue_example_softmax_backward():
    x = lg.randn(4096, 4096, device="cuda", requires_grad=True)
    y = (x.softmax(-1) * 2).sum()
    kernels = lg.schedule(y)
    assert kernels and all(k.device == "cuda" and "__global__" in k.source for k in kernels)
    y.backward()
    g = x.grad.cpu().numpy()
    assert g.shape == (4096, 4096) and np.abs(g).max() < 1e-4  # d/dx of 2 * sum(softmax) is 0


def test_autograd_chain_matches_cpu():
    a = _pair((32, 16)) / 6  # where tanh saturates, its second derivative is all cancellation

    def run(device):
        x = lg.tensor(a, device=device, requires_grad=True)
        y = (x.sin() * x.exp() + x ** 2).tanh().sum()
        (g,) = lg.autograd.grad(y, x, create_graph=True)
        g.sum().backward()
        return g.detach(), x.grad
    for gpu, cpu in zip(run("cuda"), run("cpu")):
        _same(gpu, cpu, rtol=1e-4, atol=1e-5)


def test_debug_output_times_each_cuda_kernel_and_prints_its_source(monkeypatch, capsys):
    monkeypatch.setenv("LAZYGRAD_DEBUG", "2")
    x = lg.arange(1000, dtype=lg.float32, device="cuda")
    y = (x * 0.01).exp().realize()
    err = capsys.readouterr().err
    (line,) = [text for text in err.splitlines() if text.startswith("lazygrad: e_")]
    assert re.search(r" \d+\.\d{3} ms +0\.004 MB$", line) and '__global__ void e_' in err
    np.testing.assert_allclose(y.cpu().numpy(), np.exp(np.arange(1000) * 0.01), rtol=1e-5)


def test_in_place_writes_keep_the_buffer():
    x = lg.zeros(1000, device="cuda")
    ptr = x.data_ptr()
    for _ in range(100):
        x += 1
    x[::2] = -1
    x.realize()
    assert x.data_ptr() == ptr
    assert x.cpu().tolist()[:4] == [-1.0, 100.0, -1.0, 100.0]


def test_transfers_and_printing():
    t = lg.arange(6.0).reshape(2, 3)
    g = t.t().cuda()
    assert g.device == lg.device("cuda", 0) and g.is_cuda and g.stride() == t.t().stride()
    assert g.cpu().tolist() == t.t().tolist() and g.to("cpu", lg.float64).dtype == lg.float64
    assert "device='cuda:0'" in repr(g)
    with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor to numpy"):
        g.numpy()
    with pytest.raises(RuntimeError, match="found at least two devices, cuda:0 and cpu!"):
        g + t.t()
    w = lg.ones(3, requires_grad=True)
    (w.cuda() * 2).sum().backward()
    assert w.grad.device.type == "cpu" and w.grad.tolist() == [2.0, 2.0, 2.0]


def test_interop_with_cupy_shares_memory(gpu):
    if gpu != "real":
        pytest.skip("cupy's own arrays are needed")
    cp = lg.cuda.cupy()
    x = lg.arange(6.0, device="cuda")
    view = cp.asarray(x)  # __cuda_array_interface__
    view[0] = 42
    assert x.cpu().tolist()[0] == 42.0
    y = lg.from_dlpack(cp.arange(4, dtype=cp.float32))
    assert y.is_cuda and y.cpu().tolist() == [0.0, 1.0, 2.0, 3.0]
    z = cp.from_dlpack(x)
    z[1] = -1
    assert x.cpu().tolist()[1] == -1.0


def test_device_queries_and_memory_counters():
    """torch.cuda's and torch.accelerator's queries: the device's properties, and the memory pool's counters
    following an allocation, its release and a reset of the peaks."""
    import gc
    props = lg.cuda.get_device_properties(0)
    assert props.name == lg.cuda.get_device_name() and props.total_memory > 0 and props.multi_processor_count > 0
    assert lg.cuda.get_device_capability() == (props.major, props.minor)
    assert repr(props).startswith(f"_CudaDeviceProperties(name='{props.name}', major={props.major}")
    free, total = lg.cuda.mem_get_info()
    assert 0 < free <= total
    assert lg.accelerator.is_available() and lg.accelerator.current_accelerator() == lg.device("cuda")
    assert lg.accelerator.current_device_index() == lg.cuda.current_device() == 0
    with lg.accelerator.device_index(0):
        assert lg.ones(2, device="cuda").device == lg.device("cuda:0")
    lg.accelerator.synchronize()

    size = 4 << 20
    gc.collect()
    lg.cuda.reset_peak_memory_stats()
    before = lg.cuda.memory_allocated()
    x = lg.ones(size // 4, device="cuda").realize()
    during = lg.cuda.memory_allocated()
    assert during >= before + size and lg.accelerator.memory_allocated() == during
    assert lg.cuda.memory_reserved() >= during and lg.cuda.max_memory_reserved() >= lg.cuda.memory_reserved()
    del x
    gc.collect()
    assert lg.cuda.memory_allocated() < during and lg.cuda.max_memory_allocated() >= before + size
    stats = lg.cuda.memory_stats()
    assert stats["allocated_bytes.all.peak"] == lg.cuda.max_memory_allocated()
    assert stats["allocated_bytes.all.current"] == lg.cuda.memory_allocated()
    lg.cuda.reset_peak_memory_stats()
    assert lg.cuda.max_memory_allocated() == lg.cuda.memory_allocated()


def test_running_out_of_device_memory_raises_torchs_error():
    """More than the device holds: torch.OutOfMemoryError (a RuntimeError, also torch.cuda's) naming the
    request; the tensor stays unrealized and the device keeps working."""
    total = lg.cuda.get_device_properties(0).total_memory
    huge = lg.ones(total // 2 + 1, dtype=lg.float64, device="cuda")
    with pytest.raises(lg.cuda.OutOfMemoryError, match=r"CUDA out of memory\. Tried to allocate [0-9.]+ GiB\. GPU 0"):
        huge.realize()
    assert lg.cuda.OutOfMemoryError is lg.OutOfMemoryError and issubclass(lg.OutOfMemoryError, RuntimeError)
    assert (lg.ones(3, device="cuda") * 2).cpu().tolist() == [2.0, 2.0, 2.0]


def test_numpy_refuses_device_tensors_like_torch():
    x = lg.ones(3, device="cuda")
    for convert in (np.asarray, lambda t: t.numpy()):
        with pytest.raises(TypeError, match=r"can't convert cuda:0 device type tensor to numpy\. Use Tensor\.cpu\(\)"):
            convert(x)
    assert np.asarray(x.cpu()).tolist() == [1.0, 1.0, 1.0]


def test_dtypes_round_trip():
    for dt in DTYPES:
        a = _pair((5,), dt)
        assert np.array_equal(lg.tensor(a, device="cuda").cpu().numpy(), a)


@pytest.mark.parametrize("dtype", ["float32", "float16", "int64", "uint8"])
def test_sort_matches_cpu(dtype):
    """The rank sort: stable, NaN last (first descending), any dim, any dtype."""
    from lazygrad import sorting
    x = np.round(_pair((6, 37), dtype if dtype != "uint8" else "int8", seed=4).astype(np.float64) / 3)
    if dtype.startswith("float"):
        x[2, [1, 5]] = np.nan
    x = np.abs(x).astype(dtype) if dtype == "uint8" else x.astype(dtype)
    cpu = lg.tensor(x)
    for dim, descending in ((1, False), (0, True), (-1, True)):
        ours = sorting.sort(cpu.cuda(), dim, descending)
        theirs = sorting.sort(cpu, dim, descending)
        _same(ours.values, theirs.values, rtol=0, atol=0)
        assert ours.indices.cpu().tolist() == theirs.indices.tolist()
    perm = sorting.randperm(300, device="cuda")
    assert perm.is_cuda and sorted(perm.cpu().tolist()) == list(range(300))


LINALG = {
    "inv": lambda a, b: lg.linalg.inv(a), "det": lambda a, b: lg.linalg.det(a),
    "slogdet": lambda a, b: lg.linalg.slogdet(a).logabsdet, "solve": lambda a, b: lg.linalg.solve(a, b),
    "cholesky": lambda a, b: lg.linalg.cholesky(a @ a.mT), "eigvalsh": lambda a, b: lg.linalg.eigvalsh(a + a.mT),
    "svdvals": lambda a, b: lg.linalg.svdvals(a), "pinv": lambda a, b: lg.linalg.pinv(a),
    "qr": lambda a, b: lg.linalg.qr(a).R.abs(), "matrix_exp": lambda a, b: lg.linalg.matrix_exp(a * 0.2),
    "solve_triangular": lambda a, b: lg.linalg.solve_triangular(a, b, upper=True),
}


@pytest.mark.parametrize("name", list(LINALG))
def test_linalg_library_calls_match_cpu(name):
    """Factorizations run as library calls on the device's arrays (cupy's linalg), their gradients as
    generated kernels around them."""
    rng = np.random.default_rng(3)
    a = rng.standard_normal((2, 5, 5)) + 5 * np.eye(5)
    b = rng.standard_normal((2, 5, 3))

    def run(device):
        x = lg.tensor(a, device=device, requires_grad=True)
        y = lg.tensor(b, device=device, requires_grad=True)
        out = LINALG[name](x, y)
        (out * 1.5).sum().backward()
        return [t.detach().cpu().numpy() for t in (out, x.grad)]
    for got, want in zip(run("cuda"), run("cpu")):
        np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-10)


def test_ldl_factor_and_solve_on_the_device():
    """Bunch-Kaufman runs on the host for a device matrix (no cupy routine): the results come back to the
    device, equal to the CPU's."""
    rng = np.random.default_rng(4)
    a = rng.standard_normal((2, 6, 6))
    a = a + a.swapaxes(-1, -2)
    b = rng.standard_normal((2, 6, 2))

    def run(device):
        ld, pivots = lg.linalg.ldl_factor(lg.tensor(a, device=device))
        x = lg.linalg.ldl_solve(ld, pivots, lg.tensor(b, device=device))
        assert {t.device.type for t in (ld, pivots, x)} == {device}
        return [t.cpu().numpy() for t in (ld, pivots, x)]
    for got, want in zip(run("cuda"), run("cpu")):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_data_parallel_on_the_device():
    """DataParallel over device ids: the module moves to device_ids[0] (one id); the batch runs there and the
    result lands on the output device, with the values and gradients of the module itself."""
    lg.manual_seed(0)
    reference = lg.nn.Sequential(lg.nn.Linear(3, 4), lg.nn.Tanh(), lg.nn.Linear(4, 2))
    x = lg.randn(5, 3)
    want = reference(x)
    want.sum().backward()
    model = lg.nn.Sequential(lg.nn.Linear(3, 4), lg.nn.Tanh(), lg.nn.Linear(4, 2))
    model.load_state_dict(reference.state_dict())
    with pytest.raises(RuntimeError, match=r"module must have its parameters and buffers on device cuda:0 "
                                           r"\(device_ids\[0\]\) but found one of them on device: cpu"):
        lg.nn.DataParallel(model, device_ids=[0, 0])(x)
    single = lg.nn.DataParallel(model, device_ids=[0])
    assert model[0].weight.is_cuda and single.device_ids == [0] and single.output_device == 0
    split = lg.nn.DataParallel(model, device_ids=[0, 0])
    got = split(x)
    got.sum().backward()
    assert got.is_cuda and got.shape == (5, 2)
    np.testing.assert_allclose(got.detach().cpu().numpy(), want.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model[0].weight.grad.cpu().numpy(), reference[0].weight.grad.numpy(), rtol=1e-5,
                               atol=1e-6)


def test_singular_matrix_on_the_device_raises_torchs_error():
    with pytest.raises(lg.linalg.LinAlgError, match="The diagonal element 2 is zero"):
        lg.linalg.inv(lg.tensor([[1.0, 2.0], [2.0, 4.0]], device="cuda")).realize()


def test_save_and_load_device_tensors():
    import io
    a = lg.arange(6.0).reshape(2, 3).cuda()
    buf = io.BytesIO()
    lg.save({"a": a, "column": a[:, 1], "half": a.half() * 3}, buf)
    for where, device in ((None, "cuda:0"), ("cpu", "cpu"), ({"cuda:0": "cpu"}, "cpu"),
                          (lambda storage, location: storage, "cpu")):
        buf.seek(0)
        back = lg.load(buf, map_location=where)
        assert str(back["a"].device) == device and back["a"].cpu().tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
        assert back["column"].cpu().tolist() == [1.0, 4.0] and back["half"].dtype is lg.float16
        assert back["half"].cpu().tolist() == [[0.0, 3.0, 6.0], [9.0, 12.0, 15.0]]
        back["a"][1, 1] = -1.0
        assert back["column"].cpu().tolist() == [1.0, -1.0]


def _sweep_cases():
    from test_gradcheck_sweep import BINARY, MATMUL, MOVEMENT, REDUCE, UNARY
    cases = {f"unary-{n}": (lambda f: lambda x, y: f(x))(f) for n, f in UNARY.items()}
    cases.update({f"binary-{n}": (lambda f: lambda x, y: f(x, y))(f) for n, f in BINARY.items()})
    cases.update({f"reduce-{n}": (lambda f: lambda x, y: f(x))(f) for n, f in REDUCE.items()})
    cases.update({f"movement-{n}": (lambda f: lambda x, y: f(x))(f) for n, f in MOVEMENT.items()})
    cases.update({f"matmul-{n}": (lambda f: lambda x, y: f(x, y.t()))(f) for n, (f, _, _) in MATMUL.items()
                  if n in ("mm", "batched")})
    return cases


SWEEP = _sweep_cases()


@pytest.mark.parametrize("name", sorted(SWEEP))
def test_every_differentiable_op_on_the_device(name):
    """Values and gradients of every op of the gradcheck sweep on "cuda" equal the CPU's (to the
    device math library's last bits): each formula keeps its helper tensors on the device of its
    operands."""
    rng = np.random.default_rng(8)
    a, b = rng.uniform(0.3, 1.4, (3, 4)), rng.uniform(0.3, 1.4, (3, 4))

    def run(device):
        x = lg.tensor(a, device=device, requires_grad=True)
        y = lg.tensor(b, device=device, requires_grad=True)
        out = SWEEP[name](x, y)
        (out * 1.5).sum().backward()
        return [t.detach().cpu().numpy() if t is not None else None for t in (out, x.grad, y.grad)]
    for got, want in zip(run("cuda"), run("cpu")):
        assert (got is None) == (want is None)
        if want is not None:
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", range(40))
def test_random_write_programs_on_the_device(seed):
    """test_inplace_fuzz's programs of views, writes and lazy reads, on "cuda", against torch."""
    torch = pytest.importorskip("torch")
    from test_inplace_fuzz import VIEWS, WRITES, _program
    steps = _program(seed)
    results = []
    for m, device in ((lg, "cuda"), (torch, "cpu")):
        base = (m.arange(20, dtype=m.float32).reshape(4, 5) - 7).to(device)
        reads = []
        for step in steps:
            if step[0] == "write":
                WRITES[step[2]](VIEWS[step[1]](base), m)
            elif step[0] == "read":
                reads.append(VIEWS[step[1]](base) * 2 + 1)
            elif m is lg:
                base.realize()
        results.append([t.cpu().numpy() for t in (base, *reads)])
    for got, want in zip(*results):
        np.testing.assert_array_equal(got, want, err_msg=str(steps))


def test_float_scatter_adds_alert_under_deterministic_algorithms():
    """Atomic float adds on the GPU land in no fixed order: torch's alert (an error, or a warning with
    warn_only); integer sums and scatters of a maximum are exact in any order, and run."""
    index, values = lg.tensor([0, 1, 0, 1], device="cuda"), lg.ones(4, device="cuda")
    try:
        lg.use_deterministic_algorithms(True)
        with pytest.raises(RuntimeError, match="does not have a deterministic implementation"):
            lg.zeros(2, device="cuda").index_add(0, index, values).cpu()
        assert lg.zeros(2, dtype=lg.int64, device="cuda").index_add(0, index, values.long()).cpu().tolist() == [2, 2]
        peak = lg.zeros(2, device="cuda").scatter_reduce(0, index, values * 3, "amax").cpu()
        assert peak.tolist() == [3.0, 3.0]
        lg.use_deterministic_algorithms(True, warn_only=True)
        with pytest.warns(UserWarning, match="does not have a deterministic implementation"):
            assert lg.zeros(2, device="cuda").index_add(0, index, values).cpu().tolist() == [2.0, 2.0]
    finally:
        lg.use_deterministic_algorithms(False)



def test_complex_on_the_device():
    """complex64 and complex128 kernels on the device agree with the CPU's: the functions of lg_complex.h,
    products, reductions (warp shuffles of pairs), a scatter of racing threads (atomics on each part),
    eigenvalues and an inverse (library calls), transfers both ways, and gradients."""
    for dtype in (lg.complex64, lg.complex128):
        a = lg.complex(lg.tensor(_pair((37, 53))), lg.tensor(_pair((37, 53), seed=5))).to(dtype)
        b = lg.complex(lg.tensor(_pair((53, 20), seed=3)), lg.tensor(_pair((53, 20), seed=4))).to(dtype)
        index = lg.tensor([0, 4, 4, 4, 2])
        programs = [lambda x, y: (x.exp() * x.sin() + x.tanh() / x.sqrt()).log1p(), lambda x, y: x.sum(1),
                    lambda x, y: x.prod(0) / x.abs().amax(), lambda x, y: x @ y, lambda x, y: x.cumsum(0),
                    lambda x, y: lg.angle(x) + x.var(1, keepdim=True), lambda x, y: lg.linalg.eigvals(x[:6, :6]),
                    lambda x, y: lg.linalg.inv(x[:6, :6]) @ x[:6],
                    lambda x, y: lg.zeros(6, 53, dtype=dtype, device=x.device).index_add(0, index.to(x.device), x[:5])]
        for program in programs:
            on_gpu, on_cpu = program(a.cuda(), b.cuda()), program(a, b)
            assert on_gpu.device.type == "cuda" and on_gpu.dtype is on_cpu.dtype
            np.testing.assert_allclose(on_gpu.cpu().numpy(), on_cpu.numpy(), rtol=2e-4, atol=1e-4)
        assert a.cuda().cpu().tolist() == a.tolist()
        on_gpu, on_cpu = a.cuda(), a.clone()
        for z in (on_gpu, on_cpu):  # views of the parts share the complex tensor's memory
            z.real.mul_(2)
            z.imag[0] = 5
            z.add_(lg.view_as_complex(lg.view_as_real(z).flip(-1).contiguous()))
        assert on_gpu.device.type == "cuda" and lg.view_as_real(on_gpu).device.type == "cuda"
        np.testing.assert_allclose(on_gpu.cpu().numpy(), on_cpu.numpy(), rtol=1e-6)
        w = a.cuda().requires_grad_()
        (w.exp() * w.conj()).abs().sum().backward()
        v = a.clone().requires_grad_()
        (v.exp() * v.conj()).abs().sum().backward()
        np.testing.assert_allclose(w.grad.cpu().numpy(), v.grad.numpy(), rtol=2e-4, atol=1e-4)


def test_bfloat16_on_the_device():
    """bfloat16 kernels on the device give the CPU kernels' bits: elementwise work, reductions (float32
    sums), a product, a softmax, a scatter of racing threads, transfers both ways."""
    a = lg.tensor(_pair((37, 53)), dtype=lg.float32).bfloat16()
    b = lg.tensor(_pair((53, 20), seed=3), dtype=lg.float32).bfloat16()
    index = lg.tensor([0, 4, 4, 4, 2])
    programs = [lambda x, y: (x * 2 + 1).exp().log1p(), lambda x, y: x.sum(1), lambda x, y: x.amax(0),
                lambda x, y: x.softmax(1), lambda x, y: (x @ y).relu(), lambda x, y: x.cumsum(0),
                lambda x, y: lg.zeros(6, 53, dtype=lg.bfloat16, device=x.device).index_add(0, index.to(x.device), x[:5])]
    for program in programs:
        on_gpu, on_cpu = program(a.cuda(), b.cuda()), program(a, b)
        assert on_gpu.device.type == "cuda" and on_gpu.dtype is lg.bfloat16
        np.testing.assert_allclose(on_gpu.float().cpu().numpy(), on_cpu.float().numpy(), rtol=8e-3, atol=1e-2)
    assert a.cuda().cpu().tolist() == a.tolist()


def test_sparse_tensors_on_the_device():
    """Sparse COO, CSR and CSC tensors on the device: indices and values live there; coalescing, a product and
    its gradient, and a sparse embedding gradient applied by SGD agree with the CPU's."""
    dense = _pair((12, 9)) * (_pair((12, 9), seed=7) > 1.5)
    b = lg.tensor(_pair((9, 5), seed=2))
    results = []
    for device in ("cuda", "cpu"):
        s = lg.tensor(dense).to(device).to_sparse()
        s = (s + s * 2).requires_grad_()
        assert s.device.type == device and s._indices().device.type == device
        out = lg.sparse.mm(s, b.to(device))
        out.pow(2).sum().backward()
        emb = lg.nn.Embedding(7, 3, sparse=True, device=device)
        emb.weight.data.copy_(lg.tensor(_pair((7, 3), seed=9)).to(device))
        emb(lg.tensor([0, 3, 3], device=device)).pow(2).sum().backward()
        lg.optim.SGD(emb.parameters(), lr=0.1).step()
        csr = lg.tensor(dense).to(device).to_sparse_csr()
        csc = lg.tensor(dense).to(device).to_sparse_csc()
        assert csr.crow_indices().device.type == device and csc.ccol_indices().device.type == device
        results.append((out.detach(), s.grad.to_dense(), emb.weight.detach(), csr @ b.to(device), csc @ b.to(device)))
    for on_gpu, on_cpu in zip(*results):
        _same(on_gpu, on_cpu, rtol=1e-4, atol=1e-5)
