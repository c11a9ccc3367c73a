"""The torch modules training scripts touch beside the tensor API: backends (switches read back as torch's,
linked where torch links them), jit (TorchScript's entry points returning what they are given), the hook
handle of utils.hooks, and the profiler (kernels and regions, torch's table, chrome traces)."""
import gzip
import importlib.util
import json
import pickle
import typing
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import lazygrad as lg
from oracle import same_error, torch_or_skip


@pytest.fixture(autouse=True)
def quiet():
    """The deprecated jit entry points warn, as torch's do."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


@pytest.fixture
def torch_switches():
    """torch and lazygrad with their switches restored after the test."""
    torch = torch_or_skip()
    libs = (lg, torch)
    saved = [(lib.backends.cudnn.enabled, lib.backends.cudnn.benchmark, lib.backends.cudnn.deterministic,
              lib.backends.cudnn.allow_tf32, lib.get_float32_matmul_precision(),
              lib.backends.cuda.flash_sdp_enabled(), lib.backends.cuda.math_sdp_enabled()) for lib in libs]
    yield torch
    for lib, (enabled, benchmark, deterministic, tf32, precision, flash, math) in zip(libs, saved):
        cudnn = lib.backends.cudnn
        cudnn.enabled, cudnn.benchmark, cudnn.deterministic, cudnn.allow_tf32 = enabled, benchmark, deterministic, tf32
        lib.set_float32_matmul_precision(precision)
        lib.backends.cuda.enable_flash_sdp(flash)
        lib.backends.cuda.enable_math_sdp(math)
        lib.use_deterministic_algorithms(False)
        lib.backends.cuda.matmul.allow_fp16_reduced_precision_reduction = True


def cudnn_state(lib):
    c = lib.backends.cudnn
    return c.enabled, c.benchmark, c.deterministic, c.allow_tf32, c.benchmark_limit, c.is_available(), c.version()


def test_cudnn_switches_read_back_as_torchs(torch_switches):
    torch = torch_switches
    assert cudnn_state(lg) == cudnn_state(torch) == (True, False, False, True, None, False, None)
    for lib in (lg, torch):
        lib.backends.cudnn.benchmark = True
        lib.backends.cudnn.allow_tf32 = False
    assert cudnn_state(lg) == cudnn_state(torch)
    for lib in (lg, torch):
        with lib.backends.cudnn.flags(enabled=True, deterministic=True):
            inside = cudnn_state(lib)
        assert cudnn_state(lib) == cudnn_state(torch)  # restored
        assert inside == (True, False, True, True, None, False, None)
    with lg.backends.cudnn.flags():  # torch's defaults turn cuDNN off
        assert not lg.backends.cudnn.enabled


def test_cudnn_deterministic_is_apart_from_deterministic_algorithms(torch_switches):
    """torch keeps cuDNN's switch and use_deterministic_algorithms apart: so does lazygrad."""
    torch = torch_switches
    for lib in (lg, torch):
        lib.use_deterministic_algorithms(True)
        assert lib.backends.cudnn.deterministic is False
        lib.use_deterministic_algorithms(False)
        lib.backends.cudnn.deterministic = True
        assert lib.are_deterministic_algorithms_enabled() is False


@pytest.mark.parametrize("name", ["enabled", "benchmark", "deterministic", "allow_tf32"])
def test_cudnn_switches_take_bools_only(torch_switches, name):
    torch = torch_switches
    same_error(lambda: setattr(lg.backends.cudnn, name, 1), lambda: setattr(torch.backends.cudnn, name, 1))


def matmul_state(lib):
    m = lib.backends.cuda.matmul
    return (m.allow_tf32, m.allow_fp16_reduced_precision_reduction, m.allow_fp16_reduced_precision_reduction_split_k,
            m.allow_bf16_reduced_precision_reduction, m.allow_bf16_reduced_precision_reduction_split_k,
            m.allow_fp16_accumulation)


