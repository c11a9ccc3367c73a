"""The CUDA back end without a GPU: kernels render for CUDA from any graph, and every kernel the test
suite compiles for C also compiles as CUDA (nvcc --ptx for sm_80 and sm_90, at the session's end: conftest;
NVRTC when cupy has it)."""
import re
import struct
import subprocess

import numpy as np
import pytest

import lazygrad as lg
from codegen import cuda_program, render_cuda
from codegen.symbolic import Lin
from codegen.templates_dir import templates_dir

import nvcc_check

ARCHS = nvcc_check.ARCHS


def _graphs():
    """A sample of every kernel kind and dtype, so this file checks something when run alone."""
    x = lg.randn(64, 48)
    h = lg.arange(12, dtype=lg.float16).reshape(3, 4)
    i = lg.arange(-6, 6, dtype=lg.int8)
    w, wide = lg.randn(64, 48).realize(), lg.zeros(2048, 32).realize()  # buffers: their products are tiled
    return [
        (x.exp() / x.exp().sum(-1, keepdim=True)).sum(),  # row reduction, fused elementwise
        x.sum(0), x.amax(1), x.cumsum(1), x.t().contiguous(), (x > 0).any(),
        (h * 1.5).sum(1), h.to(lg.float64).cumprod(0), h.mean(),
        i // 3, i % -4, i << 2, i.abs().to(lg.uint8).max(),
        lg.rand(5, dtype=lg.float64) + lg.randn(5, dtype=lg.float64), lg.randint(0, 9, (7,)),
        lg.where(x > 0, x, lg.zeros(())).pow(2.5).flip(0)[::3],
        lg.cat([x[:, :3], x[:, -3:]], 1).prod(1),
        w @ w.t(), (w.t() @ w).relu() + 1, lg.randn(3, 40, 48).realize().half() @ w.half().t(),
        w.double() @ w.double().t(), wide @ wide.t(),
        x[lg.tensor([3, 0, 3])] * 2, x[:, ::2].gather(1, lg.tensor([[4, 0]])),
        *(lg.zeros(6, 3, dtype=dtype).index_put((lg.tensor([1, 1, 5]),), lg.ones(3, 3, dtype=dtype), accumulate=add)
          for dtype in (lg.bool, lg.uint8, lg.int16, lg.int64, lg.float16, lg.float64) for add in (False, True)),
        *(lg.ones(5, 2, dtype=dtype).scatter_reduce(0, lg.tensor([[4, 1]]), lg.ones(1, 2, dtype=dtype), reduce)
          for dtype in (lg.bool, lg.int8, lg.int16, lg.int32, lg.float16, lg.float32, lg.float64)
          for reduce in ("prod", "amax", "amin")),
        x.sort(1).values, h.argsort(0, descending=True), i.sort().indices, (i > 0).argsort(), x.median(0).values,
        x.logcumsumexp(1), h.logcumsumexp(0), x.double().logcumsumexp(0),
    ]


def _sample_sources() -> dict[str, str]:
    out = {}
    for y in _graphs():
        for k in lg.schedule(y, target="cuda"):
            out.setdefault(k.source, k.name)
    return out


def test_sample_kernels_compile_with_nvcc(tmp_path):
    """This file's own sample of kernels; every kernel the whole suite generates is compiled the same way
    when the session ends (conftest: the CUDA twin of each C kernel the tests ran)."""
    if not nvcc_check.available():
        pytest.skip("nvcc is not installed")
    assert nvcc_check.compile_all(_sample_sources(), tmp_path) == []


def _nvrtc_or_skip():
    try:
        cuda_program.nvrtc_version()
    except Exception as e:  # no cupy, or cupy without libnvrtc
        pytest.skip(f"NVRTC is not available here: {e}")


def _whole_elf(blob: bytes) -> bool:
    """Whether an ELF64 file holds all of its section and program header tables."""
    phoff, shoff = struct.unpack_from("<QQ", blob, 0x20)
    phentsize, phnum, shentsize, shnum = struct.unpack_from("<HHHH", blob, 0x36)
    return blob[:4] == b"\x7fELF" and len(blob) >= max(phoff + phnum * phentsize, shoff + shnum * shentsize)


@pytest.mark.parametrize("arch", ARCHS)
def test_sample_kernels_compile_with_nvrtc(arch):
    _nvrtc_or_skip()
    for source in _sample_sources():
        assert _whole_elf(cuda_program.compile_cubin(source, arch))


