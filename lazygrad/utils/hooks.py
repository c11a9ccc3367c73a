"""lazygrad.utils.hooks (torch.utils.hooks): the handle the register_*_hook methods of modules, optimizers and
autograd nodes return, and the object that carries a module's backward hooks through a call (both live
beside what uses them, and are named here)."""
from __future__ import annotations

from ..hooks import RemovableHandle

__all__ = ["RemovableHandle"]  # and BackwardHook, loaded on first use


def __getattr__(name: str):
    """BackwardHook lives with nn's modules, which load on first use."""
    if name == "BackwardHook":
        from ..nn.modules.backward_hooks import BackwardHook
        return BackwardHook
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