def test_matmul_allow_tf32_is_the_float32_precision(torch_switches):
    torch = torch_switches
    assert matmul_state(lg) == matmul_state(torch) == (False, True, True, True, True, False)
    for precision in ["high", "medium", "highest"]:
        for lib in (lg, torch):
            lib.set_float32_matmul_precision(precision)
        assert lg.backends.cuda.matmul.allow_tf32 == torch.backends.cuda.matmul.allow_tf32 == (precision != "highest")
    for allow in [True, False]:
        for lib in (lg, torch):
            lib.backends.cuda.matmul.allow_tf32 = allow
        assert lg.get_float32_matmul_precision() == torch.get_float32_matmul_precision() == \
            ("high" if allow else "highest")
    for lib in (lg, torch):
        lib.backends.cuda.matmul.allow_fp16_reduced_precision_reduction = (False, False)
    assert matmul_state(lg) == matmul_state(torch)


@pytest.mark.parametrize("call", [
    lambda m: setattr(m.backends.cuda.matmul, "allow_tf32", 1),
    lambda m: setattr(m.backends.cuda.matmul, "allow_fp16_accumulation", "yes"),
    lambda m: setattr(m.backends.cuda.matmul, "no_such_switch", True),
    lambda m: m.backends.cuda.matmul.no_such_switch,
    lambda m: setattr(m.backends.cuda.matmul, "allow_fp16_reduced_precision_reduction", 1),
    lambda m: setattr(m.backends.cuda.matmul, "allow_bf16_reduced_precision_reduction", ()),
    lambda m: setattr(m.backends.cuda.matmul, "allow_bf16_reduced_precision_reduction", (True, True, True)),
    lambda m: setattr(m.backends.cuda.matmul, "allow_fp16_reduced_precision_reduction", (True, 1)),
    lambda m: setattr(m.backends.cuda.matmul, "allow_fp16_reduced_precision_reduction", (True, False)),
    lambda m: m.backends.cuda.enable_flash_sdp(1),
    lambda m: m.backends.cuda.enable_math_sdp(0),
    lambda m: m.backends.cuda.preferred_linalg_library("lapack"),
    lambda m: m.backends.cuda.preferred_linalg_library(3),
])
def test_bad_cuda_switches_raise_like_torch(torch_switches, call):
    same_error(lambda: call(lg), lambda: call(torch_switches))


def sdp_state(lib):
    b = lib.backends.cuda
    return (b.flash_sdp_enabled(), b.mem_efficient_sdp_enabled(), b.math_sdp_enabled(), b.cudnn_sdp_enabled(),
            b.fp16_bf16_reduction_math_sdp_allowed(), b.is_flash_attention_available())


def test_sdp_switches_like_torchs(torch_switches):
    torch = torch_switches
    assert sdp_state(lg) == sdp_state(torch) == (True, True, True, True, False, False)
    for lib in (lg, torch):
        lib.backends.cuda.enable_flash_sdp(False)
        with pytest.warns(FutureWarning, match="sdp_kernel"):
            with lib.backends.cuda.sdp_kernel(enable_math=False, enable_cudnn=False):
                inside = sdp_state(lib)
        assert inside == (True, True, False, False, False, False)
    assert sdp_state(lg) == sdp_state(torch) == (False, True, True, True, False, False)
    assert str(lg.backends.cuda.preferred_linalg_library()) == str(torch.backends.cuda.preferred_linalg_library())
    with pytest.raises(RuntimeError, match="Cannot set preferred backend to MAGMA"):
        lg.backends.cuda.preferred_linalg_library("magma")


def test_nn_attention_is_the_kernel_choice_module_from_the_first_import():
    """lg.nn.attention names torch.nn.attention's counterpart at once, not the MultiheadAttention layer's module
    (a fresh interpreter: the suite has imported it by name already)."""
    import subprocess
    import sys
    code = "import lazygrad as lg; print(lg.nn.attention.sdpa_kernel.__module__, hasattr(lg.nn, 'conv'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["lazygrad.nn.attention", "False"]


