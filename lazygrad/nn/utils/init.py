"""torch.nn.utils.init.skip_init: a module whose parameters and buffers are allocated but not initialized."""
from __future__ import annotations

import inspect

from ..modules.module import Module

__all__ = ["skip_init"]


def skip_init(module_cls: type, *args, **kwargs) -> Module:
    """module_cls(*args, **kwargs) with uninitialized tensors. Its initialization is lazy, so replacing the
    tensors by empty ones (to_empty) means it is never computed."""
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    device = kwargs.get("device") or "cpu"
    return module_cls(*args, **kwargs).to_empty(device=device)
