"""Padding layers: constant (zero), reflection, replication and circular padding of 1-3 dims."""
from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from .module import Module


class _PadNd(Module):
    dims: int
    mode: str

    def __init__(self, padding, value: float | None = None):
        super().__init__()
        self.padding = tuple(padding) if isinstance(padding, (tuple, list)) else (padding,) * (2 * self.dims)
        if self.mode == "constant":
            self.value = value

    def forward(self, input: Tensor) -> Tensor:
        if self.mode == "constant":
            return F.pad(input, self.padding, "constant", self.value)
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}" if self.mode == "constant" else f"{self.padding}"


class _ConstantPadNd(_PadNd):
    mode = "constant"

    def __init__(self, padding, value: float):
        super().__init__(padding, value)


class _ZeroPadNd(_PadNd):
    mode = "constant"

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


def _layers(base: type, stem: str, mode: str) -> tuple[type, ...]:
    return tuple(type(f"{stem}{n}d", (base,), {"dims": n, "mode": mode, "__module__": "lazygrad.nn",
                                               "__doc__": f"F.pad of the last {n} dim(s), mode '{mode}'."})
                 for n in (1, 2, 3))


ConstantPad1d, ConstantPad2d, ConstantPad3d = _layers(_ConstantPadNd, "ConstantPad", "constant")
ZeroPad1d, ZeroPad2d, ZeroPad3d = _layers(_ZeroPadNd, "ZeroPad", "constant")
ReflectionPad1d, ReflectionPad2d, ReflectionPad3d = _layers(_PadNd, "ReflectionPad", "reflect")
ReplicationPad1d, ReplicationPad2d, ReplicationPad3d = _layers(_PadNd, "ReplicationPad", "replicate")
CircularPad1d, CircularPad2d, CircularPad3d = _layers(_PadNd, "CircularPad", "circular")