def test_sdpa_kernel_sets_the_switches_and_refuses_like_torch(torch_switches):
    """torch.nn.attention.sdpa_kernel: the switches inside the block are torch's, restored after it, and a
    choice leaving no CPU kernel (neither math nor flash) fails in both; otherwise the values are torch's."""
    torch = torch_switches
    from lazygrad.nn.attention import SDPBackend, sdpa_kernel
    from torch.nn.attention import SDPBackend as TorchBackend, sdpa_kernel as torch_sdpa_kernel
    assert [(b.name, b.value, repr(b), str(b)) for b in SDPBackend] == [
        (b.name, b.value, repr(b), str(b)) for b in TorchBackend.__members__.values()]
    q = np.random.default_rng(0).standard_normal((1, 2, 4, 8)).astype(np.float32)
    for names in (["MATH"], ["FLASH_ATTENTION"], ["EFFICIENT_ATTENTION", "CUDNN_ATTENTION"], ["OVERRIDEABLE"], []):
        chosen = [SDPBackend[n] for n in names], [getattr(TorchBackend, n) for n in names]
        with sdpa_kernel(chosen[0]), torch_sdpa_kernel(chosen[1]):
            assert sdp_state(lg) == sdp_state(torch)
            if {"MATH", "FLASH_ATTENTION"} & set(names):
                got = lg.nn.functional.scaled_dot_product_attention(*[lg.tensor(q)] * 3)
                want = torch.nn.functional.scaled_dot_product_attention(*[torch.tensor(q)] * 3)
                np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)
            else:
                same_error(lambda: lg.nn.functional.scaled_dot_product_attention(*[lg.tensor(q)] * 3),
                           lambda: torch.nn.functional.scaled_dot_product_attention(*[torch.tensor(q)] * 3))
    assert sdp_state(lg) == sdp_state(torch) == (True, True, True, True, False, False)
    with pytest.raises(AssertionError, match="SDPBackend instances, got str"):
        with sdpa_kernel("math"):
            pass


def test_compiler_controls_leave_code_as_it_is(torch_switches):
    """torch.compiler: nothing traces lazygrad's code, so it is never compiling, and the decorators and
    stances return or run what they are given."""
    torch = torch_switches
    c = lg.compiler
    assert c.is_compiling() is c.is_dynamo_compiling() is c.is_exporting() is torch.compiler.is_compiling() is False

    def double(x):
        return x * 2
    for decorate in (c.disable, c.disable(), c.allow_in_graph, c.assume_constant_result, c.wrap_numpy,
                     c.nested_compile_region, c.nested_compile_region(), c.substitute_in_graph(double),
                     c.set_stance("force_eager")):
        assert decorate(double)(lg.tensor([1.5])).tolist() == [3.0]
    with c.set_stance("eager_on_recompile"):
        assert c.compile(double)(lg.tensor([2.0])).tolist() == [4.0]
    c.reset()
    c.cudagraph_mark_step_begin()
    assert c.get_default_backend() in c.list_backends()


def test_libraries_as_lazygrad_has_them():
    """Where torch and lazygrad are alike (no MPS, OpenMP, the CPU's vector instructions) they agree;
    lazygrad has neither MKL nor oneDNN, which this torch has."""
    torch = torch_or_skip()
    b = lg.backends
    assert (b.mps.is_available(), b.mps.is_built()) == (torch.backends.mps.is_available(),
                                                        torch.backends.mps.is_built()) == (False, False)
    assert b.cpu.get_cpu_capability() == torch.backends.cpu.get_cpu_capability()
    assert b.openmp.is_available() is True
    assert b.mkl.is_available() is False and b.mkldnn.is_available() is False
    assert b.mkldnn.enabled is True
    with pytest.raises(RuntimeError, match="set_enabled_mkldnn expects a bool, but got int"):
        b.mkldnn.enabled = 1
    assert b.cuda.is_built() == (importlib.util.find_spec("cupy") is not None)


