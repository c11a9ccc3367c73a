"""The classes and functions a `weights_only` load may unpickle beyond lazygrad's own (torch.serialization's
add_safe_globals, safe_globals, get_safe_globals, clear_safe_globals, get_unsafe_globals_in_checkpoint).

A pickle names each global as "module.name"; one is allowed when a listed object has that name (its module
and qualified name), or is listed as an (object, "module.name") pair for a name it is saved under."""
from __future__ import annotations

import os
import pickletools
import zipfile
from typing import IO, Any, Callable

_ALLOWED: list = []


def _name(entry) -> str:
    if isinstance(entry, tuple):
        return entry[1]
    return f"{entry.__module__}.{entry.__qualname__}"


def allowed(full_name: str) -> Any | None:
    """The listed object saved as full_name, or None."""
    for entry in _ALLOWED:
        if _name(entry) == full_name:
            return entry[0] if isinstance(entry, tuple) else entry
    return None


def add_safe_globals(safe_globals: list[Callable | tuple[Callable, str]]) -> None:
    """Allow these globals in weights_only loads (for files one trusts)."""
    _ALLOWED.extend(safe_globals)


def get_safe_globals() -> list[Callable | tuple[Callable, str]]:
    return list(_ALLOWED)


def clear_safe_globals() -> None:
    _ALLOWED.clear()


class safe_globals:
    """Within the block, weights_only loads also allow these globals."""

    def __init__(self, safe_globals: list[Callable | tuple[Callable, str]]):
        self.safe_globals = safe_globals

    def __enter__(self):
        self.before = list(_ALLOWED)
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc) -> None:
        _ALLOWED[:] = self.before


def pickled_globals(data: bytes) -> list[str]:
    """Every "module.name" a pickle's GLOBAL and STACK_GLOBAL opcodes name, in order, once each."""
    names, strings = [], []
    for op, arg, _ in pickletools.genops(data):
        if op.name == "GLOBAL":
            name = arg.replace(" ", ".", 1)
        elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
            name = f"{strings[-2]}.{strings[-1]}"
        else:
            if isinstance(arg, str):
                strings.append(arg)
            continue
        if name not in names:
            names.append(name)
    return names


def get_unsafe_globals_in_checkpoint(f: str | os.PathLike | IO[bytes]) -> list[str]:
    """The globals of a saved file that a weights_only load would refuse, as "module.name"."""
    from .serialization import LOADABLE_NAMES
    with zipfile.ZipFile(os.fspath(f) if isinstance(f, (str, os.PathLike)) else f) as zf:
        pkl = next(n for n in zf.namelist() if n.endswith("data.pkl"))
        names = pickled_globals(zf.read(pkl))
    return [n for n in names if n not in LOADABLE_NAMES and allowed(n) is None]
