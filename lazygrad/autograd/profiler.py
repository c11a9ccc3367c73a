"""torch.autograd.profiler, the older spelling of the profiler: `profile(enabled=...)` with `function_events`,
`self_cpu_time_total`, `key_averages()` and `table()`, and `record_function`; the recording is
lazygrad.profiler's (the kernels that ran and the regions around them). emit_nvtx and emit_itt mark ranges
for NVIDIA's and Intel's tools, which lazygrad does not drive: they are regions that record nothing."""
from __future__ import annotations

from contextlib import nullcontext

from ..profiler import EventList, FunctionEvent, ProfilerActivity, record_function
from ..profiler import profile as _profile

__all__ = ["EventList", "FunctionEvent", "ProfilerActivity", "emit_itt", "emit_nvtx", "profile", "record_function"]


class profile(_profile):
    """The profiler as torch.autograd.profiler.profile takes it; disabled (enabled=False), a block that
    records nothing and is None to `as`."""

    def __init__(self, enabled: bool = True, *, use_cuda: bool = False, use_device: str | None = None,
                 record_shapes: bool = False, with_flops: bool = False, profile_memory: bool = False,
                 with_stack: bool = False, with_modules: bool = False, use_kineto: bool = False,
                 use_cpu: bool = True, experimental_config=None, acc_events: bool = False,
                 custom_trace_id_callback=None, **_):
        super().__init__(record_shapes=record_shapes, profile_memory=profile_memory, with_stack=with_stack,
                         with_flops=with_flops, with_modules=with_modules,
                         use_cuda=use_cuda or (use_device or "").startswith("cuda"))
        self.enabled = enabled

    def __enter__(self):
        return super().__enter__() if self.enabled else None

    def __exit__(self, *exc) -> None:
        if self.enabled:
            super().__exit__(*exc)

    @property
    def function_events(self) -> EventList:
        return self.events()

    @property
    def self_cpu_time_total(self) -> float:
        return sum(e.self_cpu_time_total for e in self.events())

    def table(self, *args, **kwargs) -> str:
        return self.key_averages().table(*args, **kwargs)


def emit_nvtx(enabled: bool = True, record_shapes: bool = False):
    return nullcontext()


def emit_itt(enabled: bool = True, record_shapes: bool = False):
    return nullcontext()