def test_jit_decorators_return_what_they_decorate():
    torch = torch_or_skip()

    def f(x):
        return x + 1

    for lib in (lg, torch):
        jit = lib.jit
        assert jit.ignore(f) is f and jit.unused(f) is f and jit.export(f) is f and jit.ignore(drop=False)(f) is f
        assert jit.script_if_tracing(f)(1) == 2
        assert jit.annotate(list[int], [3]) == [3]
        assert (jit.is_scripting(), jit.is_tracing()) == (False, False)
        assert jit.Final is typing.Final
        with pytest.warns(FutureWarning, match="ignore\\(True\\) has been deprecated"):
            assert jit.ignore(True)(f) is f
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            future = jit.fork(lambda a, b=1: a * b, 2, b=5)
            assert future.done() and jit.wait(future) == 10 and future.value() == 10
    same_error(lambda: lg.jit.ignore(3), lambda: torch.jit.ignore(3))


@pytest.mark.parametrize("obj, target", [
    ([1, 2], list[int]), ([1, "a"], typing.List[int]), ({"a": [1.0]}, dict[str, list[float]]),
    ({"a": 1}, dict[str, str]), ((1, "a"), tuple[int, str]), ((1, "a"), tuple[int]), (None, typing.Optional[int]),
    (3, int | str), (3.0, typing.Union[int, str]), (3, (str, list[int], int)), ([[1], [2, "x"]], list[list[int]]),
    (True, int), ("x", list[str])])
def test_jit_isinstance_like_torch(obj, target):
    torch = torch_or_skip()
    assert lg.jit.isinstance(obj, target) == torch.jit.isinstance(obj, target)


@pytest.mark.parametrize("target", [list, typing.List, dict, typing.Optional, [int]])
def test_jit_isinstance_errors_like_torch(target):
    torch = torch_or_skip()
    same_error(lambda: lg.jit.isinstance([1], target), lambda: torch.jit.isinstance([1], target))


def test_jit_script_and_trace_return_the_module_after_running_it():
    torch = torch_or_skip()
    model = lg.nn.Linear(3, 2)
    with pytest.warns(DeprecationWarning, match="lazygrad.jit.script"):
        assert lg.jit.script(model) is model
    assert lg.jit.trace(model, lg.randn(4, 3)) is model
    assert lg.jit.trace(model.forward, example_kwarg_inputs={"input": lg.randn(1, 3)}) == model.forward
    assert lg.jit.trace_module(model, {"forward": lg.randn(2, 3)}) is model

    def product(a, b):
        return a * b

    assert lg.jit.trace(product, (lg.ones(2), lg.ones(2)), check_inputs=[(lg.ones(3), lg.ones(3))]) is product
    with pytest.raises(RuntimeError):  # the example inputs are run: shapes that cannot broadcast fail here
        lg.jit.trace(product, (lg.ones(2), lg.ones(3)))
    same_error(lambda: lg.jit.trace(model), lambda: torch.jit.trace(torch.nn.Linear(3, 2)))
    same_error(lambda: lg.jit.trace(product), lambda: torch.jit.trace(product), TypeError)
    same_error(lambda: lg.jit.trace_module(product, {}), lambda: torch.jit.trace_module(product, {}), AttributeError)
    same_error(lambda: lg.jit.trace_module(model, [1]), lambda: torch.jit.trace_module(torch.nn.Linear(3, 2), [1]),
               AttributeError)


def test_jit_freeze_and_its_errors_like_torch():
    torch = torch_or_skip()
    model = lg.nn.Linear(2, 2)
    same_error(lambda: lg.jit.freeze(model), lambda: torch.jit.freeze(torch.jit.script(torch.nn.Linear(2, 2))))
    same_error(lambda: lg.jit.freeze(len), lambda: torch.jit.freeze(len))
    same_error(lambda: lg.jit.optimize_for_inference(len), lambda: torch.jit.optimize_for_inference(len))
    assert lg.jit.freeze(model.eval()) is model
    assert lg.jit.optimize_for_inference(model.train()) is model and not model.training