def test_cubins_are_whole_when_nvrtc_is_found_by_its_path(monkeypatch):
    """cupy's getCUBIN cuts a cubin's last byte (the driver then refuses it), so lazygrad reads it from
    NVRTC itself: by soname, or else by the path the process mapped."""
    _nvrtc_or_skip()
    cdll = cuda_program.ctypes.CDLL

    def no_soname(name, *args, **kw):
        if "/" not in name:
            raise OSError(f"{name}: not found by soname here")
        return cdll(name, *args, **kw)
    monkeypatch.setattr(cuda_program.ctypes, "CDLL", no_soname)
    cuda_program._libnvrtc.cache_clear()
    try:
        source = next(iter(_sample_sources()))
        assert _whole_elf(cuda_program.compile_cubin(source, ARCHS[0]))
    finally:
        cuda_program._libnvrtc.cache_clear()


def test_nvrtc_errors_carry_its_log():
    _nvrtc_or_skip()
    with pytest.raises(RuntimeError, match="NVRTC could not compile"):
        cuda_program.compile_cubin("this is not CUDA", "sm_80")


def test_schedule_renders_cuda_without_a_gpu():
    x = lg.randn(4096, 512)
    y = (x.exp() / x.exp().sum(-1, keepdim=True) * 2).sum()
    kernels = lg.schedule(y, target="cuda")
    assert [k.device for k in kernels] == ["cuda"] * len(kernels)
    c_kernels = lg.schedule(y)
    # one lowering, two languages; the GPU computes the final sum in two passes
    assert [k.name for k in kernels[:-2]] == [k.name for k in c_kernels[:-1]] and len(kernels) == len(c_kernels) + 1
    assert all('extern "C" __global__' in k.source and "launch" in k.source for k in kernels)
    reductions = [k for k in kernels if k.kind == "reduce"]
    assert reductions and all("__shfl_down_sync" in k.source or "lg_shfl_down" in k.source for k in reductions)
    assert all("__shared__" in k.source for k in reductions)
    assert not x._storage.is_realized  # rendering ran nothing


def test_matmul_is_tiled():
    a, b = lg.ones(300, 200).realize(), lg.ones(3, 200, 100).realize()
    kernels = lg.schedule((a @ b + 1).relu(), target="cuda")
    (mm,) = [k for k in kernels if "a_tile" in k.source]
    # two shared buffers of 16 x (64 + 4 padding) values; fragments come from them four at a time
    assert "__shared__ float b_tile[2][16][68]" in mm.source and "lg_vec<float, 4> a_frag[1]" in mm.source
    assert "2x5x3 blocks of 256 threads" in mm.source  # n tiles x m tiles x batch
    assert "const int i1 = m0 + e / 16" in mm.source  # 32-bit indices: these cannot overflow
    c = lg.ones(4, 4).realize()
    small = lg.schedule(c @ c, target="cuda")
    assert not any("a_tile" in k.source for k in small)  # too small to tile


@pytest.mark.parametrize("dtype, tile", [(lg.float32, "a_tile[2][8][132]"), (lg.float64, "a_tile[2][16][68]")])
def test_large_products_take_wide_tiles_in_float32_only(dtype, tile):
    """8x8 float32 accumulators a thread fit two blocks' registers on a multiprocessor; 8x8 doubles
    would spill, so float64 keeps the 4x4 ones."""
    a = lg.zeros(2048, 32, dtype=dtype).realize()
    (mm,) = [k for k in lg.schedule(a @ a.t(), target="cuda") if "a_tile" in k.source]
    assert tile in mm.source


@pytest.mark.parametrize("a_t, b_t, along", [(False, False, "A along k, B along n"), (True, True, "A along m, B along k"),
                                             (False, True, "A along k, B along k")])
def test_matmul_tiles_are_read_along_contiguous_memory(a_t, b_t, along):
    """Each operand's tile is read with the axis that is contiguous in memory fastest, so a warp's
    reads coalesce whichever operand is transposed (a backward pass reads both ways)."""
    a, b = lg.randn(96, 80).realize(), lg.randn(80, 64).realize()
    a, b = (a.t().contiguous().realize().t() if a_t else a), (b.t().contiguous().realize().t() if b_t else b)
    (mm,) = [k for k in lg.schedule(a @ b, target="cuda") if "a_tile" in k.source]
    said = re.search(r"tiles are read along the axis contiguous in memory: (.*) \*/", mm.source).group(1)
    assert re.sub(r" \(\w+\)", "", said) == along


