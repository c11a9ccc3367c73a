"""lazygrad.profiler (torch.profiler): which kernels ran, how often, and for how long.

What is measured. lazygrad's ops only build a graph; the work is the kernels realizing it, so the rows are
kernels, by their generated names (`r_mul_sum_64x64`, `lib_solve_...` for a library call), beside the
regions `record_function` labels (`ProfilerStep*` under a schedule). A kernel's time is the host's wall
clock from its launch until it returned; the profiler synchronizes after each CUDA kernel, so that time
runs until the kernel finished, and it is the row's CUDA time as well as its CPU time. A kernel's first
run in a process includes compiling it (or loading it from the disk cache), unless its schedule did that
ahead. A region's time is the time spent inside it; its self time leaves out the kernels and regions
inside it.

Laziness shows: a kernel is recorded when it runs, which is when a value is needed, so the work of the
ops written inside a region may be recorded after it, and work a profile never realizes is not in it.
Memory, shapes, stacks and FLOPs are not recorded: those options are accepted for torch's signature.
"""
from __future__ import annotations

import enum
import gzip
import json
import os
import socket
import threading
import time
import warnings
from contextlib import ContextDecorator
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from . import cuda, runtime

__all__ = ["EventList", "FunctionEvent", "FunctionEventAvg", "ProfilerAction", "ProfilerActivity", "profile",
           "record_function", "schedule", "supported_activities", "tensorboard_trace_handler"]


class ProfilerActivity(enum.Enum):
    """What a profile records: CPU (kernels on the CPU, and record_function regions) and CUDA kernels."""
    CPU = 0
    XPU = 1
    MTIA = 4
    CUDA = 2
    HPU = 3
    PrivateUse1 = 5


class ProfilerAction(enum.Enum):
    """What a schedule asks of a profiling step."""
    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def supported_activities() -> set[ProfilerActivity]:
    return {ProfilerActivity.CPU, ProfilerActivity.CUDA} if cuda.is_available() else {ProfilerActivity.CPU}


def schedule(*, wait: int, warmup: int, active: int, repeat: int = 0, skip_first: int = 0,
             skip_first_wait: int = 0) -> Callable[[int], ProfilerAction]:
    """The action for each step: skip skip_first steps, then cycles of wait, warmup and active steps (the last
    active one saves), repeat times (0: until profiling ends); skip_first_wait drops the first cycle's wait."""
    def schedule_fn(step: int) -> ProfilerAction:
        if step < 0:
            raise AssertionError(f"Step must be non-negative. Got {step}.")
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait != 0:
            step += wait
        num_steps = wait + warmup + active
        if repeat > 0 and step / num_steps >= repeat:
            return ProfilerAction.NONE
        mod_step = step % num_steps
        if mod_step < wait:
            return ProfilerAction.NONE
        if mod_step < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if mod_step < num_steps - 1 else ProfilerAction.RECORD_AND_SAVE

    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError(f"Invalid profiler schedule arguments. Got wait={wait} (need >= 0), warmup={warmup} "
                             f"(need >= 0), active={active} (need > 0), repeat={repeat} (need >= 0), "
                             f"skip_first={skip_first} (need >= 0).")
    if warmup == 0:
        warnings.warn("Profiler won't be using warmup, this can skew profiler results", stacklevel=2)
    return schedule_fn


def _format_time(time_us: float) -> str:
    if time_us >= 1e6:
        return f"{time_us / 1e6:.3f}s"
    if time_us >= 1e3:
        return f"{time_us / 1e3:.3f}ms"
    return f"{time_us:.3f}us"


def _format_share(time_us: float, total_us: float) -> str:
    return "NaN" if total_us == 0 else f"{time_us * 100.0 / total_us:.2f}%"


@dataclass
class FunctionEvent:
    """One kernel run or region, times in microseconds as torch's (start: since the profile began)."""
    name: str
    device: str  # "cpu", "cuda:0"...: where a kernel ran ("cpu" for a region)
    thread: int
    start_us: float
    duration_us: float
    is_kernel: bool
    self_cpu_time_total: float = 0.0
    cpu_parent: FunctionEvent | None = field(default=None, repr=False)  # the innermost region around it

    @property
    def key(self) -> str:
        return self.name

    @property
    def count(self) -> int:
        return 1

    @property
    def cpu_time_total(self) -> float:
        return self.duration_us

    @property
    def cpu_time(self) -> float:
        return self.duration_us

    @property
    def device_time_total(self) -> float:
        return self.duration_us if self.device != "cpu" else 0.0

    @property
    def self_device_time_total(self) -> float:
        return self.device_time_total

    @property
    def device_time(self) -> float:
        return self.device_time_total