def test_jit_save_and_load_point_at_lazygrads():
    for call in (lambda: lg.jit.save(lg.nn.Linear(1, 1), "m.pt"), lambda: lg.jit.load("m.pt")):
        with pytest.raises(NotImplementedError, match="lazygrad.save .* lazygrad.load"):
            call()


def handle_trace(lib):
    """What a RemovableHandle does to its dicts: ids in order, removal (also from extra dicts), the context
    manager, and a pickled copy that still removes from the pickled dicts."""
    RemovableHandle = lib.utils.hooks.RemovableHandle
    hooks, extra = OrderedDict(), OrderedDict()
    first = RemovableHandle(hooks, extra_dict=extra)
    second = RemovableHandle(hooks, extra_dict=[extra])
    hooks[first.id], hooks[second.id], extra[first.id], extra[second.id] = "a", "b", "x", "y"
    trace = [second.id - first.id]
    first.remove()
    first.remove()
    trace.append((list(hooks.values()), list(extra.values())))
    with RemovableHandle(hooks) as third:
        hooks[third.id] = "c"
        trace.append(list(hooks.values()))
    trace.append(list(hooks.values()))
    copied_hooks, copied = pickle.loads(pickle.dumps((hooks, second)))
    copied.remove()
    trace.append((list(copied_hooks.values()), list(hooks.values()), RemovableHandle.next_id > copied.id))
    orphan = pickle.loads(pickle.dumps(third))
    orphan.remove()
    trace.append(orphan.hooks_dict_ref() is None)
    return trace


def test_removable_handle_like_torchs():
    torch = torch_or_skip()
    import torch.utils.hooks  # noqa: F401
    assert handle_trace(lg) == handle_trace(torch)
    module = lg.nn.Linear(1, 1)
    handle = module.register_forward_hook(lambda *args: None)
    assert type(handle) is lg.utils.hooks.RemovableHandle and handle.id in module._forward_hooks
    handle.remove()
    assert handle.id not in module._forward_hooks
    assert lg.utils.hooks.BackwardHook.__name__ == "BackwardHook"


def test_profiler_enums_and_schedule_like_torchs():
    torch = torch_or_skip()
    assert list(lg.profiler.ProfilerActivity.__members__) == list(torch.profiler.ProfilerActivity.__members__)
    assert lg.profiler.supported_activities() == {lg.profiler.ProfilerActivity.CPU} or lg.cuda.is_available()
    for kwargs in [dict(wait=1, warmup=1, active=2), dict(wait=0, warmup=2, active=1, repeat=2, skip_first=3),
                   dict(wait=2, warmup=1, active=3, repeat=1, skip_first=1, skip_first_wait=1)]:
        ours, theirs = lg.profiler.schedule(**kwargs), torch.profiler.schedule(**kwargs)
        assert [ours(s).name for s in range(20)] == [theirs(s).name for s in range(20)]
    same_error(lambda: lg.profiler.schedule(wait=0, warmup=1, active=0),
               lambda: torch.profiler.schedule(wait=0, warmup=1, active=0), AssertionError)
    with pytest.warns(UserWarning, match="Profiler won't be using warmup"):
        lg.profiler.schedule(wait=1, warmup=0, active=1)


def test_profile_counts_kernels_and_regions():
    x = lg.randn(16, 16)
    x.sum().item()

    @lg.profiler.record_function("decorated")
    def step(a):
        return (a * 2).sum().item()

    before = lg.stats().kernels_run
    with lg.profiler.profile(activities=[lg.profiler.ProfilerActivity.CPU]) as prof:
        with lg.profiler.record_function("outer"):
            with lg.profiler.record_function("inner"):
                (x @ x).relu().sum().item()
            step(x)
        step(x)
    ran = lg.stats().kernels_run - before
    rows = {row.key: row for row in prof.key_averages()}
    assert rows["decorated"].count == 2 and rows["outer"].count == 1 and rows["inner"].count == 1
    kernels = [row for row in rows.values() if row.key not in ("decorated", "outer", "inner")]
    assert sum(row.count for row in kernels) == ran and ran >= 3
    outer = rows["outer"]
    assert 0 <= outer.self_cpu_time_total < outer.cpu_time_total
    assert outer.cpu_time_total >= rows["inner"].cpu_time_total + 0.5 * rows["decorated"].cpu_time_total
    events = prof.events()
    assert [e.name for e in events if not e.is_kernel] == ["outer", "inner", "decorated", "decorated"]
    assert events[1].cpu_parent is events[0] and events[0].cpu_parent is None
    (x + 3).sum().item()  # after the block: not recorded
    assert sum(row.count for row in prof.key_averages() if row.key not in rows) == 0


