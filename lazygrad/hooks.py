"""Hook registries shared by nn.Module and the optimizers: an ordered dict of hooks by handle id, and the
handle whose remove() takes its hook out again (torch.utils.hooks.RemovableHandle)."""
from __future__ import annotations

import itertools
import weakref
from collections import OrderedDict
from typing import Callable


class HookDict(OrderedDict):
    """Hooks in the order they run, by handle id (a dict a handle can refer to weakly)."""


class RemovableHandle:
    """What a register_*_hook call returns; also a context manager that removes the hook on exit."""
    __module__ = "lazygrad.utils.hooks"
    _ids = itertools.count()

    def __init__(self, hooks: HookDict):
        self._hooks, self.id = weakref.ref(hooks), next(RemovableHandle._ids)

    def remove(self) -> None:
        hooks = self._hooks()
        if hooks is not None:
            hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def add_hook(hooks: HookDict, hook: Callable, prepend: bool = False) -> RemovableHandle:
    """Register hook last (or first) in hooks."""
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle
