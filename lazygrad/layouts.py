"""torch.layout and torch.memory_format values: lazygrad tensors are all strided and dense, so these are the
names code passes around (`layout=lg.strided`, `memory_format=lg.contiguous_format`) and compares."""
from __future__ import annotations


class layout:  # noqa: N801  (torch's names)
    __module__ = "lazygrad"

    def __init__(self, name: str):
        self._name = name

    def __repr__(self) -> str:
        return f"lazygrad.{self._name}"

    def __reduce__(self):
        return (_named, (self._name,))


class memory_format(layout):  # noqa: N801
    __module__ = "lazygrad"


strided = layout("strided")
contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
_BY_NAME = {v._name: v for v in (strided, contiguous_format, preserve_format, channels_last, channels_last_3d)}


def _named(name: str):
    return _BY_NAME[name]