def test_table_is_torchs_layout():
    torch = torch_or_skip()
    x = lg.randn(8, 8)
    with lg.profiler.profile() as prof:
        with lg.profiler.record_function("region"):
            (x * x).sum().item()
    table = prof.key_averages().table(sort_by="cpu_time_total", row_limit=10)
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as theirs:
        with torch.profiler.record_function("region"):
            torch.ones(3).sum()
    want = theirs.key_averages().table(sort_by="cpu_time_total", row_limit=10)
    assert table.splitlines()[1].split() == want.splitlines()[1].split()
    assert table.splitlines()[3].split()[0] == "region" and table.splitlines()[-1].startswith("Self CPU time total:")
    assert len(table.splitlines()[0]) == len(table.splitlines()[3])
    assert prof.key_averages().table(sort_by="self_cuda_time_total", row_limit=1).count("\n") == 6
    assert str(prof.key_averages()) == prof.key_averages().table()
    with pytest.raises(AttributeError):
        prof.key_averages().table(sort_by="bogus")


def test_schedule_hands_traces_over_as_torch_does(tmp_path):
    torch = torch_or_skip()
    x = lg.randn(4)
    ready = {}
    for lib, data in ((lg, x), (torch, torch.randn(4))):
        calls = ready[lib.__name__] = []
        sched = lib.profiler.schedule(wait=1, warmup=1, active=2)
        with lib.profiler.profile(schedule=sched, on_trace_ready=lambda p: calls.append(p.step_num)) as prof:
            for _ in range(6):
                (data + 1).sum().item()
                prof.step()
    assert ready["lazygrad"] == ready["torch"] == [4, 6]
    assert "ProfilerStep*" in {row.key for row in prof.key_averages()}
    handler = lg.profiler.tensorboard_trace_handler(str(tmp_path / "logs"), worker_name="w")
    with lg.profiler.profile(schedule=lg.profiler.schedule(wait=0, warmup=1, active=1),
                             on_trace_ready=handler) as prof:
        for _ in range(3):
            (x * 2).sum().item()
            prof.step()
    files = sorted((tmp_path / "logs").iterdir())
    assert len(files) == 2 and all(f.name.startswith("w.") and f.name.endswith(".pt.trace.json") for f in files)
    trace = json.loads(files[0].read_text())
    names = {e["name"] for e in trace["traceEvents"]}
    assert "ProfilerStep#1" in names and any(e["cat"] == "kernel" for e in trace["traceEvents"])


def test_chrome_trace_is_valid_json(tmp_path):
    x = lg.randn(4, 4)
    with lg.profiler.profile() as prof:
        with lg.profiler.record_function("label"):
            (x.exp() + 1).sum().item()
    prof.export_chrome_trace(str(tmp_path / "t.json"))
    prof.export_chrome_trace(str(tmp_path / "t.json.gz"))
    plain = json.loads((tmp_path / "t.json").read_text())
    assert plain == json.loads(gzip.decompress((tmp_path / "t.json.gz").read_bytes()))
    events = plain["traceEvents"]
    assert {e["ph"] for e in events} == {"X"} and all(e["dur"] >= 0 and e["ts"] > 0 for e in events)
    label = next(e for e in events if e["name"] == "label")
    assert label["cat"] == "user_annotation"
    assert all(label["ts"] <= e["ts"] and e["ts"] + e["dur"] <= label["ts"] + label["dur"] + 1
               for e in events if e["cat"] == "kernel")


