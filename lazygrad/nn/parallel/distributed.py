"""DistributedDataParallel: a module replicated over processes that average gradients through a process group.
lazygrad has no process groups (lazygrad.distributed.is_available() is False), so making one fails as torch's
does before init_process_group."""
from __future__ import annotations

from ..modules.module import Module


class DistributedDataParallel(Module):
    def __init__(self, module: Module, *args, **kwargs):
        raise ValueError("Default process group has not been initialized, please make sure to call "
                         "init_process_group.")