def test_matmul_indices_widen_when_they_could_overflow(monkeypatch):
    """A tile read whose index could pass the 32-bit range computes it in 64 bits (the range is
    narrowed here, so that a product of a size that fits in memory crosses it)."""
    a, b = lg.randn(96, 80).realize(), lg.randn(80, 64).realize()
    (mm,) = [k for k in lg.schedule(a @ b, target="cuda") if "a_tile" in k.source]
    assert "const int k0 = 0" in mm.source
    monkeypatch.setattr(render_cuda, "INT32_MAX", 96 * 80 - 2)  # A's last index is 96 * 80 - 1
    (wide,) = [k for k in lg.schedule((a @ b).relu(), target="cuda") if "a_tile" in k.source]
    assert "const int64_t k0 = 0" in wide.source and "const int k0" not in wide.source


def test_index_magnitude_bounds_every_partial_result():
    i, j = Lin.var("i", 70000), Lin.var("j", 40000)
    assert (i * 40000 + j).magnitude() == 69999 * 40000 + 39999
    assert (i * -3 + 5).magnitude() == 69999 * 3 + 5
    assert (i * 40000 + j).floordiv(7).magnitude() == (i * 40000 + j).magnitude()  # the division's operand


def test_reductions_pick_their_layout():
    x = lg.ones(512, 300).realize()
    (rows,) = lg.schedule(x.sum(1), target="cuda")
    (cols,) = lg.schedule(x.sum(0), target="cuda")
    assert "lg_shfl_down" in rows.source and "__shared__" in rows.source  # a block per row
    assert "lg_shfl_down" not in cols.source and "red_flat++" in cols.source  # a thread per column


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int64", "float16", "float32"])
@pytest.mark.parametrize("op", ["sum", "amax", "amin", "prod", "all"])
def test_full_reductions_split_in_two_passes_keep_their_value(backend, op, dtype):
    """What the GPU computes for a reduction to one value (parts of the input, then the parts),
    evaluated here on the CPU back ends against the reduction itself."""
    from lazygrad.split_reductions import PARTS, split_large_reductions
    x = (lg.arange(100_003) % 7 - 3).to(getattr(lg, dtype))
    y = getattr(x, op)() if op != "prod" else (x != 0).prod()
    (node,) = split_large_reductions([y._storage.target()])
    assert node is not y._storage.target() and any(n.shape == (PARTS, 1) for n in _nodes(node))
    got = lg.Tensor._from_node(node).reshape(y.shape)
    np.testing.assert_allclose(got.numpy().astype(np.float64), y.numpy().astype(np.float64), rtol=1e-3)


FEW_OUTPUTS = {  # shape, reduction, the shape of its first pass (PARTS // outputs parts an output)
    "columns": ((20001, 5), lambda x: x.sum(0), (204, 1, 5)),
    "rows": ((3, 33335), lambda x: x.amax(1), (3, 341, 1)),
    "apart": ((35, 3, 953), lambda x: x.amin((0, 2)), (3, 341, 1)),
    "keepdim": ((7, 14286), lambda x: x.mean(-1, keepdim=True), (7, 146, 1)),
}


@pytest.mark.parametrize("case", list(FEW_OUTPUTS))
def test_reductions_to_few_values_split_in_two_passes_keep_their_value(backend, case):
    """A reduction to a few values is cut into parts (reduced axes merged, or moved last when they
    are apart), then the parts reduced; evaluated on the CPU back ends against the reduction."""
    from lazygrad.split_reductions import split_large_reductions
    shape, reduce, partials = FEW_OUTPUTS[case]
    x = (lg.arange(int(np.prod(shape))) % 11 - 5).float().reshape(shape)
    y = reduce(x)
    (node,) = split_large_reductions([y._storage.target()])
    assert any(n.shape == partials for n in _nodes(node))
    got = lg.Tensor._from_node(node).reshape(y.shape)
    np.testing.assert_allclose(got.numpy(), y.numpy(), rtol=1e-5)


def _nodes(root):
    from lazygrad.graph import toposort
    return toposort([root])


def test_cuda_schedule_of_a_full_reduction_is_two_passes():
    x = lg.ones(4096, 4096).realize()
    kernels = lg.schedule((x * 2).sum(), target="cuda")
    assert [k.kind for k in kernels] == ["reduce", "reduce"]
    assert "1024x1x1 blocks" in kernels[0].source and "1x1x1 blocks" in kernels[1].source
    assert len(lg.schedule((x * 2).sum())) == 1  # the CPU keeps one kernel


def test_launch_follows_the_kernel_shape():
    from codegen import cuda_vectors, lower, render_cuda
    from lazygrad.runtime import _structure
    from lazygrad.schedule import create_schedule
    x = lg.ones(1000, 3000)
    for y, kind in ((x * 2, "elementwise"), (x.sum(1), "reduce"), (x.sum(), "reduce")):
        (item,) = create_schedule([y._storage.target()])
        _, args = _structure(item)
        prog = lower.lower(item.outputs, item.inputs, args.rand_slots(), args.scalar_slots())
        launch = render_cuda.launch(prog)
        assert prog.kind == kind and launch.block % 32 == 0 and launch.grid[1:] == (1, 1)
        if kind == "elementwise":
            lanes = cuda_vectors.plan(prog).lanes  # float32 in 16-byte accesses: 4 elements a thread a step
            assert lanes == 4 and launch.block == render_cuda.THREADS
            assert launch.grid[0] * launch.block * lanes >= min(prog.numel, 1 << 24)
        else:
            assert launch.grid[0] == min(prog.numel, render_cuda.MAX_BLOCKS)
            assert launch.block == render_cuda.REDUCE_THREADS_MAX  # 3000 elements per block: the widest block


def test_devices_without_cuda_fail_clearly():
    if lg.cuda.is_available():
        pytest.skip("this machine has a GPU")
    pytest.importorskip("cupy")
    assert lg.cuda.device_count() == 0
    makers = (lambda: lg.zeros(2, device="cuda"), lambda: lg.ones(2).cuda(), lambda: lg.ones(2).to("cuda:0"),
              lg.cuda.current_device, lg.cuda.get_device_name)
    for make in makers:
        with pytest.raises(RuntimeError, match="CUDA back end is not available: no"):
            make()
    assert lg.ones(2).cpu().tolist() == [1.0, 1.0]


def test_devices_without_cupy_fail_as_torch_without_cuda(monkeypatch):
    """torch built without CUDA raises AssertionError; lazygrad without cupy does too, saying what to install."""
    monkeypatch.setattr(lg.cuda, "_probe", lambda: (None, 0, "cupy is not installed (pip install 'lazygrad[cuda]')"))
    assert not lg.cuda.is_available() and lg.cuda.device_count() == 0
    for make in (lambda: lg.zeros(2, device="cuda"), lambda: lg.ones(2).cuda(), lg.cuda.current_device):
        with pytest.raises(AssertionError, match=r"cupy is not installed \(pip install 'lazygrad\[cuda\]'\)"):
            make()


def test_cuda_seeding_is_the_shared_stream():
    lg.cuda.manual_seed(11)
    a = lg.rand(4).tolist()
    lg.manual_seed(11)
    assert lg.rand(4).tolist() == a
    lg.cuda.manual_seed_all(11)
    assert lg.rand(4).tolist() == a
    lg.cuda.empty_cache()  # nothing to free without a GPU, and no error


def test_device_names_like_torch():
    torch = pytest.importorskip("torch")
    for name in ("cpu", "cuda", "cuda:1"):
        assert repr(lg.device(name)) == repr(torch.device(name)) and str(lg.device(name)) == str(torch.device(name))
    assert lg.device("cuda", 0) == lg.device("cuda:0") and lg.ones(1).device == lg.device("cpu")


def test_dlpack_shares_memory_both_ways():
    torch = pytest.importorskip("torch")
    x = lg.arange(6.0).reshape(2, 3)
    t = torch.from_dlpack(x.t())
    t[0, 1] = -1.0
    assert x.tolist() == [[0.0, 1.0, 2.0], [-1.0, 4.0, 5.0]]
    a = np.from_dlpack(x)
    a[1, 2] = 9.0
    assert t[2, 1].item() == 9.0
    y = lg.from_dlpack(torch.arange(4.0))
    assert y.tolist() == [0.0, 1.0, 2.0, 3.0] and x.__dlpack_device__() == (1, 0)
    capsule = lg.utils.dlpack.to_dlpack(x)  # torch.utils.dlpack's spellings, through a capsule
    torch.utils.dlpack.from_dlpack(capsule)[0, 0] = 7.0
    assert x[0, 0].item() == 7.0
    assert lg.utils.dlpack.from_dlpack(torch.utils.dlpack.to_dlpack(torch.ones(2))).tolist() == [1.0, 1.0]
    with pytest.raises(AttributeError, match="non-CUDA tensor"):
        x.__cuda_array_interface__