class FunctionEventAvg:
    """The events of one name (key) on one device together: their count and total times (microseconds);
    cpu_parent is the first one's, as in torch."""

    def __init__(self, key: str, device: str = "cpu"):
        self.key, self.device, self.count = key, device, 0
        self.cpu_parent: FunctionEvent | None = None
        self.cpu_time_total = self.self_cpu_time_total = 0.0
        self.device_time_total = self.self_device_time_total = 0.0

    def add(self, event: FunctionEvent | FunctionEventAvg) -> FunctionEventAvg:
        if not self.count:
            self.cpu_parent = event.cpu_parent
        self.count += event.count
        self.cpu_time_total += event.cpu_time_total
        self.self_cpu_time_total += event.self_cpu_time_total
        self.device_time_total += event.device_time_total
        self.self_device_time_total += event.self_device_time_total
        return self

    @property
    def cpu_time(self) -> float:
        return self.cpu_time_total / max(self.count, 1)

    @property
    def device_time(self) -> float:
        return self.device_time_total / max(self.count, 1)

    def __repr__(self) -> str:
        return (f"<FunctionEventAvg key={self.key} self_cpu_time={_format_time(self.self_cpu_time_total)} "
                f"cpu_time={_format_time(self.cpu_time)} self_cuda_time={_format_time(self.self_device_time_total)} "
                f"cuda_time={_format_time(self.device_time)} count={self.count}>")


class EventList(list):
    """Events or their averages, printed as torch prints them (`table`)."""

    def table(self, sort_by: str | None = None, row_limit: int = 100, max_src_column_width: int = 75,
              max_name_column_width: int = 55, max_shapes_column_width: int = 80, header: str | None = None,
              top_level_events_only: bool = False, time_unit: str | None = None) -> str:
        """torch's table: sort_by names an attribute (cpu_time_total, self_cpu_time_total, cuda_time_total,
        count...; largest first), row_limit the rows shown (-1: all), time_unit 's', 'ms' or 'us' (default:
        per value). Stacks and shapes are not recorded, so their widths change nothing."""
        events = list(self)
        if not events:
            return ""
        if sort_by is not None:
            attribute = sort_by.replace("cuda", "device")
            events.sort(key=lambda e: getattr(e, attribute), reverse=True)
        self_cpu = sum(e.self_cpu_time_total for e in events)
        self_device = sum(e.self_device_time_total for e in events)
        has_device = self_device > 0
        name_width = max(len(e.key) for e in events) + 4
        if max_name_column_width is not None:
            name_width = min(name_width, max_name_column_width)
        if top_level_events_only:
            events = [e for e in events if e.cpu_parent is None]
        headers = ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg"]
        if has_device:
            headers += ["Self CUDA", "Self CUDA %", "CUDA total", "CUDA time avg"]
        headers.append("# of Calls")
        widths = [name_width] + [12] * (len(headers) - 1)
        row_format = "".join(f"{{:>{w}}}  " for w in widths)
        separator = "".join("-" * w + "  " for w in widths)

        def show(time_us: float) -> str:
            divisor = {"s": 1e6, "ms": 1e3, "us": 1.0}.get(time_unit)
            return _format_time(time_us) if divisor is None else f"{time_us / divisor:.3f}{time_unit}"

        lines = []
        line_length = sum(widths) + 2 * len(widths) - 2
        if header is not None:
            lines += ["=" * line_length, header]
        if top_level_events_only:
            lines += ["=" * line_length, "This report only display top-level ops statistics"]
        lines += [separator, row_format.format(*headers), separator]
        for e in events[:row_limit] if row_limit >= 0 else events:
            name = e.key
            if max_name_column_width is not None and len(name) >= max_name_column_width - 3:
                name = name[:max_name_column_width - 3] + "..."
            row = [name, _format_share(e.self_cpu_time_total, self_cpu), show(e.self_cpu_time_total),
                   _format_share(e.cpu_time_total, self_cpu), show(e.cpu_time_total), show(e.cpu_time)]
            if has_device:
                row += [show(e.self_device_time_total), _format_share(e.self_device_time_total, self_device),
                        show(e.device_time_total), show(e.device_time)]
            lines.append(row_format.format(*row, e.count))
        lines += [separator, f"Self CPU time total: {show(self_cpu)}"]
        if has_device:
            lines.append(f"Self CUDA time total: {show(self_device)}")
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.table()


_RECORDING: list[profile] = []  # the profiles recording now


def _observe_kernel(name: str, device: str, start: float, seconds: float) -> None:
    """runtime.run_kernel's report of a kernel that ran."""
    activity = ProfilerActivity.CPU if device == "cpu" else ProfilerActivity.CUDA
    for prof in _RECORDING:
        if activity in prof.activities:
            prof._record(name, device, start, seconds, True)


