"""Execute schedules: allocate buffers, fetch compiled kernels (or interpret), run, report.

Kernels are cached by structure: the same fused subgraph over different buffers (every step of a
training loop) renders and compiles once, and later runs pay a dictionary lookup.
"""
from __future__ import annotations

import math
import os
import sys
import time
import warnings
import weakref
from dataclasses import dataclass

import numpy as np

# the default back end is part of importing lazygrad (jinja2 and the renderer load only when a
# kernel must be rendered, so a warm process reaches its cached kernels without them)
from codegen import c_program, rendered

from . import deferred_checks, interpreter, library_routines, settings, threads
from .buffer import Buffer
from .graph import Node, _arg_key
from .ops import Op, ReduceOp
from .schedule import ScheduledKernel, create_schedule, inputs_read_elsewhere, is_stored, unrealized_order
from .split_reductions import split_large_reductions
from .stats import COUNTERS


@dataclass
class Kernel:
    """A kernel a realization runs, as `lazygrad.schedule` reports it."""

    name: str
    device: str
    source: str
    ops: list[str]
    kind: str

    def __repr__(self) -> str:
        return f"<Kernel {self.name} on {self.device}: {', '.join(self.ops)}>"

    def __str__(self) -> str:
        return f"// {self.name} ({self.device})\n{self.source}"


class Schedule(list):
    """The kernels of a realization, printed with their sources."""

    def __str__(self) -> str:
        head = f"{len(self)} kernel{'s' if len(self) != 1 else ''}"
        return "\n".join([head, *(str(k) for k in self)])


_BACKEND: str | None = None
# called after each kernel with (name, device, start, seconds) while a profiler records (lazygrad.profiler)
KERNEL_OBSERVERS: list = []


def backend() -> str:
    """'c' (compiled) or 'numpy' (the reference interpreter), from LAZYGRAD_BACKEND or availability."""
    global _BACKEND
    if _BACKEND is None:
        wanted = os.environ.get("LAZYGRAD_BACKEND", "c").lower()
        if wanted not in ("c", "numpy"):
            raise ValueError(f"LAZYGRAD_BACKEND must be 'c' or 'numpy', got {wanted!r}")
        if wanted == "c":
            if not c_program.compiler().available():
                warnings.warn("lazygrad: no working C compiler found (set LAZYGRAD_CC); "
                              "falling back to the slow numpy interpreter", RuntimeWarning, stacklevel=3)
                wanted = "numpy"
        _BACKEND = wanted
    return _BACKEND


def set_backend(name: str | None) -> None:
    """Choose the back end for this process ('c' or 'numpy'); None re-reads LAZYGRAD_BACKEND."""
    global _BACKEND
    _BACKEND = None
    if name is not None:
        os.environ["LAZYGRAD_BACKEND"] = name
    backend()


@dataclass
class _Compiled:
    kernel: object  # codegen's RenderedKernel: name, kind, fused ops, parameter count, source
    callable: object = None
    loaded_ahead: bool = False  # compiled for a schedule about to run it (its first run is no cache hit)


_KERNELS: dict[tuple, _Compiled] = {}
# per kernel structure: which inputs it reads away from its outputs' positions (inputs_read_elsewhere)
_READ_ELSEWHERE: dict[tuple, frozenset[int]] = {}
# schedules by the structure of the graph they realize (most recent last); a training loop builds the
# same graph over new buffers at every step, so it is scheduled once
_PLANS: dict[tuple, list] = {}
PLANS_KEPT = 256


# float constants a kernel keeps as literals (they read best, and compilers fold them); every other one is
# a run-time argument, so a learning rate that changes at every step does not compile a kernel per step
LITERAL_FLOATS = frozenset({0.0, 1.0, -1.0, 2.0, 0.5, -0.5})


def is_scalar_argument(node: Node) -> bool:
    """A float32/float64 constant passed to the kernel at run time (in its `scalars` parameter)."""
    return (node.op is Op.CONST and node.dtype.name in ("float32", "float64") and math.isfinite(node.arg)
            and float(node.arg) not in LITERAL_FLOATS)


