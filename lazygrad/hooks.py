"""Hook registries shared by nn.Module and the optimizers: an ordered dict of hooks by handle id, and the
handle whose remove() takes its hook out again (torch.utils.hooks.RemovableHandle)."""
from __future__ import annotations

import weakref
from collections import OrderedDict
from typing import Callable


class HookDict(OrderedDict):
    """Hooks in the order they run, by handle id (a dict a handle can refer to weakly)."""


class RemovableHandle:
    """What a register_*_hook call returns; also a context manager that removes the hook on exit. remove()
    also takes the id out of extra_dict (a dict or a list of them) where a registry keeps more per hook."""
    __module__ = "lazygrad.utils.hooks"
    id: int
    next_id: int = 0

    def __init__(self, hooks_dict: dict, *, extra_dict: dict | list[dict] | None = None):
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id, RemovableHandle.next_id = RemovableHandle.next_id, RemovableHandle.next_id + 1
        extras = [extra_dict] if isinstance(extra_dict, dict) else extra_dict if isinstance(extra_dict, list) else []
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extras)

    def remove(self) -> None:
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            hooks = ref()
            if hooks is not None:
                hooks.pop(self.id, None)

    def __getstate__(self):
        return self.hooks_dict_ref(), self.id, tuple(ref() for ref in self.extra_dict_ref)

    def __setstate__(self, state) -> None:
        """A handle unpickled without its dict refers to none (a dead reference), as torch's does."""
        self.hooks_dict_ref = weakref.ref(HookDict() if state[0] is None else state[0])
        self.id = state[1]
        RemovableHandle.next_id = max(RemovableHandle.next_id, self.id + 1)
        extras = state[2] if len(state) > 2 and state[2] else ()
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extras if d is not None)

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
