"""data_parallel(module, inputs, ...): the functional form of nn.DataParallel (lazygrad/nn/modules/data_parallel.py),
which, as torch's, needs a GPU to say what device type it runs on."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ... import cuda
from ...device import device as Device
from ...tensor import Tensor
from ..modules.data_parallel import DataParallel
from ..modules.module import Module


def data_parallel(module: Module, inputs: Any, device_ids: Sequence[int | Device] | None = None,
                  output_device: int | Device | None = None, dim: int = 0, module_kwargs: Any | None = None) -> Tensor:
    """module(*inputs) as a DataParallel of it computes it."""
    if not cuda.is_available():
        raise RuntimeError("device type could not be determined")
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    return DataParallel(module, device_ids, output_device, dim)(*inputs, **(module_kwargs or {}))
