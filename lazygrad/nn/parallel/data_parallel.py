"""DataParallel: a module whose batch is split along `dim` over devices. Without a GPU it is the module itself
(as torch's, with no device_ids); on GPUs the chunks run one after another on device_ids[0] and the results
are joined on output_device, so values and gradients are those of torch's replicas (a batch norm's running
statistics are updated by every chunk, where torch keeps the first replica's)."""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from itertools import chain
from typing import Any

from ... import cuda
from ...device import device as Device
from ...movement import cat
from ...tensor import Tensor
from ..modules.module import Module


def _index(d) -> int:
    return d if isinstance(d, int) else (Device(d).index or 0)


def _scatter(value, chunks: int, dim: int, where: Device):
    """value's tensors split into `chunks` pieces along dim (fewer when the batch is smaller) and moved to where;
    other values repeated; lists, tuples and dicts split element by element."""
    if isinstance(value, Tensor):
        return [piece.to(where) for piece in value.chunk(chunks, dim)]
    if isinstance(value, (list, tuple)) and value:
        parts = list(zip(*(_scatter(v, chunks, dim, where) for v in value)))
        return [type(value)(p) if not hasattr(value, "_fields") else type(value)(*p) for p in parts]
    if isinstance(value, dict) and value:
        keys, parts = list(value), list(zip(*(_scatter(v, chunks, dim, where) for v in value.values())))
        return [dict(zip(keys, p)) for p in parts]
    return [value] * chunks


def _gather(outputs: list, dim: int, where: Device):
    first = outputs[0]
    if isinstance(first, Tensor):
        if first.ndim:
            return cat([o.to(where) for o in outputs], dim)
        warnings.warn("Was asked to gather along dimension 0, but all input tensors were scalars; will instead "
                      "unsqueeze and return a vector.")
        return cat([o.to(where).reshape(1) for o in outputs])
    if isinstance(first, (list, tuple)):
        joined = [_gather(list(parts), dim, where) for parts in zip(*outputs)]
        return type(first)(*joined) if hasattr(first, "_fields") else type(first)(joined)
    if isinstance(first, dict):
        return {k: _gather([o[k] for o in outputs], dim, where) for k in first}
    return first


class DataParallel(Module):
    def __init__(self, module: Module, device_ids: Sequence[int | Device] | None = None,
                 output_device: int | Device | None = None, dim: int = 0) -> None:
        super().__init__()
        self.module = module
        if not cuda.is_available():
            self.device_ids = []
            return
        if device_ids is None:
            device_ids = list(range(cuda.device_count()))
        self.dim = dim
        self.device_ids = [_index(d) for d in device_ids]
        self.output_device = _index(output_device if output_device is not None else device_ids[0])
        self.src_device_obj = Device("cuda", self.device_ids[0])
        if len(self.device_ids) == 1:
            self.module.to(self.src_device_obj)

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        if not self.device_ids:
            return self.module(*inputs, **kwargs)
        for t in chain(self.module.parameters(), self.module.buffers()):
            if t.device != self.src_device_obj:
                raise RuntimeError(f"module must have its parameters and buffers on device {self.src_device_obj} "
                                   f"(device_ids[0]) but found one of them on device: {t.device}")
        if not inputs and not kwargs:
            return self.module()
        pieces = _scatter((inputs, kwargs), len(self.device_ids), self.dim, self.src_device_obj)
        if len(pieces) == 1:
            return self.module(*pieces[0][0], **pieces[0][1])
        outputs = [self.module(*args, **kw) for args, kw in pieces]
        return _gather(outputs, self.dim, Device("cuda", self.output_device))


def data_parallel(module: Module, inputs: Any, device_ids: Sequence[int | Device] | None = None,
                  output_device: int | Device | None = None, dim: int = 0, module_kwargs: Any | None = None) -> Tensor:
    """module(*inputs) as a DataParallel of it computes it."""
    if not cuda.is_available():
        raise RuntimeError("device type could not be determined")
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    return DataParallel(module, device_ids, output_device, dim)(*inputs, **(module_kwargs or {}))
