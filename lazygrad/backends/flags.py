"""Module attributes that check what they are set to, as torch's backend switches do (a module whose
class is swapped for one holding these properties)."""
from __future__ import annotations


def bool_flag(key: str, setter: str) -> property:
    """The module's FLAGS[key], set to bools only (torch's RuntimeError names its C++ setter)."""
    def get(module) -> bool:
        return module.FLAGS[key]

    def put(module, value: bool) -> None:
        if not isinstance(value, bool):
            raise RuntimeError(f"{setter} expects a bool, but got {type(value).__name__}")
        module.FLAGS[key] = value

    return property(get, put)
