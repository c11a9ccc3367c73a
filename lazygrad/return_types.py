"""The named results of ops that return several tensors (torch.return_types): tuples with fields,
printed as torch prints them, with `lazygrad.` for `torch.`."""
from __future__ import annotations

from collections import namedtuple

__all__ = ["max", "min", "sort", "topk", "kthvalue", "median", "nanmedian", "aminmax", "cummax", "cummin"]


def _result_type(name: str, fields: tuple[str, ...]) -> type:
    def __repr__(self) -> str:
        shown = ",\n".join(f"{field}={value!r}" for field, value in zip(self._fields, self))
        return f"lazygrad.return_types.{name}(\n{shown})"
    return type(name, (namedtuple(name, fields),), {"__slots__": (), "__repr__": __repr__, "__module__": __name__})


_VALUES_INDICES = ("values", "indices")
max = _result_type("max", _VALUES_INDICES)  # noqa: A001  (torch's names)
min = _result_type("min", _VALUES_INDICES)  # noqa: A001
sort = _result_type("sort", _VALUES_INDICES)
topk = _result_type("topk", _VALUES_INDICES)
kthvalue = _result_type("kthvalue", _VALUES_INDICES)
median = _result_type("median", _VALUES_INDICES)
nanmedian = _result_type("nanmedian", _VALUES_INDICES)
aminmax = _result_type("aminmax", ("min", "max"))
cummax = _result_type("cummax", _VALUES_INDICES)
cummin = _result_type("cummin", _VALUES_INDICES)
