"""nn.DataParallel: torch splits each batch across its GPUs, runs a replica of the module on each and gathers
the outputs on one of them. Without a GPU torch runs the module as it is, and so does lazygrad. With GPUs,
lazygrad keeps torch's devices, checks and output placement but runs the whole batch on the first of
device_ids: it drives its GPUs from one thread, so replicas would run one after the other anyway."""
from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any

from ... import cuda
from ...device import device
from ...tensor import Tensor
from .module import Module


def _index(d: int | device) -> int:
    return d.index if isinstance(d, device) else int(d)


def _moved(value: Any, to: device) -> Any:
    """value with every tensor in it (through tuples, lists and dicts) on device `to`."""
    if isinstance(value, Tensor):
        return value.to(to)
    if isinstance(value, (tuple, list)):
        return type(value)(_moved(v, to) for v in value)
    if isinstance(value, dict):
        return {k: _moved(v, to) for k, v in value.items()}
    return value


class DataParallel(Module):
    """Runs `module` on batches spread over GPUs (see the module docstring); its state_dict is the module's,
    under the prefix `module.`."""
    __module__ = "lazygrad.nn"

    def __init__(self, module: Module, device_ids: Sequence[int | device] | None = None,
                 output_device: int | device | None = None, dim: int = 0) -> None:
        super().__init__()
        if not cuda.is_available():
            self.module = module
            self.device_ids = []
            return
        if device_ids is None:
            device_ids = list(range(cuda.device_count()))
        if output_device is None:
            output_device = device_ids[0]
        self.dim = dim
        self.module = module
        self.device_ids = [_index(d) for d in device_ids]
        self.output_device = _index(output_device)
        self.src_device_obj = device("cuda", self.device_ids[0])
        if len(self.device_ids) == 1:
            self.module.to(self.src_device_obj)

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        if not self.device_ids:
            return self.module(*inputs, **kwargs)
        for t in chain(self.module.parameters(), self.module.buffers()):
            if t.device != self.src_device_obj:
                raise RuntimeError(f"module must have its parameters and buffers on device {self.src_device_obj} "
                                   f"(device_ids[0]) but found one of them on device: {t.device}")
        inputs, kwargs = _moved((inputs, kwargs), self.src_device_obj)
        out = self.module(*inputs, **kwargs)
        return out if len(self.device_ids) == 1 else _moved(out, device("cuda", self.output_device))