def test_contiguous_operands_move_in_vector_instructions(tmp_path):
    """Contiguous reads and writes of an elementwise kernel compile to 16-byte vector accesses; the
    transposed read stays a scalar one."""
    if not nvcc_check.available():
        pytest.skip("nvcc is not installed")
    x32, x64 = lg.tensor(np.ones((64, 48), np.float32)), lg.tensor(np.ones((64, 48)))
    sources = {}
    for y in ((x32 * 2).exp(), x64 + 1, x32.t().contiguous()):
        (k,) = lg.schedule(y, target="cuda")
        sources[k.source] = k.name
    path = tmp_path / "vectors.cu"
    path.write_text(nvcc_check.translation_unit(sources))
    result = nvcc_check.nvcc(path, "sm_80")
    assert result.returncode == 0, result.stderr[-4000:]
    ptx = path.with_suffix(".sm_80.ptx").read_text()
    entries = {name: body for name, body in re.findall(r"\.entry (\w+)\((.*?)\n}", ptx, re.S)}
    exp, add, transpose = (next(b for n, b in entries.items() if n.startswith(f"{name}_k{i}"))
                           for i, name in enumerate(sources.values()))
    assert "ld.global.nc.v4.f32" in exp and "st.global.v4.f32" in exp
    assert "ld.global.nc.v2.f64" in add and "st.global.v2.f64" in add
    assert "st.global.v4.f32" in transpose and "ld.global.nc.v4" not in transpose


@pytest.mark.parametrize("arch, instruction", [("sm_80", "mma.sync.aligned.m16n8k16"), ("sm_75", "shfl.sync.idx")])
def test_float16_products_use_tensor_cores(tmp_path, arch, instruction):
    """A float16 matrix multiply takes the tensor-core template (mma.m16n8k16 from sm_80 on; before it,
    the same fragments are exchanged with shuffles); float32 ones keep the FMA tiles."""
    if not nvcc_check.available():
        pytest.skip("nvcc is not installed")
    x = lg.randn(64, 48).realize()
    (half,) = [k for k in lg.schedule(x.half() @ x.half().t(), target="cuda") if "a_tile" in k.source]
    (single,) = [k for k in lg.schedule(x @ x.t(), target="cuda") if "a_tile" in k.source]
    assert "lg_mma_16x8x16(acc[i][j], a_frag[i], b_frag[j])" in half.source and "__shared__ lg_half" in half.source
    assert "lg_mma_16x8x16" not in single.source
    path = tmp_path / "tensor_cores.cu"
    path.write_text(nvcc_check.translation_unit({half.source: half.name}))
    result = nvcc_check.nvcc(path, arch)
    assert result.returncode == 0, result.stderr[-4000:]
    ptx = path.with_suffix(f".{arch}.ptx").read_text()
    assert instruction in ptx and ("mma.sync" in ptx) == (arch == "sm_80")


def test_kernels_fit_the_register_file(tmp_path):
    """The heaviest kernels, assembled for sm_90: registers times threads fit a multiprocessor's 64K
    registers (else the launch fails), and they spill (almost) nothing."""
    if not nvcc_check.available():
        pytest.skip("nvcc is not installed")
    big = {dt: lg.zeros(2048, 64, dtype=dt).realize() for dt in (lg.float16, lg.float32, lg.float64)}
    x = lg.zeros(4096, 512).realize()
    graphs = [big[dt] @ big[dt].t() for dt in big] + [x.softmax(-1), ((x * 1.5).sin() * x - x.exp().tanh()).abs()]
    kernels = {k.source: k for y in graphs for k in lg.schedule(y, target="cuda")}
    for n, k in enumerate(kernels.values()):
        path = tmp_path / f"k{n}.cu"
        path.write_text(k.source)
        includes = [f"-I{templates_dir() / 'cuda'}", f"-I{templates_dir() / 'common'}"]
        done = subprocess.run(["nvcc", "-cubin", "-arch=sm_90", "-diag-suppress=186", "-Xptxas", "-v", *includes,
                               str(path), "-o", str(path.with_suffix(".cubin"))], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-4000:]
        registers = int(re.search(r"Used (\d+) registers", done.stderr).group(1))
        spilled = int(re.search(r"(\d+) bytes spill stores", done.stderr).group(1))
        threads = int(re.search(r"blocks of (\d+) threads", k.source).group(1))
        assert registers * threads <= 65536 and spilled <= 64, (k.name, registers, threads, spilled)