@dataclass
class KernelArgs:
    """What a compiled kernel receives at run time beyond its buffers, so new values need no recompile: the
    (seed, counter offset) of its RAND nodes and the values of its scalar constants, in slot order."""

    rands: list[Node]
    scalars: list[Node]

    def rand_slots(self) -> dict[int, int]:
        return {id(r): i for i, r in enumerate(self.rands)}

    def scalar_slots(self) -> dict[int, int]:
        return {id(c): i for i, c in enumerate(self.scalars)}

    def arrays(self) -> list[np.ndarray]:
        """The rng and scalars parameters' host arrays (those the kernel has)."""
        out = []
        if self.rands:
            out.append(np.array([v for r in self.rands for v in (r.arg[0], r.arg[1])], dtype=np.uint64))
        if self.scalars:
            out.append(np.array([float(c.arg) for c in self.scalars], dtype=np.float64))
        return out


def _structure(item: ScheduledKernel) -> tuple[tuple, KernelArgs]:
    """A key for the kernel's body with stored inputs abstracted to their positions (and RAND nodes to
    their distribution, scalar constants to their dtype), and its run-time arguments."""
    inputs = {id(n): i for i, n in enumerate(item.inputs)}
    local: dict[int, int] = {}
    parts, rands, scalars = [], [], []
    stack = [(o, False) for o in reversed(item.outputs)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in local:
            continue
        if id(node) in inputs:
            local[id(node)] = len(parts)
            parts.append(("in", inputs[id(node)], node.dtype.name, node.shape))
            continue
        if not expanded:
            stack.append((node, True))
            stack.extend((s, False) for s in node.srcs if id(s) not in local)
            continue
        if node.op is Op.RAND:
            arg = node.arg[2]
            rands.append(node)
        elif is_scalar_argument(node):
            arg = "scalar"
            scalars.append(node)
        else:
            arg = _arg_key(node.op, node.arg)
        local[id(node)] = len(parts)
        parts.append((node.op, node.dtype.name, node.shape, arg, tuple(local[id(s)] for s in node.srcs)))
    parts.append(("outputs", tuple(local[id(o)] for o in item.outputs)))
    return tuple(parts), KernelArgs(rands, scalars)


def _graph_key(order: list[Node], targets: list[Node]) -> tuple[tuple, dict[int, int]]:
    """The structure of the graph to realize (stored nodes abstracted to their type and shape, random
    numbers to their distribution) and each node's position in `order`."""
    pos: dict[int, int] = {}
    parts = []
    for i, n in enumerate(order):
        pos[id(n)] = i
        if is_stored(n):
            parts.append((n.dtype, n.shape))
        else:
            arg = n.arg[2] if n.op is Op.RAND else "scalar" if is_scalar_argument(n) else _arg_key(n.op, n.arg)
            parts.append((n.op, n.dtype, n.shape, arg, tuple(pos[id(s)] for s in n.srcs)))
    parts.append(tuple(pos[id(t)] for t in targets))
    return tuple(parts), pos


def _plan(targets: list[Node]) -> tuple[list[ScheduledKernel], list[tuple]]:
    """The kernels that realize targets, with their structures (`_structure`): scheduled, or rebuilt
    from the schedule of a graph of the same structure over other buffers."""
    order = unrealized_order(targets)
    key, pos = _graph_key(order, targets)
    plan = _PLANS.pop(key, None)
    if plan is None:
        items = create_schedule(targets)
        structures = [_structure(item) for item in items]
        plan = [(tuple(pos[id(o)] for o in item.outputs), tuple(pos[id(i)] for i in item.inputs), kernel_key,
                 tuple(pos[id(r)] for r in args.rands), tuple(pos[id(c)] for c in args.scalars))
                for item, (kernel_key, args) in zip(items, structures)]
    else:
        items = [ScheduledKernel(tuple(order[p] for p in outs), tuple(order[p] for p in ins))
                 for outs, ins, _, _, _ in plan]
        structures = [(kernel_key, KernelArgs([order[p] for p in rands], [order[p] for p in scalars]))
                      for _, _, kernel_key, rands, scalars in plan]
    _PLANS[key] = plan
    if len(_PLANS) > PLANS_KEPT:
        del _PLANS[next(iter(_PLANS))]
    return items, structures


def _compiled(item: ScheduledKernel, args: KernelArgs, key: tuple, target: str = "c") -> _Compiled:
    hit = _KERNELS.get((target, key))
    if hit is not None:
        return hit
    kernel = rendered.render_kernel(item.outputs, item.inputs, args.rand_slots(), repr(key), target,
                                    args.scalar_slots())
    entry = _KERNELS[(target, key)] = _Compiled(kernel)
    return entry


def _dump(entry: _Compiled) -> None:
    out = os.environ.get("LAZYGRAD_DUMP_DIR")
    if out:
        os.makedirs(out, exist_ok=True)
        path = os.path.join(out, f"{entry.kernel.name}.{'cu' if entry.kernel.target == 'cuda' else 'c'}")
        if not os.path.exists(path):
            with open(path, "w") as f:
                f.write(entry.kernel.source)


def _input_buffer(node: Node) -> Buffer:
    return node.arg if node.op is Op.BUFFER else node.buffer


def _fresh(dtype, numel: int, device: str) -> Buffer:
    if device == "cpu":
        return Buffer(dtype, numel)
    from .device_buffer import DeviceBuffer
    return DeviceBuffer(dtype, numel, device)


def on_device(buf: Buffer, device: str) -> Buffer:
    """buf, or a copy of it on device (a value computed on one device and needed on another)."""
    if buf.device == device:
        return buf
    if device == "cpu":
        copy = Buffer(buf.dtype, buf.numel)
        copy.array[...] = buf.host()
        return copy
    from .device_buffer import DeviceBuffer
    return DeviceBuffer.upload(buf.host(), buf.dtype, device)


def copy_buffer(buf: Buffer) -> Buffer:
    """A new buffer on buf's device with buf's contents."""
    fresh = _fresh(buf.dtype, buf.numel, buf.device)
    fresh.array[...] = buf.array
    return fresh


def _output_buffer(item: ScheduledKernel, node: Node, into: dict[int, Buffer], device: str,
                   inputs: list[Buffer], key: tuple) -> Buffer:
    """The buffer an output is stored to: a fresh one, or the buffer it updates in place when the kernel
    reads that buffer only at the positions it writes."""
    buf = into.get(id(node))
    if buf is not None and buf.dtype is node.dtype and buf.numel == node.numel:
        elsewhere = _READ_ELSEWHERE.get(key)
        if elsewhere is None:
            elsewhere = _READ_ELSEWHERE[key] = inputs_read_elsewhere(item)
        if not any(inputs[i] is buf for i in elsewhere):
            buf.overwritten()
            return buf
    return _fresh(node.dtype, node.numel, device)


def _run_c(item: ScheduledKernel, outs, inputs, key, args: KernelArgs) -> _Compiled:
    entry = _compiled(item, args, key)
    if entry.callable is None:
        _load(entry)
    elif entry.loaded_ahead:
        entry.loaded_ahead = False
    else:
        COUNTERS.memory_cache_hits += 1
    addresses = [o.address for o in outs] + [b.address for b in inputs]
    extra = args.arrays()  # (kept alive until the call returns)
    addresses += [a.__array_interface__["data"][0] for a in extra]
    if any(o.numel for o in item.outputs):
        threads.apply()
        entry.callable(addresses)
    return entry


def is_library_call(item: ScheduledKernel) -> bool:
    return item.outputs[0].op is Op.EXTERN


def _library_call_listing(item: ScheduledKernel) -> tuple[str, str]:
    """The name and the listing (a comment saying what runs) of a library-call kernel."""
    node = item.outputs[0]
    routine, params = node.arg
    shapes = [s.shape for s in node.srcs]
    name = f"lib_{routine}_{'x'.join(map(str, shapes[0])) or 'scalar'}"
    return name, library_routines.describe(routine, params, name, shapes)


def _run_library_call(item: ScheduledKernel, outs, inputs, device: str) -> tuple[str, str]:
    """An EXTERN kernel: its routine on the arrays of its sources (numpy's on the CPU, cupy's on a GPU)."""
    node = item.outputs[0]
    arrays = {id(n): b.array.reshape(n.shape) for n, b in zip(item.inputs, inputs)}
    xp = np
    if device != "cpu":
        from . import cuda
        xp = cuda.cupy()
    sources = [arrays[id(s)] if id(s) in arrays else arrays[id(s.srcs[0])].reshape(s.shape)  # (a stored_reshape)
               for s in node.srcs]
    outs[0].array[...] = library_routines.run(*node.arg, sources, xp, node.dtype.np)
    return _library_call_listing(item)


def _load(entry: _Compiled) -> None:
    entry.callable = c_program.get_program(entry.kernel)
    _dump(entry)


def _compile_ahead(items: list[ScheduledKernel], structures: list) -> None:
    """A schedule's kernels that are not compiled yet build before the first one runs, a few compiler runs
    side by side (c_program.build_all): a cold start waits for a few compiles, not one per kernel."""
    entries = {id(entry): entry for item, (key, args) in zip(items, structures) if not is_library_call(item)
               and (entry := _compiled(item, args, key)).callable is None}  # (a kernel may run twice)
    todo = list(entries.values())
    if len(todo) < 2:
        return
    for entry, program in zip(todo, c_program.build_all([e.kernel for e in todo], os.cpu_count() or 1)):
        entry.callable = program
        entry.loaded_ahead = True
        _dump(entry)


def _run_cuda(item: ScheduledKernel, outs, inputs, key, args: KernelArgs, device: str) -> _Compiled:
    from codegen import cuda_program
    from . import cuda
    entry = _compiled(item, args, key, "cuda")
    out = item.outputs[0]
    if out.op is Op.SCATTER and out.arg in (ReduceOp.SUM, ReduceOp.PROD) and out.dtype.is_floating_point:
        # threads add into shared positions in whatever order they reach them
        settings.alert_not_deterministic(f"{entry.kernel.name} (a scatter reducing floats with atomics on the GPU)")
    index = int(device.partition(":")[2])
    program = cuda_program.get_program(entry.kernel, index)
    _dump(entry)
    cp = cuda.cupy()
    with cp.cuda.Device(index):
        arrays = [o.array for o in outs] + [b.array for b in inputs] + [cp.asarray(a) for a in args.arrays()]
        if any(o.numel for o in item.outputs):
            program(arrays)
    return entry


def run_kernel(item: ScheduledKernel, into: dict[int, Buffer] | None = None, device: str = "cpu",
               structure: tuple | None = None) -> None:
    """Run one scheduled kernel; `structure` is its _structure when the caller has it already."""
    # inputs first: an output written in place may be the buffer a memoized input node reads (a constant
    # realized into what became a gradient's buffer), which overwriting it detaches from that node
    inputs = [on_device(_input_buffer(n), device) for n in item.inputs]
    key, args = structure or _structure(item)
    outs = [_output_buffer(item, o, into or {}, device, inputs, key) for o in item.outputs]
    debug = int(os.environ.get("LAZYGRAD_DEBUG", "0") or 0)
    start = time.perf_counter()
    if is_library_call(item):
        name, source = _run_library_call(item, outs, inputs, device)
    elif device != "cpu":
        entry = _run_cuda(item, outs, inputs, key, args, device)
        name, source = entry.kernel.name, entry.kernel.source
    elif backend() == "numpy":
        arrays = {id(n): b.array.reshape(n.shape) for n, b in zip(item.inputs, inputs)}
        for node, out in zip(item.outputs, outs):
            out.array[...] = interpreter.evaluate(node, arrays).reshape(-1)
        name, source = "interpreted", None
    else:
        entry = _run_c(item, outs, inputs, key, args)
        name, source = entry.kernel.name, entry.kernel.source
    COUNTERS.kernels_run += 1
    for node, out in zip(item.outputs, outs):
        node.buffer = out
        out.producers = (weakref.ref(node),)
    if debug or KERNEL_OBSERVERS:
        if device != "cpu":  # launches are asynchronous: the time is until the kernel has finished
            from . import cuda
            cuda.synchronize(device)
        elapsed = time.perf_counter() - start
        for observe in KERNEL_OBSERVERS:
            observe(name, device, start, elapsed)
    if debug:
        moved = sum(b.numel * b.dtype.itemsize for b in (*outs, *inputs))
        print(f"lazygrad: {name:<40} {elapsed * 1e3:9.3f} ms {moved / 1e6:10.3f} MB", file=sys.stderr)
        if debug >= 2 and source:
            print(source, file=sys.stderr)


def realize_nodes(targets: list[Node], into: dict[int, Buffer] | None = None, device: str = "cpu") -> None:
    """Compute every target on device into a buffer (node.buffer): a fresh one, or into[id(target)] when safe
    (after the checks of lazy operands' values that torch makes at the op: lazygrad/deferred_checks.py)."""
    targets = [t for t in targets if not is_stored(t)]
    if not targets:
        return
    deferred_checks.run_pending(targets)
    runs = _for_device(targets, device)
    into = {id(r): into[id(t)] for t, r in zip(targets, runs) if into and id(t) in into}
    items, structures = _plan(runs)
    if into:
        into = _writes_in_place(items, into)
    if device == "cpu" and backend() == "c" and len(items) > 1:
        _compile_ahead(items, structures)
    for item, structure in zip(items, structures):
        run_kernel(item, into, device, structure)
    for t, r in zip(targets, runs):
        if t is not r:  # (a graph rewritten for the device: both nodes stand for the buffer)
            t.buffer = r.buffer
            t.buffer.producers += (weakref.ref(t),)


def _writes_in_place(items: list[ScheduledKernel], into: dict[int, Buffer]) -> dict[int, Buffer]:
    """The in-place writes no other kernel of the plan could see: a buffer read by a kernel that does not
    run before its writer (the writer does not depend on it) gets a fresh one instead. (Within its own
    kernel, _output_buffer checks.)"""
    producer = {id(o): k for k, item in enumerate(items) for o in item.outputs}
    before: list[set[int]] = []  # the kernels each kernel depends on (items are in dependency order)
    readers: dict[int, set[int]] = {}
    for k, item in enumerate(items):
        deps = set()
        for n in item.inputs:
            if id(n) in producer:
                deps |= before[producer[id(n)]] | {producer[id(n)]}
            elif is_stored(n):
                readers.setdefault(id(_input_buffer(n)), set()).add(k)
        before.append(deps)
    return {nid: buf for nid, buf in into.items()
            if readers.get(id(buf), set()) <= before[producer[nid]] | {producer[nid]}}


def _for_device(targets: list[Node], device: str) -> list[Node]:
    """The graphs to schedule: GPUs split reductions to few values in two passes (lazygrad/split_reductions.py)."""
    return targets if device == "cpu" else split_large_reductions(targets)


def plan(targets: list[Node], target: str = "c") -> Schedule:
    """The kernels realizing targets would run, with their sources, without running anything. The
    target ('c' or 'cuda') is the language rendered: CUDA sources need no GPU to be rendered."""
    targets = [t for t in targets if not is_stored(t)]
    kernels = Schedule()
    for item in create_schedule(_for_device(targets, "cuda" if target == "cuda" else "cpu")):
        device = "cuda" if target == "cuda" else "cpu"
        if is_library_call(item):
            name, source = _library_call_listing(item)
            kernels.append(Kernel(name, device, source, ["extern"], "library call"))
            continue
        key, args = _structure(item)
        k = _compiled(item, args, key, target).kernel
        kernels.append(Kernel(k.name, device, k.source, list(k.fused), k.kind))
    return kernels