def test_cuda_kernels_are_timed_to_their_end(monkeypatch):
    """On test_cuda_stand_in's stand-in for cupy (kernels run in the CUDA emulator): the profiler waits for
    each CUDA kernel, which is a row of its own with CUDA time, and a CPU-only profile leaves it out."""
    import sys

    import emulated_cuda
    import test_cuda_stand_in as stand_in
    from codegen import cuda_program
    if not emulated_cuda.available():
        pytest.skip("the CUDA emulator needs g++")

    def program(kernel, device):
        launched = [emulated_cuda.kernel(kernel.source, name) for name in cuda_program.functions(kernel)]
        return lambda args: [run(kernel.launch, [a.data.ptr for a in args]) for run in launched]

    cupy = stand_in._stand_in_cupy()
    waits = []
    cupy.cuda.runtime.deviceSynchronize = lambda: waits.append(1)
    monkeypatch.setitem(sys.modules, "cupy", cupy)
    monkeypatch.setattr(cuda_program, "get_program", program)
    lg.cuda._probe.cache_clear()
    try:
        x = lg.ones(5, device="cuda")
        with lg.profiler.profile() as prof:
            (x * 2).sum().item()
            (lg.ones(3) * 2).sum().item()
        rows = {row.device: row for row in prof.key_averages()}
        assert rows["cuda:0"].key == rows["cpu"].key and len(waits) == 1
        assert rows["cuda:0"].self_device_time_total == rows["cuda:0"].cpu_time_total > 0
        assert rows["cpu"].device_time_total == 0
        assert "Self CUDA time total" in prof.key_averages().table()
        with lg.profiler.profile(activities=[lg.profiler.ProfilerActivity.CPU]) as prof:
            (x * 3).sum().item()
        assert list(prof.key_averages()) == []
    finally:
        lg.cuda._probe.cache_clear()


def test_a_typical_training_script_runs_unchanged():
    """The lines such scripts carry, written against `torch` and run with lazygrad in its place."""
    torch = lg
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.deterministic = False
    torch.backends.cuda.matmul.allow_tf32 = True
    try:
        device = "mps" if torch.backends.mps.is_available() else "cuda" if torch.cuda.is_available() else "cpu"
        assert device in ("cpu", "cuda")
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
        model = torch.jit.script(model)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        x, y = torch.randn(16, 4), torch.randn(16, 1)
        before = torch.nn.functional.mse_loss(model(x), y).item()
        with torch.profiler.profile() as prof:
            with torch.profiler.record_function("train_step"):
                optimizer.zero_grad()
                loss = torch.nn.functional.mse_loss(model(x), y)
                loss.backward()
                optimizer.step()
                loss.item()
        assert "train_step" in prof.key_averages().table(sort_by="cpu_time_total", row_limit=10)
        assert torch.nn.functional.mse_loss(model(x), y).item() < before
    finally:
        torch.backends.cudnn.benchmark = False
        torch.backends.cuda.matmul.allow_tf32 = False


def test_autograd_profiler_is_the_older_spelling():
    """torch.autograd.profiler: profile(enabled=...) records the kernels that ran, with function_events,
    self_cpu_time_total, key_averages() and table(); disabled, it is None to `as` and records nothing;
    record_function, emit_nvtx and emit_itt are regions."""
    x = lg.arange(6.0)
    with lg.autograd.profiler.profile(use_device="cpu") as prof:
        with lg.autograd.profiler.record_function("step"):
            (x * 3 + 1).exp().sum().item()
    names = [e.name for e in prof.function_events]
    assert "step" in names and any(n.startswith("r_") for n in names)
    assert prof.self_cpu_time_total > 0 and "step" in prof.table(sort_by="cpu_time_total")
    assert {row.key for row in prof.key_averages()} == set(names)
    with lg.autograd.profiler.profile(enabled=False) as off:
        (x * 5).sum().item()
    assert off is None
    with lg.autograd.profiler.emit_nvtx(), lg.autograd.profiler.emit_itt():
        assert (x + 1).sum().item() == 21.0