class record_function(ContextDecorator):
    """A labelled region (a context manager, or a decorator labelling each call): a profile recording when
    it begins shows it as a row, with the time spent inside it."""

    def __init__(self, name: str, args: str | None = None):
        self.name, self.args = name, args
        self._profiles: list[profile] = []
        self._start = 0.0

    def __enter__(self) -> record_function:
        self._profiles = [p for p in _RECORDING if ProfilerActivity.CPU in p.activities]
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        seconds = time.perf_counter() - self._start
        for prof in self._profiles:
            if prof in _RECORDING:
                prof._record(self.name, "cpu", self._start, seconds, False)
        self._profiles = []

    def _recreate_cm(self) -> record_function:
        """A fresh region per decorated call, so calls that nest (recursion) each keep their own start."""
        return record_function(self.name, self.args)


def _key(name: str) -> str:
    """torch's grouping name: every step region is one row."""
    return "ProfilerStep*" if name.startswith("ProfilerStep#") else name


class profile:
    """Record the kernels lazygrad runs (and record_function regions) between start and stop, or in a with
    block. With a schedule, step() moves through its steps, recording in RECORD steps, and each cycle's end
    (and the stop) hands the profile to on_trace_ready (tensorboard_trace_handler writes it to a file).
    record_shapes, profile_memory, with_stack, with_flops and with_modules record nothing (see the module)."""

    def __init__(self, *, activities: Iterable[ProfilerActivity] | None = None,
                 schedule: Callable[[int], ProfilerAction] | None = None,
                 on_trace_ready: Callable[[profile], Any] | None = None, record_shapes: bool = False,
                 profile_memory: bool = False, with_stack: bool = False, with_flops: bool = False,
                 with_modules: bool = False, use_cuda: bool | None = None):
        self.activities = set(activities) if activities is not None else supported_activities()
        if use_cuda:
            self.activities.add(ProfilerActivity.CUDA)
        self.schedule = schedule if schedule is not None else (lambda step: ProfilerAction.RECORD)
        self.record_steps = schedule is not None
        self.on_trace_ready = on_trace_ready
        self.step_num = 0
        self.current_action = self.schedule(0)
        self._step_region: record_function | None = None
        self._events: list[FunctionEvent] = []
        self._origin = time.perf_counter()
        self._wall_origin_us = time.time() * 1e6
        self._lock = threading.Lock()
        self._actions = {
            (ProfilerAction.NONE, ProfilerAction.WARMUP): [self._prepare_trace],
            (ProfilerAction.NONE, ProfilerAction.RECORD): [self._prepare_trace, self._start_trace],
            (ProfilerAction.NONE, ProfilerAction.RECORD_AND_SAVE): [self._prepare_trace, self._start_trace],
            (ProfilerAction.WARMUP, ProfilerAction.NONE): [lambda: warnings.warn(
                "Incorrect schedule: WARMUP followed by NONE", stacklevel=4)],
            (ProfilerAction.WARMUP, ProfilerAction.RECORD): [self._start_trace],
            (ProfilerAction.WARMUP, ProfilerAction.RECORD_AND_SAVE): [self._start_trace],
            (ProfilerAction.RECORD, ProfilerAction.NONE): [lambda: warnings.warn(
                "Incorrect schedule: RECORD followed by NONE", stacklevel=4), self._stop_trace],
            (ProfilerAction.RECORD, ProfilerAction.WARMUP): [lambda: warnings.warn(
                "Incorrect schedule: RECORD followed by WARMUP", stacklevel=4), self._stop_trace],
            (ProfilerAction.RECORD_AND_SAVE, ProfilerAction.NONE): [self._stop_trace, self._trace_ready],
            (ProfilerAction.RECORD_AND_SAVE, ProfilerAction.WARMUP): [self._stop_trace, self._trace_ready,
                                                                      self._prepare_trace],
            (ProfilerAction.RECORD_AND_SAVE, ProfilerAction.RECORD): [self._stop_trace, self._trace_ready,
                                                                      self._prepare_trace, self._start_trace],
            (ProfilerAction.RECORD_AND_SAVE, ProfilerAction.RECORD_AND_SAVE): [
                self._stop_trace, self._trace_ready, self._prepare_trace, self._start_trace],
            (ProfilerAction.RECORD, None): [self._stop_trace, self._trace_ready],
            (ProfilerAction.RECORD_AND_SAVE, None): [self._stop_trace, self._trace_ready],
        }

    def __enter__(self) -> profile:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        self._transit(ProfilerAction.NONE, self.current_action)
        self._enter_step()

    def stop(self) -> None:
        self._exit_step()
        self._transit(self.current_action, None)

    def step(self) -> None:
        """The next step begins: the schedule's action for it takes effect."""
        self._exit_step()
        previous = self.current_action
        self.step_num += 1
        self.current_action = self.schedule(self.step_num)
        self._transit(previous, self.current_action)
        self._enter_step()

    def _enter_step(self) -> None:
        if self.record_steps:
            self._step_region = record_function(f"ProfilerStep#{self.step_num}").__enter__()

    def _exit_step(self) -> None:
        if self._step_region is not None:
            self._step_region.__exit__(None, None, None)
            self._step_region = None

    def _transit(self, previous: ProfilerAction, current: ProfilerAction | None) -> None:
        for action in self._actions.get((previous, current), ()):
            action()

    def _prepare_trace(self) -> None:
        self._events = []

    def _start_trace(self) -> None:
        if not _RECORDING:
            runtime.KERNEL_OBSERVERS.append(_observe_kernel)
        _RECORDING.append(self)

    def _stop_trace(self) -> None:
        if self in _RECORDING:
            _RECORDING.remove(self)
            if not _RECORDING:
                runtime.KERNEL_OBSERVERS.remove(_observe_kernel)

    def _trace_ready(self) -> None:
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)

    def _record(self, name: str, device: str, start: float, seconds: float, is_kernel: bool) -> None:
        event = FunctionEvent(name, device, threading.get_ident(), (start - self._origin) * 1e6, seconds * 1e6,
                              is_kernel)
        with self._lock:
            self._events.append(event)

    def events(self) -> EventList:
        """The recorded kernel runs and regions in the order they began, each with its self time."""
        events = sorted(self._events, key=lambda e: (e.thread, e.start_us, -e.duration_us))
        open_regions: list[FunctionEvent] = []
        for event in events:
            event.self_cpu_time_total, event.cpu_parent = event.duration_us, None
            end = event.start_us + event.duration_us
            while open_regions and (open_regions[-1].thread != event.thread
                                    or open_regions[-1].start_us + open_regions[-1].duration_us < end):
                open_regions.pop()
            if open_regions:
                event.cpu_parent = open_regions[-1]
                event.cpu_parent.self_cpu_time_total -= event.duration_us
            if not event.is_kernel:
                open_regions.append(event)
        return EventList(sorted(events, key=lambda e: e.start_us))

    def key_averages(self, group_by_input_shape: bool = False, group_by_stack_n: int = 0,
                     group_by_overload_name: bool = False) -> EventList:
        """One row per kernel or region name and device (a kernel of one name may run on the CPU and on a GPU),
        in the order each first ran (shapes and stacks are not recorded, so the grouping options change
        nothing)."""
        rows: dict[tuple[str, str], FunctionEventAvg] = {}
        for event in self.events():
            key = _key(event.name)
            rows.setdefault((key, event.device), FunctionEventAvg(key, event.device)).add(event)
        return EventList(rows.values())

    def export_chrome_trace(self, path: str, use_python_export: bool = False) -> None:
        """Write what was recorded as Chrome's trace-event JSON (chrome://tracing, Perfetto); gzipped when
        path ends in .gz. Kernels are category "kernel", regions "user_annotation". (use_python_export picks
        between torch's two writers; there is one here.)"""
        pid = os.getpid()
        trace = {"traceEvents": [
            {"ph": "X", "cat": "kernel" if e.is_kernel else "user_annotation", "name": e.name, "pid": pid,
             "tid": e.thread, "ts": self._wall_origin_us + e.start_us, "dur": e.duration_us,
             "args": {"device": e.device}} for e in self.events()],
            "displayTimeUnit": "ms"}
        text = json.dumps(trace)
        if path.endswith(".gz"):
            with gzip.open(path, "wt", encoding="utf-8") as f:
                f.write(text)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)


def tensorboard_trace_handler(dir_name: str, worker_name: str | None = None, use_gzip: bool = False,
                              use_python_export: bool = False) -> Callable[[profile], None]:
    """An on_trace_ready writing each trace to dir_name as {worker_name}.{time_ns}.pt.trace.json (worker_name:
    hostname_pid by default; .gz added with use_gzip), where TensorBoard's profiler plugin looks for them."""
    def handler_fn(prof: profile) -> None:
        nonlocal worker_name
        if not os.path.isdir(dir_name):
            try:
                os.makedirs(dir_name, exist_ok=True)
            except Exception as e:
                raise RuntimeError("Can't create directory: " + dir_name) from e
        if not worker_name:
            worker_name = f"{socket.gethostname()}_{os.getpid()}"
        file_name = f"{worker_name}.{time.time_ns()}.pt.trace.json" + (".gz" if use_gzip else "")
        prof.export_chrome_trace(os.path.join(dir_name, file_name))

    return handler_fn
